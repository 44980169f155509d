"""Project status and roll-ups (docs/rules.md §6): worst of budget and indicators, the colour of an
area, a unit or the department (§6.2), department summary, risk list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.settings import DEFAULT_SETTINGS, ROLLUP_RULES, Settings
from domain.status.budget import budget_status
from domain.status.consistency import consistency_warnings
from domain.status.indicators import indicator_status
from domain.status.model import Context, ProjectInput, ProjectStatus
from domain.status.words import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    MISSING,
    RED,
    SEVERITY,
    STATUS_LABELS,
    STATUSES,
    fmt_band,
)


def evaluate_project(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                     year: int | None = None) -> ProjectStatus:
    return _project(project, Context(as_of, settings, year))


def evaluate_all(projects: Iterable[ProjectInput], as_of: date, settings: Settings = DEFAULT_SETTINGS,
                 year: int | None = None) -> list[ProjectStatus]:
    c = Context(as_of, settings, year)
    return [_project(p, c) for p in projects]


def _project(p: ProjectInput, c: Context) -> ProjectStatus:
    budget = budget_status(p, c)
    inds = [indicator_status(i, c) for i in p.indicators]
    # worst of budget and indicators; blue counts as green here
    worst_s = budget.status
    worst_sev = SEVERITY[worst_s]
    src = None
    for st in inds:
        sev = SEVERITY[st.status]
        if sev > worst_sev:
            worst_s, worst_sev, src = st.status, sev, st
    if worst_s == BLUE:
        worst_s = GREEN
    if src is None:
        reason = f"预算执行{STATUS_LABELS[budget.status]}：{budget.reason}"
    else:
        reason = f"指标「{src.indicator.level3}」{STATUS_LABELS[src.status]}：{src.reason}"
    if worst_s != GREY and worst_sev >= SEVERITY[AMBER]:
        n = sum(1 for st in inds if SEVERITY[st.status] >= SEVERITY[AMBER])
        if n > 1 or (n == 1 and src is None):
            reason += f"（共{n}项指标为黄/红/未填报）"
    warnings = consistency_warnings(p, c.settings)
    if warnings:
        reason += f"；数据疑点：{warnings[0]}" + (f"（共{len(warnings)}处）" if len(warnings) > 1 else "")
    return ProjectStatus(p, worst_s, reason, budget, inds, warnings)


# --------------------------------------------------------------------------- roll-ups


@dataclass(slots=True)
class Rollup:
    """The colour of a group of projects (an area, a unit, the department) with what it rests on.

    ``status``: the colour by ``Settings.rollup_rule``; ``worst``: the worst project status (kept as a
    view of its own whatever the rule). ``counts`` and ``budgets`` (万元) per project status (all six
    keys; project statuses are never blue). ``shares``: each status's part of the group's whole
    budget (0..1; None when the group has no budget). ``reason``: one Chinese line."""

    status: str
    worst: str
    counts: dict[str, int]
    budgets: dict[str, float]
    budget_total: float
    shares: dict[str, float] | None
    reason: str
    rule: str


def rollup(results: Iterable[ProjectStatus], settings: Settings = DEFAULT_SETTINGS) -> Rollup:
    """Colour a group of projects (docs/rules.md §6.2). With the rule 'budget' (default) or 'count', the
    shares of the judged budget (or of the judged projects; grey ones are not judged yet) decide: red
    projects holding ``rollup_red_share`` -> red; red and 未填报 together -> 未填报; red, 未填报 and
    amber together holding ``rollup_amber_share`` -> amber; else green. A group whose judged projects
    have no budget at all is weighed by count. With 'worst' the worst project decides."""
    counts = dict.fromkeys(STATUSES, 0)
    budgets = dict.fromkeys(STATUSES, 0.0)
    for r in results:
        counts[r.status] += 1
        budgets[r.status] += max(r.project.budget_wan or 0.0, 0.0)
    return rollup_of(counts, budgets, settings)


def rollup_of(counts: dict[str, int], budgets: dict[str, float], settings: Settings = DEFAULT_SETTINGS) -> Rollup:
    """``rollup`` from a group's project counts and (positive) budgets per status, e.g. summed by SQL."""
    total = sum(budgets.values())
    shares = {s: b / total for s, b in budgets.items()} if total > 0 else None
    worst_s = next((s for s in (RED, MISSING, AMBER, GREEN, BLUE) if counts[s]), GREY)
    rule = settings.rollup_rule
    if not sum(counts.values()):
        status, reason = GREY, "无项目"
    else:
        status, reason = _rollup_colour(counts, budgets, worst_s, rule, settings)
    return Rollup(status, worst_s, counts, budgets, total, shares, reason, rule)


