"""Login, logout and the current principal: streamlit-authenticator 0.4.2 for the form, server-side sessions
(``data_access.sessions``) and the lockout in the database.

Flow of one run (``require_login``):

1. First run of a browser session only: the re-login cookie (see below) may resume a server-side session.
2. Signed in: the session is checked against the database (``check_session``: not ended, account active
   and not locked, session epoch current, idle and absolute timeouts); the principal is read fresh from it.
3. The pages are registered (``navigate``: the role's menu, or every page hidden for the login screen),
   before anything renders a component — ``require_login`` says why the order matters.
4. The library's ``Authenticate`` is built from the user table (fresh every run: the library mutates it); a
   locked account is given a hash nobody can match, so the library refuses it without seeing the real hash.
5. Signed in: the principal goes to ``st.session_state["principal"]``, the sidebar shows name, role and
   退出登录. A refused session signs the browser out in that run, with the reason, and the form follows.
6. Not signed in: ``Authenticate(...).login(...)`` renders the form. A submitted attempt leaves
   ``failed_login_attempts`` on exactly one entry of *this run's* dict: a wrong password for an unlocked
   account increments the database counter (once per submission), one for a locked account shows
   "账户已锁定…"; a right password resets the counter (and is refused if the account got locked in
   between), starts a ``login_session`` row, then ``st.rerun()``.

The re-login cookie is written by this module, not by the library (its own cookie is switched off with an
expiry of 0 days): ``{"sid": <session token>, "exp_date"}`` signed HS256 with the cookie key
(``data_access.login_cookie``), rendered on every signed-in run so that a reload (F5) finds it. On the
first run of a browser session the token the browser sent is accepted only when the signature and bounded
expiry check out *and* the session it names is still open; otherwise the cookie is deleted and the login
form shows. A cookie sign-in writes one audit row per browser session. The cookie is written from the
browser (a Streamlit component), so it cannot be ``HttpOnly``; it is ``SameSite=Strict`` and ``Secure``
behind HTTPS. The library's own cookie check is switched off (``st.session_state["logout"] = True``, its
"ignore the cookie" flag), so a forged or malformed token never reaches it.

Settings: ``data_access.config``, from the environment with ``st.secrets`` overlaid (``APP_ENV``,
``AUTH_COOKIE_*``, ``AUTH_SESSION_*``, ``AUTH_LOGIN_SLEEP``) and Streamlit's ``server.cookieSecret`` when it
was set explicitly. Production start-up refusals: ``data_access.production``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import Engine
from streamlit import config as st_config

from components.session_cookie import client_address, is_https, write_session_cookie
from data_access.config import SECRETS_NAMES, STREAMLIT_COOKIE_SECRET, Config, config_from, environment_settings
from data_access.db import current_revision
from data_access.login_cookie import (
    cookie_session_token,
    development_cookie_key,
    session_cookie_value,
    stored_dev_cookie_key,
)
from data_access.permissions import Principal
from data_access.production import production_problems
from data_access.sessions import EXPIRED_MESSAGE, SessionTimeouts, check_session, end_session, start_session
from data_access.throttle import blocked_message, client_blocked_until, record_client_failure, record_client_success
from data_access.users import (
    INVALID_LOGIN_MESSAGE,
    credentials_dict,
    get_user_with_units,
    list_users,
    locked_message,
    record_cookie_login,
    record_failed_login,
    record_login_success,
    record_logout,
)
from seed.demo_users import DEMO_ACCOUNTS, ensure_demo_users

PRINCIPAL_KEY = "principal"
_ERROR_KEY = "_auth_error"
_COOKIE_CHECKED_KEY = "_auth_cookie_checked"
SESSION_KEY = "_auth_session"  # the server-side session token of this browser session
COOKIE_VALUE_KEY = "_auth_cookie_value"  # the signed cookie to (re)write on every signed-in run
EXPIRED_COOKIE_MESSAGE = EXPIRED_MESSAGE

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


def _streamlit_cookie_secret() -> str | None:
    """Streamlit's ``server.cookieSecret`` when it was set explicitly (config.toml, the environment
    variable or ``--server.cookieSecret``); ``None`` for its default, a random value per process that
    replicas cannot share."""
    if st_config.is_manually_set("server.cookieSecret"):
        return str(st_config.get_option("server.cookieSecret") or "") or None
    return None


def effective_settings() -> dict[str, str]:
    """The settings mapping for :func:`data_access.config.config_from`: the environment, ``st.secrets``
    over it for ``SECRETS_NAMES``, and Streamlit's explicit cookie secret (the one it really uses)."""
    out = environment_settings()
    for name in SECRETS_NAMES:
        v = _secret(name)
        if v not in (None, ""):
            out[name] = str(v)
    streamlit_secret = _streamlit_cookie_secret()
    if streamlit_secret:
        out[STREAMLIT_COOKIE_SECRET] = streamlit_secret
    return out


def current_config() -> Config:
    return config_from(effective_settings())


@st.cache_resource(show_spinner=False)
def _dev_cookie_key(_engine: Engine, url: str) -> str:
    return development_cookie_key(_engine)


