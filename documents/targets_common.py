"""What every target-document reader shares: the one error a reader raises and the size limits.

Imports go one way: the format readers (``targets_txt``, ``targets_docx``, ``targets_xlsx``) import
this module, ``targets_io`` imports them and dispatches on the detected format. ``DocumentError`` is
also the error of the actuals template reader, so a page or the CLI catches one type.
"""

from __future__ import annotations

import io
import zipfile

MAX_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused before it is opened
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an Office file unpacking to more is a zip bomb, or no target document
MAX_ROWS = 1_048_576  # Excel's limit: a sheet claiming more rows is not a real workbook
MAX_RATIO = 100  # a part unpacking to more than 100 times its packed size ...
RATIO_FLOOR = 5 * 1024 * 1024  # ... and to more than this is a zip bomb (Office XML packs 5-20 times)
MAX_MEMBERS = 10_000
_MB = 1024 * 1024


class DocumentError(ValueError):
    """The file cannot be read at all. The message is Chinese and names the problem."""


def check_zip(data: bytes, what: str, max_unpacked: int = MAX_UNPACKED_BYTES) -> set[str]:
    """Refuse an Office file (a zip) before anything unpacks it: more than ``max_unpacked`` bytes in
    total, a part that unpacks to more than ``MAX_RATIO`` times its packed size (beyond
    ``RATIO_FLOOR``), or more than ``MAX_MEMBERS`` parts. The sizes come from the zip's directory;
    ``zipfile`` never unpacks more than a part declares. Returns the part names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
        raise DocumentError(f"{what}已损坏：看起来是Office文档，但无法打开（可能下载不完整）") from e
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(f"{what}包含的部件过多（{len(infos)}个），不是正常的Office文件")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        raise DocumentError(f"{what}解压后过大（{unpacked / _MB:.0f} MB，上限{max_unpacked // _MB} MB），"
                            "可能是“压缩炸弹”或并非正常文件，已拒绝")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise DocumentError(f"{what}中的“{i.filename}”压缩比异常（{i.file_size / max(i.compress_size, 1):.0f}倍），"
                                "可能是“压缩炸弹”，已拒绝")
    return {i.filename for i in infos}


__all__ = ["DocumentError", "MAX_BYTES", "MAX_UNPACKED_BYTES", "MAX_ROWS", "MAX_RATIO", "check_zip"]
