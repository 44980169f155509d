"""Links, reloads and reasons in a real browser.

* A link opened before login (``/risks?unit=民政科&…``) is the view shown after signing in.
* On every leadership page, with a project, a period and a filter chosen: a pasted link and a reload
  (F5) land on the same page with the same period, filter and project (会议模式: that project's slide); back/forward on 项目详情 step
  through the projects visited.
* 风险清单: the reason (原因) is the third column, at least 400 px wide, and every reason the grid has
  drawn fits its wrapped cell.
* 总览: the export under the top items holds exactly the rows it names.
"""

from __future__ import annotations

import csv
import io
import math
import re
from urllib.parse import quote

import pytest

from components.status_badge import REASON_WIDTH, WRAP_ROW_HEIGHT
from tests.e2e.conftest import _single, grid_headers, login, open_page, open_sidebar, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

UNIT = "民政科"
PERIOD_BOX = "第二季度 · 6月30日"


def _project_ids(db_url: str, unit: str) -> dict[str, int]:
    from data_access import queries
    from data_access.db import make_engine

    engine = make_engine(db_url)
    try:
        df = queries.project_rows(engine, 2024)
    finally:
        engine.dispose()
    df = df[df["unit"] == unit]
    return dict(zip(df["name"], df["id"].astype(int)))


def _settle(page) -> None:
    wait_idle(page)
    page.wait_for_timeout(600)
    wait_idle(page)


def _signed_in_cookie(page) -> None:
    """Wait until the browser holds the re-login cookie (set by a component right after the login run)."""
    for _ in range(100):
        if any(c["name"] == "jxsjk_auth" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("no re-login cookie after signing in")


def _assert_view(page, heading: str | None, project_id: int, *, path: str) -> None:
    """The page (heading, URL path) and the view (period box, unit chip, as-of caption, project in the URL)."""
    if heading is not None:
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    assert re.search(rf"127\.0\.0\.1:\d+/{path}\?", page.url), page.url
    open_sidebar(page)  # 会议模式 starts with the sidebar collapsed
    sidebar = page.locator("[data-testid='stSidebar']")
    period = sidebar.locator("[data-testid='stSelectbox']").filter(has=page.locator("label", has_text=re.compile("^截至$")))
    assert period.locator("input[role='combobox']").input_value().strip() == PERIOD_BOX
    sidebar.get_by_text(UNIT, exact=True).first.wait_for(state="visible", timeout=10000)  # after the slide-in
    assert page.locator("[data-testid='stMain']").get_by_text(re.compile("截至2024年6月30日")).first.is_visible()
    assert f"project={project_id}" in page.url and "period=2024Q2" in page.url and f"unit={quote(UNIT)}" in page.url


def test_links_and_reloads_keep_page_period_filters_and_project(page, app_server):
    ids = _project_ids(app_server.db_url, UNIT)
    name, pid = sorted(ids.items())[0]
    query = f"year=2024&period=2024Q2&unit={quote(UNIT)}&project={pid}"

    # ---------------------------------------------------------------- a link opened before login
    page.goto(f"{app_server.url}/risks?{query}")
    _single(page, "input[aria-label='用户名']").fill("leader")
    _single(page, "input[aria-label='密码']").fill("demo-leader")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()
    _settle(page)
    _assert_view(page, "风险清单", pid, path="risks")
    _signed_in_cookie(page)

    # ---------------------------------------------------------------- every page: pasted link, then F5
    pages = [("", "总览"), ("risks", "风险清单"), ("project", name), ("meeting", None), ("reporting", "填报进度")]
    for path, heading in pages:
        page.goto(f"{app_server.url}/{path}?{query}")
        _settle(page)
        _assert_view(page, heading, pid, path=path)
        page.reload()
        _settle(page)
        _assert_view(page, heading, pid, path=path)
        if path == "meeting":  # the slide of the selected project, of the filtered unit
            assert page.locator(".jx-slide .name").inner_text() == name
            assert UNIT in page.locator(".jx-slide .meta").first.inner_text()

    # ---------------------------------------------------------------- back and forward on 项目详情
    page.goto(f"{app_server.url}/project?{query}")
    _settle(page)
    page.get_by_role("heading", name=name, exact=True).wait_for()
    step = page.get_by_role("button", name="下一个 ▶")
    if step.is_disabled():
        step = page.get_by_role("button", name="◀ 上一个")
    step.click()
    _settle(page)
    other = re.search(r"project=(\d+)", page.url).group(1)
    assert int(other) != pid and int(other) in ids.values()
    other_name = next(n for n, i in ids.items() if i == int(other))
    page.get_by_role("heading", name=other_name, exact=True).wait_for()
    page.go_back()
    _settle(page)
    page.get_by_role("heading", name=name, exact=True).wait_for()
    assert f"project={pid}" in page.url
    page.go_forward()
    _settle(page)
    page.get_by_role("heading", name=other_name, exact=True).wait_for()


def _reason_column_span(page, grid) -> tuple[float, float]:
    """Where the 原因 header is, in px from the grid's left edge: hover along the header row and note
    where its tooltip shows (the grid is a canvas; the tooltip is the column's help text)."""
    box = grid.bounding_box()
    inside = []
    for x in range(4, int(box["width"]) - 4, 20):
        page.mouse.move(box["x"] + x, box["y"] + 17)
        page.wait_for_timeout(120)
        if page.get_by_text("状态的原因（完整文字").count():
            inside.append(x)
    assert inside, "no 原因 header found on the grid"
    return inside[0], inside[-1]


def test_the_reason_is_readable_in_the_risk_list(page, app_server):
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "风险清单")
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first
    grid.wait_for()
    _settle(page)
    headers = grid_headers(grid)
    assert [h for h, _ in sorted(headers.items(), key=lambda kv: kv[1])][:3] == ["状态", "项目名称", "原因"]

    left, right = _reason_column_span(page, grid)
    assert right - left >= 400 - 40, (left, right)  # sampled every 20 px
    assert right < grid.bounding_box()["width"]  # in view without scrolling sideways

    # every reason the grid has drawn fits its wrapped cell: lines needed x line height <= row height
    col = headers["原因"]
    reasons = grid.locator(f"tbody td[aria-colindex='{col + 1}']").all_inner_texts()
    assert len(reasons) >= 5 and all(reasons)
    widths = page.evaluate(
        """texts => { const c = document.createElement('canvas').getContext('2d');
                      c.font = '14px ' + getComputedStyle(document.body).fontFamily;
                      return texts.map(t => c.measureText(t).width); }""", reasons)
    usable = REASON_WIDTH - 2 * 8.5  # the cell's horizontal padding
    for text, w in zip(reasons, widths):
        lines = math.ceil(w / usable)
        assert lines * 20 + 8 <= WRAP_ROW_HEIGHT, (text, w, lines)


def test_the_overview_export_holds_exactly_the_rows_it_names(page, app_server):
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "总览")
    main = page.locator("[data-testid='stMain']")
    button = main.get_by_role("button", name=re.compile(r"^导出CSV（所示前10项，共\d+项）$"))
    total = int(re.search(r"共(\d+)项", button.inner_text()).group(1))
    assert total > 10
    assert main.get_by_text(f"全部{total}项请在「风险清单」导出").is_visible()
    with page.expect_download() as info:
        button.click()
    table = list(csv.reader(io.StringIO(info.value.path().read_bytes().decode("utf-8-sig"))))
    assert len(table) - 1 == 10
    assert table[0][:3] == ["状态", "项目名称", "原因"]
