"""manage.py backup / restore: consistent online copies, exact round trips, refusals that leave the target as
it was, rotation — on SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.config import Config
from sqlalchemy import inspect, text

from cli import main
from data_access import backup as B
from data_access import backup_sqlite as lite
from data_access import users as U
from data_access.backup_manifest import BackupError
from data_access.db import MIGRATIONS, make_engine, migrate
from data_access.permissions import SYSTEM_ADMIN
from domain.labels import action_label, entity_label
from seed.demo import load_demo_data
from tests.conftest import ROOT, _create_pg_db, _drop_pg_db, _pg_url

T0 = datetime(2024, 10, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(U, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """A second, empty database of the same kind as ``db_url`` (the restore target)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = _create_pg_db()
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_db(name)


@pytest.fixture
def full_engine(seeded_engine):
    """Targets, demo values, and a real account with a password hash."""
    load_demo_data(seeded_engine)
    U.create_user(seeded_engine, "kezhang", "admin", "correct-horse-1", name="科长", by=SYSTEM_ADMIN)
    return seeded_engine


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            names = sorted(inspect(c).get_table_names())
            return {t: sorted((tuple(r) for r in c.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in names}
    finally:
        eng.dispose()


def audit_rows(url: str) -> list[tuple]:
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            return list(c.execute(text("SELECT username, action, entity FROM audit_log ORDER BY id")))
    finally:
        eng.dispose()


def _backup_file(url: str, folder: Path) -> Path:
    ext = "db" if url.startswith("sqlite") else "dump"
    return B.backup_database(url, folder / f"b.{ext}").path


# --------------------------------------------------------------------------- a live WAL database


def _writer(path: Path, stop: threading.Event, committed: list[int]) -> None:
    """Insert one audit row per transaction until told to stop; no checkpoints, so rows stay in -wal."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    while not stop.is_set():
        cur = conn.execute("INSERT INTO audit_log (at, username, action, entity, detail) "
                           "VALUES ('2024-10-08 10:00:00', 'writer', 'update', 'indicator_actual', '')")
        committed.append(int(cur.lastrowid or 0))
    conn.close()


def test_backup_of_a_live_wal_database_keeps_every_committed_row(sqlite_engine, tmp_path):
    path = Path(sqlite_engine.url.database)
    sqlite_engine.dispose()
    stop, committed = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(path, stop, committed))
    writer.start()
    try:
        while len(committed) < 500:
            stop.wait(0.01)
        # the contrast: a plain copy of the main file misses everything still in the -wal file
        n_at_copy = len(committed)
        shutil.copyfile(path, tmp_path / "plain-copy.db")
        with sqlite3.connect(tmp_path / "plain-copy.db") as c:
            assert c.execute("SELECT count(*) FROM audit_log").fetchone()[0] < n_at_copy
        committed_before = list(committed)
        result = B.backup_database(f"sqlite:///{path}", tmp_path / "live.db")
    finally:
        stop.set()
        writer.join()
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    B.restore_database(restored, result.path)
    eng = make_engine(restored)
    with eng.connect() as c:
        ids = [r[0] for r in c.execute(text("SELECT id FROM audit_log WHERE username = 'writer' ORDER BY id"))]
    eng.dispose()
    assert set(committed_before) <= set(ids)  # every row committed before the backup began
    assert ids == [i for i in committed if i <= max(ids)]  # one instant: no gaps, nothing half-seen
    assert len(ids) == result.manifest.tables["audit_log"]


# --------------------------------------------------------------------------- round trip


@pytest.mark.postgres
def test_backup_then_restore_equals_the_source_table_by_table(full_engine, db_url, fresh_url, tmp_path):
    before = snapshot(db_url)
    result = B.backup_database(db_url, tmp_path / ("b.db" if db_url.startswith("sqlite") else "b.dump"))
    assert result.manifest.tables == {t: len(rows) for t, rows in before.items()}
    assert result.manifest.schema_revision == before["alembic_version"][0][0]
    out = B.restore_database(fresh_url, result.path)
    assert out.replaced == {} or not any(out.replaced.values())
    after = snapshot(fresh_url)
    assert set(after) == set(before)
    for table in before:
        if table in ("audit_log", "data_version"):
            continue
        assert after[table] == before[table], table
    assert after["audit_log"][:-1] == before["audit_log"]  # the restore's own row comes last
    assert after["data_version"][0][1] > before["data_version"][0][1]  # caches never see the old counter
    # both commands leave their audit row, as the built-in administrator, labelled in Chinese
    assert audit_rows(db_url)[-1] == ("system-admin", "backup", "database")
    assert audit_rows(fresh_url)[-1] == ("system-admin", "restore", "database")
    assert (action_label("backup", "database"), action_label("restore", "database"),
            entity_label("database")) == ("备份", "恢复", "数据库")


@pytest.mark.postgres
def test_restore_with_yes_replaces_a_non_empty_target(full_engine, db_url, fresh_url, tmp_path):
    backup = _backup_file(db_url, tmp_path)
    before = snapshot(db_url)
    other = make_engine(fresh_url)
    migrate(other)
    U.create_user(other, "stranger", "leader", "correct-horse-2", by=SYSTEM_ADMIN)
    other.dispose()
    out = B.restore_database(fresh_url, backup, replace=True)
    assert out.replaced["app_user"] == 1
    after = snapshot(fresh_url)
    assert after["app_user"] == before["app_user"]  # the stranger is gone, the source's accounts are back
    assert after["project"] == before["project"]


def test_an_older_backup_is_restored_and_upgraded(tmp_path):
    old = f"sqlite:///{tmp_path / 'old.db'}"
    eng = make_engine(old)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, "0001")
    eng.dispose()
    result = B.backup_database(old, tmp_path / "old-backup.db")
    assert result.manifest.schema_revision == "0001"
    out = B.restore_database(f"sqlite:///{tmp_path / 'new.db'}", result.path)
    from alembic.script import ScriptDirectory

    assert out.schema_revision == ScriptDirectory.from_config(cfg).get_current_head() != "0001"


# --------------------------------------------------------------------------- refusals


def _garble(p: Path) -> None:
    data = bytearray(p.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 3000):
        data[i] = 0xA5
    p.write_bytes(bytes(data))


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _text_file(p: Path) -> None:
    p.write_bytes("项目名称,金额\n教育,1\n".encode())


def _drop_sidecar(p: Path) -> None:
    Path(str(p) + ".json").unlink()


def _live_db_file(p: Path) -> None:  # an SQLite database that is not a backup (no manifest)
    c = sqlite3.connect(p)
    c.execute(f"DROP TABLE {lite.MANIFEST_TABLE}")
    c.commit()
    c.close()


def _newer_schema(p: Path) -> None:
    c = sqlite3.connect(p)
    c.execute("UPDATE alembic_version SET version_num = '9999'")
    c.commit()
    c.close()


def _pg_magic(p: Path) -> None:
    p.write_bytes(b"PGDMP\x01\x0f\x00" + b"\x00" * 64)


REFUSALS = [
    ("garbled", _garble, "已损坏", "any"),
    ("truncated", _truncate, "已损坏", "any"),
    ("not a backup: text", _text_file, "不是本系统的备份文件", "any"),
    ("not a backup: plain database", _live_db_file, "没有备份清单", "sqlite"),
    ("newer schema", _newer_schema, "更新的程序版本", "sqlite"),
    ("PostgreSQL dump into SQLite", _pg_magic, "不能恢复到 SQLite", "sqlite"),
    ("dump without its manifest", _drop_sidecar, "缺少备份清单", "postgresql"),
]


@pytest.mark.postgres
@pytest.mark.parametrize("case, spoil, message, kind", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_restore_refuses_a_bad_file_and_leaves_the_target_unchanged(full_engine, db_url, tmp_path, capsys,
                                                                    case, spoil, message, kind):
    if kind != "any" and not db_url.startswith(kind):
        pytest.skip(f"{case}: {kind} only")
    backup = _backup_file(db_url, tmp_path)
    spoil(backup)
    before = snapshot(db_url)
    rc = main(["restore", str(backup), "--db", db_url, "--yes"])  # even with --yes: checked before replacing
    err = capsys.readouterr().err
    assert rc == 1
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert snapshot(db_url) == before


@pytest.mark.postgres
def test_restore_refuses_a_non_empty_target_without_yes(full_engine, db_url, fresh_url, tmp_path, capsys):
    source_backup = _backup_file(db_url, tmp_path)
    before = snapshot(db_url)
    rc = main(["restore", str(source_backup), "--db", db_url])
    err = capsys.readouterr().err
    assert rc == 1 and "目标数据库不是空的" in err and "--yes" in err and "项目" in err
    assert snapshot(db_url) == before


def test_a_sqlite_backup_is_refused_by_a_postgresql_target(sqlite_engine, tmp_path):
    backup = _backup_file(str(sqlite_engine.url), tmp_path)
    with pytest.raises(BackupError, match="不能恢复到 PostgreSQL"):
        B.restore_database("postgresql://nobody@127.0.0.1:1/none", backup)


# --------------------------------------------------------------------------- atomic writes, rotation


@pytest.mark.parametrize("code, message", [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有权限")],
                         ids=["disk-full", "permission-denied"])
def test_a_failed_backup_leaves_no_file_under_the_final_name(sqlite_engine, tmp_path, monkeypatch, code, message):
    def fail(*_a):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(B.os, "replace", fail)
    with pytest.raises(BackupError, match=message):
        B.backup_database(str(sqlite_engine.url), tmp_path / "b.db")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(("b.db", ".b.db"))] == []


@pytest.mark.postgres
def test_keep_3_leaves_exactly_the_three_newest_backups(full_engine, db_url, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    ext = "db" if db_url.startswith("sqlite") else "dump"
    other = "dump" if ext == "db" else "db"
    strangers = ["notes.txt", f"monitoring-latest.{ext}", f"monitoring-20200101.{other}", f"copy-20240101.{ext}"]
    for name in strangers:
        (folder / name).write_text("not ours")
    for day in range(5):
        result = B.backup_database(db_url, folder, keep=3, now=T0 + timedelta(days=day))
    assert result.path.name == f"monitoring-20241012.{ext}"
    ours = sorted(p.name for p in folder.iterdir() if B.NAME_RE.match(p.name) and p.name.endswith(ext))
    assert ours == [f"monitoring-2024101{d}.{ext}" for d in (0, 1, 2)]
    assert all((folder / name).exists() for name in strangers)  # never another file
    if ext == "dump":
        assert sorted(p.name for p in folder.glob("*.json")) == [f"{n}.json" for n in ours]
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"  # password hashes inside: owner only


# --------------------------------------------------------------------------- the command line


def _manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["backup", "-o", "/nonexistent-dir/sub/b.db"], "目录不存在"),
    (["backup", "-o", "{db}"], "不能是数据库文件本身"),
    (["backup", "-o", "{tmp}/one.db", "--keep", "3"], "--keep N 需要 -o 指定一个目录"),
    (["restore", "/nonexistent-dir/b.db"], "文件或目录不存在"),
    (["restore", "{tmp}"], "这是一个目录"),
], ids=["backup-into-missing-folder", "backup-over-the-database", "keep-without-folder", "restore-missing-file",
        "restore-a-folder"])
def test_cli_bad_path_is_one_chinese_line_without_traceback(sqlite_engine, tmp_path, args, message):
    db = Path(sqlite_engine.url.database)
    before = db.read_bytes()
    args = [a.format(db=db, tmp=tmp_path) for a in args]
    done = _manage(*args, "--db", str(sqlite_engine.url))
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_cli_names_the_debian_package_when_pg_dump_is_missing(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no pg_dump on this PATH
    done = _manage("backup", "-o", str(tmp_path / "b.dump"), "--db", "postgresql://nobody@127.0.0.1:1/none", env=env)
    assert done.returncode == 1
    assert "postgresql-client" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "b.dump").exists()


def test_cli_backup_prints_a_chinese_summary(sqlite_engine, tmp_path):
    done = _manage("backup", "-o", f"{tmp_path}/daily/", "--keep", "2", "--db", str(sqlite_engine.url))
    assert done.returncode == 0, done.stderr
    assert "已备份到" in done.stdout and "张表" in done.stdout and "审计日志（audit_log）" in done.stdout
    assert len(list((tmp_path / "daily").glob("monitoring-*.db"))) == 1
