"""项目详情's read models: the points of the spending chart and the statuses across the periods.

Definitions chosen here:

* Planned points are the plan checkpoints with a due date and a cumulative percentage; actual points
  are the cumulative spending entries up to the as-of date. A quarter and the month ending the same day
  are one point (the value saved last; the quarter's label).
* Project order (项目详情's picker and previous/next, 会议模式): worst status first, then the largest
  budget, then the name — the filtered projects only. Previous/next stop at the ends (no wrap-around);
  a project outside the list has no previous, and its next is the first (worst) of the list.
* The history has one column per period end with data up to the as-of date (the quarter when a quarter and a month end the
  same day): the budget row (预算执行) first, then the indicators in document order; two indicators with
  the same 三级指标 name are told apart by a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import pandas as pd

from data_access.views.filters import BUDGET_GROUP, ViewFilters, filter_projects, format_actual, status_text
from domain.periods import QUARTER, Period, parse_period
from domain.status import SEVERITY, ProjectStatus

HISTORY_COLUMNS = ["_order", "_indicator_id", "_status", "_end", "填报期", "事项", "状态", "当前值", "目标", "全年预计",
                   "原因"]


def project_order(results: Iterable[ProjectStatus], f: ViewFilters) -> list[int]:
    """Ids of the filtered projects, worst first, then by budget (largest first), then by name."""
    rs = sorted(filter_projects(results, f),
                key=lambda r: (-SEVERITY[r.status], -(r.project.budget_wan or 0.0), r.project.name))
    return [r.project.id for r in rs]


def neighbours(order: Sequence[int], current: int | None,
               position: Mapping[int, int] | None = None) -> tuple[int | None, int | None, int | None]:
    """(previous id, next id, 0-based position) of ``current`` in ``order``; the position is None when
    it is not in the list (then there is no previous, and next is the first). ``position`` (id -> index
    in ``order``) spares the scan of a long list."""
    if position is not None:
        i = position.get(current) if current is not None else None
    else:
        i = list(order).index(current) if current in order else None
    if i is None:
        return None, (order[0] if order else None), None
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None), i


@dataclass(frozen=True)
class ProjectChoices:
    """The filtered projects in project order as the pickers offer them: ``order`` (ids), ``labels``
    (id -> '▲ 红  name', in that order) and ``position`` (id -> index in ``order``). Built once per
    revision and filters and shared read-only by the page runs (a province has 20,000 projects: a run
    building them again, or unpickling a copy, paid for the whole list on every click)."""

    order: tuple[int, ...]
    labels: Mapping[int, str]
    position: Mapping[int, int]

    @classmethod
    def of(cls, ranked: Iterable[tuple[int, str, str]]) -> ProjectChoices:
        """From (id, status, name) in project order."""
        ranked = list(ranked)
        return cls(order=tuple(i for i, _s, _n in ranked),
                   labels=MappingProxyType({i: f"{status_text(s)}  {n}" for i, s, n in ranked}),
                   position=MappingProxyType({i: k for k, (i, _s, _n) in enumerate(ranked)}))

    def neighbours(self, current: int | None) -> tuple[int | None, int | None, int | None]:
        """``neighbours(self.order, current)`` without scanning the list."""
        return neighbours(self.order, current, self.position)


def plan_points(detail: dict) -> list[tuple[date, str, float]]:
    """(due, label, cumulative %) of a project's plan checkpoints (``queries.project_detail``'s plan)."""
    return [(c["due"], c["label"], c["cumulative_pct"]) for c in detail["plan"]
            if c["due"] is not None and c["cumulative_pct"] is not None]


def actual_points(hist: pd.DataFrame, as_of: date, group: bool) -> list[tuple[date, str, float]]:
    """(period end, label, cumulative spending) for entries up to ``as_of``; a quarter and the month
    ending the same day count once (the most recently saved); ``group`` sums over projects."""
    if hist.empty:
        return []
    rows = []
    for rec in hist.itertuples(index=False):
        if rec.spent_wan is None or rec.spent_wan != rec.spent_wan:
            continue
        try:
            p = parse_period(rec.period_code)
        except ValueError:
            continue
        if p.end > as_of:
            continue
        rows.append((rec.project_id, p.end, p, float(rec.spent_wan), rec.updated_at))
    latest: dict[tuple, tuple] = {}
    for pid, end, p, spent, at in rows:
        k = (pid, end)
        if k not in latest or (at is not None and latest[k][2] is not None and at > latest[k][2]):
            latest[k] = (p, spent, at)
    by_end: dict[date, list] = {}
    for (_pid, end), (p, spent, _at) in latest.items():
        by_end.setdefault(end, []).append((p, spent))
    out = []
    for end in sorted(by_end):
        items = by_end[end]
        label = next((p.label for p, _ in items if p.kind == QUARTER), items[0][0].label)
        if group:
            out.append((end, f"{label}（{len(items)}个项目已填报）", sum(s for _, s in items)))
        else:
            out.append((end, label, items[0][1]))
    return out


def history_periods(period_keys: Iterable[str], as_of: date | None = None) -> list[Period]:
    """One period per period end with data, in time order (the quarter wins over the month); with
    ``as_of`` only the periods ending on or before it."""
    ends: dict[date, Period] = {}
    for key in period_keys:
        p = parse_period(key)
        if as_of is not None and p.end > as_of:
            continue
        if p.end not in ends or p.kind == QUARTER:
            ends[p.end] = p
    return [ends[end] for end in sorted(ends)]


def _history_rows(p: Period, r: ProjectStatus) -> list[dict]:
    b = r.budget
    rows = [{"_order": -1, "_indicator_id": None, "_status": b.status, "_end": p.end,
             "填报期": p.label, "事项": BUDGET_GROUP, "状态": status_text(b.status),
             "当前值": "" if b.execution_pct is None else f"执行率{b.execution_pct:.1f}%",
             "目标": "" if b.expected_pct is None else f"计划{b.expected_pct:.1f}%",
             "全年预计": "" if b.projected_pct is None else f"{b.projected_pct:.1f}%", "原因": b.reason}]
    seen: dict[str, int] = {}
    for i, stt in enumerate(r.indicators):
        ind = stt.indicator
        name = ind.level3 or "（未命名指标）"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:  # two indicators with the same 三级指标 name stay apart
            name = f"{name}（{seen[name]}）"
        rows.append({"_order": i, "_indicator_id": ind.id, "_status": stt.status, "_end": p.end,
                     "填报期": p.label, "事项": name, "状态": status_text(stt.status),
                     "当前值": format_actual(stt), "目标": ind.target.raw.strip(),
                     "全年预计": format_actual(stt, projected=True), "原因": stt.reason})
    return rows


def project_history_frame(evaluated: Sequence[tuple[Period, ProjectStatus | None]]) -> pd.DataFrame:
    """The project's budget row and indicators at each period's end (``None``: not evaluated, skipped)."""
    rows = [row for p, r in evaluated if r is not None for row in _history_rows(p, r)]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def changes_until(audit: pd.DataFrame, as_of: date, column: str = "填报期") -> pd.DataFrame:
    """The change-history rows of periods ending on or before ``as_of`` (rows without a readable
    period are kept: they are not values of a later period)."""
    if audit.empty or column not in audit.columns:
        return audit

    def keep(code) -> bool:
        try:
            return parse_period(str(code)).end <= as_of
        except ValueError:
            return True

    return audit[audit[column].map(keep)].reset_index(drop=True)


__all__ = ["HISTORY_COLUMNS", "project_order", "neighbours", "changes_until", "plan_points",
           "actual_points", "history_periods", "project_history_frame"]
