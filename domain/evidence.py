"""Which entries need evidence (佐证材料): the rules the admin switches on in 设置.

Pure code. ``domain.entry_todo`` adds :data:`EVIDENCE_WORD` to a row's 须填写 while a rule asks for a
file and none is attached; the file checks themselves are ``domain.evidence_files``.

Definitions chosen here (docs/rules.md §13.2):

* Three rules, each a setting (off by default, so turning the feature on never floods existing data
  with requirements; a bureau switches on what its 财政 spot checks ask for):

  - ``evidence_for_achieved``: a qualitative indicator whose 完成情况 is 达成;
  - ``evidence_for_deadline_done``: a deadline indicator entered as completed (a 完成日期, or 达成);
  - ``evidence_for_blue``: an indicator judged blue (over-achieved) in the period.

* A requirement is met by **at least one file** attached to that indicator for that period, whoever
  uploaded it. Evidence is per period: a file attached in 2024Q2 does not meet 2024Q3's requirement
  (the spot check asks for the material behind the figure reported).
* Spending rows take evidence (vouchers) without a rule requiring it.
"""

from __future__ import annotations

from datetime import date

from domain.evidence_files import MB
from domain.settings import Settings
from domain.status import ACHIEVED, BLUE, MODE_DEADLINE, QUALITATIVE_MODE

EVIDENCE_WORD = "佐证材料"
SPENDING_ITEM = "预算执行"  # what a file attached to a project's spending row is filed under
# one ZIP download holds at most this much (it is built in memory); a larger period is downloaded per unit
ZIP_MAX_BYTES = 500 * MB
RULE_TEXTS = {
    "evidence_for_achieved": "定性指标填报“达成”",
    "evidence_for_deadline_done": "时限指标已完成",
    "evidence_for_blue": "超额完成（蓝）",
}


def evidence_rules(settings: Settings, mode: str | None, judgement: str | None, done: date | None,
                   status: str | None) -> tuple[str, ...]:
    """The settings (keys of :data:`RULE_TEXTS`) that ask this indicator entry for evidence: its mode,
    its entered 完成情况 and completion date, and the status it was judged."""
    out = []
    if settings.evidence_for_achieved and mode == QUALITATIVE_MODE and judgement == ACHIEVED:
        out.append("evidence_for_achieved")
    if settings.evidence_for_deadline_done and mode == MODE_DEADLINE and (done is not None or judgement == ACHIEVED):
        out.append("evidence_for_deadline_done")
    if settings.evidence_for_blue and status == BLUE:
        out.append("evidence_for_blue")
    return tuple(out)


def evidence_missing(rules: tuple[str, ...], files: int) -> bool:
    """A rule asks for evidence and no file is attached."""
    return bool(rules) and files <= 0


def why_text(rules: tuple[str, ...]) -> str:
    """'定性指标填报“达成”须附佐证材料' (the rules joined), '' without a rule."""
    return ("、".join(RULE_TEXTS[r] for r in rules) + f"须附{EVIDENCE_WORD}") if rules else ""


def size_text(n: int) -> str:
    """'7 KB', '3.4 MB' (at least 1 KB for a non-empty file)."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{max(1, round(n / 1024)) if n else 0} KB"


def max_bytes(settings: Settings) -> int:
    """The per-file limit in bytes (setting ``evidence_max_mb``)."""
    return int(float(settings.evidence_max_mb) * MB)


__all__ = ["EVIDENCE_WORD", "SPENDING_ITEM", "ZIP_MAX_BYTES", "RULE_TEXTS", "evidence_rules", "evidence_missing",
           "why_text", "size_text", "max_bytes"]
