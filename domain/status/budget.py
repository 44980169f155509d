"""Budget execution status (docs/rules.md §3): 执行率 against the plan or 序时进度, over budget,
the projected year-end 执行率. The budget judged is the one in force at the as-of date (an adjusted
budget is an input, §3.4); the reason then names both."""

from __future__ import annotations

from datetime import date

from domain.periods import expected_cumulative_pct
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status.adjusted import budget_note
from domain.status.model import BudgetStatus, Context, ProjectInput
from domain.status.words import AMBER, EPS, GREEN, GREY, MISSING, RED, SEVERITY, fmt_band


def evaluate_budget(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                    year: int | None = None) -> BudgetStatus:
    return budget_status(project, Context(as_of, settings, year))


def _expected(p: ProjectInput, c: Context) -> tuple[float, str, str, str]:
    """(expected cumulative percent, source, its text for the reason, what the ratio is "of")."""
    exp = expected_cumulative_pct(p.plan, c.as_of, c.year, c.interpolate) if p.plan else None
    if exp is None or not any((pt.cumulative_pct or 0) > 0 for pt in p.plan):
        return c.time_pct, "time", f"序时进度{c.time_pct:.1f}%（无支出计划）", "序时进度"
    if c.interpolate:
        return exp, "interpolated", f"计划（插值）{exp:.1f}%", "计划"
    return exp, "plan", f"计划{exp:.1f}%", "计划"


def _entered(value: float | None) -> float | None:
    return None if value is None or value != value else value  # NaN means "not entered"


def _over(amount: float, budget: float) -> bool:
    return amount > budget + min(1e-6, budget * 1e-9)  # 0.01元, relative for tiny budgets


def budget_status(p: ProjectInput, c: Context) -> BudgetStatus:
    b = _budget_status(p, c)
    note = budget_note(p)
    if note:
        b.reason += note
    return b


def _budget_status(p: ProjectInput, c: Context) -> BudgetStatus:
    budget = p.budget_wan
    if budget is None or budget <= 0:
        return BudgetStatus(GREY, "预算数为0或未填，不评价执行率")

    exp, source, exp_text, of = _expected(p, c)
    spent = _entered(p.spent_wan)
    projected = _entered(p.projected_spent_wan)
    proj_pct = projected / budget * 100.0 if projected is not None else None
    day = c.day

    if spent is None:
        if exp <= EPS or not c.due:
            why = "未到计划支出期" if exp <= EPS else "未到首个填报期"
            return BudgetStatus(GREY, f"截至{day}{why}（{exp_text}），尚未填报支出",
                                None, exp, None, source, proj_pct)
        return BudgetStatus(MISSING, f"截至{day}未填报累计支出（{exp_text}）",
                            None, exp, None, source, proj_pct, needs_reason=False)

    rate = spent / budget
    rate_pct = rate * 100.0
    if _over(spent, budget):
        return BudgetStatus(
            RED,
            f"截至{day}累计支出{spent:.2f}万元超过预算{budget:.2f}万元（执行率{rate_pct:.1f}%）",
            rate_pct, exp, None, source, proj_pct, over_budget=True, needs_reason=True)

    if exp <= EPS:
        status = GREY
        ratio = None
        reason = f"截至{day}未到计划支出期（计划累计0%），执行率{rate_pct:.1f}%"
    else:
        ratio = round(rate_pct / exp, 3)
        status, band = _band(ratio, c)
        reason = f"截至{day}执行率{rate_pct:.1f}%，{exp_text}，{'仅' if status == RED else ''}达{of}的{ratio * 100:.1f}%（{band}）"

    status, needs_reason, reason = _year_end(status, reason, rate, projected, proj_pct, budget, c)
    return BudgetStatus(status, reason, rate_pct, exp, ratio, source, proj_pct, False, needs_reason)


def _band(ratio: float, c: Context) -> tuple[str, str]:
    if ratio < c.b_red:
        return RED, f"<{fmt_band(c.b_red)}"
    if ratio < c.b_green:
        return AMBER, f"{fmt_band(c.b_red)}–{fmt_band(c.b_green)}"
    return GREEN, f"≥{fmt_band(c.b_green)}"


def _year_end(status: str, reason: str, rate: float, projected: float | None, proj_pct: float | None,
              budget: float, c: Context) -> tuple[str, bool, str]:
    """The year-end floor: at year end on the actual 执行率, before it on the projection (which may
    also exceed the budget). Returns (status, needs_reason, reason)."""
    needs_reason = status in (RED, AMBER)
    if c.year_end:
        if rate < c.floor - EPS:
            needs_reason = True
            reason += f"；年末执行率低于{fmt_band(c.floor)}，须说明原因"
    elif projected is not None:
        if _over(projected, budget):
            status = RED
            needs_reason = True
            reason += f"；全年预计执行数{projected:.2f}万元超过预算{budget:.2f}万元"
        elif proj_pct is not None and proj_pct < c.floor * 100.0 - EPS:
            needs_reason = True
            if SEVERITY[status] < SEVERITY[AMBER]:
                status = AMBER
            reason += f"；全年预计执行率{proj_pct:.1f}%，低于{fmt_band(c.floor)}"
    return status, needs_reason, reason
