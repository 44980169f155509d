"""Failed sign-ins per client address: the second limit next to the per-account lockout.

Definitions chosen here:

- The address is what ``components.session_cookie.client_address`` gives (behind nginx: the address nginx
  saw). ``""`` (unknown) is never limited.
- Every failed sign-in from an address counts — a wrong password, a locked account, an unknown user name —
  so one address cannot try many accounts. After ``CLIENT_MAX_FAILURES`` (20) failures in a row the address
  is blocked: the login form is not shown to it at all. The first block lasts ``CLIENT_LOCKOUT`` (5
  minutes), each further one twice as long, at most ``CLIENT_MAX_LOCKOUT`` (1 hour)
  (``data_access.logins.lockout_for``). A successful sign-in from the address resets it.
- A whole office behind one address shares the limit; 20 is far above what honest typing produces, and
  ``manage.py unlock-client ADDRESS`` (or ``--all``) lifts a block at once (README, "Sign-in security").
- Counters are rows of ``login_throttle``, updated atomically (one ``UPDATE`` or an insert that may lose a
  race and then updates), so replicas share them. Blocks are audit-logged (action ``login_blocked``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from data_access.accounts import now_or_utcnow
from data_access.acting import acting_principal, take_write_lock
from data_access.db import session_scope
from data_access.logins import lockout_for
from data_access.models import AuditLog, LoginThrottle
from data_access.permissions import Principal, require_admin
from domain.clock import aware

CLIENT_MAX_FAILURES = 20
CLIENT_LOCKOUT = timedelta(minutes=5)
CLIENT_MAX_LOCKOUT = timedelta(hours=1)


def blocked_message(until: datetime, now: datetime | None = None) -> str:
    left = (aware(until) - now_or_utcnow(now)).total_seconds()
    minutes = max(1, -(-int(left) // 60))
    return f"此地址登录失败次数过多，已暂停登录，请{minutes}分钟后再试（如需立即恢复请联系管理员）"


def client_blocked_until(engine: Engine, client: str, now: datetime | None = None) -> datetime | None:
    """The end of the address's current block, or ``None`` when it may sign in."""
    if not client:
        return None
    now = now_or_utcnow(now)
    with engine.connect() as c:
        until = c.execute(select(LoginThrottle.locked_until).where(LoginThrottle.client == client)).scalar()
    until = aware(until)
    return until if until is not None and until > now else None


def _bump(engine: Engine, client: str, now: datetime) -> tuple[int, int]:
    """Count one failure; returns (failures, lock_count) after it."""
    for _ in range(2):
        with session_scope(engine) as s:
            row = s.execute(update(LoginThrottle).where(LoginThrottle.client == client)
                            .values(failures=LoginThrottle.failures + 1, updated_at=now)
                            .returning(LoginThrottle.failures, LoginThrottle.lock_count)).first()
            if row is not None:
                return int(row[0]), int(row[1])
        try:
            with session_scope(engine) as s:
                s.add(LoginThrottle(client=client, failures=1, lock_count=0, updated_at=now))
            return 1, 0
        except IntegrityError:  # inserted by another replica meanwhile: count on its row
            continue
    return 0, 0  # pragma: no cover - the row exists after the insert race


def record_client_failure(engine: Engine, client: str, now: datetime | None = None) -> datetime | None:
    """Count one failed sign-in from ``client``; returns the end of the block it caused, if any."""
    if not client:
        return None
    now = now_or_utcnow(now)
    failures, locks = _bump(engine, client, now)
    if failures < CLIENT_MAX_FAILURES:
        return None
    until = now + lockout_for(locks, CLIENT_LOCKOUT, CLIENT_MAX_LOCKOUT)
    with session_scope(engine) as s:
        s.execute(update(LoginThrottle).where(LoginThrottle.client == client)
                  .values(failures=0, lock_count=LoginThrottle.lock_count + 1, locked_until=until))
        s.add(AuditLog(at=now, username="", action="login_blocked", entity="login_throttle", new=client,
                       detail=f"地址 {client} 登录连续失败{failures}次，暂停登录至 {until.isoformat(timespec='seconds')}"))
    return until


def record_client_success(engine: Engine, client: str) -> None:
    if client:
        with session_scope(engine) as s:
            s.execute(delete(LoginThrottle).where(LoginThrottle.client == client))


def unblock_clients(engine: Engine, by: Principal | None, client: str | None = None) -> int:
    """Admin only: lift the block of one address (``None``: of every address). Returns rows cleared."""
    p = require_admin(by)
    with session_scope(engine) as s:
        take_write_lock(s)
        require_admin(acting_principal(s, p))
        q = delete(LoginThrottle)
        if client is not None:
            q = q.where(LoginThrottle.client == client)
        n = int(s.execute(q).rowcount or 0)
        s.add(AuditLog(username=p.username, action="unlock", entity="login_throttle", new=client or "全部",
                       detail=f"解除登录限流：{client or '全部地址'}"))
    return n


__all__ = [
    "CLIENT_LOCKOUT",
    "CLIENT_MAX_FAILURES",
    "CLIENT_MAX_LOCKOUT",
    "blocked_message",
    "client_blocked_until",
    "record_client_failure",
    "record_client_success",
    "unblock_clients",
]
