"""Scale-aware controls through the real app.py (AppTest):

* 主管部门: the selector appears only when the data names departments; choosing one narrows the 责任单位
  offered, the projects (项目详情's picker, 风险清单) and survives the URL; 总览 rolls up per department.
* The project picker: a search box narrows the options, at most 200 are offered with a caption saying
  how many match; a linked project outside the first 200 is selected and shown.
* The risk list's 「筛选」 box filters rows in SQL, across pages, and the export says what it holds.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select, update

from components.search import PICKER_CAP
from data_access.models import Unit
from data_access.status_store import lists, state
from data_access.status_store.reads import ordered_projects
from data_access.status_store.scope import Scope
from data_access.views import ViewFilters
from domain.periods import parse_period
from tests.app.test_leadership_pages import frame, projects_of, qp, texts

OVERVIEW, RISKS, PROJECT = "app_pages/overview.py", "app_pages/risks.py", "app_pages/project.py"
DEMO_DEPARTMENTS = {"教育科": "区社会事业局", "卫生健康科": "区社会事业局", "民政科": "区民生保障局"}


@pytest.fixture
def with_departments(demo):
    """The demo data with three of its units under two 主管部门 (the others under none)."""
    with demo.begin() as c:
        for unit, department in DEMO_DEPARTMENTS.items():
            c.execute(update(Unit).where(Unit.name == unit).values(department=department))
    return demo


@pytest.fixture
def city(app_engine):
    """300 synthetic projects of 3 units (one 主管部门), four quarters of values, the demo accounts."""
    from data_access.bulk import load_city
    from seed.demo_users import ensure_demo_users
    from seed.synth import generate_city

    load_city(app_engine, generate_city(departments=3, projects=300, indicators=300 * 8, periods=4, seed=3))
    ensure_demo_users(app_engine)
    return app_engine


def _leader(new_app, sign_in, page: str, **query):
    at = sign_in(new_app(), "leader")
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if page != OVERVIEW:
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
    return at


def _table(at, first_column: str):
    """The roll-up table whose first shown column is ``first_column`` (主管部门, 责任单位)."""
    return next(d.value for d in at.dataframe if first_column in d.value.columns and "最差项目" in d.value.columns)


def _names(options) -> list[str]:
    return [o.split("  ", 1)[1] for o in options]


# --------------------------------------------------------------------------- 主管部门


def test_without_departments_the_filter_bar_has_no_department_selector(new_app, sign_in, demo):
    at = _leader(new_app, sign_in, OVERVIEW)
    assert not [m for m in at.multiselect if m.key == "flt_departments"]
    assert "分主管部门" not in [s.value for s in at.subheader]


def test_a_department_narrows_the_units_and_the_projects_and_survives_the_url(new_app, sign_in, with_departments):
    at = _leader(new_app, sign_in, PROJECT)
    dept = at.multiselect(key="flt_departments")
    assert dept.options == ["区民生保障局", "区社会事业局"]
    all_units = at.multiselect(key="flt_units").options
    assert {"教育科", "卫生健康科", "民政科"} < set(all_units)
    dept.select("区社会事业局").run()
    assert at.multiselect(key="flt_units").options == [u for u in all_units if u in ("教育科", "卫生健康科")]
    wanted = set(projects_of(with_departments, "教育科")["name"]) | set(projects_of(with_departments, "卫生健康科")["name"])
    assert set(_names(at.selectbox(key="project_pick").options)) == wanted
    assert qp(at, "department") == ["区社会事业局"]
    # a unit of the department narrows further; the link keeps both
    at.multiselect(key="flt_units").select("教育科").run()
    assert set(_names(at.selectbox(key="project_pick").options)) == set(projects_of(with_departments, "教育科")["name"])
    link = {k: qp(at, k) for k in ("year", "period", "department", "unit")}

    again = _leader(new_app, sign_in, RISKS, **{k: v[0] for k, v in link.items()})
    assert again.multiselect(key="flt_departments").value == ["区社会事业局"]
    assert again.multiselect(key="flt_units").value == ["教育科"]
    assert set(frame(again, "risk_list")["责任单位"]) == {"教育科"}
    assert "主管部门：区社会事业局" in texts(again)


def test_the_overview_rolls_up_per_department(new_app, sign_in, with_departments):
    at = _leader(new_app, sign_in, OVERVIEW)
    assert "分主管部门" in [s.value for s in at.subheader]
    table = _table(at, "主管部门")
    assert set(table["主管部门"]) == {"区社会事业局", "区民生保障局", "（未分配）"}
    units = _table(at, "责任单位")
    by_unit = dict(zip(units["责任单位"], units["项目数"]))
    social = table[table["主管部门"] == "区社会事业局"].iloc[0]
    assert social["项目数"] == by_unit["教育科"] + by_unit["卫生健康科"]
    assert table["项目数"].sum() == units["项目数"].sum()
    at.multiselect(key="flt_departments").select("区民生保障局").run()
    table = _table(at, "主管部门")
    assert list(table["主管部门"]) == ["区民生保障局"]


# --------------------------------------------------------------------------- the project picker


def test_the_picker_caps_and_its_search_narrows(new_app, sign_in, city):
    at = _leader(new_app, sign_in, PROJECT)
    picker = at.selectbox(key="project_pick")
    assert len(picker.options) == PICKER_CAP
    assert "共300个项目，列出最需关注的前200个" in texts(at)
    at.text_input(key="project_pick_search").input("·0007").run()
    options = _names(at.selectbox(key="project_pick").options)
    current = at.title[0].value
    assert [o for o in options if o != current] and all("·0007" in o for o in options if o != current)
    assert "「·0007」：共1个项目符合（全部300个）" in texts(at)
    target = next(o for o in options if "·0007" in o)
    pid = int(projects_of(city).set_index("name").loc[target, "id"])
    at.selectbox(key="project_pick").set_value(pid).run()
    assert at.title[0].value == target
    assert qp(at, "project") == [str(pid)]


def test_a_linked_project_outside_the_first_200_is_selected(new_app, sign_in, city):
    gen = state(city).active_id
    order = ordered_projects(city, Scope(gen, parse_period("2024Q4").end, ViewFilters(), None))
    last_id, _status, last_name = order[-1]
    at = _leader(new_app, sign_in, PROJECT, year="2024", period="2024Q4", project=str(last_id))
    assert at.title[0].value == last_name
    assert at.selectbox(key="project_pick").value == last_id
    assert len(at.selectbox(key="project_pick").options) == PICKER_CAP + 1  # the first 200 and the linked one
    assert f"第{len(order)}个 / 共{len(order)}个" in texts(at)


# --------------------------------------------------------------------------- the risk list's 「筛选」 box


def test_the_risk_list_text_filter_filters_across_pages(new_app, sign_in, city):
    with city.connect() as c:
        unit = list(c.execute(select(Unit.name).order_by(Unit.id)).scalars())[1]
    at = _leader(new_app, sign_in, RISKS, year="2024", period="2024Q4")
    sc = Scope(state(city).active_id, parse_period("2024Q4").end, ViewFilters(), None)
    whole = sum(lists.risk_counts(city, sc).values())
    matching = sum(lists.risk_counts(city, sc, unit).values())
    assert whole > matching > 200  # more than a page either way
    at.text_input(key="risk_filter").input(unit).run()
    rows = frame(at, "risk_list")
    assert len(rows) == 200 and set(rows["责任单位"]) == {unit}
    assert f"显示{matching} / 共{whole}项（筛选「{unit}」）" in texts(at)
    pages = at.selectbox(key="risk_list_page")
    assert len(pages.options) == (matching + 199) // 200
    pages.set_value(1).run()
    second = frame(at, "risk_list")
    assert set(second["责任单位"]) == {unit} and len(second) == min(200, matching - 200)
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"导出Excel（筛选「{unit}」的{matching}行）" in labels
    # a search for nothing says so
    at.text_input(key="risk_filter").input("没有这个词").run()
    assert any("没有含「没有这个词」的事项" in i.value for i in at.info)


def test_a_saved_value_does_not_make_the_overview_reread_the_filter_options(with_departments, open_as, monkeypatch):
    """During a reporting week someone saves every few seconds: the filter bar's options (every area, unit,
    department and indicator category of a city) and 总览's 分主管部门 switch are keyed on the structure
    revision, which a values save leaves as it is, so the next rerun does not read them again."""
    from data_access import queries
    from data_access.actuals import entry_frame, save_indicator_rows
    from data_access.permissions import SYSTEM_ADMIN

    calls: list[int] = []
    real = queries.filter_options
    monkeypatch.setattr(queries, "filter_options", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = open_as("admin", OVERVIEW)
    assert calls and "分主管部门" in [s.value for s in at.subheader]
    before = len(calls)
    row = entry_frame(with_departments, SYSTEM_ADMIN, "2024Q3").iloc[0]
    res = save_indicator_rows(with_departments, SYSTEM_ADMIN, "2024Q3", [{
        "indicator_id": int(row["_indicator_id"]), "version": None if pd.isna(row["_version"]) else int(row["_version"]),
        "actual_value": 99, "actual_date": "2024-09-01", "actual_judgement": "达成", "likelihood": "确定能",
        "reasons": "经费保障", "explanation": "测试说明", "remarks": "测试"}])
    assert len(res.saved) == 1, res.summary()
    at.run()
    assert not at.exception and "分主管部门" in [s.value for s in at.subheader]
    assert len(calls) == before
