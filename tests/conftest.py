"""Shared fixtures: a fresh database per test, on SQLite and (where marked) PostgreSQL.

PostgreSQL: ``TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) is the
server; every test run creates its own database and drops it at the end. When the server cannot be
reached the PostgreSQL variants are skipped, unless ``REQUIRE_POSTGRES=1`` (set by CI), where they fail.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED_TEXT = ROOT / "seed" / "2024_部门整体绩效目标.txt"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_server():
    """A connectable PostgreSQL admin URL, or skip (fail in CI)."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3):
            pass
    except Exception as e:  # noqa: BLE001
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable: {e}")
        pytest.skip(f"PostgreSQL not reachable: {e}")
    return PG_ADMIN_URL


def _create_pg_db() -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_pg_db(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, empty database URL: SQLite file and PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    request.getfixturevalue("pg_server")
    name = _create_pg_db()
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_db(name)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(autouse=True)
def _no_background_rebuild():
    """A test that ran app.py (AppTest) enabled the status store's background rebuild for the whole worker
    process; without this, a later test's change of the rules would start a thread writing its database."""
    yield
    from data_access.status_store.jobs import disable_background

    disable_background()


@pytest.fixture
def engine(db_url):
    from data_access.db import make_engine, migrate

    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url):
    from data_access.db import make_engine, migrate

    eng = make_engine(sqlite_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED_TEXT.read_bytes()


@pytest.fixture(scope="session")
def seed_doc(seed_bytes):
    from documents.targets_io import read_target_document

    return read_target_document(seed_bytes, SEED_TEXT.name, 2024)


@pytest.fixture
def seeded_engine(engine):
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(engine)
    return engine


def account_for(engine, principal):
    """Make ``principal`` a stored account (role and units as it says), when no account has its name: every
    write re-reads the acting account in its transaction (``data_access.acting``). Returns the principal."""
    from sqlalchemy import select

    from data_access.db import session_scope
    from data_access.models import User, UserUnit

    with session_scope(engine) as s:
        if s.execute(select(User.id).where(User.username == principal.username)).first() is None:
            user = User(username=principal.username, name=principal.name, role=principal.role, password_hash="!")
            s.add(user)
            s.flush()
            s.add_all([UserUnit(user_id=user.id, unit_id=u) for u in sorted(principal.unit_ids)])
    return principal


def admin_named(name: str = "admin"):
    """An administrator principal that is not an account (like ``SYSTEM_ADMIN``, under another name), for
    tests that arrange data and check the audit rows' user name."""
    from data_access.permissions import Principal

    return Principal(name, name, "admin", system=True)
