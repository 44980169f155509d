"""Which stored rows a page reads: one generation, one as-of date, the visible units and the filter bar,
as SQL conditions on ``status_project`` and ``status_item``.

The conditions state the filter bar's definitions (``data_access.views.filters``) on the stored rows:

* areas, 主管部门 (the units' ``department``) and units select projects (``ViewFilters.project_ok``);
* a status filter selects the projects whose status, or the status of any of whose *shown* items — the
  budget row unless the group filter leaves it out, the indicators of the selected groups — is one of
  the selected statuses (``filter_projects``);
* groups (一级/二级指标 names, or 预算执行) select the items shown (``indicator_ok`` / ``budget_ok``);
* the review filter selects the projects whose values for the date are approved, or not
  (``approved_ids``: an approval of any period ending on the date, as ``monitoring.load_inputs`` reads it).

``tests/db/test_status_store.py`` checks, filter by filter, that the stored reads equal the read
models applied to a live evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, Table, and_, exists, false, or_, select, true

from data_access.models import Area, ProjectReview, StatusItem, StatusProject, Unit
from data_access.monitoring import period_codes_for
from data_access.views.filters import REVIEW_APPROVED, REVIEW_UNAPPROVED, ViewFilters
from domain.review import APPROVED

P: Table = StatusProject.__table__
I: Table = StatusItem.__table__  # noqa: E741 - the item table, as in the SQL
COUNT_COLUMNS = {"red": "n_red", "missing": "n_missing", "amber": "n_amber", "green": "n_green", "blue": "n_blue",
                 "grey": "n_grey"}


@dataclass(frozen=True)
class Scope:
    generation_id: int
    as_of: date
    filters: ViewFilters = ViewFilters()
    unit_ids: frozenset[int] | None = None  # the visible units; None: all

    def at(self, as_of: date) -> Scope:
        return Scope(self.generation_id, as_of, self.filters, self.unit_ids)

    def without_statuses(self) -> Scope:
        """The same rows without the status and review filters (填报进度 counts every value due)."""
        f = self.filters
        return Scope(self.generation_id, self.as_of, replace(f, statuses=(), review=""), self.unit_ids)


def by_name(col, c) -> ColumnElement:
    """``col`` for ORDER BY in code-point order, as Python sorts names (PostgreSQL: ``COLLATE "C"``, which its
    order indexes use too; SQLite's default collation is already that)."""
    return col.collate("C") if c.dialect.name == "postgresql" else col


def _visible(col, unit_ids: frozenset[int] | None) -> ColumnElement[bool]:
    if unit_ids is None:
        return true()
    return col.in_(sorted(unit_ids)) if unit_ids else false()


def approved_ids(as_of: date):
    """The ids of the projects whose values for ``as_of`` are approved, as a subquery."""
    return select(ProjectReview.project_id).where(ProjectReview.period_code.in_(period_codes_for(as_of)),
                                                  ProjectReview.state == APPROVED)


def located(t: Table, sc: Scope, dates: Sequence[date] | None = None) -> list[ColumnElement[bool]]:
    """Generation, as-of date (or any of ``dates``), visibility, areas, departments, units and the review
    filter (every table of the store carries them; ``status_sum`` has no project, so no review filter)."""
    f = sc.filters
    day = t.c.as_of == sc.as_of if dates is None else t.c.as_of.in_(list(dates))
    conds = [t.c.generation_id == sc.generation_id, day, _visible(t.c.unit_id, sc.unit_ids)]
    if f.review == REVIEW_APPROVED:
        conds.append(t.c.project_id.in_(approved_ids(sc.as_of)))
    elif f.review == REVIEW_UNAPPROVED:
        conds.append(t.c.project_id.not_in(approved_ids(sc.as_of)))
    if f.areas:
        conds.append(t.c.area_id.in_(select(Area.id).where(Area.name.in_(f.areas))))
    if f.units:
        conds.append(t.c.unit_id.in_(select(Unit.id).where(Unit.name.in_(f.units))))
    if f.departments:
        conds.append(t.c.unit_id.in_(select(Unit.id).where(Unit.department.in_(f.departments))))
    return conds


def item_shown(i: Table, f: ViewFilters) -> ColumnElement[bool]:
    """The items the group filter shows: the budget row unless left out, the indicators of the groups."""
    if not f.groups:
        return true()
    indicators = and_(i.c.seq >= 0, or_(i.c.level1.in_(f.groups), i.c.level2.in_(f.groups)))
    return or_(i.c.seq == -1, indicators) if f.budget_ok() else indicators


def indicator_shown(i: Table, f: ViewFilters) -> ColumnElement[bool]:
    if not f.groups:
        return i.c.seq >= 0
    return and_(i.c.seq >= 0, or_(i.c.level1.in_(f.groups), i.c.level2.in_(f.groups)))


def _items_of(p: Table, i: Table) -> ColumnElement[bool]:
    return and_(i.c.generation_id == p.c.generation_id, i.c.project_id == p.c.project_id, i.c.as_of == p.c.as_of)


def any_indicator(p: Table, f: ViewFilters, statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """The project has a shown indicator with one of ``statuses``."""
    if not f.groups:
        return or_(*[getattr(p.c, COUNT_COLUMNS[s]) > 0 for s in statuses])
    i = I.alias("shown")
    return exists(select(i.c.seq).where(_items_of(p, i), indicator_shown(i, f), i.c.status.in_(statuses)))


def project_conditions(sc: Scope, p: Table = P) -> list[ColumnElement[bool]]:
    """The projects the filter bar selects (``filter_projects``)."""
    f = sc.filters
    conds = located(p, sc)
    if f.statuses:
        either = [p.c.status.in_(f.statuses), any_indicator(p, f, f.statuses)]
        if f.budget_ok():
            either.append(p.c.budget_status.in_(f.statuses))
        conds.append(or_(*either))
    return conds


def project_ids(sc: Scope):
    """The selected projects' ids as a subquery."""
    return select(P.c.project_id).where(*project_conditions(sc))


__all__ = ["P", "I", "COUNT_COLUMNS", "Scope", "by_name", "approved_ids", "located", "item_shown", "indicator_shown", "any_indicator",
           "project_conditions", "project_ids"]
