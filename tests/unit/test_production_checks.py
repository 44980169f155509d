"""The production start-up check: secrets (one key rule, table-driven), live demo accounts, settings."""

from __future__ import annotations

import secrets
from functools import cache

import bcrypt
import pytest

from data_access.config import ALL_NAMES, config_from, is_production
from data_access.permissions import SYSTEM_ADMIN
from data_access.production import (
    EXAMPLE_ENV,
    GENERATE_COMMAND,
    MIN_SECRET_CHARS,
    estimated_bits,
    example_values,
    production_problems,
    secret_problem,
)

# fixed values made with secrets.token_urlsafe(48) / token_hex: deterministic, and strong by the rule
GOOD_KEY = "xT_I4k2ouTHVG39o-HEwLXNY9hkB51Gj7kyLcQbJbReXZn5tOe8JIjPJldXwCzSB"
GOOD_SECRET = "MB0YZlvlN4QKgTqHGoNqiMeQzzWBRa0N385B6V3rhKEBjw_nb9QXOMH2bc1otRkq"
PROD = {"APP_ENV": "production", "AUTH_COOKIE_KEY": GOOD_KEY, "STREAMLIT_SERVER_COOKIE_SECRET": GOOD_SECRET}
# the built-in development key of earlier versions
OLD_DEV_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"
# the placeholder of deploy/monitoring.env.example that an attack run signed admin cookies with
EXAMPLE_KEY = "CHANGE-ME-another-long-random-string"


@cache
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


# --------------------------------------------------------------------------- the key rule
#
# One rule for both secrets (AUTH_COOKIE_KEY, STREAMLIT_SERVER_COOKIE_SECRET): each row is a value and
# the start of the refusal, or None when the value is accepted.

KEY_RULES = [
    (None, "未配置"),
    ("", "未配置"),
    ("   ", "未配置"),
    (OLD_DEV_KEY, "{name} 仍是开发用的默认值"),
    (f" {OLD_DEV_KEY} ", "{name} 仍是开发用的默认值"),
    (EXAMPLE_KEY, "{name} 仍是示例或占位值"),
    ("CHANGE-ME-long-random-string", "{name} 仍是示例或占位值"),
    ("changeme-" + GOOD_KEY[:40], "{name} 仍是示例或占位值"),
    (GOOD_KEY[:30] + "-PlaceHolder", "{name} 仍是示例或占位值"),
    ("this-is-an-example-" + GOOD_KEY[:30], "{name} 仍是示例或占位值"),
    ("your-secret-key-" + GOOD_KEY[:30], "{name} 仍是示例或占位值"),
    ("short-key", "{name} 太短"),
    (GOOD_KEY[:MIN_SECRET_CHARS - 1], "{name} 太短"),
    (f"   {GOOD_KEY[:MIN_SECRET_CHARS - 1]}   ", "{name} 太短"),  # spaces around do not make it longer
    ("a" * 32, "{name} 过于简单"),
    ("abc" * 11, "{name} 过于简单"),
    ("password" * 4, "{name} 过于简单"),
    ("CorrectHorseBatteryStaple" * 2, "{name} 过于简单"),  # a word written twice, however long
    ("0123456789abcdef" * 2, "{name} 过于简单"),
    ("0123456789abcdef0123456789abcdef-prod", "{name} 过于简单"),
    ("abcdefghijklmnopqrstuvwxyz012345", "{name} 过于简单"),  # a run of neighbours
    ("7840fedf3bb394452f5b7ba82d0b2a00", "{name} 过于简单"),  # 32 hex characters: ~114 bits estimated
    ("W4olTssr4nRSiSZwBbSD8zhiv5UbdQr-", None),  # secrets.token_urlsafe(24): exactly 32 characters, ~145 bits
    ("2dMWGDWwaNjNh2lfm2seGhEtj05W_N-khA0WZ3453wY", None),  # secrets.token_urlsafe(32)
    ("791cd3a9229e468a50bc709f42929044c04e6cb3f7ba9af4f23dbd6f14a3f653", None),  # secrets.token_hex(32)
    (GOOD_KEY, None),  # secrets.token_urlsafe(48)
]


