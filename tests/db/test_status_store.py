"""The status store (``data_access.status_store``) on SQLite and PostgreSQL: after any sequence of writes it
equals a full recomputation by the status engine, the pages' stored reads equal the read models over a
live evaluation, and a change of the rules switches all statuses at once.
"""

from __future__ import annotations

import random
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import monitoring, queries
from data_access import views as V
from data_access.actuals import entry_frame, save_indicator_rows, save_spending_rows, spending_frame
from data_access.bulk import load_city
from data_access.db import make_engine, migrate, session_scope
from data_access.exports import department_spending_series
from data_access.models import Project, StatusGeneration, Unit
from data_access.permissions import SYSTEM_ADMIN
from data_access.status_store import jobs, lists, reads, start_generation, state
from data_access.status_store.check import differences
from data_access.status_store.scope import Scope
from domain.periods import QUARTER, periods_of_year
from domain.settings import DEFAULT_SETTINGS
from seed.synth import generate_city

YEAR = 2024
PERIODS = ("2024Q2", "2024Q3", "2024Q4", "2024-05", "2024-11")


@pytest.fixture(autouse=True)
def no_background_builds(monkeypatch):
    """The tests run the recompute themselves (an AppTest earlier in the process enables the app's thread)."""
    monkeypatch.setitem(jobs._background, "enabled", False)


