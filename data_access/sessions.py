"""Server-side login sessions: one row per sign-in, checked on every page run.

Definitions chosen here:

- A sign-in (password or nothing else: the re-login cookie only resumes a session) starts a
  ``login_session`` row. Its token (32 random bytes, URL-safe) is what the re-login cookie carries,
  signed (``data_access.login_cookie``); the table stores only the token's SHA-256.
- :func:`check_session` runs on every page run and accepts the session only while it is not ended, the
  account is active and not locked, the account's ``session_epoch`` is the one the session started with,
  the last run was at most the idle timeout ago and the sign-in at most the absolute timeout ago
  (``AUTH_SESSION_IDLE_MINUTES``, ``AUTH_SESSION_MAX_HOURS`` in ``data_access.config``). A refused session
  is ended in the database with its reason, so a copied cookie never brings it back.
- ``session_epoch`` is bumped by ``data_access.accounts`` (password, deactivation, role, units) and by a
  lockout (``data_access.logins``): every open session of that user ends at its next run.
- ``last_seen_at`` is written at most every ``TOUCH_EVERY`` (a run normally only reads).
- Ending a session by the admin is an audited write (entity ``login_session``); a logout is audited by
  ``data_access.logins.record_logout``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from data_access.accounts import add_user_audit, now_or_utcnow
from data_access.acting import acting_principal, take_write_lock
from data_access.config import Config
from data_access.db import session_scope
from data_access.logins import locked_message
from data_access.models import LoginSession, Unit, User, UserUnit
from data_access.permissions import Principal, require_admin
from domain.clock import aware

TOUCH_EVERY = timedelta(seconds=60)
EXPIRED_MESSAGE = "登录已失效，请重新登录"
INACTIVE_MESSAGE = "账户不存在或已停用，请联系管理员"
EPOCH_MESSAGE = "账户的密码、角色、责任单位或状态已变更，请重新登录"
ENDED_BY_ADMIN_MESSAGE = "管理员已结束此登录会话，请重新登录"
#: ``ended_reason`` values and how they read on the admin page
REASON_LABELS = {
    "logout": "退出登录",
    "admin": "管理员结束",
    "idle": "长时间未操作",
    "absolute": "超过最长登录时长",
    "epoch": "账户已变更",
    "inactive": "账户已停用",
    "locked": "账户已锁定",
}


@dataclass(frozen=True)
class SessionTimeouts:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, config: Config) -> SessionTimeouts:
        return cls(timedelta(minutes=config.session_idle_minutes), timedelta(hours=config.session_max_hours))


@dataclass(frozen=True)
class SessionCheck:
    principal: Principal | None
    message: str = ""  # why not (Chinese), when principal is None


@dataclass(frozen=True)
class SessionInfo:
    id: int
    username: str
    name: str
    created_at: datetime
    last_seen_at: datetime
    client: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, username: str, *, client: str = "", now: datetime | None = None) -> str:
    """A new session for an active account; returns its token (to be put, signed, in the cookie)."""
    now = now_or_utcnow(now)
    uname = (username or "").strip().lower()
    token = secrets.token_urlsafe(32)
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.username == uname, User.active.is_(True))).first()
        if user is None:
            raise LookupError(INACTIVE_MESSAGE)
        s.add(LoginSession(token_hash=token_hash(token), user_id=user.id, epoch=user.session_epoch,
                           created_at=now, last_seen_at=now, client=(client or "")[:200]))
    return token


def _refusal(sess: LoginSession, user: User, timeouts: SessionTimeouts, now: datetime) -> tuple[str, str] | None:
    """(reason, message) when the session may not go on, else ``None``."""
    if sess.ended_at is not None:
        return sess.ended_reason or "logout", (ENDED_BY_ADMIN_MESSAGE if sess.ended_reason == "admin" else EXPIRED_MESSAGE)
    if not user.active:
        return "inactive", INACTIVE_MESSAGE
    if user.locked_until is not None and aware(user.locked_until) > now:
        return "locked", locked_message(user.locked_until, now)
    if sess.epoch != user.session_epoch:
        return "epoch", EPOCH_MESSAGE
    if now - aware(sess.last_seen_at) > timeouts.idle:
        return "idle", f"超过{_minutes(timeouts.idle)}未操作，请重新登录"
    if now - aware(sess.created_at) > timeouts.absolute:
        return "absolute", f"登录已超过{_minutes(timeouts.absolute)}，请重新登录"
    return None


def _minutes(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60}小时" if minutes >= 60 and minutes % 60 == 0 else f"{minutes}分钟"


def _principal(s: Session, user: User) -> Principal:
    units = s.execute(select(Unit.id, Unit.name).join(UserUnit, UserUnit.unit_id == Unit.id)
                      .where(UserUnit.user_id == user.id).order_by(Unit.name)).all()
    return Principal(username=user.username, name=user.name, role=user.role,
                     unit_ids=frozenset(i for i, _ in units), unit_names=tuple(n for _, n in units))


def check_session(engine: Engine, token: str | None, timeouts: SessionTimeouts,
                  now: datetime | None = None) -> SessionCheck:
    """The principal of a live session (read fresh: role and units as stored now), or why not. A session
    refused for any reason but a missing row is ended here, with that reason."""
    if not token:
        return SessionCheck(None, EXPIRED_MESSAGE)
    now = now_or_utcnow(now)
    with session_scope(engine) as s:
        row = s.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                        .where(LoginSession.token_hash == token_hash(token))).first()
        if row is None:
            return SessionCheck(None, EXPIRED_MESSAGE)
        sess, user = row
        refusal = _refusal(sess, user, timeouts, now)
        if refusal is not None:
            if sess.ended_at is None:
                s.execute(update(LoginSession).where(LoginSession.id == sess.id, LoginSession.ended_at.is_(None))
                          .values(ended_at=now, ended_reason=refusal[0]))
            return SessionCheck(None, refusal[1])
        if now - aware(sess.last_seen_at) >= TOUCH_EVERY:
            s.execute(update(LoginSession).where(LoginSession.id == sess.id).values(last_seen_at=now))
        return SessionCheck(_principal(s, user))


def end_session(engine: Engine, token: str | None, reason: str = "logout", now: datetime | None = None) -> bool:
    """End the session of ``token`` (logout). False when there was no open one."""
    if not token:
        return False
    with session_scope(engine) as s:
        res = s.execute(update(LoginSession)
                        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
                        .values(ended_at=now_or_utcnow(now), ended_reason=reason))
        return bool(res.rowcount)


def active_sessions(engine: Engine, principal: Principal | None, timeouts: SessionTimeouts,
                    now: datetime | None = None) -> list[SessionInfo]:
    """Admin only: the sessions that would be accepted now, newest activity first."""
    require_admin(principal)
    now = now_or_utcnow(now)
    with Session(engine) as s:
        rows = s.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                         .where(LoginSession.ended_at.is_(None)).order_by(LoginSession.last_seen_at.desc())).all()
        return [SessionInfo(sess.id, user.username, user.name, aware(sess.created_at),
                            aware(sess.last_seen_at), sess.client)
                for sess, user in rows if _refusal(sess, user, timeouts, now) is None]


def end_session_by_id(engine: Engine, principal: Principal | None, session_id: int,
                      now: datetime | None = None) -> bool:
    """Admin only: end one session (its user is signed out at the next run), audit-logged. False when it
    had already ended."""
    p = require_admin(principal)
    now = now_or_utcnow(now)
    with session_scope(engine) as s:
        take_write_lock(s)
        require_admin(acting_principal(s, p))
        row = s.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                        .where(LoginSession.id == session_id).with_for_update(of=LoginSession)).first()
        if row is None or row[0].ended_at is not None:
            return False
        sess, user = row
        sess.ended_at, sess.ended_reason = now, "admin"
        s.add(sess)
        add_user_audit(s, p.username, "end_session", user, f"结束用户 {user.username} 的登录会话（{sess.client or '未知地址'}）",
                       at=now)
    return True


__all__ = [
    "EXPIRED_MESSAGE",
    "REASON_LABELS",
    "SessionCheck",
    "SessionInfo",
    "SessionTimeouts",
    "active_sessions",
    "check_session",
    "end_session",
    "end_session_by_id",
    "start_session",
    "token_hash",
]
