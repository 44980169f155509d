"""佐证材料 and 整改 in a real browser.

* The admin switches on the rule "定性指标填报“达成”须附佐证材料" on 设置; 教育科 staff see 佐证材料 in
  须填写 for 区本课程经费 / 设备质量 (the demo value is 达成), attach a PDF (a scan written by Pillow),
  and the requirement goes; the admin downloads 2024年第三季度's evidence ZIP on 填报期管理 and finds
  the PDF, byte for byte, at ``[无编码]教育科-区本课程经费/设备质量/设备验收单.pdf``.
* In 会议模式 the admin raises a 整改 item on 教育科's worst project; 教育科 staff answer it on 填报;
  the admin closes it on 项目详情, where it moves to 已销号.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from data_access.db import make_engine
from data_access.monitoring import load_settings, save_settings
from data_access.permissions import SYSTEM_ADMIN
from tests.e2e.conftest import choose, entry_grid, grid_cell_text, grid_row, login, logout, open_page, wait_idle
from tests.evidence_files import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.writes_demo_data]

PROJECT = "区本课程经费"
INDICATOR = "设备质量"
RULE = "定性指标填报“达成”须附佐证材料"


@pytest.fixture
def restore_rules(app_server):
    """The rule settings as they were before the test (other tests judge 须填写 by the defaults)."""
    engine = make_engine(app_server.db_url)
    before = load_settings(engine)
    yield
    save_settings(engine, before, SYSTEM_ADMIN)
    engine.dispose()


def _alert(page, text: str):
    alert = page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text=text)
    alert.first.wait_for()
    return alert.first


def _todo(page, grid) -> str:
    return grid_cell_text(page, grid, grid_row(grid, "三级指标", INDICATOR), "须填写")


def test_a_rule_asks_for_a_pdf_staff_attach_it_the_admin_zips_the_period(page, app_server, restore_rules):
    # ---------------------------------------------------------------- the admin switches the rule on
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "设置")
    page.locator("[data-testid='stCheckbox']").filter(has_text=RULE).locator("label").click()
    page.get_by_role("button", name="保存规则").click()
    wait_idle(page)
    _alert(page, "规则已保存")
    logout(page)

    # ---------------------------------------------------------------- staff see it required, attach a PDF
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    grid = entry_grid(page, PROJECT)
    assert _todo(page, grid) == "佐证材料"
    assert f"{PROJECT} / {INDICATOR}（定性指标填报“达成”）" in _alert(page, "须附佐证材料").inner_text()
    target = page.locator("[data-testid='stSelectbox']").filter(has=page.locator("label", has_text=re.compile("^附于$")))
    assert target.locator("input").input_value() == f"{PROJECT} / {INDICATOR}（须附）"  # what is required comes first
    pdf = pdf_bytes()
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="选择文件（PDF")
    uploader.locator("input[type='file']").set_input_files(
        files=[{"name": "设备验收单.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    uploader.get_by_text("设备验收单.pdf").wait_for()
    page.get_by_role("button", name="上传佐证材料").click()
    wait_idle(page)
    _alert(page, "已上传1个佐证材料：设备验收单.pdf")
    main = page.locator("[data-testid='stMain']")
    main.get_by_text(f"{PROJECT} / {INDICATOR}", exact=True).wait_for()  # the file's row
    assert main.get_by_role("button", name="删除").count() == 1  # own file, open period
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first
    assert _todo(page, grid) == ""  # the requirement is met
    logout(page)

    # ---------------------------------------------------------------- the admin downloads the period's ZIP
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "填报期管理")
    zip_period = page.locator("[data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile("^佐证材料的填报期$")))
    assert zip_period.locator("input").input_value() == "2024年第三季度"  # the period being filled
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"下载2024年第三季度佐证材料（ZIP，1个文件")).click()
    assert info.value.suggested_filename == "佐证材料_2024Q3.zip"
    z = zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))
    assert z.read(f"[无编码]教育科-{PROJECT}/{INDICATOR}/设备验收单.pdf") == pdf
    assert "佐证材料清单.csv" in z.namelist()


def _login_at(page, url: str, username: str, password: str) -> None:
    """Open a link before signing in, then sign in: the linked page is shown (no wait for the re-login
    cookie that a second page load would need)."""
    page.goto(url)
    page.locator("input[aria-label='用户名']").wait_for()
    wait_idle(page)
    page.locator("input[aria-label='用户名']").fill(username)
    page.locator("input[aria-label='密码']").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()
    wait_idle(page)


def _card(page, number: str):
    card = page.locator("[data-testid='stMain'] [data-testid='stVerticalBlock']").filter(
        has_text=re.compile(rf"^{re.escape(number)}\s"))
    card.first.wait_for()
    return card.first


def test_a_rectification_raised_in_the_meeting_is_answered_and_closed(page, app_server):
    # ---------------------------------------------------------------- 会议模式: the admin raises an item
    _login_at(page, f"{app_server.url}/meeting?year=2024&period=2024Q3&unit=教育科", "admin", "demo-admin")
    project = page.locator(".jx-slide .name").inner_text().strip()
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("提出整改事项").click()
    wait_idle(page)
    matter = main.locator("[data-testid='stSelectbox']").filter(has_text="整改事项").locator("input").input_value()
    item = matter.split("】", 1)[-1]
    main.get_by_label("整改要求").fill("说明偏差原因，10月底前完成整改并报送佐证材料")
    main.get_by_role("button", name="提出整改", exact=True).click()
    wait_idle(page)
    made = _alert(page, "已提出整改 #").inner_text()
    number = re.search(r"#\d+", made).group(0)
    assert f"{project} / {item}，责任单位教育科" in made
    assert "说明偏差原因，10月底前完成整改并报送佐证材料" in page.locator(".jx-slide").inner_text()  # on the slide
    logout(page)

    # ---------------------------------------------------------------- 教育科 answers on 填报
    login(page, app_server, "jiaoyu", "demo-jiaoyu")
    open_page(page, "填报")
    card = _card(page, number)
    assert "待整改" in card.inner_text()
    card.get_by_label("整改措施").fill("约谈项目学校，调整支付计划")
    card.get_by_label("整改结果").fill("已完成支付，附支付凭证")
    card.get_by_role("button", name="提交整改情况").click()
    wait_idle(page)
    _alert(page, f"整改事项{number}：已反馈整改情况，当前状态“待核验”")
    logout(page)

    # ---------------------------------------------------------------- the admin closes it on 项目详情
    _login_at(page, f"{app_server.url}/project?year=2024&period=2024Q3&unit=教育科", "admin", "demo-admin")
    choose(page, "项目", re.compile(rf"^\S+ \S+\s+{re.escape(project)}$"))
    card = _card(page, number)
    assert "待核验" in card.inner_text() and "已完成支付，附支付凭证" in card.inner_text()
    card.get_by_label("核验意见（退回时必填）").fill("凭证齐全")
    card.get_by_role("button", name="核验销号").click()
    wait_idle(page)
    _alert(page, f"整改事项{number}：已核验销号，当前状态“已销号”")
    main.get_by_text("已销号的整改事项（1项）").wait_for()
