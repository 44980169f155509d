"""项目详情's 预算与指标调整: the project's budget and target adjustments (withdrawn ones included), and for the
administrator the forms that record or withdraw one (``data_access.adjusting``: checked, audited, one
transaction each). A refused entry keeps what was typed and says why in Chinese."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import cached
from components.auth import current_principal
from components.context import PageContext
from components.state import get_engine
from data_access.adjusting import (
    AdjustmentInvalid,
    add_budget_adjustment,
    add_target_adjustment,
    withdraw_budget_adjustment,
    withdraw_target_adjustment,
)
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied
from domain.adjustments import BUDGET_KINDS, FUND_SOURCES
from domain.status import ProjectStatus

MSG = "adjust_message"
REFUSED = (AdjustmentInvalid, PermissionDenied, DatabaseBusy)


def _run(write, done: str) -> None:
    """A form callback: the write, then a message for the next run (the refusal, or ``done``)."""
    try:
        write()
    except REFUSED as e:
        errors = getattr(e, "errors", None) or [str(e)]
        st.session_state[MSG] = ("error", "未保存：" + "；".join(errors))
        return
    st.session_state[MSG] = ("success", done)


def _add_budget(pid: int) -> None:
    g = st.session_state.__getitem__
    _run(lambda: add_budget_adjustment(
        get_engine(), current_principal(), pid, on=g("adj_b_on"), kind=g("adj_b_kind"), fund=g("adj_b_fund"),
        amount_wan=g("adj_b_amount"), reason=g("adj_b_reason") or "", document_no=g("adj_b_doc") or ""),
        "已登记预算调整")


def _add_target() -> None:
    g = st.session_state.__getitem__
    _run(lambda: add_target_adjustment(
        get_engine(), current_principal(), g("adj_t_indicator"), effective_on=g("adj_t_on"),
        target_text=g("adj_t_value") or "", reason=g("adj_t_reason") or "", approval=g("adj_t_approval") or ""),
        "已登记指标调整")


def _withdraw(kind: str) -> None:
    g = st.session_state.__getitem__
    write = withdraw_budget_adjustment if kind == "budget" else withdraw_target_adjustment
    _run(lambda: write(get_engine(), current_principal(), g(f"adj_w_{kind}"), g(f"adj_w_{kind}_reason") or ""),
         "已撤销")


def _budget_form(pid: int, as_of: date, year: int) -> None:
    with st.form("adj_budget_form", border=False):
        c = st.columns(3)
        c[0].date_input("调整日期", value=min(as_of, date(year, 12, 31)), min_value=date(year, 1, 1),
                        max_value=date(year, 12, 31), key="adj_b_on", format="YYYY-MM-DD")
        c[1].selectbox("调整类型", BUDGET_KINDS, key="adj_b_kind")
        c[2].selectbox("资金来源", FUND_SOURCES, key="adj_b_fund")
        c2 = st.columns(2)
        c2[0].number_input("调整金额（万元）", value=None, step=1.0, format="%.2f", key="adj_b_amount",
                          placeholder="追加填正数，调减填负数，调剂调入正、调出负")
        c2[1].text_input("文号", key="adj_b_doc", placeholder="如：高新财〔2024〕12号")
        st.text_area("调整原因", key="adj_b_reason", height=68)
        st.form_submit_button("登记预算调整", on_click=_add_budget, args=(pid,))


def _target_form(result: ProjectStatus, as_of: date, year: int) -> None:
    options = {st_.indicator.id: st_ for st_ in result.indicators}
    if not options:
        st.caption("该项目没有绩效指标。")
        return
    with st.form("adj_target_form", border=False):
        st.selectbox("指标", list(options), key="adj_t_indicator",
                     format_func=lambda i: f"{options[i].indicator.level3}（当前{options[i].indicator.target.raw.strip()}）")
        c = st.columns(2)
        c[0].text_input("调整后年度指标值", key="adj_t_value", placeholder="如：≥2500人（单位须与原指标值一致）")
        c[1].date_input("生效日期", value=min(as_of, date(year, 12, 31)), min_value=date(year, 1, 1),
                        max_value=date(year, 12, 31), key="adj_t_on", format="YYYY-MM-DD")
        st.text_input("批准文件或依据", key="adj_t_approval", placeholder="如：局党组会议纪要〔2024〕8号")
        st.text_area("调整原因", key="adj_t_reason", height=68)
        st.form_submit_button("批准并登记指标调整", on_click=_add_target)


def _withdraw_form(kind: str, frame: pd.DataFrame, label) -> None:
    active = frame[frame["_active"]]
    if active.empty:
        return
    with st.form(f"adj_withdraw_{kind}", border=False):
        labels = {int(r["_id"]): label(r) for _, r in active.iterrows()}
        st.selectbox("撤销哪一条", list(labels), key=f"adj_w_{kind}", format_func=labels.__getitem__)
        st.text_input("撤销原因", key=f"adj_w_{kind}_reason")
        st.form_submit_button("撤销", on_click=_withdraw, args=(kind,))


def adjustments_section(ctx: PageContext, pid: int, result: ProjectStatus) -> None:
    """The section of 项目详情 (see the module docstring)."""
    st.subheader("预算与指标调整")
    msg = st.session_state.pop(MSG, None)
    if msg:
        (st.error if msg[0] == "error" else st.success)(msg[1])
    budgets, targets = cached.project_adjustments(ctx.read, pid)
    p = result.project
    if p.initial_budget_wan is not None:
        st.markdown(f"截至所选期末，调整后预算数 **{p.budget_wan or 0:,.2f}万元**（年初预算数{p.initial_budget_wan:,.2f}万元），"
                    "执行率按调整后预算数计算。")
    if budgets.empty and targets.empty:
        st.caption("本项目没有预算调整或指标调整。")
    if not budgets.empty:
        st.markdown("**预算调整**")
        st.dataframe(budgets.drop(columns=["_id", "_active"]), hide_index=True, width="stretch", placeholder="",
                     key="adj_budget_table")
    if not targets.empty:
        st.markdown("**指标调整**（年初指标值保留；调整前为红、黄的在风险清单和监控报告中标出）")
        st.dataframe(targets.drop(columns=["_id", "_active", "_indicator_id"]), hide_index=True, width="stretch",
                     placeholder="", key="adj_target_table")
    principal = current_principal()
    if principal is None or not principal.is_admin:
        return
    with st.expander("登记预算调整（管理员）"):
        _budget_form(pid, ctx.as_of, ctx.year)
        _withdraw_form("budget", budgets, lambda r: f"{r['调整日期']} {r['类型']}{r['资金来源']} {r['金额（万元）']:+.2f}万元")
    with st.expander("登记指标调整（管理员）"):
        _target_form(result, ctx.as_of, ctx.year)
        _withdraw_form("target", targets, lambda r: f"{r['三级指标']}：{r['生效日期']}起{r['调整后指标值']}")


__all__ = ["adjustments_section"]
