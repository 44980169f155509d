"""The application's settings, read in one place.

Definitions chosen here:

- Every setting comes from one mapping of names to strings: the process environment by default.
  ``components.auth`` overlays ``st.secrets`` and Streamlit's explicitly set ``server.cookieSecret`` and
  passes the merged mapping in (only components touch Streamlit). Nothing else in the repository reads
  these variables: ``make_engine()``, the start-up checks and the login all take a :class:`Config`.
- :func:`config_from` builds a frozen :class:`Config` from the mapping. It is cheap; the app builds one per
  run and passes it down, a command builds one per process. Values are parsed here, once:

  ``DATABASE_URL``
      default ``sqlite:///data/monitoring.db``; ``postgres://`` and ``postgresql://`` become
      ``postgresql+psycopg://`` (psycopg 3).
  ``APP_ENV``
      ``production`` or ``prod`` (any case, surrounding spaces ignored) is production; anything else,
      or nothing, is development.
  ``AUTH_COOKIE_NAME``
      the re-login cookie's name, default ``jxsjk_auth``.
  ``AUTH_COOKIE_KEY``
      signs the re-login cookie (JWT HS256); ``""`` when unset. Development then uses a random key stored
      in the database (``data_access.dev_cookie_key``); production refuses to start without a strong one.
  ``AUTH_COOKIE_EXPIRY_DAYS``
      days a re-login cookie is valid, default 1; an unparsable or non-positive value falls back to 1
      here, and production refuses to start with it (``auth_cookie_expiry_text`` keeps what was given).
  ``AUTH_LOGIN_SLEEP``
      seconds the login library waits on a run without a signed-in user, default 0.7 (0 in tests); an
      unparsable or negative value falls back to the default.
  ``AUTH_SESSION_IDLE_MINUTES``
      minutes without a page run after which a signed-in session ends, default 120.
  ``AUTH_SESSION_MAX_HOURS``
      hours after the sign-in at which a session ends however active it is, default 12 (absolute timeout).
      Both: an unparsable or non-positive value falls back to the default (``data_access.sessions``).
  ``DB_LOCK_TIMEOUT_SECONDS``
      PostgreSQL only: how long a statement waits for a row or table lock before it gives up with
      "数据库繁忙" (``SET lock_timeout`` on every connection), default 10; 0 waits forever.
  ``REMIND_WEBHOOK_URL``
      where ``manage.py remind`` posts its list (a JSON ``{"msgtype": "text", "text": {"content": …}}``, the
      form 企业微信/钉钉 group robots take); unset: not posted.
  ``REMIND_SMTP_HOST``, ``REMIND_SMTP_PORT`` (default 587), ``REMIND_SMTP_USER``, ``REMIND_SMTP_PASSWORD``,
  ``REMIND_SMTP_FROM``, ``REMIND_SMTP_TO`` (addresses separated by commas), ``REMIND_SMTP_STARTTLS``
      (default on; ``0``/``false``/``no`` turn it off): the mail ``manage.py remind`` sends its list by;
      without a host and a recipient no mail is sent.
  ``STREAMLIT_SERVER_COOKIE_SECRET``
      the secret Streamlit signs its own cookies with (``server.cookieSecret``). Streamlit's default is a
      random value per process, so replicas would disagree: production requires it explicitly (the
      environment variable, ``--server.cookieSecret`` or ``.streamlit/config.toml``).

The checks a production start-up applies to these values are in ``data_access.production``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///data/monitoring.db"
DEFAULT_COOKIE_NAME = "jxsjk_auth"
DEFAULT_EXPIRY_DAYS = 1.0
DEFAULT_LOGIN_SLEEP = 0.7
DEFAULT_SESSION_IDLE_MINUTES = 120.0
DEFAULT_SESSION_MAX_HOURS = 12.0
DEFAULT_LOCK_TIMEOUT_SECONDS = 10.0
PRODUCTION_NAMES = ("production", "prod")

STREAMLIT_COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET"
#: the names ``st.secrets`` may set. Not ``DATABASE_URL`` (the engine is made before any page), and not
#: the Streamlit cookie secret (Streamlit never reads secrets.toml for it)
SECRETS_NAMES = ("APP_ENV", "AUTH_COOKIE_KEY", "AUTH_COOKIE_EXPIRY_DAYS", "AUTH_COOKIE_NAME", "AUTH_LOGIN_SLEEP",
                 "AUTH_SESSION_IDLE_MINUTES", "AUTH_SESSION_MAX_HOURS")
#: every name this module reads
REMIND_NAMES = ("REMIND_WEBHOOK_URL", "REMIND_SMTP_HOST", "REMIND_SMTP_PORT", "REMIND_SMTP_USER", "REMIND_SMTP_PASSWORD",
                "REMIND_SMTP_FROM", "REMIND_SMTP_TO", "REMIND_SMTP_STARTTLS")
ALL_NAMES = ("DATABASE_URL", *SECRETS_NAMES, "DB_LOCK_TIMEOUT_SECONDS", STREAMLIT_COOKIE_SECRET, *REMIND_NAMES)


def normalize_database_url(url: str) -> str:
    """``postgres://`` / ``postgresql://`` -> ``postgresql+psycopg://``; anything else unchanged."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _text(env: Mapping[str, Any], name: str) -> str:
    v = env.get(name)
    return "" if v is None else str(v).strip()


