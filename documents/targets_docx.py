"""The original Word layout of the target document (.docx): paragraphs and tables, in body order.

Only the stream is produced here; ``documents.assemble`` knows the layout. Cells come out on the table's
grid, so a column is the same column in every row: a cell over several grid columns (``w:gridSpan``)
is its text followed by empty cells, a vertically merged continuation cell (``w:vMerge`` without
``val="restart"``) is empty, which the assembler reads as "same as above".
"""

from __future__ import annotations

import io

import docx  # python-docx

from documents.assemble import Item, Paragraph, Row
from documents.targets_common import DocumentError

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _SDT, _SDT_CONTENT = _q("p"), _q("tbl"), _q("sdt"), _q("sdtContent")
_TR, _TC, _TCPR, _VMERGE, _HMERGE, _SPAN = _q("tr"), _q("tc"), _q("tcPr"), _q("vMerge"), _q("hMerge"), _q("gridSpan")
_VAL = _q("val")
# run content that carries text; deleted text (w:delText) and text in w:del / w:moveFrom is left out
_TEXT_TAGS: dict[str, str | None] = {_q("t"): None, _q("tab"): "\t", _q("cr"): "\n", _q("noBreakHyphen"): "-"}
_BR, _BR_TYPE = _q("br"), _q("type")
_SYM, _SYM_CHAR, _SYM_FONT = _q("sym"), _q("char"), _q("font")
# Insert > Symbol in the Symbol font stores private-use code points: the operators that matter here
_SYMBOL_FONT = {0xA3: "≤", 0xB3: "≥", 0xB9: "≠", 0xB1: "±", 0x3C: "<", 0x3E: ">", 0x3D: "=", 0xB0: "°", 0xB4: "×", 0xB8: "÷"}
_SKIP_CONTAINERS = {_q("del"), _q("moveFrom"), _q("txbxContent"), _q("pict"), _q("drawing"), _q("object")}


def tokenize_docx(data: bytes) -> list[Item]:
    """Paragraphs and table rows of the document body, in order.

    ``Row.line`` is the row number within its table (1-based) and ``Row.source`` names the table
    ("第3个表格"), so a message can point at a row a user can find in Word.
    """
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        items: list[Item] = []
        _walk(body, items, [0])
        return items
    except DocumentError:
        raise
    except ValueError as e:
        if "not a Word file" in str(e):
            raise DocumentError("不支持的Word文件类型（如启用宏的.docm或模板.dotx）：请在Word中另存为 .docx 后再导入") from e
        raise DocumentError("Word文件已损坏或格式无法识别：请在Word中打开并另存为 .docx 后再导入") from e
    except Exception as e:  # noqa: BLE001 - any failure inside python-docx/lxml means an unreadable file
        raise DocumentError("Word文件已损坏或格式无法识别：请在Word中打开并另存为 .docx 后再导入") from e


def _walk(container, items: list[Item], table_no: list[int]) -> None:
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            items.append(Paragraph(_paragraph_text(child)))
        elif tag == _TBL:
            table_no[0] += 1
            _table_rows(child, items, f"第{table_no[0]}个表格")
        elif tag == _SDT:  # content control wrapping paragraphs/tables
            for content in child.iterchildren(_SDT_CONTENT):
                _walk(content, items, table_no)


def _table_rows(tbl, items: list[Item], source: str) -> None:
    n = 0
    for tr in tbl.iterchildren(_TR):
        n += 1
        cells: list[str] = []
        for tc in _row_cells(tr):
            tcPr = tc.find(_TCPR)
            span = 1
            if tcPr is not None:
                hmerge = tcPr.find(_HMERGE)
                if hmerge is not None and hmerge.get(_VAL, "continue") != "restart":
                    cells.append("")  # legacy horizontal merge: part of the cell on its left
                    continue
                span = _grid_span(tcPr)
                vmerge = tcPr.find(_VMERGE)
                if vmerge is not None and vmerge.get(_VAL, "continue") != "restart":
                    cells.extend([""] * span)  # continuation of the cell above
                    continue
            cells.append(_cell_text(tc))
            cells.extend([""] * (span - 1))  # a cell over several grid columns: columns stay aligned
        items.append(Row(cells=cells, line=n, source=source))


def _grid_span(tcPr) -> int:
    el = tcPr.find(_SPAN)
    try:
        return max(1, min(int(el.get(_VAL, "1")), 64)) if el is not None else 1
    except ValueError:
        return 1


def _row_cells(tr):
    """The w:tc of a row, including cells wrapped in a content control."""
    for child in tr.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from content.iterchildren(_TC)


def _cell_text(tc) -> str:
    """Paragraphs of a cell joined with newlines (nested tables contribute their paragraphs too)."""
    lines: list[str] = []
    for el in tc.iterdescendants(_P):
        if _inside_skipped(el, tc):
            continue
        lines.append(_paragraph_text(el))
    return "\n".join(lines)


def _inside_skipped(el, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _SKIP_CONTAINERS:
            return True
        parent = parent.getparent()
    return False


def _paragraph_text(p) -> str:
    """Visible text of a paragraph: runs in hyperlinks, fields, insertions and smart tags included,
    deleted text and text boxes left out."""
    out: list[str] = []
    stack = [iter(p)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            if not isinstance(tag, str) or tag in _SKIP_CONTAINERS:
                continue
            if tag in _TEXT_TAGS:
                fixed = _TEXT_TAGS[tag]
                out.append((el.text or "") if fixed is None else fixed)
            elif tag == _SYM:
                out.append(_symbol(el))
            elif tag == _BR:
                if el.get(_BR_TYPE, "textWrapping") == "textWrapping":
                    out.append("\n")
            elif tag == _P:
                continue  # a paragraph nested in this one (text box fallback): not ours
            else:
                stack.append(iter(el))
                break
        else:
            stack.pop()
    return "".join(out)


def _symbol(el) -> str:
    """A w:sym: a Unicode character, or a Symbol-font private-use code mapped to its meaning."""
    try:
        code = int(el.get(_SYM_CHAR, ""), 16)
    except ValueError:
        return ""
    if "symbol" in (el.get(_SYM_FONT) or "").lower() and (code < 0x100 or 0xF000 <= code <= 0xF0FF):
        return _SYMBOL_FONT.get(code & 0xFF, "")
    if 0xE000 <= code <= 0xF8FF:  # private use in some other symbol font: unknown glyph
        return ""
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return ""
