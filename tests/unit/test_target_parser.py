"""指标值 parsing: every distinct value of the 2024 document, the forms other bureaus write, and never a crash."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.targets import extract_prose_targets, parse_target

N, D, Q = "numeric", "deadline", "qualitative"

# (raw, kind, op, value, unit, deadline): all 80 distinct 指标值 of the 2024 document (trailing spaces included)
DOCUMENT_VALUES = [
    ("100", N, "=", 100, None, None),
    ("100%", N, "=", 100, "%", None),
    ("10元/人/月", N, "=", 10, "元/人/月", None),
    ("13590.2平方米", N, "=", 13590.2, "平方米", None),
    ("1500元/人", N, "=", 1500, "元/人", None),
    ("1年", N, "=", 1, "年", None),
    ("2000元/月/人", N, "=", 2000, "元/月/人", None),
    ("2024年12月31日", D, None, None, None, "2024-12-31"),
    ("2024年12月底前", D, None, None, None, "2024-12-31"),
    ("2个", N, "=", 2, "个", None),
    ("431人", N, "=", 431, "人", None),
    ("80元/人/月", N, "=", 80, "元/人/月", None),
    ("90%以上", N, ">=", 90, "%", None),
    ("95%", N, ">=", 95, "%", None),
    ("=100%", N, "=", 100, "%", None),
    ("=1080元/人/年", N, "=", 1080, "元/人/年", None),
    ("=10万元", N, "=", 10, "万元", None),
    ("=165.2万元", N, "=", 165.2, "万元", None),
    ("=1所", N, "=", 1, "所", None),
    ("=4所", N, "=", 4, "所", None),
    ("=50万元", N, "=", 50, "万元", None),
    ("=92.6万元", N, "=", 92.6, "万元", None),
    ("=94.56万元", N, "=", 94.56, "万元", None),
    (">2400人次", N, ">", 2400, "人次", None),
    (">4800人次", N, ">", 4800, "人次", None),
    (">700人次", N, ">", 700, "人次", None),
    ("≤0.35万/台", N, "<=", 0.35, "万元/台", None),
    ("≤11.7万", N, "<=", 11.7, "万元", None),
    ("≤2.9万/块", N, "<=", 2.9, "万元/块", None),
    ("≤3万/块", N, "<=", 3, "万元/块", None),
    ("≥10所", N, ">=", 10, "所", None),
    ("≥130人", N, ">=", 130, "人", None),
    ("≥15万", N, ">=", 15, "万元", None),
    ("≥15万元/月", N, ">=", 15, "万元/月", None),
    ("≥160元/年", N, ">=", 160, "元/年", None),
    ("≥1所", N, ">=", 1, "所", None),
    ("≥1间", N, ">=", 1, "间", None),
    ("≥20人", N, ">=", 20, "人", None),
    ("≥21个", N, ">=", 21, "个", None),
    ("≥260人", N, ">=", 260, "人", None),
    ("≥280人", N, ">=", 280, "人", None),
    ("≥3000人", N, ">=", 3000, "人", None),
    ("≥30所", N, ">=", 30, "所", None),
    ("≥3所", N, ">=", 3, "所", None),
    ("≥45个", N, ">=", 45, "个", None),
    ("≥500例", N, ">=", 500, "例", None),
    ("≥60%", N, ">=", 60, "%", None),
    ("≥60人", N, ">=", 60, "人", None),
    ("≥62%", N, ">=", 62, "%", None),
    ("≥70%", N, ">=", 70, "%", None),
    ("≥80%", N, ">=", 80, "%", None),
    ("≥85%", N, ">=", 85, "%", None),
    ("≥90%", N, ">=", 90, "%", None),
    ("≥90% ", N, ">=", 90, "%", None),
    ("≥94元/人", N, ">=", 94, "元/人", None),
    ("促进", Q, None, None, None, None),
    ("促进和谐", Q, None, None, None, None),
    ("全民健身工程不断深入发展", Q, None, None, None, None),
    ("及时", Q, None, None, None, None),
    ("及时发放", Q, None, None, None, None),
    ("及时拨付", Q, None, None, None, None),
    ("大于7000人", N, ">", 7000, "人", None),
    ("大于等于90%", N, ">=", 90, "%", None),
    ("完成", Q, None, None, None, None),
    ("按季度发放", Q, None, None, None, None),
    ("提供服务符合行业标准", Q, None, None, None, None),
    ("提升", Q, None, None, None, None),
    ("提高", Q, None, None, None, None),
    ("明显改善", Q, None, None, None, None),
    ("是", Q, None, None, None, None),
    ("是 ", Q, None, None, None, None),
    ("满足", Q, None, None, None, None),
    ("符合", Q, None, None, None, None),
    ("达到", Q, None, None, None, None),
    ("通过社团活动的丰富开展，学校教育形象得以提升", Q, None, None, None, None),
    ("项目在时限内完成", Q, None, None, None, None),
    ("＝147万元", N, "=", 147, "万元", None),
    ("＝1人", N, "=", 1, "人", None),
    ("＝3000元/个", N, "=", 3000, "元/个", None),
    ("＞200万", N, ">", 200, "万元", None),
    ("＞300人", N, ">", 300, "人", None),
    ("＞90元", N, ">", 90, "元", None),
]


def test_document_value_table_covers_every_distinct_value(seed_doc):
    distinct = {i.target_text for p in seed_doc.projects for i in p.indicators}
    raw_distinct = set()
    for p in seed_doc.projects:
        for i in p.indicators:
            raw_distinct.add(i.target.raw)
    table = {row[0] for row in DOCUMENT_VALUES}
    # the importer strips cells; the table also holds the two trailing-space spellings of the raw text
    assert {v.strip() for v in table} == distinct
    assert len(distinct) == 80


@pytest.mark.parametrize("raw,kind,op,value,unit,deadline", DOCUMENT_VALUES)
def test_every_value_of_the_2024_document(raw, kind, op, value, unit, deadline):
    t = parse_target(raw, 2024)
    assert t.raw == raw
    assert (t.kind, t.op, t.unit) == (kind, op, unit)
    assert t.value == (pytest.approx(value) if value is not None else None)
    assert (t.deadline.isoformat() if t.deadline else None) == deadline


OTHER_FORMS = [
    # ASCII, full-width and mathematical signs
    (">=95%", N, ">=", 95, "%"),
    ("<=5万元", N, "<=", 5, "万元"),
    ("≧90%", N, ">=", 90, "%"),
    ("≦3万元", N, "<=", 3, "万元"),
    ("＜5%", N, "<", 5, "%"),
    ("＞＝90％", N, ">=", 90, "%"),
    ("９０％以上", N, ">=", 90, "%"),
    # spaces between sign, number and unit; operators in separate cells
    ("≥ 90 %", N, ">=", 90, "%"),
    ("≥ | 90 | %", N, ">=", 90, "%"),
    # worded operators
    ("不低于90%", N, ">=", 90, "%"),
    ("不少于71", N, ">=", 71, None),
    ("不超过5万元", N, "<=", 5, "万元"),
    ("5万元以内", N, "<=", 5, "万元"),
    ("至少3次", N, ">=", 3, "次"),
    ("大于2400人次", N, ">", 2400, "人次"),
    ("小于1%", N, "<", 1, "%"),
    ("低于1%", N, "<", 1, "%"),
    ("大于等于90%", N, ">=", 90, "%"),
    ("85%以上", N, ">=", 85, "%"),
    ("达到90%", N, ">=", 90, "%"),
    ("1,234人", N, "=", 1234, "人"),
    ("90百分比", N, ">=", 90, "%"),
]


@pytest.mark.parametrize("raw,kind,op,value,unit", OTHER_FORMS)
def test_forms_other_bureaus_write(raw, kind, op, value, unit):
    t = parse_target(raw, 2024)
    assert (t.kind, t.op, t.unit) == (kind, op, unit)
    assert t.value == pytest.approx(value)


@pytest.mark.parametrize(
    "raw,start,deadline",
    [
        ("12月底前", None, date(2024, 12, 31)),
        ("6月30日前", None, date(2024, 6, 30)),
        ("年底前完成", None, date(2024, 12, 31)),
        ("2024年12月底前", None, date(2024, 12, 31)),
        ("2024.12.31", None, date(2024, 12, 31)),
        ("2024-09-30", None, date(2024, 9, 30)),
        ("2024年1月-12月", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024年1月1日至2024年6月30日", date(2024, 1, 1), date(2024, 6, 30)),
        ("3月-6月", date(2024, 3, 1), date(2024, 6, 30)),
    ],
)
def test_deadlines_use_the_fiscal_year_and_month_ends(raw, start, deadline):
    t = parse_target(raw, 2024)
    assert t.kind == D
    assert t.deadline == deadline
    assert t.start == start


def test_year_less_deadline_takes_the_fiscal_year():
    assert parse_target("12月底前", 2025).deadline == date(2025, 12, 31)


def test_direction_follows_operator():
    assert parse_target("≥90%").direction == "higher"
    assert parse_target("≤3万/块").direction == "lower"
    assert parse_target("=1所").direction == "exact"
    assert parse_target("完成").direction is None


@pytest.mark.parametrize("raw", ["", "   ", "2024年13月", "≥", "%", "是否", "9" * 400, "1e999", "≥90%以下", "不超过90%以上"])
def test_odd_text_is_qualitative_with_raw_kept(raw):
    t = parse_target(raw, 2024)
    assert t.kind == Q
    assert t.raw == raw


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_parser_never_raises_on_any_string(s):
    t = parse_target(s, 2024)
    assert t.raw == s
    assert t.kind in (N, D, Q)
    if t.kind == N:
        assert t.op in (">=", ">", "=", "<=", "<") and t.value is not None


ALPHABET = "≥≤＞＜＝><=%％万元人次所个年月日底前以上以下内不少于低超过至-.0123456789 |/"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=20))
def test_parser_never_raises_on_target_like_strings(s):
    t = parse_target(s, 2024)
    assert t.raw == s


def test_department_prose_targets_are_extracted(seed_doc):
    areas = {a.name: a for a in seed_doc.areas}
    found = {(p.target.op, p.target.value, p.target.unit) for p in areas["残联事务经费"].targets}
    assert found == {(">=", 71, None), (">=", 10, "人"), (">=", 7, "人"), (">=", 50, "人")}
    jisheng = [(p.name, p.target.op, p.target.value, p.target.unit) for p in areas["计划生育管理和服务"].targets]
    assert ("计生奖励扶助金发放到位率", ">=", 90, "%") in jisheng
    assert ("年度对计划生育特殊家庭走访慰问活动次数", ">=", 3, "次") in jisheng
    skate = areas["高新区滑冰馆运营服务经费"].targets
    assert [(p.target.op, p.target.value, p.target.unit) for p in skate] == [(">=", 90, "%")]
    # "为80周岁以上老人发放高龄补贴" is a description, not a target
    assert areas["老年人服务方面"].targets == []


def test_prose_extraction_never_raises():
    assert extract_prose_targets("") == []
    assert extract_prose_targets("不少于") == []
    assert isinstance(extract_prose_targets("达到" + "9" * 500 + "%以上"), list)  # an absurd number is skipped
