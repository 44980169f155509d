"""整改 items on SQLite and PostgreSQL: who raises, answers, closes and returns them; the state machine as
the data layer enforces it; stale pages; audit; the lists for 项目详情, the risk list and 待办."""

from __future__ import annotations

from datetime import date, timedelta

import docx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from cli import main
from data_access.actuals import entry_frame
from data_access.db import current_revision
from data_access.models import AuditLog, Unit
from data_access.permissions import PermissionDenied, Principal
from data_access.rectification import (
    NewRectification,
    answer_rectification,
    close_rectification,
    create_rectification,
    open_rectifications,
    rectifications,
    return_rectification,
    todo_rectifications,
)
from domain import rectification as R
from domain.clock import today_local
from tests.conftest import account_for

Q3 = "2024Q3"
ADMIN = Principal("admin", "管理员", "admin", system=True)
LEADER = Principal("leader", "局领导", "leader")
P1 = "区本课程经费"  # 教育科
OTHER = "基本公共卫生经费"  # 卫生健康科
DEADLINE = today_local() + timedelta(days=30)


def _unit_id(engine, name: str) -> int:
    with Session(engine) as s:
        return s.execute(select(Unit.id).where(Unit.name == name)).scalar_one()


def _staff(engine, username: str = "jiaoyu", unit: str = "教育科") -> Principal:
    return account_for(engine, Principal(username, "填报员", "staff", frozenset({_unit_id(engine, unit)})))


@pytest.fixture
def ids(seeded_engine):
    df = entry_frame(seeded_engine, ADMIN, Q3)
    return {"ind": {(r["项目"], r["三级指标"]): int(r["_indicator_id"]) for _, r in df.iterrows()},
            "proj": {r["项目"]: int(r["_project_id"]) for _, r in df.iterrows()}}


def _new(ids, project=P1, target="indicator", indicator="设备质量", **kw) -> NewRectification:
    return NewRectification(project_id=ids["proj"][project], requirement=kw.pop("requirement", "补齐设备验收手续"),
                            deadline=kw.pop("deadline", DEADLINE), period_code=Q3, target=target,
                            indicator_id=ids["ind"][(project, indicator)] if target == "indicator" else None,
                            source=kw.pop("source", "meeting"), trigger_status="red", trigger_reason="定性：未达成", **kw)


def test_raise_answer_close_the_whole_loop(seeded_engine, ids):
    staff = _staff(seeded_engine)
    rev = current_revision(seeded_engine)
    item = create_rectification(seeded_engine, ADMIN, _new(ids))
    assert (item.state, item.item, item.unit_name, item.project_name, item.version) == (R.OPEN, "设备质量", "教育科", P1, 1)
    assert current_revision(seeded_engine) > rev
    assert [i.id for i in todo_rectifications(seeded_engine, staff)] == [item.id]
    assert todo_rectifications(seeded_engine, ADMIN) == []
    answered = answer_rectification(seeded_engine, staff, item.id, measures="补办验收", result="已验收合格",
                                    version=item.version)
    assert (answered.state, answered.measures, answered.answered_by) == (R.ANSWERED, "补办验收", "jiaoyu")
    assert todo_rectifications(seeded_engine, staff) == []
    assert [i.id for i in todo_rectifications(seeded_engine, ADMIN)] == [item.id]
    closed = close_rectification(seeded_engine, ADMIN, item.id, note="材料齐全", version=answered.version)
    assert (closed.state, closed.closed_by, closed.note, closed.is_open) == (R.CLOSED, "admin", "材料齐全", False)
    assert open_rectifications(seeded_engine, ADMIN) == []
    with Session(seeded_engine) as s:
        trail = s.execute(select(AuditLog.username, AuditLog.action, AuditLog.field, AuditLog.old, AuditLog.new).where(
            AuditLog.entity == "rectification").order_by(AuditLog.id)).all()
    assert [tuple(t) for t in trail] == [
        ("admin", "create", "requirement", None, "补齐设备验收手续"),
        ("admin", "create", "deadline", None, DEADLINE.isoformat()),
        ("admin", "create", "state", None, "待整改"),
        ("jiaoyu", "answer", "rect_measures", None, "补办验收"),
        ("jiaoyu", "answer", "rect_result", None, "已验收合格"),
        ("jiaoyu", "answer", "state", "待整改", "待核验"),
        ("admin", "close", "rect_note", None, "材料齐全"),
        ("admin", "close", "state", "待核验", "已销号"),
    ]


