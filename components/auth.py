"""Login, logout and the current principal: streamlit-authenticator 0.4.2 with the lockout in the database.

Flow of one run (``require_login``):

1. Build the library's credentials from the user table (fresh every run: the library mutates it). A locked
   account is given a hash nobody can match, so the library refuses it without seeing the real hash.
2. ``Authenticate(...).login(...)`` checks the re-login cookie or renders the form.
3. A submitted attempt leaves ``failed_login_attempts`` on exactly one entry of *this run's* dict: a wrong
   password for an unlocked account increments the database counter (once per submission), one for a
   locked account shows "账户已锁定…"; a right password resets the counter (and is refused if the account
   got locked in between), then ``st.rerun()``.
4. Signed in: the principal is read from the database every run (role and unit changes, deactivation apply
   at once), put in ``st.session_state["principal"]``, and the sidebar shows name, role and 退出登录.

Settings (``st.secrets`` first, then environment variables): ``AUTH_COOKIE_KEY`` (required in production),
``AUTH_COOKIE_EXPIRY_DAYS`` (default 1), ``AUTH_COOKIE_NAME``, ``AUTH_LOGIN_SLEEP`` (seconds the library
waits on an unauthenticated run, default 0.7; 0 in tests), ``APP_ENV`` (``production`` turns on the
start-up refusal in :func:`startup_checks`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import Engine
from streamlit_authenticator.utilities import LoginError

from data_access.db import current_revision
from data_access.permissions import Principal
from data_access.users import (
    DEV_COOKIE_KEY,
    INVALID_LOGIN_MESSAGE,
    credentials_dict,
    get_user_with_units,
    is_production,
    list_users,
    locked_message,
    principal_for,
    production_problems,
    record_failed_login,
    record_login_success,
    record_logout,
)

PRINCIPAL_KEY = "principal"
_ERROR_KEY = "_auth_error"
SETTING_NAMES = ("APP_ENV", "AUTH_COOKIE_KEY", "AUTH_COOKIE_EXPIRY_DAYS", "AUTH_COOKIE_NAME", "AUTH_LOGIN_SLEEP")
DEFAULT_COOKIE_NAME = "jxsjk_auth"
DEFAULT_EXPIRY_DAYS = 1.0
DEFAULT_LOGIN_SLEEP = 0.7

LOGIN_FIELDS = {
    "Form name": "登录绩效双监控看板",
    "Username": "用户名",
    "Password": "密码",
    "Login": "登录",
    "Captcha": "验证码",
}


# --------------------------------------------------------------------------- settings


def _secret(name: str) -> Any:
    try:
        return st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets.toml, or an unreadable one
        return None


def effective_env() -> dict[str, str]:
    """The auth-related settings: ``st.secrets`` first, then the environment."""
    out: dict[str, str] = {}
    for name in SETTING_NAMES:
        v = _secret(name)
        if v in (None, ""):
            v = os.environ.get(name)
        if v not in (None, ""):
            out[name] = str(v)
    return out


def _float(value: Any, default: float) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if f >= 0 else default


@dataclass(frozen=True)
class AuthSettings:
    production: bool
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float
    login_sleep: float


def auth_settings(env: dict[str, str] | None = None) -> AuthSettings:
    env = effective_env() if env is None else env
    prod = is_production(env)
    return AuthSettings(
        production=prod,
        cookie_name=env.get("AUTH_COOKIE_NAME") or DEFAULT_COOKIE_NAME,
        # outside production a fixed development key; production refuses to start without a real one
        cookie_key=env.get("AUTH_COOKIE_KEY") or ("" if prod else DEV_COOKIE_KEY),
        cookie_expiry_days=_float(env.get("AUTH_COOKIE_EXPIRY_DAYS"), DEFAULT_EXPIRY_DAYS) or DEFAULT_EXPIRY_DAYS,
        login_sleep=_float(env.get("AUTH_LOGIN_SLEEP"), DEFAULT_LOGIN_SLEEP),
    )


# --------------------------------------------------------------------------- start-up checks


@st.cache_data(ttl=60, show_spinner=False, max_entries=4)
def _production_problems(_engine: Engine, _rev: int, env_items: tuple[tuple[str, str], ...]) -> list[str]:
    return production_problems(dict(env_items), list_users(_engine))


@st.cache_resource(show_spinner=False)
def _demo_users_once(_engine: Engine, url: str) -> bool:
    from seed.demo_users import ensure_demo_users

    ensure_demo_users(_engine)
    return True


def startup_checks(engine: Engine) -> None:
    """Production (``APP_ENV=production``): refuse to start (error + ``st.stop()``) while the cookie key is
    missing/default or a demo account is live. Otherwise: create the demo accounts on a database without
    users, so a fresh clone can sign in."""
    env = effective_env()
    if is_production(env):
        problems = _production_problems(engine, current_revision(engine), tuple(sorted(env.items())))
        if problems:
            st.error("生产环境配置不安全，应用拒绝启动。请先处理：\n\n" + "\n".join(f"- {p}" for p in problems))
            st.stop()
    else:
        _demo_users_once(engine, engine.url.render_as_string(hide_password=True))


# --------------------------------------------------------------------------- login


def _attempted(credentials: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The entry the library checked a password against in this run (it records
    ``failed_login_attempts`` on it, 0 on success), or ``None`` (no submission, or an unknown name)."""
    for username, entry in credentials.get("usernames", {}).items():
        if "failed_login_attempts" in entry:
            return username, entry
    return None


