"""Compact money figures for the headline numbers (KPI tiles), which must never be cut off.

Definitions chosen here: amounts are stored in 万元. A tile shows at most nine characters of figure
(``99,999.99``): below 10亿元 (100,000万元) in 万元, from 10亿元 in 亿元, from 1万亿元 in 万亿元, always with
two decimals and thousands separators. Related tiles (预算总额 and 累计支出) use one unit, chosen by the
larger amount, so they can be compared at a glance; the unit goes into the tile's label, e.g.
「预算总额（亿元）」 and 「167.10」.
"""

from __future__ import annotations

from typing import NamedTuple


class Scale(NamedTuple):
    divisor: float  # 万元 per shown unit
    unit: str


WAN = Scale(1.0, "万元")
YI = Scale(1e4, "亿元")
WAN_YI = Scale(1e8, "万亿元")
SWITCH_AT = 1e5  # 万元: from here on the next unit (keeps the figure within nine characters)


def scale_for(*amounts_wan: float | None) -> Scale:
    """The unit for amounts shown side by side: chosen by the largest absolute amount."""
    largest = max((abs(a) for a in amounts_wan if a is not None), default=0.0)
    for smaller, larger in ((YI, WAN_YI), (WAN, YI)):
        # as shown in the smaller unit (two decimals): 99,999.996万元 would read 100,000.00, so it switches
        if round(largest / smaller.divisor, 2) >= SWITCH_AT:
            return larger
    return WAN


def money_figure(amount_wan: float | None, scale: Scale | None = None) -> str:
    """The figure in ``scale`` (default: its own), two decimals, thousands separators; — for nothing."""
    if amount_wan is None:
        return "—"
    s = scale or scale_for(amount_wan)
    return f"{amount_wan / s.divisor:,.2f}"


__all__ = ["Scale", "WAN", "YI", "WAN_YI", "SWITCH_AT", "scale_for", "money_figure"]
