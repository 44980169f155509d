"""Engine, sessions and schema migrations.

SQLite file by default (``sqlite:///data/monitoring.db``, WAL mode); PostgreSQL when ``DATABASE_URL`` says
so (psycopg 3). The URL is read and normalised by ``data_access.config``. The schema is managed by Alembic:
``migrate(engine)`` upgrades to head and is called on app start and by every ``manage.py`` command.

Definitions chosen here (PostgreSQL):

- Every connection runs ``SET lock_timeout`` with ``DB_LOCK_TIMEOUT_SECONDS`` (default 10 s; 0 = no limit).
  A statement that waits longer for a row or table lock fails; :func:`session_scope` turns that into
  :class:`DatabaseBusy` with a Chinese message, after rolling the whole transaction back.
- ``migrate`` holds a transaction-level advisory lock (``MIGRATE_LOCK``), so processes starting together
  upgrade one after the other; :func:`init_lock` holds a session-level one (``INIT_LOCK``) around the
  first-run seeding of ``manage.py init``, so two ``init`` on an empty database import the seed once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from data_access.changed import Changed
from data_access.config import config_from, database_url

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATE_LOCK = 7_305_001  # pg_advisory keys (any bigint unique to this application)
INIT_LOCK = 7_305_002
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL SQLSTATE of a lock_timeout
_LOCK_TIMEOUTS: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


class DatabaseBusy(RuntimeError):
    """A write waited longer than the lock timeout and was rolled back; ``str(e)`` is Chinese."""

    def __init__(self, seconds: float):
        super().__init__(f"数据库繁忙：等待其他操作释放数据超过{seconds:g}秒，未保存任何修改，请稍后重试")


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    p = Path(url[len("sqlite:///"):])
    return p if p.is_absolute() else ROOT / p


def make_engine(url: str | None = None, *, lock_timeout_seconds: float | None = None) -> Engine:
    """An engine on ``url``, or on the configured ``DATABASE_URL`` when ``None``. ``lock_timeout_seconds``
    (PostgreSQL; default ``DB_LOCK_TIMEOUT_SECONDS``) bounds every lock wait."""
    url = database_url(url)
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{path}"
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        # let SQLAlchemy emit BEGIN itself so a transaction covers reads and writes (no half-writes)
        @event.listens_for(engine, "connect")
        def _no_pysqlite_autobegin(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN")

        return engine
    seconds = config_from().lock_timeout_seconds if lock_timeout_seconds is None else lock_timeout_seconds
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    _LOCK_TIMEOUTS[engine] = seconds

    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_conn, _record):  # pragma: no cover - trivial
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(seconds * 1000)}")
        dbapi_conn.commit()

    return engine


def _is_lock_timeout(e: OperationalError) -> bool:
    return getattr(e.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


@contextmanager
def init_lock(engine: Engine) -> Iterator[None]:
    """PostgreSQL: one process at a time inside (a session advisory lock, released at the end or when the
    process dies); SQLite: no-op (the seeding transaction serialises writers itself)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SET lock_timeout = 0"))  # waiting for another init is expected
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": INIT_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": INIT_LOCK})
            conn.commit()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = 0"))  # another process migrating: wait for it
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except OperationalError as e:
            session.rollback()
            if _is_lock_timeout(e):
                raise DatabaseBusy(_LOCK_TIMEOUTS.get(engine, 0.0)) from e
            raise
        except BaseException:
            session.rollback()
            raise


def bump_revision(session: Session, changed: Changed) -> None:
    """Every write calls this inside its transaction; cached reads key on the revision.

    ``changed`` says what the write changed among the status engine's inputs (``data_access.changed``;
    required, so a write path that does not say it does not type-check): the status store recomputes it
    here, in the same transaction and after the revision row is locked, so writers recompute one after
    the other and a replica's next rerun sees the values and their statuses together."""
    res = session.exec(text("UPDATE data_version SET revision = revision + 1 WHERE id = 1"))
    if res.rowcount == 0:
        session.exec(text("INSERT INTO data_version (id, revision) VALUES (1, 1)"))
    if not changed.values_only:  # row 2: the revision of the last write that changed more than values
        res = session.exec(text("UPDATE data_version SET revision = (SELECT revision FROM data_version WHERE id = 1)"
                                " WHERE id = 2"))
        if res.rowcount == 0:
            session.exec(text("INSERT INTO data_version (id, revision)"
                              " SELECT 2, revision FROM data_version WHERE id = 1"))
    if not _REFRESH:
        raise RuntimeError("data_access.status_store is not loaded: the status store would miss this write")
    for refresh in _REFRESH:
        refresh(session, changed)


_REFRESH: list[Callable[[Session, Changed], None]] = []


def register_refresh(fn: Callable[[Session, Changed], None]) -> None:
    """``data_access.status_store`` registers its recompute here when it is imported (by
    ``data_access/__init__.py``, so any use of ``data_access`` loads it): it sits above the models and the
    status engine's reads, which this module must not import."""
    if fn not in _REFRESH:
        _REFRESH.append(fn)


def current_revision(engine: Engine) -> int:
    with engine.connect() as conn:
        v = conn.execute(text("SELECT revision FROM data_version WHERE id = 1")).scalar()
    return int(v or 0)


def revisions(engine: Engine) -> tuple[int, int]:
    """The revision and the structure revision, in one read. The structure revision is the revision of the
    last write that changed more than some projects' values (``Changed.values_only``): what the filter bar
    offers (areas, units, indicator categories) is cached on it, so a reporting week's saves do not re-read
    it. A database without that row (older, or just restored) answers the revision for both."""
    with engine.connect() as conn:
        rows: dict[int, int] = dict(conn.execute(text("SELECT id, revision FROM data_version WHERE id IN (1, 2)")).tuples().all())
    rev = int(rows.get(1, 0) or 0)
    return rev, int(rows.get(2, rev) or 0)


def structure_revision(engine: Engine) -> int:
    """The structure revision (``revisions``)."""
    return revisions(engine)[1]


__all__ = ["Changed", "register_refresh",
           "DatabaseBusy", "init_lock", "make_engine", "migrate", "session_scope", "bump_revision", "current_revision",
           "NullPool"]
