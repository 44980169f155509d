"""The pages hand their charts to the browser unvalidated (``to_dict(validate=False)`` saves ~60 ms of
schema checking per chart on every cold page); here each chart the pages draw is checked against the
Vega-Lite schema instead, with data shaped as the pages' reads give it."""

from datetime import date

import pandas as pd
import pytest

from documents import leader_charts
from documents.charts import department_spending_chart

POINTS = pd.DataFrame({"period_end": [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)],
                       "label": ["第一季度", "第二季度", "第三季度", "第四季度"],
                       "planned_wan": [100.0, 250.0, 400.0, 600.0], "actual_wan": [80.0, 230.0, None, None],
                       "time_wan": [150.0, 300.0, 450.0, 600.0]})
MATRIX = pd.DataFrame({"项目": ["区本课程经费", "区本课程经费", "校舍维修"], "类别": ["产出指标", "效益指标", "产出指标"],
                       "状态": ["红", "绿", "未填报"], "标记": ["红 2", "绿", "未填报 1"], "责任单位": ["教育科"] * 3,
                       "项数": [2, 0, 1], "说明": ["进度滞后", "", "未填报"]})


@pytest.mark.parametrize("build", [
    lambda: department_spending_chart(POINTS, title="部门累计支出：计划与实际", width=640, height=300),
    lambda: leader_charts.spending_chart(
        leader_charts.spending_series(600.0, [(date(2024, 6, 30), "6月", 40.0), (date(2024, 12, 31), "12月", 100.0)],
                                      [(date(2024, 6, 30), "第二季度", 230.0)], 2024),
        as_of=date(2024, 9, 30), title="项目累计支出", height=300),
    lambda: leader_charts.status_matrix_chart(MATRIX, row="项目", col="类别", text="标记",
                                              tooltip=["项目", "责任单位", "类别", "状态", "项数", "说明"]),
], ids=["department spending", "project spending", "status matrix"])
def test_the_pages_charts_are_valid_vega_lite(build):
    spec = build().to_dict()  # validates against the schema; raises on an invalid spec
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec == build().to_dict(validate=False)  # what the pages send is the validated spec


@pytest.mark.parametrize("points", [POINTS, POINTS.assign(actual_wan=[None] * 4), POINTS.head(0)],
                         ids=["two quarters reported", "nothing reported", "no quarters"])
def test_the_overviews_spending_spec_is_the_charts_spec_with_its_data(points):
    """总览 builds the spending chart once per title and size and puts each revision's rows into a copy:
    the browser must get exactly the spec Altair builds from those rows (one dataset, renamed)."""
    from documents.charts import DATASET, department_spending_spec

    built = department_spending_chart(points, title="部门累计支出：计划与实际", width=640, height=300).to_dict()
    rows = built.pop("datasets")[built.pop("data")["name"]]
    fast = department_spending_spec(points, title="部门累计支出：计划与实际", width=640, height=300)
    assert fast.pop("datasets") == {DATASET: rows} and fast.pop("data") == {"name": DATASET}
    assert fast == built
    fast["config"]["view"]["stroke"] = "red"  # a caller changing its spec does not change the next one
    assert department_spending_spec(points, title="部门累计支出：计划与实际", width=640, height=300)["config"] == built["config"]


@pytest.mark.parametrize("frame", [MATRIX, MATRIX.iloc[[2, 0, 1]], MATRIX.assign(说明=[None, "", "未填报"]), MATRIX.head(0)],
                         ids=["three cells", "other row order", "a missing text", "no cells"])
@pytest.mark.parametrize("title", [None, "状态矩阵"])
def test_the_overviews_matrix_spec_is_the_charts_spec_with_its_data(frame, title):
    """总览's status matrix is built once per shape and each revision's rows and order go into a copy: the
    browser must get exactly the spec Altair builds from those rows (one dataset, renamed)."""
    args = dict(row="项目", col="类别", text="标记", tooltip=["项目", "责任单位", "类别", "状态", "项数", "说明"],
                col_order=["产出指标", "效益指标"], cell_width=96, title=title)
    rows = list(dict.fromkeys(frame["项目"].tolist()))[::-1]  # an order of its own, as the page passes
    built = leader_charts.status_matrix_chart(frame, row_order=rows or None, **args).to_dict()
    data = built.pop("datasets")[built.pop("data")["name"]]
    fast = leader_charts.status_matrix_spec(frame, row_order=rows or None, **args)
    assert fast.pop("datasets") == {leader_charts.MATRIX_DATASET: data}
    assert fast.pop("data") == {"name": leader_charts.MATRIX_DATASET}
    assert fast == built
    fast["layer"][0]["encoding"]["y"]["sort"].append("x")  # a caller changing its spec does not change the next one
    again = leader_charts.status_matrix_spec(frame, row_order=rows or None, **args)
    assert again["layer"][0]["encoding"]["y"]["sort"] == built["layer"][0]["encoding"]["y"]["sort"]
