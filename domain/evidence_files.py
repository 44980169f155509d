"""What an uploaded evidence file (佐证材料) must be: its type is read from its content, not its name.

Pure code over bytes (the standard library's ``zipfile`` reads a zip's directory from memory; nothing
is written or unpacked). ``data_access.evidence`` calls :func:`check_evidence_file` inside the upload's
transaction; the upload widget's ``type=`` list is only a convenience in the browser.

Definitions chosen here (docs/rules.md §13.1):

* **Accepted types** (:data:`KINDS`): PDF, JPG and PNG pictures, Word / Excel / PowerPoint (the Office
  2007+ formats and the older 97–2003 ones) and OFD (the national format of electronic invoices and
  official documents). The type is recognised from the first bytes (``%PDF-``, the JPEG and PNG
  signatures, the OLE2 compound-file signature of .doc/.xls/.ppt) and, for a zip, from the parts it
  holds (``word/document.xml``, ``xl/workbook.xml``, ``ppt/presentation.xml``, ``OFD.xml``).
* **Name and content must agree**: a file whose extension is not accepted is refused, and so is one
  whose content is another type than its extension says (``发票.pdf`` that is a PNG picture). The
  97–2003 formats share one signature: .doc, .xls and .ppt are accepted with it by their extension.
* **Size**: empty files are refused; a file larger than the setting ``evidence_max_mb`` is refused.
* **Bombs**: a zip-based file is refused when its parts unpack to more than :data:`MAX_UNPACKED_BYTES`
  in total, when one part has a bomb's packing ratio or when it has too many parts
  (``domain.file_limits.zip_problem``, the rule the target and template importers apply); a picture
  is refused when its header declares more than :data:`MAX_PIXELS` pixels (a "decompression bomb": a
  small PNG that opens as gigabytes).
* **Macros**: an Office file with a VBA project (``vbaProject.bin``: .docm/.xlsm saved as .docx) is
  refused — evidence is read by other people, it must not carry code.
* **File names** keep only the last path component, lose invisible characters and the characters
  Windows forbids in names (``<>:"/\\|?*`` become ``_``), and are at most :data:`MAX_FILENAME`
  characters (shortened before the extension).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from domain.file_limits import MB, zip_problem
from domain.hygiene import strip_invisible

MAX_UNPACKED_BYTES = 200 * MB  # a zip-based Office/OFD file unpacking to more is refused
MAX_PIXELS = 100_000_000  # 100 megapixels: far beyond any photo of a 验收单 (a 48 MP phone photo passes)
MAX_FILENAME = 120
_FORBIDDEN = str.maketrans({c: "_" for c in '<>:"/\\|?*'})


@dataclass(frozen=True, slots=True)
class FileKind:
    key: str
    label: str
    extensions: tuple[str, ...]
    mime: str


KINDS: dict[str, FileKind] = {k.key: k for k in (
    FileKind("pdf", "PDF", (".pdf",), "application/pdf"),
    FileKind("jpeg", "JPG图片", (".jpg", ".jpeg"), "image/jpeg"),
    FileKind("png", "PNG图片", (".png",), "image/png"),
    FileKind("docx", "Word文档", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    FileKind("xlsx", "Excel表格", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileKind("pptx", "PowerPoint演示文稿", (".pptx",),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    FileKind("doc", "Word 97-2003文档", (".doc",), "application/msword"),
    FileKind("xls", "Excel 97-2003表格", (".xls",), "application/vnd.ms-excel"),
    FileKind("ppt", "PowerPoint 97-2003演示文稿", (".ppt",), "application/vnd.ms-powerpoint"),
    FileKind("ofd", "OFD版式文件", (".ofd",), "application/ofd"),
)}
EXTENSIONS: tuple[str, ...] = tuple(e for k in KINDS.values() for e in k.extensions)
BY_EXTENSION: dict[str, FileKind] = {e: k for k in KINDS.values() for e in k.extensions}
ACCEPTED_TEXT = "PDF、JPG、PNG、Word、Excel、PowerPoint（含97-2003格式）、OFD"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"),
              ("OFD.xml", "ofd"))


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The outcome of :func:`check_evidence_file`: the cleaned name and the kind, or a Chinese problem."""

    name: str
    kind: FileKind | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.kind is not None


