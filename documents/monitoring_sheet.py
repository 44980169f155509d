"""One project's sheet of the 项目支出绩效目标执行监控表 (15 columns A–O, the official form; the layout
is described in ``documents.monitoring_workbook``). Written block by block: title and header, funds,
overall goal, the indicator table, notes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter as L
from openpyxl.worksheet.merge import MergedCellRange

from documents.monitoring_texts import (
    adjustment_notes,
    funds_at,
    goals_text,
    likelihood_ticks,
    month_span,
    projected_summary,
    reason_ticks,
    remark_text,
    value_text,
)
from documents.sheet_writer import SheetWriter, equal_runs, norm_level, row_height, text_lines
from documents.signature import Signature, write_signature
from documents.xlsx_style import CENTER, FONT_NAME, HEADER_FILL, LEFT_WRAP, MONEY_FORMAT, as_of_text, setup_print
from domain.status import LIKELIHOODS, MISSING, REASON_CATEGORIES, ProjectStatus

TITLE = "项目支出绩效目标执行监控表"
TICK = "√"
WIDTHS = [10, 12, 24, 14, 14, 14, 7, 7, 7, 8, 7, 7, 7, 8, 34]
RATE_FORMAT = "0.0%"
FIRST_INDICATOR_ROW = 13

_TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_SUB_FONT = Font(name=FONT_NAME, size=12)
_LABEL_FONT = Font(name=FONT_NAME, size=11, bold=True)
_NOTE_FONT = Font(name=FONT_NAME, size=9.5, color="404040")
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_LEFT_MID = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _span_width(first_col: int, last_col: int) -> float:
    return float(sum(WIDTHS[first_col - 1:last_col]))


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def write_project_sheet(ws, r: ProjectStatus, meta: Mapping[str, Any], as_of: date, department: str,
                        styles: dict | None = None, signature: Signature | None = None) -> None:
    s = SheetWriter(ws, styles if styles is not None else {})
    span = month_span(as_of)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[L(i)].width = w
    _header(s, r, meta, as_of, department)
    estimated = _funds(s, r, meta, span, as_of)
    _goal(s, r, meta)
    last = _indicators(s, r, span)
    row = _notes(s, r, meta, as_of, estimated, last + 2)
    write_signature(ws, row + 1, len(WIDTHS), (signature or Signature()).with_unit(department), s.cache)
    setup_print(ws, title_rows="11:12")
    ws.freeze_panes = f"A{FIRST_INDICATOR_ROW}"
    ws.sheet_view.zoomScale = 90


def _header(s: SheetWriter, r: ProjectStatus, meta: Mapping[str, Any], as_of: date, department: str) -> None:
    """Rows 1–4: title, （YYYY年1-X月）, 项目名称 / 主管部门 / 实施单位."""
    ws, p = s.ws, r.project
    s.put("A1:O1", TITLE, font=_TITLE_FONT, border=False)
    s.put("A2:O2", f"（{as_of.year}年{month_span(as_of)}）", font=_SUB_FONT, border=False)
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 20
    s.put("A3:B3", "项目名称", font=_LABEL_FONT)
    s.put("C3:O3", p.name, align=LEFT_WRAP)
    s.put("A4:B4", "主管部门", font=_LABEL_FONT)
    s.put("C4:H4", meta.get("department") or department, align=LEFT_WRAP)
    s.put("I4:J4", "实施单位", font=_LABEL_FONT)
    s.put("K4:O4", meta.get("unit") or p.unit, align=LEFT_WRAP)
    for row in (3, 4):
        ws.row_dimensions[row].height = 22


def _funds(s: SheetWriter, r: ProjectStatus, meta: Mapping[str, Any], span: str, as_of: date) -> bool:
    """Rows 5–8, the 项目资金（万元） block. True when the fund split of the execution is estimated."""
    p = r.project
    f = funds_at(meta, p, as_of)
    spent = _num(p.spent_wan)
    projected = _num(p.projected_spent_wan)
    estimated = bool(f.fiscal_adjusted and f.other_adjusted)
    s.put("A5:B8", "项目资金\n（万元）", font=_LABEL_FONT)
    heads = [("C5:D5", ""), ("E5:F5", "年初预算数"), ("G5:H5", "调整后预算数"), ("I5:J5", f"{span}执行数"),
             ("K5:L5", f"{span}执行率"), ("M5:O5", "全年预计执行数")]
    for ref, text in heads:
        s.put(ref, text, font=_LABEL_FONT, fill=HEADER_FILL)

    def budget_row(row: int, label: str, initial: float | None, amount: float | None, share: float | None) -> None:
        s.put(f"C{row}:D{row}", label, align=_LEFT_MID)
        ex = None if spent is None or share is None else round(spent * share, 2)
        pj = None if projected is None or share is None else round(projected * share, 2)
        rate = ex / amount if ex is not None and amount else None  # 执行数 ÷ 调整后预算数
        s.put(f"E{row}:F{row}", initial, fmt=MONEY_FORMAT)
        s.put(f"G{row}:H{row}", amount, fmt=MONEY_FORMAT)
        s.put(f"I{row}:J{row}", ex, fmt=MONEY_FORMAT)
        s.put(f"K{row}:L{row}", rate, fmt=RATE_FORMAT)
        s.put(f"M{row}:O{row}", pj, fmt=MONEY_FORMAT)

    budget_row(6, "年度资金总额", _num(f.initial), _num(f.adjusted), 1.0)
    total_src = (f.fiscal_adjusted or 0.0) + (f.other_adjusted or 0.0)
    if f.fiscal_adjusted is None and f.other_adjusted is None:
        budget_row(7, "其中：财政资金", None, None, None)
        budget_row(8, "其他资金", None, None, None)
    else:
        budget_row(7, "其中：财政资金", f.fiscal_initial, f.fiscal_adjusted,
                   (f.fiscal_adjusted or 0.0) / total_src if total_src else None)
        budget_row(8, "其他资金", f.other_initial, f.other_adjusted,
                   (f.other_adjusted or 0.0) / total_src if total_src else None)
    for row in range(5, 9):
        s.ws.row_dimensions[row].height = 20
    return estimated


def _goal(s: SheetWriter, r: ProjectStatus, meta: Mapping[str, Any]) -> None:
    """Rows 9–10: 年度总体目标, 预期目标 | 全年预计完成情况."""
    goals = goals_text(meta.get("goals") or [])
    proj_text = projected_summary(r)
    s.put("A9:B10", "年度\n总体目标", font=_LABEL_FONT)
    s.put("C9:H9", "预期目标", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("I9:O9", "全年预计完成情况", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("C10:H10", goals, align=_LEFT_TOP)
    s.put("I10:O10", proj_text, align=_LEFT_TOP)
    s.ws.row_dimensions[9].height = 20
    s.ws.row_dimensions[10].height = row_height(max(text_lines(goals, _span_width(3, 8)),
                                                    text_lines(proj_text, _span_width(9, 15))))


def _indicators(s: SheetWriter, r: ProjectStatus, span: str) -> int:
    """Rows 11–12 (the two-row header) and one row per indicator; returns the last row written."""
    ws = s.ws
    for ref, text in [("A11:A12", "一级指标"), ("B11:B12", "二级指标"), ("C11:C12", "三级指标"),
                      ("D11:D12", "年度指标值"), ("E11:E12", f"{span}执行情况"), ("F11:F12", "全年预计完成情况"),
                      ("G11:K11", "偏差原因分析"), ("L11:N11", "完成目标可能性"), ("O11:O12", "备注")]:
        s.put(ref, text, font=_LABEL_FONT, fill=HEADER_FILL)
    for i, text in enumerate(REASON_CATEGORIES):
        s.put(f"{L(7 + i)}12", text, font=_LABEL_FONT, fill=HEADER_FILL)
    for i, text in enumerate(LIKELIHOODS):
        s.put(f"{L(12 + i)}12", text, font=_LABEL_FONT, fill=HEADER_FILL)
    ws.row_dimensions[11].height = 22
    ws.row_dimensions[12].height = 44

    first = FIRST_INDICATOR_ROW
    inds = r.indicators
    for k, st in enumerate(inds):
        row = first + k
        ind = st.indicator
        current = value_text(st) or ("未填报" if st.status == MISSING else "")
        remark = remark_text(st)
        target = ind.target.raw.strip()
        if ind.target_change is not None:
            target += f"\n（年初{ind.target_change.original.raw.strip()}）"
        cells = [ind.level1.strip(), ind.level2.strip(), ind.level3.strip(), target, current,
                 value_text(st, projected=True)]
        for ci, v in enumerate(cells, start=1):
            s.put(f"{L(ci)}{row}", v, align=LEFT_WRAP if ci == 3 else CENTER)
        for i, on in enumerate(reason_ticks(ind.reasons)):
            s.put(f"{L(7 + i)}{row}", TICK if on else "")
        for i, on in enumerate(likelihood_ticks(ind.likelihood)):
            s.put(f"{L(12 + i)}{row}", TICK if on else "")
        s.put(f"O{row}", remark, align=LEFT_WRAP)
        lines = max(text_lines(cells[2], WIDTHS[2]), text_lines(cells[3], WIDTHS[3]), text_lines(current, WIDTHS[4]),
                    text_lines(cells[5], WIDTHS[5]), text_lines(remark, WIDTHS[14]))
        ws.row_dimensions[row].height = row_height(lines)
    # merge 一级 over runs, 二级 over runs inside the same 一级
    k1 = [norm_level(st.indicator.level1) for st in inds]
    k2 = [(norm_level(st.indicator.level1), norm_level(st.indicator.level2)) for st in inds]
    for col, keys in (("A", k1), ("B", k2)):
        for a, b in equal_runs(keys):
            if b > a:
                ws.merged_cells.add(MergedCellRange(ws, f"{col}{first + a}:{col}{first + b}"))
    if not inds:
        s.put(f"A{first}:O{first}", "（未设绩效指标）")
        return first
    return first + len(inds) - 1


def _notes(s: SheetWriter, r: ProjectStatus, meta: Mapping[str, Any], as_of: date, estimated: bool,
           row: int) -> int:
    """The notes under the table; returns the row after them."""
    notes = [f"注：1. 执行数、执行率和执行情况为{as_of_text(as_of)}的累计数；执行率=执行数÷调整后预算数。",
             "2. 偏差原因分析和完成目标可能性按填报内容打“√”；备注为填报的偏差说明和纠偏措施。"]
    if estimated:
        notes.append("3. 系统按项目记录累计执行数，财政资金、其他资金的执行数和全年预计执行数按调整后资金来源比例分摊。")
    notes.extend(f"{len(notes) + k}. {text}" for k, text in enumerate(adjustment_notes(r, meta, as_of), start=1))
    if meta.get("budget_explanation"):
        notes.append(f"预算执行情况说明：{meta['budget_explanation'].strip()}")
    for text in notes:
        s.put(f"A{row}:O{row}", text, font=_NOTE_FONT, align=_LEFT_TOP, border=False)
        s.ws.row_dimensions[row].height = row_height(text_lines(text, _span_width(1, 15)), 13, 16)
        row += 1
    return row