@st.cache_resource(show_spinner=False)
def _ephemeral_key(url: str) -> str:
    return secrets.token_urlsafe(48)


def cookie_key(engine: Engine, config: Config) -> str:
    """The key that signs and checks the re-login cookie: ``AUTH_COOKIE_KEY``; outside production
    without it, the database's development key (read once per process). Production without a key never
    gets here past :func:`startup_checks`; should it, a random per-process key accepts no cookie."""
    if config.auth_cookie_key:
        return config.auth_cookie_key
    url = engine.url.render_as_string(hide_password=True)
    return _ephemeral_key(url) if config.production else _dev_cookie_key(engine, url)


# --------------------------------------------------------------------------- start-up checks


@st.cache_data(ttl=60, show_spinner=False, max_entries=4)
def _production_problems(_engine: Engine, _rev: int, settings: tuple[tuple[str, str], ...]) -> list[str]:
    return production_problems(dict(settings), list_users(_engine), dev_keys=[stored_dev_cookie_key(_engine) or ""])


@st.cache_resource(show_spinner=False)
def _demo_users_once(_engine: Engine, url: str) -> bool:
    ensure_demo_users(_engine)
    return True


def startup_checks(engine: Engine) -> Config:
    """Production (``APP_ENV=production``): refuse to start (error + ``st.stop()``) while a secret is
    missing or weak (``data_access.production``) or a demo account is live. Otherwise: create the demo
    accounts on a database without users, so a fresh clone can sign in. Returns this run's settings."""
    settings = effective_settings()
    config = config_from(settings)
    if config.production:
        problems = _production_problems(engine, current_revision(engine), tuple(sorted(settings.items())))
        if problems:
            st.error("生产环境配置不安全，应用拒绝启动。请先处理：\n\n" + "\n".join(f"- {p}" for p in problems))
            st.stop()
    else:
        _demo_users_once(engine, engine.url.render_as_string(hide_password=True))
    return config


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
    for name in (PRINCIPAL_KEY, SESSION_KEY, COOKIE_VALUE_KEY):
        st.session_state.pop(name, None)
    if message:
        st.session_state[_ERROR_KEY] = message