def clean_filename(name: str) -> str:
    """The last path component, without invisible or Windows-forbidden characters, at most
    :data:`MAX_FILENAME` characters (shortened before the extension). Empty when nothing is left."""
    base = strip_invisible(str(name or ""), multiline=False).replace("\\", "/").rsplit("/", 1)[-1]
    base = base.translate(_FORBIDDEN).strip().strip(".").strip()
    if len(base) <= MAX_FILENAME:
        return base
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        return base[:MAX_FILENAME]
    return stem[:MAX_FILENAME - len(ext) - 1] + "." + ext


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first SOF marker; None when none is found in a well-formed header."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def sniff(data: bytes) -> str | None:
    """The kind key the content shows (``"ole2"`` for the 97–2003 signature, ``"zip"`` for another zip),
    or None."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_OLE2):
        return "ole2"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_kind(parts: set[str]) -> str | None:
    return next((kind for part, kind in _ZIP_PARTS if part in parts), None)


def _content_problem(data: bytes, sniffed: str, ext_kind: FileKind, shown: str) -> tuple[str | None, str | None]:
    """(the content's kind key, a problem) once the signature is known."""
    if sniffed == "ole2":
        return (ext_kind.key, None) if ext_kind.key in ("doc", "xls", "ppt") else ("ole2", None)
    if sniffed == "zip":
        problem, parts = zip_problem(data, f"“{shown}”", MAX_UNPACKED_BYTES)
        if problem:
            return None, problem
        if any(p.lower().endswith("vbaproject.bin") for p in parts):
            return None, f"“{shown}”含有宏（VBA代码），不能作为佐证材料；请另存为不含宏的文件后上传"
        return _zip_kind(parts), None
    if sniffed in ("png", "jpeg"):
        size = _png_size(data) if sniffed == "png" else _jpeg_size(data)
        if size is None:
            return None, f"“{shown}”已损坏：无法读取图片尺寸"
        if size[0] * size[1] > MAX_PIXELS:
            return None, (f"“{shown}”的图片尺寸异常（{size[0]}×{size[1]}像素，上限{MAX_PIXELS // 1_000_000}百万像素），"
                          "可能是“解压炸弹”，已拒绝")
    return sniffed, None


def check_evidence_file(name: str, data: bytes, max_bytes: int) -> FileCheck:
    """Whether ``data`` named ``name`` may be stored as evidence (see the module docstring)."""
    clean = clean_filename(name)
    shown = clean or "（无文件名）"
    if not clean or not extension_of(clean):
        return FileCheck(clean, problem=f"文件名“{shown}”没有扩展名；可上传{ACCEPTED_TEXT}文件")
    ext_kind = BY_EXTENSION.get(extension_of(clean))
    if ext_kind is None:
        return FileCheck(clean, problem=f"“{shown}”的类型（{extension_of(clean)}）不能作为佐证材料；可上传{ACCEPTED_TEXT}文件")
    if not data:
        return FileCheck(clean, problem=f"“{shown}”是空文件")
    if len(data) > max_bytes:
        return FileCheck(clean, problem=f"“{shown}”过大（{len(data) / MB:.1f} MB，上限{max_bytes / MB:g} MB）；"
                                        "请压缩或拆分后上传")
    sniffed = sniff(data)
    if sniffed is None:
        return FileCheck(clean, problem=f"“{shown}”的内容不是{ext_kind.label}（无法识别的文件内容），已拒绝")
    key, problem = _content_problem(data, sniffed, ext_kind, shown)
    if problem:
        return FileCheck(clean, problem=problem)
    if key != ext_kind.key:
        found = KINDS[key].label if key in KINDS else ("Office 97-2003文件" if key == "ole2" else "其他压缩文件")
        return FileCheck(clean, problem=f"“{shown}”的扩展名是{extension_of(clean)}，内容却是{found}，与扩展名不符，已拒绝")
    return FileCheck(clean, kind=ext_kind)


__all__ = ["KINDS", "EXTENSIONS", "BY_EXTENSION", "ACCEPTED_TEXT", "FileKind", "FileCheck", "MAX_UNPACKED_BYTES",
           "MAX_PIXELS", "MAX_FILENAME", "clean_filename", "extension_of", "sniff", "check_evidence_file"]
