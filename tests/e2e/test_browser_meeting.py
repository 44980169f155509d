"""会议模式 in a real browser: the arrow keys step the slides whatever control was clicked last (a radio
button takes → for itself unless the page's document-level listener gets it first), and the sidebar
starts collapsed."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login, open_page, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _position(page) -> tuple[int, int]:
    text = page.locator("[data-testid='stMain']").get_by_text(re.compile(r"^\d+ / \d+$")).inner_text()
    a, b = text.split(" / ")
    return int(a), int(b)


def _press(page, key: str) -> None:
    page.keyboard.press(key)
    wait_idle(page)


def test_meeting_keys_step_the_slides_after_clicking_a_control(page, app_server):
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "会议模式")
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("button", name=re.compile("下一个")).wait_for()
    # the projector shows the slide: the sidebar is collapsed on arrival
    page.wait_for_function("() => { const s = document.querySelector(\"[data-testid='stSidebar']\");"
                           " return s && s.getAttribute('data-collapsed') === 'true'; }", timeout=10_000)

    # click 按领域 (the radio keeps the focus), then →: the slide advances, the mode stays 按领域
    main.get_by_text("按领域", exact=True).click()
    wait_idle(page)
    assert _position(page)[0] == 1
    first = page.locator(".jx-slide .name").inner_text()
    _press(page, "ArrowRight")
    assert _position(page)[0] == 2
    assert page.locator(".jx-slide .name").inner_text() != first
    assert main.get_by_role("radio", name="按领域").is_checked()
    assert "部门整体绩效目标领域" in page.locator(".jx-slide .meta").inner_text()
    _press(page, "PageUp")
    assert _position(page)[0] == 1

    # the same after a button and after the attention toggle
    main.get_by_role("button", name=re.compile("下一个")).click()
    wait_idle(page)
    assert _position(page)[0] == 2
    _press(page, "ArrowLeft")
    assert _position(page)[0] == 1
    main.get_by_text("按项目", exact=True).click()
    wait_idle(page)
    main.get_by_text("只看红、黄和未填报", exact=True).click()
    wait_idle(page)
    total = _position(page)[1]
    _press(page, "PageDown")
    assert _position(page) == (2, total)
    assert main.get_by_role("radio", name="按项目").is_checked()
