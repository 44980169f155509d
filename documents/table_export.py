"""Any on-screen table as .xlsx / .csv bytes: a filtered view exports exactly what the screen shows.

Pure: DataFrames in, bytes out; no Streamlit and no database. The frames are the read models of
``data_access.views``: visible columns carry Chinese headers, hidden columns start with ``_`` and are
never exported (``_status`` / ``_budget_status`` only colour the status cells).

Choices made here:

* **One layout, write-only mode.** openpyxl's write-only worksheets keep every feature this export
  needs (merged title rows via ``merged_cells``, freeze panes, print title rows, page setup,
  autofilter, column widths, cell styles), so small and 40,000-row views get the same file. The
  title/header rows go through openpyxl; ``frame_to_xlsx`` generates the body rows' XML itself
  (same inline strings and style ids openpyxl would write) and splices it into ``<sheetData>``,
  because openpyxl's per-cell writer alone needs ~8 s for 40,000 x 15 cells on a 2-core machine.
  ``write_frame`` (the summary sheets of the official workbooks) uses openpyxl's API throughout.
* **Formula injection.** Text beginning with ``= + - @``, TAB or CR gets a leading ``'`` in both
  formats, so Excel shows it as text and never evaluates it; numbers stay numbers.
* **Widths.** A CJK (full-width) character counts 2, others 1; width = longest text + 2, between 6
  and 60; text longer than the cap wraps.

The helpers at the bottom (``STATUS_STYLES``, ``display_width``, ``safe_text``, print setup) are shared
with the official workbooks in this package.
"""

from __future__ import annotations

import io
import math
from copy import copy
import re
import unicodedata
import zipfile
from datetime import date, datetime
from typing import Any, Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

# re-exported: the download buttons import the media types from here
from documents.mime import CSV_MIME as CSV_MIME, XLSX_MIME as XLSX_MIME
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
DEFAULT_STATUS_COLUMNS = {"状态": "_status", "项目状态": "_status", "预算状态": "_budget_status"}

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
_WIDTH_SAMPLE = 2000  # rows scanned per column for the width (head + tail)
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
    """'=SUM(A1)' -> "'=SUM(A1)": text a spreadsheet would run as a formula is made plain text."""
    if text and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def safe_text(value: Any) -> str:
    """Text for an xlsx cell: neutralised, without XML-illegal control characters, within Excel's
    32,767-character limit."""
    s = neutralise(str(value))
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


# --------------------------------------------------------------------------- frames


def visible_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not str(c).startswith("_")]


def _number_format(header: str, values: list) -> str | None:
    if "万元" in header:
        return MONEY_FORMAT
    if "%" in header or "％" in header:
        return PCT_NUMBER_FORMAT
    if any(isinstance(v, float) and not float(v).is_integer() for v in values[:_WIDTH_SAMPLE]):
        return "0.00"
    return None


