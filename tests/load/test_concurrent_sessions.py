"""30 concurrent sessions reading pages and saving values against PostgreSQL: no errors, no lost update.

``LOAD_TEST_SECONDS`` (default 20, as in ``make test``; 120 for a longer soak) is how long the sessions run.
``LOAD_TEST_PROJECTS`` (default 0: the 2024 document's 32 projects with their demo values) runs them on a
city-scale database instead (``seed.synth``, e.g. 5000 projects, the staff sessions on four of its units).

Shape of the load (a fresh PostgreSQL database with the 2024 document and its demo values):

* 20 staff sessions (five each for the units 教育科, 卫生健康科, 退役军人服务站, 民政科) and 4 admin
  sessions loop: load the 填报 rows of a project (``entry_frame`` / ``spending_frame``, with the version
  of every value), think 0-30 ms, save 1-4 changed indicator rows or the project's spending with those
  versions (``save_indicator_rows`` / ``save_spending_rows``: what the 填报 page's save button calls),
  and now and then open a page; one indicator save in seven reuses rows loaded earlier (a page left
  open), so conflicts are certain;
* 6 leader sessions open pages (总览, 风险清单, 项目详情, 会议模式, 填报进度).

The sessions of a unit work on the same three projects, so they overwrite each other's values all the
time: many saves must come back as conflicts.

Pages run through the real ``app.py`` with AppTest, one at a time: AppTest swaps a process-wide mock
Streamlit runtime in and out around every run (``Runtime._instance``), so two AppTest runs in parallel
threads break each other ("Runtime hasn't been created!", measured). The saves and the reads of the data
layer — where the concurrency rules live (row locks, versions, one transaction per save, the revision
bump) — run truly in parallel, between and during those page runs, and the page runs share the
process's Streamlit caches, which the saves keep invalidating.

Checked at the end:

* no exception in any session, no error on any page, no refused row other than a conflict;
* every saved row came back with the loaded version + 1 (1 for a new value), and every version number of
  a value was handed out once: the stored version of each value = its version before the run + the
  number of successful saves to it;
* the audit trail has exactly one entry per changed field per successful save, and nothing else;
* the statuses the pages show — the status store (``data_access.status_store``), kept up to date by every
  save in its own transaction — equal a full recomputation by the status engine at the end.
"""

from __future__ import annotations

import os
import random
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from data_access.permissions import SYSTEM_ADMIN

pytestmark = [pytest.mark.load, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent.parent
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "20"))
PROJECTS = int(os.environ.get("LOAD_TEST_PROJECTS", "0"))
PERIODS = ("2024Q3", "2024Q4")  # Q3 has demo values (updates), Q4 none (first saves insert)
STAFF_UNITS = {"jiaoyu": "教育科", "weijian": "卫生健康科", "tuiyi": "退役军人服务站", "minzheng": "民政科"}
LEADER_PAGES = ["app_pages/overview.py", "app_pages/risks.py", "app_pages/project.py", "app_pages/meeting.py",
                "app_pages/reporting.py"]
STAFF_PAGES = ["app_pages/overview.py", "app_pages/risks.py", "app_pages/entry.py", "app_pages/reporting.py"]
ADMIN_PAGES = LEADER_PAGES + ["app_pages/entry.py", "app_pages/periods.py"]


