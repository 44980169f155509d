"""Chart specs shared by pages and documents (pure: DataFrames in, Altair charts / PNG bytes out).

``department_spending_chart`` is the department's planned vs actual cumulative spending; the overview
page shows its Vega-Lite spec (``department_spending_spec``: the same spec, with the chart built once per
title and size and only the data put in; cached per data revision) with
``st.vega_lite_chart(spec, theme=None)``, and the monitoring report embeds the same chart as a PNG via
``chart_png`` (vl-convert, no browser). Chinese needs a CJK font in vl-convert:
the Noto CJK fonts are registered once when present and the chart asks for "Noto Sans CJK SC"
(browsers without it fall back to their own sans-serif).
"""

from __future__ import annotations

import copy
import functools
import os
import threading
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc  # ~5 ms to import (python -X importtime); the first render is the slow part

CJK_FONT = "Noto Sans CJK SC"
FONT_STACK = f"{CJK_FONT}, Microsoft YaHei, PingFang SC, sans-serif"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto-cjk")

SERIES = ("计划累计支出", "实际累计支出", "序时进度")
SERIES_COLOURS = ("#2F5597", "#C00000", "#7F7F7F")
SERIES_DASH = ([6, 4], [1, 0], [2, 3])

_fonts_lock = threading.Lock()
_fonts_done = False


def register_fonts() -> None:
    """Make the CJK fonts known to vl-convert (idempotent, thread-safe)."""
    global _fonts_done
    if _fonts_done:
        return
    with _fonts_lock:
        if _fonts_done:
            return
        for d in FONT_DIRS:
            if os.path.isdir(d):
                try:
                    vlc.register_font_directory(d)
                except Exception:  # noqa: BLE001 - a font problem must not break an export
                    pass
        _fonts_done = True


def _long(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, p in points.iterrows():
        for name, col in zip(SERIES, ("planned_wan", "actual_wan", "time_wan")):
            v = p.get(col)
            if v is None or (isinstance(v, float) and v != v):
                continue
            rows.append({"季度": str(p["label"]), "序列": name, "金额（万元）": round(float(v), 2),
                         "截至": pd.Timestamp(p["period_end"]).strftime("%Y-%m-%d")})
    return pd.DataFrame(rows, columns=["季度", "序列", "金额（万元）", "截至"])


def department_spending_chart(points_df: pd.DataFrame, *, title: str = "部门累计支出：计划与实际",
                              width: int = 560, height: int = 300) -> alt.LayerChart:
    """Lines for the planned and the actual cumulative spending and the 序时进度 line, per quarter.

    ``points_df``: the frame of ``data_access.exports.department_spending_series`` (columns
    ``period_end``, ``label``, ``planned_wan``, ``actual_wan``, ``time_wan``; None = no data)."""
    data = _long(points_df)
    order = [str(x) for x in points_df["label"].tolist()] if len(points_df) else []
    colour = alt.Color("序列:N", scale=alt.Scale(domain=list(SERIES), range=list(SERIES_COLOURS)),
                       legend=alt.Legend(title=None, orient="bottom"))
    dash = alt.StrokeDash("序列:N", scale=alt.Scale(domain=list(SERIES), range=list(SERIES_DASH)), legend=None)
    x = alt.X("季度:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("金额（万元）:Q", title="累计金额（万元）")
    tooltip = [alt.Tooltip("序列:N"), alt.Tooltip("季度:N"), alt.Tooltip("截至:N"),
               alt.Tooltip("金额（万元）:Q", format=",.2f")]
    base = alt.Chart(data)
    lines = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, strokeDash=dash, tooltip=tooltip)
    points = base.mark_point(filled=True, size=60).encode(x=x, y=y, color=colour, tooltip=tooltip)
    labels = (
        base.transform_filter(alt.datum["序列"] == "实际累计支出")
        .mark_text(dy=16, fontSize=11, color=SERIES_COLOURS[1])
        .encode(x=x, y=y, text=alt.Text("金额（万元）:Q", format=",.0f"))
    )
    return (
        alt.layer(lines, points, labels)
        .properties(title=title, width=width, height=height)
        .configure(font=FONT_STACK)
        .configure_title(font=FONT_STACK, fontSize=15, anchor="start")
        .configure_axis(labelFont=FONT_STACK, titleFont=FONT_STACK, labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFont=FONT_STACK, labelFontSize=12)
        .configure_view(stroke=None)
    )


def department_spending_spec(points_df: pd.DataFrame, *, title: str = "部门累计支出：计划与实际",
                             width: int = 560, height: int = 300) -> dict:
    """``department_spending_chart(...).to_dict(validate=False)`` without building the chart each time: the
    layers, scales and fonts are built by Altair once per title, size and quarter labels (~40 ms), and
    only the data rows — what a save changes — are put into a copy of that spec (its one dataset)."""
    order = tuple(str(x) for x in points_df["label"].tolist()) if len(points_df) else ()
    return with_rows(_spending_skeleton(title, width, height, order), DATASET, _long(points_df).to_dict("records"))


DATASET = "spending"


def data_skeleton(chart: alt.TopLevelMixin, name: str) -> dict:
    """A chart's spec whose data is one named, empty dataset: built by Altair once (cache it), then filled
    with each call's rows by ``with_rows`` — the pages' charts change only their rows between saves."""
    spec = chart.to_dict(validate=False)
    spec["data"] = {"name": name}
    spec["datasets"] = {}
    return spec


def with_rows(skeleton: dict, name: str, rows: Any) -> dict:
    """A copy of ``skeleton`` (``data_skeleton``) holding ``rows`` (the caller may change the copy)."""
    spec = copy.deepcopy(skeleton)
    spec["datasets"] = {name: rows}
    return spec


@functools.lru_cache(maxsize=32)
def _spending_skeleton(title: str, width: int, height: int, order: tuple[str, ...]) -> dict:
    empty = pd.DataFrame({"label": list(order), "period_end": [pd.NaT] * len(order), "planned_wan": [None] * len(order),
                          "actual_wan": [None] * len(order), "time_wan": [None] * len(order)})
    return data_skeleton(department_spending_chart(empty, title=title, width=width, height=height), DATASET)


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render an Altair chart to PNG bytes with vl-convert (no browser)."""
    register_fonts()
    return vlc.vegalite_to_png(chart.to_json(), scale=scale)
