"""User accounts, lockout kept in the database, and permission helpers — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from data_access import passwords
from data_access import users as U
from data_access.db import make_engine, session_scope
from data_access.models import AuditLog, Project, Unit, User
from data_access.permissions import (
    SYSTEM_ADMIN,
    PermissionDenied,
    Principal,
    can_edit_project,
    can_read_project,
    check_can_read_project,
    check_can_write_project,
    check_can_write_projects,
    require_admin,
    require_role,
    visible_project_filter,
)
from tests.conftest import admin_named

T0 = datetime(2024, 9, 30, 8, 0, tzinfo=UTC)
PW = "correct-horse-1"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    """Cost 4 instead of 12: the rules are the same, the suite is faster."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def units(engine) -> dict[str, int]:
    with session_scope(engine) as s:
        rows = [Unit(name=n) for n in ("教育科", "卫生健康科", "民政科")]
        s.add_all(rows)
        s.flush()
        return {u.name: u.id for u in rows}


def _audit(engine, username: str) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(select(AuditLog.action).where(AuditLog.username == username).order_by(AuditLog.id)).scalars())


# --------------------------------------------------------------------------- password policy


@pytest.mark.parametrize(
    "password, ok",
    [
        ("k7#mq2!", False),  # 7 characters
        ("k7#mq2!x", True),  # 8 characters (12345678 is refused as a common password: tests/db/test_password_policy.py)
        ("ab" * 36, True),  # 72 bytes
        ("ab" * 36 + "c", False),
        ("密" * 24, True),  # 24 Chinese characters = 72 bytes
        ("密" * 25, False),  # 75 bytes, only 25 characters
        ("密码" * 4, True),  # 8 characters, 24 bytes
        ("é" * 36, True),  # 2 bytes each: 72
        ("é" * 37, False),
        (" leading-space", False),
        ("trailing-space ", False),
        ("line\nbreak-pw", False),
        ("", False),
    ],
)
def test_password_policy_counts_bytes(password, ok):
    assert (U.password_problems(password) == []) is ok


def test_policy_messages_are_chinese_and_name_the_bytes():
    (msg,) = U.password_problems("密" * 25)
    assert "72字节" in msg and "75字节" in msg
    assert U.password_problems("short") == ["密码至少需要8个字符（当前5个）"]


def test_over_long_password_is_refused_before_anything_is_written(engine, units):
    with pytest.raises(U.UserError, match="72字节"):
        U.create_user(engine, "li", "admin", "密" * 25, by=SYSTEM_ADMIN)
    assert U.user_count(engine) == 0
    U.create_user(engine, "li", "admin", "密" * 24, by=SYSTEM_ADMIN)
    assert U.authenticate(engine, "li", "密" * 24, now=T0).ok
    with pytest.raises(U.UserError, match="72字节"):
        U.set_password(engine, "li", "a" * 73, by=SYSTEM_ADMIN)


# --------------------------------------------------------------------------- accounts


def test_create_user_lower_cases_and_links_units(engine, units):
    info = U.create_user(engine, "  ZhangSan ", "staff", PW, name="张三", units=["教育科", "民政科"], by=SYSTEM_ADMIN)
    assert info.username == "zhangsan"
    got = U.get_user_with_units(engine, "ZHANGSAN")
    assert got is not None and got.username == "zhangsan" and got.name == "张三"
    assert set(got.unit_names) == {"教育科", "民政科"}
    assert set(got.unit_ids) == {units["教育科"], units["民政科"]}
    assert got.password_hash.startswith("$2b$") and PW not in got.password_hash
    assert [u.username for u in U.list_users(engine)] == ["zhangsan"]
    assert _audit(engine, "system-admin") == ["create_user"]  # the command line's built-in administrator


def test_staff_must_belong_to_a_unit(engine, units):
    with pytest.raises(U.UserError, match="科室填报人员必须至少关联一个责任单位"):
        U.create_user(engine, "wang", "staff", PW, by=SYSTEM_ADMIN)
    assert U.user_count(engine) == 0