@pytest.mark.parametrize("name", ["AUTH_COOKIE_KEY", "STREAMLIT_SERVER_COOKIE_SECRET"])
@pytest.mark.parametrize("value, expected", KEY_RULES)
def test_key_rule(name, value, expected):
    problem = secret_problem(name, value)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(expected.format(name=name)), problem
        assert GENERATE_COMMAND in problem  # every refusal says how to make a good one


@pytest.mark.parametrize("name", ["AUTH_COOKIE_KEY", "STREAMLIT_SERVER_COOKIE_SECRET"])
@pytest.mark.parametrize("value, expected", KEY_RULES)
def test_production_applies_the_key_rule_to_both_secrets(name, value, expected):
    env = {**PROD}
    env.pop(name)
    other = "STREAMLIT_SERVER_COOKIE_SECRET" if name == "AUTH_COOKIE_KEY" else "AUTH_COOKIE_KEY"
    if value is not None:
        env[name] = value
    if value == env[other]:
        env[other] = GOOD_SECRET if value == GOOD_KEY else GOOD_KEY
    problems = production_problems(env, [user()])
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and name in problems[0], problems


@pytest.mark.parametrize("maker", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)],
                         ids=["token_urlsafe(32)", "token_hex(32)"])
def test_freshly_generated_keys_always_pass(maker):
    for _ in range(300):
        key = maker()
        assert secret_problem("AUTH_COOKIE_KEY", key) is None, (key, estimated_bits(key))


def test_every_value_of_the_example_environment_file_is_refused():
    assert EXAMPLE_ENV.exists()
    values = example_values()
    assert EXAMPLE_KEY in values
    for value in values:
        assert secret_problem("AUTH_COOKIE_KEY", value) is not None, value


