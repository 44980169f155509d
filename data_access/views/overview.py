"""The overview's read models (总览): headline numbers, the status matrix and the changes since the
previous period. Pure: evaluated statuses in, dicts and DataFrames out.

Definitions chosen here:

* Headline: the execution rate is spending over the budget of the projects that reported spending (a
  project that did not report is not counted as 0); the plan progress is weighted by those budgets;
  未填报 counts items (budget rows and shown indicators), and separately the projects having any.
* Matrix: one cell per project and 一级/二级指标 group (plus 预算执行) with the worst status of its items;
  the worst projects first, then the largest budgets.
* Areas and units: ``data_access.views.rollups``.
* Changes: per project, in this order of precedence: 新变红, 新增未填报, 新变黄 (worse), 好转 (better from
  red/amber), 已补报 (values that were missing are now reported).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from data_access.queries import level_rank
from data_access.views.filters import BUDGET_GROUP, ViewFilters, filter_projects, shown_indicators, status_text
from domain.periods import time_progress
from domain.review import APPROVED
from domain.status import (
    AMBER,
    MISSING,
    RED,
    SEVERITY,
    STATUS_LABELS,
    ProjectStatus,
    count_statuses,
    department_summary,
    worst,
)


def build_headline(results: Sequence[ProjectStatus], f: ViewFilters, as_of: date, year: int) -> dict:
    """The overview's headline numbers for the filtered projects."""
    rs = filter_projects(results, f)
    summary = department_summary(rs)
    return headline_numbers(
        projects=summary.projects, budgets=summary.budgets,
        indicators=count_statuses(s.status for r in rs for s in shown_indicators(r, f)),
        budget_total=summary.budget_total_wan, spent_total=summary.spent_total_wan,
        reported_budget=sum(r.project.budget_wan or 0.0 for r in rs if r.project.spent_wan is not None),
        planned=sum((r.project.budget_wan or 0.0) * (r.budget.expected_pct or 0.0) / 100.0
                    for r in rs if r.project.spent_wan is not None and r.budget.expected_pct is not None),
        missing_projects=sum(1 for r in rs if r.budget.status == MISSING
                             or any(s.status == MISSING for s in shown_indicators(r, f))),
        approved_projects=sum(1 for r in rs if r.project.review == APPROVED),
        f=f, as_of=as_of, year=year)


def headline_numbers(*, projects: dict[str, int], budgets: dict[str, int], indicators: dict[str, int],
                     budget_total: float, spent_total: float, reported_budget: float, planned: float,
                     missing_projects: int, approved_projects: int, f: ViewFilters, as_of: date,
                     year: int) -> dict:
    """The headline from its sums (over the filtered projects): counts of project, budget-row and shown
    indicator statuses, budget and spending totals, the budget of the projects that reported spending
    and their planned spending (万元), the projects with anything 未填报, the projects whose values
    for the date are approved."""
    return {
        "project_count": sum(projects.values()),
        "indicator_count": sum(indicators.values()),
        "budget_total": budget_total,
        "spent_total": spent_total,
        "reported_budget": reported_budget,
        "execution_pct": spent_total / reported_budget * 100.0 if reported_budget > 0 else None,
        "plan_pct": planned / reported_budget * 100.0 if reported_budget > 0 else None,
        "time_pct": time_progress(as_of, year) * 100.0,
        "projects": projects,
        "indicators": indicators,
        "budgets": budgets,
        "missing_items": (budgets[MISSING] if f.budget_ok() else 0) + indicators[MISSING],
        "missing_projects": missing_projects,
        "approved_projects": approved_projects,
    }


def _group_of(ind, level: str) -> str:
    name = getattr(ind, level)
    return "".join((name or "").split()) or "（未分类）"


def build_matrix(results: Sequence[ProjectStatus], f: ViewFilters, level: str = "level1",
                 limit: int = 80) -> tuple[pd.DataFrame, int]:
    """Projects x (预算执行 + 一级 or 二级指标 groups): one row per non-empty cell with the worst
    status of the cell's items (status filter applied to the items). Worst projects first; at most
    ``limit`` projects (the second value says how many were left out)."""
    rs = filter_projects(results, f)
    rs = sorted(rs, key=lambda r: (-SEVERITY[r.status], -(r.project.budget_wan or 0.0), r.project.name))
    left_out = max(0, len(rs) - limit)
    rows = []
    for r in rs[:limit]:
        p = r.project
        name = p.name
        if f.budget_ok() and (not f.statuses or r.budget.status in f.statuses):
            b = r.budget
            rows.append({"_project_id": p.id, "_status": b.status, "项目": name, "责任单位": p.unit,
                         "类别": BUDGET_GROUP, "状态": STATUS_LABELS[b.status], "标记": STATUS_LABELS[b.status],
                         "项数": 1, "说明": b.reason})
        groups: dict[str, list] = {}
        for s in shown_indicators(r, f):
            groups.setdefault(_group_of(s.indicator, level), []).append(s)
        for g, items in groups.items():
            w = worst(s.status for s in items)
            src = next(s for s in items if s.status == w)
            bad = sum(1 for s in items if SEVERITY[s.status] >= SEVERITY[AMBER])
            mark = STATUS_LABELS[w] + (f" {bad}" if bad > 1 else "")
            rows.append({"_project_id": p.id, "_status": w, "项目": name, "责任单位": p.unit, "类别": g,
                         "状态": STATUS_LABELS[w], "标记": mark, "项数": len(items),
                         "说明": f"{len(items)}项指标，其中黄/红/未填报{bad}项；最差：{src.indicator.level3}——{src.reason}"})
    df = pd.DataFrame(rows, columns=["_project_id", "_status", "项目", "责任单位", "类别", "状态", "标记", "项数", "说明"])
    return df, left_out


