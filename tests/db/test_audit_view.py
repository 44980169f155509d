"""What the admin's audit view shows, one case per kind of audit row: Chinese action, object, field and
values (never a raw code, None or True/False)."""

from __future__ import annotations

import pytest

from data_access import users as U
from data_access.actuals import (
    AuditFilters,
    audit_frame,
    entry_frame,
    history,
    import_actuals,
    lock_period,
    reopen_period,
    save_indicator_rows,
)
from data_access.permissions import Principal
from documents.actuals_template import read_actuals_csv
from seed.loader import load_seed_if_empty
from tests.conftest import admin_named

Q3 = "2024Q3"
ADMIN = Principal("admin", "管理员", "admin", system=True)  # an administrator that is not an account
P1 = "区本课程经费"
RATE = "教师学生满意度"  # a level % indicator of P1
RAW = {"None", "nan", "True", "False", "true", "false", "app_user", "fiscal_year", "period", "locked", "active",
       "indicator_actual", "actual_value", "lock", "unlock", "deactivate", "import", "update"}
SHOWN = ["操作", "对象", "字段", "原值", "新值"]


@pytest.fixture
def engine(sqlite_engine):
    load_seed_if_empty(sqlite_engine)
    return sqlite_engine


def _indicator_id(engine) -> int:
    df = entry_frame(engine, ADMIN, Q3)
    return int(df[(df["项目"] == P1) & (df["三级指标"] == RATE)].iloc[0]["_indicator_id"])


def _lock(engine):
    lock_period(engine, ADMIN, Q3)


def _unlock(engine):
    lock_period(engine, ADMIN, Q3)
    reopen_period(engine, ADMIN, Q3, "教育科补报")


def _deactivate(engine):
    U.create_user(engine, "jiaoyu2", "staff", "correct-horse-1", units=["教育科"], by=admin_named("admin"),
                  password_hash="$2b$04$" + "a" * 53)
    U.set_active(engine, "jiaoyu2", False, by=admin_named("admin"))


def _targets_import(engine):
    pass  # the seed's own import of the 2024 targets document


def _csv_import(engine):
    csv = f"project,indicator,period,actual\n{P1},{RATE},{Q3},92\n"
    assert import_actuals(engine, ADMIN, read_actuals_csv(csv.encode("utf-8"))).saved == 1


def _update(engine):
    iid = _indicator_id(engine)
    first = save_indicator_rows(engine, ADMIN, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}])
    save_indicator_rows(engine, ADMIN, Q3, [{"indicator_id": iid, "version": first.versions[0], "actual_value": 96}])


# (case, what is done, filter, the newest row shown: column -> value; 说明 is checked for containing)
CASES = [
    ("lock", _lock, AuditFilters(period_code=Q3),
     {"操作": "锁定填报期", "对象": "填报期", "字段": "锁定状态", "原值": "否", "新值": "是", "填报期": Q3,
      "说明": "锁定填报期2024Q3"}),
    ("unlock", _unlock, AuditFilters(period_code=Q3),
     {"操作": "重新开放", "对象": "填报期", "字段": "锁定状态", "原值": "是", "新值": "否", "填报期": Q3,
      "说明": "原因：教育科补报"}),
    ("deactivate", _deactivate, AuditFilters(action="deactivate"),
     {"操作": "停用账户", "对象": "用户账户", "字段": "账户启用", "原值": "是", "新值": "否", "操作人": "admin",
      "说明": "停用用户 jiaoyu2"}),
    ("targets import", _targets_import, AuditFilters(action="import"),
     {"操作": "导入", "对象": "年度绩效目标", "字段": "", "原值": "", "新值": "", "填报期": ""}),
    ("csv import", _csv_import, AuditFilters(entity="indicator_actual"),
     {"操作": "修改", "对象": "指标填报", "字段": "当前完成值", "原值": "（空）", "新值": "92", "填报期": Q3,
      "说明": "来源：CSV导入"}),
    ("value update", _update, AuditFilters(entity="indicator_actual"),
     {"操作": "修改", "对象": "指标填报", "字段": "当前完成值", "原值": "95", "新值": "96", "填报期": Q3,
      "说明": "来源：填报页面"}),
]


@pytest.mark.parametrize("case, act, filters, expected", CASES, ids=[c[0] for c in CASES])
def test_the_audit_view_speaks_chinese(engine, case, act, filters, expected):
    act(engine)
    df = audit_frame(engine, ADMIN, filters)
    assert not df.empty
    row = df.iloc[0]
    for column, value in expected.items():
        if column == "说明":
            assert value in row[column], (case, row[column])
        else:
            assert row[column] == value, (case, column, row[column])
    everything = audit_frame(engine, ADMIN)
    shown = {str(v) for c in SHOWN for v in everything[c]}
    assert not shown & RAW, shown & RAW


def test_history_shows_an_empty_old_value_in_words(engine):
    _update(engine)
    h = history(engine, indicator_id=_indicator_id(engine))
    assert list(zip(h["字段"], h["原值"], h["新值"])) == [("当前完成值", "95", "96"), ("当前完成值", "（空）", "95")]
