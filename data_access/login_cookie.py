"""The re-login cookie: its signing key in development, and which tokens are accepted.

Definitions chosen here:

- The cookie is written by this app, not by the login library (``components.auth``): a JWT signed HS256
  with the cookie key, payload exactly ``{"sid": str, "exp_date": <unix seconds>}``, where ``sid`` is the
  token of a server-side session (``data_access.sessions``). A signed cookie alone signs nobody in: the
  session it names must still be open (logout, admin, password change... end it).
- :func:`cookie_session_token` accepts a token only when it decodes with HS256 and the key (any other
  algorithm, ``none`` included, and any malformed token are refused without raising), its payload has
  exactly those two fields, and ``exp_date`` lies in the future but no further than the configured
  expiry plus ``EXPIRY_SLACK`` (clock differences between replicas): a long-lived token made with a
  leaked key is refused. A token of the library's own form ``{"username", "exp_date"}`` is refused.
- Without ``AUTH_COOKIE_KEY`` outside production the key is random, generated once per database and kept
  in the ``setting`` table under ``DEV_KEY_SETTING`` (:func:`development_cookie_key`). Two processes
  starting together insert at most one row (primary key; the loser reads the winner's), so replicas on
  one database agree and no constant string ever signs a cookie. Production never uses it: the start-up
  check requires ``AUTH_COOKIE_KEY`` and refuses this stored key as a value.
"""

from __future__ import annotations

import math
import secrets
import time
from datetime import timedelta

import jwt
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from data_access.db import session_scope
from data_access.models import Setting

DEV_KEY_SETTING = "auth.dev_cookie_key"  # reserved: not an admin setting
ALGORITHM = "HS256"
PAYLOAD_FIELDS = frozenset({"sid", "exp_date"})
EXPIRY_SLACK = timedelta(minutes=5)


def stored_dev_cookie_key(engine: Engine) -> str | None:
    """The development key this database stores, or ``None`` (never creates one)."""
    with engine.connect() as c:
        value = c.execute(select(Setting.value).where(Setting.key == DEV_KEY_SETTING)).scalar()
    key = value.get("key") if isinstance(value, dict) else None
    return key if isinstance(key, str) and key else None


def development_cookie_key(engine: Engine) -> str:
    """The database's development cookie key, created on first use (race-safe across processes)."""
    key = stored_dev_cookie_key(engine)
    if key is not None:
        return key
    try:
        with session_scope(engine) as s:
            s.add(Setting(key=DEV_KEY_SETTING, value={"key": secrets.token_urlsafe(48)}, updated_by="system"))
    except IntegrityError:  # another process inserted it first: use theirs
        pass
    key = stored_dev_cookie_key(engine)
    if key is None:  # pragma: no cover - the row was just written or read
        raise RuntimeError("development cookie key missing after insert")
    return key


def session_cookie_value(session_token: str, key: str, expiry_days: float, now: float | None = None) -> str:
    """The signed cookie value for a session token, valid ``expiry_days`` from ``now`` (unix seconds)."""
    now = time.time() if now is None else now
    exp = now + timedelta(days=expiry_days).total_seconds()
    return jwt.encode({"sid": session_token, "exp_date": exp}, key, algorithm=ALGORITHM)


def cookie_session_token(token: str | None, key: str, expiry_days: float, now: float | None = None) -> str | None:
    """The session token a re-login cookie carries, when this app accepts the cookie; otherwise ``None``.

    ``now``: unix seconds (default: the current time)."""
    if not token or not key:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=[ALGORITHM])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or set(payload) != PAYLOAD_FIELDS:
        return None
    sid, exp = payload["sid"], payload["exp_date"]
    if not isinstance(sid, str) or not sid.strip():
        return None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not math.isfinite(exp):
        return None
    now = time.time() if now is None else now
    latest = now + timedelta(days=expiry_days).total_seconds() + EXPIRY_SLACK.total_seconds()
    if not now < exp <= latest:
        return None
    return sid


__all__ = [
    "DEV_KEY_SETTING",
    "EXPIRY_SLACK",
    "cookie_session_token",
    "session_cookie_value",
    "development_cookie_key",
    "stored_dev_cookie_key",
]