def test_unknown_unit_is_refused_in_chinese(engine, units):
    with pytest.raises(U.UserError, match="找不到责任单位：不存在的科"):
        U.create_user(engine, "wang", "staff", PW, units=["教育科", "不存在的科"], by=SYSTEM_ADMIN)
    assert U.user_count(engine) == 0


@pytest.mark.parametrize(
    "username, role, match",
    [("x", "admin", "用户名不合规"), ("张三", "admin", "用户名不合规"), ("wang", "boss", "角色不正确")],
)
def test_bad_username_or_role(engine, units, username, role, match):
    with pytest.raises(U.UserError, match=match):
        U.create_user(engine, username, role, PW, by=SYSTEM_ADMIN)


def test_duplicate_username_is_refused(engine, units):
    U.create_user(engine, "wang", "leader", PW, by=SYSTEM_ADMIN)
    with pytest.raises(U.UserError, match="用户名已存在：wang"):
        U.create_user(engine, "WANG", "admin", PW, by=SYSTEM_ADMIN)


def test_principal_and_credentials(engine, units):
    U.create_user(engine, "boss", "leader", PW, name="局长", by=SYSTEM_ADMIN)
    U.create_user(engine, "jy", "staff", PW, units=["教育科"], by=SYSTEM_ADMIN)
    U.create_user(engine, "gone", "admin", PW, by=SYSTEM_ADMIN)
    U.set_active(engine, "gone", False, by=SYSTEM_ADMIN)

    p = U.principal_for(engine, "JY")
    assert p == Principal("jy", "jy", "staff", frozenset({units["教育科"]}))
    assert p.unit_names == ("教育科",) and p.role_label == "科室填报人员"
    assert U.principal_for(engine, "gone") is None
    assert U.principal_for(engine, "nobody") is None

    creds = U.credentials_dict(engine, now=T0)
    assert set(creds["usernames"]) == {"boss", "jy"}  # deactivated users cannot sign in
    boss = creds["usernames"]["boss"]
    assert boss["name"] == "局长" and boss["roles"] == ["leader"] and boss["locked"] is False
    assert U.verify_password(PW, boss["password"])
    assert not U.authenticate(engine, "gone", PW, now=T0).ok


# --------------------------------------------------------------------------- lockout


def test_five_failures_lock_for_fifteen_minutes_in_the_database(engine, db_url, units):
    U.create_user(engine, "jy", "staff", PW, units=["教育科"], by=SYSTEM_ADMIN)
    for i in range(1, U.MAX_FAILED_ATTEMPTS):
        r = U.authenticate(engine, "jy", "wrong-password", now=T0 + timedelta(seconds=i))
        assert (r.ok, r.reason, r.message) == (False, "invalid", "用户名或密码错误")
        assert U.get_user_with_units(engine, "jy").failed_attempts == i
    r = U.authenticate(engine, "jy", "wrong-password", now=T0 + timedelta(seconds=5))
    assert (r.ok, r.reason) == (False, "locked")
    assert r.message == "密码连续错误5次，账户已锁定，请15分钟后再试"
    assert r.locked_until == T0 + timedelta(seconds=5) + U.LOCKOUT

    # another process (a second engine, e.g. another replica) sees the same lock
    other = make_engine(db_url)
    try:
        seen = U.get_user_with_units(other, "jy")
        assert seen.locked_until == r.locked_until and seen.is_locked(T0 + timedelta(minutes=1))
        creds = U.credentials_dict(other, now=T0 + timedelta(minutes=1))["usernames"]["jy"]
        assert creds["locked"] is True and not U.verify_password(PW, creds["password"])
        # the right password is refused while locked, and the refusal is not counted
        r2 = U.authenticate(other, "jy", PW, now=T0 + timedelta(minutes=14))
        assert (r2.ok, r2.reason, r2.message) == (False, "locked", "账户已锁定，请2分钟后再试")
        assert U.get_user_with_units(other, "jy").failed_attempts == 0
    finally:
        other.dispose()

    # after 15 minutes the right password works and the counter is reset
    after = T0 + timedelta(seconds=5) + U.LOCKOUT + timedelta(seconds=1)
    ok = U.authenticate(engine, "jy", PW, now=after)
    assert ok.ok and ok.principal is not None and ok.principal.username == "jy"
    state = U.get_user_with_units(engine, "jy")
    assert state.failed_attempts == 0 and state.locked_until is None
    assert _audit(engine, "jy") == ["login_failed"] * 4 + ["lock", "login"]