def _delete_cookie(authenticator: stauth.Authenticate) -> None:
    try:
        authenticator.cookie_controller.delete_cookie()
    except Exception:  # noqa: BLE001 - best effort; the session ignores the cookie anyway
        pass


def _sign_out(authenticator: stauth.Authenticate, message: str | None = None) -> None:
    """End the session and delete the cookie, without a button. The caller then renders the login form in
    the same run (no ``st.rerun()``), so the browser gets to run the cookie-deleting component."""
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    else:
        st.session_state["logout"] = True
        _delete_cookie(authenticator)
    st.session_state.pop(PRINCIPAL_KEY, None)
    if message:
        st.session_state[_ERROR_KEY] = message


def _login_widget(authenticator: stauth.Authenticate) -> None:
    try:
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
    except LoginError:
        # the re-login cookie names a user that was deleted or deactivated: ignore it from now on
        for k in ("authentication_status", "username", "name", "roles"):
            st.session_state[k] = None
        st.session_state["logout"] = True
        _delete_cookie(authenticator)
        st.session_state[_ERROR_KEY] = "登录已失效，请重新登录"
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")


def _demo_hint(credentials: dict[str, Any], settings: AuthSettings) -> None:
    if settings.production:
        return
    from seed.demo_users import DEMO_ACCOUNTS

    present = [a for a in DEMO_ACCOUNTS if a.username in credentials.get("usernames", {})]
    if present:
        with st.expander("示例账号（仅演示环境）"):
            st.markdown("\n".join(f"- `{a.username}` / `{a.password}`：{a.name}" for a in present))


def require_login(engine: Engine) -> Principal:
    """Show the login form until the user is signed in (``st.stop()`` meanwhile); return the principal.

    Call once per run, at the top of ``app.py``, before ``st.navigation``."""
    settings = auth_settings()
    credentials = credentials_dict(engine)
    authenticator = stauth.Authenticate(
        credentials,
        settings.cookie_name,
        settings.cookie_key or DEV_COOKIE_KEY,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep,
    )
    ss = st.session_state

    if ss.get("authentication_status"):
        principal = _signed_in(engine, authenticator)
        if principal is not None:
            return principal
        # signed out just now (button, or the account was deactivated): the login form follows in this run

    _login_widget(authenticator)
    attempted = _attempted(credentials)
    status = ss.get("authentication_status")
    if status and attempted is not None:
        # the password was right: the database has the last word (locked or deactivated meanwhile?)
        username = ss.get("username") or attempted[0]
        if record_login_success(engine, username):
            ss.pop(_ERROR_KEY, None)
            st.rerun()  # the library does not rerun by itself; the next run has no login form
        info = get_user_with_units(engine, username)
        msg = locked_message(info.locked_until) if info is not None and info.is_locked() else INVALID_LOGIN_MESSAGE
        _sign_out(authenticator, msg)
        status = None
    elif status:
        # signed in by the re-login cookie
        principal = _signed_in(engine, authenticator)
        if principal is not None:
            return principal
        status = None
    elif status is False:
        if attempted is not None and attempted[1].get("locked"):
            info = get_user_with_units(engine, attempted[0])
            msg = locked_message(info.locked_until if info is not None else None)
        elif attempted is not None:
            msg = record_failed_login(engine, attempted[0]).message()
        else:
            msg = INVALID_LOGIN_MESSAGE  # unknown user name (or unusable input): nothing to count
        ss[_ERROR_KEY] = msg
        # back to "no attempt" so the next run counts only a new submission
        ss["authentication_status"] = None

    if ss.get(_ERROR_KEY):
        st.error(ss[_ERROR_KEY])
    _demo_hint(credentials, settings)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _signed_in(engine: Engine, authenticator: stauth.Authenticate) -> Principal | None:
    """For a signed-in session: the principal fresh from the database, the sidebar user box and the logout
    button. ``None`` when the session just ended (logout clicked, or the account is gone/deactivated)."""
    ss = st.session_state
    principal = principal_for(engine, ss.get("username"))
    if principal is None:
        _sign_out(authenticator, "账户不存在或已停用，请联系管理员")
        return None
    box = st.sidebar.empty()
    with box.container():
        st.markdown(f"**{principal.display_name}**  \n{principal.role_label}")
        if principal.unit_names:
            st.caption("责任单位：" + "、".join(principal.unit_names))
    # outside any container: the cookie-deleting component must stay rendered after a logout
    authenticator.logout(button_name="退出登录", location="sidebar", key="logout_button")
    if not ss.get("authentication_status"):
        box.empty()
        record_logout(engine, principal.username)
        ss.pop(PRINCIPAL_KEY, None)
        ss.pop(_ERROR_KEY, None)
        return None
    ss[PRINCIPAL_KEY] = principal
    return principal


def current_principal() -> Principal:
    """The signed-in principal inside a page (set by ``require_login`` in this run). Pass it to every
    ``data_access`` read and write that takes a principal. Stops the page when nobody is signed in."""
    p = st.session_state.get(PRINCIPAL_KEY)
    if not isinstance(p, Principal) or not st.session_state.get("authentication_status"):
        st.error("请先登录")
        st.stop()
    return p
