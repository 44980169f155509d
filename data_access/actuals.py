"""Writing what staff report (issue #5): indicator actuals, spending, period locking, history and audit.

Every write goes through here, whatever the caller (the 填报 page, an uploaded template or CSV, the
command line):

* **Permissions** are checked per row in the data layer (``data_access.permissions``): staff write only
  their units' projects, leaders write nothing (the whole call is refused), the admin writes all.
* **Locked periods** are read-only for everyone until an admin reopens them.
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

Reads for the editors (``entry_frame``, ``spending_frame``), the project page (``history``) and the
admin (``audit_frame``, ``period_states``) live here too, so the column names match what is written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pandas as pd
from sqlalchemy import Engine, and_, func, insert, or_, select, text, update
from sqlmodel import Session

from data_access.db import bump_revision, session_scope
from data_access.models import (
    AuditLog,
    FiscalYear,
    Indicator,
    IndicatorActual,
    Period,
    PlanCheckpoint,
    Project,
    Setting,
    SpendingActual,
    Unit,
    User,
    utcnow,
)
from data_access.permissions import (
    ADMIN,
    LEADER,
    PermissionDenied,
    Principal,
    check_can_write_project,
    require_admin,
    require_role,
    STAFF,
    visible_project_filter,
)
from domain import entry as E
from domain.entry import ANY_VERSION
from domain.periods import MONTH, QUARTER, parse_period
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import (
    ACCUMULATING,
    CAP,
    LEVEL,
    IndicatorInput,
    PlanPoint,
    ProjectInput,
    evaluate_budget,
    evaluate_indicator,
    explanation_requirements,
    fmt_num,
    indicator_mode,
)
from domain.targets import Target

SETTINGS_KEY = "status_rules"  # same key as data_access.monitoring
SOURCE_LABELS = {
    "screen": "填报页面",
    "xlsx": "Excel模板导入",
    "csv": "CSV导入",
    "cli": "命令行导入",
}
IND_ENTITY = "indicator_actual"
SP_ENTITY = "spending_actual"
PERIOD_ENTITY = "period"

# The built-in administrator the command line acts as when no --user is given.
SYSTEM_ADMIN = Principal(username="system-admin", name="系统管理员（命令行）", role=ADMIN)

LOCAL_TZ = timezone(timedelta(hours=8))  # Asia/Shanghai, for display

# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one submitted row (``row`` = position in the submitted list)."""

    row: int
    field: str
    message: str  # complete Chinese sentence, starting with the field label
    entity_id: int | None = None  # indicator id or project id

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class Conflict:
    """Someone else saved this value after it was loaded: the row was not written."""

    row: int
    entity_id: int  # indicator id or project id
    their_version: int | None
    their_by: str
    their_at: datetime | None
    theirs: dict[str, Any]  # field -> stored value
    yours: dict[str, Any]  # field -> what was submitted
    your_version: Any = None

    @property
    def differing(self) -> list[str]:
        """Fields where the submitted value differs from the stored one."""
        out = []
        for k, v in self.yours.items():
            if not _same(_norm_cmp(k, v), _norm_cmp(k, self.theirs.get(k))):
                out.append(k)
        return out

    def message(self) -> str:
        when = format_time(self.their_at)
        who = self.their_by or "他人"
        return f"此行已被{who}于{when}修改（版本{self.their_version}），未保存你的修改：请选择采用对方的值或用你的值覆盖"


@dataclass(frozen=True, slots=True)
class Change:
    """One field that was (or, in a dry run, would be) changed."""

    row: int
    entity_id: int
    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class SaveResult:
    kind: str  # 'indicator' | 'spending'
    period_code: str
    dry_run: bool = False
    saved: dict[int, int] = field(default_factory=dict)  # row -> actual id
    versions: dict[int, int] = field(default_factory=dict)  # row -> new version
    unchanged: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    statuses: dict[int, tuple[str, str]] = field(default_factory=dict)  # row -> (status, reason)
    would_save: list[int] = field(default_factory=list)  # dry run: rows that would be written

    @property
    def saved_ids(self) -> list[int]:
        return list(self.saved.values())

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def failed_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors} | {c.row for c in self.conflicts})

    def errors_for(self, row: int) -> list[RowError]:
        return [e for e in self.errors if e.row == row]

    def conflict_for(self, row: int) -> Conflict | None:
        return next((c for c in self.conflicts if c.row == row), None)

    def summary(self) -> str:
        n_saved = len(self.would_save) if self.dry_run else len(self.saved)
        verb = "将保存" if self.dry_run else "已保存"
        parts = [f"{verb}{n_saved}行"]
        if self.unchanged:
            parts.append(f"未改动{len(self.unchanged)}行")
        if self.errors:
            parts.append(f"{len(self.failed_rows) - len(self.conflicts)}行有错误未保存")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)}行与他人修改冲突")
        return "，".join(parts)


# --------------------------------------------------------------------------- helpers


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _norm_cmp(key: str, v: Any) -> Any:
    """Comparable form of a stored or typed value (empty -> None, reasons -> tuple, numbers -> float)."""
    if E.is_blank(v):
        return None
    if key == E.REASONS:
        try:
            return E.parse_reasons(v) or None
        except E.EntryValueError:
            return str(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, str):
        return v.strip()
    return v


