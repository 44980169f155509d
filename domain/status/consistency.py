"""Consistency checks between what staff reported (docs/rules.md §6.1): warnings, never refusals.

Definitions chosen here:

* **money** is a target unit of 元, 万元 or 亿元 without a "per" (3万元/块 is a unit cost, not an
  amount), compared in 万元;
* **cost above spending**: a 成本 indicator's reported amount (current or projected) above the
  project's reported spending (cumulative, or the 全年预计执行数 for the projection) — the cost of the
  project cannot exceed what it spent;
* **zero spending**: spending reported as 0 while a money indicator reports an amount above 0;
* **projection below current**: an accumulating count whose 全年预计完成值 is below the value already
  reached (a cumulative count cannot go down).

Each check returns Chinese sentences ending in 请核实; an empty list means nothing to check.
"""

from __future__ import annotations

from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status.indicators import indicator_mode
from domain.status.model import IndicatorInput, ProjectInput
from domain.status.words import ACCUMULATING, EPS, fmt_num, normalise_level

_TO_WAN = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}


def _entered(value: float | None) -> float | None:
    return None if value is None or value != value else value  # NaN: not entered


def money_wan(ind: IndicatorInput, value: float | None) -> float | None:
    """``value`` in 万元 when the indicator's unit is an amount of money, else None."""
    unit = ind.target.unit
    value = _entered(value)
    if value is None or unit not in _TO_WAN:
        return None
    return value * _TO_WAN[unit]


def _is_cost(ind: IndicatorInput) -> bool:
    return "成本" in normalise_level(ind.level2)


def cost_above_spending(project: ProjectInput) -> list[str]:
    """成本 indicators (money) reporting more than the project's reported spending."""
    out: list[str] = []
    pairs = ((lambda i: i.actual, "当前", _entered(project.spent_wan), "已报支出"),
             (lambda i: i.projected, "全年预计", _entered(project.projected_spent_wan), "全年预计执行数"))
    for ind in project.indicators:
        if not _is_cost(ind):
            continue
        for value_of, word, spent, spent_word in pairs:
            amount = money_wan(ind, value_of(ind))
            if amount is not None and spent is not None and amount > spent + 0.005:
                out.append(f"成本指标「{ind.level3.strip()}」{word}{fmt_num(amount, '万元')}，"
                           f"高于本项目{spent_word}{fmt_num(spent, '万元')}，请核实")
    return out


def zero_spending_with_amounts(project: ProjectInput) -> list[str]:
    """Spending reported as 0 while money indicators report amounts."""
    if _entered(project.spent_wan) is None or abs(project.spent_wan or 0.0) > EPS:
        return []
    named = [f"「{i.level3.strip()}」{fmt_num(a, '万元')}" for i in project.indicators
             if (a := money_wan(i, i.actual)) is not None and a > EPS]
    if not named:
        return []
    return [f"已报支出为0，但{'、'.join(named)}已报金额，请核实"]


def projection_below_current(project: ProjectInput, settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    """Accumulating counts whose 全年预计完成值 is below the cumulative value already reached."""
    out: list[str] = []
    for ind in project.indicators:
        actual, proj = _entered(ind.actual), _entered(ind.projected)
        if actual is None or proj is None or proj >= actual - EPS:
            continue
        if indicator_mode(ind, settings) != ACCUMULATING:
            continue
        unit = ind.target.unit
        out.append(f"「{ind.level3.strip()}」全年预计{fmt_num(proj, unit)}低于当前累计{fmt_num(actual, unit)}，请核实")
    return out


def consistency_warnings(project: ProjectInput, settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    """Every warning of the three checks, in that order."""
    return (cost_above_spending(project) + zero_spending_with_amounts(project)
            + projection_below_current(project, settings))
