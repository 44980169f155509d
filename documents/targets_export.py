"""Write a ``TargetDocument`` back in the bureau's layout, as .docx and as .xlsx.

The department part comes first as paragraphs (column A rows in Excel), then every project as its title
paragraph followed by its table: 项目编码/项目名称, 项目资金主要用途, 资金支出计划 + the row of cumulative
percentages, 绩效目标, the indicator header and the indicator rows. A 一级/二级指标 equal to the one above is
a vertical merge in Word and an empty cell in Excel, as the readers expect. Reading either file back gives
the same ``TargetDocument`` (used as a round-trip check and as the downloadable 目标表模板); a project
without a title is written with the title "<项目名称>项目绩效目标表".
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import openpyxl
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.table import _Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.document import INDICATOR_HEADER, ProjectSpec, TargetDocument
from domain.hygiene import xml_safe

PLAN_HEADER = "资金支出计划（累计进度%）"
_CN_DIGITS = "零一二三四五六七八九"
# characters XML 1.0 cannot hold (Word and Excel files are XML)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str | None) -> str:
    return _ILLEGAL_XML.sub("", text or "")


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 20 -> 二十, 99 -> 九十九 (numbering of sections and areas)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    s = ("" if tens == 0 else ("" if tens == 1 else _CN_DIGITS[tens]) + "十")
    return s + (_CN_DIGITS[ones] if ones else "")


def _pct(value: float) -> str:
    s = format(Decimal(format(value, ".15g")).normalize(), "f")
    return (s.rstrip("0").rstrip(".") if "." in s else s) + "%"


def department_lines(doc: TargetDocument) -> list[str]:
    """The 部门整体绩效目标 part as the lines of the source document."""
    lines: list[str] = []
    if doc.department:
        lines.append(f"{doc.department}编制")
    if doc.title:
        lines.append(doc.title)
    sections: list[tuple[str, list[str]]] = []
    if doc.overall_goal:
        sections.append(("总体绩效目标", [ln for ln in doc.overall_goal.split("\n") if ln.strip()]))
    if doc.areas:
        body: list[str] = []
        for n, a in enumerate(doc.areas, start=1):
            body += [f"（{cn_number(n)}）{a.name}", f"绩效目标：{a.goal}", f"绩效指标：{a.indicator_text}"]
        sections.append(("分项绩效目标", body))
    if doc.measures:
        sections.append(("工作保障措施", list(doc.measures)))
    for n, (name, body) in enumerate(sections, start=1):
        lines.append(f"{cn_number(n)}、{name}")
        lines += body
    return [_clean(ln) for ln in lines]


def _title(p: ProjectSpec) -> str:
    """Every table gets its title line: without one, the reader would take the line before the table
    (the last department line, for the first table) as the title."""
    return _clean(p.title or f"{p.name}项目绩效目标表")


def _goals_text(p: ProjectSpec) -> str:
    return "\n".join(f"目标{n}：{g}" for n, g in enumerate(p.goals, start=1))


def _indicator_rows(p: ProjectSpec) -> list[list[str]]:
    """Six cells per indicator; 一级/二级 left empty when the same as the row above (a merge)."""
    rows: list[list[str]] = []
    prev1 = prev2 = None
    for i in p.indicators:
        same1 = i.level1 == prev1
        same2 = same1 and i.level2 == prev2
        rows.append(
            [
                "" if same1 else i.level1,
                "" if same2 else i.level2,
                i.level3,
                i.description,
                i.target_text,
                i.basis,
            ]
        )
        prev1, prev2 = i.level1, i.level2
    return [[_clean(c) for c in r] for r in rows]


def _width(p: ProjectSpec) -> int:
    return max(len(INDICATOR_HEADER), len(p.plan) + 1)


# --------------------------------------------------------------------------- Word


def document_to_docx(doc: TargetDocument) -> bytes:
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    for line in department_lines(doc):
        d.add_paragraph(xml_safe(line))
    for p in doc.projects:
        para = d.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(xml_safe(_title(p))).bold = True
        _docx_table(d, p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _docx_table(d, p: ProjectSpec) -> None:
    cols = _width(p)
    # each row: list of (grid column, span, text); vertical merges: (column, first row, last row, span)
    rows: list[list[tuple[int, int, str]]] = []
    vmerges: list[tuple[int, int, int, int]] = []
    rows.append([(0, 1, "项目编码"), (1, 1, p.code), (2, 1, "项目名称"), (3, cols - 3, p.name)])
    rows.append([(0, 1, "项目资金主要用途"), (1, cols - 1, p.purpose)])
    if p.plan:
        head = cols - len(p.plan)
        rows.append([(0, head, PLAN_HEADER)] + [(head + k, 1, c.label) for k, c in enumerate(p.plan)])
        rows.append([(0, head, "")] + [(head + k, 1, _pct(c.cumulative_pct)) for k, c in enumerate(p.plan)])
        vmerges.append((0, len(rows) - 2, len(rows) - 1, head))
    rows.append([(0, 1, "绩效目标"), (1, cols - 1, _goals_text(p))])
    last = cols - (len(INDICATOR_HEADER) - 1)
    rows.append([(k, 1, h) for k, h in enumerate(INDICATOR_HEADER[:-1])] + [(5, last, INDICATOR_HEADER[-1])])
    first_ind = len(rows)
    ind_rows = _indicator_rows(p)
    for cells in ind_rows:
        rows.append([(k, 1, c) for k, c in enumerate(cells[:-1])] + [(5, last, cells[-1])])
    # runs of equal 一级 (column 0) and, inside them, equal 二级 (column 1) become vertical merges
    for col in (0, 1):
        start = None
        for k, cells in enumerate(ind_rows + [["x", "x"]]):
            if cells[col] or (col == 1 and cells[0]):
                if start is not None and k - 1 > start:
                    vmerges.append((col, first_ind + start, first_ind + k - 1, 1))
                start = k  # the sentinel row closes the last run

    merge: dict[tuple[int, int], str] = {}  # (row, grid column) -> w:vMerge value
    for col, r1, r2, _span in vmerges:
        merge[(r1, col)] = "restart"
        merge.update({(r, col): "continue" for r in range(r1 + 1, r2 + 1)})
    _write_table(d, rows, merge, cols)


def _write_table(d, rows: list[list[tuple[int, int, str]]], merge: dict[tuple[int, int], str], cols: int) -> None:
    """Build the table element by element (python-docx's cell()/merge() are quadratic per table)."""
    widths = [0.9, 0.9, 1.1, 1.3, 0.8, 1.0] + [0.8] * (cols - 6)
    table = d.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    for col, gc in zip(range(cols), table._tbl.tblGrid.gridCol_lst):
        gc.w = Inches(widths[col])
    for r, cells in enumerate(rows):
        tr = table._tbl.add_tr()
        for col, span, text in cells:
            tc = tr.add_tc()
            tc.width = Inches(sum(widths[col : col + span]))
            if span > 1:
                tc.grid_span = span
            vmerge = merge.get((r, col))
            if vmerge:
                tc.vMerge = vmerge
            if vmerge == "continue" or not text:
                continue
            cell = _Cell(tc, table)
            lines = xml_safe(_clean(text)).split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)


