"""The admin's per-indicator choices (docs/rules.md §4.1, §4.2), the official wording kept beside a judgement
(§4.7) and weight presets per document or project (§7), table-driven: what a user sees, with the Chinese
text that must be printed."""

from __future__ import annotations

from datetime import date

import pytest

from domain.entry import JUDGEMENT, JUDGEMENT_TEXT, PROJECTED_JUDGEMENT, check_indicator_row
from domain.entry_values import judgement_wording
from domain.selfeval import self_evaluate
from domain.settings import DOCUMENT_LEVEL, PROJECT_LEVEL, Settings, preset_choice
from domain.status import (
    ACCUMULATING,
    AMBER,
    CAP,
    GREEN,
    GREY,
    LEVEL,
    RED,
    IndicatorInput,
    PlanPoint,
    ProjectInput,
    entered_text,
    evaluate_indicator,
    indicator_mode,
)
from domain.targets import parse_target

Y = 2024
Q3, YE = date(Y, 9, 30), date(Y, 12, 31)


def ind(raw: str, level2: str, **kw) -> IndicatorInput:
    l1 = "效果指标" if "效益" in level2 else "满意度指标" if "满意" in level2 else "产出指标"
    return IndicatorInput("i", l1, f"{level2}指标", "指标", parse_target(raw, Y), **kw)


# (case, 指标值, 二级指标, admin's choices, as-of, entered, mode, status, reason must contain)
OVERRIDE_CASES = [
    # '=' amounts: by 二级指标 unless the admin says otherwise
    ("amount-to-deliver-by-default", "=165.2万元", "数量", {}, YE, dict(actual=142.0), LEVEL, RED,
     ["水平型直接判断", "未达标"]),
    ("amount-set-as-cap", "=165.2万元", "数量", dict(direction="cap"), YE, dict(actual=142.0), CAP, GREEN,
     ["管理员设定：按上限判断（不超过目标值）", "上限型直接判断", "未超过上限"]),
    ("cost-cap-by-default", "=50万元", "成本", {}, YE, dict(actual=43.0), CAP, GREEN, ["未超过上限"]),
    ("cost-set-to-reach", "=50万元", "成本", dict(direction="reach"), YE, dict(actual=43.0), LEVEL, RED,
     ["管理员设定：按达到目标判断（不低于目标值）", "水平型直接判断", "未达标"]),
    ("unit-cost-set-to-reach", "＝3000元/个", "成本", dict(direction="reach"), YE, dict(actual=3000.0), LEVEL, GREEN,
     ["管理员设定：按达到目标判断", "达标"]),
    # a direction is only for '=' targets: a ≥ target is unchanged and says nothing
    ("direction-ignored-for-floor", "≥90%", "质量", dict(direction="cap"), YE, dict(actual=95.0), LEVEL, GREEN, ["达标"]),
    # accumulating or level, against the default rule
    ("count-set-as-level", "≥300人次", "数量", dict(accumulates=False), Q3, dict(actual=200.0), LEVEL, RED,
     ["管理员设定：水平型（不按序时折算）", "水平型直接判断", "当前值200人次"]),
    ("rate-set-as-accumulating", "≥100户", "质量", dict(accumulates=True), Q3, dict(actual=80.0), ACCUMULATING, GREEN,
     ["管理员设定：累计型", "累计型按序时折算", "序时目标75户"]),
    ("both-choices", "=4所", "数量", dict(accumulates=False, direction="reach"), Q3, dict(actual=3.0), LEVEL, RED,
     ["管理员设定：按达到目标判断（不低于目标值），水平型（不按序时折算）"]),
    # an indivisible count set to accumulate is still judged by year end (整数目标)
    ("whole-unit-still-by-year-end", "=1所", "质量", dict(accumulates=True), Q3, dict(actual=0.0), ACCUMULATING, GREY,
     ["管理员设定：累计型", "整数目标按年末判断"]),
]


@pytest.mark.parametrize("case, raw, level2, choices, as_of, entered, mode, status, fragments", OVERRIDE_CASES,
                         ids=[c[0] for c in OVERRIDE_CASES])
def test_admin_choices_decide_the_mode_and_the_reason_says_so(case, raw, level2, choices, as_of, entered, mode,
                                                                status, fragments):
    i = ind(raw, level2, **choices, **entered)
    assert indicator_mode(i) == mode
    st = evaluate_indicator(i, as_of, year=Y)
    assert st.status == status, st.reason
    for text in fragments:
        assert text in st.reason, st.reason
    if not choices or case == "direction-ignored-for-floor":
        assert "管理员设定" not in st.reason


def _scored(i: IndicatorInput) -> float:
    p = ProjectInput("p", "项目", budget_wan=100, spent_wan=100, plan=[PlanPoint("第四季度", YE, 100)], indicators=[i])
    return self_evaluate(p, YE, Settings(), Y).items[0].score


def test_the_self_evaluation_follows_the_direction_chosen():
    # 86 % of an amount to deliver scores B/A; set as a cap it scores full marks
    deliver = ind("=165.2万元", "数量", actual=142.0)
    assert _scored(deliver) == pytest.approx(90 * 142 / 165.2)
    assert _scored(ind("=165.2万元", "数量", actual=142.0, direction="cap")) == pytest.approx(90.0)


