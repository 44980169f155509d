"""The compact money figures of the headline tiles (domain.money): the figure never grows past nine
characters, so a city-scale total is never cut off."""

from __future__ import annotations

import pytest

from domain.money import WAN, WAN_YI, YI, money_figure, scale_for


@pytest.mark.parametrize("amounts, unit", [
    ((9982.79,), "万元"),
    ((99_999.99,), "万元"),
    ((100_000.0,), "亿元"),  # 10亿元
    ((1_670_960.5, 800_000.0), "亿元"),  # city scale: the larger amount decides for both
    ((5.0, 2_000_000.0), "亿元"),
    ((1e9,), "万亿元"),
    ((None, None), "万元"),
    ((), "万元"),
    ((-250_000.0,), "亿元"),
])
def test_the_unit_follows_the_largest_amount(amounts, unit):
    assert scale_for(*amounts).unit == unit


@pytest.mark.parametrize("amount, scale, shown", [
    (9982.79, None, "9,982.79"),
    (0.0, None, "0.00"),
    (1_670_960.5, None, "167.10"),
    (4920.13, YI, "0.49"),
    (4920.13, WAN, "4,920.13"),
    (99_999_999.0, None, "10,000.00"),
    (99_999.996, None, "10.00"),  # would read 100,000.00万元: shown in 亿元
    (123_456_789.0, None, "12,345.68"), (1e9, None, "10.00"),
    (2e8, WAN_YI, "2.00"),
    (None, None, "—"),
])
def test_figures_are_compact(amount, scale, shown):
    assert money_figure(amount, scale) == shown


@pytest.mark.parametrize("amount", [0.01, 9_999.99, 99_999.99, 99_999.996, 100_000.0, 999_999_999.999, 1_670_960.55, 99_999_999.99, 5e9])
def test_a_figure_never_exceeds_nine_characters(amount):
    assert len(money_figure(amount)) <= 9