def matrix_columns(df: pd.DataFrame) -> list[str]:
    cats = [c for c in dict.fromkeys(df["类别"].tolist()) if c != BUDGET_GROUP]
    cats.sort(key=level_rank)
    return ([BUDGET_GROUP] if BUDGET_GROUP in set(df["类别"]) else []) + cats


def matrix_wide(df: pd.DataFrame) -> pd.DataFrame:
    """The matrix as a table (for export): one row per project, one status column per group."""
    if df.empty:
        return pd.DataFrame(columns=["项目名称", "责任单位"])
    cols = matrix_columns(df)
    wide = df.pivot_table(index=["项目", "责任单位"], columns="类别", values="_status", aggfunc="first", sort=False)
    wide = wide.reindex(columns=cols)
    out = wide.apply(lambda col: col.map(lambda s: status_text(s) if isinstance(s, str) else ""))
    out = out.reset_index().rename(columns={"项目": "项目名称"})
    out.columns.name = None
    return out


CHANGE_ORDER = ("新变红", "新增未填报", "新变黄", "好转", "已补报")
CHANGE_COLUMNS = ["变化", "项目名称", "责任单位", "上期状态", "本期状态", "原因", "补报事项"]


def _missing_items(r: ProjectStatus, f: ViewFilters) -> set:
    out = {("budget", None)} if f.budget_ok() and r.budget.status == MISSING else set()
    out |= {("ind", s.indicator.id) for s in r.indicators if f.indicator_ok(s) and s.status == MISSING}
    return out


def build_changes(now: Sequence[ProjectStatus], prev: Sequence[ProjectStatus], f: ViewFilters) -> pd.DataFrame:
    """What changed since the previous period, per project: 新变红 / 新增未填报 / 新变黄 (worse),
    好转 (better, from red/amber), 已补报 (values that were missing are now reported)."""
    before = {r.project.id: r for r in prev}
    rows = []
    for r in filter_projects(now, f):
        p = r.project
        old = before.get(p.id)
        if old is None:
            continue
        row = change_row(p.id, p.name, p.unit, p.budget_wan or 0.0, old.status, r.status, r.reason,
                         len(_missing_items(old, f) - _missing_items(r, f)), f)
        if row is not None:
            rows.append(row)
    return changes_frame(rows)


def change_kind(a: str, b: str, back: int) -> str | None:
    """The change from status ``a`` to ``b`` with ``back`` items reported that were missing (the order
    of precedence in the module docstring), or None."""
    if b == RED and a != RED:
        return "新变红"
    if b == MISSING and SEVERITY[a] < SEVERITY[MISSING]:
        return "新增未填报"
    if b == AMBER and SEVERITY[a] < SEVERITY[AMBER]:
        return "新变黄"
    if SEVERITY[b] < SEVERITY[a] and a in (RED, AMBER):
        return "好转"
    if back > 0 or (a == MISSING and b != MISSING):
        return "已补报"
    return None


def change_row(pid, name: str, unit: str, budget: float, a: str, b: str, reason: str, back: int,
               f: ViewFilters) -> dict | None:
    """One row of the changes table, or None when nothing changed (or the status filter drops it)."""
    change = change_kind(a, b, back)
    if change is None or (f.statuses and b not in f.statuses and a not in f.statuses):
        return None
    return {"_project_id": pid, "_status": b, "_prev_status": a, "_rank": CHANGE_ORDER.index(change),
            "_budget": budget, "变化": change, "项目名称": name, "责任单位": unit,
            "上期状态": status_text(a), "本期状态": status_text(b), "原因": reason, "补报事项": back}


def changes_frame(rows: list[dict]) -> pd.DataFrame:
    """The changes table, in the order of ``CHANGE_ORDER``, then the largest budget (then the project id,
    so that the first N rows read from the store are the first N of the whole table)."""
    df = pd.DataFrame(rows, columns=["_project_id", "_status", "_prev_status", "_rank", "_budget", *CHANGE_COLUMNS])
    if not df.empty:
        df = df.sort_values(["_rank", "_budget", "_project_id"], ascending=[True, False, True],
                            kind="stable").reset_index(drop=True)
    return df


__all__ = ["CHANGE_ORDER", "CHANGE_COLUMNS", "build_headline", "headline_numbers", "build_matrix", "matrix_columns",
           "matrix_wide", "build_changes", "change_kind", "change_row", "changes_frame"]
