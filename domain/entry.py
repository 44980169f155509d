"""Data entry: parse and validate one typed row, then judge it with the status engine.

Pure code: no Streamlit, no database. The data layer (``data_access.actuals``) loads what a row is
about (the indicator or the project, the previous period's value), merges what was typed over what is
stored, and calls :func:`check_indicator_row` / :func:`check_spending_row`. What must be explained is
decided only by ``domain.status`` (``explanation_requirements``, ``check_explanations``,
``budget_explanation_required``); this module only feeds it typed values.

Field keys are the column names of ``IndicatorActual`` / ``SpendingActual``; ``FIELD_LABELS`` are the
Chinese names users see. Every error is a :class:`FieldError` ``(field, message)`` whose message is a
complete Chinese sentence starting with the field's label ("说明：……").

Rules decided here:

* Single values (numbers, dates, words, texts) are read by ``domain.entry_values``, the one parser
  family of the 填报 grid and the file import (re-exported here); this module combines them per row.
* No negative values (counts, rates, amounts), unless the target itself is negative. A rate (unit %)
  stays within 0–100, unless the target value is above 100.
* A row's kind decides which cells apply: numeric targets take 当前完成值/全年预计 numbers;
  deadline targets take 完成日期, 完成情况 and 全年预计（定性）; qualitative targets take 完成情况 and
  全年预计（定性）. Cells that do not apply are ignored (returned as ``None``).
* A deadline row with a 完成日期 is 达成; a different 完成情况 next to a date is a contradiction.
* Dates must lie inside the fiscal year.
* Texts (说明/纠偏措施/备注) are at most ``MAX_TEXT`` characters; a longer text is refused (never cut).
* Spending: cumulative spending and the projection are ≥ 0 (a negative is refused, never flipped);
  above the budget, below the previous period's cumulative value, or a projection below the current
  cumulative value needs a 说明; and a budget row the status engine says needs a reason (amber/red,
  year-end floor) needs a 说明.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from domain.entry_values import (
    DATE_HINT,
    MAX_NUMBER,
    MAX_TEXT,
    EntryValueError,
    check_number_range,
    clean_text,
    format_date,
    format_number,
    is_blank,
    join_reasons,
    judgement_wording,
    parse_date,
    parse_judgement,
    parse_likelihood,
    parse_number,
    parse_reasons,
    shown,
    split_reasons,
)
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import (
    ACCUMULATING,
    ACHIEVED,
    CAP,
    LEVEL,
    MODE_DEADLINE,
    QUALITATIVE_MODE,
    BudgetStatus,
    ExplanationRequirements,
    IndicatorInput,
    IndicatorStatus,
    ProjectInput,
    budget_explanation_required,
    check_explanations,
    evaluate_budget,
    evaluate_indicator,
    explanation_requirements,
    indicator_mode,
)
from domain.targets import Target


class _AnyVersion:
    """The version of a row imported from a file without one: no optimistic-concurrency check."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY_VERSION"

    def __reduce__(self):
        return (_AnyVersion, ())


ANY_VERSION = _AnyVersion()

# --------------------------------------------------------------------------- fields

ACTUAL = "actual_value"
JUDGEMENT = "actual_judgement"
JUDGEMENT_TEXT = "actual_judgement_text"  # the wording entered, kept beside the judgement (derived, never typed)
DATE = "actual_date"
PROJECTED = "projected_value"
PROJECTED_JUDGEMENT = "projected_judgement"
PROJECTED_JUDGEMENT_TEXT = "projected_judgement_text"
LIKELIHOOD = "likelihood"
REASONS = "reasons"
EXPLANATION = "explanation"
MEASURES = "measures"
REMARKS = "remarks"
SPENT = "spent_wan"
PROJECTED_SPENT = "projected_wan"
# row-level problems (permissions, locked period, unknown item, conflicts)
ROW = "row"
PERIOD = "period_code"
PROJECT = "project"
INDICATOR = "indicator"

# the kinds of rows (of a save, of an uploaded file): one per indicator and period, one per project and period
INDICATOR_ROWS = "indicator"
SPENDING_ROWS = "spending"
ROW_KINDS = (INDICATOR_ROWS, SPENDING_ROWS)

INDICATOR_FIELDS = (ACTUAL, JUDGEMENT, DATE, PROJECTED, PROJECTED_JUDGEMENT, LIKELIHOOD, REASONS,
                    EXPLANATION, MEASURES, REMARKS, JUDGEMENT_TEXT, PROJECTED_JUDGEMENT_TEXT)
SPENDING_FIELDS = (SPENT, PROJECTED_SPENT, EXPLANATION)
TEXT_FIELDS = (EXPLANATION, MEASURES, REMARKS)

