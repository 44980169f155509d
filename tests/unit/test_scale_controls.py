"""The pure parts of the scale-aware controls: text search (``domain.text_search``), the grids' in-memory
filter (``data_access.views.filter_frame``), the 主管部门 in a view's query string, in the filters' words
and in what selects a project, the units offered under chosen departments, the picker's caption and
what an export button says it holds after a text filter."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from components.export import export_scope
from components.search import PICKER_CAP, picker_note, shown_of
from data_access.views import (
    ViewFilters,
    filter_frame,
    filter_projects,
    params_from_view,
    units_under,
    view_from_params,
)
from domain.document import ProjectSpec, TargetDocument, table_departments
from domain.status import ProjectInput, evaluate_project
from domain.text_search import MAX_TERMS, matches, narrow, search_terms

# --------------------------------------------------------------------------- text search


@pytest.mark.parametrize("query, terms", [
    ("", ()),
    ("   ", ()),
    (None, ()),
    ("教育", ("教育",)),
    ("  教育  取暖 ", ("教育", "取暖")),
    ("ＡＢ　教育", ("ab", "教育")),  # full-width letters and the ideographic space fold
    ("教育 教育", ("教育",)),
    (" ".join(f"w{i}" for i in range(20)), tuple(f"w{i}" for i in range(MAX_TERMS))),
])
def test_a_query_is_split_into_folded_terms(query, terms):
    assert search_terms(query) == terms


@pytest.mark.parametrize("query, texts, hit", [
    ("教育", ("学校取暖费", "教育科"), True),  # in one of the texts
    ("教育 取暖", ("学校取暖费", "教育科"), True),  # every term somewhere
    ("教育 卫生", ("学校取暖费", "教育科"), False),  # a term found nowhere
    ("ppp", ("PPP项目",), True),  # case does not matter
    ("", ("任何",), True),
    ("x", (None, ""), False),
])
def test_a_row_matches_when_every_term_occurs(query, texts, hit):
    assert matches(search_terms(query), *texts) is hit


def test_narrow_keeps_the_order_caps_and_counts():
    items = [f"项目{i:04d}{'教育' if i % 3 == 0 else '卫生'}" for i in range(5000)]
    shown, n = narrow(items, "教育", str, 200)
    assert n == 1667 and len(shown) == 200
    assert shown == [x for x in items if "教育" in x][:200]  # worst first stays worst first
    shown, n = narrow(items, "", str, 200)
    assert (n, shown) == (5000, items[:200])
    assert narrow(items, "项目0003", str, 200) == (["项目0003教育"], 1)


def test_filter_frame_narrows_rows_on_the_named_columns_only():
    df = pd.DataFrame({"项目名称": ["学校取暖费", "低保资金", "教师培训"], "责任单位": ["教育科", "民政科", "教育科"],
                       "原因": ["教育", "", ""], "_status": ["red", "amber", "green"]})
    got = filter_frame(df, "教育", ["项目名称", "责任单位"])
    assert list(got["项目名称"]) == ["学校取暖费", "教师培训"] and list(got.index) == [0, 1]
    assert list(filter_frame(df, "教育 培训", ["项目名称", "责任单位"])["项目名称"]) == ["教师培训"]
    assert filter_frame(df, "", ["项目名称"]) is df
    assert filter_frame(df, "不存在", ["项目名称"]).empty
    assert filter_frame(df.iloc[0:0], "教育", ["项目名称"]).empty


# --------------------------------------------------------------------------- 主管部门


def test_departments_round_trip_through_the_query_string():
    view = {"period": "2024Q3", "departments": ("市教育局", "市民政局"), "units": ("高新区教育局",)}
    params = params_from_view(view)
    assert params == {"period": "2024Q3", "department": ["市教育局", "市民政局"], "unit": ["高新区教育局"]}
    assert view_from_params(params) == view


def _result(pid: int, unit: str, department: str):
    return evaluate_project(ProjectInput(pid, f"项目{pid}", unit=unit, department=department, budget_wan=10.0),
                            date(2024, 9, 30))


def test_a_department_selects_the_projects_of_its_units():
    results = [_result(1, "高新区教育局", "市教育局"), _result(2, "路南区教育局", "市教育局"),
               _result(3, "高新区民政局", "市民政局"), _result(4, "区直单位", "")]
    f = ViewFilters(departments=("市教育局",))
    assert [r.project.id for r in filter_projects(results, f)] == [1, 2]
    both = ViewFilters(departments=("市教育局",), units=("路南区教育局",))
    assert [r.project.id for r in filter_projects(results, both)] == [2]
    assert [r.project.id for r in filter_projects(results, ViewFilters())] == [1, 2, 3, 4]
    assert f.describe() == "主管部门：市教育局"


@pytest.mark.parametrize("chosen, offered", [
    ([], ["高新区教育局", "高新区民政局", "路南区教育局", "区直单位"]),
    (["市教育局"], ["高新区教育局", "路南区教育局"]),
    (["市教育局", "市民政局"], ["高新区教育局", "高新区民政局", "路南区教育局"]),
    (["不存在"], []),
])
def test_the_units_offered_follow_the_chosen_departments(chosen, offered):
    units = ["高新区教育局", "高新区民政局", "路南区教育局", "区直单位"]
    departments = ["市教育局", "市民政局", "市教育局", ""]
    assert units_under(units, departments, chosen) == offered


@pytest.mark.parametrize("named, expected", [
    ((), {}),  # no table names one
    (("区教育局", "区教育局", ""), {}),  # the department's own document
    (("市教育局", "市民政局", ""), {"p0": "市教育局", "p1": "市民政局"}),  # a city document
])
def test_tables_give_departments_only_when_the_document_names_several(named, expected):
    doc = TargetDocument(fiscal_year=2024, projects=[ProjectSpec(name=f"p{i}", department=d) for i, d in enumerate(named)])
    assert table_departments(doc) == expected


# --------------------------------------------------------------------------- what the controls say


@pytest.mark.parametrize("total, matched, query, note", [
    (60, 60, "", ""),
    (5000, 5000, "", f"共5000个项目，列出最需关注的前{PICKER_CAP}个；在「搜索项目」中输入名称的一部分可缩小范围"),
    (5000, 38, "教育", "「教育」：共38个项目符合（全部5000个）"),
    (5000, 1667, "教育", f"「教育」：共1667个项目符合，列出前{PICKER_CAP}个（全部5000个）"),
])
def test_the_picker_says_how_many_match(total, matched, query, note):
    assert picker_note(total, matched, query) == note


def test_a_filtered_grid_and_its_exports_say_what_they_hold():
    assert shown_of(12, 5000, "教育") == "显示12 / 共5000项（筛选「教育」）"
    assert shown_of(12, 5000, "") == ""
    assert export_scope(12, None, "教育") == "筛选「教育」的12行"
    assert export_scope(12) == "全部12行"
    assert export_scope(10, 53, "教育") == "所示前10项，共53项"
