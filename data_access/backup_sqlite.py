"""SQLite backup and restore through SQLite's online backup API (``sqlite3.Connection.backup``).

Definitions chosen here:

* **Backup** copies the live database, WAL included, in one step: one read transaction, so the copy is
  the database as of one instant while the app keeps writing (in WAL mode readers do not block writers).
  A plain file copy would miss everything still in ``-wal``. The manifest is then added to the copy as the
  table :data:`~data_access.backup_manifest.MANIFEST_TABLE`, the copy is switched to ``journal_mode=DELETE``
  (one self-contained file) and handed back to the caller to be renamed into place.
* **Check** opens the backup read-only: ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` must be
  clean, the manifest must be there, and every table's row count must equal the manifest's.
* **Restore** writes the backup into the target *through the backup API*, not by renaming files: the
  target changes in one write transaction (all pages or none; a full disk rolls it back), connections the
  app holds open see the restored data at their next read, and no stale ``-wal``/``-shm`` can
  resurrect old pages. It is safe while the app runs; users should still be told, since their screens
  jump to the restored state. The manifest table is dropped from the target right after.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from data_access.backup_manifest import MANIFEST_TABLE, BackupError, Manifest, check_kind, check_revision

_CODE_TEXT = {
    sqlite3.SQLITE_FULL: "磁盘空间不足",
    sqlite3.SQLITE_READONLY: "没有写权限（只读）",
    sqlite3.SQLITE_PERM: "没有权限",
    sqlite3.SQLITE_CANTOPEN: "无法打开（文件不存在或没有权限）",
    sqlite3.SQLITE_BUSY: "数据库被占用，等待超时",
    sqlite3.SQLITE_LOCKED: "数据库被锁定",
}


def sqlite_error_text(e: sqlite3.Error, path: Path) -> str:
    code = getattr(e, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return f"文件已损坏或不是SQLite数据库：{path}"
    reason = _CODE_TEXT.get(primary, str(e)) if primary is not None else str(e)
    return f"SQLite 操作失败：{path}（{reason}）"


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY name").fetchall()
    return [r[0] for r in rows]


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (the manifest table itself left out)."""
    return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            for t in _tables(conn) if t != MANIFEST_TABLE}


def schema_revision(conn: sqlite3.Connection) -> str | None:
    if "alembic_version" not in _tables(conn):
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)


def backup_sqlite(source: Path, tmp: Path, created_at: str) -> Manifest:
    """Copy ``source`` (live, WAL or not) into the new file ``tmp`` and write the manifest into it."""
    if not source.is_file():
        raise BackupError(f"数据库文件不存在：{source}")
    try:
        src = sqlite3.connect(str(source), timeout=30)
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, source)) from e
    try:
        if schema_revision(src) is None:
            raise BackupError(f"不是本系统的数据库（没有表结构版本 alembic_version）：{source}，未备份")
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            manifest = Manifest(kind="sqlite", schema_revision=schema_revision(dst), created_at=created_at,
                                tables=table_counts(dst))
            dst.execute(f"CREATE TABLE {MANIFEST_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)")
            dst.execute(f"INSERT INTO {MANIFEST_TABLE} (id, body) VALUES (1, ?)", (manifest.to_json(),))
            dst.commit()
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, source)) from e
    finally:
        src.close()
    return manifest


def check_sqlite_backup(path: Path) -> Manifest:
    """The backup's manifest after checking the file is whole and is a backup of this system."""
    try:
        conn = _open_readonly(path)
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, path)) from e
    try:
        problems = [ln.strip() for r in conn.execute("PRAGMA integrity_check(20)").fetchall()
                    for ln in str(r[0]).splitlines() if ln.strip() and not ln.startswith("***")]
        if problems != ["ok"]:
            raise BackupError(f"备份文件已损坏（完整性检查未通过：{problems[0] if problems else '?'}）：{path}")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError(f"备份文件已损坏（外键检查未通过）：{path}")
        if MANIFEST_TABLE not in _tables(conn):
            raise BackupError(f"不是本系统的备份文件（没有备份清单）：{path}。请用 manage.py backup 生成的文件")
        row = conn.execute(f"SELECT body FROM {MANIFEST_TABLE} WHERE id = 1").fetchone()
        manifest = Manifest.from_json(row[0] if row else "", str(path))
        check_kind(manifest, "sqlite", str(path))
        check_revision(schema_revision(conn), str(path))
        if table_counts(conn) != manifest.tables:
            raise BackupError(f"备份文件已损坏（各表行数与备份清单不符）：{path}")
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, path)) from e
    finally:
        conn.close()
    return manifest


def restore_sqlite(backup: Path, target: Path) -> None:
    """Replace the whole target database with the (checked) backup, in one write transaction."""
    try:
        src = _open_readonly(backup)
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, backup)) from e
    try:
        dst = sqlite3.connect(str(target), timeout=30)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)  # one step: every page or none
            dst.execute(f"DROP TABLE IF EXISTS {MANIFEST_TABLE}")
            dst.commit()
        finally:
            dst.close()
    except sqlite3.Error as e:
        raise BackupError(sqlite_error_text(e, target)) from e
    finally:
        src.close()


__all__ = ["backup_sqlite", "check_sqlite_backup", "restore_sqlite", "table_counts", "schema_revision",
           "sqlite_error_text"]
