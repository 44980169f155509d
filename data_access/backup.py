"""Backup and restore of the whole database (``manage.py backup`` / ``manage.py restore``).

Definitions chosen here:

* A backup is *everything*: targets, values, audit log, user accounts with their password hashes, settings.
  SQLite: one ``.db`` file (an online, consistent copy; see :mod:`data_access.backup_sqlite`). PostgreSQL:
  a ``pg_dump`` custom archive ``.dump`` plus its manifest ``.dump.json`` (see :mod:`data_access.backup_pg`).
  What a manifest holds is in :mod:`data_access.backup_manifest`.
* Written atomically: into a hidden temporary file in the target folder, flushed to disk, then renamed
  (the PostgreSQL manifest first, its dump last), so an interrupted backup never leaves a half file
  under the final name. A backup does not upgrade the source schema: it copies the database as it is.
* ``-o`` naming a folder (existing, or written with a trailing ``/``) means a dated name
  ``monitoring-YYYYMMDD.db|dump`` (the date in Beijing); ``keep=N`` then keeps the newest N files of
  that name pattern and kind and deletes older ones (never any other file in the folder).
* Restore checks the backup completely before anything is replaced, and refuses a target that holds
  content (any row outside the bookkeeping tables) unless ``replace=True``. After the replacement: the row
  counts must equal the manifest, the revision counter is moved past both the old and the restored value
  (so no cached read of the old data is ever served again), the schema is migrated (an older backup is
  upgraded), and the audit row is written.
* Both act as the built-in administrator and leave an audit row (``backup`` / ``restore`` on ``database``)
  in the database they touched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from data_access import backup_pg as pg
from data_access import backup_sqlite as lite
from data_access.actuals import SYSTEM_ADMIN
from data_access.backup_manifest import (
    KIND_LABELS,
    BackupError,
    Manifest,
    check_revision,
    counts_text,
    file_kind,
    has_content,
    os_error_text,
)
from data_access.db import Changed, bump_revision, database_url, make_engine, migrate, session_scope
from data_access.models import AuditLog
from domain.clock import today_local, utcnow

EXTENSIONS = {"sqlite": "db", "postgresql": "dump"}
NAME_RE = re.compile(r"^monitoring-(\d{8})\.(db|dump)$")
ENTITY = "database"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: Manifest
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    replaced: dict[str, int]  # the target's row counts before the restore
    schema_revision: str | None  # after the migration


def kind_of(url: str | None) -> str:
    u = database_url(url)
    if u.startswith("sqlite"):
        return "sqlite"
    if u.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"不支持的数据库类型：{u.split(':', 1)[0]}（只支持 SQLite 和 PostgreSQL）")


def _sqlite_file(engine: Engine) -> Path:
    db = engine.url.database
    if not db or db == ":memory:":
        raise BackupError("内存数据库无法备份或恢复：请用 --db 指定数据库文件")
    return Path(db)


def output_path(out: str | Path, kind: str, now: datetime | None = None) -> tuple[Path, bool]:
    """(the file to write, whether ``out`` named a folder). A folder named with a trailing ``/`` is created
    (readable by its owner only: backups hold password hashes)."""
    folder = Path(out)
    if str(out).endswith(("/", os.sep)) and not folder.is_dir():
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as e:
            raise BackupError(os_error_text(e, folder)) from e
    if folder.is_dir():
        return folder / f"monitoring-{today_local(now):%Y%m%d}.{EXTENSIONS[kind]}", True
    return folder, False


def rotate(folder: Path, kind: str, keep: int) -> tuple[Path, ...]:
    """Delete all but the newest ``keep`` dated backups of ``kind`` in ``folder`` (by the date in the name)."""
    ext = EXTENSIONS[kind]
    ours = sorted((p for p in folder.iterdir() if (m := NAME_RE.match(p.name)) and m.group(2) == ext and p.is_file()),
                  key=lambda p: p.name, reverse=True)
    removed = []
    for p in ours[keep:]:
        p.unlink()
        pg.sidecar(p).unlink(missing_ok=True)
        removed.append(p)
    return tuple(removed)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_backup(engine: Engine, url: str | None, kind: str, target: Path) -> Manifest:
    """Write the backup under temporary names next to ``target``, then rename into place."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp_side = pg.sidecar(tmp)
    created = utcnow().isoformat(timespec="seconds")
    try:
        if not target.parent.is_dir():
            raise BackupError(f"目录不存在：{target.parent}")
        if kind == "sqlite":
            if target.resolve() == _sqlite_file(engine).resolve():
                raise BackupError(f"备份文件不能是数据库文件本身：{target}（请换一个文件名或目录）")
            manifest = lite.backup_sqlite(_sqlite_file(engine), tmp, created)
        else:
            manifest = pg.backup_pg(engine, url, tmp, created)
            tmp_side.write_text(manifest.to_json(), encoding="utf-8")
            os.chmod(tmp_side, 0o600)
            _fsync(tmp_side)
            os.replace(tmp_side, pg.sidecar(target))
        os.chmod(tmp, 0o600)  # everything, password hashes included: owner only
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(target.parent)
    except OSError as e:
        raise BackupError(os_error_text(e, target)) from e
    finally:
        for p in (tmp, tmp_side, tmp.with_name(tmp.name + "-journal")):
            p.unlink(missing_ok=True)
    return manifest


