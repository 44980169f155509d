"""User accounts: creation, passwords (bcrypt), login attempts and lockout, principals.

Lockout lives in the database (``app_user.failed_attempts`` / ``locked_until``), so it holds across
processes and replicas: after ``MAX_FAILED_ATTEMPTS`` wrong passwords in a row the account is locked for
``LOCKOUT``; a successful login resets the counter. Every account change and every login event is written
to ``audit_log``.

Password policy: at least 8 characters and at most 72 *bytes* in UTF-8 (bcrypt 5 refuses longer input; a
Chinese character is 3 bytes), no leading/trailing spaces (streamlit-authenticator strips what is typed)
and no control characters.

Also here, because it is pure and tested without Streamlit: :func:`production_problems`, the check that
refuses to start a production deployment with a missing/default cookie key or live demo accounts.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import bcrypt
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from data_access.db import bump_revision, session_scope
from data_access.models import AuditLog, Unit, User, UserUnit
from data_access.permissions import ROLE_LABELS, ROLES, STAFF, Principal, role_label

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72
BCRYPT_ROUNDS = 12
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,31}$")

# The cookie-signing key used when none is configured outside production. Never valid in production.
DEV_COOKIE_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"
MIN_COOKIE_KEY_CHARS = 32

INVALID_LOGIN_MESSAGE = "用户名或密码错误"


class UserError(ValueError):
    """A refused account operation; ``str(e)`` is a Chinese message for the user."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.utcoffset() is not None else dt.replace(tzinfo=timezone.utc)


def _now(now: datetime | None) -> datetime:
    return _aware(now) if now is not None else utcnow()  # type: ignore[return-value]


# --------------------------------------------------------------------------- policy


def password_problems(password: str) -> list[str]:
    """Why a password is refused (Chinese), or ``[]``."""
    if not isinstance(password, str) or password == "":
        return ["密码不能为空"]
    out = []
    if len(password) < MIN_PASSWORD_CHARS:
        out.append(f"密码至少需要{MIN_PASSWORD_CHARS}个字符（当前{len(password)}个）")
    n_bytes = len(password.encode("utf-8"))
    if n_bytes > MAX_PASSWORD_BYTES:
        out.append(
            f"密码过长：最多{MAX_PASSWORD_BYTES}字节（当前{n_bytes}字节；一个汉字占3字节，"
            f"即最多约{MAX_PASSWORD_BYTES // 3}个汉字）"
        )
    if password != password.strip():
        out.append("密码首尾不能有空格")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        out.append("密码不能包含控制字符（如换行、制表符）")
    return out


def validate_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise UserError("；".join(problems))


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


def hash_password(password: str) -> str:
    validate_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches; never raises (over-long or malformed input is simply wrong)."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except (ValueError, TypeError):
        return False


def generate_password(n_bytes: int = 12) -> str:
    """A strong random password (16 URL-safe characters for the default 12 bytes)."""
    while True:
        pw = secrets.token_urlsafe(n_bytes)
        # avoid a leading '-' (looks like a command-line option when copied)
        if not pw.startswith("-") and not password_problems(pw):
            return pw


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    """A hash of a random secret at the normal cost: unknown users cost the same time as known ones."""
    return bcrypt.hashpw(secrets.token_hex(16).encode(), bcrypt.gensalt(BCRYPT_ROUNDS))


@lru_cache(maxsize=1)
def unverifiable_hash() -> str:
    """A valid bcrypt hash that no typed password matches (a random secret never stored anywhere).

    Locked accounts get it in the login library's credentials, so the library refuses them without ever
    seeing the real hash."""
    return bcrypt.hashpw(secrets.token_hex(32).encode(), bcrypt.gensalt(4)).decode("ascii")


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
        return self.locked_until is not None and _aware(self.locked_until) > _now(now)  # type: ignore[operator]


