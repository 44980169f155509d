"""Read models for the pages, as pandas DataFrames (one query each, no N+1)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from data_access.models import Area, FiscalYear, Indicator, PlanCheckpoint, Project, Unit


def latest_year(engine: Engine) -> int | None:
    with engine.connect() as c:
        return c.execute(select(func.max(FiscalYear.year))).scalar()


def projects_frame(engine: Engine, year: int | None = None) -> pd.DataFrame:
    """One row per project: name, unit, area, budget, plan summary, indicator count."""
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
        df["plan"] = df["id"].map(summary).fillna("")
    else:
        df["plan"] = ""
    return df
