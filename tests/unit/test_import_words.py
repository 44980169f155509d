"""The words of a target table: the vocabulary mapped to the national set, columns found by header words,
money phrasings, row kinds, template hints, the year of a document, deadlines with a task."""

from __future__ import annotations

from datetime import date

import pytest

from domain.table_words import (
    budget_from,
    column_role,
    drop_template_hint,
    facts_in_text,
    field_of,
    is_heading_level3,
    is_template_value,
    title_year,
)
from domain.targets import parse_target
from domain.vocabulary import DEFAULT_VOCABULARY, Vocabulary

V = DEFAULT_VOCABULARY


@pytest.mark.parametrize("word,level,canonical", [
    ("效益指标", "level1", "效益指标"), ("效果指标", "level1", "效益指标"), ("项目效益指标", "level1", "效益指标"),
    ("项目完成\n指标", "level1", "产出指标"), ("产出指标(50分)", "level1", "产出指标"), ("满意度", "level1", "满意度指标"),
    ("成本指标（0-20）分", "level1", "成本指标"),
    ("数量", "level2", "数量指标"), ("产出数量指标", "level2", "数量指标"), ("经济效益 指标", "level2", "经济效益指标"),
    ("社会公众或服务对象满意度指标", "level2", "服务对象满意度指标"), ("满意度指标", "level2", "服务对象满意度指标"),
    ("服务对象满意度指标等", "level2", "服务对象满意度指标"), ("环境效益指标", "level2", "生态效益指标"),
    ("经济成本指标", "level2", "经济成本指标"), ("生态成本指标", "level2", "生态环境成本指标"),
    ("数量指标(必填硬性指标)", "level2", "数量指标"), ("工作量指标", "level2", None), ("项目产出指标", "level1", None),
])
def test_vocabulary_lookup(word, level, canonical):
    assert V.lookup(level, word) == canonical


@pytest.mark.parametrize("level1,level2,expected,notes", [
    ("产出指标", "数量指标", ("产出指标", "数量指标"), 0),
    ("", "社会效益指标", ("效益指标", "社会效益指标"), 0),  # 一级 filled in from 二级
    ("效益指标", "社会公众或服务对象满意度指标", ("满意度指标", "服务对象满意度指标"), 1),  # the 2015 template
    ("成本指标", "经济成本指标", ("成本指标", "经济成本指标"), 0),  # 财预〔2021〕101号: 成本 as 一级
    ("产出指标", "成本指标", ("产出指标", "成本指标"), 0),
    ("项目产出指标", "质量指标", ("产出指标", "质量指标"), 1),  # unknown 一级, placed by its 二级
    ("产出指标", "工作量指标", ("产出指标", "工作量指标"), 1),  # unknown 二级: kept as written, a warning
])
def test_vocabulary_resolves_a_row(level1, level2, expected, notes):
    r = V.resolve(level1, level2)
    assert (r.level1, r.level2) == expected and len(r.warnings) == notes


def test_unknown_word_names_the_nearest_and_the_admin_can_map_it():
    r = V.resolve("产出指标", "工作量指标")
    assert "最接近“数量指标”" in r.warnings[0]
    v = V.with_mapping("level2", "工作量指标", "数量指标")
    assert v.resolve("产出指标", "工作量指标").level2 == "数量指标"
    assert Vocabulary.from_setting(v.to_setting()) == v
    assert Vocabulary.from_setting({"level2": {"x": "不是规范词"}, "level1": "junk"}).extra == {}
    with pytest.raises(ValueError, match="不是规范的二级指标"):
        V.with_mapping("level2", "工作量指标", "工作量")
    with pytest.raises(ValueError, match="本身就是规范的"):
        V.with_mapping("level1", "产出指标", "效益指标")


@pytest.mark.parametrize("header,role", [
    ("一级指标", "level1"), ("二级指标(年度)", "level2"), ("二级指标(长期)", None), ("三级指标", "level3"),
    ("指标内容", "level3"), ("指标值", "value"), ("目标值", "value"), ("年度指标值", "value"), ("指标值及单位", "value"),
    ("预期2022年实现值", "value"), ("2021年实际实现值", None), ("指标值(包含数字及文字描述)", "value"),
    ("指标值类型", "op"), ("指标性质", "op"), ("度量单位", "unit"), ("计量单位", "unit"), ("分值", "weight"),
    ("权重(%)", "weight"), ("指标值确定依据", "basis"), ("指标标准或依据", "basis"), ("绩效标准", "basis"),
    ("绩效指标描述", "description"), ("指标值内容", "description"), ("实际完成值", None), ("得分", None),
    ("偏差原因分析及改进措施", None), ("绩效指标", None), ("备注", None),
])
def test_columns_are_found_by_their_words(header, role):
    assert column_role(header) == role


@pytest.mark.parametrize("label,field", [
    ("项目名称", "name"), ("项目支出名称", "name"), ("转移支付(项目)名称", "name"), ("项目编码", "code"),
    ("主管部门及其编码", "department"), ("项目主管部门", "department"), ("实施单位", "implementer"),
    ("项目执行单位", "implementer"), ("预算单位", "implementer"), ("年度绩效目标(文字)", "goal"), ("本年度绩效目标", "goal"),
    ("项目资金主要用途", "purpose"), ("项目负责人", None),
])
def test_header_fields(label, field):
    assert field_of(label) == field


