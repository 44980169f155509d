"""PostgreSQL: a bounded lock wait with a Chinese message, and concurrent ``manage.py init`` on one empty
database (two processes, a fresh uniquely named database from tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text

from data_access.actuals import save_indicator_rows
from data_access.config import config_from
from data_access.db import DatabaseBusy, make_engine, migrate
from data_access.models import AuditLog, Indicator, IndicatorActual, Project, User
from data_access.permissions import SYSTEM_ADMIN
from seed.loader import load_seed_if_empty
from tests.conftest import ROOT, _create_pg_db, _drop_pg_db, _pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db(pg_server):
    name = _create_pg_db()
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_db(name)


def test_the_lock_timeout_is_a_setting():
    assert config_from({}).lock_timeout_seconds == 10
    assert config_from({"DB_LOCK_TIMEOUT_SECONDS": "2.5"}).lock_timeout_seconds == 2.5
    assert config_from({"DB_LOCK_TIMEOUT_SECONDS": "-1"}).lock_timeout_seconds == 10


def test_a_save_blocked_by_a_lock_gives_up_with_a_chinese_message_and_writes_nothing(pg_db):
    setup = make_engine(pg_db)
    migrate(setup)
    load_seed_if_empty(setup)
    with setup.connect() as c:
        iid = c.execute(select(Indicator.id).join(Project, Project.id == Indicator.project_id)
                        .where(Project.name == "区本课程经费", Indicator.level3 == "教师学生满意度")).scalar_one()
    engine = make_engine(pg_db, lock_timeout_seconds=1)
    row = [{"indicator_id": iid, "version": None, "actual_value": 95}]
    blocker = setup.connect()
    try:
        blocker.execute(text("LOCK TABLE period IN EXCLUSIVE MODE"))  # e.g. a long admin transaction
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as e:
            save_indicator_rows(engine, SYSTEM_ADMIN, "2024Q3", row)
        waited = time.monotonic() - started
        assert str(e.value) == "数据库繁忙：等待其他操作释放数据超过1秒，未保存任何修改，请稍后重试"
        assert 0.9 <= waited < 8
    finally:
        blocker.rollback()
        blocker.close()
    with setup.connect() as c:
        assert c.execute(select(func.count()).select_from(IndicatorActual)).scalar_one() == 0
    assert save_indicator_rows(engine, SYSTEM_ADMIN, "2024Q3", row).saved  # once the lock is gone it saves
    for e_ in (engine, setup):
        e_.dispose()


def test_two_init_processes_on_an_empty_database_import_once(pg_db):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, str(ROOT / "manage.py"), "init", "--db", pg_db]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    stdout = [o for o, _ in outs]
    assert sum("已导入种子文件" in o for o in stdout) == 1, stdout
    assert sum("数据库已有数据：仅升级了表结构" in o for o in stdout) == 1, stdout
    engine = make_engine(pg_db)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Project)).scalar_one() == 32
        assert c.execute(select(func.count()).select_from(User)).scalar_one() == 4
        assert c.execute(select(func.count()).where(AuditLog.action == "import")).scalar_one() == 1
    engine.dispose()
