"""The pages are registered before any component renders, in every kind of run (AppTest, real app.py).

Why a user cares: a new browser session (a pasted link, F5) gets its page from the URL only until the
browser has the first navigation message. A component that reports its value before that (the login
library's cookie reader reports as soon as it loads) reruns the script on the default page, so the link
lands on 总览. It happened whenever the session check before the menu was slow (PostgreSQL under load):
``/project?project=28`` reloaded to ``/?project=28`` showing 总览.
"""

from __future__ import annotations

import pytest
from streamlit.components.v1.custom_component import CustomComponent

import components.navigation as navigation
from components.auth import COOKIE_VALUE_KEY
from seed.demo_users import DEMO_PASSWORDS


@pytest.fixture
def events(monkeypatch):
    """The order of this run's ``navigate`` calls and component renders (cleared by the caller per run)."""
    seen: list[str] = []
    real_navigate, real_component = navigation.navigate, CustomComponent.create_instance

    def navigate(role):
        seen.append(f"navigate:{role}")
        return real_navigate(role)

    def component(self, *args, **kwargs):
        seen.append("component")
        return real_component(self, *args, **kwargs)

    monkeypatch.setattr(navigation, "navigate", navigate)
    monkeypatch.setattr(CustomComponent, "create_instance", component)
    return seen


def _run(at, events):
    events.clear()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "component" in events, events  # the run did render the cookie reader (else the test proves nothing)
    return list(events)


def test_the_login_screen_registers_its_hidden_pages_first(new_app, events):
    assert _run(new_app(), events)[0] == "navigate:None"


def test_a_signed_in_run_registers_the_menu_first(new_app, sign_in, events):
    at = sign_in(new_app(), "jiaoyu")
    assert _run(at, events)[0] == "navigate:staff"
    at.switch_page("app_pages/risks.py")
    assert _run(at, events)[0] == "navigate:staff"


def test_a_reload_signed_in_by_the_cookie_registers_the_menu_first(new_app, events, cookie):
    at = new_app().run()
    next(t for t in at.text_input if t.label == "用户名").input("leader")
    next(t for t in at.text_input if t.label == "密码").input(DEMO_PASSWORDS["leader"])
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    cookie(at.session_state[COOKIE_VALUE_KEY])
    reloaded = new_app()  # F5: a new browser session that sends the cookie
    seen = _run(reloaded, events)
    assert seen[0] == "navigate:leader" and reloaded.session_state["principal"].username == "leader"


def test_a_logout_registers_the_login_pages_again_before_the_form(new_app, sign_in, events):
    at = sign_in(new_app(), "jiaoyu").run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    seen = _run(at, events)
    assert seen[0] == "navigate:staff" and seen.count("navigate:None") == 1
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
