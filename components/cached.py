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
* Statuses come only from the status engine: counts, roll-ups and lists from its output kept in the
  database (``data_access.status_store``: the context's ``gen``, read with indexed SQL, so a page costs
  what it shows, not what the database holds), and for a few projects at a time — the matrix's, one
  project's page or slide — from ``data_access.monitoring.evaluate`` live, with the stored statuses'
  rules (``active_settings``). Both are the same engine over the same committed values.
* Long lists are read a page at a time (``risk_page``); an export reads the whole list when its
  button is clicked (``risk_all``).
* When a newer revision is seen, the caches of older revisions are dropped at once
  (``forget_older_revisions``, called by ``components.page``).
* Every read is cached with ``read_cache``: ``st.cache_data`` whose key takes a context by its
  ``repr`` (``CONTEXT_KEYS``). Streamlit would hash a dataclass field by field, ~1 ms per argument,
  paid by every cached read on every rerun (about twenty on 总览); the dataclass ``repr`` names every
  field and its value, so it is the same key for ~1/20 of the cost (every field of the contexts keeps
  ``repr=True``; ``tests/unit/test_read_cache_keys.py`` changes each field and expects a new key).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from components.context import PageContext, ReadContext, VisKey, project_filter
from components.state import get_engine
from data_access import actuals, monitoring, queries, status_store
from data_access import views as V
from data_access.adjustments import adjustment_frames
from data_access.bulk import has_demo_data
from data_access.rule_overrides import selfeval_presets
from data_access.status_store import lists, reads
from data_access.status_store.scope import Scope
from data_access.targets import fiscal_years as _fiscal_years
from documents.charts import department_spending_spec as spending_spec
from documents.leader_charts import spending_series
from domain.periods import parse_period
from domain.selfeval import SelfEvalResult, self_evaluate
from domain.settings import Settings
from domain.status import ProjectStatus

TTL = 600
CONTEXT_KEYS: dict = {PageContext: repr, ReadContext: repr}


def read_cache(max_entries: int = 64, ttl: int = TTL):
    """``st.cache_data`` for a read keyed on a page context (see the module docstring)."""
    return st.cache_data(ttl=ttl, show_spinner=False, max_entries=max_entries, hash_funcs=CONTEXT_KEYS)


# --------------------------------------------------------------------------- the filter bar's reads


@read_cache(16)
def fiscal_years(rev: int) -> list[int]:
    return _fiscal_years(get_engine())


@read_cache(16)
def periods_with_data(rev: int, year: int) -> list[str]:
    return monitoring.periods_with_data(get_engine(), year)


@read_cache(16)
def reporting_cycle(rev: int) -> str:
    """The reporting cycle (``quarter`` or ``month``; 设置 → 填报周期) of the statuses shown: while a
    change of the rules is being recomputed, the one they were computed with."""
    return status_store.cycle_of(status_store.state(get_engine()).settings)


@read_cache(16)
def default_period_key(rev: int, year: int, cycle: str) -> str:
    """The latest period of the cycle with data, else the latest one ended by the default as-of date
    (``data_access.views.default_period``)."""
    fallback = monitoring.default_as_of_date(get_engine(), year)
    return V.default_period(V.period_options(year, cycle), periods_with_data(rev, year), fallback).key


@read_cache(16)
def has_demo(rev: int) -> bool:
    return has_demo_data(get_engine())


@read_cache()
def filter_options(structure_rev: int, year: int, vis: VisKey) -> dict[str, list[str]]:
    """Keyed on ``data_access.db.structure_revision``, not the revision: a value saved changes none of them."""
    return queries.filter_options(get_engine(), year, project_filter(vis))


def names_departments(ctx: PageContext) -> bool:
    """Whether the visible projects' units name a 主管部门 (from ``filter_options``: a values save does not
    re-read it)."""
    return bool(filter_options(ctx.structure_rev, ctx.year, ctx.vis)["departments"])


@read_cache(16)
def periods_table(rev: int, year: int) -> pd.DataFrame:
    return queries.periods_frame(get_engine(), year)


