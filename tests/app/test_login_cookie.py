"""The re-login cookie through the real app.py (AppTest): which tokens sign in, the audit row, refusals.

AppTest cannot send cookies: the ``cookie`` fixture (tests/app/conftest.py) replaces what the browser
sent. Tokens are made like the app makes them: PyJWT HS256 of {"sid", "exp_date"}, ``sid`` the token of a
server-side session started for the user (``data_access.sessions.start_session``).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import jwt
import pytest
from sqlalchemy import select

from data_access.db import make_engine
from data_access.login_cookie import development_cookie_key
from data_access.models import AuditLog
from data_access.permissions import SYSTEM_ADMIN
from data_access.sessions import start_session
from data_access.users import create_user
from seed.demo_users import ensure_demo_users
from tests.app.conftest import STRONG_KEY

EXAMPLE_KEY = "CHANGE-ME-another-long-random-string"  # deploy/monitoring.env.example as shipped
OLD_DEV_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"  # the former built-in key


def _sid(username: str) -> str:
    """A live server-side session of ``username`` (a random token when there is no such user)."""
    import os
    import secrets

    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        ensure_demo_users(engine)
        return start_session(engine, username)
    except LookupError:
        return secrets.token_urlsafe(32)
    finally:
        engine.dispose()


def _token(key: str, username: str = "admin", *, days: float = 0.5, alg: str = "HS256") -> str:
    exp = (datetime.now() + timedelta(days=days)).timestamp()
    return jwt.encode({"sid": _sid(username), "exp_date": exp}, key, algorithm=alg)


def _unsigned(username: str = "admin") -> str:
    part = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()  # noqa: E731
    exp = (datetime.now() + timedelta(days=0.5)).timestamp()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sid': _sid(username), 'exp_date': exp})}."


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


def _audit_actions(engine, username: str) -> list[str]:
    with engine.connect() as c:
        return list(
            c.execute(select(AuditLog.action).where(AuditLog.username == username).order_by(AuditLog.id)).scalars()
        )


def _login_rows(engine) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(
            select(AuditLog.username, AuditLog.detail).where(AuditLog.action == "login").order_by(AuditLog.id)
        ).all()]


def _shows_login_form(at) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and "总览" not in _titles(at)


def test_cookie_naming_no_open_session_shows_the_login_form(new_app, app_engine, cookie):
    deleted = cookie(_token(development_cookie_key(app_engine), "ghost"))
    at = new_app().run()
    assert not at.exception
    assert "登录已失效，请重新登录" in _errors(at)
    assert _shows_login_form(at) and deleted


def test_cookie_of_an_existing_user_signs_in_and_is_audited_once_per_session(new_app, app_engine, cookie):
    ensure_demo_users(app_engine)
    deleted = cookie(_token(development_cookie_key(app_engine), "jiaoyu"))
    at = new_app().run()
    assert not at.exception
    assert "总览" in _titles(at)
    assert at.session_state["principal"].username == "jiaoyu"
    at.run()
    at.run()
    assert _login_rows(app_engine) == [("jiaoyu", "浏览器记住登录，自动登录")]  # once per session, not per run
    assert _audit_actions(app_engine, "jiaoyu") == ["login"]  # no failure counted, nothing else
    again = new_app().run()  # another browser tab: another session
    assert "总览" in _titles(again)
    assert len(_login_rows(app_engine)) == 2 and not deleted


def test_after_logout_the_cookie_does_not_sign_in_again(new_app, app_engine, cookie):
    ensure_demo_users(app_engine)
    cookie(_token(development_cookie_key(app_engine), "leader"))
    at = new_app().run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    at.run()
    assert not at.exception and _shows_login_form(at)
    assert _audit_actions(app_engine, "leader") == ["login", "logout"]


FORGED = {
    "example key": lambda key: _token(EXAMPLE_KEY),
    "old development key, 100 years": lambda key: _token(OLD_DEV_KEY, days=36500),
    "right key, 10 years": lambda key: _token(key, days=3650),
    "alg none": lambda key: _unsigned(),
    "HS512, right key": lambda key: _token(key, alg="HS512"),
    "garbage": lambda key: "not.a.token",
}


@pytest.mark.parametrize("make", list(FORGED.values()), ids=list(FORGED))
def test_a_forged_or_malformed_cookie_shows_the_login_form(new_app, app_engine, cookie, make):
    """Development (the key stored in the database): no sign-in, no error page, the cookie is deleted."""
    ensure_demo_users(app_engine)
    deleted = cookie(make(development_cookie_key(app_engine)))
    at = new_app().run()
    assert not at.exception
    assert _shows_login_form(at) and not at.session_state["authentication_status"]
    assert deleted and _errors(at) == []
    assert _login_rows(app_engine) == []
    at.run()  # and it stays refused
    assert not at.exception and _shows_login_form(at)


# --------------------------------------------------------------------------- production


def test_production_with_the_example_key_refuses_to_start_and_a_cookie_signed_with_it(
        new_app, app_engine, production, cookie):
    """The attack: AUTH_COOKIE_KEY left at the example's placeholder, an admin cookie signed with it."""
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈", by=SYSTEM_ADMIN)
    production(key=EXAMPLE_KEY)
    cookie(_token(EXAMPLE_KEY, "chen", days=3650))
    at = new_app().run()
    assert not at.exception
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "AUTH_COOKIE_KEY 仍是示例或占位值" in errors
    assert "总览" not in _titles(at) and not at.text_input
    assert _login_rows(app_engine) == []


def test_production_cookie_signed_with_the_configured_key(new_app, app_engine, production, cookie):
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈", by=SYSTEM_ADMIN)
    production()
    cookie(_token(STRONG_KEY, "chen", days=3650))  # the right key, but ten years
    at = new_app().run()
    assert not at.exception and _shows_login_form(at)
    cookie(_token(STRONG_KEY, "chen"))  # as the library issues it
    at = new_app().run()
    assert not at.exception and "总览" in _titles(at)
    assert _login_rows(app_engine) == [("chen", "浏览器记住登录，自动登录")]
