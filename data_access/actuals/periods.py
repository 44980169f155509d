"""Reporting periods: their lock state, the default period to fill, locking and reopening.

Definitions chosen here:

* A locked period is read-only for everyone; only the admin locks and reopens, and reopening needs a
  reason (both are audit-logged with field ``locked``, old -> new).
* A lock covers every period whose values speak for a date inside it (``domain.periods.locked_by``):
  locking 2024Q3 makes 2024-07, 2024-08 and 2024-09 read-only too, locking 2024-09 makes 2024Q3
  read-only. ``PeriodState.covered_by`` names the other locked periods that cover a period.
* A period's 填报截止日 (``deadline``) is set by the admin; unset, it is the period's last day.
* The period staff fill by default is the reporting period (quarter or month, per the rule settings)
  containing the default as-of date, or the next open one after it when that period is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.acting import acting_principal
from data_access.actuals.access import PERIOD_ENTITY, covering_locks, settings_of, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import AuditLog, FiscalYear, IndicatorActual, Period, SpendingActual
from data_access.permissions import Principal, require_admin
from data_access.years import default_as_of_date, fiscal_year_of
from domain import entry as E
from domain.clock import aware, utcnow
from domain.periods import MONTH, QUARTER, locked_by, parse_period


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
    covered_by: tuple[str, ...] = ()  # other locked periods that make this one read-only
    deadline_set: date | None = None  # 填报截止日 as the admin set it (None: the period's end)

    @property
    def deadline(self) -> date:
        """填报截止日: the day set on 填报期管理, else the period's last day."""
        return self.deadline_set or self.end

    @property
    def read_only(self) -> bool:
        return self.locked or bool(self.covered_by)

    @property
    def state_label(self) -> str:
        if self.locked:
            return "已锁定"
        return f"随{'、'.join(self.covered_by)}锁定" if self.covered_by else "开放"


def period_label(code: str) -> str:
    """'2024Q3' -> '2024年第三季度', '2024-09' -> '2024年9月' (the code itself when unknown)."""
    try:
        return parse_period(code).label
    except ValueError:
        return code


def period_states(engine: Engine, year: int | None = None, kind: str | None = None, *,
                  with_counts: bool = True) -> list[PeriodState]:
    """The reporting periods of a fiscal year (default: the latest) with their lock state and how many
    rows were entered (0 with ``with_counts=False``: counting reads every value of the period);
    ``kind`` 'quarter'/'month' narrows them."""
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
        n_ind: dict[str, int] = {}
        n_sp: dict[str, int] = {}
        if with_counts:
            n_ind = dict(s.execute(select(IndicatorActual.period_code, func.count()).where(
                IndicatorActual.period_code.in_(codes)).group_by(IndicatorActual.period_code)).all())
            n_sp = dict(s.execute(select(SpendingActual.period_code, func.count()).where(
                SpendingActual.period_code.in_(codes)).group_by(SpendingActual.period_code)).all())
        locked = [c for c in s.execute(select(Period.code).where(
            Period.fiscal_year_id == fy[0], Period.locked.is_(True))).scalars()]
    return [PeriodState(p.code, period_label(p.code), p.kind, p.start, p.end, p.locked, p.locked_by,
                        aware(p.locked_at), int(n_ind.get(p.code, 0)), int(n_sp.get(p.code, 0)),
                        tuple(c for c in locked_by(p.code, locked) if c != p.code), p.deadline)
            for p in periods]


def period_state(engine: Engine, code: str) -> PeriodState | None:
    with Session(engine) as s:
        p = s.execute(select(Period).where(Period.code == code)).scalar_one_or_none()
        if p is None:
            return None
        covering = tuple(c.code for c in covering_locks(s, p, lock=False) if c.code != p.code)
    return PeriodState(p.code, period_label(p.code), p.kind, p.start, p.end, p.locked, p.locked_by,
                       aware(p.locked_at), covered_by=covering, deadline_set=p.deadline)


