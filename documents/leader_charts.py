"""Chart specifications for the leadership views (pure: DataFrames in, Altair charts out).

No Streamlit and no database. Status colours always come with the status word (text marks, tooltips,
legend labels), so colour is never the only signal; the scale is explicit (``alt.Scale(domain, range)``)
so a chart never picks its own colours.

Palette (checked for a projector and for red-green colour blindness, the words carry the meaning):
红 #d62728, 黄 #f2a900, 绿 #2ca02c, 蓝 #1f77b4, 灰 #9e9e9e, 未填报 #7b3294 (purple, dark outline).
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import altair as alt
import pandas as pd
from altair.utils.data import to_values

from documents.charts import data_skeleton, with_rows
from domain.status import AMBER, BLUE, GREEN, GREY, MISSING, RED, STATUS_LABELS, STATUSES

STATUS_COLORS: dict[str, str] = {
    RED: "#d62728",
    AMBER: "#f2a900",
    GREEN: "#2ca02c",
    BLUE: "#1f77b4",
    GREY: "#9e9e9e",
    MISSING: "#7b3294",
}
# text drawn on a status colour: dark on the light amber/grey, white on the others
STATUS_TEXT_COLORS: dict[str, str] = {
    RED: "#ffffff",
    AMBER: "#1a1a1a",
    GREEN: "#ffffff",
    BLUE: "#ffffff",
    GREY: "#1a1a1a",
    MISSING: "#ffffff",
}
MISSING_OUTLINE = "#2d0a3a"
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

PLAN, ACTUAL, TIME, INITIAL_PLAN = "计划累计支出", "实际累计支出", "序时进度", "年初预算计划"
SERIES_COLORS = {PLAN: "#1f77b4", ACTUAL: "#d62728", TIME: "#7f7f7f", INITIAL_PLAN: "#9ecae1"}


def _title(title: str | None) -> dict[str, Any]:
    """The ``title`` property of a chart, or nothing."""
    return {"title": alt.Title(title, font=FONT, fontSize=16, anchor="start")} if title else {}


def status_scale() -> alt.Scale:
    """Colour scale keyed on the Chinese status words (红/黄/…), in display order (worst first)."""
    return alt.Scale(domain=[STATUS_LABELS[s] for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES])


def _label_expr_colour(mapping: dict[str, str], field: str) -> str:
    """A Vega expression picking ``mapping[status word]`` for ``datum[field]``."""
    parts = [f"datum['{field}'] === '{STATUS_LABELS[s]}' ? '{c}'" for s, c in mapping.items()]
    return " : ".join(parts) + " : '#1a1a1a'"


def status_matrix_chart(
    df: pd.DataFrame,
    *,
    row: str,
    col: str,
    status: str = "状态",
    text: str | None = "标记",
    tooltip: list[str] | None = None,
    row_order: list[str] | None = None,
    col_order: list[str] | None = None,
    cell_width: int = 78,
    cell_height: int = 26,
    title: str | None = None,
) -> alt.LayerChart:
    """A heatmap of status words: one rect per (row, col), coloured by ``status`` (a Chinese status
    word), with ``text`` printed in the cell and a dark outline around 未填报 cells.

    ``df`` is long: one row per cell. ``tooltip`` names the columns shown on hover (Chinese)."""
    rows = row_order or list(dict.fromkeys(df[row].tolist()))
    cols = col_order or list(dict.fromkeys(df[col].tolist()))
    tooltip = tooltip or [row, col, status]
    base = alt.Chart(df).encode(
        x=alt.X(f"{col}:N", sort=cols, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=13, labelLimit=140, labelFont=FONT)),
        y=alt.Y(f"{row}:N", sort=rows, title=None,
                axis=alt.Axis(labelFontSize=13, labelLimit=320, labelFont=FONT)),
    )
    missing_word = STATUS_LABELS[MISSING]
    rect = base.mark_rect(strokeWidth=2).encode(
        color=alt.Color(f"{status}:N", scale=status_scale(), title="状态",
                        legend=alt.Legend(orient="bottom", labelFontSize=13, titleFontSize=13,
                                          labelFont=FONT, titleFont=FONT)),
        stroke=alt.condition(f"datum['{status}'] === '{missing_word}'", alt.value(MISSING_OUTLINE), alt.value("#ffffff")),
        tooltip=[alt.Tooltip(f"{t}:N") for t in tooltip],
    )
    layers = [rect]
    if text:
        layers.append(
            base.transform_calculate(_fg=_label_expr_colour(STATUS_TEXT_COLORS, status))
            .mark_text(fontSize=13, font=FONT, fontWeight="bold")
            .encode(
                text=alt.Text(f"{text}:N"),
                color=alt.Color("_fg:N", scale=None, legend=None),
                tooltip=[alt.Tooltip(f"{t}:N") for t in tooltip],
            )
        )
    return alt.LayerChart(layer=layers).properties(
        width=max(cell_width * len(cols), 160),
        height=max(cell_height * len(rows), 40),
        # fit the width to the page, keep the height: every row stays readable whatever the legend takes
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        **_title(title),
    )


MATRIX_DATASET = "matrix"


def status_matrix_spec(df: pd.DataFrame, *, row: str, col: str, status: str = "状态", text: str | None = "标记",
                       tooltip: list[str] | None = None, row_order: list[str] | None = None,
                       col_order: list[str] | None = None, cell_width: int = 78, cell_height: int = 26,
                       title: str | None = None) -> dict:
    """``status_matrix_chart(...).to_dict(validate=False)`` without building the chart each time: the layers,
    scales and fonts are built by Altair once per shape (columns, their order, number of rows, sizes,
    title: ~40 ms), and the rows' order and the data — what a save changes — go into a copy."""
    rows = row_order or list(dict.fromkeys(df[row].tolist()))
    cols = col_order or list(dict.fromkeys(df[col].tolist()))
    spec = with_rows(_matrix_skeleton(tuple(df.columns), row, col, status, text, tuple(tooltip or ()), tuple(cols),
                                      len(rows), cell_width, cell_height, title),
                     MATRIX_DATASET, to_values(df)["values"])  # the rows as Altair makes them of a frame
    for layer in spec["layer"]:
        layer["encoding"]["y"]["sort"] = list(rows)
    return spec


