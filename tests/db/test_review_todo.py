"""待办 per role (data_access.todo with the reporting chain's providers) and the 填报截止日 it counts against:
staff see what is to fill, to submit, returned and the days left; reviewers what waits for them; leaders
the red projects whose explanation is not approved yet. Each item names the page and the filtered view."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import period_state, set_deadline
from data_access.actuals.access import load_period
from data_access.models import AuditLog
from data_access.monitoring import evaluate
from data_access.permissions import PermissionDenied, Principal
from data_access.review import actions as RA
from data_access.review.actions import gaps
from data_access.todo import todo_items
from data_access.users import principal_for
from domain.status import RED
from seed.demo_users import ensure_demo_users
from tests.review_support import PERIOD, fill_project

ADMIN = Principal("admin", "管理员", "admin", system=True)
TODAY = date(2024, 10, 10)


@pytest.fixture
def demo(seeded_engine):
    from seed.demo import load_demo_data

    load_demo_data(seeded_engine)
    ensure_demo_users(seeded_engine)
    return seeded_engine


def _texts(items) -> dict[str, tuple[str, dict]]:
    return {i.text: (i.page, i.query) for i in items}


def test_the_deadline_is_set_by_the_admin_and_counted_in_staff_todo(demo):
    engine = demo
    staff = principal_for(engine, "jiaoyu")
    with pytest.raises(PermissionDenied):
        set_deadline(engine, staff, PERIOD, date(2024, 10, 15))
    with pytest.raises(ValueError, match="填报截止日须在2024-07-01至"):
        set_deadline(engine, ADMIN, PERIOD, date(2024, 6, 1))
    assert set_deadline(engine, ADMIN, PERIOD, date(2024, 10, 15))
    assert not set_deadline(engine, ADMIN, PERIOD, date(2024, 10, 15))  # unchanged
    assert period_state(engine, PERIOD).deadline == date(2024, 10, 15)
    with Session(engine) as s:
        row = s.execute(select(AuditLog).where(AuditLog.action == "set_deadline")).scalar_one()
    assert (row.old, row.new, row.period_code) == (None, "2024-10-15", PERIOD)
    items = _texts(todo_items(engine, staff, TODAY, PERIOD))
    assert items["距填报截止：5天"] == ("entry", {"period": PERIOD})
    assert any(t.startswith("待送审的项目：") for t in items)
    late = _texts(todo_items(engine, staff, date(2024, 10, 20), PERIOD))
    assert "已逾期：5天" in late


def test_returned_items_reach_the_staff_and_submissions_the_reviewer(demo):
    engine = demo
    staff = principal_for(engine, "jiaoyu")
    fill_project(engine, staff, 1)
    RA.submit(engine, staff, [1], PERIOD)
    admin = principal_for(engine, "admin")
    assert _texts(todo_items(engine, admin, TODAY, PERIOD))["待审核的项目：1个"] == ("review", {"period": PERIOD})
    assert not any("待审核" in t for t in _texts(todo_items(engine, staff, TODAY, PERIOD)))
    RA.return_items(engine, admin, 1, PERIOD, {"spending:1": "请核对支出", "indicator:1": "请补充说明"}, seen_round=1)
    items = _texts(todo_items(engine, staff, TODAY, PERIOD))
    assert items["被退回的事项：2项"] == ("entry", {"period": PERIOD, "project": "1"})
    assert not any("待审核" in t for t in _texts(todo_items(engine, admin, TODAY, PERIOD)))
    other = principal_for(engine, "weijian")
    assert not any("被退回" in t for t in _texts(todo_items(engine, other, TODAY, PERIOD)))


def test_leaders_see_red_projects_without_an_approved_explanation(demo):
    engine = demo
    leader = principal_for(engine, "leader")
    red = [r for r in evaluate(engine, 2024, date(2024, 9, 30)) if r.status == RED]
    assert red, "the demo data has red projects"
    items = _texts(todo_items(engine, leader, TODAY, PERIOD))
    label = f"红色项目未审核：{len(red)}个"
    assert items[label] == ("risks", {"year": "2024", "period": PERIOD, "status": "red", "review": "unapproved"})
    staff = principal_for(engine, "jiaoyu")
    with Session(engine) as s:
        period, year = load_period(s, PERIOD, lock=False)
        missing = gaps(s, staff, [r.project.id for r in red if r.project.unit == "教育科"], period, year)
    ready = next(pid for pid, g in missing.items() if not g)
    RA.submit(engine, staff, [ready], PERIOD)
    RA.approve(engine, principal_for(engine, "admin"), ready, PERIOD, seen_round=1)
    assert f"红色项目未审核：{len(red) - 1}个" in _texts(todo_items(engine, leader, TODAY, PERIOD))
