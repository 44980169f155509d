"""Building blocks of the 监控报告: the .docx writer with the layout of an official document (``Doc``),
the department figures and the number formats. ``documents.report_docx`` writes the sections with them.

Layout of a 公文 (GB/T 9704-2012, as far as a report draft needs it): A4 portrait, margins 3.7 cm top,
3.5 cm bottom, 2.8 cm left, 2.6 cm right; the title in 方正小标宋简体 二号 (22 pt) centred, in Word's
"Title" style; 一级标题 「一、」 in 黑体 三号 (16 pt, "Heading 1"); 二级标题 「（一）」 in 楷体 三号 ("Heading 2");
body in 仿宋 三号 (16 pt), fixed line spacing 28 pt, first line indented by two characters; the page number
「— 1 —」 centred in the footer; the signature block (``documents.signature``) closes the report.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from documents.signature import Signature
from domain.hygiene import xml_safe
from domain.periods import time_progress
from domain.status import AMBER, BLUE, GREEN, GREY, MISSING, RED, STATUS_LABELS, STATUSES, ProjectStatus

HEADINGS = ("一、基本情况", "二、预算执行情况", "三、绩效目标完成情况", "四、偏差原因分析", "五、纠偏措施", "六、全年预计")
BODY_FONT, HEAD_FONT, TITLE_FONT, SUBHEAD_FONT = "仿宋", "黑体", "方正小标宋简体", "楷体"
BODY_PT, TITLE_PT, LINE_PT = 16, 22, 28
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


def _no_border(style) -> None:
    """Drop the rule python-docx's template draws under its Title style."""
    ppr = style.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):
        ppr.remove(el)


def _page_number(section) -> None:
    """「— N —」 centred in the footer (a PAGE field between dashes)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(run, "宋体", 14)
    _font(p.add_run(" —"), "宋体", 14)


class Doc:
    def __init__(self):
        d = Document()
        sec = d.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)
        sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
        sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
        normal = d.styles["Normal"]
        _font(normal, BODY_FONT, BODY_PT)
        normal.paragraph_format.line_spacing = Pt(LINE_PT)
        normal.paragraph_format.space_after = Pt(0)
        title = d.styles["Title"]
        _font(title, TITLE_FONT, TITLE_PT, bold=False, colour="000000")
        _no_border(title)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(LINE_PT)
        for name, font in (("Heading 1", HEAD_FONT), ("Heading 2", SUBHEAD_FONT), ("Heading 3", BODY_FONT)):
            st = d.styles[name]
            _font(st, font, BODY_PT, bold=name == "Heading 3", colour="000000")
            st.font.italic = False
            st.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
            st.paragraph_format.line_spacing = Pt(LINE_PT)
            st.paragraph_format.space_before = Pt(0)
            st.paragraph_format.space_after = Pt(0)
        _page_number(sec)
        self.d = d

    def title(self, text: str) -> None:
        p = self.d.add_paragraph(style="Title")
        _font(_run(p, text), TITLE_FONT, TITLE_PT, bold=False, colour="000000")

    def heading(self, text: str, level: int = 1) -> None:
        h = self.d.add_heading(level=level)
        _font(_run(h, text), HEAD_FONT if level == 1 else SUBHEAD_FONT, BODY_PT, bold=False, colour="000000")

    def para(self, text: str = "", *, indent: bool = True, runs: Sequence[tuple[str, str | None]] = (),
             align_right: bool = False) -> None:
        p = self.d.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        if align_right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if text:
            _font(_run(p, text), BODY_FONT, BODY_PT)
        for t, colour in runs:
            _font(_run(p, t), BODY_FONT, BODY_PT, bold=colour is not None, colour=colour)

    def signature(self, sig: Signature) -> None:
        """The closing block: 填报单位 and 日期 right-aligned (the 落款 of a 公文), then the 附注 line with
        填报人 / 审核人 / 联系电话 in parentheses."""
        unit, preparer, reviewer, phone, day = sig.values()
        self.d.add_paragraph()
        self.para(f"填报单位：{unit}", indent=False, align_right=True)
        self.para(f"日期：{day}", indent=False, align_right=True)
        self.para(f"（填报人：{preparer}；审核人：{reviewer}；联系电话：{phone}）")

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
    """The department's budget numbers at the as-of date (see module doc): budgets are the ones in force
    (调整后), ``initial_total`` the 年初 total."""
    total = sum(r.project.budget_wan or 0.0 for r in results)
    initial = sum(r.project.original_budget_wan or 0.0 for r in results)
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
        "budget_total": total, "initial_total": initial, "reported": len(rep), "reported_budget": rep_budget, "spent": spent,
        "execution_pct": spent / rep_budget * 100.0 if rep_budget else None,
        "plan_pct": plan_pct, "planned_total": planned_all, "time_pct": time_progress(as_of, year) * 100.0,
        "projected_n": len(proj), "projected_total": proj_spent,
        "projected_pct": proj_spent / proj_budget * 100.0 if proj_budget else None,
    }


def fmt(v: float | None, spec: str = ",.2f", suffix: str = "") -> str:
    return "—" if v is None else f"{v:{spec}}{suffix}"