def _unreadable(given: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Something was typed that did not survive parsing (text in a number cell, a negative count, an
    over-long text): such a row is reported, never taken for "unchanged"."""
    return any(not E.is_blank(v) and E.is_blank(new.get(k)) for k, v in given.items())


def fmt_value(v: Any) -> str | None:
    """How a value is written into the audit trail and shown as old/new."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return E.join_reasons(v)
    return str(v)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.utcoffset() is not None else dt.replace(tzinfo=timezone.utc)


def format_time(dt: datetime | None) -> str:
    """'2024-10-12 18:30' in Beijing time ('' for None)."""
    dt = _aware(dt)
    if dt is None:
        return ""
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _as_int(v: Any) -> int | None:
    if E.is_blank(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or f != int(f):
        return None
    return int(f)


def _version_of(row: Mapping[str, Any]) -> Any:
    v = row.get("version")
    if v is ANY_VERSION:
        return ANY_VERSION
    return _as_int(v)


def _require_writer(principal: Principal | None) -> Principal:
    """Signed in and allowed to write at all (admin or staff); leaders are refused outright."""
    p = require_role(principal, ADMIN, STAFF, LEADER)
    if p.role == LEADER:
        raise PermissionDenied("没有权限：领导账户为只读，不能修改数据")
    return p


@contextmanager
def _transaction(engine: Engine, dry_run: bool) -> Iterator[Session]:
    if not dry_run:
        with session_scope(engine) as s:
            yield s
        return
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
        finally:
            s.rollback()


def _take_write_lock(s: Session) -> None:
    """SQLite: take the database write lock before reading, so concurrent writers queue instead of
    failing on a stale snapshot. PostgreSQL uses row locks instead (FOR UPDATE)."""
    if s.get_bind().dialect.name == "sqlite":
        s.execute(text("UPDATE data_version SET revision = revision WHERE id = 1"))


def _settings(s: Session) -> Settings:
    row = s.get(Setting, SETTINGS_KEY)
    return Settings.from_dict(row.value) if row else DEFAULT_SETTINGS


def _load_period(s: Session, code: str, lock: bool) -> tuple[Period, int] | None:
    q = select(Period, FiscalYear.year).join(FiscalYear, FiscalYear.id == Period.fiscal_year_id).where(
        Period.code == code)
    if lock:
        q = q.with_for_update(read=True, of=Period)  # a concurrent lock_period waits for us
    row = s.execute(q).first()
    return (row[0], row[1]) if row else None


def _period_refusal(s: Session, code: str, lock: bool) -> tuple[str | None, Period | None, int | None]:
    """(message, period, year): a message when the period is unknown or locked."""
    try:
        code = parse_period(code).key
    except ValueError as e:
        return f"填报期：{e}", None, None
    found = _load_period(s, code, lock)
    if found is None:
        return f"填报期：{code}不存在（尚未导入该年度的绩效目标）", None, None
    period, year = found
    if period.locked:
        who = f"（{period.locked_by}于{format_time(period.locked_at)}锁定）" if period.locked_by else ""
        return f"填报期：{period.code}已锁定{who}，只读；如需修改请联系管理员重新开放", period, year
    return None, period, year


def _target_of(ind: Indicator) -> Target:
    return Target(raw=ind.target_text, kind=ind.kind, op=ind.op, value=ind.value, unit=ind.unit,
                  deadline=ind.deadline, start=ind.start)


def _indicator_input(ind: Indicator) -> IndicatorInput:
    return IndicatorInput(id=ind.id, level1=ind.level1, level2=ind.level2, level3=ind.level3,
                          target=_target_of(ind), accumulates=ind.accumulates)


def _record(a: IndicatorActual | SpendingActual | None, fields: Sequence[str]) -> dict[str, Any]:
    if a is None:
        return {k: None for k in fields}
    return {k: getattr(a, k) for k in fields}


def _period_ends(s: Session, fiscal_year_id: int) -> dict[str, date]:
    return {c: e for c, e in s.execute(select(Period.code, Period.end).where(Period.fiscal_year_id == fiscal_year_id))}


def _earlier_codes(ends: Mapping[str, date], period_end: date) -> dict[str, date]:
    return {c: e for c, e in ends.items() if e < period_end}


def _latest_by(rows: Iterable[tuple[int, str, datetime | None, Any]], ends: Mapping[str, date]) -> dict[int, Any]:
    """key -> value of the latest period (then the latest saved) among (key, code, updated_at, value)."""
    best: dict[int, tuple] = {}
    for key, code, at, value in rows:
        rank = (ends.get(code, date.min), _aware(at) or datetime.min.replace(tzinfo=timezone.utc))
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    return {k: v for k, (_, v) in best.items()}


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


def _detail(source: str, note: str) -> str:
    label = SOURCE_LABELS.get(source, source)
    return f"来源：{label}" + (f"；{note}" if note else "")


# --------------------------------------------------------------------------- indicator rows

IND_WRITE_BASE = (E.LIKELIHOOD, E.REASONS, E.EXPLANATION, E.MEASURES, E.REMARKS)


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
    p = _require_writer(principal)
    with _transaction(engine, dry_run) as s:
        return _save_indicators(s, p, period_code, list(rows), source, dry_run, note)


def _start_save(s: Session, res: SaveResult, rows: list[Mapping[str, Any]], dry_run: bool, id_key: str,
                id_field: str, missing_msg: str, duplicate_msg: str):
    """What every save does first: take the write lock, refuse a missing or locked period for every row,
    and map row positions to ids (a missing or repeated id is a row error). None when nothing is left."""
    if not rows:
        return None
    if not dry_run:
        _take_write_lock(s)
    refusal, period, year = _period_refusal(s, res.period_code, lock=not dry_run)
    if refusal:
        for i, r in enumerate(rows):
            res.errors.append(RowError(i, E.PERIOD, refusal, _as_int(r.get(id_key))))
        return None
    assert period is not None and year is not None
    res.period_code = period.code
    ids: dict[int, int] = {}
    seen: set[int] = set()
    for i, r in enumerate(rows):
        rid = _as_int(r.get(id_key))
        if rid is None:
            res.errors.append(RowError(i, id_field, missing_msg))
        elif rid in seen:
            res.errors.append(RowError(i, E.ROW, duplicate_msg, rid))
        else:
            seen.add(rid)
            ids[i] = rid
    if not ids:
        return None
    return period, year, _settings(s), ids


def _save_indicators(s: Session, p: Principal, period_code: str, rows: list[Mapping[str, Any]], source: str,
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
        template = _indicator_input(ind)
        mode = indicator_mode(template, settings)
        writable = [k for k in E.applicable_fields(mode)]
        given = {k: row[k] for k in writable if k in row}
        old = _record(a, E.INDICATOR_FIELDS)
        merged = dict(old)
        merged.update(given)

        if a is None and all(E.is_blank(v) for v in given.values()):
            res.unchanged.append(i)  # nothing entered, nothing stored
            continue

        version = _version_of(row)
        stored_version = a.version if a is not None else None
        check = E.check_indicator_row(merged, template, as_of, settings, year)
        new = check.values.as_record()
        diff = [k for k in writable if not _same(_norm_cmp(k, old.get(k)), _norm_cmp(k, new.get(k)))]

        unreadable = _unreadable(given, new)

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
        if not diff and not unreadable:
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
                  username, now, code, _detail(source, note))


# --------------------------------------------------------------------------- spending rows


def save_spending_rows(engine: Engine, principal: Principal | None, period_code: str,
                       rows: Sequence[Mapping[str, Any]], *, source: str = "screen", dry_run: bool = False,
                       note: str = "") -> SaveResult:
    """Validate and save projects' cumulative spending for one period.

    Each row: ``project_id``, ``version`` (as for indicators) and any of ``spent_wan``,
    ``projected_wan``, ``explanation``. Same permissions, locking, concurrency and audit as
    :func:`save_indicator_rows`.
    """
    p = _require_writer(principal)
    with _transaction(engine, dry_run) as s:
        return _save_spending(s, p, period_code, list(rows), source, dry_run, note)


def _plans(s: Session, project_ids: Iterable[int]) -> dict[int, list[PlanPoint]]:
    plans: dict[int, list[PlanPoint]] = defaultdict(list)
    for pid, label, due, pct in s.execute(
        select(PlanCheckpoint.project_id, PlanCheckpoint.label, PlanCheckpoint.due, PlanCheckpoint.cumulative_pct)
        .where(PlanCheckpoint.project_id.in_(sorted(set(project_ids))))
        .order_by(PlanCheckpoint.project_id, PlanCheckpoint.seq)
    ):
        plans[pid].append(PlanPoint(label, due, pct))
    return plans


def _previous_spending(s: Session, project_ids: Iterable[int], fiscal_year_id: int, period_end: date
                       ) -> dict[int, float | None]:
    ends = _period_ends(s, fiscal_year_id)
    earlier = _earlier_codes(ends, period_end)
    if not earlier:
        return {}
    rows = s.execute(
        select(SpendingActual.project_id, SpendingActual.period_code, SpendingActual.updated_at,
               SpendingActual.spent_wan)
        .where(SpendingActual.project_id.in_(sorted(set(project_ids))),
               SpendingActual.period_code.in_(sorted(earlier)), SpendingActual.spent_wan.is_not(None))
    ).all()
    return _latest_by(rows, ends)


def _save_spending(s: Session, p: Principal, period_code: str, rows: list[Mapping[str, Any]], source: str,
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
    plans = _plans(s, seen)
    previous = _previous_spending(s, seen, period.fiscal_year_id, period.end)
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
        old = _record(a, fields)
        merged = dict(old)
        merged.update(given)
        if a is None and all(E.is_blank(v) for v in given.values()):
            res.unchanged.append(i)
            continue
        version = _version_of(row)
        stored_version = a.version if a is not None else None
        template = ProjectInput(id=pr.id, name=pr.name, budget_wan=pr.budget_wan, plan=plans.get(pid, []))
        check = E.check_spending_row(merged, template, as_of, settings, year, previous.get(pid))
        new = check.values.as_record()
        diff = [k for k in fields if not _same(_norm_cmp(k, old.get(k)), _norm_cmp(k, new.get(k)))]
        if version is not ANY_VERSION and version != stored_version:
            if check.ok and not diff and a is not None:
                res.unchanged.append(i)
                continue
            res.conflicts.append(Conflict(i, pid, stored_version, (a.updated_by if a else ""),
                                          (a.updated_at if a else None), old, given, version))
            continue
        if check.status is not None:
            res.statuses[i] = (check.status.status, check.status.reason)
        if not diff and not _unreadable(given, new):
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
                  [dict(values) for _i, values, _c in inserts], updates, username, now, code, _detail(source, note))


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
                                          _record(theirs, list(values)),
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


# --------------------------------------------------------------------------- file imports


@dataclass(frozen=True, slots=True)
class LineError:
    """A refused line of an uploaded file: where (``第5行`` / ``指标填报第5行``), field, Chinese message."""

    where: str
    line: int | None
    field: str
    message: str
    item: str = ""  # project / 三级指标, for the reader


@dataclass(frozen=True, slots=True)
class LineChange:
    where: str
    line: int
    period_code: str
    item: str
    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return E.field_label(self.field)


@dataclass(slots=True)
class ImportResult:
    dry_run: bool
    total: int = 0  # data lines read
    saved: int = 0  # lines written (or, in a dry run, that would be)
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    conflicts: list[tuple[str, str, Conflict]] = field(default_factory=list)  # (where, item, conflict)
    changes: list[LineChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def failed(self) -> int:
        return len({e.where for e in self.errors} | {w for w, _i, _c in self.conflicts})

    def summary(self) -> str:
        verb = "将保存" if self.dry_run else "已保存"
        parts = [f"共{self.total}行", f"{verb}{self.saved}行", f"未改动{self.unchanged}行"]
        if self.failed:
            parts.append(f"{self.failed}行未通过")
        return "，".join(parts)


def _norm_name(s: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", s or "").split())


def import_actuals(engine: Engine, principal: Principal | None, parsed, *, dry_run: bool = False,
                   source: str | None = None, note: str = "") -> ImportResult:
    """Save the rows of an uploaded template or CSV (``documents.actuals_template.ActualsFile``) with the
    same validation, permissions, locking, concurrency and audit as the screen, in ONE transaction (a
    database error stores nothing; refused lines are listed, the others stored). CSV rows are matched by
    project name and 三级指标 text within the period's fiscal year. ``dry_run`` previews old -> new."""
    from documents.actuals_template import INDICATOR, SPENDING

    p = _require_writer(principal)
    source = source or parsed.source
    out = ImportResult(dry_run=dry_run, total=len(parsed.rows) + len({(pr.sheet, pr.line) for pr in parsed.problems}))
    for pr in parsed.problems:
        out.errors.append(LineError(pr.where, pr.line, pr.field, pr.message))
    if not parsed.rows:
        return out
    with _transaction(engine, dry_run) as s:
        settings = _settings(s)
        periods = {pc: fy for pc, fy in s.execute(select(Period.code, Period.fiscal_year_id))}
        # name lookups for CSV rows, per fiscal year
        need_names = any(r.project_id is None and r.indicator_id is None for r in parsed.rows)
        projects: dict[tuple[int, str], list[int]] = defaultdict(list)
        inds: dict[tuple[int, str], list[Indicator]] = defaultdict(list)
        by_id: dict[int, Indicator] = {}
        if need_names:
            for pid, fy, name in s.execute(select(Project.id, Project.fiscal_year_id, Project.name)):
                projects[(fy, _norm_name(name))].append(pid)
        wanted_ind = {r.indicator_id for r in parsed.rows if r.indicator_id is not None}
        q = select(Indicator)
        if not need_names:
            q = q.where(Indicator.id.in_(sorted(wanted_ind)))
        for ind in s.execute(q).scalars():
            by_id[ind.id] = ind
            inds[(ind.project_id, _norm_name(ind.level3))].append(ind)

        groups: dict[tuple[str, str], list[tuple[Any, dict]]] = defaultdict(list)
        for r in parsed.rows:
            item = r.project + (f" / {r.indicator}" if r.indicator else "")

            def fail(field_: str, msg: str, r=r, item=item):
                out.errors.append(LineError(r.where, r.line, field_, msg, item))

            code = r.period_code
            if code not in periods:
                fail(E.PERIOD, f"填报期：{code}不存在（尚未导入该年度的绩效目标）")
                continue
            fy = periods[code]
            if r.kind == SPENDING:
                pid = r.project_id
                if pid is None:
                    found = projects.get((fy, _norm_name(r.project)), [])
                    if not found:
                        fail(E.PROJECT, f"项目：找不到项目「{r.project}」")
                        continue
                    if len(found) > 1:
                        fail(E.PROJECT, f"项目：「{r.project}」对应多个项目，无法确定")
                        continue
                    pid = found[0]
                groups[(SPENDING, code)].append((r, dict(r.values, project_id=pid, version=r.version)))
                continue
            ind = by_id.get(r.indicator_id) if r.indicator_id is not None else None
            if r.indicator_id is None:
                found = projects.get((fy, _norm_name(r.project)), [])
                if not found:
                    fail(E.PROJECT, f"项目：找不到项目「{r.project}」")
                    continue
                if len(found) > 1:
                    fail(E.PROJECT, f"项目：「{r.project}」对应多个项目，无法确定")
                    continue
                matches = inds.get((found[0], _norm_name(r.indicator)), [])
                if not matches:
                    fail(E.INDICATOR, f"三级指标：项目「{r.project}」中没有指标「{r.indicator}」")
                    continue
                if len(matches) > 1:
                    fail(E.INDICATOR, f"三级指标：项目「{r.project}」中有{len(matches)}个「{r.indicator}」，无法确定；"
                                      "请改用Excel填报模板")
                    continue
                ind = matches[0]
            if ind is None:
                fail(E.INDICATOR, f"三级指标：编号{r.indicator_id}的指标不存在")
                continue
            values = dict(r.values)
            if r.generic:
                mode = indicator_mode(_indicator_input(ind), settings)
                values = {k: v for k, v in values.items() if k not in ("actual", "projected")}
                values.update(E.route_generic_values(mode, r.values.get("actual"), r.values.get("projected")))
            groups[(INDICATOR, code)].append((r, dict(values, indicator_id=ind.id, version=r.version)))

        for (kind, code), items in sorted(groups.items()):
            rows = [row for _r, row in items]
            if kind == SPENDING:
                res = _save_spending(s, p, code, rows, source, dry_run, note)
            else:
                res = _save_indicators(s, p, code, rows, source, dry_run, note)
            for e in res.errors:
                r = items[e.row][0]
                out.errors.append(LineError(r.where, r.line, e.field, e.message,
                                            r.project + (f" / {r.indicator}" if r.indicator else "")))
            for c in res.conflicts:
                r = items[c.row][0]
                out.conflicts.append((r.where, r.project + (f" / {r.indicator}" if r.indicator else ""), c))
            for ch in res.changes:
                r = items[ch.row][0]
                out.changes.append(LineChange(r.where, r.line, code,
                                              r.project + (f" / {r.indicator}" if r.indicator else ""),
                                              ch.field, ch.old, ch.new))
            out.saved += len(res.would_save) if dry_run else len(res.saved)
            out.unchanged += len(res.unchanged)
    out.errors.sort(key=lambda e: (e.where.split("第")[0], e.line or 0))
    return out


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class PeriodState:
    code: str
    label: str
    kind: str
    start: date
    end: date
    locked: bool
    locked_by: str | None
    locked_at: datetime | None
    indicator_rows: int = 0
    spending_rows: int = 0

    @property
    def state_label(self) -> str:
        return "已锁定" if self.locked else "开放"


def period_label(code: str) -> str:
    """'2024Q3' -> '2024年第三季度', '2024-09' -> '2024年9月' (the code itself when unknown)."""
    try:
        return parse_period(code).label
    except ValueError:
        return code


def period_states(engine: Engine, year: int | None = None, kind: str | None = None) -> list[PeriodState]:
    """The reporting periods of a fiscal year (default: the latest) with their lock state and how many
    rows were entered; ``kind`` 'quarter'/'month' narrows them."""
    with Session(engine) as s:
        q = select(FiscalYear.id, FiscalYear.year)
        q = q.where(FiscalYear.year == year) if year else q.order_by(FiscalYear.year.desc())
        fy = s.execute(q).first()
        if fy is None:
            return []
        pq = select(Period).where(Period.fiscal_year_id == fy[0])
        if kind:
            pq = pq.where(Period.kind == kind)
        periods = list(s.execute(pq.order_by(Period.end, Period.kind)).scalars())
        codes = [p.code for p in periods]
        n_ind = dict(s.execute(select(IndicatorActual.period_code, func.count()).where(
            IndicatorActual.period_code.in_(codes)).group_by(IndicatorActual.period_code)).all())
        n_sp = dict(s.execute(select(SpendingActual.period_code, func.count()).where(
            SpendingActual.period_code.in_(codes)).group_by(SpendingActual.period_code)).all())
    return [PeriodState(p.code, period_label(p.code), p.kind, p.start, p.end, p.locked, p.locked_by,
                        _aware(p.locked_at), int(n_ind.get(p.code, 0)), int(n_sp.get(p.code, 0)))
            for p in periods]


def period_state(engine: Engine, code: str) -> PeriodState | None:
    with Session(engine) as s:
        p = s.execute(select(Period).where(Period.code == code)).scalar_one_or_none()
    if p is None:
        return None
    return PeriodState(p.code, period_label(p.code), p.kind, p.start, p.end, p.locked, p.locked_by,
                       _aware(p.locked_at))


def reporting_kind(engine: Engine) -> str:
    with Session(engine) as s:
        kind = _settings(s).reporting_period
    return kind if kind in (QUARTER, MONTH) else QUARTER


def default_entry_period(engine: Engine, year: int | None = None, today: date | None = None) -> str | None:
    """The period staff fill by default: the reporting period that contains the default as-of date
    (the end of the latest period with data, else the latest closed one), or the next open period
    after it when it is locked."""
    from data_access.monitoring import default_as_of_date, fiscal_year_of

    year = fiscal_year_of(engine, year)
    if year is None:
        return None
    states = period_states(engine, year, reporting_kind(engine))
    if not states:
        return None
    as_of = default_as_of_date(engine, year, today=today)
    current = next((st for st in states if st.start <= as_of <= st.end), states[-1])
    if current.locked:
        later = [st for st in states if st.end > current.end and not st.locked]
        if later:
            return later[0].code
    return current.code


def _set_lock(engine: Engine, principal: Principal | None, code: str, locked: bool, reason: str) -> bool:
    p = require_admin(principal)
    reason = (reason or "").strip()
    if not locked and not reason:
        raise ValueError("重新开放填报期须填写原因")
    if len(reason) > E.MAX_TEXT:
        raise ValueError(f"原因最多{E.MAX_TEXT}字（当前{len(reason)}字）")
    with session_scope(engine) as s:
        _take_write_lock(s)
        period = s.execute(select(Period).where(Period.code == code).with_for_update()).scalar_one_or_none()
        if period is None:
            raise ValueError(f"填报期{code}不存在")
        if bool(period.locked) == locked:
            return False
        now = utcnow()
        period.locked = locked
        period.locked_by = p.username if locked else None
        period.locked_at = now if locked else None
        s.add(AuditLog(at=now, username=p.username, action="lock" if locked else "unlock", entity=PERIOD_ENTITY,
                       entity_id=period.id, period_code=period.code, field="locked",
                       old=str(not locked).lower(), new=str(locked).lower(),
                       detail=(f"锁定填报期{period.code}" if locked else f"重新开放填报期{period.code}")
                       + (f"；原因：{reason}" if reason else "")))
        bump_revision(s)
    return True


def lock_period(engine: Engine, principal: Principal | None, code: str, reason: str = "") -> bool:
    """Admin only: make a period read-only for everyone. False when it was already locked."""
    return _set_lock(engine, principal, code, True, reason)


def reopen_period(engine: Engine, principal: Principal | None, code: str, reason: str) -> bool:
    """Admin only, with a reason (audit-logged): make a locked period writable again."""
    return _set_lock(engine, principal, code, False, reason)


# --------------------------------------------------------------------------- editor frames

# column names the editors show (Chinese) -> field keys
IND_EDIT_COLUMNS: dict[str, str] = {
    "当前完成值": E.ACTUAL,
    "完成情况": E.JUDGEMENT,
    "完成日期": E.DATE,
    "全年预计": E.PROJECTED,
    "全年预计（定性）": E.PROJECTED_JUDGEMENT,
    "完成可能性": E.LIKELIHOOD,
    "偏差原因": E.REASONS,
    "说明": E.EXPLANATION,
    "纠偏措施": E.MEASURES,
    "备注": E.REMARKS,
}
IND_FIELD_COLUMNS = {v: k for k, v in IND_EDIT_COLUMNS.items()}
IND_READONLY_COLUMNS = ["项目", "一级指标", "二级指标", "三级指标", "目标", "单位", "类型", "上期值", "状态",
                        "状态原因", "须填写", "填报人", "更新时间"]
IND_HIDDEN_COLUMNS = ["_indicator_id", "_project_id", "_actual_id", "_version", "_mode", "_status", "_unit_id"]
IND_COLUMNS = (IND_HIDDEN_COLUMNS + ["项目", "一级指标", "二级指标", "三级指标", "目标", "单位", "类型", "上期值"]
               + list(IND_EDIT_COLUMNS) + ["状态", "状态原因", "须填写", "填报人", "更新时间"])

SP_EDIT_COLUMNS: dict[str, str] = {
    "累计支出（万元）": E.SPENT,
    "全年预计执行数（万元）": E.PROJECTED_SPENT,
    "说明": E.EXPLANATION,
}
SP_FIELD_COLUMNS = {v: k for k, v in SP_EDIT_COLUMNS.items()}
SP_READONLY_COLUMNS = ["项目", "责任单位", "预算（万元）", "计划进度%", "上期累计支出（万元）", "执行率%", "状态",
                       "状态原因", "须填写", "填报人", "更新时间"]
SP_HIDDEN_COLUMNS = ["_project_id", "_actual_id", "_version", "_status", "_unit_id"]
SP_COLUMNS = (SP_HIDDEN_COLUMNS + ["项目", "责任单位", "预算（万元）", "计划进度%", "上期累计支出（万元）"]
              + list(SP_EDIT_COLUMNS) + ["执行率%", "状态", "状态原因", "须填写", "填报人", "更新时间"])


def status_text(status: str) -> str:
    from data_access.views import status_text as _st

    return _st(status)


def _required_text(req, a: IndicatorActual | None) -> str:
    """The fields the rules require for this row that are still empty (what the user must add)."""
    def empty(text: str | None) -> bool:
        return not (text or "").strip()

    parts = []
    if req.value and (a is None or (a.actual_value is None and not a.actual_judgement and a.actual_date is None)):
        parts.append("当前值")
    if req.reasons and (a is None or empty(a.reasons)):
        parts.append("偏差原因")
    if req.explanation and (a is None or empty(a.explanation)):
        parts.append("说明")
    if req.likelihood and (a is None or empty(a.likelihood)):
        parts.append("完成可能性")
    if req.measures and (a is None or empty(a.measures)):
        parts.append("纠偏措施")
    return "、".join(parts)


def format_entry_value(mode: str, unit: str | None, value: float | None, judgement: str | None,
                       done: date | None) -> str:
    """One cell of '上期值': the number with its unit, the completion date, or the judgement."""
    if mode in (ACCUMULATING, LEVEL, CAP):
        return fmt_num(value, unit) if value is not None else ""
    if done is not None:
        return f"{done.isoformat()}完成"
    return judgement or ""


def _editable_projects(s: Session, principal: Principal | None, period: Period,
                       project_ids: Sequence[int] | None):
    q = (select(Project.id, Project.name, Project.unit_id, Unit.name, Project.budget_wan, Project.seq)
         .outerjoin(Unit, Unit.id == Project.unit_id)
         .where(Project.fiscal_year_id == period.fiscal_year_id)
         .order_by(Project.seq, Project.id))
    f = visible_project_filter(principal)
    if f is not None:
        q = q.where(f)
    if project_ids is not None:
        q = q.where(Project.id.in_(list(project_ids)))
    return s.execute(q).all()


def _saved_by(s: Session, actuals) -> dict[str, str]:
    """Display names of who saved these values (one query): 姓名 where the account has one."""
    names = {a.updated_by for a in actuals if a is not None and a.updated_by}
    if not names:
        return {}
    found = dict(s.execute(select(User.username, User.name).where(User.username.in_(sorted(names)))).tuples().all())
    return {u: (found.get(u) or u) for u in names}


def _saved_by_text(a, names: dict[str, str]) -> str:
    if a is None:
        return ""
    return "示例数据" if a.is_demo else names.get(a.updated_by, a.updated_by)


def entry_frame(engine: Engine, principal: Principal | None, period_code: str,
                project_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per indicator of the projects the principal may see (optionally only ``project_ids``)
    for the editor: hidden ids and version, project, 三级指标, target, unit, kind, the previous
    period's value, the current values (cells that do not apply to the kind are empty), status and
    reason (computed by the status engine for the period end), what must be filled, who saved."""
    with Session(engine) as s:
        found = _load_period(s, period_code, lock=False)
        if found is None:
            return pd.DataFrame(columns=IND_COLUMNS)
        period, year = found
        settings = _settings(s)
        projects = _editable_projects(s, principal, period, project_ids)
        if not projects:
            return pd.DataFrame(columns=IND_COLUMNS)
        pids = [r[0] for r in projects]
        pinfo = {r[0]: r for r in projects}
        inds = list(s.execute(select(Indicator).where(Indicator.project_id.in_(pids))
                              .order_by(Indicator.project_id, Indicator.seq)).scalars())
        iids = [i.id for i in inds]
        current = {a.indicator_id: a for a in s.execute(select(IndicatorActual).where(
            IndicatorActual.indicator_id.in_(iids), IndicatorActual.period_code == period.code)).scalars()}
        saved_by = _saved_by(s, current.values())
        ends = _period_ends(s, period.fiscal_year_id)
        earlier = _earlier_codes(ends, period.end)
        prev: dict[int, IndicatorActual] = {}
        if earlier:
            prev_rows = list(s.execute(select(IndicatorActual).where(
                IndicatorActual.indicator_id.in_(iids), IndicatorActual.period_code.in_(sorted(earlier)))).scalars())
            latest = _latest_by(((a.indicator_id, a.period_code, a.updated_at, a) for a in prev_rows), ends)
            prev = latest
    order = {pid: k for k, pid in enumerate(pids)}
    inds.sort(key=lambda i: (order[i.project_id], i.seq))
    rows = []
    for ind in inds:
        pid, pname, unit_id, _uname, _budget, _seq = pinfo[ind.project_id]
        template = _indicator_input(ind)
        mode = indicator_mode(template, settings)
        applies = set(E.applicable_fields(mode))
        a = current.get(ind.id)
        pa = prev.get(ind.id)
        st = evaluate_indicator(
            IndicatorInput(template.id, template.level1, template.level2, template.level3, template.target,
                           template.accumulates,
                           actual=a.actual_value if a else None,
                           actual_judgement=a.actual_judgement if a else None,
                           actual_date=a.actual_date if a else None,
                           projected=a.projected_value if a else None,
                           projected_judgement=a.projected_judgement if a else None,
                           likelihood=a.likelihood if a else None,
                           reasons=E.split_reasons(a.reasons) if a else (),
                           explanation=a.explanation if a else None,
                           measures=a.measures if a else None),
            period.end, settings, year)
        req = explanation_requirements(st)

        def cell(key, default=None):
            if key not in applies or a is None:
                return default
            v = getattr(a, key)
            return default if v is None else v

        rows.append({
            "_indicator_id": ind.id,
            "_project_id": pid,
            "_actual_id": a.id if a else None,
            "_version": a.version if a else None,
            "_mode": mode,
            "_status": st.status,
            "_unit_id": unit_id,
            "项目": pname,
            "一级指标": ind.level1,
            "二级指标": ind.level2,
            "三级指标": ind.level3,
            "目标": ind.target_text,
            "单位": ind.unit or "",
            "类型": E.MODE_KIND_LABELS.get(mode, mode),
            "上期值": format_entry_value(mode, ind.unit, pa.actual_value, pa.actual_judgement, pa.actual_date)
            if pa is not None else "",
            "当前完成值": cell(E.ACTUAL, math.nan),
            "完成情况": cell(E.JUDGEMENT),
            "完成日期": cell(E.DATE),
            "全年预计": cell(E.PROJECTED, math.nan),
            "全年预计（定性）": cell(E.PROJECTED_JUDGEMENT),
            "完成可能性": (a.likelihood if a else None),
            "偏差原因": list(E.split_reasons(a.reasons)) if a else [],
            "说明": (a.explanation if a else "") or "",
            "纠偏措施": (a.measures if a else "") or "",
            "备注": (a.remarks if a else "") or "",
            "状态": status_text(st.status),
            "状态原因": st.reason,
            "须填写": _required_text(req, a),
            "填报人": _saved_by_text(a, saved_by),
            "更新时间": format_time(a.updated_at) if a else "",
        })
    df = pd.DataFrame(rows, columns=IND_COLUMNS)
    for c in ("当前完成值", "全年预计"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("_actual_id", "_version"):
        df[c] = df[c].astype("Int64")
    return df


def spending_frame(engine: Engine, principal: Principal | None, period_code: str,
                   project_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per project: budget, plan progress, the previous period's cumulative spending, this
    period's cumulative spending and projection, 说明, 执行率, budget status and reason."""
    with Session(engine) as s:
        found = _load_period(s, period_code, lock=False)
        if found is None:
            return pd.DataFrame(columns=SP_COLUMNS)
        period, year = found
        settings = _settings(s)
        projects = _editable_projects(s, principal, period, project_ids)
        if not projects:
            return pd.DataFrame(columns=SP_COLUMNS)
        pids = [r[0] for r in projects]
        plans = _plans(s, pids)
        current = {a.project_id: a for a in s.execute(select(SpendingActual).where(
            SpendingActual.project_id.in_(pids), SpendingActual.period_code == period.code)).scalars()}
        saved_by = _saved_by(s, current.values())
        previous = _previous_spending(s, pids, period.fiscal_year_id, period.end)
    rows = []
    for pid, name, unit_id, unit_name, budget, _seq in projects:
        a = current.get(pid)
        pi = ProjectInput(id=pid, name=name, budget_wan=budget, plan=plans.get(pid, []),
                          spent_wan=a.spent_wan if a else None, projected_spent_wan=a.projected_wan if a else None)
        bs = evaluate_budget(pi, period.end, settings, year)
        need = bs.needs_reason or (a is not None and a.spent_wan is not None and previous.get(pid) is not None
                                   and a.spent_wan < previous[pid] - 1e-6)
        rows.append({
            "_project_id": pid,
            "_actual_id": a.id if a else None,
            "_version": a.version if a else None,
            "_status": bs.status,
            "_unit_id": unit_id,
            "项目": name,
            "责任单位": unit_name or "",
            "预算（万元）": round(budget or 0.0, 2),
            "计划进度%": None if bs.expected_pct is None else round(bs.expected_pct, 1),
            "上期累计支出（万元）": previous.get(pid),
            "累计支出（万元）": a.spent_wan if a else None,
            "全年预计执行数（万元）": a.projected_wan if a else None,
            "说明": (a.explanation if a else "") or "",
            "执行率%": None if bs.execution_pct is None else round(bs.execution_pct, 1),
            "状态": status_text(bs.status),
            "状态原因": bs.reason,
            "须填写": "说明" if need else ("累计支出" if bs.status == "missing" else ""),
            "填报人": _saved_by_text(a, saved_by),
            "更新时间": format_time(a.updated_at) if a else "",
        })
    df = pd.DataFrame(rows, columns=SP_COLUMNS)
    for c in ("预算（万元）", "计划进度%", "上期累计支出（万元）", "累计支出（万元）", "全年预计执行数（万元）", "执行率%"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("_actual_id", "_version"):
        df[c] = df[c].astype("Int64")
    return df


def editable_projects(engine: Engine, principal: Principal | None, year: int | None = None) -> pd.DataFrame:
    """Projects the principal may fill (id, name, unit) for the project picker."""
    from data_access.monitoring import year_id

    with Session(engine) as s:
        fy = year_id(s, year)
        if fy is None:
            return pd.DataFrame(columns=["id", "name", "unit_id", "unit"])
        q = (select(Project.id, Project.name, Project.unit_id, Unit.name.label("unit"))
             .outerjoin(Unit, Unit.id == Project.unit_id)
             .where(Project.fiscal_year_id == fy[0]).order_by(Project.seq, Project.id))
        f = visible_project_filter(principal)
        if f is not None:
            q = q.where(f)
        if principal is not None and principal.role == LEADER:
            q = q.where(False)  # noqa: FBT003 - leaders fill nothing
        rows = s.execute(q).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", "name", "unit_id", "unit"])


# --------------------------------------------------------------------------- history and audit

HISTORY_COLUMNS = ["时间", "填报期", "项目", "事项", "字段", "原值", "新值", "操作人", "来源"]
AUDIT_COLUMNS = ["时间", "操作人", "操作", "对象", "对象编号", "填报期", "字段", "原值", "新值", "说明"]
ACTION_LABELS = {"update": "修改", "import": "导入", "lock": "锁定", "unlock": "重新开放", "login": "登录",
                 "logout": "退出", "demo-data": "示例数据", "create_user": "创建用户"}
ENTITY_LABELS = {IND_ENTITY: "指标填报", SP_ENTITY: "预算执行填报", PERIOD_ENTITY: "填报期", "setting": "规则设置",
                 "actuals": "填报数据", "user": "用户"}


def _field_label(field_: str | None) -> str:
    if not field_:
        return ""
    return E.FIELD_LABELS.get(field_, field_)


def history(engine: Engine, project_id: int | None = None, indicator_id: int | None = None, *,
            principal: Principal | None = None, limit: int = 1000) -> pd.DataFrame:
    """Every change to a project's reported values (its indicators and its spending), or to one
    indicator's, newest first: 时间, 填报期, 项目, 事项 (三级指标 or 预算执行), 字段, 原值, 新值, 操作人, 来源.
    With ``principal``, a project outside what they may see raises :class:`PermissionDenied`."""
    if project_id is None and indicator_id is None:
        raise ValueError("history() needs project_id or indicator_id")
    with Session(engine) as s:
        if principal is not None:
            from data_access.permissions import check_can_read_project

            pid = project_id
            if pid is None:
                pid = s.execute(select(Indicator.project_id).where(Indicator.id == indicator_id)).scalar()
            unit_id = s.execute(select(Project.unit_id).where(Project.id == pid)).scalar()
            check_can_read_project(principal, unit_id)
        ind_q = (select(AuditLog.at, AuditLog.period_code, Project.name, Indicator.level3, AuditLog.field,
                        AuditLog.old, AuditLog.new, AuditLog.username, AuditLog.detail, AuditLog.id)
                 .join(IndicatorActual, and_(AuditLog.entity == IND_ENTITY, AuditLog.entity_id == IndicatorActual.id))
                 .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
                 .join(Project, Project.id == Indicator.project_id))
        ind_q = ind_q.where(Indicator.id == indicator_id) if indicator_id is not None else ind_q.where(
            Project.id == project_id)
        rows = list(s.execute(ind_q.order_by(AuditLog.id.desc()).limit(limit)).all())
        if indicator_id is None:
            sp_q = (select(AuditLog.at, AuditLog.period_code, Project.name, text("'预算执行'"), AuditLog.field,
                           AuditLog.old, AuditLog.new, AuditLog.username, AuditLog.detail, AuditLog.id)
                    .join(SpendingActual, and_(AuditLog.entity == SP_ENTITY, AuditLog.entity_id == SpendingActual.id))
                    .join(Project, Project.id == SpendingActual.project_id)
                    .where(Project.id == project_id))
            rows += list(s.execute(sp_q.order_by(AuditLog.id.desc()).limit(limit)).all())
    rows.sort(key=lambda r: r[-1], reverse=True)
    out = [{
        "时间": format_time(at), "填报期": code or "", "项目": pname, "事项": item, "字段": _field_label(f),
        "原值": old if old is not None else "", "新值": new if new is not None else "", "操作人": who,
        "来源": (detail or "").removeprefix("来源："),
    } for at, code, pname, item, f, old, new, who, detail, _id in rows[:limit]]
    return pd.DataFrame(out, columns=HISTORY_COLUMNS)


@dataclass(frozen=True)
class AuditFilters:
    """What the admin audit view filters on; empty means "all"."""

    username: str = ""
    action: str = ""
    entity: str = ""
    period_code: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    text: str = ""  # found in old/new/detail
    limit: int = 2000


def audit_frame(engine: Engine, principal: Principal | None, filters: AuditFilters | None = None) -> pd.DataFrame:
    """The audit trail for the admin (newest first). Raises :class:`PermissionDenied` for others."""
    require_admin(principal)
    f = filters or AuditFilters()
    q = select(AuditLog)
    if f.username:
        q = q.where(AuditLog.username == f.username.strip().lower())
    if f.action:
        q = q.where(AuditLog.action == f.action)
    if f.entity:
        q = q.where(AuditLog.entity == f.entity)
    if f.period_code:
        q = q.where(AuditLog.period_code == f.period_code)
    if f.since:
        q = q.where(AuditLog.at >= datetime.combine(f.since, datetime.min.time(), LOCAL_TZ).astimezone(timezone.utc))
    if f.until:
        q = q.where(AuditLog.at < datetime.combine(f.until + timedelta(days=1), datetime.min.time(),
                                                   LOCAL_TZ).astimezone(timezone.utc))
    if f.text:
        like = f"%{f.text.strip()}%"
        q = q.where(or_(AuditLog.old.like(like), AuditLog.new.like(like), AuditLog.detail.like(like)))
    with Session(engine) as s:
        rows = list(s.execute(q.order_by(AuditLog.id.desc()).limit(max(1, int(f.limit)))).scalars())
    out = [{
        "时间": format_time(r.at), "操作人": r.username, "操作": ACTION_LABELS.get(r.action, r.action),
        "对象": ENTITY_LABELS.get(r.entity, r.entity), "对象编号": r.entity_id, "填报期": r.period_code or "",
        "字段": _field_label(r.field), "原值": r.old or "", "新值": r.new or "", "说明": r.detail or "",
    } for r in rows]
    df = pd.DataFrame(out, columns=AUDIT_COLUMNS)
    df["对象编号"] = df["对象编号"].astype("Int64")
    return df


__all__ = [
    "SYSTEM_ADMIN", "SOURCE_LABELS", "RowError", "Conflict", "Change", "SaveResult", "save_indicator_rows",
    "save_spending_rows", "PeriodState", "period_states", "period_state", "period_label", "reporting_kind",
    "default_entry_period", "lock_period", "reopen_period", "IND_EDIT_COLUMNS", "IND_FIELD_COLUMNS",
    "IND_COLUMNS", "IND_READONLY_COLUMNS", "IND_HIDDEN_COLUMNS", "SP_EDIT_COLUMNS", "SP_FIELD_COLUMNS",
    "SP_COLUMNS", "SP_READONLY_COLUMNS", "SP_HIDDEN_COLUMNS", "entry_frame", "spending_frame",
    "editable_projects", "history", "AuditFilters", "audit_frame", "format_time", "fmt_value", "ANY_VERSION",
    "LineError", "LineChange", "ImportResult", "import_actuals",
]
