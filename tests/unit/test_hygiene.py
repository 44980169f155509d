"""Input hygiene (docs/rules.md §10.3): invisible characters, lengths, numbers, dates and ids, in the
pure rules and where the entry parsers and the target importer use them."""

from __future__ import annotations

import pytest

from documents.targets_io import read_target_document
from domain.entry_values import EntryValueError, clean_text, parse_number
from domain.hygiene import (
    HygieneError,
    as_id,
    clean_name,
    number_problem,
    strip_invisible,
    text_problem,
    xml_safe,
)
from tests.conftest import SEED_TEXT

SEED = SEED_TEXT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "raw, multiline, expected",
    [
        ("回访\x01未完成", True, "回访未完成"),
        ("\x1b[31m红\x1b[0m", True, "[31m红[0m"),  # ESC gone, the visible rest kept
        ("区本\u202e费经程课", True, "区本费经程课"),  # RLO
        ("a\u2066b\u2069c\u200e\u200fd\u202ae\u202cf", True, "abcdef"),
        ("\ufeff说明", True, "说明"),
        ("第一行\r\n第二行\r第三行", True, "第一行\n第二行\n第三行"),
        ("列1\t列2\n下一行", True, "列1\t列2\n下一行"),  # long texts keep TAB and LF
        ("列1\t列2\n下一行", False, "列1 列2 下一行"),  # names are one line
        ("\x85\x9f\x7f", True, ""),  # C1 and DEL
        ("正常文字 ≥90%", True, "正常文字 ≥90%"),
    ],
)
def test_invisible_characters_are_stripped(raw, multiline, expected):
    assert strip_invisible(raw, multiline) == expected


def test_names_are_limited_not_cut():
    assert clean_name("  区本课程经费\u202e ", "项目名称") == "区本课程经费"
    assert clean_name("名" * 200, "项目名称") == "名" * 200
    with pytest.raises(HygieneError, match="项目名称：最多200字（当前200000字）"):
        clean_name("名" * 200_000, "项目名称")


@pytest.mark.parametrize(
    "value, expected",
    [(1, 1), (42.0, 42), ("17", 17), ("17.0", 17), (2**63 - 1, 2**63 - 1), (2**63, None), (1e308, None),
     (float("inf"), None), (float("nan"), None), (-1, None), (0, None), (1.5, None), ("1e308", None),
     ("9" * 400, None), ("abc", None), ("１２", None), (True, None), (None, None)],
)
def test_ids_are_database_integers(value, expected):
    assert as_id(value) == expected


@pytest.mark.parametrize(
    "value, percent, problem",
    [(None, False, None), (9982.79, False, None), (-5.0, False, None), (999_999_999_999.0, False, None),
     (1e12, False, "超出范围"), (1e308, False, "超出范围"), (float("inf"), False, "不是有限的数字"),
     (float("nan"), False, "不是有限的数字"), (1e6, True, None), (1e6 + 1, True, "百分数"), (2e6, False, None)],
)
def test_numbers_within_sane_bounds(value, percent, problem):
    got = number_problem(value, "预算数", percent)
    assert (got is None) if problem is None else (problem in got and got.startswith("预算数："))


@pytest.mark.parametrize(
    "text, problem",
    [("≥90%", None), ("2024年12月31日前", None), ("2024年2月29日", None), ("6月30日前", None), ("≥2400人次", None),
     ("是", None), ("2024年1月-6月", None), ("≥999999999999所", None),
     ("2024年2月30日", "日期“2024年2月30日”不存在"), ("2023年2月29日前", "日期“2023年2月29日”不存在"),
     ("2024-02-30前", "日期“2024-02-30”不存在"), ("2月30日前", "日期“2月30日”不存在"), ("2024年13月前", "不存在"),
     ("２０２４年２月３０日", "不存在"), ("≥1e308所", "科学计数法"), ("≥1E5人", "科学计数法"),
     ("≥" + "9" * 400 + "所", "超出范围"), ("≥1000000000000所", "超出范围")],
)
def test_target_texts_with_impossible_dates_or_numbers(text, problem):
    got = text_problem(text, "指标值")
    assert (got is None) if problem is None else (got is not None and problem in got), got


def test_xml_safe_removes_only_what_xml_cannot_hold():
    assert xml_safe("说明\x01\x1b\x0b\x00结束\t\n") == "说明结束\t\n"
    assert xml_safe("\u202e不变") == "\u202e不变"  # legal in XML; the input side strips it
    assert xml_safe(12.5) == 12.5


# --------------------------------------------------------------------------- the entry parsers


@pytest.mark.parametrize(
    "value, message",
    [(10**400, "超出可填写的范围"), ("9" * 400, "不是有限的数字"), (1e308, "超出可填写的范围"),
     ("1e308", "不是数字"), (-(10**30), "超出可填写的范围")],
)
def test_huge_numbers_are_refused_with_a_message(value, message):
    with pytest.raises(EntryValueError, match=message):
        parse_number(value, "累计支出（万元）", "万元")


def test_staff_texts_lose_control_characters_and_keep_lines():
    assert clean_text("回访\x01未完成\x1b\n下周补报\u202e", "说明") == "回访未完成\n下周补报"
    assert parse_number("\u200e95\u202c", "当前完成值", "%") == 95.0
    with pytest.raises(EntryValueError, match="最多500字"):
        clean_text("说" * 501, "说明")


# --------------------------------------------------------------------------- the target importer


def _doc(text: str):
    return read_target_document(text.encode("utf-8"), "t.txt", 2024)


def test_control_and_bidi_characters_are_stripped_from_target_files():
    hostile = SEED.replace("\t区本课程经费\n", "\t区本\u202e课程\x01经费\x1b\n", 1).replace(
        "\t成人教育费用\n", "\t成人\u2066教育费用\u2069\n", 1)
    doc = _doc(hostile)
    assert doc.problems == []
    names = [p.name for p in doc.projects]
    assert "区本课程经费" in names
    assert all(ch not in p.name for p in doc.projects for ch in "\u202e\x01\x1b")
    project = next(p for p in doc.projects if p.name == "区本课程经费")
    assert project.indicators[0].level3 == "成人教育费用"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("\t区本课程经费\n", "\t" + "区" * 200_000 + "\n", "项目名称：最多200字（当前200000字）"),
        ("\t≥3所\n", "\t≥1e308所\n", "科学计数法"),
        ("\t≥3所\n", "\t≥" + "9" * 400 + "所\n", "超出范围"),
        ("\t≥3所\n", "\t2024年2月30日前\n", "日期“2024年2月30日”不存在"),
        ("\t成人教育费用\n", "\t" + "费" * 201 + "\n", "三级指标：最多200字"),
        ("预算数100万元", "预算数" + "9" * 400 + "万元", "预算数："),
        ("\t90%以上\n", "\t≥5000000%\n", "百分数"),
    ],
    ids=["huge-name", "exponent", "400-digits", "feb-30", "long-indicator", "huge-budget", "huge-percent"],
)
def test_hostile_target_files_are_refused_naming_the_table(old, new, message):
    assert old in SEED
    doc = _doc(SEED.replace(old, new, 1))
    assert any(message in p.message for p in doc.problems), [str(p) for p in doc.problems][:3]
    assert all(p.place for p in doc.problems if message in p.message)
