"""Status reads and the demo data on SQLite and PostgreSQL: the engine sees exactly what was stored."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from data_access.monitoring import (
    SettingsInvalid,
    default_as_of_date,
    evaluate,
    load_settings,
    periods_with_data,
    save_settings,
)
from seed.demo import load_demo_data
from tests.conftest import ROOT, admin_named


def test_demo_data_gives_a_checkable_mix(seeded_engine):
    n_ind, n_sp = load_demo_data(seeded_engine, date(2024, 9, 30))
    assert n_ind > 500 and n_sp > 90
    assert periods_with_data(seeded_engine, 2024) == ["2024Q1", "2024Q2", "2024Q3"]
    assert default_as_of_date(seeded_engine, 2024) == date(2024, 9, 30)
    results = evaluate(seeded_engine, 2024, date(2024, 9, 30))
    assert len(results) == 32
    statuses = {r.status for r in results}
    assert {"red", "green", "missing"} <= statuses
    ind_statuses = [i.status for r in results for i in r.indicators]
    assert ind_statuses.count("green") > ind_statuses.count("red") > 0
    # the demo explains every row the rules say must be explained
    for r in results:
        for i in r.indicators:
            if i.must_explain:
                assert i.indicator.reasons and i.indicator.explanation and i.indicator.likelihood, i.indicator.level3


def test_demo_data_is_deterministic_and_replaceable(seeded_engine):
    load_demo_data(seeded_engine, date(2024, 9, 30), seed=7)
    first = [(r.project.spent_wan, r.status) for r in evaluate(seeded_engine, 2024, date(2024, 9, 30))]
    load_demo_data(seeded_engine, date(2024, 9, 30), seed=7)
    again = [(r.project.spent_wan, r.status) for r in evaluate(seeded_engine, 2024, date(2024, 9, 30))]
    assert first == again


def test_before_any_data_everything_due_is_missing(seeded_engine):
    results = evaluate(seeded_engine, 2024, date(2024, 6, 30))
    assert all(r.status == "missing" for r in results)
    early = evaluate(seeded_engine, 2024, date(2024, 2, 29))  # before the first quarter closes: nothing is due
    assert not any(i.status == "missing" for r in early for i in r.indicators)


def test_settings_are_stored_validated_and_used(seeded_engine):
    load_demo_data(seeded_engine, date(2024, 9, 30))
    s = load_settings(seeded_engine)
    assert s.budget_red_below == 0.6
    try:
        save_settings(seeded_engine, s.with_changes(budget_red_below=0.9, budget_green_from=0.8), admin_named("admin"))
    except SettingsInvalid as e:
        assert e.errors
    else:
        raise AssertionError("unordered bands must be refused")
    before = {r.project.name: r.budget.status for r in evaluate(seeded_engine, 2024, date(2024, 9, 30))}
    save_settings(seeded_engine, s.with_changes(budget_red_below=0.95, budget_green_from=0.99), admin_named("admin"))
    assert load_settings(seeded_engine).budget_green_from == 0.99
    after = {r.project.name: r.budget.status for r in evaluate(seeded_engine, 2024, date(2024, 9, 30))}
    assert sum(v == "red" for v in after.values()) > sum(v == "red" for v in before.values())


def test_status_command_json(db_url):
    def run(*a):
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *a, "--db", db_url],
                              capture_output=True, text=True, cwd=ROOT, timeout=180)

    assert run("init").returncode == 0
    r = run("status", "--as-of", "2024-09-30", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["as_of"] == "2024-09-30" and len(data["projects"]) == 32
    p = data["projects"][0]
    assert {"name", "budget_status", "execution_pct", "expected_pct", "status", "reason", "indicators"} <= set(p)
    assert {"level3", "status", "reason", "actual", "projected", "must_explain"} <= set(p["indicators"][0])
    words = {i["status"] for p in data["projects"] for i in p["indicators"]} | {p["budget_status"] for p in data["projects"]}
    assert words <= {"red", "amber", "green", "blue", "grey", "missing"}
    text = run("status", "--as-of", "2024-09-30")
    assert "截至9月30日执行率" in text.stdout
