"""Read a target document from bytes, whatever its format: .txt export, .docx or .xlsx.

The entry point of the import: it checks size and format (``detect_format``) and dispatches to the
format readers, which produce one item stream for ``documents.assemble``. The error type and limits
live in ``documents.targets_common`` and are re-exported here.
"""

from __future__ import annotations

from documents.assemble import assemble, split_stream
from documents.targets_common import MAX_BYTES, MAX_UNPACKED_BYTES, DocumentError, check_zip
from documents.targets_docx import tokenize_docx
from documents.targets_txt import tokenize_text
from documents.targets_xlsx import tokenize_xlsx
from domain.document import ImportEdits, ImportProblem, TargetDocument
from domain.vocabulary import DEFAULT_VOCABULARY, Vocabulary


class YearUnknown(DocumentError):
    """The file names no year and none was given."""


class YearConflict(DocumentError):
    """The year given differs from the year the file names."""


def choose_year(given: int | None, found: int | None) -> int:
    """The fiscal year to read the file for: the one given, checked against the one the document names."""
    if given is not None and found is not None and given != found:
        raise YearConflict(f"文件写明的是{found}年度，与指定的{given}年度不一致；请核对文件，或改为指定{found}年度")
    year = given if given is not None else found
    if year is None:
        raise YearUnknown("文件中没有写明预算年度（如标题中的“2024年度”）：请指定年度")
    return year


def detect_format(data: bytes, filename: str = "") -> str:
    name = filename.lower()
    if data[:4] == b"PK\x03\x04":
        names = check_zip(data, "文件", MAX_UNPACKED_BYTES)  # a zip bomb, or far beyond any target document: refused unopened
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise DocumentError("不支持的压缩文件：请上传 .docx、.xlsx 或 .txt 格式的绩效目标表")
    # an OLE file is an old .doc/.xls even when renamed to .docx/.xlsx
    if name.endswith((".doc", ".xls")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DocumentError("不支持旧版Office格式（.doc/.xls）：请在Word/Excel中另存为 .docx/.xlsx 后再导入")
    if name.endswith((".docx", ".xlsx")):
        raise DocumentError(f"文件“{filename}”不是有效的{name.rsplit('.', 1)[-1]}文件（可能已损坏或被改了扩展名）")
    return "txt"


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentError("文件不是文本文件（含二进制内容）：请上传 .docx、.xlsx 或 UTF-8 编码的 .txt")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DocumentError(f"文件不是UTF-8编码（第{line}行附近无法识别）：请在记事本或Word中另存为“UTF-8”编码后再导入") from e


def read_target_document(data: bytes, filename: str = "", fiscal_year: int | None = None, *,
                         vocabulary: Vocabulary = DEFAULT_VOCABULARY, edits: ImportEdits | None = None) -> TargetDocument:
    """Parse a target document for ``fiscal_year`` (None: the year the document names). Raises
    ``DocumentError`` when the file cannot be read at all (``YearUnknown`` / ``YearConflict`` for the
    year); otherwise returns the document with its ``problems`` (empty when everything was understood),
    ``warnings`` and every table read. ``edits``: the corrections of the import preview."""
    if not data:
        raise DocumentError("文件为空：没有任何内容")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），绩效目标表不应超过 {MAX_BYTES // 1024 // 1024} MB")
    fmt = detect_format(data, filename)
    if fmt == "docx":
        items = tokenize_docx(data)
    elif fmt == "xlsx":
        items = tokenize_xlsx(data)
    else:
        text = decode_text(data)
        if not text.strip():
            raise DocumentError("文件为空：没有任何内容")
        items = tokenize_text(text)
    split = split_stream(items)
    found, distinct = split.document_year()
    doc = assemble(items, choose_year(fiscal_year, found), source=filename, vocabulary=vocabulary, edits=edits,
                   split=split)
    if len(distinct) > 1:
        doc.problems.append(ImportProblem(filename, f"文件中的表格分属不同年度（{'、'.join(map(str, distinct))}）："
                                                    "一个文件只能导入一个年度，请分开导入", "年度"))
    return doc


__all__ = ["DocumentError", "ImportProblem", "YearConflict", "YearUnknown", "choose_year", "read_target_document",
           "detect_format", "MAX_BYTES", "MAX_UNPACKED_BYTES"]
