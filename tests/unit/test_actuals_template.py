"""The Excel template and the CSV form of actual values (documents/actuals_template.py), without a database.
The round trip through the database and the command line are in tests/db/test_actuals.py."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from documents.actuals_template import (
    CSV_IND_HEADERS,
    CSV_SP_HEADERS,
    IND_SHEET,
    SP_SHEET,
    DocumentError,
    build_csv,
    build_template,
    read_actuals_csv,
    read_actuals_file,
    read_template,
)
from domain.entry import ANY_VERSION

ROWS = [
    {"_indicator_id": 11, "_version": None, "_mode": "level", "项目": "区本课程经费", "一级指标": "满意度指标",
     "二级指标": "服务对象满意度指标", "三级指标": "教师学生满意度", "目标": "≥90%", "单位": "%", "类型": "数值",
     "上期值": "91.0%", "当前完成值": float("nan"), "完成情况": None, "完成日期": None, "全年预计": float("nan"),
     "全年预计（定性）": None, "完成可能性": None, "偏差原因": [], "说明": "", "纠偏措施": "", "备注": "",
     "状态": "⭕ 未填报", "状态原因": "未填报"},
    {"_indicator_id": 12, "_version": 3, "_mode": "qualitative", "项目": "区本课程经费", "一级指标": "产出指标",
     "二级指标": "质量指标", "三级指标": "设备质量", "目标": "符合", "单位": "", "类型": "定性", "上期值": "达成",
     "当前完成值": float("nan"), "完成情况": "部分达成", "完成日期": None, "全年预计": float("nan"),
     "全年预计（定性）": "达成", "完成可能性": "确定能", "偏差原因": ["经费保障", "其他"], "说明": "部分设备未到货",
     "纠偏措施": "", "备注": "", "状态": "🟡 黄", "状态原因": "填报「部分达成」"},
    {"_indicator_id": 13, "_version": 1, "_mode": "deadline", "项目": "残疾人辅具", "一级指标": "产出指标",
     "二级指标": "时效指标", "三级指标": "辅具配送完成时间", "目标": "2024年12月31日", "单位": "", "类型": "时限",
     "上期值": "", "当前完成值": float("nan"), "完成情况": "达成", "完成日期": date(2024, 9, 1),
     "全年预计": float("nan"), "全年预计（定性）": None, "完成可能性": None, "偏差原因": [], "说明": "", "纠偏措施": "",
     "备注": "", "状态": "🟢 绿", "状态原因": "按时完成"},
]
SPENDING = [
    {"_project_id": 1, "_version": 2, "项目": "区本课程经费", "责任单位": "教育科", "预算（万元）": 100.0, "计划进度%": 75.0,
     "上期累计支出（万元）": 40.0, "累计支出（万元）": 70.0, "全年预计执行数（万元）": 100.0, "说明": "", "状态": "🟢 绿",
     "状态原因": "…"},
    {"_project_id": 2, "_version": None, "项目": "高新中学装备经费", "责任单位": "高新中学", "预算（万元）": 368.55,
     "计划进度%": 0.0, "上期累计支出（万元）": None, "累计支出（万元）": None, "全年预计执行数（万元）": None, "说明": "",
     "状态": "⚪ 灰", "状态原因": "…"},
]


@pytest.fixture(scope="module")
def template() -> bytes:
    return build_template(ROWS, "2024年第三季度", spending=SPENDING, period_code="2024Q3", unit_label="教育科")


def _header(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[3] if c.value}


def test_template_is_prefilled_protected_and_has_dropdowns(template):
    wb = openpyxl.load_workbook(io.BytesIO(template))
    assert wb.sheetnames[:2] == [IND_SHEET, SP_SHEET]
    ws = wb[IND_SHEET]
    assert ws["A1"].value == "2024年第三季度指标填报（教育科）"
    h = _header(ws)
    assert ws.protection.sheet
    # hidden id columns
    for name in ("_indicator_id", "_version", "_mode"):
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(h[name])].hidden
    # locked reference columns, editable value columns; cells of another kind locked
    r_rate, r_qual = 4, 5
    assert ws.cell(r_rate, h["三级指标"]).protection.locked
    assert ws.cell(r_rate, h["上期值"]).value == "91.0%"
    assert not ws.cell(r_rate, h["当前完成值"]).protection.locked
    assert ws.cell(r_rate, h["完成情况"]).protection.locked  # not for a numeric indicator
    assert ws.cell(r_qual, h["当前完成值"]).protection.locked
    assert not ws.cell(r_qual, h["完成情况"]).protection.locked
    assert ws.cell(r_qual, h["完成情况"]).value == "部分达成"
    assert ws.cell(r_qual, h["偏差原因"]).value == "经费保障;其他"
    assert ws.cell(6, h["完成日期"]).value.date() == date(2024, 9, 1)
    assert not ws.cell(r_qual, h["说明"]).protection.locked
    # drop-down lists for 完成情况 / 完成可能性 / 偏差原因
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert any("$A$2:$A$5" in f for f in formulas) and any("$B$2:$B$4" in f for f in formulas)
    assert any("$C$2:$C$6" in f for f in formulas)
    lists = wb["_lists"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(i, 1).value for i in range(2, 6)] == ["达成", "部分达成", "未达成", "进行中"]
    sp = wb[SP_SHEET]
    hs = _header(sp)
    assert sp.protection.sheet and not sp.cell(4, hs["累计支出（万元）"]).protection.locked
    assert sp.cell(4, hs["项目"]).protection.locked and sp.cell(4, hs["累计支出（万元）"]).value == 70.0


def test_template_round_trip_reads_what_was_typed(template):
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb[IND_SHEET]
    h = _header(ws)
    ws.cell(4, h["当前完成值"]).value = 0.85
    ws.cell(4, h["当前完成值"]).number_format = "0%"  # typed as a percentage in Excel
    ws.cell(4, h["偏差原因"]).value = "人员保障；经费保障"
    ws.cell(4, h["说明"]).value = "  回访未完成 "
    ws.cell(5, h["完成情况"]).value = "达成"
    sp = wb[SP_SHEET]
    hs = _header(sp)
    sp.cell(5, hs["累计支出（万元）"]).value = 12.5
    buf = io.BytesIO()
    wb.save(buf)
    f = read_template(buf.getvalue())
    assert (f.source, f.period_code, f.period_label) == ("xlsx", "2024Q3", "2024年第三季度")
    assert not f.problems
    rate, qual, dl = f.indicator_rows
    assert (rate.indicator_id, rate.version, rate.line, rate.sheet) == (11, None, 4, IND_SHEET)
    assert rate.values == {"actual_value": pytest.approx(85.0), "reasons": "人员保障；经费保障", "explanation": "回访未完成"}
    assert qual.version == 3 and qual.values["actual_judgement"] == "达成" and qual.values["reasons"] == "经费保障;其他"
    assert dl.values["actual_date"].date() == date(2024, 9, 1)
    s1, s2 = f.spending_rows
    assert (s1.project_id, s1.version, s1.values["spent_wan"]) == (1, 2, 70.0)
    assert (s2.project_id, s2.version, s2.values) == (2, None, {"spent_wan": 12.5})
    assert s2.where == "预算执行第5行"


def test_template_rows_without_ids_are_reported(template):
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb[IND_SHEET]
    h = _header(ws)
    ws.cell(10, h["当前完成值"]).value = 5  # a row typed below the data, without the hidden id
    ws.cell(5, h["_indicator_id"]).value = "abc"
    buf = io.BytesIO()
    wb.save(buf)
    f = read_template(buf.getvalue())
    assert [(p.line, p.where) for p in f.problems] == [(5, "指标填报第5行"), (10, "指标填报第10行")]
    assert "编号" in f.problems[0].message and "插入新行" in f.problems[1].message


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "文件为空"),
        (b"PK\x03\x04garbage", "无法打开"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "不支持该文件格式"),
    ],
)
def test_bad_files_get_a_chinese_error(data, words):
    with pytest.raises(DocumentError, match=words):
        read_actuals_file(data, "x.xlsx" if data.startswith(b"PK") else "x.xls")


def test_a_foreign_workbook_is_refused():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(DocumentError, match="不是本系统的填报模板"):
        read_template(buf.getvalue())


# --------------------------------------------------------------------------- CSV


def test_csv_indicator_rows():
    text = ("project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks\n"
            "区本课程经费,教师学生满意度,2024Q3,85%,92,有可能,经费保障;人员保障,回访未完成,\"加强回访,每周调度\",\n"
            "区本课程经费,辅具配送完成时间,2024-09,2024-09-01,,,,,,\n"
            "\n"
            ",设备质量,2024Q3,达成,,,,,,\n"
            "区本课程经费,设备质量,2024Q5,达成,,,,,,\n")
    f = read_actuals_csv(text.encode("utf-8-sig"))
    assert f.kind == "indicator" and f.source == "csv" and f.period_code is None  # two periods
    a, b = f.rows
    assert (a.line, a.project, a.indicator, a.period_code, a.version, a.generic) == (
        2, "区本课程经费", "教师学生满意度", "2024Q3", ANY_VERSION, True)
    assert a.values == {"actual": "85%", "projected": "92", "likelihood": "有可能", "reasons": "经费保障;人员保障",
                        "explanation": "回访未完成", "measures": "加强回访,每周调度"}
    assert b.period_code == "2024-09" and b.values == {"actual": "2024-09-01"}
    assert [(p.line, p.field) for p in f.problems] == [(5, "project"), (6, "period")]
    assert "无法识别的填报期" in f.problems[1].message


def test_csv_spending_rows_and_gbk():
    text = "project,period,spent_wan,projected_wan,explanation\n区本课程经费,2024Q3,\"1,234.5\",1500,超支说明\n"
    f = read_actuals_csv(text.encode("gb18030"))
    assert f.kind == "spending" and f.period_code == "2024Q3"
    assert f.rows[0].values == {"spent_wan": "1,234.5", "projected_wan": "1500", "explanation": "超支说明"}


@pytest.mark.parametrize(
    "text,words",
    [
        ("a,b,c\n1,2,3\n", "无法识别CSV的表头"),
        ("project,indicator,period,acutal\n", "无法识别的列：acutal"),
        ("project,indicator,period\n", "没有任何填报值列"),
        ("project,spent_wan\n", "缺少必需的列：period"),
        ("project,indicator,period,actual,actual\n", "重复的列"),
        ("   \n", "文件为空"),
    ],
)
def test_bad_csv_headers(text, words):
    with pytest.raises(DocumentError, match=words):
        read_actuals_csv(text.encode("utf-8"))


def test_csv_written_from_editor_records_reads_back():
    data = build_csv(ROWS, "2024Q3")
    assert data.startswith("\ufeff".encode("utf-8"))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(CSV_IND_HEADERS)
    assert lines[2] == "区本课程经费,设备质量,2024Q3,部分达成,达成,确定能,经费保障;其他,部分设备未到货,,"
    assert lines[3].split(",")[3] == "2024-09-01"
    f = read_actuals_csv(data)
    assert [r.indicator for r in f.rows] == ["教师学生满意度", "设备质量", "辅具配送完成时间"]
    sp = read_actuals_csv(build_csv(SPENDING, "2024Q3", kind="spending"))
    assert sp.kind == "spending" and sp.rows[0].values["spent_wan"] == "70"
    assert build_csv(SPENDING, "2024Q3", kind="spending").decode("utf-8-sig").splitlines()[0] == ",".join(CSV_SP_HEADERS)
