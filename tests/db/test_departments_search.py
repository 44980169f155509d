"""主管部门 and text search on SQLite and PostgreSQL: the department filter and roll-up read from the status
store equal the read models over a live evaluation; the risk list's 「筛选」 box filters in SQL, so its
counts, every page and the whole list agree with the in-memory rule; synthetic data and multi-department
target documents give units their department, a district bureau's own document does not."""

from __future__ import annotations

import copy
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select, update

from data_access import monitoring, queries
from data_access import views as V
from data_access.bulk import load_city
from data_access.db import make_engine, migrate
from data_access.exports import monitoring_inputs
from data_access.models import Unit
from data_access.permissions import SYSTEM_ADMIN
from data_access.status_store import jobs, lists, reads, state
from data_access.status_store.lists import like_pattern
from data_access.status_store.scope import Scope
from data_access.targets import save_document
from data_access.views.rollups import NO_PROJECT
from domain.document import table_departments
from seed.synth import generate_city, supervisor_names

YEAR = 2024
Q3, Q4 = date(2024, 9, 30), date(2024, 12, 31)
DEPARTMENTS = {0: "市教育局", 1: "市教育局", 2: "市卫生健康委"}  # unit index -> 主管部门; the 4th unit has none


@pytest.fixture(autouse=True)
def no_background_builds(monkeypatch):
    monkeypatch.setitem(jobs._background, "enabled", False)


@pytest.fixture
def city(db_url):
    """Four units (two under 市教育局, one under 市卫生健康委, one without a department), 40 projects."""
    engine = make_engine(db_url)
    migrate(engine)
    load_city(engine, generate_city(departments=4, projects=40, indicators=40 * 6, periods=4, seed=5))
    with engine.begin() as c:
        units = list(c.execute(select(Unit.name).order_by(Unit.id)).scalars())
        for i, name in enumerate(units):
            c.execute(update(Unit).where(Unit.name == name).values(department=DEPARTMENTS.get(i, "")))
    yield engine
    engine.dispose()


def _units(engine) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(select(Unit.name).order_by(Unit.id)).scalars())


def test_the_filter_bar_offers_departments_and_each_units_department(city):
    opts = queries.filter_options(city, YEAR, None)
    units = _units(city)
    assert opts["departments"] == ["市卫生健康委", "市教育局"]  # by code point, as Python sorts
    assert dict(zip(opts["units"], opts["unit_departments"])) == {u: DEPARTMENTS.get(i, "") for i, u in enumerate(units)}
    assert V.units_under(opts["units"], opts["unit_departments"], ["市教育局"]) == units[:2]
    assert V.units_under(opts["units"], opts["unit_departments"], []) == opts["units"]


@pytest.mark.parametrize("f", [
    V.ViewFilters(departments=("市教育局",)),
    V.ViewFilters(departments=("市卫生健康委", "市教育局"), statuses=("red", "missing")),
    V.ViewFilters(departments=("市教育局",), groups=("预算执行",)),
    V.ViewFilters(),
], ids=["one", "two-with-status", "with-group", "none"])
def test_department_filter_and_rollup_from_the_store_equal_a_live_evaluation(city, f):
    st = state(city)
    now = monitoring.evaluate(city, YEAR, Q3, settings=st.settings)
    sc = Scope(st.active_id, Q3, f, None)
    assert [i for i, _s, _n in reads.ordered_projects(city, sc)] == V.project_order(now, f)
    pd.testing.assert_frame_equal(lists.risk_rows(city, sc), V.risk_frame(now, f))
    assert reads.headline(city, sc, YEAR)["project_count"] == len(V.filter_projects(now, f))
    got = V.departments_frame(reads.group_sums_by(city, sc, "department"), st.settings)
    pd.testing.assert_frame_equal(got, V.build_departments(now, f, st.settings))
    expected_groups = {"市教育局", "市卫生健康委", NO_PROJECT} if not f.departments else set(f.departments)
    assert set(got["主管部门"]) == expected_groups
    if f.departments:  # only the projects of the chosen departments' units
        units = {u for i, u in enumerate(_units(city)) if DEPARTMENTS.get(i) in f.departments}
        assert {r.project.unit for r in V.filter_projects(now, f)} <= units


def test_the_department_rollup_follows_the_rollup_rule_of_the_settings(city):
    st = state(city)
    sc = Scope(st.active_id, Q3, V.ViewFilters(), None)
    sums = reads.group_sums_by(city, sc, "department")
    by_budget = V.departments_frame(sums, st.settings.with_changes(rollup_rule="budget"))
    worst = V.departments_frame(sums, st.settings.with_changes(rollup_rule="worst"))
    assert list(worst["_status"]) == list(worst["_worst"])  # worst-of: the colour is the worst project's
    assert set(by_budget["主管部门"]) == set(worst["主管部门"])
    assert by_budget["项目数"].sum() == 40


