"""Engine, sessions and schema migrations.

SQLite file by default (``sqlite:///data/monitoring.db``, WAL mode); PostgreSQL when ``DATABASE_URL`` says
so (psycopg 3). The URL is read and normalised by ``data_access.config``. The schema is managed by Alembic:
``migrate(engine)`` upgrades to head and is called on app start and by every ``manage.py`` command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from data_access.config import database_url

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    p = Path(url[len("sqlite:///"):])
    return p if p.is_absolute() else ROOT / p


def make_engine(url: str | None = None) -> Engine:
    """An engine on ``url``, or on the configured ``DATABASE_URL`` when ``None``."""
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
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def bump_revision(session: Session) -> None:
    """Every write calls this inside its transaction; cached reads key on the revision."""
    res = session.exec(text("UPDATE data_version SET revision = revision + 1 WHERE id = 1"))
    if res.rowcount == 0:
        session.exec(text("INSERT INTO data_version (id, revision) VALUES (1, 1)"))


def current_revision(engine: Engine) -> int:
    with engine.connect() as conn:
        v = conn.execute(text("SELECT revision FROM data_version WHERE id = 1")).scalar()
    return int(v or 0)


__all__ = ["make_engine", "migrate", "session_scope", "bump_revision", "current_revision", "NullPool"]
