"""The status store: the output of the one status engine (``domain.status``) kept in the database.

* ``compute`` — the engine over a set of projects at every as-of date of their year, written as rows;
* ``generations`` — which stored statuses pages read, and the recompute every write runs in its own
  transaction (``refresh``, called by ``data_access.db.bump_revision``);
* ``jobs`` — the background recompute of everything after a change of the rules;
* ``sums`` — the stored projects summed per unit, area and status (``status_sum``), kept by the
  recompute, read by the roll-ups;
* ``reads`` / ``lists`` — what the pages read: counts, roll-ups and lists by indexed SQL.

The tables are in ``data_access/models/status_store.py``; the design is in docs/architecture.md.
"""

from data_access.status_store.compute import RISK_RANK, as_of_dates, cycle_of, recompute
from data_access.status_store.generations import (
    ACTIVE,
    BUILDING,
    RETIRED,
    StoreState,
    lock_writers,
    start_generation,
    state,
)
from data_access.status_store.jobs import STALE_AFTER, enable_background, kick, refresh, run_pending

__all__ = [
    "RISK_RANK", "as_of_dates", "cycle_of", "recompute",
    "ACTIVE", "BUILDING", "RETIRED", "StoreState", "lock_writers", "refresh", "start_generation", "state",
    "STALE_AFTER", "enable_background", "kick", "run_pending",
]