def _non_negative(value: str, default: float) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if f >= 0 else default


def is_production(env: Mapping[str, Any]) -> bool:
    return _text(env, "APP_ENV").lower() in PRODUCTION_NAMES


@dataclass(frozen=True)
class Config:
    database_url: str = DEFAULT_DATABASE_URL
    app_env: str = ""
    production: bool = False
    auth_cookie_name: str = DEFAULT_COOKIE_NAME
    auth_cookie_key: str = field(default="", repr=False)
    auth_cookie_expiry_days: float = DEFAULT_EXPIRY_DAYS
    auth_cookie_expiry_text: str = ""  # as given ("" when unset), for the production check
    auth_login_sleep: float = DEFAULT_LOGIN_SLEEP
    streamlit_cookie_secret: str = field(default="", repr=False)
    session_idle_minutes: float = DEFAULT_SESSION_IDLE_MINUTES
    session_max_hours: float = DEFAULT_SESSION_MAX_HOURS
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    remind: RemindConfig = field(default_factory=lambda: RemindConfig())


@dataclass(frozen=True)
class RemindConfig:
    """Where ``manage.py remind`` sends its list (nothing configured: it only prints it)."""

    webhook_url: str = field(default="", repr=False)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    smtp_to: tuple[str, ...] = ()
    smtp_starttls: bool = True

    @property
    def mail(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)


def _remind(env: Mapping[str, Any]) -> RemindConfig:
    try:
        port = int(_text(env, "REMIND_SMTP_PORT") or 587)
    except ValueError:
        port = 587
    return RemindConfig(
        webhook_url=_text(env, "REMIND_WEBHOOK_URL"), smtp_host=_text(env, "REMIND_SMTP_HOST"), smtp_port=port,
        smtp_user=_text(env, "REMIND_SMTP_USER"), smtp_password=_text(env, "REMIND_SMTP_PASSWORD"),
        smtp_from=_text(env, "REMIND_SMTP_FROM"),
        smtp_to=tuple(a.strip() for a in _text(env, "REMIND_SMTP_TO").replace("；", ",").replace(";", ",").split(",")
                      if a.strip()),
        smtp_starttls=_text(env, "REMIND_SMTP_STARTTLS").lower() not in ("0", "false", "no", "off"),
    )


def config_from(env: Mapping[str, Any] | None = None) -> Config:
    """The settings from ``env`` (default: ``os.environ``); see the module docstring for each name."""
    env = os.environ if env is None else env
    expiry_text = _text(env, "AUTH_COOKIE_EXPIRY_DAYS")
    return Config(
        database_url=normalize_database_url(_text(env, "DATABASE_URL") or DEFAULT_DATABASE_URL),
        app_env=_text(env, "APP_ENV"),
        production=is_production(env),
        auth_cookie_name=_text(env, "AUTH_COOKIE_NAME") or DEFAULT_COOKIE_NAME,
        auth_cookie_key=_text(env, "AUTH_COOKIE_KEY"),
        auth_cookie_expiry_days=_non_negative(expiry_text, DEFAULT_EXPIRY_DAYS) or DEFAULT_EXPIRY_DAYS,
        auth_cookie_expiry_text=expiry_text,
        auth_login_sleep=_non_negative(_text(env, "AUTH_LOGIN_SLEEP"), DEFAULT_LOGIN_SLEEP),
        streamlit_cookie_secret=_text(env, STREAMLIT_COOKIE_SECRET),
        session_idle_minutes=_non_negative(_text(env, "AUTH_SESSION_IDLE_MINUTES"), DEFAULT_SESSION_IDLE_MINUTES)
        or DEFAULT_SESSION_IDLE_MINUTES,
        session_max_hours=_non_negative(_text(env, "AUTH_SESSION_MAX_HOURS"), DEFAULT_SESSION_MAX_HOURS)
        or DEFAULT_SESSION_MAX_HOURS,
        lock_timeout_seconds=_non_negative(_text(env, "DB_LOCK_TIMEOUT_SECONDS"), DEFAULT_LOCK_TIMEOUT_SECONDS),
        remind=_remind(env),
    )


def environment_settings(names: tuple[str, ...] = ALL_NAMES) -> dict[str, str]:
    """The non-empty ``names`` from the process environment (what ``components.auth`` overlays)."""
    return {n: os.environ[n] for n in names if os.environ.get(n, "").strip()}


def database_url(url: str | None = None) -> str:
    """``url`` normalised, or the configured ``DATABASE_URL`` (default SQLite file) when ``None``."""
    return normalize_database_url(url) if url else config_from().database_url


__all__ = [
    "Config",
    "RemindConfig",
    "REMIND_NAMES",
    "config_from",
    "database_url",
    "environment_settings",
    "is_production",
    "normalize_database_url",
    "ALL_NAMES",
    "SECRETS_NAMES",
    "STREAMLIT_COOKIE_SECRET",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_COOKIE_NAME",
    "DEFAULT_EXPIRY_DAYS",
    "DEFAULT_LOGIN_SLEEP",
    "DEFAULT_SESSION_IDLE_MINUTES",
    "DEFAULT_SESSION_MAX_HOURS",
    "DEFAULT_LOCK_TIMEOUT_SECONDS",
]
