"""The status labels' pills in the grids (``components.status_badge.PILL_COLORS``) are readable: the grid
(Streamlit 1.67's ``MultiselectColumn``) writes black on a fill whose WCAG relative luminance is above
0.5 and white otherwise; every status's label must then reach the WCAG AA contrast for text, 4.5:1."""

from __future__ import annotations

import pytest

from components.status_badge import PILL_COLORS
from domain.status import STATUSES


def luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_label_reads_at_aa_contrast_on_its_pill(status):
    fill = luminance(PILL_COLORS[status])
    text = 0.0 if fill > 0.5 else 1.0  # black or white, as the grid picks it
    assert contrast(fill, text) >= 4.5, (status, PILL_COLORS[status], round(contrast(fill, text), 2))


def test_the_six_statuses_have_six_different_pills():
    assert set(PILL_COLORS) >= set(STATUSES)
    assert len({PILL_COLORS[s] for s in STATUSES}) == len(STATUSES)
