"""The 2024 text export read exactly: counts, budgets, plans, goals, indicators cell by cell, areas."""

from __future__ import annotations

from datetime import date

import pytest

BUDGETS = {
    "区本课程经费": 100, "高新中学装备经费": 368.55, "学校教学装备及仪器更新经费项目经费": 50,
    "实验小学教育教学装备经费": 200, "区属各学校仪器补充装备经费": 73, "幼儿园生均经费": 187.02,
    "义务教育保障机制区级配套": 99, "学校取暖费": 117, "高新中学运行经费": 50, "2024年天一小学经费": 100,
    "学校维修资金": 100, "校园安保经费": 345.6, "高新区京唐智慧港第一小学建设资金": 500,
    "星河湾小学提质培优规划": 92.6, "小学校园文化建设": 94.56, "农村原民办代课教师教龄补助": 66.77,
    "基本公共卫生经费": 318, "计生奖扶、特扶和关怀救助金区级配套": 380, "计划生育事务经费": 173.2,
    "全区疫情防控资金": 2000, "农村户厕及农村学校粪污抽、运无害化处理经费": 180, "妇幼保健经费": 59,
    "乡村一体化及村卫生室基本药物制度补助经费": 167.35, "老庄子镇卫生院经费": 165.94,
    "高新区滑冰馆运营服务经费": 165.2, "残联事务经费": 51, "医疗保险": 2000, "困难群众救助": 360,
    "老年福利": 414, "退役军人专岗经费": 689, "退役安置经费": 200, "荣誉优待经费": 116,
}

PLANS = {
    "区本课程经费": [0, 0, 0, 100],
    "义务教育保障机制区级配套": [25, 50, 75, 100],
    "高新中学运行经费": [0, 30, 50, 100],
    "高新区京唐智慧港第一小学建设资金": [0, 0, 100, 100],
    "基本公共卫生经费": [30, 60, 90, 100],
    "计生奖扶、特扶和关怀救助金区级配套": [0, 50, 100, 100],
    "乡村一体化及村卫生室基本药物制度补助经费": [0, 50, 75, 100],
    "残联事务经费": [0, 50, 80, 100],
    "医疗保险": [5, 50, 75, 100],
    "退役军人专岗经费": [20, 50, 80, 100],
    "退役安置经费": [10, 50, 80, 100],
    "荣誉优待经费": [2, 5, 50, 100],
    "学校教学装备及仪器更新经费项目经费": [0, 0, 0, 100],  # written without % ("0")
}


def _project(doc, name):
    return next(p for p in doc.projects if p.name == name)


def test_counts_and_total(seed_doc):
    assert seed_doc.problems == []
    assert seed_doc.fiscal_year == 2024
    assert len(seed_doc.projects) == 32
    assert seed_doc.indicator_count == 203
    assert seed_doc.budget_total == pytest.approx(9982.79)
    assert seed_doc.department == "高新区社会事务局"
    assert seed_doc.title == "2024年部门整体绩效目标"


def test_every_project_budget(seed_doc):
    assert {p.name: p.budget_wan for p in seed_doc.projects} == pytest.approx(BUDGETS)
    for p in seed_doc.projects:
        assert p.fiscal_wan + p.other_wan == pytest.approx(p.budget_wan), p.name


def test_every_project_has_four_checkpoints(seed_doc):
    for p in seed_doc.projects:
        assert len(p.plan) == 4, p.name
        assert p.plan[-1].cumulative_pct == 100, p.name
        pcts = [c.cumulative_pct for c in p.plan]
        assert pcts == sorted(pcts), p.name
    for name, pcts in PLANS.items():
        assert [c.cumulative_pct for c in _project(seed_doc, name).plan] == pcts, name


def test_month_end_checkpoint_variant(seed_doc):
    skate = _project(seed_doc, "高新区滑冰馆运营服务经费")
    assert [c.label for c in skate.plan] == ["3月底", "6月底", "10月底", "12月底"]
    assert [c.due for c in skate.plan] == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 10, 31), date(2024, 12, 31)]
    assert [c.cumulative_pct for c in skate.plan] == [0, 0, 0, 100]
    q = _project(seed_doc, "区本课程经费")
    assert [c.due for c in q.plan] == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]


def test_goals_and_split_title(seed_doc):
    p = _project(seed_doc, "区本课程经费")
    assert p.goals == ["为提升课程质量，创建我区特色课程。", "给学生创造一个良好的学习、生活环境。"]
    jisheng = _project(seed_doc, "计生奖扶、特扶和关怀救助金区级配套")
    assert jisheng.title == "计生奖扶、特扶、关怀救助金区级配套项目绩效目标表"  # title split over two lines
    assert all(p.goals for p in seed_doc.projects)


def test_indicators_cell_by_cell(seed_doc):
    first = _project(seed_doc, "区本课程经费").indicators
    assert [(i.level1, i.level2, i.level3, i.description, i.target_text, i.basis) for i in first] == [
        ("产出指标", "成本指标", "成人教育费用", "每人每年1元", "≤11.7万", "上级文件"),
        ("产出指标", "时效指标", "按时完成装备采购", "在使用前完成学校装备", "完成", "工作经验"),
        ("产出指标", "数量指标", "装备学校数量", "完成学校装备数量", "≥3所", "年度计划"),
        ("产出指标", "质量指标", "设备质量", "符合学校要求", "符合", "工作经验"),
        # the seed writes 效果指标: stored as the national 效益指标 (domain.vocabulary)
        ("效益指标", "社会效益指标", "改善办学条件的程度", "满足学校教学需要", "完成", "工作经验"),
        ("满意度指标", "服务对象满意度指标", "教师学生满意度", "对教师、学生进行问卷调查", "90%以上", "工作经验"),
    ]
    skate = _project(seed_doc, "高新区滑冰馆运营服务经费").indicators  # header says 指标值/描述
    assert skate[0].level3 == "支付滑冰馆2024年运营成本"
    assert skate[0].target.value == pytest.approx(165.2)


def test_level_values_are_the_known_ones(seed_doc):
    from domain.document import LEVEL1_VALUES, LEVEL2_VALUES

    inds = [i for p in seed_doc.projects for i in p.indicators]
    assert {i.level1 for i in inds} == set(LEVEL1_VALUES) - {"成本指标"}  # the seed has no 一级 成本指标
    assert {i.level2 for i in inds} <= set(LEVEL2_VALUES)
    assert all(i.level3 and i.target_text for i in inds)


def test_department_areas(seed_doc):
    assert len(seed_doc.areas) == 13
    assert seed_doc.areas[0].name == "学校建设"
    assert seed_doc.areas[-1].name == "荣誉优待经费"
    assert all(a.goal and a.indicator_text for a in seed_doc.areas)
    # a paragraph continued on the next line is joined
    assert "低保对象个人缴费部分定额资助372元" in seed_doc.areas[8].indicator_text
    assert len(seed_doc.measures) == 7
    assert seed_doc.overall_goal.startswith("我部门下属23个预算单位")
