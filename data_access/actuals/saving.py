"""Saving indicator and spending rows: validation, per-row permissions, optimistic versions, audit.

Definitions chosen here:

* **Validation** is ``domain.entry`` (which asks ``domain.status`` what must be explained).
* **Optimistic concurrency**: each row carries the ``version`` it was loaded with (``None`` for a value
  that did not exist yet; ``domain.entry.ANY_VERSION`` for a file without versions). A row whose stored
  version differs is refused as a :class:`Conflict` naming who saved it and when, with both values.
  PostgreSQL: the stored rows are read ``FOR UPDATE`` (in id order, so two writers never deadlock),
  new rows are inserted with ``ON CONFLICT DO NOTHING`` and updates are conditional on the version.
  SQLite: the transaction takes the database write lock first (a no-op ``UPDATE``), so writers queue.
* **One transaction per call** for the valid rows: a refused row does not stop the others, a database
  error rolls back everything. Each changed field appends one ``AuditLog`` row (who, when, period,
  field, old -> new) and the data revision is bumped.
* **Review states** (``data_access.review``): a row of a project whose values for the period are
  approved (for everyone) or under review (for staff) is refused with the reason; the review rows are
  read with a shared lock so an approval never interleaves with a save.
* **Who is acting** is re-read in the same transaction (``data_access.acting``): an account deactivated,
  locked or changed since its page was drawn saves nothing.
* **One save path** for every kind of row (:func:`save_rows_in`); what differs between indicator and
  spending rows is a :class:`~data_access.actuals.rows.RowSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from data_access.acting import acting_principal
from data_access.actuals.access import (
    period_refusal,
    require_writer,
    settings_of,
    source_detail,
    take_write_lock,
    transaction,
)
from data_access.actuals.results import Change, Conflict, RowError, SaveResult
from data_access.actuals.rows import INDICATOR_SPEC, SPENDING_SPEC, RowSpec, RowTarget
from data_access.actuals.values import as_int, fmt_value, norm_cmp, record, same, unreadable, version_of
from data_access.db import Changed, bump_revision
from data_access.models import AuditLog, Period, User
from data_access.permissions import PermissionDenied, Principal, check_can_write_project
from data_access.review.states import edit_refusals
from domain import entry as E
from domain.clock import utcnow
from domain.entry import ANY_VERSION

_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def save_indicator_rows(engine: Engine, principal: Principal | None, period_code: str,
                        rows: Sequence[Mapping[str, Any]], *, source: str = "screen", dry_run: bool = False,
                        note: str = "") -> SaveResult:
    """Validate and save indicator rows for one period.

    Each row: ``indicator_id``, ``version`` (as loaded; ``None`` = no value existed; ``ANY_VERSION`` =
    no check), and any of ``domain.entry.INDICATOR_FIELDS`` (missing keys keep the stored value;
    cells that do not apply to the indicator's kind are ignored). ``dry_run`` computes everything
    (errors, conflicts, old -> new) without writing. Raises :class:`PermissionDenied` for a leader or
    no principal; every other problem is reported per row.
    """
    return save_rows(engine, principal, INDICATOR_SPEC, period_code, rows, source=source, dry_run=dry_run,
                     note=note)


def save_spending_rows(engine: Engine, principal: Principal | None, period_code: str,
                       rows: Sequence[Mapping[str, Any]], *, source: str = "screen", dry_run: bool = False,
                       note: str = "") -> SaveResult:
    """Validate and save projects' cumulative spending for one period.

    Each row: ``project_id``, ``version`` (as for indicators) and any of ``spent_wan``,
    ``projected_wan``, ``explanation``. Same permissions, locking, concurrency and audit as
    :func:`save_indicator_rows`.
    """
    return save_rows(engine, principal, SPENDING_SPEC, period_code, rows, source=source, dry_run=dry_run,
                     note=note)


def save_rows(engine: Engine, principal: Principal | None, spec: RowSpec, period_code: str,
              rows: Sequence[Mapping[str, Any]], *, source: str = "screen", dry_run: bool = False,
              note: str = "") -> SaveResult:
    """Rows of one kind for one period, in their own transaction (see :func:`save_rows_in`)."""
    p = require_writer(principal)
    with transaction(engine, dry_run) as s:
        if not dry_run:
            take_write_lock(s)
        p = acting_principal(s, p)  # the account as stored now, not as the page was drawn
        return save_rows_in(s, p, spec, period_code, list(rows), source, dry_run, note)


@dataclass(slots=True)
class _Pending:
    """Rows that passed every check: new values to insert, stored values to update."""

    inserts: list[tuple[int, dict, list[Change]]] = field(default_factory=list)  # (row, values, changes)
    updates: list[tuple[int, Any, dict, list[Change]]] = field(default_factory=list)  # (row, stored, ...)

    def rows(self) -> list[int]:
        return sorted([i for i, *_ in self.inserts] + [i for i, *_ in self.updates])


@dataclass(frozen=True, slots=True)
class WriteContext:
    """Everything the write phase needs about one call: where, who, when, and what was submitted."""

    s: Session
    res: SaveResult
    spec: RowSpec
    ids: Mapping[int, int]  # row -> indicator or project id
    projects: Mapping[int, int]  # indicator or project id -> its project (what the status store recomputes)
    rows: Sequence[Mapping[str, Any]]
    username: str
    now: datetime
    code: str  # period code
    detail: str  # the audit rows' 说明 (source and note)


def save_rows_in(s: Session, p: Principal, spec: RowSpec, period_code: str, rows: list[Mapping[str, Any]],
                 source: str, dry_run: bool, note: str, *, overwrite_own: bool = False) -> SaveResult:
    """The one save path, inside the caller's transaction ``s`` (an import saves several groups in one).

    Per row: the id must exist and belong to the period's fiscal year, the principal must be allowed to
    write its project, the stored version must be the one it was loaded with, and ``domain.entry`` must
    accept the merged values. Rows that pass are written (unless ``dry_run``) by :func:`_write`.
    ``overwrite_own``: a row whose stored value was last saved by ``p`` itself is written over it (the
    person chose so after seeing both values); someone else's save is always a conflict."""
    res = SaveResult(spec.kind, period_code, dry_run=dry_run)
    start = _start_save(s, res, rows, dry_run, spec)
    if start is None:
        return res
    period, year, ids = start
    wanted = sorted(set(ids.values()))
    targets = spec.load(s, wanted, period, settings_of(s), year)
    q: Any = (select(spec.model)
         .where(getattr(spec.model, spec.key).in_(wanted), spec.model.period_code == period.code)
         .order_by(spec.model.id))
    if not dry_run:
        q = q.with_for_update()  # in id order: two writers never deadlock
    stored = {getattr(a, spec.key): a for a in s.execute(q).scalars()}
    frozen = edit_refusals(s, p, {t.project_id for t in targets.values()}, period, lock=not dry_run)
    pending = _Pending()
    for i, rid in ids.items():
        target = _admit(res, spec, p, period, i, rid, targets.get(rid), frozen)
        if target is not None:
            a = stored.get(rid)
            own_ok = overwrite_own and a is not None and a.updated_by == p.username
            _judge(res, spec, pending, i, rid, rows[i], target, a, own_ok)
    if dry_run:
        res.would_save = pending.rows()
        return _name_conflicts(s, res, p)
    projects = {rid: t.project_id for rid, t in targets.items()}
    ctx = WriteContext(s, res, spec, ids, projects, rows, p.username, utcnow(), period.code, source_detail(source, note))
    return _name_conflicts(s, _write(ctx, pending), p)


def _name_conflicts(s: Session, res: SaveResult, p: Principal) -> SaveResult:
    """Conflicts name people by display name (one query) and recognise the person's own earlier save."""
    logins = sorted({c.their_by for c in res.conflicts if c.their_by})
    if not logins:
        return res
    names: dict[str, str] = dict(s.execute(select(User.username, User.name).where(User.username.in_(logins))).tuples().all())
    for c in res.conflicts:
        c.their_name = names.get(c.their_by) or c.their_by
        c.own = c.their_by == p.username
    return res


def _start_save(s: Session, res: SaveResult, rows: list[Mapping[str, Any]], dry_run: bool, spec: RowSpec
                ) -> tuple[Period, int, dict[int, int]] | None:
    """What every save does first: take the write lock, refuse a missing or locked period for every row,
    and map row positions to ids (a missing or repeated id is a row error). None when nothing is left."""
    if not rows:
        return None
    if not dry_run:
        take_write_lock(s)
    refusal, period, year = period_refusal(s, res.period_code, lock=not dry_run)
    if refusal:
        for i, r in enumerate(rows):
            res.errors.append(RowError(i, E.PERIOD, refusal, as_int(r.get(spec.key))))
        return None
    assert period is not None and year is not None
    res.period_code = period.code
    ids: dict[int, int] = {}
    seen: set[int] = set()
    for i, r in enumerate(rows):
        rid = as_int(r.get(spec.key))
        if rid is None:
            res.errors.append(RowError(i, spec.id_field, spec.missing_id()))
        elif rid in seen:
            res.errors.append(RowError(i, E.ROW, spec.duplicate(), rid))
        else:
            seen.add(rid)
            ids[i] = rid
    if not ids:
        return None
    return period, year, ids


def _admit(res: SaveResult, spec: RowSpec, p: Principal, period: Period, i: int, rid: int,
           target: RowTarget | None, frozen: Mapping[int, str]) -> RowTarget | None:
    """The row's target when it exists, is in the period's year, the principal may write it and its
    project's review state allows it (``frozen``: project id -> why not)."""
    if target is None:
        res.errors.append(RowError(i, spec.id_field, spec.unknown(rid), rid))
        return None
    if target.fiscal_year_id != period.fiscal_year_id:
        res.errors.append(RowError(i, E.PERIOD, spec.wrong_year(period.code), rid))
        return None
    try:
        check_can_write_project(p, target.unit_id)
    except PermissionDenied as e:
        res.errors.append(RowError(i, E.ROW, f"整行：{e}", rid))
        return None
    if target.project_id in frozen:
        res.errors.append(RowError(i, E.ROW, f"整行：{period.code}{frozen[target.project_id]}", rid))
        return None
    return target


def _judge(res: SaveResult, spec: RowSpec, pending: _Pending, i: int, rid: int, row: Mapping[str, Any],
           target: RowTarget, a: Any, own_ok: bool = False) -> None:
    """Decide one admitted row against its stored value ``a``: unchanged, conflict, error or pending write
    (``own_ok``: a different version saved by the same person is not a conflict)."""
    writable = target.writable
    given = {k: row[k] for k in writable if k in row}
    if a is None and all(E.is_blank(v) for v in given.values()):
        res.unchanged.append(i)  # nothing entered, nothing stored
        return
    old = record(a, spec.fields)
    check = target.check({**old, **given})
    new = check.values.as_record()
    diff = [k for k in writable if not same(norm_cmp(k, old.get(k)), norm_cmp(k, new.get(k)))]
    version = version_of(row)
    stored_version = a.version if a is not None else None
    if version is not ANY_VERSION and version != stored_version and not own_ok:
        if check.ok and not diff and a is not None:
            res.unchanged.append(i)  # someone saved exactly this already
            return
        res.conflicts.append(Conflict(i, rid, stored_version, (a.updated_by if a else ""),
                                      (a.updated_at if a else None), {k: old.get(k) for k in writable}, given,
                                      version))
        return
    if check.status is not None:
        res.statuses[i] = (check.status.status, check.status.reason)
    if not diff and not unreadable(given, new):
        res.unchanged.append(i)  # nothing new (a stored row is not re-judged when resubmitted as is)
        return
    if check.errors:
        res.errors.extend(RowError(i, e.field, e.message, rid) for e in check.errors)
        return
    changes = [Change(i, rid, k, fmt_value(old.get(k)), fmt_value(new.get(k))) for k in diff]
    res.changes.extend(changes)
    values = {k: new[k] for k in writable}
    if a is None:
        pending.inserts.append((i, values, changes))
    else:
        pending.updates.append((i, a, values, changes))


def _write(ctx: WriteContext, pending: _Pending) -> SaveResult:
    """The write phase: insert new values (in id order, so two writers inserting the same rows never
    deadlock; a row inserted concurrently by someone else becomes a conflict), update stored ones only at
    the version they were loaded with, append one audit row per changed field, bump the data revision."""
    written: dict[int, int] = {}
    audit: list[dict] = []
    _write_inserts(ctx, pending.inserts, written, audit)
    _write_updates(ctx, pending.updates, written, audit)
    if written:
        if audit:
            ctx.s.execute(insert(AuditLog), audit)
        bump_revision(ctx.s, Changed.projects(ctx.projects[ctx.ids[i]] for i in written))
    ctx.res.saved = dict(sorted(written.items()))
    return ctx.res


def _write_inserts(ctx: WriteContext, inserts: list, written: dict[int, int], audit: list[dict]) -> None:
    spec, res = ctx.spec, ctx.res
    order = sorted(inserts, key=lambda item: ctx.ids[item[0]])
    new_rows = [{**spec.insert_defaults, **values, spec.key: ctx.ids[i], "period_code": ctx.code,
                 "is_demo": False, "updated_by": ctx.username, "updated_at": ctx.now, "version": 1}
                for i, values, _changes in order]
    got = _insert_rows(ctx.s, spec.model, new_rows, spec.key)
    key_col = getattr(spec.model, spec.key)
    for i, values, changes in order:
        rid = ctx.ids[i]
        if rid in got:
            written[i] = got[rid]
            res.versions[i] = 1
            audit.extend(_audit_rows(ctx, changes, got[rid]))
            continue
        # inserted concurrently by someone else
        theirs = ctx.s.execute(select(spec.model).where(key_col == rid, spec.model.period_code == ctx.code)
                               ).scalar_one()
        res.conflicts.append(Conflict(i, rid, theirs.version, theirs.updated_by, theirs.updated_at,
                                      record(theirs, list(values)),
                                      {k: ctx.rows[i].get(k) for k in values if k in ctx.rows[i]}, None))
        res.changes = [c for c in res.changes if c.row != i]


def _write_updates(ctx: WriteContext, updates: list, written: dict[int, int], audit: list[dict]) -> None:
    """One executemany UPDATE per set of changed columns (200 single UPDATEs cost ~0.3 s of round trips
    and statement building on PostgreSQL), each row only at the version it was loaded with. The rows
    are locked since they were read (``_Pending``), so every row matches; if one did not, the whole
    save is refused and rolled back rather than half written."""
    table = ctx.spec.model.__table__
    groups: dict[tuple[str, ...], list[dict]] = {}
    for _i, a, values, _changes in updates:
        groups.setdefault(tuple(sorted(values)), []).append(
            {**values, "version": a.version + 1, "updated_by": ctx.username, "updated_at": ctx.now, "is_demo": False,
             "b_id": a.id, "b_version": a.version})
    stmt = update(table).where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
    for params in groups.values():
        n = ctx.s.execute(stmt, params).rowcount
        if n not in (len(params), -1):  # pragma: no cover - the row lock makes this unreachable
            raise RuntimeError(f"{len(params) - n} rows changed under a row lock")
    for i, a, _values, changes in updates:
        written[i] = a.id
        ctx.res.versions[i] = a.version + 1
        audit.extend(_audit_rows(ctx, changes, a.id))


def _audit_rows(ctx: WriteContext, changes: list[Change], actual_id: int) -> list[dict]:
    return [
        {"at": ctx.now, "username": ctx.username, "action": "update", "entity": ctx.spec.entity,
         "entity_id": actual_id, "period_code": ctx.code, "field": c.field, "old": c.old, "new": c.new,
         "detail": ctx.detail}
        for c in changes
    ]


def _insert_rows(s: Session, model, rows: list[dict], key_col: str) -> dict[Any, int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING (key, id): rows already inserted by a concurrent
    writer are not returned (the caller reports them as conflicts)."""
    if not rows:
        return {}
    d_insert = _INSERTS.get(s.get_bind().dialect.name)
    table = model.__table__
    out: dict[Any, int] = {}
    for i in range(0, len(rows), 300):
        chunk = rows[i:i + 300]
        if d_insert is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
            for r in chunk:
                k, id_ = s.execute(insert(table).values(r).returning(table.c[key_col], table.c.id)).one()
                out[k] = id_
            continue
        stmt = (d_insert(table).values(chunk)
                .on_conflict_do_nothing(index_elements=[key_col, "period_code"])
                .returning(table.c[key_col], table.c.id))
        for k, id_ in s.execute(stmt):
            out[k] = id_
    return out
