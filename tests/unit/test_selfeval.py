"""Self-evaluation preview (docs/rules.md, self-evaluation): scores a user would check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods import checkpoint_dates
from domain.selfeval import EFFECT, OUTPUT, SATISFACTION, grade_for, indicator_group, self_evaluate
from domain.settings import Settings
from domain.status import IndicatorInput, PlanPoint, ProjectInput
from domain.targets import parse_target

Y = 2024
Q3, YE = date(Y, 9, 30), date(Y, 12, 31)
LABELS = ["第一季度", "第二季度", "第三季度", "第四季度"]


def ind(raw, level1="产出指标", level2="数量指标", name="指标", **kw):
    return IndicatorInput(name, level1, level2, name, parse_target(raw, Y), **kw)


def project(indicators, budget=100.0, spent=100.0, projected=None):
    plan = [PlanPoint(lb, d, v) for lb, d, v in zip(LABELS, checkpoint_dates(LABELS, Y), (25, 50, 75, 100))]
    return ProjectInput("p", "区本课程经费", budget_wan=budget, plan=plan, spent_wan=spent,
                        projected_spent_wan=projected, indicators=indicators)


def full_set(**overrides):
    """One indicator per group, all met: output 50, effect 30, satisfaction 10."""
    out = ind("≥3所", name="装备学校数量", actual=3)
    eff = ind("≥85%", "效果指标", "社会效益指标", name="无害化处理率", actual=90)
    sat = ind("≥90%", "满意度指标", "服务对象满意度指标", name="满意度", actual=95)
    items = {"out": out, "eff": eff, "sat": sat}
    items.update(overrides)
    return list(items.values())


@pytest.mark.parametrize(
    "level1, level2, group",
    [("产出指标", "数量指标", OUTPUT), (" 效果指标", "社会效益指标", EFFECT), ("满意度指标", "服务对象满意度指标", SATISFACTION),
     ("", "成本指标", OUTPUT), ("", "可持续影响指标", EFFECT), ("", "服务对象满意度", SATISFACTION), ("其他", "其他", OUTPUT)],
)
def test_indicator_groups(level1, level2, group):
    assert indicator_group(level1, level2) == group


@pytest.mark.parametrize("score, grade", [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"),
                                          (60, "中"), (59.99, "差"), (0, "差")])
def test_grade_cutoffs(score, grade):
    assert grade_for(score) == grade


def test_everything_met_at_year_end_scores_100():
    r = self_evaluate(project(full_set()), YE)
    assert (r.total, r.grade) == (100.0, "优")
    assert r.group_weights == {OUTPUT: 50.0, EFFECT: 30.0, SATISFACTION: 10.0}
    assert not r.estimated


def test_budget_score_is_capped_execution_rate():
    r = self_evaluate(project(full_set(), spent=85.0), YE)
    assert r.budget_score == pytest.approx(8.5)
    assert r.total == 98.5
    assert "执行率85.0%" in r.budget_note
    over = self_evaluate(project(full_set(), spent=120.0), YE)
    assert over.budget_score == 10.0  # never above the weight


@pytest.mark.parametrize(
    "raw, actual, level2, expected_score",
    [
        ("≥3所", 2, "数量指标", 50 * 2 / 3),  # weight x B/A
        ("≥3所", 3, "数量指标", 50.0),
        ("≥3所", 5, "数量指标", 50.0),  # never above the weight
        (">2400人次", 1200, "数量指标", 25.0),
        ("≤3万/块", 4, "成本指标", 50 * 3 / 4),  # reverse: A/B
        ("≤3万/块", 2.5, "成本指标", 50.0),
        ("＝3000元/个", 3750, "成本指标", 40.0),  # exact amount over: A/B
        ("=0起", 2, "质量指标", 0.0),
        ("=0起", 0, "质量指标", 50.0),
        # an = amount of money is delivered in 数量 (B/A: 86% delivered is not full marks), a ceiling in 成本
        ("=165.2万元", 142.07, "数量指标", 50 * 142.07 / 165.2),
        ("=165.2万元", 142.07, "成本指标", 50.0),
        ("=165.2万元", 180, "成本指标", 50 * 165.2 / 180),
    ],
)
def test_quantitative_scores(raw, actual, level2, expected_score):
    r = self_evaluate(project(full_set(out=ind(raw, level2=level2, actual=actual))), YE)
    assert r.group_scores[OUTPUT] == pytest.approx(expected_score)
    assert r.items[0].estimated is False


def test_weights_split_evenly_within_a_group():
    two_outputs = [ind("≥3所", name="a", actual=3), ind("≥10人", name="b", actual=5)] + full_set()[1:]
    r = self_evaluate(project(two_outputs), YE)
    assert [round(i.weight, 2) for i in r.items] == [25.0, 25.0, 30.0, 10.0]
    assert r.items[1].score == pytest.approx(12.5)
    assert "得分=25.00×5/10=12.50" in r.items[1].note
    assert r.total == pytest.approx(87.5) and r.grade == "良"


@pytest.mark.parametrize(
    "judgement, share, estimated",
    [("达成", 1.0, False), ("部分达成", 0.7, True), ("未达成", 0.3, True),
     ("进行中", 0.3, True)],  # 进行中 at year end = 未达成; 达成 at full marks is not an estimate
)
def test_qualitative_shares_and_estimates(judgement, share, estimated):
    eff = ind("明显改善", "效果指标", "社会效益指标", actual_judgement=judgement)
    r = self_evaluate(project(full_set(eff=eff)), YE)
    item = r.items[1]
    assert item.score == pytest.approx(30 * share)
    assert item.estimated is estimated and r.estimated is estimated
    assert ("估算" in item.note) is estimated


def test_projected_values_are_used_during_the_year():
    out = ind("≥3所", actual=1, projected=3)
    eff = ind("明显改善", "效果指标", "社会效益指标", actual_judgement="进行中", projected_judgement="达成")
    r = self_evaluate(project(full_set(out=out, eff=eff), spent=50, projected=95), Q3)
    assert r.items[0].score == 50.0 and r.items[0].basis == "projected"
    assert r.items[1].score == pytest.approx(30.0)  # projected 达成: full marks
    assert r.budget_score == pytest.approx(9.5) and r.budget_basis == "projected"
    assert r.total == pytest.approx(9.5 + 50 + 30 + 10)
    # at year end the actual values count
    ye = self_evaluate(project(full_set(out=out), spent=50, projected=95), YE)
    assert ye.items[0].score == pytest.approx(50 / 3) and ye.budget_score == pytest.approx(5.0)


def test_missing_data_scores_zero_and_says_so():
    r = self_evaluate(project(full_set(sat=ind("≥90%", "满意度指标", "服务对象满意度指标")), spent=None), YE)
    assert r.items[2].score == 0.0 and "计0分" in r.items[2].note
    assert r.budget_score == 0.0 and "未填报支出" in r.budget_note
    assert r.total == 80.0


def test_empty_group_passes_its_weight_on():
    # no satisfaction indicator: its 10 points go to output/effect in proportion (50:30)
    r = self_evaluate(project(full_set()[:2]), YE)
    assert r.group_weights[OUTPUT] == pytest.approx(56.25)
    assert r.group_weights[EFFECT] == pytest.approx(33.75)
    assert r.total == 100.0


def test_deadline_scores():
    on_time = ind("2024年6月30日", level2="时效指标", actual_date=date(Y, 6, 1))
    late = ind("2024年6月30日", level2="时效指标", actual_date=date(Y, 8, 1))
    assert self_evaluate(project(full_set(out=on_time)), YE).items[0].score == 50.0
    r = self_evaluate(project(full_set(out=late)), YE)
    assert r.items[0].score == pytest.approx(35.0) and r.items[0].estimated


def test_changed_weights_and_grades():
    s = Settings(weight_budget=20, weight_output=40, weight_effect=30, weight_satisfaction=10, grade_excellent=95)
    assert s.validate() == []
    r = self_evaluate(project(full_set(), spent=80.0), YE, s)
    assert r.budget_score == pytest.approx(16.0)
    assert r.total == 96.0 and r.grade == "优"
    r2 = self_evaluate(project(full_set(), spent=70.0), YE, s)
    assert r2.total == 94.0 and r2.grade == "良"
