"""User accounts: creation, changes, reads and principals.

Definitions chosen here: a username is lower case (the login library lower-cases what is typed), 2-32
characters of letters, digits, ``_``, ``.`` and ``-``, starting with a letter or digit. Staff
(科室填报人员) belong to at least one responsible unit. Every account change is written to ``audit_log``
(entity ``app_user``) in the same transaction and bumps the data revision. Password rules and hashing are
``data_access.passwords``; login attempts and lockout are ``data_access.logins``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import AuditLog, Unit, User, UserUnit
from data_access.passwords import UserError, hash_password, unverifiable_hash, validate_password
from data_access.permissions import ROLE_LABELS, ROLES, STAFF, Principal, require_admin, role_label
from domain.clock import aware, utcnow
from domain.hygiene import HygieneError, clean_name

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,31}$")


MAX_DISPLAY_NAME = 64  # a person's display name


def now_or_utcnow(now: datetime | None) -> datetime:
    """``now`` made timezone-aware, or the current UTC time."""
    return aware(now) if now is not None else utcnow()  # type: ignore[return-value]


def normalize_username(username: str) -> str:
    """Lower-case and check a username (the login library lower-cases what is typed)."""
    u = (username or "").strip().lower()
    if not USERNAME_RE.match(u):
        raise UserError(
            f"用户名不合规：{username!r}。只能使用小写字母、数字、下划线、点和连字符，"
            "以字母或数字开头，长度2–32"
        )
    return u


def validate_role(role: str) -> str:
    r = (role or "").strip().lower()
    if r not in ROLES:
        raise UserError(f"角色不正确：{role!r}。可选：" + "、".join(f"{k}（{v}）" for k, v in ROLE_LABELS.items()))
    return r



# --------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    name: str
    role: str
    active: bool
    is_demo: bool
    failed_attempts: int
    locked_until: datetime | None
    unit_ids: tuple[int, ...] = ()
    unit_names: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False, compare=False)

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and aware(self.locked_until) > now_or_utcnow(now)


def _units_by_user(s: Session, user_ids: Sequence[int | None]) -> dict[int | None, list[tuple[int, str]]]:
    out: dict[int | None, list[tuple[int, str]]] = {}
    if not user_ids:
        return out
    rows = s.execute(
        select(UserUnit.user_id, Unit.id, Unit.name)
        .join(Unit, Unit.id == UserUnit.unit_id)
        .where(UserUnit.user_id.in_(list(user_ids)))
        .order_by(UserUnit.user_id, Unit.name)
    ).all()
    for uid, unit_id, unit_name in rows:
        out.setdefault(uid, []).append((unit_id, unit_name))
    return out


def _info(u: User, units: list[tuple[int, str]]) -> UserInfo:
    return UserInfo(
        id=u.id,
        username=u.username,
        name=u.name,
        role=u.role,
        active=u.active,
        is_demo=u.is_demo,
        failed_attempts=u.failed_attempts,
        locked_until=aware(u.locked_until),
        unit_ids=tuple(i for i, _ in units),
        unit_names=tuple(n for _, n in units),
        password_hash=u.password_hash,
    )


def list_users(engine: Engine) -> list[UserInfo]:
    """All users (active or not) with their units, ordered by username. Two queries."""
    with Session(engine) as s:
        users = list(s.scalars(select(User).order_by(User.username)))
        units = _units_by_user(s, [u.id for u in users])
        return [_info(u, units.get(u.id, [])) for u in users]


def get_user_with_units(engine: Engine, username: str) -> UserInfo | None:
    uname = (username or "").strip().lower()
    with Session(engine) as s:
        u = s.scalars(select(User).where(User.username == uname)).first()
        if u is None:
            return None
        return _info(u, _units_by_user(s, [u.id]).get(u.id, []))


def user_count(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(User)).scalar() or 0)


def principal_for(engine: Engine, username: str | None) -> Principal | None:
    """The principal for an active user, or ``None`` (unknown or deactivated). Read fresh every run, so
    a role or unit change applies at the user's next click."""
    if not username:
        return None
    info = get_user_with_units(engine, username)
    if info is None or not info.active:
        return None
    return Principal(
        username=info.username,
        name=info.name,
        role=info.role,
        unit_ids=frozenset(info.unit_ids),
        unit_names=info.unit_names,
    )


def credentials_dict(engine: Engine, now: datetime | None = None) -> dict[str, Any]:
    """The streamlit-authenticator credentials, built fresh for one run (the library mutates it).

    ``{"usernames": {username: {"name", "password" (bcrypt hash), "roles": [role], "locked": bool}}}``.
    Only active users are listed. A locked account is listed with :func:`unverifiable_hash` instead of its
    real hash, so the library cannot accept it while the database says it is locked.
    """
    now = now_or_utcnow(now)
    with engine.connect() as c:
        rows = c.execute(
            select(User.username, User.name, User.role, User.password_hash, User.locked_until)
            .where(User.active.is_(True))
            .order_by(User.username)
        ).all()
    out: dict[str, Any] = {}
    for username, name, role, pw_hash, locked_until in rows:
        locked = locked_until is not None and aware(locked_until) > now
        out[username] = {
            "name": name or username,
            "password": unverifiable_hash() if locked else pw_hash,
            "roles": [role],
            "locked": locked,
        }
    return {"usernames": out}



