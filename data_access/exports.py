"""Reads that feed the file builders in ``documents/`` (official workbooks, report, charts).

The builders are pure; everything they need from the database is gathered here, one query per
table whatever the number of projects (no N+1):

* ``monitoring_inputs`` — per-project metadata the status results do not carry (主管部门, goals,
  fund split, purpose, the budget explanation entered for the as-of period, the budget adjustments);
* ``export_bundle`` — status results + metadata + department name in one call (CLI, pages);
* ``selfeval_results`` — ``domain.selfeval.self_evaluate`` for each project with the stored settings;
* ``department_spending_series`` — planned vs actual cumulative spending per quarter (the
  department chart of the overview page and of the monitoring report);
* ``project_ids_by_name`` — resolve a project name typed on the command line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.adjustments import load_changes
from data_access.models import Area, FiscalYear, PlanCheckpoint, Project, SpendingActual, Unit
from data_access.monitoring import evaluate, load_settings, period_codes_for, year_id
from data_access.rule_overrides import selfeval_presets
from domain.adjustments import budget_in_force
from domain.periods import QUARTER, expected_cumulative_pct, has_plan, periods_of_year, time_progress
from domain.selfeval import SelfEvalResult, self_evaluate
from domain.settings import Settings
from domain.status import PlanPoint, ProjectStatus

SERIES_COLUMNS = ["period_end", "label", "planned_wan", "actual_wan", "time_pct", "time_wan", "reported", "projects"]
_QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def _project_query(fy_id: int, project_ids: Sequence[int] | None, project_filter):
    q = select(Project.id).where(Project.fiscal_year_id == fy_id)
    if project_filter is not None:
        q = q.where(project_filter)
    if project_ids is not None:
        q = q.where(Project.id.in_(list(project_ids)))
    return q


def department_name(engine: Engine, year: int | None) -> str:
    with Session(engine) as s:
        q = select(FiscalYear.department)
        q = q.where(FiscalYear.year == year) if year else q.order_by(FiscalYear.year.desc())
        row = s.execute(q).first()
    return (row[0] if row else "") or ""


def monitoring_inputs(
    engine: Engine,
    year: int | None,
    as_of: date,
    project_ids: Sequence[int] | None = None,
    *,
    project_filter=None,
) -> dict[Any, dict]:
    """Project id -> metadata dict: ``seq``, ``code``, ``name``, ``department`` (主管部门: the unit's when it
    has one, else the year's), ``unit``
    (实施单位), ``area``, ``budget_wan``, ``fiscal_wan``, ``other_wan`` (资金来源; None when the
    document did not say), ``goals`` (list of 绩效目标 texts), ``purpose`` (项目资金主要用途) and
    ``budget_explanation`` (the spending explanation entered for the as-of period, '' if none) and
    ``budget_changes`` (the budget adjustments dated up to ``as_of``, ``domain.adjustments.BudgetChange``)."""
    codes = period_codes_for(as_of)
    with Session(engine) as s:
        fy = s.execute(
            select(FiscalYear.id, FiscalYear.department).where(FiscalYear.year == year) if year
            else select(FiscalYear.id, FiscalYear.department).order_by(FiscalYear.year.desc())
        ).first()
        if fy is None:
            return {}
        fy_id, department = fy[0], fy[1] or ""
        ids = _project_query(fy_id, project_ids, project_filter)
        rows = s.execute(
            select(Project.id, Project.seq, Project.code, Project.name, Project.budget_wan, Project.fiscal_wan,
                   Project.other_wan, Project.goals, Project.purpose, Unit.name, Area.name, Unit.department)
            .outerjoin(Unit, Unit.id == Project.unit_id)
            .outerjoin(Area, Area.id == Project.area_id)
            .where(Project.id.in_(ids.scalar_subquery()))
            .order_by(Project.seq, Project.id)
        ).all()
        explanations: dict[int, str] = {}
        for pid, text in s.execute(
            select(SpendingActual.project_id, SpendingActual.explanation)
            .where(SpendingActual.project_id.in_(ids.scalar_subquery()), SpendingActual.period_code.in_(codes))
            .order_by(SpendingActual.updated_at)
        ):
            explanations[pid] = text or ""  # latest saved wins, as in load_inputs
        changes = load_changes(s, ids.scalar_subquery(), targets=False).budgets
    out: dict[Any, dict] = {}
    for pid, seq, code, name, budget, fiscal, other, goals, purpose, unit, area, unit_department in rows:
        out[pid] = {
            "seq": seq, "code": code or "", "name": name, "department": unit_department or department,
            "unit": unit or "", "area": area or "", "budget_wan": budget,
            "fiscal_wan": fiscal, "other_wan": other,
            "goals": [str(g) for g in (goals or []) if str(g).strip()],
            "purpose": purpose or "", "budget_explanation": explanations.get(pid, ""),
            "budget_changes": [c for c in changes.get(pid, ()) if c.on <= as_of],
        }
    return out


@dataclass
class ExportBundle:
    """Everything a document builder takes, for one fiscal year and as-of date."""

    year: int | None
    as_of: date
    department: str
    results: list[ProjectStatus]
    meta: dict[Any, dict] = field(default_factory=dict)
    settings: Settings | None = None


def export_bundle(
    engine: Engine,
    year: int | None,
    as_of: date,
    project_ids: Sequence[int] | None = None,
    *,
    project_filter=None,
) -> ExportBundle:
    settings = load_settings(engine)
    results = evaluate(engine, year, as_of, project_filter=project_filter,
                       project_ids=list(project_ids) if project_ids is not None else None, settings=settings)
    meta = monitoring_inputs(engine, year, as_of, project_ids, project_filter=project_filter)
    return ExportBundle(year, as_of, department_name(engine, year), results, meta, settings)


def selfeval_results(
    engine: Engine,
    year: int | None,
    as_of: date,
    results: Sequence[ProjectStatus] | None = None,
    project_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
) -> list[SelfEvalResult]:
    """Self-evaluation preview per project, with the stored weights (a project's or its target document's
    preset first, docs/rules.md §7). Pass ``results`` (already evaluated) to avoid reading the projects
    again."""
    settings = settings or load_settings(engine)
    if results is None:
        results = evaluate(engine, year, as_of, project_ids=list(project_ids) if project_ids is not None else None,
                           settings=settings)
    y = year or as_of.year
    presets = selfeval_presets(engine, [r.project.id for r in results])
    return [self_evaluate(r.project, as_of, settings, y, presets.get(r.project.id)) for r in results]


def department_spending_series(
    engine: Engine,
    year: int | None,
    as_of: date,
    project_ids: Sequence[int] | None = None,
    *,
    project_filter=None,
) -> pd.DataFrame:
    """Planned vs actual cumulative spending of the department at each quarter end (万元).

    Columns: ``period_end`` (date), ``label`` (第一季度 …), ``planned_wan`` (Σ budget × the project's
    own cumulative plan at the quarter end — step or interpolated as the settings say, 序时进度 for a
    project without a plan, exactly as the status engine expects; the budget is the one in force at the
    quarter end, or at ``as_of`` for the quarters after it: the plan's percentages scale with an adjusted
    budget, docs/rules.md §3.4), ``actual_wan`` (Σ cumulative
    spending reported for that quarter — the quarter's own entry or its last month's, latest saved
    wins; None after the as-of date or when nobody reported), ``time_pct`` (序时进度 %),
    ``time_wan`` (Σ budget in force × 序时进度), ``reported`` (projects with a figure) and ``projects``.

    Longer than 60 lines on purpose: one read of plans and spending, then one loop over the quarters
    that builds every column from the same per-project lookups.
    """
    settings = load_settings(engine)
    with Session(engine) as s:
        fy = year_id(s, year)
        if fy is None:
            return pd.DataFrame(columns=SERIES_COLUMNS)
        fy_id, y = fy
        ids = _project_query(fy_id, project_ids, project_filter)
        budgets = {pid: float(b or 0.0) for pid, b in s.execute(
            select(Project.id, Project.budget_wan).where(Project.id.in_(ids.scalar_subquery())))}
        plans: dict[int, list[PlanPoint]] = defaultdict(list)
        for pid, label, due, pct in s.execute(
            select(PlanCheckpoint.project_id, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
            .where(PlanCheckpoint.project_id.in_(ids.scalar_subquery()))
            .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
        ):
            plans[pid].append(PlanPoint(label, due, pct))
        changes = load_changes(s, ids.scalar_subquery(), targets=False).budgets
        quarters = periods_of_year(y, QUARTER)
        code_to_q: dict[str, int] = {}
        for i, q in enumerate(quarters):
            for code in period_codes_for(q.end):
                code_to_q[code] = i
        spent: list[dict[int, float | None]] = [dict() for _ in quarters]
        for pid, code, value in s.execute(
            select(SpendingActual.project_id, SpendingActual.period_code, SpendingActual.spent_wan)
            .where(SpendingActual.project_id.in_(ids.scalar_subquery()),
                   SpendingActual.period_code.in_(list(code_to_q)))
            .order_by(SpendingActual.updated_at)
        ):
            spent[code_to_q[code]][pid] = value  # latest saved wins

    rows = []
    for i, q in enumerate(quarters):
        share = time_progress(q.end, y)
        planned = 0.0
        at = min(q.end, as_of)
        in_force = {pid: budget_in_force(b, changes[pid], at) or 0.0 if pid in changes else b
                    for pid, b in budgets.items()}
        total_budget = sum(in_force.values())
        for pid, b in in_force.items():
            plan = plans.get(pid, [])
            if has_plan(plan):
                pct = expected_cumulative_pct(plan, q.end, y, settings.interpolate_plan) or 0.0
            else:
                pct = share * 100.0
            planned += b * pct / 100.0
        reported = {pid: v for pid, v in spent[i].items() if v is not None and v == v}
        actual = round(sum(reported.values()), 2) if reported and q.end <= as_of else None
        rows.append({
            "period_end": q.end, "label": _QUARTER_LABELS[q.index], "planned_wan": round(planned, 2),
            "actual_wan": actual, "time_pct": round(share * 100.0, 1), "time_wan": round(total_budget * share, 2),
            "reported": len(reported) if q.end <= as_of else 0, "projects": len(budgets),
        })
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


class ProjectNotFound(LookupError):
    pass


def project_ids_by_name(engine: Engine, year: int | None, name: str) -> list[int]:
    """Ids of the project called ``name`` (exact, then a unique partial match). Raises
    ``ProjectNotFound`` with a Chinese message naming the candidates."""
    needle = (name or "").strip()
    with Session(engine) as s:
        fy = year_id(s, year)
        if fy is None:
            raise ProjectNotFound("数据库中还没有绩效目标，请先导入")
        rows = s.execute(select(Project.id, Project.name).where(Project.fiscal_year_id == fy[0])
                         .order_by(Project.seq, Project.id)).all()
    exact = [pid for pid, n in rows if n == needle]
    if exact:
        return exact
    partial = [(pid, n) for pid, n in rows if needle and needle in n]
    if len(partial) == 1:
        return [partial[0][0]]
    if partial:
        names = "、".join(n for _, n in partial[:10])
        raise ProjectNotFound(f"项目名称「{needle}」不唯一，可能是：{names}")
    raise ProjectNotFound(f"未找到项目：{needle}")
