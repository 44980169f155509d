"""Every write re-reads the acting account in its own transaction (data_access.acting).

The page holds the principal it was drawn with; when the account is deactivated, locked or changed before
the save, the save with that very principal object is refused with a Chinese message and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from data_access import passwords
from data_access.actuals import import_actuals, lock_period, save_indicator_rows, save_spending_rows
from data_access.db import current_revision, session_scope
from data_access.models import AuditLog, Indicator, IndicatorActual, Period, Project, SpendingActual, User
from data_access.permissions import SYSTEM_ADMIN, PermissionDenied
from data_access.users import create_user, principal_for, set_active, set_role, set_user_units
from documents.actuals_template import read_actuals_csv
from domain.clock import utcnow

Q3 = "2024Q3"
P1 = "区本课程经费"  # a project of 教育科


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def world(seeded_engine):
    create_user(seeded_engine, "jy", "staff", "correct-horse-1", units=["教育科"], by=SYSTEM_ADMIN)
    create_user(seeded_engine, "boss", "admin", "correct-horse-2", by=SYSTEM_ADMIN)
    create_user(seeded_engine, "deputy", "admin", "correct-horse-3", by=SYSTEM_ADMIN)  # boss is not the last admin
    with seeded_engine.connect() as c:
        pid = c.execute(select(Project.id).where(Project.name == P1)).scalar_one()
        iid = c.execute(select(Indicator.id).where(Indicator.project_id == pid, Indicator.level3 == "教师学生满意度")
                        ).scalar_one()
    return seeded_engine, pid, iid


def _counts(engine) -> tuple[int, int, int, int, list[bool]]:
    with engine.connect() as c:
        n = lambda m: c.execute(select(func.count()).select_from(m)).scalar_one()  # noqa: E731
        locks = list(c.execute(select(Period.locked).order_by(Period.id)).scalars())
        return n(IndicatorActual), n(SpendingActual), n(AuditLog), current_revision(engine), locks


def _lock_account(engine, username):
    with session_scope(engine) as s:
        s.execute(update(User).where(User.username == username).values(locked_until=utcnow() + timedelta(minutes=9)))


CHANGES = {
    "deactivated": (lambda e, u: set_active(e, u, False, by=SYSTEM_ADMIN), "账户不存在或已停用，未保存任何修改"),
    "locked": (_lock_account, "账户已锁定，未保存任何修改"),
    "role changed": (lambda e, u: set_role(e, u, "leader", by=SYSTEM_ADMIN),
                     "账户的角色或责任单位已变更，未保存任何修改；请刷新页面后重试"),
}

WRITES = {
    "indicator rows (填报 page)": ("jy", lambda e, p, pid, iid: save_indicator_rows(
        e, p, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}])),
    "spending rows (填报 page)": ("jy", lambda e, p, pid, iid: save_spending_rows(
        e, p, Q3, [{"project_id": pid, "version": None, "spent_wan": 3.0}])),
    "CSV upload": ("jy", lambda e, p, pid, iid: import_actuals(e, p, read_actuals_csv(
        f"project,period,spent_wan,projected_wan,explanation\n{P1},{Q3},3,,\n".encode()))),
    "period lock (admin)": ("boss", lambda e, p, pid, iid: lock_period(e, p, Q3)),
}


@pytest.mark.parametrize("change, message", list(CHANGES.values()), ids=list(CHANGES))
@pytest.mark.parametrize("who, write", list(WRITES.values()), ids=list(WRITES))
def test_the_principal_the_page_held_saves_nothing_after_the_account_changed(world, who, write, change, message):
    engine, pid, iid = world
    held = principal_for(engine, who)  # what the page was drawn with
    change(engine, who)
    before = _counts(engine)
    with pytest.raises(PermissionDenied) as e:
        write(engine, held, pid, iid)
    assert str(e.value) == message
    assert _counts(engine) == before  # nothing written: no value, no audit row, no revision bump, no lock


def test_a_unit_change_since_the_page_was_drawn_is_refused(world):
    engine, pid, iid = world
    held = principal_for(engine, "jy")
    set_user_units(engine, "jy", ["教育科", "卫生健康科"], by=SYSTEM_ADMIN)
    before = _counts(engine)
    with pytest.raises(PermissionDenied, match="角色或责任单位已变更，未保存任何修改"):
        save_indicator_rows(engine, held, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}])
    assert _counts(engine) == before
    fresh = principal_for(engine, "jy")  # after a reload the page holds the new units, and the save works
    assert save_indicator_rows(engine, fresh, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}]).saved


def test_an_unchanged_account_saves_and_the_command_line_administrator_is_not_an_account(world):
    engine, pid, iid = world
    held = principal_for(engine, "jy")
    assert save_indicator_rows(engine, held, Q3, [{"indicator_id": iid, "version": None, "actual_value": 95}]).saved
    assert save_spending_rows(engine, SYSTEM_ADMIN, Q3, [{"project_id": pid, "version": None, "spent_wan": 3.0}]).saved