# --------------------------------------------------------------------------- writes


def add_user_audit(s: Session, actor: str, action: str, user: User | None, detail: str = "", *,
           field_name: str | None = None, old: str | None = None, new: str | None = None,
           at: datetime | None = None) -> None:
    s.add(
        AuditLog(
            at=at or utcnow(),
            username=actor,
            action=action,
            entity="app_user",
            entity_id=user.id if user is not None else None,
            field=field_name,
            old=old,
            new=new,
            detail=detail,
        )
    )


def end_open_sessions(user: User) -> None:
    """Bump the user's session epoch: every session started before ends at its next run."""
    user.session_epoch = (user.session_epoch or 0) + 1


def _lookup_units(s: Session, names: Iterable[str]) -> list[Unit]:
    wanted: list[str] = []
    for n in names:
        n = (n or "").strip()
        if n and n not in wanted:
            wanted.append(n)
    if not wanted:
        return []
    found = {u.name: u for u in s.scalars(select(Unit).where(Unit.name.in_(wanted)))}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise UserError("找不到责任单位：" + "、".join(missing) + "（请先导入绩效目标表，或检查单位名称）")
    return [found[n] for n in wanted]


def _admin_in(s: Session, actor: Principal) -> None:
    """Inside the write's transaction: the writers' lock (SQLite) and the acting admin re-read."""
    take_write_lock(s)
    require_admin(acting_principal(s, actor))


def _get_user(s: Session, username: str, *, lock: bool = False) -> User:
    uname = (username or "").strip().lower()
    q = select(User).where(User.username == uname)
    if lock:
        q = q.with_for_update()
    u = s.scalars(q).first()
    if u is None:
        raise UserError(f"用户不存在：{uname}")
    return u


def create_user(
    engine: Engine,
    username: str,
    role: str,
    password: str,
    name: str | None = None,
    units: Iterable[str] = (),
    is_demo: bool = False,
    *,
    by: Principal | None,
    password_hash: str | None = None,
) -> UserInfo:
    """Admin only (``by``, re-read in the transaction): create an account. Staff must belong to at least one
    unit (looked up by name).

    ``password_hash`` (an existing bcrypt hash) skips hashing; the demo seeding uses it to hash each demo
    password once per process. Raises :class:`UserError` with a Chinese message, ``PermissionDenied``."""
    actor = require_admin(by)
    uname = normalize_username(username)
    r = validate_role(role)
    if is_demo:  # the documented demo passwords (development only: production refuses demo accounts)
        validate_password(password)
    else:
        validate_password(password, username=uname, role=r)
    if password_hash is None:
        password_hash = hash_password(password)
    unit_names = [u for u in units]
    try:
        display = clean_name(name, "姓名", MAX_DISPLAY_NAME) or uname
    except HygieneError as e:
        raise UserError(str(e)) from e
    try:
        with session_scope(engine) as s:
            _admin_in(s, actor)
            unit_rows = _lookup_units(s, unit_names)
            if r == STAFF and not unit_rows:
                raise UserError("科室填报人员必须至少关联一个责任单位")
            if s.execute(select(User.id).where(User.username == uname)).first() is not None:
                raise UserError(f"用户名已存在：{uname}")
            user = User(username=uname, name=display, role=r, password_hash=password_hash, is_demo=is_demo)
            s.add(user)
            s.flush()
            for unit in unit_rows:
                s.add(UserUnit(user_id=user.id, unit_id=unit.id))
            add_user_audit(
                s, actor.username, "create_user", user,
                f"创建用户 {uname}（{role_label(r)}）" + ("，单位：" + "、".join(u.name for u in unit_rows) if unit_rows else "")
                + ("，演示账户" if is_demo else ""),
            )
            bump_revision(s, Changed.nothing())  # accounts are no input of the status engine
            info = _info(user, [(u.id, u.name) for u in unit_rows])
    except IntegrityError as e:  # a concurrent create of the same username
        raise UserError(f"用户名已存在：{uname}") from e
    return info


