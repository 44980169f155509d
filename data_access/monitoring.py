"""Reads that feed the status engine, and the stored rule settings.

``load_inputs`` builds ``domain.status.ProjectInput`` objects for one fiscal year and as-of date in a
fixed number of queries (projects, plan points, indicators, budget and target adjustments, indicator
actuals, spending actuals), whatever the number of projects. The first five do not depend on the as-of
date: ``load_structure`` reads them once so that evaluations at several dates can share them. The
budget and the target of each input are the ones in force at the as-of date
(``data_access.adjustments``, docs/rules.md §3.4 and §4.10). ``evaluate`` runs the engine on
the inputs. Pages and commands never compute a status themselves.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.adjustments import NO_CHANGES, Changes, apply_budget, apply_target, load_changes
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import (
    Area,
    AuditLog,
    Indicator,
    IndicatorActual,
    PlanCheckpoint,
    Project,
    ProjectReview,
    Setting,
    SpendingActual,
    Unit,
)
from data_access.permissions import Principal, require_admin
from data_access.years import default_as_of_date, fiscal_year_of, periods_with_data, year_id  # noqa: F401 - importable from here too
from domain import review as R
from domain.periods import MONTH, QUARTER, period_for_date
from domain.settings import DEFAULT_SETTINGS, NOT_STATUS_FIELDS, Settings
from domain.status import IndicatorInput, PlanPoint, ProjectInput, ProjectStatus, evaluate_all
from domain.targets import Target

SETTINGS_KEY = "status_rules"
FEW_PROJECTS = 600  # up to this many projects, their values are read by id (a save, a page's few projects)


class SettingsInvalid(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors))


# --------------------------------------------------------------------------- settings


def load_settings(engine: Engine) -> Settings:
    with Session(engine) as s:
        row = s.get(Setting, SETTINGS_KEY)
    return Settings.from_dict(row.value) if row else DEFAULT_SETTINGS


def save_settings(engine: Engine, settings: Settings, by: Principal | None) -> None:
    """Admin only (``by``, re-read in the transaction): validate and store; every changed value is
    audit-logged (old -> new). Raises ``PermissionDenied`` or :class:`SettingsInvalid` (Chinese)."""
    username = require_admin(by).username
    errors = settings.validate()
    if errors:
        raise SettingsInvalid(errors)
    new = settings.to_dict()
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        row = s.get(Setting, SETTINGS_KEY)
        old = dict(row.value) if row else DEFAULT_SETTINGS.to_dict()
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if not changed:
            return
        if row is None:
            row = Setting(key=SETTINGS_KEY, value=new, updated_by=username)
            s.add(row)
        else:
            row.value = new
            row.updated_by = username
        for k, v in changed.items():
            s.add(AuditLog(username=username, action="update", entity="setting", field=k,
                           old=str(old.get(k)), new=str(v)))
        # a status rule changed: every status is recomputed in the background (data_access.status_store.jobs)
        bump_revision(s, Changed.rules() if set(changed) - NOT_STATUS_FIELDS else Changed.nothing())


# --------------------------------------------------------------------------- as-of and periods


def period_codes_for(as_of: date) -> list[str]:
    """The period entries that describe the situation at ``as_of``: the month, and the quarter when
    ``as_of`` ends one. The most recently saved of them wins."""
    codes = [period_for_date(as_of, MONTH).key]
    q = period_for_date(as_of, QUARTER)
    if q.end == as_of:
        codes.append(q.key)
    return codes


# --------------------------------------------------------------------------- inputs


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk of acyclic objects is built (the inputs and
    results of 5,000 projects / 40,000 indicators are ~10^6 objects). Otherwise every few thousand
    allocations trigger a collection, and the full ones walk the whole heap (the app's modules, the
    cached evaluations): measured at a third of a cold overview run at city scale. Reference counting
    still frees everything; only cycles wait until the collector runs again. Process-wide and
    nesting/thread safe: whoever paused it re-enables it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def connected(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection for a read: a new one from an engine (closed afterwards), or the caller's — e.g. a
    write's own transaction, whose uncommitted changes the read then sees (the status store recomputes
    what a write changed before it commits)."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.connect() as c:
        yield c


@dataclass(frozen=True)
class Structure:
    """What the status engine needs that does not depend on the as-of date: the projects of a year (in
    document order) with their plans and indicators (targets parsed). Loaded once and shared by the
    evaluations at several as-of dates (the overview evaluates this period and the previous one);
    read-only. ``fiscal_year_id`` and the filters rebuild the same project query for the actuals."""

    fiscal_year_id: int
    projects: tuple  # (id, name, budget_wan, unit name, area name, the unit's 主管部门)
    plans: dict  # project id -> [PlanPoint]
    indicators: dict  # project id -> [(id, level1, level2, level3, Target, accumulates, weight, direction)]
    project_filter: object = None
    project_ids: tuple | None = None
    changes: Changes = NO_CHANGES  # budget and target adjustments, applied at each as-of date


def _project_query(fy_id: int, project_filter, project_ids):
    pq = (
        select(Project.id, Project.name, Project.budget_wan, Unit.name, Area.name, Unit.department)
        .outerjoin(Unit, Unit.id == Project.unit_id)
        .outerjoin(Area, Area.id == Project.area_id)
        .where(Project.fiscal_year_id == fy_id)
        .order_by(Project.seq, Project.id)
    )
    if project_filter is not None:
        pq = pq.where(project_filter)
    if project_ids is not None:
        pq = pq.where(Project.id.in_(list(project_ids)))
    return pq


def load_structure(engine: Engine | Connection, year: int | None, *, project_filter=None,
                   project_ids: list[int] | None = None) -> Structure | None:
    """The projects, plans, indicators and adjustments of ``year`` (None: the latest year) in five
    queries, or None when the year or its (visible) projects do not exist. ``engine`` may be a connection
    (``connected``)."""
    ids = tuple(project_ids) if project_ids is not None else None
    with connected(engine) as c, gc_paused():
        fy = year_id(c, year)
        if fy is None:
            return None
        fy_id = fy[0]
        pq = _project_query(fy_id, project_filter, ids)
        rows = tuple(tuple(r) for r in c.execute(pq))
        if not rows:
            return None
        pid_subq = pq.with_only_columns(Project.id).order_by(None).scalar_subquery()

        plans: dict[int, list[PlanPoint]] = defaultdict(list)
        for pid, label, due, pct in c.execute(
            select(PlanCheckpoint.project_id, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
            .where(PlanCheckpoint.project_id.in_(pid_subq))
            .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
        ).all():
            plans[pid].append(PlanPoint(label, due, pct))

        I = Indicator  # noqa: E741 - a short alias keeps the column list of one query readable
        inds: dict[int, list[tuple]] = defaultdict(list)
        targets: dict[tuple, Target] = {}  # identical targets share one (immutable) object
        for (iid, project_id, level1, level2, level3, text, kind, op, value, unit, deadline, start,
             accumulates, weight, direction) in c.execute(
            select(I.id, I.project_id, I.level1, I.level2, I.level3, I.target_text, I.kind, I.op, I.value,
                   I.unit, I.deadline, I.start, I.accumulates, I.weight, I.direction)
            .where(I.project_id.in_(pid_subq)).order_by(I.project_id, I.seq)
        ).all():
            tkey = (text, kind, op, value, unit, deadline, start)
            target = targets.get(tkey)
            if target is None:
                target = targets[tkey] = Target(raw=text, kind=kind, op=op, value=value, unit=unit,
                                                deadline=deadline, start=start)
            inds[project_id].append((iid, level1, level2, level3, target, accumulates, weight, direction))
        changes = load_changes(c, pid_subq)
    return Structure(fy_id, rows, dict(plans), dict(inds), project_filter, ids, changes)


def load_inputs(
    engine: Engine | Connection,
    year: int | None,
    as_of: date,
    *,
    project_filter=None,
    project_ids: list[int] | None = None,
    structure: Structure | None = None,
) -> list[ProjectInput]:
    """ProjectInputs with the actuals reported for ``as_of``. ``project_filter`` is an optional
    SQLAlchemy where-clause on ``Project`` (permissions); ``project_ids`` narrows further.

    ``structure``: the result of :func:`load_structure` for the same year and filters, when the caller
    already has it (then only the two actuals queries and the review states query run).

    Longer than 60 lines on purpose: the two actuals queries and the one pass that attaches their
    latest values to the structure share the period codes and lookups; split, they would be passed
    around as half-built state."""
    if structure is None:
        structure = load_structure(engine, year, project_filter=project_filter, project_ids=project_ids)
        if structure is None:
            return []
    codes = period_codes_for(as_of)
    A = IndicatorActual
    actual_q = select(A.indicator_id, A.actual_value, A.actual_judgement, A.actual_date, A.projected_value,
                      A.projected_judgement, A.likelihood, A.reasons, A.explanation, A.measures,
                      A.actual_judgement_text, A.projected_judgement_text)
    if structure.project_ids is not None and len(structure.project_ids) <= FEW_PROJECTS:
        # a few projects (a save, one page): by their ids, along the (id, period) indexes
        pids = list(structure.project_ids)
        projects_in: object = pids
        spent_where = SpendingActual.project_id.in_(pids)
        actual_q = actual_q.where(A.indicator_id.in_([i[0] for p in pids for i in structure.indicators.get(p, ())]))
    else:  # many projects: through the project query (the period's values, no id list)
        pid_subq = (_project_query(structure.fiscal_year_id, structure.project_filter, structure.project_ids)
                    .with_only_columns(Project.id).order_by(None).scalar_subquery())
        projects_in = pid_subq
        spent_where = SpendingActual.project_id.in_(pid_subq)
        actual_q = actual_q.join(Indicator, Indicator.id == A.indicator_id).where(Indicator.project_id.in_(pid_subq))
    with connected(engine) as c:
        spend: dict[int, tuple] = {}
        for pid, spent, projected, _at in c.execute(
            select(SpendingActual.project_id, SpendingActual.spent_wan, SpendingActual.projected_wan, SpendingActual.updated_at)
            .where(spent_where, SpendingActual.period_code.in_(codes))
            .order_by(SpendingActual.updated_at)
        ).all():
            spend[pid] = (spent, projected)  # latest saved wins

        # fetchall: one call instead of a fetchone per row (40,000 rows at city scale)
        actuals = {row[0]: row for row in c.execute(
            actual_q.where(A.period_code.in_(codes)).order_by(A.updated_at)
        ).all()}  # latest saved wins
        reviews = _review_states(c, projects_in, codes)

    empty = (None,) * 12
    no_reasons: tuple[str, ...] = ()
    changes = structure.changes
    out = []
    for pid, name, budget, unit, area, department in structure.projects:
        spent, projected = spend.get(pid, (None, None))
        inds = []
        for iid, level1, level2, level3, target, accumulates, weight, direction in structure.indicators.get(pid, ()):
            a = actuals.get(iid, empty)
            reasons = a[7]
            ind = IndicatorInput(
                iid, level1, level2, level3, target, accumulates, a[1], a[2], a[3], a[4], a[5], a[6],
                tuple(r for r in reasons.split(";") if r) if reasons else no_reasons, a[8], a[9], weight,
                direction, a[10], a[11],
            )
            inds.append(apply_target(ind, changes, as_of) if changes else ind)
        p = ProjectInput(
            id=pid, name=name, unit=unit or "", area=area or "", budget_wan=budget,
            plan=structure.plans.get(pid, []), spent_wan=spent, projected_spent_wan=projected,
            indicators=inds, review=reviews.get(pid, R.DRAFT), department=department or "",
        )
        out.append(apply_budget(p, changes, as_of) if changes else p)
    return out


def _review_states(c, projects_in, codes: list[str]) -> dict[int, str]:
    """Project id -> its review state for the as-of date: an approval of any period ending then wins,
    then a pending review, then the rest (``domain.review``). ``projects_in``: ids or a subquery."""
    rank = {R.APPROVED: 0, R.CHECKED: 1, R.SUBMITTED: 2, R.RETURNED: 3, R.DRAFT: 4}
    out: dict[int, str] = {}
    for pid, state in c.execute(select(ProjectReview.project_id, ProjectReview.state).where(
            ProjectReview.project_id.in_(projects_in), ProjectReview.period_code.in_(codes))).all():
        if pid not in out or rank.get(state, 9) < rank.get(out[pid], 9):
            out[pid] = state
    return out


def evaluate(
    engine: Engine,
    year: int | None,
    as_of: date,
    *,
    project_filter=None,
    project_ids: list[int] | None = None,
    settings: Settings | None = None,
    structure: Structure | None = None,
) -> list[ProjectStatus]:
    with gc_paused():
        inputs = load_inputs(engine, year, as_of, project_filter=project_filter, project_ids=project_ids,
                             structure=structure)
        settings = settings or load_settings(engine)
        y = year or (as_of.year)
        return evaluate_all(inputs, as_of, settings, y)
