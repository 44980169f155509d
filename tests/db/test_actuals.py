"""Saving what staff report, on SQLite and PostgreSQL: validation, explanations, permissions, locked
periods, optimistic concurrency, audit, history — and (PostgreSQL) many concurrent writers."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from data_access.actuals import (
    ANY_VERSION,
    SYSTEM_ADMIN,
    AuditFilters,
    audit_frame,
    default_entry_period,
    entry_frame,
    history,
    lock_period,
    period_states,
    reopen_period,
    save_indicator_rows,
    save_spending_rows,
    spending_frame,
)
from data_access.db import current_revision
from data_access.models import AuditLog, IndicatorActual, SpendingActual, Unit
from data_access.permissions import PermissionDenied, Principal
from tests.conftest import account_for

Q3 = "2024Q3"
ADMIN = Principal("admin", "管理员", "admin", system=True)  # an administrator that is not an account
LEADER = Principal("leader", "局领导", "leader")


def _unit_id(engine, name: str) -> int:
    with Session(engine) as s:
        return s.execute(select(Unit.id).where(Unit.name == name)).scalar_one()


def _staff(engine, *units: str, username: str = "jiaoyu") -> Principal:
    return account_for(engine, Principal(username, "填报员", "staff", frozenset(_unit_id(engine, u) for u in units)))


@pytest.fixture
def ids(seeded_engine):
    """Indicator and project ids by (project, 三级指标) / project name."""
    df = entry_frame(seeded_engine, ADMIN, Q3)
    ind = {(r["项目"], r["三级指标"]): int(r["_indicator_id"]) for _, r in df.iterrows()}
    proj = {r["项目"]: int(r["_project_id"]) for _, r in df.iterrows()}
    return {"ind": ind, "proj": proj, "frame": df}


# project 区本课程经费 (教育科): 成人教育费用 ≤11.7万 (cap), 装备学校数量 ≥3所 (accumulating),
# 设备质量 符合 (qualitative), 教师学生满意度 90%以上 (level %)
P1 = "区本课程经费"
P2 = "高新中学装备经费"  # 高新中学
RATE = (P1, "教师学生满意度")
COUNT = (P1, "装备学校数量")
QUAL = (P1, "设备质量")
CAP = (P1, "成人教育费用")


def _stored(engine, indicator_id: int, code: str = Q3) -> IndicatorActual | None:
    with Session(engine) as s:
        return s.execute(select(IndicatorActual).where(
            IndicatorActual.indicator_id == indicator_id, IndicatorActual.period_code == code)).scalar_one_or_none()


def _audit(engine, **where) -> list[AuditLog]:
    with Session(engine) as s:
        q = select(AuditLog).order_by(AuditLog.id)
        for k, v in where.items():
            q = q.where(getattr(AuditLog, k) == v)
        return list(s.execute(q).scalars())


def test_valid_rows_saved_invalid_reported_in_one_call(seeded_engine, ids):
    i = ids["ind"]
    rev = current_revision(seeded_engine)
    rows = [
        {"indicator_id": i[RATE], "version": None, "actual_value": "95%"},
        {"indicator_id": i[COUNT], "version": None, "actual_value": "两所"},
        {"indicator_id": i[QUAL], "version": None, "actual_judgement": "达成", "remarks": "验收合格"},
        {"indicator_id": i[CAP], "version": None, "actual_value": "-3"},
    ]
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, rows)
    assert sorted(res.saved) == [0, 2]
    assert res.failed_rows == [1, 3]
    assert [(e.row, e.field) for e in res.errors] == [(1, "actual_value"), (3, "actual_value")]
    assert res.errors[0].message == "当前完成值：“两所”不是数字"
    assert res.errors[1].message == "当前完成值：“-3”不能为负数"
    assert res.statuses[0][0] == "green" and res.statuses[2][0] == "green"
    a = _stored(seeded_engine, i[RATE])
    assert a.actual_value == 95.0 and a.version == 1 and a.updated_by == "admin" and not a.is_demo
    assert _stored(seeded_engine, i[QUAL]).remarks == "验收合格"
    assert _stored(seeded_engine, i[COUNT]) is None and _stored(seeded_engine, i[CAP]) is None
    assert current_revision(seeded_engine) > rev
    assert res.summary().startswith("已保存2行")


@pytest.mark.parametrize(
    "key,row,missing",
    [
        (RATE, {"actual_value": 95}, set()),
        (RATE, {"actual_value": 80}, {"reasons", "explanation", "likelihood"}),
        (RATE, {"actual_value": 80, "reasons": "经费保障", "explanation": "问卷样本少", "likelihood": "确定能"}, set()),
        (RATE, {"actual_value": 80, "reasons": ["经费保障"], "explanation": "x", "likelihood": "有可能"}, {"measures"}),
        (RATE, {"actual_value": 80, "reasons": "经费保障、人员保障", "explanation": "x", "likelihood": "有可能",
                "measures": "加强回访"}, set()),
        (RATE, {"actual_value": 95, "likelihood": "完全不可能"}, {"reasons", "explanation", "measures"}),
        (COUNT, {"actual_value": 3}, set()),  # reached the annual value early: green, nothing to explain
        (COUNT, {"actual_value": 4}, {"explanation"}),  # over-achieved: 说明
        (COUNT, {"actual_value": 4, "explanation": "追加一所"}, set()),
        (QUAL, {"actual_judgement": "部分达成"}, {"reasons", "explanation", "likelihood"}),
        (QUAL, {"actual_judgement": "进行中"}, set()),
        (CAP, {"actual_value": "11.7万"}, set()),
        (CAP, {"actual_value": 12}, {"reasons", "explanation", "likelihood"}),
    ],
)
def test_explanations_demanded_exactly_when_the_rules_say(seeded_engine, ids, key, row, missing):
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [dict(row, indicator_id=ids["ind"][key], version=None)])
    assert {e.field for e in res.errors} == missing
    assert bool(res.saved) == (not missing)


def test_locked_period_is_read_only_for_everyone_until_reopened(seeded_engine, ids):
    i = ids["ind"]
    staff = _staff(seeded_engine, "教育科")
    with pytest.raises(PermissionDenied):
        lock_period(seeded_engine, staff, Q3)
    assert lock_period(seeded_engine, ADMIN, Q3, "季度报送完成") is True
    assert lock_period(seeded_engine, ADMIN, Q3) is False  # already locked
    for who in (staff, ADMIN):
        res = save_indicator_rows(seeded_engine, who, Q3, [{"indicator_id": i[RATE], "version": None, "actual_value": 95}])
        assert not res.saved and res.errors[0].field == "period_code"
        assert "已锁定" in res.errors[0].message
        res = save_spending_rows(seeded_engine, who, Q3, [{"project_id": ids["proj"][P1], "version": None, "spent_wan": 10}])
        assert not res.saved and "已锁定" in res.errors[0].message
    assert _stored(seeded_engine, i[RATE]) is None
    states = {p.code: p for p in period_states(seeded_engine, 2024)}
    assert states[Q3].locked and states[Q3].locked_by == "admin" and not states["2024Q2"].locked
    with pytest.raises(ValueError, match="原因"):
        reopen_period(seeded_engine, ADMIN, Q3, "  ")
    with pytest.raises(PermissionDenied):
        reopen_period(seeded_engine, LEADER, Q3, "补报")
    assert reopen_period(seeded_engine, ADMIN, Q3, "教育科补报") is True
    res = save_indicator_rows(seeded_engine, staff, Q3, [{"indicator_id": i[RATE], "version": None, "actual_value": 95}])
    assert res.saved
    log = _audit(seeded_engine, entity="period")
    assert [a.action for a in log] == ["lock", "unlock"]
    assert "季度报送完成" in log[0].detail and "教育科补报" in log[1].detail and log[1].username == "admin"


def test_unknown_period_is_reported_per_row(seeded_engine, ids):
    res = save_indicator_rows(seeded_engine, ADMIN, "2031Q1", [{"indicator_id": ids["ind"][RATE], "actual_value": 1}])
    assert res.errors[0].field == "period_code" and "不存在" in res.errors[0].message
    res = save_indicator_rows(seeded_engine, ADMIN, "Q3", [{"indicator_id": ids["ind"][RATE], "actual_value": 1}])
    assert "无法识别" in res.errors[0].message


def test_staff_write_only_their_units_projects_and_leaders_nothing(seeded_engine, ids):
    i = ids["ind"]
    staff = _staff(seeded_engine, "教育科")
    other = (P2, "教师学生满意度")
    res = save_indicator_rows(seeded_engine, staff, Q3, [
        {"indicator_id": i[RATE], "version": None, "actual_value": 95},
        {"indicator_id": i[other], "version": None, "actual_value": 95},
    ])
    assert list(res.saved) == [0]
    assert res.errors[0].row == 1 and "只能填报本单位的项目" in res.errors[0].message
    assert _stored(seeded_engine, i[other]) is None
    res = save_spending_rows(seeded_engine, staff, Q3, [{"project_id": ids["proj"][P2], "version": None, "spent_wan": 1}])
    assert not res.saved and "只能填报本单位的项目" in res.errors[0].message
    with pytest.raises(PermissionDenied, match="只读"):
        save_indicator_rows(seeded_engine, LEADER, Q3, [{"indicator_id": i[RATE], "version": None, "actual_value": 95}])
    with pytest.raises(PermissionDenied):
        save_spending_rows(seeded_engine, LEADER, Q3, [{"project_id": ids["proj"][P1], "version": None, "spent_wan": 1}])
    with pytest.raises(PermissionDenied):
        save_indicator_rows(seeded_engine, None, Q3, [])
    # what staff see in the editor: only their units' projects
    df = entry_frame(seeded_engine, staff, Q3)
    assert set(df["_unit_id"]) == set(staff.unit_ids) and len(df) < len(ids["frame"])
    assert set(spending_frame(seeded_engine, staff, Q3)["_unit_id"]) == set(staff.unit_ids)


def test_second_save_of_the_same_row_is_a_conflict_not_an_overwrite(seeded_engine, ids):
    iid = ids["ind"][RATE]
    a = _staff(seeded_engine, "教育科", username="zhang")
    b = _staff(seeded_engine, "教育科", username="li")
    # both loaded the empty row (version None)
    assert save_indicator_rows(seeded_engine, a, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}]).saved
    res = save_indicator_rows(seeded_engine, b, Q3, [{"indicator_id": iid, "version": None, "actual_value": 92}])
    assert not res.saved and len(res.conflicts) == 1
    c = res.conflicts[0]
    assert (c.row, c.entity_id, c.their_version, c.their_by) == (0, iid, 1, "zhang")
    assert c.theirs["actual_value"] == 95.0 and c.yours == {"actual_value": 92}
    assert c.differing == ["actual_value"] and "zhang" in c.message()
    assert _stored(seeded_engine, iid).actual_value == 95.0
    # the same value as theirs is not a conflict
    res = save_indicator_rows(seeded_engine, b, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}])
    assert res.unchanged == [0] and not res.conflicts
    # overwrite knowingly: send their version
    res = save_indicator_rows(seeded_engine, b, Q3, [{"indicator_id": iid, "version": 1, "actual_value": 92}])
    assert res.saved and res.versions[0] == 2
    # a stale version after that is a conflict again
    res = save_indicator_rows(seeded_engine, a, Q3, [{"indicator_id": iid, "version": 1, "actual_value": 97}])
    assert res.conflicts and res.conflicts[0].their_by == "li" and res.conflicts[0].their_version == 2
    # a file without versions overwrites (the preview shows old -> new)
    res = save_indicator_rows(seeded_engine, a, Q3, [{"indicator_id": iid, "version": ANY_VERSION, "actual_value": 97}],
                              source="csv")
    assert res.saved and _stored(seeded_engine, iid).version == 3


def test_every_changed_field_is_audited_old_to_new(seeded_engine, ids):
    iid = ids["ind"][RATE]
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95,
                                                          "remarks": "首次"}])
    aid = res.saved[0]
    first = _audit(seeded_engine, entity="indicator_actual", entity_id=aid)
    assert {(a.field, a.old, a.new) for a in first} == {("actual_value", None, "95"), ("remarks", None, "首次")}
    assert all(a.username == "admin" and a.period_code == Q3 and "填报页面" in a.detail for a in first)
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [{
        "indicator_id": iid, "version": 1, "actual_value": 85.5, "remarks": "首次", "reasons": "人员保障",
        "explanation": "回访未完成", "likelihood": "确定能"}])
    assert res.saved == {0: aid}
    log = _audit(seeded_engine, entity="indicator_actual", entity_id=aid)[len(first):]
    assert [(a.field, a.old, a.new) for a in log] == [
        ("actual_value", "95", "85.5"), ("likelihood", None, "确定能"), ("reasons", "", "人员保障"),
        ("explanation", "", "回访未完成")]
    assert {(c.field, c.old, c.new) for c in res.changes} == {(a.field, a.old, a.new) for a in log}
    # resubmitting the same values changes nothing and logs nothing
    rev = current_revision(seeded_engine)
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": iid, "version": 2, "actual_value": "85.5"}])
    assert res.unchanged == [0] and not res.saved
    assert current_revision(seeded_engine) == rev
    assert len(_audit(seeded_engine, entity="indicator_actual", entity_id=aid)) == len(first) + len(log)
    h = history(seeded_engine, indicator_id=iid)
    assert list(h["字段"][:1]) == ["说明"] and set(h["新值"]) >= {"85.5", "95", "回访未完成"}
    assert (h["事项"] == "教师学生满意度").all()


def test_cells_that_do_not_apply_to_the_kind_are_ignored(seeded_engine, ids):
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [
        {"indicator_id": ids["ind"][QUAL], "version": None, "actual_judgement": "达成", "actual_value": 7,
         "actual_date": "not a date"},
        {"indicator_id": ids["ind"][RATE], "version": None, "actual_value": 96, "actual_judgement": "nonsense"},
    ])
    assert sorted(res.saved) == [0, 1] and not res.errors
    q = _stored(seeded_engine, ids["ind"][QUAL])
    assert q.actual_judgement == "达成" and q.actual_value is None and q.actual_date is None
    assert _stored(seeded_engine, ids["ind"][RATE]).actual_judgement is None


def test_spending_rules(seeded_engine, ids):
    pid = ids["proj"][P1]  # budget 100 万元
    res = save_spending_rows(seeded_engine, ADMIN, "2024Q2", [{"project_id": pid, "version": None, "spent_wan": "60"}])
    assert res.saved, res.errors
    cases = [
        ({"spent_wan": -1}, {"spent_wan"}),
        ({"spent_wan": "abc"}, {"spent_wan"}),
        ({"spent_wan": 120}, {"explanation"}),  # above the budget
        ({"spent_wan": 120, "explanation": "追加预算已批复"}, set()),
    ]
    for row, missing in cases:
        r = save_spending_rows(seeded_engine, ADMIN, Q3, [dict(row, project_id=pid, version=None)], dry_run=True)
        assert {e.field for e in r.errors} == missing, (row, r.errors)
    r = save_spending_rows(seeded_engine, ADMIN, Q3, [{"project_id": pid, "version": None, "spent_wan": 50}], dry_run=True)
    assert r.errors and "低于上期累计60万元" in r.errors[0].message
    r = save_spending_rows(seeded_engine, ADMIN, Q3, [{"project_id": pid, "version": None, "spent_wan": 80,
                                                       "projected_wan": 70}], dry_run=True)
    assert r.errors and "全年预计执行数70万元低于当前累计支出80万元" in r.errors[0].message
    r = save_spending_rows(seeded_engine, ADMIN, Q3, [{"project_id": pid, "version": None, "spent_wan": 80,
                                                       "projected_wan": "100"}])
    assert r.saved and r.statuses[0][0] in ("green", "grey")
    sf = spending_frame(seeded_engine, ADMIN, Q3)
    row = sf[sf["_project_id"] == pid].iloc[0]
    assert row["累计支出（万元）"] == 80 and row["上期累计支出（万元）"] == 60 and row["_version"] == 1
    h = history(seeded_engine, project_id=pid)
    assert set(h["事项"]) == {"预算执行"} and set(h["填报期"]) == {"2024Q2", Q3}


def test_dry_run_reports_changes_and_writes_nothing(seeded_engine, ids):
    iid = ids["ind"][RATE]
    rev = current_revision(seeded_engine)
    res = save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}],
                              dry_run=True)
    assert res.dry_run and res.would_save == [0] and not res.saved
    assert [(c.field, c.old, c.new) for c in res.changes] == [("actual_value", None, "95")]
    assert _stored(seeded_engine, iid) is None and current_revision(seeded_engine) == rev
    assert res.summary().startswith("将保存1行")


def test_a_database_error_rolls_back_every_row(seeded_engine, ids, monkeypatch):
    import data_access.actuals.saving as saving

    def boom(_s, _changed):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saving, "bump_revision", boom)
    with pytest.raises(RuntimeError):
        save_indicator_rows(seeded_engine, ADMIN, Q3, [
            {"indicator_id": ids["ind"][RATE], "version": None, "actual_value": 95},
            {"indicator_id": ids["ind"][QUAL], "version": None, "actual_judgement": "达成"}])
    with Session(seeded_engine) as s:
        assert s.execute(select(func.count()).select_from(IndicatorActual)).scalar() == 0
        assert s.execute(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "indicator_actual")).scalar() == 0


def test_entry_frame_shows_previous_value_status_and_what_to_fill(seeded_engine, ids):
    iid = ids["ind"][RATE]
    save_indicator_rows(seeded_engine, ADMIN, "2024Q2", [{"indicator_id": iid, "version": None, "actual_value": 91}])
    save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": ids["ind"][QUAL], "version": None,
                                                    "actual_judgement": "达成"}])
    df = entry_frame(seeded_engine, ADMIN, Q3, project_ids=[ids["proj"][P1]])
    assert set(df["项目"]) == {P1}
    rate = df[df["_indicator_id"] == iid].iloc[0]
    assert rate["上期值"] == "91.0%" and rate["_status"] == "missing" and rate["须填写"] == "当前值"
    assert rate["类型"] == "数值" and rate["单位"] == "%"
    qual = df[df["_indicator_id"] == ids["ind"][QUAL]].iloc[0]
    assert qual["完成情况"] == "达成" and qual["_version"] == 1 and qual["状态"].endswith("绿")
    assert qual["填报人"] == "admin" and qual["更新时间"]


def test_audit_frame_is_for_admins(seeded_engine, ids):
    save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": ids["ind"][RATE], "version": None, "actual_value": 95}],
                        source="cli", note="未指定 --user，以内置管理员 system-admin 身份")
    with pytest.raises(PermissionDenied):
        audit_frame(seeded_engine, _staff(seeded_engine, "教育科"))
    with pytest.raises(PermissionDenied):
        audit_frame(seeded_engine, LEADER)
    df = audit_frame(seeded_engine, SYSTEM_ADMIN, AuditFilters(entity="indicator_actual", period_code=Q3))
    assert len(df) == 1 and df.iloc[0]["字段"] == "当前完成值" and df.iloc[0]["新值"] == "95"
    assert "命令行导入" in df.iloc[0]["说明"] and "system-admin" in df.iloc[0]["说明"]
    assert audit_frame(seeded_engine, ADMIN, AuditFilters(username="nobody")).empty
    assert len(audit_frame(seeded_engine, ADMIN, AuditFilters(since=date.today()))) >= 1


def test_default_entry_period_skips_a_locked_one(seeded_engine):
    code = default_entry_period(seeded_engine, 2024, today=date(2024, 10, 15))
    assert code == Q3
    lock_period(seeded_engine, ADMIN, Q3)
    assert default_entry_period(seeded_engine, 2024, today=date(2024, 10, 15)) == "2024Q4"


@pytest.mark.postgres
def test_concurrent_writers_never_lose_an_update(db_url, seeded_engine, ids):
    """20 threads, each loading a version and saving, on overlapping rows. PostgreSQL exercises the
    row locks between connections; SQLite (run too) the database write lock taken first."""
    targets = [ids["ind"][RATE], ids["ind"][COUNT], ids["ind"][CAP]]
    pid = ids["proj"][P1]
    n_threads, rounds = 20, 4
    # values that need no explanation, different per writer
    green = {targets[0]: lambda n: 90 + n % 10, targets[1]: lambda n: 2.5 if n % 2 else 3,
             targets[2]: lambda n: 10 + (n % 10) / 10}
    barrier = threading.Barrier(n_threads)
    lock = threading.Lock()
    landed: dict[int, int] = {t: 0 for t in targets}
    sp_landed = [0]
    conflicts = [0]
    problems: list[str] = []

    def read_version(iid):
        a = _stored(seeded_engine, iid)
        return a.version if a else None

    def worker(n: int):
        who = Principal(f"user{n}", f"用户{n}", "admin", system=True)
        barrier.wait()
        for k in range(rounds):
            iid = targets[(n + k) % len(targets)]
            rows = [{"indicator_id": iid, "version": read_version(iid), "actual_value": green[iid](n),
                     "remarks": f"user{n}-{k}"}]
            try:
                r = save_indicator_rows(seeded_engine, who, Q3, rows)
                with Session(seeded_engine) as s:
                    a = s.execute(select(SpendingActual).where(SpendingActual.project_id == pid,
                                                               SpendingActual.period_code == Q3)).scalar_one_or_none()
                rs = save_spending_rows(seeded_engine, who, Q3, [{
                    "project_id": pid, "version": a.version if a else None, "spent_wan": 10 + n,
                    "projected_wan": 100, "explanation": f"user{n}-{k}"}])
            except Exception as e:  # noqa: BLE001
                with lock:
                    problems.append(repr(e))
                continue
            with lock:
                if r.saved:
                    landed[iid] += 1
                elif r.conflicts:
                    conflicts[0] += 1
                else:
                    problems.append(f"neither saved nor conflict: {r}")
                if rs.saved:
                    sp_landed[0] += 1
                elif rs.conflicts:
                    conflicts[0] += 1
                else:
                    problems.append(f"spending neither saved nor conflict: {rs}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not problems, problems[:3]
    total = n_threads * rounds
    assert sum(landed.values()) + sp_landed[0] + conflicts[0] == 2 * total
    assert conflicts[0] > 0  # overlapping writers were told
    for iid in targets:
        a = _stored(seeded_engine, iid)
        # every successful write bumped the version exactly once, and audited its remark change
        assert a is not None and a.version == landed[iid], (iid, a.version, landed[iid])
        assert len(_audit(seeded_engine, entity="indicator_actual", entity_id=a.id, field="remarks")) == landed[iid]
    with Session(seeded_engine) as s:
        sp = s.execute(select(SpendingActual).where(SpendingActual.project_id == pid)).scalar_one()
    assert sp.version == sp_landed[0]
    assert len(_audit(seeded_engine, entity="spending_actual", entity_id=sp.id, field="explanation")) == sp_landed[0]


# --------------------------------------------------------------------------- files and the command line


def _fill_template(data: bytes, edits: dict[tuple[str, str], dict[str, object]],
                   spending: dict[str, dict] | None = None) -> bytes:
    spending = spending or {}
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    for sheet, key_cols, table in (("指标填报", ("项目", "三级指标"), edits), ("预算执行", ("项目",), spending)):
        ws = wb[sheet]
        h = {c.value: c.column for c in ws[3] if c.value}
        for r in range(4, ws.max_row + 1):
            key = tuple(ws.cell(r, h[k]).value for k in key_cols)
            key = key if len(key) > 1 else key[0]
            for col, v in table.get(key, {}).items():
                ws.cell(r, h[col]).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_template_round_trip_with_preview_and_conflicts(seeded_engine, ids):
    from data_access.actuals import import_actuals
    from documents.actuals_template import build_template, read_template

    staff = _staff(seeded_engine, "教育科")
    pids = [ids["proj"][P1]]
    rows = entry_frame(seeded_engine, staff, Q3, pids).to_dict("records")
    sp = spending_frame(seeded_engine, staff, Q3, pids).to_dict("records")
    blank = build_template(rows, "2024年第三季度", spending=sp, period_code=Q3, unit_label="教育科")
    filled = _fill_template(blank, {
        RATE: {"当前完成值": "85%", "偏差原因": "人员保障", "说明": "回访未完成", "完成可能性": "确定能"},
        QUAL: {"完成情况": "达成"},
        COUNT: {"当前完成值": "很多"},
    }, {P1: {"累计支出（万元）": 70, "全年预计执行数（万元）": 100}})
    parsed = read_template(filled)
    preview = import_actuals(seeded_engine, staff, parsed, dry_run=True)
    assert preview.dry_run and preview.saved == 3 and preview.failed == 1
    assert [(e.where, e.field) for e in preview.errors] == [("指标填报第6行", "actual_value")]
    assert {(c.item, c.label, c.old, c.new) for c in preview.changes} >= {
        (f"{P1} / 教师学生满意度", "当前完成值", None, "85"), (f"{P1} / 设备质量", "完成情况", None, "达成"),
        (P1, "累计支出（万元）", None, "70")}
    assert _stored(seeded_engine, ids["ind"][RATE]) is None  # a preview writes nothing
    done = import_actuals(seeded_engine, staff, parsed)
    assert done.saved == 3 and done.failed == 1 and not done.ok
    assert _stored(seeded_engine, ids["ind"][RATE]).actual_value == 85.0
    log = _audit(seeded_engine, entity="indicator_actual", field="actual_value")
    assert log and "Excel模板导入" in log[-1].detail and log[-1].username == "jiaoyu"
    # the same file again: everything stored is unchanged, the bad line still fails
    again = import_actuals(seeded_engine, staff, parsed)
    assert again.saved == 0 and again.unchanged >= 3
    # someone changed a value after the export: the stale template line is a conflict
    save_indicator_rows(seeded_engine, ADMIN, Q3, [{"indicator_id": ids["ind"][QUAL], "version": 1,
                                                    "actual_judgement": "部分达成", "reasons": "经费保障",
                                                    "explanation": "x", "likelihood": "确定能"}])
    stale = import_actuals(seeded_engine, staff, read_template(_fill_template(blank, {QUAL: {"完成情况": "未达成"}})))
    assert stale.conflicts and stale.conflicts[0][0] == "指标填报第7行" and stale.conflicts[0][2].their_by == "admin"


def test_csv_import_matches_names_and_reports_lines(seeded_engine, ids):
    from data_access.actuals import import_actuals
    from documents.actuals_template import read_actuals_csv

    text = ("project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks\n"
            f"{P1},教师学生满意度,2024Q3,95,,,,,,\n"
            f"{P1},设备质量,2024Q3,部分达成,,,,,,\n"
            f"{P1},不存在的指标,2024Q3,1,,,,,,\n"
            f"没有的项目,设备质量,2024Q3,达成,,,,,,\n"
            f"{P2},教师学生满意度,2024Q3,95,,,,,,\n"
            f"{P1},装备学校数量,2031Q1,1,,,,,,\n")
    staff = _staff(seeded_engine, "教育科")
    res = import_actuals(seeded_engine, staff, read_actuals_csv(text.encode("utf-8")))
    assert res.saved == 1 and res.total == 6
    errs = {(e.line, e.field) for e in res.errors}
    assert (3, "reasons") in errs and (4, "indicator") in errs and (5, "project") in errs and (6, "row") in errs
    assert (7, "period_code") in errs
    assert _stored(seeded_engine, ids["ind"][RATE]).actual_value == 95.0
    sp = ("project,period,spent_wan,projected_wan,explanation\n"
          f"{P1},2024Q3,\"1,234\",,\n{P1},2024Q2,10,100,\n")
    res = import_actuals(seeded_engine, ADMIN, read_actuals_csv(sp.encode("utf-8")))
    assert res.saved == 1 and res.errors[0].line == 2 and "超过预算" in res.errors[0].message


def test_cli_export_and_import(db_url, seeded_engine, ids, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    def manage(*args):
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args, "--db", db_url],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    out = tmp_path / "edu.xlsx"
    r = manage("export-template", "--unit", "教育科", "--period", Q3, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "已导出填报模板" in r.stdout and out.exists()
    assert manage("export-template", "--unit", "没有的单位", "--period", Q3, "-o", str(out)).returncode == 2
    out.write_bytes(_fill_template(out.read_bytes(), {RATE: {"当前完成值": 96}, QUAL: {"完成情况": "胡说"}}))
    r = manage("import-actuals", str(out))
    assert r.returncode == 1
    assert "操作人：system-admin" in r.stdout and "已保存1行" in r.stdout
    assert "指标填报第7行" in r.stderr and "完成情况：不认识「胡说」" in r.stderr
    log = _audit(seeded_engine, entity="indicator_actual")
    assert log and log[-1].username == "system-admin" and "未指定 --user" in log[-1].detail
    csv_file = tmp_path / "a.csv"
    csv_file.write_text(f"project,period,spent_wan,projected_wan,explanation\n{P1},2024Q3,10,100,\n", encoding="utf-8")
    r = manage("import-actuals", str(csv_file), "--user", "nobody")
    assert r.returncode == 2 and "用户不存在" in r.stderr
    r = manage("import-actuals", str(csv_file))
    assert r.returncode == 0, r.stderr
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    r = manage("import-actuals", str(tmp_path / "bad.csv"))
    assert r.returncode == 2 and "无法识别CSV的表头" in r.stderr
