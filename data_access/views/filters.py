"""What the filter bar selects, and the words and shapes every read model shares.

Definitions chosen here:

* ``ViewFilters``: empty tuples mean "all". Areas, 主管部门 (departments: the projects of their units)
  and units select projects; statuses select projects
  whose status, or any of whose shown items' status, is one of them; groups (一级/二级指标 names or
  预算执行) select the items shown; ``review`` selects projects whose values for the as-of date are
  approved (``approved``: 只看已审核, the overview restricted to checked figures) or not (``unapproved``).
* A status is always written with a shape and a word (``status_text``: '▲ 红'), never by colour alone.
* The as-of periods offered for a fiscal year follow the reporting cycle the admin set (设置 → 填报周期,
  ``Settings.reporting_period``): its four quarters, or its twelve months. Without a cycle, quarter ends
  and month ends in time order (a quarter before the month ending the same day). A period "has data"
  when any entry describes the situation at its end (a quarter's entry counts for the month ending the
  same day and the other way round). The default is the latest period with data, else the latest
  period that has ended by the given date, else the first. The previous period of the first period of
  a year is None (no comparison across years).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.periods import MONTH, QUARTER, Period, format_day, parse_period, periods_of_year
from domain.review import APPROVED
from domain.status import (
    STATUS_LABELS,
    IndicatorStatus,
    ProjectStatus,
    entered_text,
)
from domain.status_marks import STATUS_ICONS, status_text

BUDGET_GROUP = "预算执行"
REVIEW_APPROVED, REVIEW_UNAPPROVED = "approved", "unapproved"
REVIEW_CHOICES = {"": "全部", REVIEW_APPROVED: "只看已审核", REVIEW_UNAPPROVED: "只看未审核"}


@dataclass(frozen=True)
class ViewFilters:
    """What the filter bar selected; empty tuples mean "all"."""

    areas: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    groups: tuple[str, ...] = field(default=())  # 一级 or 二级指标 names, or 预算执行
    review: str = ""  # '' | 'approved' | 'unapproved' (REVIEW_CHOICES)
    departments: tuple[str, ...] = ()  # 主管部门: the projects of their units

    def describe(self) -> str:
        parts = []
        if self.areas:
            parts.append("领域：" + "、".join(self.areas))
        if self.departments:
            parts.append("主管部门：" + "、".join(self.departments))
        if self.units:
            parts.append("单位：" + "、".join(self.units))
        if self.statuses:
            parts.append("状态：" + "、".join(STATUS_LABELS[s] for s in self.statuses))
        if self.groups:
            parts.append("指标类别：" + "、".join(self.groups))
        if self.review in (REVIEW_APPROVED, REVIEW_UNAPPROVED):
            parts.append("审核：" + ("已审核" if self.review == REVIEW_APPROVED else "未审核"))
        return "；".join(parts) or "全部"

    def project_ok(self, r: ProjectStatus) -> bool:
        p = r.project
        if self.review == REVIEW_APPROVED and p.review != APPROVED:
            return False
        if self.review == REVIEW_UNAPPROVED and p.review == APPROVED:
            return False
        return ((not self.areas or p.area in self.areas) and (not self.units or p.unit in self.units)
                and (not self.departments or p.department in self.departments))

    def indicator_ok(self, st: IndicatorStatus) -> bool:
        ind = st.indicator
        return not self.groups or ind.level1 in self.groups or ind.level2 in self.groups

    def budget_ok(self) -> bool:
        return not self.groups or BUDGET_GROUP in self.groups


def filter_projects(results: Iterable[ProjectStatus], f: ViewFilters) -> list[ProjectStatus]:
    """Projects in the selected areas/departments/units; with a status filter, those whose status (or any
    of whose shown items) has one of the statuses."""
    out = []
    for r in results:
        if not f.project_ok(r):
            continue
        if f.statuses:
            shown = [st.status for st in r.indicators if f.indicator_ok(st)]
            if f.budget_ok():
                shown.append(r.budget.status)
            if r.status not in f.statuses and not set(shown) & set(f.statuses):
                continue
        out.append(r)
    return out


def units_under(units: Sequence[str], unit_departments: Sequence[str], departments: Iterable[str]) -> list[str]:
    """The units the 责任单位 selector offers: ``units`` (in order) whose 主管部门 (``unit_departments``, in
    the same order) is one of ``departments``; all of them when none is chosen."""
    chosen = set(departments)
    if not chosen:
        return list(units)
    return [u for u, d in zip(units, unit_departments) if d in chosen]


def shown_indicators(r: ProjectStatus, f: ViewFilters) -> list[IndicatorStatus]:
    """The project's indicators in the selected groups with a selected status (all when none is)."""
    return [s for s in r.indicators if f.indicator_ok(s) and (not f.statuses or s.status in f.statuses)]


def format_actual(st: IndicatorStatus, projected: bool = False) -> str:
    return entered_text(st.indicator, projected)


def as_of_label(as_of: date) -> str:
    return f"{as_of.year}年1-{as_of.month}月" if as_of.month > 1 else f"{as_of.year}年1月"


def period_options(year: int, cycle: str | None = None) -> list[Period]:
    """The as-of periods of the year for the reporting cycle (``quarter``/``month``); without one,
    quarter ends and month ends in time order (the quarter before the month ending the same day)."""
    if cycle in (QUARTER, MONTH):
        return periods_of_year(year, cycle)
    ps = periods_of_year(year, QUARTER) + periods_of_year(year, MONTH)
    return sorted(ps, key=lambda p: (p.end, p.kind != QUARTER))


def periods_having_data(options: Sequence[Period], keys_with_data: Iterable[str]) -> set[str]:
    """The keys of ``options`` whose end date is the end of a period with data."""
    ends = {parse_period(k).end for k in keys_with_data}
    return {p.key for p in options if p.end in ends}


def default_period(options: Sequence[Period], keys_with_data: Iterable[str], today: date) -> Period:
    """The latest option with data, else the latest one ended by ``today``, else the first."""
    with_data = periods_having_data(options, keys_with_data)
    withd = [p for p in options if p.key in with_data]
    if withd:
        return withd[-1]
    ended = [p for p in options if p.end <= today]
    return ended[-1] if ended else options[0]


def period_option_label(p: Period) -> str:
    """'2024年第三季度（截至9月30日）' / '2024年9月（截至9月30日）'."""
    return f"{p.label}（截至{format_day(p.end, p.year)}）"


def period_short_label(p: Period) -> str:
    """The as-of selector's option, short enough for the sidebar (the year is chosen right above it):
    '第三季度 · 9月30日' / '9月 · 9月30日'."""
    name = p.label.removeprefix(f"{p.year}年")
    return f"{name} · {format_day(p.end, p.year)}"


def previous_period(p: Period) -> Period | None:
    prev = p.previous()
    return prev if prev.year == p.year else None


__all__ = ["STATUS_ICONS", "BUDGET_GROUP", "REVIEW_APPROVED", "REVIEW_UNAPPROVED", "REVIEW_CHOICES",
            "status_text", "ViewFilters", "filter_projects", "units_under", "shown_indicators",
           "format_actual", "as_of_label", "period_options", "periods_having_data", "default_period", "period_option_label",
           "period_short_label", "previous_period"]
