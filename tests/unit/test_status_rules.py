"""Status rules (docs/rules.md), table-driven with real 指标值 from the 2024 document.

Each row states what a user would see: the colour, and the numbers the one-line reason must show.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from domain.periods import checkpoint_dates
from domain.settings import Settings
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    STATUS_LABELS,
    IndicatorInput,
    PlanPoint,
    ProjectInput,
    check_explanations,
    count_statuses,
    default_accumulates,
    department_summary,
    evaluate_all,
    evaluate_budget,
    evaluate_indicator,
    evaluate_project,
    explanation_requirements,
    indicator_mode,
    normalise_judgement,
    risk_items,
    worst,
)
from domain.targets import parse_target

Y = 2024
Q1, Q3, YE = date(Y, 3, 31), date(Y, 9, 30), date(Y, 12, 31)
DEFAULT = Settings()
QUARTER_LABELS = ["第一季度", "第二季度", "第三季度", "第四季度"]

L1 = {"数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "产出指标",
      "社会效益": "效果指标", "经济效益": "效果指标", "服务对象满意度": "满意度指标"}


def ind(raw: str, level2: str = "数量", name: str = "指标", **kw) -> IndicatorInput:
    return IndicatorInput(
        id=name, level1=L1.get(level2, "产出指标"), level2=f"{level2}指标", level3=name,
        target=parse_target(raw, Y), **kw)


def plan(*values: float, labels=QUARTER_LABELS) -> list[PlanPoint]:
    return [PlanPoint(lb, d, v) for lb, d, v in zip(labels, checkpoint_dates(labels, Y), values)]


# --------------------------------------------------------------------------- indicators

# (case id, 指标值, 二级指标, as-of, entered values, settings changes, status, reason must contain)
INDICATOR_CASES = [
    # accumulating count, pro-rated at 9/30 (序时75%): >2400人次 -> 1800人次 expected; band edges
    ("acc-59.9-red", ">2400人次", "数量", Q3, dict(actual=1078.2), {}, RED,
     ["累计型按序时折算", "序时目标1800人次", "59.9%", "<60%"]),
    ("acc-60-amber", ">2400人次", "数量", Q3, dict(actual=1080), {}, AMBER, ["60.0%", "60%–80%"]),
    ("acc-79.9-amber", ">2400人次", "数量", Q3, dict(actual=1438.2), {}, AMBER, ["79.9%"]),
    ("acc-80-green", ">2400人次", "数量", Q3, dict(actual=1440), {}, GREEN, ["80.0%", "80%–120%"]),
    ("acc-119.9-green", ">2400人次", "数量", Q3, dict(actual=2158.2), {}, GREEN, ["119.9%"]),
    ("acc-120-blue", ">2400人次", "数量", Q3, dict(actual=2160), {}, BLUE, ["120.0%", "≥120%"]),
    ("acc-q1-share", "≥71人次", "数量", Q1, dict(actual=10), {}, RED, ["序时目标17.75人次", "25.0%", "56.3%"]),
    ("acc-benefit-count", "大于7000人", "社会效益", Q3, dict(actual=5000), {}, GREEN, ["累计型", "序时目标5250人"]),
    # exact counts: reach it; reaching (not passing) the annual value early is green, not blue
    ("exact-431-on-track", "431人", "数量", Q3, dict(actual=330), {}, GREEN, ["序时目标323.25人", "102.1%"]),
    ("exact-431-reached", "431人", "数量", Q3, dict(actual=431), {}, GREEN, ["已达全年目标值"]),
    ("exact-431-passed", "431人", "数量", Q3, dict(actual=520), {}, BLUE, ["160.9%"]),
    ("exact-1所-done", "=1所", "数量", Q3, dict(actual=1), {}, GREEN, ["累计1所"]),
    ("floor-1间-reached-early", "≥1间", "数量", Q3, dict(actual=1), {}, GREEN, ["已达全年目标值"]),
    ("floor-1间-passed", "≥1间", "数量", Q3, dict(actual=2), {}, BLUE, ["≥120%"]),
    # a count whose 序时目标 is below one whole unit is not pro-rated: judged against the annual target by year end
    ("whole-1所-none", "=1所", "数量", Q3, dict(actual=0), {}, GREY,
     ["整数目标按年末判断", "序时目标0.75所不足1所", "不按序时折算", "年末前不评价"]),
    ("whole-1人-projected", "＝1人", "数量", Q3, dict(actual=0, projected=1), {}, GREEN,
     ["不按序时折算", "全年预计1人，达全年目标的100.0%"]),
    ("whole-1人-projected-short", "＝1人", "数量", Q3, dict(actual=0, projected=0), {}, RED, ["按全年预计判为红"]),
    ("whole-1人-window", "＝1人", "数量", date(Y, 12, 15), dict(actual=0), {}, AMBER, ["距年末还有16天，尚未达到"]),
    ("whole-1人-year-end", "＝1人", "数量", YE, dict(actual=0), {}, RED, ["年末累计0人", "0.0%"]),
    ("whole-2所-q1", "≥2所", "数量", Q1, dict(actual=0), {}, GREY, ["序时目标0.5所不足1所"]),
    ("whole-2所-q3-pro-rated", "≥2所", "数量", Q3, dict(actual=0), {}, RED, ["累计型按序时折算", "序时目标1.5所"]),
    ("whole-bare-count", "1", "数量", Q3, dict(actual=0), {}, GREY, ["整数目标按年末判断"]),
    # an = amount of money is a ceiling for 成本 indicators only; elsewhere it is an amount to deliver
    ("money-amount-to-deliver-short", "=165.2万元", "数量", Q3, dict(actual=142), {}, RED,
     ["水平型直接判断", "142.00万元", "未达标"]),
    ("money-amount-to-deliver-met", "=165.2万元", "数量", Q3, dict(actual=170), {}, GREEN, ["达标"]),
    # rates and levels judged directly
    ("rate-90-met", "≥90%", "服务对象满意度", Q3, dict(actual=90), {}, GREEN, ["水平型直接判断", "当前值90.0%", "达标"]),
    ("rate-89.9-red", "≥90%", "服务对象满意度", Q3, dict(actual=89.9), {}, RED, ["89.9%", "未达标"]),
    ("rate-amber-band", "≥90%", "服务对象满意度", Q3, dict(actual=89.9), dict(level_amber_margin=0.05), AMBER,
     ["略低于目标"]),
    ("rate-below-amber-band", "≥90%", "服务对象满意度", Q3, dict(actual=85), dict(level_amber_margin=0.05), RED, []),
    ("rate-worded", "90%以上", "服务对象满意度", Q3, dict(actual=95), {}, GREEN, ["目标90%以上"]),
    ("bare-95-is-floor", "95%", "质量", Q3, dict(actual=96.5), {}, GREEN, ["96.5%"]),
    ("bare-95-short", "95%", "质量", Q3, dict(actual=94), {}, RED, ["94.0%"]),
    ("bare-100-exact", "100%", "成本", Q3, dict(actual=100), {}, GREEN, ["100.0%"]),
    ("bare-100-short", "100%", "成本", Q3, dict(actual=99), {}, RED, []),
    ("rate-in-benefit", "≥85%", "社会效益", Q3, dict(actual=80), {}, RED, ["水平型"]),
    ("money-per-head-level", "≥372元/人", "成本", Q3, dict(actual=372), {}, GREEN, ["水平型", "372元/人"]),
    # caps (成本)
    ("cap-within", "≤3万/块", "成本", Q3, dict(actual=3), {}, GREEN, ["上限型直接判断", "3.00万元/块", "未超过上限"]),
    ("cap-above", "≤3万/块", "成本", Q3, dict(actual=3.01), {}, RED, ["3.01万元/块", "超过上限"]),
    ("cap-amber-band", "≤11.7万", "成本", Q3, dict(actual=12), dict(level_amber_margin=0.05), AMBER,
     ["12.00万元", "略超上限"]),
    ("cap-strict-equal", "<2万元", "成本", Q3, dict(actual=2), {}, RED, []),
    # exact amounts and unit costs: stay at it
    ("unit-cost-at", "＝3000元/个", "成本", Q3, dict(actual=3000), {}, GREEN, ["3000元/个"]),
    ("unit-cost-under", "＝3000元/个", "成本", Q3, dict(actual=2900), {}, GREEN, ["2900元/个"]),
    ("unit-cost-over", "＝3000元/个", "成本", Q3, dict(actual=3100), {}, RED, ["3100元/个", "超过上限"]),
    ("amount-at", "=165.2万元", "成本", Q3, dict(actual=165.2), {}, GREEN, ["165.20万元"]),
    ("amount-over", "=165.2万元", "成本", Q3, dict(actual=170), {}, RED, ["170.00万元"]),
    # zero targets
    ("zero-accidents-ok", "=0起", "质量", Q3, dict(actual=0), {}, GREEN, ["当前值0起"]),
    ("zero-accidents-one", "=0起", "质量", Q3, dict(actual=1), {}, RED, ["当前值1起"]),
    ("zero-in-count-group", "=0起", "社会效益", Q3, dict(actual=0), {}, GREEN, []),
    # deadlines
    ("deadline-far", "2024年12月31日", "时效", Q3, {}, {}, GREY, ["未到期限", "12月31日", "92天"]),
    ("deadline-window-not-done", "2024年12月31日", "时效", date(Y, 12, 15),
     dict(actual_judgement="进行中"), {}, AMBER, ["还有16天"]),
    ("deadline-window-no-entry", "2024年12月底前", "时效", date(Y, 12, 15), {}, {}, MISSING, ["未填报"]),
    ("deadline-passed", "2024年6月30日", "时效", Q3, dict(actual_judgement="进行中"), {}, RED,
     ["已过期限6月30日"]),
    ("deadline-passed-no-entry", "2024年6月30日", "时效", Q3, {}, {}, MISSING, ["已过期限"]),
    ("deadline-done-on-time", "2024年6月30日", "时效", Q3, dict(actual_date=date(Y, 6, 20)), {}, GREEN,
     ["6月20日完成", "按时完成"]),
    ("deadline-done-late", "2024年6月30日", "时效", Q3, dict(actual_date=date(Y, 7, 10)), {}, AMBER,
     ["晚于期限"]),
    ("deadline-done-word", "2024年6月30日", "时效", Q3, dict(actual_judgement="完成"), {}, GREEN, ["已完成"]),
    ("deadline-window-setting", "2024年12月31日", "时效", date(Y, 11, 15), dict(actual_judgement="进行中"),
     dict(deadline_amber_days=60), AMBER, ["还有46天"]),
    # qualitative
    ("qual-done", "完成", "质量", Q3, dict(actual_judgement="达成"), {}, GREEN, ["定性", "达成"]),
    ("qual-yes", "是", "社会效益", Q3, dict(actual_judgement="是"), {}, GREEN, ["达成"]),
    ("qual-partial", "明显改善", "社会效益", Q3, dict(actual_judgement="部分达成"), {}, AMBER, ["部分达成"]),
    ("qual-not", "符合", "质量", Q3, dict(actual_judgement="未达成"), {}, RED, ["未达成"]),
    ("qual-in-progress", "完成", "社会效益", Q3, dict(actual_judgement="进行中"), {}, GREY, ["年末前不评价"]),
    ("qual-in-progress-year-end", "完成", "社会效益", YE, dict(actual_judgement="进行中"), {}, RED,
     ["年末仍为「进行中」"]),
    ("qual-missing", "是", "社会效益", Q3, {}, {}, MISSING, ["截至9月30日未填报"]),
    # missing before and after the first reporting period end
    ("missing-before-due", "≥90%", "服务对象满意度", date(Y, 3, 30), {}, {}, GREY, ["未到首个填报期", "3月31日"]),
    ("missing-after-due", "≥90%", "服务对象满意度", Q1, {}, {}, MISSING, ["截至3月31日未填报当前完成值"]),
    ("missing-monthly", ">2400人次", "数量", date(Y, 2, 15), {}, dict(reporting_period="month"), MISSING, []),
    ("entered-before-due", ">2400人次", "数量", date(Y, 2, 29), dict(actual=400), {}, GREEN, ["序时目标400人次"]),
    ("numeric-judged-in-words", "≥90%", "质量", Q3, dict(actual_judgement="基本完成"), {}, AMBER, ["部分达成"]),
    # year end: share = 1; a value short of target is never better than amber
    ("ye-short-amber", ">2400人次", "数量", YE, dict(actual=2000), {}, AMBER, ["年末累计2000人次", "83.3%", "未达全年目标"]),
    ("ye-equal-strict", ">2400人次", "数量", YE, dict(actual=2400), {}, AMBER, ["未达全年目标"]),
    ("ye-met", ">2400人次", "数量", YE, dict(actual=2401), {}, GREEN, []),
    ("ye-red", ">2400人次", "数量", YE, dict(actual=1400), {}, RED, ["58.3%"]),
    # projections (全年预计完成值): judged as year-end values, worse wins
    ("proj-worse", ">2400人次", "数量", Q3, dict(actual=1500, projected=2000), {}, AMBER,
     ["83.3%", "全年预计2000人次", "按全年预计判为黄"]),
    ("proj-equal-strict", ">2400人次", "数量", Q3, dict(actual=1500, projected=2400), {}, AMBER, []),
    ("proj-fine", ">2400人次", "数量", Q3, dict(actual=1500, projected=2500), {}, GREEN, ["全年预计2500人次"]),
    ("proj-red", ">2400人次", "数量", Q3, dict(actual=1500, projected=1200), {}, RED, ["50.0%"]),
    ("proj-below-ytd", ">2400人次", "数量", Q3, dict(actual=2500, projected=2000), {}, AMBER,
     ["低于当前累计值"]),
    ("proj-better-does-not-help", ">2400人次", "数量", Q3, dict(actual=1000, projected=3000), {}, RED, []),
    ("proj-rate", "≥90%", "服务对象满意度", Q3, dict(actual=92, projected=85), {}, RED, ["全年预计85.0%"]),
    ("proj-cap", "≤3万/块", "成本", Q3, dict(actual=2.8, projected=3.2), {}, RED, ["全年预计3.20万元/块"]),
    ("proj-qual", "完成", "社会效益", Q3, dict(actual_judgement="进行中", projected_judgement="部分达成"), {},
     AMBER, ["全年预计「部分达成」"]),
    ("proj-with-missing-current", ">2400人次", "数量", Q3, dict(projected=1000), {}, RED, ["未填报"]),
    # 完成目标可能性
    ("impossible-makes-red", "≥90%", "服务对象满意度", Q3, dict(actual=95, likelihood="完全不可能"), {}, RED,
     ["完全不可能"]),
    ("possible-keeps-colour", "≥90%", "服务对象满意度", Q3, dict(actual=95, likelihood="有可能"), {}, GREEN, []),
    # settings changed from the defaults
    ("bands-changed-amber", ">2400人次", "数量", Q3, dict(actual=1440),
     dict(indicator_red_below=0.5, indicator_green_from=0.9, indicator_blue_from=1.5), AMBER, ["50%–90%"]),
    ("bands-changed-green", ">2400人次", "数量", Q3, dict(actual=2160),
     dict(indicator_red_below=0.5, indicator_green_from=0.9, indicator_blue_from=1.5), GREEN, ["90%–150%"]),
    # the admin switched the accumulate rule
    ("switched-to-level", ">2400人次", "数量", Q3, dict(actual=1800, accumulates=False), {}, RED,
     ["水平型直接判断", "未达标"]),
    ("switched-to-accumulating", "≥90%", "社会效益", Q3, dict(actual=70, accumulates=True), {}, GREEN,
     ["累计型按序时折算", "序时目标67.5%"]),
]


@pytest.mark.parametrize(
    "raw, level2, as_of, entered, changes, status, fragments",
    [c[1:] for c in INDICATOR_CASES],
    ids=[c[0] for c in INDICATOR_CASES],
)
def test_indicator_status(raw, level2, as_of, entered, changes, status, fragments):
    settings = DEFAULT.with_changes(**changes) if changes else DEFAULT
    assert settings.validate() == []
    result = evaluate_indicator(ind(raw, level2, **entered), as_of, settings)
    assert result.status == status, result.reason
    for fragment in fragments:
        assert fragment in result.reason, (fragment, result.reason)
    assert "\n" not in result.reason


# --------------------------------------------------------------------------- default accumulate rule

@pytest.mark.parametrize(
    "raw, level2, accumulates",
    [
        (">2400人次", "数量指标", True),
        ("≥71人次", " 数量指标", True),
        ("=1所", "数量指标", True),
        ("431人", "数量", True),
        ("不少于71", "数量指标", True),  # a bare count
        ("大于7000人", "社会效益指标", True),
        ("≥4项", "可持续影响指标", True),
        ("≥90%", "数量指标", False),  # a rate
        ("≥1.2万元/年", "数量指标", False),  # money per unit
        ("≥372元/人", "成本指标", False),
        ("≥3所", "质量指标", False),  # 质量 is a level
        ("≥3所", "时效指标", False),
        ("≤3万/块", "成本指标", False),  # caps never accumulate
        ("2024年12月31日", "数量指标", False),
        ("完成", "数量指标", False),
        ("≥95%", "服务对象满意度指标", False),
    ],
)
def test_default_accumulate_rule(raw, level2, accumulates):
    assert default_accumulates(level2, parse_target(raw, Y)) is accumulates


def test_modes_say_how_each_kind_is_judged():
    assert indicator_mode(ind("≤3万/块", "成本")) == "cap"
    assert indicator_mode(ind("＝3000元/个", "成本")) == "cap"
    assert indicator_mode(ind("=0起", "数量")) == "cap"
    assert indicator_mode(ind("≥90%", "质量")) == "level"
    assert indicator_mode(ind(">2400人次", "数量")) == "accumulating"
    assert indicator_mode(ind("2024年12月31日", "时效")) == "deadline"
    assert indicator_mode(ind("促进", "社会效益")) == "qualitative"


@pytest.mark.parametrize(
    "text, judgement",
    [("达成", "达成"), ("已完成", "达成"), (" 是 ", "达成"), ("基本完成", "部分达成"), ("部分达成", "部分达成"),
     ("否", "未达成"), ("未完成", "未达成"), ("推进中", "进行中"), ("随便写", None), (None, None), ("", None),
     # the national form's tiers and the wording of published 自评表, with their punctuation
     ("达成年度指标", "达成"), ("达成预期指标。", "达成"), ("「达到预期目标」", "达成"), ("显著提升", "达成"),
     ("部分达成年度指标并具有一定效果", "部分达成"), ("基本达到", "部分达成"), ("有所提升", "部分达成"),
     ("未达成年度指标且效果较差", "未达成"), ("未达到预期", "未达成")],
)
def test_judgement_words(text, judgement):
    assert normalise_judgement(text) == judgement


# --------------------------------------------------------------------------- over-achievement (Hebei)

@pytest.mark.parametrize(
    "raw, level2, as_of, entered, changes, overachieved, status",
    [
        ("≥100人", "数量", YE, dict(actual=116), {}, True, GREEN),
        ("≥100人", "数量", YE, dict(actual=115), {}, False, GREEN),
        ("≥100人", "数量", Q3, dict(actual=80, projected=130), {}, True, BLUE),  # projected counts
        ("≥80%", "服务对象满意度", Q3, dict(actual=95), {}, True, GREEN),
        ("≥80%", "服务对象满意度", Q3, dict(actual=95), dict(overachieve_margin=0.2), False, GREEN),
        ("≤3万/块", "成本", Q3, dict(actual=1), {}, False, GREEN),  # under a cap is not over-achievement
        ("431人", "数量", YE, dict(actual=500), {}, False, GREEN),  # '=' is not a >= target
    ],
)
def test_overachievement_must_be_explained(raw, level2, as_of, entered, changes, overachieved, status):
    settings = DEFAULT.with_changes(**changes) if changes else DEFAULT
    r = evaluate_indicator(ind(raw, level2, **entered), as_of, settings)
    assert r.overachieved is overachieved, r.reason
    assert r.status == status
    req = explanation_requirements(r)
    assert req.explanation is (overachieved or status == BLUE)
    if overachieved:
        assert "15%" in r.reason or "20%" in r.reason


# --------------------------------------------------------------------------- what must be explained

@pytest.mark.parametrize(
    "status, likelihood, overachieved, expect",
    [
        (GREEN, None, False, dict()),
        (GREY, None, False, dict()),
        (AMBER, None, False, dict(reasons=True, explanation=True, likelihood=True)),
        (RED, "确定能", False, dict(reasons=True, explanation=True, likelihood=True)),
        (RED, "有可能", False, dict(reasons=True, explanation=True, likelihood=True, measures=True)),
        (GREEN, "有可能", False, dict(measures=True)),
        (GREEN, "完全不可能", False, dict(reasons=True, explanation=True, likelihood=True, measures=True)),
        (BLUE, None, False, dict(explanation=True)),
        (GREEN, None, True, dict(explanation=True)),
        (MISSING, None, False, dict(value=True)),
    ],
)
def test_explanation_requirements(status, likelihood, overachieved, expect):
    req = explanation_requirements(status, likelihood, overachieved)
    got = {k: getattr(req, k) for k in ("value", "reasons", "explanation", "likelihood", "measures")}
    assert got == {k: expect.get(k, False) for k in got}


def test_indicator_flags_follow_the_explanation_rules():
    red = evaluate_indicator(ind("≥90%", "服务对象满意度", actual=80, likelihood="有可能"), Q3)
    assert (red.status, red.must_explain, red.needs_measures, red.needs_note) == (RED, True, True, False)
    green = evaluate_indicator(ind("≥90%", "服务对象满意度", actual=92), Q3)
    assert (green.must_explain, green.needs_measures) == (False, False)
    blue = evaluate_indicator(ind(">2400人次", actual=2300), Q3)
    assert (blue.status, blue.needs_note, blue.must_explain) == (BLUE, True, False)


def test_check_explanations_names_each_missing_field():
    req = explanation_requirements(AMBER, "有可能")
    msgs = check_explanations(req)
    assert [m.split("：")[0] for m in msgs] == ["偏差原因分析", "说明", "完成目标可能性", "纠偏措施"]
    ok = check_explanations(req, reasons=["经费保障"], explanation="资金拨付延迟", likelihood="有可能",
                            measures="加快拨付")
    assert ok == []
    bad = check_explanations(req, reasons=["天气"], explanation="x", likelihood="也许", measures="y")
    assert any("天气" in m for m in bad) and any("也许" in m for m in bad)
    assert check_explanations(explanation_requirements(MISSING), value_entered=False) == [
        "当前完成值：已到填报期，须填写"]


# --------------------------------------------------------------------------- budget execution

# (case id, plan %, spent, projected, as-of, settings changes, status, needs_reason, reason must contain)
BUDGET_CASES = [
    ("red", (25, 50, 75, 100), 42, None, Q3, {}, RED, True, ["截至9月30日执行率42.0%", "计划75.0%", "仅达计划的56.0%", "<60%"]),
    ("59.9-red", (25, 50, 75, 100), 44.925, None, Q3, {}, RED, True, ["59.9%"]),
    ("60-amber", (25, 50, 75, 100), 45, None, Q3, {}, AMBER, True, ["达计划的60.0%", "60%–80%"]),
    ("80-green", (25, 50, 75, 100), 60, None, Q3, {}, GREEN, False, ["达计划的80.0%", "≥80%"]),
    ("ahead-green", (25, 50, 75, 100), 75, None, Q1, {}, GREEN, False, ["计划25.0%", "300.0%"]),
    ("zero-plan-grey", (0, 0, 0, 100), 0, None, Q3, {}, GREY, False, ["未到计划支出期"]),
    ("zero-plan-spending-fine", (0, 0, 0, 100), 10, None, Q3, {}, GREY, False, ["未到计划支出期", "执行率10.0%"]),
    ("zero-plan-no-entry", (0, 0, 0, 100), None, None, Q3, {}, GREY, False, ["未到计划支出期"]),
    ("before-first-checkpoint", (25, 50, 75, 100), 5, None, date(Y, 2, 29), {}, GREY, False, ["计划累计0%"]),
    ("no-plan-time-progress", (), 42, None, Q3, {}, RED, True, ["序时进度75.0%（无支出计划）", "仅达序时进度的56.0%"]),
    ("no-plan-green", (), 60, None, Q3, {}, GREEN, False, ["序时进度75.0%"]),
    ("all-zero-plan-is-no-plan", (0, 0, 0, 0), 60, None, Q3, {}, GREEN, False, ["序时进度75.0%"]),
    ("over-budget", (25, 50, 75, 100), 100.5, None, Q3, {}, RED, True, ["100.50万元超过预算100.00万元", "100.5%"]),
    ("missing", (25, 50, 75, 100), None, None, Q3, {}, MISSING, False, ["未填报累计支出", "计划75.0%"]),
    ("not-due", (25, 50, 75, 100), None, None, date(Y, 3, 15), {}, GREY, False, []),
    ("step", (25, 50, 75, 100), 40, None, date(Y, 8, 15), {}, GREEN, False, ["计划50.0%", "80.0%"]),
    ("interpolated", (25, 50, 75, 100), 40, None, date(Y, 8, 15), dict(interpolate_plan=True), AMBER, True,
     ["计划（插值）62.5%", "64.0%"]),
    ("bands-changed", (25, 50, 75, 100), 60, None, Q3, dict(budget_red_below=0.7, budget_green_from=0.9),
     AMBER, True, ["70%–90%"]),
    ("year-end-below-floor", (25, 50, 75, 100), 85, None, YE, {}, GREEN, True, ["执行率85.0%", "低于90%，须说明原因"]),
    ("year-end-ok", (25, 50, 75, 100), 95, None, YE, {}, GREEN, False, []),
    ("year-end-floor-changed", (25, 50, 75, 100), 85, None, YE, dict(year_end_execution_floor=0.8), GREEN, False, []),
    ("projected-over", (25, 50, 75, 100), 70, 110, Q3, {}, RED, True, ["全年预计执行数110.00万元超过预算"]),
    ("projected-short", (25, 50, 75, 100), 70, 85, Q3, {}, AMBER, True, ["全年预计执行率85.0%"]),
    ("projected-ok", (25, 50, 75, 100), 70, 100, Q3, {}, GREEN, False, []),
    ("irregular-checkpoints", (20, 50, 80, 100), 40, None, Q3, {}, GREEN, False, ["计划50.0%"]),
]


@pytest.mark.parametrize(
    "plan_pct, spent, projected, as_of, changes, status, needs_reason, fragments",
    [c[1:] for c in BUDGET_CASES],
    ids=[c[0] for c in BUDGET_CASES],
)
def test_budget_status(plan_pct, spent, projected, as_of, changes, status, needs_reason, fragments, request):
    labels = ["3月底", "6月底", "10月底", "12月底"] if "irregular" in request.node.name else QUARTER_LABELS
    settings = DEFAULT.with_changes(**changes) if changes else DEFAULT
    p = ProjectInput("p", "项目", budget_wan=100.0, plan=plan(*plan_pct, labels=labels) if plan_pct else [],
                     spent_wan=spent, projected_spent_wan=projected)
    b = evaluate_budget(p, as_of, settings)
    assert b.status == status, b.reason
    assert b.needs_reason is needs_reason, b.reason
    for fragment in fragments:
        assert fragment in b.reason, (fragment, b.reason)


def test_budget_numbers_are_exposed_for_tables():
    p = ProjectInput("p", "区本课程经费", budget_wan=368.55, plan=plan(25, 50, 75, 100), spent_wan=200)
    b = evaluate_budget(p, Q3)
    assert b.execution_pct == pytest.approx(54.27, abs=0.01)
    assert b.expected_pct == 75.0 and b.expected_source == "plan"
    assert b.ratio == pytest.approx(0.724)
    assert evaluate_budget(ProjectInput("z", "无预算", budget_wan=0, spent_wan=5), Q3).status == GREY


# --------------------------------------------------------------------------- projects and roll-ups

def _project(pid, area, unit, budget, spent, indicators):
    return ProjectInput(pid, f"项目{pid}", unit=unit, area=area, budget_wan=budget,
                        plan=plan(25, 50, 75, 100), spent_wan=spent, indicators=indicators)


@pytest.fixture()
def portfolio():
    return [
        # green budget, one blue indicator -> project green (blue counts as green)
        _project("a", "学校建设", "高新中学", 368.55, 300, [ind(">2400人次", name="服务人次", actual=2300),
                                                        ind("≥90%", "服务对象满意度", name="满意度", actual=95)]),
        # red budget, green indicators -> red
        _project("b", "学校建设", "龙泽学校", 100.0, 20, [ind("≥90%", "服务对象满意度", actual=95)]),
        # green budget, one missing indicator -> missing
        _project("c", "卫生管理和服务", "社会事务局本级", 9000.0, 7000, [ind("是", "社会效益", name="群众满意"),
                                                                   ind("≥90%", "质量", actual=92)]),
        # amber indicator -> amber; big budget
        _project("d", "卫生管理和服务", "社会事务局本级", 500.0, 375, [ind("完成", "社会效益", name="改善",
                                                                        actual_judgement="部分达成")]),
        # red indicator in a small project
        _project("e", "残联事务经费", "社会事务局本级", 50.0, 37.5, [ind("≤3万/块", "成本", name="单价", actual=4)]),
    ]


def test_project_status_is_the_worst_and_blue_counts_as_green(portfolio):
    results = evaluate_all(portfolio, Q3)
    assert [r.status for r in results] == [GREEN, RED, MISSING, AMBER, RED]
    a = results[0]
    assert [i.status for i in a.indicators] == [BLUE, GREEN]
    assert "预算执行红" in results[1].reason and "仅达计划的26.7%" in results[1].reason
    assert "指标「群众满意」未填报" in results[2].reason
    assert "指标「单价」红" in results[4].reason
    # one project evaluated alone gives the same answer
    assert evaluate_project(portfolio[3], Q3).status == AMBER


def test_worst_ordering():
    assert worst([GREEN, GREY]) == GREEN
    assert worst([GREEN, BLUE]) == BLUE
    assert worst([AMBER, MISSING]) == MISSING
    assert worst([MISSING, RED]) == RED
    assert worst([]) == GREY


def test_status_counts(portfolio):
    results = evaluate_all(portfolio, Q3)
    assert count_statuses(r.status for r in results) == {
        RED: 2, MISSING: 1, AMBER: 1, GREEN: 1, BLUE: 0, GREY: 0}


def test_department_summary(portfolio):
    s = department_summary(evaluate_all(portfolio, Q3))
    assert s.project_count == 5 and s.indicator_count == 7
    assert s.budget_total_wan == pytest.approx(10018.55)
    assert s.spent_total_wan == pytest.approx(7732.5)
    assert s.execution_pct == pytest.approx(7732.5 / 10018.55 * 100)
    assert s.budgets[RED] == 1 and s.indicators[MISSING] == 1


def test_risk_list_is_ordered_by_severity_then_budget(portfolio):
    items = risk_items(evaluate_all(portfolio, Q3))
    assert [(i.project_id, i.kind, i.status) for i in items] == [
        ("b", "budget", RED),  # red, 100万元
        ("e", "indicator", RED),  # red, 50万元
        ("c", "indicator", MISSING),
        ("d", "indicator", AMBER),
    ]
    assert items[1].item == "单价" and "4.00万元/块" in items[1].reason
    assert [i.project_id for i in risk_items(evaluate_all(portfolio, Q3), statuses=(AMBER,))] == ["d"]


# --------------------------------------------------------------------------- settings

def test_default_settings_are_the_documented_defaults():
    s = Settings()
    assert s.validate() == []
    assert (s.budget_red_below, s.budget_green_from) == (0.6, 0.8)
    assert (s.indicator_red_below, s.indicator_green_from, s.indicator_blue_from) == (0.6, 0.8, 1.2)
    assert (s.deadline_amber_days, s.overachieve_margin, s.year_end_execution_floor) == (30, 0.15, 0.9)
    assert (s.weight_budget, s.weight_output, s.weight_effect, s.weight_satisfaction) == (10, 50, 30, 10)
    assert (s.qual_achieved, s.qual_partial, s.qual_not_achieved) == (1.0, 0.7, 0.3)  # 达成 full marks
    assert (s.grade_excellent, s.grade_good, s.grade_pass) == (90, 80, 60)
    assert s.level_amber_margin == 0.0 and s.interpolate_plan is False


def test_settings_round_trip_through_a_stored_dict():
    s = Settings(budget_red_below=0.5, interpolate_plan=True, accumulate_level2=("数量",))
    d = s.to_dict()
    assert d["accumulate_level2"] == ["数量"]
    assert Settings.from_dict(d) == s
    # values typed in a form arrive as text; unknown keys are ignored
    t = Settings.from_dict({"deadline_amber_days": "45", "interpolate_plan": "是", "weight_budget": "10",
                            "count_units": "人，人次、户", "retired_key": 1})
    assert (t.deadline_amber_days, t.interpolate_plan, t.count_units) == (45, True, ("人", "人次", "户"))
    assert Settings.from_dict(None) == Settings()


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(budget_red_below=0.8, budget_green_from=0.6), "预算执行档位须满足"),
        (dict(indicator_green_from=1.3), "指标完成档位须满足"),
        (dict(indicator_blue_from=1.0, indicator_green_from=0.9), "蓝色线"),
        (dict(weight_budget=20), "自评权重合计须为100分，当前为110分"),
        (dict(qual_achieved=0.9, qual_partial=0.95), "定性指标得分比例"),
        (dict(grade_good=95), "等级分数线"),
        (dict(deadline_amber_days=-1), "时限预警天数不能为负数"),
        (dict(level_amber_margin=1.5), "黄色区间"),
        (dict(reporting_period="week"), "填报周期"),
        (dict(year_end_execution_floor=1.2), "年末执行率下限"),
    ],
)
def test_invalid_settings_give_chinese_messages(changes, message):
    errors = Settings().with_changes(**changes).validate()
    assert any(message in e for e in errors), errors


def test_unconvertible_stored_value_is_reported_not_raised():
    s = Settings.from_dict({"budget_red_below": "六成"})
    assert s.validate() == ["预算执行红色线须为数字"]


# --------------------------------------------------------------------------- robustness


_RAWS = ["≥90%", ">2400人次", "≤3万/块", "=1所", "＝3000元/个", "=165.2万元", "431人", "2024年12月31日",
         "完成", "是", "95%", "100%", "=0起", "≥372元/人", "随便什么文字", ""]
_L2 = ["数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标", "", "其他"]
_numbers = st.one_of(st.none(), st.just(float("nan")), st.floats(min_value=-1e6, max_value=1e9))
_words = st.one_of(st.none(), st.sampled_from(["达成", "部分达成", "未达成", "进行中", "完成", "否", "?"]))


@hyp_settings(max_examples=300, deadline=None)
@given(raw=st.sampled_from(_RAWS), level2=st.sampled_from(_L2), actual=_numbers, projected=_numbers,
       judgement=_words, pjudgement=_words, likelihood=st.sampled_from([None, "确定能", "有可能", "完全不可能", "x"]),
       done=st.one_of(st.none(), st.dates(date(2023, 6, 1), date(2025, 6, 1))),
       as_of=st.dates(date(2023, 12, 1), date(2025, 2, 1)), accumulates=st.sampled_from([None, True, False]))
def test_any_entry_gets_a_status_and_a_reason(raw, level2, actual, projected, judgement, pjudgement,
                                               likelihood, done, as_of, accumulates):
    i = IndicatorInput("x", "产出指标", level2, "指标", parse_target(raw, Y), accumulates=accumulates,
                       actual=actual, actual_judgement=judgement, actual_date=done, projected=projected,
                       projected_judgement=pjudgement, likelihood=likelihood)
    r = evaluate_indicator(i, as_of, DEFAULT, Y)
    assert r.status in STATUS_LABELS and r.reason and "\n" not in r.reason
    if likelihood == "完全不可能":
        assert r.status == RED
    if actual is not None and actual == actual:
        assert r.status != MISSING or projected is not None or r.mode in ("deadline", "qualitative")


@hyp_settings(max_examples=200, deadline=None)
@given(budget=_numbers, spent=_numbers, projected=_numbers, as_of=st.dates(date(2023, 12, 1), date(2025, 2, 1)),
       interpolate=st.booleans(), pct=st.lists(st.floats(0, 100), min_size=0, max_size=4))
def test_any_budget_gets_a_status_and_a_reason(budget, spent, projected, as_of, interpolate, pct):
    p = ProjectInput("p", "项目", budget_wan=budget, plan=plan(*sorted(pct)), spent_wan=spent,
                     projected_spent_wan=projected)
    b = evaluate_budget(p, as_of, DEFAULT.with_changes(interpolate_plan=interpolate), Y)
    assert b.status in STATUS_LABELS and b.reason
    if budget and budget > 0 and spent is not None and spent == spent and spent > budget * 1.001:
        assert b.status == RED and "超过预算" in b.reason
