"""Cached reads and read models for the leadership views (总览, 风险清单, 项目详情, 会议模式, 填报进度).

Every cached function takes the database revision (``components.state.revision()``) as its first
argument, so a write anywhere (another replica included) invalidates it at the next rerun, and a
*visibility key* (``visibility_key(principal)``) instead of the principal: admin and leader share
("all", ()), staff are keyed on their unit ids and only ever see their units' projects (the project
filter is rebuilt from the key through ``data_access.permissions.visible_project_filter``).

Statuses come only from ``data_access.monitoring.evaluate`` (the status engine); the ``build_*``
functions below only select, count and roll up with ``domain.status`` helpers (``worst``,
``count_statuses``). They are pure (no Streamlit) and tested through the pages.

``evaluate`` returns shared objects (``st.cache_resource``: no copy per rerun, which matters at city
scale): treat them as read-only.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from typing import Sequence

import pandas as pd
import streamlit as st

from components.state import get_engine
from data_access import monitoring, queries
from data_access.bulk import has_demo_data
from data_access.permissions import STAFF, Principal, visible_project_filter, visible_unit_ids
from data_access.views import (
    BUDGET_GROUP,
    ViewFilters,
    filter_projects,
    format_actual,
    indicators_frame,
    projects_frame,
    risk_frame,
    status_text,
)
from domain.periods import (
    MONTH,
    QUARTER,
    Period,
    format_day,
    parse_period,
    period_for_date,
    periods_of_year,
    time_progress,
)
from domain.status import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    SEVERITY,
    STATUS_LABELS,
    ProjectStatus,
    count_statuses,
    department_summary,
    worst,
)

VisKey = tuple[str, tuple[int, ...]]
ALL: VisKey = ("all", ())
TTL = 600


# --------------------------------------------------------------------------- visibility


def visibility_key(principal: Principal | None) -> VisKey:
    """("all", ()) for admin/leader, ("units", sorted unit ids) for staff (and for nobody: no units)."""
    ids = visible_unit_ids(principal)
    return ALL if ids is None else ("units", tuple(sorted(ids)))


def project_filter(vis: VisKey):
    """The ``Project`` where-clause for a visibility key (None = all projects)."""
    if vis[0] == "all":
        return None
    return visible_project_filter(Principal(username="", name="", role=STAFF, unit_ids=frozenset(vis[1])))


# --------------------------------------------------------------------------- periods and options


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def fiscal_years(rev: int) -> list[int]:
    from data_access.targets import fiscal_years as _years

    return _years(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_with_data(rev: int, year: int) -> list[str]:
    return monitoring.periods_with_data(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def default_period_key(rev: int, year: int) -> str:
    """The latest period with data (a quarter wins over the month ending on the same day), else the
    period of the default as-of date."""
    keys = periods_with_data(rev, year)
    if keys:
        return keys[-1]
    d = monitoring.default_as_of_date(get_engine(), year)
    return period_for_date(d, QUARTER).key if period_for_date(d, QUARTER).end == d else period_for_date(d, MONTH).key


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def has_demo(rev: int) -> bool:
    return has_demo_data(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def filter_options(rev: int, year: int, vis: VisKey) -> dict[str, list[str]]:
    return queries.filter_options(get_engine(), year, project_filter(vis))


def period_options(year: int) -> list[Period]:
    """Quarter ends and month ends of the year in time order (the quarter before the month ending the
    same day)."""
    ps = periods_of_year(year, QUARTER) + periods_of_year(year, MONTH)
    return sorted(ps, key=lambda p: (p.end, p.kind != QUARTER))


def period_option_label(p: Period) -> str:
    """'2024年第三季度（截至9月30日）' / '2024年9月（截至9月30日）'."""
    return f"{p.label}（截至{format_day(p.end, p.year)}）"


def previous_period(p: Period) -> Period | None:
    prev = p.previous()
    return prev if prev.year == p.year else None


# --------------------------------------------------------------------------- evaluation


@st.cache_resource(ttl=TTL, show_spinner=False, max_entries=8)
def structure(rev: int, year: int, vis: VisKey) -> monitoring.Structure | None:
    """The visible projects of the year with their plans and indicators, shared by the evaluations at
    every as-of date of this revision (the overview evaluates two periods; shared, read-only)."""
    return monitoring.load_structure(get_engine(), year, project_filter=project_filter(vis))


@st.cache_resource(ttl=TTL, show_spinner=False, max_entries=32)
def _evaluate(rev: int, year: int, as_of: date, vis: VisKey) -> list[ProjectStatus]:
    base = structure(rev, year, vis)
    if base is None:
        return []
    return monitoring.evaluate(get_engine(), year, as_of, structure=base)


def evaluate(rev: int, year: int, as_of: date, vis: VisKey) -> list[ProjectStatus]:
    """Every visible project of the year evaluated at ``as_of`` (shared, read-only)."""
    _forget_older_revisions(rev)
    return _evaluate(rev, year, as_of, vis)


_newest = {"rev": None}
_newest_lock = threading.Lock()


def _forget_older_revisions(rev: int) -> None:
    """Drop the evaluations and the large tables of older revisions as soon as a newer one is seen.

    Their keys can never be asked for again (every run reads the current revision), but the caches
    would keep them until the TTL: at city scale one evaluation is ~30 MB and the structure ~20 MB, so
    a morning of saves (each bumps the revision) would pile up gigabytes. A run still holding an older
    revision recomputes what it needs once."""
    with _newest_lock:
        newest = _newest["rev"]
        if newest is not None and rev <= newest:
            return
        _newest["rev"] = rev
    if newest is None:
        return
    for fn in _PER_REVISION:
        fn.clear()


def evaluate_one(rev: int, year: int, as_of: date, vis: VisKey, project_id: int) -> ProjectStatus | None:
    for r in evaluate(rev, year, as_of, vis):
        if r.project.id == project_id:
            return r
    return None


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def projects_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return projects_frame(evaluate(rev, year, as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def risk_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return risk_frame(evaluate(rev, year, as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def indicator_table(rev: int, year: int, as_of: date, vis: VisKey, project_id: int, f: ViewFilters) -> pd.DataFrame:
    r = evaluate_one(rev, year, as_of, vis, project_id)
    return indicators_frame(r, f) if r is not None else indicators_frame(_empty_status(), f)


def _empty_status() -> ProjectStatus:
    from domain.status import BudgetStatus, ProjectInput

    return ProjectStatus(ProjectInput(id=None, name=""), GREY, "", BudgetStatus(GREY, ""), [])


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def headline(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> dict:
    return build_headline(evaluate(rev, year, as_of, vis), f, as_of, year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def matrix(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters, level: str, limit: int) -> tuple[pd.DataFrame, int]:
    return build_matrix(evaluate(rev, year, as_of, vis), f, level, limit)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def areas(rev: int, year: int) -> pd.DataFrame:
    return queries.areas_frame(get_engine(), year)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def areas_table(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return build_areas(evaluate(rev, year, as_of, vis), areas(rev, year), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def changes_table(rev: int, year: int, as_of: date, prev_as_of: date, vis: VisKey, f: ViewFilters) -> pd.DataFrame:
    return build_changes(evaluate(rev, year, as_of, vis), evaluate(rev, year, prev_as_of, vis), f)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def department_spending_spec(rev: int, year: int, as_of: date, vis: VisKey, f: ViewFilters) -> dict:
    """The overview's spending chart (``documents.charts.department_spending_chart`` on
    ``data_access.exports.department_spending_series``) as a Vega-Lite spec, keyed on the filters
    rather than on the list of project ids: without an area/unit/status filter the series is read for
    all visible projects through the visibility filter (no 5,000-id IN list, nothing large to hash on
    every rerun); with one, for the ids of the filtered projects."""
    from data_access.exports import department_spending_series
    from documents.charts import department_spending_chart

    filtered = bool(f.areas or f.units or f.statuses)
    ids = [r.project.id for r in filter_projects(evaluate(rev, year, as_of, vis), f)] if filtered else None
    series = department_spending_series(get_engine(), year, as_of, ids, project_filter=project_filter(vis))
    title = "所选项目累计支出：计划与实际" if filtered else "部门累计支出：计划与实际"
    return department_spending_chart(series, title=title, width=640, height=300).to_dict()


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def spending(rev: int, project_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.spending_history(get_engine(), list(project_ids))


def _actual_points(hist: pd.DataFrame, as_of: date, group: bool) -> list[tuple[date, str, float]]:
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
    for (pid, end), (p, spent, _at) in latest.items():
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


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_detail(rev: int, project_id: int, vis: VisKey) -> dict | None:
    return queries.project_detail(get_engine(), project_id, project_filter(vis))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_spending(rev: int, project_id: int, vis: VisKey, as_of: date) -> pd.DataFrame:
    from documents.leader_charts import spending_series

    d = project_detail(rev, project_id, vis)
    if d is None:
        return spending_series(0.0, [], [], as_of.year)
    plan = [(c["due"], c["label"], c["cumulative_pct"]) for c in d["plan"] if c["due"] is not None and c["cumulative_pct"] is not None]
    actual = _actual_points(spending(rev, (project_id,)), as_of, group=False)
    return spending_series(d["budget_wan"] or 0.0, plan, actual, d["year"])


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def project_history(rev: int, year: int, project_id: int, vis: VisKey) -> pd.DataFrame:
    """The project's budget row and indicators evaluated at the end of every period with data."""
    engine = get_engine()
    ends: dict[date, Period] = {}
    for key in periods_with_data(rev, year):
        p = parse_period(key)
        if p.end not in ends or p.kind == QUARTER:
            ends[p.end] = p
    rows = []
    for end in sorted(ends):
        p = ends[end]
        res = monitoring.evaluate(engine, year, end, project_filter=project_filter(vis), project_ids=[project_id])
        if not res:
            continue
        r = res[0]
        b = r.budget
        rows.append({"_order": -1, "_indicator_id": None, "_status": b.status, "_end": end,
                     "填报期": p.label, "事项": BUDGET_GROUP, "状态": status_text(b.status),
                     "当前值": "" if b.execution_pct is None else f"执行率{b.execution_pct:.1f}%",
                     "目标": "" if b.expected_pct is None else f"计划{b.expected_pct:.1f}%",
                     "全年预计": "" if b.projected_pct is None else f"{b.projected_pct:.1f}%", "原因": b.reason})
        seen: dict[str, int] = {}
        for i, stt in enumerate(r.indicators):
            ind = stt.indicator
            name = ind.level3 or "（未命名指标）"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:  # two indicators with the same 三级指标 name stay apart
                name = f"{name}（{seen[name]}）"
            rows.append({"_order": i, "_indicator_id": ind.id, "_status": stt.status, "_end": end,
                         "填报期": p.label, "事项": name, "状态": status_text(stt.status),
                         "当前值": format_actual(stt), "目标": ind.target.raw.strip(),
                         "全年预计": format_actual(stt, projected=True), "原因": stt.reason})
    return pd.DataFrame(rows, columns=["_order", "_indicator_id", "_status", "_end", "填报期", "事项", "状态",
                                       "当前值", "目标", "全年预计", "原因"])


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def change_history(rev: int, project_id: int, vis: VisKey) -> pd.DataFrame:
    """Who changed the project's values, when, old -> new (newest first), with Chinese headers."""
    if project_detail(rev, project_id, vis) is None:
        return pd.DataFrame(columns=["时间", "用户", "操作", "对象", "填报期", "字段", "原值", "新值", "说明"])
    engine = get_engine()
    df = None
    try:
        from data_access import actuals  # the data-entry read of the audit trail, when present

        hist = getattr(actuals, "history", None)
        if hist is not None:
            df = hist(engine, project_id=project_id)
    except Exception:  # noqa: BLE001 - fall back to the raw audit rows below
        df = None
    if df is None or not isinstance(df, pd.DataFrame):
        raw = queries.audit_for_project(engine, project_id)
        df = pd.DataFrame({
            "时间": [local_time(t) for t in raw["at"]],
            "用户": raw["username"], "操作": raw["action"].map(lambda a: _ACTIONS.get(a, a)),
            "对象": raw["entity"].map(lambda e: _ENTITIES.get(e, e)), "填报期": raw["period_code"].fillna(""),
            "字段": raw["field"].fillna(""), "原值": raw["old"].fillna(""), "新值": raw["new"].fillna(""),
            "说明": raw["detail"].fillna(""),
        })
    return df


