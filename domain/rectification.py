"""整改 (rectification): the states of an item and who moves it from one to the next.

Pure code. ``data_access.rectification`` checks every write against :func:`next_state` and the
``check_*`` functions inside its transaction; pages only offer the actions :func:`actions_for` allows.

Definitions chosen here (docs/rules.md §14):

* **States**: 待整改 (``open``: raised, waiting for the owner unit), 待核验 (``answered``: the unit
  reported its measures and result), 已退回 (``returned``: the admin found the answer insufficient and
  sent it back, with a note), 已销号 (``closed``: the admin verified the result). Every state but
  已销号 is *open*: it shows on 项目详情, in the risk list, in 待办 and in the next 监控报告.
* **Moves**: the admin raises an item (requirement, owner unit, deadline); the owner unit's staff (or
  the admin on its behalf) answer an open or returned item — and may correct their answer while it
  waits for verification; the admin closes an answered item (a verification note is optional) or
  returns it (a note is required). A closed item is final: a new problem gets a new item.
* **One open item per matter**: a project's budget row, an indicator or the project as a whole has at
  most one open item at a time (a second click in a meeting does not raise a duplicate).
* **Deadline**: a date, not before the day the item is raised; an item still open after its deadline
  is 逾期 (overdue), counted in days.
* Texts (requirement, measures, result, notes) are trimmed, invisible characters stripped, at most
  :data:`MAX_TEXT` characters; requirement, measures and result must not be empty.
"""

from __future__ import annotations

from datetime import date

from domain.hygiene import HygieneError, clean_long_text

OPEN, ANSWERED, RETURNED, CLOSED = "open", "answered", "returned", "closed"
STATES = (OPEN, RETURNED, ANSWERED, CLOSED)
STATE_LABELS = {OPEN: "待整改", ANSWERED: "待核验", RETURNED: "已退回", CLOSED: "已销号"}
OPEN_STATES = frozenset({OPEN, ANSWERED, RETURNED})

CREATE, ANSWER, CLOSE, RETURN = "create", "answer", "close", "return"
ACTION_LABELS = {CREATE: "提出整改", ANSWER: "反馈整改情况", CLOSE: "核验销号", RETURN: "退回重改"}
# (state, action) -> the state after it
MOVES: dict[tuple[str, str], str] = {
    (OPEN, ANSWER): ANSWERED,
    (RETURNED, ANSWER): ANSWERED,
    (ANSWERED, ANSWER): ANSWERED,
    (ANSWERED, CLOSE): CLOSED,
    (ANSWERED, RETURN): RETURNED,
}
ADMIN_ACTIONS = frozenset({CREATE, CLOSE, RETURN})  # the owner unit's staff may only answer
SOURCES = {"status": "红黄事项", "risks": "风险清单", "meeting": "会议模式", "project": "项目详情"}
MAX_TEXT = 1000
TARGET_BUDGET = "预算执行"
TARGET_PROJECT = "项目整体"


class RectificationError(ValueError):
    """A move the rules do not allow, or a text they refuse; ``str(e)`` is Chinese."""


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def next_state(state: str, action: str) -> str:
    """The state after ``action``; :class:`RectificationError` when the move is not allowed."""
    after = MOVES.get((state, action))
    if after is None:
        label = STATE_LABELS.get(state, state)
        raise RectificationError(f"该整改事项当前为“{label}”，不能{ACTION_LABELS.get(action, action)}")
    return after


def actions_for(state: str, *, is_admin: bool, is_owner: bool) -> tuple[str, ...]:
    """The actions a person may take on an item in ``state``: the admin answers, closes and returns;
    the owner unit's staff answer."""
    out = []
    for (s, action), _after in MOVES.items():
        if s != state or action in out:
            continue
        if is_admin or (action not in ADMIN_ACTIONS and is_owner):
            out.append(action)
    return tuple(out)


def _text(value: object, label: str, required: bool) -> str:
    try:
        text = clean_long_text(value, label, MAX_TEXT)
    except HygieneError as e:
        raise RectificationError(str(e)) from e
    if required and not text:
        raise RectificationError(f"{label}须填写")
    return text


def check_create(requirement: object, deadline: date | None, today: date) -> str:
    """The cleaned requirement; refuses an empty requirement or a deadline missing or before ``today``."""
    text = _text(requirement, "整改要求", True)
    if deadline is None:
        raise RectificationError("整改期限须填写")
    if deadline < today:
        raise RectificationError(f"整改期限（{deadline.isoformat()}）不能早于今天（{today.isoformat()}）")
    return text


def check_answer(measures: object, result: object) -> tuple[str, str]:
    """The cleaned (整改措施, 整改结果); both required."""
    return _text(measures, "整改措施", True), _text(result, "整改结果", True)


def check_note(note: object, action: str) -> str:
    """The admin's note: required to return an item, optional to close it."""
    return _text(note, "退回原因" if action == RETURN else "核验意见", action == RETURN)


def overdue_days(deadline: date, state: str, today: date) -> int:
    """Days past the deadline of an open item (0 when not overdue or closed)."""
    return max(0, (today - deadline).days) if is_open(state) else 0


def due_text(deadline: date, state: str, today: date) -> str:
    """'逾期3天', '今天到期', '还剩12天' for an open item; '' for a closed one."""
    if not is_open(state):
        return ""
    days = (deadline - today).days
    if days < 0:
        return f"逾期{-days}天"
    return "今天到期" if days == 0 else f"还剩{days}天"


__all__ = ["OPEN", "ANSWERED", "RETURNED", "CLOSED", "STATES", "STATE_LABELS", "OPEN_STATES", "CREATE", "ANSWER",
           "CLOSE", "RETURN", "ACTION_LABELS", "MOVES", "ADMIN_ACTIONS", "SOURCES", "MAX_TEXT", "TARGET_BUDGET",
           "TARGET_PROJECT", "RectificationError", "is_open", "next_state", "actions_for", "check_create",
           "check_answer", "check_note", "overdue_days", "due_text"]
