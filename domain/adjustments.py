"""Budget and target adjustments (预算调整, 指标调整): what an entry must satisfy and what is in force at
a date (docs/rules.md §3.4, §4.10). Pure: no database.

Definitions chosen here:

* **A budget adjustment** is a dated change of one fund source (财政资金 / 其他资金) of one project:
  追加 adds (amount > 0), 调减 removes (amount < 0), 调剂 moves money in or out (amount ≠ 0, its sign
  says which). The amount is stored signed, in 万元.
* **The budget in force at a date** (调整后预算数) = 年初预算数 + every adjustment dated on or before it.
  An adjustment after the as-of date does not exist yet for that date: history stays as it was.
* **Budgets never go below zero**: the running total — and the fund source's own amount, where the target
  document gave the split — must stay ≥ 0 at every adjustment date, in date order.
* **A target adjustment** replaces an indicator's annual value from its effective date on; the imported
  value (年初指标值) is never changed. The new value must be of the same kind as the original (a number
  stays a number, with the same unit and direction; a deadline stays a deadline), because a different
  measure is a new indicator, not an adjustment. The target in force at a date is that of the latest
  adjustment effective on or before it (the latest approved on a tie).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.hygiene import number_problem
from domain.targets import DEADLINE, NUMERIC, Target

ADD, CUT, SHIFT = "追加", "调减", "调剂"
BUDGET_KINDS = (ADD, CUT, SHIFT)
FISCAL, OTHER = "财政资金", "其他资金"
FUND_SOURCES = (FISCAL, OTHER)
MAX_REASON = 500
MAX_DOCUMENT = 200
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class BudgetChange:
    """One stored budget adjustment (``amount_wan`` signed)."""

    on: date
    kind: str
    fund: str
    amount_wan: float
    reason: str = ""
    document_no: str = ""
    id: Any = None


def changes_until(changes: Iterable[BudgetChange], as_of: date) -> list[BudgetChange]:
    """The adjustments dated on or before ``as_of``, in date order."""
    return sorted((c for c in changes if c.on <= as_of), key=lambda c: (c.on, c.id is None, c.id or 0))


def budget_in_force(initial: float | None, changes: Iterable[BudgetChange], as_of: date) -> float | None:
    """调整后预算数 at ``as_of`` (None when the project has no budget and nothing was adjusted)."""
    done = changes_until(changes, as_of)
    if not done:
        return initial
    return round((initial or 0.0) + sum(c.amount_wan for c in done), 6)


@dataclass(frozen=True, slots=True)
class FundAmounts:
    """年初 and 调整后 amounts of the whole budget and of each fund source (None: not known)."""

    initial: float | None
    adjusted: float | None
    fiscal_initial: float | None
    other_initial: float | None
    fiscal_adjusted: float | None
    other_adjusted: float | None
    changed: bool


def fund_amounts(initial: float | None, fiscal: float | None, other: float | None,
                 changes: Iterable[BudgetChange], as_of: date) -> FundAmounts:
    """The budget block of the official tables at ``as_of``. A fund split the target document did not
    give stays unknown (None) before and after; a source the document left out while giving the other is
    the rest of the budget."""
    done = changes_until(changes, as_of)
    if fiscal is None and other is not None and initial is not None:
        fiscal = max(0.0, initial - other)
    if other is None and fiscal is not None and initial is not None:
        other = max(0.0, initial - fiscal)
    delta = {src: sum(c.amount_wan for c in done if c.fund == src) for src in FUND_SOURCES}
    adjusted = budget_in_force(initial, done, as_of)
    return FundAmounts(
        initial, adjusted, fiscal, other,
        None if fiscal is None else round(fiscal + delta[FISCAL], 6),
        None if other is None else round(other + delta[OTHER], 6),
        bool(done),
    )


def check_budget_change(kind: str, fund: str, amount: float | None, on: date | None, reason: str,
                        year: int, initial: float | None, fiscal: float | None, other: float | None,
                        existing: Sequence[BudgetChange] = (), document_no: str = "") -> list[str]:
    """Chinese problems of a new adjustment (empty: acceptable). ``existing``: the project's stored
    adjustments; ``fiscal``/``other``: the document's fund split (None: not given)."""
    errors = []
    if kind not in BUDGET_KINDS:
        errors.append(f"调整类型须为{'、'.join(BUDGET_KINDS)}之一")
    if fund not in FUND_SOURCES:
        errors.append(f"资金来源须为{'、'.join(FUND_SOURCES)}之一")
    problem = number_problem(amount, "调整金额") if amount is not None else "调整金额：请填写"
    if problem:
        errors.append(problem)
    elif amount is not None:
        if kind == ADD and amount <= EPS:
            errors.append("追加金额应为正数")
        elif kind == CUT and amount >= -EPS:
            errors.append("调减金额应为负数（如-20表示调减20万元）")
        elif kind == SHIFT and abs(amount) <= EPS:
            errors.append("调剂金额不能为0（调入填正数，调出填负数）")
    if on is None:
        errors.append("调整日期：请填写")
    elif on.year != year:
        errors.append(f"调整日期须在{year}年度内")
    if not reason.strip():
        errors.append("调整原因：请填写")
    elif len(reason) > MAX_REASON:
        errors.append(f"调整原因：最多{MAX_REASON}字（当前{len(reason)}字）")
    if len(document_no) > MAX_DOCUMENT:
        errors.append(f"文号：最多{MAX_DOCUMENT}字")
    if errors or amount is None or on is None:
        return errors
    new = BudgetChange(on, kind, fund, amount)
    return _never_negative(initial, fiscal, other, [*existing, new])