@functools.lru_cache(maxsize=32)
def _matrix_skeleton(columns: tuple[str, ...], row: str, col: str, status: str, text: str | None,
                     tooltip: tuple[str, ...], cols: tuple[str, ...], n_rows: int, cell_width: int, cell_height: int,
                     title: str | None) -> dict:
    rows = [f"_{i}" for i in range(n_rows)]  # placeholders: the caller puts the real order in
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return data_skeleton(status_matrix_chart(empty, row=row, col=col, status=status, text=text,
                                             tooltip=list(tooltip) or None, row_order=rows, col_order=list(cols),
                                             cell_width=cell_width, cell_height=cell_height, title=title),
                         MATRIX_DATASET)


def spending_series(
    budget_wan: float,
    plan: list[tuple[date, str, float]],
    actual: list[tuple[date, str, float]],
    year: int,
    initial_wan: float | None = None,
) -> pd.DataFrame:
    """Long frame for :func:`spending_chart` from one budget (or a sum of budgets).

    ``budget_wan``: the budget in force (调整后); ``plan``: (due date, checkpoint label, cumulative percent
    of the budget) — the percentages scale with an adjusted budget (docs/rules.md §3.4); ``initial_wan``:
    the 年初预算数 when the budget was adjusted, drawn as a fourth series (年初预算计划) so the original
    stays visible; ``actual``: (period end, period label, cumulative spending 万元). The 序时进度 series
    runs straight from 0 on 1 January to the whole budget on 31 December."""
    rows = []
    start = date(year, 1, 1)
    plans = [(PLAN, budget_wan)]
    if initial_wan is not None and abs(initial_wan - budget_wan) > 0.005:
        plans.append((INITIAL_PLAN, initial_wan))
    for series, base in plans:
        rows.append({"系列": series, "日期": start, "累计（万元）": 0.0, "占预算%": 0.0, "节点": "年初"})
        for due, label, pct in sorted(plan, key=lambda t: t[0]):
            rows.append({"系列": series, "日期": due, "累计（万元）": round(base * pct / 100.0, 2),
                         "占预算%": round(pct, 1), "节点": label})
    if actual:
        rows.append({"系列": ACTUAL, "日期": start, "累计（万元）": 0.0, "占预算%": 0.0, "节点": "年初"})
    for end, label, spent in sorted(actual, key=lambda t: t[0]):
        pct = spent / budget_wan * 100.0 if budget_wan else 0.0
        rows.append({"系列": ACTUAL, "日期": end, "累计（万元）": round(spent, 2), "占预算%": round(pct, 1), "节点": label})
    rows.append({"系列": TIME, "日期": start, "累计（万元）": 0.0, "占预算%": 0.0, "节点": "年初"})
    rows.append({"系列": TIME, "日期": date(year, 12, 31), "累计（万元）": round(budget_wan, 2), "占预算%": 100.0,
                 "节点": "年末"})
    df = pd.DataFrame(rows, columns=["系列", "日期", "累计（万元）", "占预算%", "节点"])
    df["日期"] = pd.to_datetime(df["日期"])
    return df


