"""Server-side sessions through the real app.py (AppTest): the cookie a password login issues, what a copied
cookie is worth after logout, and changes that end an open page at its next rerun.

AppTest cannot send cookies: the ``cookie`` fixture replaces what the browser sent; the cookie value is the
one the app put in the session for its cookie component (``components.auth.COOKIE_VALUE_KEY``).
"""

from __future__ import annotations

from sqlalchemy import select

from components.auth import COOKIE_VALUE_KEY, SESSION_KEY
from data_access.login_cookie import cookie_session_token, development_cookie_key
from data_access.models import LoginSession
from data_access.permissions import SYSTEM_ADMIN
from data_access.users import set_password, set_user_units
from seed.demo_users import DEMO_PASSWORDS


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


def _shows_login_form(at) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and "总览" not in _titles(at)


def _sessions_table(at):
    return next(d.value for d in at.dataframe if "会话" in d.value.columns)


def _password_login(at, username: str):
    next(t for t in at.text_input if t.label == "用户名").input(username)
    next(t for t in at.text_input if t.label == "密码").input(DEMO_PASSWORDS[username])
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def _logout(at):
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    return at.run()


def test_a_password_login_issues_a_cookie_for_a_new_server_side_session(new_app, app_engine):
    at = _password_login(new_app().run(), "jiaoyu")
    assert not at.exception and "总览" in _titles(at)
    value = at.session_state[COOKIE_VALUE_KEY]
    sid = cookie_session_token(value, development_cookie_key(app_engine), 1.0)
    assert sid is not None and sid == at.session_state[SESSION_KEY]
    with app_engine.connect() as c:
        open_rows = c.execute(select(LoginSession.id).where(LoginSession.ended_at.is_(None))).all()
    assert len(open_rows) == 1


def test_reload_with_the_cookie_stays_signed_in_and_a_copy_is_worthless_after_logout(new_app, app_engine, cookie):
    at = _password_login(new_app().run(), "jiaoyu")
    value = at.session_state[COOKIE_VALUE_KEY]
    cookie(value)
    reloaded = new_app().run()  # F5: a new browser session sending the cookie
    assert not reloaded.exception and "总览" in _titles(reloaded)
    assert reloaded.session_state["principal"].username == "jiaoyu"
    assert _shows_login_form(_logout(at))
    copied = new_app().run()  # the same cookie, copied before the logout
    assert not copied.exception and _shows_login_form(copied)
    assert "登录已失效，请重新登录" in _errors(copied)
    reloaded.run()  # the other tab of that session is signed out at its next rerun too
    assert _shows_login_form(reloaded)


def test_a_password_change_ends_an_open_page_at_its_next_rerun(new_app, sign_in, app_engine):
    at = sign_in(new_app(), "jiaoyu").run()
    assert "总览" in _titles(at)
    set_password(app_engine, "jiaoyu", "a-new-pass-for-jy", by=SYSTEM_ADMIN)
    at.run()
    assert not at.exception and _shows_login_form(at)
    assert "账户的密码、角色、责任单位或状态已变更，请重新登录" in _errors(at)


def test_a_unit_change_ends_an_open_page_at_its_next_rerun(new_app, sign_in, app_engine):
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(app_engine)
    at = sign_in(new_app(), "jiaoyu").run()
    set_user_units(app_engine, "jiaoyu", ["教育科", "卫生健康科"], by=SYSTEM_ADMIN)
    at.run()
    assert _shows_login_form(at)


def test_a_session_seeded_without_a_server_side_row_is_refused(new_app, sign_in):
    at = sign_in(new_app(), "admin")
    at.session_state[SESSION_KEY] = "made-up-token"
    at.run()
    assert not at.exception and _shows_login_form(at)


def test_the_admin_ends_another_users_session_on_the_settings_page(new_app, sign_in, app_engine):
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(app_engine)
    staff = sign_in(new_app(), "weijian").run()
    admin = sign_in(new_app(), "admin").run()
    admin.switch_page("app_pages/admin_settings.py").run()
    assert not admin.exception
    table = _sessions_table(admin)
    assert sorted(table["用户名"]) == ["admin", "weijian"]
    mine = int(table[table["用户名"] == "weijian"]["会话"].iloc[0].lstrip("#"))
    admin.selectbox(key="admin_session_pick").set_value(mine)
    admin.button(key="admin_end_session").click()
    admin.run()
    assert not admin.exception
    assert list(_sessions_table(admin)["用户名"]) == ["admin"]
    staff.run()
    assert _shows_login_form(staff) and "管理员已结束此登录会话，请重新登录" in _errors(staff)
