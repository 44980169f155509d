"""Admin command line registry. Each module in ``cli/`` registers its sub-commands with ``@command``;
``manage.py`` imports them all (see ``cli.MODULES``). :func:`main` turns every error a command does not
catch into one Chinese sentence and a non-zero exit status (``cli.errors``); ``MANAGE_DEBUG=1`` shows the
traceback instead."""

from __future__ import annotations

import argparse
import importlib
import io
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from cli.errors import describe, usage_message

Handler = Callable[[argparse.Namespace], Any]
Configure = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[str, Handler, Configure | None]] = {}

# one module per area; add yours here
MODULES = ["cli.targets", "cli.status", "cli.setup", "cli.synth", "cli.bench", "cli.users", "cli.export", "cli.actuals",
           "cli.backup", "cli.store", "cli.review"]


def command(name: str, help_text: str, configure: Configure | None = None) -> Callable[[Handler], Handler]:
    """Register a sub-command; ``configure(parser)`` adds its own arguments."""

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, fn, configure)
        return fn

    return deco


def engine_for(args):
    """The engine for ``--db`` (or DATABASE_URL / the embedded default), schema upgraded."""
    from data_access.db import make_engine, migrate

    engine = make_engine(getattr(args, "db", None))
    migrate(engine)
    return engine


class UnknownActor(Exception):
    """``--user`` names no active account; ``str(e)`` is Chinese."""


def acting_principal(engine, user: str | None):
    """Who a command acts as: the built-in administrator ``SYSTEM_ADMIN`` (an explicit system principal,
    logged as ``system-admin``) unless ``--user NAME`` names an active account, which then acts with its
    own role and units (the data layer checks them)."""
    from data_access.permissions import SYSTEM_ADMIN
    from data_access.users import principal_for

    if not user or not user.strip():
        return SYSTEM_ADMIN
    principal = principal_for(engine, user.strip().lower())
    if principal is None:
        raise UnknownActor(f"用户不存在或已停用：{user}")
    return principal


def err(msg: str) -> None:
    print(msg, file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors in Chinese (``cli.errors.usage_message``), exit status 2."""

    def error(self, message: str):
        parts = self.prog.split()
        err(usage_message(message, parts[-1] if len(parts) > 1 else None))
        self.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="manage.py", description="绩效双监控看板 管理命令")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _fn, configure) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", default=None, help="数据库URL（默认 DATABASE_URL 或 sqlite:///data/monitoring.db）")
        if configure:
            configure(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `manage.py dump | head` ends quietly
    for m in MODULES:
        importlib.import_module(m)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2, already explained)
        return e.code if isinstance(e.code, int) else 2
    _help, fn, _configure = COMMANDS[args.command]
    from data_access.db import DatabaseBusy

    try:
        return int(fn(args) or 0)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except DatabaseBusy as e:  # a PostgreSQL lock wait over DB_LOCK_TIMEOUT_SECONDS: rolled back
        err(str(e))
        return 1
    except BaseException as e:  # noqa: BLE001 - the one place every failure becomes a Chinese sentence
        if os.environ.get("MANAGE_DEBUG") == "1":
            raise
        message, code = describe(e)
        err(message)
        return code