def test_after_a_lock_expires_the_user_gets_five_fresh_attempts(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=T0)
    later = T0 + U.LOCKOUT + timedelta(seconds=1)
    for _ in range(4):
        assert U.authenticate(engine, "boss", "nope-nope", now=later).reason == "invalid"
    assert U.authenticate(engine, "boss", "nope-nope", now=later).reason == "locked"


def test_success_resets_the_counter(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(4):
        U.authenticate(engine, "boss", "nope-nope", now=T0)
    assert U.authenticate(engine, "boss", PW, now=T0).ok
    for _ in range(4):  # four more failures do not lock: the count started again
        assert U.authenticate(engine, "boss", "nope-nope", now=T0).reason == "invalid"
    assert not U.get_user_with_units(engine, "boss").is_locked(T0)


def test_failures_while_locked_are_not_counted(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=T0)
    until = U.get_user_with_units(engine, "boss").locked_until
    f = U.record_failed_login(engine, "boss", now=T0 + timedelta(minutes=5))
    assert f.known and f.locked_until == until and not f.just_locked
    state = U.get_user_with_units(engine, "boss")
    assert state.locked_until == until and state.failed_attempts == 0


def test_unknown_user_failures_change_nothing(engine, units):
    f = U.record_failed_login(engine, "ghost", now=T0)
    assert not f.known and f.message() == "用户名或密码错误"
    assert U.authenticate(engine, "ghost", PW, now=T0).reason == "invalid"
    with engine.connect() as c:
        assert c.execute(select(AuditLog.id)).first() is None


def test_login_success_is_refused_for_a_locked_or_inactive_account(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=T0)
    assert U.record_login_success(engine, "boss", now=T0) is False
    assert U.record_login_success(engine, "boss", now=T0 + U.LOCKOUT + timedelta(seconds=1)) is True
    U.set_active(engine, "boss", False, by=SYSTEM_ADMIN)
    assert U.record_login_success(engine, "boss", now=T0) is False


def test_set_password_and_unlock_clear_the_lock(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=T0)
    U.set_password(engine, "boss", "new-password-2", by=admin_named("admin"))
    assert U.authenticate(engine, "boss", "new-password-2", now=T0).ok
    assert not U.authenticate(engine, "boss", PW, now=T0).ok
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=T0)
    U.unlock_user(engine, "boss", by=admin_named("admin"))
    assert U.authenticate(engine, "boss", "new-password-2", now=T0).ok
    assert "set_password" in _audit(engine, "admin") and "unlock" in _audit(engine, "admin")


def test_lock_state_is_stored_as_utc(engine, units):
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    for _ in range(5):
        U.record_failed_login(engine, "boss", now=datetime(2024, 9, 30, 16, 0, tzinfo=timezone(timedelta(hours=8))))
    with engine.connect() as c:
        until = c.execute(select(User.locked_until).where(User.username == "boss")).scalar()
    assert until == datetime(2024, 9, 30, 8, 15, tzinfo=UTC)


# --------------------------------------------------------------------------- demo accounts


def test_demo_users_are_created_once_and_only_on_an_empty_user_table(engine):
    from seed.demo_users import DEMO_ACCOUNTS, ensure_demo_users

    lines = ensure_demo_users(engine)  # creates the staff units when the targets are not imported yet
    assert len(lines) == len(DEMO_ACCOUNTS) and all("仅供演示" in line for line in lines)
    assert ensure_demo_users(engine) == []
    users = {u.username: u for u in U.list_users(engine)}
    assert set(users) == {"admin", "leader", "jiaoyu", "weijian"}
    assert all(u.is_demo for u in users.values())
    assert users["jiaoyu"].unit_names == ("教育科",) and users["weijian"].unit_names == ("卫生健康科",)
    assert U.authenticate(engine, "jiaoyu", "demo-jiaoyu", now=T0).ok


