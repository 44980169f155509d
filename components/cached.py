"""Cached reads for the leadership views (总览, 风险清单, 项目详情, 会议模式, 填报进度, 绩效目标): thin wrappers
that key a ``data_access`` read on the database revision and hand it to a pure read model
(``data_access.views``).

Every cached function takes the database revision (``components.state.revision()``) as its first
argument, so a write anywhere (another replica included) invalidates it at the next rerun, and a
*visibility key* (``visibility_key(principal)``) instead of the principal: admin and leader share
("all", ()), staff are keyed on their unit ids and only ever see their units' projects (the project
filter is rebuilt from the key through ``data_access.permissions.visible_project_filter``).

Statuses come only from ``data_access.monitoring.evaluate`` (the status engine). ``evaluate`` returns
shared objects (``st.cache_resource``: no copy per rerun, which matters at city scale): treat them as
read-only. When a newer revision is seen, the caches of older revisions are dropped at once
(``_forget_older_revisions``).
"""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import streamlit as st

from components.state import get_engine
from data_access import actuals, monitoring, queries
from data_access import views as V
from data_access.bulk import has_demo_data
from data_access.exports import department_spending_series
from data_access.permissions import STAFF, Principal, visible_project_filter, visible_unit_ids
from data_access.targets import fiscal_years as _fiscal_years
from data_access.views import ViewFilters
from documents.charts import department_spending_chart
from documents.leader_charts import spending_series
from domain.periods import MONTH, QUARTER, parse_period, period_for_date
from domain.status import ProjectStatus

VisKey = tuple[str, tuple[int, ...]]
ALL: VisKey = ("all", ())
TTL = 600


# --------------------------------------------------------------------------- visibility


def visibility_key(principal: Principal | None) -> VisKey:
    """("all", ()) for admin/leader, ("units", sorted unit ids) for staff (and for nobody: no units)."""
    ids = visible_unit_ids(principal)
    return ALL if ids is None else ("units", tuple(sorted(ids)))


def project_filter(vis: VisKey):
    """The ``Project`` where-clause for a visibility key (None = all projects)."""
    if vis[0] == "all":
        return None
    return visible_project_filter(Principal(username="", name="", role=STAFF, unit_ids=frozenset(vis[1])))


