"""Who may write, in which transaction, to which period: what every write of reported values checks first.

Definitions chosen here:

* **Permissions**: leaders write nothing (the whole call is refused, :func:`require_writer`); staff and
  the admin are then checked per row (``data_access.permissions.check_can_write_project``).
* **One transaction per call** (:func:`transaction`); a dry run opens a session that is always rolled
  back, so it computes everything and writes nothing.
* **SQLite** takes the database write lock first (:func:`take_write_lock`, a no-op ``UPDATE``) so
  writers queue; PostgreSQL uses row locks (``FOR UPDATE``) instead.
* **Locked periods** are read-only for everyone until an admin reopens them (:func:`period_refusal`);
  a writer holds a shared lock on its period row so a concurrent lock waits for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.acting import take_write_lock as take_write_lock  # re-exported for the writers here
from data_access.db import session_scope
from data_access.models import FiscalYear, Period, Setting
from data_access.permissions import ADMIN, LEADER, STAFF, PermissionDenied, Principal, require_role
from data_access.permissions import SYSTEM_ADMIN as SYSTEM_ADMIN  # re-exported (data_access.actuals.SYSTEM_ADMIN)
from domain.clock import format_time
from domain.periods import format_day, locked_by, parse_period
from domain.settings import DEFAULT_SETTINGS, Settings

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



def require_writer(principal: Principal | None) -> Principal:
    """Signed in and allowed to write at all (admin or staff); leaders are refused outright."""
    p = require_role(principal, ADMIN, STAFF, LEADER)
    if p.role == LEADER:
        raise PermissionDenied("没有权限：领导账户为只读，不能修改数据")
    return p


@contextmanager
def transaction(engine: Engine, dry_run: bool) -> Iterator[Session]:
    if not dry_run:
        with session_scope(engine) as s:
            yield s
        return
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
        finally:
            s.rollback()


def settings_of(s: Session) -> Settings:
    row = s.get(Setting, SETTINGS_KEY)
    return Settings.from_dict(row.value) if row else DEFAULT_SETTINGS


def load_period(s: Session, code: str, lock: bool) -> tuple[Period, int] | None:
    q = select(Period, FiscalYear.year).join(FiscalYear, FiscalYear.id == Period.fiscal_year_id).where(
        Period.code == code)
    if lock:
        q = q.with_for_update(read=True, of=Period)  # a concurrent lock_period waits for us
    row = s.execute(q).first()
    return (row[0], row[1]) if row else None


def covering_locks(s: Session, period: Period, lock: bool) -> list[Period]:
    """The locked periods that make ``period`` read-only (``domain.periods.locked_by``), itself first
    when it is locked. With ``lock`` every period of its year is read with a shared row lock, so a
    concurrent lock_period on any period that could cover this one waits for the writer."""
    q = select(Period).where(Period.fiscal_year_id == period.fiscal_year_id).order_by(Period.id)
    if lock:
        q = q.with_for_update(read=True)
    year_periods = {p.code: p for p in s.execute(q).scalars()}
    return [year_periods[c] for c in locked_by(period.code, [c for c, p in year_periods.items() if p.locked])]


def period_refusal(s: Session, code: str, lock: bool) -> tuple[str | None, Period | None, int | None]:
    """(message, period, year): a message when the period is unknown, locked, or covered by a locked
    period (``domain.periods.locked_by``: a locked quarter covers its months, a locked month the quarter
    ending with it)."""
    try:
        code = parse_period(code).key
    except ValueError as e:
        return f"填报期：{e}", None, None
    found = load_period(s, code, lock)
    if found is None:
        return f"填报期：{code}不存在（尚未导入该年度的绩效目标）", None, None
    period, year = found
    covering = covering_locks(s, period, lock)
    if covering:
        lock_row = covering[0]
        who = f"（{lock_row.locked_by}于{format_time(lock_row.locked_at)}锁定）" if lock_row.locked_by else ""
        if lock_row.code == period.code:
            return f"填报期：{period.code}已锁定{who}，只读；如需修改请联系管理员重新开放", period, year
        return (f"填报期：{period.code}的数值截至{format_day(period.end, year)}，该日已随{lock_row.code}锁定{who}，"
                f"只读；如需修改请联系管理员重新开放{lock_row.code}"), period, year
    return None, period, year


def source_detail(source: str, note: str) -> str:
    label = SOURCE_LABELS.get(source, source)
    return f"来源：{label}" + (f"；{note}" if note else "")