@pytest.mark.parametrize("texts,expected", [
    (["预算数100万元。其中：财政资金80万元"], (100, 80, 20)),
    (["年度资金总额:16\n其中:上级资金16"], (16, 16, 0)),
    (["资金总额: 250\n一、预算资金:250\n二、自有资金:0\n三、其他:0"], (250, 250, 0)),
    (["项目金额164万元", "其中:当年市级财政资金132万元"], (164, 132, 32)),
    (["年度本级预算金额250万", "该项目支出上级资金0"], (250, 250, 0)),
    (["(一)财政拨款小计4.00", "1、一般公共预算4.00", "(二)自有资金小计1.00", "(三)其他收入0.50"], (5.5, 4, 1.5)),
    (["资金总额10000万元", "当年资金总额:8000万元", "其中:财政拨款10000万元", "其中:当年财政拨款6000万元"], (8000, 6000, 2000)),
    (["申请金额:30万元"], (30, 30, 0)),
    (["上年结转资金20万元", "全年执行数15万元"], (None, None, None)),  # neither is this year's money
    ([], (None, None, None)),
])
def test_money_phrasings(texts, expected):
    facts = [f for t in texts for f in facts_in_text(t)]
    assert budget_from(facts) == pytest.approx(expected) if expected[0] is not None else budget_from(facts) == expected


def test_money_in_yuan():
    assert budget_from(facts_in_text("年度资金总额387664.62", yuan=True))[0] == pytest.approx(38.766462)
    assert budget_from(facts_in_text("预算数50000元"))[0] == pytest.approx(5)


@pytest.mark.parametrize("text,year", [
    ("(2022年度)", 2022), ("（2021年度）", 2021), ("2020年度)", 2020), ("2023年项目支出绩效目标申报表", 2023),
    ("2024年部门整体绩效目标", 2024), ("2022年度项目支出绩效自评表", 2022), ("2021年实际实现值", None),
    ("用于2024年滑冰馆运营服务费用（包含水、电、暖和设备维护等运营费用），确保滑冰馆经济、社会效益得到充分实现", None),
    ("项目期 2022年", None),
])
def test_the_year_of_a_title(text, year):
    assert title_year(text) == year


@pytest.mark.parametrize("value,kept,hint", [
    ("(≥**人)1200人", "1200人", "(≥**人)"), ("（≥**%）95%", "95%", "（≥**%）"), ("≥95%", "≥95%", ""),
    ("(≥**人)", "(≥**人)", ""),  # nothing after the hint: it stays, and the row is a template row
])
def test_template_hints_before_a_value_are_dropped(value, kept, hint):
    assert drop_template_hint(value) == (kept, hint)


@pytest.mark.parametrize("text,template", [("**人", True), ("≥**%", True), ("……", True), ("95%", False), ("", False)])
def test_template_values(text, template):
    assert is_template_value(text) is template


@pytest.mark.parametrize("text,heading", [("一、产出指标小计", True), ("（二）培训", True), ("合计", True),
                                          ("培训人次", False), ("1号楼维修", False)])
def test_heading_and_subtotal_rows(text, heading):
    assert is_heading_level3(text) is heading


@pytest.mark.parametrize("raw,deadline", [
    ("12月底前100%到位", date(2021, 12, 31)), ("2021年12月31日前完成资金支付", date(2021, 12, 31)),
    ("6月30日前完成验收", date(2021, 6, 30)), ("年底前全部发放到位", date(2021, 12, 31)),
    ("3月前支付≥50%", None),  # a comparison after the date: not a deadline
])
def test_deadlines_followed_by_the_task(raw, deadline):
    t = parse_target(raw, 2021)
    assert (t.deadline if t.kind == "deadline" else None) == deadline


def test_box_drawing_equals_sign_is_an_operator():
    t = parse_target("═100%", 2022)
    assert (t.kind, t.op, t.value, t.unit) == ("numeric", "=", 100, "%")


@pytest.mark.parametrize("cells,years", [
    (["项目期", "2022年"], [2022]), (["项目起止时间", "202001-202012"], [2020]), (["项目支出实施期", "2023.07-2024.01"], [2023]),
    (["项目名称", "2024年滑冰馆运营"], []), (["项目期", "长期"], []),
])
def test_the_year_of_a_table_period(cells, years):
    from domain.table_words import period_years

    assert period_years(cells) == years


def test_a_table_without_a_title_year_takes_the_year_of_its_period():
    from documents.targets_io import read_target_document
    from tests.published.builders import BUILDERS, Grid, Sheet

    grid = Grid([["项目名称", "培训", "<", "<"], ["项目期", "2023年", "<", "<"], ["年度资金总额", "5万元", "<", "<"],
                 ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人次", "≥30人次"]])
    doc = read_target_document(BUILDERS["docx"]([Sheet(["项目支出绩效目标表", grid])]), "t.docx")
    assert doc.fiscal_year == 2023 and doc.problems == []
