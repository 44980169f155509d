"""The stored projects summed (``status_sum``): what the roll-ups read instead of every project.

A page's roll-ups — the overview's headline, areas, units, 主管部门, spending chart and changes — are sums
over the selected projects grouped by a few columns. ``status_sum`` holds those sums per (generation,
as-of date, unit, area, status, budget row's status, previous status, items reported since): at 20,000
projects about 6,000 rows per date instead of 20,000, so a roll-up reads a fraction of the rows.

Definitions chosen here:

* **One definition of every measure.** ``MEASURES`` are per-project expressions over ``status_project``;
  a stored sum is ``sum(expression)`` over its group, and a read that cannot use the sums (below) sums
  the same expressions over ``status_project``. ``KEYS`` are the grouping columns, by the same names.
* **When the sums serve a read** (``summable``): the rows a scope selects must be whole groups. Areas,
  units, 主管部门 and the visible units select by unit and area, which are keys; a status filter (it
  looks at a project's items) and the review filter (approvals are not stored with the statuses) do
  not — those reads sum ``status_project``. The group filter changes only what is counted of the items
  (the headline's indicators and 未填报 projects), which the headline reads from the items then.
* **Kept by the recompute** (``data_access.status_store.compute``), in the write's transaction: after
  rewriting some projects' rows it re-sums the units those projects were and are in (every as-of date
  of the year; a unit has a few dozen projects), after a whole year the year. Writers recompute one
  after the other (``generations``: the revision row lock), so a re-sum reads every committed project
  of its units. ``check.differences`` compares the stored sums with a fresh sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, Connection, Table, and_, case, delete, false, func, insert, literal, or_, select

from data_access.models import StatusProject, StatusSum
from data_access.views.filters import ViewFilters
from domain.status import MISSING

P: Table = StatusProject.__table__
S: Table = StatusSum.__table__

_reported = P.c.spent_wan.is_not(None)

# grouping column -> its value on status_project
KEYS: dict[str, ColumnElement] = {
    "generation_id": P.c.generation_id, "as_of": P.c.as_of, "fiscal_year_id": P.c.fiscal_year_id,
    "unit_id": P.c.unit_id, "area_id": P.c.area_id, "status": P.c.status, "budget_status": P.c.budget_status,
    "prev_status": P.c.prev_status, "back": case((P.c.recovered > 0, 1), else_=0),
}

# measure -> the per-project expression on status_project that is summed
MEASURES: dict[str, ColumnElement] = {
    "projects": literal(1),
    "reporting": case((_reported, 1), else_=0),
    "lacking": case((or_(P.c.budget_status == MISSING, P.c.n_missing > 0), 1), else_=0),
    "budget": P.c.budget_wan,
    "budget_pos": case((P.c.budget_wan > 0, P.c.budget_wan), else_=0.0),
    "spent": case((_reported, P.c.spent_wan), else_=0.0),
    "reported_budget": case((_reported, P.c.budget_wan), else_=0.0),
    "reported_planned": case((and_(_reported, P.c.expected_pct.is_not(None)),
                              P.c.budget_wan * P.c.expected_pct / 100.0), else_=0.0),
    "planned": func.coalesce(P.c.budget_wan * P.c.expected_pct / 100.0, 0.0),
    **{f"n_{s}": getattr(P.c, f"n_{s}") for s in ("red", "missing", "amber", "green", "blue", "grey")},
}


def summable(f: ViewFilters) -> bool:
    """Whether the rows these filters select are whole groups of ``status_sum`` (see the module docstring)."""
    return not f.statuses and not f.review


def key(summed: bool, name: str) -> ColumnElement:
    """A grouping column, on ``status_sum`` or on ``status_project``."""
    return S.c[name] if summed else KEYS[name]


def measure(summed: bool, name: str) -> ColumnElement:
    """A measure summed over the selected rows: of the stored sums, or of the projects themselves."""
    return func.sum(S.c[name] if summed else MEASURES[name])


def in_units(col, unit_ids: Iterable[int | None]) -> ColumnElement[bool]:
    """``col`` is one of these units (None: no unit)."""
    ids = sorted({u for u in unit_ids if u is not None})
    either = [col.in_(ids)] if ids else []
    if None in set(unit_ids):
        either.append(col.is_(None))
    return or_(*either) if either else false()


def units_of(c: Connection, generation_id: int, project_ids: Sequence[int]) -> dict[int, set[int | None]]:
    """fiscal_year_id -> the units of these projects' stored rows (read before they are rewritten)."""
    out: dict[int, set[int | None]] = {}
    if not project_ids:
        return out
    for fy_id, unit_id in c.execute(
        select(P.c.fiscal_year_id, P.c.unit_id).where(P.c.generation_id == generation_id,
                                                      P.c.project_id.in_(list(project_ids))).distinct()
    ):
        out.setdefault(fy_id, set()).add(unit_id)
    return out


def resum(c: Connection, generation_id: int, fiscal_year_id: int, dates: Sequence[date] | None,
          unit_ids: Iterable[int | None] | None) -> None:
    """Rewrite the sums of a year (``unit_ids`` None) or of some of its units from ``status_project``;
    ``dates``: the year's as-of dates (they let the read go along the (generation, as_of, unit) index)."""
    mine = [S.c.generation_id == generation_id, S.c.fiscal_year_id == fiscal_year_id]
    rows = [P.c.generation_id == generation_id, P.c.fiscal_year_id == fiscal_year_id]
    if dates is not None:
        rows.append(P.c.as_of.in_(list(dates)))
    if unit_ids is not None:
        units = set(unit_ids)
        if not units:
            return
        mine.append(in_units(S.c.unit_id, units))
        rows.append(in_units(P.c.unit_id, units))
    c.execute(delete(S).where(*mine))
    keys = list(KEYS.values())
    c.execute(insert(S).from_select(
        [*KEYS, *MEASURES],
        select(*keys, *[func.sum(m) for m in MEASURES.values()]).where(*rows).group_by(*keys)))


def stored(c: Connection, generation_id: int) -> dict[tuple, dict]:
    """The stored sums of a generation, by their keys (``check.differences``)."""
    return _by_key(c.execute(select(*[S.c[k] for k in KEYS], *[S.c[m] for m in MEASURES])
                             .where(S.c.generation_id == generation_id)).mappings())


def fresh(c: Connection, generation_id: int) -> dict[tuple, dict]:
    """The sums of a generation as ``resum`` would write them now."""
    keys = list(KEYS.values())
    q = (select(*[v.label(k) for k, v in KEYS.items()], *[func.sum(m).label(k) for k, m in MEASURES.items()])
         .where(P.c.generation_id == generation_id).group_by(*keys))
    return _by_key(c.execute(q).mappings())


def _by_key(rows) -> dict[tuple, dict]:
    out = {}
    for r in rows:
        as_of = r["as_of"] if isinstance(r["as_of"], date) else date.fromisoformat(str(r["as_of"]))
        k = tuple(as_of if name == "as_of" else r[name] for name in KEYS)
        out[k] = {m: r[m] for m in MEASURES}
    return out


__all__ = ["KEYS", "MEASURES", "S", "fresh", "in_units", "key", "measure", "resum", "stored",
           "summable", "units_of"]
