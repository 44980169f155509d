"""Who reviews first when two review levels are set: 科长 are staff accounts marked ``unit_reviewer``.

Definitions chosen here: only the admin marks or unmarks; only a staff account can be a 科长 (it reviews
the projects of its own units); the change is audit-logged (``set_unit_reviewer``, 否 -> 是) and ends
nothing else (the flag is read again at every review action).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import AuditLog, User
from data_access.permissions import STAFF, Principal, require_admin
from domain.clock import utcnow


def set_unit_reviewer(engine: Engine, by: Principal | None, username: str, on: bool) -> bool:
    """Mark (``on``) or unmark a staff account as 科长; False when it already was so. Raises
    ``PermissionDenied`` for anyone but the admin and ``ValueError`` (Chinese) for an unknown or non-staff
    account."""
    p = require_admin(by)
    name = (username or "").strip().lower()
    with session_scope(engine) as s:
        take_write_lock(s)
        p = require_admin(acting_principal(s, p))
        user = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is None:
            raise ValueError(f"用户不存在：{username}")
        if on and user.role != STAFF:
            raise ValueError(f"{name}不是科室填报人员，不能设为科长（初审）")
        if bool(user.unit_reviewer) == on:
            return False
        user.unit_reviewer = on
        s.add(AuditLog(at=utcnow(), username=p.username, action="set_unit_reviewer", entity="app_user",
                       entity_id=user.id, field="unit_reviewer", old=str(not on).lower(), new=str(on).lower(),
                       detail=f"{'设为' if on else '取消'}科长（初审）：{name}"))
        bump_revision(s, Changed.nothing())  # who may act and comments: no input of a status
    return True


def unit_reviewers(engine: Engine) -> list[str]:
    """The user names of the accounts marked as 科长."""
    with engine.connect() as c:
        return list(c.execute(select(User.username).where(User.unit_reviewer.is_(True), User.active.is_(True))
                              .order_by(User.username)).scalars())


__all__ = ["set_unit_reviewer", "unit_reviewers"]
