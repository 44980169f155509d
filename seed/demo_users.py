"""Demo accounts for the embedded demo database (示例账号). DEMO ONLY.

The passwords below are public (they are in this file and the README): the accounts are flagged
``is_demo`` and a production deployment (``APP_ENV=production``) refuses to start while any of them is
active or any account still uses one of these passwords (see ``data_access.users.production_problems``).

| username | role | units | password |
|---|---|---|---|
| admin   | 管理员 (admin)        | —          | demo-admin   |
| leader  | 领导 (leader)         | —          | demo-leader  |
| jiaoyu  | 科室填报人员 (staff)  | 教育科      | demo-jiaoyu  |
| weijian | 科室填报人员 (staff)  | 卫生健康科  | demo-weijian |
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import bcrypt
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from data_access.db import session_scope
from data_access.models import Unit
from data_access.users import BCRYPT_ROUNDS, UserError, create_user, user_count


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    units: tuple[str, ...]
    password: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "绩效管理员（示例）", "admin", (), "demo-admin"),
    DemoAccount("leader", "局领导（示例）", "leader", (), "demo-leader"),
    DemoAccount("jiaoyu", "教育科填报员（示例）", "staff", ("教育科",), "demo-jiaoyu"),
    DemoAccount("weijian", "卫生健康科填报员（示例）", "staff", ("卫生健康科",), "demo-weijian"),
)
DEMO_PASSWORDS: dict[str, str] = {a.username: a.password for a in DEMO_ACCOUNTS}


@lru_cache(maxsize=None)
def _demo_hash(password: str) -> str:
    # hashed once per process: seeding many test databases stays fast
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def _ensure_units(engine: Engine, names: set[str]) -> None:
    """The demo staff units exist after the seed import; create them if the targets are not loaded yet
    (the importer reuses units by name)."""
    with session_scope(engine) as s:
        have = set(s.scalars(select(Unit.name).where(Unit.name.in_(sorted(names)))))  # type: ignore[attr-defined]
        for n in sorted(names - have):
            s.add(Unit(name=n))


def ensure_demo_users(engine: Engine) -> list[str]:
    """Create the demo accounts when the database has no user at all; otherwise do nothing.

    Idempotent and safe to call from several processes at once. Returns Chinese lines describing what
    was created (for ``manage.py init``), ``[]`` when nothing was done."""
    if user_count(engine) > 0:
        return []
    try:
        _ensure_units(engine, {u for a in DEMO_ACCOUNTS for u in a.units})
    except IntegrityError:  # another process created them
        pass
    lines: list[str] = []
    for a in DEMO_ACCOUNTS:
        try:
            create_user(
                engine, a.username, a.role, a.password, name=a.name, units=a.units, is_demo=True,
                actor="system", password_hash=_demo_hash(a.password),
            )
        except UserError:  # created concurrently by another process
            continue
        unit_text = f"，{'、'.join(a.units)}" if a.units else ""
        lines.append(f"已创建示例账号 {a.username}（{a.name}{unit_text}），密码 {a.password}（仅供演示）")
    return lines