FIELD_LABELS: dict[str, str] = {
    ACTUAL: "当前完成值", JUDGEMENT: "完成情况", DATE: "完成日期", PROJECTED: "全年预计",
    PROJECTED_JUDGEMENT: "全年预计（定性）", JUDGEMENT_TEXT: "完成情况原文", PROJECTED_JUDGEMENT_TEXT: "全年预计原文",
    LIKELIHOOD: "完成可能性", REASONS: "偏差原因", EXPLANATION: "说明",
    MEASURES: "纠偏措施", REMARKS: "备注", SPENT: "累计支出（万元）", PROJECTED_SPENT: "全年预计执行数（万元）",
    ROW: "整行", PERIOD: "填报期", PROJECT: "项目", INDICATOR: "三级指标",
}

# which cells apply to a row, by indicator mode (domain.status.indicator_mode)
NUMERIC_FIELDS = (ACTUAL, PROJECTED)
DEADLINE_FIELDS = (DATE, JUDGEMENT, PROJECTED_JUDGEMENT, JUDGEMENT_TEXT, PROJECTED_JUDGEMENT_TEXT)
QUALITATIVE_FIELDS = (JUDGEMENT, PROJECTED_JUDGEMENT, JUDGEMENT_TEXT, PROJECTED_JUDGEMENT_TEXT)
COMMON_FIELDS = (LIKELIHOOD, REASONS, EXPLANATION, MEASURES, REMARKS)

MODE_KIND_LABELS = {ACCUMULATING: "数值（累计）", LEVEL: "数值", CAP: "数值（上限）", MODE_DEADLINE: "时限",
                    QUALITATIVE_MODE: "定性"}

# check_explanations names fields by its own labels: map them to ours
_EXPLAIN_LABELS = {"当前完成值": ACTUAL, "偏差原因分析": REASONS, "说明": EXPLANATION, "完成目标可能性": LIKELIHOOD,
                   "纠偏措施": MEASURES}


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def applicable_fields(mode: str) -> tuple[str, ...]:
    """The cells a row of this indicator mode takes (the rest are ignored)."""
    if mode in (ACCUMULATING, LEVEL, CAP):
        return NUMERIC_FIELDS + COMMON_FIELDS
    if mode == MODE_DEADLINE:
        return DEADLINE_FIELDS + COMMON_FIELDS
    return QUALITATIVE_FIELDS + COMMON_FIELDS


class FieldError(NamedTuple):
    """One problem of a row: the field key and a complete Chinese sentence ("说明：须填写")."""

    field: str
    message: str

    @property
    def label(self) -> str:
        return field_label(self.field)


# --------------------------------------------------------------------------- indicator rows


@dataclass(slots=True)
class IndicatorValues:
    """Typed values of one indicator row (the IndicatorActual columns)."""

    actual_value: float | None = None
    actual_judgement: str | None = None
    actual_date: date | None = None
    projected_value: float | None = None
    projected_judgement: str | None = None
    likelihood: str | None = None
    reasons: tuple[str, ...] = ()
    explanation: str = ""
    measures: str = ""
    remarks: str = ""
    actual_judgement_text: str | None = None
    projected_judgement_text: str | None = None

    def as_record(self) -> dict[str, Any]:
        """Column -> stored value (reasons joined with ';')."""
        return {
            ACTUAL: self.actual_value,
            JUDGEMENT: self.actual_judgement,
            DATE: self.actual_date,
            PROJECTED: self.projected_value,
            PROJECTED_JUDGEMENT: self.projected_judgement,
            LIKELIHOOD: self.likelihood,
            REASONS: join_reasons(self.reasons),
            EXPLANATION: self.explanation,
            MEASURES: self.measures,
            REMARKS: self.remarks,
            JUDGEMENT_TEXT: self.actual_judgement_text,
            PROJECTED_JUDGEMENT_TEXT: self.projected_judgement_text,
        }

    @property
    def value_entered(self) -> bool:
        return self.actual_value is not None or self.actual_judgement is not None or self.actual_date is not None

    @property
    def is_empty(self) -> bool:
        return not (self.value_entered or self.projected_value is not None or self.projected_judgement
                    or self.likelihood or self.reasons or self.explanation or self.measures or self.remarks)


@dataclass(slots=True)
class IndicatorRowCheck:
    values: IndicatorValues
    errors: list[FieldError]
    mode: str
    status: IndicatorStatus | None = None  # None when a value could not be parsed
    requirements: ExplanationRequirements | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _take(raw: Mapping[str, Any], key: str, fn, errors: list[FieldError], *args) -> Any:
    try:
        return fn(raw.get(key), field_label(key), *args)
    except EntryValueError as e:
        errors.append(FieldError(key, str(e)))
        return None