# --------------------------------------------------------------------------- periods and options


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def fiscal_years(rev: int) -> list[int]:
    return _fiscal_years(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_with_data(rev: int, year: int) -> list[str]:
    return monitoring.periods_with_data(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def default_period_key(rev: int, year: int) -> str:
    """The latest period with data (a quarter wins over the month ending on the same day), else the
    period of the default as-of date."""
    keys = periods_with_data(rev, year)
    if keys:
        return keys[-1]
    d = monitoring.default_as_of_date(get_engine(), year)
    return period_for_date(d, QUARTER).key if period_for_date(d, QUARTER).end == d else period_for_date(d, MONTH).key


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def has_demo(rev: int) -> bool:
    return has_demo_data(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def filter_options(rev: int, year: int, vis: VisKey) -> dict[str, list[str]]:
    return queries.filter_options(get_engine(), year, project_filter(vis))


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


def evaluate(rev: int, year: int, as_of: date, vis: VisKey) -> list[ProjectStatus]:
    """Every visible project of the year evaluated at ``as_of`` (shared, read-only)."""
    _forget_older_revisions(rev)
    return _evaluate(rev, year, as_of, vis)


_newest = {"rev": None}
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


def evaluate_one(rev: int, year: int, as_of: date, vis: VisKey, project_id: int) -> ProjectStatus | None:
    for r in evaluate(rev, year, as_of, vis):
        if r.project.id == project_id:
            return r
    return None


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def projects_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return V.projects_status_frame(evaluate(rev, year, as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def risk_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return V.risk_frame(evaluate(rev, year, as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def indicator_table(rev: int, year: int, as_of: date, vis: VisKey, project_id: int, f: ViewFilters) -> pd.DataFrame:
    return V.indicators_frame(evaluate_one(rev, year, as_of, vis, project_id), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def headline(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> dict:
    return V.build_headline(evaluate(rev, year, as_of, vis), f, as_of, year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def matrix(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters, level: str, limit: int) -> tuple[pd.DataFrame, int]:
    return V.build_matrix(evaluate(rev, year, as_of, vis), f, level, limit)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def areas(rev: int, year: int) -> pd.DataFrame:
    return queries.areas_frame(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def areas_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return V.build_areas(evaluate(rev, year, as_of, vis), areas(rev, year), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def changes_table(rev: int, year: int, as_of: date, prev_as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return V.build_changes(evaluate(rev, year, as_of, vis), evaluate(rev, year, prev_as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def department_spending_spec(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> dict:
    """The overview's spending chart (``documents.charts.department_spending_chart`` on
    ``data_access.exports.department_spending_series``) as a Vega-Lite spec, keyed on the filters
    rather than on the list of project ids: without an area/unit/status filter the series is read for
    all visible projects through the visibility filter (no 5,000-id IN list, nothing large to hash on
    every rerun); with one, for the ids of the filtered projects."""
    filtered = bool(f.areas or f.units or f.statuses)
    ids = [r.project.id for r in V.filter_projects(evaluate(rev, year, as_of, vis), f)] if filtered else None
    series = department_spending_series(get_engine(), year, as_of, ids, project_filter=project_filter(vis))
    title = "所选项目累计支出：计划与实际" if filtered else "部门累计支出：计划与实际"
    return department_spending_chart(series, title=title, width=640, height=300).to_dict()


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def spending(rev: int, project_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.spending_history(get_engine(), list(project_ids))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_detail(rev: int, project_id: int, vis: VisKey) -> dict | None:
    return queries.project_detail(get_engine(), project_id, project_filter(vis))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_spending(rev: int, project_id: int, vis: VisKey, as_of: date) -> pd.DataFrame:
    d = project_detail(rev, project_id, vis)
    if d is None:
        return spending_series(0.0, [], [], as_of.year)
    actual = V.actual_points(spending(rev, (project_id,)), as_of, group=False)
    return spending_series(d["budget_wan"] or 0.0, V.plan_points(d), actual, d["year"])


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_history(rev: int, year: int, project_id: int, vis: VisKey) -> pd.DataFrame:
    """The project's budget row and indicators evaluated at the end of every period with data."""
    engine = get_engine()
    evaluated = [(p, next(iter(monitoring.evaluate(engine, year, p.end, project_filter=project_filter(vis),
                                                   project_ids=[project_id])), None))
                 for p in V.history_periods(periods_with_data(rev, year))]
    return V.project_history_frame(evaluated)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def change_history(rev: int, project_id: int, vis: VisKey) -> pd.DataFrame:
    """Who changed the project's values, when, old -> new (newest first), with Chinese headers."""
    if project_detail(rev, project_id, vis) is None:
        return pd.DataFrame(columns=actuals.HISTORY_COLUMNS)
    return actuals.history(get_engine(), project_id=project_id)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=32)
def reporting(rev: int, year: int, period_key: str, vis: VisKey, f: ViewFilters, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = parse_period(period_key)
    codes = monitoring.period_codes_for(p.end)
    last = queries.last_entries(get_engine(), year, codes)
    return V.build_reporting(evaluate(rev, year, p.end, vis), f, p.end, today, last)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def projects_frame(rev: int, vis: VisKey, year: int | None = None) -> pd.DataFrame:
    """The imported projects of ``year`` (default the latest) that ``vis`` may see (绩效目标)."""
    return queries.projects_frame(get_engine(), year, project_filter(vis))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_table(rev: int, year: int) -> pd.DataFrame:
    return queries.periods_frame(get_engine(), year)


# the caches of evaluations and of the large frames derived from them (see _forget_older_revisions)
_PER_REVISION = (structure, _evaluate, projects_table, risk_table, changes_table, matrix, reporting,
                 department_spending_spec)
