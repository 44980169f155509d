"""An Excel sheet of the target document (.xlsx): the same rows and columns as the Word tables.

Only the stream is produced here; ``documents.assemble`` knows the layout. A row with text only in
column A is a paragraph (a title or the department text); any other non-empty row is a table row;
empty rows are skipped (like blank lines in the text export). Cell values are turned into the text a
user sees: 90.0 -> "90", 0.9 formatted as a percentage -> "90%", a date -> "2024年12月31日".

Operators in separate cells: when a name in the indicator header is followed by empty header cells
(a header merged over several columns, typically 指标值 over ``≥ | 90 | %``), the cells under it are
joined into one (``≥90%``).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import openpyxl

from documents.assemble import Item, Paragraph, Row
from documents.targets_common import MAX_ROWS, DocumentError

# a table row with its text only in column A stays a row: these are the layout's row labels
_ROW_KEYS = ("项目编码", "项目名称", "项目资金主要用途", "资金支出计划", "绩效目标", "一级指标")


def _is_row_label(text: str) -> bool:
    """A table row whose only filled cell is its label (e.g. 绩效目标 with the goals left empty)."""
    return text in _ROW_KEYS or (text.startswith(("资金支出计划", "项目资金主要用途")) and len(text) <= 16)


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def tokenize_xlsx(data: bytes) -> list[Item]:
    """Paragraphs and table rows of every visible worksheet, in order.

    ``Row.line`` is the Excel row number; ``Row.source`` names the sheet when the workbook has more
    than one, since row numbers count per sheet.
    """
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
            items: list[Item] = []
            for ws in sheets:
                source = f"工作表“{ws.title}”" if len(sheets) > 1 else ""
                items.extend(_sheet_items(ws, source))
            return items
        finally:
            wb.close()
    except DocumentError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure inside openpyxl/zip/xml means an unreadable file
        raise DocumentError("Excel文件已损坏或格式无法识别：请在Excel中打开并另存为 .xlsx 后再导入") from e


def _sheet_items(ws, source: str) -> list[Item]:
    ws.reset_dimensions()  # a wrong <dimension> must not cut rows off; read what is there
    items: list[Item] = []
    spans: list[tuple[int, int]] | None = None  # columns under each indicator header name
    width = 0  # cells per indicator row after joining, known from the header
    for n, row in enumerate(ws.iter_rows(min_row=1), start=1):
        if n > MAX_ROWS:
            raise DocumentError(f"{source or '工作表'}的行数超过Excel上限，文件可能已损坏")
        cells = [_text(c) for c in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells or not any(c.strip() for c in cells):
            continue
        first = _norm(cells[0])
        if len(cells) == 1 and not _is_row_label(first):
            items.append(Paragraph(cells[0]))
            spans, width = None, 0
            continue
        if first in ("项目编码", "项目名称"):
            spans, width = None, 0
        elif first == "一级指标":
            spans = _header_spans(cells)
            if spans is not None:
                cells = _join(cells, spans)
            width = len(cells)
        elif spans is not None:
            cells = _join(cells, spans)
        if width and len(cells) < width:
            cells += [""] * (width - len(cells))  # an empty last cell (指标值确定依据) is still a cell
        items.append(Row(cells=cells, line=n, source=source))
    return items


def _header_spans(header: list[str]) -> list[tuple[int, int]] | None:
    """Columns under each header name: a name followed by empty header cells (a header merged over
    several columns) covers them too. None when every name has its own column.

    The last name's width is unknown (trailing cells are trimmed): it keeps one column.
    """
    starts = [i for i, c in enumerate(header) if c.strip()]
    if not starts or starts[0] != 0:
        return None
    spans = [(a, b - a) for a, b in zip(starts, starts[1:])] + [(starts[-1], 1)]
    return spans if any(k > 1 for _, k in spans) else None


def _join(cells: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """One cell per header name: the cells under a merged header joined with no separator
    (``≥ | 90 | %`` -> ``≥90%``); cells right of the last name are kept as they are."""
    out = ["".join(c.strip() for c in cells[i : i + k]) for i, k in spans if i < len(cells)]
    last, k = spans[-1]
    return out + cells[last + k :]


# --------------------------------------------------------------------------- values as shown


def _text(cell) -> str:
    v = getattr(cell, "value", None)
    if v is None:
        return ""
    if isinstance(v, str):
        return v.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, datetime):
        if v.time() == time(0, 0):
            return _cn_date(v.date())
        return f"{_cn_date(v.date())}{v.hour}时{v.minute:02d}分"
    if isinstance(v, date):
        return _cn_date(v)
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, timedelta):
        return str(v)
    if isinstance(v, (int, float)):
        fmt = getattr(cell, "number_format", None) or ""
        return _number(v, percent=_is_percent_format(fmt))
    return str(v)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _is_percent_format(fmt: str) -> bool:
    # a % outside quotes and brackets: 0%, 0.00%, [Red]0.0%; "%" in a literal string does not count
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt)
    return "%" in bare


def _number(v: float, percent: bool = False) -> str:
    """Shortest text of the number as Excel holds it (15 significant digits), no trailing zeros."""
    try:
        d = Decimal(v) if isinstance(v, int) else Decimal(format(v, ".15g"))
    except (InvalidOperation, ValueError):
        return str(v)
    if not d.is_finite():
        return str(v)
    if percent:
        d *= 100
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s == "-0":
        s = "0"
    return s + ("%" if percent else "")
