"""production_problems: a production deployment refuses unsafe cookie keys and live demo accounts."""

from __future__ import annotations

from functools import lru_cache

import bcrypt
import pytest

from data_access.users import DEV_COOKIE_KEY, is_production, production_problems

GOOD_KEY = "0123456789abcdef0123456789abcdef-prod"
PROD = {"APP_ENV": "production", "AUTH_COOKIE_KEY": GOOD_KEY}


@lru_cache(maxsize=None)
def _hash(pw: str) -> str:
    return bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode()


def user(username="chen", *, active=True, is_demo=False, password="a-real-password-1"):
    return {"username": username, "active": active, "is_demo": is_demo, "password_hash": _hash(password)}


def test_nothing_is_checked_outside_production():
    bad_users = [user("admin", is_demo=True, password="demo-admin")]
    assert production_problems({}, bad_users) == []
    assert production_problems({"APP_ENV": "development", "AUTH_COOKIE_KEY": ""}, bad_users) == []


def test_safe_production_settings_pass():
    assert production_problems(PROD, [user(), user("li", active=False, is_demo=True)]) == []
    assert production_problems({**PROD, "APP_ENV": " Production "}, []) == []
    assert production_problems({**PROD, "AUTH_COOKIE_EXPIRY_DAYS": "0.5"}, []) == []


@pytest.mark.parametrize(
    "key, expected",
    [
        (None, "未配置登录Cookie签名密钥 AUTH_COOKIE_KEY"),
        ("", "未配置登录Cookie签名密钥 AUTH_COOKIE_KEY"),
        ("   ", "未配置登录Cookie签名密钥 AUTH_COOKIE_KEY"),
        (DEV_COOKIE_KEY, "AUTH_COOKIE_KEY 仍是开发用的默认值"),
        ("short-key", "AUTH_COOKIE_KEY 太短"),
    ],
)
def test_missing_default_or_weak_cookie_key(key, expected):
    env = {"APP_ENV": "production"}
    if key is not None:
        env["AUTH_COOKIE_KEY"] = key
    problems = production_problems(env, [user()])
    assert len(problems) == 1 and problems[0].startswith(expected)


def test_active_demo_accounts_are_refused():
    problems = production_problems(PROD, [user("admin", is_demo=True, password="demo-admin"), user()])
    assert len(problems) == 1
    assert "演示账户" in problems[0] and "admin" in problems[0] and "deactivate-user" in problems[0]


def test_deactivated_demo_accounts_are_fine():
    assert production_problems(PROD, [user("admin", active=False, is_demo=True, password="demo-admin")]) == []


def test_a_demo_password_on_a_real_account_is_refused():
    problems = production_problems(PROD, [user("jiaoyu", password="demo-jiaoyu")])
    assert len(problems) == 1 and "演示密码" in problems[0] and "jiaoyu" in problems[0]
    # the same name with its own password is fine
    assert production_problems(PROD, [user("jiaoyu", password="changed-password-9")]) == []


def test_all_problems_are_reported_together():
    env = {"APP_ENV": "production", "AUTH_COOKIE_KEY": DEV_COOKIE_KEY, "AUTH_COOKIE_EXPIRY_DAYS": "abc"}
    users = [user("admin", is_demo=True), user("leader", password="demo-leader")]
    problems = production_problems(env, users)
    assert len(problems) == 4
    assert any("AUTH_COOKIE_EXPIRY_DAYS" in p for p in problems)


def test_user_objects_work_as_well_as_mappings():
    from data_access.users import UserInfo

    u = UserInfo(1, "admin", "x", "admin", True, True, 0, None, password_hash=_hash("x-password"))
    assert "admin" in production_problems(PROD, [u])[0]


def test_is_production():
    assert is_production({"APP_ENV": "production"}) and is_production({"APP_ENV": "PROD"})
    assert not is_production({}) and not is_production({"APP_ENV": "staging"})


def test_auth_settings_defaults_and_production_key():
    from components.auth import auth_settings

    dev = auth_settings({})
    assert dev.cookie_key == DEV_COOKIE_KEY and dev.cookie_expiry_days == 1.0 and not dev.production
    assert dev.login_sleep == pytest.approx(0.7)
    prod = auth_settings({"APP_ENV": "production", "AUTH_LOGIN_SLEEP": "0", "AUTH_COOKIE_EXPIRY_DAYS": "0.25"})
    assert prod.production and prod.cookie_key == "" and prod.login_sleep == 0 and prod.cookie_expiry_days == 0.25
    assert auth_settings({"AUTH_COOKIE_EXPIRY_DAYS": "x"}).cookie_expiry_days == 1.0


# --------------------------------------------------------------------------- key length boundaries


