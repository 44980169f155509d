"""Exports without a database: view frames as .xlsx/.csv, and the official workbooks' layout.

Every file is opened again with openpyxl (or read as CSV) and checked the way a user would check it:
the rows are those of the frame, numbers are numbers, colours match statuses, formula-looking text is
inert, Chinese survives, and the sheet prints.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from data_access.views import ViewFilters, projects_status_frame, risk_frame
from documents.monitoring_workbook import (
    likelihood_ticks,
    monitoring_workbook,
    reason_ticks,
)
from documents.selfeval_workbook import ESTIMATE_BANNER, selfeval_workbook
from documents.table_export import (
    STATUS_COLOURS,
    display_width,
    export_filename,
    export_subtitle,
    frame_to_csv,
    frame_to_xlsx,
    visible_columns,
)
from domain.periods import checkpoint_dates
from domain.selfeval import self_evaluate
from domain.settings import Settings
from domain.status import IndicatorInput, PlanPoint, ProjectInput, evaluate_all
from domain.targets import parse_target

Y = 2024
Q3 = date(Y, 9, 30)
LABELS = ["第一季度", "第二季度", "第三季度", "第四季度"]
FORMULAS = ["=SUM(A1)", "+1", "-2", "@x"]


def _ind(id_, raw, level1="产出指标", level2="数量指标", name=None, **kw):
    return IndicatorInput(id_, level1, level2, name or f"指标{id_}", parse_target(raw, Y), **kw)


def _plan(*values):
    return [PlanPoint(lb, d, v) for lb, d, v in zip(LABELS, checkpoint_dates(LABELS, Y), values)]


def sample_results():
    """Three projects with a known mix: red/amber/missing/blue/green items, Chinese and
    formula-looking text in what staff typed."""
    p1 = ProjectInput(
        1, "区本课程经费", unit="教育科", area="学校管理", budget_wan=100.0, plan=_plan(25, 50, 75, 100),
        spent_wan=30.0, projected_spent_wan=80.0,
        indicators=[
            _ind(11, ">2400人次", name="康复救助人次", actual=1000, projected=2000, likelihood="有可能",
                 reasons=("人员保障", "硬件条件保障"), explanation="=SUM(A1)", measures="+1"),
            _ind(12, "≥90%", level2="质量指标", name="-2", actual=85, likelihood="完全不可能",
                 reasons=("经费保障", "其他"), explanation="@x", measures="加快采购"),
            _ind(13, "≥3所", name="装备学校数量", actual=3, projected=3, likelihood="确定能"),
            _ind(14, "是", "效果指标", "社会效益指标", name="改善办学条件", actual_judgement="部分达成",
                 projected_judgement="达成", likelihood="有可能", reasons=("制度保障",), explanation="制度未出台"),
            _ind(15, "≥90%", "满意度指标", "服务对象满意度指标", name="满意度", actual=95, projected=95),
        ],
    )
    p2 = ProjectInput(2, "学校取暖费", unit="教育科", area="学校管理", budget_wan=117.0, plan=_plan(25, 50, 75, 100),
                      spent_wan=None, indicators=[_ind(21, "≥71人次", name="救助人次")])
    p3 = ProjectInput(3, "残联事务经费", unit="残联", area="残疾人事业", budget_wan=51.0, plan=_plan(25, 50, 75, 100),
                      spent_wan=40.0, projected_spent_wan=51.0,
                      indicators=[_ind(31, "≥71人次", name="康复人次", actual=90, projected=100, likelihood="确定能",
                                       explanation="需求增加")])
    return evaluate_all([p1, p2, p3], Q3, Settings(), Y)


def xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def body(ws, header_row=3):
    return [list(r) for r in ws.iter_rows(min_row=header_row + 1, values_only=True)]


def expected_rows(df):
    cols = visible_columns(df)
    out = []
    for rec in df[cols].itertuples(index=False):
        row = []
        for v in rec:
            if v is None or v == "" or (isinstance(v, float) and v != v):  # blank text -> blank cell
                row.append(None)
            else:  # text as it is: a string cell is never a formula in xlsx
                row.append(v)
        out.append(row)
    return out


# --------------------------------------------------------------------------- views


@pytest.mark.parametrize("filters", [ViewFilters(), ViewFilters(statuses=("red",)), ViewFilters(units=("教育科",)),
                                     ViewFilters(groups=("预算执行",))])
def test_risk_view_rows_match_the_filtered_frame(filters):
    df = risk_frame(sample_results(), filters)
    assert len(df) > 0
    ws = xlsx(frame_to_xlsx(df, title="风险清单", subtitle=export_subtitle(filters.describe(), Q3), sheet_name="风险清单"))
    assert ws.title == "风险清单"
    assert ws["A1"].value == "风险清单"
    assert "截至2024年9月30日" in ws["A2"].value and filters.describe() in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header == visible_columns(df) and not any(h.startswith("_") for h in header)
    assert body(ws) == expected_rows(df)


def test_status_cells_are_coloured_and_keep_the_word():
    df = risk_frame(sample_results())
    ws = xlsx(frame_to_xlsx(df, title="风险清单", sheet_name="风险清单"))
    col = visible_columns(df).index("状态") + 1
    seen = set()
    for i, status in enumerate(df["_status"], start=4):
        cell = ws.cell(i, col)
        fill, font = STATUS_COLOURS[status]
        assert cell.fill.fgColor.rgb.endswith(fill), (i, status)
        assert cell.font.color.rgb.endswith(font)
        assert cell.value == df["状态"].iloc[i - 4] and cell.value.endswith(("红", "黄", "未填报", "蓝"))
        seen.add(status)
    assert {"red", "amber", "missing", "blue"} <= seen
    other = ws.cell(4, col + 1)
    assert other.fill.fgColor.rgb in (None, "00000000")


def test_project_view_colours_project_and_budget_status():
    results = sample_results()
    df = projects_status_frame(results)
    ws = xlsx(frame_to_xlsx(df, title="项目", sheet_name="项目"))
    cols = visible_columns(df)
    for i, r in enumerate(results, start=4):
        assert ws.cell(i, cols.index("项目状态") + 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[r.status][0])
        assert ws.cell(i, cols.index("预算状态") + 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[r.budget.status][0])
    # numbers are numbers, with formats
    money = ws.cell(4, cols.index("预算（万元）") + 1)
    pct = ws.cell(4, cols.index("执行率%") + 1)
    count = ws.cell(4, cols.index("红") + 1)
    assert money.data_type == "n" and money.value == 100.0 and money.number_format == "#,##0.00"
    assert pct.data_type == "n" and pct.value == 30.0 and pct.number_format == "0.0"
    assert count.data_type == "n" and isinstance(count.value, int)
    # a project without spending: an empty cell, not 'nan' or 0
    assert ws.cell(5, cols.index("累计支出（万元）") + 1).value is None


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_formula_text_is_plain_text_in_xlsx_neutralised_in_csv_numbers_stay_numbers():
    """An xlsx string cell is never evaluated, so "=SUM(A1)" is written as it is (an apostrophe would be
    shown to the reader); a CSV cell has no type, so there it gets the apostrophe."""
    df = pd.DataFrame({
        "_status": ["red", "green", "amber", "grey", "blue"],
        "状态": ["🔴 红", "🟢 绿", "🟡 黄", "⚪ 灰", "🔵 蓝"],
        "说明": [*FORMULAS, "\t=cmd|' /C calc'!A0"],
        "预算（万元）": [-2.5, 1.0, 0.0, 3.25, 1234567.891],
    })
    data = frame_to_xlsx(df, title="t", sheet_name="s")
    ws = xlsx(data)
    texts = [ws.cell(i, 2).value for i in range(4, 9)]
    assert texts == [*FORMULAS, "\t=cmd|' /C calc'!A0"]
    assert all(ws.cell(i, 2).data_type == "s" for i in range(4, 9))
    assert "<f>" not in _sheet_xml(data) and "'=" not in _sheet_xml(data)
    nums = [ws.cell(i, 3) for i in range(4, 9)]
    assert [c.value for c in nums] == [-2.5, 1.0, 0.0, 3.25, 1234567.891]
    assert all(c.data_type == "n" for c in nums)

    raw = frame_to_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["状态", "说明", "预算（万元）"]
    assert [r[1] for r in rows[1:]] == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\t=cmd|' /C calc'!A0"]
    assert [float(r[2]) for r in rows[1:]] == [-2.5, 1.0, 0.0, 3.25, 1234567.891]
    assert [r[0] for r in rows[1:]] == list(df["状态"])


def test_staff_text_from_the_risk_list_is_text_in_xlsx_and_neutralised_in_csv():
    df = risk_frame(sample_results())
    data = frame_to_xlsx(df, title="风险清单")
    ws = xlsx(data)
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)]
    assert {"=SUM(A1)", "+1"} <= {c.value for c in cells}
    assert all(c.data_type == "s" for c in cells) and "<f>" not in _sheet_xml(data)
    assert not any(c.value.startswith("'") for c in cells)
    rows = list(csv.reader(io.StringIO(frame_to_csv(df).decode("utf-8-sig"))))
    cells = {v for r in rows for v in r}
    assert {"'=SUM(A1)", "'+1", "'-2", "'@x"} <= cells
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)


def test_csv_round_trip_keeps_chinese_and_rows():
    df = risk_frame(sample_results())
    back = pd.read_csv(io.BytesIO(frame_to_csv(df)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == visible_columns(df)
    assert len(back) == len(df)
    assert list(back["项目名称"]) == list(df["项目名称"])
    assert "康复救助人次" in set(back["事项"])
    assert list(back["预算（万元）"].astype(float)) == list(df["预算（万元）"])


def test_sheet_is_frozen_filtered_printable_and_fitted():
    df = risk_frame(sample_results())
    ws = xlsx(frame_to_xlsx(df, title="风险清单", subtitle="筛选：全部"))
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    ps = ws.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) == 9  # A4
    assert int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    n = len(visible_columns(df))
    last = ws.cell(3, n).column_letter
    assert ws.auto_filter.ref == f"A3:{last}{3 + len(df)}"
    assert {str(r) for r in ws.merged_cells.ranges} == {f"A1:{last}1", f"A2:{last}2"}
    # widths: CJK counts double, capped, long text wraps
    widths = {c: ws.column_dimensions[ws.cell(3, i + 1).column_letter].width for i, c in enumerate(visible_columns(df))}
    longest_name = max(display_width(s) for s in [*df["项目名称"], "项目名称"])
    assert widths["项目名称"] == longest_name + 2
    assert widths["原因"] == 60
    assert ws.cell(4, visible_columns(df).index("原因") + 1).alignment.wrap_text


def test_empty_view_still_has_title_and_header():
    df = risk_frame(sample_results(), ViewFilters(units=("没有这个单位",)))
    ws = xlsx(frame_to_xlsx(df, title="风险清单", subtitle="筛选：单位：没有这个单位"))
    assert [c.value for c in ws[3]] == visible_columns(df)
    assert ws.max_row == 3
    assert frame_to_csv(df).decode("utf-8-sig").splitlines() == [",".join(visible_columns(df))]


def test_width_counts_cjk_as_two():
    assert display_width("abc") == 3
    assert display_width("项目名称") == 8
    assert display_width("ＡＢ") == 4  # full-width


def test_export_filename():
    assert export_filename("风险清单", date(2024, 9, 30), datetime(2026, 11, 29, 15, 30)) == \
        "风险清单_2024年1-9月_20261129-1530.xlsx"
    assert export_filename("项目/列表", date(2024, 1, 31), datetime(2026, 1, 2, 3, 4), "csv") == \
        "项目_列表_2024年1月_20260102-0304.csv"


# --------------------------------------------------------------------------- official workbooks (pure)


def test_ticks_follow_reasons_and_likelihood():
    assert reason_ticks(("人员保障", "硬件条件保障")) == [False, False, True, True, False]
    assert reason_ticks(("自定义原因",)) == [False, False, False, False, True]
    assert likelihood_ticks("完全不可能") == [False, False, True]
    assert likelihood_ticks("可能") == [False, True, False]
    assert likelihood_ticks(None) == [False, False, False]


def test_monitoring_sheet_layout_and_ticks():
    results = sample_results()
    meta = {1: {"department": "高新区社会事务局", "unit": "教育科", "goals": ["提升课程质量", "改善环境"],
                "fiscal_wan": 80.0, "other_wan": 20.0}}
    wb = load_workbook(io.BytesIO(monitoring_workbook(results[:1], meta, Q3, "高新区社会事务局")))
    assert wb.sheetnames == ["1.区本课程经费"]  # a single project: no summary sheet
    ws = wb.active
    assert ws["A1"].value == "项目支出绩效目标执行监控表" and ws["A2"].value == "（2024年1-9月）"
    assert (ws["A3"].value, ws["C3"].value) == ("项目名称", "区本课程经费")
    assert (ws["A4"].value, ws["C4"].value, ws["I4"].value, ws["K4"].value) == ("主管部门", "高新区社会事务局", "实施单位", "教育科")
    assert [ws[c].value for c in ("E5", "G5", "I5", "K5", "M5")] == [
        "年初预算数", "调整后预算数", "1-9月执行数", "1-9月执行率", "全年预计执行数"]
    assert [ws[f"C{r}"].value for r in (6, 7, 8)] == ["年度资金总额", "其中：财政资金", "其他资金"]
    # totals, and the proportional split (80/20) of spending 30 and projection 80
    assert [ws[c].value for c in ("E6", "G6", "I6", "K6", "M6")] == [100, 100, 30, 0.3, 80]
    assert [ws[c].value for c in ("E7", "I7", "M7")] == [80, 24, 64]
    assert [ws[c].value for c in ("E8", "I8", "M8")] == [20, 6, 16]
    assert ws["K6"].number_format == "0.0%" and ws["I6"].data_type == "n"
    notes = " ".join(str(ws.cell(r, 1).value or "") for r in range(13, ws.max_row + 1))
    assert "资金来源比例分摊" in notes and "未调整预算，调整后预算数与年初预算数相同" in notes
    assert (ws["A9"].value, ws["C9"].value, ws["I9"].value) == ("年度\n总体目标", "预期目标", "全年预计完成情况")
    assert ws["C10"].value == "目标1：提升课程质量\n目标2：改善环境"
    assert "5项绩效指标中" in ws["I10"].value
    # two-row indicator header
    row11 = [ws.cell(11, c).value for c in range(1, 16)]
    row12 = [ws.cell(12, c).value for c in range(1, 16)]
    assert row11[:7] == ["一级指标", "二级指标", "三级指标", "年度指标值", "1-9月执行情况", "全年预计完成情况", "偏差原因分析"]
    assert row11[11] == "完成目标可能性" and row11[14] == "备注"
    assert row12[6:14] == ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能", "完全不可能"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A11:A12", "B11:B12", "C11:C12", "D11:D12", "E11:E12", "F11:F12", "G11:K11", "L11:N11", "O11:O12",
            "A1:O1", "A2:O2", "A5:B8", "A9:B10", "C3:O3"} <= merged
    # indicator rows in order; 一级 merged over 产出指标 x3 (rows 13-15); 二级 数量 is not a run (数量, 质量, 数量)
    assert [ws.cell(r, 3).value for r in range(13, 18)] == ["康复救助人次", "-2", "装备学校数量", "改善办学条件", "满意度"]
    assert "A13:A15" in merged and not any(m.startswith("B13:") for m in merged)
    ticks = {r: "".join("√" if ws.cell(r, c).value == "√" else "." for c in range(7, 15)) for r in range(13, 18)}
    assert ticks[13] == "..√√..√."  # 人员保障 + 硬件条件保障, 有可能
    assert ticks[14] == "√...√..√"  # 经费保障 + 其他, 完全不可能
    assert ticks[15] == ".....√.."  # 确定能
    assert ticks[16] == ".√....√."  # 制度保障, 有可能
    assert ticks[17] == "........"
    assert ws.cell(13, 15).value == "说明：=SUM(A1)\n纠偏措施：+1"  # not at the start: harmless
    assert ws.cell(13, 5).value == "1000人次" and ws.cell(13, 6).value == "2000人次"
    assert ws.print_title_rows == "$11:$12" and ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(13, 1).border.left.style == "thin" and ws.cell(17, 15).border.right.style == "thin"


def test_monitoring_summary_sheet_colours_statuses():
    results = sample_results()
    wb = load_workbook(io.BytesIO(monitoring_workbook(results, {}, Q3, "高新区社会事务局")))
    assert wb.sheetnames == ["汇总", "1.区本课程经费", "2.学校取暖费", "3.残联事务经费"]
    ws = wb["汇总"]
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "项目名称", "实施单位", "年初预算数（万元）", "调整后预算数（万元）"]
    for i, r in enumerate(results, start=4):
        assert ws.cell(i, header.index("项目状态") + 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[r.status][0])
        assert ws.cell(i, header.index("预算状态") + 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[r.budget.status][0])
        counts = r.indicator_counts()
        assert ws.cell(i, header.index("指标红") + 1).value == counts["red"]
    total = ws.cell(4 + len(results), 2)
    assert total.value == "合计"
    assert ws.cell(4 + len(results), header.index("调整后预算数（万元）") + 1).value == pytest.approx(268.0)
    # a project without a split: sub-rows show no execution split and no estimate note
    ws2 = wb["2.学校取暖费"]
    assert ws2["I6"].value is None and ws2["E7"].value is None


def test_selfeval_workbook_marks_estimates_during_the_year():
    results = sample_results()
    evals = [self_evaluate(r.project, Q3, Settings(), Y) for r in results]
    wb = load_workbook(io.BytesIO(selfeval_workbook(evals, {}, Q3, "高新区社会事务局", year=Y)))
    assert wb.sheetnames[0] == "汇总"
    ws = wb["1.区本课程经费"]
    assert ws["A1"].value == "项目支出绩效自评表" and ESTIMATE_BANNER in ws["A3"].value
    ev = evals[0]
    assert [ws[c].value for c in ("F7", "H7")] == [10, round(ev.budget_score, 2)]
    heads = [ws.cell(10, c).value for c in range(1, 11)]
    assert heads == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值（全年预计）", "分值", "得分", "计分依据",
                     "评分说明", "偏差原因分析及改进措施"]
    for k, item in enumerate(ev.items):
        row = 11 + k
        assert ws.cell(row, 6).value == pytest.approx(round(item.weight, 2))
        assert ws.cell(row, 7).value == pytest.approx(round(item.score, 2))
        assert ("估算" in ws.cell(row, 8).value) == item.estimated
    qual_row = 11 + [i.indicator.level3 for i in ev.items].index("改善办学条件")
    assert ws.cell(qual_row, 8).value == "全年预计"  # projected 达成 scores full marks: not an estimate
    total_row = 11 + len(ev.items)
    assert ws.cell(total_row, 1).value == "总分" and ws.cell(total_row, 7).value == pytest.approx(ev.total)
    assert ws.cell(total_row, 9).value == f"{ev.grade}（预估）"
    summary = wb["汇总"]
    header = [c.value for c in summary[3]]
    assert [summary.cell(4 + i, header.index("总分") + 1).value for i in range(3)] == [e.total for e in evals]

    year_end = [self_evaluate(r.project, date(Y, 12, 31), Settings(), Y) for r in results]
    ws = load_workbook(io.BytesIO(selfeval_workbook(year_end[:1], {}, date(Y, 12, 31), "局", year=Y))).active
    assert ESTIMATE_BANNER not in ws["A3"].value and ws.cell(10, 5).value == "实际完成值"