def _python_filtered(whole: pd.DataFrame, query: str) -> pd.DataFrame:
    return V.filter_frame(whole, query, ["项目名称", "责任单位", "事项", "一级指标", "二级指标"])


def test_the_risk_list_text_filter_works_in_sql_across_pages(city):
    st = state(city)
    sc = Scope(st.active_id, Q4, V.ViewFilters(), None)
    whole = lists.risk_rows(city, sc)
    unit = _units(city)[1]
    item = str(whole["事项"].iloc[len(whole) // 2])
    project_word = str(whole["项目名称"].iloc[-1]).split("（")[0][:4]
    last_unit = str(whole["责任单位"].iloc[-1])
    for query in (unit, item, project_word, f"{project_word} {last_unit}", f"  {unit}  "):
        want = _python_filtered(whole, query)
        got = lists.risk_rows(city, sc, query=query)
        assert len(want) > 0, query
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=query)  # ids: int, or float beside None
        assert sum(lists.risk_counts(city, sc, query).values()) == len(want), query
        # a page of the filtered list is that part of it, not a page of the whole list filtered
        pd.testing.assert_frame_equal(lists.risk_rows(city, sc, 3, 5, query=query).reset_index(drop=True),
                                      want.iloc[3:8].reset_index(drop=True), check_dtype=False, obj=query)
    assert lists.risk_rows(city, sc, query="没有这个词").empty
    # a department name finds the items of its units
    by_department = lists.risk_rows(city, sc, query="卫生健康委")
    assert set(by_department["责任单位"]) == {_units(city)[2]}


@pytest.mark.parametrize("query, literal", [("100%", "100\\%"), ("a_b", "a\\_b"), ("c\\d", "c\\\\d")])
def test_like_wildcards_in_a_query_are_taken_literally(city, query, literal):
    assert like_pattern(query) == f"%{literal}%"
    st = state(city)
    sc = Scope(st.active_id, Q4, V.ViewFilters(), None)
    assert lists.risk_rows(city, sc, query=query).empty  # no name contains them


def test_synth_gives_one_department_per_25_units(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    data = generate_city(departments=60, projects=60, indicators=120, periods=1, seed=2)
    load_city(engine, data)
    with engine.connect() as c:
        stored = dict(c.execute(select(Unit.name, Unit.department)).tuples().all())
    engine.dispose()
    assert supervisor_names(200) == ["市教育局", "市卫生健康委", "市民政局", "市退役军人事务局", "市文化和旅游局", "市体育局",
                                     "市医疗保障局", "市残联"]
    assert sorted(set(stored.values())) == sorted(supervisor_names(60)) and len(supervisor_names(60)) == 3
    assert stored == data.unit_departments
    # consecutive blocks: the first units under the first department
    assert [stored[u] for u in data.units[:20]] == ["市教育局"] * 20


def test_a_document_naming_several_departments_gives_its_units_theirs(engine, seed_doc):
    """The tables' 主管部门 go to their units when the document names several; a document whose tables
    all name one department (the bureau's own) leaves its units without one."""
    doc = copy.deepcopy(seed_doc)  # the fixture is shared by the session
    assert table_departments(doc) == {}  # the seed document's tables name no 主管部门
    first, second = doc.projects[0], doc.projects[1]
    first.implementer, second.implementer = "甲单位", "乙单位"
    first.department = second.department = "区教育局"
    assert table_departments(doc) == {}  # one department for all: the document's own
    save_document(engine, doc, by=SYSTEM_ADMIN, assignments={})
    with engine.connect() as c:
        assert dict(c.execute(select(Unit.name, Unit.department).where(Unit.name.in_(["甲单位", "乙单位"])))
                    .tuples().all()) == {"甲单位": "", "乙单位": ""}
    second.department = "区卫生健康局"
    assert table_departments(doc) == {first.name: "区教育局", second.name: "区卫生健康局"}
    save_document(engine, doc, by=SYSTEM_ADMIN, assignments={})
    with engine.connect() as c:
        assert dict(c.execute(select(Unit.name, Unit.department).where(Unit.name.in_(["甲单位", "乙单位"])))
                    .tuples().all()) == {"甲单位": "区教育局", "乙单位": "区卫生健康局"}
    assert queries.filter_options(engine, 2024, None)["departments"] == ["区卫生健康局", "区教育局"]


def test_the_official_tables_name_the_units_department_as_主管部门(city):
    """The 执行监控表's 主管部门 of a project is its unit's department, else the year's."""
    meta = monitoring_inputs(city, YEAR, Q3)
    units = _units(city)
    for m in meta.values():
        want = DEPARTMENTS.get(units.index(m["unit"])) or "市财政局（合成数据）"
        assert m["department"] == want, m["unit"]
