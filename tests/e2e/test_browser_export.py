"""Export of the risk list in a real browser: the leader opens 风险清单, clicks 导出Excel and
导出CSV; the files hold exactly the rows the page shows (the count the page displays, and the risk list
computed through ``data_access`` for the same as-of date), with the header row and coloured status cells.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests.e2e.conftest import grid_cell_text, login, open_page

# one xdist worker runs the tests that share the session app servers (make test: -n 2 --dist loadgroup)
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

HEADER_ROW = 3  # title, subtitle, header, then the data rows


def _risk_list_through_data_access(db_url: str, as_of: date):
    from data_access.db import make_engine
    from data_access.monitoring import evaluate
    from data_access.views import risk_frame

    engine = make_engine(db_url)
    try:
        return risk_frame(evaluate(engine, as_of.year, as_of))
    finally:
        engine.dispose()


def test_leader_exports_the_risk_list(page, app_server, tmp_path):
    from openpyxl import load_workbook

    from data_access.views import RISK_COLUMNS
    from documents.table_export import STATUS_COLOURS
    from domain.status import STATUS_LABELS

    # the list's columns, with the open 整改 items of each row after 事项
    at = RISK_COLUMNS.index("事项") + 1
    EXPORTED = [*RISK_COLUMNS[:at], "整改", *RISK_COLUMNS[at:]]  # noqa: N806 - a constant of this test
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "风险清单")
    page.get_by_role("heading", name="风险清单").wait_for()
    main = page.locator("[data-testid='stMain']")

    # what the page says: "共 **N** 项：红 a项，未填报 b项，…" and the as-of date
    summary = main.get_by_text(re.compile(r"^共 \d+ 项：")).inner_text()
    shown = int(re.match(r"共 (\d+) 项", summary).group(1))
    per_status = {label: int(n) for label, n in re.findall(r"(红|未填报|黄|蓝) (\d+)项", summary)}
    assert shown > 0 and sum(per_status.values()) == shown, summary
    y, m, d = map(int, re.search(r"截至(\d{4})年(\d{1,2})月(\d{1,2})日", main.inner_text()).groups())
    as_of = date(y, m, d)
    grid = main.locator("[data-testid='stDataFrame']").first
    first_project = grid_cell_text(page, grid, 0, "项目名称")

    # the same list through data_access, for the same as-of date (the leader sees every project)
    expected = _risk_list_through_data_access(app_server.db_url, as_of)
    assert len(expected) == shown

    # ---------------------------------------------------------------- 导出Excel
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("导出Excel")).click()
    download = info.value
    assert download.failure() is None
    assert re.fullmatch(rf"风险清单_{y}年1-{m}月_\d{{8}}-\d{{4}}\.xlsx", download.suggested_filename), \
        download.suggested_filename
    path = tmp_path / "risks.xlsx"
    download.save_as(path)

    ws = load_workbook(path).active
    assert ws.title == "风险清单"
    assert ws.cell(1, 1).value == "风险清单"
    assert f"截至{y}年{m}月{d}日" in ws.cell(2, 1).value
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == EXPORTED
    rows = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if any(c.value not in (None, "") for c in r)]
    assert len(rows) == shown
    assert ws.max_row == HEADER_ROW + shown
    assert rows[0][header.index("项目名称")].value == first_project

    # every status cell is filled with its status colour; the word is kept (colour is not the only signal)
    words = {label: key for key, label in STATUS_LABELS.items()}
    col = header.index("状态")
    seen = {}
    for r in rows:
        cell = r[col]
        word = cell.value.split()[-1]
        assert word in words, cell.value
        fill, font = STATUS_COLOURS[words[word]]
        assert cell.fill.fill_type == "solid", (cell.coordinate, cell.value)
        assert cell.fill.fgColor.rgb[-6:] == fill, (cell.coordinate, cell.value, cell.fill.fgColor.rgb)
        seen[word] = seen.get(word, 0) + 1
    assert seen == per_status
    assert rows[0][header.index("项目名称")].fill.fill_type in (None, "none")  # only status cells are coloured

    # ---------------------------------------------------------------- 导出CSV: the same rows
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("导出CSV")).click()
    data = info.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text correctly
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == EXPORTED
    assert len(table) - 1 == shown
    assert table[1][table[0].index("项目名称")] == first_project
