"""A period's evidence (佐证材料) as one ZIP in the platform's folder layout, as bytes.

Pure: files in, bytes out; no database, no Streamlit. ``data_access.evidence.evidence_bundle`` reads
the files; ``components.evidence.evidence_zip_button`` offers the download.

Definitions chosen here:

* **Layout** (the budget integration platform's export for 财政's spot checks):
  ``[项目编码]责任单位-项目名称/三级指标/文件名``; a file attached to the spending row goes under
  ``预算执行``. A project without a code is filed under ``[无编码]``. The folder ``佐证材料清单.csv`` at
  the top lists every file (project, item, path, size, SHA-256, who uploaded it and when), UTF-8 with
  a BOM so Excel opens it, each value that looks like a formula prefixed with ``'``.
* **Names** keep Chinese (UTF-8 names, flagged as such in the zip, so Windows Explorer and unzip show
  them right); characters no file system accepts (``<>:"/\\|?*`` and control characters) become ``_``;
  each path part is at most 80 characters. Two indicators of a project with the same name get
  ``（2）`` on the second folder; two files with the same name in one folder get ``（2）`` before the
  extension. The same bytes are never renamed: a path is stable for the same files.
* Files are stored deflated (PDFs and pictures barely shrink, Office XML does); the time of each entry
  is its upload time in Beijing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from domain.clock import format_time, to_local
from domain.hygiene import strip_invisible

MANIFEST_NAME = "佐证材料清单.csv"
NO_CODE = "无编码"
MAX_PART = 80
_BAD = str.maketrans({c: "_" for c in '<>:"/\\|?*'})
MANIFEST_COLUMNS = ["项目编码", "责任单位", "项目名称", "事项", "文件名", "ZIP内路径", "大小（字节）", "SHA-256", "上传人",
                    "上传时间"]


class EvidenceEntry(Protocol):
    """What the ZIP needs of one file (``data_access.evidence.EvidenceInfo`` has these, read-only)."""

    @property
    def project_id(self) -> int: ...
    @property
    def indicator_id(self) -> int | None: ...
    @property
    def project_code(self) -> str: ...
    @property
    def unit_name(self) -> str: ...
    @property
    def project_name(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def uploader(self) -> str: ...
    @property
    def uploaded_at(self) -> datetime: ...


def path_part(text: str) -> str:
    """One folder or file name: no forbidden or invisible characters, trimmed, at most ``MAX_PART``
    characters (the extension kept), never empty or a dot name."""
    s = strip_invisible(str(text or ""), multiline=False).translate(_BAD).strip().strip(".").strip()
    if len(s) > MAX_PART:
        stem, dot, ext = s.rpartition(".")
        s = (stem[:MAX_PART - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else s[:MAX_PART]
    return s or "_"


def project_folder(code: str, unit: str, project: str) -> str:
    """``[项目编码]单位-项目`` (``[无编码]`` without a code)."""
    return path_part(f"[{(code or '').strip() or NO_CODE}]{(unit or '').strip()}-{(project or '').strip()}")


def _numbered(name: str, n: int, keep_ext: bool) -> str:
    if n == 1:
        return name
    stem, dot, ext = name.rpartition(".")
    if keep_ext and dot and stem:
        return f"{stem}（{n}）.{ext}"
    return f"{name}（{n}）"


def zip_paths(entries: Sequence[EvidenceEntry]) -> list[str]:
    """The path of each entry inside the ZIP, in the same order (see the module docstring)."""
    item_folders: dict[tuple[int, int | None], str] = {}
    used_items: dict[int, set[str]] = {}
    used_files: dict[str, set[str]] = {}
    out = []
    for e in entries:
        top = project_folder(e.project_code, e.unit_name, e.project_name)
        key = (e.project_id, e.indicator_id)
        if key not in item_folders:
            taken = used_items.setdefault(e.project_id, set())
            base, n = path_part(e.item), 1
            while _numbered(base, n, False) in taken:
                n += 1
            item_folders[key] = _numbered(base, n, False)
            taken.add(item_folders[key])
        folder = f"{top}/{item_folders[key]}"
        taken_files = used_files.setdefault(folder, set())
        base, n = path_part(e.filename), 1
        while _numbered(base, n, True).lower() in taken_files:
            n += 1
        name = _numbered(base, n, True)
        taken_files.add(name.lower())
        out.append(f"{folder}/{name}")
    return out


def _safe_cell(v: object) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


def manifest_csv(entries: Sequence[EvidenceEntry], paths: Sequence[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(MANIFEST_COLUMNS)
    for e, path in zip(entries, paths):
        w.writerow([_safe_cell(v) for v in (e.project_code, e.unit_name, e.project_name, e.item, e.filename, path,
                                            e.size, e.sha256, e.uploader, format_time(e.uploaded_at))])
    return buf.getvalue().encode("utf-8-sig")


def _stamp(at: datetime | None) -> tuple[int, int, int, int, int, int]:
    local = to_local(at) if at is not None else None
    if local is None or local.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def evidence_zip(files: Iterable[tuple[EvidenceEntry, bytes]]) -> bytes:
    """The ZIP of these files (entry, bytes) with the manifest at the top."""
    items = list(files)
    entries = [e for e, _ in items]
    paths = zip_paths(entries)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(MANIFEST_NAME, date_time=_stamp(None)), manifest_csv(entries, paths),
                   compress_type=zipfile.ZIP_DEFLATED)
        for (e, data), path in zip(items, paths):
            info = zipfile.ZipInfo(path, date_time=_stamp(e.uploaded_at))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


__all__ = ["MANIFEST_NAME", "MANIFEST_COLUMNS", "NO_CODE", "EvidenceEntry", "path_part", "project_folder", "zip_paths",
           "manifest_csv", "evidence_zip"]
