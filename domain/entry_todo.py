"""What one 填报 row still needs, in the grid's own words, from what is stored or being typed.

Pure code. The rule of what must be filled is ``domain.status.explanation_requirements`` (through
``domain.entry.check_indicator_row`` / ``check_spending_row``); this module only says which of the
required cells are still empty, which cells hold something refused, and what a choice not yet made
would add.

Definitions chosen here:

* **Every requirement at once.** An amber/red row lists 偏差原因, 说明 and 完成可能性 together; while
  完成可能性 is still open the hint says that 有可能 / 完全不可能 also need 纠偏措施, and once one of
  those is chosen 纠偏措施 is listed itself.
* **The grid's words.** A missing value is 当前完成值 for a numeric indicator and 完成情况 for a
  deadline or qualitative one (a deadline row also takes 完成日期, which sets 完成情况 to 达成);
  spending is 累计支出（万元）. The stored-data frame's word 当前值 is never shown.
* **To fix.** A cell whose content is refused (not a number, out of range, too long, contradictory)
  is listed after 须改正; a row that cannot be read has no status, so its requirements are not
  guessed.
* **Evidence.** When a rule of ``domain.evidence`` asks the row for a file and none is attached for
  the period (``evidence_files`` = 0), 佐证材料 is listed last; it is filled by uploading a file in the
  佐证材料 panel, not in the grid. ``evidence_files=None`` (not known) asks nothing.
* A row **needs work** (the 只看待填/须补充 filter) when something is to fill or to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain import entry as E
from domain.evidence import EVIDENCE_WORD, evidence_missing, evidence_rules
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import (
    ACCUMULATING,
    CAP,
    LEVEL,
    MISSING,
    ExplanationRequirements,
    IndicatorInput,
    ProjectInput,
    evaluate_budget,
)
from domain.status_marks import status_text

NUMERIC_MODES = (ACCUMULATING, LEVEL, CAP)
SPENT_WORD = "累计支出（万元）"
MEASURES_HINT = "选“有可能”或“完全不可能”还须填纠偏措施"


def value_word(mode: str | None) -> str:
    """The grid column a missing value of this indicator kind is typed into."""
    if mode is None:
        return SPENT_WORD
    return E.field_label(E.ACTUAL) if mode in NUMERIC_MODES else E.field_label(E.JUDGEMENT)


@dataclass(frozen=True, slots=True)
class RowTodo:
    """What a row still needs: columns to fill, columns to fix, a hint, and the live status."""

    fill: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    hint: str = ""
    status: str | None = None  # None when a value could not be read
    reason: str = ""

    @property
    def open(self) -> bool:
        return bool(self.fill or self.fix)

    def text(self) -> str:
        """The 须填写 cell: ``偏差原因、说明、完成可能性（选“有可能”…）；须改正：当前完成值``."""
        parts = "、".join(self.fill)
        if self.hint and self.fill:
            parts += f"（{self.hint}）"
        if self.fix:
            parts += ("；" if parts else "") + "须改正：" + "、".join(self.fix)
        return parts

    @property
    def status_label(self) -> str:
        return status_text(self.status) if self.status else ""


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, tuple)) and not v)


def still_required(req: ExplanationRequirements, values: E.IndicatorValues, mode: str) -> tuple[tuple[str, ...], str]:
    """(the required columns still empty, the hint about 纠偏措施) for typed or stored values."""
    fill: list[str] = []
    if req.value and not values.value_entered:
        fill.append(value_word(mode))
    if req.reasons and _blank(values.reasons):
        fill.append(E.field_label(E.REASONS))
    if req.explanation and _blank(values.explanation):
        fill.append(E.field_label(E.EXPLANATION))
    if req.likelihood and _blank(values.likelihood):
        fill.append(E.field_label(E.LIKELIHOOD))
    if req.measures and _blank(values.measures):
        fill.append(E.field_label(E.MEASURES))
    hint = MEASURES_HINT if req.likelihood and _blank(values.likelihood) and not req.measures else ""
    return tuple(fill), hint


def _fix_words(errors: list[E.FieldError], mode: str | None, filled: set[str]) -> tuple[str, ...]:
    """Columns holding refused content, once each, in the grid's words (requirements excluded)."""
    out: list[str] = []
    for e in errors:
        word = E.field_label(e.field) if e.field != E.ROW else "整行"
        if e.field == E.ACTUAL and mode is not None and mode not in NUMERIC_MODES:
            word = value_word(mode)
        if word not in out and word not in filled:
            out.append(word)
    return tuple(out)


def indicator_todo(raw: Mapping[str, Any], template: IndicatorInput, as_of: date,
                   settings: Settings = DEFAULT_SETTINGS, year: int | None = None,
                   evidence_files: int | None = None) -> RowTodo:
    """What an indicator row still needs with these values (field key -> stored or typed value);
    ``evidence_files``: how many files are attached to it for the period (None: not known)."""
    check = E.check_indicator_row(raw, template, as_of, settings, year)
    if check.status is None or check.requirements is None:
        return RowTodo(fix=_fix_words(check.errors, check.mode, set()))
    fill, hint = still_required(check.requirements, check.values, check.mode)
    if evidence_files is not None:
        v = check.values
        if evidence_missing(evidence_rules(settings, check.mode, v.actual_judgement, v.actual_date,
                                           check.status.status), evidence_files):
            fill += (EVIDENCE_WORD,)
    required_errors = {E.REASONS, E.EXPLANATION, E.LIKELIHOOD, E.MEASURES}
    others = [e for e in check.errors if e.field not in required_errors and not (
        check.requirements.value and not check.values.value_entered and e.message.endswith("须填写"))]
    return RowTodo(fill, _fix_words(others, check.mode, set(fill)), hint, check.status.status, check.status.reason)


def spending_todo(raw: Mapping[str, Any], template: ProjectInput, as_of: date,
                  settings: Settings = DEFAULT_SETTINGS, year: int | None = None,
                  previous_spent: float | None = None) -> RowTodo:
    """What a spending row still needs with these values."""
    check = E.check_spending_row(raw, template, as_of, settings, year, previous_spent)
    unread = [e for e in check.errors if e.field in (E.SPENT, E.PROJECTED_SPENT) and not _blank(raw.get(e.field))]
    if unread:
        return RowTodo(fix=_fix_words(unread, None, set()))
    if check.status is None:  # no cumulative spending typed or stored
        bs = evaluate_budget(template, as_of, settings, year)
        typed = not all(_blank(raw.get(k)) for k in E.SPENDING_FIELDS)
        need = bs.status == MISSING or typed
        return RowTodo(fill=(SPENT_WORD,) if need else (), status=bs.status, reason=bs.reason)
    fill = (E.field_label(E.EXPLANATION),) if check.explanation_required and not check.values.explanation else ()
    others = [e for e in check.errors if e.field != E.EXPLANATION or not fill]
    return RowTodo(fill, _fix_words(others, None, set(fill)), "；".join(check.why) if fill else "",
                   check.status.status, check.status.reason)


__all__ = ["RowTodo", "value_word", "still_required", "indicator_todo", "spending_todo", "MEASURES_HINT",
           "SPENT_WORD"]
