"""An Excel sheet of the target document (.xlsx): the same rows and columns as the Word tables.

Only the stream is produced here; ``documents.assemble`` knows the layout (a row with one cell in
column A before any table is a paragraph; a value in separate cells under a merged 指标值 is joined).
Every non-empty row is a row, on the sheet's grid: a merged cell's other cells are empty. Empty rows
are skipped (like blank lines in the text export). Cell values are turned into the text a user sees:
90.0 -> "90", 0.9 formatted as a percentage -> "90%", a date -> "2024年12月31日".
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import openpyxl

from documents.assemble import Item, Row
from documents.targets_common import MAX_ROWS, DocumentError


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
    for n, row in enumerate(ws.iter_rows(min_row=1), start=1):
        if n > MAX_ROWS:
            raise DocumentError(f"{source or '工作表'}的行数超过Excel上限，文件可能已损坏")
        cells = [_text(c) for c in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            items.append(Row(cells=cells, line=n, source=source))
    return items


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
