"""Roll-ups of projects into areas, units, 主管部门 and the whole department (总览, 会议模式, their exports).

Every colour comes from ``domain.status.rollup`` with the stored settings (docs/rules.md §6.2): by
default the share of the judged budget that is on track, with the worst-of status kept beside it as a
view of its own (最差项目), the project counts per status and each status's share of the budget.

Definitions chosen here:

* Areas come in document order; without project filters every area of the targets document is listed
  (灰 when it has no project). Units come worst first (colour, then the red share of the budget, then
  the budget), then by name.
* A row's shares are of its whole budget (灰 included, so the four shares and 灰 add up to 100 %); the
  colour is decided on the judged budget (灰 left out), as its reason (原因) says.
* 执行率 is spending over the budget of the projects that reported spending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from data_access.views.filters import ViewFilters, filter_projects, status_text
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    SEVERITY,
    STATUSES,
    ProjectStatus,
    Rollup,
    rollup_of,
    share_text,
)

SHARE_COLUMNS = {RED: "红占预算%", AMBER: "黄占预算%", MISSING: "未填报占预算%", GREEN: "绿占预算%"}
ROLLUP_COLUMNS = ["状态", "原因", "最差项目", "项目数", "红", "黄", "未填报", "绿", "灰", *SHARE_COLUMNS.values(),
                  "预算（万元）", "累计支出（万元）", "执行率%"]
AREA_COLUMNS = ["领域", *ROLLUP_COLUMNS, "绩效目标", "绩效指标", "量化目标"]
UNIT_COLUMNS = ["责任单位", *ROLLUP_COLUMNS]
DEPARTMENT_COLUMNS = ["主管部门", *ROLLUP_COLUMNS]
NO_PROJECT = "（未分配）"


@dataclass
class GroupSums:
    """A group of projects summed: project counts and (positive) budgets per status, the spending
    reported and the budget of the projects that reported it (the status store sums these in SQL)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    budgets: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0.0))
    spent: float = 0.0
    reported_budget: float = 0.0

    def add(self, status: str, n: int, budget: float, spent: float, reported_budget: float) -> None:
        self.counts[status] += n
        self.budgets[status] += budget
        self.spent += spent
        self.reported_budget += reported_budget


def group_sums(items: Sequence[ProjectStatus]) -> GroupSums:
    g = GroupSums()
    for r in items:
        reported = r.project.spent_wan is not None
        g.add(r.status, 1, max(r.project.budget_wan or 0.0, 0.0), (r.project.spent_wan or 0.0) if reported else 0.0,
              (r.project.budget_wan or 0.0) if reported else 0.0)
    return g


def rollup_row(items: Sequence[ProjectStatus], settings: Settings = DEFAULT_SETTINGS) -> dict:
    """The roll-up columns of one group of projects (hidden ``_status``/``_worst`` colour the cells)."""
    return rollup_row_of(group_sums(items), settings)


def rollup_row_of(g: GroupSums, settings: Settings = DEFAULT_SETTINGS) -> dict:
    """``rollup_row`` from the group's sums."""
    ru = rollup_of(g.counts, g.budgets, settings)
    spent, rep = g.spent, g.reported_budget
    n = sum(g.counts.values())
    row = {
        "_status": ru.status, "_worst": ru.worst, "_red_share": _share(ru, RED) or 0.0,
        "状态": status_text(ru.status) if n else f"{status_text(GREY)}（无项目）",
        "原因": ru.reason, "最差项目": status_text(ru.worst) if n else "",
        "项目数": n, "红": ru.counts[RED], "黄": ru.counts[AMBER], "未填报": ru.counts[MISSING],
        "绿": ru.counts[GREEN] + ru.counts[BLUE], "灰": ru.counts[GREY],
    }
    for status, col in SHARE_COLUMNS.items():
        row[col] = _share(ru, status)
    row.update({
        "预算（万元）": round(ru.budget_total, 2), "累计支出（万元）": round(spent, 2) if rep else None,
        "执行率%": round(spent / rep * 100.0, 1) if rep > 0 else None,
    })
    return row


def _share(ru: Rollup, status: str) -> float | None:
    if ru.shares is None:
        return None
    share = ru.shares[status] + (ru.shares[BLUE] if status == GREEN else 0.0)
    return round(share * 100.0, 1)


