"""Layout on a desktop screen: the title starts just under the header (no ~120 px gap above it), and
the 导出Excel / 导出CSV buttons sit next to each other."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, open_page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_title_near_the_top_and_export_buttons_side_by_side(page, app_server):
    login(page, app_server, "leader", "demo-leader")
    for title in ("总览", "风险清单", "填报期管理"):
        open_page(page, title)
        heading = page.get_by_role("heading", name=title, exact=True)
        heading.wait_for()
        assert heading.bounding_box()["y"] < 110, title  # ~98 px; ~153 px with the default 6rem padding
    open_page(page, "风险清单")
    main = page.locator("[data-testid='stMain']")
    xlsx = main.get_by_role("button", name="导出Excel").first.bounding_box()
    csv = main.get_by_role("button", name="导出CSV").first.bounding_box()
    assert abs(xlsx["y"] - csv["y"]) < 2  # one row
    assert 0 <= csv["x"] - (xlsx["x"] + xlsx["width"]) < 40  # next to each other, not half a page apart
