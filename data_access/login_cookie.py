"""The re-login cookie: its signing key in development, and which tokens are accepted.

Definitions chosen here:

- The cookie holds what streamlit-authenticator 0.4.2 writes: a JWT signed HS256 with the cookie key,
  payload exactly ``{"username": str, "exp_date": <unix seconds>}``.
- :func:`cookie_username` accepts a token only when it decodes with HS256 and the key (any other
  algorithm, ``none`` included, and any malformed token are refused without raising), its payload has
  exactly those two fields, and ``exp_date`` lies in the future but no further than the configured
  expiry plus ``EXPIRY_SLACK`` (clock differences between replicas): a long-lived token made with a
  leaked key is refused.
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
PAYLOAD_FIELDS = frozenset({"username", "exp_date"})
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


def cookie_username(token: str | None, key: str, expiry_days: float, now: float | None = None) -> str | None:
    """The username a re-login cookie token names, when this app accepts it; otherwise ``None``.

    ``now``: unix seconds (default: the current time)."""
    if not token or not key:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=[ALGORITHM])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or set(payload) != PAYLOAD_FIELDS:
        return None
    username, exp = payload["username"], payload["exp_date"]
    if not isinstance(username, str) or not username.strip():
        return None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not math.isfinite(exp):
        return None
    now = time.time() if now is None else now
    latest = now + timedelta(days=expiry_days).total_seconds() + EXPIRY_SLACK.total_seconds()
    if not now < exp <= latest:
        return None
    return username


__all__ = [
    "DEV_KEY_SETTING",
    "EXPIRY_SLACK",
    "cookie_username",
    "development_cookie_key",
    "stored_dev_cookie_key",
]
