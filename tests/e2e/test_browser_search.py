"""The scale-aware controls in a real browser: the risk list's 「筛选」 box narrows the grid's rows (not
only highlights them) and says how many it shows; the export buttons say what they then hold."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import grid_headers, login, open_page, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

UNIT = "民政科"


def _unit_cells(grid) -> list[str]:
    col = grid_headers(grid)["责任单位"]
    return grid.locator(f"tbody td[aria-colindex='{col + 1}']").evaluate_all("els => els.map(e => e.innerText.trim())")


def test_the_risk_list_filter_box_narrows_the_rows(page, app_server):
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "风险清单")
    page.get_by_role("heading", name="风险清单").wait_for()
    main = page.locator("[data-testid='stMain']")
    box = page.get_by_placeholder("筛选：项目名称/单位/指标…")
    box.fill(UNIT)
    box.press("Enter")
    wait_idle(page)
    caption = main.get_by_text(re.compile(rf"^显示\d+ / 共\d+项（筛选「{UNIT}」）$"))
    caption.wait_for()
    shown, total = (int(n) for n in re.findall(r"\d+", caption.inner_text()))
    assert 0 < shown < total
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    page.wait_for_timeout(500)
    cells = _unit_cells(grid)
    assert cells and set(cells) == {UNIT}  # only the matching rows are in the grid
    assert page.get_by_role("button", name=f"导出Excel（筛选「{UNIT}」的{shown}行）").is_visible()
