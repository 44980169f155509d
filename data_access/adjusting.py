"""Writes of the budget and target adjustments: record one, withdraw one (docs/rules.md §3.4, §4.10).

Every write is the administrator's (``by``, re-read in the transaction), one transaction, one or more
audit rows (who, when, old -> new) and a revision bump. The problems of an entry are refused with Chinese
messages (:class:`AdjustmentInvalid`) and nothing is written.

Definitions chosen here:

* **The status before a target adjustment** (``prior_status``) is the indicator's status for the latest
  period with data that ended on or before the day of approval, judged as it stood then (the target in
  force before this adjustment). It is recorded with the adjustment and never recomputed: it is what the
  pages showed when the target was changed. Red or amber there flags the adjustment.
* **Withdrawing** (撤销) a mistaken entry keeps the row with who withdrew it, when and why; it no longer
  counts from then on. Withdrawing a budget adjustment must not leave the running budget below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.adjustments import load_changes, target_entry_at
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import (
    AuditLog,
    BudgetAdjustment,
    FiscalYear,
    Indicator,
    Project,
    TargetAdjustment,
)
from data_access.monitoring import evaluate, periods_with_data
from data_access.permissions import Principal, require_admin
from domain.adjustments import BudgetChange, check_budget_change, check_target_change, fund_amounts
from domain.clock import today_local, utcnow
from domain.hygiene import clean_long_text, clean_name, strip_invisible
from domain.periods import parse_period
from domain.targets import Target, parse_target

BUDGET_ENTITY, TARGET_ENTITY = "budget_adjustment", "target_adjustment"


class AdjustmentInvalid(ValueError):
    """The entry was refused; ``errors`` are Chinese sentences, nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors))


def _text(value: object, label: str, limit: int = 500) -> str:
    try:
        return clean_long_text(value, label, limit)
    except ValueError as e:
        raise AdjustmentInvalid([str(e)]) from e


def _year_of(s: Session, fiscal_year_id: int) -> int:
    fy = s.get(FiscalYear, fiscal_year_id)
    assert fy is not None
    return fy.year


# --------------------------------------------------------------------------- budget


def add_budget_adjustment(engine: Engine, by: Principal | None, project_id: int, *, on: date | None, kind: str,
                          fund: str, amount_wan: float | None, reason: str, document_no: str = "") -> int:
    """Record one budget adjustment of ``project_id``; returns its id. Raises ``PermissionDenied`` or
    :class:`AdjustmentInvalid`."""
    username = require_admin(by).username
    reason = _text(reason, "调整原因")
    document_no = _text(strip_invisible(str(document_no or ""), multiline=False), "文号", 200)
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        p = s.get(Project, project_id)
        if p is None:
            raise AdjustmentInvalid(["项目不存在"])
        existing = load_changes(s, [project_id]).budgets.get(project_id, ())
        errors = check_budget_change(kind, fund, amount_wan, on, reason, _year_of(s, p.fiscal_year_id),
                                     p.budget_wan, p.fiscal_wan, p.other_wan, existing, document_no)
        if errors:
            raise AdjustmentInvalid(errors)
        assert on is not None and amount_wan is not None
        before = fund_amounts(p.budget_wan, p.fiscal_wan, p.other_wan, existing, date(on.year, 12, 31)).adjusted
        row = BudgetAdjustment(project_id=project_id, adjusted_on=on, kind=kind, fund_source=fund,
                               amount_wan=float(amount_wan), reason=reason, document_no=document_no,
                               created_by=username)
        s.add(row)
        s.flush()
        after = (before or 0.0) + float(amount_wan)
        s.add(AuditLog(username=username, action="create", entity=BUDGET_ENTITY, entity_id=project_id,
                       field="调整后预算数", old=f"{before or 0.0:.2f}", new=f"{after:.2f}",
                       detail=f"{p.name}：{on.isoformat()}{kind}{fund}{amount_wan:+.2f}万元；原因：{reason}"
                              + (f"；文号：{document_no}" if document_no else "")))
        bump_revision(s, Changed.projects([project_id]))
        assert row.id is not None
        return row.id


def withdraw_budget_adjustment(engine: Engine, by: Principal | None, adjustment_id: int, reason: str) -> None:
    """Withdraw (撤销) one budget adjustment with a reason; it no longer counts."""
    username = require_admin(by).username
    reason = _text(reason, "撤销原因")
    if not reason:
        raise AdjustmentInvalid(["撤销原因：请填写"])
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        row = s.get(BudgetAdjustment, adjustment_id)
        if row is None or row.withdrawn_at is not None:
            raise AdjustmentInvalid(["该预算调整不存在或已撤销"])
        p = s.get(Project, row.project_id)
        assert p is not None
        rest = [c for c in load_changes(s, [p.id]).budgets.get(p.id, ()) if c.id != row.id]
        for c in rest:
            f = fund_amounts(p.budget_wan, p.fiscal_wan, p.other_wan, rest, c.on)
            if (f.adjusted or 0.0) < -1e-6:
                raise AdjustmentInvalid([f"撤销后{c.on.isoformat()}的调整后预算数将为{f.adjusted:.2f}万元，不能小于0"])
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = utcnow(), username, reason
        s.add(AuditLog(username=username, action="withdraw", entity=BUDGET_ENTITY, entity_id=p.id,
                       field="预算调整", old=f"{row.adjusted_on.isoformat()}{row.kind}{row.fund_source}"
                                              f"{row.amount_wan:+.2f}万元", new="已撤销",
                       detail=f"{p.name}：撤销原因：{reason}"))
        bump_revision(s, Changed.projects([row.project_id]))


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class PriorStatus:
    status: str | None
    period: str | None
    reason: str


