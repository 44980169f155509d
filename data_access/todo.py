"""待办 (``domain.todo``) for one person: every provider asked in turn.

Definitions chosen here:

* A provider is a function ``(TodoScope) -> list[TodoItem]`` registered with :func:`provider`; the
  modules holding providers are listed in :data:`PROVIDER_MODULES` and imported on first use (the
  reporting chain's are ``data_access.review.todo``, 整改's ``data_access.rectification_todo``). Another
  kind of work adds its module there.
* The scope is the person, the fiscal year, the period they work on (the period 填报 opens by default,
  ``data_access.actuals.default_entry_period``) with its 填报截止日, and today's date in Beijing.
* Providers read with a fixed number of queries whatever the number of projects.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from data_access.actuals.periods import PeriodState, default_entry_period, period_state
from data_access.permissions import Principal
from data_access.years import fiscal_year_of
from domain.clock import today_local
from domain.todo import TodoItem, ordered

PROVIDER_MODULES = ["data_access.review.todo", "data_access.rectification_todo"]


@dataclass(frozen=True)
class TodoScope:
    engine: Engine
    principal: Principal
    year: int
    period: PeriodState
    today: date


Provider = Callable[[TodoScope], list[TodoItem]]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    """Register a provider of 待办 items (in import order)."""
    if fn not in PROVIDERS:
        PROVIDERS.append(fn)
    return fn


def _load_providers() -> None:
    for name in PROVIDER_MODULES:
        importlib.import_module(name)


def todo_scope(engine: Engine, principal: Principal | None, today: date | None = None,
               period_code: str | None = None) -> TodoScope | None:
    if principal is None:
        return None
    year = fiscal_year_of(engine)
    if year is None:
        return None
    code = period_code or default_entry_period(engine, year, today=today)
    state = period_state(engine, code) if code else None
    if state is None:
        return None
    return TodoScope(engine, principal, year, state, today or today_local())


def todo_items(engine: Engine, principal: Principal | None, today: date | None = None,
               period_code: str | None = None) -> list[TodoItem]:
    """Everything the person has to do now, errors first (empty when nothing is). Statuses are read
    from the status store (``data_access.status_store``)."""
    scope = todo_scope(engine, principal, today, period_code)
    if scope is None:
        return []
    _load_providers()
    out: list[TodoItem] = []
    for fn in PROVIDERS:
        out.extend(fn(scope))
    return ordered(out)


__all__ = ["TodoScope", "Provider", "PROVIDERS", "PROVIDER_MODULES", "provider", "todo_scope", "todo_items"]
