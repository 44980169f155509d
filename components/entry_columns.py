"""The 填报 grids' columns: which are shown, how each is configured, and how stored values are shown.

Definitions chosen here:

* The cells a person types numbers or dates into (当前完成值, 全年预计, 完成日期, 累计支出（万元）,
  全年预计执行数（万元）) are **text** columns. A number or date column of the browser grid changes what
  was typed before the server sees it (``-15`` becomes 15 under a minimum, ``９０００`` or ``12abc``
  become empty or 12, ``15082024`` is read day-first by the browser); a text cell sends exactly what
  was typed, and ``domain.entry_values`` (the parser the file import uses too) accepts it or refuses
  it with a message. Stored values are shown as the canonical text that parser reads back
  (:func:`domain.entry_values.format_number` / ``format_date``): ``9000``, ``12.5``, ``2024-08-15``.
* Text fields (说明, 纠偏措施, 备注) have no ``max_chars``: the grid would cut a pasted text silently.
  The limit is in the column help and the server refuses a longer text, naming the row and length.
* 须填写 names the grid's own columns: a missing value is 当前完成值 for a numeric indicator and
  完成情况 for a qualitative or deadline one (the frame from ``data_access.actuals`` says 当前值), and
  累计支出 is 累计支出（万元）.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import streamlit as st

from data_access import actuals as A
from domain import entry_values as V
from domain.status import ACCUMULATING, CAP, JUDGEMENTS, LEVEL, LIKELIHOODS, REASON_CATEGORIES

# what is still required is pinned next to the item; each item's values are followed directly by its
# explanations (偏差原因, 说明, 完成可能性, 纠偏措施), the projection after them, the reference columns last
IND_VISIBLE = ["项目", "三级指标", "须填写", "目标", "上期值", "当前完成值", "完成日期", "完成情况", "填报原文", "偏差原因", "说明",
               "完成可能性", "纠偏措施", "全年预计", "全年预计（定性）", "备注", "状态", "状态原因", "单位", "类型",
               "填报人", "更新时间"]
SP_VISIBLE = ["项目", "须填写", "预算（万元）", "计划进度%", "上期累计支出（万元）", "累计支出（万元）", "说明",
              "全年预计执行数（万元）", "执行率%", "状态", "状态原因", "责任单位", "填报人", "更新时间"]

# typed as text, shown as canonical text: column -> "number" | "date"
VALUE_COLUMNS: dict[str, str] = {
    "当前完成值": "number",
    "全年预计": "number",
    "完成日期": "date",
    "累计支出（万元）": "number",
    "全年预计执行数（万元）": "number",
}
LIMIT = f"最多{V.MAX_TEXT}字"
NUMERIC_MODES = (ACCUMULATING, LEVEL, CAP)


def _text_col(label: str, help_: str, width: Literal["small", "medium", "large"] | None = None) -> Any:
    return st.column_config.TextColumn(label, help=help_, width=width)


def indicator_columns(year: int) -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {c: None for c in A.IND_HIDDEN_COLUMNS}
    out.update({
        "项目": cc.TextColumn("项目", width="small", pinned=True),
        "三级指标": cc.TextColumn("三级指标", width="medium", pinned=True),
        "目标": cc.TextColumn("目标", width="small"),
        "单位": cc.TextColumn("单位", width="small"),
        "类型": cc.TextColumn("类型", width="small", help="数值：填当前完成值（累计数）；时限：填完成日期或完成情况；定性：填完成情况"),
        "上期值": cc.TextColumn("上期值", width="small"),
        "当前完成值": _text_col("当前完成值", "数值型指标的累计完成值，填数字（可带本指标的单位，如95或95%）；"
                                         "不适用的类型请留空"),
        "完成情况": cc.SelectboxColumn("完成情况", options=list(JUDGEMENTS), help="定性和时限指标：达成/部分达成/未达成/进行中"),
        "完成日期": _text_col("完成日期", f"时限指标：实际完成日期，{V.DATE_HINT}（如{year}-08-15），须在{year}年度内"),
        "全年预计": _text_col("全年预计", "数值型指标的全年预计完成值，填数字"),
        "全年预计（定性）": cc.SelectboxColumn("全年预计（定性）", options=list(JUDGEMENTS)),
        "完成可能性": cc.SelectboxColumn("完成可能性", options=list(LIKELIHOODS),
                                    help="黄色或红色指标须选择；有可能/完全不可能须填写纠偏措施"),
        "偏差原因": cc.MultiselectColumn("偏差原因", options=list(REASON_CATEGORIES),
                                    help="黄色或红色指标须至少选择一项，可多选"),
        "说明": _text_col("说明", f"黄色、红色或超额完成须填写；{LIMIT}", "medium"),
        "纠偏措施": _text_col("纠偏措施", LIMIT, "medium"),
        "备注": _text_col("备注", LIMIT),
        "填报原文": cc.TextColumn("填报原文", width="small",
                              help="导入的Excel或CSV中完成情况的原始表述（如“达成年度指标”），已对应为达成/部分达成/未达成"),
        "状态": cc.TextColumn("状态", width="small"),
        "状态原因": cc.TextColumn("状态原因", width="large"),
        "须填写": cc.TextColumn("须填写", width="medium", pinned=True,
                             help="这一行还须填写或改正的内容；正在修改的行随输入即时更新的要求见表格下方“修改中的行”"),
        "填报人": cc.TextColumn("填报人", width="small"),
        "更新时间": cc.TextColumn("更新时间", width="small"),
    })
    return out


def spending_columns() -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {c: None for c in A.SP_HIDDEN_COLUMNS}
    out.update({
        "项目": cc.TextColumn("项目", width="medium", pinned=True),
        "责任单位": cc.TextColumn("责任单位", width="small"),
        "预算（万元）": cc.NumberColumn("预算（万元）", format="%,.2f"),
        "计划进度%": cc.NumberColumn("计划进度%", format="%.1f"),
        "上期累计支出（万元）": cc.NumberColumn("上期累计支出（万元）", format="%,.2f"),
        "累计支出（万元）": _text_col("累计支出（万元）", "截至本期末的累计支出（万元），填数字，不能为负数"),
        "全年预计执行数（万元）": _text_col("全年预计执行数（万元）", "全年预计执行数（万元），填数字，不能为负数"),
        "说明": _text_col("说明", f"超预算、低于上期累计、预算执行黄色/红色时须填写；{LIMIT}", "large"),
        "执行率%": cc.NumberColumn("执行率%", format="%.1f"),
        "状态": cc.TextColumn("状态", width="small"),
        "状态原因": cc.TextColumn("状态原因", width="large"),
        "须填写": cc.TextColumn("须填写", width="medium", pinned=True,
                             help="这一行还须填写或改正的内容；正在修改的行随输入即时更新的要求见表格下方“修改中的行”"),
        "填报人": cc.TextColumn("填报人", width="small"),
        "更新时间": cc.TextColumn("更新时间", width="small"),
    })
    return out


# --------------------------------------------------------------------------- display conversion


def display_value(column: str, value: Any) -> Any:
    """What a value cell shows: canonical text for a stored number or date, typed text unchanged,
    ``None`` for an empty cell. Other columns pass through."""
    kind = VALUE_COLUMNS.get(column)
    if kind is None:
        return value
    if V.is_blank(value):
        return None
    if isinstance(value, str):
        return value  # typed (a pending row): exactly as typed
    if kind == "date":
        return V.format_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return V.format_number(float(value))
    return str(value)


def _texts(df: pd.DataFrame) -> pd.DataFrame:
    for col in VALUE_COLUMNS:
        if col in df.columns:
            df[col] = pd.Series([display_value(col, v) for v in df[col]], index=df.index, dtype=object)
    return df


def required_text(required: Any, mode: str | None) -> str:
    """须填写 in the grid's words: 当前值 -> the column to fill for this indicator kind."""
    if V.is_blank(required):
        return ""
    value_column = "当前完成值" if mode in NUMERIC_MODES else "完成情况"
    names = {"当前值": value_column, "累计支出": "累计支出（万元）"}
    return "、".join(names.get(p, p) for p in str(required).split("、") if p)


def indicator_display(df: pd.DataFrame) -> pd.DataFrame:
    """The indicator frame as the grid shows it (a copy)."""
    df = _texts(df.copy())
    if not df.empty:
        df["须填写"] = [required_text(r, m) for r, m in zip(df["须填写"], df["_mode"])]
    return df


def spending_display(df: pd.DataFrame) -> pd.DataFrame:
    """The spending frame as the grid shows it (a copy)."""
    df = _texts(df.copy())
    if not df.empty:
        df["须填写"] = [required_text(r, None) for r in df["须填写"]]
    return df


__all__ = ["IND_VISIBLE", "SP_VISIBLE", "VALUE_COLUMNS", "indicator_columns", "spending_columns", "display_value",
           "required_text", "indicator_display", "spending_display"]
