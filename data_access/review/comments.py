"""Comment threads: one per item (``domain.review.item_key``) and period, between the reviewer and the unit.

Definitions chosen here:

* The unit's staff and the admin write; leaders and other units' staff only read what they may see
  (leaders read every thread, staff their units'). A comment is at most ``domain.entry.MAX_TEXT``
  characters, invisible characters stripped, never empty.
* A 退回 writes its comments into the same threads (``kind`` 'return'), so the thread of an item shows
  the reviewer's reason and the unit's answer together, oldest first.
* Writing a comment is audit-logged (entity ``review_comment``) and bumps the data revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import AuditLog, Project, ReviewComment, User
from data_access.permissions import (
    ADMIN,
    STAFF,
    PermissionDenied,
    Principal,
    check_can_read_project,
    check_can_write_project,
    require_role,
)
from data_access.review.states import check_item
from domain import entry as E
from domain.clock import aware, utcnow
from domain.periods import parse_period

KIND_LABELS = {"comment": "留言", "return": "退回意见"}


@dataclass(frozen=True, slots=True)
class Comment:
    item_key: str
    period_code: str
    kind: str  # comment | return
    round: int
    username: str
    name: str  # display name
    at: datetime
    text: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def add_comment(engine: Engine, by: Principal | None, project_id: int, period_code: str, item_key: str,
                text: str) -> None:
    """Append a comment to the thread of ``item_key`` and period (staff of the unit, or the admin)."""
    p = require_role(by, ADMIN, STAFF)
    text = E.clean_text(text, "留言")
    if not text:
        raise ValueError("留言不能为空")
    code = parse_period(period_code).key
    with session_scope(engine) as s:
        take_write_lock(s)
        p = acting_principal(s, p)
        pr = s.get(Project, project_id)
        if pr is None:
            raise ValueError(f"编号{project_id}的项目不存在")
        check_can_write_project(p, pr.unit_id)
        check_item(s, project_id, item_key)
        now = utcnow()
        s.add(ReviewComment(project_id=project_id, period_code=code, item_key=item_key, kind="comment",
                            username=p.username, at=now, text=text))
        s.add(AuditLog(at=now, username=p.username, action="comment", entity="review_comment", entity_id=project_id,
                       period_code=code, field=item_key, old=None, new=text, detail=f"留言：{pr.name}"))
        bump_revision(s, Changed.nothing())  # who may act and comments: no input of a status


def comments(engine: Engine, principal: Principal | None, project_id: int, period_codes: Sequence[str] | None = None
             ) -> list[Comment]:
    """The comments of one project (of ``period_codes``, or every period), oldest first; staff only of
    their units' projects (``PermissionDenied`` otherwise)."""
    with Session(engine) as s:
        pr = s.get(Project, project_id)
        if pr is None:
            return []
        try:
            check_can_read_project(principal, pr.unit_id)
        except PermissionDenied:
            raise
        q = select(ReviewComment, User.name).outerjoin(User, User.username == ReviewComment.username).where(
            ReviewComment.project_id == project_id)
        if period_codes is not None:
            q = q.where(ReviewComment.period_code.in_(list(period_codes)))
        rows = s.execute(q.order_by(ReviewComment.at, ReviewComment.id)).all()
    return [Comment(c.item_key, c.period_code, c.kind, c.round, c.username, name or c.username,
                    aware(c.at) or c.at, c.text) for c, name in rows]


def threads(items: Sequence[Comment]) -> dict[tuple[str, str], list[Comment]]:
    """(item key, period) -> its comments in order."""
    out: dict[tuple[str, str], list[Comment]] = {}
    for c in items:
        out.setdefault((c.item_key, c.period_code), []).append(c)
    return out


__all__ = ["Comment", "KIND_LABELS", "add_comment", "comments", "threads"]