def browser_cookie(name: str) -> str | None:
    """The cookie ``name`` as the browser sent it when this session connected (``None`` when absent)."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no browser context (bare script run)
        return None
    return value or None


def _cookie_sign_in(engine: Engine, config: Config, key: str) -> bool:
    """First run of a browser session only: resume the server-side session the re-login cookie names, when
    the cookie is accepted and the session is still open, and audit it (so once per browser session).
    True when the browser's cookie is refused and must be deleted (a well-signed one whose session has
    ended also says why). The cookie a browser sends does not change within a session, so later runs (and
    a logout) never look at it again. Renders nothing: it runs before the pages are registered."""
    ss = st.session_state
    if ss.get(_COOKIE_CHECKED_KEY):
        return False
    ss[_COOKIE_CHECKED_KEY] = True
    ss["logout"] = True  # the library's "ignore the cookie" flag: only this function reads it
    if ss.get("authentication_status"):
        return False
    token = browser_cookie(config.auth_cookie_name)
    if token is None:
        return False
    sid = cookie_session_token(token, key, config.auth_cookie_expiry_days)
    check = check_session(engine, sid, SessionTimeouts.of(config)) if sid else None
    if check is None or check.principal is None:
        if check is not None:
            ss[_ERROR_KEY] = check.message
        return True
    p = check.principal
    # the session keys the library sets for a cookie login
    ss.update(authentication_status=True, username=p.username, name=p.display_name, roles=[p.role])
    ss[SESSION_KEY] = sid
    record_cookie_login(engine, p.username)
    return False


def _start_session(engine: Engine, config: Config, key: str, username: str) -> None:
    """After a verified password: a new server-side session and its signed cookie for the next runs."""
    sid = start_session(engine, username, client=client_address())
    st.session_state[SESSION_KEY] = sid
    st.session_state[COOKIE_VALUE_KEY] = session_cookie_value(sid, key, config.auth_cookie_expiry_days)


def _demo_hint(credentials: dict[str, Any], config: Config) -> None:
    if config.production:
        return
    present = [a for a in DEMO_ACCOUNTS if a.username in credentials.get("usernames", {})]
    if present:
        with st.expander("示例账号（仅演示环境）"):
            st.markdown("\n".join(f"- `{a.username}` / `{a.password}`：{a.name}" for a in present))


def require_login(engine: Engine, config: Config | None = None,
                  navigate: Callable[[str | None], Any] | None = None) -> tuple[Principal, Any]:
    """Show the login form until the user is signed in (``st.stop()`` meanwhile); return the principal and
    the page ``navigate`` returned.

    Call once per run, at the top of ``app.py``, with the settings :func:`startup_checks` returned.
    ``navigate(role)`` registers the pages (``st.navigation``) and returns the page to run: with the
    signed-in role, or with ``None`` for the login screen (every page registered hidden, so that the page a
    link asked for is the page shown after the login). It is called before anything that renders a
    component, and that order matters: a new browser session's page comes from its URL only until the
    browser has the first navigation message; a component that reports its value before that (the login
    library's cookie reader does, as soon as it loads) reruns the script on the default page, so a link or
    a reload would land on 总览 whenever the session check is slow. A logout in this run registers the login
    screen's pages again (a second call) before the form."""
    config = current_config() if config is None else config
    navigate = navigate if navigate is not None else (lambda role: None)
    key = cookie_key(engine, config)
    ss = st.session_state
    delete_cookie = _cookie_sign_in(engine, config, key)
    check = check_session(engine, ss.get(SESSION_KEY), SessionTimeouts.of(config)) \
        if ss.get("authentication_status") else None
    principal = check.principal if check is not None else None
    page = navigate(principal.role if principal is not None else None)

    # from here on components may render (the cookie reader is built with the authenticator)
    credentials = credentials_dict(engine)
    authenticator = stauth.Authenticate(
        credentials,
        config.auth_cookie_name,
        key,
        0,  # the library writes no cookie of its own: this module writes the session cookie
        auto_hash=False,
        login_sleep_time=config.auth_login_sleep,
    )
    if delete_cookie:
        _delete_cookie(authenticator)
    if principal is not None:
        if _signed_in(engine, authenticator, config, principal):
            return principal, page
        page = navigate(None)  # signed out just now with the button: the login form follows in this run
    elif check is not None:  # the session was refused (ended, timed out, account changed or deactivated)
        _sign_out(authenticator, check.message)

    client = client_address()
    blocked = client_blocked_until(engine, client)
    if blocked is not None:  # too many failures from this address: no form to try passwords in
        st.error(blocked_message(blocked))
        st.stop()
    authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
    _handle_attempt(engine, authenticator, credentials, config, key, client)
    if ss.get(_ERROR_KEY):
        st.error(ss[_ERROR_KEY])
    _demo_hint(credentials, config)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _handle_attempt(engine: Engine, authenticator: stauth.Authenticate, credentials: dict[str, Any],
                    config: Config, key: str, client: str) -> None:
    """What the login form's submission in this run means: a right password starts a session and reruns
    (unless the database says locked or deactivated meanwhile); a wrong one counts against the account and
    the client address; an unknown name counts against the address only."""
    ss = st.session_state
    attempted = _attempted(credentials)
    status = ss.get("authentication_status")
    if status and attempted is not None:
        # the password was right: the database has the last word (locked or deactivated meanwhile?)
        username = ss.get("username") or attempted[0]
        if record_login_success(engine, username):
            ss.pop(_ERROR_KEY, None)
            record_client_success(engine, client)
            _start_session(engine, config, key, username)
            st.rerun()  # the library does not rerun by itself; the next run has no login form
        info = get_user_with_units(engine, username)
        msg = locked_message(info.locked_until) if info is not None and info.is_locked() else INVALID_LOGIN_MESSAGE
        _sign_out(authenticator, msg)
    elif status is False:
        if attempted is not None and attempted[1].get("locked"):
            info = get_user_with_units(engine, attempted[0])
            msg = locked_message(info.locked_until if info is not None else None)
        elif attempted is not None:
            msg = record_failed_login(engine, attempted[0]).message()
        else:
            msg = INVALID_LOGIN_MESSAGE  # unknown user name (or unusable input): no account to count
        blocked = record_client_failure(engine, client)
        ss[_ERROR_KEY] = blocked_message(blocked) if blocked is not None else msg
        # back to "no attempt" so the next run counts only a new submission
        ss["authentication_status"] = None


def _signed_in(engine: Engine, authenticator: stauth.Authenticate, config: Config, principal: Principal) -> bool:
    """For a signed-in session whose check passed in this run: the session cookie, the sidebar user box and
    the logout button. False when the button was clicked in this run (the session is ended here)."""
    ss = st.session_state
    if ss.get(COOKIE_VALUE_KEY):
        write_session_cookie(authenticator, config.auth_cookie_name, ss[COOKIE_VALUE_KEY],
                             config.auth_cookie_expiry_days, secure=is_https())
    box = st.sidebar.empty()
    with box.container():
        st.markdown(f"**{principal.display_name}**  \n{principal.role_label}")
        if principal.unit_names:
            st.caption("责任单位：" + "、".join(principal.unit_names))
    # outside any container: the cookie-deleting component must stay rendered after a logout
    authenticator.logout(button_name="退出登录", location="sidebar", key="logout_button")
    if not ss.get("authentication_status"):
        box.empty()
        end_session(engine, ss.pop(SESSION_KEY, None), "logout")
        record_logout(engine, principal.username)
        for name in (PRINCIPAL_KEY, _ERROR_KEY, COOKIE_VALUE_KEY):
            ss.pop(name, None)
        return False
    ss[PRINCIPAL_KEY] = principal
    return True


def current_principal() -> Principal:
    """The signed-in principal inside a page (set by ``require_login`` in this run). Pass it to every
    ``data_access`` read and write that takes a principal. Stops the page when nobody is signed in."""
    p = st.session_state.get(PRINCIPAL_KEY)
    if not isinstance(p, Principal) or not st.session_state.get("authentication_status"):
        st.error("请先登录")
        st.stop()
    return p
