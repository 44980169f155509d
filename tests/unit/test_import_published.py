"""Eight target tables published by six bureaus import as published, in the formats bureaus use: the
year from the document, every header and money phrasing, every indicator and the rule its 指标值 parses
to (tests/published/tables.py holds each table with its source address)."""

from __future__ import annotations

import pytest

from documents.targets_io import read_target_document
from domain.document import SKIPPED, WARNING
from tests.published.builders import BUILDERS
from tests.published.tables import ALL

CASES = [pytest.param(p, fmt, id=f"{p.key}-{fmt}") for p in ALL for fmt in p.formats]


def _rules(project) -> list[tuple]:
    return [(i.level1, i.level2, i.level3, i.target_text, i.target.kind, i.target.op, i.target.value, i.target.unit,
             i.target.deadline.isoformat() if i.target.deadline else None) for i in project.indicators]


@pytest.mark.parametrize("published,fmt", CASES)
def test_published_table_imports_as_published(published, fmt):
    doc = read_target_document(BUILDERS[fmt](published.sheets), f"{published.key}.{fmt}")  # no year given
    assert doc.problems == [], [str(p) for p in doc.problems]
    assert doc.fiscal_year == published.expected[0].year
    assert len(doc.projects) == len(published.expected)
    for project, exp in zip(doc.projects, published.expected, strict=True):
        assert project.name == exp.name
        assert (project.budget_wan, project.fiscal_wan, project.other_wan) == pytest.approx((exp.budget, exp.fiscal, exp.other))
        assert not project.plan  # none of them has a 资金支出计划: judged against 序时进度
        assert len(project.indicators) == len(exp.indicators)
        assert _rules(project) == exp.indicators
        assert (project.department, project.implementer) == (exp.department, exp.implementer)
        assert project.goals == exp.goals
        if exp.weights is not None:
            assert [i.weight for i in project.indicators] == exp.weights
    skipped = [w for w in doc.warnings if w.severity == SKIPPED]
    notes = [w for w in doc.warnings if w.severity == WARNING]
    assert len(skipped) == sum(e.skipped for e in published.expected), [str(w) for w in skipped]
    assert len(notes) == sum(e.warnings for e in published.expected), [str(w) for w in notes]
