"""The reporting chain's rules (domain.review): every transition by state and person, what editing a
project in each state means, covering periods, and the fingerprint comparison."""

from __future__ import annotations

import pytest

from domain import review as R

STAFF_OWN = R.Actor("staff", owns_project=True)
STAFF_OTHER = R.Actor("staff", owns_project=False)
CHIEF = R.Actor("staff", owns_project=True, unit_reviewer=True)
CHIEF_OTHER = R.Actor("staff", owns_project=False, unit_reviewer=True)
ADMIN = R.Actor("admin")
LEADER = R.Actor("leader")

ALLOWED = [
    # state, action, actor, levels, new state
    (None, R.SUBMIT, STAFF_OWN, 1, R.SUBMITTED),
    (R.RETURNED, R.SUBMIT, STAFF_OWN, 1, R.SUBMITTED),
    (R.DRAFT, R.SUBMIT, ADMIN, 1, R.SUBMITTED),
    (R.SUBMITTED, R.WITHDRAW, STAFF_OWN, 1, R.DRAFT),
    (R.SUBMITTED, R.APPROVE, ADMIN, 1, R.APPROVED),
    (R.SUBMITTED, R.RETURN, ADMIN, 1, R.RETURNED),
    (R.SUBMITTED, R.APPROVE, CHIEF, 2, R.CHECKED),
    (R.SUBMITTED, R.RETURN, CHIEF, 2, R.RETURNED),
    (R.SUBMITTED, R.APPROVE, ADMIN, 2, R.CHECKED),
    (R.CHECKED, R.APPROVE, ADMIN, 2, R.APPROVED),
    (R.CHECKED, R.RETURN, ADMIN, 2, R.RETURNED),
    (R.APPROVED, R.REOPEN, ADMIN, 1, R.DRAFT),
]

FORBIDDEN = [
    (R.DRAFT, R.SUBMIT, LEADER, 1),
    (R.DRAFT, R.SUBMIT, STAFF_OTHER, 1),
    (R.SUBMITTED, R.APPROVE, STAFF_OWN, 1),
    (R.SUBMITTED, R.APPROVE, LEADER, 1),
    (R.SUBMITTED, R.APPROVE, CHIEF, 1),  # one level: a 科长 is ordinary staff
    (R.SUBMITTED, R.APPROVE, CHIEF_OTHER, 2),  # not their unit
    (R.CHECKED, R.APPROVE, CHIEF, 2),  # the second level is the admin's
    (R.SUBMITTED, R.RETURN, STAFF_OWN, 1),
    (R.APPROVED, R.REOPEN, STAFF_OWN, 1),
    (R.APPROVED, R.REOPEN, LEADER, 1),
    (R.SUBMITTED, R.WITHDRAW, STAFF_OTHER, 1),
]

WRONG_STATE = [
    (R.SUBMITTED, R.SUBMIT, STAFF_OWN, 1, "不能再次送审"),
    (R.APPROVED, R.SUBMIT, STAFF_OWN, 1, "不能再次送审"),
    (R.CHECKED, R.WITHDRAW, STAFF_OWN, 2, "已有审核人处理"),
    (R.DRAFT, R.APPROVE, ADMIN, 1, "不在待审核状态"),
    (R.RETURNED, R.RETURN, ADMIN, 1, "不在待审核状态"),
    (R.SUBMITTED, R.REOPEN, ADMIN, 1, "无需重新开放"),
]


@pytest.mark.parametrize("state,action,actor,levels,new", ALLOWED)
def test_allowed_transitions(state, action, actor, levels, new):
    assert R.transition(state, action, actor, levels) == new
    assert action in R.allowed_actions(state, actor, levels)


@pytest.mark.parametrize("state,action,actor,levels", FORBIDDEN)
def test_forbidden_for_the_person(state, action, actor, levels):
    with pytest.raises(R.ReviewForbidden, match="没有权限"):
        R.transition(state, action, actor, levels)
    assert action not in R.allowed_actions(state, actor, levels)


@pytest.mark.parametrize("state,action,actor,levels,words", WRONG_STATE)
def test_refused_in_this_state(state, action, actor, levels, words):
    with pytest.raises(R.ReviewRefused, match=words) as e:
        R.transition(state, action, actor, levels)
    assert not isinstance(e.value, R.ReviewForbidden)


@pytest.mark.parametrize("state,is_admin,refused", [
    (None, False, None), (R.DRAFT, False, None), (R.RETURNED, False, None),
    (R.SUBMITTED, False, "已送审，审核期间不能修改"), (R.CHECKED, False, "已初审，审核期间不能修改"),
    (R.SUBMITTED, True, None),  # the admin may correct it; the approval then sees the change
    (R.APPROVED, False, "已审核通过，只读"), (R.APPROVED, True, "已审核通过，只读"),
])
def test_edit_refusal(state, is_admin, refused):
    got = R.edit_refusal(state, is_admin)
    assert (got is None) if refused is None else got.startswith(refused)


@pytest.mark.parametrize("code,states,expected", [
    ("2024Q3", {"2024Q3": R.APPROVED}, (R.APPROVED, "2024Q3")),
    ("2024-09", {"2024Q3": R.APPROVED}, (R.APPROVED, "2024Q3")),  # a quarter covers its months
    ("2024-08", {"2024Q3": R.SUBMITTED}, (R.SUBMITTED, "2024Q3")),
    ("2024Q3", {"2024-09": R.APPROVED}, (R.APPROVED, "2024-09")),  # the month ending it covers the quarter
    ("2024Q3", {"2024-08": R.APPROVED}, (None, None)),
    ("2024Q3", {"2024Q3": R.RETURNED}, (R.RETURNED, "2024Q3")),
    ("2024Q4", {"2024Q3": R.APPROVED}, (None, None)),
])
def test_covering_state(code, states, expected):
    assert R.covering_state(code, states) == expected


def test_changed_since_submission_names_added_changed_and_removed_values():
    submitted = {"indicator:1": 3, "indicator:2": 1, "spending:9": 2}
    current = {"indicator:1": 3, "indicator:2": 2, "indicator:7": 1}
    assert R.changed_since_submission(submitted, current) == ["indicator:2", "indicator:7", "spending:9"]
    assert R.changed_since_submission(submitted, dict(submitted)) == []


def test_item_keys_and_marks():
    assert R.parse_item_key(R.item_key(R.INDICATOR_ITEM, 12)) == ("indicator", 12)
    with pytest.raises(ValueError):
        R.parse_item_key("evidence:x")
    assert R.review_mark(R.APPROVED) == "已审核" and R.review_mark(R.CHECKED) == "未审核"
    assert R.levels_of(2) == 2 and R.levels_of("bogus") == 1
    assert R.gaps_message([f"指标{i}：须填写说明" for i in range(25)], limit=3).endswith("另有22项")
