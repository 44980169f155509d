"""Login, lockout, role-based navigation and logout through the real app.py (AppTest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from components import navigation
from components.navigation import ADMIN_ONLY, EVERYONE, PageEntry, pages_for_role, table_problems
from data_access.models import AuditLog
from data_access.permissions import SYSTEM_ADMIN
from data_access.users import MAX_FAILED_ATTEMPTS, create_user, get_user_with_units, set_active
from seed.demo_users import DEMO_PASSWORDS, ensure_demo_users
from tests.conftest import ROOT


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


def _submit(at, username: str, password: str):
    user_box = next(t for t in at.text_input if t.label == "用户名")
    pw_box = next(t for t in at.text_input if t.label == "密码")
    user_box.input(username)
    pw_box.input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def _audit_actions(engine, username: str) -> list[str]:
    with engine.connect() as c:
        return list(
            c.execute(select(AuditLog.action).where(AuditLog.username == username).order_by(AuditLog.id)).scalars()
        )


def test_unauthenticated_sees_only_the_login_form(new_app):
    at = new_app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert "总览" not in _titles(at)
    assert not at.dataframe
    assert at.session_state["authentication_status"] is None
    assert "principal" not in at.session_state


def test_wrong_password_shows_chinese_error_and_counts_once(new_app, app_engine):
    at = new_app().run()  # creates the demo accounts on the empty database
    at = _submit(at, "admin", "not-the-password")
    assert not at.exception
    assert _errors(at) == ["用户名或密码错误"]
    assert get_user_with_units(app_engine, "admin").failed_attempts == 1
    # a rerun without a new submission must not count again
    at.run()
    at.run()
    assert get_user_with_units(app_engine, "admin").failed_attempts == 1
    assert _audit_actions(app_engine, "admin") == ["login_failed"]
    assert "总览" not in _titles(at)


def test_unknown_username_gets_the_same_message(new_app, app_engine):
    at = _submit(new_app().run(), "nobody", "whatever-pass")
    assert _errors(at) == ["用户名或密码错误"]


def test_five_failures_lock_the_account_even_for_the_right_password(new_app, app_engine):
    at = new_app().run()
    for i in range(MAX_FAILED_ATTEMPTS - 1):
        at = _submit(at, "jiaoyu", f"wrong-{i}-password")
        assert _errors(at) == ["用户名或密码错误"]
    at = _submit(at, "jiaoyu", "wrong-last-password")
    assert _errors(at) == ["密码连续错误5次，账户已锁定，请15分钟后再试"]
    info = get_user_with_units(app_engine, "jiaoyu")
    assert info.locked_until is not None
    assert timedelta(minutes=14) < info.locked_until - datetime.now(UTC) <= timedelta(minutes=15)

    # the right password is refused while the database says locked; nothing more is counted
    at = _submit(at, "JiaoYu", DEMO_PASSWORDS["jiaoyu"])
    assert _errors(at) == ["账户已锁定，请15分钟后再试"]
    assert not at.session_state["authentication_status"]
    assert "总览" not in _titles(at)
    after = get_user_with_units(app_engine, "jiaoyu")
    assert after.locked_until == info.locked_until and after.failed_attempts == 0
    assert _audit_actions(app_engine, "jiaoyu") == ["login_failed"] * 4 + ["lock"]


def test_lock_set_by_another_replica_is_honoured(new_app, app_engine):
    """The lock lives in the database: a lock written elsewhere stops this app's next login."""
    from data_access.users import record_failed_login

    at = new_app().run()
    for _ in range(MAX_FAILED_ATTEMPTS):
        record_failed_login(app_engine, "leader")
    at = _submit(at, "leader", DEMO_PASSWORDS["leader"])
    assert _errors(at) == ["账户已锁定，请15分钟后再试"]
    assert not at.session_state["authentication_status"]


def test_right_password_signs_in_and_resets_the_counter(new_app, app_engine):
    at = new_app().run()
    at = _submit(at, "admin", "not-the-password")
    at = _submit(at, "Admin", DEMO_PASSWORDS["admin"])
    assert not at.exception
    assert _errors(at) == []
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == "admin"
    assert "总览" in _titles(at)
    assert not any(t.label == "密码" for t in at.text_input)
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "绩效管理员（示例）" in sidebar and "管理员" in sidebar
    assert [b.label for b in at.sidebar.button] == ["退出登录"]
    assert get_user_with_units(app_engine, "admin").failed_attempts == 0
    assert _audit_actions(app_engine, "admin") == ["login_failed", "login"]


@pytest.mark.parametrize(
    "username, role_label, units",
    [("admin", "管理员", frozenset()), ("leader", "领导", frozenset()), ("jiaoyu", "科室填报人员", {"教育科"})],
)
def test_seeded_session_shows_the_pages_of_the_role(new_app, sign_in, app_engine, username, role_label, units):
    at = sign_in(new_app(), username).run()
    assert not at.exception
    assert "总览" in _titles(at)
    assert role_label in " ".join(m.value for m in at.sidebar.markdown)
    principal = at.session_state["principal"]
    assert principal.username == username and principal.role == at.session_state["roles"][0]
    assert set(principal.unit_names) == set(units)
    # every page of the role is registered with st.navigation
    for entry in pages_for_role(principal.role):
        at.switch_page(entry.path)