def _never_negative(initial: float | None, fiscal: float | None, other: float | None,
                    changes: Sequence[BudgetChange]) -> list[str]:
    """The running budget (and a known fund source) must stay ≥ 0 at every adjustment date."""
    for c in sorted(changes, key=lambda c: (c.on, c.id is None, c.id or 0)):
        f = fund_amounts(initial, fiscal, other, changes, c.on)
        if f.adjusted is not None and f.adjusted < -EPS:
            return [f"调整后预算数将为{f.adjusted:.2f}万元（{c.on.isoformat()}），不能小于0"]
        for label, value in ((FISCAL, f.fiscal_adjusted), (OTHER, f.other_adjusted)):
            if value is not None and value < -EPS:
                return [f"调整后{label}将为{value:.2f}万元（{c.on.isoformat()}），不能小于0"]
    return []


def check_target_change(original: Target, in_force: Target, new: Target, effective: date | None,
                        reason: str, approval: str, year: int) -> list[str]:
    """Chinese problems of a new target adjustment (empty: acceptable). ``in_force``: the target in
    force on the effective date before this adjustment."""
    errors = []
    if not new.raw.strip():
        errors.append("调整后指标值：请填写")
    elif original.kind == NUMERIC:
        if new.kind != NUMERIC or new.value is None:
            errors.append(f"调整后指标值「{new.raw}」不是数值目标；原指标值{original.raw.strip()}是数值，只能调整数值")
        elif (new.unit or "") != (original.unit or ""):
            errors.append(f"调整后指标值的单位（{new.unit or '无'}）与原指标值（{original.unit or '无'}）不一致")
        elif new.direction != original.direction:
            errors.append(f"调整后指标值「{new.raw}」改变了比较方向（原为{original.raw.strip()}），"
                          "方向不同应作为新指标处理")
    elif original.kind == DEADLINE and new.kind != DEADLINE:
        errors.append(f"调整后指标值「{new.raw}」不是期限；原指标值{original.raw.strip()}是期限，只能调整期限")
    if not errors and new.raw.strip() and _same(new, in_force):
        errors.append(f"调整后指标值与当前指标值（{in_force.raw.strip()}）相同")
    if effective is None:
        errors.append("生效日期：请填写")
    elif effective.year != year:
        errors.append(f"生效日期须在{year}年度内")
    if not reason.strip():
        errors.append("调整原因：请填写")
    elif len(reason) > MAX_REASON:
        errors.append(f"调整原因：最多{MAX_REASON}字（当前{len(reason)}字）")
    if not approval.strip():
        errors.append("批准文件或依据：请填写")
    elif len(approval) > MAX_DOCUMENT:
        errors.append(f"批准文件或依据：最多{MAX_DOCUMENT}字")
    return errors


def _same(a: Target, b: Target) -> bool:
    if a.kind == NUMERIC and b.kind == NUMERIC:
        return (a.op, a.value, a.unit) == (b.op, b.value, b.unit)
    if a.kind == DEADLINE and b.kind == DEADLINE:
        return (a.deadline, a.start) == (b.deadline, b.start)
    return "".join(a.raw.split()) == "".join(b.raw.split())


def in_force(changes: Iterable[tuple[date, int, Any]], as_of: date) -> Any:
    """The payload of the latest (effective date, order) entry effective on or before ``as_of``, or None."""
    best = None
    for effective, order, payload in changes:
        if effective <= as_of and (best is None or (effective, order) > best[:2]):
            best = (effective, order, payload)
    return None if best is None else best[2]


__all__ = ["ADD", "CUT", "SHIFT", "BUDGET_KINDS", "FISCAL", "OTHER", "FUND_SOURCES", "BudgetChange", "FundAmounts",
           "changes_until", "budget_in_force", "fund_amounts", "check_budget_change", "check_target_change",
           "in_force"]
