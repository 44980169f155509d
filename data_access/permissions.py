"""Who may see and change what. Enforced here, in the data layer, not only by hiding buttons.

Roles:

- ``admin`` (管理员): everything.
- ``leader`` (领导): reads everything, writes nothing.
- ``staff`` (科室填报人员): sees and writes only the projects of their own units.

Usage in a read::

    q = select(Project)
    f = visible_project_filter(principal)
    if f is not None:
        q = q.where(f)

Usage in a write (inside the transaction, with the project's ``unit_id`` as stored)::

    check_can_write_project(principal, project.unit_id)

Every ``check_*``/``require_*`` raises :class:`PermissionDenied` with a Chinese message; the ``can_*``
functions return a bool for the UI (show/hide a button). A ``None`` principal (not signed in) is refused
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import false

from data_access.models import Project

ADMIN = "admin"
LEADER = "leader"
STAFF = "staff"
ROLES: tuple[str, ...] = (ADMIN, LEADER, STAFF)
ROLE_LABELS: dict[str, str] = {ADMIN: "管理员", LEADER: "领导", STAFF: "科室填报人员"}


class PermissionDenied(Exception):
    """Raised by the data layer when the principal may not do something. ``str(e)`` is Chinese."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the data layer sees it, loaded fresh from the database every run."""

    username: str
    name: str
    role: str
    unit_ids: frozenset[int] = frozenset()
    # display only (责任单位 names, same order as sorted unit ids); not part of equality
    unit_names: tuple[str, ...] = field(default=(), compare=False)
    # the built-in command-line administrator (SYSTEM_ADMIN): not an account, so never re-read
    system: bool = False

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == LEADER

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF


# The built-in administrator the command line acts as when no --user is given. Only code constructs it:
# the app never signs anybody in as it.
SYSTEM_ADMIN = Principal(username="system-admin", name="系统管理员（命令行）", role=ADMIN, system=True)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _require_signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise PermissionDenied("请先登录")
    if principal.role not in ROLES:
        raise PermissionDenied(f"未知角色：{principal.role}")
    return principal


def require_role(principal: Principal | None, *roles: str) -> Principal:
    """Refuse unless the principal has one of ``roles``; returns the principal."""
    p = _require_signed_in(principal)
    if p.role not in roles:
        allowed = "、".join(role_label(r) for r in roles)
        raise PermissionDenied(f"没有权限：此操作仅限{allowed}（当前角色：{p.role_label}）")
    return p


def require_admin(principal: Principal | None) -> Principal:
    return require_role(principal, ADMIN)


# --------------------------------------------------------------------------- projects


def can_read_project(principal: Principal | None, project_unit_id: int | None) -> bool:
    if principal is None or principal.role not in ROLES:
        return False
    if principal.role in (ADMIN, LEADER):
        return True
    return project_unit_id is not None and project_unit_id in principal.unit_ids


def can_edit_project(principal: Principal | None, project_unit_id: int | None) -> bool:
    """Admin: any project; leader: none (read-only); staff: projects of their own units."""
    if principal is None or principal.role not in ROLES:
        return False
    if principal.role == ADMIN:
        return True
    if principal.role == STAFF:
        return project_unit_id is not None and project_unit_id in principal.unit_ids
    return False


def check_can_read_project(principal: Principal | None, project_unit_id: int | None) -> None:
    p = _require_signed_in(principal)
    if not can_read_project(p, project_unit_id):
        raise PermissionDenied("没有权限：只能查看本单位的项目")


def check_can_write_project(principal: Principal | None, project_unit_id: int | None) -> None:
    """Raise :class:`PermissionDenied` unless the principal may change a project of that unit."""
    p = _require_signed_in(principal)
    if p.role == LEADER:
        raise PermissionDenied("没有权限：领导账户为只读，不能修改数据")
    if not can_edit_project(p, project_unit_id):
        raise PermissionDenied("没有权限：只能填报本单位的项目")


def check_can_write_projects(principal: Principal | None, project_unit_ids: Iterable[int | None]) -> None:
    """The same check for a batch (e.g. a saved table): refuses if any row is outside the principal's units."""
    for uid in set(project_unit_ids):
        check_can_write_project(principal, uid)


def visible_project_filter(principal: Principal | None, column=None):
    """A where-clause limiting ``Project`` rows to what the principal may see, or ``None`` for "all".

    ``column`` defaults to ``Project.unit_id``; pass another unit-id column (an alias, a joined table's
    column) when the query selects projects through it. Staff without units see nothing; a missing
    principal sees nothing.
    """
    if column is None:
        column = Project.unit_id
    if principal is None or principal.role not in ROLES:
        return false()
    if principal.role in (ADMIN, LEADER):
        return None
    if not principal.unit_ids:
        return false()
    return column.in_(sorted(principal.unit_ids))


def visible_unit_ids(principal: Principal | None) -> frozenset[int] | None:
    """The unit ids the principal may see, or ``None`` for "all units"."""
    if principal is None or principal.role not in ROLES:
        return frozenset()
    if principal.role in (ADMIN, LEADER):
        return None
    return principal.unit_ids


__all__ = [
    "ADMIN",
    "LEADER",
    "STAFF",
    "ROLES",
    "ROLE_LABELS",
    "PermissionDenied",
    "Principal",
    "SYSTEM_ADMIN",
    "role_label",
    "require_role",
    "require_admin",
    "can_read_project",
    "can_edit_project",
    "check_can_read_project",
    "check_can_write_project",
    "check_can_write_projects",
    "visible_project_filter",
    "visible_unit_ids",
]
