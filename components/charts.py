"""Chart wrappers for the pages: build the Vega-Lite spec (``documents/``) and hand it to ``st.vega_lite_chart``.

The department spending chart is built in ``components.cached.department_spending_spec`` (the same
chart as in the monitoring report); the project chart and the status matrix come from
``documents.leader_charts`` (the matrix through ``status_matrix_spec``: Altair builds it once per shape,
a save only puts its rows into a copy). The specs go to the browser unvalidated (``to_dict(validate=False)``: the
Vega-Lite schema check costs ~60 ms per chart on a cold page); ``tests/unit/test_chart_specs_valid.py``
validates each of them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import cached
from components.cached import read_cache
from components.context import PageContext
from data_access.views import matrix_columns
from documents import leader_charts


def project_spending(series: pd.DataFrame, as_of: date, title: str, key: str = "project_spending") -> None:
    st.vega_lite_chart(_project_spec(series, as_of, title), theme=None, width="stretch", key=key)


@read_cache()
def _project_spec(series: pd.DataFrame, as_of: date, title: str) -> dict:
    return leader_charts.spending_chart(series, as_of=as_of, title=title, height=300).to_dict(validate=False)


@read_cache()
def _matrix_spec(ctx: PageContext, level: str, limit: int, title: str | None) -> dict:
    """Keyed on what the matrix shows, not on its frame (hashing the frame cost more than the rest of a
    warm rerun of the chart)."""
    df = cached.matrix(ctx, level, limit)[0]
    cols = matrix_columns(df)
    rows = list(dict.fromkeys(df["项目"].tolist()))
    return leader_charts.status_matrix_spec(
        df.drop(columns=[c for c in df.columns if c.startswith("_")]), row="项目", col="类别", text="标记",
        col_order=cols, row_order=rows, tooltip=["项目", "责任单位", "类别", "状态", "项数", "说明"], title=title,
        cell_width=96 if len(cols) <= 6 else 74,
    )


def status_matrix(ctx: PageContext, level: str, limit: int, *, key: str = "status_matrix", title: str | None = None) -> None:
    """Projects x groups heatmap of ``cached.matrix(ctx, level, limit)`` (status colour, status word in
    every cell, 未填报 outlined)."""
    st.vega_lite_chart(_matrix_spec(ctx, level, limit, title), theme=None, key=key)


@read_cache()
def _history_spec(df: pd.DataFrame) -> dict:
    data = df.drop(columns=["_end", "_indicator_id", "_status"], errors="ignore")
    data = data.assign(状态词=data["状态"].str.split(" ").str[-1], 标记=data["状态"].str.split(" ").str[-1])
    rows = list(dict.fromkeys(data.sort_values("_order", kind="stable")["事项"].tolist()))
    chart = leader_charts.status_matrix_chart(
        data.drop(columns=["_order"]), row="事项", col="填报期", status="状态词", text="标记", row_order=rows,
        tooltip=["填报期", "事项", "状态词", "目标", "当前值", "全年预计", "原因"], cell_width=120, cell_height=24,
    )
    return chart.to_dict(validate=False)


def indicator_history(df: pd.DataFrame, *, key: str = "indicator_history") -> None:
    """Items x periods heatmap of one project's statuses."""
    st.vega_lite_chart(_history_spec(df), theme=None, key=key)


__all__ = ["project_spending", "status_matrix", "indicator_history"]
