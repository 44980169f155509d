"""Every screen in Chinese: walk every page as admin, leader and staff in a real browser and fail on a
Latin-letter word a user can read — on the page (``document.body.innerText``), in the cells of the
grids (their accessibility tables), in an opened drop-down, in the options menu, in the file uploader,
in the tabs of 设置 — outside a short allow-list:

* the bureau's own data: Latin words in the seed target document (e.g. HPV), the demo accounts'
  user names and passwords (shown in the audit log and on the login screen), the extension of an
  imported file's name (.txt) in the audit log;
* file formats the bureau knows by name: Excel, Word, CSV, and the evidence types PDF, JPG, PNG,
  PowerPoint, OFD, ZIP with their size units MB and KB;
* period codes such as 2024Q3 (digits before the letter, so not a word here);
Not read: material icons (ligatures: their names are text, drawn as a symbol), Streamlit's keyboard
"Skip to main content" link (shown only on keyboard focus, English only) and the screen-reader
announcements of drop-downs ("13 options available.", never drawn on screen).
A second test locks a period (and reopens it) to read a locked period's cells and the audit rows.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from data_access.demo_accounts import DEMO_ACCOUNTS
from tests.e2e.conftest import ROOT, choose, login, logout, open_page, open_sidebar, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WORD = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]+(?:[-'][A-Za-z]+)*")
SEED_WORDS = set(WORD.findall((ROOT / "seed" / "2024_部门整体绩效目标.txt").read_text(encoding="utf-8")))
ACCOUNT_WORDS = {w for a in DEMO_ACCOUNTS for w in WORD.findall(f"{a.username} {a.password}")}
# the audit log names the imported file (2024_部门整体绩效目标.txt, 麻风病防治.docx); 导入目标 names the formats
# and an attached evidence file (设备验收单.pdf)
ALLOWED = SEED_WORDS | ACCOUNT_WORDS | {"Excel", "CSV", "txt", "docx", "xlsx", "pdf", "Word", "PDF", "JPG", "PNG",
                                       "PowerPoint", "OFD", "ZIP", "MB", "KB"}
ROLES = [("admin", "demo-admin"), ("leader", "demo-leader"), ("jiaoyu", "demo-jiaoyu")]

READ = """() => {
  const hide = document.createElement('style');
  hide.textContent = "[data-testid='stIconMaterial'], [data-testid='stIconEmoji'], [data-testid='stAlertDynamicIcon'],"
    + " span[translate='no'][aria-hidden='true'], [data-testid='stSkipToContent'], [role='log'][aria-live]"
    + " {display: none !important}";
  document.head.appendChild(hide);
  const text = [document.body.innerText];
  hide.remove();
  for (const cell of document.querySelectorAll("[data-testid='stDataFrame'] table th, [data-testid='stDataFrame'] table td"))
    text.push(cell.textContent);
  for (const el of document.querySelectorAll('[placeholder]'))  // shown while the field is empty
    if (!el.value) text.push(el.getAttribute('placeholder'));
  return text.join('\\n');
}"""


def latin_words(page) -> set[str]:
    text = page.evaluate(READ)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def _open_dropdown(page, where) -> set[str]:
    """Open the first visible, enabled multiselect in ``where``, read, close."""
    boxes = [b for b in where.locator("[data-testid='stMultiSelect'] input[role='combobox']").all()
             if b.is_visible() and b.is_enabled()]
    if not boxes:
        return set()
    listbox = page.locator("[role='listbox']:visible").first
    for _attempt in range(3):  # a click during a rerun or the sidebar's slide-in can be lost
        wait_idle(page)
        boxes[0].click()
        try:
            listbox.wait_for(timeout=8_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("the sidebar's multiselect did not open in three tries")
    found = latin_words(page)
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)
    return found


def _hover_grid(page) -> set[str]:
    grids = [g for g in page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").all() if g.is_visible()]
    if not grids:
        return set()
    grids[0].hover()
    page.wait_for_timeout(300)
    found = latin_words(page)
    for button in page.locator("[data-testid='stElementToolbar'] button").all():
        if button.is_visible():
            button.hover()
            page.wait_for_timeout(300)
            found |= latin_words(page)
    return found


def _main_menu(page) -> set[str]:
    menu = page.locator("[data-testid='stMainMenu']")
    if not menu.count() or not menu.is_visible():
        return set()
    menu.click()
    page.wait_for_timeout(300)
    found = latin_words(page)
    page.keyboard.press("Escape")
    return found


def _extras(page, title: str) -> set[str]:
    """What a page shows after a click: 设置's tabs, 填报's import section."""
    found: set[str] = set()
    main = page.locator("[data-testid='stMain']")
    if title == "设置":
        for tab in main.get_by_role("tab").all():
            tab.click()
            wait_idle(page)
            found |= latin_words(page) | _open_dropdown(page, main)
    if title == "填报":
        main.get_by_text(re.compile("^批量导入")).click()
        main.locator("[data-testid='stExpanderDetails'] [data-testid='stFileUploader']").wait_for()
        found |= latin_words(page)
    return found


def test_login_screen_is_chinese(page, app_server):
    page.goto(app_server.url)
    page.locator("input[aria-label='用户名']").wait_for()
    wait_idle(page)
    page.get_by_text("示例账号（仅演示环境）").click()
    page.wait_for_timeout(300)
    assert latin_words(page) == set()
    assert _main_menu(page) == set()


@pytest.mark.parametrize("username, password", ROLES)
def test_every_page_is_chinese(page, app_server, username, password):
    login(page, app_server, username, password)
    nav = page.locator("[data-testid='stSidebarNav'] a")
    titles = [t.strip().split("\n")[-1].strip() for t in nav.all_inner_texts()]
    assert len(titles) >= 6
    problems: dict[str, set[str]] = {}
    for title in titles:
        open_page(page, title)
        page.wait_for_timeout(500)  # grids fill their accessibility tables after the run
        found = latin_words(page) | _hover_grid(page) | _main_menu(page)
        open_sidebar(page)  # 会议模式 starts with it collapsed
        found |= _open_dropdown(page, page.locator("[data-testid='stSidebar']")) | _extras(page, title)
        if found:
            problems[title] = found
    assert problems == {}
    logout(page)


@pytest.mark.writes_demo_data
def test_locked_period_and_audit_rows_are_chinese(page, app_server):
    login(page, app_server, "admin", "demo-admin")
    open_page(page, "填报期管理")
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("button", name="锁定", exact=True).click()  # the first period, 2024年第一季度
    wait_idle(page)
    try:
        page.wait_for_timeout(500)
        assert latin_words(page) == set()  # the audit rows of the lock
        open_page(page, "填报")
        page.get_by_role("heading", name="填报").wait_for()
        choose(page, "填报期", "2024年第一季度（已锁定）")
        page.wait_for_timeout(800)
        # the locked period is shown read-only: empty cells stay empty
        assert latin_words(page) == set()
        assert main.get_by_text(re.compile("已锁定")).first.is_visible()
    finally:
        open_page(page, "填报期管理")
        main.get_by_label("原因（重新开放时必填）").fill("测试后重新开放")
        main.get_by_role("button", name="重新开放", exact=True).click()
        wait_idle(page)
    page.wait_for_timeout(500)
    assert latin_words(page) == set()
