"""Status badges and status-coloured tables.

Colour is never the only signal: every badge carries the icon and the status word (红/黄/绿/蓝/灰/未填报),
table cells keep ``status_text`` ('▲ 红'). HTML is used for styling only (``unsafe_allow_html``), with
every inserted text escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd
import streamlit as st

from data_access.views import KEEP_IN_VIEW, STATUS_ICONS, reason_beside_status
from documents.leader_charts import STATUS_COLORS, STATUS_TEXT_COLORS
from domain.status import AMBER, GREEN, GREY, MISSING, STATUS_LABELS, STATUSES
from domain.status_marks import status_text

# the status labels' pills in the grids: the status colours of the badges and charts, with amber and grey a
# shade lighter and green a shade darker, because the grid writes black on a fill of relative luminance
# above 0.5 and white below: every label then reads at a contrast of at least 4.5:1 (WCAG AA)
PILL_COLORS: dict[str, str] = {**STATUS_COLORS, AMBER: "#ffc000", GREY: "#c8c8c8", GREEN: "#1f861f"}
STATUS_SYMBOLS = STATUS_ICONS  # one shape per status (see data_access.views)
REASON_WIDTH = 460  # px: about 32 Chinese characters a line
WRAP_ROW_HEIGHT = 92  # px: above 4rem Streamlit wraps text cells; four lines of a reason (~130 characters)

_CSS = """
<style>
.jx-badge{display:inline-block;border-radius:6px;padding:2px 10px;margin:2px 6px 2px 0;font-weight:700;
  line-height:1.6;white-space:nowrap;border:2px solid transparent}
