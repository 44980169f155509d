"""The one parser family of the 填报 grid and the file import (domain/entry_values.py), table-driven:
every form a person types, what it is stored as, or the exact Chinese sentence that refuses it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.entry import SPENT, check_spending_row
from domain.entry_values import (
    EntryValueError,
    check_number_range,
    clean_text,
    format_date,
    format_number,
    parse_date,
    parse_judgement,
    parse_number,
)
from domain.status import ProjectInput

# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "raw,unit,expected",
    [
        ("9000", "所", 9000.0),
        ("９０００", "所", 9000.0),  # full-width digits
        ("９，０００", "所", 9000.0),  # full-width comma
        ("9,000", "所", 9000.0),
        ("1,234,567.5", None, 1234567.5),
        ("  9000  ", "所", 9000.0),
        ("\u30009000\u3000", "所", 9000.0),  # ideographic spaces
        ("90%", "%", 90.0),
        ("９０％", "%", 90.0),
        ("90 %", "%", 90.0),
        ("15万元", "万元", 15.0),
        ("15万", "万元", 15.0),
        ("15 万元", "万元", 15.0),
        ("2400人次", "人次", 2400.0),
        ("12所", "所", 12.0),
        ("－15", "万元", -15.0),  # the sign is kept (the range checks refuse it), never dropped
        ("\u221215", "万元", -15.0),  # the minus sign
        ("+3", None, 3.0),
        ("0.00001", None, 0.00001),
        ("", "所", None),
        (None, "所", None),
    ],
)
def test_numbers_accepted(raw, unit, expected):
    assert parse_number(raw, "当前完成值", unit) == expected


@pytest.mark.parametrize(
    "raw,unit,message",
    [
        ("12abc", "所", "当前完成值：“12abc”不是数字"),
        ("abc", None, "当前完成值：“abc”不是数字"),
        ("90%", "所", "当前完成值：本指标单位为所，不能填百分数“90%”"),
        ("15万元", "所", "当前完成值：“15万元”不是数字"),  # a unit that is not the indicator's
        ("15元", "万元", "当前完成值：“15元”不是数字"),
        ("1 234", None, "当前完成值：“1 234”不是数字"),  # a space inside a number is not a separator
        ("1,23", None, "当前完成值：“1,23”不是数字"),
        ("1e3", None, "当前完成值：“1e3”不是数字"),
        ("1e400", None, "当前完成值：“1e400”不是数字"),
        ("nan", None, "当前完成值：“nan”不是数字"),
        ("inf", None, "当前完成值：“inf”不是数字"),
        (float("inf"), None, "当前完成值：“inf”不是有限的数字"),
        ("1" + "0" * 12, None, "当前完成值：“1000000000000”超出可填写的范围（绝对值须小于1万亿）"),
        ("9" * 30, None, "当前完成值：“" + "9" * 20 + "…”超出可填写的范围（绝对值须小于1万亿）"),
        (True, None, "当前完成值：“是”不是数字"),
    ],
)
def test_numbers_refused_with_the_typed_text(raw, unit, message):
    with pytest.raises(EntryValueError) as e:
        parse_number(raw, "当前完成值", unit)
    assert str(e.value) == message


@pytest.mark.parametrize(
    "typed,unit,target,message",
    [
        ("-15", "所", 3.0, "当前完成值：“-15”不能为负数"),
        ("－２", "所", 3.0, "当前完成值：“－２”不能为负数"),
        ("120", "%", 90.0, "当前完成值：比率须在0–100%之间（填写的是“120”）"),
        ("-1", "%", -5.0, None),  # a negative target allows negatives
        ("0", "所", 3.0, None),
    ],
)
def test_number_range(typed, unit, target, message):
    value = parse_number(typed, "当前完成值", unit)
    assert check_number_range(value, "当前完成值", unit, target, typed) == message


@pytest.mark.parametrize(
    "row,message",
    [
        ({SPENT: "-15"}, "累计支出（万元）：“-15”不能为负数"),
        ({SPENT: "－15万元"}, "累计支出（万元）：“－15万元”不能为负数"),
        ({SPENT: -15.0}, "累计支出（万元）：“-15.0”不能为负数"),
        ({SPENT: "15元"}, "累计支出（万元）：“15元”不是数字"),
    ],
)
def test_negative_spending_is_refused_never_flipped(row, message):
    check = check_spending_row(row, ProjectInput(id=1, name="项目", budget_wan=100.0), date(2024, 9, 30))
    assert [e.message for e in check.errors] == [message]
    assert check.values.spent_wan is None


@pytest.mark.parametrize("value", [9000.0, 12.5, 0.00001, 0.1 + 0.2, 95.7, 1234567.25, 0.0, -3.0, 999999999999.5])
def test_canonical_number_text_reads_back_to_the_same_value(value):
    text = format_number(value)
    assert "e" not in text and not text.endswith(".0")
    assert parse_number(text) == value


@pytest.mark.parametrize("value,text", [(9000.0, "9000"), (12.5, "12.5"), (0.00001, "0.00001"), (None, ""),
                                        (float("nan"), ""), (-0.0, "0")])
def test_canonical_number_text(value, text):
    assert format_number(value) == text


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2024-08-15", date(2024, 8, 15)),
        ("2024/08/15", date(2024, 8, 15)),
        ("2024/8/15", date(2024, 8, 15)),
        ("2024.08.15", date(2024, 8, 15)),
        ("2024年8月15日", date(2024, 8, 15)),
        ("２０２４－０８－１５", date(2024, 8, 15)),
        (" 2024-08-15 ", date(2024, 8, 15)),
    ],
)
def test_dates_accepted(raw, expected):
    assert parse_date(raw, "完成日期", 2024) == expected
    assert format_date(expected) == expected.isoformat()


@pytest.mark.parametrize(
    "raw,message",
    [
        ("15082024", "完成日期：无法识别日期“15082024”，请按YYYY-MM-DD填写（如2024-09-30）"),
        ("08/15/2024", "完成日期：无法识别日期“08/15/2024”，请按YYYY-MM-DD填写（如2024-09-30）"),
        ("15/08/2024", "完成日期：无法识别日期“15/08/2024”，请按YYYY-MM-DD填写（如2024-09-30）"),
        ("20240815", "完成日期：无法识别日期“20240815”，请按YYYY-MM-DD填写（如2024-09-30）"),
        ("2024-02-30", "完成日期：日期不存在“2024-02-30”，请按YYYY-MM-DD填写"),
        ("2024-13-01", "完成日期：日期不存在“2024-13-01”，请按YYYY-MM-DD填写"),
        ("2025-01-01", "完成日期：须在2024年度内（填写的是2025-01-01）"),
    ],
)
def test_dates_refused(raw, message):
    with pytest.raises(EntryValueError) as e:
        parse_date(raw, "完成日期", 2024)
    assert str(e.value) == message


# --------------------------------------------------------------------------- texts


@pytest.mark.parametrize(
    "raw,result,message",
    [
        ("字" * 500, "字" * 500, None),
        ("  说明  ", "说明", None),
        ("字" * 501, None, "说明：最多500字（当前501字）"),
        ("长" * 5000, None, "说明：最多500字（当前5000字）"),
    ],
)
def test_texts_are_refused_over_the_limit_never_cut(raw, result, message):
    if message is None:
        assert clean_text(raw, "说明") == result
        return
    with pytest.raises(EntryValueError) as e:
        clean_text(raw, "说明")
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("达成年度指标", "达成"), ("部分达成年度指标并具有一定效果", "部分达成"), ("未达成年度指标且效果较差", "未达成"),
     ("基本达到", "部分达成"), ("显著提升", "达成"), ("已完成。", "达成")],
)
def test_official_judgement_wording_is_accepted(typed, stored):
    """The tiers of the national 自评 form and common variants are what staff copy from last year's table."""
    assert parse_judgement(typed) == stored


def test_unknown_judgement_is_refused_with_the_choices():
    with pytest.raises(EntryValueError, match="不认识「差不多」，可选 达成/部分达成/未达成/进行中"):
        parse_judgement("差不多")
