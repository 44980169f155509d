"""Turn a stream of paragraphs and table rows into a ``TargetDocument``.

Every reader (txt, docx, xlsx) only has to produce the stream; the layout rules live in
``documents.target_table`` (one table) and here (where tables start, titles, the department part, the
year):

* a table starts at a row naming the project (项目名称, 项目支出名称, 项目编码 …) in one of its first cells;
  rows before any such row that hold one cell only are paragraphs (a title inside a Word table, the
  department text of a sheet);
* the title of a table is the paragraph(s) just before it (a title may be split over two lines);
* a paragraph does not end a table: rows after it continue the table until the next one starts;
* the year the document names is read from its titles and headings (``domain.table_words.title_year``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from documents.table_indicators import is_indicator_header
from documents.target_table import TableRows, parse_table
from domain.document import ERROR, AreaSpec, ImportEdits, ImportProblem, TargetDocument, clean_cell
from domain.hygiene import strip_invisible
from domain.table_words import document_year, is_end_row, is_name_label, norm, period_years, title_year
from domain.targets import extract_prose_targets
from domain.vocabulary import DEFAULT_VOCABULARY, Vocabulary


@dataclass
class Paragraph:
    text: str


@dataclass
class Row:
    cells: list[str]
    line: int = 0  # 1-based line (or row) number in the source, for messages
    source: str = ""  # where the line number counts from when not the whole file: "工作表“Sheet1”", "第3个表格"

    def place(self, label: str = "") -> str:
        """'「title」第12行', '「title」（工作表“项目”）第12行', or without a label '工作表“项目”第12行'."""
        where = f"第{self.line}行" if self.line else ""
        if self.source:
            where = f"（{self.source}）{where}" if label else f"{self.source}{where}"
        return f"{label}{where}"


Item = Paragraph | Row

_AREA_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$")
_SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
_TITLE_WORDS = ("绩效目标表", "目标表", "申报表", "批复表", "审批表", "公开表", "单位：", "单位:", "金额单位", "填报单位")


@dataclass
class _Split:
    preamble: list[str] = field(default_factory=list)
    tables: list[TableRows] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # named by titles and headings
    period_years: list[int] = field(default_factory=list)  # named by 项目期 / 起止时间 cells: used without a title year

    def document_year(self) -> tuple[int | None, list[int]]:
        return document_year(self.years) if self.years else document_year(self.period_years)
    orphans: list[Row] = field(default_factory=list)


def _is_table_start(cells: list[str]) -> bool:
    head = [c for c in cells if c][:2]
    return any(is_name_label(c) for c in head)


def _lone_cell(cells: list[str]) -> str | None:
    filled = [c for c in cells if c]
    return filled[0] if len(filled) == 1 and cells and cells[0] == filled[0] else None


def _looks_like_title(text: str) -> bool:
    n = norm(text)
    return title_year(text) is not None or (len(n) <= 60 and (any(w in n for w in _TITLE_WORDS) or is_end_row(n)))


def split_stream(items: Iterable[Item]) -> _Split:
    """Paragraphs and rows -> the department text and the tables with their rows and titles."""
    out = _Split()
    pending: list[str] = []
    current: TableRows | None = None
    in_indicators = False
    for item in items:
        if isinstance(item, Row):
            cells = [clean_cell(c) for c in item.cells]
            lone = _lone_cell(cells)
            if lone is not None and (current is None or _looks_like_title(lone)) and not _is_table_start(cells):
                item = Paragraph(lone)
                in_indicators = False
        if isinstance(item, Paragraph):
            text = strip_invisible(item.text).strip()
            if text:
                pending.append(text)
                if not out.tables:
                    out.preamble.append(text)
                year = title_year(text)
                if year:
                    out.years.append(year)
            continue
        cells = item.cells = [clean_cell(c) for c in item.cells]  # cleaned once: the table readers read these
        if _is_table_start(cells) and (current is None or current.rows):
            if not pending and current is not None and _lone_cell(current.rows[-1].cells):
                pending = [_lone_cell(current.rows.pop().cells) or ""]  # a title row
            current = TableRows(title=_title_from(pending), index=len(out.tables) + 1)
            out.tables.append(current)
            in_indicators = False
            if len(out.tables) == 1:
                out.preamble = _strip_title_lines(out.preamble, current.title)
        pending = []
        if current is None:
            out.orphans.append(item)
            continue
        in_indicators = in_indicators or is_indicator_header(cells)
        if not in_indicators:
            out.period_years.extend(period_years(cells))
        current.rows.append(item)
    return out


def assemble(items: Iterable[Item], fiscal_year: int, source: str = "", *, vocabulary: Vocabulary = DEFAULT_VOCABULARY,
             edits: ImportEdits | None = None, split: _Split | None = None) -> TargetDocument:
    """The document read from the stream (``split``: the stream already split, see ``split_stream``)."""
    split = split or split_stream(items)
    edits = edits or ImportEdits()
    doc = TargetDocument(fiscal_year=fiscal_year)
    doc.year_found = split.document_year()[0]
    for row in split.orphans:
        doc.problems.append(ImportProblem(row.place(), "表格行不在任何项目绩效目标表内（缺少“项目名称”行）", "表头"))
    _parse_department(split.preamble, doc)
    for t in split.tables:
        project, issues = parse_table(t, fiscal_year, vocabulary, edits)
        doc.tables.append(project)
        if not project.refusal:
            doc.projects.append(project)
        doc.problems.extend(p for p in issues if p.severity == ERROR)
        doc.warnings.extend(p for p in issues if p.severity != ERROR)
    if not doc.department:
        doc.department = next((p.department for p in doc.tables if p.department), "")
    if not doc.tables and not doc.problems:
        doc.problems.append(ImportProblem(source, "文件中没有找到任何项目绩效目标表（应含“项目名称”一行和"
                                                  "“一级指标 | 二级指标 | 三级指标 | 指标值”表头）", "表头"))
    _check_duplicates(doc)
    return doc


def _title_from(lines: list[str]) -> str:
    """The last title-looking group of lines: a title may be split over two lines."""
    lines = [x for x in lines if not re.fullmatch(r"[（(]?\d{4}年度?[）)]?", norm(x))
             and not any(w in norm(x) for w in ("单位：", "单位:", "填报单位", "金额单位"))]
    if not lines:
        return ""
    tail = lines[-2:] if len(lines) >= 2 else lines
    if len(tail) == 2 and not tail[0].endswith("绩效目标表") and tail[1].startswith("绩效目标表"):
        return tail[0] + tail[1]
    return lines[-1]


def _strip_title_lines(preamble: list[str], title: str) -> list[str]:
    """The first table's title lines (and a year or unit line beside them) are not department text."""
    out = list(preamble)
    while out and (out[-1] in title or out[-1].endswith("绩效目标表") or _looks_like_title(out[-1])):
        out.pop()
    return out


