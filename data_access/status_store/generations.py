"""Generations of the status store and the recompute every write does in its own transaction.

Definitions chosen here:

* **Live generations** are the ``active`` one (what pages read) and, while the rules are being
  recomputed, the ``building`` one. A write recomputes the projects it changed in every live
  generation, each with that generation's own snapshot of the rule settings, so the building one never
  misses a change made while it is built.
* **Order of writers.** ``refresh`` runs inside ``bump_revision``, after the revision row is updated:
  that row lock (PostgreSQL) or the database write lock (SQLite) is held until the write commits, so two
  writes recompute one after the other and each reads the other's committed values (READ COMMITTED);
  the background job takes the same lock for each chunk (``lock_writers``). No status is computed from a
  stale read.
* A change of the rules starts a new ``building`` generation with the rules as stored in the same
  transaction (any earlier building one is retired: it was computed with rules no longer wanted); the
  job that fills it starts after the commit (``data_access.status_store.jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, text, update
from sqlmodel import Session

from data_access.changed import Changed
from data_access.models import Setting, StatusGeneration
from data_access.status_store.compute import recompute
from domain.clock import utcnow
from domain.settings import DEFAULT_SETTINGS, Settings

SETTINGS_KEY = "status_rules"
ACTIVE, BUILDING, RETIRED = "active", "building", "retired"


@dataclass(frozen=True)
class StoreState:
    """What a page needs to know about the store: the generation it reads and any recompute under way."""

    active_id: int | None
    settings: Settings  # the active generation's rules (live evaluations use them too)
    building_id: int | None = None
    done: int = 0
    total: int = 0
    heartbeat_at: datetime | None = None

    @property
    def rebuilding(self) -> bool:
        return self.building_id is not None

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


def lock_writers(s: Session) -> None:
    """Take the lock every write holds while it recomputes (the revision row / the SQLite write lock)."""
    s.execute(text("UPDATE data_version SET revision = revision WHERE id = 1"))


def _settings(value: dict | None) -> Settings:
    return Settings.from_dict(value) if value else DEFAULT_SETTINGS


def state(bind: Engine | Connection) -> StoreState:
    """The active generation and the one being built, if any (one small query)."""
    q = (select(StatusGeneration.id, StatusGeneration.state, StatusGeneration.settings, StatusGeneration.done,
                StatusGeneration.total, StatusGeneration.heartbeat_at)
         .where(StatusGeneration.state.in_([ACTIVE, BUILDING])).order_by(StatusGeneration.id))
    if isinstance(bind, Connection):
        rows = bind.execute(q).all()
    else:
        with bind.connect() as c:
            rows = c.execute(q).all()
    active = next((r for r in rows if r[1] == ACTIVE), None)
    building = next((r for r in reversed(rows) if r[1] == BUILDING), None)
    settings = _settings(active[2] if active else (building[2] if building else None))
    if building is None:
        return StoreState(active[0] if active else None, settings)
    return StoreState(active[0] if active else None, settings, building[0], building[3], building[4], building[5])


def _live(c: Connection) -> list[tuple[int, Settings]]:
    return [(gid, _settings(value)) for gid, value in c.execute(
        select(StatusGeneration.id, StatusGeneration.settings)
        .where(StatusGeneration.state.in_([ACTIVE, BUILDING])).order_by(StatusGeneration.id))]


def start_generation(s: Session, by: str) -> int:
    """A new generation to build with the rules as stored now (in ``s``'s transaction); an earlier one still
    being built is retired."""
    row = s.get(Setting, SETTINGS_KEY)
    s.execute(update(StatusGeneration).where(StatusGeneration.state == BUILDING)
              .values(state=RETIRED, finished_at=utcnow()))
    gen = StatusGeneration(state=BUILDING, settings=dict(row.value) if row else {}, created_by=by)
    s.add(gen)
    s.flush()
    assert gen.id is not None
    return gen.id


def recompute_live(s: Session, changed: Changed) -> None:
    """Recompute what the write in ``s`` changed in every live generation (see the module docstring)."""
    if changed.project_ids or changed.fiscal_year_ids:
        c = s.connection()
        for gid, settings in _live(c):
            recompute(c, gid, settings, project_ids=changed.project_ids, fiscal_year_ids=changed.fiscal_year_ids)


__all__ = ["ACTIVE", "BUILDING", "RETIRED", "StoreState", "lock_writers", "recompute_live", "start_generation",
           "state"]
