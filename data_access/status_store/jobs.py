"""The background recompute of every status after a change of the rules (or when a database has no
stored statuses yet): it fills the ``building`` generation chunk by chunk, then makes it the active one
in one transaction, so a page never shows statuses of two rule sets at once.

Definitions chosen here:

* **Where it runs.** In the app process, on a thread (``kick``; the app enables it with
  ``enable_background``), or in the foreground with ``manage.py status-rebuild`` (``run_pending``). Its
  state is in the database (``status_generation``: worker, heartbeat, done/total), so every replica shows
  the progress, and any replica takes over a build whose worker has not made progress for
  ``STALE_AFTER`` (it died): pages call ``kick`` while a build is under way.
* **Chunks** of ``CHUNK`` projects, each one transaction holding the writers' lock
  (``generations.lock_writers``) while it reads and writes, so writes wait at most one chunk.
* **The switch**: the new generation becomes active, the old one retired, and the data revision is
  bumped (every page reads the new statuses at its next rerun); then the retired rows are deleted chunk
  by chunk. A build whose generation was retired meanwhile (the rules changed again) stops.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, delete, event, func, or_, select, update
from sqlmodel import Session

from data_access.changed import Changed
from data_access.db import bump_revision, register_refresh, session_scope
from data_access.models import Project, StatusGeneration, StatusItem, StatusProject, StatusSum
from data_access.status_store.compute import recompute
from data_access.status_store.generations import (
    ACTIVE,
    BUILDING,
    RETIRED,
    _settings,
    lock_writers,
    recompute_live,
    start_generation,
)
from domain.clock import utcnow

CHUNK = 500
STALE_AFTER = timedelta(seconds=60)
log = logging.getLogger(__name__)
_background = {"enabled": False}
_running: set[str] = set()  # engines (by URL) with a build thread in this process
_running_lock = threading.Lock()


def enable_background() -> None:
    """Let ``kick`` start build threads in this process (the app; not the command line, which exits)."""
    _background["enabled"] = True


def disable_background() -> None:
    """The opposite of ``enable_background`` (tests: an app run in the same process enabled it)."""
    _background["enabled"] = False


def kick(engine: Engine) -> None:
    """Start a build thread for a pending generation unless one runs in this process already."""
    if not _background["enabled"]:
        return
    key = str(engine.url)
    with _running_lock:
        if key in _running:
            return
        _running.add(key)

    def _run() -> None:
        try:
            run_pending(engine)
        except Exception:  # noqa: BLE001 - a failed build is retried by the next kick; say why in the log
            log.exception("status store build failed")
        finally:
            with _running_lock:
                _running.discard(key)

    threading.Thread(target=_run, name="status-store-build", daemon=True).start()


def refresh(s: Session, changed: Changed) -> None:
    """Bring the store up to date with what the write in ``s`` changed, in its transaction (called by
    ``data_access.db.bump_revision``): the changed projects and years in every live generation
    (``generations.recompute_live``); a change of the rules starts a new generation, built after the
    commit (``kick``)."""
    if changed.empty:
        return
    s.flush()  # the write's pending ORM changes, so the recompute reads them
    if changed.all_rules:
        start_generation(s, "settings")
        engine = s.get_bind()
        event.listen(s, "after_commit", lambda _session: kick(engine), once=True)
    recompute_live(s, changed)


def _claim(engine: Engine, worker: str) -> int | None:
    """Take the newest building generation if nobody works on it (or its worker went quiet)."""
    now = utcnow()
    with session_scope(engine) as s:
        lock_writers(s)  # SQLite: a read that later writes must hold the write lock from the start
        gid = s.execute(select(StatusGeneration.id).where(StatusGeneration.state == BUILDING)
                        .order_by(StatusGeneration.id.desc()).limit(1)).scalar()
        if gid is None:
            return None
        taken = s.execute(update(StatusGeneration).where(
            StatusGeneration.id == gid, StatusGeneration.state == BUILDING,
            or_(StatusGeneration.worker.is_(None), StatusGeneration.heartbeat_at.is_(None),
                StatusGeneration.heartbeat_at < now - STALE_AFTER))
            .values(worker=worker, heartbeat_at=now, done=0)).rowcount
    return gid if taken == 1 else None


def run_pending(engine: Engine, on_progress: Callable[[int, int], None] | None = None) -> bool:
    """Build the pending generation in this thread, if there is one nobody else builds. True when a
    generation was completed and switched to."""
    worker = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    gid = _claim(engine, worker)
    if gid is None:
        return False
    with engine.connect() as c:
        settings = _settings(c.execute(select(StatusGeneration.settings).where(StatusGeneration.id == gid)).scalar())
        chunks = _chunks(c.execute(select(Project.id).order_by(Project.fiscal_year_id, Project.id)).scalars().all())
    total = sum(len(ch) for ch in chunks)
    done = 0
    for ids in chunks:
        with session_scope(engine) as s:
            lock_writers(s)
            if not _still_mine(s, gid, worker):
                return False
            recompute(s.connection(), gid, settings, project_ids=ids)
            done += len(ids)
            s.execute(update(StatusGeneration).where(StatusGeneration.id == gid)
                      .values(done=done, total=total, heartbeat_at=utcnow()))
        if on_progress is not None:
            on_progress(done, total)
    if not _switch(engine, gid, worker, total):
        return False
    _delete_retired(engine)
    return True


def _chunks(ids: list[int]) -> list[list[int]]:
    return [list(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def _still_mine(s, gid: int, worker: str) -> bool:
    row = s.execute(select(StatusGeneration.state, StatusGeneration.worker).where(StatusGeneration.id == gid)).first()
    return row is not None and row[0] == BUILDING and row[1] == worker


def _switch(engine: Engine, gid: int, worker: str, total: int) -> bool:
    """The new generation becomes the active one (one transaction, the revision bumped)."""
    with session_scope(engine) as s:
        lock_writers(s)
        if not _still_mine(s, gid, worker):
            return False
        now = utcnow()
        s.execute(update(StatusGeneration).where(StatusGeneration.state == ACTIVE)
                  .values(state=RETIRED, finished_at=now))
        s.execute(update(StatusGeneration).where(StatusGeneration.id == gid)
                  .values(state=ACTIVE, finished_at=now, done=total, total=total, heartbeat_at=now))
        bump_revision(s, Changed.nothing())  # the statuses changed, no input of the engine did
    return True


def _delete_retired(engine: Engine) -> None:
    """Delete the rows of retired generations, a chunk of projects per transaction."""
    with engine.connect() as c:
        retired = c.execute(select(StatusGeneration.id).where(StatusGeneration.state == RETIRED)).scalars().all()
    for gid in retired:
        with engine.connect() as c:
            ids = c.execute(select(StatusProject.project_id).where(StatusProject.generation_id == gid)
                            .group_by(StatusProject.project_id).order_by(StatusProject.project_id)).scalars().all()
        for chunk in _chunks(list(ids)):
            with session_scope(engine) as s:
                for model in (StatusItem, StatusProject):
                    s.execute(delete(model).where(model.generation_id == gid, model.project_id.in_(chunk)))
        with session_scope(engine) as s:
            for table in (StatusItem.__table__, StatusProject.__table__, StatusSum.__table__):
                s.execute(delete(table).where(table.c.generation_id == gid))
            s.execute(delete(StatusGeneration).where(StatusGeneration.id == gid))


def rows_in(engine: Engine, generation_id: int) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(StatusProject)
                             .where(StatusProject.generation_id == generation_id)).scalar() or 0)


register_refresh(refresh)  # every bump_revision runs it (data_access/__init__.py imports this package)

__all__ = ["CHUNK", "STALE_AFTER", "disable_background", "enable_background", "kick", "refresh", "run_pending", "rows_in"]
