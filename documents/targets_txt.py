"""The text export of the target document (Word "save as text"): one cell per TAB-led line."""

from __future__ import annotations

from documents.assemble import Item, Paragraph, Row


def tokenize_text(text: str) -> list[Item]:
    """Lines -> paragraphs and rows.

    A table row is a group of lines separated by a blank line; each cell is a line starting with a TAB;
    a line without a TAB after a cell continues that cell. Lines before the first cell of a group are
    paragraphs.
    """
    items: list[Item] = []
    row: Row | None = None

    def flush() -> None:
        nonlocal row
        if row is not None:
            items.append(row)
            row = None

    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("\t"):
            if row is None:
                row = Row(cells=[], line=n)
            row.cells.append(line[1:])
        elif not line.strip():
            flush()
        elif row is not None:
            row.cells[-1] += "\n" + line
        else:
            items.append(Paragraph(line))
    flush()
    return items
