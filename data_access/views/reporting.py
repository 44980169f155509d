"""填报进度's read model: which values are due but not reported for a period, per item and per unit.

Definitions chosen here:

* An item is due and missing when the status engine says 未填报 for it at the period's end; an item the
  engine rates 灰 (not yet due) is not due. The status filter does not apply (a missing value is
  missing whatever colour the project has); areas, units and groups do.
* 逾期天数 is the days from the period's end to ``today`` (0 before the end), the same for every item.
* 填报完成率% of a unit is (due − missing) / due over its items; 最近填报 is the latest save of any value
  for the period by the unit's projects, in Beijing time (``domain.clock.format_time``).
* Units with the most missing values first; items by days late, their unit's rank, then the largest
  budget, then document order.
* 填报进度 lists every unit with values due (``build_progress``), complete ones too, with 期限: 剩余N天
  before the period's end (今天截止 on the day), 逾期N天 after it while something is missing, 已全部填报
  when nothing is (``deadline_text``). ``build_reporting`` keeps only the units with missing values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from data_access.views.filters import ViewFilters, filter_projects
from domain.clock import format_time
from domain.status import GREY, MISSING, ProjectStatus

REPORT_ITEM_COLUMNS = ["责任单位", "项目名称", "缺报事项", "一级指标", "二级指标", "应报日期", "逾期天数", "最近填报", "填报人", "说明"]
REPORT_UNIT_COLUMNS = ["责任单位", "应报项目", "缺报项目", "缺报支出", "缺报指标", "填报完成率%", "逾期天数", "最近填报"]
NEVER = "从未填报"


def last_saved(at) -> str:
    return format_time(at) if at is not None else NEVER


def _project_items(r: ProjectStatus, f: ViewFilters, base: dict, u: dict) -> tuple[list[dict], int]:
    """The missing items of one project (added to its unit's tallies ``u``) and how many items are due."""
    p = r.project
    items = []
    due = 0
    if f.budget_ok():
        if r.budget.status != GREY:
            due += 1
        if r.budget.status == MISSING:
            items.append({**base, "_indicator_id": None, "_order": -1, "缺报事项": "累计支出（预算执行）",
                          "一级指标": "", "二级指标": "", "说明": r.budget.reason})
            u["缺报支出"] += 1
            u["缺报项目"].add(p.id)
    for i, s in enumerate(r.indicators):
        if not f.indicator_ok(s):
            continue
        if s.status != GREY:
            due += 1
        if s.status == MISSING:
            ind = s.indicator
            items.append({**base, "_indicator_id": ind.id, "_order": i, "缺报事项": ind.level3,
                          "一级指标": ind.level1, "二级指标": ind.level2, "说明": s.reason})
            u["缺报指标"] += 1
            u["缺报项目"].add(p.id)
    return items, due


def deadline_text(period_end: date, today: date, missing: int) -> str:
    """How a unit stands against the period's end: 剩余N天 / 今天截止 / 逾期N天 / 已全部填报."""
    if today < period_end:
        return f"剩余{(period_end - today).days}天"
    if today == period_end:
        return "今天截止"
    return f"逾期{(today - period_end).days}天" if missing else "已全部填报"


def units_frame(units: dict[str, dict], late: int, only_missing: bool = True) -> pd.DataFrame:
    rows = []
    for name, u in units.items():
        missing = u["缺报支出"] + u["缺报指标"]
        rows.append({
            "_missing": missing, "责任单位": name, "应报项目": u["应报项目"], "缺报项目": len(u["缺报项目"]),
            "缺报支出": u["缺报支出"], "缺报指标": u["缺报指标"],
            "填报完成率%": round((u["_due"] - missing) / u["_due"] * 100.0, 1) if u["_due"] else None,
            "逾期天数": late if missing else 0,
            "最近填报": last_saved(u["最近填报"]),
        })
    df = pd.DataFrame(rows, columns=["_missing", *REPORT_UNIT_COLUMNS])
    keep = df["_missing"] > 0 if only_missing else df["责任单位"].map(lambda n: units[n]["_due"] > 0).astype(bool)
    return df[keep].sort_values(["_missing", "责任单位"], ascending=[False, True], kind="stable")


def build_reporting(results: Sequence[ProjectStatus], f: ViewFilters, period_end: date, today: date,
                    last: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, units) not reported for the period ending ``period_end``. ``last``: per project the last
    save for the period (``queries.last_entries``: project_id, last_at, last_by)."""
    items, units, late = _collect(results, f, period_end, today, last)
    return sorted_items(items, units_frame(units, late))


def build_progress(results: Sequence[ProjectStatus], f: ViewFilters, period_end: date, today: date,
                   last: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, every unit with values due, complete ones too) for 填报进度; the units frame has 期限
    (``deadline_text``)."""
    items, units, late = _collect(results, f, period_end, today, last)
    units_df = units_frame(units, late, only_missing=False)
    units_df.insert(len(units_df.columns) - 1, "期限",
                    [deadline_text(period_end, today, int(m)) for m in units_df["_missing"]])
    return sorted_items(items, units_df)


def _collect(results: Sequence[ProjectStatus], f: ViewFilters, period_end: date, today: date,
             last: pd.DataFrame) -> tuple[list[dict], dict[str, dict], int]:
    f = ViewFilters(areas=f.areas, units=f.units, groups=f.groups, departments=f.departments)  # no status filter here
    late = max(0, (today - period_end).days)
    last_by = {int(r.project_id): (r.last_at, r.last_by) for r in last.itertuples(index=False)} if not last.empty else {}
    items: list[dict] = []
    units: dict[str, dict] = {}
    for r in filter_projects(results, f):
        p = r.project
        u = units.setdefault(p.unit or "（未分配）", {"应报项目": 0, "缺报项目": set(), "缺报支出": 0, "缺报指标": 0,
                                                   "_items": 0, "_due": 0, "最近填报": None})
        at, by = last_by.get(p.id, (None, ""))
        if at is not None and (u["最近填报"] is None or pd.Timestamp(at) > pd.Timestamp(u["最近填报"])):
            u["最近填报"] = at
        base = {"_project_id": p.id, "_budget": p.budget_wan or 0.0, "责任单位": p.unit or "（未分配）",
                "项目名称": p.name, "应报日期": period_end, "逾期天数": late,
                "最近填报": last_saved(at), "填报人": by or ""}
        found, due = _project_items(r, f, base, u)
        items += found
        if due:
            u["应报项目"] += 1
        u["_due"] += due
    return items, units, late


def sorted_items(items: list[dict], units_df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rank = {n: i for i, n in enumerate(units_df["责任单位"])}
    items_df = pd.DataFrame(items, columns=["_project_id", "_indicator_id", "_order", "_budget", *REPORT_ITEM_COLUMNS])
    if not items_df.empty:
        items_df["_unit_rank"] = items_df["责任单位"].map(rank)
        items_df = items_df.sort_values(["逾期天数", "_unit_rank", "_budget", "项目名称", "_order"],
                                        ascending=[False, True, False, True, True], kind="stable").drop(columns="_unit_rank")
    return items_df.reset_index(drop=True), units_df.reset_index(drop=True)


__all__ = ["REPORT_ITEM_COLUMNS", "REPORT_UNIT_COLUMNS", "build_reporting", "build_progress", "deadline_text"]
