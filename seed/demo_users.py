"""Create the demo accounts (示例账号) on a database without users. DEMO ONLY.

The account table (names, roles, units, public passwords) is ``data_access.demo_accounts``, re-exported
here. The accounts are flagged ``is_demo`` and a production deployment (``APP_ENV=production``) refuses to
start while any of them is active or any account still uses one of their passwords (see
``data_access.production.production_problems``).
"""

from __future__ import annotations

from functools import cache

import bcrypt
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from data_access.db import session_scope
from data_access.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORDS, DemoAccount
from data_access.models import Unit
from data_access.passwords import BCRYPT_ROUNDS
from data_access.permissions import SYSTEM_ADMIN
from data_access.users import UserError, create_user, user_count


@cache
def _demo_hash(password: str) -> str:
    # hashed once per process: seeding many test databases stays fast
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def _ensure_units(engine: Engine, names: set[str]) -> None:
    """The demo staff units exist after the seed import; create them if the targets are not loaded yet
    (the importer reuses units by name)."""
    with session_scope(engine) as s:
        have = set(s.scalars(select(Unit.name).where(Unit.name.in_(sorted(names)))))
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
                by=SYSTEM_ADMIN, password_hash=_demo_hash(a.password),
            )
        except UserError:  # created concurrently by another process
            continue
        unit_text = f"，{'、'.join(a.units)}" if a.units else ""
        lines.append(f"已创建示例账号 {a.username}（{a.name}{unit_text}），密码 {a.password}（仅供演示）")
    return lines


__all__ = ["DemoAccount", "DEMO_ACCOUNTS", "DEMO_PASSWORDS", "ensure_demo_users"]
