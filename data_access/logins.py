"""Login attempts, lockout and the login audit trail.

Definitions chosen here: lockout lives in the database (``app_user.failed_attempts`` / ``locked_until`` /
``lock_count``), so it holds across processes and replicas. After ``MAX_FAILED_ATTEMPTS`` wrong passwords
in a row the account is locked; the first lock lasts ``LOCKOUT`` (15 minutes), each further lock without a
successful sign-in in between twice as long, never more than ``MAX_LOCKOUT`` (1 hour) — so an attacker can
slow the last administrator down but never keep them out for longer than that at a time, and
``manage.py unlock-user NAME`` ends a lock at once (README, "Sign-in security"). A successful login
resets the counters; attempts while locked are not counted. A lock also ends the account's open sessions
(``session_epoch``). Per client address there is a second limit (``data_access.throttle``). Every login
event (password, re-login cookie, failure, lock, logout) is an ``audit_log`` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update

from data_access.accounts import add_user_audit, get_user_with_units, now_or_utcnow, principal_for
from data_access.db import session_scope
from data_access.models import User
from data_access.passwords import dummy_hash, verify_password
from data_access.permissions import Principal
from domain.clock import aware

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MAX_LOCKOUT = timedelta(hours=1)
INVALID_LOGIN_MESSAGE = "用户名或密码错误"
COOKIE_LOGIN_DETAIL = "浏览器记住登录，自动登录"


def lockout_for(previous_locks: int, base: timedelta = LOCKOUT, cap: timedelta = MAX_LOCKOUT) -> timedelta:
    """How long the next lock lasts after ``previous_locks`` locks in a row: ``base`` doubled each time,
    at most ``cap``."""
    return min(base * (2 ** min(max(previous_locks, 0), 16)), cap)


def locked_message(locked_until: datetime | None, now: datetime | None = None) -> str:
    """'账户已锁定，请15分钟后再试' with the minutes actually left (rounded up, at least 1)."""
    minutes = int(LOCKOUT.total_seconds() // 60)
    if locked_until is not None:
        left = (aware(locked_until) - now_or_utcnow(now)).total_seconds()
        minutes = max(1, -(-int(left) // 60))
    return f"账户已锁定，请{minutes}分钟后再试"


@dataclass(frozen=True)
class FailedLogin:
    known: bool  # an active account of that name exists
    attempts: int  # consecutive failures now recorded (0 right after a lock)
    locked_until: datetime | None  # set when the account is (now) locked
    just_locked: bool  # this failure caused the lock

    def message(self, now: datetime | None = None) -> str:
        if self.locked_until is not None:
            prefix = f"密码连续错误{MAX_FAILED_ATTEMPTS}次，" if self.just_locked else ""
            return prefix + locked_message(self.locked_until, now)
        return INVALID_LOGIN_MESSAGE


def record_failed_login(engine: Engine, username: str, now: datetime | None = None) -> FailedLogin:
    """Count one wrong password for ``username`` (exactly once per call) and lock the account for
    ``LOCKOUT`` when the count reaches ``MAX_FAILED_ATTEMPTS``. Atomic: the counter is incremented by an
    ``UPDATE`` that takes the row lock, so concurrent attempts on several replicas all count. Attempts
    while the account is already locked are not counted."""
    now = now_or_utcnow(now)
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.execute(
            update(User)
            .where(User.username == uname, User.active.is_(True))
            .where(or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_attempts=User.failed_attempts + 1)
            .returning(User.id, User.failed_attempts)
        ).first()
        if row is None:
            current = s.scalars(select(User).where(User.username == uname, User.active.is_(True))).first()
            if current is None:
                return FailedLogin(known=False, attempts=0, locked_until=None, just_locked=False)
            return FailedLogin(True, current.failed_attempts, aware(current.locked_until), False)
        user_id, attempts = row
        user = s.get(User, user_id)
        if attempts >= MAX_FAILED_ATTEMPTS:
            until = now + lockout_for(user.lock_count if user is not None else 0)
            s.execute(
                update(User).where(User.id == user_id)
                .values(failed_attempts=0, locked_until=until, session_epoch=User.session_epoch + 1,
                        lock_count=User.lock_count + 1)
            )
            add_user_audit(s, uname, "lock", user, f"密码连续错误{attempts}次，账户锁定至 {until.isoformat(timespec='seconds')}",
                   at=now)
            return FailedLogin(True, 0, until, True)
        add_user_audit(s, uname, "login_failed", user, f"密码错误（连续第{attempts}次）", at=now)
        return FailedLogin(True, attempts, None, False)


def record_login_success(engine: Engine, username: str, now: datetime | None = None) -> bool:
    """Reset the failure counter after a verified password. Returns ``False`` (and changes nothing) when
    the account is inactive, unknown or locked at this moment — the caller must then refuse the login."""
    now = now_or_utcnow(now)
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.execute(
            update(User)
            .where(User.username == uname, User.active.is_(True))
            .where(or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_attempts=0, locked_until=None, lock_count=0)
            .returning(User.id)
        ).first()
        if row is None:
            return False
        add_user_audit(s, uname, "login", s.get(User, row[0]), "登录成功", at=now)
        return True


def record_cookie_login(engine: Engine, username: str, now: datetime | None = None) -> None:
    """Audit a sign-in by the re-login cookie (the caller writes it once per browser session). The
    lockout counter is left alone: no password was checked."""
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.username == uname)).first()
        add_user_audit(s, uname, "login", user, COOKIE_LOGIN_DETAIL, at=now_or_utcnow(now))


def record_logout(engine: Engine, username: str) -> None:
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.username == uname)).first()
        add_user_audit(s, uname, "logout", user, "退出登录")


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # ok | invalid | locked
    message: str  # Chinese, for the login form
    principal: Principal | None = None
    locked_until: datetime | None = None


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> AuthResult:
    """Check a username and password against the database, with the lockout rules.

    A locked account is refused before the password is looked at. Unknown and deactivated accounts get
    the same answer (and take the same time) as a wrong password."""
    now = now_or_utcnow(now)
    uname = (username or "").strip().lower()
    info = get_user_with_units(engine, uname) if uname else None
    if info is None or not info.active:
        verify_password(password or "x", dummy_hash().decode())
        return AuthResult(False, "invalid", INVALID_LOGIN_MESSAGE)
    if info.is_locked(now):
        return AuthResult(False, "locked", locked_message(info.locked_until, now), locked_until=info.locked_until)
    if not verify_password(password or "", info.password_hash):
        failed = record_failed_login(engine, uname, now)
        reason = "locked" if failed.locked_until is not None else "invalid"
        return AuthResult(False, reason, failed.message(now), locked_until=failed.locked_until)
    if not record_login_success(engine, uname, now):
        # locked or deactivated between the read and now
        fresh = get_user_with_units(engine, uname)
        if fresh is not None and fresh.is_locked(now):
            return AuthResult(False, "locked", locked_message(fresh.locked_until, now), locked_until=fresh.locked_until)
        return AuthResult(False, "invalid", INVALID_LOGIN_MESSAGE)
    return AuthResult(True, "ok", "登录成功", principal=principal_for(engine, uname))



__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "LOCKOUT",
    "MAX_LOCKOUT",
    "lockout_for",
    "INVALID_LOGIN_MESSAGE",
    "COOKIE_LOGIN_DETAIL",
    "FailedLogin",
    "AuthResult",
    "locked_message",
    "record_failed_login",
    "record_login_success",
    "record_cookie_login",
    "record_logout",
    "authenticate",
]
