"""The pure read models of ``data_access.views`` without a database or Streamlit: hand-built evaluated
statuses in, the numbers and rows the pages show out (headline, areas, changes, meeting order,
reporting, the project page's points and periods)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from data_access.views import (
    ViewFilters,
    actual_points,
    area_order,
    build_areas,
    build_changes,
    build_headline,
    build_reporting,
    history_periods,
    meeting_order,
    period_options,
    previous_period,
)
from domain.periods import parse_period
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    BudgetStatus,
    IndicatorInput,
    IndicatorStatus,
    ProjectInput,
    ProjectStatus,
)
from domain.targets import parse_target

Y = 2024
Q3 = date(Y, 9, 30)


def _ind(id_: int, status: str, level1: str = "产出指标", level2: str = "数量指标") -> IndicatorStatus:
    ind = IndicatorInput(id_, level1, level2, f"指标{id_}", parse_target("≥10个", Y))
    return IndicatorStatus(ind, status, f"原因{id_}", "accumulating", status)


def _project(pid: int, status: str, *, unit: str = "教育科", area: str = "学校管理", budget: float = 100.0,
             spent: float | None = 50.0, budget_status: str = GREEN, expected: float | None = 60.0,
             inds: tuple[tuple[str, str], ...] = ()) -> ProjectStatus:
    p = ProjectInput(pid, f"项目{pid}", unit=unit, area=area, budget_wan=budget, spent_wan=spent)
    execution = None if spent is None else spent / budget * 100.0
    b = BudgetStatus(budget_status, "预算原因", execution_pct=execution, expected_pct=expected)
    indicators = [_ind(pid * 10 + i, s, level1=l1) for i, (s, l1) in enumerate(inds)]
    return ProjectStatus(p, status, f"项目{pid}原因", b, indicators)


# three units, a mix of statuses: 1 red (a red and a missing indicator), 2 amber, 3 green without
# reported spending, 4 missing budget row in another area
RESULTS = [
    _project(1, RED, budget=200.0, spent=50.0, budget_status=RED, expected=50.0,
             inds=((RED, "产出指标"), (MISSING, "效益指标"), (GREEN, "满意度指标"))),
    _project(2, AMBER, unit="卫生健康科", area="公共卫生", budget=100.0, spent=40.0, budget_status=AMBER,
             expected=60.0, inds=((AMBER, "产出指标"), (GREEN, "效益指标"))),
    _project(3, GREEN, unit="卫生健康科", area="公共卫生", budget=50.0, spent=None, budget_status=GREY,
             expected=None, inds=((GREEN, "产出指标"), (BLUE, "产出指标"))),
    _project(4, MISSING, unit="民政科", area="社会救助", budget=300.0, spent=None, budget_status=MISSING,
             expected=None, inds=((GREY, "产出指标"),)),
]


@pytest.mark.parametrize("f, projects, indicators, missing_items, missing_projects, execution, plan", [
    (ViewFilters(), 4, 8, 2, 2, 90 / 300 * 100, (200 * 0.5 + 100 * 0.6) / 300 * 100),
    (ViewFilters(units=("卫生健康科",)), 2, 4, 0, 0, 40.0, 60.0),
    (ViewFilters(statuses=(MISSING,)), 2, 1, 2, 2, 25.0, 50.0),  # project 1 has a missing indicator
    # without 预算执行 in the groups a missing budget row is not a missing item, but its project still
    # counts among the projects with something missing
    (ViewFilters(groups=("产出指标",)), 4, 5, 0, 1, 90 / 300 * 100, (200 * 0.5 + 100 * 0.6) / 300 * 100),
    (ViewFilters(groups=("效益指标",)), 4, 2, 1, 2, 90 / 300 * 100, (200 * 0.5 + 100 * 0.6) / 300 * 100),
    (ViewFilters(areas=("无此领域",)), 0, 0, 0, 0, None, None),
])
def test_headline_counts(f, projects, indicators, missing_items, missing_projects, execution, plan):
    h = build_headline(RESULTS, f, Q3, Y)
    assert h["project_count"] == projects
    assert h["indicator_count"] == indicators
    assert h["missing_items"] == missing_items
    assert h["missing_projects"] == missing_projects
    assert h["execution_pct"] == (None if execution is None else pytest.approx(execution))
    assert h["plan_pct"] == (None if plan is None else pytest.approx(plan))
    assert h["time_pct"] == pytest.approx(75.0)
    assert sum(h["projects"].values()) == projects


AREAS = pd.DataFrame([
    {"seq": 1, "name": "学校管理", "goal": "办好学校", "indicator_text": "课程", "targets": [{"phrase": "开设10门"}]},
    {"seq": 2, "name": "公共卫生", "goal": "", "indicator_text": "", "targets": []},
    {"seq": 3, "name": "文化体育", "goal": "全民健身", "indicator_text": "", "targets": None},
    {"seq": 4, "name": "社会救助", "goal": "", "indicator_text": "", "targets": []},
])


@pytest.mark.parametrize("f, expected", [
    # (领域, 状态, 项目数, 红, 黄, 未填报, 绿, 预算, 累计支出, 执行率%) in document order
    (ViewFilters(), [
        ("学校管理", "▲ 红", 1, 1, 0, 0, 0, 200.0, 50.0, 25.0),
        ("公共卫生", "◆ 黄", 2, 0, 1, 0, 1, 150.0, 40.0, 40.0),
        ("文化体育", "○ 灰（无项目）", 0, 0, 0, 0, 0, 0.0, None, None),
        ("社会救助", "□ 未填报", 1, 0, 0, 1, 0, 300.0, None, None),
    ]),
    (ViewFilters(units=("卫生健康科",)), [("公共卫生", "◆ 黄", 2, 0, 1, 0, 1, 150.0, 40.0, 40.0)]),
    (ViewFilters(statuses=(GREEN,)), [
        ("学校管理", "▲ 红", 1, 1, 0, 0, 0, 200.0, 50.0, 25.0),  # a green indicator keeps project 1 in
        ("公共卫生", "◆ 黄", 2, 0, 1, 0, 1, 150.0, 40.0, 40.0),
    ]),
    (ViewFilters(areas=("文化体育",)), []),
])
def test_area_roll_up(f, expected):
    df = build_areas(RESULTS, AREAS, f)
    got = [(r["领域"], r["状态"], r["项目数"], r["红"], r["黄"], r["未填报"], r["绿"], r["预算（万元）"],
            None if pd.isna(r["累计支出（万元）"]) else r["累计支出（万元）"],
            None if pd.isna(r["执行率%"]) else r["执行率%"]) for _, r in df.iterrows()]
    assert got == expected


def test_areas_carry_the_prose_targets():
    df = build_areas(RESULTS, AREAS, ViewFilters()).set_index("领域")
    assert df.loc["学校管理", "绩效目标"] == "办好学校"
    assert df.loc["学校管理", "量化目标"] == "开设10门"
    assert df.loc["文化体育", "量化目标"] == ""


@pytest.mark.parametrize("before, now, change", [
    (GREEN, RED, "新变红"),
    (AMBER, RED, "新变红"),
    (MISSING, RED, "新变红"),
    (GREEN, MISSING, "新增未填报"),
    (GREY, MISSING, "新增未填报"),
    (GREEN, AMBER, "新变黄"),
    (RED, AMBER, "好转"),
    (RED, GREEN, "好转"),
    (AMBER, BLUE, "好转"),
    (MISSING, GREEN, "已补报"),
    (MISSING, AMBER, "已补报"),  # amber is better than missing: only "reported now"
    (GREEN, GREEN, None),
    (RED, RED, None),
    (MISSING, MISSING, None),
])
def test_changes_since_the_previous_period(before, now, change):
    prev = [_project(1, before, budget_status=before if before in (MISSING, GREEN) else GREEN)]
    cur = [_project(1, now, budget_status=now if now in (MISSING, GREEN) else GREEN)]
    df = build_changes(cur, prev, ViewFilters())
    assert list(df["变化"]) == ([] if change is None else [change])


def test_changes_count_values_reported_since_and_sort_by_kind_then_budget():
    prev = [_project(1, MISSING, budget_status=MISSING, inds=((MISSING, "产出指标"),)),
            _project(2, GREEN, budget=10.0), _project(3, GREEN, budget=500.0), _project(9, RED)]
    cur = [_project(1, GREEN, inds=((GREEN, "产出指标"),)), _project(2, RED, budget=10.0),
           _project(3, RED, budget=500.0), _project(8, RED)]  # 8 is new, 9 is gone: no row for either
    df = build_changes(cur, prev, ViewFilters())
    assert list(zip(df["变化"], df["项目名称"])) == [("新变红", "项目3"), ("新变红", "项目2"), ("已补报", "项目1")]
    assert df.set_index("项目名称").loc["项目1", "补报事项"] == 2


@pytest.mark.parametrize("f, order", [
    (ViewFilters(), [1, 4, 2, 3]),  # 红, 未填报, 黄, 绿
    (ViewFilters(units=("卫生健康科",)), [2, 3]),
    (ViewFilters(statuses=(GREEN,)), [1, 2, 3]),
])
def test_meeting_goes_worst_first(f, order):
    assert meeting_order(RESULTS, f) == order


def test_meeting_breaks_ties_by_budget_then_name():
    rs = [_project(5, RED, budget=10.0), _project(6, RED, budget=90.0), _project(7, RED, budget=10.0)]
    rs[0].project.name, rs[2].project.name = "b", "a"
    assert meeting_order(rs, ViewFilters()) == [6, 7, 5]


@pytest.mark.parametrize("f, attention_only, order", [
    (ViewFilters(), False, [1, 4, 2, 3]),
    (ViewFilters(), True, [1, 4, 2]),  # the green project 3 is left out
    (ViewFilters(units=("卫生健康科",)), True, [2]),
])
def test_meeting_attention_only_keeps_red_missing_and_amber(f, attention_only, order):
    assert meeting_order(RESULTS, f, attention_only) == order


AREA_RESULTS = [
    _project(11, AMBER, area="甲"), _project(12, GREEN, area="乙"), _project(13, RED, area="丙"),
    _project(14, RED, area="丁"), _project(15, RED, area="丁"), _project(16, GREEN, area="甲"),
    _project(17, MISSING, area=""), _project(18, GREEN, area="乙", unit="民政科"),
]


@pytest.mark.parametrize("areas, f, attention_only, order", [
    # worst first; two red projects before one; an area without projects is no slide
    (["甲", "乙", "丙", "丁", "戊"], ViewFilters(), False, ["丁", "丙", "（未分配）", "甲", "乙"]),
    (["甲", "乙", "丙", "丁"], ViewFilters(), True, ["丁", "丙", "（未分配）", "甲"]),
    (["乙", "甲"], ViewFilters(units=("民政科",)), False, ["乙"]),
    (["乙", "甲"], ViewFilters(units=("民政科",)), True, []),
])
def test_area_slides_go_worst_first(areas, f, attention_only, order):
    assert area_order(AREA_RESULTS, areas, f, attention_only) == order


def test_reporting_lists_missing_values_days_late_and_the_last_save_in_beijing_time():
    last = pd.DataFrame([{"project_id": 1, "last_at": datetime(2024, 10, 8, 17, 30), "last_by": "jiaoyu"}])
    # the status filter does not apply: a missing value is listed whatever its project's colour
    items, units = build_reporting(RESULTS, ViewFilters(statuses=(GREEN,)), Q3, date(2024, 10, 15), last)
    assert list(zip(items["项目名称"], items["缺报事项"])) == [("项目1", "指标11"), ("项目4", "累计支出（预算执行）")]
    assert set(items["逾期天数"]) == {15}
    # stored times are UTC: 17:30 UTC on 8 October is 01:30 on 9 October in Beijing
    assert items.set_index("项目名称").loc["项目1", "最近填报"] == "2024-10-09 01:30"
    assert items.set_index("项目名称").loc["项目4", "最近填报"] == "从未填报"
    assert list(units["责任单位"]) == ["教育科", "民政科"]
    assert units.set_index("责任单位").loc["教育科", "填报完成率%"] == pytest.approx(75.0)


@pytest.mark.parametrize("keys, labels", [
    (["2024-03", "2024Q1", "2024-04"], ["2024年第一季度", "2024年4月"]),
    (["2024Q2", "2024-01"], ["2024年1月", "2024年第二季度"]),
    ([], []),
])
def test_history_has_one_period_per_period_end(keys, labels):
    assert [p.label for p in history_periods(keys)] == labels


def test_actual_points_count_a_quarter_and_its_last_month_once():
    hist = pd.DataFrame([
        {"project_id": 1, "period_code": "2024-03", "spent_wan": 10.0, "updated_at": datetime(2024, 4, 1)},
        {"project_id": 1, "period_code": "2024Q1", "spent_wan": 12.0, "updated_at": datetime(2024, 4, 2)},
        {"project_id": 1, "period_code": "2024Q2", "spent_wan": 30.0, "updated_at": datetime(2024, 7, 1)},
        {"project_id": 1, "period_code": "2024Q4", "spent_wan": 90.0, "updated_at": datetime(2025, 1, 1)},
    ])
    assert actual_points(hist, Q3, group=False) == [(date(2024, 3, 31), "2024年第一季度", 12.0),
                                                    (date(2024, 6, 30), "2024年第二季度", 30.0)]


def test_period_options_put_the_quarter_before_its_month_and_stop_at_the_year():
    keys = [p.key for p in period_options(Y)]
    assert keys[:4] == ["2024-01", "2024-02", "2024Q1", "2024-03"]
    assert len(keys) == 16
    assert previous_period(parse_period("2024Q1")) is None
    assert previous_period(parse_period("2024Q3")).key == "2024Q2"
