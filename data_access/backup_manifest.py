"""What a backup says about itself, and the Chinese error messages every backup step shares.

Definitions chosen here:

* A backup carries a **manifest**: format tag, source kind (``sqlite`` / ``postgresql``), the Alembic
  schema revision, created-at (UTC, ISO 8601), and the row count of every table at the instant the copy
  was taken (the counts are taken from the copy itself on SQLite and inside the dump's snapshot on
  PostgreSQL, so they match the data exactly even while the app keeps writing). A PostgreSQL manifest
  also holds the dump's SHA-256, so a damaged or swapped dump is refused before anything is replaced.
* Where the manifest lives: inside an SQLite backup as the one-row table :data:`MANIFEST_TABLE` (one
  self-contained file); next to a PostgreSQL dump as the sidecar ``FILE.json`` (a ``pg_dump`` archive has
  no room for it, and the dump stays usable with plain ``pg_restore``).
* A schema revision is *known* when this code's migrations contain it; a backup from a newer schema is
  refused (this code would not understand its tables). An older one is restored and then upgraded.
* Every refusal is a :class:`BackupError` whose text is one Chinese line for the administrator.
"""

from __future__ import annotations

import errno
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from alembic.script import ScriptDirectory

from data_access.db import MIGRATIONS

FORMAT = "jixiao-monitoring-backup/1"
MANIFEST_TABLE = "backup_manifest"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# tables whose rows are bookkeeping, not content: a database holding only these counts as empty
BOOKKEEPING_TABLES = frozenset({"alembic_version", "data_version", MANIFEST_TABLE})

TABLE_LABELS: dict[str, str] = {
    "fiscal_year": "年度",
    "area": "领域",
    "unit": "责任单位",
    "project": "项目",
    "plan_checkpoint": "支出计划节点",
    "indicator": "指标",
    "period": "填报期",
    "indicator_actual": "指标填报",
    "spending_actual": "预算执行填报",
    "app_user": "用户账户",
    "user_unit": "用户责任单位",
    "login_session": "登录会话",
    "login_throttle": "登录限流",
    "audit_log": "审计日志",
    "budget_adjustment": "预算调整",
    "target_adjustment": "指标调整",
    "setting": "规则设置",
    "evidence_file": "佐证材料",
    "evidence_content": "佐证材料内容",
    "rectification": "整改事项",
    "data_version": "数据版本",
    "alembic_version": "表结构版本",
}


class BackupError(Exception):
    """A refused or failed backup/restore step; ``str(e)`` is one Chinese line."""


@dataclass(frozen=True)
class Manifest:
    kind: str
    schema_revision: str | None
    created_at: str
    tables: dict[str, int] = field(default_factory=dict)
    sha256: str | None = None
    format: str = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        """Parse a manifest; anything else is "not a backup of this system"."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("format")
            tables = {str(k): int(v) for k, v in dict(data["tables"]).items()}
            return cls(kind=str(data["kind"]), schema_revision=data.get("schema_revision"),
                       created_at=str(data["created_at"]), tables=tables, sha256=data.get("sha256"))
        except (ValueError, KeyError, TypeError) as e:
            raise BackupError(f"不是本系统的备份文件：{where} 的备份清单无法识别") from e


def table_label(name: str) -> str:
    return TABLE_LABELS.get(name, name)


def counts_text(counts: dict[str, int], *, only_content: bool = False, limit: int = 8) -> str:
    """``项目 12 行、指标 300 行……`` (tables with rows first, biggest first)."""
    items = [(t, n) for t, n in counts.items() if n and not (only_content and t in BOOKKEEPING_TABLES)]
    items.sort(key=lambda tn: -tn[1])
    text = "、".join(f"{table_label(t)} {n} 行" for t, n in items[:limit])
    return text + ("等" if len(items) > limit else "")


def has_content(counts: dict[str, int]) -> bool:
    return any(n for t, n in counts.items() if t not in BOOKKEEPING_TABLES)


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every Alembic revision this code's migrations contain."""
    script = ScriptDirectory(str(MIGRATIONS))
    return frozenset(s.revision for s in script.walk_revisions())


def check_revision(revision: str | None, where: str) -> None:
    if revision is None:
        raise BackupError(f"不是本系统的备份文件：{where} 没有表结构版本（alembic_version）")
    if revision not in known_revisions():
        raise BackupError(
            f"备份来自更新的程序版本（表结构版本 {revision}，本程序不认识）：请先把程序升级到生成该备份的版本再恢复"
        )


def check_kind(manifest: Manifest, target_kind: str, where: str) -> None:
    if manifest.kind != target_kind:
        raise BackupError(
            f"备份类型不符：{where} 是 {KIND_LABELS.get(manifest.kind, manifest.kind)} 备份，"
            f"不能恢复到 {KIND_LABELS[target_kind]} 数据库"
        )


def file_kind(path: Path) -> str | None:
    """``sqlite`` / ``postgresql`` from the file's first bytes, or None. Raises for a missing/unreadable file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        raise BackupError(os_error_text(e, path)) from e
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def os_error_text(e: OSError, path: Path | str) -> str:
    """One Chinese line for a file-system error."""
    if isinstance(e, FileNotFoundError):
        return f"文件或目录不存在：{path}"
    if isinstance(e, PermissionError) or e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有权限：{path}（请检查文件和目录的权限，或以有权限的用户运行）"
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"磁盘空间不足：{path}（请清理磁盘或换一个目录）"
    if isinstance(e, IsADirectoryError):
        return f"这是一个目录，不是文件：{path}"
    return f"文件操作失败：{path}（{e.strerror or e.__class__.__name__}）"


__all__ = ["FORMAT", "MANIFEST_TABLE", "BOOKKEEPING_TABLES", "TABLE_LABELS", "KIND_LABELS", "BackupError", "Manifest",
           "table_label", "counts_text", "has_content", "known_revisions", "check_revision", "check_kind",
           "file_kind", "os_error_text"]
