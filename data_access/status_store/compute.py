"""Recompute stored statuses: the status engine (``domain.status.evaluate_all``, through
``data_access.monitoring``) over a set of projects at every as-of date of their fiscal year, written as
``status_project`` / ``status_item`` rows of one generation.

Definitions chosen here:

* The as-of dates of a year are the period ends the filter bar offers for the generation's reporting
  cycle (``data_access.views.period_options``: four quarter ends, or twelve month ends); the previous
  date of each is the one before it in that list (none for the first, as the overview compares).
* A recompute reads through the connection it is given — a write's own transaction, so it sees what
  the write changed before it commits — deletes the generation's rows of those projects (or of the
  whole year) and inserts the new ones, then re-sums the units of those projects (``sums``). Projects
  that no longer exist leave no rows.
* The texts of an item are the ones the tables show (``data_access.views.budget_texts`` /
  ``indicator_texts``): one place for them, whether a page reads the store or evaluates live.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, delete, insert, select

from data_access.models import FiscalYear, Project, StatusItem, StatusProject
from data_access.monitoring import gc_paused, load_inputs, load_structure
from data_access.status_store import sums
from data_access.views.filters import BUDGET_GROUP, period_options
from data_access.views.tables import budget_texts, indicator_texts
from domain.periods import MONTH, QUARTER
from domain.settings import Settings
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    SEVERITY,
    ProjectStatus,
    change_summary,
    evaluate_all,
)

RISK_RANK = {RED: 4, MISSING: 3, AMBER: 2, BLUE: 1, GREEN: 0, GREY: -1}
COPY_FROM = 2000  # PostgreSQL: COPY instead of INSERT from this many rows


def cycle_of(settings: Settings) -> str:
    return settings.reporting_period if settings.reporting_period in (QUARTER, MONTH) else QUARTER


def as_of_dates(year: int, settings: Settings) -> list[date]:
    """The as-of dates stored for a fiscal year under these settings, in time order."""
    return [p.end for p in period_options(year, cycle_of(settings))]


def _years(c: Connection, project_ids: Iterable[int] | None, fiscal_year_ids: Iterable[int] | None
           ) -> tuple[dict[int, tuple[int, list[int] | None]], set[int]]:
    """(fiscal_year_id -> (year, the changed project ids of that year, or None for the whole year), the
    given project ids that exist)."""
    out: dict[int, tuple[int, list[int] | None]] = {}
    found: set[int] = set()
    fy_ids = set(fiscal_year_ids or ())
    if fy_ids:
        for fy_id, year in c.execute(select(FiscalYear.id, FiscalYear.year).where(FiscalYear.id.in_(sorted(fy_ids)))):
            out[fy_id] = (year, None)
    ids = sorted(set(project_ids or ()))
    if ids:
        by_year: dict[int, list[int]] = defaultdict(list)
        years: dict[int, int] = {}
        for pid, fy_id, year in c.execute(
            select(Project.id, Project.fiscal_year_id, FiscalYear.year)
            .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id).where(Project.id.in_(ids))
        ):
            by_year[fy_id].append(pid)
            years[fy_id] = year
            found.add(pid)
        for fy_id, pids in by_year.items():
            if fy_id not in out:
                out[fy_id] = (years[fy_id], pids)
    return out, found


def recompute(c: Connection, generation_id: int, settings: Settings, *, project_ids: Iterable[int] | None = None,
              fiscal_year_ids: Iterable[int] | None = None) -> int:
    """Recompute ``project_ids`` and whole ``fiscal_year_ids`` in one generation, and re-sum the units they
    were and are in (``sums``); returns the number of projects written. Rows of projects that no longer
    exist are deleted."""
    years, found = _years(c, project_ids, fiscal_year_ids)
    before = sums.units_of(c, generation_id, sorted(set(project_ids or ())))
    gone = set(project_ids or ()) - found
    if gone:  # deleted projects (their year is unknown now)
        _delete(c, generation_id, sorted(gone), None)
    n = 0
    for fy_id, (year, ids) in years.items():
        n += _recompute_year(c, generation_id, settings, fy_id, year, ids, before.pop(fy_id, set()))
    for fy_id, units in before.items():  # years of deleted projects only
        sums.resum(c, generation_id, fy_id, None, units)
    return n


def _delete(c: Connection, generation_id: int, project_ids: Sequence[int] | None, fiscal_year_id: int | None) -> None:
    for model in (StatusProject, StatusItem):
        q = delete(model).where(model.generation_id == generation_id)
        if project_ids is not None:
            q = q.where(model.project_id.in_(list(project_ids)))
        else:
            q = q.where(model.fiscal_year_id == fiscal_year_id)
        c.execute(q)


def _recompute_year(c: Connection, generation_id: int, settings: Settings, fy_id: int, year: int,
                    ids: list[int] | None, units_before: set[int | None]) -> int:
    _delete(c, generation_id, ids, fy_id)
    projects, items = rows_for(c, generation_id, settings, fy_id, year, ids)
    insert_rows(c, StatusProject, projects)
    insert_rows(c, StatusItem, items)
    dates = as_of_dates(year, settings)
    sums.resum(c, generation_id, fy_id, dates, None if ids is None else units_before | {r["unit_id"] for r in projects})
    return len(projects) // max(1, len(dates))


def rows_for(c: Connection, generation_id: int, settings: Settings, fy_id: int, year: int,
             ids: list[int] | None) -> tuple[list[dict], list[dict]]:
    """The rows of these projects (None: the whole year) as the engine computes them now."""
    with gc_paused():
        structure = load_structure(c, year, project_ids=ids)
        if structure is None:
            return [], []
        meta = {pid: (unit_id, area_id, seq) for pid, unit_id, area_id, seq in c.execute(
            select(Project.id, Project.unit_id, Project.area_id, Project.seq)
            .where(Project.id.in_([p[0] for p in structure.projects])))}
        projects: list[dict] = []
        items: list[dict] = []
        previous: dict[int, ProjectStatus] = {}
        for as_of in as_of_dates(year, settings):
            results = evaluate_all(load_inputs(c, year, as_of, structure=structure), as_of, settings, year)
            for r in results:
                _rows(r, previous.get(r.project.id), (generation_id, as_of, fy_id, meta[r.project.id]), projects, items)
            previous = {r.project.id: r for r in results}
    return projects, items


def _rows(r: ProjectStatus, prev: ProjectStatus | None, where: tuple, projects: list[dict], items: list[dict]) -> None:
    """Append the project's row and its items' rows (budget row first, then the indicators)."""
    generation_id, as_of, fy_id, (unit_id, area_id, seq) = where
    p, b = r.project, r.budget
    budget = float(p.budget_wan or 0.0)
    counts = dict.fromkeys((RED, MISSING, AMBER, GREEN, BLUE, GREY), 0)
    for st in r.indicators:
        counts[st.status] += 1
    prev_items = [prev.budget.status, *(st.status for st in prev.indicators)] if prev is not None else []
    now_items = [b.status, *(st.status for st in r.indicators)]
    recovered = sum(1 for a, z in zip(prev_items, now_items) if a == MISSING and z != MISSING)
    base = {"generation_id": generation_id, "as_of": as_of, "project_id": p.id, "fiscal_year_id": fy_id,
            "unit_id": unit_id, "area_id": area_id, "doc_order": seq}
    spent = p.spent_wan if p.spent_wan is not None and p.spent_wan == p.spent_wan else None
    projects.append({
        **base, "name": p.name, "budget_wan": budget, "spent_wan": spent, "status": r.status,
        "severity": SEVERITY[r.status], "reason": r.reason, "budget_status": b.status, "budget_reason": b.reason,
        "execution_pct": b.execution_pct, "expected_pct": b.expected_pct, "projected_pct": b.projected_pct,
        **{f"n_{s}": n for s, n in counts.items()},
        "prev_status": prev.status if prev is not None else None, "recovered": recovered,
    })
    item = {**base, "project_name": p.name, "budget_wan": budget}
    target, actual, projected = budget_texts(b)
    items.append({
        **item, "seq": -1, "indicator_id": None, "level1": "", "level2": "", "level3": BUDGET_GROUP,
        "status": b.status, "rank": RISK_RANK[b.status], "reason": b.reason, "target": target, "actual": actual,
        "projected": projected, "likelihood": "", "reasons": "", "explanation": "", "measures": "",
        "prev_status": prev_items[0] if prev_items else None, "adjustment": "", "flagged": False,
    })
    for i, st in enumerate(r.indicators):
        ind = st.indicator
        target, actual, projected, likelihood, reasons, explanation, measures = indicator_texts(st)
        items.append({
            **item, "seq": i, "indicator_id": ind.id, "level1": ind.level1 or "", "level2": ind.level2 or "",
            "level3": ind.level3 or "", "status": st.status, "rank": RISK_RANK[st.status], "reason": st.reason,
            "target": target, "actual": actual, "projected": projected, "likelihood": likelihood,
            "reasons": reasons, "explanation": explanation, "measures": measures,
            "prev_status": prev_items[i + 1] if prev_items else None,
            "adjustment": change_summary(ind), "flagged": bool(st.adjusted_after_warning),
        })


def insert_rows(c: Connection, model, rows: list[dict]) -> None:
    """Insert in the connection's transaction: COPY on PostgreSQL for many rows, else multi-row INSERTs."""
    if not rows:
        return
    table = model.__table__
    if c.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        cols = list(rows[0])
        raw = c.connection.driver_connection
        with raw.cursor().copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([r[k] for k in cols])
        return
    for i in range(0, len(rows), 5000):
        c.execute(insert(table), rows[i:i + 5000])


__all__ = ["RISK_RANK", "as_of_dates", "cycle_of", "insert_rows", "recompute", "rows_for"]
