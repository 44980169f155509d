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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session

from data_access.actuals.access import (
    IND_ENTITY,
    SP_ENTITY,
    period_refusal,
    require_writer,
    settings_of,
    source_detail,
    take_write_lock,
    transaction,
)
from data_access.actuals.lookups import indicator_input, plans_of, previous_spending
from data_access.actuals.results import Change, Conflict, RowError, SaveResult
from data_access.actuals.values import as_int, fmt_value, norm_cmp, record, same, unreadable, version_of
from data_access.db import bump_revision
from data_access.models import AuditLog, Indicator, IndicatorActual, Project, SpendingActual
from data_access.permissions import PermissionDenied, Principal, check_can_write_project
from domain import entry as E
from domain.clock import utcnow
from domain.entry import ANY_VERSION
from domain.status import ProjectInput, indicator_mode


def _audit_rows(changes: list[Change], entity: str, ids: Mapping[int, int], username: str, now: datetime,
                code: str, detail: str) -> list[dict]:
    return [
        {"at": now, "username": username, "action": "update", "entity": entity, "entity_id": ids[c.row],
         "period_code": code, "field": c.field, "old": c.old, "new": c.new, "detail": detail}
        for c in changes if c.row in ids
    ]


def _insert_rows(s: Session, model, rows: list[dict], key_col: str) -> dict[Any, int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING (key, id): rows already inserted by a concurrent
    writer are not returned (the caller reports them as conflicts)."""
    if not rows:
        return {}
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as d_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as d_insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        d_insert = None
    table = model.__table__
    out: dict[Any, int] = {}
    for i in range(0, len(rows), 300):
        chunk = rows[i:i + 300]
        if d_insert is None:  # pragma: no cover
            for r in chunk:
                res = s.execute(insert(table).values(r).returning(table.c[key_col], table.c.id))
                k, id_ = res.one()
                out[k] = id_
            continue
        stmt = (d_insert(table).values(chunk)
                .on_conflict_do_nothing(index_elements=[key_col, "period_code"])
                .returning(table.c[key_col], table.c.id))
        for k, id_ in s.execute(stmt):
            out[k] = id_
    return out


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
    p = require_writer(principal)
    with transaction(engine, dry_run) as s:
        return save_indicators_in(s, p, period_code, list(rows), source, dry_run, note)


def _start_save(s: Session, res: SaveResult, rows: list[Mapping[str, Any]], dry_run: bool, id_key: str,
                id_field: str, missing_msg: str, duplicate_msg: str):
    """What every save does first: take the write lock, refuse a missing or locked period for every row,
    and map row positions to ids (a missing or repeated id is a row error). None when nothing is left."""
    if not rows:
        return None
    if not dry_run:
        take_write_lock(s)
    refusal, period, year = period_refusal(s, res.period_code, lock=not dry_run)
    if refusal:
        for i, r in enumerate(rows):
            res.errors.append(RowError(i, E.PERIOD, refusal, as_int(r.get(id_key))))
        return None
    assert period is not None and year is not None
    res.period_code = period.code
    ids: dict[int, int] = {}
    seen: set[int] = set()
    for i, r in enumerate(rows):
        rid = as_int(r.get(id_key))
        if rid is None:
            res.errors.append(RowError(i, id_field, missing_msg))
        elif rid in seen:
            res.errors.append(RowError(i, E.ROW, duplicate_msg, rid))
        else:
            seen.add(rid)
            ids[i] = rid
    if not ids:
        return None
    return period, year, settings_of(s), ids


def save_indicators_in(s: Session, p: Principal, period_code: str, rows: list[Mapping[str, Any]], source: str,
                     dry_run: bool, note: str) -> SaveResult:
    res = SaveResult("indicator", period_code, dry_run=dry_run)
    start = _start_save(s, res, rows, dry_run, "indicator_id", E.INDICATOR, "三级指标：缺少指标编号",
                        "整行：同一指标在本次提交中出现多次，只保存第一次")
    if start is None:
        return res
    period, year, settings, ids = start  # ids: row -> indicator id
    seen = set(ids.values())
    code = period.code
    as_of = period.end

    info: dict[int, tuple[Indicator, int | None, int]] = {}
    for ind, unit_id, fy_id in s.execute(
        select(Indicator, Project.unit_id, Project.fiscal_year_id)
        .join(Project, Project.id == Indicator.project_id)
        .where(Indicator.id.in_(sorted(seen)))
    ):
        info[ind.id] = (ind, unit_id, fy_id)

    q = (select(IndicatorActual)
         .where(IndicatorActual.indicator_id.in_(sorted(seen)), IndicatorActual.period_code == code)
         .order_by(IndicatorActual.id))
    if not dry_run:
        q = q.with_for_update()
    stored: dict[int, IndicatorActual] = {a.indicator_id: a for a in s.execute(q).scalars()}

    now = utcnow()
    username = p.username
    inserts: list[tuple[int, dict, list[Change]]] = []
    updates: list[tuple[int, IndicatorActual, dict, list[Change]]] = []

    for i, iid in ids.items():
        row = rows[i]
        found = info.get(iid)
        if found is None:
            res.errors.append(RowError(i, E.INDICATOR, f"三级指标：编号{iid}的指标不存在", iid))
            continue
        ind, unit_id, fy_id = found
        if fy_id != period.fiscal_year_id:
            res.errors.append(RowError(i, E.PERIOD, f"填报期：{code}不属于该指标所在的预算年度", iid))
            continue
        try:
            check_can_write_project(p, unit_id)
        except PermissionDenied as e:
            res.errors.append(RowError(i, E.ROW, f"整行：{e}", iid))
            continue

        a = stored.get(iid)
        template = indicator_input(ind)
        mode = indicator_mode(template, settings)
        writable = [k for k in E.applicable_fields(mode)]
        given = {k: row[k] for k in writable if k in row}
        old = record(a, E.INDICATOR_FIELDS)
        merged = dict(old)
        merged.update(given)

        if a is None and all(E.is_blank(v) for v in given.values()):
            res.unchanged.append(i)  # nothing entered, nothing stored
            continue

        version = version_of(row)
        stored_version = a.version if a is not None else None
        check = E.check_indicator_row(merged, template, as_of, settings, year)
        new = check.values.as_record()
        diff = [k for k in writable if not same(norm_cmp(k, old.get(k)), norm_cmp(k, new.get(k)))]

        unreadable_ = unreadable(given, new)

        if version is not ANY_VERSION and version != stored_version:
            if check.ok and not diff and a is not None:
                res.unchanged.append(i)  # someone saved exactly this already
                continue
            res.conflicts.append(Conflict(
                i, iid, stored_version, (a.updated_by if a else ""), (a.updated_at if a else None),
                {k: old.get(k) for k in writable}, given, version))
            continue
        if check.status is not None:
            res.statuses[i] = (check.status.status, check.status.reason)
        if not diff and not unreadable_:
            res.unchanged.append(i)  # nothing new (a stored row is not re-judged when resubmitted as is)
            continue
        if check.errors:
            res.errors.extend(RowError(i, e.field, e.message, iid) for e in check.errors)
            continue
        changes = [Change(i, iid, k, fmt_value(old.get(k)), fmt_value(new.get(k))) for k in diff]
        res.changes.extend(changes)
        values = {k: new[k] for k in writable}
        if a is None:
            inserts.append((i, values, changes))
        else:
            updates.append((i, a, values, changes))

    if dry_run:
        res.would_save = sorted([i for i, *_ in inserts] + [i for i, *_ in updates])
        return res

    new_rows = []
    for i, values, _ in inserts:
        rec = {k: None for k in E.INDICATOR_FIELDS}
        rec.update({E.REASONS: "", E.EXPLANATION: "", E.MEASURES: "", E.REMARKS: ""})
        rec.update(values)
        new_rows.append(rec)
    return _write(s, res, IndicatorActual, "indicator_id", IND_ENTITY, ids, rows, inserts, new_rows, updates,
                  username, now, code, source_detail(source, note))


def save_spending_rows(engine: Engine, principal: Principal | None, period_code: str,
                       rows: Sequence[Mapping[str, Any]], *, source: str = "screen", dry_run: bool = False,
                       note: str = "") -> SaveResult:
    """Validate and save projects' cumulative spending for one period.

    Each row: ``project_id``, ``version`` (as for indicators) and any of ``spent_wan``,
    ``projected_wan``, ``explanation``. Same permissions, locking, concurrency and audit as
    :func:`save_indicator_rows`.
    """
    p = require_writer(principal)
    with transaction(engine, dry_run) as s:
        return save_spending_in(s, p, period_code, list(rows), source, dry_run, note)


def save_spending_in(s: Session, p: Principal, period_code: str, rows: list[Mapping[str, Any]], source: str,
                   dry_run: bool, note: str) -> SaveResult:
    res = SaveResult("spending", period_code, dry_run=dry_run)
    start = _start_save(s, res, rows, dry_run, "project_id", E.PROJECT, "项目：缺少项目编号",
                        "整行：同一项目在本次提交中出现多次，只保存第一次")
    if start is None:
        return res
    period, year, settings, ids = start  # ids: row -> project id
    seen = set(ids.values())
    code = period.code
    as_of = period.end

    projects = {pr.id: pr for pr in s.execute(select(Project).where(Project.id.in_(sorted(seen)))).scalars()}
    plans = plans_of(s, seen)
    previous = previous_spending(s, seen, period.fiscal_year_id, period.end)
    q = (select(SpendingActual)
         .where(SpendingActual.project_id.in_(sorted(seen)), SpendingActual.period_code == code)
         .order_by(SpendingActual.id))
    if not dry_run:
        q = q.with_for_update()
    stored = {a.project_id: a for a in s.execute(q).scalars()}

    now = utcnow()
    username = p.username
    inserts: list[tuple[int, dict, list[Change]]] = []
    updates: list[tuple[int, SpendingActual, dict, list[Change]]] = []
    fields = list(E.SPENDING_FIELDS)

    for i, pid in ids.items():
        row = rows[i]
        pr = projects.get(pid)
        if pr is None:
            res.errors.append(RowError(i, E.PROJECT, f"项目：编号{pid}的项目不存在", pid))
            continue
        if pr.fiscal_year_id != period.fiscal_year_id:
            res.errors.append(RowError(i, E.PERIOD, f"填报期：{code}不属于该项目所在的预算年度", pid))
            continue
        try:
            check_can_write_project(p, pr.unit_id)
        except PermissionDenied as e:
            res.errors.append(RowError(i, E.ROW, f"整行：{e}", pid))
            continue
        a = stored.get(pid)
        given = {k: row[k] for k in fields if k in row}
        old = record(a, fields)
        merged = dict(old)
        merged.update(given)
        if a is None and all(E.is_blank(v) for v in given.values()):
            res.unchanged.append(i)
            continue
        version = version_of(row)
        stored_version = a.version if a is not None else None
        template = ProjectInput(id=pr.id, name=pr.name, budget_wan=pr.budget_wan, plan=plans.get(pid, []))
        check = E.check_spending_row(merged, template, as_of, settings, year, previous.get(pid))
        new = check.values.as_record()
        diff = [k for k in fields if not same(norm_cmp(k, old.get(k)), norm_cmp(k, new.get(k)))]
        if version is not ANY_VERSION and version != stored_version:
            if check.ok and not diff and a is not None:
                res.unchanged.append(i)
                continue
            res.conflicts.append(Conflict(i, pid, stored_version, (a.updated_by if a else ""),
                                          (a.updated_at if a else None), old, given, version))
            continue
        if check.status is not None:
            res.statuses[i] = (check.status.status, check.status.reason)
        if not diff and not unreadable(given, new):
            res.unchanged.append(i)
            continue
        if check.errors:
            res.errors.extend(RowError(i, e.field, e.message, pid) for e in check.errors)
            continue
        changes = [Change(i, pid, k, fmt_value(old.get(k)), fmt_value(new.get(k))) for k in diff]
        res.changes.extend(changes)
        if a is None:
            inserts.append((i, new, changes))
        else:
            updates.append((i, a, new, changes))

    if dry_run:
        res.would_save = sorted([i for i, *_ in inserts] + [i for i, *_ in updates])
        return res

    return _write(s, res, SpendingActual, "project_id", SP_ENTITY, ids, rows, inserts,
                  [dict(values) for _i, values, _c in inserts], updates, username, now, code, source_detail(source, note))


def _write(s: Session, res: SaveResult, model, key: str, entity: str, ids: dict[int, int],
           rows: list[Mapping[str, Any]], inserts: list, insert_values: list[dict], updates: list, username: str,
           now, code: str, detail: str) -> SaveResult:
    """The write phase shared by indicator and spending saves: insert new values (in key order, so two
    writers inserting the same rows never deadlock; a row inserted concurrently by someone else becomes a
    conflict), update stored ones only at the version they were loaded with, append one audit row per
    changed field, bump the data revision."""
    written: dict[int, int] = {}
    audit: list[dict] = []
    order = sorted(range(len(inserts)), key=lambda n: ids[inserts[n][0]])
    new_rows = [dict(insert_values[n], **{key: ids[inserts[n][0]]}, period_code=code, is_demo=False,
                     updated_by=username, updated_at=now, version=1) for n in order]
    got = _insert_rows(s, model, new_rows, key)
    key_col = getattr(model, key)
    for n in order:
        i, values, changes = inserts[n]
        rid = ids[i]
        if rid in got:
            written[i] = got[rid]
            res.versions[i] = 1
            audit.extend(_audit_rows(changes, entity, {i: got[rid]}, username, now, code, detail))
        else:  # inserted concurrently by someone else
            theirs = s.execute(select(model).where(key_col == rid, model.period_code == code)).scalar_one()
            res.conflicts.append(Conflict(i, rid, theirs.version, theirs.updated_by, theirs.updated_at,
                                          record(theirs, list(values)),
                                          {k: rows[i].get(k) for k in values if k in rows[i]}, None))
            res.changes = [c for c in res.changes if c.row != i]
    for i, a, values, changes in updates:
        stmt = (update(model)
                .where(model.id == a.id, model.version == a.version)
                .values(**values, version=a.version + 1, updated_by=username, updated_at=now, is_demo=False)
                .execution_options(synchronize_session=False))
        if s.execute(stmt).rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
            s.expire(a)
            res.conflicts.append(Conflict(i, ids[i], None, "", None, {}, dict(values), a.version))
            res.changes = [c for c in res.changes if c.row != i]
            continue
        written[i] = a.id
        res.versions[i] = a.version + 1
        audit.extend(_audit_rows(changes, entity, {i: a.id}, username, now, code, detail))
    if written:
        if audit:
            s.execute(insert(AuditLog), audit)
        bump_revision(s)
    res.saved = dict(sorted(written.items()))
    return res