def prior_status(engine: Engine, indicator_id: int, project_id: int, year: int, today: date) -> PriorStatus:
    """The indicator's status for the latest period with data that ended by ``today`` (see the module
    docstring), judged as it stands before the new adjustment."""
    ended = [parse_period(c) for c in periods_with_data(engine, year)]
    ended = [p for p in ended if p.end <= today]
    if not ended:
        return PriorStatus(None, None, "")
    last = max(ended, key=lambda p: (p.end, p.kind == "quarter"))
    results = evaluate(engine, year, last.end, project_ids=[project_id])
    st = next((i for r in results for i in r.indicators if i.indicator.id == indicator_id), None)
    if st is None:
        return PriorStatus(None, None, "")
    return PriorStatus(st.status, last.key, st.reason)


def add_target_adjustment(engine: Engine, by: Principal | None, indicator_id: int, *, effective_on: date | None,
                          target_text: str, reason: str, approval: str, today: date | None = None) -> int:
    """Record a new annual value of ``indicator_id`` from ``effective_on``; returns its id. The status the
    indicator showed before is recorded with it. Raises ``PermissionDenied`` or :class:`AdjustmentInvalid`.

    Longer than 60 lines on purpose: validation, the prior status, the row and its audit row belong to
    one write and share the values read at its start."""
    require_admin(by)
    try:
        text = clean_name(target_text, "调整后指标值")
    except ValueError as e:
        raise AdjustmentInvalid([str(e)]) from e
    reason = _text(reason, "调整原因")
    approval = _text(strip_invisible(str(approval or ""), multiline=False), "批准文件或依据", 200)
    with Session(engine) as s:
        found = s.execute(select(Indicator, Project.fiscal_year_id).join(Project, Project.id == Indicator.project_id)
                          .where(Indicator.id == indicator_id)).first()
        if found is None:
            raise AdjustmentInvalid(["指标不存在"])
        ind, fy_id = found
        year = _year_of(s, fy_id)
        project_id = ind.project_id
    prior = prior_status(engine, indicator_id, project_id, year, today or today_local())
    with session_scope(engine) as s:
        take_write_lock(s)
        username = acting_principal(s, by).username
        ind = s.get(Indicator, indicator_id)
        if ind is None:
            raise AdjustmentInvalid(["指标不存在"])
        original = Target(raw=ind.target_text, kind=ind.kind, op=ind.op, value=ind.value, unit=ind.unit,
                          deadline=ind.deadline, start=ind.start)
        entries = load_changes(s, [ind.project_id]).targets.get(indicator_id, ())
        current = target_entry_at(entries, effective_on) if effective_on else None
        in_force = current.target if current else original
        new = parse_target(text, year)
        errors = check_target_change(original, in_force, new, effective_on, reason, approval, year)
        if errors:
            raise AdjustmentInvalid(errors)
        assert effective_on is not None
        row = TargetAdjustment(
            indicator_id=indicator_id, effective_on=effective_on, target_text=new.raw, kind=new.kind, op=new.op,
            value=new.value, unit=new.unit, deadline=new.deadline, start=new.start, previous_text=in_force.raw,
            reason=reason, approval=approval, approved_by=username, prior_status=prior.status,
            prior_period=prior.period, prior_reason=prior.reason)
        s.add(row)
        s.flush()
        s.add(AuditLog(username=username, action="create", entity=TARGET_ENTITY, entity_id=indicator_id,
                       field="指标值", old=in_force.raw, new=new.raw,
                       detail=f"「{ind.level3}」自{effective_on.isoformat()}起；原因：{reason}；依据：{approval}"
                              + (f"；调整前状态：{prior.status}（{prior.period}）" if prior.status else "")))
        bump_revision(s, Changed.projects([ind.project_id]))
        assert row.id is not None
        return row.id


def withdraw_target_adjustment(engine: Engine, by: Principal | None, adjustment_id: int, reason: str) -> None:
    """Withdraw (撤销) one target adjustment with a reason; the target before it is in force again."""
    username = require_admin(by).username
    reason = _text(reason, "撤销原因")
    if not reason:
        raise AdjustmentInvalid(["撤销原因：请填写"])
    with session_scope(engine) as s:
        take_write_lock(s)
        acting_principal(s, by)
        row = s.get(TargetAdjustment, adjustment_id)
        if row is None or row.withdrawn_at is not None:
            raise AdjustmentInvalid(["该指标调整不存在或已撤销"])
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = utcnow(), username, reason
        s.add(AuditLog(username=username, action="withdraw", entity=TARGET_ENTITY, entity_id=row.indicator_id,
                       field="指标值", old=row.target_text, new=row.previous_text,
                       detail=f"撤销{row.effective_on.isoformat()}起的指标调整；撤销原因：{reason}"))
        project_id = s.get(Indicator, row.indicator_id).project_id
        bump_revision(s, Changed.projects([project_id]))


__all__ = ["AdjustmentInvalid", "BudgetChange", "PriorStatus", "add_budget_adjustment", "withdraw_budget_adjustment",
           "prior_status", "add_target_adjustment", "withdraw_target_adjustment"]
