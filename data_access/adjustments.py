"""Reads of the budget and target adjustments, and how they make the status engine's inputs.

The engine judges the budget and the target *in force at the as-of date* (docs/rules.md §3.4, §4.10):
``load_changes`` reads every adjustment of a set of projects once (two queries, whatever their number;
withdrawn entries are left out), and ``apply_budget`` / ``apply_target`` turn an input built from the
imported values into the one in force at a date. ``data_access.monitoring.load_inputs`` (every page and
export) and the 填报 paths (``data_access.actuals``) both go through them, so the entry grid asks for
explanations against the same numbers the pages show. ``adjustment_frames`` lists one project's entries
for 项目详情. The writes are in ``data_access.adjusting``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from data_access.models import BudgetAdjustment, Indicator, Project, TargetAdjustment
from domain.adjustments import BudgetChange, budget_in_force, in_force
from domain.clock import format_time, to_local
from domain.periods import parse_period
from domain.status import STATUS_LABELS, IndicatorInput, ProjectInput, TargetChange
from domain.targets import Target


@dataclass(frozen=True, slots=True)
class TargetEntry:
    """One stored target adjustment: the target it sets and where it comes from."""

    id: int
    effective: date
    target: Target
    change: TargetChange


@dataclass(frozen=True)
class Changes:
    """Every adjustment of some projects: project id -> budget changes, indicator id -> target entries
    (in effective order). Read once, applied at any number of dates."""

    budgets: Mapping[int, tuple[BudgetChange, ...]] = field(default_factory=dict)
    targets: Mapping[int, tuple[TargetEntry, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.budgets or self.targets)


NO_CHANGES = Changes()


def load_changes(conn, project_ids, *, targets: bool = True) -> Changes:
    """The adjustments of the projects ``project_ids`` (a list, or a scalar subquery of project ids) in
    two queries (one with ``targets=False``: the budget adjustments only). ``conn``: a connection or a
    session."""
    budgets: dict[int, list[BudgetChange]] = defaultdict(list)
    B = BudgetAdjustment
    for pid, bid, on, kind, fund, amount, reason, doc in conn.execute(
        select(B.project_id, B.id, B.adjusted_on, B.kind, B.fund_source, B.amount_wan, B.reason, B.document_no)
        .where(B.project_id.in_(project_ids), B.withdrawn_at.is_(None))
        .order_by(B.project_id, B.adjusted_on, B.id)
    ).all():
        budgets[pid].append(BudgetChange(on, kind, fund, amount, reason or "", doc or "", bid))
    if not targets:
        return Changes({k: tuple(v) for k, v in budgets.items()})
    T, I = TargetAdjustment, Indicator  # noqa: E741 - short aliases keep the one query readable
    entries: dict[int, list[TargetEntry]] = defaultdict(list)
    originals: dict[int, Target] = {}
    for (iid, tid, effective, text, kind, op, value, unit, deadline, start, reason, approval, approved_by,
         approved_at, prior, prior_period, *orig) in conn.execute(
        select(T.indicator_id, T.id, T.effective_on, T.target_text, T.kind, T.op, T.value, T.unit, T.deadline,
               T.start, T.reason, T.approval, T.approved_by, T.approved_at, T.prior_status, T.prior_period,
               I.target_text, I.kind, I.op, I.value, I.unit, I.deadline, I.start)
        .join(I, I.id == T.indicator_id)
        .where(I.project_id.in_(project_ids), T.withdrawn_at.is_(None))
        .order_by(T.indicator_id, T.effective_on, T.id)
    ).all():
        original = originals.get(iid)
        if original is None:
            original = originals[iid] = Target(raw=orig[0], kind=orig[1], op=orig[2], value=orig[3], unit=orig[4],
                                               deadline=orig[5], start=orig[6])
        local = to_local(approved_at)
        change = TargetChange(original, effective, reason or "", approval or "", approved_by or "",
                              local.date() if local else None, prior, prior_period)
        target = Target(raw=text, kind=kind, op=op, value=value, unit=unit, deadline=deadline, start=start)
        entries[iid].append(TargetEntry(tid, effective, target, change))
    return Changes({k: tuple(v) for k, v in budgets.items()}, {k: tuple(v) for k, v in entries.items()})


def target_entry_at(entries: Iterable[TargetEntry], as_of: date) -> TargetEntry | None:
    """The adjustment in force at ``as_of`` (the latest effective on or before it), or None."""
    return in_force(((e.effective, e.id, e) for e in entries), as_of)


def apply_budget(p: ProjectInput, changes: Changes, as_of: date) -> ProjectInput:
    """``p`` with the budget in force at ``as_of`` (and its 年初预算数 kept) when it was adjusted by then."""
    mine = changes.budgets.get(p.id)
    if not mine or not any(c.on <= as_of for c in mine):
        return p
    initial = p.original_budget_wan
    return replace(p, budget_wan=budget_in_force(initial, mine, as_of), initial_budget_wan=initial or 0.0)


def apply_target(ind: IndicatorInput, changes: Changes, as_of: date) -> IndicatorInput:
    """``ind`` judged against the target in force at ``as_of`` when one was adjusted by then."""
    entries = changes.targets.get(ind.id)
    if not entries:
        return ind
    e = target_entry_at(entries, as_of)
    if e is None:
        return ind
    return replace(ind, target=e.target, target_change=e.change)


def apply_all(projects: Mapping[Any, ProjectInput], indicators: Mapping[Any, IndicatorInput],
              changes: Changes, as_of: date) -> tuple[dict[Any, ProjectInput], dict[Any, IndicatorInput]]:
    """Both maps with the budgets and targets in force at ``as_of`` (the 填报 paths)."""
    if not changes:
        return dict(projects), dict(indicators)
    return ({k: apply_budget(p, changes, as_of) for k, p in projects.items()},
            {k: apply_target(i, changes, as_of) for k, i in indicators.items()})


BUDGET_COLUMNS = ["_id", "_active", "调整日期", "类型", "资金来源", "金额（万元）", "文号", "调整原因", "录入人", "录入时间",
                  "状态"]
TARGET_COLUMNS = ["_id", "_active", "_indicator_id", "三级指标", "生效日期", "原指标值", "调整后指标值", "调整原因",
                  "批准依据", "批准人", "批准时间", "调整前状态", "状态"]


def _state(withdrawn_at, by, reason) -> str:
    if withdrawn_at is None:
        return "有效"
    return f"已撤销（{by or ''}，{format_time(withdrawn_at)}：{reason or ''}）"


def _prior(status: str | None, period: str | None) -> str:
    if not status:
        return "无数据"
    try:
        label = parse_period(period).label if period else ""
    except ValueError:
        label = period or ""
    return f"{STATUS_LABELS.get(status, status)}（{label}）" if label else STATUS_LABELS.get(status, status)


def adjustment_frames(engine, project_id: int, project_filter=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(budget adjustments, target adjustments) of one project, withdrawn ones included, in date order —
    for 项目详情. Empty frames when the project does not exist or ``project_filter`` hides it."""
    B, T, I = BudgetAdjustment, TargetAdjustment, Indicator  # noqa: E741 - short aliases
    with Session(engine) as s:
        q = select(Project.id).where(Project.id == project_id)
        if project_filter is not None:
            q = q.where(project_filter)
        if s.execute(q).first() is None:
            return pd.DataFrame(columns=BUDGET_COLUMNS), pd.DataFrame(columns=TARGET_COLUMNS)
        budgets = [{
            "_id": b.id, "_active": b.withdrawn_at is None, "调整日期": b.adjusted_on.isoformat(), "类型": b.kind,
            "资金来源": b.fund_source, "金额（万元）": round(b.amount_wan, 2), "文号": b.document_no or "",
            "调整原因": b.reason or "", "录入人": b.created_by, "录入时间": format_time(b.created_at),
            "状态": _state(b.withdrawn_at, b.withdrawn_by, b.withdraw_reason),
        } for b in s.execute(select(B).where(B.project_id == project_id).order_by(B.adjusted_on, B.id)).scalars()]
        targets = [{
            "_id": t.id, "_active": t.withdrawn_at is None, "_indicator_id": t.indicator_id, "三级指标": level3,
            "生效日期": t.effective_on.isoformat(), "原指标值": t.previous_text, "调整后指标值": t.target_text,
            "调整原因": t.reason or "", "批准依据": t.approval or "", "批准人": t.approved_by,
            "批准时间": format_time(t.approved_at), "调整前状态": _prior(t.prior_status, t.prior_period),
            "状态": _state(t.withdrawn_at, t.withdrawn_by, t.withdraw_reason),
        } for t, level3 in s.execute(select(T, I.level3).join(I, I.id == T.indicator_id)
                                      .where(I.project_id == project_id).order_by(T.effective_on, T.id)).all()]
    return pd.DataFrame(budgets, columns=BUDGET_COLUMNS), pd.DataFrame(targets, columns=TARGET_COLUMNS)


__all__ = ["BUDGET_COLUMNS", "TARGET_COLUMNS", "adjustment_frames", "TargetEntry", "Changes", "NO_CHANGES",
           "load_changes", "target_entry_at",
           "apply_budget", "apply_target", "apply_all"]
