"""Published 项目支出绩效自评表 reproduced by the self-evaluation preview (docs/rules.md §7).

Each fixture is one published table, its rows as data: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 |
分值 | 得分 as printed, plus the budget row (全年预算数, 全年执行数, 分值, 得分). The preview gets the
table's 分值 as the indicators' weights (as an imported target table with a 分值 column would give
them), scaled to the indicator part of the matching preset (90 points of the national form, 80 of the
Hubei form with its 20-point budget row); every published 得分, scaled the same way, must be
reproduced within the table's own rounding, and so must the total. The scale is 1 when the table's
分值 add up to the indicator part; the 中江 table gives its indicators 100 points next to the budget's
10 (and still prints 总分 100), and a table cut short in the excerpt has fewer points.

Five printed totals are reproduced: 中江 (national), 天长 (national), 长江禁捕 (Hubei), 服务贸易发展资金
(Hubei) and 黄冈 水土保持监测 (Hubei, 满意度 scored by its rate). 永德 (Yunnan) is kept as a table that
does not reproduce, and says why.

A completion written in words that are not a judgement (「受目的国受众欢迎显著」) is given as the
judgement the table scored it with and the printed wording kept beside it (``达成|wording``), as staff
would enter it. The tables were found with the ``pages`` search of stored public web pages; only the
part of each page in the stored excerpt is used (a page cut before its 满意度 rows or its 总分 row is
compared on what is there, and says so).
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
    settings: dict = field(default_factory=dict)  # the evaluator's scoring choices beyond the preset


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
    # Hubei's form (预算执行 20 分, 得分 = 20 × 执行率): 渔业成品油价格改革补贴 (长江禁捕) 2020, 分值 20/10/10/40.
    # The stored text is an OCR of the table: ≥ reads as 2 (「290%」), a page break splits 100% (「10 | 0%」).
    "hubei_changjiang_2020": Published(
        "https://1wenmi.com/doc/330418.html", 2020, "hubei", 1.56, 1.56, 20, 20, [
            ("产出指标", "数量指标", "补贴渔船数", "6", "6", 20, 20),
            ("产出指标", "质量指标", "渔船补贴发放率", "100%", "100%", 10, 10),
            ("产出指标", "时效指标", "12月底之前完成", "100%", "100%", 10, 10),
            ("效益指标", "服务对象满意度指标", "退捕渔民抽样调查满意度", "≥90%", "90%", 40, 40),
        ], 100),
    # the same 20-point form: 区商务局 2020年市级服务贸易发展资金 (填报日期 2021-04-22). Its indicator 分值 add up
    # to 100 under the heading 年度绩效目标（80分）; the preview scales them to 80, as for any 分值 that do not
    # add up to the indicator part, and the printed total is 100.
    "services_trade_2020": Published(
        "https://www.kunmingchi.com/archives/973rxnk2je7n4oep6ym4.html", 2020, "hubei", 285.84, 285.84, 20, 20, [
            ("产出指标", "数量指标", "服务外包在岸（万美元）", "20000", "23333.56", 10, 10),
            ("产出指标", "数量指标", "服务外包离岸（万美元）", "4500", "4557.51", 10, 10),
            ("产出指标", "数量指标", "支持服务贸易、服务外包企业数量", "3", "3", 10, 10),
            ("产出指标", "质量指标", "企业国际质量提升", "获得目的国（地区）受众欢迎", "达成|受目的国受众欢迎显著", 10, 10),
            ("产出指标", "时效指标", "预算资金执行率", "90%", "100%", 10, 10),
            ("产出指标", "时效指标", "资金拨付及时性", "98%以上", "100%", 10, 10),
            ("效益指标", "社会效益指标", "企业把握政治导向和文化方向情况", "企业把握正确政治导向和文化方向情况的评价",
             "达成|企业较好把握正确政治导向和文化方向情况的评价", 20, 20),
            ("效益指标", "可持续影响指标", "推动企业走出去方面发挥的作用", "是否利于企业走出去", "达成|有利于推动企业走出去",
             20, 20),
        ], 100),
    # Hubei's form: 黄冈市水土保持与农田水利科研所 2020年度水土保持监测项目 (填报日期 2021-03-10; the stored page gave no
    # address). Two 年度绩效目标 of 40 points; its 满意度 row 「整编资料审核」 98% of a 98% target scores 19.6 =
    # 20 × 98 %: this evaluator scores a 满意度 rate by the rate (``satisfaction_by_rate``), not full marks once
    # the target is met. The table prints one decimal.
    "huanggang_soil_2020": Published(
        "黄冈市水土保持与农田水利科研所2020年度水土保持监测项目绩效自评表（填报日期2021年3月10日）", 2020, "hubei",
        10, 10, 20, 20, [
            ("产出指标", "质量指标", "监测数据必须合格", "100%", "100%", 10, 10),
            ("产出指标", "进度指标", "取得2018-2022监测资料", "100%", "100%", 10, 10),
            ("效益指标", "服务对象满意度指标", "整编资料审核", "98%", "98%", 20, 19.6),
            ("产出指标", "质量指标", "监测数据资料整编", "100%", "100%", 20, 20),
            ("产出指标", "进度指标", "完成年度资料上报", "100%", "100%", 20, 20),
        ], 99.6, tolerance=0.05, settings={"satisfaction_by_rate": True}),
}

# Published but not reproduced by any preset, kept so that the reason stays written down.
# Yunnan, 永德县明朗中学 2022 义务教育营养改善计划专项资金 (公开14表): 总分 96, 优. Two printed scores are the
# evaluator's own deductions that the numbers do not show: 「资金到位及时率」 100 % of ≥100 % scores 7 of 10, and
# 「政策知晓率」 98 % of =100 % scores 9 (B/A gives 9.8). The preview gives 99.8, also 优.
YONGDE_2022 = Published(
    "https://www.yongde.gov.cn/info/3003/116104.htm", 2022, "national", 38.766462, 38.766462, 10, 10, [
        ("产出指标", "数量指标", "学生受资助人数", "≥735人次", "735", 10, 10),
        ("产出指标", "质量指标", "营养改善计划覆盖率", "≥100%", "100%", 10, 10),
        ("产出指标", "时效指标", "资金到位及时率", "≥100%", "100%", 10, 7),
        ("产出指标", "成本指标", "生均补助标准达标率", "=100%", "100%", 10, 10),
        ("效益指标", "经济效益指标", "减轻贫困学生家庭经济负担", "有效", "达成|有效", 10, 10),
        ("效益指标", "社会效益指标", "政策知晓率", "=100%", "98%", 10, 9),
        ("效益指标", "可持续影响指标", "促进学校教育事业健康发展", "≥100%", "100%", 10, 10),
        ("满意度指标", "服务对象满意度指标", "学生满意度", "≥95%", "100%", 10, 10),
        ("满意度指标", "服务对象满意度指标", "家长满意度", "≥95%", "100%", 10, 10),
    ], 96)


def _indicator(k: int, row, year: int) -> IndicatorInput:
    l1, l2, l3, target, actual, weight, _ = row
    t = parse_target(target, year)
    judgement, _, wording = actual.partition("|")
    if wording:  # a completion in words the table scored as this judgement
        return IndicatorInput(k, l1, l2, l3, t, actual_judgement=judgement, actual_judgement_text=wording, weight=weight)
    a = parse_target(actual, year)
    number = a.value if a.kind == "numeric" and a.value is not None else None
    return IndicatorInput(k, l1, l2, l3, t, actual=number, actual_judgement=None if number is not None else actual,
                          weight=weight)


def _evaluate(p: Published):
    ye = date(p.year, 12, 31)
    project = ProjectInput("p", "published", budget_wan=p.budget, spent_wan=p.spent,
                           plan=[PlanPoint("第四季度", ye, 100)],
                           indicators=[_indicator(k, row, p.year) for k, row in enumerate(p.rows)])
    settings = with_presets(Settings(**p.settings), p.preset)
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


def test_five_printed_totals_are_reproduced():
    reproduced = {name: _evaluate(p).total for name, p in PUBLISHED.items() if p.total is not None}
    assert len(reproduced) == 5
    assert all(abs(total - PUBLISHED[name].total) <= PUBLISHED[name].tolerance for name, total in reproduced.items())


def test_huanggang_satisfaction_is_scored_by_its_rate_only_with_that_choice():
    p = PUBLISHED["huanggang_soil_2020"]
    ev = _evaluate(p)
    assert ev.total == pytest.approx(99.6)
    assert ev.items[2].note == "满意度按满意率计分：实际98.0%，得分=20.00×98.0%=19.60"
    # with the default (full marks once the target is met) it would be 100, not the printed 99.6
    plain = self_evaluate(ev.project, date(2020, 12, 31), with_presets(Settings(), "hubei"), 2020)
    assert plain.total == 100.0
    # the 长江禁捕 evaluator gave its 90 % of a ≥90 % satisfaction full marks: the default
    assert _evaluate(PUBLISHED["hubei_changjiang_2020"]).total == 100.0


def test_hubei_form_weighs_the_budget_20_points():
    ev = _evaluate(PUBLISHED["services_trade_2020"])
    assert ev.budget_weight == 20 and ev.budget_score == 20
    assert ev.weights_note == "指标按目标表分值计分（合计100分），按指标部分80分等比折算"
    words = [i for i in ev.items if i.indicator.actual_judgement_text]
    assert [round(i.score, 2) for i in words] == [8.0, 16.0, 16.0]  # 达成 at full marks, scaled to 80


def test_yongde_does_not_reproduce_and_the_rows_say_why():
    ev = _evaluate(YONGDE_2022)
    assert ev.total == pytest.approx(99.8) and ev.verdict == "优"  # printed: 96, 优
    differs = {row[2]: (round(item.score, 2), row[6]) for item, row in zip(ev.items, YONGDE_2022.rows)
               if abs(item.score - row[6]) > 0.5}
    # an evaluator's deduction on a met target, and B/A printed rounded down
    assert differs == {"资金到位及时率": (10.0, 7), "政策知晓率": (9.8, 9)}
    known = next(i for i in ev.items if i.indicator.level3 == "政策知晓率")
    assert known.note.endswith("得分=10.00×98/100=9.80")