@pytest.fixture
def city(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    load_city(engine, generate_city(departments=3, projects=24, indicators=24 * 6, periods=4, seed=7))
    yield engine
    engine.dispose()


def _indicator_row(r, rng: random.Random) -> dict:
    row = {"indicator_id": int(r["_indicator_id"]), "version": None if pd.isna(r["_version"]) else int(r["_version"]),
           "likelihood": rng.choice(["确定能", "有可能"]), "reasons": "经费保障", "explanation": "说明",
           "measures": "措施"}
    mode = r["_mode"]
    if mode in ("accumulating", "level", "cap"):
        row["actual_value"] = rng.choice([None, 0, rng.randint(1, 100)])
    elif mode == "deadline":
        row["actual_date"] = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    else:
        row["actual_judgement"] = rng.choice(["达成", "部分达成", "未达成", "进行中"])
    return row


def _random_writes(engine, rng: random.Random, n: int) -> None:
    with engine.connect() as c:
        pids = list(c.execute(select(Project.id)).scalars())
    for _ in range(n):
        period = rng.choice(PERIODS)
        chosen = rng.sample(pids, rng.randint(1, 3))
        if rng.random() < 0.6:
            frame = entry_frame(engine, SYSTEM_ADMIN, period, project_ids=chosen)
            rows = [_indicator_row(r, rng) for _, r in frame.sample(n=min(len(frame), rng.randint(1, 6)),
                                                                    random_state=rng.randint(0, 999)).iterrows()]
            save_indicator_rows(engine, SYSTEM_ADMIN, period, rows)
        else:
            frame = spending_frame(engine, SYSTEM_ADMIN, period, project_ids=chosen)
            rows = [{"project_id": int(r["_project_id"]), "version": None if pd.isna(r["_version"]) else int(r["_version"]),
                     "spent_wan": rng.choice([None, round(float(r["预算（万元）"] or 1) * rng.uniform(0, 1.1), 2)]),
                     "projected_wan": round(float(r["预算（万元）"] or 1) * rng.uniform(0.8, 1.05), 2),
                     "explanation": "说明"} for _, r in frame.iterrows()]
            save_spending_rows(engine, SYSTEM_ADMIN, period, rows)


def test_after_random_writes_the_store_equals_a_full_recomputation(city):
    assert differences(city) == []
    _random_writes(city, random.Random(11), 25)
    assert differences(city) == []


def test_a_change_of_the_rules_switches_every_status_at_once_and_keeps_later_writes(city):
    before = state(city)
    monitoring.save_settings(city, DEFAULT_SETTINGS.with_changes(budget_red_below=0.3, indicator_red_below=0.3),
                             SYSTEM_ADMIN)
    building = state(city)
    assert building.rebuilding and building.active_id == before.active_id  # pages still read the old rules
    assert building.settings == DEFAULT_SETTINGS
    _random_writes(city, random.Random(5), 8)  # written while the new generation is built: land in both
    assert differences(city) == []  # the active generation, with the old rules
    assert jobs.run_pending(city)
    after = state(city)
    assert not after.rebuilding and after.active_id == building.building_id
    assert after.settings.budget_red_below == 0.3
    assert differences(city) == []  # the new generation, with the new rules, includes the writes
    with city.connect() as c:  # the old generation is gone
        assert [g for g, in c.execute(select(StatusGeneration.id))] == [after.active_id]


def test_a_build_stops_when_the_rules_change_again(city):
    monitoring.save_settings(city, DEFAULT_SETTINGS.with_changes(budget_red_below=0.3), SYSTEM_ADMIN)
    first = state(city).building_id
    monitoring.save_settings(city, DEFAULT_SETTINGS.with_changes(budget_red_below=0.4), SYSTEM_ADMIN)
    second = state(city).building_id
    assert second != first
    assert jobs.run_pending(city)
    assert state(city).active_id == second and state(city).settings.budget_red_below == 0.4
    assert differences(city) == []


@pytest.mark.parametrize("changes", [
    {"weight_budget": 20.0, "weight_output": 40.0},  # the self-evaluation preview
    {"rollup_rule": "worst"},  # the colour of a group, read from the stored statuses
    {"review_levels": 2},  # who reviews, not how a value is judged
], ids=["selfeval-weights", "rollup-rule", "review-levels"])
def test_settings_no_status_reads_change_no_status(city, changes):
    monitoring.save_settings(city, DEFAULT_SETTINGS.with_changes(**changes), SYSTEM_ADMIN)
    assert not state(city).rebuilding


def test_a_status_threshold_starts_a_rebuild(city):
    monitoring.save_settings(city, DEFAULT_SETTINGS.with_changes(budget_red_below=0.5), SYSTEM_ADMIN)
    assert state(city).rebuilding


def test_an_upgraded_database_gets_its_statuses_built(city):
    """A database whose stored statuses are missing (as after the upgrade that adds the store) has a
    generation to build; ``manage.py status-rebuild`` / the app's first page run build it."""
    with session_scope(city) as s:
        start_generation(s, "test")
    with session_scope(city) as s:
        for g in s.execute(select(StatusGeneration).where(StatusGeneration.state == "active")).scalars():
            s.delete(g)
    assert state(city).active_id is None
    assert jobs.run_pending(city)
    assert differences(city) == []


FILTERS = [
    V.ViewFilters(), V.ViewFilters(statuses=("red",)), V.ViewFilters(statuses=("missing", "blue")),
    V.ViewFilters(groups=("预算执行",)), V.ViewFilters(groups=("产出指标",), statuses=("amber",)),
    V.ViewFilters(groups=("数量指标", "预算执行"), statuses=("missing",)),
]


def _round(d: dict) -> dict:
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in d.items()}


