"""What a data-entry row must explain (docs/rules.md §5). Nothing else decides this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.status.model import BudgetStatus, IndicatorStatus
from domain.status.words import (
    AMBER,
    BLUE,
    IMPOSSIBLE,
    LIKELIHOODS,
    MISSING,
    POSSIBLE,
    REASON_CATEGORIES,
    RED,
    normalise_likelihood,
)


@dataclass(frozen=True, slots=True)
class ExplanationRequirements:
    """Which fields a data-entry row must fill (docs/rules.md §5). Nothing else decides this."""

    value: bool = False  # 当前完成值 (the row is 'missing')
    reasons: bool = False  # 偏差原因分析: at least one category
    explanation: bool = False  # 说明
    likelihood: bool = False  # 完成目标可能性
    measures: bool = False  # 纠偏措施

    @property
    def any(self) -> bool:
        return self.value or self.reasons or self.explanation or self.likelihood or self.measures


def explanation_requirements(status: str | IndicatorStatus, likelihood: str | None = None,
                             overachieved: bool = False) -> ExplanationRequirements:
    """What must be explained for a row.

    * amber / red -> 偏差原因 + 说明 + 完成目标可能性;
    * 完成目标可能性 有可能 / 完全不可能 -> 纠偏措施 (完全不可能 also makes the row red);
    * blue or over-achieved (Hebei rule) -> 说明;
    * missing -> the value itself.

    ``status`` may be an ``IndicatorStatus`` (then its likelihood and over-achievement are used
    unless given).
    """
    if isinstance(status, IndicatorStatus):
        if likelihood is None:
            likelihood = status.indicator.likelihood
        overachieved = overachieved or status.overachieved
        status = status.status
    lk = normalise_likelihood(likelihood)
    deviates = status in (AMBER, RED) or lk == IMPOSSIBLE
    return ExplanationRequirements(
        value=status == MISSING,
        reasons=deviates,
        explanation=deviates or status == BLUE or overachieved,
        likelihood=deviates,
        measures=lk in (POSSIBLE, IMPOSSIBLE),
    )


def check_explanations(req: ExplanationRequirements, *, reasons: Sequence[str] | None = None,
                       explanation: str | None = None, likelihood: str | None = None,
                       measures: str | None = None, value_entered: bool = True) -> list[str]:
    """Chinese messages naming each missing or invalid field; empty when the row is complete."""
    errors: list[str] = []
    if req.value and not value_entered:
        errors.append("当前完成值：已到填报期，须填写")
    reasons = [r for r in (reasons or ()) if r and str(r).strip()]
    bad = [r for r in reasons if r not in REASON_CATEGORIES]
    if bad:
        errors.append(f"偏差原因分析：不认识「{'、'.join(bad)}」，可选 {'/'.join(REASON_CATEGORIES)}")
    if req.reasons and not reasons:
        errors.append("偏差原因分析：黄色或红色指标须至少选择一项")
    if req.explanation and not (explanation and explanation.strip()):
        errors.append("说明：黄色、红色或超额完成的指标须填写说明")
    if likelihood not in (None, "") and normalise_likelihood(likelihood) is None:
        errors.append(f"完成目标可能性：不认识「{likelihood}」，可选 {'/'.join(LIKELIHOODS)}")
    elif req.likelihood and not likelihood:
        errors.append("完成目标可能性：黄色或红色指标须选择")
    if req.measures and not (measures and measures.strip()):
        errors.append("纠偏措施：完成目标可能性为“有可能”或“完全不可能”时须填写")
    return errors


def budget_explanation_required(budget: BudgetStatus) -> bool:
    """A project's budget row needs a reason: amber/red, or a (projected) year-end 执行率 below
    the floor (docs/rules.md §3.3: a year-end 执行率 below ``year_end_execution_floor`` needs a reason)."""
    return budget.needs_reason
