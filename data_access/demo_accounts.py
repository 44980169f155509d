"""The demo accounts (示例账号): names, roles, units and their public passwords. DEMO ONLY.

Definitions chosen here: this table is data, not seeding. ``seed.demo_users`` creates the accounts from
it; ``data_access.production`` refuses a production start while any account still uses one of these
passwords. The passwords are public (they are in this file and the README).

| username | role | units | password |
|---|---|---|---|
| admin   | 管理员 (admin)        | —          | demo-admin   |
| leader  | 领导 (leader)         | —          | demo-leader  |
| jiaoyu  | 科室填报人员 (staff)  | 教育科      | demo-jiaoyu  |
| weijian | 科室填报人员 (staff)  | 卫生健康科  | demo-weijian |
"""

from __future__ import annotations

from dataclasses import dataclass


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

__all__ = ["DemoAccount", "DEMO_ACCOUNTS", "DEMO_PASSWORDS"]
