"""会议模式's read models: the order of the projects and one screen (slide) per project or per area.

Definitions chosen here: the meeting goes worst first, then largest budget; a project slide shows the
colour, the budget numbers and the reason, and only its non-green shown indicators (red, then missing,
amber, blue; at most ``max_items``, the rest counted); an area slide lists its non-green projects (at
most eight) and counts the green ones, under the area's colour (``domain.status.rollup`` with the
stored settings, docs/rules.md §6.2), its reason, the worst project and each status's share of the
budget. Areas go worst first too (by that colour, then the red share of the budget, then more red, more
未填报, more amber projects, then document order). "Attention only" keeps the projects that are red, 未填报 or
amber (``ATTENTION``), and the areas that have one; it is on by default from ``ATTENTION_DEFAULT_FROM``
projects, so a city-scale meeting does not page through thousands of green slides.
Pure: evaluated statuses in, dicts out.
"""

from __future__ import annotations

from collections.abc import Sequence

from data_access.views.filters import ViewFilters, filter_projects, format_actual
from data_access.views.project import project_order
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    MISSING,
    RED,
    SEVERITY,
    ProjectStatus,
    count_statuses,
    rollup,
    share_text,
)

ATTENTION = frozenset({RED, MISSING, AMBER})
ATTENTION_DEFAULT_FROM = 60  # projects after the filters: from here "attention only" starts switched on


def meeting_order(results: Sequence[ProjectStatus], f: ViewFilters, attention_only: bool = False) -> list[int]:
    """Project ids for the meeting: worst first, then by budget (largest first) — the order of
    项目详情's previous/next (``project_order``); ``attention_only`` keeps red, 未填报 and amber."""
    if attention_only:
        results = [r for r in results if r.status in ATTENTION]
    return project_order(results, f)


def build_slide(r: ProjectStatus, f: ViewFilters, max_items: int = 6) -> dict:
    """One meeting screen: the colour, the numbers and the reason; only the non-green items."""
    p = r.project
    b = r.budget
    shown = [s for s in r.indicators if f.indicator_ok(s)]
    counts = count_statuses(s.status for s in shown)
    rank = {RED: 0, MISSING: 1, AMBER: 2, BLUE: 3}
    bad = sorted((s for s in shown if s.status in rank), key=lambda s: rank[s.status])
    items = [{"status": s.status, "name": s.indicator.level3, "target": s.indicator.target.raw.strip(),
              "actual": format_actual(s), "projected": format_actual(s, projected=True), "reason": s.reason}
             for s in bad[:max_items]]
    return {
        "id": p.id, "name": p.name, "unit": p.unit, "area": p.area, "status": r.status, "reason": r.reason,
        "budget": p.budget_wan or 0.0, "spent": p.spent_wan, "execution_pct": b.execution_pct,
        "expected_pct": b.expected_pct, "budget_status": b.status, "budget_reason": b.reason,
        "counts": counts, "items": items, "more": max(0, len(bad) - max_items),
    }


def _by_area(results: Sequence[ProjectStatus], f: ViewFilters) -> dict[str, list[ProjectStatus]]:
    by_area: dict[str, list[ProjectStatus]] = {}
    for r in filter_projects(results, f):
        by_area.setdefault(r.project.area or "（未分配）", []).append(r)
    return by_area


def area_order(results: Sequence[ProjectStatus], areas: Sequence[str], f: ViewFilters,
               attention_only: bool = False, settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    """The areas (given in document order) that have filtered projects, worst first: the area's colour,
    then the red share of its budget, then the number of red, 未填报 and amber projects (most first),
    then document order."""
    by_area = _by_area(results, f)
    names = list(areas) + [a for a in by_area if a not in areas]
    keep = [a for a in names if by_area.get(a) and (not attention_only or any(r.status in ATTENTION for r in by_area[a]))]

    def key(a: str) -> tuple:
        ru = rollup(by_area[a], settings)
        red = ru.shares[RED] if ru.shares else 0.0
        return (-SEVERITY[ru.status], -red, -ru.counts[RED], -ru.counts[MISSING], -ru.counts[AMBER], names.index(a))

    return sorted(keep, key=key)


def build_area_slide(results: Sequence[ProjectStatus], area: str, f: ViewFilters,
                     settings: Settings = DEFAULT_SETTINGS) -> dict:
    rs = _by_area(results, f).get(area, [])
    rs.sort(key=lambda r: (-SEVERITY[r.status], -(r.project.budget_wan or 0.0)))
    ru = rollup(rs, settings)
    rep = [r for r in rs if r.project.spent_wan is not None]
    spent = sum(r.project.spent_wan or 0.0 for r in rep)
    rep_budget = sum(r.project.budget_wan or 0.0 for r in rep)
    return {
        "area": area, "status": ru.status, "reason": ru.reason, "worst": ru.worst, "shares": share_text(ru),
        "budget": ru.budget_total, "spent": spent,
        "execution_pct": spent / rep_budget * 100.0 if rep_budget else None,
        "counts": count_statuses(r.status for r in rs),
        "projects": [{"status": r.status, "name": r.project.name, "unit": r.project.unit, "reason": r.reason}
                     for r in rs if r.status != GREEN][:8],
        "green": sum(1 for r in rs if r.status == GREEN),
    }


__all__ = ["ATTENTION", "ATTENTION_DEFAULT_FROM", "area_order", "build_area_slide", "build_slide", "meeting_order"]