def backup_database(url: str | None, out: str | Path, *, keep: int | None = None,
                    now: datetime | None = None) -> BackupResult:
    """Back the database of ``url`` up to ``out`` (a file, or a folder for dated names and ``keep``)."""
    kind = kind_of(url)
    target, folder = output_path(out, kind, now)
    if keep is not None and (not folder or keep < 1):
        raise BackupError("--keep N 需要 -o 指定一个目录（以 / 结尾或已存在），且 N 至少为 1")
    engine = make_engine(url)
    try:
        manifest = _write_backup(engine, url, kind, target)
        size = target.stat().st_size
        removed = rotate(target.parent, kind, keep) if keep is not None else ()
        _audit(engine, "backup", str(target),
               f"{KIND_LABELS[kind]} 备份：{target.name}，{format_size(size)}，{len(manifest.tables)} 张表")
    except SQLAlchemyError as e:
        raise BackupError(f"数据库错误：{_first_line(e)}") from e
    except OSError as e:
        raise BackupError(os_error_text(e, target)) from e
    finally:
        engine.dispose()
    return BackupResult(path=target, size=size, manifest=manifest, removed=removed)


def _check_backup(path: Path, kind: str) -> Manifest:
    found = file_kind(path)
    if found is None:
        raise BackupError(f"不是本系统的备份文件：{path}（既不是 SQLite 数据库文件，也不是 pg_dump 备份）")
    if found != kind:
        raise BackupError(f"备份类型不符：{path} 是 {KIND_LABELS[found]} 备份，不能恢复到 {KIND_LABELS[kind]} 数据库")
    return lite.check_sqlite_backup(path) if kind == "sqlite" else pg.check_pg_backup(path)


def current_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the database (``{}`` when it has no tables yet)."""
    with engine.connect() as conn:
        if not inspect(conn).get_table_names():
            return {}
        return pg.table_counts(conn)


def _data_revision(engine: Engine, counts: dict[str, int]) -> int:
    if not counts.get("data_version"):
        return 0
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT revision FROM data_version WHERE id = 1")).scalar() or 0)


def restore_database(url: str | None, path: Path, *, replace: bool = False) -> RestoreResult:
    """Replace the database of ``url`` with the backup ``path`` (checked first; see the module docstring)."""
    kind = kind_of(url)
    path = Path(path)
    manifest = _check_backup(path, kind)
    engine = make_engine(url)
    try:
        if kind == "sqlite" and not _sqlite_file(engine).exists():
            before: dict[str, int] = {}
        else:
            before = current_counts(engine)
        if has_content(before) and not replace:
            raise BackupError(f"目标数据库不是空的（{counts_text(before, only_content=True)}）：恢复会用备份"
                              f"（{manifest.created_at}）替换其中全部数据。确认无误后加 --yes 重新运行")
        old_revision = _data_revision(engine, before)
        engine.dispose()  # no pooled connection of ours holds the SQLite file while it is replaced
        if kind == "sqlite":
            lite.restore_sqlite(path, _sqlite_file(engine))
        else:
            pg.restore_pg(url, path)
        revision = _finish_restore(engine, manifest, old_revision)
        _audit(engine, "restore", str(path),
               f"从 {path.name} 恢复（备份时间 {manifest.created_at}，表结构版本 {manifest.schema_revision}）")
    except SQLAlchemyError as e:
        raise BackupError(f"数据库错误：{_first_line(e)}") from e
    finally:
        engine.dispose()
    return RestoreResult(manifest=manifest, replaced=before, schema_revision=revision)


def _finish_restore(engine: Engine, manifest: Manifest, old_revision: int) -> str | None:
    """Verify the restored rows, move the revision counter on, upgrade the schema; the final revision."""
    after = current_counts(engine)
    if after != manifest.tables:
        wrong = sorted(t for t in set(after) | set(manifest.tables) if after.get(t) != manifest.tables.get(t))
        raise BackupError(f"恢复后行数与备份清单不符（{'、'.join(wrong)}）：请检查数据库后重新恢复")
    with engine.connect() as conn:
        restored_rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    check_revision(restored_rev, "恢复后的数据库")
    restored_counter = _data_revision(engine, after)
    with session_scope(engine) as s:
        s.exec(text("DELETE FROM data_version"))
        s.exec(text("INSERT INTO data_version (id, revision) VALUES (1, :r)"),
               params={"r": max(old_revision, restored_counter)})
    migrate(engine)
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _audit(engine: Engine, action: str, file: str, detail: str) -> None:
    with session_scope(engine) as s:
        s.add(AuditLog(at=utcnow(), username=SYSTEM_ADMIN.username, action=action, entity=ENTITY, new=file,
                       detail=detail))
        bump_revision(s, Changed.nothing())  # the restored store came with the restored data


def format_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _first_line(e: Exception) -> str:
    lines = str(e).splitlines()
    return f"{e.__class__.__name__}：{lines[0] if lines else ''}"


__all__ = ["BackupError", "BackupResult", "RestoreResult", "Manifest", "backup_database", "restore_database",
           "rotate", "output_path", "kind_of", "current_counts", "format_size", "NAME_RE", "EXTENSIONS", "ENTITY"]
