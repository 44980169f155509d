"""The parts of one project on 审核, one per kind of reviewed item, each a table the reviewer can return
rows of (tick 退回, write 退回意见).

Definitions chosen here:

* A :class:`ReviewSection` is a title and a function that reads the section's rows for a project and
  period as a frame with a hidden ``_item`` column (``domain.review.item_key``) and the columns to show.
  :data:`SECTIONS` lists them in page order: 指标 (values with the engine's status and reason, the staff's
  explanations, the previous period's value) and 预算执行 (cumulative spending, this period's increase,
  the previous cumulative, the staff's explanation). Another kind of reviewed item (an adjustment, an
  attachment) is one more entry; 退回 and the comment threads work by item key and need nothing else.
* Only the two added columns are editable; a row with a 退回意见 is returned (ticking is optional), a
  ticked row without one is refused; what is picked is read back from the editor's
  ``edited_rows`` (:func:`picked`), so a rerun never loses a half-written comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components.entry_columns import indicator_display
from data_access import actuals as A
from data_access.permissions import Principal
from domain import review as R

PICK, NOTE = "退回", "退回意见"
FRAMES = "_review_section_frames"  # {editor key: the frame it was given}

Reader = Callable[[Engine, Principal, int, str], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class ReviewSection:
    key: str
    title: str
    read: Reader
    caption: str = ""


def _indicators(engine: Engine, principal: Principal, project_id: int, period: str) -> pd.DataFrame:
    df = indicator_display(A.entry_frame(engine, principal, period, [project_id]))
    df["_item"] = [R.item_key(R.INDICATOR_ITEM, int(i)) for i in df["_indicator_id"]]
    df["本期值"] = [_value_text(r) for r in df.to_dict("records")]
    cols = ["_item", "三级指标", "目标", "上期值", "本期值", "全年预计", "状态", "状态原因", "完成可能性", "偏差原因", "说明",
            "纠偏措施", "须填写", "填报人", "更新时间"]
    return df[[c for c in cols if c in df.columns]]


def _value_text(r: dict) -> str:
    for key in ("当前完成值", "完成日期", "完成情况"):
        v = r.get(key)
        if v is not None and v == v and str(v).strip():
            return str(v) + ("" if key != "完成日期" else "完成")
    return ""


def _spending(engine: Engine, principal: Principal, project_id: int, period: str) -> pd.DataFrame:
    df = A.spending_frame(engine, principal, period, [project_id])
    df["_item"] = [R.item_key(R.SPENDING_ITEM, int(i)) for i in df["_project_id"]]
    spent, prev = df["累计支出（万元）"], df["上期累计支出（万元）"]
    df["本期新增（万元）"] = (spent - prev.fillna(0.0)).round(2)
    cols = ["_item", "预算（万元）", "计划进度%", "上期累计支出（万元）", "累计支出（万元）", "本期新增（万元）",
            "全年预计执行数（万元）", "执行率%", "状态", "状态原因", "说明", "填报人", "更新时间"]
    return df[cols]


SECTIONS: list[ReviewSection] = [
    ReviewSection("ind", "指标", _indicators, "本期值与上期值、状态及原因（状态引擎按本期末计算）、填报人的说明"),
    ReviewSection("sp", "预算执行", _spending, "累计支出、本期新增（较上期累计）、执行率与状态"),
]


def render_section(section: ReviewSection, engine: Engine, principal: Principal, project_id: int, period: str,
                   key: str, *, returnable: bool) -> None:
    """The section's table; with ``returnable`` the reviewer can tick rows and write a comment each."""
    df = section.read(engine, principal, project_id, period)
    st.markdown(f"**{section.title}**")
    if section.caption:
        st.caption(section.caption)
    height = min(38 + 35 * max(len(df), 1), 460)
    if not returnable:
        st.dataframe(df.drop(columns="_item"), hide_index=True, width="stretch", height=height, key=key,
                     placeholder="")
        return
    df = df.assign(**{PICK: False, NOTE: ""})
    df = df[[PICK, NOTE, *[c for c in df.columns if c not in (PICK, NOTE)]]]
    st.session_state.setdefault(FRAMES, {})[key] = df
    st.data_editor(df, key=key, hide_index=True, width="stretch", height=height, num_rows="fixed", placeholder="",
                   column_order=[c for c in df.columns if c != "_item"],
                   disabled=[c for c in df.columns if c not in (PICK, NOTE)],
                   column_config={PICK: st.column_config.CheckboxColumn(PICK, width="small",
                                                                        help="勾选要退回的事项（填写退回意见的事项也会退回）"),
                                  NOTE: st.column_config.TextColumn(NOTE, help="每个退回的事项都须填写意见", max_chars=2000,
                                                                    width="medium")})


def picked(key: str) -> tuple[dict[str, str], list[str]]:
    """(item key -> comment of the rows to return: those with a comment, ticked or not; problems: a ticked
    row without a comment) from the editor ``key``."""
    df = st.session_state.get(FRAMES, {}).get(key)
    state = st.session_state.get(key) or {}
    out: dict[str, str] = {}
    problems: list[str] = []
    if df is None:
        return out, problems
    for pos_, edits in (state.get("edited_rows") or {}).items():
        pos = int(pos_)
        if not 0 <= pos < len(df):
            continue
        row = df.iloc[pos]
        ticked = bool(edits.get(PICK, row[PICK]))
        note = str(edits.get(NOTE, row[NOTE]) or "").strip()
        name = str(row.get("三级指标", "") or "预算执行")
        if ticked and not note:
            problems.append(f"「{name}」已勾选退回，须填写退回意见")
        elif note:  # a comment returns the item, ticked or not
            out[str(row["_item"])] = note
    return out, problems


__all__ = ["ReviewSection", "SECTIONS", "PICK", "NOTE", "render_section", "picked"]
