"""The floor for the overview benchmark: a bare Streamlit script with no product code and no cache.

It runs the SQL behind the overview — the queries of ``data_access.monitoring.load_inputs`` (fiscal
year, projects with unit and area, plan points, indicators, spending actuals, indicator actuals), for
the as-of date and the previous period's end, as the overview evaluates both — fetches every row and
shows as many rows with ``st.dataframe`` as the overview's tables show (only those become DataFrames). Every rerun
repeats all of it (only the engine is kept), so a rerun of this script is what one rerun of an
uncached page that needs this data costs at least.

Settings (environment): ``DATABASE_URL``; ``BARE_AS_OF`` (as-of dates, ISO, comma-separated, default
the last two quarter ends of 2024); ``BARE_ROWS`` (rows of each table, comma-separated); ``BARE_YEAR``.

    DATABASE_URL=... BARE_ROWS=10,3136,13 streamlit run bench/bare_overview.py
"""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import create_engine, text


@st.cache_resource
def engine(url: str):
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url)


def period_codes(as_of: date) -> list[str]:
    """The month, and the quarter when ``as_of`` ends one (as ``monitoring.period_codes_for``)."""
    codes = [f"{as_of.year}-{as_of.month:02d}"]
    if as_of.month % 3 == 0:
        nxt = date(as_of.year + (as_of.month == 12), as_of.month % 12 + 1, 1)
        if (nxt - as_of).days == 1:
            codes.append(f"{as_of.year}Q{as_of.month // 3}")
    return codes


PROJECTS = """SELECT project.id, project.name, project.budget_wan, unit.name AS unit, area.name AS area
FROM project LEFT OUTER JOIN unit ON unit.id = project.unit_id LEFT OUTER JOIN area ON area.id = project.area_id
WHERE project.fiscal_year_id = :fy ORDER BY project.seq, project.id"""
PROJECT_IDS = "SELECT project.id FROM project WHERE project.fiscal_year_id = :fy"
PLANS = f"""SELECT project_id, label, due, cumulative_pct FROM plan_checkpoint
WHERE project_id IN ({PROJECT_IDS}) ORDER BY project_id, seq"""
INDICATORS = f"""SELECT id, project_id, level1, level2, level3, target_text, kind, op, value, unit, deadline, start,
accumulates FROM indicator WHERE project_id IN ({PROJECT_IDS}) ORDER BY project_id, seq"""
SPENDING = f"""SELECT project_id, spent_wan, projected_wan, updated_at FROM spending_actual
WHERE project_id IN ({PROJECT_IDS}) AND period_code IN ({{codes}}) ORDER BY updated_at"""
ACTUALS = f"""SELECT a.indicator_id, a.actual_value, a.actual_judgement, a.actual_date, a.projected_value,
a.projected_judgement, a.likelihood, a.reasons, a.explanation, a.measures
FROM indicator_actual a JOIN indicator ON indicator.id = a.indicator_id
WHERE indicator.project_id IN ({PROJECT_IDS}) AND a.period_code IN ({{codes}}) ORDER BY a.updated_at"""


def load(conn, fy: int, as_of: date) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of every query, fetched (as plain tuples: nothing is built that is not shown)."""
    codes = period_codes(as_of)
    names = ", ".join(f":c{i}" for i in range(len(codes)))
    params = {"fy": fy, **{f"c{i}": c for i, c in enumerate(codes)}}
    out = {}
    for key, sql in (("projects", PROJECTS), ("plans", PLANS), ("indicators", INDICATORS),
                     ("spending", SPENDING.format(codes=names)), ("actuals", ACTUALS.format(codes=names))):
        res = conn.execute(text(sql), params)
        out[key] = (list(res.keys()), [tuple(r) for r in res.fetchall()])
    return out


year = int(os.environ.get("BARE_YEAR", "2024"))
dates = [date.fromisoformat(d) for d in os.environ.get("BARE_AS_OF", f"{year}-12-31,{year}-09-30").split(",") if d]
rows = [int(n) for n in os.environ.get("BARE_ROWS", "10").split(",") if n]

st.title("总览（基线）")
with engine(os.environ["DATABASE_URL"]).connect() as conn:
    fy = conn.execute(text("SELECT id FROM fiscal_year WHERE year = :y"), {"y": year}).scalar()
    frames = [load(conn, fy, d) for d in dates] if fy is not None else []
if not frames:
    st.info("没有数据")
    st.stop()
columns, shown = frames[0]["actuals"]
st.caption(f"项目{len(frames[0]['projects'][1])}个，指标{len(frames[0]['indicators'][1])}项，填报{len(shown)}条")
for i, n in enumerate(rows):
    st.dataframe(pd.DataFrame(shown[:n], columns=columns), key=f"bare_{i}", hide_index=True)