def test_cookie_key_length_boundary_and_padding():
    from data_access.users import MIN_COOKIE_KEY_CHARS

    ok = "k" * MIN_COOKIE_KEY_CHARS
    assert production_problems({"APP_ENV": "production", "AUTH_COOKIE_KEY": ok}, []) == []
    short = production_problems({"APP_ENV": "production", "AUTH_COOKIE_KEY": ok[1:]}, [])
    assert len(short) == 1 and short[0].startswith("AUTH_COOKIE_KEY 太短")
    # spaces around a short key do not make it long enough
    padded = production_problems({"APP_ENV": "production", "AUTH_COOKIE_KEY": f"   {ok[1:]}   "}, [])
    assert len(padded) == 1 and padded[0].startswith("AUTH_COOKIE_KEY 太短")
    # the development key with spaces around it is still the development key
    dev = production_problems({"APP_ENV": "production", "AUTH_COOKIE_KEY": f" {DEV_COOKIE_KEY} "}, [])
    assert len(dev) == 1 and "默认值" in dev[0]


# --------------------------------------------------------------------------- the app's start-up check
#
# components.auth.startup_checks, as app.py runs it on every run, on a real (SQLite) user table: each
# unsafe production setting stops the app with the list of problems; safe settings let it start.


class _Stopped(Exception):
    pass


@pytest.fixture
def startup(tmp_path, monkeypatch):
    """``startup(env, users)``: create the users, set the environment, run ``startup_checks``; returns
    (the error it showed or None when the app may start, the usernames in the database afterwards)."""
    import streamlit as st

    import components.auth as auth
    from data_access.db import make_engine, migrate
    from data_access.users import create_user, list_users

    engine = make_engine(f"sqlite:///{tmp_path / 'prod.db'}")
    migrate(engine)
    for name in auth.SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(auth, "_secret", lambda name: None)  # no .streamlit/secrets.toml in play
    shown: list[str] = []
    monkeypatch.setattr(auth.st, "error", lambda body, *a, **k: shown.append(str(body)))

    def stop():
        raise _Stopped

    monkeypatch.setattr(auth.st, "stop", stop)

    def run(env: dict, users: list[tuple[str, str, bool]]):
        for username, password, demo in users:
            create_user(engine, username, "admin", password, name=username, is_demo=demo)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        st.cache_data.clear()  # the check is cached per revision and settings, not per database
        st.cache_resource.clear()
        try:
            auth.startup_checks(engine)
        except _Stopped:
            return shown[-1] if shown else "(stopped without a message)", [u.username for u in list_users(engine)]
        assert not shown
        return None, [u.username for u in list_users(engine)]

    yield run
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()


REAL = [("chen", "a-real-password-42", False)]


@pytest.mark.parametrize(
    "env, users, expected",
    [
        ({}, REAL, "未配置登录Cookie签名密钥 AUTH_COOKIE_KEY"),
        ({"AUTH_COOKIE_KEY": DEV_COOKIE_KEY}, REAL, "仍是开发用的默认值"),
        ({"AUTH_COOKIE_KEY": "0123456789abcdef-too-short"}, REAL, "AUTH_COOKIE_KEY 太短"),
        ({"AUTH_COOKIE_KEY": GOOD_KEY}, [("jiaoyu", "demo-jiaoyu", False)], "演示密码"),
        ({"AUTH_COOKIE_KEY": GOOD_KEY}, [("admin", "demo-admin", True)], "演示账户"),
        ({"AUTH_COOKIE_KEY": GOOD_KEY, "AUTH_COOKIE_EXPIRY_DAYS": "365"}, REAL, "AUTH_COOKIE_EXPIRY_DAYS 不正确"),
    ],
    ids=["missing-key", "default-key", "short-key", "demo-password", "demo-account", "long-expiry"],
)
def test_production_app_refuses_to_start(startup, env, users, expected):
    error, usernames = startup({"APP_ENV": "production", **env}, users)
    assert error is not None and "拒绝启动" in error and expected in error, error
    assert sorted(usernames) == sorted(u for u, _, _ in users)  # nothing created, nothing changed


def test_production_app_with_safe_settings_starts_without_demo_accounts(startup):
    error, usernames = startup({"APP_ENV": "production", "AUTH_COOKIE_KEY": GOOD_KEY}, REAL)
    assert error is None and usernames == ["chen"]


def test_production_key_from_secrets_counts_like_the_environment(startup, monkeypatch):
    import components.auth as auth

    monkeypatch.setattr(auth, "_secret", lambda name: {"AUTH_COOKIE_KEY": DEV_COOKIE_KEY}.get(name))
    error, _ = startup({"APP_ENV": "production"}, REAL)
    assert error is not None and "仍是开发用的默认值" in error


def test_development_creates_the_demo_accounts_on_an_empty_database(startup):
    error, usernames = startup({}, [])
    assert error is None and {"admin", "leader", "jiaoyu", "weijian"} <= set(usernames)