def build_areas(results: Sequence[ProjectStatus], areas_df: pd.DataFrame, f: ViewFilters,
                settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """The department-level areas (document order) rolled up from their filtered projects, with the
    prose targets. Without project filters every area is listed (灰 when it has no project)."""
    by_area: dict[str, list[ProjectStatus]] = {}
    for r in filter_projects(results, f):
        by_area.setdefault(r.project.area or NO_PROJECT, []).append(r)
    return areas_frame({a: group_sums(items) for a, items in by_area.items()}, areas_df, f, settings)


def areas_frame(by_area: dict[str, GroupSums], areas_df: pd.DataFrame, f: ViewFilters,
                settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """``build_areas`` from each area's sums."""
    unfiltered = not (f.areas or f.departments or f.units or f.statuses)
    names = list(areas_df["name"]) if not areas_df.empty else []
    names += [a for a in by_area if a not in names]
    known = set(areas_df.get("name", []))
    rows = []
    for seq, name in enumerate(names):
        if f.areas and name not in f.areas:
            continue
        g = by_area.get(name) or GroupSums()
        if not sum(g.counts.values()) and not unfiltered:
            continue
        rec = areas_df[areas_df["name"] == name].iloc[0] if name in known else None
        targets = rec["targets"] if rec is not None else []
        rows.append({
            "_seq": seq, "领域": name, **rollup_row_of(g, settings),
            "绩效目标": (rec["goal"] if rec is not None else "") or "",
            "绩效指标": (rec["indicator_text"] if rec is not None else "") or "",
            "量化目标": "；".join(t.get("phrase") or t.get("name") or "" for t in (targets or []) if isinstance(t, dict)),
        })
    return pd.DataFrame(rows, columns=["_status", "_worst", "_red_share", "_seq", *AREA_COLUMNS])


def build_units(results: Sequence[ProjectStatus], f: ViewFilters, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Every responsible unit of the filtered projects rolled up, worst first (colour, then the red share
    of the budget, then the budget), then by name."""
    by_unit: dict[str, list[ProjectStatus]] = {}
    for r in filter_projects(results, f):
        by_unit.setdefault(r.project.unit or NO_PROJECT, []).append(r)
    return units_frame({u: group_sums(items) for u, items in by_unit.items()}, settings)


def units_frame(by_unit: dict[str, GroupSums], settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """``build_units`` from each unit's sums."""
    return _groups_frame(by_unit, settings, "责任单位")


def build_departments(results: Sequence[ProjectStatus], f: ViewFilters, settings: Settings = DEFAULT_SETTINGS
                      ) -> pd.DataFrame:
    """Every 主管部门 of the filtered projects rolled up (the live counterpart of the stored sums)."""
    by_department: dict[str, list[ProjectStatus]] = {}
    for r in filter_projects(results, f):
        by_department.setdefault(r.project.department or NO_PROJECT, []).append(r)
    return departments_frame({d: group_sums(items) for d, items in by_department.items()}, settings)


def departments_frame(by_department: dict[str, GroupSums], settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Every 主管部门 of the filtered projects rolled up from its units' projects (（未分配） for the projects
    of units without one), in the order of ``units_frame``."""
    return _groups_frame(by_department, settings, "主管部门")


def _groups_frame(by: dict[str, GroupSums], settings: Settings, column: str) -> pd.DataFrame:
    """Groups rolled up, worst first (colour, then the red share of the budget, then the budget), then by name."""
    rows = [{column: name, **rollup_row_of(g, settings)} for name, g in by.items()]
    rows.sort(key=lambda row: (-SEVERITY[row["_status"]], -row["_red_share"], -row["预算（万元）"], row[column]))
    return pd.DataFrame(rows, columns=["_status", "_worst", "_red_share", column, *ROLLUP_COLUMNS])


def department_rollup(results: Sequence[ProjectStatus], f: ViewFilters, settings: Settings = DEFAULT_SETTINGS) -> dict:
    """The filtered projects as one group (the headline): colour, reason, worst-of and the budget shares."""
    return department_rollup_of(group_sums(filter_projects(results, f)), settings)


def department_rollup_of(g: GroupSums, settings: Settings = DEFAULT_SETTINGS) -> dict:
    ru = rollup_of(g.counts, g.budgets, settings)
    return {"status": ru.status, "reason": ru.reason, "worst": ru.worst, "shares": share_text(ru)}


__all__ = ["AREA_COLUMNS", "UNIT_COLUMNS", "DEPARTMENT_COLUMNS", "ROLLUP_COLUMNS", "SHARE_COLUMNS", "GroupSums",
           "group_sums", "rollup_row", "rollup_row_of", "build_areas", "areas_frame", "build_units", "units_frame",
           "build_departments", "departments_frame", "department_rollup", "department_rollup_of"]
