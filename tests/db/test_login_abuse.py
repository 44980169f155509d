"""Login abuse: the account lockout grows but stays bounded (the last admin is never kept out for long),
per-client blocking, and the documented recovery commands.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from data_access import passwords
from data_access import users as U
from data_access.logins import MAX_LOCKOUT, lockout_for
from data_access.permissions import SYSTEM_ADMIN, PermissionDenied
from data_access.throttle import (
    CLIENT_MAX_FAILURES,
    client_blocked_until,
    record_client_failure,
    record_client_success,
    unblock_clients,
)

T0 = datetime(2024, 9, 30, 8, 0, tzinfo=UTC)
PW = "a-real-password-42"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def admin(engine):
    U.create_user(engine, "chen", "admin", PW, by=SYSTEM_ADMIN)  # the only administrator
    return engine


def _lock(engine, now):
    for _ in range(U.MAX_FAILED_ATTEMPTS):
        failed = U.record_failed_login(engine, "chen", now=now)
    assert failed.just_locked
    return failed.locked_until - now


def test_lockouts_in_a_row_double_up_to_a_bounded_maximum(admin):
    """An attacker who keeps guessing the only admin's password: each lock longer, never over an hour."""
    now, durations = T0, []
    for _ in range(6):
        d = _lock(admin, now)
        durations.append(d)
        now = now + d + timedelta(seconds=1)  # the attacker waits it out and starts again
    assert durations == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=1),
                         timedelta(hours=1), timedelta(hours=1)]
    assert max(durations) == MAX_LOCKOUT
    result = U.authenticate(admin, "chen", PW, now=now)  # between two locks the admin gets in
    assert result.ok
    assert _lock(admin, now + timedelta(minutes=1)) == timedelta(minutes=15)  # a success starts over


def test_lockout_for_is_bounded_for_any_count():
    assert [lockout_for(n) for n in (0, 1, 2, 3, 50, 10**6)] == [timedelta(minutes=15), timedelta(minutes=30)] + [
        timedelta(hours=1)] * 4


def _cli(argv, monkeypatch):
    from cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return main(argv)


def test_recovery_unlock_user_clears_the_lock_and_the_back_off(admin, db_url, monkeypatch, capsys):
    _lock(admin, datetime.now(UTC))
    _lock(admin, datetime.now(UTC) + timedelta(minutes=16))  # a second lock in a row: 30 minutes
    assert U.get_user_with_units(admin, "chen").is_locked()
    assert _cli(["unlock-user", "chen", "--db", db_url], monkeypatch) == 0
    assert "已解除用户 chen 的登录锁定" in capsys.readouterr().out
    assert U.authenticate(admin, "chen", PW).ok
    assert _lock(admin, datetime.now(UTC)) == timedelta(minutes=15)  # back to the first step


def test_a_client_is_blocked_after_too_many_failures_and_the_block_grows(engine):
    ip = "10.0.0.7"
    for _ in range(CLIENT_MAX_FAILURES - 1):
        assert record_client_failure(engine, ip, now=T0) is None
    assert client_blocked_until(engine, ip, now=T0) is None
    until = record_client_failure(engine, ip, now=T0)
    assert until == T0 + timedelta(minutes=5)
    assert client_blocked_until(engine, ip, now=T0 + timedelta(minutes=4)) == until
    assert client_blocked_until(engine, "10.0.0.8", now=T0) is None  # other addresses are not affected
    later = until + timedelta(seconds=1)
    for _ in range(CLIENT_MAX_FAILURES):
        second = record_client_failure(engine, ip, now=later)
    assert second == later + timedelta(minutes=10)
    record_client_success(engine, ip)
    assert client_blocked_until(engine, ip, now=later) is None


def test_an_unknown_address_is_never_limited(engine):
    for _ in range(CLIENT_MAX_FAILURES * 2):
        assert record_client_failure(engine, "", now=T0) is None


def test_recovery_unlock_client(engine, db_url, monkeypatch, capsys):
    for _ in range(CLIENT_MAX_FAILURES):
        record_client_failure(engine, "10.0.0.7")
    assert client_blocked_until(engine, "10.0.0.7") is not None
    assert _cli(["unlock-client", "10.0.0.7", "--db", db_url], monkeypatch) == 0
    assert client_blocked_until(engine, "10.0.0.7") is None
    assert _cli(["unlock-client", "--db", db_url], monkeypatch) == 2
    assert "请给出客户端地址" in capsys.readouterr().err
    with pytest.raises(PermissionDenied):
        unblock_clients(engine, None)
