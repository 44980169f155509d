"""Staff data entry in a real browser: 教育科 staff type a value into the 填报 grid, save, see the
row's status change; the leader then sees the new value on the project page.

The row: 学校维修资金 / 维修学校的数量 (target ≥1所, cumulative). The demo data has 0所 in 2024Q3, red
(0% of the time-proportional target); 1所 reaches the full-year target and turns it green, so no
explanation is required (the demo row carries one anyway).

With ``UPDATE_SCREENSHOTS=1`` (SQLite run) the 填报 page after the save replaces
``docs/screenshots/entry.png``.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import (
    entry_grid,
    grid_cell_text,
    grid_row,
    login,
    logout,
    project_indicators,
    shot_dir,
    type_into_cell,
    wait_idle,
)

# one xdist worker runs the tests that share the session app servers (make test: -n 2 --dist loadgroup)
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]

PROJECT = "学校维修资金"
INDICATOR = "维修学校的数量"


def test_staff_saves_a_value_and_the_leader_sees_it(page, app_server, tmp_path):
    shots = shot_dir(tmp_path, app_server)
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    assert page.get_by_text("教育科填报员（示例）").is_visible()

    # ---------------------------------------------------------------- 填报, an open period, one project
    grid = entry_grid(page, PROJECT)  # 2024年第三季度
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_text("已锁定").count() == 0  # the period is open: editors, not read-only tables
    save = page.get_by_role("button", name="保存", exact=True)
    assert save.is_enabled()
    row = grid_row(grid, "三级指标", INDICATOR)
    assert grid_cell_text(page, grid, row, "项目") == PROJECT
    assert grid_cell_text(page, grid, row, "当前完成值") == "0"
    # 0 of =1所 is not pro-rated (a whole unit): judged by year end, the demo projection (1所) is on target
    assert "绿" in grid_cell_text(page, grid, row, "状态")
    assert "整数目标按年末判断" in grid_cell_text(page, grid, row, "状态原因")

    # ---------------------------------------------------------------- type 1 and save
    type_into_cell(page, grid, row, "当前完成值", "1")
    save.click()
    wait_idle(page)
    success = main.locator("[data-testid='stAlert']").filter(has_text="指标：已保存1行")
    success.wait_for()
    assert success.is_visible()
    assert main.get_by_text("未通过校验").count() == 0
    assert main.get_by_text("未保存").count() == 0

    # the editors are rebuilt from the database after the save: the row shows the saved value and status
    grid = main.locator("[data-testid='stDataFrame']").first
    row = grid_row(grid, "三级指标", INDICATOR)
    assert grid_cell_text(page, grid, row, "当前完成值") == "1"
    page.screenshot(path=str(shots / "entry.png"))
    status = grid_cell_text(page, grid, row, "状态")
    assert "绿" in status and "红" not in status, status
    assert "累计1所" in grid_cell_text(page, grid, row, "状态原因")
    assert grid_cell_text(page, grid, row, "填报人") == "教育科填报员（示例）"  # the saver's name, not the login

    logout(page)

    # ---------------------------------------------------------------- the leader, 项目详情
    login(page, app_server, "leader", "demo-leader")
    grid = project_indicators(page, PROJECT)
    main = page.locator("[data-testid='stMain']")
    row = grid_row(grid, "三级指标", INDICATOR)
    assert grid_cell_text(page, grid, row, "当前值") == "1所"
    assert "绿" in grid_cell_text(page, grid, row, "状态")
    # the change history says who changed what
    main.get_by_role("heading", name="修改记录").wait_for()
    audit = main.locator("[data-testid='stDataFrame']").filter(has=page.locator("th", has_text=re.compile("^新值$")))
    row = grid_row(audit, "字段", "当前完成值")
    assert (grid_cell_text(page, audit, row, "原值"), grid_cell_text(page, audit, row, "新值")) == ("0", "1")
    assert "jiaoyu" in audit.locator("tbody").inner_text()
