"""The status tables: evaluated statuses as the tables the pages show and the exports write.

One function per table, so "export exactly what is on screen" means calling the same function with the
same ``ViewFilters``. Column names are the Chinese headers users see; columns starting with ``_`` are
hidden ids and codes (``_status`` is the status word used for colours).

Definitions chosen here: wherever a status is shown its reason (原因) comes right after it (after the
status and the project name, the columns that stay in view), on screen and in the exports alike
(``reason_beside_status``); the project table counts only the indicators in the selected groups; the risk
list is every red / missing / amber / blue item (budget rows and indicators), worst first, then by
budget; the indicator table keeps the document order of one project's indicators. Every project and
risk row says whether its figures are approved (审核: 已审核 / 未审核, ``domain.review.review_mark``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data_access.views.filters import BUDGET_GROUP, ViewFilters, filter_projects, format_actual, status_text
from domain.review import review_mark
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    STATUS_LABELS,
    STATUSES,
    BudgetStatus,
    IndicatorStatus,
    ProjectStatus,
    change_summary,
    risk_items,
    target_text,
)


def _pct(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


PROJECT_COLUMNS = [
    "项目名称", "审核", "责任单位", "领域", "预算（万元）", "累计支出（万元）", "执行率%", "计划进度%",
    "预算状态", "红", "黄", "未填报", "绿", "蓝", "灰", "项目状态", "原因",
]


def projects_status_frame(results: Sequence[ProjectStatus], f: ViewFilters = ViewFilters()) -> pd.DataFrame:
    """One row per filtered project with its budget row, indicator counts by status and overall status
    (the project picker, 填报进度's project count, the exports)."""
    rows = []
    for r in filter_projects(results, f):
        counts = dict.fromkeys(STATUSES, 0)
        for st in r.indicators:
            if f.indicator_ok(st):
                counts[st.status] += 1
        p = r.project
        rows.append({
            "_project_id": p.id,
            "_status": r.status,
            "_budget_status": r.budget.status,
            "项目名称": p.name,
            "审核": review_mark(p.review),
            "责任单位": p.unit,
            "领域": p.area,
            "预算（万元）": round(p.budget_wan or 0.0, 2),
            "累计支出（万元）": None if p.spent_wan is None else round(p.spent_wan, 2),
            "执行率%": _pct(r.budget.execution_pct),
            "计划进度%": _pct(r.budget.expected_pct),
            "预算状态": status_text(r.budget.status),
            "红": counts[RED], "黄": counts[AMBER], "未填报": counts[MISSING], "绿": counts[GREEN],
            "蓝": counts[BLUE], "灰": counts[GREY],
            "项目状态": status_text(r.status),
            "原因": r.reason,
        })
    return pd.DataFrame(rows, columns=["_project_id", "_status", "_budget_status", *PROJECT_COLUMNS])


def budget_texts(b: BudgetStatus) -> tuple[str, str, str]:
    """The budget row's (目标, 当前值, 全年预计) in the risk list and the status store."""
    return ("" if b.expected_pct is None else f"计划{b.expected_pct:.1f}%",
            "" if b.execution_pct is None else f"执行率{b.execution_pct:.1f}%",
            "" if b.projected_pct is None else f"{b.projected_pct:.1f}%")


def indicator_texts(st: IndicatorStatus) -> tuple[str, str, str, str, str, str, str]:
    """An indicator's (目标, 当前值, 全年预计, 完成可能性, 偏差原因, 说明, 纠偏措施) as every table shows them
    (目标: the target in force, with the original when it was adjusted)."""
    ind = st.indicator
    return (target_text(ind), format_actual(st), format_actual(st, projected=True), ind.likelihood or "",
            "、".join(ind.reasons), ind.explanation or "", ind.measures or "")


RISK_COLUMNS = [
    "状态", "项目名称", "原因", "审核", "责任单位", "领域", "预算（万元）", "事项", "一级指标", "二级指标", "目标",
    "当前值", "全年预计", "偏差原因", "说明", "纠偏措施", "目标调整",
]
RISK_STATUSES = (RED, MISSING, AMBER, BLUE)


def risk_frame(results: Sequence[ProjectStatus], f: ViewFilters = ViewFilters()) -> pd.DataFrame:
    """Every red / missing / amber / blue item (budget rows and indicators), worst first, then by
    budget size — the 风险清单 and the overview's top items. Without a status filter, also every
    indicator whose target was adjusted while it was red or amber (docs/rules.md §4.10), whatever its
    status now; 目标调整 says so."""
    statuses = tuple(s for s in RISK_STATUSES if not f.statuses or s in f.statuses)
    flagged = not f.statuses
    shown = [r for r in results if f.project_ok(r)]
    wanted = set(statuses)
    by_indicator = {st.indicator.id: st for r in shown for st in r.indicators
                    if st.status in wanted or (flagged and st.adjusted_after_warning)}
    by_project = {r.project.id: r for r in shown}
    marks = {pid: review_mark(r.project.review) for pid, r in by_project.items()}
    # built column by column (15,000 rows at city scale: a dict per row costs twice as much)
    cols: dict[str, list] = {c: [] for c in ("_project_id", "_indicator_id", "_status", *RISK_COLUMNS)}
    add = [cols[c].append for c in cols]
    budget_ok = f.budget_ok()
    for item in risk_items(shown, statuses, adjusted_after_warning=flagged):
        if item.kind == "budget":
            if not budget_ok:
                continue
            values = (
                item.project_id, None, item.status, status_text(item.status), item.project_name, item.reason,
                marks[item.project_id], item.unit, item.area, round(item.budget_wan, 2), BUDGET_GROUP, "", "",
                *budget_texts(by_project[item.project_id].budget), "", "", "", "",
            )
        else:
            st = by_indicator[item.indicator_id]
            if not f.indicator_ok(st):
                continue
            ind = st.indicator
            target, actual, projected, _likelihood, reasons, explanation, measures = indicator_texts(st)
            values = (
                item.project_id, ind.id, item.status, status_text(item.status), item.project_name, item.reason,
                marks[item.project_id], item.unit, item.area, round(item.budget_wan, 2), ind.level3, ind.level1, ind.level2,
                target, actual, projected, reasons, explanation, measures, change_summary(ind),
            )
        for append, v in zip(add, values):
            append(v)
    if not cols["_status"]:
        return pd.DataFrame(columns=list(cols))
    return pd.DataFrame(cols, columns=list(cols))


INDICATOR_COLUMNS = ["状态", "原因", "三级指标", "一级指标", "二级指标", "目标", "当前值", "全年预计", "完成可能性",
                     "偏差原因", "说明", "纠偏措施"]


def indicators_frame(result: ProjectStatus | None, f: ViewFilters = ViewFilters()) -> pd.DataFrame:
    """One project's indicators in document order (the project page); no project: no rows."""
    rows = []
    for st in (result.indicators if result is not None else ()):
        if not f.indicator_ok(st) or (f.statuses and st.status not in f.statuses):
            continue
        ind = st.indicator
        rows.append({
            "_indicator_id": ind.id, "_status": st.status,
            "状态": status_text(st.status), "一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3,
            "目标": target_text(ind), "当前值": format_actual(st), "全年预计": format_actual(st, projected=True),
            "完成可能性": ind.likelihood or "", "原因": st.reason, "偏差原因": "、".join(ind.reasons),
            "说明": ind.explanation or "", "纠偏措施": ind.measures or "",
        })
    return pd.DataFrame(rows, columns=["_indicator_id", "_status", *INDICATOR_COLUMNS])


def counts_frame(results: Sequence[ProjectStatus], by: str, f: ViewFilters = ViewFilters()) -> pd.DataFrame:
    """Indicator counts by status per area / unit / 一级指标 / 二级指标 (``by``: area|unit|level1|level2)."""
    table: dict[str, dict[str, int]] = {}
    for r in filter_projects(results, f):
        for st in r.indicators:
            if not f.indicator_ok(st) or (f.statuses and st.status not in f.statuses):
                continue
            key = {"area": r.project.area, "unit": r.project.unit,
                   "level1": st.indicator.level1, "level2": st.indicator.level2}[by] or "（未分配）"
            table.setdefault(key, dict.fromkeys(STATUSES, 0))[st.status] += 1
    rows = [{"名称": k, **{STATUS_LABELS[s]: v[s] for s in STATUSES}} for k, v in table.items()]
    df = pd.DataFrame(rows, columns=["名称", *[STATUS_LABELS[s] for s in STATUSES]])
    return df.sort_values("名称", kind="stable").reset_index(drop=True)


STATUS_COLUMNS = ("状态", "项目状态", "本期状态")
KEEP_IN_VIEW = ("状态", "项目名称")  # pinned on screen (components.status_badge)


def reason_beside_status(columns: Sequence[str], reason: str = "原因") -> list[str]:
    """The columns with ``reason`` moved right after the last status or pinned column before it
    (unchanged without a reason column or without such a column)."""
    cols = [c for c in columns if c != reason]
    if reason not in columns:
        return cols
    anchors = [i for i, c in enumerate(cols) if c in STATUS_COLUMNS or c in KEEP_IN_VIEW]
    if not anchors:
        return list(columns)
    at = anchors[-1] + 1
    return [*cols[:at], reason, *cols[at:]]


__all__ = ["budget_texts", "indicator_texts",
           "STATUS_COLUMNS", "KEEP_IN_VIEW", "reason_beside_status", "PROJECT_COLUMNS", "RISK_COLUMNS", "RISK_STATUSES",
           "INDICATOR_COLUMNS", "projects_status_frame", "risk_frame", "indicators_frame", "counts_frame"]
