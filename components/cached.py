"""Cached reads for the leadership views (总览, 风险清单, 项目详情, 会议模式, 填报进度, 绩效目标): thin wrappers
that key a ``data_access`` read on the page context and hand it to a pure read model
(``data_access.views``).

Definitions chosen here:

* A read takes the page's context as its one argument (``components.context.PageContext``, plus a
  page-specific argument such as a project id). The context carries the database revision, so a write
  anywhere (another replica included) invalidates every read at the next rerun, and the visibility key
  instead of the principal (admin and leader share their tables; staff see only their units').
  Reads that ignore the period and the filters take ``ctx.read`` (revision, visibility, year).
* The filter bar's own reads (years, periods, options, demo flag) run before there is a context and
  take the revision and the year.
* Statuses come only from ``data_access.monitoring.evaluate`` (the status engine). ``evaluate`` returns
  shared objects (``st.cache_resource``: no copy per rerun, which matters at city scale): treat them as
  read-only. Evaluations are keyed on (revision, year, as-of date, visibility) only, so the overview's
  two periods and every page at the same date share them.
* When a newer revision is seen, the caches of older revisions are dropped at once
  (``_forget_older_revisions``).
"""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import streamlit as st

from components.context import PageContext, ReadContext, VisKey, project_filter
from components.state import get_engine
from data_access import actuals, monitoring, queries
from data_access import views as V
from data_access.adjustments import adjustment_frames
from data_access.bulk import has_demo_data
from data_access.exports import department_spending_series
from data_access.rule_overrides import selfeval_presets
from data_access.targets import fiscal_years as _fiscal_years
from documents.charts import department_spending_chart
from documents.leader_charts import spending_series
from domain.selfeval import SelfEvalResult, self_evaluate
from domain.settings import Settings
from domain.status import ProjectStatus

TTL = 600


