"""填报: staff enter the period's indicator values and cumulative spending for their units' projects —
in the editable tables, or by uploading the Excel template / a CSV (preview first, then confirm) —,
attach 佐证材料, and answer their units' open 整改 items."""

import zlib

import streamlit as st

from components import entry_editor as ed
from components import entry_reads
from components.auth import current_principal
from components.entry_drafts import keep_choice, remember_choice
from components.entry_import import render_import
from components.entry_links import adopt_entry_link
from components.evidence import entry_panel
from components.filters import show_demo_banner
from components.no_targets import no_targets
from components.rectification import item_cards
from components.review_panel import frozen_tables, project_threads, review_panel, state_table
from components.state import get_engine, revisions_now
from data_access import actuals as A
from data_access.monitoring import fiscal_year_of
from data_access.rectification import open_rectifications, rectifications
from data_access.review.reads import frozen_projects
from domain.clock import today_local

CHOICES = ("entry_period", "entry_unit", "entry_project", "entry_open_only")  # kept across pages

principal = current_principal()
engine = get_engine()
st.title("填报")
rev, structure_rev = revisions_now()
show_demo_banner(rev)

if principal.is_leader:
    st.info("领导账户为只读，不能填报。请在“总览”“项目详情”等页面查看填报情况。")
    st.stop()

year = fiscal_year_of(engine)
if year is None:
    no_targets(principal)
    st.stop()

# ------------------------------------------------------------------ period and scope
states = entry_reads.periods(rev, year)
if not states:
    st.info(f"{year}年度没有填报期。")
    st.stop()
by_code = {s.code: s for s in states}
codes = list(by_code)
current = entry_reads.default_period(rev, year, today_local())
for k in CHOICES:
    keep_choice(k)  # Streamlit drops a widget's value while another page is shown
if st.session_state.get("entry_period") not in by_code:
    st.session_state["entry_period"] = current or codes[-1]

projects = entry_reads.editable_projects(structure_rev, principal.username, year, principal)
if projects.empty:
    st.info("您名下的责任单位没有项目。如有疑问请联系管理员。")
    st.stop()
units: dict[str, list[int]] = {}
ids = [int(pid) for pid in projects["id"].tolist()]  # columns as lists: an Arrow column iterated is ~1 µs a cell
for pid, unit in zip(ids, projects["unit"].fillna("未分配单位").tolist()):
    units.setdefault(str(unit), []).append(pid)
names = dict(zip(ids, projects["name"].tolist()))
adopt_entry_link(codes, {pid: u for u, members in units.items() for pid in members})  # a 待办 or 审核 link
if st.session_state.get("entry_unit") not in units:
    st.session_state["entry_unit"] = next(iter(units))

c1, c2, c3 = st.columns([1, 1, 2])
period = c1.selectbox("填报期", codes, key="entry_period",
                      format_func=lambda c: by_code[c].label + ("（已锁定）" if by_code[c].read_only else ""))
unit = c2.selectbox("责任单位", list(units), key="entry_unit", disabled=len(units) == 1)
options = [0] + units[unit]
if st.session_state.get("entry_project") not in options:
    st.session_state["entry_project"] = 0
project = c3.selectbox("项目", options, key="entry_project",
                       format_func=lambda p: "本单位全部项目" if p == 0 else names[p])
open_only = st.toggle("只看待填/须补充", key="entry_open_only",
                      help="只显示还须填写或改正的行和未保存的行；输入时这些行保留在表中，保存或重新切换后再筛选")
for k in CHOICES:
    remember_choice(k)
project_ids = units[unit] if project == 0 else [project]
state = by_code[period]
frozen = frozen_projects(engine, principal, period, project_ids)  # under review or approved: read-only
editable = [pid for pid in project_ids if pid not in frozen]
scope = (f"u{project_ids[0]}n{len(project_ids)}" if project == 0 else f"p{project}") + (
    f"f{zlib.crc32(repr(sorted(frozen)).encode())}" if frozen else "")

if state.locked:
    who = f"（{state.locked_by}于{A.format_time(state.locked_at)}锁定）" if state.locked_by else ""
    st.warning(f"{state.label}已锁定{who}，只读。如需修改请联系管理员重新开放。")
elif state.covered_by:
    st.warning(f"{state.label}随{'、'.join(state.covered_by)}锁定，只读。如需修改请联系管理员重新开放。")
elif (past := A.past_period_warning(states, period, current)) is not None:
    st.warning(past, icon=":material/history:")

ed.show_messages()
ed.show_conflicts(engine, principal, period)
review_states = review_panel(engine, principal, period, project_ids, names, read_only_period=state.read_only)
if editable:
    ed.render_editors(engine, principal, period, editable, scope, locked=state.read_only, open_only=open_only)
frozen_tables(engine, principal, period, frozen, names)
state_table(review_states, names)
if project != 0:
    with st.expander("审核意见与留言（本项目各事项的留言）"):
        project_threads(engine, principal, period, project, key="entry_thread", writable=True)

# ------------------------------------------------------------------ file upload
render_import(engine, principal, state, project_ids, unit, year)

# ------------------------------------------------------------------ evidence and 整改
entry_panel(engine, principal, period, project_ids, locked=state.read_only, frozen=frozen)
st.subheader("整改事项")
rect = (open_rectifications(engine, principal, sorted(principal.unit_ids), year) if principal.is_staff
        else rectifications(engine, principal, project_ids=project_ids, open_only=True))
item_cards(engine, principal, rect, key="entry_rect", empty="没有未销号的整改事项。")

