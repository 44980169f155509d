"""What the reasons say about adjusted budgets and targets (docs/rules.md §3.4, §4.10).

The adjustments themselves are inputs: ``ProjectInput.budget_wan`` is already the budget in force at the
as-of date and ``IndicatorInput.target`` the target in force; the rules judge them like any other
budget or target. These notes only keep the originals visible wherever a reason is shown."""

from __future__ import annotations

from domain.periods import format_day, parse_period
from domain.status.model import IndicatorInput, ProjectInput, TargetChange
from domain.status.words import STATUS_LABELS


def budget_note(p: ProjectInput) -> str:
    """'；按调整后预算120.00万元计算（年初预算100.00万元）', or '' when the budget is not adjusted."""
    if p.initial_budget_wan is None or p.budget_wan is None:
        return ""
    return f"；按调整后预算{p.budget_wan:.2f}万元计算（年初预算{p.initial_budget_wan:.2f}万元）"


def prior_text(change: TargetChange) -> str:
    """'调整前2024年第二季度为红', or '' when the indicator was not red or amber then."""
    if not change.after_warning or change.prior_status is None:
        return ""
    period = change.prior_period or ""
    try:
        period = parse_period(period).label if period else ""
    except ValueError:
        pass
    return f"调整前{period}为{STATUS_LABELS[change.prior_status]}"


def target_note(ind: IndicatorInput, year: int | None = None) -> str:
    """'；目标自8月1日起由≥3000人调整为≥2500人（调整前2024年第二季度为红）', or ''."""
    c = ind.target_change
    if c is None:
        return ""
    text = (f"；目标自{format_day(c.effective, year)}起由{c.original.raw.strip()}"
            f"调整为{ind.target.raw.strip()}")
    prior = prior_text(c)
    return text + (f"（{prior}）" if prior else "")


def target_text(ind: IndicatorInput) -> str:
    """The target in force as shown in tables: '≥2500人（年初≥3000人）' when adjusted, else '≥3000人'."""
    raw = ind.target.raw.strip()
    c = ind.target_change
    return f"{raw}（年初{c.original.raw.strip()}）" if c is not None else raw


def change_summary(ind: IndicatorInput, year: int | None = None) -> str:
    """One cell on the adjustment of the target in force, the flag first: '调整前2024年第三季度为红；8月1日起
    ≥3000人→≥2500人；原因：…；依据：…'; '' when the target was not adjusted."""
    c = ind.target_change
    if c is None:
        return ""
    parts = [prior_text(c), f"{format_day(c.effective, year)}起{c.original.raw.strip()}→{ind.target.raw.strip()}"]
    if c.reason:
        parts.append(f"原因：{c.reason}")
    if c.approval:
        parts.append(f"依据：{c.approval}")
    return "；".join(p for p in parts if p)
