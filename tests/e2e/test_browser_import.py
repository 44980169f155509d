"""导入目标 in a real browser: the admin uploads a Word table, corrects one 指标值 in the preview,
imports it, imports an Excel workbook, then re-imports a changed Word file and sees what is added,
removed and changed before importing it. The tables are real published ones (tests/published)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import grid_cell_text, grid_row, login, open_page, shot_dir, type_into_cell, wait_idle
from tests.published.builders import BUILDERS, Grid, Sheet
from tests.published.tables import YONGDE_SCHOOL, ZHAOHUA_CDC

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]

N = None


def _zhaohua_changed() -> list[Sheet]:
    grid = next(b for b in ZHAOHUA_CDC.sheets[0].blocks if isinstance(b, Grid))
    rows = [list(r) for r in grid.rows]
    rows[16][4] = "≥98%"  # 广大群众…知晓率: 100% -> ≥98%
    del rows[14]  # 宣传教育 removed
    rows.insert(20, [N, N, N, "群众防治知识培训", "≥2次"])  # added
    return [Sheet([*ZHAOHUA_CDC.sheets[0].blocks[:-1], Grid(rows)])]


def _upload(page, path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    wait_idle(page)
    page.get_by_text(re.compile(r"^可导入指标$")).wait_for()


def _import(page, expect: str) -> None:
    page.get_by_role("button", name="导入", exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text=expect).wait_for()


def test_admin_imports_corrects_and_reimports_through_the_page(page, app_server, tmp_path):
    shots = shot_dir(tmp_path, app_server)
    files = {}
    for name, sheets, fmt in (("麻风病防治.docx", ZHAOHUA_CDC.sheets, "docx"), ("营养改善.xlsx", YONGDE_SCHOOL.sheets, "xlsx"),
                              ("麻风病防治（修订）.docx", _zhaohua_changed(), "docx")):
        files[name] = tmp_path / name
        files[name].write_bytes(BUILDERS[fmt](sheets))
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "导入目标")
    page.get_by_role("heading", name="导入绩效目标表").wait_for()

    # ---------------------------------------------------------------- a Word table, one cell corrected
    _upload(page, files["麻风病防治.docx"])
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("文件写明：2021年度").wait_for()
    main.get_by_text("无资金支出计划，按序时进度").wait_for()
    grid = main.locator("[data-testid='stDataFrame']").first
    row = grid_row(grid, "三级指标", "宣传教育")
    assert grid_cell_text(page, grid, row, "解析规则").startswith("定性")
    type_into_cell(page, grid, row, "指标值", "≥3次")
    main.get_by_role("button", name="应用改正").first.click()
    wait_idle(page)
    grid = main.locator("[data-testid='stDataFrame']").first
    row = grid_row(grid, "三级指标", "宣传教育")
    assert grid_cell_text(page, grid, row, "指标值") == "≥3次"
    assert grid_cell_text(page, grid, row, "解析规则") == "≥3次"
    page.screenshot(path=str(shots / "import_preview.png"), full_page=True)
    _import(page, "导入完成：2021年度：新增项目1个")

    # ---------------------------------------------------------------- an Excel workbook
    _upload(page, files["营养改善.xlsx"])
    main.get_by_text("文件写明：2022年度").wait_for()
    _import(page, "导入完成：2022年度：新增项目1个")

    # ---------------------------------------------------------------- the changed Word file: the diff first
    _upload(page, files["麻风病防治（修订）.docx"])
    main.get_by_text(re.compile(r"导入将会：新增项目0个，修改已有项目1个（新增指标1个，删除1个，修改\d+处）")).wait_for()
    diff = main.locator("[data-testid='stExpander']").filter(has_text="导入前后对比")
    expanded = diff.locator("[data-testid='stExpanderDetails']")
    if not expanded.is_visible():
        diff.locator("summary").click()
    for line in ("「麻风病防治」新增指标“群众防治知识培训”", "「麻风病防治」删除指标“宣传教育”", "“100%” → “≥98%”"):
        diff.get_by_text(line, exact=False).first.wait_for()
    page.screenshot(path=str(shots / "import_diff.png"), full_page=True)
    _import(page, "导入完成：2021年度：新增项目0个，更新1个")
