"""Admin-only functions of the data layer take the acting principal and refuse anyone but an administrator,
with the permission error and a Chinese message, writing nothing; the command line acts as the explicit
built-in administrator unless --user names an account.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from data_access import passwords
from data_access import users as U
from data_access.db import current_revision
from data_access.models import AuditLog
from data_access.monitoring import load_settings, save_settings
from data_access.permissions import SYSTEM_ADMIN, PermissionDenied
from data_access.targets import save_document
from seed.loader import load_assignments


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def people(seeded_engine):
    U.create_user(seeded_engine, "jy", "staff", "correct-horse-1", units=["教育科"], by=SYSTEM_ADMIN)
    U.create_user(seeded_engine, "boss", "leader", "correct-horse-2", by=SYSTEM_ADMIN)
    U.create_user(seeded_engine, "root", "admin", "correct-horse-3", by=SYSTEM_ADMIN)
    return seeded_engine


ADMIN_ONLY = {
    "create_user": lambda e, p, doc: U.create_user(e, "wang", "leader", "correct-horse-4", by=p),
    "set_password": lambda e, p, doc: U.set_password(e, "jy", "correct-horse-5", by=p),
    "set_active": lambda e, p, doc: U.set_active(e, "jy", False, by=p),
    "unlock_user": lambda e, p, doc: U.unlock_user(e, "jy", by=p),
    "set_user_units": lambda e, p, doc: U.set_user_units(e, "jy", ["卫生健康科"], by=p),
    "set_role": lambda e, p, doc: U.set_role(e, "boss", "admin", by=p),
    "save_settings": lambda e, p, doc: save_settings(e, load_settings(e).with_changes(budget_red_below=0.5), p),
    "save_document (target import)": lambda e, p, doc: save_document(e, doc, assignments=load_assignments(), by=p,
                                                                     source_name="x.txt"),
}


def _state(engine):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(AuditLog)).scalar_one(), current_revision(engine)


@pytest.mark.parametrize("who", ["jy", "boss", None])
@pytest.mark.parametrize("write", list(ADMIN_ONLY.values()), ids=list(ADMIN_ONLY))
def test_only_an_administrator_may(people, seed_doc, write, who):
    p = U.principal_for(people, who) if who else None
    before = _state(people)
    with pytest.raises(PermissionDenied) as e:
        write(people, p, seed_doc)
    assert ("仅限管理员" in str(e.value)) if who else str(e.value) == "请先登录"
    assert _state(people) == before


@pytest.mark.parametrize("write", list(ADMIN_ONLY.values()), ids=list(ADMIN_ONLY))
def test_an_administrator_may_and_is_audited_by_name(people, seed_doc, write):
    before = _state(people)[0]
    write(people, U.principal_for(people, "root"), seed_doc)
    with people.connect() as c:
        actors = set(c.execute(select(AuditLog.username).where(AuditLog.id > before)).scalars())
    assert actors <= {"root"}  # a re-import of the same document changes nothing, so writes no row


def _cli(argv, monkeypatch):
    from cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return main(argv)


def test_the_command_line_acts_as_the_builtin_administrator_or_as_the_named_account(people, db_url, monkeypatch,
                                                                                      capsys):
    assert _cli(["deactivate-user", "boss", "--db", db_url], monkeypatch) == 0
    with people.connect() as c:
        last = c.execute(select(AuditLog.username, AuditLog.action).order_by(AuditLog.id.desc())).first()
    assert tuple(last) == ("system-admin", "deactivate")
    assert _cli(["activate-user", "boss", "--user", "jy", "--db", db_url], monkeypatch) == 1
    err = capsys.readouterr().err
    assert "没有权限：此操作仅限管理员" in err and "Traceback" not in err
    assert _cli(["activate-user", "boss", "--user", "ghost", "--db", db_url], monkeypatch) == 1
    assert "用户不存在或已停用：ghost" in capsys.readouterr().err
    assert U.principal_for(people, "boss") is None  # still deactivated
    assert _cli(["activate-user", "boss", "--user", "root", "--db", db_url], monkeypatch) == 0
    assert U.principal_for(people, "boss") is not None
