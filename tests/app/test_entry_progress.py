"""填报进度 (AppTest, through the real app.py): every unit with values due is listed with its completion
rate and 逾期N天 / 已全部填报 (never 距期末N天), and selecting a row opens 填报 for that unit or project."""

from __future__ import annotations

from datetime import date

from data_access.views import deadline_text
from domain.clock import today_local
from tests.app.test_leadership_pages import frame

REPORTING = "app_pages/reporting.py"


def _period(at):
    return next(s for s in at.selectbox if s.key == "flt_period")


def test_every_unit_is_listed_with_its_rate_and_days_overdue(open_as):
    at = open_as("admin", REPORTING)
    units = frame(at, "reporting_units")
    assert (units["_missing"] == 0).any() and (units["_missing"] > 0).any()  # complete units too
    complete = units[units["_missing"] == 0].iloc[0]
    assert complete["填报完成率%"] == 100.0 and complete["期限"] == "已全部填报"
    late = units[units["_missing"] > 0]
    assert set(late["期限"]) == {f"逾期{(today_local() - date(2024, 9, 30)).days}天"}
    page = "\n".join(str(m.value) for m in at.metric)
    assert "逾期" in page and "距期末" not in "\n".join(m.label for m in at.metric)


def test_deadline_words():
    end = date(2024, 9, 30)
    assert [deadline_text(end, d, n) for d, n in (
        (date(2024, 9, 20), 3), (end, 3), (date(2024, 10, 3), 3), (date(2024, 10, 3), 0))] == [
        "剩余10天", "今天截止", "逾期3天", "已全部填报"]


def test_selecting_a_row_opens_entry_for_that_unit_or_project(open_as):
    at = open_as("admin", REPORTING)
    items = frame(at, "reporting_items")
    row = items.iloc[0]
    at.session_state["reporting_items"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["填报"]
    assert at.selectbox(key="entry_unit").value == row["责任单位"]
    assert at.selectbox(key="entry_project").value == int(row["_project_id"])
    at.switch_page(REPORTING).run()
    units = frame(at, "reporting_units")
    at.session_state["reporting_units"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert [t.value for t in at.title] == ["填报"]
    assert at.selectbox(key="entry_unit").value == units.iloc[0]["责任单位"]
    assert at.selectbox(key="entry_project").value == 0


def test_leaders_open_the_project_not_entry(open_as):
    at = open_as("leader", REPORTING)
    at.session_state["reporting_items"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert [t.value for t in at.title] != ["填报"]
