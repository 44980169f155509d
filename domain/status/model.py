"""Inputs and results of the status engine, and the evaluation context.

``Context`` holds everything that depends only on (as-of date, fiscal year, settings), computed once
per evaluation and passed to the budget and indicator rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.periods import first_due_date, format_day, time_progress
from domain.settings import Settings
from domain.status.words import (
    AMBER,
    BLUE,
    GREEN,
    RED,
    STATUS_LABELS,
    count_statuses,
    fmt_band,
    fmt_num,
)
from domain.targets import Target


def entered_text(ind: IndicatorInput, projected: bool = False) -> str:
    """An entered value as text with its unit ('85人次', '95.0%', '达成', '2024-05-01完成'); '' if none."""
    value = ind.projected if projected else ind.actual
    judgement = ind.projected_judgement if projected else ind.actual_judgement
    if value is not None and value == value:  # NaN counts as not entered
        return fmt_num(value, ind.target.unit)
    if judgement:
        wording = ind.projected_judgement_text if projected else ind.actual_judgement_text
        return f"{judgement}（原文：{wording}）" if wording and wording != judgement else judgement
    if not projected and ind.actual_date is not None:
        return f"{ind.actual_date.isoformat()}完成"
    return ""


# --------------------------------------------------------------------------- inputs


@dataclass(slots=True)
class PlanPoint:
    """One 资金支出计划 checkpoint: cumulative percent of the budget due by ``due``."""

    label: str
    due: date | None
    cumulative_pct: float | None


@dataclass(frozen=True, slots=True)
class TargetChange:
    """Where an adjusted target in force comes from (docs/rules.md §4.10). The engine judges
    ``IndicatorInput.target`` — the annual target in force at the as-of date — and only reports this.

    ``original``: the 年初指标值 as imported (never changed by an adjustment). ``effective``: the day the
    adjusted value applies from. ``prior_status`` / ``prior_period``: the status the indicator showed
    for the latest period with data when the adjustment was approved (``None``: no data yet)."""

    original: Target
    effective: date
    reason: str = ""
    approval: str = ""  # 批准文件或依据
    approved_by: str = ""
    approved_on: date | None = None
    prior_status: str | None = None
    prior_period: str | None = None

    @property
    def after_warning(self) -> bool:
        """Approved while the indicator was red or amber: flagged in the risk list and the report."""
        return self.prior_status in (RED, AMBER)


@dataclass(slots=True)
class IndicatorInput:
    """One indicator with what staff entered for the as-of period.

    ``actual``: 当前完成值 as a number (cumulative for accumulating indicators).
    ``actual_judgement``: 达成/部分达成/未达成/进行中 for qualitative targets (or a numeric
    indicator judged in words). ``actual_date``: completion date of a deadline indicator.
    ``projected``/``projected_judgement``: 全年预计完成值. ``accumulates``: None = default rule.
    ``weight``: the 分值 of the imported target table, if it had one (self-evaluation, docs/rules.md §7).
    ``direction``: the admin's choice for an '=' target, 'cap' or 'reach'; None = by 二级指标 (§4.1).
    ``actual_judgement_text``/``projected_judgement_text``: the wording entered when it was not the
    judgement word itself (「达成年度指标」 for 达成, §4.7); shown beside the judgement, never judged.
    ``target`` is the annual target in force at the as-of date; ``target_change`` says, when it was
    adjusted, what the original was (``data_access.monitoring`` builds both).
    """

    id: Any
    level1: str
    level2: str
    level3: str
    target: Target
    accumulates: bool | None = None
    actual: float | None = None
    actual_judgement: str | None = None
    actual_date: date | None = None
    projected: float | None = None
    projected_judgement: str | None = None
    likelihood: str | None = None
    reasons: tuple[str, ...] = ()
    explanation: str | None = None
    measures: str | None = None
    weight: float | None = None
    direction: str | None = None
    actual_judgement_text: str | None = None
    projected_judgement_text: str | None = None
    target_change: TargetChange | None = None


@dataclass(slots=True)
class ProjectInput:
    id: Any
    name: str
    unit: str = ""
    area: str = ""
    budget_wan: float | None = None
    plan: list[PlanPoint] = field(default_factory=list)
    spent_wan: float | None = None  # cumulative actual spending at the as-of date
    projected_spent_wan: float | None = None  # 全年预计执行数
    indicators: list[IndicatorInput] = field(default_factory=list)
    # where the values stand in the reporting chain (domain.review state; '' = not known here)
    review: str = ""
    # 年初预算数 when ``budget_wan`` is an adjusted budget (调整后预算数, docs/rules.md §3.4); None: not adjusted
    initial_budget_wan: float | None = None
    department: str = ""  # the 主管部门 of the unit ('' when none is named)

    @property
    def original_budget_wan(self) -> float | None:
        """年初预算数: the imported budget, whatever was adjusted."""
        return self.budget_wan if self.initial_budget_wan is None else self.initial_budget_wan


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class BudgetStatus:
    status: str
    reason: str
    execution_pct: float | None = None  # 执行率, percent of budget
    expected_pct: float | None = None  # expected cumulative progress, percent
    ratio: float | None = None  # execution / expected (share, rounded to 0.001)
    expected_source: str | None = None  # 'plan' | 'interpolated' | 'time'
    projected_pct: float | None = None  # 全年预计执行率, percent
    over_budget: bool = False
    needs_reason: bool = False  # amber/red, or (projected) year-end 执行率 below the floor

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(slots=True)
class IndicatorStatus:
    indicator: IndicatorInput
    status: str
    reason: str
    mode: str  # accumulating | level | cap | deadline | qualitative
    current_status: str
    projected_status: str | None = None
    ratio: float | None = None  # accumulating: actual / pro-rated target
    pro_rated_target: float | None = None
    overachieved: bool = False  # Hebei rule: > (1 + overachieve_margin) x annual target
    inconsistent: bool = False  # projected year-end below the cumulative value already reached
    must_explain: bool = False  # 偏差原因 + 说明 + 完成可能性
    needs_measures: bool = False  # 纠偏措施
    needs_note: bool = False  # 说明 for blue / over-achievement

    @property
    def id(self) -> Any:
        return self.indicator.id

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def adjusted_after_warning(self) -> bool:
        """The target in force was adjusted while the indicator was red or amber (docs/rules.md §4.10)."""
        c = self.indicator.target_change
        return c is not None and c.after_warning


@dataclass(slots=True)
class ProjectStatus:
    project: ProjectInput
    status: str
    reason: str
    budget: BudgetStatus
    indicators: list[IndicatorStatus]
    warnings: list[str] = field(default_factory=list)  # consistency checks (domain.status.consistency)

    @property
    def id(self) -> Any:
        return self.project.id

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def indicator_counts(self) -> dict[str, int]:
        return count_statuses(i.status for i in self.indicators)


# --------------------------------------------------------------------------- context


class Context:
    """Everything that depends only on (as_of, year, settings): computed once per evaluation."""

    __slots__ = (
        "as_of", "year", "settings", "share", "year_end", "due", "day", "first_due",
        "r_red", "r_green", "r_blue", "b_red", "b_green", "margin", "window", "over",
        "floor", "interpolate", "time_pct", "bands",
    )

    def __init__(self, as_of: date, settings: Settings, year: int | None):
        self.as_of = as_of
        self.year = year if year is not None else as_of.year
        self.settings = settings
        self.share = time_progress(as_of, self.year)
        self.time_pct = self.share * 100.0
        self.year_end = self.share >= 1.0
        self.first_due = first_due_date(self.year, settings.reporting_period)
        self.due = as_of >= self.first_due
        self.day = format_day(as_of, self.year)
        self.r_red = settings.indicator_red_below
        self.r_green = settings.indicator_green_from
        self.r_blue = settings.indicator_blue_from
        self.b_red = settings.budget_red_below
        self.b_green = settings.budget_green_from
        self.margin = settings.level_amber_margin
        self.window = settings.deadline_amber_days
        self.over = settings.overachieve_margin
        self.floor = settings.year_end_execution_floor
        self.interpolate = settings.interpolate_plan
        self.bands = {
            RED: f"<{fmt_band(self.r_red)}",
            AMBER: f"{fmt_band(self.r_red)}–{fmt_band(self.r_green)}",
            GREEN: f"{fmt_band(self.r_green)}–{fmt_band(self.r_blue)}",
            BLUE: f"≥{fmt_band(self.r_blue)}",
        }
