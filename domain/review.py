"""The reporting chain (送审 → 审核 → 退回 / 通过 → 上报): states per project and period, who may move a
project from one state to the next, and what a state means for editing.

Pure code: no Streamlit, no database. The data layer (``data_access.review``) loads the stored state,
asks :func:`transition` whether an action is allowed, and enforces :func:`edit_refusal` in the one save
path of reported values.

Definitions chosen here:

* **States** (per project and reporting period): 填报中 (``draft``, also a project nobody submitted
  yet), 已送审 (``submitted``), 已初审 (``checked``, only with two review levels), 已通过
  (``approved``) and 已退回 (``returned``: back with the reviewer's reason, editable like 填报中).
* **Actions**: 送审 (draft/returned → submitted; staff of the project's unit or the admin), 撤回送审
  (submitted → draft; the same people, before anybody reviewed), 审核通过 (one level up: submitted →
  approved, or with two levels submitted → checked → approved), 退回 (submitted/checked → returned, at
  least one item each with a comment), 重新开放 (approved → draft, the admin, with a reason).
* **Review levels** (setting ``review_levels``, 1 by default): with 2, a 科长 — a staff account marked
  as unit reviewer — does the first level for the projects of their units; the admin (绩效/财务) may act
  at either level. Leaders never act.
* **Editing**: approved values are read-only for everybody until the admin reopens them; while a
  project is submitted or checked its staff cannot change it (they withdraw first); the admin can, and
  such a change is caught at approval (:func:`changed_since_submission`), never silently approved.
* A project's review for a period also covers the other periods whose values speak for a date inside
  it (a quarter its months, a month the quarter ending with it), as locks do (``domain.periods``).
* **Items** a reviewer can return or comment on are keyed ``kind:id`` (:func:`item_key`); the kinds
  are in :data:`ITEM_KINDS`, so another kind of reviewed item (an adjustment, an attachment) is one more
  entry there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.periods import locked_by

DRAFT = "draft"
SUBMITTED = "submitted"
CHECKED = "checked"
APPROVED = "approved"
RETURNED = "returned"
STATES = (DRAFT, SUBMITTED, CHECKED, APPROVED, RETURNED)
STATE_LABELS: dict[str, str] = {DRAFT: "填报中", SUBMITTED: "已送审", CHECKED: "已初审", APPROVED: "已通过",
                                RETURNED: "已退回"}
PENDING_REVIEW = (SUBMITTED, CHECKED)  # waiting for a reviewer

SUBMIT = "submit"
WITHDRAW = "withdraw"
APPROVE = "approve"
RETURN = "return"
REOPEN = "reopen"
ACTIONS = (SUBMIT, WITHDRAW, APPROVE, RETURN, REOPEN)
ACTION_LABELS: dict[str, str] = {SUBMIT: "送审", WITHDRAW: "撤回送审", APPROVE: "审核通过", RETURN: "退回",
                                 REOPEN: "重新开放审核"}

APPROVED_MARK = "已审核"
UNAPPROVED_MARK = "未审核"

INDICATOR_ITEM = "indicator"
SPENDING_ITEM = "spending"
ITEM_KINDS: dict[str, str] = {INDICATOR_ITEM: "指标", SPENDING_ITEM: "预算执行"}

DEFAULT_LEVELS = 1
MAX_LEVELS = 2


class ReviewRefused(ValueError):
    """An action not allowed in this state or for this person; ``str(e)`` is one Chinese sentence."""


class ReviewForbidden(ReviewRefused):
    """The action is not this person's to take (the data layer raises it as ``PermissionDenied``)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, as the rules need it: the role, whether the project is in one of their units, and
    whether they are a 科长 (first-level reviewer of their units)."""

    role: str  # admin | leader | staff
    owns_project: bool = False
    unit_reviewer: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def state_label(state: str | None) -> str:
    return STATE_LABELS.get(state or DRAFT, state or "")


def review_mark(state: str | None) -> str:
    """What leadership tables print beside a figure: 已审核 for approved, 未审核 for everything else."""
    return APPROVED_MARK if state == APPROVED else UNAPPROVED_MARK


def item_key(kind: str, item_id: int) -> str:
    """``indicator:12`` / ``spending:5`` (the spending row of project 5)."""
    return f"{kind}:{int(item_id)}"


def parse_item_key(key: str) -> tuple[str, int]:
    kind, _, rest = (key or "").partition(":")
    if kind not in ITEM_KINDS or not rest.strip().lstrip("-").isdigit():
        raise ValueError(f"无法识别的审核事项：{key}")
    return kind, int(rest)


def levels_of(value: object) -> int:
    """The review-level setting as 1 or 2 (anything else falls back to one level)."""
    return MAX_LEVELS if value == MAX_LEVELS or value == str(MAX_LEVELS) else DEFAULT_LEVELS


def _may_edit_as_unit(actor: Actor) -> bool:
    return actor.is_admin or (actor.role == "staff" and actor.owns_project)


def _may_review(actor: Actor, state: str, levels: int) -> bool:
    if actor.is_admin:
        return True
    return levels == MAX_LEVELS and state == SUBMITTED and actor.role == "staff" and actor.unit_reviewer \
        and actor.owns_project


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ReviewRefused(message)


def _allow(ok: bool, message: str) -> None:
    if not ok:
        raise ReviewForbidden(message)


def transition(state: str | None, action: str, actor: Actor, levels: int = DEFAULT_LEVELS) -> str:
    """The state after ``action``: :class:`ReviewForbidden` when it is not this person's to take,
    :class:`ReviewRefused` when the project's state does not allow it (the person is checked first)."""
    state = state or DRAFT
    label = STATE_LABELS.get(state, state)
    _allow(actor.role != "leader", "没有权限：领导账户为只读，不能送审或审核")
    if action in (SUBMIT, WITHDRAW):
        verb = "送审" if action == SUBMIT else "撤回"
        _allow(_may_edit_as_unit(actor), f"没有权限：只能{verb}本单位的项目")
        if action == SUBMIT:
            _require(state in (DRAFT, RETURNED), f"项目{label}，不能再次送审")
            return SUBMITTED
        _require(state == SUBMITTED, f"项目{label}，不能撤回" + ("（已有审核人处理）" if state == CHECKED else ""))
        return DRAFT
    if action in (APPROVE, RETURN):
        first_level = levels == MAX_LEVELS and actor.unit_reviewer and actor.owns_project
        _allow(actor.is_admin or first_level, "没有权限：审核须由管理员（绩效/财务）进行"
               + ("，或由本单位科长初审" if levels == MAX_LEVELS else ""))
        _require(state in PENDING_REVIEW, f"项目{label}，不在待审核状态")
        _allow(_may_review(actor, state, levels), "没有权限：科长已初审，须由管理员（绩效/财务）审核")
        if action == RETURN:
            return RETURNED
        return CHECKED if levels == MAX_LEVELS and state == SUBMITTED else APPROVED
    if action == REOPEN:
        _allow(actor.is_admin, "没有权限：只有审核人（管理员）可以重新开放已通过的数据")
        _require(state == APPROVED, f"项目{label}，无需重新开放")
        return DRAFT
    raise ReviewRefused(f"未知的审核操作：{action}")


