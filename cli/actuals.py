"""Data entry from files: export-template, import-actuals."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import command, engine_for, err

SYSTEM_NOTE = "命令行导入（未指定 --user，以内置管理员 system-admin 身份）"


def _add_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", required=True, help="填报期，如 2024Q3 或 2024-09")
    p.add_argument("--unit", default=None, help="责任单位名称（默认：全部单位）")
    p.add_argument("-o", "--output", required=True, type=Path, help="输出的 .xlsx 文件")


@command("export-template", "导出某单位某填报期的Excel填报模板（预填项目、指标、目标和上期值）", _add_export)
def cmd_export_template(args) -> int:
    from data_access.actuals import SYSTEM_ADMIN, editable_projects, entry_frame, period_state, spending_frame
    from documents.actuals_template import build_template
    from domain.periods import parse_period

    try:
        code = parse_period(args.period).key
    except ValueError as e:
        err(str(e))
        return 2
    engine = engine_for(args)
    state = period_state(engine, code)
    if state is None:
        err(f"填报期{code}不存在（请先导入该年度的绩效目标）")
        return 2
    projects = editable_projects(engine, SYSTEM_ADMIN, parse_period(code).year)
    if args.unit:
        units = sorted({u for u in projects["unit"].dropna()})
        projects = projects[projects["unit"] == args.unit.strip()]
        if projects.empty:
            err(f"找不到责任单位“{args.unit}”的项目。可选：{'、'.join(units)}")
            return 2
    ids = [int(i) for i in projects["id"]]
    if not ids:
        err("没有项目：请先导入绩效目标表")
        return 2
    rows = entry_frame(engine, SYSTEM_ADMIN, code, ids)
    spending = spending_frame(engine, SYSTEM_ADMIN, code, ids)
    data = build_template(rows.to_dict("records"), state.label, spending=spending.to_dict("records"),
                          period_code=code, unit_label=args.unit or "")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    lock = f"（该填报期{state.state_label}，导入会被拒绝）" if state.read_only else ""
    print(f"已导出填报模板：{args.output}（{state.label}，{len(ids)}个项目，{len(rows)}个指标）{lock}")
    return 0


def _add_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="填好的 .xlsx 填报模板，或 CSV 文件")
    p.add_argument("--user", default=None,
                   help="以该用户身份导入（按其权限；默认以内置管理员 system-admin 身份，并记入审计日志）")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出将要修改的内容，不保存")


@command("import-actuals", "导入填报数据（Excel填报模板或CSV）：逐行校验，合格的行保存，不合格的行列出原因", _add_import)
def cmd_import_actuals(args) -> int:
    from data_access.actuals import SYSTEM_ADMIN, import_actuals
    from data_access.permissions import PermissionDenied
    from data_access.users import principal_for
    from documents.actuals_template import DocumentError, read_actuals_file

    if not args.file.exists():
        err(f"找不到文件：{args.file}")
        return 2
    engine = engine_for(args)
    if args.user:
        principal = principal_for(engine, args.user.strip().lower())
        if principal is None:
            err(f"用户不存在或已停用：{args.user}")
            return 2
        note = "命令行导入"
    else:
        principal = SYSTEM_ADMIN
        note = SYSTEM_NOTE
    try:
        parsed = read_actuals_file(args.file.read_bytes(), args.file.name)
        result = import_actuals(engine, principal, parsed, dry_run=args.dry_run, source="cli", note=note)
    except DocumentError as e:
        err(f"导入失败：{e}")
        return 2
    except PermissionDenied as e:
        err(f"导入失败：{e}")
        return 2
    who = principal.username + ("（内置管理员）" if principal is SYSTEM_ADMIN else "")
    print(f"{'检查' if args.dry_run else '导入'}完成（操作人：{who}）：{result.summary()}")
    for ch in result.changes:
        print(f"  {ch.where} {ch.item} {ch.label}：{ch.old if ch.old is not None else '（空）'} → "
              f"{ch.new if ch.new is not None else '（空）'}")
    if result.errors or result.conflicts:
        err("以下行未保存：")
        for problem in result.errors:
            item = f" {problem.item}" if problem.item else ""
            err(f"  {problem.where}{item}：{problem.message}")
        for where, item, c in result.conflicts:
            err(f"  {where} {item}：{c.message()}")
        return 1
    return 0
