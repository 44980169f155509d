"""Raw rows for the pages, as pandas DataFrames or dicts: what is stored, joined and ordered, nothing
evaluated (statuses come from ``data_access.monitoring``, the tables built on them from
``data_access.views``). A fixed number of queries each, whatever the number of projects (no N+1)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.models import (
    Area,
    FiscalYear,
    Indicator,
    IndicatorActual,
    Period,
    PlanCheckpoint,
    Project,
    SpendingActual,
    Unit,
)


def latest_year(engine: Engine) -> int | None:
    with engine.connect() as c:
        return c.execute(select(func.max(FiscalYear.year))).scalar()


def project_rows(engine: Engine, year: int | None = None, project_filter=None) -> pd.DataFrame:
    """One row per project: name, unit, area, budget, plan summary, indicator count.
    ``project_filter``: a where-clause on Project (``data_access.permissions.visible_project_filter``)."""
    year = year or latest_year(engine)
    ind_count = (
        select(Indicator.project_id, func.count().label("n"))
        .group_by(Indicator.project_id)
        .subquery()
    )
    q = (
        select(
            Project.id,
            Project.seq,
            Project.name,
            Unit.name.label("unit"),
            Area.name.label("area"),
            Project.budget_wan,
            Project.fiscal_wan,
            Project.other_wan,
            func.coalesce(ind_count.c.n, 0).label("indicators"),
        )
        .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
        .outerjoin(Unit, Unit.id == Project.unit_id)
        .outerjoin(Area, Area.id == Project.area_id)
        .outerjoin(ind_count, ind_count.c.project_id == Project.id)
        .where(FiscalYear.year == year)
        .order_by(Project.seq, Project.id)
    )
    if project_filter is not None:
        q = q.where(project_filter)
    with engine.connect() as c:
        df = pd.DataFrame(c.execute(q).mappings().all())
        plans = pd.DataFrame(
            c.execute(
                select(PlanCheckpoint.project_id, PlanCheckpoint.seq, PlanCheckpoint.label, PlanCheckpoint.cumulative_pct)
                .join(Project, Project.id == PlanCheckpoint.project_id)
                .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
                .where(FiscalYear.year == year)
                .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
            ).mappings().all()
        )
    if df.empty:
        return pd.DataFrame(columns=["id", "seq", "name", "unit", "area", "budget_wan", "fiscal_wan", "other_wan", "indicators", "plan"])
    if not plans.empty:
        plans["text"] = plans["label"] + " " + plans["cumulative_pct"].map(lambda v: f"{v:g}%")
        summary = plans.groupby("project_id")["text"].agg(" / ".join)
        df["plan"] = df["id"].map(summary).fillna(NO_PLAN)
    else:
        df["plan"] = NO_PLAN
    return df


NO_PLAN = "无资金支出计划，按序时进度"  # the budget status falls back to 序时进度 (docs/rules.md §3.1)


# --------------------------------------------------------------------------- leadership views


def filter_options(engine: Engine, year: int, project_filter=None) -> dict[str, list[str]]:
    """What the filter bar offers for a fiscal year: areas (document order), units (order of their
    first project) with ``unit_departments`` (each unit's 主管部门, '' for none, in the order of
    ``units``), ``departments`` (the named 主管部门, by name; empty when the data names none), 一级/二级指标
    names, all limited to the projects ``project_filter`` lets through (a where-clause on ``Project``,
    e.g. ``permissions.visible_project_filter``)."""
    pq = (
        select(Project.id, Project.seq, Unit.name.label("unit"), Area.name.label("area"), Area.seq.label("area_seq"),
               Unit.department.label("department"))
        .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
        .outerjoin(Unit, Unit.id == Project.unit_id)
        .outerjoin(Area, Area.id == Project.area_id)
        .where(FiscalYear.year == year)
    )
    if project_filter is not None:
        pq = pq.where(project_filter)
    with engine.connect() as c:
        rows = c.execute(pq.order_by(Project.seq, Project.id)).all()
        pids = pq.with_only_columns(Project.id).order_by(None).scalar_subquery()
        levels = c.execute(
            select(Indicator.level1, Indicator.level2, func.min(Indicator.seq))
            .where(Indicator.project_id.in_(pids))
            .group_by(Indicator.level1, Indicator.level2)
        ).all()
    areas = sorted({(r.area_seq or 0, r.area) for r in rows if r.area})
    unit_department = {r.unit: r.department or "" for r in rows if r.unit}
    units = list(unit_department)
    level1 = sorted({l1 for l1, _, _ in levels if l1}, key=_level_rank)
    level2 = sorted({l2 for _, l2, _ in levels if l2}, key=_level_rank)
    return {"areas": [a for _, a in areas], "units": units, "level1": level1, "level2": level2,
            "unit_departments": [unit_department[u] for u in units],
            "departments": sorted({d for d in unit_department.values() if d})}


_LEVEL_ORDER = ("产出", "效益", "效果", "满意度", "数量", "质量", "时效", "成本", "社会效益", "经济效益", "生态效益",
                "可持续影响", "服务对象满意度")


def _level_rank(name: str) -> tuple[int, str]:
    s = "".join((name or "").split())
    s = s[:-2] if s.endswith("指标") and len(s) > 2 else s
    return (_LEVEL_ORDER.index(s) if s in _LEVEL_ORDER else len(_LEVEL_ORDER), s)


def level_rank(name: str) -> tuple[int, str]:
    """Sort key putting 一级/二级指标 names in the order of the national template."""
    return _level_rank(name)


def areas_frame(engine: Engine, year: int) -> pd.DataFrame:
    """The department-level target areas of a year: seq, name, goal, indicator_text, targets (phrases)."""
    with engine.connect() as c:
        rows = c.execute(
            select(Area.seq, Area.name, Area.goal, Area.indicator_text, Area.targets)
            .join(FiscalYear, FiscalYear.id == Area.fiscal_year_id)
            .where(FiscalYear.year == year)
            .order_by(Area.seq)
        ).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=["seq", "name", "goal", "indicator_text", "targets"])


def project_detail(engine: Engine, project_id: int, project_filter=None) -> dict | None:
    """One project's fixed data for the project page (None when missing or not visible):
    name, title, purpose, budget and fund split, goals, unit, area, year and plan checkpoints."""
    q = (
        select(Project, Unit.name.label("unit"), Area.name.label("area"), FiscalYear.year)
        .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
        .outerjoin(Unit, Unit.id == Project.unit_id)
        .outerjoin(Area, Area.id == Project.area_id)
        .where(Project.id == project_id)
    )
    if project_filter is not None:
        q = q.where(project_filter)
    with Session(engine) as s:
        row = s.execute(q).first()
        if row is None:
            return None
        p, unit, area, year = row
        plan = s.execute(
            select(PlanCheckpoint.seq, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
            .where(PlanCheckpoint.project_id == project_id)
            .order_by(PlanCheckpoint.seq)
        ).all()
        return {
            "id": p.id, "name": p.name, "title": p.title, "code": p.code, "purpose": p.purpose,
            "budget_wan": p.budget_wan, "fiscal_wan": p.fiscal_wan, "other_wan": p.other_wan,
            "goals": list(p.goals or []), "unit": unit or "", "area": area or "", "year": year,
            "plan": [{"seq": r.seq, "label": r.label, "due": r.due, "cumulative_pct": r.cumulative_pct} for r in plan],
        }


def spending_history(engine: Engine, project_ids: list[int]) -> pd.DataFrame:
    """Every cumulative spending entry of these projects: project_id, period_code, spent_wan,
    projected_wan, explanation, is_demo, updated_by, updated_at."""
    cols = ["project_id", "period_code", "spent_wan", "projected_wan", "explanation", "is_demo", "updated_by", "updated_at"]
    if not project_ids:
        return pd.DataFrame(columns=cols)
    with engine.connect() as c:
        rows = c.execute(
            select(*[getattr(SpendingActual, k) for k in cols])
            .where(SpendingActual.project_id.in_(list(project_ids)))
            .order_by(SpendingActual.project_id, SpendingActual.period_code)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def last_entries(engine: Engine, year: int, period_codes: list[str]) -> pd.DataFrame:
    """Per project: when values for these periods were last saved and by whom (project_id,
    last_at, last_by), over both spending and indicator rows."""
    cols = ["project_id", "last_at", "last_by"]
    with engine.connect() as c:
        sp = c.execute(
            select(SpendingActual.project_id, SpendingActual.updated_at, SpendingActual.updated_by)
            .join(Project, Project.id == SpendingActual.project_id)
            .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
            .where(FiscalYear.year == year, SpendingActual.period_code.in_(period_codes))
        ).all()
        ind = c.execute(
            select(Indicator.project_id, func.max(IndicatorActual.updated_at), func.max(IndicatorActual.updated_by))
            .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
            .join(Project, Project.id == Indicator.project_id)
            .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
            .where(FiscalYear.year == year, IndicatorActual.period_code.in_(period_codes))
            .group_by(Indicator.project_id)
        ).all()
    best: dict[int, tuple] = {}
    for pid, at, by in [*sp, *ind]:
        if at is not None and (pid not in best or at > best[pid][0]):
            best[pid] = (at, by)
    return pd.DataFrame([(pid, at, by) for pid, (at, by) in best.items()], columns=cols)


def periods_frame(engine: Engine, year: int) -> pd.DataFrame:
    """The reporting periods of a year with their lock state (read-only view)."""
    cols = ["code", "kind", "start", "end", "locked", "locked_by", "locked_at"]
    with engine.connect() as c:
        rows = c.execute(
            select(*[getattr(Period, k) for k in cols])
            .join(FiscalYear, FiscalYear.id == Period.fiscal_year_id)
            .where(FiscalYear.year == year)
            .order_by(Period.kind.desc(), Period.end)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def unit_names(engine: Engine) -> list[str]:
    """Every responsible unit, by name."""
    with engine.connect() as c:
        return list(c.execute(select(Unit.name).order_by(Unit.name)).scalars())