def test_returned_items_go_back_to_the_unit_with_the_reason(seeded_engine, ids):
    staff = _staff(seeded_engine)
    item = create_rectification(seeded_engine, ADMIN, _new(ids, target="budget"))
    answer_rectification(seeded_engine, staff, item.id, measures="加快支付", result="已支付30%")
    with pytest.raises(R.RectificationError, match="退回原因须填写"):
        return_rectification(seeded_engine, ADMIN, item.id, note="  ")
    back = return_rectification(seeded_engine, ADMIN, item.id, note="请附支付凭证")
    assert (back.state, back.note, back.item) == (R.RETURNED, "请附支付凭证", "预算执行")
    assert [i.id for i in todo_rectifications(seeded_engine, staff)] == [item.id]
    again = answer_rectification(seeded_engine, staff, item.id, measures="加快支付", result="已支付80%，附凭证")
    assert again.state == R.ANSWERED


@pytest.mark.parametrize("action", ["close", "return", "answer_closed"])
def test_moves_the_state_machine_forbids(seeded_engine, ids, action):
    item = create_rectification(seeded_engine, ADMIN, _new(ids))
    if action == "close":  # an item nobody answered cannot be closed
        with pytest.raises(R.RectificationError, match="待整改.*不能核验销号"):
            close_rectification(seeded_engine, ADMIN, item.id)
    elif action == "return":
        with pytest.raises(R.RectificationError, match="不能退回重改"):
            return_rectification(seeded_engine, ADMIN, item.id, note="不行")
    else:
        answer_rectification(seeded_engine, ADMIN, item.id, measures="m", result="r")
        close_rectification(seeded_engine, ADMIN, item.id)
        with pytest.raises(R.RectificationError, match="已销号.*不能反馈"):
            answer_rectification(seeded_engine, ADMIN, item.id, measures="m2", result="r2")


def test_who_may_do_what(seeded_engine, ids):
    staff, other = _staff(seeded_engine), _staff(seeded_engine, "weijian", "卫生健康科")
    for by in (staff, LEADER, None):
        with pytest.raises(PermissionDenied):
            create_rectification(seeded_engine, by, _new(ids))
    item = create_rectification(seeded_engine, ADMIN, _new(ids))
    for by in (other, LEADER):
        with pytest.raises(PermissionDenied):
            answer_rectification(seeded_engine, by, item.id, measures="m", result="r")
    answer_rectification(seeded_engine, staff, item.id, measures="m", result="r")
    with pytest.raises(PermissionDenied, match="仅限管理员"):
        close_rectification(seeded_engine, staff, item.id)
    with pytest.raises(PermissionDenied):
        return_rectification(seeded_engine, staff, item.id, note="x")
    # staff of another unit neither see nor list it; leaders see it, act on nothing
    assert rectifications(seeded_engine, other) == []
    assert [i.id for i in rectifications(seeded_engine, LEADER)] == [item.id]
    assert todo_rectifications(seeded_engine, LEADER) == []


def test_the_owner_unit_answers_even_for_another_units_project(seeded_engine, ids):
    jiaoyu, weijian = _staff(seeded_engine), _staff(seeded_engine, "weijian", "卫生健康科")
    item = create_rectification(seeded_engine, ADMIN, _new(ids, unit_id=_unit_id(seeded_engine, "卫生健康科")))
    assert item.unit_name == "卫生健康科"
    with pytest.raises(PermissionDenied, match="本单位负责"):
        answer_rectification(seeded_engine, jiaoyu, item.id, measures="m", result="r")
    assert [i.id for i in rectifications(seeded_engine, jiaoyu)] == [item.id]  # their project: they see it
    assert answer_rectification(seeded_engine, weijian, item.id, measures="m", result="r").state == R.ANSWERED


def test_one_open_item_per_matter(seeded_engine, ids):
    first = create_rectification(seeded_engine, ADMIN, _new(ids))
    with pytest.raises(R.RectificationError, match=f"已有未销号的整改事项（#{first.id}）"):
        create_rectification(seeded_engine, ADMIN, _new(ids, source="risks"))
    create_rectification(seeded_engine, ADMIN, _new(ids, target="budget"))  # another matter of the project
    create_rectification(seeded_engine, ADMIN, _new(ids, target="project"))
    answer_rectification(seeded_engine, ADMIN, first.id, measures="m", result="r")
    close_rectification(seeded_engine, ADMIN, first.id)
    assert create_rectification(seeded_engine, ADMIN, _new(ids)).state == R.OPEN  # closed: a new one may follow
    assert len(open_rectifications(seeded_engine, ADMIN, year=2024)) == 3