def _typed_values(raw: Mapping[str, Any], mode: str, t: Target, year: int, errors: list[FieldError]) -> IndicatorValues:
    """The fields of this mode read from what was typed; a problem per unreadable field in ``errors``."""
    fields_ = set(applicable_fields(mode))
    v = IndicatorValues()
    if ACTUAL in fields_:
        v.actual_value = _take(raw, ACTUAL, parse_number, errors, t.unit)
        msg = check_number_range(v.actual_value, field_label(ACTUAL), t.unit, t.value, raw.get(ACTUAL))
        if msg:
            errors.append(FieldError(ACTUAL, msg))
            v.actual_value = None
    if PROJECTED in fields_:
        v.projected_value = _take(raw, PROJECTED, parse_number, errors, t.unit)
        msg = check_number_range(v.projected_value, field_label(PROJECTED), t.unit, t.value, raw.get(PROJECTED))
        if msg:
            errors.append(FieldError(PROJECTED, msg))
            v.projected_value = None
    if DATE in fields_:
        v.actual_date = _take(raw, DATE, parse_date, errors, year)
    if JUDGEMENT in fields_:
        v.actual_judgement = _take(raw, JUDGEMENT, parse_judgement, errors)
        v.actual_judgement_text = judgement_wording(raw.get(JUDGEMENT), v.actual_judgement, raw.get(JUDGEMENT_TEXT))
    if PROJECTED_JUDGEMENT in fields_:
        v.projected_judgement = _take(raw, PROJECTED_JUDGEMENT, parse_judgement, errors)
        v.projected_judgement_text = judgement_wording(raw.get(PROJECTED_JUDGEMENT), v.projected_judgement,
                                                       raw.get(PROJECTED_JUDGEMENT_TEXT))
    v.likelihood = _take(raw, LIKELIHOOD, parse_likelihood, errors)
    try:
        v.reasons = parse_reasons(raw.get(REASONS), field_label(REASONS))
    except EntryValueError as e:
        errors.append(FieldError(REASONS, str(e)))
    for key in TEXT_FIELDS:
        setattr(v, key, _take(raw, key, clean_text, errors) or "")

    if mode == MODE_DEADLINE and v.actual_date is not None:
        if v.actual_judgement is None:
            v.actual_judgement = ACHIEVED
        elif v.actual_judgement != ACHIEVED:
            errors.append(FieldError(JUDGEMENT, f"{field_label(JUDGEMENT)}：已填写完成日期，完成情况应为“{ACHIEVED}”"
                                                f"（填写的是“{v.actual_judgement}”）；未完成请清空完成日期"))
    return v


def check_indicator_row(raw: Mapping[str, Any], indicator: IndicatorInput, as_of: date,
                        settings: Settings = DEFAULT_SETTINGS, year: int | None = None) -> IndicatorRowCheck:
    """Parse and validate one indicator row typed by staff, then judge it.

    ``raw``: field key -> what was typed (see ``INDICATOR_FIELDS``; missing keys are empty).
    ``indicator``: the indicator the row is for (its target, levels and ``accumulates``; its entered
    values are ignored). ``as_of``: the end of the reporting period. Returns the typed values, the
    status the engine gives them and every problem as ``(field, message)``.
    """
    year = year if year is not None else as_of.year
    mode = indicator_mode(indicator, settings)
    t = indicator.target
    errors: list[FieldError] = []
    v = _typed_values(raw, mode, t, year, errors)

    value_fields = {ACTUAL, PROJECTED, DATE, JUDGEMENT, PROJECTED_JUDGEMENT, LIKELIHOOD}
    if any(e.field in value_fields for e in errors):
        # a value that could not be read: no status (the explanation rules would judge a guess)
        return IndicatorRowCheck(v, errors, mode)

    ind = replace(
        indicator,
        actual=v.actual_value, actual_judgement=v.actual_judgement, actual_date=v.actual_date,
        projected=v.projected_value, projected_judgement=v.projected_judgement, likelihood=v.likelihood,
        reasons=v.reasons, explanation=v.explanation, measures=v.measures,
        actual_judgement_text=v.actual_judgement_text, projected_judgement_text=v.projected_judgement_text,
    )
    st = evaluate_indicator(ind, as_of, settings, year)
    req = explanation_requirements(st)
    parse_failed = {e.field for e in errors}
    value_key = ACTUAL if mode in (ACCUMULATING, LEVEL, CAP) else (DATE if mode == MODE_DEADLINE else JUDGEMENT)
    for msg in check_explanations(req, reasons=v.reasons, explanation=v.explanation, likelihood=v.likelihood,
                                  measures=v.measures, value_entered=v.value_entered):
        label, _, rest = msg.partition("：")
        key = _EXPLAIN_LABELS.get(label, ROW)
        if key == ACTUAL:
            key = value_key
        if key in parse_failed:
            continue  # one message per field: the parse error already says it
        errors.append(FieldError(key, f"{field_label(key)}：{rest}" if rest else msg))
    return IndicatorRowCheck(v, errors, mode, st, req)


