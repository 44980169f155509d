"""What every cached read of the leadership views is keyed on: the page context.

Definitions chosen here:

* ``ReadContext``: the database revision (``components.state.revision()``), the *visibility key* and
  the fiscal year (None = the latest). The visibility key stands in for the principal: admin and leader
  share ``("all", ())``, staff are keyed on their sorted unit ids (and nobody on no units), so two
  leaders share every cached table while staff only ever see their units' projects (the project filter
  is rebuilt from the key through ``data_access.permissions.visible_project_filter``).
* ``PageContext``: a ``ReadContext`` plus what the shared filter bar chose — the as-of period and its
  end, the previous period of the same year (None for the first period) and the ``ViewFilters`` — and
  the generation of stored statuses the page reads (``gen``; a new one comes with a new revision).
* Both are frozen dataclasses of plain values: hashable, and ``st.cache_data`` hashes them by value
  (field by field), so a new revision, another period or other filters miss the cache and the same
  values hit it whoever built the object. Reads that do not depend on the period or the filters (a
  project's fixed data, its history) are keyed on ``ctx.read`` so that changing a filter keeps them.

Built by ``components.page.leadership_page`` / ``reader_page``; nothing here renders anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from data_access.permissions import STAFF, Principal, visible_project_filter, visible_unit_ids
from data_access.views import ViewFilters
from domain.periods import Period, parse_period

VisKey = tuple[str, tuple[int, ...]]
ALL: VisKey = ("all", ())


def visibility_key(principal: Principal | None) -> VisKey:
    """("all", ()) for admin/leader, ("units", sorted unit ids) for staff (and for nobody: no units)."""
    ids = visible_unit_ids(principal)
    return ALL if ids is None else ("units", tuple(sorted(ids)))


def project_filter(vis: VisKey):
    """The ``Project`` where-clause for a visibility key (None = all projects)."""
    if vis[0] == "all":
        return None
    return visible_project_filter(Principal(username="", name="", role=STAFF, unit_ids=frozenset(vis[1])))


@dataclass(frozen=True, kw_only=True)
class ReadContext:
    """Which revision of which projects: the key of the reads that ignore the period and the filters."""

    rev: int
    vis: VisKey
    year: int | None = None

    @property
    def project_filter(self):
        return project_filter(self.vis)


@dataclass(frozen=True, kw_only=True)
class PageContext(ReadContext):
    """A ``ReadContext`` with the period and the filters chosen in the filter bar (``year`` is set)."""

    year: int
    period_key: str
    as_of: date
    gen: int = 0  # the stored statuses' generation the page reads (data_access.status_store)
    structure_rev: int = 0  # data_access.db.revisions: moves only with writes that change more than values
    prev_key: str | None = None
    prev_as_of: date | None = None
    filters: ViewFilters = ViewFilters()

    @property
    def period(self) -> Period:
        return parse_period(self.period_key)

    @property
    def previous(self) -> Period | None:
        return parse_period(self.prev_key) if self.prev_key else None

    @property
    def read(self) -> ReadContext:
        """The same revision, visibility and year without the period and the filters."""
        return ReadContext(rev=self.rev, vis=self.vis, year=self.year)

    def with_filters(self, filters: ViewFilters) -> PageContext:
        return replace(self, filters=filters)


__all__ = ["VisKey", "ALL", "visibility_key", "project_filter", "ReadContext", "PageContext"]