@pytest.mark.parametrize("kw,message", [
    ({"requirement": ""}, "整改要求须填写"),
    ({"requirement": "要" * 1001}, "最多1000字"),
    ({"deadline": None}, "整改期限须填写"),
    ({"deadline": date(2020, 1, 1)}, "不能早于今天"),
])
def test_bad_input_raises_nothing(seeded_engine, ids, kw, message):
    with pytest.raises(R.RectificationError, match=message):
        create_rectification(seeded_engine, ADMIN, _new(ids, **kw))
    assert rectifications(seeded_engine, ADMIN) == []


def test_a_stale_page_does_not_overwrite(seeded_engine, ids):
    staff = _staff(seeded_engine)
    item = create_rectification(seeded_engine, ADMIN, _new(ids))
    answer_rectification(seeded_engine, staff, item.id, measures="第一次", result="r", version=item.version)
    with pytest.raises(R.RectificationError, match="已被他人更新"):
        answer_rectification(seeded_engine, staff, item.id, measures="旧页面", result="r", version=item.version)
    assert rectifications(seeded_engine, ADMIN)[0].measures == "第一次"


def test_lists_by_project_and_owner(seeded_engine, ids):
    a = create_rectification(seeded_engine, ADMIN, _new(ids))
    b = create_rectification(seeded_engine, ADMIN, _new(ids, project=OTHER, target="budget",
                                                         deadline=today_local() + timedelta(days=3)))
    assert [i.id for i in open_rectifications(seeded_engine, ADMIN)] == [b.id, a.id]  # earliest deadline first
    assert [i.id for i in rectifications(seeded_engine, ADMIN, project_ids=[ids["proj"][P1]])] == [a.id]
    assert [i.id for i in open_rectifications(seeded_engine, ADMIN, unit_ids=[_unit_id(seeded_engine, "卫生健康科")])] == [b.id]
    assert b.due_text(today_local()) == "还剩3天"
    assert a.due_text(DEADLINE + timedelta(days=2)) == "逾期2天"


def test_the_next_report_draft_follows_the_open_items(seeded_engine, ids, db_url, tmp_path, capsys):
    staff = _staff(seeded_engine)
    create_rectification(seeded_engine, ADMIN, _new(ids, target="budget", deadline=today_local()))
    waiting = create_rectification(seeded_engine, ADMIN, _new(ids))
    answer_rectification(seeded_engine, staff, waiting.id, measures="补办验收手续", result="已验收合格")
    done = create_rectification(seeded_engine, ADMIN, _new(ids, project=OTHER, target="project"))
    answer_rectification(seeded_engine, ADMIN, done.id, measures="m", result="r")
    close_rectification(seeded_engine, ADMIN, done.id)
    out = tmp_path / "report.docx"
    assert main(["export", "--kind", "report", "--as-of", "2024-09-30", "--db", db_url, "-o", str(out)]) == 0, \
        capsys.readouterr().err
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    at = next(i for i, t in enumerate(texts) if t.startswith("整改事项跟踪情况："))
    assert texts.index("五、纠偏措施") < at < texts.index("六、全年预计")
    assert texts[at].startswith("整改事项跟踪情况：本年度共提出整改事项3项，已销号1项，未销号2项（其中逾期0项、待核验1项）")
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "项目" and t.rows[0].cells[-1].text == "单位反馈")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [(r[0], r[1], r[5]) for r in rows] == [(P1, "预算执行", "待整改"), (P1, "设备质量", "待核验")]
    assert rows[0][4].endswith("（今天到期）") and rows[1][6] == "补办验收手续；已验收合格"


def test_todo_names_what_each_person_has_to_do(seeded_engine, ids):
    from data_access.todo import todo_items

    staff, other = _staff(seeded_engine), _staff(seeded_engine, "weijian", "卫生健康科")
    today = today_local()
    late = create_rectification(seeded_engine, ADMIN, _new(ids, target="budget", deadline=today), today=today)
    create_rectification(seeded_engine, ADMIN, _new(ids), today=today)

    def mine(p, when=today):
        return {i.kind: (i.count, i.tone, i.page) for i in todo_items(seeded_engine, p, today=when)
                if i.kind.startswith("rectification")}

    assert mine(staff) == {"rectification": (2, "warning", "entry")}
    assert mine(staff, today + timedelta(days=1)) == {"rectification": (2, "error", "entry")}  # one is overdue
    assert mine(other) == {} and mine(LEADER) == {}
    assert mine(ADMIN, today + timedelta(days=1)) == {"rectification_late": (1, "error", "risks")}
    answer_rectification(seeded_engine, staff, late.id, measures="m", result="r")
    assert mine(staff) == {"rectification": (1, "warning", "entry")}
    assert mine(ADMIN) == {"rectification_verify": (1, "warning", "project")}