def test_the_example_file_refuses_to_start_as_it_is():
    lines = [line.split("=", 1) for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    problems = production_problems(dict(lines), [])
    assert any("AUTH_COOKIE_KEY" in p for p in problems)
    assert any("STREAMLIT_SERVER_COOKIE_SECRET" in p for p in problems)


def test_the_two_secrets_must_differ():
    problems = production_problems({**PROD, "STREAMLIT_SERVER_COOKIE_SECRET": GOOD_KEY}, [])
    assert problems == ["AUTH_COOKIE_KEY 与 STREAMLIT_SERVER_COOKIE_SECRET 不能相同（请分别随机生成）"]


def test_missing_streamlit_cookie_secret_is_refused():
    env = {**PROD}
    del env["STREAMLIT_SERVER_COOKIE_SECRET"]
    problems = production_problems(env, [user()])
    assert len(problems) == 1 and problems[0].startswith("未配置Streamlit Cookie签名密钥 STREAMLIT_SERVER_COOKIE_SECRET")
    assert "各副本必须相同" in problems[0]


def test_the_development_key_stored_in_the_database_is_refused():
    problems = production_problems({**PROD, "AUTH_COOKIE_KEY": "stored" + GOOD_SECRET[::-1]}, [],
                                   dev_keys=["stored" + GOOD_SECRET[::-1]])
    assert len(problems) == 1 and problems[0].startswith("AUTH_COOKIE_KEY 仍是开发用的默认值")


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
    env = {"APP_ENV": "production", "AUTH_COOKIE_KEY": OLD_DEV_KEY, "AUTH_COOKIE_EXPIRY_DAYS": "abc"}
    users = [user("admin", is_demo=True), user("leader", password="demo-leader")]
    problems = production_problems(env, users)
    assert len(problems) == 5
    assert any("AUTH_COOKIE_EXPIRY_DAYS" in p for p in problems)
    assert any(p.startswith("未配置Streamlit Cookie签名密钥") for p in problems)


def test_user_objects_work_as_well_as_mappings():
    from data_access.users import UserInfo

    u = UserInfo(1, "admin", "x", "admin", True, True, 0, None, password_hash=_hash("x-password"))
    assert "admin" in production_problems(PROD, [u])[0]


def test_is_production():
    assert is_production({"APP_ENV": "production"}) and is_production({"APP_ENV": "PROD"})
    assert not is_production({}) and not is_production({"APP_ENV": "staging"})


def test_config_defaults_and_parsing():
    dev = config_from({})
    assert dev.auth_cookie_key == "" and dev.auth_cookie_expiry_days == 1.0 and not dev.production
    assert dev.auth_login_sleep == pytest.approx(0.7) and dev.auth_cookie_name == "jxsjk_auth"
    assert dev.database_url == "sqlite:///data/monitoring.db" and dev.streamlit_cookie_secret == ""
    prod = config_from({"APP_ENV": " Production ", "AUTH_LOGIN_SLEEP": "0", "AUTH_COOKIE_EXPIRY_DAYS": "0.25"})
    assert prod.production and prod.auth_cookie_key == "" and prod.auth_login_sleep == 0
    assert prod.auth_cookie_expiry_days == 0.25
    assert config_from({"AUTH_COOKIE_EXPIRY_DAYS": "x"}).auth_cookie_expiry_days == 1.0
    assert config_from({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    assert config_from({"DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    # the secrets are not shown in a repr (logs, tracebacks)
    assert GOOD_KEY not in repr(config_from(PROD)) and GOOD_SECRET not in repr(config_from(PROD))


def test_the_config_module_is_the_only_reader_of_these_settings():
    """No module outside data_access/config.py (and the tests) reads a setting from the environment.
    Setting one for a child process is fine; bench/bare_overview.py is the benchmark floor that runs no
    product code at all."""
    import re

    from tests.conftest import ROOT

    names = "|".join(ALL_NAMES)
    reads = re.compile(
        r"os\.environ\.get\(\s*['\"](" + names + r")['\"]"
        r"|os\.getenv\(\s*['\"](" + names + r")['\"]"
        r"|os\.environ\[\s*['\"](" + names + r")['\"]\s*\](?!\s*=[^=])"
    )
    allowed = {"data_access/config.py", "bench/bare_overview.py"}
    offenders = [
        rel for path in ROOT.rglob("*.py")
        if ".venv" not in path.parts and "tests" not in path.parts
        and (rel := path.relative_to(ROOT).as_posix()) not in allowed
        and reads.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --------------------------------------------------------------------------- the app's start-up check
#
# components.auth.startup_checks, as app.py runs it on every run, on a real (SQLite) user table: each
# unsafe production setting stops the app with the list of problems; safe settings let it start.


class _Stopped(Exception):
    pass


def _store_hash(engine, username: str, password: str) -> None:
    from sqlalchemy import update

    from data_access.db import session_scope
    from data_access.models import User

    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    with session_scope(engine) as s:
        s.execute(update(User).where(User.username == username).values(password_hash=hashed))


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
    for name in ALL_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(auth, "_secret", lambda name: None)  # no .streamlit/secrets.toml in play
    monkeypatch.setattr(auth, "_streamlit_cookie_secret", lambda: None)  # nor a Streamlit config.toml value
    shown: list[str] = []
    monkeypatch.setattr(auth.st, "error", lambda body, *a, **k: shown.append(str(body)))

    def stop():
        raise _Stopped

    monkeypatch.setattr(auth.st, "stop", stop)

    def run(env: dict, users: list[tuple[str, str, bool]]):
        for username, password, demo in users:
            create_user(engine, username, "admin", "Placeholder-pw-0427", name=username, is_demo=demo, by=SYSTEM_ADMIN)
            _store_hash(engine, username, password)  # as set before the password policy refused it
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
SECRET = {"STREAMLIT_SERVER_COOKIE_SECRET": GOOD_SECRET}


@pytest.mark.parametrize(
    "env, users, expected",
    [
        (SECRET, REAL, "未配置登录Cookie签名密钥 AUTH_COOKIE_KEY"),
        ({**SECRET, "AUTH_COOKIE_KEY": OLD_DEV_KEY}, REAL, "仍是开发用的默认值"),
        ({**SECRET, "AUTH_COOKIE_KEY": EXAMPLE_KEY}, REAL, "AUTH_COOKIE_KEY 仍是示例或占位值"),
        ({**SECRET, "AUTH_COOKIE_KEY": "a" * 32}, REAL, "AUTH_COOKIE_KEY 过于简单"),
        ({**SECRET, "AUTH_COOKIE_KEY": "0123456789abcdef-too-short"}, REAL, "AUTH_COOKIE_KEY 太短"),
        ({"AUTH_COOKIE_KEY": GOOD_KEY}, REAL, "未配置Streamlit Cookie签名密钥 STREAMLIT_SERVER_COOKIE_SECRET"),
        ({"AUTH_COOKIE_KEY": GOOD_KEY, "STREAMLIT_SERVER_COOKIE_SECRET": "CHANGE-ME-long-random-string"}, REAL,
         "STREAMLIT_SERVER_COOKIE_SECRET 仍是示例或占位值"),
        ({**SECRET, "AUTH_COOKIE_KEY": GOOD_KEY}, [("jiaoyu", "demo-jiaoyu", False)], "演示密码"),
        ({**SECRET, "AUTH_COOKIE_KEY": GOOD_KEY}, [("admin", "demo-admin", True)], "演示账户"),
        ({**SECRET, "AUTH_COOKIE_KEY": GOOD_KEY, "AUTH_COOKIE_EXPIRY_DAYS": "365"}, REAL,
         "AUTH_COOKIE_EXPIRY_DAYS 不正确"),
    ],
    ids=["missing-key", "old-dev-key", "example-key", "low-entropy-key", "short-key", "missing-streamlit-secret",
         "example-streamlit-secret", "demo-password", "demo-account", "long-expiry"],
)
def test_production_app_refuses_to_start(startup, env, users, expected):
    error, usernames = startup({"APP_ENV": "production", **env}, users)
    assert error is not None and "拒绝启动" in error and expected in error, error
    assert sorted(usernames) == sorted(u for u, _, _ in users)  # nothing created, nothing changed


def test_production_app_with_safe_settings_starts_without_demo_accounts(startup):
    error, usernames = startup(PROD, REAL)
    assert error is None and usernames == ["chen"]


def test_production_key_from_secrets_counts_like_the_environment(startup, monkeypatch):
    import components.auth as auth

    monkeypatch.setattr(auth, "_secret", lambda name: {"AUTH_COOKIE_KEY": OLD_DEV_KEY}.get(name))
    error, _ = startup({"APP_ENV": "production", **SECRET}, REAL)
    assert error is not None and "仍是开发用的默认值" in error


def test_streamlit_cookie_secret_set_in_streamlit_config_counts(startup, monkeypatch):
    """``server.cookieSecret`` set explicitly (config.toml, flag) is what Streamlit uses: it counts."""
    import components.auth as auth

    monkeypatch.setattr(auth, "_streamlit_cookie_secret", lambda: GOOD_SECRET)
    error, _ = startup({"APP_ENV": "production", "AUTH_COOKIE_KEY": GOOD_KEY}, REAL)
    assert error is None
    monkeypatch.setattr(auth, "_streamlit_cookie_secret", lambda: "a" * 40)
    error, _ = startup({"APP_ENV": "production", "AUTH_COOKIE_KEY": GOOD_KEY}, [])
    assert error is not None and "STREAMLIT_SERVER_COOKIE_SECRET 过于简单" in error


def test_streamlit_default_cookie_secret_is_not_taken_for_an_explicit_one():
    """Streamlit's own default (random per process) is not "set": replicas could not share it."""
    from streamlit import config as st_config

    import components.auth as auth

    if st_config.is_manually_set("server.cookieSecret"):
        pytest.skip("server.cookieSecret is set in this environment")
    assert st_config.get_option("server.cookieSecret")  # there is a default value ...
    assert auth._streamlit_cookie_secret() is None  # ... and it is not taken


def test_development_creates_the_demo_accounts_on_an_empty_database(startup):
    error, usernames = startup({}, [])
    assert error is None and {"admin", "leader", "jiaoyu", "weijian"} <= set(usernames)
