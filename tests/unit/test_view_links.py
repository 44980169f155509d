"""The pure parts of the leadership views' navigation, without Streamlit: the query string of a view,
项目详情's order and previous/next, the as-of choices per reporting cycle, the reason column next to
the status and the histories cut at the as-of date (definitions in ``data_access.views``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access.views import (
    CHANGE_COLUMNS,
    INDICATOR_COLUMNS,
    RISK_COLUMNS,
    ViewFilters,
    changes_until,
    default_period,
    history_periods,
    is_view_link,
    meeting_order,
    neighbours,
    params_from_view,
    period_options,
    period_short_label,
    periods_having_data,
    project_order,
    reason_beside_status,
    view_from_params,
    view_signature,
)
from domain.periods import parse_period
from domain.status import AMBER, GREEN, MISSING, RED
from tests.unit.test_read_models import RESULTS, _project

Y = 2024

# --------------------------------------------------------------------------- the query string of a view

FULL = {"year": 2024, "period": "2024Q3", "areas": ("社会救助",), "units": ("民政科", "教育科"),
        "statuses": (RED,), "groups": ("满意度指标",), "project": 29}


def test_a_view_survives_the_round_trip_through_the_query_string():
    params = params_from_view(FULL)
    assert params == {"year": "2024", "period": "2024Q3", "area": ["社会救助"], "unit": ["民政科", "教育科"],
                      "status": ["red"], "group": ["满意度指标"], "project": "29"}
    assert view_from_params(params) == FULL
    assert view_signature(view_from_params(params)) == view_signature({**FULL, "units": ["民政科", "教育科"]})


@pytest.mark.parametrize("params, view", [
    ({}, {}),
    ({"period": "2024-08", "project": "x1", "year": "20a4"}, {"period": "2024-08"}),  # unreadable parts dropped
    ({"period": "2024Q9", "project": ["3", "7"]}, {"project": 7}),  # the last repeated value wins
    ({"unit": ["民政科", "民政科", " "]}, {"units": ("民政科",)}),  # blanks and repeats dropped
    ({"period": "2024q2"}, {"period": "2024Q2"}),  # normalised
])
def test_unreadable_parts_of_a_link_are_dropped_not_fatal(params, view):
    assert view_from_params(params) == view


def test_empty_filters_and_no_project_are_left_out_of_the_link():
    assert params_from_view({"year": 2024, "period": "2024Q1", "areas": (), "units": [], "project": None}) == {
        "year": "2024", "period": "2024Q1"}


@pytest.mark.parametrize("params, ours", [
    ({"year": "2024", "period": "2024Q3"}, True),
    ({"project": "3"}, False),  # a hand-written or a menu-click query string: not a view the app wrote
    ({}, False),
])
def test_only_query_strings_with_a_period_are_views_the_app_wrote(params, ours):
    assert is_view_link(params) is ours


# --------------------------------------------------------------------------- project order, previous/next


@pytest.mark.parametrize("f, order", [
    (ViewFilters(), [1, 4, 2, 3]),  # 红, 未填报, 黄, 绿
    (ViewFilters(units=("卫生健康科",)), [2, 3]),
    (ViewFilters(units=("民政科",), statuses=(RED,)), []),  # 民政科's project has nothing red
    (ViewFilters(statuses=(AMBER,)), [2]),
    (ViewFilters(statuses=(MISSING,)), [1, 4]),  # project 1 is red but has a missing indicator
])
def test_project_order_follows_the_filters_worst_first(f, order):
    assert project_order(RESULTS, f) == order
    assert meeting_order(RESULTS, f) == order  # the meeting walks the same order


def test_project_order_breaks_ties_by_budget_then_name():
    rs = [_project(5, GREEN, budget=10.0), _project(6, GREEN, budget=90.0), _project(7, GREEN, budget=10.0)]
    rs[0].project.name, rs[2].project.name = "b", "a"
    assert project_order(rs, ViewFilters()) == [6, 7, 5]


@pytest.mark.parametrize("current, expected", [
    (1, (None, 4, 0)),  # the first: no previous
    (4, (1, 2, 1)),
    (3, (2, None, 3)),  # the last: no next (no wrap-around)
    (99, (None, 1, None)),  # outside the list: next is its first
    (None, (None, 1, None)),
])
def test_neighbours_step_through_the_list_and_stop_at_its_ends(current, expected):
    assert neighbours([1, 4, 2, 3], current) == expected


def test_neighbours_of_an_empty_list():
    assert neighbours([], 5) == (None, None, None)


# --------------------------------------------------------------------------- as-of choices per reporting cycle


@pytest.mark.parametrize("cycle, keys", [
    ("quarter", ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]),
    ("month", [f"2024-{m:02d}" for m in range(1, 13)]),
])
def test_as_of_choices_follow_the_reporting_cycle(cycle, keys):
    options = period_options(Y, cycle)
    assert [p.key for p in options] == keys
    assert len({p.end for p in options}) == len(options)  # no two choices for the same date


@pytest.mark.parametrize("cycle, with_data, today, expected, having", [
    ("quarter", ["2024Q1", "2024Q2", "2024Q3"], date(2024, 12, 1), "2024Q3", {"2024Q1", "2024Q2", "2024Q3"}),
    ("quarter", ["2024-08"], date(2024, 12, 1), "2024Q3", set()),  # August's entry is no quarter: by date
    ("month", ["2024Q1", "2024Q2"], date(2024, 12, 1), "2024-06", {"2024-03", "2024-06"}),  # a quarter counts for its last month
    ("month", [], date(2024, 5, 10), "2024-04", set()),  # nothing entered: the last month ended
    ("quarter", [], date(2024, 2, 1), "2024Q1", set()),  # nothing ended yet: the first
])
def test_the_default_as_of_is_the_latest_period_of_the_cycle_with_data(cycle, with_data, today, expected, having):
    options = period_options(Y, cycle)
    assert periods_having_data(options, with_data) == having
    assert default_period(options, with_data, today).key == expected


@pytest.mark.parametrize("key, label", [
    ("2024Q3", "第三季度 · 9月30日"),
    ("2024-09", "9月 · 9月30日"),
    ("2024Q4", "第四季度 · 12月31日"),
])
def test_the_short_as_of_label_drops_the_year(key, label):
    assert period_short_label(parse_period(key)) == label


# --------------------------------------------------------------------------- histories stop at the as-of date


@pytest.mark.parametrize("as_of, labels", [
    (date(2024, 6, 30), ["2024年第一季度", "2024年第二季度"]),
    (date(2024, 3, 31), ["2024年第一季度"]),
    (date(2024, 2, 29), []),
    (None, ["2024年第一季度", "2024年第二季度", "2024年第三季度"]),
])
def test_the_history_stops_at_the_as_of_date(as_of, labels):
    assert [p.label for p in history_periods(["2024Q1", "2024Q2", "2024Q3"], as_of)] == labels


def test_the_change_history_keeps_only_periods_up_to_the_as_of_date():
    audit = pd.DataFrame({"填报期": ["2024Q3", "2024Q2", "2024-05", "", "2024Q1"], "新值": ["a", "b", "c", "d", "e"]})
    assert list(changes_until(audit, date(2024, 6, 30))["新值"]) == ["b", "c", "d", "e"]
    assert list(changes_until(audit, date(2024, 3, 31))["新值"]) == ["d", "e"]


# --------------------------------------------------------------------------- the reason next to the status


@pytest.mark.parametrize("columns, expected", [
    (["状态", "项目名称", "责任单位", "事项", "原因"], ["状态", "项目名称", "原因", "责任单位", "事项"]),
    (["填报期", "状态", "目标", "原因"], ["填报期", "状态", "原因", "目标"]),
    (["变化", "项目名称", "上期状态", "本期状态", "补报事项", "原因"], ["变化", "项目名称", "上期状态", "本期状态", "原因", "补报事项"]),
    (["位置", "事项", "原因"], ["位置", "事项", "原因"]),  # no status column: left alone
    (["状态", "项目名称"], ["状态", "项目名称"]),
])
def test_the_reason_moves_next_to_the_status(columns, expected):
    assert reason_beside_status(columns) == expected


@pytest.mark.parametrize("columns", [RISK_COLUMNS, INDICATOR_COLUMNS, CHANGE_COLUMNS])
def test_the_tables_and_their_exports_already_have_the_reason_next_to_the_status(columns):
    assert reason_beside_status(columns) == list(columns)
    assert columns.index("原因") <= 5


@pytest.mark.parametrize("current", [1, 4, 2, 3, 5, None])
def test_project_choices_step_as_the_list_does(current):
    """The pickers' shared read model gives the same previous/next/position as ``neighbours``."""
    from data_access.views import ProjectChoices

    choices = ProjectChoices.of([(1, "red", "甲"), (4, "missing", "乙"), (2, "amber", "丙"), (3, "green", "丁")])
    assert choices.neighbours(current) == neighbours([1, 4, 2, 3], current)
    assert list(choices.labels) == [1, 4, 2, 3] and choices.labels[4] == "□ 未填报  乙"
    with pytest.raises(TypeError):
        choices.labels[9] = "x"  # shared between page runs: read-only