def set_password(engine: Engine, username: str, password: str, *, by: Principal | None) -> None:
    """Admin only: set a new password; also clears a lockout (an admin reset unlocks the account)."""
    actor = require_admin(by)
    info = get_user_with_units(engine, username)
    if info is None:
        raise UserError(f"用户不存在：{(username or '').strip().lower()}")
    validate_password(password, username=info.username, role=info.role)
    new_hash = hash_password(password)  # outside the transaction: bcrypt takes a quarter of a second
    with session_scope(engine) as s:
        _admin_in(s, actor)
        user = _get_user(s, username, lock=True)
        if user.role != info.role:
            validate_password(password, username=user.username, role=user.role)
        user.password_hash = new_hash
        user.failed_attempts = 0
        user.locked_until = None
        user.lock_count = 0
        end_open_sessions(user)
        s.add(user)
        add_user_audit(s, actor.username, "set_password", user, f"修改用户 {user.username} 的密码")
        bump_revision(s, Changed.nothing())  # accounts are no input of the status engine


def set_active(engine: Engine, username: str, active: bool, *, by: Principal | None) -> None:
    """Admin only: deactivate (ends every session of the account) or reactivate an account."""
    actor = require_admin(by)
    with session_scope(engine) as s:
        _admin_in(s, actor)
        user = _get_user(s, username, lock=True)
        if user.active == active:
            return
        user.active = active
        end_open_sessions(user)
        s.add(user)
        add_user_audit(s, actor.username, "activate" if active else "deactivate", user,
               f"{'启用' if active else '停用'}用户 {user.username}", field_name="active",
               old=str(not active), new=str(active))
        bump_revision(s, Changed.nothing())  # accounts are no input of the status engine


def unlock_user(engine: Engine, username: str, *, by: Principal | None) -> None:
    """Admin only: clear a login lockout (the account's and its back-off, ``data_access.logins``)."""
    actor = require_admin(by)
    with session_scope(engine) as s:
        _admin_in(s, actor)
        user = _get_user(s, username, lock=True)
        user.failed_attempts = 0
        user.locked_until = None
        user.lock_count = 0
        s.add(user)
        add_user_audit(s, actor.username, "unlock", user, f"解除用户 {user.username} 的登录锁定")
        bump_revision(s, Changed.nothing())  # accounts are no input of the status engine


def set_user_units(engine: Engine, username: str, units: Iterable[str], *, by: Principal | None) -> None:
    """Admin only: replace a user's responsible units, audit-logged old -> new. Staff must keep at least one
    unit. Raises ``UserError`` with a Chinese message."""
    actor = require_admin(by)
    with session_scope(engine) as s:
        _admin_in(s, actor)
        user = _get_user(s, username, lock=True)
        wanted = _lookup_units(s, units)
        if user.role == STAFF and not wanted:
            raise UserError("科室填报人员必须至少关联一个责任单位")
        old = sorted(name for _id, name in _units_by_user(s, [user.id]).get(user.id, []))
        new = [u.name for u in wanted]
        if old == sorted(new):
            return
        end_open_sessions(user)
        s.add(user)
        s.execute(UserUnit.__table__.delete().where(UserUnit.user_id == user.id))
        for u in wanted:
            s.add(UserUnit(user_id=user.id, unit_id=u.id))
        add_user_audit(s, actor.username, "set_units", user, f"修改用户 {user.username} 的责任单位", field_name="units",
               old="、".join(old), new="、".join(new))
        bump_revision(s, Changed.nothing())  # accounts are no input of the status engine


def set_role(engine: Engine, username: str, role: str, *, by: Principal | None) -> None:
    """Admin only: change another account's role (ends its open sessions), audit-logged with the Chinese
    role names. A staff account must have a unit; the last active administrator keeps the role; nobody
    changes their own role. Raises ``UserError`` / ``PermissionDenied`` (Chinese)."""
    actor = require_admin(by)
    r = validate_role(role)
    with session_scope(engine) as s:
        _admin_in(s, actor)
        user = _get_user(s, username, lock=True)
        if user.role == r:
            return
        if user.username == actor.username:
            raise UserError("不能修改自己的角色")
        uid = user.id
        assert uid is not None  # a stored row
        if r == STAFF and not _units_by_user(s, [uid]).get(uid):
            raise UserError("科室填报人员必须至少关联一个责任单位：请先为该用户设置责任单位")
        if user.role == "admin":
            others = s.execute(select(func.count()).select_from(User).where(
                User.role == "admin", User.active == True, User.id != uid)).scalar_one()  # noqa: E712 - SQL, not Python
            if not others:
                raise UserError("至少须保留一个启用的管理员")
        add_user_audit(s, actor.username, "set_role", user, f"修改用户 {user.username} 的角色", field_name="role",
                       old=role_label(user.role), new=role_label(r))
        user.role = r
        end_open_sessions(user)
        s.add(user)
        bump_revision(s, Changed.nothing())  # accounts are no input of the status engine


__all__ = [
    "USERNAME_RE", "UserInfo", "normalize_username", "validate_role", "list_users", "get_user_with_units",
    "user_count", "principal_for", "credentials_dict", "add_user_audit", "end_open_sessions", "create_user",
    "set_password", "set_active", "unlock_user", "set_user_units", "set_role", "now_or_utcnow", "utcnow",
]
