"""On a phone (390×844): 总览, 风险清单 and 项目详情 are read without scrolling the page sideways — the
page is no wider than the screen, and nothing outside a grid or a chart (which scroll inside
themselves) reaches past its right edge."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, open_page, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PHONE = {"width": 390, "height": 844}
TOLERANCE = 4  # px: sub-pixel rounding and focus rings

WIDE = """tolerance => {
  const main = document.querySelector("[data-testid='stMain']");
  const out = [];
  for (const e of main.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || e.closest("[data-testid='stDataFrame'], [data-testid='stVegaLiteChart']")) continue;
    if (r.right > window.innerWidth + tolerance) out.push(`${e.tagName} ${e.getAttribute('data-testid') || ''} ${Math.round(r.right)}px`);
  }
  return {doc: document.documentElement.scrollWidth, main: main.scrollWidth, wide: out.slice(0, 5)};
}"""


@pytest.mark.parametrize("title", ["总览", "风险清单", "项目详情"])
def test_phone_pages_do_not_scroll_sideways(browser, app_server, title):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        login(page, app_server, "leader", "demo-leader")
        open_page(page, title)
        page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first.wait_for()
        wait_idle(page)
        page.wait_for_timeout(800)  # charts and grids settle their widths after the run
        seen = page.evaluate(WIDE, TOLERANCE)
        assert seen["doc"] <= PHONE["width"] + TOLERANCE, seen
        assert seen["main"] <= PHONE["width"] + TOLERANCE, seen
        assert seen["wide"] == [], seen
    finally:
        context.close()
