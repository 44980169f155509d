"""The bomb rule every uploaded zip-based file meets before anything unpacks it (docs/rules.md §10.4).

Pure code: the standard library's ``zipfile`` reads the zip's directory from memory; nothing is written
or unpacked. The target and template importers (``documents.targets_common.check_zip``) and the evidence
upload (``domain.evidence_files``) apply it with their own unpacked-size limit.

Definitions chosen here: a zip is refused when it cannot be opened, when it has more than
:data:`MAX_MEMBERS` parts, when its parts unpack to more than the caller's limit in total, or when one
part unpacks to more than :data:`MAX_RATIO` times its packed size *and* to more than :data:`RATIO_FLOOR`
(Office XML packs 5–20 times; a bomb packs thousands of times). The sizes come from the zip's
directory; ``zipfile`` never unpacks more than a part declares, so a lying directory fails instead of
growing.
"""

from __future__ import annotations

import io
import zipfile

MB = 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 5 * MB
MAX_MEMBERS = 10_000


def zip_problem(data: bytes, what: str, max_unpacked: int) -> tuple[str | None, set[str]]:
    """(a Chinese problem naming ``what``, or None; the part names when there is no problem)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return f"{what}已损坏：看起来是Office文档，但无法打开（可能下载不完整）", set()
    if len(infos) > MAX_MEMBERS:
        return f"{what}包含的部件过多（{len(infos)}个），不是正常的Office文件", set()
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        return (f"{what}解压后过大（{unpacked / MB:.0f} MB，上限{max_unpacked // MB} MB），"
                "可能是“压缩炸弹”或并非正常文件，已拒绝"), set()
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return (f"{what}中的“{i.filename}”压缩比异常（{i.file_size / max(i.compress_size, 1):.0f}倍），"
                    "可能是“压缩炸弹”，已拒绝"), set()
    return None, {i.filename for i in infos}


__all__ = ["MB", "MAX_RATIO", "RATIO_FLOOR", "MAX_MEMBERS", "zip_problem"]
