"""Every command fails with one Chinese sentence and a non-zero exit status, never a traceback, whatever
it is given (cli.errors): hostile arguments, files and database URLs, in-process and through manage.py."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")

# (arguments; "{db}" is a migrated SQLite database, "{dir}" a directory, "{tmp}" the test's folder), exit, text
CASES = [
    (["nosuch"], 2, "没有命令“nosuch”"),
    (["status", "--bogus", "--db", "{db}"], 2, "不认识的参数：--bogus"),
    (["status", "--as-of", "--db", "{db}"], 2, "参数 --as-of 需要一个值"),
    (["status", "--as-of", "2024-13-01", "--db", "{db}"], 2, "日期格式不对"),
    (["synth", "--departments", "abc", "--db", "{db}"], 2, "无效（应为整数）"),
    (["create-user", "x", "--role", "god", "--db", "{db}"], 2, "参数 --role 的值“god”无效"),
    (["import-targets", "--db", "{db}"], 2, "缺少参数：file"),
    (["import-targets", "{dir}", "--db", "{db}"], 1, "这是一个目录，不是文件"),
    (["import-actuals", "{dir}", "--db", "{db}"], 1, "这是一个目录，不是文件"),
    (["import-actuals", "{tmp}/bomb.xlsx", "--db", "{db}"], 2, "解压后过大"),
    (["import-targets", "{tmp}/bomb.xlsx", "--db", "{db}"], 1, "解压后过大"),
    (["dump", "--year", "9" * 30, "--db", "{db}"], 1, "数值超出范围"),
    (["export-template", "--period", "2024Q9", "-o", "{tmp}/t.xlsx", "--db", "{db}"], 2, "无法识别的填报期"),
    (["export", "--kind", "risks", "-o", "{dir}", "--as-of", "2024-09-30", "--db", "{seeded}"], 1, "无法写入"),
    (["status", "--db", "foo://bar"], 2, "数据库地址无效"),
    (["status", "--db", "postgresql://nobody@127.0.0.1:1/x"], 1, "无法连接或打开数据库"),
    (["status", "--db", "sqlite:///{dir}"], 1, "无法连接或打开数据库"),
    (["status", "--db", "sqlite:///{tmp}/garbage.db"], 1, "不是本系统的数据库"),
    (["list-users", "--db", "sqlite:////proc/nowhere/x.db"], 1, "无法读写文件"),
    (["restore", "{dir}", "--db", "{db}"], 1, "不是文件"),
    (["set-password", "nobody", "--db", "{db}"], 1, "用户不存在"),
]


@pytest.fixture
def places(tmp_path, sqlite_engine, sqlite_url):
    import zipfile

    (tmp_path / "adir").mkdir()
    (tmp_path / "garbage.db").write_bytes(b"\x00\x01 not a database " * 100)
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(300):
                f.write(b" " * (1024 * 1024))
    return {"db": sqlite_url, "dir": str(tmp_path / "adir"), "tmp": str(tmp_path)}


def _fill(args: list[str], places: dict[str, str]) -> list[str]:
    if "{seeded}" in args:  # a database with the 2024 targets, made only where a case needs one
        from data_access.db import make_engine, migrate
        from seed.loader import load_seed_if_empty

        url = f"sqlite:///{places['tmp']}/seeded.db"
        eng = make_engine(url)
        migrate(eng)
        load_seed_if_empty(eng)
        eng.dispose()
        places = {**places, "seeded": url}
    return [a.format(**places) for a in args]


@pytest.mark.parametrize("args, code, text", CASES, ids=[" ".join(c[0][:3]) for c in CASES])
def test_every_failure_is_one_chinese_message_and_a_nonzero_exit(places, capsys, args, code, text):
    from cli import main

    got = main(_fill(args, places))
    out = capsys.readouterr()
    assert got == code, (got, out.err)
    assert text in out.err, out.err
    assert CJK.search(out.err.splitlines()[0]) and "Traceback" not in out.err + out.out


@pytest.mark.parametrize("args, code, text", [CASES[0], CASES[8], CASES[15], CASES[17]],
                         ids=["unknown-command", "directory", "no-server", "not-a-database"])
def test_manage_py_itself_prints_no_traceback(places, args, code, text):
    r = subprocess.run([sys.executable, str(ROOT / "manage.py"), *_fill(args, places)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == code, r.stderr
    assert text in r.stderr and "Traceback" not in r.stderr and 'File "' not in r.stderr


def test_manage_debug_shows_the_traceback(places):
    r = subprocess.run([sys.executable, str(ROOT / "manage.py"), "status", "--db", "foo://bar"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120, env={"MANAGE_DEBUG": "1", "PATH": "/usr/bin:/bin"})
    assert r.returncode != 0 and "Traceback" in r.stderr