def test_staff_cannot_open_an_admin_only_page(new_app, sign_in, monkeypatch, tmp_path):
    admin_page = tmp_path / "admin_only_probe.py"
    admin_page.write_text('import streamlit as st\nst.title("仅管理员可见")\n', encoding="utf-8")
    monkeypatch.setattr(
        navigation, "PAGES", [*navigation.PAGES, PageEntry(str(admin_page), "管理", "🛠️", ADMIN_ONLY)]
    )

    admin = sign_in(new_app(), "admin").run()
    admin.switch_page(str(admin_page)).run()
    assert "仅管理员可见" in _titles(admin)

    staff = sign_in(new_app(), "jiaoyu").run()
    assert not staff.exception
    with pytest.raises(ValueError):
        staff.switch_page(str(admin_page))
    assert "仅管理员可见" not in _titles(staff)


def test_navigation_table_filter():
    table = [
        PageEntry("app_pages/a.py", "A", "", EVERYONE),
        PageEntry("app_pages/b.py", "B", "", ADMIN_ONLY),
        PageEntry("app_pages/c.py", "C", "", frozenset({"admin", "staff"})),
    ]
    assert [p.title for p in pages_for_role("admin", table)] == ["A", "B", "C"]
    assert [p.title for p in pages_for_role("leader", table)] == ["A"]
    assert [p.title for p in pages_for_role("staff", table)] == ["A", "C"]
    assert pages_for_role(None, table) == []
    assert pages_for_role("guest", table) == []


def test_the_real_page_table_is_consistent():
    assert table_problems() == []


def test_deactivated_user_is_signed_out_at_the_next_run(new_app, sign_in, app_engine):
    at = sign_in(new_app(), "weijian").run()
    assert "总览" in _titles(at)
    set_active(app_engine, "weijian", False, by=SYSTEM_ADMIN)
    at.run()
    assert not at.exception
    assert "总览" not in _titles(at)
    assert "账户不存在或已停用，请联系管理员" in _errors(at)
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_logout_button_returns_to_the_login_form(new_app, sign_in, app_engine):
    at = sign_in(new_app(), "leader").run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    assert not at.exception
    assert "总览" not in _titles(at)
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "principal" not in at.session_state
    assert _audit_actions(app_engine, "leader") == ["logout"]


# --------------------------------------------------------------------------- production mode


def test_production_refuses_to_start_with_demo_accounts(new_app, app_engine, production):
    production()
    ensure_demo_users(app_engine)
    at = new_app().run()
    assert not at.exception
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "admin" in errors
    assert not at.text_input  # no login form


def test_production_refuses_to_start_without_a_cookie_key(new_app, app_engine, production):
    production(key=None)
    at = new_app().run()
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "AUTH_COOKIE_KEY" in errors
    assert not at.text_input


def test_production_refuses_to_start_without_a_streamlit_cookie_secret(new_app, app_engine, production):
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈", by=SYSTEM_ADMIN)
    production(streamlit_secret=None)
    at = new_app().run()
    assert not at.exception
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "STREAMLIT_SERVER_COOKIE_SECRET" in errors
    assert not at.text_input


def test_production_with_safe_settings_shows_the_login_form(new_app, app_engine, production):
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈", by=SYSTEM_ADMIN)
    production()
    at = new_app().run()
    assert not at.exception
    assert _errors(at) == []
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.expander  # no demo-account hint in production
    # no demo accounts were created on the production database
    assert get_user_with_units(app_engine, "admin") is None


@pytest.mark.parametrize("entry", navigation.PAGES, ids=lambda e: e.path)
def test_a_page_url_never_shows_a_page_without_login(new_app, entry):
    """Opening any page's URL without signing in shows the login form and no page content (the page
    scripts live in app_pages/, so Streamlit never runs one without app.py's login gate)."""
    at = new_app().run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    at.switch_page(entry.path).run()
    assert not at.exception
    assert _titles(at) == [] and not at.dataframe
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_no_pages_folder_so_no_unguarded_urls():
    assert not (ROOT / "pages").exists()


def test_staff_and_leader_cannot_open_the_admin_settings_page(new_app, sign_in, app_engine):
    from seed.loader import load_seed_if_empty

    admin_only = [p.path for p in navigation.PAGES if p.roles == ADMIN_ONLY]
    assert "app_pages/admin_settings.py" in admin_only
    load_seed_if_empty(app_engine)

    admin = sign_in(new_app(), "admin").run()
    admin.switch_page("app_pages/admin_settings.py").run()
    assert not admin.exception
    assert "设置" in _titles(admin)

    for username in ("jiaoyu", "leader"):
        at = sign_in(new_app(), username).run()
        assert not at.exception
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("app_pages/admin_settings.py")