@read_cache(16)
def rule_settings(rev: int) -> Settings:
    """The stored rule settings (设置; a change bumps the revision)."""
    return monitoring.load_settings(get_engine())


# --------------------------------------------------------------------------- the status store


def scope(ctx: PageContext, as_of: date | None = None) -> Scope:
    """The stored rows a page reads: the context's generation, date, filters and visible units."""
    return Scope(ctx.gen, as_of or ctx.as_of, ctx.filters, None if ctx.vis[0] == "all" else frozenset(ctx.vis[1]))


@read_cache(16)
def active_settings(rev: int, gen: int) -> Settings:
    """The rules the pages' statuses were computed with (a live evaluation uses them too)."""
    return status_store.state(get_engine()).settings


def evaluate_ids(ctx: PageContext, ids: list[int], as_of: date | None = None) -> list[ProjectStatus]:
    """These projects evaluated live by the status engine, with the stored statuses' rules (a few
    projects: the matrix, one project's page or slide), in the order of ``ids``."""
    if not ids:
        return []
    results = monitoring.evaluate(get_engine(), ctx.year, as_of or ctx.as_of, project_filter=ctx.project_filter,
                                  project_ids=list(ids), settings=active_settings(ctx.rev, ctx.gen))
    by_id = {r.project.id: r for r in results}
    return [by_id[i] for i in ids if i in by_id]


@read_cache()
def evaluate_one(ctx: PageContext, project_id: int) -> ProjectStatus | None:
    return next(iter(evaluate_ids(ctx, [project_id])), None)


@st.cache_resource(ttl=TTL, max_entries=64, show_spinner=False, hash_funcs=CONTEXT_KEYS)
def project_choices(ctx: PageContext, statuses: tuple[str, ...] = ()) -> V.ProjectChoices:
    """The filtered projects worst first (of ``statuses`` only, when given), as 项目详情, 风险清单, 会议模式
    and 报表 list them. Shared, not copied (``cache_resource``): it is immutable (a tuple and read-only
    mappings), and a copy of 20,000 labels per click is what this avoids."""
    return V.ProjectChoices.of(reads.ordered_projects(get_engine(), scope(ctx), statuses))


@read_cache()
def selfeval_one(ctx: PageContext, project_id: int) -> SelfEvalResult | None:
    """The 自评 preview of one project with the stored settings (docs/rules.md §7)."""
    result = evaluate_one(ctx, project_id)
    if result is None:
        return None
    preset = selfeval_presets(get_engine(), [project_id]).get(project_id)
    return self_evaluate(result.project, ctx.as_of, rule_settings(ctx.rev), ctx.year, preset)


# --------------------------------------------------------------------------- the status tables


@read_cache()
def project_count(ctx: PageContext) -> int:
    return reads.count_projects(get_engine(), scope(ctx))


@read_cache()
def risk_counts(ctx: PageContext, query: str = "") -> dict[str, int]:
    """The risk list's items by status (the whole list; the items matching the text ``query``)."""
    return lists.risk_counts(get_engine(), scope(ctx), query)


@read_cache()
def risk_flagged(ctx: PageContext, query: str = "") -> int:
    """How many listed indicators had their target adjusted while red or amber (目标调整)."""
    return lists.risk_flagged(get_engine(), scope(ctx), query)


@read_cache()
def risk_page(ctx: PageContext, offset: int, limit: int, query: str = "") -> pd.DataFrame:
    """Rows ``offset`` .. ``offset + limit`` of the risk list (``data_access.views.risk_frame``'s columns),
    of the items matching the text ``query`` (the list's 「筛选」 box, applied in SQL)."""
    return lists.risk_rows(get_engine(), scope(ctx), offset, limit, query)


def risk_all(ctx: PageContext, query: str = "") -> Callable[[], pd.DataFrame]:
    """The whole risk list (the items matching ``query``), read when an export button is clicked (not
    cached: built once per click)."""
    engine, sc = get_engine(), scope(ctx)
    return lambda: lists.risk_rows(engine, sc, query=query)