.jx-badge.missing{border-color:#2d0a3a}
.jx-chips{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:2px 0 8px 0}
.jx-chip{display:flex;flex-direction:column;min-width:88px;border-radius:8px;padding:6px 12px;
  border:2px solid transparent}
.jx-chip .n{font-size:1.7rem;font-weight:800;line-height:1.1}
.jx-chip .w{font-size:0.95rem;font-weight:600}
.jx-chip.missing{border-color:#2d0a3a}
.jx-chips-title{font-size:0.95rem;color:#444;margin:4px 0 0 0;font-weight:600}
</style>
"""


def inject_css() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)


def badge_html(status: str, text: str | None = None, size: str = "1rem") -> str:
    """A coloured pill with icon and word, e.g. '▲ 红' (or ``text`` after the icon)."""
    bg, fg = STATUS_COLORS[status], STATUS_TEXT_COLORS[status]
    label = html.escape(text if text is not None else STATUS_LABELS[status])
    cls = "jx-badge missing" if status == MISSING else "jx-badge"
    return (f'<span class="{cls}" style="background:{bg};color:{fg};font-size:{size}">'
            f'{STATUS_SYMBOLS[status]} {label}</span>')


def badge(status: str, text: str | None = None, size: str = "1rem") -> None:
    st.markdown(badge_html(status, text, size), unsafe_allow_html=True)


def chips_html(counts: Mapping[str, int], title: str | None = None, unit: str = "个",
               statuses: Iterable[str] = STATUSES, hide_zero: bool = False) -> str:
    parts = []
    for s in statuses:
        n = int(counts.get(s, 0))
        if hide_zero and n == 0:
            continue
        bg, fg = STATUS_COLORS[s], STATUS_TEXT_COLORS[s]
        cls = "jx-chip missing" if s == MISSING else "jx-chip"
        parts.append(f'<div class="{cls}" style="background:{bg};color:{fg}" title="{html.escape(STATUS_LABELS[s])}">'
                     f'<span class="n">{n}</span><span class="w">{STATUS_SYMBOLS[s]} {html.escape(STATUS_LABELS[s])}'
                     f'{html.escape(unit) if unit else ""}</span></div>')
    head = f'<div class="jx-chips-title">{html.escape(title)}</div>' if title else ""
    return head + '<div class="jx-chips">' + "".join(parts) + "</div>"


def status_chips(counts: Mapping[str, int], title: str | None = None, unit: str = "个", hide_zero: bool = False) -> None:
    """A row of coloured count chips: '7 ▲ 红', '2 □ 未填报' ..."""
    st.markdown(chips_html(counts, title, unit, hide_zero=hide_zero), unsafe_allow_html=True)


def visible_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not str(c).startswith("_")]


STATUS_COLUMNS = ("状态", "项目状态", "预算状态", "本期状态", "上期状态", "最差项目")  # cells holding a status label


def status_label_column(label: str, pinned: bool | None = None):
    """The column config that shows a status label ('▲ 红') as a pill in its status's colour.

    Definitions chosen here: the colour comes from the label itself (the six labels are
    ``status_text`` of the six statuses), through Streamlit's read-only ``MultiselectColumn`` with one
    coloured option per label — not from a pandas Styler, which Streamlit re-renders cell by cell on
    every rerun (it was most of a warm leadership page: ~0.1 s for 总览's five tables). A text that is
    not a status label is shown as it is, without colour; an empty cell stays empty."""
    return st.column_config.MultiselectColumn(
        label, options=[status_text(s) for s in STATUSES], color=[PILL_COLORS[s] for s in STATUSES], pinned=pinned)


NUMBER_FORMATS = {
    "预算（万元）": "%,.2f", "累计支出（万元）": "%,.2f", "执行率%": "%.1f%%", "计划进度%": "%.1f%%",
    "填报完成率%": "%.1f%%", "红占预算%": "%.1f%%", "黄占预算%": "%.1f%%", "未填报占预算%": "%.1f%%",
    "绿占预算%": "%.1f%%",
}


def column_config(df: pd.DataFrame, extra: Mapping | None = None) -> dict:
    cfg: dict = {}
    for col, fmt in NUMBER_FORMATS.items():
        if col in df.columns:
            cfg[col] = st.column_config.NumberColumn(col, format=fmt)
    if "原因" in df.columns:
        cfg["原因"] = st.column_config.TextColumn("原因", width=REASON_WIDTH, help="状态的原因（完整文字，可双击单元格查看）")
    for col in KEEP_IN_VIEW:  # stay in view while the wide tables scroll sideways
        if col in df.columns:
            cfg[col] = st.column_config.TextColumn(col, pinned=True)
    for col in STATUS_COLUMNS:
        if col in df.columns:
            cfg[col] = status_label_column(col, pinned=True if col in KEEP_IN_VIEW else None)
    if extra:
        cfg.update(extra)
    return cfg


def table_height(rows: int, cap: int = 640, row_height: int = WRAP_ROW_HEIGHT) -> int:
    """The pixel height of a grid showing ``rows`` rows (header included), at most ``cap``."""
    return min(38 + row_height * rows, cap)


def status_table(df: pd.DataFrame, *, key: str | None = None, height: int | Literal["auto"] = "auto",
                 columns: list[str] | None = None, extra_config: Mapping | None = None, **kwargs):
    """``st.dataframe`` of a read-model frame: hidden ``_`` columns left out, status labels coloured,
    numbers formatted (万元 two decimals, percentages one), missing values as empty cells (not
    "None"). A reason (原因) sits right after the status and the project name, wide, in rows tall
    enough for its text to wrap (``WRAP_ROW_HEIGHT``). Extra keyword arguments (``on_select``,
    ``selection_mode``) go to ``st.dataframe``; its return value is returned."""
    order = reason_beside_status(columns or visible_columns(df))
    if "原因" in order:
        kwargs.setdefault("row_height", WRAP_ROW_HEIGHT)
    return st.dataframe(
        df, key=key, hide_index=True, width="stretch", height=height, column_order=order,
        column_config=column_config(df, extra_config), placeholder="", **kwargs,
    )


__all__ = [
    "PILL_COLORS", "STATUS_SYMBOLS", "STATUS_COLUMNS", "REASON_WIDTH", "WRAP_ROW_HEIGHT", "table_height",
    "inject_css", "badge_html", "badge", "chips_html", "status_chips", "visible_columns",
    "status_label_column", "column_config", "status_table",
]
