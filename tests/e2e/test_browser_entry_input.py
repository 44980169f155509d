"""What staff type into the real 填报 grid is stored as typed or refused with a message — never silently
changed by the browser grid (headless Chromium, typing into the canvas cells).

* 教育科 (jiaoyu): ``-15`` in 累计支出 is refused (“-15”不能为负数) and nothing is saved; ``12abc`` in
  当前完成值 is refused; a 600-character 说明 is refused with its length; ``９０００`` is stored as 9000
  and shown back as ``9000``.
* The administrator, on the deadline indicator 残联事务经费 / 辅具配送完成时间: ``15082024`` is refused
  (请按YYYY-MM-DD填写), ``2024-08-15`` is stored and shown back; the row becomes 达成.

Rows other than the one ``test_browser_entry.py`` edits, so the two files do not depend on each other.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose, entry_grid, grid_cell_text, grid_row, login, type_into_cell, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]


def _main(page):
    return page.locator("[data-testid='stMain']")


def _grids(page):
    return _main(page).locator("[data-testid='stDataFrame']")  # 指标填报, then 预算执行


def _spending(page):
    """The 预算执行 grid, scrolled into view (the grid helpers click on its canvas)."""
    sp = _grids(page).nth(1)
    sp.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    return sp


def _save_and_expect(page, text: str) -> str:
    """Click 保存 and wait for an alert containing ``text``; returns the text of all alerts."""
    page.get_by_role("button", name="保存", exact=True).click()
    wait_idle(page)
    alerts = _main(page).locator("[data-testid='stAlert']")
    alerts.filter(has_text=text).first.wait_for()
    return "\n".join(alerts.all_inner_texts())


def _discard(page) -> None:
    page.get_by_role("button", name="放弃1行未保存的修改").click()
    wait_idle(page)
    _main(page).locator("[data-testid='stAlert']").filter(has_text="已放弃未保存的修改").wait_for()


def test_staff_typing_is_stored_or_refused_with_a_message(page, app_server):
    login(page, app_server, "jiaoyu", "demo-jiaoyu")

    # ---------------------------------------------------------------- -15 in 累计支出: refused, not flipped
    entry_grid(page, "学校维修资金")
    sp = _spending(page)
    row = grid_row(sp, "项目", "学校维修资金")
    assert grid_cell_text(page, sp, row, "累计支出（万元）") == "0"
    type_into_cell(page, sp, row, "累计支出（万元）", "-15")
    alerts = _save_and_expect(page, "不能为负数")
    assert "累计支出（万元）：“-15”不能为负数" in alerts and "预算执行：已保存0行" in alerts
    sp = _spending(page)
    row = grid_row(sp, "项目", "学校维修资金")
    assert grid_cell_text(page, sp, row, "累计支出（万元）") == "-15"  # still as typed, unsaved
    assert "未保存" in grid_cell_text(page, sp, row, "状态")
    _discard(page)
    sp = _spending(page)
    assert grid_cell_text(page, sp, grid_row(sp, "项目", "学校维修资金"), "累计支出（万元）") == "0"  # nothing saved

    # ---------------------------------------------------------------- 12abc in 当前完成值: refused
    grid = _grids(page).first
    row = grid_row(grid, "三级指标", "及时进行项目维修")
    before = grid_cell_text(page, grid, row, "当前完成值")
    type_into_cell(page, grid, row, "当前完成值", "12abc")
    alerts = _save_and_expect(page, "不是数字")
    assert "（学校维修资金 / 及时进行项目维修）当前完成值：“12abc”不是数字" in alerts
    grid = _grids(page).first
    assert grid_cell_text(page, grid, grid_row(grid, "三级指标", "及时进行项目维修"), "当前完成值") == "12abc"
    _discard(page)
    grid = _grids(page).first
    assert grid_cell_text(page, grid, grid_row(grid, "三级指标", "及时进行项目维修"), "当前完成值") == before

    # ---------------------------------------------------------------- a long 说明: refused with its length
    row = grid_row(grid, "三级指标", "改善校园环境")
    type_into_cell(page, grid, row, "说明", "长" * 600)
    alerts = _save_and_expect(page, "最多500字")
    assert "（学校维修资金 / 改善校园环境）说明：最多500字（当前600字）" in alerts
    grid = _grids(page).first
    assert grid_cell_text(page, grid, grid_row(grid, "三级指标", "改善校园环境"), "说明") == "长" * 600  # not cut
    _discard(page)

    # ---------------------------------------------------------------- ９０００: stored as 9000
    grid = entry_grid(page, "幼儿园生均经费")
    row = grid_row(grid, "三级指标", "受益幼儿人数")
    type_into_cell(page, grid, row, "当前完成值", "９０００")
    alerts = _save_and_expect(page, "指标：已保存1行")
    assert "未通过校验" not in alerts
    grid = _grids(page).first
    row = grid_row(grid, "三级指标", "受益幼儿人数")
    assert grid_cell_text(page, grid, row, "当前完成值") == "9000"
    assert "未保存" not in grid_cell_text(page, grid, row, "状态")


def test_completion_date_is_year_first_only(page, app_server):
    login(page, app_server, "admin", "demo-admin")
    entry_grid(page, "本单位全部项目")  # opens 填报 on 2024年第三季度
    choose(page, "责任单位", "残联")
    choose(page, "项目", "残联事务经费")
    grid = _grids(page).first
    row = grid_row(grid, "三级指标", "辅具配送完成时间")
    type_into_cell(page, grid, row, "完成日期", "15082024")
    alerts = _save_and_expect(page, "请按YYYY-MM-DD填写")
    assert "（残联事务经费 / 辅具配送完成时间）完成日期：无法识别日期“15082024”，请按YYYY-MM-DD填写" in alerts
    grid = _grids(page).first
    row = grid_row(grid, "三级指标", "辅具配送完成时间")
    assert grid_cell_text(page, grid, row, "完成日期") == "15082024"  # kept as typed, never guessed

    type_into_cell(page, grid, row, "完成日期", "2024-08-15")
    _save_and_expect(page, "指标：已保存1行")
    grid = _grids(page).first
    row = grid_row(grid, "三级指标", "辅具配送完成时间")
    assert grid_cell_text(page, grid, row, "完成日期") == "2024-08-15"
    assert grid_cell_text(page, grid, row, "完成情况") == "达成"
    assert "未保存" not in grid_cell_text(page, grid, row, "状态")
