"""The session cookie in a real browser: a password login writes it, a reload (F5) stays signed in, and
after logout a copy of the cookie signs nobody in (the server-side session has ended).
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import VIEWPORT, _single, login, logout, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

COOKIE = "jxsjk_auth"


def _session_cookie(context, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {COOKIE} cookie after {timeout} s: {context.cookies()}")


def test_reload_keeps_the_session_and_a_copied_cookie_dies_with_logout(page, browser, app_server):
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    cookie = _session_cookie(page.context)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["httpOnly"] is False  # written by script: Streamlit cannot send Set-Cookie (README)

    page.reload()
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for()  # F5: still signed in
    assert page.locator("input[aria-label='密码']").count() == 0
    assert page.get_by_text("教育科填报员（示例）").first.is_visible()

    copied = dict(cookie)
    logout(page)
    thief = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        thief.add_cookies([copied])
        other = thief.new_page()
        other.goto(app_server.url)
        other.locator("input[aria-label='密码']").first.wait_for()
        wait_idle(other)
        _single(other, "input[aria-label='密码']")  # the login form, once stale copies of a rerun are gone
        assert other.get_by_text("登录已失效，请重新登录").is_visible()
        assert other.get_by_role("button", name="退出登录").count() == 0
    finally:
        thief.close()