def spending_chart(series: pd.DataFrame, *, as_of: date | None = None, title: str | None = None,
                   width: int | str = "container", height: int = 320) -> alt.LayerChart:
    """Planned cumulative spending as a step line, actual as a line with points, 序时进度 as a dashed
    reference line, and the as-of date as a vertical rule. Tooltips in Chinese."""
    order = [PLAN, ACTUAL, TIME] + ([INITIAL_PLAN] if (series["系列"] == INITIAL_PLAN).any() else [])
    colour = alt.Color("系列:N", title=None,
                       scale=alt.Scale(domain=order, range=[SERIES_COLORS[s] for s in order]),
                       legend=alt.Legend(orient="top", labelFontSize=13, labelFont=FONT))
    x = alt.X("日期:T", title=None, axis=alt.Axis(format="%-m月", labelFontSize=12, tickCount="month",
                                                 labelFont=FONT))
    y = alt.Y("累计（万元）:Q", title="累计（万元）", axis=alt.Axis(labelFontSize=12, titleFont=FONT))
    tips = [alt.Tooltip("系列:N", title="系列"), alt.Tooltip("节点:N", title="节点"),
            alt.Tooltip("日期:T", title="日期", format="%Y年%-m月%-d日"),
            alt.Tooltip("累计（万元）:Q", title="累计（万元）", format=",.2f"),
            alt.Tooltip("占预算%:Q", title="占预算%", format=".1f")]
    base = alt.Chart(series).encode(x=x, y=y, color=colour, tooltip=tips)
    plan = base.transform_filter(alt.datum["系列"] == PLAN).mark_line(interpolate="step-after", strokeWidth=3)
    plan_pts = base.transform_filter(alt.datum["系列"] == PLAN).mark_point(shape="square", size=60, filled=True)
    actual = base.transform_filter(alt.datum["系列"] == ACTUAL).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=80, filled=True))
    time = base.transform_filter(alt.datum["系列"] == TIME).mark_line(strokeDash=[6, 4], strokeWidth=2)
    layers = [time, plan, plan_pts, actual]
    if INITIAL_PLAN in order:
        layers.insert(0, base.transform_filter(alt.datum["系列"] == INITIAL_PLAN)
                      .mark_line(interpolate="step-after", strokeWidth=2, strokeDash=[2, 3]))
    if as_of is not None:
        rule_df = pd.DataFrame({"日期": [pd.Timestamp(as_of)], "说明": [f"截至{as_of.month}月{as_of.day}日"]})
        rule = alt.Chart(rule_df).mark_rule(color="#444444", strokeDash=[2, 2]).encode(
            x="日期:T", tooltip=[alt.Tooltip("说明:N", title="截至日")])
        layers.append(rule)
    return alt.LayerChart(layer=layers).properties(width=width, height=height, **_title(title))


__all__ = [
    "STATUS_COLORS",
    "STATUS_TEXT_COLORS",
    "PLAN",
    "ACTUAL",
    "TIME",
    "INITIAL_PLAN",
    "status_scale",
    "status_matrix_chart",
    "status_matrix_spec",
    "MATRIX_DATASET",
    "spending_series",
    "spending_chart",
]
