"""Reads shared by saving and the editor frames: status-engine inputs and values of earlier periods.

Definitions chosen here:

* "The previous value" of an indicator or a project is the one of the latest earlier period of the same
  fiscal year that has a value (a quarter and the month ending it are ranked by end date, then by who
  saved last).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from data_access.models import Indicator, Period, PlanCheckpoint, SpendingActual
from domain.clock import aware
from domain.status import IndicatorInput, PlanPoint
from domain.targets import Target


def target_of(ind: Indicator) -> Target:
    return Target(raw=ind.target_text, kind=ind.kind, op=ind.op, value=ind.value, unit=ind.unit,
                  deadline=ind.deadline, start=ind.start)


def indicator_input(ind: Indicator) -> IndicatorInput:
    return IndicatorInput(id=ind.id, level1=ind.level1, level2=ind.level2, level3=ind.level3,
                          target=target_of(ind), accumulates=ind.accumulates, direction=ind.direction)


def period_ends(s: Session, fiscal_year_id: int) -> dict[str, date]:
    return {c: e for c, e in s.execute(select(Period.code, Period.end).where(Period.fiscal_year_id == fiscal_year_id))}


def earlier_codes(ends: Mapping[str, date], period_end: date) -> dict[str, date]:
    return {c: e for c, e in ends.items() if e < period_end}


def latest_by(rows: Iterable[tuple[int, str, datetime | None, Any]], ends: Mapping[str, date]) -> dict[int, Any]:
    """key -> value of the latest period (then the latest saved) among (key, code, updated_at, value)."""
    best: dict[int, tuple] = {}
    for key, code, at, value in rows:
        rank = (ends.get(code, date.min), aware(at) or datetime.min.replace(tzinfo=UTC))
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    return {k: v for k, (_, v) in best.items()}


def plans_of(s: Session, project_ids: Iterable[int]) -> dict[int, list[PlanPoint]]:
    plans: dict[int, list[PlanPoint]] = defaultdict(list)
    for pid, label, due, pct in s.execute(
        select(PlanCheckpoint.project_id, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
        .where(PlanCheckpoint.project_id.in_(sorted(set(project_ids))))
        .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
    ):
        plans[pid].append(PlanPoint(label, due, pct))
    return plans


def previous_spending(s: Session, project_ids: Iterable[int], fiscal_year_id: int, period_end: date
                       ) -> dict[int, float | None]:
    ends = period_ends(s, fiscal_year_id)
    earlier = earlier_codes(ends, period_end)
    if not earlier:
        return {}
    rows = s.execute(
        select(SpendingActual.project_id, SpendingActual.period_code, SpendingActual.updated_at,
               SpendingActual.spent_wan)
        .where(SpendingActual.project_id.in_(sorted(set(project_ids))),
               SpendingActual.period_code.in_(sorted(earlier)), SpendingActual.spent_wan.is_not(None))
    ).all()
    return latest_by(rows, ends)