def _units_by_user(s: Session, user_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
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
        id=u.id,  # type: ignore[arg-type]
        username=u.username,
        name=u.name,
        role=u.role,
        active=u.active,
        is_demo=u.is_demo,
        failed_attempts=u.failed_attempts,
        locked_until=_aware(u.locked_until),
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
    now = _now(now)
    with engine.connect() as c:
        rows = c.execute(
            select(User.username, User.name, User.role, User.password_hash, User.locked_until)
            .where(User.active.is_(True))
            .order_by(User.username)
        ).all()
    out: dict[str, Any] = {}
    for username, name, role, pw_hash, locked_until in rows:
        locked = locked_until is not None and _aware(locked_until) > now
        out[username] = {
            "name": name or username,
            "password": unverifiable_hash() if locked else pw_hash,
            "roles": [role],
            "locked": locked,
        }
    return {"usernames": out}


# --------------------------------------------------------------------------- writes


def _audit(s: Session, actor: str, action: str, user: User | None, detail: str = "", *,
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


def _lookup_units(s: Session, names: Iterable[str]) -> list[Unit]:
    wanted: list[str] = []
    for n in names:
        n = (n or "").strip()
        if n and n not in wanted:
            wanted.append(n)
    if not wanted:
        return []
    found = {u.name: u for u in s.scalars(select(Unit).where(Unit.name.in_(wanted)))}  # type: ignore[attr-defined]
    missing = [n for n in wanted if n not in found]
    if missing:
        raise UserError("找不到责任单位：" + "、".join(missing) + "（请先导入绩效目标表，或检查单位名称）")
    return [found[n] for n in wanted]


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
    actor: str = "system",
    password_hash: str | None = None,
) -> UserInfo:
    """Create an account. Staff must belong to at least one unit (looked up by name).

    ``password_hash`` (an existing bcrypt hash) skips hashing; the demo seeding uses it to hash each demo
    password once per process. Raises :class:`UserError` with a Chinese message."""
    uname = normalize_username(username)
    r = validate_role(role)
    validate_password(password)
    if password_hash is None:
        password_hash = hash_password(password)
    unit_names = [u for u in units]
    display = (name or "").strip() or uname
    try:
        with session_scope(engine) as s:
            unit_rows = _lookup_units(s, unit_names)
            if r == STAFF and not unit_rows:
                raise UserError("科室填报人员必须至少关联一个责任单位")
            if s.execute(select(User.id).where(User.username == uname)).first() is not None:
                raise UserError(f"用户名已存在：{uname}")
            user = User(username=uname, name=display, role=r, password_hash=password_hash, is_demo=is_demo)
            s.add(user)
            s.flush()
            for unit in unit_rows:
                s.add(UserUnit(user_id=user.id, unit_id=unit.id))  # type: ignore[arg-type]
            _audit(
                s, actor, "create_user", user,
                f"创建用户 {uname}（{role_label(r)}）" + ("，单位：" + "、".join(u.name for u in unit_rows) if unit_rows else "")
                + ("，演示账户" if is_demo else ""),
            )
            bump_revision(s)
            info = _info(user, [(u.id, u.name) for u in unit_rows])  # type: ignore[misc]
    except IntegrityError as e:  # a concurrent create of the same username
        raise UserError(f"用户名已存在：{uname}") from e
    return info


def set_password(engine: Engine, username: str, password: str, *, actor: str = "system") -> None:
    """Set a new password; also clears a lockout (an admin reset unlocks the account)."""
    validate_password(password)
    new_hash = hash_password(password)
    with session_scope(engine) as s:
        user = _get_user(s, username, lock=True)
        user.password_hash = new_hash
        user.failed_attempts = 0
        user.locked_until = None
        s.add(user)
        _audit(s, actor, "set_password", user, f"修改用户 {user.username} 的密码")
        bump_revision(s)


def set_active(engine: Engine, username: str, active: bool, *, actor: str = "system") -> None:
    with session_scope(engine) as s:
        user = _get_user(s, username, lock=True)
        if user.active == active:
            return
        user.active = active
        s.add(user)
        _audit(s, actor, "activate" if active else "deactivate", user,
               f"{'启用' if active else '停用'}用户 {user.username}", field_name="active",
               old=str(not active), new=str(active))
        bump_revision(s)


def unlock_user(engine: Engine, username: str, *, actor: str = "system") -> None:
    with session_scope(engine) as s:
        user = _get_user(s, username, lock=True)
        user.failed_attempts = 0
        user.locked_until = None
        s.add(user)
        _audit(s, actor, "unlock", user, f"解除用户 {user.username} 的登录锁定")
        bump_revision(s)


def set_user_units(engine: Engine, username: str, units: Iterable[str], *, actor: str = "system") -> None:
    """Replace a user's responsible units (admin screen), audit-logged old -> new. Staff must keep at
    least one unit. Raises ``UserError`` with a Chinese message."""
    with session_scope(engine) as s:
        user = _get_user(s, username, lock=True)
        wanted = _lookup_units(s, units)
        if user.role == STAFF and not wanted:
            raise UserError("科室填报人员必须至少关联一个责任单位")
        old = sorted(name for _id, name in _units_by_user(s, [user.id]).get(user.id, []))
        new = [u.name for u in wanted]
        if old == sorted(new):
            return
        s.execute(UserUnit.__table__.delete().where(UserUnit.user_id == user.id))
        for u in wanted:
            s.add(UserUnit(user_id=user.id, unit_id=u.id))
        _audit(s, actor, "set_units", user, f"修改用户 {user.username} 的责任单位", field_name="units",
               old="、".join(old), new="、".join(new))
        bump_revision(s)


# --------------------------------------------------------------------------- login attempts


def locked_message(locked_until: datetime | None, now: datetime | None = None) -> str:
    """'账户已锁定，请15分钟后再试' with the minutes actually left (rounded up, at least 1)."""
    minutes = int(LOCKOUT.total_seconds() // 60)
    if locked_until is not None:
        left = (_aware(locked_until) - _now(now)).total_seconds()  # type: ignore[operator]
        minutes = max(1, -(-int(left) // 60))
    return f"账户已锁定，请{minutes}分钟后再试"


@dataclass(frozen=True)
class FailedLogin:
    known: bool  # an active account of that name exists
    attempts: int  # consecutive failures now recorded (0 right after a lock)
    locked_until: datetime | None  # set when the account is (now) locked
    just_locked: bool  # this failure caused the lock

    def message(self, now: datetime | None = None) -> str:
        if self.locked_until is not None:
            prefix = f"密码连续错误{MAX_FAILED_ATTEMPTS}次，" if self.just_locked else ""
            return prefix + locked_message(self.locked_until, now)
        return INVALID_LOGIN_MESSAGE


def record_failed_login(engine: Engine, username: str, now: datetime | None = None) -> FailedLogin:
    """Count one wrong password for ``username`` (exactly once per call) and lock the account for
    ``LOCKOUT`` when the count reaches ``MAX_FAILED_ATTEMPTS``. Atomic: the counter is incremented by an
    ``UPDATE`` that takes the row lock, so concurrent attempts on several replicas all count. Attempts
    while the account is already locked are not counted."""
    now = _now(now)
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.execute(
            update(User)
            .where(User.username == uname, User.active.is_(True))
            .where(or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_attempts=User.failed_attempts + 1)
            .returning(User.id, User.failed_attempts)
        ).first()
        if row is None:
            current = s.scalars(select(User).where(User.username == uname, User.active.is_(True))).first()
            if current is None:
                return FailedLogin(known=False, attempts=0, locked_until=None, just_locked=False)
            return FailedLogin(True, current.failed_attempts, _aware(current.locked_until), False)
        user_id, attempts = row
        user = s.get(User, user_id)
        if attempts >= MAX_FAILED_ATTEMPTS:
            until = now + LOCKOUT
            s.execute(
                update(User).where(User.id == user_id).values(failed_attempts=0, locked_until=until)
            )
            _audit(s, uname, "lock", user, f"密码连续错误{attempts}次，账户锁定至 {until.isoformat(timespec='seconds')}",
                   at=now)
            return FailedLogin(True, 0, until, True)
        _audit(s, uname, "login_failed", user, f"密码错误（连续第{attempts}次）", at=now)
        return FailedLogin(True, attempts, None, False)


def record_login_success(engine: Engine, username: str, now: datetime | None = None) -> bool:
    """Reset the failure counter after a verified password. Returns ``False`` (and changes nothing) when
    the account is inactive, unknown or locked at this moment — the caller must then refuse the login."""
    now = _now(now)
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.execute(
            update(User)
            .where(User.username == uname, User.active.is_(True))
            .where(or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_attempts=0, locked_until=None)
            .returning(User.id)
        ).first()
        if row is None:
            return False
        _audit(s, uname, "login", s.get(User, row[0]), "登录成功", at=now)
        return True


def record_logout(engine: Engine, username: str) -> None:
    uname = (username or "").strip().lower()
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.username == uname)).first()
        _audit(s, uname, "logout", user, "退出登录")


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # ok | invalid | locked
    message: str  # Chinese, for the login form
    principal: Principal | None = None
    locked_until: datetime | None = None


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> AuthResult:
    """Check a username and password against the database, with the lockout rules.

    A locked account is refused before the password is looked at. Unknown and deactivated accounts get
    the same answer (and take the same time) as a wrong password."""
    now = _now(now)
    uname = (username or "").strip().lower()
    info = get_user_with_units(engine, uname) if uname else None
    if info is None or not info.active:
        verify_password(password or "x", _dummy_hash().decode())
        return AuthResult(False, "invalid", INVALID_LOGIN_MESSAGE)
    if info.is_locked(now):
        return AuthResult(False, "locked", locked_message(info.locked_until, now), locked_until=info.locked_until)
    if not verify_password(password or "", info.password_hash):
        failed = record_failed_login(engine, uname, now)
        reason = "locked" if failed.locked_until is not None else "invalid"
        return AuthResult(False, reason, failed.message(now), locked_until=failed.locked_until)
    if not record_login_success(engine, uname, now):
        # locked or deactivated between the read and now
        fresh = get_user_with_units(engine, uname)
        if fresh is not None and fresh.is_locked(now):
            return AuthResult(False, "locked", locked_message(fresh.locked_until, now), locked_until=fresh.locked_until)
        return AuthResult(False, "invalid", INVALID_LOGIN_MESSAGE)
    return AuthResult(True, "ok", "登录成功", principal=principal_for(engine, uname))


# --------------------------------------------------------------------------- production checks


def _attr(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def is_production(env: Mapping[str, Any]) -> bool:
    return str(env.get("APP_ENV") or "").strip().lower() in ("production", "prod")


def production_problems(env: Mapping[str, Any], users: Iterable[Any]) -> list[str]:
    """Why a production deployment must not start (Chinese), or ``[]``. Only checks when
    ``env["APP_ENV"] == "production"``.

    ``env``: the effective settings (``APP_ENV``, ``AUTH_COOKIE_KEY``, ``AUTH_COOKIE_EXPIRY_DAYS``), from
    the environment or ``st.secrets``. ``users``: :class:`UserInfo` objects or mappings with ``username``,
    ``active``, ``is_demo`` and ``password_hash``.
    """
    if not is_production(env):
        return []
    from seed.demo_users import DEMO_PASSWORDS  # lazy: seed depends on data_access, not the reverse

    problems: list[str] = []
    key = str(env.get("AUTH_COOKIE_KEY") or "").strip()
    if not key:
        problems.append("未配置登录Cookie签名密钥 AUTH_COOKIE_KEY（在环境变量或 .streamlit/secrets.toml 中设置一个随机长字符串）")
    elif key == DEV_COOKIE_KEY:
        problems.append("AUTH_COOKIE_KEY 仍是开发用的默认值，请换成随机生成的密钥")
    elif len(key) < MIN_COOKIE_KEY_CHARS:
        problems.append(f"AUTH_COOKIE_KEY 太短：至少{MIN_COOKIE_KEY_CHARS}个字符")
    expiry = env.get("AUTH_COOKIE_EXPIRY_DAYS")
    if expiry not in (None, ""):
        try:
            ok = 0 < float(expiry) <= 30
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(f"AUTH_COOKIE_EXPIRY_DAYS 不正确：{expiry!r}（应为大于0、不超过30的天数）")

    demo_flagged: list[str] = []
    demo_password: list[str] = []
    for u in users:
        if not _attr(u, "active", True):
            continue
        username = str(_attr(u, "username", ""))
        if _attr(u, "is_demo", False):
            demo_flagged.append(username)
            continue
        demo_pw = DEMO_PASSWORDS.get(username)
        pw_hash = _attr(u, "password_hash", "") or ""
        if demo_pw is not None and pw_hash and verify_password(demo_pw, pw_hash):
            demo_password.append(username)
    if demo_flagged:
        problems.append(
            "以下演示账户仍处于启用状态：" + "、".join(demo_flagged)
            + "（请停用：python manage.py deactivate-user 用户名）"
        )
    if demo_password:
        problems.append(
            "以下账户仍在使用公开的演示密码：" + "、".join(demo_password)
            + "（请修改：python manage.py set-password 用户名）"
        )
    return problems


__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "LOCKOUT",
    "MIN_PASSWORD_CHARS",
    "MAX_PASSWORD_BYTES",
    "DEV_COOKIE_KEY",
    "INVALID_LOGIN_MESSAGE",
    "UserError",
    "UserInfo",
    "Principal",
    "AuthResult",
    "FailedLogin",
    "password_problems",
    "validate_password",
    "normalize_username",
    "hash_password",
    "verify_password",
    "generate_password",
    "unverifiable_hash",
    "list_users",
    "get_user_with_units",
    "user_count",
    "principal_for",
    "credentials_dict",
    "create_user",
    "set_password",
    "set_active",
    "unlock_user",
    "locked_message",
    "record_failed_login",
    "record_login_success",
    "record_logout",
    "authenticate",
    "is_production",
    "production_problems",
]
