"""The findings of the 监控报告 in the language of an official document (公文).

The status engine's reasons are written for the screens: they name the rule that decided
(「累计型按序时折算」, 「水平型直接判断」) and its band (「（<60%）」). The report states the facts instead —
what was done by the as-of date, what was due, what is expected for the year — from the numbers the
engine computed (``IndicatorStatus.pro_rated_target``, ``.ratio``, ``.current_status``, ``BudgetStatus``).
No rule is applied here: the colours are the engine's, only the wording is the report's.

Definitions chosen here: targets are always quoted (年度目标「≥3000人」, 目标「是」); a status is named
by its colour word (红色, 黄色 …; 未填报 as on the screens); an adjusted target or budget names the
original too.
"""

from __future__ import annotations

from datetime import date

from domain.periods import format_day
from domain.status import (
    ACCUMULATING,
    AMBER,
    BLUE,
    CAP,
    GREEN,
    GREY,
    IMPOSSIBLE,
    LEVEL,
    MISSING,
    MODE_DEADLINE,
    POSSIBLE,
    RED,
    BudgetStatus,
    IndicatorStatus,
    ProjectInput,
    fmt_num,
    normalise_judgement,
    normalise_likelihood,
)

COLOUR_WORDS = {RED: "红色", AMBER: "黄色", GREEN: "绿色", BLUE: "蓝色", GREY: "灰色", MISSING: "未填报"}
_LEVEL_WORDS = {GREEN: "达到年度目标", BLUE: "达到年度目标", AMBER: "略低于年度目标", RED: "未达到年度目标"}
_CAP_WORDS = {GREEN: "控制在目标上限以内", BLUE: "控制在目标上限以内", AMBER: "略超目标上限", RED: "超过目标上限"}


def colour(status: str) -> str:
    return COLOUR_WORDS.get(status, status)


def quoted_target(st: IndicatorStatus, year: int | None = None) -> str:
    """'年度目标「≥2500人」（年初目标「≥3000人」，自8月1日起调整）' or '年度目标「是」'."""
    ind = st.indicator
    text = f"年度目标「{ind.target.raw.strip()}」"
    c = ind.target_change
    if c is not None:
        text += f"（年初目标「{c.original.raw.strip()}」，自{format_day(c.effective, year)}起调整）"
    return text


def _current(st: IndicatorStatus, day: str, year_end: bool, year: int | None) -> str:
    """What was done by the as-of date."""
    ind, mode = st.indicator, st.mode
    unit = ind.target.unit
    actual = ind.actual if ind.actual is not None and ind.actual == ind.actual else None
    judgement = normalise_judgement(ind.actual_judgement)
    if mode == MODE_DEADLINE:
        return _deadline(st, day, year)
    if actual is None:
        if judgement:
            return f"截至{day}单位自评为「{judgement}」"
        return f"截至{day}未填报完成情况" if st.current_status == MISSING else f"截至{day}尚未到考核时点"
    value = fmt_num(actual, unit)
    if mode == ACCUMULATING:
        if st.pro_rated_target is not None and st.ratio is not None and not year_end:
            return (f"截至{day}累计完成{value}，按序时进度应完成{fmt_num(st.pro_rated_target, unit)}，"
                    f"完成序时进度目标的{st.ratio * 100:.1f}%")
        if st.ratio is not None:
            return f"{'全年' if year_end else f'截至{day}'}累计完成{value}，为年度目标的{st.ratio * 100:.1f}%"
        return f"截至{day}累计完成{value}，年度目标按年末考核"
    words = _CAP_WORDS if mode == CAP else _LEVEL_WORDS
    if mode in (LEVEL, CAP):
        return f"截至{day}为{value}，{words.get(st.current_status, '尚未评价')}"
    return f"截至{day}单位自评为「{judgement or value}」"


