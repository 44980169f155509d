"""The migrations build exactly the tables the models declare, on SQLite and PostgreSQL: a migration that
forgets a column, an index or a default (or a model changed without one) fails here, not in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import data_access.models  # noqa: F401  (registers every table)
from data_access.db import make_engine, migrate


def _significant(diff) -> bool:
    """Differences that matter: a table, column or index missing or extra, a type or nullability
    changed. Server defaults are compared by neither dialect reliably and are left out."""
    kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
    return kind not in ("modify_default",)


def test_the_migrated_schema_equals_the_models(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, SQLModel.metadata) if _significant(d)]
    engine.dispose()
    assert diffs == []