def test_the_pages_stored_reads_equal_the_read_models_over_a_live_evaluation(city):
    """Headline, risk list, project order, areas, units and the department rolled up, changes, spending
    series and 填报进度, filter by filter."""
    _random_writes(city, random.Random(3), 10)
    st = state(city)
    opts = queries.filter_options(city, YEAR, None)
    filters = [*FILTERS, V.ViewFilters(areas=(opts["areas"][0],)), V.ViewFilters(units=(opts["units"][0],),
                                                                                 statuses=("green",))]
    areas_df = queries.areas_frame(city, YEAR)
    today = date(2025, 1, 15)
    for q in periods_of_year(YEAR, QUARTER):
        now = monitoring.evaluate(city, YEAR, q.end, settings=st.settings)
        prev = monitoring.evaluate(city, YEAR, q.previous().end, settings=st.settings) if q.index > 1 else None
        last = queries.last_entries(city, YEAR, monitoring.period_codes_for(q.end))
        for f in filters:
            sc = Scope(st.active_id, q.end, f, None)
            what = f"{q.key} {f}"
            assert _round(reads.headline(city, sc, YEAR)) == _round(V.build_headline(now, f, q.end, YEAR)), what
            pd.testing.assert_frame_equal(lists.risk_rows(city, sc), V.risk_frame(now, f), obj=what)
            assert [i for i, _s, _n in reads.ordered_projects(city, sc)] == V.project_order(now, f), what
            rules = st.settings
            pd.testing.assert_frame_equal(V.areas_frame(reads.group_sums_by(city, sc, "area"), areas_df, f, rules),
                                          V.build_areas(now, areas_df, f, rules), obj=what)
            pd.testing.assert_frame_equal(V.units_frame(reads.group_sums_by(city, sc, "unit"), rules),
                                          V.build_units(now, f, rules), obj=what)
            assert V.department_rollup_of(reads.group_sums_by(city, sc, None).get("", V.GroupSums()), rules) \
                == V.department_rollup(now, f, rules), what
            if prev is not None:
                whole = V.build_changes(now, prev, f)
                pd.testing.assert_frame_equal(reads.changes(city, sc), whole, obj=what)
                for n in (1, 3, 5, 9, 40):  # the first n: from the kinds needed, a group at a time
                    pd.testing.assert_frame_equal(reads.changes(city, sc, n), whole.head(n), obj=f"{what} first {n}")
                assert reads.change_counts(city, sc) == whole["变化"].value_counts().to_dict(), what
                groups = reads.change_groups(city, sc)  # read once by 总览 for its counts and its table
                pd.testing.assert_frame_equal(reads.changes(city, sc, 5, groups), whole.head(5), obj=what)
                assert reads.change_counts(city, sc, groups) == reads.change_counts(city, sc), what
            for got, want in zip(lists.reporting(city, sc, q.end, today, last), V.build_progress(now, f, q.end, today, last)):
                pd.testing.assert_frame_equal(got, want, obj=what)
            filtered = bool(f.areas or f.units or f.statuses)
            ids = [r.project.id for r in V.filter_projects(now, f)] if filtered else None
            pd.testing.assert_frame_equal(reads.spending_series(city, sc, YEAR, filtered),
                                          department_spending_series(city, YEAR, q.end, ids), atol=0.011, obj=what)


def test_a_page_of_the_risk_list_is_that_part_of_the_whole_list(city):
    st = state(city)
    sc = Scope(st.active_id, date(2024, 12, 31), V.ViewFilters(), None)
    whole = lists.risk_rows(city, sc)
    assert len(whole) == sum(lists.risk_counts(city, sc).values()) > 20
    part = lists.risk_rows(city, sc, 10, 7)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), whole.iloc[10:17].reset_index(drop=True))


def test_staff_see_only_their_units_rows(city):
    st = state(city)
    with city.connect() as c:
        unit = c.execute(select(Project.unit_id).limit(1)).scalar()
    sc = Scope(st.active_id, date(2024, 12, 31), V.ViewFilters(), frozenset({unit}))
    with city.connect() as c:
        mine = set(c.execute(select(Project.id).where(Project.unit_id == unit)).scalars())
    assert {i for i, _s, _n in reads.ordered_projects(city, sc)} == mine
    assert set(lists.risk_rows(city, sc)["_project_id"]) <= mine
    # the roll-ups (read from the per-unit sums) count only the visible unit's projects
    assert reads.headline(city, sc, YEAR)["project_count"] == len(mine)
    with city.connect() as c:
        unit_name = c.execute(select(Unit.name).where(Unit.id == unit)).scalar()
    assert list(reads.group_sums_by(city, sc, "unit")) == [unit_name]
    assert sum(reads.group_sums_by(city, sc, None)[""].counts.values()) == len(mine)
    nobody = Scope(st.active_id, date(2024, 12, 31), V.ViewFilters(), frozenset())
    assert reads.count_projects(city, nobody) == 0


