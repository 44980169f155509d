"""PostgreSQL backup and restore with the client tools ``pg_dump`` / ``pg_restore``.

Definitions chosen here:

* **Backup** is ``pg_dump --format=custom`` run on a snapshot exported from our own REPEATABLE READ
  transaction (``pg_export_snapshot()`` + ``pg_dump --snapshot``): the row counts of the manifest are
  counted in that same snapshot, so they equal what the dump holds even while the app writes. The
  manifest (with the dump's SHA-256) is the sidecar ``FILE.json``.
* **Check** before anything is replaced: the sidecar exists and parses, its SHA-256 matches the dump
  (a truncated or swapped file is refused), the schema revision is known, ``pg_restore --list`` reads it.
* **Restore** is ``pg_restore --clean --if-exists --no-owner --single-transaction``: the dump's tables are
  dropped and recreated in one transaction, so a failure leaves the target as it was.
* Connection details go to the tools as ``PG*`` environment variables (never the password on a command
  line, where ``ps`` would show it). The tools are found with ``shutil.which``; their major version must
  not be older than the server's (``pg_dump`` refuses otherwise, and that message is passed on).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from data_access.backup_manifest import BackupError, Manifest, check_kind, check_revision, os_error_text
from data_access.db import database_url

# URL query parameters libpq also reads from the environment
_QUERY_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
              "connect_timeout": "PGCONNECT_TIMEOUT", "host": "PGHOST", "port": "PGPORT"}


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：PostgreSQL 的备份和恢复需要 PostgreSQL 客户端工具，请安装 Debian 软件包 "
                          "postgresql-client（apt-get install postgresql-client，主版本不低于服务器）")
    return found


def tool_env(url: str | None) -> dict[str, str]:
    """The environment that points libpq tools at the database of ``url``."""
    u = make_url(database_url(url))
    env = dict(os.environ)
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username),
                       ("PGPASSWORD", u.password), ("PGDATABASE", u.database)):
        if value is not None:
            env[key] = str(value)
    for key, qvalue in u.query.items():
        if key in _QUERY_ENV:
            env[_QUERY_ENV[key]] = qvalue if isinstance(qvalue, str) else qvalue[0]
    return env


def _run(cmd: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except OSError as e:
        raise BackupError(f"{what}失败：{os_error_text(e, cmd[0])}") from e
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        detail = lines[-1] if lines else f"退出码 {done.returncode}"
        for ln in lines:  # the first "error:" line says why; later lines are consequences
            if "error:" in ln or "错误" in ln:
                detail = ln
                break
        raise BackupError(f"{what}失败：{detail}")
    return done.stdout


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table of the current schema (quoted names: any table name is safe)."""
    quote = conn.dialect.identifier_preparer.quote
    names = sorted(inspect(conn).get_table_names())
    return {t: int(conn.execute(text(f"SELECT count(*) FROM {quote(t)}")).scalar() or 0) for t in names}


def schema_revision(conn: Connection, counts: dict[str, int]) -> str | None:
    if not counts.get("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup_pg(engine: Engine, url: str | None, tmp: Path, created_at: str) -> Manifest:
    """``pg_dump`` into ``tmp`` on the snapshot the manifest's counts are taken in."""
    pg_dump = tool("pg_dump")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        counts = table_counts(conn)
        revision = schema_revision(conn, counts)
        if revision is None:
            raise BackupError("不是本系统的数据库（没有表结构版本 alembic_version），未备份")
        _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={tmp}"],
             tool_env(url), "pg_dump 备份")
    return Manifest(kind="postgresql", schema_revision=revision, created_at=created_at, tables=counts,
                    sha256=sha256_of(tmp))


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def check_pg_backup(path: Path) -> Manifest:
    """The dump's manifest after checking the pair (dump, ``.json``) is whole and restorable here."""
    side = sidecar(path)
    try:
        body = side.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise BackupError(f"缺少备份清单 {side}：PostgreSQL 备份由两个文件组成（{path.name} 和 {side.name}），"
                          "请把两个文件放在同一目录") from e
    except (OSError, UnicodeDecodeError) as e:
        raise BackupError(f"无法读取备份清单：{side}") from e
    manifest = Manifest.from_json(body, str(side))
    check_kind(manifest, "postgresql", str(path))
    try:
        digest = sha256_of(path)
    except OSError as e:
        raise BackupError(os_error_text(e, path)) from e
    if digest != manifest.sha256:
        raise BackupError(f"备份文件已损坏（校验和与备份清单不符）：{path}")
    check_revision(manifest.schema_revision, str(path))
    _run([tool("pg_restore"), "--list", str(path)], dict(os.environ), "读取备份目录")
    return manifest


def restore_pg(url: str | None, path: Path) -> None:
    """Replace the dump's objects in the target database, in one transaction."""
    env = tool_env(url)
    _run([tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password",
          f"--dbname={env.get('PGDATABASE', '')}", str(path)], env, "pg_restore 恢复")


__all__ = ["backup_pg", "check_pg_backup", "restore_pg", "table_counts", "schema_revision", "sidecar", "tool",
           "tool_env", "sha256_of"]
