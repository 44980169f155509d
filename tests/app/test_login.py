"""Login, lockout, role-based navigation and logout through the real app.py (AppTest)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from sqlalchemy import select

from components import navigation
from tests.conftest import ROOT
from components.navigation import ADMIN_ONLY, EVERYONE, PageEntry, pages_for_role, table_problems
from data_access.login_cookie import development_cookie_key
from data_access.models import AuditLog
from data_access.users import MAX_FAILED_ATTEMPTS, create_user, get_user_with_units, set_active
from seed.demo_users import DEMO_PASSWORDS, ensure_demo_users


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
    assert timedelta(minutes=14) < info.locked_until - datetime.now(timezone.utc) <= timedelta(minutes=15)

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
    set_active(app_engine, "weijian", False)
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


# --------------------------------------------------------------------------- the re-login cookie
#
# AppTest cannot send cookies, so the test replaces components.auth.browser_cookie (what the browser sent
# when the session connected) and records what components.auth._delete_cookie is asked to delete. The
# tokens are made like the login library makes them: PyJWT HS256 of {"username", "exp_date"}.

EXAMPLE_KEY = "CHANGE-ME-another-long-random-string"  # deploy/monitoring.env.example as shipped
OLD_DEV_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"  # the former built-in key


def _token(key: str, username: str = "admin", *, days: float = 0.5, alg: str = "HS256") -> str:
    exp = (datetime.now() + timedelta(days=days)).timestamp()
    return jwt.encode({"username": username, "exp_date": exp}, key, algorithm=alg)


def _unsigned(username: str = "admin") -> str:
    part = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()  # noqa: E731
    exp = (datetime.now() + timedelta(days=0.5)).timestamp()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'username': username, 'exp_date': exp})}."


@pytest.fixture
def cookie(monkeypatch):
    """``cookie(raw)``: the browser sends ``raw`` as the re-login cookie; returns the list of deletions."""
    import components.auth as auth

    deleted: list[bool] = []
    monkeypatch.setattr(auth, "_delete_cookie", lambda authenticator: deleted.append(True))

    def present(raw: str | None) -> list[bool]:
        monkeypatch.setattr(auth, "browser_cookie", lambda name: raw if name == "jxsjk_auth" else None)
        return deleted

    return present


def _login_rows(engine) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(
            select(AuditLog.username, AuditLog.detail).where(AuditLog.action == "login").order_by(AuditLog.id)
        ).all()]


def _shows_login_form(at) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and "总览" not in _titles(at)


def test_cookie_naming_a_deleted_user_shows_the_login_form(new_app, app_engine, cookie):
    deleted = cookie(_token(development_cookie_key(app_engine), "ghost"))
    at = new_app().run()
    assert not at.exception
    assert "登录已失效，请重新登录" in _errors(at)
    assert _shows_login_form(at) and deleted


def test_cookie_of_an_existing_user_signs_in_and_is_audited_once_per_session(new_app, app_engine, cookie):
    ensure_demo_users(app_engine)
    deleted = cookie(_token(development_cookie_key(app_engine), "jiaoyu"))
    at = new_app().run()
    assert not at.exception
    assert "总览" in _titles(at)
    assert at.session_state["principal"].username == "jiaoyu"
    at.run()
    at.run()
    assert _login_rows(app_engine) == [("jiaoyu", "通过登录Cookie自动登录")]  # once per session, not per run
    assert _audit_actions(app_engine, "jiaoyu") == ["login"]  # no failure counted, nothing else
    again = new_app().run()  # another browser tab: another session
    assert "总览" in _titles(again)
    assert len(_login_rows(app_engine)) == 2 and not deleted


def test_after_logout_the_cookie_does_not_sign_in_again(new_app, app_engine, cookie):
    ensure_demo_users(app_engine)
    cookie(_token(development_cookie_key(app_engine), "leader"))
    at = new_app().run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    at.run()
    assert not at.exception and _shows_login_form(at)
    assert _audit_actions(app_engine, "leader") == ["login", "logout"]


FORGED = {
    "example key": lambda key: _token(EXAMPLE_KEY),
    "old development key, 100 years": lambda key: _token(OLD_DEV_KEY, days=36500),
    "right key, 10 years": lambda key: _token(key, days=3650),
    "alg none": lambda key: _unsigned(),
    "HS512, right key": lambda key: _token(key, alg="HS512"),
    "garbage": lambda key: "not.a.token",
}


@pytest.mark.parametrize("make", list(FORGED.values()), ids=list(FORGED))
def test_a_forged_or_malformed_cookie_shows_the_login_form(new_app, app_engine, cookie, make):
    """Development (the key stored in the database): no sign-in, no error page, the cookie is deleted."""
    ensure_demo_users(app_engine)
    deleted = cookie(make(development_cookie_key(app_engine)))
    at = new_app().run()
    assert not at.exception
    assert _shows_login_form(at) and not at.session_state["authentication_status"]
    assert deleted and _errors(at) == []
    assert _login_rows(app_engine) == []
    at.run()  # and it stays refused
    assert not at.exception and _shows_login_form(at)


# --------------------------------------------------------------------------- production mode


STRONG_KEY = "xT_I4k2ouTHVG39o-HEwLXNY9hkB51Gj7kyLcQbJbReXZn5tOe8JIjPJldXwCzSB"  # secrets.token_urlsafe(48)
STREAMLIT_SECRET = "MB0YZlvlN4QKgTqHGoNqiMeQzzWBRa0N385B6V3rhKEBjw_nb9QXOMH2bc1otRkq"


@pytest.fixture
def production(monkeypatch):
    """``production(key=...)``: APP_ENV=production with that AUTH_COOKIE_KEY and a strong Streamlit secret."""

    def setup(key: str | None = STRONG_KEY, streamlit_secret: str | None = STREAMLIT_SECRET) -> None:
        monkeypatch.setenv("APP_ENV", "production")
        for name, value in (("AUTH_COOKIE_KEY", key), ("STREAMLIT_SERVER_COOKIE_SECRET", streamlit_secret)):
            if value is not None:
                monkeypatch.setenv(name, value)

    return setup


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
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈")
    production(streamlit_secret=None)
    at = new_app().run()
    assert not at.exception
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "STREAMLIT_SERVER_COOKIE_SECRET" in errors
    assert not at.text_input


def test_production_with_the_example_key_refuses_to_start_and_a_cookie_signed_with_it(
        new_app, app_engine, production, cookie):
    """The attack: AUTH_COOKIE_KEY left at the example's placeholder, an admin cookie signed with it."""
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈")
    production(key=EXAMPLE_KEY)
    cookie(_token(EXAMPLE_KEY, "chen", days=3650))
    at = new_app().run()
    assert not at.exception
    errors = " ".join(_errors(at))
    assert "拒绝启动" in errors and "AUTH_COOKIE_KEY 仍是示例或占位值" in errors
    assert "总览" not in _titles(at) and not at.text_input
    assert _login_rows(app_engine) == []


def test_production_cookie_signed_with_the_configured_key(new_app, app_engine, production, cookie):
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈")
    production()
    cookie(_token(STRONG_KEY, "chen", days=3650))  # the right key, but ten years
    at = new_app().run()
    assert not at.exception and _shows_login_form(at)
    cookie(_token(STRONG_KEY, "chen"))  # as the library issues it
    at = new_app().run()
    assert not at.exception and "总览" in _titles(at)
    assert _login_rows(app_engine) == [("chen", "通过登录Cookie自动登录")]


def test_production_with_safe_settings_shows_the_login_form(new_app, app_engine, production):
    create_user(app_engine, "chen", "admin", "a-real-password-42", name="陈")
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
