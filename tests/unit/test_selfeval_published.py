"""Published 项目支出绩效自评表 reproduced by the self-evaluation preview (docs/rules.md §7).

Each fixture is one published table, its rows as data: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 |
分值 | 得分 as printed, plus the budget row (全年预算数, 全年执行数, 分值, 得分). The preview gets the
table's 分值 as the indicators' weights (as an imported target table with a 分值 column would give
them), scaled to the indicator part of the matching preset (90 points of the national form); every
published 得分, scaled the same way, must be reproduced within the table's own rounding (whole
points), and so must the total. The scale is 1 when the table's 分值 add up to 90; the 中江 table
gives its indicators 100 points next to the budget's 10 (and still prints 总分 100), and a table cut
short in the excerpt has fewer points.

The tables were found with the ``pages`` search of stored public web pages; only the part of each
page in the stored excerpt is used (a page cut before its 满意度 rows or its 总分 row is compared on
what is there, and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from domain.selfeval import self_evaluate
from domain.settings import Settings, with_presets
from domain.status import IndicatorInput, PlanPoint, ProjectInput
from domain.targets import parse_target


@dataclass
class Published:
    source: str  # where the table was published
    year: int
    preset: str  # WEIGHT_PRESETS key matching the form
    budget: float
    spent: float
    budget_weight: float
    budget_score: float | None  # None: not legible in the source
    rows: list[tuple[str, str, str, str, str, float, float]]  # l1, l2, l3, target, actual, 分值, 得分
    total: float | None  # the printed 总分; None when the excerpt ends before it
    tolerance: float = 0.5  # the tables print whole points
    notes: list[str] = field(default_factory=list)


PUBLISHED = {
    # Sichuan, 中江县水利局 2022 (衔接资金 form): 分值 per indicator, 产出 70 / 效益 20 / 满意度 10
    "sichuan_zhongjiang_2022": Published(
        "https://chacewang.com/newsdetail/news242266.html", 2022, "national", 20, 20, 10, 10, [
            ("产出指标", "数量指标", "安装坡面水标尺", "≥266米", "≥266米", 10, 10),
            ("产出指标", "数量指标", "水标尺宽度", "≥50厘米", "≥50厘米", 10, 10),
            ("产出指标", "质量指标", "项目（工程）验收合格率", "100%", "100%", 20, 20),
            ("产出指标", "时效指标", "及时（按期）开工率", "≥90%", "≥90%", 10, 10),
            ("产出指标", "时效指标", "及时（按期）完工率", "≥90%", "≥90%", 10, 10),
            ("产出指标", "成本指标", "项目计划总投资", "20万元", "20万元", 10, 10),
            ("效益指标", "社会效益指标", "受益脱贫（含监测对象）户人口数", "≥1000人", "≥1000人", 10, 10),
            ("效益指标", "社会效益指标", "群众生产生活条件改善状况", "显著提升", "显著提升", 10, 10),
            ("满意度指标", "服务对象满意度指标", "受益脱贫（含监测对象）户满意度", "≥95%", "≥95%", 10, 10),
        ], 100),
    # Hebei, 廊坊市食品工程学校 2019: 10 points per indicator; 43.2 -> 37.24万元 scores 9 (86%)
    "hebei_langfang_2019": Published(
        "http://www.lfsp.cn/newsinfo/1158053.html", 2019, "national", 43.2, 37.24, 10, 9, [
            ("产出指标", "数量指标", "工程资金金额", "43.2", "37.24", 10, 9),
            ("产出指标", "质量指标", "工程完工率", "100", "100", 10, 10),
            ("产出指标", "质量指标", "工程验收合格率", "100", "100", 10, 10),
            ("产出指标", "时效指标", "项目完成及时率", "100", "100", 10, 10),
            ("产出指标", "成本指标", "成本控制率", "100", "100", 10, 10),
            ("效益指标", "经济效益指标", "安全率", "100", "100", 10, 10),
            ("效益指标", "社会效益指标", "学校发展能力", "100", "100", 10, 10),
            ("效益指标", "可持续影响指标", "长期使用性", "100", "100", 10, 10),
            ("满意度指标", "服务对象满意度指标", "学生满意度", "100", "100", 10, 10),
        ], None, notes=["the excerpt ends before the 总分 row; the printed lines add up to 98"]),
    # Anhui, 天长市水利局 水旱灾害防御经费 2022: national 10/50/30/10, 10 points per indicator.
    # The stored page gave no address: 天长市水利局水旱灾害防御股项目支出绩效自评, published 2023-12-05.
    # Rows printed without 指标值 (工程质量合格 …) are given here as the judgement 达成 (full marks printed).
    "anhui_tianchang_2022": Published(
        "天长市水利局水旱灾害防御股项目支出绩效自评（2023-12-05发布）", 2022, "national", 880, 880, 10, 10, [
            ("产出指标", "数量指标", "完成中型灌区节水改造项目数量", "1", "1", 10, 10),
            ("产出指标", "数量指标", "完成农业综合水价改革项目", "1", "1", 10, 10),
            ("产出指标", "质量指标", "工程质量合格", "合格", "达成", 10, 10),
            ("产出指标", "时效指标", "年度资金支付完成率100%", "100%", "100%", 10, 10),
            ("产出指标", "成本指标", "资金执行在预算范围内", "在预算范围内", "达成", 10, 10),
            ("效益指标", "经济效益指标", "全市安全度汛", "安全度汛", "达成", 10, 10),
            ("效益指标", "社会效益指标", "保护全市人口财产不受损失", "不受损失", "达成", 10, 10),
            ("效益指标", "可持续影响指标", "已建工程良性运行", "良性运行", "达成", 10, 10),
            ("满意度指标", "服务对象满意度指标", "服务对象满意度", "90%", "100%", 10, 10),
        ], 100),
    # Anhui, 萧县张庄寨镇 河西村特色种养补贴到户项目 2023: 分值 20/10/10/5/5 + 20/10
    "anhui_xiaoxian_2023": Published(
        "https://www.ahxx.gov.cn/grassroots/279/158998981.html", 2023, "national", 9.48, 9.48, 10, 10, [
            ("产出指标", "数量指标", "补助各类瓜果蔬菜种植面积", "29.5亩", "29.5亩", 20, 20),
            ("产出指标", "数量指标", "补助鱼塘面积", "3亩", "3亩", 10, 10),
            ("产出指标", "数量指标", "补助家畜家禽养殖数量", "192只", "192只", 10, 10),
            ("产出指标", "质量指标", "种植作物成活率", "95%", "95%", 5, 5),
            ("产出指标", "质量指标", "养殖家畜家禽成活率", "95%", "100%", 5, 5),
            ("效益指标", "经济效益指标", "特色产业带动增加受益农户收入（总收入）", "≥11.376万元", "12万元", 20, 20),
            ("效益指标", "社会效益指标", "受益人口数量", "90人", "90人", 10, 10),
        ], None, notes=["the excerpt ends at the 满意度 rows: compared on the budget, 产出 and 效益 rows"]),
    # Anhui, 池州市贵池区棠溪镇 委托业务项目 2022: 分值 8/8/8/8/8/10 + 10/10/10
    "anhui_tangxi_2022": Published(
        "http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2", 2022, "national", 90, 89.974, 10,
        None, [
            ("产出指标", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", 8, 8),
            ("产出指标", "质量指标", "委托业务报告合格率", "≥100%", "100", 8, 8),
            ("产出指标", "质量指标", "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8),
            ("产出指标", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 8, 8),
            ("产出指标", "成本指标", "项目总成本", "≤90万元", "90", 8, 8),
            ("产出指标", "成本指标", "单项业务成本", "符合相关规定", "达成预期指标", 10, 10),
            ("效益指标", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", 10, 10),
            ("效益指标", "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", 10, 10),
            ("效益指标", "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显", "达成预期指标",
             10, 10),
        ], None, notes=["the budget score is not legible and the excerpt ends at the 满意度 rows"]),
}


def _indicator(k: int, row, year: int) -> IndicatorInput:
    l1, l2, l3, target, actual, weight, _ = row
    t = parse_target(target, year)
    a = parse_target(actual, year)
    number = a.value if a.kind == "numeric" and a.value is not None else None
    return IndicatorInput(k, l1, l2, l3, t, actual=number, actual_judgement=None if number is not None else actual,
                          weight=weight)


def _evaluate(p: Published):
    ye = date(p.year, 12, 31)
    project = ProjectInput("p", "published", budget_wan=p.budget, spent_wan=p.spent,
                           plan=[PlanPoint("第四季度", ye, 100)],
                           indicators=[_indicator(k, row, p.year) for k, row in enumerate(p.rows)])
    settings = with_presets(Settings(), p.preset)
    return self_evaluate(project, ye, settings, p.year)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_table_is_reproduced(name):
    p = PUBLISHED[name]
    ev = _evaluate(p)
    assert not ev.incomplete, ev.incomplete
    assert ev.budget_weight == p.budget_weight
    if p.budget_score is not None:
        assert abs(ev.budget_score - p.budget_score) <= p.tolerance, (ev.budget_score, ev.budget_note)
    scale = (100 - p.budget_weight) / sum(row[5] for row in p.rows)
    for item, row in zip(ev.items, p.rows):
        assert item.weight == pytest.approx(row[5] * scale), row  # the table's 分值 are the weights
        assert abs(item.score / scale - row[6]) <= p.tolerance, (row, item.note)
    printed = [row[6] for row in p.rows]
    if p.total is not None:
        assert abs(ev.total - p.total) <= p.tolerance
        assert ev.verdict == "优"
    else:  # the lines printed, each rounded as the table rounds, add up to the same points
        assert sum(round(i.score / scale) for i in ev.items) == sum(printed)


def test_langfang_spending_short_of_budget_scores_as_the_published_table():
    ev = _evaluate(PUBLISHED["hebei_langfang_2019"])
    assert round(ev.budget_score) == 9 and "执行率86.2%" in ev.budget_note
    first = ev.items[0]
    assert round(first.score) == 9 and "得分=10.00×37.24/43.2=8.62" in first.note
    assert ev.total == pytest.approx(97.24, abs=0.01)  # unrounded: 8.62 + 8.62 + 80
    assert sum(round(x) for x in [ev.budget_score] + [i.score for i in ev.items]) == 98  # the printed lines


def test_zhongjiang_weights_come_from_the_table_not_the_50_30_10_split():
    ev = _evaluate(PUBLISHED["sichuan_zhongjiang_2022"])
    assert [round(ev.group_weights[g]) for g in ("产出", "效益", "满意度")] == [63, 18, 9]  # 70/20/10 of 90
    assert ev.weights_note == "指标按目标表分值计分（合计100分），按指标部分90分等比折算"
    # without the 分值 the national split would weigh 产出 50 / 效益 30
    no_table = self_evaluate(ev.project, date(2022, 12, 31), Settings(use_table_weights=False), 2022)
    assert [round(no_table.group_weights[g]) for g in ("产出", "效益", "满意度")] == [50, 30, 10]


def test_band_midpoint_for_achieved_would_not_reproduce_the_published_totals():
    # the old rule (达成 = 90% of the weight, 估算) gives 天长 95 instead of the printed 100
    p = PUBLISHED["anhui_tianchang_2022"]
    ye = date(p.year, 12, 31)
    ev = _evaluate(p)
    mid = self_evaluate(ev.project, ye, with_presets(Settings(), "national", "mid"), p.year)
    assert ev.total == 100.0 and mid.total == pytest.approx(95.0)
    assert mid.estimated and not ev.estimated
