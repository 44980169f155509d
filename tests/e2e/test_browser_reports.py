"""Every official output from 报表 in a real browser: the leader opens 报表, types the 审核人 and 联系电话 of
the signature block (without saving them), downloads each file the page offers and checks its layout —
the 执行监控表 and the 自评表 (汇总 + one sheet per project, their headers and rows, the signature block
under every sheet, text cells as text: no visible apostrophe before "=1所"), and the 监控报告 (公文
title and headings, no rule names of the engine, the signature lines at the end)."""

from __future__ import annotations

import io
import re

import docx
import pytest
from openpyxl import load_workbook

from components.report_outputs import OUTPUTS
from domain.clock import today_local
from domain.status import MODE_LABELS
from tests.e2e.conftest import login, open_page, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DEPARTMENT = "高新区社会事务局"
PROJECTS = 32


def _download(page, label: str, tmp_path) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    d = info.value
    assert d.failure() is None
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    return d.suggested_filename, path.read_bytes()


def _signature(ws) -> dict[str, str]:
    for row in range(ws.max_row, 0, -1):
        texts = [c.value for c in ws[row] if isinstance(c.value, str)]
        if any(t.startswith("填报单位：") for t in texts):
            return dict(t.split("：", 1) for t in texts)
    raise AssertionError(f"{ws.title}: no signature block")


def _check_text_cells(wb) -> int:
    """Every text cell is a string (never a formula) without a visible apostrophe; returns how many start
    with '=' (the demo targets =1所, =100% …)."""
    equals = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    assert not c.value.startswith("'"), (ws.title, c.coordinate, c.value)
                    equals += c.value.startswith("=")
    return equals


def test_leader_downloads_every_output_from_reports(page, app_server, tmp_path):
    login(page, app_server, "leader", "demo-leader")
    open_page(page, "报表")
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name="报表").wait_for()
    main.get_by_text(f"共 {PROJECTS} 个项目（全部项目）").wait_for()

    main.get_by_text(re.compile("^签章栏")).click()
    preparer = main.get_by_label("填报人").input_value()
    assert main.get_by_label("填报单位").input_value() == DEPARTMENT and preparer == "局领导（示例）"
    for label, value in (("审核人", "王科长"), ("联系电话", "0315-5551234")):
        main.get_by_label(label).fill(value)
        main.get_by_label(label).press("Enter")
        wait_idle(page)
    today = today_local()
    expected_sig = {"填报单位": DEPARTMENT, "填报人": preparer, "审核人": "王科长", "联系电话": "0315-5551234",
                    "日期": f"{today.year}年{today.month}月{today.day}日"}

    files = {}
    for out in OUTPUTS:
        label = f"下载{out.short}（{'Excel' if out.ext == 'xlsx' else 'Word'}）"
        name, data = _download(page, label, tmp_path)
        assert name.startswith(out.title) and name.endswith(f"截至2024-09-30.{out.ext}"), name
        files[out.key] = data
    assert set(files) == {"monitoring", "selfeval", "report"}

    # ---------------------------------------------------------------- 执行监控表
    wb = load_workbook(io.BytesIO(files["monitoring"]))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 1 + PROJECTS
    summary = wb["汇总"]
    assert summary["A1"].value == "项目支出绩效目标执行监控表（汇总）"
    header = [c.value for c in summary[3]]
    assert header[:7] == ["序号", "项目名称", "实施单位", "年初预算数（万元）", "调整后预算数（万元）", "1-9月执行数（万元）",
                          "1-9月执行率%"]
    assert summary.cell(4 + PROJECTS, 2).value == "合计"
    assert summary.cell(4 + PROJECTS, 4).value == pytest.approx(9982.79)
    for ws in wb.worksheets:
        assert _signature(ws) == expected_sig, ws.title
    sheet = wb.worksheets[1]
    assert sheet["A1"].value == "项目支出绩效目标执行监控表" and sheet["A2"].value == "（2024年1-9月）"
    assert [sheet[c].value for c in ("E5", "G5", "I5", "K5", "M5")] == [
        "年初预算数", "调整后预算数", "1-9月执行数", "1-9月执行率", "全年预计执行数"]
    assert [sheet.cell(11, c).value for c in (1, 2, 3, 4)] == ["一级指标", "二级指标", "三级指标", "年度指标值"]
    assert _check_text_cells(wb) > 0  # the demo's "=1所" targets are there, as text

    # ---------------------------------------------------------------- 自评表
    wb = load_workbook(io.BytesIO(files["selfeval"]))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 1 + PROJECTS
    header = [c.value for c in wb["汇总"][3]]
    assert header[:5] == ["序号", "项目名称", "实施单位", "年初预算数（万元）", "全年预算数（万元）"]
    sheet = wb.worksheets[1]
    assert sheet["A1"].value == "项目支出绩效自评表"
    assert [sheet[c].value for c in ("C6", "D6")] == ["年初预算数", "全年预算数"]
    assert [sheet.cell(10, c).value for c in (1, 4, 6, 7)] == ["一级指标", "年度指标值", "分值", "得分"]
    for ws in wb.worksheets:
        assert _signature(ws) == expected_sig, ws.title
    _check_text_cells(wb)

    # ---------------------------------------------------------------- 监控报告
    d = docx.Document(io.BytesIO(files["report"]))
    title = d.paragraphs[0]
    assert title.style.name == "Title" and title.text == f"{DEPARTMENT}2024年1-9月项目支出绩效运行监控报告"
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == [
        "一、基本情况", "二、预算执行情况", "三、绩效目标完成情况", "四、偏差原因分析", "五、纠偏措施", "六、全年预计"]
    text = "\n".join(p.text for p in d.paragraphs)
    for word in MODE_LABELS.values():
        assert word not in text, word
    assert "目标「是」" in text and "目标是" not in text
    closing = [p.text for p in d.paragraphs if p.text][-3:]
    assert closing == [f"填报单位：{DEPARTMENT}", f"日期：{expected_sig['日期']}",
                       "（填报人：局领导（示例）；审核人：王科长；联系电话：0315-5551234）"]
