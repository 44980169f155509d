"""The leadership views keep their state in the URL, and 项目详情 walks the filtered projects (AppTest,
the real app.py, the 2024 seed with the demo actuals Q1–Q3).

* The query string round trip: what a view writes (period, filters, project) is what a new session
  opened on that query string shows; back/forward (another of our query strings in the same session)
  is adopted, a menu click (no query string) keeps the view.
* 项目详情 follows the filter bar, opens on the worst project, steps previous/next through the list.
* The as-of choices follow the reporting cycle; the history stops at the as-of date.
* The export buttons say what they hold; the status filter says what it filters.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from data_access.monitoring import evaluate, load_settings, save_settings
from data_access.permissions import SYSTEM_ADMIN
from data_access.status_store import jobs
from data_access.views import ViewFilters, project_order, risk_frame
from domain.periods import parse_period
from domain.status import RED
from tests.app.test_leadership_pages import frame, projects_of, qp

RISKS = "app_pages/risks.py"
PROJECT = "app_pages/project.py"
OVERVIEW = "app_pages/overview.py"


@pytest.fixture
def leader(new_app, sign_in, demo):
    """``leader(page, **query)``: a signed-in leader session opened on a query string, on ``page``."""

    def do(page: str = OVERVIEW, **query):
        at = sign_in(new_app(), "leader")
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, at.exception
        if page != OVERVIEW:
            at.switch_page(page).run()
            assert not at.exception, [e.message for e in at.exception]
        return at

    return do


def order_of(engine, as_of_key: str, f: ViewFilters) -> list[int]:
    return project_order(evaluate(engine, 2024, parse_period(as_of_key).end), f)


def names(engine) -> dict[int, str]:
    df = projects_of(engine)
    return dict(zip(df["id"].astype(int), df["name"]))


# --------------------------------------------------------------------------- the query string round trip


def test_a_view_written_to_the_url_opens_the_same_in_a_new_session(leader, demo):
    at = leader(RISKS)
    at.selectbox(key="flt_period").set_value("2024Q2").run()
    at.multiselect(key="flt_units").select("民政科").run()
    at.multiselect(key="flt_statuses").select(RED).run()
    risks = frame(at, "risk_list")
    pid = int(risks.iloc[0]["_project_id"])
    at.session_state["risk_list"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()  # opens the project of the first row
    assert at.title[0].value == names(demo)[pid]
    link = {k: qp(at, k) for k in ("year", "period", "unit", "status", "project")}
    assert link == {"year": ["2024"], "period": ["2024Q2"], "unit": ["民政科"], "status": [RED], "project": [str(pid)]}

    # a pasted link / a reload: a new session on the same query string
    again = leader(PROJECT, **{k: v if len(v) > 1 else v[0] for k, v in link.items()})
    assert again.title[0].value == names(demo)[pid]
    assert again.selectbox(key="flt_period").value == "2024Q2"
    assert again.multiselect(key="flt_units").value == ["民政科"]
    assert again.multiselect(key="flt_statuses").value == [RED]
    assert "截至2024年6月30日" in "\n".join(c.value for c in again.caption)
    # and the risk list of that session shows the same rows
    again.switch_page(RISKS).run()
    assert list(frame(again, "risk_list")["_project_id"]) == list(risks["_project_id"])


def test_back_and_forward_restore_the_earlier_view_but_a_menu_click_keeps_it(leader):
    at = leader(RISKS)
    at.multiselect(key="flt_units").select("教育科").run()
    first = {k: at.query_params.get(k) for k in at.query_params}
    at.multiselect(key="flt_units").set_value(["卫生健康科"]).run()
    assert qp(at, "unit") == ["卫生健康科"]
    # the browser goes back: the earlier query string comes with the rerun
    at.query_params.clear()
    for k, v in first.items():
        at.query_params[k] = v
    at.run()
    assert at.multiselect(key="flt_units").value == ["教育科"]
    assert set(frame(at, "risk_list")["责任单位"]) == {"教育科"}
    # a menu click drops the query string: the session's view stands and is written again
    at.query_params.clear()
    at.switch_page(PROJECT).run()
    assert at.multiselect(key="flt_units").value == ["教育科"]
    assert qp(at, "unit") == ["教育科"] and qp(at, "period") == ["2024Q3"]


def test_a_link_with_unreadable_parts_opens_the_defaults_for_those_parts(leader):
    at = leader(PROJECT, period="2024-13", project="abc", unit="不存在的科")
    assert not at.exception and not at.error
    assert at.selectbox(key="flt_period").value == "2024Q3"
    assert at.multiselect(key="flt_units").value == []
    assert qp(at, "period") == ["2024Q3"]


# --------------------------------------------------------------------------- 项目详情: filters, worst first, previous/next


def test_project_detail_follows_the_filter_bar_worst_first_with_previous_and_next(leader, demo):
    at = leader(PROJECT)
    at.multiselect(key="flt_units").select("教育科").run()
    order = order_of(demo, "2024Q3", ViewFilters(units=("教育科",)))
    assert len(order) >= 3
    picker = at.selectbox(key="project_pick")
    assert [o.split("  ", 1)[1] for o in picker.options] == [names(demo)[i] for i in order]
    assert at.title[0].value == names(demo)[order[0]]  # opens on the worst project
    assert at.button(key="project_prev").disabled
    at.button(key="project_next").click().run()
    assert at.title[0].value == names(demo)[order[1]]
    assert qp(at, "project") == [str(order[1])]
    assert "第2个 / 共" in "\n".join(m.value for m in at.markdown)
    at.button(key="project_prev").click().run()
    assert at.title[0].value == names(demo)[order[0]]
    at.selectbox(key="project_pick").set_value(order[-1]).run()
    assert at.button(key="project_next").disabled  # the end of the list: no wrap-around


def test_project_detail_with_unit_and_status_filters_lists_only_matching_projects(leader, demo):
    at = leader(PROJECT)
    at.multiselect(key="flt_units").select("民政科").run()
    at.multiselect(key="flt_statuses").select(RED).run()
    order = order_of(demo, "2024Q3", ViewFilters(units=("民政科",), statuses=(RED,)))
    shown = [o.split("  ", 1)[1] for o in at.selectbox(key="project_pick").options]
    assert shown == [names(demo)[i] for i in order]
    education = set(projects_of(demo, "教育科")["name"])
    assert not set(shown) & education
    assert at.title[0].value == names(demo)[order[0]]


def test_a_project_outside_the_filters_is_shown_and_said_to_be_outside(leader, demo):
    green_edu = next(r.project.id for r in evaluate(demo, 2024, parse_period("2024Q3").end)
                     if r.project.unit == "教育科" and r.status == "green")
    at = leader(PROJECT, unit="民政科", period="2024Q3", year="2024", project=str(green_edu))
    assert at.title[0].value == names(demo)[green_edu]
    assert any("不在当前筛选范围内" in w.value for w in at.warning)
    order = order_of(demo, "2024Q3", ViewFilters(units=("民政科",)))
    at.button(key="project_next").click().run()  # steps into the filtered list at its worst project
    assert at.title[0].value == names(demo)[order[0]]
    assert not any("不在当前筛选范围内" in w.value for w in at.warning)


def test_meeting_mode_shows_the_slide_of_the_project_in_the_link(leader, demo):
    order = order_of(demo, "2024Q3", ViewFilters())
    at = leader("app_pages/meeting.py", year="2024", period="2024Q3", project=str(order[2]))
    page_text = "\n".join(m.value for m in at.markdown)
    assert f">3 / {len(order)}<" in page_text and names(demo)[order[2]] in page_text
    at.button(key="meeting_next").click().run()
    assert qp(at, "project") == [str(order[3])]  # a reload opens this slide again


# --------------------------------------------------------------------------- as-of choices, histories


@pytest.mark.parametrize("cycle, options, default", [
    ("quarter", ["2024Q1", "2024Q2", "2024Q3", "2024Q4"], "2024Q3"),
    ("month", [f"2024-{m:02d}" for m in range(1, 13)], "2024-09"),
])
def test_as_of_choices_follow_the_reporting_cycle(leader, demo, cycle, options, default):
    save_settings(demo, replace(load_settings(demo), reporting_period=cycle), SYSTEM_ADMIN)
    jobs.run_pending(demo)  # the statuses of the new cycle (the app's background thread is off in tests)
    at = leader(RISKS)
    box = at.selectbox(key="flt_period")
    assert list(box.options) == [box.format_func(k) for k in options]
    assert len(set(box.options)) == len(options)
    assert box.value == default
    assert any("截至9月30日" in c.value for c in at.sidebar.caption)


def test_the_project_history_stops_at_the_as_of_date(leader, demo):
    pid = int(projects_of(demo).iloc[0]["id"])
    at = leader(PROJECT, period="2024Q2", year="2024", project=str(pid))
    hist = frame(at, "project_history_table")
    assert list(hist["填报期"]) == ["2024年第一季度", "2024年第二季度"]
    at.selectbox(key="flt_period").set_value("2024Q3").run()
    assert list(frame(at, "project_history_table")["填报期"]) == ["2024年第一季度", "2024年第二季度", "2024年第三季度"]


# --------------------------------------------------------------------------- what filters and exports say


def labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_exports_say_what_they_hold(leader, demo):
    at = leader(OVERVIEW)
    results = evaluate(demo, 2024, parse_period("2024Q3").end)
    n = len(risk_frame(results, ViewFilters()))
    assert n > 10
    assert f"导出Excel（所示前10项，共{n}项）" in labels(at)
    assert f"导出CSV（所示前10项，共{n}项）" in labels(at)
    assert any(f"全部{n}项请在「风险清单」导出" in c.value for c in at.caption)
    at.switch_page(RISKS).run()
    assert f"导出Excel（全部{n}行）" in labels(at) and f"导出CSV（全部{n}行）" in labels(at)


def test_the_status_filter_says_it_selects_projects_and_lists_only_those_items(leader):
    at = leader(RISKS)
    status = at.multiselect(key="flt_statuses")
    assert "选出项目" in status.help and "只列出所选状态的事项" in status.help
    assert "选出事项" in at.multiselect(key="flt_groups").help
    assert "选出项目" in at.multiselect(key="flt_units").help
    at.multiselect(key="flt_statuses").select(RED).run()
    assert any("状态筛选作用于项目和事项" in c.value for c in at.sidebar.caption)
