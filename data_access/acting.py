"""Who is acting, re-read inside the write's own transaction.

Definitions chosen here:

- A page holds the :class:`~data_access.permissions.Principal` it was drawn with; a save may come minutes
  later. Every write therefore calls :func:`acting_principal` inside its transaction, before it changes
  anything: the account is read again (PostgreSQL: ``FOR SHARE``, so a concurrent deactivation waits for
  the write or the write sees it; SQLite: the writers' database lock is taken first) and the write is
  refused, with a Chinese message and nothing written, when the account is gone, deactivated or locked, or
  its role or responsible units are no longer the ones the page was drawn with.
- The built-in command-line administrator (``SYSTEM_ADMIN``, ``system=True``) is not an account and is
  not re-read; only code constructs it.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlmodel import Session

from data_access.models import User, UserUnit
from data_access.permissions import ROLES, PermissionDenied, Principal, require_role
from domain.clock import aware, utcnow

GONE_MESSAGE = "账户不存在或已停用，未保存任何修改"
LOCKED_MESSAGE = "账户已锁定，未保存任何修改"
CHANGED_MESSAGE = "账户的角色或责任单位已变更，未保存任何修改；请刷新页面后重试"


def take_write_lock(s: Session) -> None:
    """SQLite: take the database write lock before reading, so concurrent writers queue instead of
    failing on a stale snapshot (and the account read next is current). PostgreSQL uses row locks."""
    if s.get_bind().dialect.name == "sqlite":
        s.execute(text("UPDATE data_version SET revision = revision WHERE id = 1"))


def acting_principal(s: Session, principal: Principal | None) -> Principal:
    """The principal, confirmed against the account as stored now (see the module docstring); raises
    :class:`PermissionDenied` otherwise."""
    p = require_role(principal, *ROLES)
    if p.system:
        return p
    q = select(User).where(User.username == p.username)
    if s.get_bind().dialect.name != "sqlite":
        q = q.with_for_update(read=True)
    user = s.execute(q).scalars().first()
    if user is None or not user.active:
        raise PermissionDenied(GONE_MESSAGE)
    if user.locked_until is not None and aware(user.locked_until) > utcnow():
        raise PermissionDenied(LOCKED_MESSAGE)
    units = frozenset(s.execute(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).scalars())
    if user.role != p.role or units != p.unit_ids:
        raise PermissionDenied(CHANGED_MESSAGE)
    return p


__all__ = ["CHANGED_MESSAGE", "GONE_MESSAGE", "LOCKED_MESSAGE", "acting_principal", "take_write_lock"]