# --------------------------------------------------------------------------- the filter bar's reads


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def fiscal_years(rev: int) -> list[int]:
    return _fiscal_years(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_with_data(rev: int, year: int) -> list[str]:
    return monitoring.periods_with_data(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def reporting_cycle(rev: int) -> str:
    """The reporting cycle the admin set (``quarter`` or ``month``; 设置 → 填报周期)."""
    return actuals.reporting_kind(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def default_period_key(rev: int, year: int, cycle: str) -> str:
    """The latest period of the cycle with data, else the latest one ended by the default as-of date
    (``data_access.views.default_period``)."""
    fallback = monitoring.default_as_of_date(get_engine(), year)
    return V.default_period(V.period_options(year, cycle), periods_with_data(rev, year), fallback).key


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def has_demo(rev: int) -> bool:
    return has_demo_data(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def filter_options(rev: int, year: int, vis: VisKey) -> dict[str, list[str]]:
    return queries.filter_options(get_engine(), year, project_filter(vis))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_table(rev: int, year: int) -> pd.DataFrame:
    return queries.periods_frame(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def rule_settings(rev: int) -> Settings:
    """The stored rule settings (设置; a change bumps the revision)."""
    return monitoring.load_settings(get_engine())


# --------------------------------------------------------------------------- evaluation


@st.cache_resource(ttl=TTL, show_spinner=False, max_entries=8)
def structure(rev: int, year: int, vis: VisKey) -> monitoring.Structure | None:
    """The visible projects of the year with their plans and indicators, shared by the evaluations at
    every as-of date of this revision (the overview evaluates two periods; shared, read-only)."""
    return monitoring.load_structure(get_engine(), year, project_filter=project_filter(vis))


@st.cache_resource(ttl=TTL, show_spinner=False, max_entries=32)
def _evaluate(rev: int, year: int, as_of: date, vis: VisKey) -> list[ProjectStatus]:
    base = structure(rev, year, vis)
    if base is None:
        return []
    return monitoring.evaluate(get_engine(), year, as_of, structure=base)


def evaluate(ctx: PageContext, as_of: date | None = None) -> list[ProjectStatus]:
    """Every visible project of the year evaluated at ``as_of`` (default the context's; shared, read-only)."""
    _forget_older_revisions(ctx.rev)
    return _evaluate(ctx.rev, ctx.year, as_of or ctx.as_of, ctx.vis)


_newest: dict[str, int | None] = {"rev": None}
_newest_lock = threading.Lock()


def _forget_older_revisions(rev: int) -> None:
    """Drop the evaluations and the large tables of older revisions as soon as a newer one is seen.

    Their keys can never be asked for again (every run reads the current revision), but the caches
    would keep them until the TTL: at city scale one evaluation is ~30 MB and the structure ~20 MB, so
    a morning of saves (each bumps the revision) would pile up gigabytes. A run still holding an older
    revision recomputes what it needs once."""
    with _newest_lock:
        newest = _newest["rev"]
        if newest is not None and rev <= newest:
            return
        _newest["rev"] = rev
    if newest is None:
        return
    for fn in _PER_REVISION:
        fn.clear()


def evaluate_one(ctx: PageContext, project_id: int) -> ProjectStatus | None:
    return next((r for r in evaluate(ctx) if r.project.id == project_id), None)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def selfeval_one(ctx: PageContext, project_id: int) -> SelfEvalResult | None:
    """The 自评 preview of one project with the stored settings (docs/rules.md §7)."""
    result = evaluate_one(ctx, project_id)
    if result is None:
        return None
    preset = selfeval_presets(get_engine(), [project_id]).get(project_id)
    return self_evaluate(result.project, ctx.as_of, rule_settings(ctx.rev), ctx.year, preset)


# --------------------------------------------------------------------------- the status tables


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def projects_status_frame(ctx: PageContext) -> pd.DataFrame:
    return V.projects_status_frame(evaluate(ctx), ctx.filters)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def risk_frame(ctx: PageContext) -> pd.DataFrame:
    return V.risk_frame(evaluate(ctx), ctx.filters)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def indicators_frame(ctx: PageContext, project_id: int) -> pd.DataFrame:
    return V.indicators_frame(evaluate_one(ctx, project_id), ctx.filters)


# --------------------------------------------------------------------------- overview


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def headline(ctx: PageContext) -> dict:
    return V.build_headline(evaluate(ctx), ctx.filters, ctx.as_of, ctx.year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def matrix(ctx: PageContext, level: str, limit: int) -> tuple[pd.DataFrame, int]:
    return V.build_matrix(evaluate(ctx), ctx.filters, level, limit)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def _area_rows(rev: int, year: int) -> pd.DataFrame:
    return queries.areas_frame(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def area_statuses(ctx: PageContext) -> pd.DataFrame:
    return V.build_areas(evaluate(ctx), _area_rows(ctx.rev, ctx.year), ctx.filters, rule_settings(ctx.rev))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def unit_statuses(ctx: PageContext) -> pd.DataFrame:
    return V.build_units(evaluate(ctx), ctx.filters, rule_settings(ctx.rev))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def department_rollup(ctx: PageContext) -> dict:
    return V.department_rollup(evaluate(ctx), ctx.filters, rule_settings(ctx.rev))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def changes(ctx: PageContext) -> pd.DataFrame:
    """Changes since the previous period (the context must have one)."""
    return V.build_changes(evaluate(ctx), evaluate(ctx, ctx.prev_as_of), ctx.filters)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def department_spending_spec(ctx: PageContext) -> dict:
    """The overview's spending chart (``documents.charts.department_spending_chart`` on
    ``data_access.exports.department_spending_series``) as a Vega-Lite spec, keyed on the filters
    rather than on the list of project ids: without an area/unit/status filter the series is read for
    all visible projects through the visibility filter (no 5,000-id IN list, nothing large to hash on
    every rerun); with one, for the ids of the filtered projects."""
    f = ctx.filters
    filtered = bool(f.areas or f.units or f.statuses)
    ids = [r.project.id for r in V.filter_projects(evaluate(ctx), f)] if filtered else None
    series = department_spending_series(get_engine(), ctx.year, ctx.as_of, ids, project_filter=ctx.project_filter)
    title = "所选项目累计支出：计划与实际" if filtered else "部门累计支出：计划与实际"
    return department_spending_chart(series, title=title, width=640, height=300).to_dict()


# --------------------------------------------------------------------------- one project (keyed on ctx.read)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_detail(read: ReadContext, project_id: int) -> dict | None:
    return queries.project_detail(get_engine(), project_id, read.project_filter)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_spending(read: ReadContext, project_id: int, as_of: date, budget_wan: float | None = None,
                     initial_wan: float | None = None) -> pd.DataFrame:
    """The project chart's series: planned, actual (up to ``as_of``) and time-progress spending.
    ``budget_wan`` / ``initial_wan``: the budget in force at ``as_of`` and, when it was adjusted, the
    年初预算数 (``ProjectInput.budget_wan`` / ``initial_budget_wan`` of the evaluation); default the
    imported budget."""
    d = project_detail(read, project_id)
    if d is None:
        return spending_series(0.0, [], [], as_of.year)
    hist = queries.spending_history(get_engine(), [project_id])
    actual = V.actual_points(hist, as_of, group=False)
    budget = d["budget_wan"] or 0.0 if budget_wan is None else budget_wan
    return spending_series(budget, V.plan_points(d), actual, d["year"], initial_wan)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_adjustments(read: ReadContext, project_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(budget adjustments, target adjustments) of one visible project (``data_access.adjustments``)."""
    return adjustment_frames(get_engine(), project_id, read.project_filter)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_history(read: ReadContext, project_id: int, as_of: date) -> pd.DataFrame:
    """The project's budget row and indicators evaluated at the end of every period with data, up to
    ``as_of``."""
    engine, year = get_engine(), read.year
    if year is None:
        raise ValueError("project_history needs the context's year")
    evaluated = [(p, next(iter(monitoring.evaluate(engine, year, p.end, project_filter=read.project_filter,
                                                   project_ids=[project_id])), None))
                 for p in V.history_periods(periods_with_data(read.rev, year), as_of)]
    return V.project_history_frame(evaluated)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def change_history(read: ReadContext, project_id: int, as_of: date) -> pd.DataFrame:
    """Who changed the project's values of the periods up to ``as_of``, when, old -> new (newest
    first), with Chinese headers."""
    if project_detail(read, project_id) is None:
        return pd.DataFrame(columns=actuals.HISTORY_COLUMNS)
    return V.changes_until(actuals.history(get_engine(), project_id=project_id), as_of)


# --------------------------------------------------------------------------- reporting, targets


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=32)
def reporting(ctx: PageContext, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items not reported, every unit with values due) for the context's period
    (``data_access.views.build_progress``)."""
    last = queries.last_entries(get_engine(), ctx.year, monitoring.period_codes_for(ctx.as_of))
    return V.build_progress(evaluate(ctx), ctx.filters, ctx.as_of, today, last)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_rows(read: ReadContext) -> pd.DataFrame:
    """The imported projects of ``read.year`` (None: the latest) that ``read.vis`` may see (绩效目标)."""
    return queries.project_rows(get_engine(), read.year, read.project_filter)


# the caches of evaluations and of the large frames derived from them (see _forget_older_revisions)
_PER_REVISION = (structure, _evaluate, selfeval_one, projects_status_frame, risk_frame, changes, matrix, reporting,
                 department_spending_spec)
