"""Server-side sessions (data_access.sessions): what ends a session, the timeouts, the admin's view.

The rules are in the module docstring of ``data_access.sessions``; each test is one way a session must
stop being accepted (or keep being accepted), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from data_access import passwords
from data_access.config import config_from
from data_access.db import session_scope
from data_access.models import AuditLog, LoginSession, Unit
from data_access.permissions import SYSTEM_ADMIN, PermissionDenied
from data_access.sessions import (
    SessionTimeouts,
    active_sessions,
    check_session,
    end_session,
    end_session_by_id,
    start_session,
    token_hash,
)
from data_access.users import (
    MAX_FAILED_ATTEMPTS,
    create_user,
    principal_for,
    record_failed_login,
    set_active,
    set_password,
    set_role,
    set_user_units,
)

T0 = datetime(2024, 9, 30, 8, 0, tzinfo=UTC)
PW = "correct-horse-1"
LIMITS = SessionTimeouts(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def people(engine):
    with session_scope(engine) as s:
        s.add_all([Unit(name="教育科"), Unit(name="民政科")])
    create_user(engine, "root", "admin", "Admin-pass-2024", name="管理员", by=SYSTEM_ADMIN)
    create_user(engine, "jy", "staff", PW, name="教育", units=["教育科"], by=SYSTEM_ADMIN)
    return engine


def _ok(engine, token, now=T0):
    return check_session(engine, token, LIMITS, now=now).principal is not None


def test_a_session_is_accepted_until_logout_and_never_after(people):
    token = start_session(people, "jy", client="10.0.0.7", now=T0)
    check = check_session(people, token, LIMITS, now=T0 + timedelta(minutes=1))
    assert check.principal is not None and check.principal.username == "jy" and check.principal.unit_names == ("教育科",)
    assert end_session(people, token, now=T0 + timedelta(minutes=2))
    again = check_session(people, token, LIMITS, now=T0 + timedelta(minutes=3))
    assert again.principal is None and again.message == "登录已失效，请重新登录"


def test_only_the_hash_of_the_token_is_stored(people):
    token = start_session(people, "jy", now=T0)
    with people.connect() as c:
        stored = c.execute(select(LoginSession.token_hash, LoginSession.client)).all()
    assert stored == [(token_hash(token), "")] and token not in stored[0][0]


ENDS = {
    "password change": lambda e: set_password(e, "jy", "another-pass-77", by=SYSTEM_ADMIN),
    "deactivation": lambda e: set_active(e, "jy", False, by=SYSTEM_ADMIN),
    "unit change": lambda e: set_user_units(e, "jy", ["民政科"], by=SYSTEM_ADMIN),
    "role change": lambda e: set_role(e, "jy", "leader", by=SYSTEM_ADMIN),
    "lockout": lambda e: [record_failed_login(e, "jy", now=T0) for _ in range(MAX_FAILED_ATTEMPTS)],
}


@pytest.mark.parametrize("change", list(ENDS.values()), ids=list(ENDS))
def test_an_account_change_ends_every_open_session_at_the_next_check(people, change):
    tokens = [start_session(people, "jy", now=T0) for _ in range(2)]  # two browsers
    other = start_session(people, "root", now=T0)
    change(people)
    later = T0 + timedelta(minutes=1)
    for t in tokens:
        check = check_session(people, t, LIMITS, now=later)
        assert check.principal is None and "请" in check.message
    assert _ok(people, other, later)  # the admin's session is not touched


def test_a_new_sign_in_after_a_password_change_is_accepted(people):
    start_session(people, "jy", now=T0)
    set_password(people, "jy", "another-pass-77", by=SYSTEM_ADMIN)
    assert _ok(people, start_session(people, "jy", now=T0))


def test_idle_timeout(people):
    token = start_session(people, "jy", now=T0)
    assert _ok(people, token, T0 + timedelta(minutes=29))  # activity moves the idle window
    assert _ok(people, token, T0 + timedelta(minutes=58))
    check = check_session(people, token, LIMITS, now=T0 + timedelta(minutes=89))
    assert check.principal is None and "超过30分钟未操作" in check.message
    assert not _ok(people, token, T0 + timedelta(minutes=90))  # ended for good


def test_absolute_timeout_however_active(people):
    token = start_session(people, "jy", now=T0)
    t = T0
    while t < T0 + timedelta(hours=8):
        assert _ok(people, token, t)
        t += timedelta(minutes=20)
    check = check_session(people, token, LIMITS, now=T0 + timedelta(hours=8, minutes=1))
    assert check.principal is None and "登录已超过8小时" in check.message


def test_timeouts_are_settings():
    limits = SessionTimeouts.of(config_from({"AUTH_SESSION_IDLE_MINUTES": "15", "AUTH_SESSION_MAX_HOURS": "2"}))
    assert limits == SessionTimeouts(timedelta(minutes=15), timedelta(hours=2))
    default = SessionTimeouts.of(config_from({"AUTH_SESSION_IDLE_MINUTES": "-3", "AUTH_SESSION_MAX_HOURS": "x"}))
    assert default == SessionTimeouts(timedelta(minutes=120), timedelta(hours=12))


def test_the_admin_sees_and_ends_sessions(people):
    admin = principal_for(people, "root")
    token = start_session(people, "jy", client="10.0.0.7", now=T0)
    ended = start_session(people, "jy", now=T0)
    end_session(people, ended, now=T0)
    listed = active_sessions(people, admin, LIMITS, now=T0 + timedelta(minutes=1))
    assert [(i.username, i.client) for i in listed] == [("jy", "10.0.0.7")]
    assert end_session_by_id(people, admin, listed[0].id, now=T0 + timedelta(minutes=2))
    check = check_session(people, token, LIMITS, now=T0 + timedelta(minutes=3))
    assert check.principal is None and check.message == "管理员已结束此登录会话，请重新登录"
    assert active_sessions(people, admin, LIMITS, now=T0 + timedelta(minutes=3)) == []
    assert not end_session_by_id(people, admin, listed[0].id)  # already ended
    with people.connect() as c:
        rows = c.execute(select(AuditLog.username, AuditLog.action).where(AuditLog.action == "end_session")).all()
    assert rows == [("root", "end_session")]


def test_only_the_admin_lists_or_ends_sessions(people):
    staff = principal_for(people, "jy")
    start_session(people, "root", now=T0)
    with pytest.raises(PermissionDenied, match="仅限管理员"):
        active_sessions(people, staff, LIMITS)
    with pytest.raises(PermissionDenied, match="仅限管理员"):
        end_session_by_id(people, staff, 1)
    with pytest.raises(PermissionDenied, match="请先登录"):
        active_sessions(people, None, LIMITS)


def test_no_session_for_an_inactive_account(people):
    set_active(people, "jy", False, by=SYSTEM_ADMIN)
    with pytest.raises(LookupError):
        start_session(people, "jy")