# --------------------------------------------------------------------------- department part


def _parse_department(lines: list[str], doc: TargetDocument) -> None:
    section = ""
    area: AreaSpec | None = None
    field_name = ""
    goal_lines: list[str] = []
    for raw in lines:
        line = raw.replace("[bookmark: _GoBack]", "").strip()
        if not line:
            continue
        if not doc.department and line.endswith("编制"):
            doc.department = line[: -len("编制")].strip()
            continue
        if not doc.title and re.match(r"^\d{4}年.*绩效目标$", line):
            doc.title = line
            continue
        m = _SECTION_RE.match(line)
        if m:
            section = m.group(2)
            area = None
            continue
        m = _AREA_RE.match(line)
        if m and "保障措施" in section:
            doc.measures.append(line)
            continue
        if m and "分项" in section:
            area = AreaSpec(seq=len(doc.areas) + 1, name=m.group(2).strip())
            doc.areas.append(area)
            field_name = ""
            continue
        if "保障措施" in section:
            if doc.measures:
                doc.measures[-1] += line
            continue
        if area is not None:
            if line.startswith(("绩效目标：", "绩效目标:")):
                field_name = "goal"
                area.goal = re.sub(r"^绩效目标[：:]", "", line).strip()
            elif line.startswith(("绩效指标：", "绩效指标:")):
                field_name = "ind"
                area.indicator_text = re.sub(r"^绩效指标[：:]", "", line).strip()
            elif field_name == "goal":
                area.goal += line
            elif field_name == "ind":
                area.indicator_text += line
            continue
        if "总体" in section:
            goal_lines.append(line)
    doc.overall_goal = "\n".join(goal_lines)
    for a in doc.areas:
        a.targets = extract_prose_targets(a.indicator_text, doc.fiscal_year)


def _check_duplicates(doc: TargetDocument) -> None:
    seen: set[str] = set()
    for p in doc.projects:
        if p.name in seen:
            doc.problems.append(ImportProblem(f"「{p.title or p.name}」", f"项目名称“{p.name}”重复"))
        seen.add(p.name)