@pytest.fixture
def load_db(pg_server, monkeypatch):
    """A fresh PostgreSQL database with the 2024 document, demo values, the demo accounts and one staff
    account for each of the four units; DATABASE_URL points the app at it."""
    import streamlit as st

    from data_access.db import make_engine, migrate
    from data_access.users import create_user
    from seed.demo import load_demo_data
    from seed.demo_users import ensure_demo_users
    from seed.loader import load_seed_if_empty
    from tests.conftest import _create_pg_db, _drop_pg_db, _pg_url

    name = _create_pg_db()
    url = _pg_url(name)
    engine = make_engine(url)
    migrate(engine)
    staff_units = dict(STAFF_UNITS)
    if PROJECTS:
        from data_access.bulk import load_city
        from seed.synth import generate_city

        data = generate_city(departments=max(4, PROJECTS // 25), projects=PROJECTS, indicators=8 * PROJECTS, periods=3)
        load_city(engine, data)
        staff_units = {f"city{i}": unit for i, unit in enumerate(data.units[:4])}
    else:
        load_seed_if_empty(engine)
        load_demo_data(engine)
    ensure_demo_users(engine)
    for username, unit in staff_units.items():
        if username not in ("jiaoyu", "weijian"):
            create_user(engine, username, "staff", "load-test-pw-Ωx7q", name=username, units=[unit], by=SYSTEM_ADMIN)

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AUTH_LOGIN_SLEEP", "0")
    for var in ("APP_ENV", "AUTH_COOKIE_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield engine, staff_units
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        engine.dispose()
        _drop_pg_db(name)


# --------------------------------------------------------------------------- bookkeeping


class Ledger:
    """What the sessions did, for the checks at the end (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.saves: dict[tuple, list[int]] = defaultdict(list)  # (entity, key, period) -> versions handed out
        self.changes: Counter = Counter()  # (entity, actual id) -> changed fields of successful saves
        self.counts: Counter = Counter()

    def error(self, who: str, what: str) -> None:
        with self.lock:
            self.errors.append(f"{who}: {what}")

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def record(self, entity: str, res, keys: list[int], loaded: list[int | None], who: str) -> None:
        """Book one save: every row is saved with loaded version + 1, or a conflict."""
        with self.lock:
            changed = Counter(c.row for c in res.changes)
            for i, key in enumerate(keys):
                if i in res.saved:
                    expected = (loaded[i] or 0) + 1
                    if res.versions.get(i) != expected:
                        self.errors.append(f"{who}: {entity} {key} saved as version {res.versions.get(i)}, "
                                           f"loaded {loaded[i]}")
                    self.saves[(entity, key, res.period_code)].append(res.versions.get(i))
                    self.changes[(entity, res.saved[i])] += changed[i]
                    self.counts["rows saved"] += 1
                elif res.conflict_for(i) is not None:
                    self.counts["rows in conflict"] += 1
                else:
                    why = "; ".join(e.message for e in res.errors_for(i)) or "unchanged"
                    self.errors.append(f"{who}: {entity} {key} neither saved nor a conflict: {why}")


# --------------------------------------------------------------------------- what a session does


def _version(v) -> int | None:
    """The loaded version (the editor frames hold it as a nullable Int64: NA for a value not stored yet)."""
    return None if pd.isna(v) else int(v)


def _indicator_row(r, tag: str, rng: random.Random) -> dict:
    """A valid, fully explained change of one 填报 row (any status is acceptable with the explanation)."""
    row = {"indicator_id": int(r["_indicator_id"]), "version": _version(r["_version"]),
           "likelihood": rng.choice(["确定能", "有可能"]), "reasons": "经费保障;人员保障",
           "explanation": f"负载测试说明{tag}", "measures": f"负载测试措施{tag}", "remarks": tag}
    mode = r["_mode"]
    if mode in ("accumulating", "level", "cap"):
        row["actual_value"] = rng.randint(1, 100)  # 0-100 fits percentages too
    elif mode == "deadline":
        row["actual_date"] = f"2024-09-{rng.randint(1, 28):02d}"
    else:
        row["actual_judgement"] = rng.choice(["达成", "部分达成", "进行中"])
    return row


class Session:
    def __init__(self, n: int, username: str, engine, ledger: Ledger, page_lock: threading.Lock,
                 projects: list[int], pages: list[str], saves: bool):
        from data_access.users import principal_for

        self.n = n
        self.who = f"#{n} {username}"
        self.engine = engine
        self.ledger = ledger
        self.page_lock = page_lock
        self.principal = principal_for(engine, username)
        self.projects = projects
        self.pages = pages
        self.saves = saves
        self.rng = random.Random(n)
        self.at = None
        self.seq = 0
        self.stale = None  # (period, entry frame) loaded earlier

    def count(self, name: str) -> None:
        self.ledger.count(name)

    def run(self, deadline: float) -> None:
        try:
            while time.monotonic() < deadline:
                if self.saves and self.rng.random() < 0.8:
                    if self.rng.random() < 0.8:
                        self.save_indicators()
                    else:
                        self.save_spending()
                else:
                    self.page(self.rng.choice(self.pages))
        except Exception:  # noqa: BLE001 - every failure is reported with its traceback
            self.ledger.error(self.who, traceback.format_exc())

    def page(self, path: str) -> None:
        from streamlit.testing.v1 import AppTest

        from components.auth import SESSION_KEY
        from data_access.sessions import start_session

        with self.page_lock:
            if self.at is None:
                self.at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                p = self.principal
                self.at.session_state["authentication_status"] = True
                self.at.session_state["username"] = p.username
                self.at.session_state["name"] = p.name
                self.at.session_state["roles"] = [p.role]
                self.at.session_state[SESSION_KEY] = start_session(self.engine, p.username)
            self.at.switch_page(path).run()
            if self.at.exception:
                self.ledger.error(self.who, f"{path}: {self.at.exception[0].message}")
            if self.at.error:
                self.ledger.error(self.who, f"{path}: {[e.value for e in self.at.error]}")
        self.ledger.count("page runs")

    def save_indicators(self) -> None:
        from data_access.actuals import entry_frame, save_indicator_rows

        if self.stale is not None and self.rng.random() < 0.15:
            period, frame = self.stale  # the page was left open: versions loaded a while ago
            self.count("stale")
        else:
            period = self.rng.choice(PERIODS)
            frame = entry_frame(self.engine, self.principal, period, project_ids=[self.rng.choice(self.projects)])
            if frame.empty:
                return
            self.stale = (period, frame)
        picked = frame.sample(n=min(len(frame), self.rng.randint(1, 4)), random_state=self.rng.randint(0, 10**6))
        self.seq += 1
        rows = [_indicator_row(r, f"s{self.n}-{self.seq}", self.rng) for _, r in picked.iterrows()]
        time.sleep(self.rng.uniform(0, 0.03))  # the person types
        res = save_indicator_rows(self.engine, self.principal, period, rows)
        self.ledger.record("indicator_actual", res, [r["indicator_id"] for r in rows], [r["version"] for r in rows],
                           self.who)
        self.ledger.count("indicator saves")

    def save_spending(self) -> None:
        from data_access.actuals import save_spending_rows, spending_frame

        period = self.rng.choice(PERIODS)
        frame = spending_frame(self.engine, self.principal, period, project_ids=[self.rng.choice(self.projects)])
        if frame.empty:
            return
        r = frame.iloc[0]
        self.seq += 1
        budget = float(r["预算（万元）"] or 100.0)
        row = {"project_id": int(r["_project_id"]), "version": _version(r["_version"]),
               "spent_wan": round(budget * self.rng.uniform(0.3, 0.95), 2),
               "projected_wan": round(budget * self.rng.uniform(0.9, 1.0), 2),
               "explanation": f"负载测试s{self.n}-{self.seq}"}
        time.sleep(self.rng.uniform(0, 0.03))
        res = save_spending_rows(self.engine, self.principal, period, [row])
        self.ledger.record("spending_actual", res, [row["project_id"]], [row["version"]], self.who)
        self.ledger.count("spending saves")


# --------------------------------------------------------------------------- the test


def _snapshot(engine):
    """(versions before the run {(entity, key, period): version}, the last audit id)."""
    from sqlalchemy import func, select

    from data_access.models import AuditLog, IndicatorActual, SpendingActual

    with engine.connect() as c:
        versions = {("indicator_actual", i, p): v for i, p, v in c.execute(
            select(IndicatorActual.indicator_id, IndicatorActual.period_code, IndicatorActual.version))}
        versions |= {("spending_actual", i, p): v for i, p, v in c.execute(
            select(SpendingActual.project_id, SpendingActual.period_code, SpendingActual.version))}
        last_audit = c.execute(select(func.coalesce(func.max(AuditLog.id), 0))).scalar()
    return versions, last_audit


def test_30_sessions_read_and_save_without_errors_or_lost_updates(load_db):
    from sqlalchemy import func, select

    from data_access.models import AuditLog, Project, Unit

    engine, staff_units = load_db
    with engine.connect() as c:
        by_unit = defaultdict(list)
        for pid, unit in c.execute(select(Project.id, Unit.name).join(Unit, Unit.id == Project.unit_id)
                                   .order_by(Project.seq, Project.id)):
            by_unit[unit].append(pid)
        all_projects = [pid for pids in by_unit.values() for pid in pids]
    before, last_audit = _snapshot(engine)

    ledger = Ledger()
    page_lock = threading.Lock()
    sessions = []
    n = 0
    for username, unit in staff_units.items():
        for _ in range(5):
            sessions.append(Session(n, username, engine, ledger, page_lock, by_unit[unit][:3], STAFF_PAGES, True))
            n += 1
    for _ in range(4):
        sessions.append(Session(n, "admin", engine, ledger, page_lock, all_projects[:6], ADMIN_PAGES, True))
        n += 1
    for _ in range(6):
        sessions.append(Session(n, "leader", engine, ledger, page_lock, [], LEADER_PAGES, False))
        n += 1
    assert len(sessions) == 30

    started = time.monotonic()
    deadline = started + SECONDS
    threads = [threading.Thread(target=s.run, args=(deadline,), name=s.who) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 300)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a session hung"

    # ------------------------------------------------------------------ what is stored
    after, _ = _snapshot(engine)
    lost = []
    for key, versions in ledger.saves.items():
        start = before.get(key, 0)
        if sorted(versions) != list(range(start + 1, start + len(versions) + 1)):
            lost.append(f"{key}: versions handed out {sorted(versions)} after {start}")
        if after.get(key) != start + len(versions):
            lost.append(f"{key}: stored version {after.get(key)}, expected {start} + {len(versions)} saves")
    untouched = {k: v for k, v in after.items() if k not in ledger.saves and before.get(k) != v}
    with engine.connect() as c:
        audit = Counter({(e, i): n for e, i, n in c.execute(
            select(AuditLog.entity, AuditLog.entity_id, func.count())
            .where(AuditLog.id > last_audit, AuditLog.action == "update")
            .group_by(AuditLog.entity, AuditLog.entity_id))})
        other = c.execute(select(func.count()).select_from(AuditLog)
                          .where(AuditLog.id > last_audit, AuditLog.action != "update")).scalar()

    c = ledger.counts
    summary = (f"{len(sessions)} sessions, {elapsed:.0f} s: {c['page runs']} page runs, "
               f"{c['indicator saves']} indicator saves + {c['spending saves']} spending saves "
               f"({(c['indicator saves'] + c['spending saves']) / elapsed:.1f}/s), {c['rows saved']} rows saved, "
               f"{c['rows in conflict']} rows refused as conflicts ({c['stale']} saves from stale pages), "
               f"{sum(audit.values())} audit entries, "
               f"{len(ledger.errors)} errors")
    print("\n" + summary)
    assert not ledger.errors, "\n".join(ledger.errors[:10])
    assert not lost, "\n".join(lost[:10])
    assert not untouched, f"values changed without a recorded save: {list(untouched)[:10]}"
    assert audit == ledger.changes, (
        "audit entries differ from the changed fields of the successful saves: "
        + str({k: (audit[k], ledger.changes[k]) for k in set(audit) | set(ledger.changes)
               if audit[k] != ledger.changes[k]}))
    assert other == 0
    assert c["rows saved"] > 0 and c["page runs"] > len(sessions)
    assert c["rows in conflict"] > 0, "the sessions never overwrote each other: the test does not test conflicts"
    from data_access.status_store.check import differences

    assert differences(engine) == [], "the stored statuses differ from a full recomputation"
