"""Cell styles, texts and print setup shared by every workbook in ``documents/``: the on-screen table
export (``table_export``) and the official workbooks (monitoring table, self-evaluation preview).

Choices made here: status cells are light fills with dark text of the same hue and always keep the
status word; text beginning with ``= + - @``, TAB or CR gets a leading ``'`` so Excel never evaluates
it; a CJK (full-width) character counts 2 for column widths, others 1.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from domain.periods import MONTH, Period

# --------------------------------------------------------------------------- status colours

# (fill, font colour): light fills with dark text of the same hue, readable on a projector and
# in black-and-white print (the status word is always kept in the cell).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "red": ("FFC7CE", "9C0006"),
    "amber": ("FFEB9C", "9C5700"),
    "green": ("C6EFCE", "006100"),
    "blue": ("BDD7EE", "1F4E78"),
    "grey": ("E7E6E6", "3A3A3A"),
    "missing": ("E4DFEC", "5B2C6F"),
}
# default: which visible column is coloured from which hidden status column
DEFAULT_STATUS_COLUMNS = {"状态": "_status", "项目状态": "_status", "预算状态": "_budget_status", "最差项目": "_worst"}

FONT_NAME = "等线"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, color="404040")
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center")

MONEY_FORMAT = "#,##0.00"
PCT_NUMBER_FORMAT = "0.0"  # a column of percent numbers (42.3 meaning 42.3%)
DATE_FORMAT = "yyyy-mm-dd"

MIN_WIDTH, MAX_WIDTH = 6, 60
_MAX_CELL = 32767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_fill(status: str | None) -> PatternFill | None:
    c = STATUS_COLOURS.get(status or "")
    return PatternFill("solid", fgColor=c[0]) if c else None


def status_font(status: str | None, bold: bool = True, size: int = 11) -> Font:
    c = STATUS_COLOURS.get(status or "")
    return Font(name=FONT_NAME, size=size, bold=bold, color=c[1] if c else None)


# --------------------------------------------------------------------------- text helpers


def neutralise(text: str) -> str:
    """'=SUM(A1)' -> "'=SUM(A1)": text a spreadsheet would run as a formula is made plain text (CSV only:
    an xlsx cell written as a string is never a formula, see ``safe_text``)."""
    if text and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def safe_text(value: Any) -> str:
    """Text for an xlsx cell, as it is: without XML-illegal control characters, within Excel's
    32,767-character limit. No apostrophe is added to text starting with ``=`` (``=100%``): the writers
    store every text as a string cell (``t="inlineStr"``, openpyxl ``data_type 's'``), which Excel shows as
    text and never evaluates; an apostrophe would be shown as part of the text."""
    s = str(value)
    if ILLEGAL_CHARACTERS_RE.search(s):
        s = ILLEGAL_CHARACTERS_RE.sub("", s)
    return s[:_MAX_CELL]


def display_width(text: str) -> int:
    """Column width units: wide (CJK, full-width) characters count 2."""
    w = 0
    for ch in text:
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _line_width(text: str) -> int:
    return max((display_width(line) for line in text.split("\n")), default=0)


def fitted_width(texts, floor: int = MIN_WIDTH, cap: int = MAX_WIDTH) -> float:
    longest = max((_line_width(t) for t in texts if t), default=0)
    return float(min(cap, max(floor, longest + 2)))


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique worksheet name (31 chars, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name or "Sheet").strip("'") or "Sheet"
    base = base[:31]
    if taken is None:
        return base
    title, n = base, 2
    while title in taken:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def as_of_span(as_of: date) -> str:
    """'2024年1-9月' (or '2024年1月'): the year-to-date span an as-of date closes."""
    return Period(as_of.year, MONTH, as_of.month).cumulative_label


def as_of_text(as_of: date) -> str:
    return f"截至{as_of.year}年{as_of.month}月{as_of.day}日"


def export_subtitle(filters_text: str, as_of: date, generated: datetime | None = None) -> str:
    """'筛选：全部；截至2024年9月30日（2024年1-9月）；导出时间 2026-11-29 15:30'."""
    s = f"筛选：{filters_text or '全部'}；{as_of_text(as_of)}（{as_of_span(as_of)}）"
    if generated is not None:
        s += f"；导出时间 {generated:%Y-%m-%d %H:%M}"
    return s


_BAD_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


def export_filename(what: str, as_of: date, now: datetime, ext: str = "xlsx") -> str:
    """'风险清单_2024年1-9月_20261129-1530.xlsx'."""
    name = _BAD_FILENAME.sub("_", what).strip(" ._") or "导出"
    return f"{name}_{as_of_span(as_of)}_{now:%Y%m%d-%H%M}.{ext.lstrip('.')}"


# --------------------------------------------------------------------------- page setup


def setup_print(ws, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """A4 landscape, fit to one page wide (any number of pages tall), narrow margins, page numbers."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows


def merge(ws, ref: str) -> None:
    """Merge on a normal or a write-only worksheet."""
    if hasattr(ws, "merge_cells"):
        ws.merge_cells(ref)
    else:
        ws.merged_cells.add(CellRange(ref))
