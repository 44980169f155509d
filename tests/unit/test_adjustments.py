"""Budget and target adjustments as inputs of the rules (docs/rules.md §3.4, §4.10): what an entry must
satisfy, the budget and the target in force at a date, and what the engine and the self-evaluation make
of them — 执行率 = 执行数 ÷ 调整后预算数, statuses against the target in force, the originals kept and
named in the reasons, an adjustment made while red or amber flagged in the risk list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.adjustments import (
    ADD,
    CUT,
    FISCAL,
    OTHER,
    SHIFT,
    BudgetChange,
    budget_in_force,
    check_budget_change,
    check_target_change,
    fund_amounts,
    in_force,
)
from domain.selfeval import self_evaluate
from domain.status import (
    AMBER,
    GREEN,
    RED,
    IndicatorInput,
    PlanPoint,
    ProjectInput,
    TargetChange,
    evaluate_project,
    risk_items,
    target_text,
)
from domain.targets import parse_target

Y = 2024


# --------------------------------------------------------------------------- entries


@pytest.mark.parametrize("kind, fund, amount, on, reason, problem", [
    (ADD, FISCAL, 50, date(Y, 6, 15), "生均标准提高", None),
    (CUT, FISCAL, -10, date(Y, 6, 15), "收回结余", None),
    (SHIFT, FISCAL, -5, date(Y, 3, 1), "调出至其他项目", None),
    (SHIFT, FISCAL, 5, date(Y, 3, 1), "调入", None),
    (ADD, FISCAL, -50, date(Y, 6, 15), "x", "追加金额应为正数"),
    (CUT, FISCAL, 20, date(Y, 6, 15), "x", "调减金额应为负数"),
    (SHIFT, FISCAL, 0, date(Y, 6, 15), "x", "调剂金额不能为0"),
    ("划转", FISCAL, 5, date(Y, 6, 15), "x", "调整类型须为追加、调减、调剂之一"),
    (ADD, "自有资金", 5, date(Y, 6, 15), "x", "资金来源须为财政资金、其他资金之一"),
    (ADD, FISCAL, 5, date(Y - 1, 12, 31), "x", "调整日期须在2024年度内"),
    (ADD, FISCAL, 5, None, "x", "调整日期：请填写"),
    (ADD, FISCAL, None, date(Y, 6, 1), "x", "调整金额：请填写"),
    (ADD, FISCAL, float("inf"), date(Y, 6, 1), "x", "不是有限的数字"),
    (ADD, FISCAL, 5, date(Y, 6, 1), "  ", "调整原因：请填写"),
    (CUT, FISCAL, -150, date(Y, 6, 1), "x", "调整后预算数将为-50.00万元"),
    (CUT, OTHER, -1, date(Y, 6, 1), "x", "调整后其他资金将为-1.00万元"),
])
def test_a_budget_adjustment_is_checked_before_it_is_stored(kind, fund, amount, on, reason, problem):
    errors = check_budget_change(kind, fund, amount, on, reason, Y, initial=100.0, fiscal=100.0, other=0.0)
    if problem is None:
        assert errors == []
    else:
        assert any(problem in e for e in errors), errors


def test_the_running_budget_may_not_dip_below_zero_between_adjustments():
    existing = [BudgetChange(date(Y, 9, 1), ADD, FISCAL, 80.0, id=1)]
    # a cut of 150 dated after the 追加 leaves 30; dated before it, the budget would be -50 for the summer
    assert check_budget_change(CUT, FISCAL, -150, date(Y, 10, 1), "x", Y, 100.0, None, None, existing) == []
    errors = check_budget_change(CUT, FISCAL, -150, date(Y, 6, 1), "x", Y, 100.0, None, None, existing)
    assert errors and "2024-06-01" in errors[0]


def test_the_budget_in_force_counts_only_adjustments_dated_by_then():
    changes = [BudgetChange(date(Y, 4, 10), ADD, FISCAL, 30.0, id=1),
               BudgetChange(date(Y, 8, 20), CUT, OTHER, -12.5, id=2),
               BudgetChange(date(Y, 8, 20), SHIFT, FISCAL, 2.5, id=3)]
    assert budget_in_force(100.0, changes, date(Y, 3, 31)) == 100.0
    assert budget_in_force(100.0, changes, date(Y, 4, 10)) == 130.0
    assert budget_in_force(100.0, changes, date(Y, 9, 30)) == 120.0
    f = fund_amounts(100.0, 80.0, 20.0, changes, date(Y, 9, 30))
    assert (f.initial, f.adjusted, f.fiscal_initial, f.other_initial) == (100.0, 120.0, 80.0, 20.0)
    assert (f.fiscal_adjusted, f.other_adjusted, f.changed) == (112.5, 7.5, True)
    # a split the document did not give stays unknown; a missing source is the rest of the budget
    assert fund_amounts(100.0, None, None, changes, date(Y, 9, 30)).fiscal_adjusted is None
    assert fund_amounts(100.0, 70.0, None, changes, date(Y, 9, 30)).other_adjusted == 30.0 - 12.5


@pytest.mark.parametrize("original, new, problem", [
    ("≥3000人", "≥2500人", None),
    ("≥90%", "≥85%", None),
    ("2024年6月30日前", "2024年9月30日前", None),
    ("是", "基本完成", None),
    ("≥3000人", "≥2500人次", "单位（人次）与原指标值（人）不一致"),
    ("≥3000人", "≤2500人", "改变了比较方向"),
    ("≥3000人", "明显改善", "不是数值目标"),
    ("2024年6月30日前", "是", "不是期限"),
    ("≥3000人", "≥3000人", "与当前指标值（≥3000人）相同"),
    ("≥3000人", " ", "调整后指标值：请填写"),
])
def test_a_target_adjustment_keeps_the_measure(original, new, problem):
    o = parse_target(original, Y)
    errors = check_target_change(o, o, parse_target(new, Y), date(Y, 8, 1), "生源减少", "局党组会议纪要", Y)
    if problem is None:
        assert errors == []
    else:
        assert any(problem in e for e in errors), errors


def test_a_target_adjustment_needs_a_reason_an_approval_and_a_date_in_the_year():
    o = parse_target("≥3000人", Y)
    errors = check_target_change(o, o, parse_target("≥2500人", Y), date(Y + 1, 1, 1), " ", "", Y)
    assert errors == ["生效日期须在2024年度内", "调整原因：请填写", "批准文件或依据：请填写"]


def test_the_target_in_force_is_the_latest_effective_by_then():
    entries = [(date(Y, 8, 1), 1, "≥2500人"), (date(Y, 11, 1), 2, "≥2400人"), (date(Y, 8, 1), 3, "≥2600人")]
    assert in_force(entries, date(Y, 7, 31)) is None
    assert in_force(entries, date(Y, 9, 30)) == "≥2600人"  # the later approval wins a tie
    assert in_force(entries, date(Y, 12, 31)) == "≥2400人"


# --------------------------------------------------------------------------- the engine


def _project(budget: float, initial: float | None, spent: float, **kw) -> ProjectInput:
    return ProjectInput(id=1, name="幼儿园生均经费", budget_wan=budget, initial_budget_wan=initial, spent_wan=spent,
                        plan=[PlanPoint("第三季度", date(Y, 9, 30), 75.0)], **kw)


def test_execution_is_measured_against_the_adjusted_budget_and_both_budgets_are_named():
    q3 = date(Y, 9, 30)
    plain = evaluate_project(_project(100.0, None, 60.0), q3, year=Y)
    adjusted = evaluate_project(_project(150.0, 100.0, 60.0), q3, year=Y)
    assert plain.budget.execution_pct == pytest.approx(60.0)
    assert plain.budget.status == GREEN and "调整" not in plain.budget.reason
    assert adjusted.budget.execution_pct == pytest.approx(40.0)  # 60 ÷ 150, not 60 ÷ 100
    assert adjusted.budget.status == RED  # 40 % against 75 % planned: 53.3 % of the plan (60 % was 80 %)
    assert "按调整后预算150.00万元计算（年初预算100.00万元）" in adjusted.budget.reason
    assert adjusted.project.original_budget_wan == 100.0 and plain.project.original_budget_wan == 100.0


def _indicator(target: str, change: TargetChange | None = None, **kw) -> IndicatorInput:
    return IndicatorInput(id=7, level1="产出指标", level2="数量指标", level3="受益幼儿人数",
                          target=parse_target(target, Y), target_change=change, **kw)


def test_an_indicator_is_judged_against_the_target_in_force_and_shows_both():
    q3 = date(Y, 9, 30)
    original = parse_target("≥3000人", Y)
    change = TargetChange(original, date(Y, 8, 1), "生源减少", "局党组会议纪要〔2024〕8号", "admin",
                          date(Y, 8, 5), RED, "2024Q2")
    before = evaluate_project(ProjectInput(id=1, name="p", indicators=[_indicator("≥3000人", actual=1700)]), q3,
                              year=Y).indicators[0]
    after = evaluate_project(ProjectInput(id=1, name="p", indicators=[_indicator("≥2500人", change, actual=1700)]),
                             q3, year=Y).indicators[0]
    assert before.status == AMBER and before.pro_rated_target == pytest.approx(2250)  # 1700 of 2250: 75.6 %
    assert after.status == GREEN and after.pro_rated_target == pytest.approx(1875)  # 1700 of 1875: 90.7 %
    assert "目标自8月1日起由≥3000人调整为≥2500人（调整前2024年第二季度为红）" in after.reason
    assert after.adjusted_after_warning and not before.adjusted_after_warning
    assert target_text(after.indicator) == "≥2500人（年初≥3000人）"
    assert target_text(before.indicator) == "≥3000人"


def test_an_adjustment_made_while_red_or_amber_is_flagged_in_the_risk_list_whatever_the_status_now():
    q3 = date(Y, 9, 30)
    original = parse_target("≥3000人", Y)
    flagged = TargetChange(original, date(Y, 8, 1), prior_status=AMBER, prior_period="2024Q2")
    quiet = TargetChange(original, date(Y, 8, 1), prior_status=GREEN, prior_period="2024Q2")
    p = ProjectInput(id=1, name="p", indicators=[
        replace(_indicator("≥2500人", flagged, actual=1700), id=1, level3="甲"),
        replace(_indicator("≥2500人", quiet, actual=1700), id=2, level3="乙"),
        replace(_indicator("≥2500人", None, actual=1000), id=3, level3="丙"),
    ])
    r = evaluate_project(p, q3, year=Y)
    assert [st.status for st in r.indicators] == [GREEN, GREEN, RED]
    assert [i.item for i in risk_items([r])] == ["丙"]
    assert [i.item for i in risk_items([r], adjusted_after_warning=True)] == ["丙", "甲"]


def test_a_published_self_evaluation_reads_execution_against_the_adjusted_budget():
    """青神县发展和改革局 2023年度 部门预算项目支出绩效自评表 (工资性支出): 年初预算238.93万元, 调整后预算数
    251.89万元, 预算执行数251.89万元, 预算执行率100.00%, 权重10 (the table's note: 预算执行率=预算执行数/调整后
    预算数). https://www.scqs.gov.cn/info/13206/211004.htm"""
    year_end = date(2023, 12, 31)
    p = ProjectInput(id=1, name="工资性支出", budget_wan=251.89, initial_budget_wan=238.93, spent_wan=251.89,
                     plan=[PlanPoint("全年", year_end, 100.0)])
    r = evaluate_project(p, year_end, year=2023)
    assert r.budget.execution_pct == pytest.approx(100.0)
    assert r.budget.status == GREEN and not r.budget.over_budget
    ev = self_evaluate(p, year_end, year=2023)
    assert round(ev.execution_pct, 2) == 100.00 and ev.budget_score == pytest.approx(10.0)
    # judged against the 年初预算 the same spending would be over budget: red, 105.4 %
    unadjusted = evaluate_project(replace(p, budget_wan=238.93, initial_budget_wan=None), year_end, year=2023)
    assert unadjusted.budget.over_budget and unadjusted.budget.status == RED
    assert round(unadjusted.budget.execution_pct, 1) == 105.4