@read_cache()
def indicators_frame(ctx: PageContext, project_id: int) -> pd.DataFrame:
    return V.indicators_frame(evaluate_one(ctx, project_id), ctx.filters)


# --------------------------------------------------------------------------- overview


@read_cache()
def headline(ctx: PageContext) -> dict:
    return reads.headline(get_engine(), scope(ctx), ctx.year)


@read_cache()
def matrix(ctx: PageContext, level: str, limit: int) -> tuple[pd.DataFrame, int]:
    """The status matrix of the ``limit`` worst filtered projects (chosen in the store, their items
    evaluated live) and how many projects were left out."""
    ids = [pid for pid, _s, _n in reads.ordered_projects(get_engine(), scope(ctx), limit=limit)]
    df, _ = V.build_matrix(evaluate_ids(ctx, ids), ctx.filters, level, limit)
    return df, max(0, project_count(ctx) - len(ids))


@read_cache()
def matrix_table(ctx: PageContext, level: str, limit: int) -> pd.DataFrame:
    """The matrix as a table for its export (``data_access.views.matrix_wide``: a pivot, not redone per rerun)."""
    return V.matrix_wide(matrix(ctx, level, limit)[0])


@read_cache(16)
def _area_rows(rev: int, year: int) -> pd.DataFrame:
    return queries.areas_frame(get_engine(), year)


@read_cache()
def area_statuses(ctx: PageContext) -> pd.DataFrame:
    return V.areas_frame(reads.group_sums_by(get_engine(), scope(ctx), "area"), _area_rows(ctx.rev, ctx.year),
                         ctx.filters, rule_settings(ctx.rev))


@read_cache()
def unit_statuses(ctx: PageContext) -> pd.DataFrame:
    return V.units_frame(reads.group_sums_by(get_engine(), scope(ctx), "unit"), rule_settings(ctx.rev))


@read_cache()
def department_statuses(ctx: PageContext) -> pd.DataFrame:
    """The filtered projects rolled up per 主管部门 of their units (总览, when the data names departments)."""
    return V.departments_frame(reads.group_sums_by(get_engine(), scope(ctx), "department"), rule_settings(ctx.rev))


@read_cache()
def department_rollup(ctx: PageContext) -> dict:
    sums = reads.group_sums_by(get_engine(), scope(ctx), None)
    return V.department_rollup_of(sums.get("", V.GroupSums()), rule_settings(ctx.rev))


@read_cache()
def changes(ctx: PageContext, limit: int | None) -> pd.DataFrame:
    """The first ``limit`` changes since the previous period (all with None; the context must have one)."""
    return reads.changes(get_engine(), scope(ctx), limit, change_groups(ctx))


@read_cache()
def change_counts(ctx: PageContext) -> dict[str, int]:
    """The changes since the previous period by kind (one ``GROUP BY``)."""
    return reads.change_counts(get_engine(), scope(ctx), change_groups(ctx))


@read_cache()
def change_groups(ctx: PageContext) -> reads.ChangeGroups:
    """The changes counted per (previous, current, reported) group: read once for the counts and the table."""
    return reads.change_groups(get_engine(), scope(ctx))


def changes_all(ctx: PageContext) -> Callable[[], pd.DataFrame]:
    """Every change, read when an export button is clicked (not cached: built once per click)."""
    engine, sc = get_engine(), scope(ctx)
    return lambda: reads.changes(engine, sc)


@read_cache()
def department_spending_spec(ctx: PageContext) -> dict:
    """The overview's spending chart (``documents.charts.department_spending_spec``) as a Vega-Lite
    spec, from the stored projects (``data_access.status_store.reads.spending_series``): without an
    area/unit/status filter every visible project, with one the filtered projects."""
    f = ctx.filters
    filtered = bool(f.areas or f.departments or f.units or f.statuses)
    series = reads.spending_series(get_engine(), scope(ctx), ctx.year, filtered)
    title = "所选项目累计支出：计划与实际" if filtered else "部门累计支出：计划与实际"
    return spending_spec(series, title=title, width=640, height=300)


