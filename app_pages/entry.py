"""填报: staff enter the period's indicator values and cumulative spending for their units' projects —
in the editable tables, or by uploading the Excel template / a CSV (preview first, then confirm)."""

import streamlit as st

from components import entry_editor as ed
from components.auth import current_principal
from components.entry_drafts import keep_choice, remember_choice
from components.filters import show_demo_banner
from components.state import get_engine, revision
from data_access import actuals as A
from data_access.monitoring import fiscal_year_of
from data_access.permissions import PermissionDenied
from documents.actuals_template import XLSX_MIME, DocumentError, build_csv, build_template, read_actuals_file

UPLOAD_NONCE = "entry_upload_nonce"
IMPORT_RESULT = "entry_import_result"
CHOICES = ("entry_period", "entry_unit", "entry_project", "entry_open_only")  # kept across pages

principal = current_principal()
engine = get_engine()
st.title("填报")
show_demo_banner(revision())

if principal.is_leader:
    st.info("领导账户为只读，不能填报。请在“总览”“项目详情”等页面查看填报情况。")
    st.stop()

year = fiscal_year_of(engine)
if year is None:
    st.info("尚未导入绩效目标表。请由管理员运行：python manage.py import-targets 文件")
    st.stop()

# ------------------------------------------------------------------ period and scope
states = A.period_states(engine, year, A.reporting_kind(engine))
if not states:
    st.info(f"{year}年度没有填报期。")
    st.stop()
by_code = {s.code: s for s in states}
codes = list(by_code)
current = A.default_entry_period(engine, year)
for k in CHOICES:
    keep_choice(k)  # Streamlit drops a widget's value while another page is shown
if st.session_state.get("entry_period") not in by_code:
    st.session_state["entry_period"] = current or codes[-1]

projects = A.editable_projects(engine, principal, year)
if projects.empty:
    st.info("您名下的责任单位没有项目。如有疑问请联系管理员。")
    st.stop()
units: dict[str, list[int]] = {}
for pid, unit in zip(projects["id"], projects["unit"].fillna("未分配单位")):
    units.setdefault(str(unit), []).append(int(pid))
names = dict(zip(projects["id"].astype(int), projects["name"]))
if st.session_state.get("entry_unit") not in units:
    st.session_state["entry_unit"] = next(iter(units))

c1, c2, c3 = st.columns([1, 1, 2])
period = c1.selectbox("填报期", codes, key="entry_period",
                      format_func=lambda c: by_code[c].label + ("（已锁定）" if by_code[c].locked else ""))
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
scope = f"u{project_ids[0]}n{len(project_ids)}" if project == 0 else f"p{project}"
state = by_code[period]

if state.locked:
    who = f"（{state.locked_by}于{A.format_time(state.locked_at)}锁定）" if state.locked_by else ""
    st.warning(f"{state.label}已锁定{who}，只读。如需修改请联系管理员重新开放。")
elif (past := A.past_period_warning(states, period, current)) is not None:
    st.warning(past, icon=":material/history:")

ed.show_messages()
ed.show_conflicts(engine, principal, period)
ed.render_editors(engine, principal, period, project_ids, scope, locked=state.locked, open_only=open_only)

# ------------------------------------------------------------------ file upload


def _confirm_import(data: bytes, filename: str) -> None:
    try:
        parsed = read_actuals_file(data, filename)
        result = A.import_actuals(engine, principal, parsed, source=parsed.source)
    except (DocumentError, PermissionDenied) as e:
        st.session_state[IMPORT_RESULT] = {"error": str(e)}
        return
    st.session_state[IMPORT_RESULT] = {
        "summary": result.summary(),
        "errors": [f"{e.where}（{e.item}）{e.message}" if e.item else f"{e.where} {e.message}" for e in result.errors],
        "conflicts": [f"{w}（{item}）{c.message()}" for w, item, c in result.conflicts],
    }
    st.session_state[UPLOAD_NONCE] = st.session_state.get(UPLOAD_NONCE, 0) + 1  # clear the uploader
    ed.reset_editors()


title = "下载本期数据：Excel / CSV（已锁定，不能上传）" if state.locked else "批量导入：Excel填报模板 / CSV"
with st.expander(title, expanded=bool(st.session_state.get(IMPORT_RESULT))):
    done = st.session_state.pop(IMPORT_RESULT, None)
    if done:
        if done.get("error"):
            st.error(f"导入失败：{done['error']}")
        else:
            (st.warning if done["errors"] or done["conflicts"] else st.success)(f"导入完成：{done['summary']}")
            if done["errors"] or done["conflicts"]:
                st.error("以下行未保存：\n" + "\n".join(f"- {x}" for x in done["errors"] + done["conflicts"]))
    if state.locked:
        st.markdown(f"{state.label}已锁定，不能上传。可以下载本期已填报的数据。")
    else:
        st.markdown("先下载本单位本期的填报模板（已预填项目、指标、目标和上期值），填好后上传；"
                    "上传后先预览将要修改的内容，确认后才保存。也可上传CSV（英文表头，见模板说明）。")
    d1, d2, _ = st.columns([1, 1, 2])
    label = state.label
    d1.download_button(
        "下载Excel填报模板",
        data=lambda: build_template(A.entry_frame(engine, principal, period, project_ids).to_dict("records"), label,
                                    spending=A.spending_frame(engine, principal, period, project_ids).to_dict("records"),
                                    period_code=period, unit_label=unit, fiscal_year=year),
        file_name=f"填报模板_{unit}_{period}.xlsx", mime=XLSX_MIME, key="entry_template_download",
    )
    d2.download_button(
        "下载CSV（指标）",
        data=lambda: build_csv(A.entry_frame(engine, principal, period, project_ids).to_dict("records"), period),
        file_name=f"指标填报_{unit}_{period}.csv", mime="text/csv", key="entry_csv_download",
    )
    upload = None if state.locked else st.file_uploader("上传填好的模板（.xlsx）或CSV", type=["xlsx", "csv"],
                              key=f"entry_upload_{st.session_state.get(UPLOAD_NONCE, 0)}")
    if upload is not None:
        data = upload.getvalue()
        try:
            parsed = read_actuals_file(data, upload.name)
            preview = A.import_actuals(engine, principal, parsed, dry_run=True)
        except (DocumentError, PermissionDenied) as e:
            st.error(f"无法导入：{e}")
        else:
            periods = sorted({r.period_code for r in parsed.rows if r.period_code})
            if periods and periods != [period]:
                st.info("文件中的填报期：" + "、".join(A.period_label(p) for p in periods) + "（按文件中的填报期保存）")
            st.markdown(f"**预览**：{preview.summary()}")
            if preview.changes:
                st.dataframe(
                    [{"位置": c.where, "填报期": c.period_code, "事项": c.item, "字段": c.label,
                      "原值": c.old if c.old is not None else "", "新值": c.new if c.new is not None else ""}
                     for c in preview.changes],
                    hide_index=True, width="stretch", key="entry_import_changes")
            problems = [{"位置": e.where, "事项": e.item, "原因": e.message} for e in preview.errors]
            problems += [{"位置": w, "事项": item, "原因": c.message()} for w, item, c in preview.conflicts]
            if problems:
                st.error(f"{len(problems)}处问题，这些行不会保存：")
                st.dataframe(problems, hide_index=True, width="stretch", key="entry_import_problems")
            st.button("确认导入", type="primary", disabled=preview.saved == 0, key="entry_import_confirm",
                      on_click=_confirm_import, args=(data, upload.name))
