"""The signature block of the official outputs (执行监控表, 自评表, 监控报告): 填报单位 / 填报人 / 审核人 /
联系电话 / 日期, written as the last row of every sheet and the closing lines of the report.

Pure: the values come from the caller (``data_access.signature.signature_defaults``: the department,
the signed-in user's name, phone and reviewer, today). A value left empty stays a blank to sign by hand;
the labels are always there, so a printed table can be signed and stamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from documents.sheet_writer import SheetWriter
from documents.xlsx_style import FONT_NAME

LABELS = ("填报单位", "填报人", "审核人", "联系电话", "日期")
_WEIGHTS = (4, 2, 2, 3, 3)  # share of the sheet's width per item
_FONT = Font(name=FONT_NAME, size=11)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def day_text(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


@dataclass(frozen=True)
class Signature:
    unit: str = ""  # 填报单位
    preparer: str = ""  # 填报人
    reviewer: str = ""  # 审核人
    phone: str = ""  # 联系电话
    day: date | None = None  # 日期

    def values(self) -> tuple[str, ...]:
        return self.unit, self.preparer, self.reviewer, self.phone, day_text(self.day)

    def items(self) -> list[tuple[str, str]]:
        """(label, value) in the order of the block."""
        return list(zip(LABELS, self.values()))

    def cells(self) -> list[str]:
        """'填报单位：高新区社会事务局', '填报人：张三', '审核人：', …"""
        return [f"{label}：{value}" for label, value in self.items()]

    def with_unit(self, unit: str) -> Signature:
        """This signature, with ``unit`` as 填报单位 when none was given."""
        return self if self.unit else Signature(unit, self.preparer, self.reviewer, self.phone, self.day)


def spans(ncols: int) -> list[tuple[int, int]]:
    """(first, last) columns (1-based) of the five items over ``ncols`` columns, in proportion to their
    usual lengths; fewer than five columns: everything in the first span."""
    if ncols < len(LABELS):
        return [(1, max(ncols, 1))]
    total = sum(_WEIGHTS)
    bounds, acc = [], 0.0
    for w in _WEIGHTS:
        acc += w * ncols / total
        bounds.append(round(acc))
    out, first = [], 1
    for i, last in enumerate(bounds):
        last = max(last, first)
        last = min(last, ncols - (len(LABELS) - 1 - i))
        out.append((first, last))
        first = last + 1
    return out


def write_signature(ws, row: int, ncols: int, sig: Signature, styles: dict | None = None) -> int:
    """Write the block in row ``row`` of a normal worksheet, over ``ncols`` columns; returns the row after."""
    s = SheetWriter(ws, styles if styles is not None else {})
    cells = sig.cells()
    places = spans(ncols)
    if len(places) == 1:
        cells = ["　".join(cells)]
    for (a, b), text in zip(places, cells):
        ref = f"{get_column_letter(a)}{row}" if a == b else f"{get_column_letter(a)}{row}:{get_column_letter(b)}{row}"
        s.put(ref, text, font=_FONT, align=_LEFT, border=False)
    ws.row_dimensions[row].height = 24
    return row + 1


__all__ = ["LABELS", "Signature", "day_text", "spans", "write_signature"]
