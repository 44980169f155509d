"""The reporting chain in a real browser: 教育科 staff submit (a project with gaps is refused with the list),
the admin returns one indicator with a comment on 审核, staff see it in 待办 at their next sign-in, follow
the link, fix it and resubmit, the admin approves, staff see the project read-only, the admin marks the
period reported and downloads the official workbook; after a reopen and a change the stored workbook
downloads byte for byte as before."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import (
    choose,
    entry_grid,
    grid_row,
    login,
    logout,
    open_page,
    save_entry,
    type_into_cell,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]

PROJECT, WITH_GAPS, INDICATOR = "区本课程经费", "区属各学校仪器补充装备经费", "教师学生满意度"
COMMENT = "满意度调查样本不足，请补充说明"


def _alert(page, text: str):
    alert = page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text=text)
    alert.first.wait_for()
    return alert.first


def _click(page, name: str) -> None:
    page.get_by_role("button", name=re.compile(rf"^{re.escape(name)}")).first.click()
    wait_idle(page)


def _download(page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).first.click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def test_submit_return_fix_approve_report_and_reopen(page, app_server):
    # ------------------------------------------------------------ staff submit: gaps refused, then the complete one
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    entry_grid(page, WITH_GAPS)
    _click(page, "送审该项目")
    assert "教师学生满意度：须填写当前完成值" in _alert(page, "不能送审").inner_text()
    entry_grid(page, PROJECT)
    _click(page, "送审该项目")
    _alert(page, "已送审1个项目")
    logout(page)

    # ------------------------------------------------------------ admin returns one indicator with a comment
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "审核")
    page.get_by_role("heading", name=f"{PROJECT}（教育科）").wait_for()
    main = page.locator("[data-testid='stMain']")
    grid = main.locator("[data-testid='stDataFrame']").filter(
        has=page.locator("th", has_text=re.compile("^三级指标$"))).first
    row = grid_row(grid, "三级指标", INDICATOR)
    type_into_cell(page, grid, row, "退回意见", COMMENT)
    _click(page, "退回所选事项")
    _alert(page, f"已退回「{PROJECT}」的1个事项")
    logout(page)

    # ------------------------------------------------------------ staff: 待办 at sign-in links to the returned item
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    link = page.locator("[data-testid='stSidebar']").get_by_role("link", name="被退回的事项：1项")
    link.wait_for()
    link.click()
    wait_idle(page)
    page.get_by_role("heading", name="填报").wait_for()
    returned = _alert(page, "审核人退回了以下事项").inner_text()
    assert INDICATOR in returned and COMMENT in returned
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first
    type_into_cell(page, grid, grid_row(grid, "三级指标", INDICATOR), "说明", "已补充样本至312份")
    save_entry(page)
    _click(page, "送审该项目")
    _alert(page, "已送审1个项目")
    logout(page)

    # ------------------------------------------------------------ admin approves
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "审核")
    page.get_by_role("heading", name=f"{PROJECT}（教育科）").wait_for()
    _click(page, "审核通过")
    _alert(page, f"「{PROJECT}」已通过，数据已只读")
    logout(page)

    # ------------------------------------------------------------ staff: read-only now
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    entry_grid(page, PROJECT)
    page.get_by_text("已送审或已通过的项目（只读）").wait_for()
    assert page.get_by_role("button", name="保存", exact=True).count() == 0
    logout(page)

    # ------------------------------------------------------------ admin reports the period, downloads the workbook
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "填报期管理")
    choose(page, "上报的填报期", "2024年第三季度")
    page.get_by_text(re.compile("连同\\d+个未审核通过的项目一起上报")).click()
    wait_idle(page)
    _click(page, "标记为已上报")
    _alert(page, "已将2024年第三季度标记为已上报（第1次）")
    before = _download(page, "下载项目支出绩效目标执行监控表.xlsx")
    assert before[:2] == b"PK"

    # ------------------------------------------------------------ reopen (reason logged) and change: the report stands
    open_page(page, "审核")
    page.get_by_role("tab", name="已通过 / 重新开放").click()
    page.get_by_label("重新开放的原因（必填，记入审计日志）").fill("财政局要求更正支出")
    _click(page, "重新开放")
    _alert(page, f"已重新开放「{PROJECT}」")
    from data_access.actuals import ANY_VERSION, save_spending_rows
    from data_access.db import make_engine
    from data_access.users import principal_for

    engine = make_engine(app_server.db_url)
    try:
        staff = principal_for(engine, "jiaoyu")
        assert save_spending_rows(engine, staff, "2024Q3", [{"project_id": _project_id(engine), "version": ANY_VERSION,
                                                              "spent_wan": 88, "projected_wan": 100,
                                                              "explanation": "更正"}]).saved
    finally:
        engine.dispose()
    open_page(page, "填报期管理")
    choose(page, "上报的填报期", "2024年第三季度")
    assert _download(page, "下载项目支出绩效目标执行监控表.xlsx") == before


def _project_id(engine) -> int:
    from sqlalchemy import select
    from sqlmodel import Session

    from data_access.models import Project

    with Session(engine) as s:
        return int(s.execute(select(Project.id).where(Project.name == PROJECT)).scalar_one())
