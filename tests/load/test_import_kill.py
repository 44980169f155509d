"""``manage.py import-targets`` killed with SIGKILL in the middle of writing leaves the database exactly as
it was, and the next import works.

The document: the 2024 target document with its project part repeated 40 times, every project renamed
(1,280 projects, 8,120 indicators, ~1.9 MB of text) — an import that writes for a few seconds. The
database already holds the 2024 document, demo values and demo accounts; the big document is imported
as 2025.

"In the middle of writing" is observed, not guessed: on PostgreSQL the importer's backend has a
transaction id (``pg_stat_activity.backend_xid``: it has written rows); on SQLite the importer holds the
database's write lock (another connection's ``BEGIN IMMEDIATE`` is refused). The test waits until it
sees that, lets the importer write a little longer, checks it is still writing and kills it.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.load

ROOT = Path(__file__).resolve().parent.parent.parent
COPIES = 40
BIG_YEAR = 2025


@pytest.fixture(scope="module")
def big_document(tmp_path_factory) -> Path:
    from documents.targets_io import read_target_document
    from seed.loader import SEED_DOCUMENT

    raw = SEED_DOCUMENT.read_bytes()
    text = raw.decode("utf-8")
    names = [p.name for p in read_target_document(raw, SEED_DOCUMENT.name, 2024).projects]
    first = text.index(names[0] + "项目绩效目标表")  # the department part comes before the first project
    head, body = text[:first], text[first:]
    # the document names its year in its titles
    head, body = (re.sub(r"^2024年(?=.*绩效目标)", f"{BIG_YEAR}年", part, flags=re.M) for part in (head, body))
    pattern = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))
    big = head + "".join(pattern.sub(lambda m, k=k: f"{m.group(0)}（副本{k:03d}）", body) for k in range(COPIES))
    path = tmp_path_factory.mktemp("big") / "big_targets.txt"
    path.write_text(big, encoding="utf-8")
    doc = read_target_document(path.read_bytes(), path.name, BIG_YEAR)
    assert len(doc.projects) == COPIES * len(names) and not doc.problems
    return path


def _snapshot(url: str) -> dict:
    """Everything that must survive the kill unchanged: the row count of every table, the 2024 targets
    (``dump``), the years, the revision counter and the last audit entry."""
    from sqlalchemy import func, select, text
    from sqlmodel import SQLModel

    from data_access.db import current_revision, make_engine
    from data_access.targets import dump, fiscal_years

    engine = make_engine(url)
    try:
        with engine.connect() as c:
            counts = {t.name: c.execute(select(func.count()).select_from(t)).scalar()
                      for t in SQLModel.metadata.sorted_tables}
            last_audit = c.execute(text("SELECT max(id) FROM audit_log")).scalar()
        return {"counts": counts, "dump": dump(engine, 2024), "years": fiscal_years(engine),
                "revision": current_revision(engine), "last_audit": last_audit}
    finally:
        engine.dispose()


def _writing(url: str) -> bool:
    """Is another connection in the middle of a write transaction?"""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///"):], timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                return True
            raise
        else:
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return bool(conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL").fetchone()[0])


def _wait_for_no_other_backend(url: str, seconds: float = 20.0) -> None:
    """PostgreSQL: the killed client's backend rolls back and exits once it sees the closed socket."""
    if url.startswith("sqlite"):
        return
    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            n = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND pid <> pg_backend_pid()").fetchone()[0]
            if n == 0:
                return
            time.sleep(0.05)
    pytest.fail("the killed importer's PostgreSQL backend is still there")


def _inserted_projects(url: str) -> int | None:
    """PostgreSQL: project rows ever inserted, committed or not (``n_tup_ins``: a rolled-back insert
    still counts), to show how much the killed import had written."""
    if url.startswith("sqlite"):
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'project'").fetchone()[0]


def _import(url: str, path: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "import-targets", str(path), "--year", str(BIG_YEAR), "--db", url],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_import_killed_while_writing_changes_nothing_and_the_next_import_works(db_url, big_document, tmp_path):
    from data_access.db import make_engine, migrate
    from data_access.targets import project_count
    from seed.demo import load_demo_data
    from seed.demo_users import ensure_demo_users
    from seed.loader import load_seed_if_empty

    engine = make_engine(db_url)
    migrate(engine)
    load_seed_if_empty(engine)
    load_demo_data(engine)
    ensure_demo_users(engine)
    engine.dispose()
    before = _snapshot(db_url)
    assert before["years"] == [2024] and before["counts"]["project"] == 32
    inserted_before = _inserted_projects(db_url)

    log = tmp_path / "kill.log"
    proc = _import(db_url, big_document, log)
    started = time.monotonic()
    try:
        while not _writing(db_url):
            assert proc.poll() is None, f"the import ended before it was seen writing: {log.read_text()}"
            assert time.monotonic() - started < 120, "the import never started writing"
            time.sleep(0.02)
        seen = time.monotonic() - started
        time.sleep(0.3)  # well inside the write: a few hundred projects written, not committed
        assert proc.poll() is None and _writing(db_url), (
            f"the import finished too soon to be killed mid-write (seen writing after {seen:.1f} s)")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _wait_for_no_other_backend(db_url)
    if inserted_before is not None:  # the statistics of the aborted transaction arrive a moment later
        deadline = time.monotonic() + 10
        while _inserted_projects(db_url) == inserted_before and time.monotonic() < deadline:
            time.sleep(0.1)
        written = _inserted_projects(db_url) - inserted_before
        assert 0 < written < 1280, f"{written} project rows were written before the kill"
        print(f"\nkilled {seen + 0.3:.1f} s after the start, {written} of 1280 projects written")

    after = _snapshot(db_url)
    assert after == before, "the killed import left traces: " + str(
        {k: (before[k], after[k]) for k in before if before[k] != after[k] and k != "dump"})
    assert not _writing(db_url)

    # the next import goes through (no lock, no half-written rows in the way)
    log2 = tmp_path / "again.log"
    again = _import(db_url, big_document, log2)
    assert again.wait(timeout=600) == 0, log2.read_text()
    assert "新增项目1280个" in log2.read_text()
    engine = make_engine(db_url)
    try:
        assert project_count(engine, BIG_YEAR) == 1280
        assert project_count(engine, 2024) == 32
    finally:
        engine.dispose()
    final = _snapshot(db_url)
    assert final["dump"] == before["dump"] and final["years"] == [2024, BIG_YEAR]