# --------------------------------------------------------------------------- spending rows


@dataclass(slots=True)
class SpendingValues:
    spent_wan: float | None = None
    projected_wan: float | None = None
    explanation: str = ""

    def as_record(self) -> dict[str, Any]:
        return {SPENT: self.spent_wan, PROJECTED_SPENT: self.projected_wan, EXPLANATION: self.explanation}

    @property
    def is_empty(self) -> bool:
        return self.spent_wan is None and self.projected_wan is None and not self.explanation


@dataclass(slots=True)
class SpendingRowCheck:
    values: SpendingValues
    errors: list[FieldError]
    status: BudgetStatus | None = None
    explanation_required: bool = False
    why: list[str] = field(default_factory=list)  # why a 说明 is needed

    @property
    def ok(self) -> bool:
        return not self.errors


def check_spending_row(raw: Mapping[str, Any], project: ProjectInput, as_of: date,
                       settings: Settings = DEFAULT_SETTINGS, year: int | None = None,
                       previous_spent: float | None = None) -> SpendingRowCheck:
    """Parse and validate one project's spending row (cumulative 万元 to the period end).

    ``project``: budget and spending plan (its entered values are ignored). ``previous_spent``: the
    cumulative value stored for the previous period, if any.
    """
    year = year if year is not None else as_of.year
    errors: list[FieldError] = []
    v = SpendingValues()
    v.spent_wan = _take(raw, SPENT, parse_number, errors, "万元")
    v.projected_wan = _take(raw, PROJECTED_SPENT, parse_number, errors, "万元")
    v.explanation = _take(raw, EXPLANATION, clean_text, errors) or ""
    for key in (SPENT, PROJECTED_SPENT):
        val = getattr(v, key)
        if val is not None and val < 0:
            errors.append(FieldError(key, f"{field_label(key)}：“{shown(raw.get(key, val))}”不能为负数"))
            setattr(v, key, None)
    if any(e.field in (SPENT, PROJECTED_SPENT) for e in errors):
        return SpendingRowCheck(v, errors)
    if v.spent_wan is None:
        if v.projected_wan is not None or v.explanation:
            errors.append(FieldError(SPENT, f"{field_label(SPENT)}：须填写截至本期末的累计支出"))
        return SpendingRowCheck(v, errors)

    p = replace(project, spent_wan=v.spent_wan, projected_spent_wan=v.projected_wan)
    bs = evaluate_budget(p, as_of, settings, year)
    why: list[str] = []
    budget = project.budget_wan or 0.0
    if budget > 0 and v.spent_wan > budget + 1e-6:
        why.append(f"累计支出{v.spent_wan:g}万元超过预算{budget:g}万元")
    if previous_spent is not None and v.spent_wan < previous_spent - 1e-6:
        why.append(f"累计支出{v.spent_wan:g}万元低于上期累计{previous_spent:g}万元")
    if v.projected_wan is not None and v.projected_wan < v.spent_wan - 1e-6:
        why.append(f"全年预计执行数{v.projected_wan:g}万元低于当前累计支出{v.spent_wan:g}万元")
    if budget_explanation_required(bs) and not why:
        why.append(f"预算执行为{bs.label}")
    required = bool(why)
    if required and not v.explanation:
        errors.append(FieldError(EXPLANATION, f"{field_label(EXPLANATION)}：{'；'.join(why)}，须填写说明"))
    return SpendingRowCheck(v, errors, bs, required, why)


def describe_errors(errors: Sequence[FieldError]) -> str:
    return "；".join(e.message for e in errors)


__all__ = [
    "ANY_VERSION", "MAX_TEXT", "ACTUAL", "JUDGEMENT", "DATE", "PROJECTED", "PROJECTED_JUDGEMENT",
    "LIKELIHOOD", "REASONS",
    "EXPLANATION", "MEASURES", "REMARKS", "SPENT", "PROJECTED_SPENT", "ROW", "PERIOD", "PROJECT", "INDICATOR",
    "INDICATOR_FIELDS", "SPENDING_FIELDS", "FIELD_LABELS", "MODE_KIND_LABELS", "FieldError", "EntryValueError",
    "field_label", "applicable_fields", "is_blank", "parse_number", "check_number_range", "parse_date",
    "format_number", "format_date", "shown", "MAX_NUMBER", "DATE_HINT",
    "parse_judgement", "judgement_wording", "parse_likelihood", "parse_reasons", "join_reasons", "split_reasons", "clean_text",
    "IndicatorValues", "IndicatorRowCheck", "check_indicator_row", "SpendingValues", "SpendingRowCheck",
    "check_spending_row", "describe_errors",
]