# --------------------------------------------------------------------------- the wording kept

# (typed, judgement it maps to, wording stored earlier, wording kept)
WORDING_CASES = [
    ("达成年度指标", "达成", None, "达成年度指标"),
    ("部分达成年度指标并具有一定效果", "部分达成", None, "部分达成年度指标并具有一定效果"),
    (" 未达成年度指标且效果较差。", "未达成", None, "未达成年度指标且效果较差。"),
    ("基本达到", "部分达成", None, "基本达到"),
    ("显著提升", "达成", None, "显著提升"),
    ("达成", "达成", None, None),  # the word itself: nothing to keep
    ("达成。", "达成", None, None),
    ("达成", "达成", "达成预期指标", "达成预期指标"),  # the grid re-sends the word: the earlier wording stays
    ("部分达成", "部分达成", "达成预期指标", None),  # a different judgement: the earlier wording goes
    ("", None, "达成预期指标", None),
]


@pytest.mark.parametrize("typed, judgement, stored, kept", WORDING_CASES)
def test_the_official_wording_is_kept_beside_the_judgement(typed, judgement, stored, kept):
    assert judgement_wording(typed, judgement, stored) == kept


def test_an_entered_tier_is_judged_by_its_word_and_shown_with_its_wording():
    qual = ind("明显改善", "社会效益")
    check = check_indicator_row({JUDGEMENT: "达成年度指标", PROJECTED_JUDGEMENT: "部分达成年度指标并具有一定效果",
                                 "reasons": "其他", "explanation": "资金到位晚", "likelihood": "确定能"}, qual, Q3, year=Y)
    assert check.ok, check.errors
    v = check.values
    assert (v.actual_judgement, v.actual_judgement_text) == ("达成", "达成年度指标")
    assert (v.projected_judgement, v.projected_judgement_text) == ("部分达成", "部分达成年度指标并具有一定效果")
    assert check.status is not None and check.status.status == AMBER  # the projection decides
    assert entered_text(check.status.indicator) == "达成（原文：达成年度指标）"
    assert entered_text(check.status.indicator, projected=True) == "部分达成（原文：部分达成年度指标并具有一定效果）"
    # re-sent as the word the grid shows, the wording stays
    again = check_indicator_row({JUDGEMENT: "达成", JUDGEMENT_TEXT: "达成年度指标"}, qual, Q3, year=Y)
    assert again.values.actual_judgement_text == "达成年度指标"


# --------------------------------------------------------------------------- presets per document or project


@pytest.mark.parametrize("project_preset, document_preset, choice", [
    ("hubei", "budget20", ("hubei", PROJECT_LEVEL)),
    (None, "budget20", ("budget20", DOCUMENT_LEVEL)),
    (None, None, None),
    ("custom", None, None),  # 自定义 is the numbers of 设置, not a preset of its own
    ("retired", "national", ("national", DOCUMENT_LEVEL)),
])
def test_the_project_preset_wins_then_the_documents(project_preset, document_preset, choice):
    assert preset_choice(project_preset, document_preset) == choice


def test_a_project_preset_reweighs_the_preview_and_says_where_it_was_set():
    # spent 10.8 %, every indicator met: 优 under the national 10/90, 良 under Hubei's 20/40/40
    p = ProjectInput("p", "项目", budget_wan=100, spent_wan=10.8, plan=[PlanPoint("第四季度", YE, 100)],
                     indicators=[ind("≥90%", "质量", actual=95.0), ind("≥80%", "社会效益", actual=90.0),
                                 ind("≥90%", "服务对象满意度", actual=96.0)])
    national = self_evaluate(p, YE, Settings(), Y)
    hubei = self_evaluate(p, YE, Settings(), Y, preset=("hubei", PROJECT_LEVEL))
    assert (national.total, national.grade) == (91.08, "优")
    assert (hubei.budget_weight, hubei.total, hubei.grade) == (20.0, 82.16, "良")
    assert hubei.weights_note == "权重方案「湖北（20/40/40）」（本项目设定）"
    doc = self_evaluate(p, YE, Settings(), Y, preset=("budget20", DOCUMENT_LEVEL))
    assert doc.weights_note == "权重方案「预算执行20/指标80（云南等）」（本年度目标表设定）"


def test_table_weights_still_win_inside_a_preset():
    p = ProjectInput("p", "项目", budget_wan=100, spent_wan=100, plan=[PlanPoint("第四季度", YE, 100)],
                     indicators=[ind("≥90%", "质量", actual=95.0, weight=30), ind("≥80%", "社会效益", actual=90.0, weight=50)])
    ev = self_evaluate(p, YE, Settings(), Y, preset=("hubei", PROJECT_LEVEL))
    assert ev.budget_weight == 20.0
    assert [round(i.weight, 2) for i in ev.items] == [30.0, 50.0]
    assert ev.weights_note == "权重方案「湖北（20/40/40）」（本项目设定）；指标按目标表分值计分（合计80分）"
