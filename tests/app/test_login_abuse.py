"""Per-client blocking through the real login form (AppTest): the address comes from the proxy headers
(``components.session_cookie.client_address``, replaced here since AppTest sends none)."""

from __future__ import annotations

import components.auth as auth
from data_access.throttle import CLIENT_MAX_FAILURES, client_blocked_until
from seed.demo_users import DEMO_PASSWORDS


def _submit(at, username: str, password: str):
    next(t for t in at.text_input if t.label == "用户名").input(username)
    next(t for t in at.text_input if t.label == "密码").input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def test_an_address_trying_many_names_is_blocked_and_gets_no_form(new_app, app_engine, monkeypatch):
    monkeypatch.setattr(auth, "client_address", lambda: "10.9.9.9")
    at = new_app().run()
    for i in range(CLIENT_MAX_FAILURES - 1):
        at = _submit(at, f"guess{i}", "wrong-password")
        assert [e.value for e in at.error] == ["用户名或密码错误"]
    at = _submit(at, "admin", "wrong-password")
    assert not at.exception
    assert "此地址登录失败次数过多，已暂停登录，请5分钟后再试" in at.error[0].value
    assert client_blocked_until(app_engine, "10.9.9.9") is not None
    at.run()
    assert not at.text_input  # no form to try the right password in
    fresh = new_app().run()  # another tab from the same address
    assert not fresh.text_input and "已暂停登录" in fresh.error[0].value
    monkeypatch.setattr(auth, "client_address", lambda: "10.9.9.10")  # another address signs in as usual
    other = _submit(new_app().run(), "admin", DEMO_PASSWORDS["admin"])
    assert "总览" in [t.value for t in other.title]
