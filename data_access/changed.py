"""What a write changed among the inputs of the status engine: the required argument of
``data_access.db.bump_revision``.

Every write bumps the data revision in its transaction, and says there what it changed, so that the
status store (``data_access.status_store``) recomputes exactly that in the same transaction. The
argument has no default: a new write path that does not say what it changed does not type-check.

* ``Changed.projects(ids)`` — values, plans, budgets or targets of these projects: they are recomputed
  (every as-of date of their year) in the write's transaction;
* ``Changed.years(fiscal_year_ids)`` — whole fiscal years (a target import, bulk data): recomputed in
  the write's transaction;
* ``Changed.rules()`` — the rule settings: every status, recomputed by a background job into a new
  generation that replaces the current one when complete (``data_access.status_store.jobs``);
* ``Changed.nothing()`` — accounts, period locks, backups: no input of the status engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Changed:
    project_ids: frozenset[int] = frozenset()
    fiscal_year_ids: frozenset[int] = frozenset()
    all_rules: bool = False

    @staticmethod
    def projects(ids: Iterable[int | None]) -> Changed:
        return Changed(project_ids=frozenset(int(i) for i in ids if i is not None))

    @staticmethod
    def years(fiscal_year_ids: Iterable[int | None]) -> Changed:
        return Changed(fiscal_year_ids=frozenset(int(i) for i in fiscal_year_ids if i is not None))

    @staticmethod
    def rules() -> Changed:
        return Changed(all_rules=True)

    @staticmethod
    def nothing() -> Changed:
        return Changed()

    def __or__(self, other: Changed) -> Changed:
        return Changed(self.project_ids | other.project_ids, self.fiscal_year_ids | other.fiscal_year_ids,
                       self.all_rules or other.all_rules)

    @property
    def values_only(self) -> bool:
        """Only some projects' inputs changed (values, adjustments, a project's rule overrides): no project,
        unit, area or indicator was added, renamed or removed by this write (``db.structure_revision``).
        A write that says ``nothing()`` or names years or the rules is not values-only."""
        return bool(self.project_ids) and not self.fiscal_year_ids and not self.all_rules

    @property
    def empty(self) -> bool:
        return not (self.project_ids or self.fiscal_year_ids or self.all_rules)


__all__ = ["Changed"]
