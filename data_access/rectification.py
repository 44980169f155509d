"""整改 items: raise, answer, close or return, and the lists that show them.

Definitions chosen here (the states and moves are ``domain.rectification``):

* **Who**: the admin raises, closes and returns items; the owner unit's staff (``unit_id`` among their
  units) answer them, and the admin may answer on a unit's behalf; leaders read only.
* **Every write** is one transaction: the acting account is re-read (``data_access.acting``), the item
  is read ``FOR UPDATE`` and moved only as ``domain.rectification.next_state`` allows; a ``version``
  given by the page must still be the stored one (someone else's move in between is refused, never
  overwritten); each changed field appends an audit row (entity ``rectification``) and the data
  revision is bumped.
* **Visibility**: the admin and leaders see every item; staff see the items of their units' projects
  and the items their units own (an item can be owned by another unit than the project's).
* :func:`todo_rectifications` is what a person has to act on (staff: their units' open and returned
  items; the admin: answered items to verify) — the 待办 list; :func:`open_rectifications` every open
  item the principal may see, optionally of some owner units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.actuals.access import require_writer
from data_access.changed import Changed
from data_access.db import bump_revision, session_scope
from data_access.models import AuditLog, FiscalYear, Indicator, Project, Rectification, Unit
from data_access.permissions import ADMIN, LEADER, STAFF, PermissionDenied, Principal, require_admin
from domain import rectification as R
from domain.clock import today_local, utcnow

ENTITY = "rectification"
TARGETS = ("budget", "indicator", "project")
TARGET_LABELS = {"budget": R.TARGET_BUDGET, "project": R.TARGET_PROJECT}


@dataclass(frozen=True, slots=True)
class RectItem:
    """One 整改 item as the pages, the report and 待办 show it."""

    id: int
    project_id: int
    project_name: str
    project_unit: str
    indicator_id: int | None
    target: str
    item: str  # 三级指标, 预算执行 or 项目整体
    unit_id: int
    unit_name: str  # the owner unit
    period_code: str
    source: str
    trigger_status: str
    trigger_reason: str
    requirement: str
    deadline: date
    state: str
    measures: str
    result: str
    note: str
    created_by: str
    created_at: datetime
    answered_by: str | None
    answered_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    version: int

    @property
    def state_label(self) -> str:
        return R.STATE_LABELS.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        return R.is_open(self.state)

    def due_text(self, today: date) -> str:
        return R.due_text(self.deadline, self.state, today)


_OWNER = aliased(Unit)
_PUNIT = aliased(Unit)


def _query():
    return (select(Rectification, Project.name, _PUNIT.name, Indicator.level3, _OWNER.name)
            .join(Project, Project.id == Rectification.project_id)
            .outerjoin(_PUNIT, _PUNIT.id == Project.unit_id)
            .outerjoin(Indicator, Indicator.id == Rectification.indicator_id)
            .outerjoin(_OWNER, _OWNER.id == Rectification.unit_id))


def _item(row) -> RectItem:
    r, pname, punit, level3, owner = row
    label = (level3 or "").strip() if r.target == "indicator" else TARGET_LABELS.get(r.target, r.target)
    return RectItem(r.id, r.project_id, pname, punit or "", r.indicator_id, r.target, label, r.unit_id, owner or "",
                    r.period_code, r.source, r.trigger_status, r.trigger_reason, r.requirement, r.deadline, r.state,
                    r.measures, r.result, r.note, r.created_by, r.created_at, r.answered_by, r.answered_at,
                    r.closed_by, r.closed_at, r.version)


def _visible(q, principal: Principal | None):
    if principal is None or principal.role not in (ADMIN, LEADER, STAFF):
        return q.where(False)  # noqa: FBT003 - nobody signed in sees nothing
    if principal.role in (ADMIN, LEADER):
        return q
    units = sorted(principal.unit_ids)
    return q.where(or_(Project.unit_id.in_(units), Rectification.unit_id.in_(units)))


def rectifications(engine: Engine, principal: Principal | None, *, project_ids: Sequence[int] | None = None,
                   year: int | None = None, open_only: bool = False, owner_units: Sequence[int] | None = None,
                   states: Sequence[str] | None = None) -> list[RectItem]:
    """The items the principal may see, open first, then by deadline; filters as named. One query."""
    q = _visible(_query(), principal)
    if project_ids is not None:
        q = q.where(Rectification.project_id.in_(list(project_ids)))
    if year is not None:
        q = q.join(FiscalYear, FiscalYear.id == Project.fiscal_year_id).where(FiscalYear.year == year)
    wanted = set(states) if states is not None else None
    if open_only:
        wanted = (wanted or set(R.OPEN_STATES)) & set(R.OPEN_STATES)
    if wanted is not None:
        q = q.where(Rectification.state.in_(sorted(wanted)))
    if owner_units is not None:
        q = q.where(Rectification.unit_id.in_(list(owner_units)))
    with Session(engine) as s:
        items = [_item(r) for r in s.execute(q.order_by(Rectification.deadline, Rectification.id)).all()]
    return sorted(items, key=lambda i: (not i.is_open, i.deadline, i.id))


def open_rectifications(engine: Engine, principal: Principal | None, unit_ids: Sequence[int] | None = None,
                        year: int | None = None) -> list[RectItem]:
    """Every open item the principal may see (optionally owned by ``unit_ids``), earliest deadline first."""
    return rectifications(engine, principal, open_only=True, owner_units=unit_ids, year=year)


def todo_rectifications(engine: Engine, principal: Principal | None, year: int | None = None) -> list[RectItem]:
    """What the principal has to act on: staff the open and returned items their units own, the admin
    the answered items waiting for verification; leaders nothing."""
    if principal is None or principal.role == LEADER:
        return []
    if principal.role == ADMIN:
        return rectifications(engine, principal, states=[R.ANSWERED], year=year)
    return rectifications(engine, principal, states=[R.OPEN, R.RETURNED], owner_units=sorted(principal.unit_ids),
                          year=year)


def unit_choices(engine: Engine, project_id: int | None = None) -> tuple[list[tuple[int, str]], int | None]:
    """Every unit (id, name) by name — the owner units an item can be given — and the unit of
    ``project_id`` (the default owner; None without one)."""
    with Session(engine) as s:
        units = [(int(i), n) for i, n in s.execute(select(Unit.id, Unit.name).order_by(Unit.name)).all()]
        own = s.execute(select(Project.unit_id).where(Project.id == project_id)).scalar() if project_id else None
    return units, own


def _one(engine: Engine, item_id: int) -> RectItem:
    with Session(engine) as s:
        row = s.execute(_query().where(Rectification.id == item_id)).first()
    assert row is not None
    return _item(row)


def _audit(s: Session, p: Principal, r: Rectification, action: str, changes: list[tuple[str, str | None, str | None]],
           detail: str, now: datetime) -> None:
    s.execute(insert(AuditLog), [
        {"at": now, "username": p.username, "action": action, "entity": ENTITY, "entity_id": r.id,
         "period_code": r.period_code, "field": f, "old": old, "new": new, "detail": detail}
        for f, old, new in changes])


@dataclass(frozen=True, slots=True)
class NewRectification:
    """What the admin raises: the matter (``target`` budget / indicator / project, with the indicator),
    the owner unit (None: the project's unit), the requirement and the deadline, and where and from what
    status it was raised."""

    project_id: int
    requirement: str
    deadline: date | None
    period_code: str
    target: str = "project"
    indicator_id: int | None = None
    unit_id: int | None = None
    source: str = "project"
    trigger_status: str = ""
    trigger_reason: str = ""


def _matter(s: Session, new: NewRectification) -> tuple[Project, int, str]:
    """(the project, the owner unit id, the item label) after checking that they exist and fit."""
    if new.target not in TARGETS:
        raise R.RectificationError(f"未知的整改对象：{new.target}")
    project = s.get(Project, new.project_id)
    if project is None:
        raise R.RectificationError("项目不存在")
    label = TARGET_LABELS.get(new.target, "")
    if new.target == "indicator":
        ind = s.get(Indicator, new.indicator_id) if new.indicator_id is not None else None
        if ind is None or ind.project_id != project.id:
            raise R.RectificationError("指标不存在或不属于该项目")
        label = ind.level3.strip()
    unit_id = new.unit_id if new.unit_id is not None else project.unit_id
    if unit_id is None or s.get(Unit, unit_id) is None:
        raise R.RectificationError("请指定整改责任单位（该项目没有责任单位）")
    return project, unit_id, label


def create_rectification(engine: Engine, by: Principal | None, new: NewRectification,
                         today: date | None = None) -> RectItem:
    """Admin only: raise one item (see :class:`NewRectification`). Refuses a second open item for the
    same matter."""
    p = require_admin(by)
    today = today or today_local()
    requirement = R.check_create(new.requirement, new.deadline, today)
    with session_scope(engine) as s:
        take_write_lock(s)
        p = require_admin(acting_principal(s, p))
        project, unit_id, label = _matter(s, new)
        same = s.execute(select(Rectification.id).where(
            Rectification.project_id == project.id, Rectification.target == new.target,
            Rectification.indicator_id.is_(None) if new.indicator_id is None or new.target != "indicator"
            else Rectification.indicator_id == new.indicator_id,
            Rectification.state.in_(sorted(R.OPEN_STATES))).with_for_update()).scalars().first()
        if same is not None:
            raise R.RectificationError(f"「{project.name}」{label}已有未销号的整改事项（#{same}），请在该事项中跟进")
        now = utcnow()
        row = Rectification(project_id=project.id, indicator_id=new.indicator_id if new.target == "indicator" else None,
                            target=new.target, unit_id=unit_id, period_code=new.period_code, source=new.source,
                            trigger_status=new.trigger_status, trigger_reason=(new.trigger_reason or "")[:1000],
                            requirement=requirement, deadline=new.deadline, state=R.OPEN, created_by=p.username,
                            created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        _audit(s, p, row, "create", [("requirement", None, requirement), ("deadline", None, new.deadline.isoformat()),
                                     ("state", None, R.STATE_LABELS[R.OPEN])],
               f"「{project.name}」{label}：提出整改（来源：{R.SOURCES.get(new.source, new.source)}）", now)
        bump_revision(s, Changed.nothing())
        item_id = row.id
    return _one(engine, item_id)


def _move(engine: Engine, p: Principal, item_id: int, action: str, version: int | None, values: dict[str, str]) -> RectItem:
    """Move one item by ``action`` with ``values`` (field -> new text), checked and audited."""
    with session_scope(engine) as s:
        take_write_lock(s)
        p = acting_principal(s, p)
        row = s.execute(select(Rectification).where(Rectification.id == item_id).with_for_update()).scalar_one_or_none()
        if row is None:
            raise R.RectificationError("整改事项不存在")
        if action in R.ADMIN_ACTIONS and p.role != ADMIN:
            raise PermissionDenied(f"没有权限：{R.ACTION_LABELS[action]}仅限管理员")
        if p.role != ADMIN and row.unit_id not in p.unit_ids:
            raise PermissionDenied("没有权限：只能反馈本单位负责的整改事项")
        after = R.next_state(row.state, action)
        if version is not None and version != row.version:
            raise R.RectificationError("该整改事项已被他人更新，请刷新页面查看最新情况后再操作")
        now = utcnow()
        changes = [(f, getattr(row, f) or None, v) for f, v in values.items() if (getattr(row, f) or "") != v]
        if after != row.state:
            changes.append(("state", R.STATE_LABELS[row.state], R.STATE_LABELS[after]))
        stamp = ({"answered_by": p.username, "answered_at": now} if action == R.ANSWER else
                 {"closed_by": p.username, "closed_at": now} if action == R.CLOSE else {})
        s.execute(update(Rectification).where(and_(Rectification.id == row.id, Rectification.version == row.version))
                  .values(**values, **stamp, state=after, updated_at=now, version=row.version + 1)
                  .execution_options(synchronize_session=False))
        project = s.get(Project, row.project_id)
        _audit(s, p, row, action, [(f"rect_{f}" if f in values else f, o, n) for f, o, n in changes],
               f"「{project.name if project else ''}」整改事项#{row.id}：{R.ACTION_LABELS[action]}", now)
        bump_revision(s, Changed.nothing())
    return _one(engine, item_id)


def answer_rectification(engine: Engine, by: Principal | None, item_id: int, *, measures: str, result: str,
                         version: int | None = None) -> RectItem:
    """The owner unit (or the admin) reports the measures taken and the result: the item waits for
    verification."""
    p = require_writer(by)
    m, r = R.check_answer(measures, result)
    return _move(engine, p, item_id, R.ANSWER, version, {"measures": m, "result": r})


def close_rectification(engine: Engine, by: Principal | None, item_id: int, note: str = "",
                        version: int | None = None) -> RectItem:
    """Admin only: the answer is verified, the item is closed (销号)."""
    p = require_admin(by)
    return _move(engine, p, item_id, R.CLOSE, version, {"note": R.check_note(note, R.CLOSE)})


def return_rectification(engine: Engine, by: Principal | None, item_id: int, note: str,
                         version: int | None = None) -> RectItem:
    """Admin only: the answer is not sufficient; the item goes back to the unit with the reason."""
    p = require_admin(by)
    return _move(engine, p, item_id, R.RETURN, version, {"note": R.check_note(note, R.RETURN)})


__all__ = ["ENTITY", "TARGETS", "TARGET_LABELS", "RectItem", "NewRectification", "rectifications",
           "open_rectifications", "todo_rectifications", "unit_choices", "create_rectification", "answer_rectification",
           "close_rectification", "return_rectification"]
