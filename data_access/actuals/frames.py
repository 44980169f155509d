"""The editors' tables: one row per indicator (``entry_frame``) or per project (``spending_frame``).

Definitions chosen here:

* Column names are the Chinese headers the editors show; ``IND_EDIT_COLUMNS`` / ``SP_EDIT_COLUMNS``
  map the editable ones to the field keys that are written, so what is shown is what is saved.
  Columns starting with ``_`` are hidden ids, versions and codes.
* Status and reason are computed by the status engine at the period's end date; 须填写 lists what the
  rules still require for the row; 上期值 is the value of the latest earlier period.
* 填报人 is the display name of who saved the value (示例数据 for demo values).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.actuals.access import load_period, settings_of
from data_access.actuals.lookups import (
    earlier_codes,
    indicator_input,
    latest_by,
    period_ends,
    plans_of,
    previous_spending,
)
from data_access.adjustments import NO_CHANGES, Changes, apply_budget, apply_target, load_changes
from data_access.models import Indicator, IndicatorActual, Period, Project, SpendingActual, Unit, User
from data_access.permissions import LEADER, Principal, visible_project_filter
from data_access.years import year_id
from domain import entry as E
from domain.clock import format_time
from domain.settings import Settings
from domain.status import (
    ACCUMULATING,
    CAP,
    LEVEL,
    IndicatorInput,
    ProjectInput,
    evaluate_budget,
    evaluate_indicator,
    explanation_requirements,
    fmt_num,
    indicator_mode,
    target_text,
)
from domain.status_marks import status_text

IND_EDIT_COLUMNS: dict[str, str] = {
    "当前完成值": E.ACTUAL,
    "完成情况": E.JUDGEMENT,
    "完成日期": E.DATE,
    "全年预计": E.PROJECTED,
    "全年预计（定性）": E.PROJECTED_JUDGEMENT,
    "完成可能性": E.LIKELIHOOD,
    "偏差原因": E.REASONS,
    "说明": E.EXPLANATION,
    "纠偏措施": E.MEASURES,
    "备注": E.REMARKS,
}
IND_FIELD_COLUMNS = {v: k for k, v in IND_EDIT_COLUMNS.items()}
IND_READONLY_COLUMNS = ["项目", "一级指标", "二级指标", "三级指标", "目标", "单位", "类型", "上期值", "填报原文", "状态",
                        "状态原因", "须填写", "填报人", "更新时间"]
IND_HIDDEN_COLUMNS = ["_indicator_id", "_project_id", "_actual_id", "_version", "_mode", "_status", "_unit_id"]
IND_COLUMNS = (IND_HIDDEN_COLUMNS + ["项目", "一级指标", "二级指标", "三级指标", "目标", "单位", "类型", "上期值"]
               + list(IND_EDIT_COLUMNS) + ["填报原文", "状态", "状态原因", "须填写", "填报人", "更新时间"])

SP_EDIT_COLUMNS: dict[str, str] = {
    "累计支出（万元）": E.SPENT,
    "全年预计执行数（万元）": E.PROJECTED_SPENT,
    "说明": E.EXPLANATION,
}
SP_FIELD_COLUMNS = {v: k for k, v in SP_EDIT_COLUMNS.items()}
SP_READONLY_COLUMNS = ["项目", "责任单位", "预算（万元）", "计划进度%", "上期累计支出（万元）", "执行率%", "状态",
                       "状态原因", "须填写", "填报人", "更新时间"]
SP_HIDDEN_COLUMNS = ["_project_id", "_actual_id", "_version", "_status", "_unit_id"]
SP_COLUMNS = (SP_HIDDEN_COLUMNS + ["项目", "责任单位", "预算（万元）", "计划进度%", "上期累计支出（万元）"]
              + list(SP_EDIT_COLUMNS) + ["执行率%", "状态", "状态原因", "须填写", "填报人", "更新时间"])


def _required_text(req, a: IndicatorActual | None) -> str:
    """The fields the rules require for this row that are still empty (what the user must add)."""
    def empty(text: str | None) -> bool:
        return not (text or "").strip()

    parts = []
    if req.value and (a is None or (a.actual_value is None and not a.actual_judgement and a.actual_date is None)):
        parts.append("当前值")
    if req.reasons and (a is None or empty(a.reasons)):
        parts.append("偏差原因")
    if req.explanation and (a is None or empty(a.explanation)):
        parts.append("说明")
    if req.likelihood and (a is None or empty(a.likelihood)):
        parts.append("完成可能性")
    if req.measures and (a is None or empty(a.measures)):
        parts.append("纠偏措施")
    return "、".join(parts)


def format_entry_value(mode: str, unit: str | None, value: float | None, judgement: str | None,
                       done: date | None) -> str:
    """One cell of '上期值': the number with its unit, the completion date, or the judgement."""
    if mode in (ACCUMULATING, LEVEL, CAP):
        return fmt_num(value, unit) if value is not None else ""
    if done is not None:
        return f"{done.isoformat()}完成"
    return judgement or ""


def _editable_projects(s: Session, principal: Principal | None, period: Period,
                       project_ids: Sequence[int] | None):
    q = (select(Project.id, Project.name, Project.unit_id, Unit.name, Project.budget_wan, Project.seq)
         .outerjoin(Unit, Unit.id == Project.unit_id)
         .where(Project.fiscal_year_id == period.fiscal_year_id)
         .order_by(Project.seq, Project.id))
    f = visible_project_filter(principal)
    if f is not None:
        q = q.where(f)
    if project_ids is not None:
        q = q.where(Project.id.in_(list(project_ids)))
    return s.execute(q).all()


def _saved_by(s: Session, actuals) -> dict[str, str]:
    """Display names of who saved these values (one query): 姓名 where the account has one."""
    names = {a.updated_by for a in actuals if a is not None and a.updated_by}
    if not names:
        return {}
    found: dict[str, str] = dict(s.execute(select(User.username, User.name).where(User.username.in_(sorted(names)))).tuples().all())
    return {u: (found.get(u) or u) for u in names}


def _saved_by_text(a, names: dict[str, str]) -> str:
    if a is None:
        return ""
    return "示例数据" if a.is_demo else names.get(a.updated_by, a.updated_by)


@dataclass(frozen=True, slots=True)
class _EntryData:
    """What the indicator editor reads in one session: the period, rules, projects and values."""

    period: Period
    year: int
    settings: Settings
    pinfo: dict[int, tuple]  # project id -> (id, name, unit id, unit name, budget, seq)
    inds: list[Indicator]  # in project order, then seq
    current: dict[int, IndicatorActual]  # indicator id -> this period's value
    previous: dict[int, IndicatorActual]  # indicator id -> the latest earlier period's value
    saved_by: dict[str, str]
    changes: Changes = NO_CHANGES  # budget and target adjustments (applied at the period end)


def _load_entry(s: Session, principal: Principal | None, period_code: str,
                project_ids: Sequence[int] | None) -> _EntryData | None:
    found = load_period(s, period_code, lock=False)
    if found is None:
        return None
    period, year = found
    settings = settings_of(s)
    projects = _editable_projects(s, principal, period, project_ids)
    if not projects:
        return None
    pids = [r[0] for r in projects]
    inds = list(s.execute(select(Indicator).where(Indicator.project_id.in_(pids))
                          .order_by(Indicator.project_id, Indicator.seq)).scalars())
    iids = [i.id for i in inds]
    current = {a.indicator_id: a for a in s.execute(select(IndicatorActual).where(
        IndicatorActual.indicator_id.in_(iids), IndicatorActual.period_code == period.code)).scalars()}
    ends = period_ends(s, period.fiscal_year_id)
    earlier = earlier_codes(ends, period.end)
    prev: dict[int, IndicatorActual] = {}
    if earlier:
        prev_rows = list(s.execute(select(IndicatorActual).where(
            IndicatorActual.indicator_id.in_(iids), IndicatorActual.period_code.in_(sorted(earlier)))).scalars())
        prev = latest_by(((a.indicator_id, a.period_code, a.updated_at, a) for a in prev_rows), ends)
    order = {pid: k for k, pid in enumerate(pids)}
    inds.sort(key=lambda i: (order[i.project_id], i.seq))
    return _EntryData(period, year, settings, {r[0]: r for r in projects}, inds, current, prev,
                      _saved_by(s, current.values()), load_changes(s, pids))


def entry_frame(engine: Engine, principal: Principal | None, period_code: str,
                project_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per indicator of the projects the principal may see (optionally only ``project_ids``)
    for the editor: hidden ids and version, project, 三级指标, target, unit, kind, the previous
    period's value, the current values (cells that do not apply to the kind are empty), status and
    reason (computed by the status engine for the period end), what must be filled, who saved."""
    with Session(engine) as s:
        data = _load_entry(s, principal, period_code, project_ids)
    if data is None:
        return pd.DataFrame(columns=IND_COLUMNS)
    df = pd.DataFrame([_entry_row(data, ind) for ind in data.inds], columns=IND_COLUMNS)
    for c in ("当前完成值", "全年预计"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("_actual_id", "_version"):
        df[c] = df[c].astype("Int64")
    return df


def _entry_row(data: _EntryData, ind: Indicator) -> dict:
    """One editor row; long because it is one flat dict literal, one line per column."""
    pid, pname, unit_id, _uname, _budget, _seq = data.pinfo[ind.project_id]
    template = apply_target(indicator_input(ind), data.changes, data.period.end)
    mode = indicator_mode(template, data.settings)
    applies = set(E.applicable_fields(mode))
    a = data.current.get(ind.id)
    pa = data.previous.get(ind.id)
    st = evaluate_indicator(_with_values(template, a), data.period.end, data.settings, data.year)

    def cell(key, default=None):
        if key not in applies or a is None:
            return default
        v = getattr(a, key)
        return default if v is None else v

    return {
        "_indicator_id": ind.id,
        "_project_id": pid,
        "_actual_id": a.id if a else None,
        "_version": a.version if a else None,
        "_mode": mode,
        "_status": st.status,
        "_unit_id": unit_id,
        "项目": pname,
        "一级指标": ind.level1,
        "二级指标": ind.level2,
        "三级指标": ind.level3,
        "目标": target_text(template),
        "单位": ind.unit or "",
        "类型": E.MODE_KIND_LABELS.get(mode, mode),
        "上期值": format_entry_value(mode, ind.unit, pa.actual_value, pa.actual_judgement, pa.actual_date)
        if pa is not None else "",
        "当前完成值": cell(E.ACTUAL, math.nan),
        "完成情况": cell(E.JUDGEMENT),
        "完成日期": cell(E.DATE),
        "全年预计": cell(E.PROJECTED, math.nan),
        "全年预计（定性）": cell(E.PROJECTED_JUDGEMENT),
        "完成可能性": (a.likelihood if a else None),
        "偏差原因": list(E.split_reasons(a.reasons)) if a else [],
        "说明": (a.explanation if a else "") or "",
        "纠偏措施": (a.measures if a else "") or "",
        "备注": (a.remarks if a else "") or "",
        "填报原文": wording_text(a),
        "状态": status_text(st.status),
        "状态原因": st.reason,
        "须填写": _required_text(explanation_requirements(st), a),
        "填报人": _saved_by_text(a, data.saved_by),
        "更新时间": format_time(a.updated_at) if a else "",
    }


def wording_text(a: IndicatorActual | None) -> str:
    """The judgement wording as entered or imported, when it was not the word itself
    (「完成情况：达成年度指标；全年预计：达成预期指标」); '' otherwise."""
    if a is None:
        return ""
    parts = [f"{label}：{text}" for label, text in (("完成情况", a.actual_judgement_text),
                                                     ("全年预计", a.projected_judgement_text)) if text]
    return "；".join(parts)


def _with_values(t: IndicatorInput, a: IndicatorActual | None) -> IndicatorInput:
    """The indicator with this period's stored values, as the status engine reads it."""
    return IndicatorInput(t.id, t.level1, t.level2, t.level3, t.target, t.accumulates, target_change=t.target_change,
                          actual=a.actual_value if a else None,
                          actual_judgement=a.actual_judgement if a else None,
                          actual_date=a.actual_date if a else None,
                          projected=a.projected_value if a else None,
                          projected_judgement=a.projected_judgement if a else None,
                          likelihood=a.likelihood if a else None,
                          reasons=E.split_reasons(a.reasons) if a else (),
                          explanation=a.explanation if a else None,
                          measures=a.measures if a else None, direction=t.direction,
                          actual_judgement_text=a.actual_judgement_text if a else None,
                          projected_judgement_text=a.projected_judgement_text if a else None)


def spending_frame(engine: Engine, principal: Principal | None, period_code: str,
                   project_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per project: budget, plan progress, the previous period's cumulative spending, this
    period's cumulative spending and projection, 说明, 执行率, budget status and reason."""
    with Session(engine) as s:
        found = load_period(s, period_code, lock=False)
        if found is None:
            return pd.DataFrame(columns=SP_COLUMNS)
        period, year = found
        settings = settings_of(s)
        projects = _editable_projects(s, principal, period, project_ids)
        if not projects:
            return pd.DataFrame(columns=SP_COLUMNS)
        pids = [r[0] for r in projects]
        plans = plans_of(s, pids)
        current = {a.project_id: a for a in s.execute(select(SpendingActual).where(
            SpendingActual.project_id.in_(pids), SpendingActual.period_code == period.code)).scalars()}
        saved_by = _saved_by(s, current.values())
        previous = previous_spending(s, pids, period.fiscal_year_id, period.end)
        changes = load_changes(s, pids, targets=False)
    rows = []
    for pid, name, unit_id, unit_name, budget, _seq in projects:
        a = current.get(pid)
        pi = apply_budget(ProjectInput(id=pid, name=name, budget_wan=budget, plan=plans.get(pid, []),
                                       spent_wan=a.spent_wan if a else None,
                                       projected_spent_wan=a.projected_wan if a else None), changes, period.end)
        bs = evaluate_budget(pi, period.end, settings, year)
        need = bs.needs_reason or (a is not None and a.spent_wan is not None and previous.get(pid) is not None
                                   and a.spent_wan < previous[pid] - 1e-6)
        rows.append({
            "_project_id": pid,
            "_actual_id": a.id if a else None,
            "_version": a.version if a else None,
            "_status": bs.status,
            "_unit_id": unit_id,
            "项目": name,
            "责任单位": unit_name or "",
            "预算（万元）": round(pi.budget_wan or 0.0, 2),
            "计划进度%": None if bs.expected_pct is None else round(bs.expected_pct, 1),
            "上期累计支出（万元）": previous.get(pid),
            "累计支出（万元）": a.spent_wan if a else None,
            "全年预计执行数（万元）": a.projected_wan if a else None,
            "说明": (a.explanation if a else "") or "",
            "执行率%": None if bs.execution_pct is None else round(bs.execution_pct, 1),
            "状态": status_text(bs.status),
            "状态原因": bs.reason,
            "须填写": "说明" if need else ("累计支出" if bs.status == "missing" else ""),
            "填报人": _saved_by_text(a, saved_by),
            "更新时间": format_time(a.updated_at) if a else "",
        })
    df = pd.DataFrame(rows, columns=SP_COLUMNS)
    for c in ("预算（万元）", "计划进度%", "上期累计支出（万元）", "累计支出（万元）", "全年预计执行数（万元）", "执行率%"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("_actual_id", "_version"):
        df[c] = df[c].astype("Int64")
    return df


def editable_projects(engine: Engine, principal: Principal | None, year: int | None = None) -> pd.DataFrame:
    """Projects the principal may fill (id, name, unit) for the project picker."""
    with Session(engine) as s:
        fy = year_id(s, year)
        if fy is None:
            return pd.DataFrame(columns=["id", "name", "unit_id", "unit"])
        q = (select(Project.id, Project.name, Project.unit_id, Unit.name.label("unit"))
             .outerjoin(Unit, Unit.id == Project.unit_id)
             .where(Project.fiscal_year_id == fy[0]).order_by(Project.seq, Project.id))
        f = visible_project_filter(principal)
        if f is not None:
            q = q.where(f)
        if principal is not None and principal.role == LEADER:
            q = q.where(False)  # noqa: FBT003 - leaders fill nothing
        rows = s.execute(q).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", "name", "unit_id", "unit"])
