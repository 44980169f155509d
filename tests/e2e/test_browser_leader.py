"""A leader in a real browser: sign in, read the overview, open a red project from the risk list, walk
through meeting mode with the keyboard, sign out.

Screenshots go to the test's temporary folder; with ``UPDATE_SCREENSHOTS=1`` the SQLite run replaces
``docs/screenshots/overview.png``, ``project.png`` and ``meeting.png``.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login, logout, open_page, shot_dir, wait_idle

# one xdist worker runs the tests that share the session app servers (make test: -n 2 --dist loadgroup)
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _charts_drawn(page, n: int = 1) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
        "[data-testid='stVegaLiteChart'] svg.marks\").length >= n", arg=n, timeout=30_000)
    page.wait_for_timeout(600)  # let the last chart finish its first paint


def test_leader_overview_red_project_meeting_and_logout(page, app_server, tmp_path):
    shots = shot_dir(tmp_path, app_server)
    login(page, app_server, "leader", "demo-leader")
    assert page.get_by_text("局领导（示例）").is_visible()

    # ---------------------------------------------------------------- overview
    open_page(page, "总览")
    page.get_by_role("heading", name="总览").wait_for()
    main = page.locator("[data-testid='stMain']")
    for label in ("预算总额（万元）", "预算执行率", "计划进度", "序时进度", "未填报"):
        assert main.get_by_text(label, exact=True).first.is_visible()
    assert main.get_by_text("9,982.79").is_visible()
    assert main.get_by_text("截至2024年9月30日").first.is_visible()
    assert page.get_by_text("示例数据").first.is_visible()
    _charts_drawn(page, 1)
    page.screenshot(path=str(shots / "overview.png"))
    # the leader has no settings page
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("设置", exact=True).count() == 0

    # ---------------------------------------------------------------- a red project from the risk list
    open_page(page, "风险清单")
    page.get_by_role("heading", name="风险清单").wait_for()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    # first data row, selection column (the grid is a canvas: click by position)
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    wait_idle(page)
    page.get_by_role("heading", name="退役军人专岗经费").wait_for()
    assert "project=" in page.url
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_text("▲ 红").first.is_visible()
    assert main.get_by_text("退役军人服务站").first.is_visible()
    _charts_drawn(page, 1)
    page.screenshot(path=str(shots / "project.png"))

    # ---------------------------------------------------------------- meeting mode on a 1080p projector
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, "会议模式")
    page.get_by_role("button", name=re.compile("下一个")).wait_for()
    assert page.get_by_text(re.compile(r"^1 / \d+$")).is_visible()
    page.screenshot(path=str(shots / "meeting.png"))
    first_name = page.locator(".jx-slide .name").inner_text()
    # the worst projects (the most items) come first: each slide fits a 1080p projector without scrolling
    names = []
    for i in range(1, 6):
        page.get_by_text(re.compile(rf"^{i} / \d+$")).wait_for()
        slide = page.locator(".jx-slide").bounding_box()
        names.append(page.locator(".jx-slide .name").inner_text())
        assert slide["y"] + slide["height"] <= 1080, names[-1]
        page.keyboard.press("ArrowRight")  # keyboard navigation
        wait_idle(page)
    assert len(set(names)) == 5
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
        wait_idle(page)
    page.get_by_role("button", name=re.compile("上一个")).click()  # the buttons do the same
    wait_idle(page)
    page.get_by_text(re.compile(r"^1 / \d+$")).wait_for()
    assert page.locator(".jx-slide .name").inner_text() == first_name

    # ---------------------------------------------------------------- sign out
    page.set_viewport_size({"width": 1600, "height": 1000})
    logout(page)
    assert page.locator("input[aria-label='用户名']").first.is_visible()
    assert page.get_by_role("heading", name="总览").count() == 0
