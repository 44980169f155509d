"""Texts the official documents share (monitoring table, self-evaluation preview, 监控报告): entered
values, 备注, the √ columns, the projected summary of a project, goals, the budget in force and its fund
split, the notes on budget and target adjustments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from domain.adjustments import SHIFT, BudgetChange, FundAmounts, changes_until, fund_amounts
from domain.status import (
    AMBER,
    IMPOSSIBLE,
    LIKELIHOODS,
    MISSING,
    POSSIBLE,
    REASON_CATEGORIES,
    RED,
    STATUS_LABELS,
    IndicatorInput,
    IndicatorStatus,
    ProjectInput,
    ProjectStatus,
    entered_text,
    normalise_likelihood,
)
from domain.status.adjusted import prior_text


def month_span(as_of: date) -> str:
    """'1-9月' (or '1月')."""
    return "1月" if as_of.month == 1 else f"1-{as_of.month}月"


def input_value_text(ind: IndicatorInput, projected: bool = False) -> str:
    """An entered value as text with its unit (see domain.status.entered_text)."""
    return entered_text(ind, projected)


def value_text(st: IndicatorStatus, projected: bool = False) -> str:
    return input_value_text(st.indicator, projected)


def remark_text(st: IndicatorStatus | IndicatorInput) -> str:
    """备注: the staff's explanation and corrective measures."""
    ind = st.indicator if isinstance(st, IndicatorStatus) else st
    parts = []
    if ind.explanation:
        parts.append(f"说明：{ind.explanation.strip()}")
    if ind.measures:
        parts.append(f"纠偏措施：{ind.measures.strip()}")
    return "\n".join(parts)


def reason_ticks(reasons: Sequence[str]) -> list[bool]:
    """One flag per 偏差原因 category (经费保障, 制度保障, 人员保障, 硬件条件保障, 其他); a category the
    form does not know counts as 其他."""
    known = set(REASON_CATEGORIES)
    flags = [c in reasons for c in REASON_CATEGORIES]
    if any(r and r not in known for r in reasons):
        flags[-1] = True
    return flags


def likelihood_ticks(likelihood: str | None) -> list[bool]:
    lk = normalise_likelihood(likelihood)
    return [lk == x for x in LIKELIHOODS]


def projected_summary(r: ProjectStatus) -> str:
    """全年预计完成情况 of the overall goal, from the statuses: projected spending and which
    indicators deviate, with the staff's likelihood."""
    parts = []
    b = r.budget
    p = r.project
    if p.projected_spent_wan is not None and b.projected_pct is not None:
        parts.append(f"预计全年执行{p.projected_spent_wan:.2f}万元，预计执行率{b.projected_pct:.1f}%。")
    n = len(r.indicators)
    bad = [st for st in r.indicators if st.status in (RED, AMBER, MISSING)]
    if n == 0:
        parts.append("未设绩效指标。")
    elif not bad:
        parts.append(f"{n}项绩效指标运行正常，预计能够完成年度绩效目标。")
    else:
        counts = {s: sum(1 for st in bad if st.status == s) for s in (RED, AMBER, MISSING)}
        detail = "、".join(f"{STATUS_LABELS[s]}{k}项" for s, k in counts.items() if k)
        names = "、".join(f"「{st.indicator.level3.strip()}」" for st in bad[:6]) + ("等" if len(bad) > 6 else "")
        parts.append(f"{n}项绩效指标中{len(bad)}项存在偏差或未填报（{detail}）：{names}。")
        lk = [normalise_likelihood(st.indicator.likelihood) for st in r.indicators]
        if lk.count(IMPOSSIBLE):
            parts.append(f"填报完成目标完全不可能{lk.count(IMPOSSIBLE)}项，")
        if lk.count(POSSIBLE):
            parts.append(f"有可能完成{lk.count(POSSIBLE)}项，")
        if n > len(bad):
            parts.append("其余指标预计能够完成。")
        elif parts[-1].endswith("，"):
            parts[-1] = parts[-1][:-1] + "。"
    return "".join(parts)


def goals_text(goals: Sequence[str]) -> str:
    goals = [g.strip() for g in goals if g and g.strip()]
    if len(goals) <= 1:
        return goals[0] if goals else ""
    return "\n".join(g if g.startswith("目标") else f"目标{i}：{g}" for i, g in enumerate(goals, start=1))


def funds_at(meta: Mapping[str, Any], p: ProjectInput, as_of: date) -> FundAmounts:
    """年初 and 调整后 amounts of the budget and its fund sources at ``as_of``: the document's split plus the
    budget adjustments of ``meta["budget_changes"]`` (``data_access.exports.monitoring_inputs``). The total
    in force is the one the status engine judged (``p.budget_wan``)."""
    f = fund_amounts(p.original_budget_wan, meta.get("fiscal_wan"), meta.get("other_wan"),
                     meta.get("budget_changes") or (), as_of)
    if p.initial_budget_wan is not None and f.adjusted != p.budget_wan:
        f = replace(f, adjusted=p.budget_wan, changed=True)
    return f


def change_text(c: BudgetChange) -> str:
    """'2024年7月15日追加财政资金50.00万元（高新财〔2024〕12号；生均公用经费标准提高）'."""
    amount = abs(c.amount_wan)
    verb = c.kind if c.kind != SHIFT else ("调剂调入" if c.amount_wan > 0 else "调剂调出")
    extra = "；".join(x for x in (c.document_no.strip(), c.reason.strip()) if x)
    return f"{day_text(c.on)}{verb}{c.fund}{amount:,.2f}万元" + (f"（{extra}）" if extra else "")


def day_text(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def adjustment_notes(r: ProjectStatus, meta: Mapping[str, Any], as_of: date) -> list[str]:
    """Sentences on the budget and target adjustments in force at ``as_of`` (docs/rules.md §3.4, §4.10),
    for the notes of the official tables: every budget adjustment, every adjusted target with its reason
    and approval, and the flag of one approved while the indicator was red or amber."""
    p = r.project
    done = changes_until(meta.get("budget_changes") or (), as_of)
    if done:
        out = ["预算调整：" + "；".join(change_text(c) for c in done)
               + f"。调整后预算数{p.budget_wan or 0.0:,.2f}万元（年初预算数{p.original_budget_wan or 0.0:,.2f}万元）。"]
    else:
        out = [f"截至{day_text(as_of)}未调整预算，调整后预算数与年初预算数相同。"]
    for st in r.indicators:
        c = st.indicator.target_change
        if c is None:
            continue
        text = (f"指标调整：「{st.indicator.level3.strip()}」自{day_text(c.effective)}起由{c.original.raw.strip()}"
                f"调整为{st.indicator.target.raw.strip()}")
        details = "；".join(x for x in (f"原因：{c.reason}" if c.reason else "", f"依据：{c.approval}" if c.approval else "")
                           if x)
        text += f"（{details}）" if details else ""
        prior = prior_text(c)
        out.append(text + (f"；{prior}，请关注调整依据是否充分。" if prior else "。"))
    return out