def test_demo_users_are_not_added_next_to_real_users(engine, units):
    from seed.demo_users import ensure_demo_users

    U.create_user(engine, "chen", "admin", PW, by=SYSTEM_ADMIN)
    assert ensure_demo_users(engine) == []
    assert [u.username for u in U.list_users(engine)] == ["chen"]


# --------------------------------------------------------------------------- permissions


def test_permission_helpers_keep_staff_to_their_units(seeded_engine):
    engine = seeded_engine
    with engine.connect() as c:
        unit_ids = dict(c.execute(select(Unit.name, Unit.id)).all())
        all_projects = c.execute(select(Project.id, Project.unit_id)).all()
    edu, health = unit_ids["教育科"], unit_ids["卫生健康科"]
    U.create_user(engine, "jy", "staff", PW, units=["教育科"], by=SYSTEM_ADMIN)
    U.create_user(engine, "boss", "leader", PW, by=SYSTEM_ADMIN)
    U.create_user(engine, "root", "admin", PW, by=SYSTEM_ADMIN)
    staff, leader, admin = (U.principal_for(engine, n) for n in ("jy", "boss", "root"))

    # reads: staff see only their unit's projects
    def visible(p):
        q = select(Project.id, Project.unit_id)
        f = visible_project_filter(p)
        if f is not None:
            q = q.where(f)
        with engine.connect() as c:
            return c.execute(q).all()

    mine = visible(staff)
    assert mine and {u for _, u in mine} == {edu}
    assert len(visible(leader)) == len(visible(admin)) == len(all_projects) == 32
    assert visible(None) == []
    nobody = Principal("x", "x", "staff", frozenset())
    assert visible(nobody) == []

    # writes
    check_can_write_project(staff, edu)
    with pytest.raises(PermissionDenied, match="只能填报本单位的项目"):
        check_can_write_project(staff, health)
    with pytest.raises(PermissionDenied):
        check_can_write_project(staff, None)
    with pytest.raises(PermissionDenied, match="领导账户为只读"):
        check_can_write_project(leader, edu)
    with pytest.raises(PermissionDenied, match="请先登录"):
        check_can_write_project(None, edu)
    check_can_write_project(admin, health)
    check_can_write_project(admin, None)
    with pytest.raises(PermissionDenied):
        check_can_write_projects(staff, [edu, edu, health])
    check_can_write_projects(staff, [edu, edu])

    assert can_edit_project(staff, edu) and not can_edit_project(staff, health)
    assert can_read_project(leader, health) and not can_edit_project(leader, health)
    assert not can_read_project(staff, health)
    with pytest.raises(PermissionDenied, match="只能查看本单位的项目"):
        check_can_read_project(staff, health)

    # roles
    require_admin(admin)
    with pytest.raises(PermissionDenied, match="仅限管理员"):
        require_admin(leader)
    require_role(staff, "admin", "staff")
    with pytest.raises(PermissionDenied, match="当前角色：科室填报人员"):
        require_role(staff, "admin", "leader")


# --------------------------------------------------------------------------- command line


