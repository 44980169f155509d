"""What a 填报 row still needs (domain/entry_todo.py), from the values being typed, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from domain.entry_todo import MEASURES_HINT, indicator_todo, spending_todo
from domain.status import IndicatorInput, PlanPoint, ProjectInput
from domain.targets import parse_target

Q3 = date(2024, 9, 30)
RATE = IndicatorInput(1, "满意度指标", "满意度指标", "满意度", parse_target("≥90%", 2024))
QUAL = IndicatorInput(2, "产出指标", "质量指标", "设备质量", parse_target("合格", 2024))
PROJECT = ProjectInput(id=1, name="p", budget_wan=100.0,
                       plan=[PlanPoint("三季度", date(2024, 9, 30), 60.0), PlanPoint("年底", date(2024, 12, 31), 100.0)])
REASONS = {"reasons": ["经费保障"]}


@pytest.mark.parametrize(
    "template,raw,fill,fix,hint",
    [
        # nothing typed yet: the value, in the word of the row's kind
        (RATE, {}, ("当前完成值",), (), ""),
        (QUAL, {}, ("完成情况",), (), ""),
        # amber/red: every requirement at once, with what 有可能 would add
        (RATE, {"actual_value": "80"}, ("偏差原因", "说明", "完成可能性"), (), MEASURES_HINT),
        # choosing 有可能 adds 纠偏措施 right away
        (RATE, {"actual_value": "80", "likelihood": "有可能"}, ("偏差原因", "说明", "纠偏措施"), (), ""),
        (RATE, {"actual_value": "80", "likelihood": "确定能", **REASONS, "explanation": "样本少"}, (), (), ""),
        (QUAL, {"actual_judgement": "部分达成"}, ("偏差原因", "说明", "完成可能性"), (), MEASURES_HINT),
        (RATE, {"actual_value": "95"}, (), (), ""),
        # refused content: to fix, requirements not guessed
        (RATE, {"actual_value": "12abc"}, (), ("当前完成值",), ""),
        (RATE, {"actual_value": "95", "remarks": "长" * 5000}, (), ("备注",), ""),
    ],
)
def test_indicator_row_lists_every_requirement_at_once(template, raw, fill, fix, hint):
    todo = indicator_todo(raw, template, Q3, year=2024)
    assert (todo.fill, todo.fix, todo.hint) == (fill, fix, hint)
    assert todo.open == bool(fill or fix)
    assert "当前值" not in todo.text()


def test_todo_text_reads_as_one_cell():
    todo = indicator_todo({"actual_value": "80"}, RATE, Q3, year=2024)
    assert todo.text() == f"偏差原因、说明、完成可能性（{MEASURES_HINT}）"
    assert todo.status == "red" or todo.status == "amber"
    assert indicator_todo({"actual_value": "x"}, RATE, Q3, year=2024).text() == "须改正：当前完成值"


@pytest.mark.parametrize(
    "raw,previous,fill,fix",
    [
        ({}, None, ("累计支出（万元）",), ()),
        ({"explanation": "x"}, None, ("累计支出（万元）",), ()),
        ({"spent_wan": "60"}, None, (), ()),
        ({"spent_wan": "150"}, None, ("说明",), ()),
        ({"spent_wan": "150", "explanation": "追加"}, None, (), ()),
        ({"spent_wan": "50"}, 55.0, ("说明",), ()),
        ({"spent_wan": "-5"}, None, (), ("累计支出（万元）",)),
        ({"spent_wan": "60", "projected_wan": "abc"}, None, (), ("全年预计执行数（万元）",)),
    ],
)
def test_spending_row_needs(raw, previous, fill, fix):
    todo = spending_todo(raw, PROJECT, Q3, year=2024, previous_spent=previous)
    assert (todo.fill, todo.fix) == (fill, fix)
    if fill == ("说明",):
        assert "万元" in todo.text()  # says why
