"""Self-evaluation preview as practitioners score (docs/rules.md §7): qualitative presets, weight
presets, not-yet-due deadlines, incomplete previews, consistency warnings and the 分值 of a target
table — each case with the Chinese text a user reads."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from openpyxl import load_workbook

from documents.selfeval_workbook import selfeval_workbook, verdict_line
from documents.targets_io import read_target_document
from domain.periods import checkpoint_dates
from domain.selfeval import EFFECT, OUTPUT, SATISFACTION, self_evaluate
from domain.settings import Settings, qual_preset_of, weight_preset_of, with_presets
from domain.status import IndicatorInput, PlanPoint, ProjectInput, evaluate_project
from domain.status.consistency import (
    consistency_warnings,
    cost_above_spending,
    projection_below_current,
    zero_spending_with_amounts,
)
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


def three(out=None, eff=None, sat=None):
    """产出 / 效益 / 满意度, one each, all met unless replaced."""
    return [out or ind("≥3所", name="装备学校数量", actual=3),
            eff or ind("≥85%", "效果指标", "社会效益指标", name="无害化处理率", actual=90),
            sat or ind("≥90%", "满意度指标", "服务对象满意度指标", name="满意度", actual=95)]


# --------------------------------------------------------------------------- qualitative presets


@pytest.mark.parametrize(
    "preset, judgement, score, estimated, note",
    [
        ("practice", "达成", 30.0, False, "「达成」得满分30.00"),
        ("practice", "部分达成", 21.0, True, "「部分达成」按70%估算，得21.00分"),
        ("practice", "未达成", 9.0, True, "「未达成」按30%估算，得9.00分"),
        ("top", "达成", 30.0, False, "「达成」得满分30.00"),
        ("top", "部分达成", 24.0, True, "「部分达成」按80%估算，得24.00分"),
        ("top", "未达成", 18.0, True, "「未达成」按60%估算，得18.00分"),
        ("mid", "达成", 27.0, True, "「达成」按90%估算，得27.00分"),
        ("mid", "部分达成", 21.0, True, "「部分达成」按70%估算，得21.00分"),
        ("low", "达成", 24.0, True, "「达成」按80%估算，得24.00分"),
        ("low", "部分达成", 18.0, True, "「部分达成」按60%估算，得18.00分"),
        ("low", "未达成", 0.0, True, "「未达成」按0%估算，得0.00分"),
    ],
)
def test_qualitative_presets(preset, judgement, score, estimated, note):
    s = with_presets(Settings(), qual=preset)
    assert s.validate() == [] and qual_preset_of(s) == preset
    eff = ind("明显改善", "效果指标", "社会效益指标", actual_judgement=judgement)
    item = self_evaluate(project(three(eff=eff)), YE, s).items[1]
    assert (item.score, item.estimated, item.note) == (pytest.approx(score), estimated, note)


def test_default_is_full_marks_for_achieved_and_midpoints_for_the_rest():
    assert qual_preset_of(Settings()) == "practice"
    assert (Settings().qual_achieved, Settings().qual_partial, Settings().qual_not_achieved) == (1.0, 0.7, 0.3)


# --------------------------------------------------------------------------- weight presets


@pytest.mark.parametrize(
    "preset, budget_w, groups, total, grade",
    [
        # a project that spent 10.8% still grades 优 under 10/90, not under 20/80
        ("national", 10, (50, 30, 10), 91.08, "优"),
        ("budget20", 20, (80 * 50 / 90, 80 * 30 / 90, 80 * 10 / 90), 82.16, "良"),
        ("hubei", 20, (40, 40, 0), 82.16, "良"),  # 满意度 counts in 效益
    ],
)
def test_weight_presets(preset, budget_w, groups, total, grade):
    s = with_presets(Settings(), weights=preset)
    assert s.validate() == [] and weight_preset_of(s) == preset
    r = self_evaluate(project(three(), spent=10.8), YE, s)
    assert r.budget_weight == budget_w
    assert [r.group_weights[g] for g in (OUTPUT, EFFECT, SATISFACTION)] == pytest.approx(list(groups))
    assert (r.total, r.verdict) == (pytest.approx(total), grade)
    assert f"执行率10.8%，得分={budget_w}×min(10.8%,100%)" in r.budget_note


def test_hubei_counts_satisfaction_in_effect():
    r = self_evaluate(project(three()), YE, with_presets(Settings(), weights="hubei"))
    assert [i.group for i in r.items] == [OUTPUT, EFFECT, EFFECT]
    assert [i.weight for i in r.items] == [40.0, 20.0, 20.0]


def test_custom_weights_are_kept_and_validated():
    s = Settings(weight_budget=30, weight_output=40, weight_effect=20, weight_satisfaction=10)
    assert weight_preset_of(s) == "custom" and with_presets(s, "custom") == s
    bad = Settings(weight_budget=30)
    assert "自评权重合计须为100分，当前为120分（预算执行30+产出50+效益30+满意度10）" in bad.validate()


# --------------------------------------------------------------------------- deadlines not yet due


@pytest.mark.parametrize(
    "kw, score, basis, estimated, note, incomplete",
    [
        ({}, 0.0, None, False, "期限2024-11-30未到，未填全年预计，暂不计分", "不完整：1项未填报"),
        (dict(actual_judgement="进行中"), 0.0, None, False, "期限2024-11-30未到，未填全年预计，暂不计分",
         "不完整：1项未填报"),
        (dict(projected_judgement="达成"), 50.0, "projected", True, "期限2024-11-30未到，按全年预计「达成」估算，得50.00分", ""),
        (dict(projected_judgement="部分达成"), 35.0, "projected", True,
         "期限2024-11-30未到，按全年预计「部分达成」估算，得35.00分", ""),
        (dict(actual_date=date(Y, 9, 1)), 50.0, "actual", False, "2024-09-01完成，未晚于期限2024-11-30，得满分50.00", ""),
    ],
)
def test_deadline_not_yet_due_scores_from_its_projection(kw, score, basis, estimated, note, incomplete):
    dl = ind("2024年11月30日前完成", level2="时效指标", name="验收", **kw)
    r = self_evaluate(project(three(out=dl), spent=60, projected=100), Q3)
    item = r.items[0]
    assert (item.score, item.basis, item.estimated, item.note) == (pytest.approx(score), basis, estimated, note)
    assert "计0分" not in item.note
    assert r.incomplete == incomplete


def test_a_deadline_already_passed_without_completion_is_missing():
    dl = ind("2024年6月30日前完成", level2="时效指标", name="验收")
    r = self_evaluate(project(three(out=dl), spent=60, projected=100), Q3)
    assert (r.items[0].score, r.items[0].note) == (0.0, "未填报完成情况，计0分")
    assert r.incomplete == "不完整：1项未填报"


# --------------------------------------------------------------------------- incomplete previews


@pytest.mark.parametrize(
    "as_of, indicators, money, incomplete",
    [
        (YE, three(), dict(spent=100.0), ""),
        (YE, [ind("≥3所", name="a"), ind("≥85%", "效果指标", name="b"), ind("≥90%", "满意度指标", name="c")],
         dict(spent=None), "不完整：3项未填报、未填报支出"),
        (YE, three(), dict(budget=None), "不完整：未填预算数"),
        # before year end a running count below target and spending without projections are no year-end values
        (Q3, three(out=ind("≥2400人次", name="康复救助人次", actual=1500)), dict(spent=50.0),
         "不完整：1项未填全年预计、未填全年预计执行数"),
        (Q3, three(eff=ind("明显改善", "效果指标", actual_judgement="进行中")), dict(spent=50.0, projected=100.0),
         "不完整：1项未填全年预计"),
        (Q3, three(out=ind("≥2400人次", name="康复救助人次", actual=1500, projected=2500)),
         dict(spent=50.0, projected=98.0), ""),
    ],
)
def test_missing_inputs_make_the_preview_incomplete_instead_of_graded(as_of, indicators, money, incomplete):
    r = self_evaluate(project(indicators, **money), as_of)
    assert r.incomplete == incomplete
    if incomplete:
        assert r.verdict == incomplete and r.verdict not in ("优", "良", "中", "差")
        assert verdict_line(r, as_of < YE).endswith(f"；{incomplete}（补齐后才给出等级）")
    else:
        assert r.verdict == r.grade


def test_unreported_project_is_not_graded_poor():
    r = self_evaluate(project([ind("≥3所", name="a")], spent=None), YE)
    assert r.total == 0.0 and r.grade == "差"  # the points, kept for sorting
    assert r.verdict == "不完整：1项未填报、未填报支出"


# --------------------------------------------------------------------------- consistency warnings


COST = dict(level2="成本指标", name="项目总成本")


@pytest.mark.parametrize(
    "check, indicators, money, warnings",
    [
        (cost_above_spending, [ind("≤90万元", actual=132.9, **COST)], dict(spent=120.0),
         ["成本指标「项目总成本」当前132.90万元，高于本项目已报支出120.00万元，请核实"]),
        (cost_above_spending, [ind("≤90000元", actual=60000, **COST)], dict(spent=5.0),
         ["成本指标「项目总成本」当前6.00万元，高于本项目已报支出5.00万元，请核实"]),
        (cost_above_spending, [ind("≤90万元", projected=100, **COST)], dict(spent=50.0, projected=80.0),
         ["成本指标「项目总成本」全年预计100.00万元，高于本项目全年预计执行数80.00万元，请核实"]),
        (cost_above_spending, [ind("≤90万元", actual=80, **COST)], dict(spent=120.0), []),
        (cost_above_spending, [ind("≤3万/块", actual=4, level2="成本指标", name="单价")], dict(spent=1.0), []),
        (cost_above_spending, [ind("=165.2万元", actual=180, name="完成投资")], dict(spent=120.0), []),  # not 成本
        (zero_spending_with_amounts, [ind("=165.2万元", actual=20, name="完成投资"), ind("≥3所", actual=3)],
         dict(spent=0.0), ["已报支出为0，但「完成投资」20.00万元已报金额，请核实"]),
        (zero_spending_with_amounts, [ind("=165.2万元", actual=20, name="完成投资")], dict(spent=None), []),
        (zero_spending_with_amounts, [ind("≥3所", actual=3)], dict(spent=0.0), []),
        (projection_below_current, [ind("≥2400人次", name="康复救助人次", actual=1500, projected=1200)], {},
         ["「康复救助人次」全年预计1200人次低于当前累计1500人次，请核实"]),
        (projection_below_current, [ind("≥90%", level2="质量指标", actual=95, projected=92)], {}, []),  # a level
        (projection_below_current, [ind("≥2400人次", actual=1500, projected=2500)], {}, []),
    ],
)
def test_consistency_checks(check, indicators, money, warnings):
    p = project(indicators, **money)
    assert check(p) == warnings


def test_warnings_reach_the_preview_the_status_reason_and_the_workbook():
    cost = ind("≤90万元", actual=132.9, **COST)
    p = project(three(out=cost), spent=120.0)
    text = "成本指标「项目总成本」当前132.90万元，高于本项目已报支出120.00万元，请核实"
    assert consistency_warnings(p) == [text]
    assert text in evaluate_project(p, YE).reason and "数据疑点：" in evaluate_project(p, YE).reason
    ev = self_evaluate(p, YE)
    assert ev.warnings == [text] and ev.verdict != ""  # a warning, not a refusal
    ws = load_workbook(io.BytesIO(selfeval_workbook([ev], {}, YE, "局", year=Y, summary=False))).active
    notes = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert f"数据疑点：{text}。" in notes


@pytest.mark.parametrize("spent, indicators, reason_tail, count", [
    # the measured case: 累计支出 0.00 while a cost indicator reports 11.17万元 spent — both checks speak
    (0.0, [ind("≤12万元", actual=11.17, **COST)],
     "；数据疑点：成本指标「项目总成本」当前11.17万元，高于本项目已报支出0.00万元，请核实（共2处）", 2),
    # a count whose projection is below what was already reached
    (100.0, [ind("≥2400人次", name="康复救助人次", actual=1500, projected=1200)],
     "；数据疑点：「康复救助人次」全年预计1200人次低于当前累计1500人次，请核实", 1),
    (100.0, [ind("≤12万元", actual=11.17, **COST)], None, 0),  # consistent: nothing said
])
def test_the_project_reason_ends_with_the_first_warning_and_counts_them(spent, indicators, reason_tail, count):
    r = evaluate_project(project(indicators, spent=spent), date(Y, 9, 30))
    assert len(r.warnings) == count
    if reason_tail is None:
        assert "数据疑点" not in r.reason
    else:
        assert r.reason.endswith(reason_tail), r.reason
    if spent == 0.0:
        assert r.warnings[1] == "已报支出为0，但「项目总成本」11.17万元已报金额，请核实"


# --------------------------------------------------------------------------- the workbook


def test_workbook_says_incomplete_instead_of_a_grade():
    bad = self_evaluate(project([ind("≥3所", name="a")], spent=None), YE)
    good = self_evaluate(project(three()), YE)
    wb = load_workbook(io.BytesIO(selfeval_workbook([bad, good], {}, YE, "局", year=Y)))
    summary = wb["汇总"]
    header = [c.value for c in summary[3]]
    col = header.index("等级") + 1
    assert [summary.cell(4, col).value, summary.cell(5, col).value] == ["不完整：1项未填报、未填报支出", "优"]
    ws = wb.worksheets[1]
    total_row = 11 + len(bad.items)
    assert ws.cell(total_row, 1).value == "总分" and ws.cell(total_row, 9).value == "不完整：1项未填报、未填报支出"
    notes = [ws.cell(r, 1).value for r in range(total_row + 1, ws.max_row + 1)]
    assert "不完整：1项未填报、未填报支出：补齐后才能给出等级。" in notes


# --------------------------------------------------------------------------- 分值 of the target table


def _table(header, rows) -> bytes:
    d = docx.Document()
    d.add_paragraph("测试项目绩效目标表")
    body = [["项目编码", "", "项目名称", "测试项目"],
            ["项目资金主要用途", "预算数10万元。其中：财政资金10万元。"],
            ["资金支出计划", "第一季度", "第二季度", "第三季度", "第四季度"],
            ["", "10%", "20%", "50%", "100%"],
            ["绩效目标", "目标1：完成测试。"], header, *rows]
    t = d.add_table(rows=len(body), cols=max(len(r) for r in body))
    for r, cells in enumerate(body):
        for c, text in enumerate(cells):
            t.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


WEIGHTED = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "分值（分）", "指标值确定依据"]


@pytest.mark.parametrize(
    "header, rows, weights, problems",
    [
        (WEIGHTED, [["产出指标", "数量指标", "测试次数", "完成测试", "≥3次", "60", "计划"],
                    ["效果指标", "社会效益指标", "测试效果", "改善", "明显改善", "30分", "经验"]], [60, 30], []),
        (WEIGHTED[:5] + WEIGHTED[6:] + ["分值"],
         [["产出指标", "数量指标", "测试次数", "完成测试", "≥3次", "计划", "45"],
          ["效果指标", "社会效益指标", "测试效果", "改善", "明显改善", "经验", ""]], [45, None], []),
        (WEIGHTED, [["产出指标", "数量指标", "测试次数", "完成测试", "≥3次", "六十", "计划"]], None,
         ["分值“六十”不是数字"]),
    ],
)
def test_a_weight_column_of_the_target_table_is_read(header, rows, weights, problems):
    doc = read_target_document(_table(header, rows), "t.docx", Y)
    assert [p.message for p in doc.problems] == problems
    if weights is not None:
        (p,) = doc.projects
        assert [i.weight for i in p.indicators] == weights
        assert [i.basis for i in p.indicators] == [r[-1] if header[-1] != "分值" else r[-2] for r in rows]


def test_table_weights_score_the_preview_and_partial_ones_fall_back():
    out = ind("≥3次", name="测试次数", actual=2, weight=60)
    eff = ind("明显改善", "效果指标", "社会效益指标", name="测试效果", actual_judgement="达成", weight=30)
    r = self_evaluate(project([out, eff]), YE)
    assert [i.weight for i in r.items] == [60.0, 30.0]
    assert r.items[0].note == "实际2次未达目标≥3次，得分=60.00×2/3=40.00"
    assert r.total == pytest.approx(80.0) and r.weights_note == "指标按目标表分值计分（合计90分）"
    eff.weight = None
    r2 = self_evaluate(project([out, eff]), YE)
    assert [round(i.weight, 2) for i in r2.items] == [56.25, 33.75]  # the preset, 50:30 of 90
    assert "目标表只有1/2项指标有分值，按设置的权重计分" in r2.warnings
    off = self_evaluate(project([ind("≥3次", actual=2, weight=60), ind("≥3次", actual=3, weight=30)]), YE,
                        Settings(use_table_weights=False))
    assert [i.weight for i in off.items] == [45.0, 45.0]
