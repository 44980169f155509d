"""Build .docx, .xlsx and Word-text files from a table written as rows of cells, with real merged cells.

A grid row is a list of cells: a string is a cell's text, ``None`` continues the cell above (a vertical
merge) and ``"<"`` continues the cell on the left (a horizontal merge), as Word and Excel store them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

LEFT = "<"


@dataclass
class Grid:
    rows: list[list[str | None]]

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)

    def cell(self, r: int, c: int) -> str | None:
        row = self.rows[r]
        return row[c] if c < len(row) else ""

    def regions(self):
        """(row, col, text, rows down, cols right) for every cell that is not a continuation."""
        for r in range(len(self.rows)):
            for c in range(self.width):
                text = self.cell(r, c)
                if text is None or text == LEFT:
                    continue
                right = 0
                while c + right + 1 < self.width and self.cell(r, c + right + 1) == LEFT:
                    right += 1
                down = 0
                while r + down + 1 < len(self.rows) and self.cell(r + down + 1, c) is None:
                    down += 1
                yield r, c, text, down, right


@dataclass
class Sheet:
    """One worksheet (or, for Word and text, one run of paragraphs and tables)."""

    blocks: list[str | Grid] = field(default_factory=list)
    name: str = "Sheet1"


def to_docx(sheets: list[Sheet]) -> bytes:
    import docx

    d = docx.Document()
    for sheet in sheets:
        for block in sheet.blocks:
            if isinstance(block, str):
                d.add_paragraph(block)
                continue
            t = d.add_table(rows=len(block.rows), cols=block.width)
            t.style = "Table Grid"
            for r, c, text, down, right in block.regions():
                cell = t.cell(r, c)
                if down or right:
                    cell = cell.merge(t.cell(r + down, c + right))
                cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx_value(text: str):
    """What a bureau's spreadsheet holds: numbers as numbers, a bare percentage as a formatted fraction."""
    if re.fullmatch(r"-?\d+", text):
        return int(text), None
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text), None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    if m:
        return float(m.group(1)) / 100, "0%"
    return text, None


def to_xlsx(sheets: list[Sheet]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        row0 = 1
        for block in sheet.blocks:
            if isinstance(block, str):
                ws.cell(row=row0, column=1, value=block)
                row0 += 1
                continue
            for r, c, text, down, right in block.regions():
                value, fmt = _xlsx_value(text)
                cell = ws.cell(row=row0 + r, column=c + 1, value=value if text != "" else None)
                if fmt:
                    cell.number_format = fmt
                if down or right:
                    ws.merge_cells(start_row=row0 + r, start_column=c + 1, end_row=row0 + r + down,
                                   end_column=c + 1 + right)
            row0 += len(block.rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_text(sheets: list[Sheet]) -> bytes:
    """Word's "save as text": a paragraph per line; a table row is its cells, one per TAB-led line, rows
    separated by a blank line; a merged cell is written once, a vertically merged one as an empty cell."""
    lines: list[str] = []
    for sheet in sheets:
        for block in sheet.blocks:
            if isinstance(block, str):
                lines.append(block)
                continue
            for row in block.rows:
                for c in range(block.width):
                    text = row[c] if c < len(row) else ""
                    if text == LEFT:
                        continue
                    lines.append("\t" + (text or ""))
                lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


BUILDERS = {"docx": to_docx, "xlsx": to_xlsx, "txt": to_text}