def reporting_kind(engine: Engine) -> str:
    with Session(engine) as s:
        kind = settings_of(s).reporting_period
    return kind if kind in (QUARTER, MONTH) else QUARTER


def default_entry_period(engine: Engine, year: int | None = None, today: date | None = None) -> str | None:
    """The period staff fill by default: the reporting period that contains the default as-of date
    (the end of the latest period with data, else the latest closed one), or the next open period
    after it when it is locked."""
    year = fiscal_year_of(engine, year)
    if year is None:
        return None
    states = period_states(engine, year, reporting_kind(engine), with_counts=False)
    if not states:
        return None
    as_of = default_as_of_date(engine, year, today=today)
    current = next((st for st in states if st.start <= as_of <= st.end), states[-1])
    if current.read_only:
        later = [st for st in states if st.end > current.end and not st.read_only]
        if later:
            return later[0].code
    return current.code


def _set_lock(engine: Engine, principal: Principal | None, code: str, locked: bool, reason: str) -> bool:
    p = require_admin(principal)
    reason = E.clean_text(reason, "原因")  # invisible characters stripped, at most MAX_TEXT (ValueError)
    if not locked and not reason:
        raise ValueError("重新开放填报期须填写原因")
    with session_scope(engine) as s:
        take_write_lock(s)
        p = require_admin(acting_principal(s, p))
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
        bump_revision(s, Changed.nothing())  # a lock changes who may write, not a status
    return True


def lock_period(engine: Engine, principal: Principal | None, code: str, reason: str = "") -> bool:
    """Admin only: make a period read-only for everyone. False when it was already locked."""
    return _set_lock(engine, principal, code, True, reason)


def reopen_period(engine: Engine, principal: Principal | None, code: str, reason: str) -> bool:
    """Admin only, with a reason (audit-logged): make a locked period writable again."""
    return _set_lock(engine, principal, code, False, reason)


def set_deadline(engine: Engine, principal: Principal | None, code: str, deadline: date | None) -> bool:
    """Admin only: the period's 填报截止日 (None: back to the period's end), audit-logged old -> new. It
    must lie between the period's start and a year after its end. False when unchanged."""
    p = require_admin(principal)
    with session_scope(engine) as s:
        take_write_lock(s)
        p = require_admin(acting_principal(s, p))
        period = s.execute(select(Period).where(Period.code == code).with_for_update()).scalar_one_or_none()
        if period is None:
            raise ValueError(f"填报期{code}不存在")
        if deadline is not None and not (period.start <= deadline <= period.end + timedelta(days=366)):
            raise ValueError(f"填报截止日须在{period.start.isoformat()}至{(period.end + timedelta(days=366)).isoformat()}之间")
        if period.deadline == deadline:
            return False
        old, period.deadline = period.deadline, deadline
        s.add(AuditLog(at=utcnow(), username=p.username, action="set_deadline", entity=PERIOD_ENTITY,
                       entity_id=period.id, period_code=period.code, field="deadline",
                       old=old.isoformat() if old else None, new=deadline.isoformat() if deadline else None,
                       detail=f"设置{period.code}的填报截止日"))
        bump_revision(s, Changed.nothing())  # a deadline changes when values are due for 填报进度, not a status
    return True


def past_period_warning(states: list[PeriodState], code: str, current: str | None) -> str | None:
    """A warning for an open period that ended before the period staff currently fill (``current``,
    :func:`default_entry_period`): changing it changes values already reported. None otherwise."""
    by_code = {s.code: s for s in states}
    chosen, now = by_code.get(code), by_code.get(current or "")
    if chosen is None or now is None or chosen.locked or chosen.end >= now.end:
        return None
    return (f"{chosen.label}是已过去的填报期（当前填报期为{now.label}），仍开放修改。这里的修改会改变已报送的数据，"
            "并记入审计日志；如无必要请切换到当前填报期。")
