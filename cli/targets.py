"""Target documents: import-targets, dump, parse-targets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import UnknownActor, acting_principal, command, engine_for, err


def _add_import_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="绩效目标表文件（.txt 文本导出、.docx 或 .xlsx）")
    p.add_argument("--year", type=int, default=None,
                   help="预算年度（默认：文件标题中写明的年度；与文件不一致时报错）")
    p.add_argument("--partial", action="store_true", help="文件有问题时仍导入能识别的表格和指标行，并列出未导入的（默认整体拒绝）")
    p.add_argument("--user", default=None, help="以该管理员账户的身份导入（默认：内置管理员 system-admin，记入审计日志）")
    p.add_argument("--confirm", action="store_true",
                   help="确认修改已有填报数据的指标（不加时只列出这些修改，不导入）")


def _print_grouped(problems, printer) -> None:
    from seed.target_import import grouped

    for kind, items in grouped(problems):
        printer(f"  【{kind}】{len(items)}处：")
        for p in items:
            printer(f"    - {p}")


@command("import-targets", "导入绩效目标表（部门整体绩效目标 + 项目绩效目标表）", _add_import_targets)
def cmd_import_targets(args) -> int:
    from data_access.permissions import PermissionDenied
    from data_access.targets import ChangesNeedConfirmation, ImportRefused
    from documents.targets_io import DocumentError, YearUnknown
    from seed.target_import import change_lines, run

    if not args.file.exists():
        err(f"找不到文件：{args.file}")
        return 2
    engine = engine_for(args)
    try:
        result = run(engine, args.file.read_bytes(), args.file.name, args.year, by=acting_principal(engine, args.user),
                     partial=args.partial, confirm=args.confirm)
    except YearUnknown as e:
        err(f"导入失败：{e}（加 --year 2024 这样的参数）")
        return 1
    except (DocumentError, PermissionDenied, UnknownActor) as e:
        err(f"导入失败：{e}")
        return 1
    except ImportRefused as e:
        err("导入失败，文件中有以下问题（数据库未作任何改动；如需只导入能识别的部分，请加 --partial）：")
        _print_grouped(e.problems, err)
        return 1
    except ChangesNeedConfirmation as e:
        err(f"新文件修改了{len(e.changes)}处已有填报数据的指标，数据库未作任何改动。请核对后加 --confirm 重新导入：")
        for c in e.changes:
            err(f"  - {c}")
        return 1
    print(f"导入完成：{result.summary()}")
    for line in change_lines(result):
        print(f"  {line}")
    for c in result.confirmed:
        print(f"  已确认修改：{c}")
    if result.skipped:
        print("未导入（--partial）：")
        _print_grouped(result.skipped, print)
    return 0


def _add_year(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, default=None, help="预算年度（默认最新）")


@command("dump", "以JSON输出已导入的绩效目标", _add_year)
def cmd_dump(args) -> int:
    from data_access.targets import dump

    data = dump(engine_for(args), args.year)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _add_parse_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, default=2024, help="没有写年份的日期所属的预算年度")


@command("parse-targets", "逐行解析标准输入中的指标值，每行输出一个JSON对象", _add_parse_targets)
def cmd_parse_targets(args) -> int:
    from domain.targets import parse_target

    for line in sys.stdin:
        raw = line.rstrip("\r\n")
        sys.stdout.write(json.dumps(parse_target(raw, args.year).public_dict(), ensure_ascii=False) + "\n")
    return 0


