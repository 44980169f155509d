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
* **Formula injection.** In the .xlsx every text is a string cell (inline string, ``data_type 's'``):
  Excel shows ``=100%`` as it is and never evaluates it, so no apostrophe is added (it would show).
  In the .csv, text beginning with ``= + - @``, TAB or CR gets a leading ``'`` (a CSV cell has no type);
  numbers stay numbers.
* **Widths.** A CJK (full-width) character counts 2, others 1; width = longest text + 2, between 6
  and 60; text longer than the cap wraps.

Styles, text helpers (``safe_text``, ``display_width``) and print setup live in ``documents.xlsx_style``,
shared with the official workbooks; the names callers import from here are re-exported.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from copy import copy
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# re-exported: the download buttons import the media types from here
from documents.mime import CSV_MIME as CSV_MIME
from documents.mime import XLSX_MIME as XLSX_MIME
from documents.xlsx_style import (
    BODY_FONT,
    BORDER,
    CENTER,
    DATE_FORMAT,
    DEFAULT_STATUS_COLUMNS,
    HEADER_FILL,
    HEADER_FONT,
    LEFT_WRAP,
    MAX_WIDTH,
    MONEY_FORMAT,
    PCT_NUMBER_FORMAT,
    SUBTITLE_FONT,
    TITLE_FONT,
    fitted_width,
    merge,
    safe_text,
    setup_print,
    sheet_title,
    status_fill,
    status_font,
)

# re-exported: callers outside documents/ import these from here
from documents.xlsx_style import STATUS_COLOURS as STATUS_COLOURS
from documents.xlsx_style import display_width as display_width
from documents.xlsx_style import export_filename as export_filename
from documents.xlsx_style import export_subtitle as export_subtitle
from documents.xlsx_style import neutralise as neutralise

_WIDTH_SAMPLE = 2000  # rows scanned per column for the width (head + tail)



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
        if isinstance(value, str):
            c.data_type = "s"  # never a formula
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
            if isinstance(v, str):
                c.data_type = "s"  # never a formula
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
        statuses = plan.status[ci]
        keys: set[str | None] = {None} if statuses is None else set(statuses) | {None}
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
