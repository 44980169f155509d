"""The reporting chain in the data layer (SQLite and PostgreSQL): 送审 with gaps refused, 退回 with
comments, 审核通过, approved values read-only on every write path until a logged 重新开放, who may do
what, and a value changed after submission caught at approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import ANY_VERSION, save_indicator_rows, save_spending_rows
from data_access.models import AuditLog, Project, Unit
from data_access.permissions import PermissionDenied, Principal
from data_access.review import actions as RA
from data_access.review.reads import project_states, review_queue
from domain import review as R
from tests.conftest import account_for
from tests.review_support import PERIOD, fill_project

ADMIN = Principal("admin", "管理员", "admin", system=True)
LEADER = Principal("lingdao", "领导", "leader")
PROJECT, OTHER = "区本课程经费", "学校教学装备及仪器更新经费项目经费"


@pytest.fixture
def chain(seeded_engine):
    """(engine, staff of 教育科, staff of 卫生健康科, {name: project id}) with accounts stored."""
    with Session(seeded_engine) as s:
        units = dict(s.execute(select(Unit.name, Unit.id)).tuples().all())
        projects = dict(s.execute(select(Project.name, Project.id)).tuples().all())
    staff = account_for(seeded_engine, Principal("keyuan", "科员", "staff", frozenset({units["教育科"]})))
    other = account_for(seeded_engine, Principal("weisheng", "卫生科员", "staff", frozenset({units["卫生健康科"]})))
    account_for(seeded_engine, LEADER)
    return seeded_engine, staff, other, projects


def _first_indicator(engine, pid: int) -> int:
    from data_access.actuals import entry_frame

    return int(entry_frame(engine, ADMIN, PERIOD, [pid]).iloc[0]["_indicator_id"])


def _actions(engine, pid: int) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        return [(a, o, n) for a, o, n in s.execute(
            select(AuditLog.action, AuditLog.old, AuditLog.new).where(AuditLog.entity == "project_review",
                                                                      AuditLog.entity_id == pid)
            .order_by(AuditLog.id)).tuples()]


def test_a_submission_with_gaps_is_refused_with_the_list_of_what_is_missing(chain):
    engine, staff, _other, projects = chain
    res = RA.submit(engine, staff, [projects[PROJECT]], PERIOD)
    assert res.submitted == []
    message = res.refused[projects[PROJECT]]
    assert message.startswith("尚有") and "不能送审" in message
    assert "尚有6项未填写齐全" in message and "教师学生满意度：须填写当前完成值" in message
    assert project_states(engine, staff, PERIOD)[projects[PROJECT]].state == R.DRAFT
    assert _actions(engine, projects[PROJECT]) == []  # nothing written


def test_submit_return_resubmit_approve_and_reopen(chain):
    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    res = RA.submit(engine, staff, [pid, projects[OTHER]], PERIOD)  # the other project is still empty
    assert res.submitted == [pid] and list(res.refused) == [projects[OTHER]]
    # under review: staff cannot change it, the row says why
    iid = _first_indicator(engine, pid)
    saved = save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION, "remarks": "改"}])
    assert not saved.saved and "已送审" in saved.errors[0].message
    # 退回 needs a comment per item
    with pytest.raises(R.ReviewRefused):
        RA.return_items(engine, ADMIN, pid, PERIOD, {R.item_key("indicator", iid): "  "}, seen_round=1)
    RA.return_items(engine, ADMIN, pid, PERIOD, {R.item_key("indicator", iid): "完成值与台账不符，请核实"}, seen_round=1)
    info = project_states(engine, staff, PERIOD)[pid]
    assert info.state == R.RETURNED and info.returned == {f"indicator:{iid}": "完成值与台账不符，请核实"}
    saved = save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION, "remarks": "已核实"}])
    assert saved.saved and not saved.errors
    assert RA.submit(engine, staff, [pid], PERIOD).submitted == [pid]
    assert RA.approve(engine, ADMIN, pid, PERIOD, seen_round=2) == R.APPROVED
    # approved: read-only for everybody, on the screen path, spending and the admin too
    for who in (staff, ADMIN):
        res = save_indicator_rows(engine, who, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION, "remarks": "再改"}])
        assert not res.saved and "已审核通过，只读" in res.errors[0].message
    res = save_spending_rows(engine, ADMIN, PERIOD, [{"project_id": pid, "version": ANY_VERSION, "spent_wan": 1}])
    assert not res.saved and "已审核通过" in res.errors[0].message
    # the month ending the quarter is covered by the quarter's approval
    res = save_indicator_rows(engine, staff, "2024-09", [{"indicator_id": iid, "version": ANY_VERSION, "remarks": "x"}])
    assert not res.saved and "随2024Q3的审核" in res.errors[0].message
    with pytest.raises(R.ReviewRefused, match="须填写原因"):
        RA.reopen(engine, ADMIN, pid, PERIOD, " ")
    assert RA.reopen(engine, ADMIN, pid, PERIOD, "财政局要求更正支出数") == R.DRAFT
    res = save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION, "remarks": "更正"}])
    assert res.saved
    assert _actions(engine, pid) == [
        ("review_submit", "填报中", "已送审"), ("review_return", "已送审", "已退回"), ("review_submit", "已退回", "已送审"),
        ("review_approve", "已送审", "已通过"), ("review_reopen", "已通过", "填报中")]
    with Session(engine) as s:
        detail = s.execute(select(AuditLog.detail).where(AuditLog.action == "review_reopen")).scalar_one()
    assert "财政局要求更正支出数" in detail


def test_who_may_do_what_is_enforced_in_the_data_layer(chain):
    engine, staff, other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    with pytest.raises(PermissionDenied):
        RA.submit(engine, LEADER, [pid], PERIOD)
    with pytest.raises(PermissionDenied):
        RA.submit(engine, other, [pid], PERIOD)  # not their unit
    RA.submit(engine, staff, [pid], PERIOD)
    for who in (staff, other, LEADER):
        with pytest.raises(PermissionDenied):
            RA.approve(engine, who, pid, PERIOD, seen_round=1)
        with pytest.raises(PermissionDenied):
            RA.return_items(engine, who, pid, PERIOD, {f"spending:{pid}": "请补充"}, seen_round=1)
    with pytest.raises(PermissionDenied):
        RA.withdraw(engine, other, pid, PERIOD)
    assert review_queue(engine, staff).empty and review_queue(engine, LEADER).empty
    assert list(review_queue(engine, ADMIN)["_project_id"]) == [pid]
    RA.approve(engine, ADMIN, pid, PERIOD, seen_round=1)
    with pytest.raises(PermissionDenied):
        RA.reopen(engine, staff, pid, PERIOD, "想改")
    assert project_states(engine, staff, PERIOD)[pid].state == R.APPROVED


def test_a_value_changed_after_submission_is_caught_at_approval(chain):
    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    iid = _first_indicator(engine, pid)
    # the admin (or an import acting as the admin) changes a value while the project waits for review
    assert save_indicator_rows(engine, ADMIN, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION,
                                                        "remarks": "管理员改动"}]).saved
    with pytest.raises(R.ReviewRefused, match="送审后数值已被修改") as e:
        RA.approve(engine, ADMIN, pid, PERIOD, seen_round=1)
    assert "修改人：admin" in str(e.value)
    assert project_states(engine, staff, PERIOD)[pid].state == R.SUBMITTED
    # resubmitted since the reviewer looked: the stale approval is refused too
    RA.return_items(engine, ADMIN, pid, PERIOD, {f"indicator:{iid}": "请确认备注"}, seen_round=1)
    RA.submit(engine, staff, [pid], PERIOD)
    with pytest.raises(R.ReviewRefused, match="请刷新后再审核"):
        RA.approve(engine, ADMIN, pid, PERIOD, seen_round=1)
    assert RA.approve(engine, ADMIN, pid, PERIOD, seen_round=2) == R.APPROVED


def test_withdraw_before_review_makes_it_editable_again(chain):
    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    assert RA.withdraw(engine, staff, pid, PERIOD) == R.DRAFT
    iid = _first_indicator(engine, pid)
    assert save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION,
                                                        "remarks": "撤回后修改"}]).saved


def test_two_review_levels_use_the_same_code(chain):
    from data_access.db import session_scope
    from data_access.models import User
    from data_access.monitoring import load_settings, save_settings

    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    save_settings(engine, load_settings(engine).with_changes(review_levels=2), ADMIN)
    chief = account_for(engine, Principal("kezhang", "科长", "staff", staff.unit_ids))
    with session_scope(engine) as s:
        s.execute(select(User).where(User.username == "kezhang")).scalar_one().unit_reviewer = True
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    with pytest.raises(PermissionDenied):
        RA.approve(engine, staff, pid, PERIOD, seen_round=1)  # not a 科长
    assert list(review_queue(engine, chief)["_project_id"]) == [pid]
    assert RA.approve(engine, chief, pid, PERIOD, seen_round=1) == R.CHECKED
    with pytest.raises(PermissionDenied, match="须由管理员"):
        RA.approve(engine, chief, pid, PERIOD, seen_round=1)
    assert RA.approve(engine, ADMIN, pid, PERIOD, seen_round=1) == R.APPROVED


def test_a_reported_period_keeps_its_snapshot_after_a_reopen_and_a_change(chain):
    import json

    from components.report_snapshot import report_period
    from data_access.review.snapshots import snapshot_data, snapshot_file, snapshots

    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    RA.approve(engine, ADMIN, pid, PERIOD, seen_round=1)
    with pytest.raises(R.ReviewRefused, match="未审核通过"):
        report_period(engine, ADMIN, PERIOD)  # the other projects are not approved
    with pytest.raises(PermissionDenied):
        report_period(engine, staff, PERIOD, allow_unapproved=True)
    seq, build = report_period(engine, ADMIN, PERIOD, note="报财政局", allow_unapproved=True)
    assert seq == 1 and build.approved == 1 and build.projects == len(projects)
    [snap] = snapshots(engine, LEADER, PERIOD)
    stored = {name: snapshot_file(engine, LEADER, fid).content for fid, name, _size, _sha in snap.files}
    assert set(stored) == {f.name for f in build.files}
    assert all(stored[f.name] == f.content for f in build.files)
    data, statuses = snapshot_data(engine, ADMIN, snap.id)
    before = next(p for p in data["projects"] if p["id"] == pid)
    assert before["review"] == R.APPROVED and before["spent_wan"] == 75.0
    # reopened and changed afterwards: the snapshot stays as reported
    RA.reopen(engine, ADMIN, pid, PERIOD, "更正支出")
    assert save_spending_rows(engine, staff, PERIOD, [{"project_id": pid, "version": ANY_VERSION, "spent_wan": 80,
                                                       "projected_wan": 100, "explanation": "更正"}]).saved
    [again] = snapshots(engine, ADMIN, PERIOD)
    assert {name: snapshot_file(engine, ADMIN, fid).content for fid, name, _s, _h in again.files} == stored
    data2, statuses2 = snapshot_data(engine, ADMIN, snap.id)
    assert (data2, statuses2) == (data, statuses)
    assert json.loads(stored[f"{build.data['label']}上报_数据与状态.json"])["data"] == data
    with pytest.raises(PermissionDenied):
        snapshots(engine, staff, PERIOD)


def test_a_save_racing_an_approval_waits_and_is_then_refused(chain, db_url):
    """PostgreSQL: an approval holds the review row; a save of that project waits for it and then sees
    已通过 (never writes into values being approved). SQLite serialises all writers anyway."""
    import threading

    from sqlalchemy import text

    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL")
    engine, staff, _other, projects = chain
    pid = projects[PROJECT]
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    RA.withdraw(engine, staff, pid, PERIOD)  # editable by staff again, the review row exists
    iid = _first_indicator(engine, pid)
    result: dict = {}
    with engine.connect() as approving:
        approving.execute(text("SELECT id FROM project_review WHERE project_id = :p FOR UPDATE"), {"p": pid})
        approving.execute(text("UPDATE project_review SET state = 'approved' WHERE project_id = :p"), {"p": pid})

        def save():
            result["res"] = save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": iid, "version": ANY_VERSION,
                                                                          "remarks": "抢在审核时修改"}])

        t = threading.Thread(target=save)
        t.start()
        t.join(1.0)
        assert t.is_alive(), "the save must wait for the approval's row lock"
        approving.commit()
    t.join(10)
    res = result["res"]
    assert not res.saved and "已审核通过，只读" in res.errors[0].message


def test_items_returned_or_commented_must_belong_to_the_project(chain):
    from data_access.review.comments import add_comment, comments

    engine, staff, other, projects = chain
    pid, foreign = projects[PROJECT], projects[OTHER]
    fill_project(engine, staff, pid)
    RA.submit(engine, staff, [pid], PERIOD)
    with pytest.raises(ValueError, match="不属于该项目"):
        RA.return_items(engine, ADMIN, pid, PERIOD, {f"indicator:{_first_indicator(engine, foreign)}": "x"}, seen_round=1)
    with pytest.raises(ValueError, match="须属于该项目"):
        add_comment(engine, staff, pid, PERIOD, f"spending:{foreign}", "留言")
    with pytest.raises(PermissionDenied):
        add_comment(engine, other, pid, PERIOD, f"spending:{pid}", "别的单位留言")
    with pytest.raises(PermissionDenied):
        add_comment(engine, LEADER, pid, PERIOD, f"spending:{pid}", "领导留言")
    add_comment(engine, staff, pid, PERIOD, f"spending:{pid}", "支出已按国库数据核对")
    [c] = comments(engine, LEADER, pid, [PERIOD])
    assert (c.item_key, c.name, c.kind_label, c.text) == (f"spending:{pid}", "科员", "留言", "支出已按国库数据核对")
    with pytest.raises(PermissionDenied):
        comments(engine, other, pid)
    assert project_states(engine, staff, PERIOD)[pid].state == R.SUBMITTED  # nothing returned
