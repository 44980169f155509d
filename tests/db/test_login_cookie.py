"""The development cookie key: random, generated once per database, shared by every engine on it."""

from __future__ import annotations

import threading

import jwt

from data_access.db import make_engine
from data_access.login_cookie import (
    DEV_KEY_SETTING,
    cookie_session_token,
    development_cookie_key,
    stored_dev_cookie_key,
)
from data_access.permissions import SYSTEM_ADMIN
from data_access.production import secret_problem

OLD_DEV_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"


def test_the_key_is_created_once_and_the_same_for_two_engines(engine, db_url):
    assert stored_dev_cookie_key(engine) is None
    other = make_engine(db_url)
    try:
        key = development_cookie_key(engine)
        assert development_cookie_key(other) == key == stored_dev_cookie_key(other)
        assert key != OLD_DEV_KEY and len(key) >= 64
        assert secret_problem("AUTH_COOKIE_KEY", key) is None  # as strong as a production key
    finally:
        other.dispose()


def test_two_engines_starting_together_agree(engine, db_url):
    """Two replicas on one fresh database ask at the same moment: one row, one key."""
    engines = [make_engine(db_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    keys: list[str] = []
    errors: list[BaseException] = []

    def start(e):
        try:
            barrier.wait()
            keys.append(development_cookie_key(e))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert errors == [] and len(keys) == len(engines) and len(set(keys)) == 1
    assert stored_dev_cookie_key(engine) == keys[0]


def test_different_databases_get_different_keys(engine, tmp_path):
    from data_access.db import migrate

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    try:
        assert development_cookie_key(other) != development_cookie_key(engine)
    finally:
        other.dispose()


def test_a_token_signed_with_the_old_constant_is_refused_by_the_stored_key(engine):
    import time

    token = jwt.encode({"sid": "s1", "exp_date": time.time() + 3600}, OLD_DEV_KEY, algorithm="HS256")
    assert cookie_session_token(token, development_cookie_key(engine), 1) is None
    good = jwt.encode({"sid": "s1", "exp_date": time.time() + 3600}, development_cookie_key(engine),
                      algorithm="HS256")
    assert cookie_session_token(good, development_cookie_key(engine), 1) == "s1"


def test_the_reserved_setting_is_not_an_admin_setting():
    from data_access import actuals, monitoring

    assert DEV_KEY_SETTING not in {getattr(monitoring, "SETTINGS_KEY", None), getattr(actuals, "SETTINGS_KEY", None)}


def test_record_cookie_login_writes_one_login_row(engine):
    from sqlalchemy import select

    from data_access.models import AuditLog
    from data_access.users import create_user, record_cookie_login

    create_user(engine, "chen", "admin", "a-real-password-42", name="陈", by=SYSTEM_ADMIN)
    record_cookie_login(engine, "Chen")
    with engine.connect() as c:
        rows = c.execute(select(AuditLog.username, AuditLog.action, AuditLog.detail, AuditLog.entity_id)
                         .where(AuditLog.action == "login")).all()
    assert len(rows) == 1 and rows[0][:3] == ("chen", "login", "浏览器记住登录，自动登录") and rows[0][3] is not None
