"""The reporting chain on the command line: remind (who has what outstanding for a period), set-unit-reviewer."""

from __future__ import annotations

import argparse

from cli import acting_principal, command, engine_for, err


def _add_remind(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", required=True, help="填报期，如 2024Q3 或 2024-09；current 为当前填报期（填报页面默认的一期）")
    p.add_argument("--dry-run", action="store_true", help="只列出，不发送（即使已配置邮件或webhook）")


@command("remind", "列出某填报期每个人的待办（被退回、待填报、待送审、待审核、逾期）；配置了邮件或webhook时发送", _add_remind)
def cmd_remind(args) -> int:
    from data_access.actuals import default_entry_period, period_state
    from data_access.config import config_from
    from data_access.reminders import SendFailed, message_text, reminders, send
    from domain.periods import parse_period

    engine = engine_for(args)
    if args.period.strip().lower() == "current":
        code = default_entry_period(engine) or ""
        if not code:
            err("没有填报期：请先导入绩效目标")
            return 1
    else:
        try:
            code = parse_period(args.period).key
        except ValueError as e:
            err(str(e))
            return 2
    if period_state(engine, code) is None:
        err(f"填报期{code}不存在（请先导入该年度的绩效目标）")
        return 2
    items = reminders(engine, code)
    text = message_text(code, items)
    print(text if items else f"{code}：没有待办事项。")
    config = config_from().remind
    if not items:
        return 0
    if args.dry_run or not (config.webhook_url or config.mail):
        why = "--dry-run" if args.dry_run else "未配置 REMIND_WEBHOOK_URL 或 REMIND_SMTP_HOST/REMIND_SMTP_TO"
        print(f"（只列出，未发送：{why}）")
        return 0
    try:
        done = send(config, f"{code}待办提醒", text)
    except SendFailed as e:
        err(str(e))
        return 1
    print("；".join(done))
    return 0


def _add_reviewer(p: argparse.ArgumentParser) -> None:
    p.add_argument("username", help="科室填报人员的用户名")
    p.add_argument("--off", action="store_true", help="取消科长（初审）")
    p.add_argument("--user", default=None, help="以该管理员身份操作（默认内置管理员 system-admin）")


@command("set-unit-reviewer", "把科室填报人员设为（或 --off 取消）科长：两级审核时先初审本单位送审的项目", _add_reviewer)
def cmd_set_unit_reviewer(args) -> int:
    from data_access.review.people import set_unit_reviewer

    engine = engine_for(args)
    changed = set_unit_reviewer(engine, acting_principal(engine, args.user), args.username, not args.off)
    what = "取消科长" if args.off else "设为科长（初审）"
    print(f"已{what}：{args.username}" if changed else f"{args.username}已是该状态，未修改")
    return 0
