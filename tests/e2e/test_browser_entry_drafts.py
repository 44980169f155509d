"""Unsaved edits on 填报 survive going to another page and back (headless Chromium, typing into the grid).

教育科 (jiaoyu) opens 学校维修资金, types ``12abc`` into 当前完成值 and a 备注 without saving: 须填写 says
at once (修改中的行) that 当前完成值 must be corrected. After 总览 and back, the project is still chosen, both cells
still read as typed, the row is marked 未保存, and discarding brings back what is stored.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import entry_grid, grid_cell_text, grid_row, login, open_page, type_into_cell, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]

PROJECT = "学校维修资金"
ITEM = "及时进行项目维修"


def _grid(page):
    return page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first


def test_unsaved_edits_survive_another_page(page, app_server):
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    grid = entry_grid(page, PROJECT)
    row = grid_row(grid, "三级指标", ITEM)
    before = grid_cell_text(page, grid, row, "当前完成值")
    type_into_cell(page, grid, row, "当前完成值", "12abc")
    wait_idle(page)
    grid = _grid(page)
    row = grid_row(grid, "三级指标", ITEM)
    type_into_cell(page, grid, row, "备注", "草稿备注")
    wait_idle(page)
    editing = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").nth(2)  # 修改中的行
    editing.scroll_into_view_if_needed()
    erow = grid_row(editing, "事项", f"{PROJECT} / {ITEM}")
    assert "须改正：当前完成值" in grid_cell_text(page, editing, erow, "须填写")  # live, nothing saved

    open_page(page, "总览")
    page.get_by_role("heading", name="总览").wait_for()
    open_page(page, "填报")
    page.get_by_role("heading", name="填报").wait_for()
    box = page.locator("[data-testid='stSelectbox']").filter(has=page.locator("label", has_text="项目"))
    assert box.locator("input[role='combobox']").input_value().strip() == PROJECT
    grid = _grid(page)
    row = grid_row(grid, "三级指标", ITEM)
    assert grid_cell_text(page, grid, row, "当前完成值") == "12abc"
    assert grid_cell_text(page, grid, row, "备注") == "草稿备注"
    assert "未保存" in grid_cell_text(page, grid, row, "状态")
    assert "须改正：当前完成值" in grid_cell_text(page, grid, row, "须填写")

    page.get_by_role("button", name="放弃1行未保存的修改").click()
    wait_idle(page)
    grid = _grid(page)
    row = grid_row(grid, "三级指标", ITEM)
    assert grid_cell_text(page, grid, row, "当前完成值") == before
