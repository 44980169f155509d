"""审核: the reviewer's queue of submitted projects; for the chosen one its values with the engine's status and
reason, the staff's explanations and the change since the last period (``components.review_sections``);
审核通过, or 退回 single items each with a comment; the comment threads; and 重新开放 of approved values
(with a reason). Links: ``/review?period=2024Q3&project=5``."""

import pandas as pd
import streamlit as st

from components.auth import current_principal
from components.review_panel import project_threads
from components.review_sections import SECTIONS, picked, render_section
from components.search import GRID_FILTER_FROM, project_picker
from components.state import get_engine
from data_access.actuals import default_entry_period, editable_projects, period_label, period_states, reporting_kind
from data_access.db import DatabaseBusy
from data_access.monitoring import fiscal_year_of
from data_access.permissions import PermissionDenied
from data_access.review import actions as RA
from data_access.review.reads import is_unit_reviewer, project_states, review_levels, review_queue
from domain import review as R

principal = current_principal()
engine = get_engine()
st.title("审核")
MSG = "review_message"

reviewer = principal.is_admin or is_unit_reviewer(engine, principal)
year = fiscal_year_of(engine)
if not reviewer:  # staff: where their own projects stand
    code = st.query_params.get("period") or default_entry_period(engine, year) or ""
    st.caption("审核由管理员（设置两级审核时先由本单位科长）进行。这里是本单位项目在"
               f"{period_label(code)}的审核情况；送审、修改和回复留言在「填报」页面。")
    mine = project_states(engine, principal, code)
    projects = editable_projects(engine, principal, year)
    names = dict(zip(projects["id"].astype(int), projects["name"]))
    st.dataframe(pd.DataFrame([{"项目": names.get(pid, str(pid)), "审核状态": info.label,
                                "退回事项": len(info.returned) or "", "说明": info.reason} for pid, info in mine.items()]),
                 hide_index=True, width="stretch", key="review_mine")
    st.page_link("app_pages/entry.py", label="到「填报」送审或修改", icon=":material/edit_note:",
                 query_params={"period": code})
    st.stop()
levels = review_levels(engine)
st.caption("送审的项目在这里逐项审核：通过后数据只读；退回时勾选有问题的指标或预算执行，每项须填写意见。"
           + ("当前为两级审核：科长初审后由管理员审核。" if levels == 2 else ""))

msg = st.session_state.pop(MSG, None)
if msg:
    getattr(st, msg[0])(msg[1])

qp_period = st.query_params.get("period")
queue = review_queue(engine, principal, year, qp_period or None)
tab_queue, tab_done = st.tabs([f"待审核（{len(queue)}）", "已通过 / 重新开放"])


def _keys(pid: int, period: str, rnd: int) -> dict[str, str]:
    return {s.key: f"review_{s.key}_{pid}_{period}_{rnd}" for s in SECTIONS}


def _approve(pid: int, period: str, rnd: int, name: str) -> None:
    try:
        state = RA.approve(engine, principal, pid, period, seen_round=rnd)
    except (PermissionDenied, R.ReviewRefused, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    st.session_state[MSG] = ("success", f"「{name}」{R.state_label(state)}" + ("，数据已只读" if state == R.APPROVED else ""))


def _return(pid: int, period: str, rnd: int, name: str) -> None:
    items: dict[str, str] = {}
    problems: list[str] = []
    for key in _keys(pid, period, rnd).values():
        got, bad = picked(key)
        items.update(got)
        problems += bad
    if problems or not items:
        st.session_state[MSG] = ("error", "未退回：" + ("；".join(problems) if problems else "请勾选要退回的事项并填写意见"))
        return
    try:
        RA.return_items(engine, principal, pid, period, items, seen_round=rnd)
    except (PermissionDenied, R.ReviewRefused, ValueError, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    st.session_state[MSG] = ("success", f"已退回「{name}」的{len(items)}个事项，填报单位登录后会在待办中看到")


with tab_queue:
    if queue.empty:
        st.success("没有待审核的项目。" + (f"（{period_label(qp_period)}）" if qp_period else ""))
    else:
        event = st.dataframe(queue, hide_index=True, width="stretch", key="review_queue", on_select="rerun",
                             selection_mode="single-row", column_order=[c for c in queue.columns if not c.startswith("_")],
                             height=min(38 + 35 * len(queue), 320))
        rows = getattr(getattr(event, "selection", None), "rows", None) or []
        wanted = st.query_params.get("project")
        pos = rows[0] if rows else next((i for i, p in enumerate(queue["_project_id"]) if str(p) == wanted), 0)
        row = queue.iloc[pos]
        pid, period, rnd, name = int(row["_project_id"]), str(row["_period"]), int(row["_round"]), str(row["项目"])
        st.subheader(f"{name}（{row['责任单位']}）")
        st.caption(f"{row['填报期']} · {row['审核状态']} · 第{rnd}次送审 · {row['送审人']}于{row['送审时间']}送审")
        for section in SECTIONS:
            render_section(section, engine, principal, pid, period, _keys(pid, period, rnd)[section.key], returnable=True)
        b1, b2, _ = st.columns([1, 1, 3])
        b1.button("审核通过" if levels == 1 or row["审核状态"] == R.state_label(R.CHECKED) else "初审通过",
                  type="primary", key=f"review_approve_{pid}_{period}_{rnd}", on_click=_approve,
                  args=(pid, period, rnd, name))
        b2.button("退回所选事项", key=f"review_return_{pid}_{period}_{rnd}", on_click=_return, args=(pid, period, rnd, name))
        with st.expander("审核意见与留言"):
            project_threads(engine, principal, period, pid, key=f"review_thread_{pid}", writable=principal.is_admin)

with tab_done:
    if not principal.is_admin:
        st.info("只有管理员可以重新开放已通过的数据。")
        st.stop()
    states = period_states(engine, year, reporting_kind(engine), with_counts=False)
    codes = [s.code for s in states]
    default = qp_period if qp_period in codes else default_entry_period(engine, year)
    code = st.selectbox("填报期", codes, index=codes.index(default) if default in codes else 0,
                        format_func=period_label, key="review_done_period")
    done = [pid for pid, info in project_states(engine, principal, code).items() if info.state == R.APPROVED]
    if not done:
        st.caption("该填报期还没有审核通过的项目。")
        st.stop()
    projects = editable_projects(engine, principal, year)
    names = dict(zip(projects["id"].astype(int), projects["name"]))
    listed = "：" + "、".join(names.get(pid, str(pid)) for pid in done) if len(done) <= GRID_FILTER_FROM else ""
    st.caption(f"已审核通过{len(done)}个项目" + listed)
    pick = project_picker("重新开放哪个项目", {pid: names.get(pid, str(pid)) for pid in done}, key="review_reopen_pick")
    if pick is None:
        st.stop()
    reason = st.text_input("重新开放的原因（必填，记入审计日志）", key="review_reopen_reason", max_chars=500)
    if st.button("重新开放", key="review_reopen"):
        try:
            RA.reopen(engine, principal, pick, code, reason)
        except (PermissionDenied, R.ReviewRefused, ValueError, DatabaseBusy) as e:
            st.error(str(e))
        else:
            st.session_state[MSG] = ("success", f"已重新开放「{names.get(pick, pick)}」，填报单位可修改后重新送审")
            st.rerun()