# --------------------------------------------------------------------------- 会议模式


@read_cache()
def area_order(ctx: PageContext, areas: tuple[str, ...], attention: bool) -> list[str]:
    return reads.area_order(get_engine(), scope(ctx), list(areas), V.ATTENTION if attention else frozenset(),
                            rule_settings(ctx.rev))


@read_cache()
def area_slide(ctx: PageContext, area: str) -> dict:
    return reads.area_slide(get_engine(), scope(ctx), area, rule_settings(ctx.rev))


# --------------------------------------------------------------------------- one project (keyed on ctx.read)


@read_cache()
def project_detail(read: ReadContext, project_id: int) -> dict | None:
    return queries.project_detail(get_engine(), project_id, read.project_filter)


@read_cache()
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


@read_cache()
def project_adjustments(read: ReadContext, project_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(budget adjustments, target adjustments) of one visible project (``data_access.adjustments``)."""
    return adjustment_frames(get_engine(), project_id, read.project_filter)


@read_cache()
def project_history(read: ReadContext, project_id: int, as_of: date) -> pd.DataFrame:
    """The project's budget row and indicators evaluated at the end of every period with data, up to
    ``as_of``."""
    engine, year = get_engine(), read.year
    if year is None:
        raise ValueError("project_history needs the context's year")
    settings = status_store.state(engine).settings  # the rules of the statuses shown
    evaluated = [(p, next(iter(monitoring.evaluate(engine, year, p.end, project_filter=read.project_filter,
                                                   project_ids=[project_id], settings=settings)), None))
                 for p in V.history_periods(periods_with_data(read.rev, year), as_of)]
    return V.project_history_frame(evaluated)


@read_cache()
def change_history(read: ReadContext, project_id: int, as_of: date) -> pd.DataFrame:
    """Who changed the project's values of the periods up to ``as_of``, when, old -> new (newest
    first), with Chinese headers."""
    if project_detail(read, project_id) is None:
        return pd.DataFrame(columns=actuals.HISTORY_COLUMNS)
    return V.changes_until(actuals.history(get_engine(), project_id=project_id), as_of)


# --------------------------------------------------------------------------- reporting, targets


@read_cache(32)
def period_deadline(rev: int, period_key: str) -> date:
    """The period's 填报截止日 (set on 填报期管理; else its last day)."""
    state = actuals.period_state(get_engine(), period_key)
    return state.deadline if state is not None else parse_period(period_key).end


@read_cache(32)
def reporting(ctx: PageContext, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items not reported, every unit with values due) for the context's period, due on its 填报截止日
    (``data_access.views.build_progress``), from the stored statuses."""
    last = queries.last_entries(get_engine(), ctx.year, monitoring.period_codes_for(ctx.as_of))
    return lists.reporting(get_engine(), scope(ctx), period_deadline(ctx.rev, ctx.period_key), today, last)


@read_cache()
def project_rows(read: ReadContext) -> pd.DataFrame:
    """The imported projects of ``read.year`` (None: the latest) that ``read.vis`` may see (绩效目标)."""
    return queries.project_rows(get_engine(), read.year, read.project_filter)


# the caches of the larger results (see forget_older_revisions)
_PER_REVISION = (evaluate_one, selfeval_one, project_choices, risk_page, changes, matrix, matrix_table, reporting,
                 department_spending_spec)


_newest: dict[str, int | None] = {"rev": None}
_newest_lock = threading.Lock()


def forget_older_revisions(rev: int) -> None:
    """Drop the cached results of older revisions as soon as a newer one is seen: their keys can never
    be asked for again (every run reads the current revision), but the caches would keep them until the
    TTL, and a morning of saves (each bumps the revision) would pile them up."""
    with _newest_lock:
        newest = _newest["rev"]
        if newest is not None and rev <= newest:
            return
        _newest["rev"] = rev
    if newest is None:
        return
    for fn in _PER_REVISION:
        fn.clear()
