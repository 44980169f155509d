"""backup and restore: the whole database to one file (SQLite) or a pg_dump archive with its manifest.

Unlike the other commands, ``backup`` does not upgrade the schema first (it copies the database as it
is); ``restore`` upgrades the restored database after checking it. Every failure is one Chinese line on
stderr and exit status 1; the target is left unchanged (see ``data_access.backup``).
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from cli import command, err


def _friendly(fn):
    """One Chinese line and a non-zero exit status instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(args) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from data_access.backup import BackupError
        from data_access.backup_manifest import os_error_text

        try:
            return int(fn(args) or 0)
        except BackupError as e:
            err("操作失败：" + " ".join(str(e).splitlines()))  # one line, whatever a tool or SQLite said
        except SQLAlchemyError as e:
            first = str(e).splitlines()[0] if str(e) else ""
            err(f"数据库错误（无法连接或读取数据库）：{e.__class__.__name__}：{first}")
        except OSError as e:
            err(f"操作失败：{os_error_text(e, e.filename or '')}")
        except KeyboardInterrupt:
            err("已取消（未完成的备份文件已删除，目标未改变）")
            return 130
        return 1

    return wrapper


def _print_counts(manifest) -> None:
    from data_access.backup_manifest import table_label

    for table, n in sorted(manifest.tables.items()):
        print(f"  {table_label(table)}（{table}）：{n} 行")


def _add_backup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="备份文件；若为目录（已存在或以 / 结尾）则写入 monitoring-YYYYMMDD.db（PostgreSQL 为 .dump）")
    p.add_argument("--keep", type=int, default=None, metavar="N",
                   help="-o 为目录时只保留最新的 N 份本命令生成的备份，删除更早的")


@command("backup", "在线备份整个数据库（应用运行时也可；含全部数据、审计日志和账户密码哈希，请妥善保管）", _add_backup)
@_friendly
def cmd_backup(args) -> int:
    from data_access.backup import backup_database, format_size

    result = backup_database(args.db, args.output, keep=args.keep)
    m = result.manifest
    print(f"已备份到 {result.path}（{format_size(result.size)}，{len(m.tables)} 张表，"
          f"表结构版本 {m.schema_revision}，{m.created_at} UTC）")
    _print_counts(m)
    for p in result.removed:
        print(f"已删除旧备份：{p.name}")
    return 0


def _add_restore(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="manage.py backup 生成的备份文件")
    p.add_argument("--yes", action="store_true", help="目标数据库已有数据时确认用备份替换")


@command("restore", "从备份恢复整个数据库（先检查备份；目标已有数据时需加 --yes；恢复后自动升级表结构）", _add_restore)
@_friendly
def cmd_restore(args) -> int:
    from data_access.backup import restore_database
    from data_access.backup_manifest import counts_text

    result = restore_database(args.db, Path(args.file), replace=args.yes)
    m = result.manifest
    print(f"已从 {args.file} 恢复（备份时间 {m.created_at} UTC，{len(m.tables)} 张表，行数与备份清单一致；"
          f"表结构版本 {m.schema_revision} → {result.schema_revision}）")
    if result.replaced:
        print(f"被替换的原有数据：{counts_text(result.replaced, only_content=True) or '无'}")
    _print_counts(m)
    return 0
