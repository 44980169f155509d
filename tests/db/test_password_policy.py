"""The password policy (docs/rules.md, "Accounts and sign-in") wherever a password is set: the data layer,
the command line and the settings page.
"""

from __future__ import annotations

import io

import pytest

from data_access import passwords
from data_access import users as U
from data_access.db import session_scope
from data_access.models import Unit
from data_access.permissions import SYSTEM_ADMIN

COMMON = "密码过于常见"
SHORT_ADMIN = "管理员密码至少需要10个字符"
NAME = "密码不能包含用户名"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


CASES = [
    # (password, username, role, problem or None)
    ("12345678", "wang", "admin", COMMON),
    ("12345678", "wang", "admin", SHORT_ADMIN),
    ("12345678", "wang", "staff", COMMON),
    ("password", "wang", "staff", COMMON),
    ("PassWord", "wang", "staff", COMMON),  # case-insensitive
    ("woaini1314", "wang", "admin", COMMON),
    ("qq123456789", "wang", "staff", COMMON),
    ("k7#mq2!x9", "wang", "admin", SHORT_ADMIN),  # 9 characters
    ("k7#mq2!x9z", "wang", "admin", None),  # 10
    ("k7#mq2!x", "wang", "staff", None),  # 8 for everyone else
    ("xx-Wang-2024", "wang", "staff", NAME),
    ("wangwang-pw", "wang", "leader", NAME),
    ("jy", "jy", "staff", NAME),  # a 2-letter name: only the name itself is refused...
    ("jy-rides-a-bike", "jy", "staff", None),  # ...not every password containing those letters
]


@pytest.mark.parametrize("password, username, role, problem", CASES)
def test_policy(password, username, role, problem):
    problems = U.password_problems(password, username=username, role=role)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_the_list_is_shipped_with_its_source():
    text = passwords.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    assert "SecLists" in text and len(passwords.common_passwords()) > 500


@pytest.fixture
def units(engine):
    with session_scope(engine) as s:
        s.add(Unit(name="教育科"))
    return engine


SETTERS = {
    "create": lambda e, pw: U.create_user(e, "wang", "admin", pw, by=SYSTEM_ADMIN),
    "change": lambda e, pw: U.set_password(e, "chen", pw, by=SYSTEM_ADMIN),
}


@pytest.mark.parametrize("password, message", [("12345678", COMMON), ("Pass-CHEN-wang-9", NAME), ("abc-def-9", SHORT_ADMIN)])
@pytest.mark.parametrize("setter", list(SETTERS.values()), ids=list(SETTERS))
def test_the_data_layer_refuses_on_create_and_on_change(units, setter, password, message):
    U.create_user(units, "chen", "admin", "a-real-password-42", by=SYSTEM_ADMIN)
    with pytest.raises(U.UserError, match=message):
        setter(units, password)
    assert [u.username for u in U.list_users(units)] == ["chen"]
    assert U.authenticate(units, "chen", "a-real-password-42").ok  # the old password still works


def _cli(argv, monkeypatch, stdin=""):
    from cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


@pytest.mark.parametrize("argv", [["create-user", "wang", "--role", "admin", "--password-stdin"],
                                  ["set-password", "chen", "--password-stdin"]], ids=["create-user", "set-password"])
def test_the_command_line_refuses_12345678_for_an_administrator(units, db_url, monkeypatch, capsys, argv):
    U.create_user(units, "chen", "admin", "a-real-password-42", by=SYSTEM_ADMIN)
    assert _cli([*argv, "--db", db_url], monkeypatch, stdin="12345678\n") == 1
    err = capsys.readouterr().err
    assert COMMON in err and "Traceback" not in err
    assert [u.username for u in U.list_users(units)] == ["chen"]
    assert U.authenticate(units, "chen", "a-real-password-42").ok
