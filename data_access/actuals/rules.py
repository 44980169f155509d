"""What the 填报 grid needs to judge rows while they are typed, read once per editor.

Definitions chosen here:

* :class:`EntryRules` holds, for the rows of one editor, the status-engine inputs without entered
  values (indicator targets and project budgets in force at the period end, plans), the previous
  period's cumulative spending, the period end, the fiscal year, the rule settings and how many evidence
  files each indicator has for the period (``domain.evidence``'s rules ask for one). It is a plain
  frozen value: the editor keeps it with its snapshot and asks ``domain.entry_todo`` about each edited
  row, without a query per edit.
* :func:`indicator_todo_of` / :func:`spending_todo_of` judge one row of values (field key -> what is
  stored or typed); an id the rules do not know needs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.actuals.access import load_period, settings_of
from data_access.actuals.lookups import indicator_input, plans_of, previous_spending
from data_access.adjustments import apply_all, load_changes
from data_access.models import EvidenceFile, Indicator, Period, Project
from data_access.permissions import Principal, visible_project_filter
from domain import entry_todo as T
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import IndicatorInput, ProjectInput


@dataclass(frozen=True, slots=True)
class EntryRules:
    as_of: date
    year: int
    settings: Settings = DEFAULT_SETTINGS
    indicators: Mapping[int, IndicatorInput] = field(default_factory=dict)
    projects: Mapping[int, ProjectInput] = field(default_factory=dict)
    previous_spent: Mapping[int, float | None] = field(default_factory=dict)
    evidence: Mapping[int, int] = field(default_factory=dict)  # indicator id -> files for the period


def evidence_counts(s: Session, period_code: str, indicator_ids: Sequence[int]) -> dict[int, int]:
    """Evidence files per indicator for one period (indicators without a file are absent)."""
    if not indicator_ids:
        return {}
    q = (select(EvidenceFile.indicator_id, func.count()).where(
        EvidenceFile.period_code == period_code, EvidenceFile.indicator_id.in_(list(indicator_ids)))
        .group_by(EvidenceFile.indicator_id))
    return {int(i): int(n) for i, n in s.execute(q).all()}


def entry_rules(engine: Engine, principal: Principal | None, period_code: str,
                project_ids: Sequence[int] | None = None) -> EntryRules | None:
    """The rules for the projects the principal may see (optionally only ``project_ids``), in seven
    queries; None for an unknown period."""
    with Session(engine) as s:
        found = load_period(s, period_code, lock=False)
        if found is None:
            return None
        period, year = found
        return rules_in(s, principal, period, year, project_ids)


def rules_in(s: Session, principal: Principal | None, period: Period, year: int,
             project_ids: Sequence[int] | None = None) -> EntryRules:
    """:func:`entry_rules` inside the caller's session (a submission judges its projects in its own
    transaction), with the budget and the targets in force at the period's end."""
    q = select(Project).where(Project.fiscal_year_id == period.fiscal_year_id)
    f = visible_project_filter(principal)
    if f is not None:
        q = q.where(f)
    if project_ids is not None:
        q = q.where(Project.id.in_(list(project_ids)))
    projects = list(s.execute(q).scalars())
    pids = [p.id for p in projects]
    plans = plans_of(s, pids)
    inds = list(s.execute(select(Indicator).where(Indicator.project_id.in_(pids))).scalars()) if pids else []
    budgets, targets = apply_all(
        {p.id: ProjectInput(id=p.id, name=p.name, budget_wan=p.budget_wan, plan=plans.get(p.id, []))
         for p in projects},
        {i.id: indicator_input(i) for i in inds}, load_changes(s, pids), period.end)
    return EntryRules(
        as_of=period.end, year=year, settings=settings_of(s), indicators=targets, projects=budgets,
        previous_spent=previous_spending(s, pids, period.fiscal_year_id, period.end) if pids else {},
        evidence=evidence_counts(s, period.code, [i.id for i in inds]),
    )


def indicator_todo_of(rules: EntryRules, indicator_id: int, values: Mapping[str, Any]) -> T.RowTodo:
    template = rules.indicators.get(indicator_id)
    if template is None:
        return T.RowTodo()
    return T.indicator_todo(values, template, rules.as_of, rules.settings, rules.year,
                            evidence_files=rules.evidence.get(indicator_id, 0))


def spending_todo_of(rules: EntryRules, project_id: int, values: Mapping[str, Any]) -> T.RowTodo:
    template = rules.projects.get(project_id)
    if template is None:
        return T.RowTodo()
    return T.spending_todo(values, template, rules.as_of, rules.settings, rules.year,
                           rules.previous_spent.get(project_id))


__all__ = ["EntryRules", "entry_rules", "rules_in", "evidence_counts", "indicator_todo_of", "spending_todo_of"]
