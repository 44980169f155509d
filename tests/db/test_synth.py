"""Synthetic city data: deterministic, derived from the real projects, bulk-loaded in one transaction."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.bulk import load_city
from data_access.monitoring import evaluate, periods_with_data
from data_access.targets import dump
from seed.synth import generate_city


def test_generation_is_deterministic_and_sized():
    a = generate_city(departments=5, projects=40, indicators=330, periods=4, seed=3)
    b = generate_city(departments=5, projects=40, indicators=330, periods=4, seed=3)
    assert a.indicator_actuals == b.indicator_actuals and a.projects == b.projects
    assert (len(a.units), len(a.projects), len(a.indicators)) == (5, 40, 330)
    # target forms come from the 2024 document
    from tests.unit.test_target_parser import DOCUMENT_VALUES

    assert {i["target_text"] for i in a.indicators} <= {v[0].strip() for v in DOCUMENT_VALUES}
    c = generate_city(departments=5, projects=40, indicators=330, periods=4, seed=4)
    assert c.indicator_actuals != a.indicator_actuals


def test_bulk_load_and_evaluate(engine):
    data = generate_city(departments=4, projects=30, indicators=240, periods=4, seed=1)
    counts = load_city(engine, data)
    assert counts["projects"] == 30
    assert periods_with_data(engine, 2024) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    results = evaluate(engine, 2024, date(2024, 12, 31))
    assert len(results) == 30 and sum(len(r.indicators) for r in results) == 240
    assert sum(r.project.spent_wan is not None for r in results) > 20
    # a second load into the same year is refused and changes nothing
    before = dump(engine)
    with pytest.raises(ValueError, match="空数据库"):
        load_city(engine, data)
    assert dump(engine) == before
