"""Parsing and validating one typed row (domain/entry.py), table-driven."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.entry import (
    ANY_VERSION,
    DATE,
    JUDGEMENT,
    PROJECTED_JUDGEMENT,
    EntryValueError,
    applicable_fields,
    check_indicator_row,
    check_spending_row,
    clean_text,
    is_blank,
    parse_date,
    parse_judgement,
    parse_likelihood,
    parse_number,
    parse_reasons,
)
from domain.entry_routing import route_generic_values
from domain.status import IndicatorInput, PlanPoint, ProjectInput
from domain.targets import parse_target

Q3 = date(2024, 9, 30)
DEC = date(2024, 12, 31)


def ind(target: str, level2: str = "质量指标", level3: str = "指标") -> IndicatorInput:
    return IndicatorInput(1, "产出指标", level2, level3, parse_target(target, 2024))


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "raw,unit,expected",
    [
        (None, None, None),
        ("", None, None),
        ("  ", None, None),
        (float("nan"), None, None),
        (12, None, 12.0),
        (12.5, None, 12.5),
        ("1,234", None, 1234.0),
        ("1,234.5", None, 1234.5),
        ("１２３４", None, 1234.0),  # full-width digits
        ("１，２３４", None, 1234.0),
        ("12.5%", "%", 12.5),
        ("９５％", "%", 95.0),
        (" 95 ", "%", 95.0),
        ("2400人次", "人次", 2400.0),
        ("3万", "万元/块", 3.0),
        ("11.7万元", "万元", 11.7),
        ("-3", None, -3.0),
        (".5", None, 0.5),
    ],
)
def test_parse_number_accepts(raw, unit, expected):
    assert parse_number(raw, "当前完成值", unit) == expected


@pytest.mark.parametrize(
    "raw,unit,words",
    [
        ("abc", None, "当前完成值：“abc”不是数字"),
        ("九十", "%", "当前完成值：“九十”不是数字"),
        ("12.5%", "人次", "当前完成值：本指标单位为人次，不能填百分数“12.5%”"),
        ("1e3", None, "当前完成值：“1e3”不是数字"),
        ("nan", None, "当前完成值：“nan”不是数字"),
        ("1,23", None, "当前完成值：“1,23”不是数字"),
        (True, None, "当前完成值：“是”不是数字"),
        (float("inf"), None, "当前完成值：“inf”不是有限的数字"),
        ("2400人", "人次", "当前完成值：“2400人”不是数字"),
    ],
)
def test_parse_number_refuses_text_naming_the_field(raw, unit, words):
    with pytest.raises(EntryValueError) as e:
        parse_number(raw, "当前完成值", unit)
    assert str(e.value) == words


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2024-09-30", date(2024, 9, 30)),
        ("2024/9/30", date(2024, 9, 30)),
        ("2024年9月30日", date(2024, 9, 30)),
        ("2024年9月30", date(2024, 9, 30)),
        ("2024.9.3", date(2024, 9, 3)),
        ("２０２４－０９－３０", date(2024, 9, 30)),
        ("2024-09-30T00:00:00", date(2024, 9, 30)),
        (date(2024, 1, 1), date(2024, 1, 1)),
        (datetime(2024, 5, 6, 7, 8), date(2024, 5, 6)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts(raw, expected):
    assert parse_date(raw, "完成日期", 2024) == expected


@pytest.mark.parametrize(
    "raw,words",
    [
        ("2025-01-01", "须在2024年度内"),
        ("2023/12/31", "须在2024年度内"),
        ("2024-02-30", "日期不存在“2024-02-30”，请按YYYY-MM-DD填写"),
        ("9月30日", "无法识别日期“9月30日”，请按YYYY-MM-DD填写"),
        ("下周", "无法识别日期“下周”，请按YYYY-MM-DD填写"),
    ],
)
def test_parse_date_refuses(raw, words):
    with pytest.raises(EntryValueError, match=words):
        parse_date(raw, "完成日期", 2024)


def test_pandas_timestamp_and_nat():
    import pandas as pd

    assert parse_date(pd.Timestamp("2024-03-04"), "完成日期", 2024) == date(2024, 3, 4)
    assert parse_date(pd.NaT, "完成日期", 2024) is None
    assert is_blank(pd.NA) and is_blank(pd.NaT) and is_blank([]) and not is_blank(0)


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    "raw,expected",
    [("达成", "达成"), ("部分达成", "部分达成"), ("未达成", "未达成"), ("进行中", "进行中"), (" 已完成 ", "达成"),
     ("基本完成", "部分达成"), ("", None), (None, None)],
)
def test_judgements(raw, expected):
    assert parse_judgement(raw) == expected


@pytest.mark.parametrize("raw", ["很好", "done", "50%"])
def test_unknown_judgement(raw):
    with pytest.raises(EntryValueError, match="完成情况：不认识.*可选 达成/部分达成/未达成/进行中"):
        parse_judgement(raw)


@pytest.mark.parametrize(
    "raw,expected",
    [("确定能", "确定能"), ("有可能", "有可能"), ("完全不可能", "完全不可能"), ("不可能", "完全不可能"), (None, None)],
)
def test_likelihoods(raw, expected):
    assert parse_likelihood(raw) == expected


def test_unknown_likelihood():
    with pytest.raises(EntryValueError, match="完成可能性：不认识「也许」"):
        parse_likelihood("也许")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("经费保障", ("经费保障",)),
        ("人员保障;经费保障", ("经费保障", "人员保障")),  # canonical order
        ("经费保障、制度保障", ("经费保障", "制度保障")),
        ("经费保障,其他", ("经费保障", "其他")),
        ("经费保障，其它", ("经费保障", "其他")),
        ("经费保障；经费保障", ("经费保障",)),
        (["硬件条件保障", "其他"], ("硬件条件保障", "其他")),
        ([], ()),
        ("", ()),
        (None, ()),
    ],
)
def test_reasons(raw, expected):
    assert parse_reasons(raw) == expected


def test_unknown_reason_is_named():
    with pytest.raises(EntryValueError, match="偏差原因：不认识「天气」"):
        parse_reasons("经费保障;天气")


def test_text_length():
    assert clean_text("  说明  ", "说明") == "说明"
    assert clean_text("字" * 500, "说明") == "字" * 500
    with pytest.raises(EntryValueError, match="说明：最多500字（当前501字）"):
        clean_text("字" * 501, "说明")


# --------------------------------------------------------------------------- whole indicator rows


def _fields(check) -> set[str]:
    return {e.field for e in check.errors}


FULL = {"reasons": "经费保障", "explanation": "原因说明", "likelihood": "确定能"}


@pytest.mark.parametrize(
    "target,level2,raw,as_of,status,missing",
    [
        # rates: met -> green, not met -> red and explain
        ("≥90%", "质量指标", {"actual_value": "95%"}, Q3, "green", set()),
        ("≥90%", "质量指标", {"actual_value": 85}, Q3, "red", {"reasons", "explanation", "likelihood"}),
        ("≥90%", "质量指标", dict(FULL, actual_value=85), Q3, "red", set()),
        ("≥90%", "质量指标", dict(FULL, actual_value=85, likelihood="有可能"), Q3, "red", {"measures"}),
        ("≥90%", "质量指标", dict(FULL, actual_value=85, likelihood="有可能", measures="加强"), Q3, "red", set()),
        ("≥90%", "质量指标", {"actual_value": 101}, Q3, None, {"actual_value"}),
        ("≥90%", "质量指标", {"actual_value": -1}, Q3, None, {"actual_value"}),
        ("≥90%", "质量指标", {"actual_value": 95, "projected_value": 120}, Q3, None, {"projected_value"}),
        # a projected year-end short of target makes the row amber at best
        ("≥90%", "质量指标", {"actual_value": 95, "projected_value": 80}, Q3, "red",
         {"reasons", "explanation", "likelihood"}),
        # 完全不可能 -> red, measures needed
        ("≥90%", "质量指标", {"actual_value": 95, "likelihood": "完全不可能"}, Q3, "red",
         {"reasons", "explanation", "measures"}),
        # accumulating counts: pro-rated, blue / over-achieved needs 说明
        ("≥2400人次", "数量指标", {"actual_value": "1,900"}, Q3, "green", set()),
        ("≥2400人次", "数量指标", {"actual_value": 1200}, Q3, "amber", {"reasons", "explanation", "likelihood"}),
        ("≥2400人次", "数量指标", {"actual_value": 3000}, Q3, "blue", {"explanation"}),
        ("≥2400人次", "数量指标", {"actual_value": 3000, "explanation": "需求增加"}, Q3, "blue", set()),
        ("≥2400人次", "数量指标", {"actual_value": -5}, Q3, None, {"actual_value"}),
        # caps
        ("≤3万/块", "成本指标", {"actual_value": "2.8万"}, Q3, "green", set()),
        ("≤3万/块", "成本指标", {"actual_value": 3.2}, Q3, "red", {"reasons", "explanation", "likelihood"}),
        # qualitative
        ("符合", "质量指标", {"actual_judgement": "达成"}, Q3, "green", set()),
        ("符合", "质量指标", {"actual_judgement": "部分达成"}, Q3, "amber", {"reasons", "explanation", "likelihood"}),
        ("符合", "质量指标", {"actual_judgement": "进行中"}, Q3, "grey", set()),
        ("符合", "质量指标", {"actual_judgement": "进行中"}, DEC, "red", {"reasons", "explanation", "likelihood"}),
        ("符合", "质量指标", {"actual_judgement": "很好"}, Q3, None, {"actual_judgement"}),
        ("符合", "质量指标", {"actual_judgement": "达成", "projected_judgement": "未达成"}, Q3, "red",
         {"reasons", "explanation", "likelihood"}),
        # due but nothing entered: the value itself is demanded
        ("符合", "质量指标", {"remarks": "稍后补"}, Q3, "missing", {"actual_judgement"}),
        ("≥90%", "质量指标", {"likelihood": "确定能"}, Q3, "missing", {"actual_value"}),
        # deadlines
        ("2024年12月31日", "时效指标", {"actual_date": "2024/9/1"}, Q3, "green", set()),
        ("2024年12月31日", "时效指标", {"actual_date": "2024年9月1日", "actual_judgement": "进行中"}, Q3, None,
         {"actual_judgement"}),
        ("2024年12月31日", "时效指标", {"actual_judgement": "进行中"}, Q3, "grey", set()),
        ("2024年12月31日", "时效指标", {"actual_judgement": "进行中"}, date(2024, 12, 15), "amber",
         {"reasons", "explanation", "likelihood"}),
        ("2024年12月31日", "时效指标", {"actual_date": "2025-01-05"}, Q3, None, {"actual_date"}),
        # texts
        ("≥90%", "质量指标", {"actual_value": 95, "remarks": "x" * 501}, Q3, "green", {"remarks"}),
    ],
)
def test_indicator_rows(target, level2, raw, as_of, status, missing):
    check = check_indicator_row(raw, ind(target, level2), as_of, year=2024)
    assert _fields(check) == missing, check.errors
    assert (check.status.status if check.status else None) == status
    assert all(e.message.startswith(e.label + "：") for e in check.errors)


def test_cells_of_another_kind_are_ignored():
    check = check_indicator_row({"actual_value": "abc", "actual_judgement": "达成"}, ind("符合"), Q3)
    assert check.ok and check.values.actual_value is None and check.values.actual_judgement == "达成"
    check = check_indicator_row({"actual_value": 95, "actual_judgement": "胡说", "actual_date": "x"}, ind("≥90%"), Q3)
    assert check.ok and check.values.actual_judgement is None and check.values.actual_date is None
    assert set(applicable_fields("deadline")) >= {DATE, JUDGEMENT, PROJECTED_JUDGEMENT}


def test_deadline_date_means_achieved():
    check = check_indicator_row({"actual_date": "2024-06-30"}, ind("2024年12月31日", "时效指标"), Q3)
    assert check.values.actual_judgement == "达成" and check.values.as_record()["actual_date"] == date(2024, 6, 30)


def test_one_message_per_field():
    check = check_indicator_row({"actual_value": 50, "reasons": "天气"}, ind("≥90%"), Q3)
    assert [e.field for e in check.errors].count("reasons") == 1
    assert "天气" in next(e.message for e in check.errors if e.field == "reasons")


def test_record_joins_reasons():
    check = check_indicator_row(dict(FULL, actual_value=85, reasons=["人员保障", "经费保障"]), ind("≥90%"), Q3)
    assert check.values.as_record()["reasons"] == "经费保障;人员保障"


# --------------------------------------------------------------------------- spending rows

PLAN = [PlanPoint("第一季度", date(2024, 3, 31), 25), PlanPoint("第二季度", date(2024, 6, 30), 50),
        PlanPoint("第三季度", date(2024, 9, 30), 75), PlanPoint("第四季度", date(2024, 12, 31), 100)]
PROJECT = ProjectInput(1, "项目", budget_wan=100.0, plan=PLAN)


@pytest.mark.parametrize(
    "raw,previous,status,missing",
    [
        ({"spent_wan": "70"}, None, "green", set()),
        ({"spent_wan": "７０"}, None, "green", set()),
        ({"spent_wan": "1,000"}, None, "red", {"explanation"}),  # above budget
        ({"spent_wan": 120, "explanation": "追加预算"}, None, "red", set()),
        ({"spent_wan": 50}, None, "amber", {"explanation"}),  # 50/75 = 66.7%
        ({"spent_wan": 30}, None, "red", {"explanation"}),
        ({"spent_wan": 70}, 72.0, "green", {"explanation"}),  # below the previous period
        ({"spent_wan": 70, "explanation": "退回多付款"}, 72.0, "green", set()),
        ({"spent_wan": 70, "projected_wan": 60}, None, "amber", {"explanation"}),
        ({"spent_wan": 70, "projected_wan": 80}, None, "amber", {"explanation"}),  # projected 80% < 90% floor
        ({"spent_wan": 70, "projected_wan": 100}, None, "green", set()),
        ({"spent_wan": -1}, None, None, {"spent_wan"}),
        ({"spent_wan": 70, "projected_wan": -1}, None, None, {"projected_wan"}),
        ({"spent_wan": "七十"}, None, None, {"spent_wan"}),
        ({"projected_wan": 100}, None, None, {"spent_wan"}),
        ({"spent_wan": 70, "explanation": "x" * 501}, None, "green", {"explanation"}),
    ],
)
def test_spending_rows(raw, previous, status, missing):
    check = check_spending_row(raw, PROJECT, Q3, year=2024, previous_spent=previous)
    assert {e.field for e in check.errors} == missing, check.errors
    assert (check.status.status if check.status else None) == status


def test_routing_of_generic_file_columns():
    assert route_generic_values("level", "95", "96") == {"actual_value": "95", "projected_value": "96"}
    assert route_generic_values("deadline", "2024-09-30", "达成") == {"actual_date": "2024-09-30",
                                                                     "projected_judgement": "达成"}
    assert route_generic_values("deadline", "进行中", None) == {"actual_judgement": "进行中"}
    assert route_generic_values("qualitative", "达成", "") == {"actual_judgement": "达成"}
    assert repr(ANY_VERSION) == "ANY_VERSION"