def _deadline(st: IndicatorStatus, day: str, year: int | None) -> str:
    ind = st.indicator
    due = ind.target.deadline
    dl = format_day(due, year) if due else ""
    done = ind.actual_date
    judgement = normalise_judgement(ind.actual_judgement)
    if done is not None:
        late = due is not None and done > due
        return f"已于{format_day(done, year)}完成" + (f"，晚于{dl}的完成期限" if late else "，按期完成")
    if judgement == "达成":
        return "已完成"
    if st.current_status == MISSING:
        return f"截至{day}未填报完成情况（完成期限{dl}）"
    if st.current_status == RED:
        return f"已超过{dl}的完成期限，尚未完成"
    return f"完成期限为{dl}，截至{day}尚未完成" + (f"（单位自评为「{judgement}」）" if judgement else "")


def _projection(st: IndicatorStatus) -> str:
    ind = st.indicator
    t = ind.target
    proj = ind.projected if ind.projected is not None and ind.projected == ind.projected else None
    if proj is not None:
        if st.mode == ACCUMULATING:
            text = f"预计全年完成{fmt_num(proj, t.unit)}"
            if t.value:
                text += f"，为年度目标的{proj / t.value * 100:.1f}%"
        else:
            text = f"预计全年为{fmt_num(proj, t.unit)}"
    elif normalise_judgement(ind.projected_judgement):
        text = f"预计全年「{normalise_judgement(ind.projected_judgement)}」"
    else:
        return ""
    if st.projected_status in (RED, AMBER):
        text += "，预计难以完成年度目标"
    if st.inconsistent:
        text += "（低于当前累计值，需核实）"
    return text


def indicator_finding(st: IndicatorStatus, as_of: date, year: int | None = None, year_end: bool = False) -> str:
    """One sentence on an indicator: its target, what was done, what is expected, the likelihood."""
    day = format_day(as_of, year)
    parts = [quoted_target(st, year), _current(st, day, year_end, year)]
    proj = _projection(st)
    if proj:
        parts.append(proj)
    lk = normalise_likelihood(st.indicator.likelihood)
    if lk in (POSSIBLE, IMPOSSIBLE):
        parts.append(f"单位判断完成年度目标的可能性为「{lk}」")
    if st.overachieved:
        parts.append("超出年度目标较多，需说明原因")
    return "，".join(parts) + "。"


def budget_finding(p: ProjectInput, b: BudgetStatus, as_of: date, year: int | None = None,
                   floor_pct: float = 90.0) -> str:
    """One sentence on a project's spending against its budget in force and its plan."""
    day = format_day(as_of, year)
    budget = p.budget_wan or 0.0
    basis = (f"（按调整后预算{budget:,.2f}万元计算，年初预算{p.initial_budget_wan:,.2f}万元）"
             if p.initial_budget_wan is not None else "")
    spent = p.spent_wan if p.spent_wan is not None and p.spent_wan == p.spent_wan else None
    if budget <= 0:
        return "未安排预算，不评价预算执行。"
    if spent is None:
        text = f"截至{day}未填报支出数据" if b.status == MISSING else f"截至{day}尚未到资金支出计划时点"
    elif b.over_budget:
        text = f"截至{day}累计支出{spent:,.2f}万元，超过预算{budget:,.2f}万元{basis}"
    else:
        text = f"截至{day}累计支出{spent:,.2f}万元，执行率{b.execution_pct or 0.0:.1f}%{basis}"
        of = "序时进度" if b.expected_source == "time" else "资金支出计划进度"
        if b.ratio is None:
            text += "，尚未到资金支出计划时点"
        else:
            text += f"，同期{of}{b.expected_pct or 0.0:.1f}%，执行进度为{of}的{b.ratio * 100:.1f}%"
    if b.projected_pct is not None:
        text += f"；预计全年执行率{b.projected_pct:.1f}%"
        if b.projected_pct < floor_pct - 1e-9:
            text += f"，低于{floor_pct:g}%"
    return text + "。"


__all__ = ["COLOUR_WORDS", "colour", "quoted_target", "indicator_finding", "budget_finding"]