def allowed_actions(state: str | None, actor: Actor, levels: int = DEFAULT_LEVELS) -> list[str]:
    """The actions ``actor`` may take now (for showing buttons; the data layer asks again)."""
    out = []
    for action in ACTIONS:
        try:
            transition(state, action, actor, levels)
        except ReviewRefused:
            continue
        out.append(action)
    return out


def edit_refusal(state: str | None, is_admin: bool) -> str | None:
    """Why values of a project in ``state`` cannot be changed by this person, or None when they can."""
    if state == APPROVED:
        return "已审核通过，只读；如需修改请审核人（管理员）重新开放"
    if state in PENDING_REVIEW and not is_admin:
        return f"{STATE_LABELS[state]}，审核期间不能修改；如需修改请先撤回送审或等待审核结果"
    return None


def covering_state(code: str, states: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(state, period code) of the review that governs editing period ``code`` of one project, given the
    project's review states by period code: the period's own review, else an approved or pending review
    of a period covering it (``domain.periods.locked_by``). (None, None) when nothing governs it."""
    frozen = [c for c, st in states.items() if st == APPROVED or st in PENDING_REVIEW]
    for c in locked_by(code, frozen):
        return states[c], c
    own = states.get(code)
    return (own, code) if own is not None else (None, None)


def reason_required(action: str, reason: str) -> None:
    """退回 and 重新开放 need words; raises :class:`ReviewRefused`."""
    if action in (RETURN, REOPEN) and not (reason or "").strip():
        raise ReviewRefused("退回须对每个事项填写意见" if action == RETURN else "重新开放须填写原因")


def changed_since_submission(submitted: Mapping[str, int], current: Mapping[str, int]) -> list[str]:
    """The item keys whose stored version differs from the one recorded at submission (a value added,
    changed or removed since), in key order. Empty: what the reviewer approves is what was submitted."""
    keys = set(submitted) | set(current)
    return sorted(k for k in keys if int(submitted.get(k, 0)) != int(current.get(k, 0)))


def gaps_message(gaps: Iterable[str], limit: int = 20) -> str:
    """The refusal of a submission with gaps: what is missing, item by item (the first ``limit``)."""
    items = list(gaps)
    shown = "；".join(items[:limit]) + (f"；另有{len(items) - limit}项" if len(items) > limit else "")
    return f"尚有{len(items)}项未填写齐全，不能送审：{shown}"


__all__ = [
    "DRAFT", "SUBMITTED", "CHECKED", "APPROVED", "RETURNED", "STATES", "STATE_LABELS", "PENDING_REVIEW",
    "SUBMIT", "WITHDRAW", "APPROVE", "RETURN", "REOPEN", "ACTIONS", "ACTION_LABELS", "APPROVED_MARK",
    "UNAPPROVED_MARK", "INDICATOR_ITEM", "SPENDING_ITEM", "ITEM_KINDS", "DEFAULT_LEVELS", "MAX_LEVELS",
    "ReviewRefused", "ReviewForbidden", "Actor", "state_label", "review_mark", "item_key", "parse_item_key", "levels_of",
    "transition", "allowed_actions", "edit_refusal", "covering_state", "reason_required",
    "changed_since_submission", "gaps_message",
]