_ACTIONS = {"update": "修改", "create": "新增", "insert": "新增", "delete": "删除", "import": "导入", "lock": "锁定",
            "unlock": "解锁"}
_ENTITIES = {"indicator_actual": "指标填报", "spending_actual": "支出填报", "indicator": "指标", "project": "项目"}


def local_time(t) -> str:
    if t is None or (isinstance(t, float) and t != t):
        return ""
    if isinstance(t, str):
        return t[:19].replace("T", " ")
    ts = pd.Timestamp(t)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Asia/Shanghai")
    return ts.strftime("%Y-%m-%d %H:%M")


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=32)
def reporting(rev: int, year: int, period_key: str, vis: VisKey, f: ViewFilters, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = parse_period(period_key)
    codes = monitoring.period_codes_for(p.end)
    last = queries.last_entries(get_engine(), year, codes)
    return build_reporting(evaluate(rev, year, p.end, vis), f, p.end, today, last)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def periods_table(rev: int, year: int) -> pd.DataFrame:
    return queries.periods_frame(get_engine(), year)


# the caches of evaluations and of the large frames derived from them (see _forget_older_revisions)
_PER_REVISION = (structure, _evaluate, projects_table, risk_table, changes_table, matrix, reporting,
                 department_spending_spec)


# --------------------------------------------------------------------------- pure read models


def _shown_indicators(r: ProjectStatus, f: ViewFilters):
    return [s for s in r.indicators if f.indicator_ok(s) and (not f.statuses or s.status in f.statuses)]


def build_headline(results: Sequence[ProjectStatus], f: ViewFilters, as_of: date, year: int) -> dict:
    """The overview's headline numbers for the filtered projects."""
    rs = filter_projects(results, f)
    summary = department_summary(rs)
    inds = count_statuses(s.status for r in rs for s in _shown_indicators(r, f))
    reported_budget = sum(r.project.budget_wan or 0.0 for r in rs if r.project.spent_wan is not None)
    planned = sum((r.project.budget_wan or 0.0) * (r.budget.expected_pct or 0.0) / 100.0
                  for r in rs if r.project.spent_wan is not None and r.budget.expected_pct is not None)
    budget_missing = sum(1 for r in rs if r.budget.status == MISSING) if f.budget_ok() else 0
    return {
        "project_count": len(rs),
        "indicator_count": sum(inds.values()),
        "budget_total": summary.budget_total_wan,
        "spent_total": summary.spent_total_wan,
        "reported_budget": reported_budget,
        "execution_pct": summary.execution_pct,
        "plan_pct": planned / reported_budget * 100.0 if reported_budget > 0 else None,
        "time_pct": time_progress(as_of, year) * 100.0,
        "projects": summary.projects,
        "indicators": inds,
        "budgets": summary.budgets,
        "missing_items": budget_missing + inds[MISSING],
        "missing_projects": sum(1 for r in rs if r.budget.status == MISSING
                                or any(s.status == MISSING for s in _shown_indicators(r, f))),
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
        for s in _shown_indicators(r, f):
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
    cats.sort(key=queries.level_rank)
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


AREA_COLUMNS = ["领域", "状态", "项目数", "红", "黄", "未填报", "绿", "灰", "预算（万元）", "累计支出（万元）", "执行率%",
                "绩效目标", "绩效指标", "量化目标"]


def build_areas(results: Sequence[ProjectStatus], areas_df: pd.DataFrame, f: ViewFilters) -> pd.DataFrame:
    """The department-level areas (document order) with the worst status of their filtered projects
    and the prose targets. Without project filters every area is listed (灰 when it has no project)."""
    rs = filter_projects(results, f)
    by_area: dict[str, list[ProjectStatus]] = {}
    for r in rs:
        by_area.setdefault(r.project.area or "（未分配）", []).append(r)
    unfiltered = not (f.areas or f.units or f.statuses)
    names = list(areas_df["name"]) if not areas_df.empty else []
    names += [a for a in by_area if a not in names]
    rows = []
    for seq, name in enumerate(names):
        if f.areas and name not in f.areas:
            continue
        items = by_area.get(name, [])
        if not items and not unfiltered:
            continue
        rec = areas_df[areas_df["name"] == name].iloc[0] if name in set(areas_df.get("name", [])) else None
        counts = count_statuses(r.status for r in items)
        status = worst(r.status for r in items) if items else GREY
        budget = sum(r.project.budget_wan or 0.0 for r in items)
        spent = sum(r.project.spent_wan or 0.0 for r in items if r.project.spent_wan is not None)
        rep = sum(r.project.budget_wan or 0.0 for r in items if r.project.spent_wan is not None)
        targets = rec["targets"] if rec is not None else []
        rows.append({
            "_status": status, "_seq": seq, "领域": name,
            "状态": status_text(status) if items else f"{status_text(GREY)}（无项目）",
            "项目数": len(items), "红": counts[RED], "黄": counts[AMBER], "未填报": counts[MISSING],
            "绿": counts[GREEN] + counts[BLUE], "灰": counts[GREY],
            "预算（万元）": round(budget, 2), "累计支出（万元）": round(spent, 2) if rep else None,
            "执行率%": round(spent / rep * 100.0, 1) if rep > 0 else None,
            "绩效目标": (rec["goal"] if rec is not None else "") or "",
            "绩效指标": (rec["indicator_text"] if rec is not None else "") or "",
            "量化目标": "；".join(t.get("phrase") or t.get("name") or "" for t in (targets or []) if isinstance(t, dict)),
        })
    return pd.DataFrame(rows, columns=["_status", "_seq", *AREA_COLUMNS])


CHANGE_ORDER = ("新变红", "新增未填报", "新变黄", "好转", "已补报")
CHANGE_COLUMNS = ["变化", "项目名称", "责任单位", "上期状态", "本期状态", "补报事项", "原因"]


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
        a, b = old.status, r.status
        back = len(_missing_items(old, f) - _missing_items(r, f))
        change = None
        if b == RED and a != RED:
            change = "新变红"
        elif b == MISSING and SEVERITY[a] < SEVERITY[MISSING]:
            change = "新增未填报"
        elif b == AMBER and SEVERITY[a] < SEVERITY[AMBER]:
            change = "新变黄"
        elif SEVERITY[b] < SEVERITY[a] and a in (RED, AMBER):
            change = "好转"
        elif back > 0 or (a == MISSING and b != MISSING):
            change = "已补报"
        if change is None:
            continue
        if f.statuses and b not in f.statuses and a not in f.statuses:
            continue
        rows.append({"_project_id": p.id, "_status": b, "_prev_status": a, "_rank": CHANGE_ORDER.index(change),
                     "_budget": p.budget_wan or 0.0, "变化": change, "项目名称": p.name, "责任单位": p.unit,
                     "上期状态": status_text(a), "本期状态": status_text(b), "补报事项": back, "原因": r.reason})
    df = pd.DataFrame(rows, columns=["_project_id", "_status", "_prev_status", "_rank", "_budget", *CHANGE_COLUMNS])
    if not df.empty:
        df = df.sort_values(["_rank", "_budget"], ascending=[True, False], kind="stable").reset_index(drop=True)
    return df


REPORT_ITEM_COLUMNS = ["责任单位", "项目名称", "缺报事项", "一级指标", "二级指标", "应报日期", "逾期天数", "最近填报", "填报人", "说明"]
REPORT_UNIT_COLUMNS = ["责任单位", "应报项目", "缺报项目", "缺报支出", "缺报指标", "填报完成率%", "逾期天数", "最近填报"]


def build_reporting(results: Sequence[ProjectStatus], f: ViewFilters, period_end: date, today: date,
                    last: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, units) not reported for the period ending ``period_end``: every value the status
    engine says is due but missing (未填报), with how many days have passed since the period end.
    Units with the most missing values first, then by project budget."""
    f = ViewFilters(areas=f.areas, units=f.units, groups=f.groups)  # the status filter does not apply here
    late = max(0, (today - period_end).days)
    last_by = {int(r.project_id): (r.last_at, r.last_by) for r in last.itertuples(index=False)} if not last.empty else {}
    items = []
    units: dict[str, dict] = {}
    for r in filter_projects(results, f):
        p = r.project
        u = units.setdefault(p.unit or "（未分配）", {"应报项目": 0, "缺报项目": set(), "缺报支出": 0, "缺报指标": 0,
                                                   "_items": 0, "_due": 0, "最近填报": None})
        due_here = 0
        at, by = last_by.get(p.id, (None, ""))
        if at is not None and (u["最近填报"] is None or pd.Timestamp(at) > pd.Timestamp(u["最近填报"])):
            u["最近填报"] = at
        base = {"_project_id": p.id, "_budget": p.budget_wan or 0.0, "责任单位": p.unit or "（未分配）",
                "项目名称": p.name, "应报日期": period_end, "逾期天数": late,
                "最近填报": local_time(at) if at is not None else "从未填报", "填报人": by or ""}
        if f.budget_ok():
            if r.budget.status != GREY:
                due_here += 1
            if r.budget.status == MISSING:
                items.append({**base, "_indicator_id": None, "_order": -1, "缺报事项": "累计支出（预算执行）",
                              "一级指标": "", "二级指标": "", "说明": r.budget.reason})
                u["缺报支出"] += 1
                u["缺报项目"].add(p.id)
        for i, s in enumerate(r.indicators):
            if not f.indicator_ok(s):
                continue
            if s.status != GREY:
                due_here += 1
            if s.status == MISSING:
                ind = s.indicator
                items.append({**base, "_indicator_id": ind.id, "_order": i, "缺报事项": ind.level3,
                              "一级指标": ind.level1, "二级指标": ind.level2, "说明": s.reason})
                u["缺报指标"] += 1
                u["缺报项目"].add(p.id)
        if due_here:
            u["应报项目"] += 1
        u["_due"] += due_here
    unit_rows = []
    for name, u in units.items():
        missing = u["缺报支出"] + u["缺报指标"]
        unit_rows.append({
            "_missing": missing, "责任单位": name, "应报项目": u["应报项目"], "缺报项目": len(u["缺报项目"]),
            "缺报支出": u["缺报支出"], "缺报指标": u["缺报指标"],
            "填报完成率%": round((u["_due"] - missing) / u["_due"] * 100.0, 1) if u["_due"] else None,
            "逾期天数": late if missing else 0,
            "最近填报": local_time(u["最近填报"]) if u["最近填报"] is not None else "从未填报",
        })
    units_df = pd.DataFrame(unit_rows, columns=["_missing", *REPORT_UNIT_COLUMNS])
    units_df = units_df[units_df["_missing"] > 0].sort_values(["_missing", "责任单位"], ascending=[False, True], kind="stable")
    rank = {n: i for i, n in enumerate(units_df["责任单位"])}
    items_df = pd.DataFrame(items, columns=["_project_id", "_indicator_id", "_order", "_budget", *REPORT_ITEM_COLUMNS])
    if not items_df.empty:
        items_df["_unit_rank"] = items_df["责任单位"].map(rank)
        items_df = items_df.sort_values(["逾期天数", "_unit_rank", "_budget", "项目名称", "_order"],
                                        ascending=[False, True, False, True, True], kind="stable").drop(columns="_unit_rank")
    return items_df.reset_index(drop=True), units_df.reset_index(drop=True)


def meeting_order(results: Sequence[ProjectStatus], f: ViewFilters) -> list[int]:
    """Project ids for the meeting: worst first, then by budget (largest first)."""
    rs = filter_projects(results, f)
    rs = sorted(rs, key=lambda r: (-SEVERITY[r.status], -(r.project.budget_wan or 0.0), r.project.name))
    return [r.project.id for r in rs]


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


def build_area_slide(results: Sequence[ProjectStatus], area: str, f: ViewFilters) -> dict:
    rs = [r for r in filter_projects(results, f) if (r.project.area or "（未分配）") == area]
    rs.sort(key=lambda r: (-SEVERITY[r.status], -(r.project.budget_wan or 0.0)))
    status = worst(r.status for r in rs) if rs else GREY
    budget = sum(r.project.budget_wan or 0.0 for r in rs)
    rep = [r for r in rs if r.project.spent_wan is not None]
    spent = sum(r.project.spent_wan for r in rep)
    rep_budget = sum(r.project.budget_wan or 0.0 for r in rep)
    return {
        "area": area, "status": status, "budget": budget, "spent": spent,
        "execution_pct": spent / rep_budget * 100.0 if rep_budget else None,
        "counts": count_statuses(r.status for r in rs),
        "projects": [{"status": r.status, "name": r.project.name, "unit": r.project.unit, "reason": r.reason}
                     for r in rs if r.status != GREEN][:8],
        "green": sum(1 for r in rs if r.status == GREEN),
    }


def today_local() -> date:
    """Today in the bureau's time zone (China Standard Time, UTC+8)."""
    from datetime import timedelta

    return (datetime.now(timezone.utc) + timedelta(hours=8)).date()


__all__ = [
    "VisKey", "ALL", "visibility_key", "project_filter", "fiscal_years", "periods_with_data",
    "default_period_key", "has_demo", "filter_options", "period_options", "period_option_label",
    "previous_period", "structure", "evaluate", "evaluate_one", "projects_table", "risk_table", "indicator_table",
    "headline", "matrix", "areas", "areas_table", "changes_table", "department_spending_spec", "spending",
    "project_detail", "project_spending", "project_history", "change_history", "reporting",
    "periods_table", "build_headline", "build_matrix", "matrix_columns", "matrix_wide", "build_areas",
    "build_changes", "build_reporting", "meeting_order", "build_slide", "build_area_slide", "today_local",
]