# --------------------------------------------------------------------------- Excel


def document_to_xlsx(doc: TargetDocument) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    wrap = Alignment(wrap_text=True, vertical="center")
    bold = Font(bold=True)
    row = 0

    def put(r: int, c: int, value, **style):
        cell = ws.cell(row=r, column=c, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # 指标值 like "=1所" is text, not a formula
        cell.alignment = wrap
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    for line in department_lines(doc):
        row += 1
        ws.cell(row=row, column=1, value=line).data_type = "s"  # one line, overflowing to the right
    max_cols = len(INDICATOR_HEADER)
    for p in doc.projects:
        cols = _width(p)
        max_cols = max(max_cols, cols)
        row += 2  # an empty row between parts reads like a blank line
        put(row, 1, _title(p), font=bold)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=cols)
        row += 1
        for c, v in enumerate(["项目编码", _clean(p.code), "项目名称", _clean(p.name)], start=1):
            put(row, c, v)
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=cols)
        row += 1
        put(row, 1, "项目资金主要用途")
        put(row, 2, _clean(p.purpose))
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=cols)
        if p.plan:
            row += 1
            put(row, 1, PLAN_HEADER)
            for k, point in enumerate(p.plan, start=2):
                put(row, k, _clean(point.label))
                pct = put(row + 1, k, float(Decimal(format(point.cumulative_pct, ".15g")) / 100))
                pct.number_format = "0%" if float(point.cumulative_pct).is_integer() else "0.0#%"
            row += 1
        row += 1
        put(row, 1, "绩效目标")
        put(row, 2, _clean(_goals_text(p)))
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=cols)
        row += 1
        for c, h in enumerate(INDICATOR_HEADER, start=1):
            put(row, c, h, font=bold)
        for cells in _indicator_rows(p):
            row += 1
            for c, v in enumerate(cells, start=1):
                if v:
                    put(row, c, v)
    for c, w in zip(range(1, max_cols + 1), [16, 16, 22, 30, 14, 18] + [12] * max_cols):
        ws.column_dimensions[get_column_letter(c)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