def _rollup_colour(counts: dict[str, int], budgets: dict[str, float], worst_s: str, rule: str,
                   s: Settings) -> tuple[str, str]:
    judged = [k for k in STATUSES if k != GREY]
    if not any(counts[k] for k in judged):
        return GREY, f"{counts[GREY]}个项目均未到评价时点"
    if rule == "worst":
        return worst_s, f"按最差项目：{counts[worst_s]}个项目为{STATUS_LABELS[worst_s]}"
    by_count = {k: float(v) for k, v in counts.items()}
    weights, what = (budgets, "已评价预算") if rule == "budget" else (by_count, "已评价项目")
    base = sum(weights[k] for k in judged)
    if base <= 0:  # judged projects without any budget: weighed by count
        weights, what = by_count, "已评价项目"
        base = sum(weights[k] for k in judged)
    red = round(weights[RED] / base, 3)
    missing = round((weights[RED] + weights[MISSING]) / base, 3)
    off = round((weights[RED] + weights[MISSING] + weights[AMBER]) / base, 3)
    head = f"{ROLLUP_RULES[rule]}：{what}中"
    red_line, amber_line = fmt_band(s.rollup_red_share), fmt_band(s.rollup_amber_share)
    if red >= s.rollup_red_share:
        return RED, f"{head}红占{red * 100:.1f}%（≥{red_line}），判为红"
    if weights[MISSING] > 0 and missing >= s.rollup_red_share:
        return MISSING, f"{head}红和未填报合计占{missing * 100:.1f}%（≥{red_line}），判为未填报"
    if off >= s.rollup_amber_share:
        return AMBER, f"{head}红、未填报和黄合计占{off * 100:.1f}%（≥{amber_line}），判为黄"
    return GREEN, f"{head}红、未填报和黄合计占{off * 100:.1f}%（<{amber_line}），判为绿"


def share_text(r: Rollup) -> str:
    """'红49.7% 黄5.7% 绿44.6%': each status's part of the group's budget (statuses without budget left
    out); '' when the group has no budget."""
    if r.shares is None:
        return ""
    order = (RED, MISSING, AMBER, GREEN, GREY)
    return " ".join(f"{STATUS_LABELS[k]}{r.shares[k] * 100:.1f}%" for k in order if r.budgets[k] > 0)


@dataclass(slots=True)
class DepartmentSummary:
    projects: dict[str, int]
    budgets: dict[str, int]
    indicators: dict[str, int]
    budget_total_wan: float
    spent_total_wan: float
    execution_pct: float | None  # spent / budget over projects with a spending figure
    project_count: int
    indicator_count: int


def department_summary(results: Sequence[ProjectStatus]) -> DepartmentSummary:
    projects = dict.fromkeys(STATUSES, 0)
    budgets = dict.fromkeys(STATUSES, 0)
    indicators = dict.fromkeys(STATUSES, 0)
    total = spent = reported_budget = 0.0
    n_ind = 0
    for r in results:
        projects[r.status] += 1
        budgets[r.budget.status] += 1
        for st in r.indicators:
            indicators[st.status] += 1
        n_ind += len(r.indicators)
        b = r.project.budget_wan or 0.0
        total += b
        if r.project.spent_wan is not None:
            spent += r.project.spent_wan
            reported_budget += b
    exe = spent / reported_budget * 100.0 if reported_budget > 0 else None
    return DepartmentSummary(projects, budgets, indicators, total, spent, exe, len(results), n_ind)


@dataclass(slots=True)
class RiskItem:
    """One row of the 'needs attention' list: a project's budget row or one indicator."""

    project_id: Any
    project_name: str
    unit: str
    area: str
    budget_wan: float
    kind: str  # 'budget' | 'indicator'
    item: str  # '预算执行' or the 三级指标
    indicator_id: Any
    status: str
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def risk_items(results: Iterable[ProjectStatus], statuses: Sequence[str] = (RED, MISSING, AMBER),
               adjusted_after_warning: bool = False) -> list[RiskItem]:
    """Items at risk, ordered by severity (red, missing, amber) then budget size (largest first),
    then project name and the indicator's original order. ``adjusted_after_warning``: also every
    indicator whose target in force was adjusted while it was red or amber, whatever its status now
    (docs/rules.md §4.10)."""
    wanted = set(statuses)
    rows: list[tuple] = []
    for r in results:
        p = r.project
        b = p.budget_wan or 0.0
        if r.budget.status in wanted:
            rows.append((-SEVERITY[r.budget.status], -b, p.name, -1,
                         RiskItem(p.id, p.name, p.unit, p.area, b, "budget", "预算执行", None,
                                  r.budget.status, r.budget.reason)))
        for i, st in enumerate(r.indicators):
            if st.status in wanted or (adjusted_after_warning and st.adjusted_after_warning):
                rows.append((-SEVERITY[st.status], -b, p.name, i,
                             RiskItem(p.id, p.name, p.unit, p.area, b, "indicator", st.indicator.level3,
                                      st.indicator.id, st.status, st.reason)))
    rows.sort(key=lambda t: t[:4])
    return [t[4] for t in rows]
