"""What the command line says when a command fails: one Chinese sentence and an exit status, never a
traceback.

Definitions chosen here:

* Exit status 2: the command line itself is wrong (unknown command or option, a missing or malformed
  argument); 1: the command ran and failed (a file, the database, the data); 130: interrupted (Ctrl-C).
* Errors the commands foresee are reported by the commands themselves; :func:`describe` covers the
  rest: files that cannot be read or written, a database URL that cannot be used, a database that
  cannot be reached or is not one, values out of range, and — last — any other error, named by its
  type with the advice to rerun with ``MANAGE_DEBUG=1`` for the traceback.
* argparse's English messages are translated (:func:`usage_message`); what cannot be translated is
  shown after "参数错误：".
"""

from __future__ import annotations

import re

from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from data_access.permissions import PermissionDenied
from documents.targets_common import DocumentError

_USAGE = [
    (re.compile(r"^argument command: invalid choice: '([^']*)'.*"), r"没有命令“\1”：python manage.py --help 列出全部命令"),
    (re.compile(r"^the following arguments are required: (.*)$"), r"缺少参数：\1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"不认识的参数：\1"),
    (re.compile(r"^argument ([^:]+): invalid choice: '([^']*)' \(choose from (.*)\)$"), r"参数 \1 的值“\2”无效，可选：\3"),
    (re.compile(r"^argument ([^:]+): invalid (\w+) value: '([^']*)'$"), r"参数 \1 的值“\3”无效（应为\2）"),
    (re.compile(r"^argument ([^:]+): expected one argument$"), r"参数 \1 需要一个值"),
    (re.compile(r"^argument ([^:]+): (.*)$"), r"参数 \1：\2"),
]
_TYPES = {"int": "整数", "float": "数字", "Path": "路径"}


def usage_message(message: str, command: str | None = None) -> str:
    """argparse's message in Chinese, with where to find the usage."""
    text = message
    for rx, repl in _USAGE:
        if rx.match(message):
            text = rx.sub(repl, message)
            break
    else:
        text = f"参数错误：{message}"
    for en, cn in _TYPES.items():
        text = text.replace(f"（应为{en}）", f"（应为{cn}）")
    hint = f"python manage.py {command} --help" if command else "python manage.py --help"
    return f"{text}\n用法：{hint}"


def os_reason(e: OSError) -> str:
    """Why a file could not be read or written, in Chinese."""
    return {FileNotFoundError: "文件或目录不存在", IsADirectoryError: "这是一个目录，不是文件",
            NotADirectoryError: "路径中有一段不是目录", PermissionError: "没有权限"}.get(type(e), e.strerror or "读写失败")


def _oserror(e: OSError) -> str:
    what = os_reason(e)
    where = f"：{e.filename}" if e.filename else ""
    return f"无法读写文件{where}（{what}）"


def describe(e: BaseException) -> tuple[str, int]:
    """(Chinese message, exit status) for an error no command caught."""
    if isinstance(e, KeyboardInterrupt):
        return "已中断", 130
    if isinstance(e, (DocumentError, PermissionDenied)):
        return f"操作失败：{e}", 1
    if isinstance(e, (NoSuchModuleError, ArgumentError)):
        return "数据库地址无效（--db 或 DATABASE_URL）：应为 sqlite:///文件路径 或 postgresql://用户@主机/库名", 2
    if isinstance(e, OperationalError):
        return f"无法连接或打开数据库：{_first_line(e.orig or e)}（请检查 --db / DATABASE_URL、服务器和权限）", 1
    if isinstance(e, DatabaseError):
        return f"数据库操作失败：{_first_line(e.orig or e)}（该文件可能不是本系统的数据库，或已损坏）", 1
    if isinstance(e, OSError):
        return _oserror(e), 1
    if isinstance(e, OverflowError):
        return "操作失败：数值超出范围", 1
    if isinstance(e, UnicodeError):
        return "操作失败：文字编码无法识别（请使用UTF-8）", 1
    return (f"内部错误（{type(e).__name__}）：{_first_line(e)}。"
            "如需详细信息，请设置环境变量 MANAGE_DEBUG=1 后重试"), 1


def _first_line(e: object) -> str:
    text = str(e).strip().splitlines()
    return text[0][:300] if text else type(e).__name__
