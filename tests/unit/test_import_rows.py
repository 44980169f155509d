"""Rows of a target table that are not indicators (template rows, empty rows under a heading, numbered
heading and subtotal rows, notes), template hints before a value, a header the importer cannot use, and
several tables in one file — in every format."""

from __future__ import annotations

import pytest

from documents.targets_io import read_target_document
from domain.document import SKIPPED, WARNING
from tests.published.builders import BUILDERS, Grid, Sheet

L, N = "<", None


def _table(name: str, indicator_rows: list[list], header=("一级指标", "二级指标", "三级指标", "指标值")) -> Grid:
    width = len(header)
    return Grid([
        ["项目名称", name, *[L] * (width - 2)],
        ["年度资金总额", "12万元", *[L] * (width - 2)],
        list(header),
        *indicator_rows,
    ])


ROWS = [
    ["产出指标", "数量指标", "一、培训小计", "≥300人次"],  # a subtotal row: not an indicator
    [N, N, "培训人次", "(≥**人次)300人次"],  # a template hint left before the value
    [N, N, "指标2", ""],  # unused template row
    [N, "质量指标", "", ""],  # empty row under a heading
    [N, N, "……", "……"],
    [N, "时效指标", "完成时间", "2025年6月30日前完成验收"],
    ["效益指标", "社会效益指标", "受益人数", "**人"],  # template value
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"],
    ["注：本表由项目单位填写", L, L, L],
]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "txt"])
def test_rows_that_are_not_indicators_are_listed_not_imported(fmt):
    data = BUILDERS[fmt]([Sheet(["2025年项目支出绩效目标表", _table("培训项目", ROWS)])])
    doc = read_target_document(data, f"t.{fmt}")
    assert doc.problems == [] and doc.fiscal_year == 2025
    (p,) = doc.projects
    assert [(i.level3, i.target_text) for i in p.indicators] == [
        ("培训人次", "300人次"), ("完成时间", "2025年6月30日前完成验收"), ("学员满意度", "≥90%")]
    skipped = [w.message for w in doc.warnings if w.severity == SKIPPED]
    assert len(skipped) == 5
    assert any("一、培训小计" in m and "小计" in m for m in skipped)
    assert any("质量指标" in m and "空行" in m for m in skipped)
    assert [w.message for w in doc.warnings if w.severity == WARNING] == ["已去掉指标值前的模板提示“(≥**人次)”"]


def test_a_header_without_a_value_column_names_the_expected_layout_and_what_was_found():
    data = BUILDERS["txt"]([Sheet(["2025年项目支出绩效目标表",
                                   _table("培训项目", [["产出指标", "数量指标", "培训人次", "300人次"]],
                                          header=("一级指标", "二级指标", "三级指标", "目标说明"))])])
    doc = read_target_document(data, "t.txt")
    (problem,) = doc.problems
    assert problem.kind == "表头"
    assert "缺少“指标值”列" in problem.message and "应为 一级指标 | 二级指标 | 三级指标 | 指标值" in problem.message
    assert "实际为 一级指标 | 二级指标 | 三级指标 | 目标说明" in problem.message
    assert doc.projects == [] and len(doc.tables) == 1


def test_several_tables_in_one_file_and_one_table_per_sheet():
    a = _table("甲项目", [["产出指标", "数量指标", "培训人次", "300人次"]])
    b = _table("乙项目", [["产出指标", "质量指标", "合格率", "≥95%"], [N, "数量指标", "场次", "4场"]])
    for fmt, sheets in (("docx", [Sheet(["2025年项目支出绩效目标表", a, "2025年项目支出绩效目标表", b])]),
                        ("xlsx", [Sheet(["2025年项目支出绩效目标表", a], "甲"), Sheet(["2025年项目支出绩效目标表", b], "乙")]),
                        ("txt", [Sheet(["2025年项目支出绩效目标表", a, "2025年项目支出绩效目标表", b])])):
        doc = read_target_document(BUILDERS[fmt](sheets), f"t.{fmt}")
        assert doc.problems == [], fmt
        assert [(p.name, p.budget_wan, len(p.indicators)) for p in doc.projects] == [("甲项目", 12, 1), ("乙项目", 12, 2)], fmt


def test_tables_of_two_years_in_one_file_are_refused():
    a = _table("甲项目", [["产出指标", "数量指标", "培训人次", "300人次"]])
    b = _table("乙项目", [["产出指标", "数量指标", "场次", "4场"]])
    data = BUILDERS["docx"]([Sheet(["2024年项目支出绩效目标表", a, "2025年项目支出绩效目标表", b])])
    doc = read_target_document(data, "t.docx", 2024)
    assert any(p.kind == "年度" and "2024、2025" in p.message for p in doc.problems)


# layouts seen in published tables whose pages were cut off before their end (so not full fixtures):
# 南县疾病预防控制中心 2025 (http://nxjw.nanxian.gov.cn/14890/36191/36261/38621/content_2047266.html) and
# 乌海市供销合作社联合社 2021 (http://gxs.wuhai.gov.cn/whsgxshzslhs/1096934/sjtj/1341823/index.html)
LAYOUTS = [
    pytest.param(("一级指标", "二级指标", "三级指标", "指标值类型", "目标值", "度量单位", "指标值内容", "备注"),
                 [["成本指标", "经济成本指标", "疾病预防控制中心经费", "≤", "70", "万元", "反映疾病预防控制中心经费。", ""],
                  [N, "社会成本指标", "实施项目对社会产生的不利影响", "定性", "减少", "", "反映实施项目对社会产生的不利影响。", ""]],
                 [("成本指标", "经济成本指标", "≤70万元", "<=", 70, "万元", "反映疾病预防控制中心经费。", None),
                  ("成本指标", "社会成本指标", "减少", None, None, None, "反映实施项目对社会产生的不利影响。", None)],
                 id="nanxian-2025"),
    pytest.param(("一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值", "备注"),
                 [["产出指标", "数量指标", "出差人次", "正向", "=", "24", "人/次", "4", ""],
                  ["产出指标", "成本指标", "年度预算总成本", "反向", "=", "3", "万元", "4", ""]],
                 [("产出指标", "数量指标", "=24人/次", "=", 24, "人/次", "", 4.0),
                  ("产出指标", "成本指标", "=3万元", "=", 3, "万元", "", 4.0)],
                 id="wuhai-2021"),
]


@pytest.mark.parametrize("header,rows,expected", LAYOUTS)
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_operator_value_unit_split_layouts(header, rows, expected, fmt):
    data = BUILDERS[fmt]([Sheet(["2025年项目支出绩效目标表", _table("某项目", rows, header=header)])])
    (p,) = read_target_document(data, f"t.{fmt}").projects
    assert [(i.level1, i.level2, i.target_text, i.target.op, i.target.value, i.target.unit, i.description, i.weight)
            for i in p.indicators] == expected