def test_saving_values_keeps_the_filter_options_revision_and_other_writes_move_it(city):
    """The filter bar's options are cached on ``structure_revision``: a reporting week's value saves leave
    it (and the options) as they are, every other kind of write — here a period lock and a target
    import's change of a fiscal year — moves it to the current revision."""
    from data_access.actuals import lock_period
    from data_access.changed import Changed
    from data_access.db import bump_revision, current_revision, structure_revision
    from data_access.models import FiscalYear

    before = structure_revision(city)
    _random_writes(city, random.Random(5), 6)
    assert current_revision(city) > before
    assert structure_revision(city) == before
    assert lock_period(city, SYSTEM_ADMIN, "2024Q1", "季度结束")
    assert structure_revision(city) == current_revision(city) > before
    _random_writes(city, random.Random(6), 2)
    assert structure_revision(city) < current_revision(city)
    with session_scope(city) as s:  # what a target import says it changed
        bump_revision(s, Changed.years(s.execute(select(FiscalYear.id)).scalars()))
    assert structure_revision(city) == current_revision(city)


def test_the_risk_counts_equal_the_rows_of_the_whole_list_by_status(city):
    _random_writes(city, random.Random(3), 10)
    gen = state(city).active_id
    for code in ("2024Q2", "2024Q4"):
        sc = Scope(gen, next(p.end for p in periods_of_year(YEAR, QUARTER) if p.key == code))
        whole = lists.risk_rows(city, sc)
        assert lists.risk_counts(city, sc) == whole["_status"].value_counts().to_dict()


def test_the_unit_sums_follow_a_project_that_moves_unit_or_is_removed(city):
    """``status_sum`` is re-summed for the units a recomputed project was in and is in: a project moved to
    another unit leaves its old unit's sums, one that no longer exists leaves every sum, and a new unit
    gets its own rows — each checked against the stored projects summed afresh and against the overview's
    units table."""
    from sqlalchemy import delete, update

    from data_access.changed import Changed
    from data_access.db import bump_revision

    def units_shown() -> dict[str, int]:
        sc = Scope(state(city).active_id, date(2024, 12, 31), V.ViewFilters(), None)
        return {u: sum(g.counts.values()) for u, g in reads.group_sums_by(city, sc, "unit").items()}

    before = units_shown()
    with session_scope(city) as s:
        pid, old_unit, fy = s.execute(select(Project.id, Project.unit_id, Project.fiscal_year_id).limit(1)).one()
        old_name = s.get(Unit, old_unit).name
        unit = Unit(name="新设科室")
        s.add(unit)
        s.flush()
        s.execute(update(Project).where(Project.id == pid).values(unit_id=unit.id))
        bump_revision(s, Changed.projects([pid]))
    assert differences(city) == []
    moved = units_shown()
    assert moved["新设科室"] == 1 and moved[old_name] == before[old_name] - 1

    with session_scope(city) as s:  # a project without values, then removed
        extra = Project(fiscal_year_id=fy, seq=999, name="临时项目", budget_wan=10.0, unit_id=unit.id)
        s.add(extra)
        s.flush()
        bump_revision(s, Changed.projects([extra.id]))
    assert units_shown()["新设科室"] == 2
    with session_scope(city) as s:
        s.execute(delete(Project).where(Project.id == extra.id))
        bump_revision(s, Changed.projects([extra.id]))
    assert differences(city) == []
    assert units_shown()["新设科室"] == 1


def test_the_upgrade_that_adds_the_sums_fills_them_from_the_stored_projects(city):
    """A database upgraded to the revision that adds ``status_sum`` has sums equal to its stored projects
    summed (the migration writes them; nothing needs recomputing) — and the roll-ups read them."""
    from alembic import command
    from alembic.config import Config

    from data_access.db import MIGRATIONS

    _random_writes(city, random.Random(8), 6)
    sc = Scope(state(city).active_id, date(2024, 12, 31), V.ViewFilters(), None)
    shown = reads.headline(city, sc, YEAR)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with city.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
        command.upgrade(cfg, "0014")
    assert differences(city) == []
    assert _round(reads.headline(city, sc, YEAR)) == _round(shown)
