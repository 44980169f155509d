"""Read a target document from bytes, whatever its format: .txt export, .docx or .xlsx.

The entry point of the import: it checks size and format (``detect_format``) and dispatches to the
format readers, which produce one item stream for ``documents.assemble``. The error type and limits
live in ``documents.targets_common`` and are re-exported here.
"""

from __future__ import annotations

from documents.assemble import assemble
from documents.targets_common import MAX_BYTES, MAX_UNPACKED_BYTES, DocumentError, check_zip
from documents.targets_docx import tokenize_docx
from documents.targets_txt import tokenize_text
from documents.targets_xlsx import tokenize_xlsx
from domain.document import ImportProblem, TargetDocument


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


def read_target_document(data: bytes, filename: str = "", fiscal_year: int = 2024) -> TargetDocument:
    """Parse a target document. Raises ``DocumentError`` when the file cannot be read at all;
    otherwise returns the document with its ``problems`` (empty when everything was understood)."""
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
    doc = assemble(items, fiscal_year, source=filename)
    return doc


__all__ = ["DocumentError", "ImportProblem", "read_target_document", "detect_format", "MAX_BYTES", "MAX_UNPACKED_BYTES"]
