"""User accounts: create-user, set-password, list-users, deactivate-user, activate-user, unlock-user."""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
from datetime import datetime

from cli import UnknownActor, acting_principal, command, engine_for, err

ACTOR_HELP = "以该管理员账户的身份操作（默认：内置管理员 system-admin，记入审计日志）"


def _friendly(fn):
    """Chinese message and a non-zero exit status instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(args) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from data_access.permissions import PermissionDenied
        from data_access.users import UserError

        try:
            return int(fn(args) or 0)
        except (UserError, PermissionDenied, UnknownActor) as e:
            err(f"操作失败：{e}")
            return 1
        except SQLAlchemyError as e:
            err(f"数据库错误：{e.__class__.__name__}：{str(e).splitlines()[0] if str(e) else ''}")
            return 1
        except KeyboardInterrupt:
            err("已取消")
            return 130

    return wrapper


def _read_password_stdin() -> str:
    """The first line of standard input, without its line ending (other spaces are kept and checked)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _add_create(p: argparse.ArgumentParser) -> None:
    p.add_argument("username", help="用户名（小写字母、数字、下划线、点、连字符）")
    p.add_argument("--role", required=True, choices=["admin", "leader", "staff"],
                   help="角色：admin 管理员 / leader 领导（只读）/ staff 科室填报人员")
    p.add_argument("--unit", action="append", default=[], metavar="UNIT",
                   help="责任单位名称（staff 必填，可重复）")
    p.add_argument("--name", default=None, help="姓名（显示用，默认同用户名）")
    p.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读取密码（第一行）；不加则随机生成并只显示一次")
    p.add_argument("--user", default=None, help=ACTOR_HELP)


@command("create-user", "创建用户（密码：管理员至少10个字符、其他至少8个，最多72字节；不能是常见密码或包含用户名）",
         _add_create)
@_friendly
def cmd_create_user(args) -> int:
    from data_access.permissions import role_label
    from data_access.users import create_user, generate_password, password_problems

    if args.role == "staff" and not args.unit:
        err("操作失败：科室填报人员必须至少关联一个责任单位（用 --unit 单位名称 指定，可重复）")
        return 1
    generated = not args.password_stdin
    password = generate_password() if generated else _read_password_stdin()
    problems = password_problems(password, username=args.username.strip().lower(), role=args.role)
    if problems:
        err("操作失败：" + "；".join(problems))
        return 1
    engine = engine_for(args)
    info = create_user(engine, args.username, args.role, password, name=args.name,
                       units=args.unit, by=acting_principal(engine, args.user))
    units = f"，责任单位：{'、'.join(info.unit_names)}" if info.unit_names else ""
    print(f"已创建用户 {info.username}（{info.name}，{role_label(info.role)}{units}）")
    if generated:
        print(f"初始密码（只显示这一次，请妥善转交并提醒修改）：{password}")
    return 0


def _add_set_password(p: argparse.ArgumentParser) -> None:
    p.add_argument("username", help="用户名")
    p.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读取新密码（第一行）；不加则随机生成并只显示一次")
    p.add_argument("--user", default=None, help=ACTOR_HELP)


@command("set-password", "修改用户密码（同时解除登录锁定）", _add_set_password)
@_friendly
def cmd_set_password(args) -> int:
    from data_access.users import generate_password, password_problems, set_password

    generated = not args.password_stdin
    password = generate_password() if generated else _read_password_stdin()
    problems = password_problems(password, username=args.username.strip().lower())
    if problems:
        err("操作失败：" + "；".join(problems))
        return 1
    engine = engine_for(args)
    set_password(engine, args.username, password, by=acting_principal(engine, args.user))
    print(f"已修改用户 {args.username.strip().lower()} 的密码")
    if generated:
        print(f"新密码（只显示这一次）：{password}")
    return 0


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@command("list-users", "列出用户：用户名、姓名、角色、责任单位、是否启用、是否锁定")
@_friendly
def cmd_list_users(args) -> int:
    from data_access.users import list_users, utcnow

    now = utcnow()
    users = list_users(engine_for(args))
    if not users:
        print("还没有用户。创建：python manage.py create-user 用户名 --role admin")
        return 0
    rows = []
    for u in users:
        if u.is_locked(now):
            local: datetime = u.locked_until.astimezone()  # type: ignore[union-attr]
            locked = f"锁定至{local:%m-%d %H:%M}"
        else:
            locked = f"否（已错{u.failed_attempts}次）" if u.failed_attempts else "否"
        rows.append([
            u.username,
            u.name,
            u.role_label + ("（示例）" if u.is_demo else ""),
            "、".join(u.unit_names) or "—",
            "是" if u.active else "否（已停用）",
            locked,
        ])
    print(format_table(["用户名", "姓名", "角色", "责任单位", "启用", "锁定"], rows))
    return 0


def _add_username(p: argparse.ArgumentParser) -> None:
    p.add_argument("username", help="用户名")
    p.add_argument("--user", default=None, help=ACTOR_HELP)


@command("deactivate-user", "停用用户（不能再登录；记录保留）", _add_username)
@_friendly
def cmd_deactivate_user(args) -> int:
    from data_access.users import set_active

    engine = engine_for(args)
    set_active(engine, args.username, False, by=acting_principal(engine, args.user))
    print(f"已停用用户 {args.username.strip().lower()}")
    return 0


@command("activate-user", "重新启用用户", _add_username)
@_friendly
def cmd_activate_user(args) -> int:
    from data_access.users import set_active

    engine = engine_for(args)
    set_active(engine, args.username, True, by=acting_principal(engine, args.user))
    print(f"已启用用户 {args.username.strip().lower()}")
    return 0


@command("unlock-user", "解除用户的登录锁定（密码连续错误5次锁定15分钟，再次锁定时加倍，最长1小时）", _add_username)
@_friendly
def cmd_unlock_user(args) -> int:
    from data_access.users import unlock_user

    engine = engine_for(args)
    unlock_user(engine, args.username, by=acting_principal(engine, args.user))
    print(f"已解除用户 {args.username.strip().lower()} 的登录锁定")
    return 0


def _add_unlock_client(p: argparse.ArgumentParser) -> None:
    p.add_argument("address", nargs="?", default=None, help="客户端地址（如 10.0.0.7）")
    p.add_argument("--all", action="store_true", help="解除所有地址的登录限流")
    p.add_argument("--user", default=None, help=ACTOR_HELP)


@command("unlock-client", "解除某个客户端地址的登录限流（同一地址连续登录失败20次会暂停登录5分钟起、最长1小时）",
         _add_unlock_client)
@_friendly
def cmd_unlock_client(args) -> int:
    from data_access.throttle import unblock_clients

    if not args.all and not args.address:
        err("操作失败：请给出客户端地址，或用 --all 解除所有地址")
        return 2
    engine = engine_for(args)
    n = unblock_clients(engine, acting_principal(engine, args.user), None if args.all else args.address.strip())
    print(f"已解除登录限流：{'全部地址' if args.all else args.address.strip()}（清除{n}条记录）")
    return 0
