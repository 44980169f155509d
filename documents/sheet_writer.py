"""Sheet building blocks of the official workbooks: styled and merged cells written fast
(``SheetWriter``), row heights from text, runs of equal 一级/二级指标 to merge, and the workbook of a
summary sheet plus one sheet per project (``project_workbook``)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.merge import MergedCellRange

from documents.xlsx_style import BORDER, CENTER, FONT_NAME, display_width, safe_text, sheet_title

SUMMARY_SHEET = "汇总"
BODY_FONT = Font(name=FONT_NAME, size=10.5)  # the default of SheetWriter.put


class SheetWriter:
    """Cell writing with cached style arrays: assigning Font/Alignment/Border objects hashes them
    every time, so each distinct style is built once per workbook and copied afterwards."""

    def __init__(self, ws, cache: dict):
        self.ws = ws
        self.cache = cache

    def _style(self, cell, font, align, fill, fmt, border) -> None:
        key = (id(font), id(align), id(fill), fmt, border)
        sa = self.cache.get(key)
        if sa is None:
            cell.font = font
            cell.alignment = align
            if fill is not None:
                cell.fill = fill
            if fmt:
                cell.number_format = fmt
            if border:
                cell.border = BORDER
            self.cache[key] = copy(cell._style)
        else:
            cell._style = copy(sa)

    def put(self, ref: str, value=None, *, font=BODY_FONT, align=CENTER, fill=None, fmt=None, border=True):
        """Write the top-left cell of ``ref`` (a cell or a range), style every cell of it, merge it.
        Styles must be module-level constants (the cache is keyed by identity)."""
        ws = self.ws
        first = ref.split(":")[0]
        c = ws[first]
        if value is not None:
            if isinstance(value, str):
                c.value = safe_text(value)
                c.data_type = "s"  # '=1所' is text, never a formula
            else:
                c.value = value
        if ":" not in ref:
            self._style(c, font, align, fill, fmt, border)
            return c
        for row in ws[ref]:
            for cell in row:
                self._style(cell, font, align, fill, fmt, border)
        # registered directly: openpyxl's merge_cells re-formats every edge cell (slow) and we
        # have already styled them all
        ws.merged_cells.add(MergedCellRange(ws, ref))
        return c


def text_lines(text: str, width: float) -> int:
    if not text:
        return 1
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))


def row_height(lines: int, per_line: float = 14.5, floor: float = 20) -> float:
    return max(floor, lines * per_line + 5)


def norm_level(text: str | None) -> str:
    return "".join((text or "").split())


def equal_runs(keys: Sequence[Any]) -> list[tuple[int, int]]:
    """(start, end) index pairs of runs of equal consecutive keys."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i - 1))
            start = i
    return runs


def project_workbook(items: Sequence[Any], *, summary: bool | None, write_summary, write_item) -> bytes:
    """A workbook of an optional summary sheet (default: when there is more than one item) and one sheet per
    item (anything with ``.project.name``), named "1.项目名称" within Excel's limits; shared by the official
    monitoring table and the self-evaluation preview. ``write_item(ws, item, styles)``; ``styles`` is a
    cache of cell styles shared by the sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    styles: dict = {}
    if summary is None:
        summary = len(items) > 1
    if summary:
        write_summary(wb.create_sheet(sheet_title(SUMMARY_SHEET, taken)))
    for i, item in enumerate(items, start=1):
        write_item(wb.create_sheet(sheet_title(f"{i}.{item.project.name}", taken)), item, styles)
    if not items:
        wb.create_sheet("说明")["A1"] = "没有可导出的项目"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
