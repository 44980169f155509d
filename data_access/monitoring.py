"""Reads that feed the status engine, and the stored rule settings.

``load_inputs`` builds ``domain.status.ProjectInput`` objects for one fiscal year and as-of date in a
fixed number of queries (projects, plan points, indicators, indicator actuals, spending actuals),
whatever the number of projects. ``evaluate`` runs the engine on them. Pages and commands never
compute a status themselves.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.db import bump_revision, session_scope
from data_access.models import (
    Area,
    AuditLog,
    FiscalYear,
    Indicator,
    IndicatorActual,
    PlanCheckpoint,
    Project,
    Setting,
    SpendingActual,
    Unit,
)
from domain.periods import MONTH, QUARTER, default_as_of, parse_period, period_for_date
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import IndicatorInput, PlanPoint, ProjectInput, ProjectStatus, evaluate_all
from domain.targets import Target

SETTINGS_KEY = "status_rules"


class SettingsInvalid(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors))


# --------------------------------------------------------------------------- settings


def load_settings(engine: Engine) -> Settings:
    with Session(engine) as s:
        row = s.get(Setting, SETTINGS_KEY)
    return Settings.from_dict(row.value) if row else DEFAULT_SETTINGS


def save_settings(engine: Engine, settings: Settings, username: str) -> None:
    """Validate and store; every changed value is audit-logged (old -> new)."""
    errors = settings.validate()
    if errors:
        raise SettingsInvalid(errors)
    new = settings.to_dict()
    with session_scope(engine) as s:
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
        bump_revision(s)


# --------------------------------------------------------------------------- as-of and periods


def year_id(s: Session, year: int | None) -> tuple[int, int] | None:
    q = select(FiscalYear.id, FiscalYear.year)
    q = q.where(FiscalYear.year == year) if year else q.order_by(FiscalYear.year.desc())
    row = s.execute(q).first()
    return (row[0], row[1]) if row else None


def periods_with_data(engine: Engine, year: int) -> list[str]:
    """Period codes of the year that have any actual value, in time order."""
    with engine.connect() as c:
        codes = set(c.execute(select(IndicatorActual.period_code).distinct()).scalars())
        codes |= set(c.execute(select(SpendingActual.period_code).distinct()).scalars())
    out = []
    for code in codes:
        try:
            p = parse_period(code)
        except ValueError:
            continue
        if p.year == year:
            out.append(p)
    return [p.key for p in sorted(out, key=lambda p: (p.end, p.kind != MONTH))]


def default_as_of_date(engine: Engine, year: int, today: date | None = None) -> date:
    return default_as_of(year, periods_with_data(engine, year), today=today)


def period_codes_for(as_of: date) -> list[str]:
    """The period entries that describe the situation at ``as_of``: the month, and the quarter when
    ``as_of`` ends one. The most recently saved of them wins."""
    codes = [period_for_date(as_of, MONTH).key]
    q = period_for_date(as_of, QUARTER)
    if q.end == as_of:
        codes.append(q.key)
    return codes


# --------------------------------------------------------------------------- inputs


def load_inputs(
    engine: Engine,
    year: int | None,
    as_of: date,
    *,
    project_filter=None,
    project_ids: list[int] | None = None,
) -> list[ProjectInput]:
    """ProjectInputs with the actuals reported for ``as_of``. ``project_filter`` is an optional
    SQLAlchemy where-clause on ``Project`` (permissions); ``project_ids`` narrows further."""
    codes = period_codes_for(as_of)
    with Session(engine) as s:
        fy = year_id(s, year)
        if fy is None:
            return []
        fy_id, _ = fy
        pq = (
            select(Project.id, Project.name, Project.budget_wan, Unit.name, Area.name)
            .outerjoin(Unit, Unit.id == Project.unit_id)
            .outerjoin(Area, Area.id == Project.area_id)
            .where(Project.fiscal_year_id == fy_id)
            .order_by(Project.seq, Project.id)
        )
        if project_filter is not None:
            pq = pq.where(project_filter)
        if project_ids is not None:
            pq = pq.where(Project.id.in_(project_ids))
        rows = s.execute(pq).all()
        if not rows:
            return []
        pid_subq = pq.with_only_columns(Project.id).order_by(None).scalar_subquery()

        plans: dict[int, list[PlanPoint]] = defaultdict(list)
        for pid, label, due, pct in s.execute(
            select(PlanCheckpoint.project_id, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
            .where(PlanCheckpoint.project_id.in_(pid_subq))
            .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
        ):
            plans[pid].append(PlanPoint(label, due, pct))

        spend: dict[int, tuple] = {}
        for pid, spent, projected, _at in s.execute(
            select(SpendingActual.project_id, SpendingActual.spent_wan, SpendingActual.projected_wan, SpendingActual.updated_at)
            .where(SpendingActual.project_id.in_(pid_subq), SpendingActual.period_code.in_(codes))
            .order_by(SpendingActual.updated_at)
        ):
            spend[pid] = (spent, projected)  # latest saved wins

        A = IndicatorActual
        actuals: dict[int, tuple] = {}
        for row in s.execute(
            select(A.indicator_id, A.actual_value, A.actual_judgement, A.actual_date, A.projected_value,
                   A.projected_judgement, A.likelihood, A.reasons, A.explanation, A.measures)
            .join(Indicator, Indicator.id == A.indicator_id)
            .where(Indicator.project_id.in_(pid_subq), A.period_code.in_(codes))
            .order_by(A.updated_at)
        ):
            actuals[row[0]] = row  # latest saved wins

        I = Indicator
        inds: dict[int, list[IndicatorInput]] = defaultdict(list)
        targets: dict[tuple, Target] = {}  # identical targets share one (immutable) object
        empty = (None,) * 10
        for (iid, project_id, level1, level2, level3, text, kind, op, value, unit, deadline, start,
             accumulates) in s.execute(
            select(I.id, I.project_id, I.level1, I.level2, I.level3, I.target_text, I.kind, I.op, I.value,
                   I.unit, I.deadline, I.start, I.accumulates)
            .where(I.project_id.in_(pid_subq)).order_by(I.project_id, I.seq)
        ):
            tkey = (text, kind, op, value, unit, deadline, start)
            target = targets.get(tkey)
            if target is None:
                target = targets[tkey] = Target(raw=text, kind=kind, op=op, value=value, unit=unit,
                                                deadline=deadline, start=start)
            a = actuals.get(iid, empty)
            inds[project_id].append(
                IndicatorInput(
                    id=iid, level1=level1, level2=level2, level3=level3, target=target, accumulates=accumulates,
                    actual=a[1], actual_judgement=a[2], actual_date=a[3], projected=a[4],
                    projected_judgement=a[5], likelihood=a[6],
                    reasons=tuple(r for r in (a[7] or "").split(";") if r),
                    explanation=a[8], measures=a[9],
                )
            )

    out = []
    for pid, name, budget, unit, area in rows:
        spent, projected = spend.get(pid, (None, None))
        out.append(
            ProjectInput(
                id=pid, name=name, unit=unit or "", area=area or "", budget_wan=budget,
                plan=plans.get(pid, []), spent_wan=spent, projected_spent_wan=projected,
                indicators=inds.get(pid, []),
            )
        )
    return out


def evaluate(
    engine: Engine,
    year: int | None,
    as_of: date,
    *,
    project_filter=None,
    project_ids: list[int] | None = None,
    settings: Settings | None = None,
) -> list[ProjectStatus]:
    inputs = load_inputs(engine, year, as_of, project_filter=project_filter, project_ids=project_ids)
    settings = settings or load_settings(engine)
    y = year or (as_of.year)
    return evaluate_all(inputs, as_of, settings, y)


def fiscal_year_of(engine: Engine, year: int | None = None) -> int | None:
    with Session(engine) as s:
        fy = year_id(s, year)
    return fy[1] if fy else None

