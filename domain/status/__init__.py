"""Status engine: budget execution and indicator achievement, explanation rules and roll-ups.
Pure code, stdlib only; the one place where a colour is decided. The rules, their settings and
their sources are written out in docs/rules.md (§1–§6); keep the two in step.

Modules: ``words`` (status words, order, judgements, number formats), ``model`` (inputs, results, the
evaluation context), ``budget``, ``indicators``, ``explanations`` (what a row must explain),
``rollup`` (project status, department summary, risk list) and ``adjusted`` (what the reasons and tables
say about an adjusted budget or target: the adjusted values are inputs, docs/rules.md §3.4, §4.10).
Import from ``domain.status``: every public name is re-exported here.

Status words: 'red', 'amber', 'green', 'blue', 'grey', 'missing' (labels 红/黄/绿/蓝/灰/未填报).
Every result carries ``reason``: one line of Simplified Chinese with the numbers that produced it.

Definitions chosen here (the national regime leaves them open; docs/rules.md marks them "Choice"):

* **Data due.** An indicator's current value and a project's cumulative spending are *due* once
  the as-of date has reached the end of the first reporting period of the fiscal year (31 March
  with quarterly reporting, 31 January with monthly; ``Settings.reporting_period``). The caller
  passes the values entered for the as-of period (the latest entry up to the as-of date); ``None``
  means nothing was entered. Due and ``None`` -> 'missing'; not yet due and ``None`` -> 'grey'.
  Budget spending is only due when the expected cumulative progress is above 0. A deadline
  indicator's entry is due once its deadline is within ``deadline_amber_days`` (or passed).
* **Ratios are decided as displayed.** Band ratios (执行率/计划, 完成值/序时目标) are rounded to
  0.1 percentage point before they are compared, so the number in the reason always agrees with
  the colour ("60.0%" is never red).
* **Exact targets.** '=' counts are "reach it" (a floor), and an accumulating '=' count that has
  reached but not exceeded its annual value is green, not blue. '=' amounts and unit costs
  (万元, 元/个, 万元/块) are "stay at it": judged as a cap (not above the value). '=0' (e.g. 安全事故
  =0起) is a cap at zero.
* **Deadlines.** Done after the deadline -> amber (the work is done, the date was missed).
* **Qualitative.** '进行中' at year end -> red (not achieved).
* **Worst-of ordering.** grey < green = blue < amber < missing < red. When the current and the
  projected status tie at green/blue, blue is kept (it asks for an explanation).
* **Budget projection.** A 全年预计执行数 above the budget -> red; a projected year-end 执行率 below
  ``year_end_execution_floor`` makes the budget at best amber and needs a reason.
"""

from __future__ import annotations

from domain.status.adjusted import change_summary, target_text
from domain.status.budget import (
    evaluate_budget,
)
from domain.status.explanations import (
    ExplanationRequirements,
    budget_explanation_required,
    check_explanations,
    explanation_requirements,
)
from domain.status.indicators import (
    default_accumulates,
    evaluate_indicator,
    indicator_mode,
    override_note,
)
from domain.status.model import (
    BudgetStatus,
    IndicatorInput,
    IndicatorStatus,
    PlanPoint,
    ProjectInput,
    ProjectStatus,
    TargetChange,
    entered_text,
)
from domain.status.rollup import (
    DepartmentSummary,
    RiskItem,
    Rollup,
    department_summary,
    evaluate_all,
    evaluate_project,
    risk_items,
    rollup,
    rollup_of,
    share_text,
)
from domain.status.words import (
    ACCUMULATING,
    ACHIEVED,
    AMBER,
    BLUE,
    CAP,
    CERTAIN,
    DIRECTION_LABELS,
    DIRECTIONS,
    GREEN,
    GREY,
    IMPOSSIBLE,
    IN_PROGRESS,
    JUDGEMENTS,
    LEVEL,
    LIKELIHOODS,
    MISSING,
    MODE_DEADLINE,
    MODE_LABELS,
    NOT_ACHIEVED,
    PARTIAL,
    POSSIBLE,
    QUALITATIVE_MODE,
    REACH,
    REASON_CATEGORIES,
    RED,
    SEVERITY,
    STATUS_LABELS,
    STATUSES,
    count_statuses,
    fmt_num,
    normalise_judgement,
    normalise_level,
    normalise_likelihood,
    worst,
)

__all__ = [
    "RED", "AMBER", "GREEN", "BLUE", "GREY", "MISSING", "STATUSES", "STATUS_LABELS", "SEVERITY", "ACHIEVED",
    "PARTIAL", "NOT_ACHIEVED", "IN_PROGRESS", "JUDGEMENTS", "CERTAIN", "POSSIBLE", "IMPOSSIBLE",
    "LIKELIHOODS", "REASON_CATEGORIES", "ACCUMULATING", "LEVEL", "CAP", "MODE_DEADLINE", "QUALITATIVE_MODE",
    "MODE_LABELS", "worst", "normalise_judgement", "normalise_likelihood", "normalise_level", "fmt_num",
    "count_statuses", "PlanPoint", "IndicatorInput", "ProjectInput", "BudgetStatus", "IndicatorStatus",
    "ProjectStatus", "TargetChange", "entered_text", "target_text", "change_summary",
    "evaluate_budget", "default_accumulates", "indicator_mode",
    "evaluate_indicator", "override_note", "REACH", "DIRECTIONS", "DIRECTION_LABELS",
    "ExplanationRequirements", "explanation_requirements", "check_explanations",
    "budget_explanation_required", "evaluate_project", "evaluate_all", "DepartmentSummary",
    "department_summary", "RiskItem", "risk_items", "Rollup", "rollup", "rollup_of", "share_text",
]
