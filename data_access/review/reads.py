"""What the pages read about the chain: each project's state, the reviewer's queue, the returned items.

Definitions chosen here:

* A project without a review row for a period is 填报中 (round 0).
* The **queue** of a reviewer is every project waiting for them: for the admin everything 已送审 or
  已初审; for a 科长 (two levels) the 已送审 projects of their units. Oldest submission first.
* The **returned items** of a 已退回 project are the 退回 comments of its latest round.
* Reads take a fixed number of queries whatever the number of projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from data_access.actuals.access import settings_of
from data_access.actuals.periods import period_label
from data_access.models import FiscalYear, Indicator, Period, Project, ProjectReview, ReviewComment, Unit, User
from data_access.permissions import Principal, visible_project_filter
from data_access.review.states import edit_refusals
from domain import review as R
from domain.clock import aware, format_time

QUEUE_COLUMNS = ["_project_id", "_round", "_period", "填报期", "项目", "责任单位", "审核状态", "送审人", "送审时间", "送审次数"]


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """Where one project stands for one period."""

    project_id: int
    period_code: str
    state: str = R.DRAFT
    round: int = 0
    reason: str = ""
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    returned: dict[str, str] = field(default_factory=dict)  # item key -> comment (已退回 only)

    @property
    def label(self) -> str:
        return R.state_label(self.state)


def project_states(engine: Engine, principal: Principal | None, period_code: str,
                   project_ids: Sequence[int] | None = None) -> dict[int, ReviewInfo]:
    """Project id -> its review of ``period_code``, for the projects the principal may see (optionally
    only ``project_ids``); projects never submitted are 填报中."""
    with Session(engine) as s:
        q = select(Project.id).join(Period, Period.fiscal_year_id == Project.fiscal_year_id).where(
            Period.code == period_code)
        f = visible_project_filter(principal)
        if f is not None:
            q = q.where(f)
        if project_ids is not None:
            q = q.where(Project.id.in_(list(project_ids)))
        ids = list(s.execute(q).scalars())
        rows = {r.project_id: r for r in s.execute(select(ProjectReview).where(
            ProjectReview.project_id.in_(ids), ProjectReview.period_code == period_code)).scalars()} if ids else {}
        returned: dict[int, dict[str, str]] = {}
        back = [pid for pid, r in rows.items() if r.state == R.RETURNED]
        if back:
            for c in s.execute(select(ReviewComment).where(
                ReviewComment.project_id.in_(back), ReviewComment.period_code == period_code,
                ReviewComment.kind == "return").order_by(ReviewComment.id)).scalars():
                if c.round == rows[c.project_id].round:
                    returned.setdefault(c.project_id, {})[c.item_key] = c.text
    out = {}
    for pid in ids:
        r = rows.get(pid)
        out[pid] = ReviewInfo(pid, period_code) if r is None else ReviewInfo(
            pid, period_code, r.state, r.round, r.reason, r.submitted_by, aware(r.submitted_at), r.decided_by,
            aware(r.decided_at), returned.get(pid, {}))
    return out


def is_unit_reviewer(engine: Engine, principal: Principal | None) -> bool:
    """A 科长 who reviews first, when two review levels are set."""
    if principal is None or not principal.is_staff or principal.system:
        return False
    with Session(engine) as s:
        if R.levels_of(settings_of(s).review_levels) != R.MAX_LEVELS:
            return False
        return bool(s.execute(select(User.unit_reviewer).where(User.username == principal.username)).scalar())


def review_levels(engine: Engine) -> int:
    with Session(engine) as s:
        return R.levels_of(settings_of(s).review_levels)


def review_queue(engine: Engine, principal: Principal | None, year: int | None = None,
                 period_code: str | None = None) -> pd.DataFrame:
    """The projects waiting for this reviewer (see the module docstring), oldest submission first."""
    if principal is None or not (principal.is_admin or is_unit_reviewer(engine, principal)):
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    states = list(R.PENDING_REVIEW) if principal.is_admin else [R.SUBMITTED]
    with Session(engine) as s:
        q = (select(ProjectReview, Project.name, Unit.name, User.name)
             .join(Project, Project.id == ProjectReview.project_id)
             .join(FiscalYear, FiscalYear.id == Project.fiscal_year_id)
             .outerjoin(Unit, Unit.id == Project.unit_id)
             .outerjoin(User, User.username == ProjectReview.submitted_by)
             .where(ProjectReview.state.in_(states)))
        if year is not None:
            q = q.where(FiscalYear.year == year)
        if period_code:
            q = q.where(ProjectReview.period_code == period_code)
        f = visible_project_filter(principal)
        if f is not None:
            q = q.where(f)
        rows = s.execute(q.order_by(ProjectReview.submitted_at, ProjectReview.id)).all()
    return pd.DataFrame([{
        "_project_id": r.project_id, "_round": r.round, "_period": r.period_code, "填报期": period_label(r.period_code),
        "项目": name, "责任单位": unit or "", "审核状态": R.state_label(r.state),
        "送审人": who or r.submitted_by or "", "送审时间": format_time(r.submitted_at), "送审次数": r.round,
    } for r, name, unit, who in rows], columns=QUEUE_COLUMNS)


def approved_projects(engine: Engine, period_codes: Sequence[str]) -> set[int]:
    """The projects approved for any of ``period_codes``."""
    with Session(engine) as s:
        return set(s.execute(select(ProjectReview.project_id).where(
            ProjectReview.period_code.in_(list(period_codes)), ProjectReview.state == R.APPROVED)).scalars())





def item_labels(engine: Engine, project_ids: Sequence[int]) -> dict[str, str]:
    """Item key -> how people name it: ``预算执行`` for a spending row, the 三级指标 for an indicator (in
    document order, spending first per project)."""
    ids = sorted(set(int(i) for i in project_ids))
    out: dict[str, str] = {}
    if not ids:
        return out
    with Session(engine) as s:
        inds = s.execute(select(Indicator.id, Indicator.project_id, Indicator.level3).where(
            Indicator.project_id.in_(ids)).order_by(Indicator.project_id, Indicator.seq)).all()
    by_project: dict[int, list[tuple[int, str]]] = {}
    for iid, pid, level3 in inds:
        by_project.setdefault(pid, []).append((iid, level3))
    for pid in ids:
        out[R.item_key(R.SPENDING_ITEM, pid)] = R.ITEM_KINDS[R.SPENDING_ITEM]
        for iid, level3 in by_project.get(pid, []):
            out[R.item_key(R.INDICATOR_ITEM, iid)] = level3
    return out


def frozen_projects(engine: Engine, principal: Principal | None, period_code: str,
                    project_ids: Sequence[int]) -> dict[int, str]:
    """Project id -> why the principal cannot change its values of the period now (the same rule the
    save path enforces, ``states.edit_refusals``); editable projects are absent."""
    if principal is None or not project_ids:
        return {}
    with Session(engine) as s:
        period = s.execute(select(Period).where(Period.code == period_code)).scalar_one_or_none()
        if period is None:
            return {}
        return edit_refusals(s, principal, project_ids, period, lock=False)


__all__ = ["ReviewInfo", "QUEUE_COLUMNS", "project_states", "is_unit_reviewer", "review_levels", "review_queue",
           "approved_projects", "item_labels", "frozen_projects"]