def _clean(v: Any) -> Any:
    """Python scalar for a cell: None for NaN/NA, numbers kept, dates kept, text as text."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else v
    if isinstance(v, int):
        return v
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.to_pydatetime().replace(tzinfo=None)
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalar
        return _clean(v.item())
    return str(v)


def _width_for(header: str, values: list) -> float:
    n = len(values)
    sample = values if n <= _WIDTH_SAMPLE else values[: _WIDTH_SAMPLE // 2] + values[-_WIDTH_SAMPLE // 2:]
    texts = [header]
    for v in sample:
        if v is None:
            continue
        if isinstance(v, float):
            texts.append(f"{v:,.2f}")
        elif isinstance(v, (date, datetime)):
            texts.append("2024-01-01")
        else:
            texts.append(str(v))
    return fitted_width(texts)


class _Plan:
    """What a frame turns into: visible columns, cleaned cell values, formats, widths, status keys."""

    def __init__(self, df: pd.DataFrame, status_column_map: Mapping[str, str] | None):
        cols = visible_columns(df)
        self.cols = cols
        self.n = len(df)
        smap = dict(status_column_map) if status_column_map is not None else dict(DEFAULT_STATUS_COLUMNS)
        smap = {k: v for k, v in smap.items() if k in cols and v in df.columns}
        self.values = [[_clean(v) for v in df[c].tolist()] for c in cols]
        self.formats = [_number_format(str(c), vals) for c, vals in zip(cols, self.values)]
        self.widths = [_width_for(str(c), vals) for c, vals in zip(cols, self.values)]
        self.wrap = [w >= MAX_WIDTH for w in self.widths]
        self.status = [
            [s if isinstance(s, str) else None for s in df[smap[c]].tolist()] if c in smap else None
            for c in cols
        ]
        self._styles: dict[tuple, Any] = {}

    def body_style(self, ws, ci: int, key: str | None, is_date: bool = False):
        """The StyleArray of a body cell of column ``ci`` with status ``key`` (cached)."""
        k = (ci, key, is_date)
        st = self._styles.get(k)
        if st is None:
            t = WriteOnlyCell(ws, value=None)
            t.border = BORDER
            t.font = BODY_FONT
            if key is not None and key in STATUS_COLOURS:
                t.fill = status_fill(key)
                t.font = status_font(key)
                t.alignment = CENTER
            elif self.wrap[ci]:
                t.alignment = LEFT_WRAP
            else:
                t.alignment = Alignment(vertical="center")
            fmt = self.formats[ci] or (DATE_FORMAT if is_date else None)
            if fmt:
                t.number_format = fmt
            st = self._styles[k] = t._style
        return st


def _write_head(ws, plan: _Plan, title: str, subtitle: str, first_row: int = 1) -> int:
    """Sheet settings, title, subtitle and header row; returns the header row number. Everything
    that write-only worksheets need before rows are written is set here."""
    ncol = max(1, len(plan.cols))
    last = get_column_letter(ncol)
    for i, w in enumerate(plan.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    header_row = first_row + 2  # always: title, subtitle (possibly empty), header
    ws.freeze_panes = f"A{header_row + 1}"
    setup_print(ws, title_rows=f"{header_row}:{header_row}")
    if plan.cols:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(plan.n, 1)}"

    def cell(value, font, alignment, fill=None, border=None):
        c = WriteOnlyCell(ws, value=value)
        c.font = font
        c.alignment = alignment
        if fill is not None:
            c.fill = fill
        if border is not None:
            c.border = border
        return c

    for _ in range(1, first_row):
        ws.append([])
    ws.append([cell(safe_text(title), TITLE_FONT, CENTER)])
    merge(ws, f"A{first_row}:{last}{first_row}")
    ws.append([cell(safe_text(subtitle or ""), SUBTITLE_FONT, LEFT_WRAP)])
    merge(ws, f"A{first_row + 1}:{last}{first_row + 1}")
    ws.append([cell(safe_text(c), HEADER_FONT, CENTER, HEADER_FILL, BORDER) for c in plan.cols])
    return header_row


def write_frame(
    ws,
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str = "",
    status_column_map: Mapping[str, str] | None = None,
    first_row: int = 1,
) -> int:
    """Write title, subtitle, header and rows of ``df`` (visible columns only) to an empty worksheet
    (normal or write-only) through openpyxl's API. Used for the summary sheets of the official
    workbooks; ``frame_to_xlsx`` writes the same layout faster. Returns the header row number."""
    plan = _Plan(df, status_column_map)
    header_row = _write_head(ws, plan, title, subtitle, first_row)
    cols = range(len(plan.cols))
    for r in range(plan.n):
        row = []
        for ci in cols:
            v = plan.values[ci][r]
            st = plan.status[ci]
            key = st[r] if st is not None else None
            if isinstance(v, str):
                v = safe_text(v)
            c = WriteOnlyCell(ws, value=v)
            c._style = copy(plan.body_style(ws, ci, key, isinstance(v, (date, datetime))))
            row.append(c)
        ws.append(row)
    return header_row


# --------------------------------------------------------------------------- fast body (frame_to_xlsx)

_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text_xml(s: str) -> str:
    body = safe_text(s).translate(_XML_ESCAPE)
    if s != s.strip():
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


def _style_ids(ws, plan: _Plan) -> dict[tuple, int]:
    """Register every body style (column x status x date) with the workbook before it is saved, so
    the body can be generated after ``wb.save`` while it is streamed into the file."""
    wb = ws.parent
    ids: dict[tuple, int] = {}
    for ci in range(len(plan.cols)):
        keys = {None} if plan.status[ci] is None else set(plan.status[ci]) | {None}
        dates = {False} | ({True} if any(isinstance(v, (date, datetime)) for v in plan.values[ci]) else set())
        for key in keys:
            for is_date in dates:
                ids[(ci, key, is_date)] = wb._cell_styles.add(plan.body_style(ws, ci, key, is_date))
    return ids


def _body_chunks(plan: _Plan, sids: dict[tuple, int], first_row: int, chunk_rows: int = 2000):
    """The ``<row>`` elements of the body as UTF-8 chunks, generated directly. openpyxl writes a cell
    in ~10 us; this writes the same XML (inline strings, the same style ids) in about a tenth of
    that, which keeps a 40,000-row view well under the 10-second budget, and streaming it keeps the
    memory flat."""
    letters = [get_column_letter(i + 1) for i in range(len(plan.cols))]
    text_cache: list[dict[str, str]] = [{} for _ in plan.cols]
    ncols = len(plan.cols)
    out: list[str] = []
    append = out.append
    for r in range(plan.n):
        rn = first_row + r
        append(f'<row r="{rn}">')
        for ci in range(ncols):
            v = plan.values[ci][r]
            st = plan.status[ci]
            key = st[r] if st is not None else None
            ref = f"{letters[ci]}{rn}"
            if v is None or v == "":  # empty text is a blank cell, as openpyxl writes it
                append(f'<c r="{ref}" s="{sids[(ci, key, False)]}"/>')
            elif isinstance(v, str):
                cache = text_cache[ci]
                x = cache.get(v)
                if x is None:
                    x = _text_xml(v)
                    if len(cache) < 5000:  # repeated words (units, statuses), not every reason
                        cache[v] = x
                append(f'<c r="{ref}" s="{sids[(ci, key, False)]}" t="inlineStr">{x}</c>')
            elif isinstance(v, bool):
                append(f'<c r="{ref}" s="{sids[(ci, key, False)]}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                append(f'<c r="{ref}" s="{sids[(ci, key, False)]}"><v>{v!r}</v></c>')
            elif isinstance(v, (date, datetime)):
                append(f'<c r="{ref}" s="{sids[(ci, key, True)]}"><v>{to_excel(v)!r}</v></c>')
            else:  # pragma: no cover - _clean leaves only the types above
                append(f'<c r="{ref}" s="{sids[(ci, key, False)]}" t="inlineStr">{_text_xml(str(v))}</c>')
        append("</row>")
        if len(out) > chunk_rows * (ncols + 2):
            yield "".join(out).encode("utf-8")
            out.clear()
    if out:
        yield "".join(out).encode("utf-8")


def _splice_sheet(xlsx: bytes, sheet_path: str, body) -> bytes:
    """Copy a saved workbook, streaming the ``body`` chunks (bytes) in at the end of ``<sheetData>`` of
    one worksheet."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            if info.filename != sheet_path:
                dst.writestr(zi, data)
                continue
            text = data.decode("utf-8")
            i = text.find("</sheetData>")
            if i >= 0:
                head, tail = text[:i], text[i:]
            else:  # an empty sheet is written as <sheetData/>
                i = text.find("<sheetData/>")
                head, tail = text[:i] + "<sheetData>", "</sheetData>" + text[i + len("<sheetData/>"):]
            with dst.open(zi, "w", force_zip64=True) as f:
                f.write(head.encode("utf-8"))
                for chunk in body:
                    f.write(chunk)
                f.write(tail.encode("utf-8"))
    return buf.getvalue()


def frame_to_xlsx(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str = "",
    sheet_name: str = "Sheet1",
    status_column_map: Mapping[str, str] | None = None,
) -> bytes:
    """The visible columns of ``df``, rows exactly as given, as a printable .xlsx (see module doc).

    ``status_column_map``: visible column -> hidden status column whose word ('red', 'amber', ...)
    colours it; default colours 状态/项目状态 from ``_status`` and 预算状态 from ``_budget_status``
    when present."""
    plan = _Plan(df, status_column_map)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(sheet_name))
    header_row = _write_head(ws, plan, title, subtitle)
    sids = _style_ids(ws, plan)
    buf = io.BytesIO()
    wb.save(buf)
    return _splice_sheet(buf.getvalue(), "xl/worksheets/sheet1.xml", _body_chunks(plan, sids, header_row + 1))


def frame_to_csv(df: pd.DataFrame) -> bytes:
    """Visible columns, UTF-8 with BOM (Excel opens Chinese correctly), formula-looking text
    neutralised, numbers unchanged."""
    cols = visible_columns(df)
    out = df[cols].copy()
    for c in cols:
        s = out[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[c] = s.map(lambda v: neutralise(v) if isinstance(v, str) else v).astype(object)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