def _cli(argv, monkeypatch, stdin: str = ""):
    import io

    from cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_cli_create_list_and_set_password(db_url, engine, units, monkeypatch, capsys):
    assert _cli(["create-user", "Zhang", "--role", "staff", "--unit", "教育科", "--unit", "民政科",
                 "--name", "张三", "--db", db_url], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "已创建用户 zhang（张三，科室填报人员，责任单位：教育科、民政科）" in out
    generated = out.strip().splitlines()[-1].split("：", 1)[1]
    assert U.password_problems(generated) == [] and len(generated) >= 16
    assert U.authenticate(engine, "zhang", generated, now=T0).ok

    assert _cli(["create-user", "li", "--role", "admin", "--password-stdin", "--db", db_url], monkeypatch,
                stdin="密码密码密码密码密码\n") == 0  # an administrator's password has at least 10 characters
    assert "初始密码" not in capsys.readouterr().out
    assert U.authenticate(engine, "li", "密码密码密码密码密码", now=T0).ok

    assert _cli(["set-password", "LI", "--password-stdin", "--db", db_url], monkeypatch, stdin="new-password-3\n") == 0
    assert U.authenticate(engine, "li", "new-password-3", now=T0).ok
    assert "已修改用户 li 的密码" in capsys.readouterr().out

    for _ in range(5):
        U.record_failed_login(engine, "zhang")
    assert _cli(["list-users", "--db", db_url], monkeypatch) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["用户名", "姓名", "角色", "责任单位", "启用", "锁定"]
    zhang = next(line for line in table if line.startswith("zhang"))
    assert "教育科、民政科" in zhang and "锁定至" in zhang

    assert _cli(["unlock-user", "zhang", "--db", db_url], monkeypatch) == 0
    assert _cli(["deactivate-user", "zhang", "--db", db_url], monkeypatch) == 0
    assert U.principal_for(engine, "zhang") is None


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (["create-user", "wang", "--role", "staff"], "", "科室填报人员必须至少关联一个责任单位"),
        (["create-user", "wang", "--role", "staff", "--unit", "火星科"], "", "找不到责任单位：火星科"),
        (["create-user", "wang", "--role", "staff", "--unit", "教育科", "--password-stdin"], "short\n",
         "密码至少需要8个字符"),
        (["create-user", "wang", "--role", "admin", "--password-stdin"], "short-pw\n", "管理员密码至少需要10个字符"),
        (["create-user", "wang", "--role", "admin", "--password-stdin"], "密" * 25 + "\n", "最多72字节"),
        (["set-password", "nobody", "--password-stdin"], "good-password-1\n", "用户不存在：nobody"),
    ],
)
def test_cli_errors_are_chinese_without_traceback(db_url, engine, units, monkeypatch, capsys, argv, stdin, message):
    assert _cli([*argv, "--db", db_url], monkeypatch, stdin=stdin) == 1
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert U.user_count(engine) == 0


def test_admin_changes_a_users_units_with_an_audit_row(engine, units):
    U.create_user(engine, "zhang", "staff", "a-good-password", units=["教育科"], by=SYSTEM_ADMIN)
    U.set_user_units(engine, "zhang", ["卫生健康科", "教育科"], by=admin_named("admin"))
    assert set(U.get_user_with_units(engine, "zhang").unit_names) == {"卫生健康科", "教育科"}
    with pytest.raises(U.UserError, match="至少关联一个责任单位"):
        U.set_user_units(engine, "zhang", [], by=admin_named("admin"))
    with pytest.raises(U.UserError, match="找不到责任单位"):
        U.set_user_units(engine, "zhang", ["不存在的科"], by=admin_named("admin"))
    assert set(U.get_user_with_units(engine, "zhang").unit_names) == {"卫生健康科", "教育科"}
    with session_scope(engine) as s:
        rows = s.execute(select(AuditLog).where(AuditLog.action == "set_units")).scalars().all()
        assert [(r.username, r.old, r.new) for r in rows] == [("admin", "教育科", "卫生健康科、教育科")]


def test_set_role_keeps_an_admin_and_a_staff_unit(engine, units):
    U.create_user(engine, "boss", "admin", PW, by=SYSTEM_ADMIN)
    U.create_user(engine, "lead", "leader", PW, by=SYSTEM_ADMIN)
    with pytest.raises(U.UserError, match="至少须保留一个启用的管理员"):
        U.set_role(engine, "boss", "leader", by=SYSTEM_ADMIN)
    with pytest.raises(U.UserError, match="不能修改自己的角色"):
        U.set_role(engine, "boss", "leader", by=admin_named("boss"))
    with pytest.raises(U.UserError, match="必须至少关联一个责任单位"):
        U.set_role(engine, "lead", "staff", by=admin_named("boss"))
    assert U.get_user_with_units(engine, "lead").role == "leader"  # nothing written
    U.set_role(engine, "lead", "admin", by=admin_named("boss"))
    assert U.get_user_with_units(engine, "lead").role == "admin"
    U.set_role(engine, "boss", "leader", by=admin_named("lead"))  # another admin is left
    assert U.get_user_with_units(engine, "boss").role == "leader"
    with session_scope(engine) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "set_role").order_by(AuditLog.id.desc())).first()
        assert (row.username, row.field, row.old, row.new) == ("lead", "role", "管理员", "领导")
    with pytest.raises(U.UserError):
        U.set_role(engine, "boss", "root", by=admin_named("lead"))
