"""Building blocks of the 监控报告 draft: the .docx writer with the report's fonts and page layout
(``Doc``), the department figures and the number formats. ``documents.report_docx`` writes the
sections with them."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from domain.hygiene import xml_safe
from domain.periods import time_progress
from domain.status import AMBER, BLUE, GREEN, GREY, MISSING, RED, STATUS_LABELS, STATUSES, ProjectStatus

HEADINGS = ("一、基本情况", "二、预算执行情况", "三、绩效目标完成情况", "四、偏差原因分析", "五、纠偏措施", "六、全年预计")
BODY_FONT, HEAD_FONT, TITLE_FONT = "仿宋", "黑体", "方正小标宋简体"
_CN_NUM = "一二三四五六七八九十"
STATUS_RGB = {RED: "C00000", AMBER: "9C5700", MISSING: "5B2C6F", GREEN: "006100", BLUE: "1F4E78", GREY: "595959"}


# --------------------------------------------------------------------------- docx helpers


def _font(run_or_style, name: str, size: float | None = None, bold: bool | None = None, colour: str | None = None):
    f = run_or_style.font
    f.name = name
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if colour is not None:
        f.color.rgb = RGBColor.from_string(colour)
    el = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _run(paragraph, text: str):
    """A run of ``text`` without the characters XML cannot hold (a stored 说明 with a control character
    must not break the report for everyone)."""
    return paragraph.add_run(xml_safe(text))


def cn_number(i: int) -> str:
    return _CN_NUM[i - 1] if 1 <= i <= 10 else str(i)


class Doc:
    def __init__(self):
        d = Document()
        sec = d.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.6)
        sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
        normal = d.styles["Normal"]
        _font(normal, BODY_FONT, 14)
        normal.paragraph_format.line_spacing = Pt(26)
        normal.paragraph_format.space_after = Pt(0)
        for name, size in (("Heading 1", 15), ("Heading 2", 14), ("Heading 3", 14)):
            st = d.styles[name]
            _font(st, HEAD_FONT if name == "Heading 1" else "楷体", size, bold=name != "Heading 1", colour="000000")
            st.paragraph_format.space_before = Pt(8)
            st.paragraph_format.space_after = Pt(4)
        self.d = d

    def title(self, text: str, sub: str) -> None:
        p = self.d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(_run(p, text), TITLE_FONT, 20, bold=True)
        p = self.d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(_run(p, sub), "楷体", 12, colour="595959")

    def heading(self, text: str, level: int = 1) -> None:
        h = self.d.add_heading(level=level)
        _font(_run(h, text), HEAD_FONT if level == 1 else "楷体", 15 if level == 1 else 14,
              bold=level != 1, colour="000000")

    def para(self, text: str = "", *, indent: bool = True, runs: Sequence[tuple[str, str | None]] = ()) -> None:
        p = self.d.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        if text:
            _font(_run(p, text), BODY_FONT, 14)
        for t, colour in runs:
            _font(_run(p, t), BODY_FONT, 14, bold=colour is not None, colour=colour)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None) -> None:
        t = self.d.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, h in enumerate(header):
            cell = t.rows[0].cells[i]
            cell.text = ""
            _font(_run(cell.paragraphs[0], str(h)), HEAD_FONT, 10.5)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for row in rows:
            cells = t.add_row().cells
            for i, v in enumerate(row):
                cells[i].text = ""
                par = cells[i].paragraphs[0]
                par.paragraph_format.first_line_indent = Pt(0)
                par.paragraph_format.line_spacing = Pt(16)
                _font(_run(par, "" if v is None else str(v)), BODY_FONT, 10.5)
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER if i else WD_ALIGN_PARAGRAPH.LEFT
        if widths:
            for row in t.rows:
                for i, w in enumerate(widths):
                    row.cells[i].width = Cm(w)
        self.d.add_paragraph()

    def picture(self, png: bytes, caption: str) -> None:
        self.d.add_picture(io.BytesIO(png), width=Cm(15.5))
        self.d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = self.d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(_run(p, caption), BODY_FONT, 10.5)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.d.save(buf)
        return buf.getvalue()


# --------------------------------------------------------------------------- numbers


def counts_text(counts: Mapping[str, int], unit: str) -> str:
    parts = [f"{STATUS_LABELS[s]}色{counts[s]}{unit}" if s not in (MISSING,) else f"未填报{counts[s]}{unit}"
             for s in STATUSES if counts.get(s)]
    return "、".join(parts) if parts else f"0{unit}"


def count_statuses_of(statuses) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        out[s] += 1
    return out


def department_figures(results: Sequence[ProjectStatus], as_of: date, year: int) -> dict[str, Any]:
    """The department's budget numbers at the as-of date (see module doc)."""
    total = sum(r.project.budget_wan or 0.0 for r in results)
    rep = [r for r in results if r.project.spent_wan is not None]
    rep_budget = sum(r.project.budget_wan or 0.0 for r in rep)
    spent = sum(r.project.spent_wan or 0.0 for r in rep)
    exp_w = [(r.project.budget_wan or 0.0, r.budget.expected_pct) for r in rep if r.budget.expected_pct is not None]
    plan_pct = sum(b * e for b, e in exp_w) / sum(b for b, _ in exp_w) if exp_w and sum(b for b, _ in exp_w) else None
    planned_all = sum((r.project.budget_wan or 0.0) * (r.budget.expected_pct or 0.0) / 100.0 for r in results)
    proj = [r for r in results if r.project.projected_spent_wan is not None]
    proj_budget = sum(r.project.budget_wan or 0.0 for r in proj)
    proj_spent = sum(r.project.projected_spent_wan or 0.0 for r in proj)
    return {
        "budget_total": total, "reported": len(rep), "reported_budget": rep_budget, "spent": spent,
        "execution_pct": spent / rep_budget * 100.0 if rep_budget else None,
        "plan_pct": plan_pct, "planned_total": planned_all, "time_pct": time_progress(as_of, year) * 100.0,
        "projected_n": len(proj), "projected_total": proj_spent,
        "projected_pct": proj_spent / proj_budget * 100.0 if proj_budget else None,
    }


def fmt(v: float | None, spec: str = ",.2f", suffix: str = "") -> str:
    return "—" if v is None else f"{v:{spec}}{suffix}"
