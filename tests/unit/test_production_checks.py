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
