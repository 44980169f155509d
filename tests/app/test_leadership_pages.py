"""The leadership views through the real app.py (AppTest): 总览, 风险清单, 项目详情, 会议模式, 填报进度, 设置.

Every test gets its own SQLite database (tests/app/conftest.py) with the 2024 seed and the demo
actuals (Q1–Q3 2024: 7 red, 3 amber, 2 not reported projects at 30 September).
"""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from data_access import queries
from data_access.monitoring import evaluate, load_settings
from data_access.users import get_user_with_units
from domain.status import AMBER, MISSING, RED

PAGES = ["app_pages/overview.py", "app_pages/risks.py", "app_pages/project.py", "app_pages/meeting.py", "app_pages/reporting.py"]
SETTINGS = "app_pages/admin_settings.py"
AS_OF = date(2024, 9, 30)


# --------------------------------------------------------------------------- helpers


def chart_frames(at) -> list[tuple[dict, pd.DataFrame]]:
    """(spec, data) of every Vega-Lite chart on the page; the data sets travel as Arrow next to the spec."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        frames = [pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_pandas() for ds in el.proto.datasets]
        out.append((spec, pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()))
    return out


# identifying columns of each on-screen table (only selectable tables carry their key in AppTest)
TABLES = {
    "overview_risks": ("事项", "当前值"),
    "overview_changes": ("变化", "上期状态"),
    "overview_areas": ("领域", "绩效目标"),
    "overview_units": ("责任单位", "最差项目"),
    "risk_list": ("事项", "纠偏措施"),
    "project_indicators": ("三级指标", "完成可能性"),
    "project_history_table": ("填报期", "事项"),
    "project_audit": ("时间", "原值"),
    "reporting_units": ("应报项目", "缺报指标"),
    "reporting_items": ("缺报事项", "逾期天数"),
    "users_table": ("用户名", "登录锁定"),
}


def frame(at, key: str) -> pd.DataFrame:
    for d in at.dataframe:
        if d.proto.id.endswith("-" + key):
            return d.value
    for d in at.dataframe:
        df = d.value
        if all(c in df.columns for c in TABLES[key]):
            return df
    raise AssertionError(f"no table {key} on the page")


def qp(at, name: str) -> list[str]:
    v = at.query_params.get(name)
    return [] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])


def texts(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n" + "\n".join(c.value for c in at.caption)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def projects_of(engine, unit: str | None = None) -> pd.DataFrame:
    df = queries.project_rows(engine, 2024)
    return df if unit is None else df[df["unit"] == unit]


# --------------------------------------------------------------------------- every page, every role


@pytest.mark.parametrize("username", ["admin", "leader", "jiaoyu"])
@pytest.mark.parametrize("page", PAGES)
def test_every_leadership_page_renders_for_every_role(open_as, username, page):
    at = open_as(username, page)
    assert not at.error
    # the shared filter bar, defaulting to the latest period with data
    period = at.selectbox(key="flt_period")
    assert period.value == "2024Q3"
    assert period.format_func(period.value) == "第三季度 · 9月30日"  # short enough for the sidebar
    assert "2024年第三季度（截至9月30日）" in [c.value for c in at.sidebar.caption]  # the full label under it
    # demo data is always labelled (meeting mode labels it on the slide and in the sidebar)
    assert any("示例数据" in w.value for w in at.warning) or (
        page == "app_pages/meeting.py" and "示例数据" in texts(at) and any("示例数据" in c.value for c in at.sidebar.caption))


def test_admin_opens_settings_but_leader_and_staff_cannot(open_as, new_app, sign_in):
    at = open_as("admin", SETTINGS)
    assert [t.value for t in at.title] == ["设置"]
    assert at.number_input(key="set_budget_red_below").value == pytest.approx(60.0)
    for username in ("leader", "jiaoyu"):
        at = sign_in(new_app(), username).run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(SETTINGS)


def test_settings_page_refuses_a_non_admin_even_when_run_directly(new_app, demo):
    """Defence in depth: the page checks the role itself (data_access.permissions), not only the menu."""
    from streamlit.testing.v1 import AppTest

    from data_access.permissions import Principal
    from tests.app.conftest import ROOT

    at = AppTest.from_file(str(ROOT / SETTINGS), default_timeout=30)
    at.session_state["principal"] = Principal("leader", "局领导", "leader")
    at.session_state["authentication_status"] = True
    at.run()
    assert any("没有权限" in e.value for e in at.error)
    assert not at.number_input


# --------------------------------------------------------------------------- visibility


def test_staff_see_only_their_units_projects(open_as, demo):
    education = set(projects_of(demo, "教育科")["name"])
    at = open_as("jiaoyu", "app_pages/overview.py")
    assert at.multiselect(key="flt_units").options == ["教育科"]
    assert metric(at, "预算总额（万元）") == f"{projects_of(demo, '教育科')['budget_wan'].sum():,.2f}"
    assert set(frame(at, "overview_risks")["项目名称"]) <= education
    matrix = next(d for s, d in chart_frames(at) if "项目" in d.columns)
    assert set(matrix["项目"]) == education

    at.switch_page("app_pages/risks.py").run()
    risks = frame(at, "risk_list")
    assert len(risks) and set(risks["责任单位"]) == {"教育科"}

    at.switch_page("app_pages/project.py").run()
    picker = at.selectbox(key="project_pick")
    assert {o.split("  ", 1)[1] for o in picker.options} == education


def test_staff_cannot_open_another_units_project(open_as, demo, sign_in, new_app):
    other = int(projects_of(demo, "卫生健康科")["id"].iloc[0])
    at = sign_in(new_app(), "jiaoyu").run()
    at.session_state["selected_project_id"] = other
    at.switch_page("app_pages/project.py").run()
    assert not at.exception
    assert any("无权查看" in w.value for w in at.warning)
    assert at.selectbox(key="project_pick").value != other
    assert at.title[0].value in set(projects_of(demo, "教育科")["name"])


# --------------------------------------------------------------------------- filters


def test_unit_filter_changes_every_part_of_the_overview(open_as, demo):
    at = open_as("leader", "app_pages/overview.py")
    all_budget = metric(at, "预算总额（万元）")
    assert all_budget == "9,982.79"
    at.multiselect(key="flt_units").select("教育科").run()
    assert not at.exception
    education = projects_of(demo, "教育科")
    assert metric(at, "预算总额（万元）") == f"{education['budget_wan'].sum():,.2f}"
    names = set(education["name"])
    assert set(frame(at, "overview_risks")["项目名称"]) <= names
    assert set(frame(at, "overview_areas")["领域"]) == set(education["area"])
    assert set(frame(at, "overview_changes")["项目名称"]) <= names
    matrix = next(d for s, d in chart_frames(at) if "项目" in d.columns)
    assert set(matrix["项目"]) == names
    assert "单位：教育科" in texts(at)
    assert qp(at, "unit") == ["教育科"]


def test_filters_carry_across_pages_and_survive_reruns(open_as, demo):
    at = open_as("leader", "app_pages/overview.py")
    at.multiselect(key="flt_units").select("民政科").run()
    at.multiselect(key="flt_statuses").select(RED).run()
    at.switch_page("app_pages/risks.py").run()
    assert at.multiselect(key="flt_units").value == ["民政科"]
    assert at.multiselect(key="flt_statuses").value == [RED]
    risks = frame(at, "risk_list")
    assert len(risks) and set(risks["责任单位"]) == {"民政科"} and set(risks["_status"]) == {RED}
    at.run()
    assert at.multiselect(key="flt_units").value == ["民政科"]
    at.switch_page("app_pages/targets.py").run()  # a page without the filter bar
    at.switch_page("app_pages/reporting.py").run()
    assert at.multiselect(key="flt_units").value == ["民政科"]


def test_filters_start_from_the_url_in_a_new_session(new_app, sign_in, demo):
    at = sign_in(new_app(), "leader")
    at.query_params["unit"] = "卫生健康科"
    at.query_params["period"] = "2024Q2"
    at.run()
    at.switch_page("app_pages/risks.py").run()
    assert at.multiselect(key="flt_units").value == ["卫生健康科"]
    assert at.selectbox(key="flt_period").value == "2024Q2"
    assert "截至2024年6月30日" in texts(at)


def test_group_and_period_filters(open_as, demo):
    at = open_as("leader", "app_pages/overview.py")
    at.multiselect(key="flt_groups").select("满意度指标").run()
    matrix = next(d for s, d in chart_frames(at) if "项目" in d.columns)
    assert set(matrix["类别"]) == {"满意度指标"}
    assert set(frame(at, "overview_risks")["一级指标"]) == {"满意度指标"}
    at.selectbox(key="flt_period").set_value("2024Q1").run()
    assert "截至2024年3月31日" in texts(at)
    assert any("年度第一期" in i.value for i in at.info)  # nothing before Q1 to compare with


# --------------------------------------------------------------------------- overview parts


def test_overview_headline_matches_the_status_engine(open_as, demo):
    at = open_as("leader", "app_pages/overview.py")
    results = evaluate(demo, 2024, AS_OF)
    missing = sum(r.budget.status == MISSING for r in results) + sum(
        s.status == MISSING for r in results for s in r.indicators)
    assert metric(at, "未填报") == f"{missing}项"
    assert metric(at, "序时进度") == "75.0%"
    chips = texts(at)
    reds = sum(r.status == RED for r in results)
    assert f'<span class="n">{reds}</span><span class="w">▲ 红' in chips
    # the department chart is the exports colleague's: planned and actual series per quarter
    dept = next(d for s, d in chart_frames(at) if "序列" in d.columns)
    assert {"计划累计支出", "实际累计支出", "序时进度"} <= set(dept["序列"])
    # areas: the 13 department-level areas with their prose targets
    areas = frame(at, "overview_areas")
    assert len(areas) == 13 and areas["绩效目标"].str.len().gt(0).all()
    # changes since Q2
    changes = frame(at, "overview_changes")
    assert set(changes["变化"]) <= {"新变红", "新增未填报", "新变黄", "好转", "已补报"} and len(changes)


# --------------------------------------------------------------------------- project page and chart


def test_project_chart_has_planned_and_actual_series_for_the_chosen_project(new_app, sign_in, demo):
    row = projects_of(demo).set_index("name").loc["基本公共卫生经费"]
    at = sign_in(new_app(), "leader").run()
    at.session_state["selected_project_id"] = int(row["id"])
    at.switch_page("app_pages/project.py").run()
    assert at.title[0].value == "基本公共卫生经费"
    spec, data = next((s, d) for s, d in chart_frames(at) if "系列" in d.columns)
    data = data.dropna(subset=["系列"])  # the as-of rule has its own one-row data set
    assert "基本公共卫生经费" in json.dumps(spec, ensure_ascii=False)
    assert {"计划累计支出", "实际累计支出", "序时进度"} == set(data["系列"])
    plan = data[data["系列"] == "计划累计支出"]
    assert plan["累计（万元）"].max() == pytest.approx(row["budget_wan"])
    actual = data[data["系列"] == "实际累计支出"]
    assert len(actual) == 4  # 1 January + Q1..Q3
    spent = queries.spending_history(demo, [int(row["id"])])
    q3 = spent[spent["period_code"] == "2024Q3"]["spent_wan"].iloc[0]
    assert actual["累计（万元）"].iloc[-1] == pytest.approx(q3)
    # step line for the plan, points on the actual line
    marks = [layer["mark"] for layer in spec["layer"]]
    assert {"type": "line", "interpolate": "step-after", "strokeWidth": 3} in marks
    # indicators, their history and the official workbook download
    inds = frame(at, "project_indicators")
    assert len(inds) == int(row["indicators"])
    hist = frame(at, "project_history_table")
    assert list(hist["填报期"]) == ["2024年第一季度", "2024年第二季度", "2024年第三季度"]
    assert any(b.proto.label.startswith("下载项目支出绩效目标执行监控表") for b in at.get("download_button"))


def test_selecting_a_risk_row_opens_that_project(open_as):
    at = open_as("leader", "app_pages/risks.py")
    risks = frame(at, "risk_list")
    at.session_state["risk_list"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == risks.iloc[2]["项目名称"]
    assert at.session_state["selected_project_id"] == int(risks.iloc[2]["_project_id"])
    assert qp(at, "project") == [str(int(risks.iloc[2]["_project_id"]))]


def test_project_change_history_lists_audited_edits(new_app, sign_in, demo):
    from sqlalchemy import select

    from data_access.db import session_scope
    from data_access.models import AuditLog, SpendingActual

    pid = int(projects_of(demo).iloc[0]["id"])
    with session_scope(demo) as s:
        row = s.execute(select(SpendingActual).where(SpendingActual.project_id == pid)).scalars().first()
        s.add(AuditLog(username="jiaoyu", action="update", entity="spending_actual", entity_id=row.id,
                       period_code="2024Q3", field="spent_wan", old="1.00", new="2.00"))
    at = sign_in(new_app(), "admin").run()
    at.session_state["selected_project_id"] = pid
    at.switch_page("app_pages/project.py").run()
    audit = frame(at, "project_audit")
    assert len(audit) >= 1
    assert (audit.astype(str).apply(lambda c: c.str.contains("2.00")).any(axis=None))


# --------------------------------------------------------------------------- meeting mode


def test_meeting_mode_next_and_previous(open_as, demo):
    at = open_as("leader", "app_pages/meeting.py")
    n = len(evaluate(demo, 2024, AS_OF))

    def position() -> str:
        return next(m.value for m in at.markdown if " / " in m.value and "font-size:1.4rem" in m.value)

    first = texts(at)
    assert f">1 / {n}<" in position()
    assert "▲ 红" in first  # the worst project comes first
    at.button(key="meeting_next").click().run()
    assert f">2 / {n}<" in position()
    assert texts(at) != first
    at.button(key="meeting_prev").click().run()
    assert f">1 / {n}<" in position()
    at.button(key="meeting_prev").click().run()  # wraps around to the last project
    assert f">{n} / {n}<" in position()
    at.radio(key="meeting_mode").set_value("area").run()
    assert not at.exception
    assert "部门整体绩效目标领域" in texts(at)


def test_meeting_mode_attention_only_leaves_out_green_projects(open_as, demo):
    at = open_as("leader", "app_pages/meeting.py")
    results = evaluate(demo, 2024, AS_OF)
    attention = sum(1 for r in results if r.status in (RED, MISSING, AMBER))
    assert at.toggle(key="meeting_attention").value is False  # the demo is small: every project by default
    at.toggle(key="meeting_attention").set_value(True).run()
    assert f">1 / {attention}<" in texts(at)
    for _ in range(attention):  # no green slide anywhere in the round
        assert '<span class="st">● 绿</span>' not in next(m.value for m in at.markdown if 'class="jx-slide"' in m.value)
        at.button(key="meeting_next").click().run()
    # areas go worst first as well
    at.radio(key="meeting_mode").set_value("area").run()
    first = next(m.value for m in at.markdown if 'class="jx-slide"' in m.value)
    assert "▲ 红" in first


def test_meeting_mode_follows_filters(open_as, demo):
    at = open_as("leader", "app_pages/meeting.py")
    at.multiselect(key="flt_units").select("民政科").run()
    assert ">1 / 2<" in texts(at)
    assert "民政科" in texts(at)


# --------------------------------------------------------------------------- reporting progress


def test_reporting_lists_missing_values_with_days_late(open_as, demo):
    at = open_as("leader", "app_pages/reporting.py")
    items = frame(at, "reporting_items")
    results = evaluate(demo, 2024, AS_OF)
    missing_projects = {r.project.name for r in results
                        if r.budget.status == MISSING or any(s.status == MISSING for s in r.indicators)}
    assert set(items["项目名称"]) == missing_projects
    assert "累计支出（预算执行）" in set(items["缺报事项"])
    from domain.clock import today_local

    assert set(items["逾期天数"]) == {(today_local() - AS_OF).days}
    units = frame(at, "reporting_units")
    assert list(units["_missing"]) == sorted(units["_missing"], reverse=True)
    # the status filter does not apply here, the unit filter does
    assert not [m for m in at.multiselect if m.key == "flt_statuses"]
    at.multiselect(key="flt_units").select("民政科").run()
    assert any("均已填报" in s.value for s in at.success)


# --------------------------------------------------------------------------- settings


def test_settings_form_saves_valid_thresholds_and_explains_invalid_ones(open_as, demo):
    at = open_as("admin", SETTINGS)
    at.number_input(key="set_budget_red_below").set_value(90.0)
    at.button(key="settings_submit").click().run()
    assert any("预算执行档位须满足" in e.value for e in at.error)
    assert load_settings(demo).budget_red_below == pytest.approx(0.6)
    at.number_input(key="set_budget_red_below").set_value(50.0)
    at.button(key="settings_submit").click().run()
    assert any("规则已保存" in s.value for s in at.success)
    assert load_settings(demo).budget_red_below == pytest.approx(0.5)


def test_settings_change_applies_to_the_overview_once_recomputed(open_as, demo, monkeypatch):
    """A change of the rules is recomputed in the background: until it is complete the overview says so
    and shows the statuses of the old rules (never a mix); then the new ones."""
    from data_access import status_store
    from data_access.status_store import jobs

    for module in (jobs, status_store):  # no background thread: the test runs the recompute itself
        monkeypatch.setattr(module, "kick", lambda engine: None)
    at = open_as("admin", "app_pages/overview.py")
    reds_before = sum(r.status == RED for r in evaluate(demo, 2024, AS_OF))
    at.switch_page(SETTINGS).run()
    at.number_input(key="set_budget_red_below").set_value(30.0)
    at.number_input(key="set_indicator_red_below").set_value(30.0)
    at.button(key="settings_submit").click().run()
    at.switch_page("app_pages/overview.py").run()
    assert any("状态正在重新计算（0%）" in i.value for i in at.info)
    assert f'<span class="n">{reds_before}</span><span class="w">▲ 红' in texts(at)

    assert jobs.run_pending(demo)
    at.run()
    reds_after = sum(r.status == RED for r in evaluate(demo, 2024, AS_OF))
    assert reds_after < reds_before
    assert not any("重新计算" in i.value for i in at.info)
    assert f'<span class="n">{reds_after}</span><span class="w">▲ 红' in texts(at)


def test_rollups_show_colour_reason_worst_project_and_budget_shares(open_as, demo):
    at = open_as("leader", "app_pages/overview.py")
    areas = frame(at, "overview_areas").set_index("领域")
    # 学校建设 has a red project but most of its missing budget is 未填报: by budget it is 未填报, worst-of red
    school = areas.loc["学校建设"]
    assert (school["状态"], school["最差项目"]) == ("□ 未填报", "▲ 红")
    assert "已评价预算中红和未填报合计占45.5%（≥30%），判为未填报" in school["原因"]
    assert school["未填报占预算%"] == 38.7
    units = frame(at, "overview_units")
    assert set(units["责任单位"]) == set(projects_of(demo)["unit"])
    assert units.iloc[0]["状态"] == "▲ 红"  # worst first
    assert "整体黄" in texts(at) and "预算占比：红17.4% 未填报5.7% 黄24.8% 绿52.1%" in texts(at)
    # the leadership pick worst-of on 设置: every area with a red project turns red
    admin = open_as("admin", SETTINGS)
    admin.selectbox(key="set_rollup_rule").set_value("worst")
    admin.button(key="settings_submit").click().run()
    assert load_settings(demo).rollup_rule == "worst"
    again = open_as("leader", "app_pages/overview.py")
    assert frame(again, "overview_areas").set_index("领域").loc["学校建设", "状态"] == "▲ 红"


# every status column of the leadership tables: (page, table, its status columns)
STATUS_CELLS = [
    ("app_pages/overview.py", "overview_risks", ["状态"]),
    ("app_pages/overview.py", "overview_changes", ["上期状态", "本期状态"]),
    ("app_pages/overview.py", "overview_areas", ["状态", "最差项目"]),
    ("app_pages/overview.py", "overview_units", ["状态", "最差项目"]),
    ("app_pages/risks.py", "risk_list", ["状态"]),
    ("app_pages/project.py", "project_indicators", ["状态"]),
    ("app_pages/reporting.py", "reporting_units", []),
]


def column_settings(at, key: str) -> dict:
    """The column configuration the grid of ``key`` was sent with (what the browser draws from)."""
    for d in at.dataframe:
        if d.proto.id.endswith("-" + key) or all(c in d.value.columns for c in TABLES[key]):
            return json.loads(d.proto.columns)
    raise AssertionError(f"no table {key} on the page")


@pytest.mark.parametrize("page,key,status_columns", STATUS_CELLS, ids=[c[1] for c in STATUS_CELLS])
def test_status_cells_are_labels_in_their_status_colour(open_as, page, key, status_columns):
    """Each status cell is drawn as its label ('▲ 红') on its status's colour (a pill, as the badges
    above the tables); the label keeps shape and word, so colour is never the only signal."""
    at = open_as("leader", page)
    df, settings = frame(at, key), column_settings(at, key)
    fills = {"▲ 红": "#d62728", "◆ 黄": "#ffc000", "● 绿": "#1f861f", "★ 蓝": "#1f77b4", "○ 灰": "#c8c8c8",
             "□ 未填报": "#7b3294"}
    coloured = {c for c, cfg in settings.items() if cfg.get("type_config", {}).get("type") == "multiselect"}
    assert coloured == set(status_columns) & set(df.columns)
    for col in coloured:
        options = {o["value"]: o["color"] for o in settings[col]["type_config"]["options"]}
        assert options == fills
        shown = {v for v in df[col] if v}
        assert shown and shown <= set(fills), (col, shown - set(fills))  # every label has its colour
    if "状态" in coloured:
        assert settings["状态"].get("pinned") is True  # stays in view while the table scrolls sideways


def test_admin_creates_user_resets_password_and_assigns_units(open_as, demo):
    at = open_as("admin", SETTINGS)
    at.text_input(key="new_user_username").input("minzheng")
    at.text_input(key="new_user_name").input("民政科填报员")
    at.selectbox(key="new_user_role").set_value("staff")
    at.multiselect(key="new_user_units").select("民政科")
    at.button(key="new_user_submit").click().run()
    assert not at.error
    assert any("已创建用户 minzheng" in s.value and "初始密码" in s.value for s in at.success)
    info = get_user_with_units(demo, "minzheng")
    assert info.role == "staff" and info.unit_names == ("民政科",)

    at.selectbox(key="admin_user_pick").set_value("minzheng").run()
    at.multiselect(key="user_units_minzheng").select("残联")
    at.button(key="user_units_submit").click().run()
    assert set(get_user_with_units(demo, "minzheng").unit_names) == {"民政科", "残联"}

    old_hash = get_user_with_units(demo, "minzheng").password_hash
    at.selectbox(key="admin_user_pick").set_value("minzheng").run()
    at.text_input(key="reset_password").input("short")
    at.button(key="reset_password_submit").click().run()
    assert any("至少需要8个字符" in e.value for e in at.error)
    at.text_input(key="reset_password").input("a-new-password-1")
    at.button(key="reset_password_submit").click().run()
    assert get_user_with_units(demo, "minzheng").password_hash != old_hash

    # a staff account must keep a unit
    at.selectbox(key="admin_user_pick").set_value("minzheng").run()
    at.multiselect(key="user_units_minzheng").set_value([])
    at.button(key="user_units_submit").click().run()
    assert any("至少关联一个责任单位" in e.value for e in at.error)


def test_admin_unlocks_a_locked_account(open_as, demo):
    from data_access.users import MAX_FAILED_ATTEMPTS, record_failed_login

    at = open_as("admin", SETTINGS)  # creates the demo accounts
    for _ in range(MAX_FAILED_ATTEMPTS):
        record_failed_login(demo, "weijian")
    assert get_user_with_units(demo, "weijian").is_locked()
    at.run()
    users = frame(at, "users_table")
    assert users.set_index("用户名").loc["weijian", "登录锁定"].startswith("锁定至")
    at.selectbox(key="admin_user_pick").set_value("weijian").run()
    at.button(key="admin_unlock").click().run()
    assert not get_user_with_units(demo, "weijian").is_locked()


def test_settings_links_to_the_one_periods_page(open_as, demo):
    at = open_as("admin", SETTINGS)
    assert [t.label for t in at.tabs] == ["状态规则", "用户与单位"]  # no second copy of 填报期管理
    links = [e.proto for e in at.get("page_link")]
    assert any(link.page.endswith("periods") or "periods.py" in link.page for link in links), links
    assert any("填报期管理" in link.label for link in links)


def test_reset_to_defaults_asks_first(open_as, demo):
    at = open_as("admin", SETTINGS)
    at.number_input(key="set_budget_red_below").set_value(50.0)
    at.button(key="settings_submit").click().run()
    assert load_settings(demo).budget_red_below == pytest.approx(0.5)
    at.button(key="settings_reset").click().run()
    assert any("确定将全部规则恢复为默认值" in w.value for w in at.warning)
    assert load_settings(demo).budget_red_below == pytest.approx(0.5)  # nothing changed yet
    at.button(key="settings_reset_cancel").click().run()
    assert load_settings(demo).budget_red_below == pytest.approx(0.5)
    assert not at.warning
    at.button(key="settings_reset").click().run()
    at.button(key="settings_reset_confirm").click().run()
    assert load_settings(demo).budget_red_below == pytest.approx(0.6)
    assert at.number_input(key="set_budget_red_below").value == pytest.approx(60.0)


def test_admin_deactivates_and_reactivates_an_account(open_as, demo):
    at = open_as("admin", SETTINGS)
    at.selectbox(key="admin_user_pick").set_value("weijian").run()
    at.button(key="admin_toggle_active").click().run()
    assert get_user_with_units(demo, "weijian").active is False
    assert frame(at, "users_table").set_index("用户名").loc["weijian", "状态"] == "停用"
    at.selectbox(key="admin_user_pick").set_value("weijian").run()
    assert at.button(key="admin_toggle_active").label == "启用账户"
    at.button(key="admin_toggle_active").click().run()
    assert get_user_with_units(demo, "weijian").active is True
    # an admin cannot switch off their own account here
    at.selectbox(key="admin_user_pick").set_value("admin").run()
    assert not [b for b in at.button if b.key == "admin_toggle_active"]


def test_admin_changes_a_role_but_not_their_own(open_as, demo):
    at = open_as("admin", SETTINGS)
    at.selectbox(key="admin_user_pick").set_value("leader").run()
    at.selectbox(key="user_role_leader").set_value("staff")
    at.button(key="user_role_submit").click().run()
    assert any("必须至少关联一个责任单位" in e.value for e in at.error)  # a leader has no unit
    assert get_user_with_units(demo, "leader").role == "leader"
    at.selectbox(key="user_role_leader").set_value("admin")
    at.button(key="user_role_submit").click().run()
    assert get_user_with_units(demo, "leader").role == "admin"
    assert frame(at, "users_table").set_index("用户名").loc["leader", "角色"] == "管理员"
    at.selectbox(key="admin_user_pick").set_value("admin").run()
    assert not [b for b in at.button if b.key == "user_role_submit"]


def test_change_history_of_a_project_outside_ones_units_is_empty(demo):
    """教育科 staff asking for the change history of a 卫健 project (a hand-edited ``?project=``) get an
    empty table with the history's headers, not an error and not the other unit's edits."""
    from components import cached
    from components.context import ReadContext, visibility_key
    from data_access.users import principal_for
    from seed.demo_users import ensure_demo_users

    ensure_demo_users(demo)
    staff = principal_for(demo, "jiaoyu")
    own = set(projects_of(demo, "教育科").id)
    other = int(next(i for i in projects_of(demo).id if i not in own))
    got = cached.change_history(ReadContext(rev=1, vis=visibility_key(staff), year=2024), other, date(2024, 9, 30))
    assert got.empty
    assert list(got.columns) == ["时间", "填报期", "项目", "事项", "字段", "原值", "新值", "操作人", "来源"]
