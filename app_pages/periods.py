"""填报期管理: which reporting periods are open or locked and their 填报截止日; the admin locks and reopens
them (with a reason, audit-logged), sets the deadlines, marks a period as reported upward (上报, a stored
snapshot), downloads a period's 佐证材料 as one ZIP and reads the audit trail. Leaders see the states and
download what was reported."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from components.auth import current_principal
from components.evidence import period_zip_section
from components.report_panel import report_panel
from components.state import get_engine
from data_access import actuals as A
from data_access.db import DatabaseBusy
from data_access.monitoring import fiscal_year_of
from data_access.permissions import PermissionDenied

principal = current_principal()
engine = get_engine()
st.title("填报期管理")

year = fiscal_year_of(engine)
if year is None:
    st.info("尚未导入绩效目标表。")
    st.stop()

kind = A.reporting_kind(engine)
show_all = st.toggle("同时显示月度和季度填报期", value=False, key="periods_show_all")
states = A.period_states(engine, year, None if show_all else kind)
table = pd.DataFrame([{
    "填报期": s.label, "代码": s.code, "起止": f"{s.start.isoformat()} 至 {s.end.isoformat()}",
    "状态": ("■ " if s.read_only else "○ ") + s.state_label, "锁定人": s.locked_by or "",
    "锁定时间": A.format_time(s.locked_at), "填报截止日": s.deadline.isoformat() + ("" if s.deadline_set else "（期末）"),
    "指标填报（条）": s.indicator_rows, "支出填报（条）": s.spending_rows,
} for s in states])
st.dataframe(table, hide_index=True, width="stretch", key="periods_table", placeholder="")

if not principal.is_admin:
    st.caption("只有管理员可以锁定或重新开放填报期。锁定后，所有人（包括管理员）都不能修改该期数据，直到重新开放。")
    report_panel(engine, principal, [s.code for s in states], A.default_entry_period(engine, year))
    st.stop()

# ------------------------------------------------------------------ lock / reopen
MSG = "periods_message"


def _apply(code: str, lock: bool) -> None:
    reason = st.session_state.get("periods_reason", "")
    try:
        changed = (A.lock_period(engine, principal, code, reason) if lock
                   else A.reopen_period(engine, principal, code, reason))
    except (PermissionDenied, ValueError, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    label = A.period_label(code)
    if not changed:
        st.session_state[MSG] = ("info", f"{label}已是{'锁定' if lock else '开放'}状态")
    else:
        st.session_state[MSG] = ("success", f"已{'锁定' if lock else '重新开放'}{label}")
        st.session_state["periods_reason"] = ""


st.subheader("锁定 / 重新开放 / 填报截止日")
msg = st.session_state.pop(MSG, None)
if msg:
    getattr(st, msg[0])(msg[1])
codes = [s.code for s in states]
by_code = {s.code: s for s in states}
c1, c2 = st.columns([1, 2])
code = c1.selectbox("填报期", codes, key="periods_code",
                    format_func=lambda c: by_code[c].label + ("（已锁定）" if by_code[c].locked else ""))
c2.text_input("原因（重新开放时必填）", key="periods_reason", max_chars=500)
b1, b2, _ = st.columns([1, 1, 3])
b1.button("锁定", key="periods_lock", disabled=by_code[code].locked, on_click=_apply, args=(code, True))
b2.button("重新开放", key="periods_reopen", disabled=not by_code[code].locked, on_click=_apply, args=(code, False))
st.caption("锁定后该期数据对所有人只读（界面、上传和命令行导入都会被拒绝）；重新开放须填写原因，并记入审计日志。")


def _deadline(code: str) -> None:
    try:
        changed = A.set_deadline(engine, principal, code, st.session_state.get(f"periods_deadline_{code}"))
    except (PermissionDenied, ValueError, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    st.session_state[MSG] = ("success" if changed else "info",
                             f"{A.period_label(code)}的填报截止日" + ("已保存" if changed else "未改变"))


d1, d2, _ = st.columns([1, 1, 2])
d1.date_input("填报截止日", value=by_code[code].deadline, key=f"periods_deadline_{code}",
              help="填报进度、待办和提醒按此日期计算剩余或逾期天数；不设置时为填报期最后一天")
d2.button("保存截止日", key="periods_deadline_save", on_click=_deadline, args=(code,))

report_panel(engine, principal, codes, A.default_entry_period(engine, year))

# ------------------------------------------------------------------ evidence of a period
st.subheader("佐证材料")
current = A.default_entry_period(engine, year)
z1, z2 = st.columns([1, 3], vertical_alignment="bottom")
zip_code = z1.selectbox("佐证材料的填报期", codes, index=codes.index(current) if current in codes else 0,
                        key="periods_zip_code", format_func=lambda c: by_code[c].label)
with z2:
    period_zip_section(engine, principal, zip_code, key="periods_evidence_zip")
st.caption("一次下载该期全部佐证材料：按“[项目编码]单位-项目/指标/文件”分文件夹，附佐证材料清单，供财政抽查。")

# ------------------------------------------------------------------ audit trail
st.subheader("审计日志")
f1, f2, f3, f4 = st.columns(4)
user = f1.text_input("操作人", key="audit_user")
action_labels = {"": "全部", **A.ACTION_LABELS}
action = f2.selectbox("操作", list(action_labels), format_func=action_labels.__getitem__, key="audit_action")
period_filter = f3.selectbox("填报期", [""] + [s.code for s in A.period_states(engine, year)],
                             format_func=lambda c: "全部" if not c else A.period_label(c), key="audit_period")
since = f4.date_input("起始日期", value=date.today() - timedelta(days=30), key="audit_since")
text = st.text_input("包含文字（原值、新值或说明）", key="audit_text")
frame = A.audit_frame(engine, principal, A.AuditFilters(username=user, action=action, period_code=period_filter,
                                                         since=since, text=text, limit=2000))
st.caption(f"{len(frame)}条记录（最多显示2000条，最新的在前）")
st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * max(len(frame), 1), 520), key="audit_table",
             placeholder="")
