"""The reporting chain's 待办 providers (``data_access.todo``): what staff, reviewers and leaders have to do.

Definitions chosen here:

* **Staff** (their units' projects, for the period 填报 opens by default): 被退回的事项 (the items of the
  latest 退回, per project), 待填报的事项 (everything the 填报 rules still require, in projects not yet
  submitted), 待送审的项目 (complete but not submitted) and, while any of these remain, the days to the
  填报截止日. Each opens 填报 on that period (on the project when there is one, 只看待填 for the gaps).
* **Reviewers** (the admin; a 科长 when two levels are set): 待审核的项目 of the year, opening 审核.
* **Leaders and the admin**: 红色项目未审核 — projects whose status is red at the period's end and whose
  values (and so their explanation) are not yet approved — opening 风险清单 filtered to red, 未审核.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals.access import load_period
from data_access.models import Project
from data_access.permissions import visible_project_filter
from data_access.review.actions import gaps
from data_access.review.reads import is_unit_reviewer, project_states, review_queue
from data_access.status_store import state
from data_access.status_store.reads import count_projects
from data_access.status_store.scope import Scope
from data_access.todo import TodoScope, provider
from data_access.views.filters import REVIEW_UNAPPROVED, ViewFilters
from domain import review as R
from domain.status import RED
from domain.todo import ERROR, WARNING, TodoItem, deadline_item, query_params


@provider
def staff_items(scope: TodoScope) -> list[TodoItem]:
    p, code = scope.principal, scope.period.code
    if not p.is_staff:
        return []
    states = project_states(scope.engine, p, code)
    if not states:
        return []
    returned = {pid: info for pid, info in states.items() if info.state == R.RETURNED}
    open_ids = [pid for pid, info in states.items() if info.state in (R.DRAFT, R.RETURNED)]
    with Session(scope.engine) as s:
        found = load_period(s, code, lock=False)
        missing = gaps(s, p, open_ids, found[0], found[1]) if found and open_ids else {}
        names: dict[int, str] = dict(s.execute(select(Project.id, Project.name).where(
            Project.id.in_(list(states)))).tuples().all())
    out: list[TodoItem] = []
    n_back = sum(len(info.returned) or 1 for info in returned.values())
    if n_back:
        one = next(iter(returned)) if len(returned) == 1 else None
        out.append(TodoItem("returned", "被退回的事项", n_back, "项", "entry",
                            query_params({"period": code, "project": one}),
                            "、".join(names.get(pid, "") for pid in returned), ERROR))
    n_fill = sum(len(v) for v in missing.values())
    if n_fill:
        with_gaps = [pid for pid, v in missing.items() if v]
        one = with_gaps[0] if len(with_gaps) == 1 else None
        out.append(TodoItem("to_fill", "待填报的事项", n_fill, "项", "entry",
                            query_params({"period": code, "project": one, "open": 1}),
                            f"{len(with_gaps)}个项目尚未填写齐全", WARNING))
    ready = [pid for pid in open_ids if not missing.get(pid)]
    if ready:
        out.append(TodoItem("to_submit", "待送审的项目", len(ready), "个", "entry", query_params({"period": code}),
                            "、".join(names.get(pid, "") for pid in ready[:5]) + ("等" if len(ready) > 5 else "")))
    if out:
        out.append(deadline_item(scope.period.deadline, scope.today, "entry", query_params({"period": code}),
                                 scope.period.label))
    return out


@provider
def reviewer_items(scope: TodoScope) -> list[TodoItem]:
    p = scope.principal
    if not (p.is_admin or is_unit_reviewer(scope.engine, p)):
        return []
    queue = review_queue(scope.engine, p, scope.year)
    if queue.empty:
        return []
    periods = sorted(set(queue["_period"]))
    return [TodoItem("to_review", "待审核的项目", len(queue), "个", "review",
                     query_params({"period": periods[0] if len(periods) == 1 else None}),
                     "最早送审：" + str(queue.iloc[0]["送审时间"]), WARNING)]


@provider
def leader_items(scope: TodoScope) -> list[TodoItem]:
    p = scope.principal
    if not (p.is_leader or p.is_admin):
        return []
    gen = state(scope.engine).active_id
    if gen is None:
        return []
    unit_ids = None if visible_project_filter(p) is None else frozenset(p.unit_ids)
    red = count_projects(scope.engine, Scope(gen, scope.period.end, ViewFilters(review=REVIEW_UNAPPROVED), unit_ids),
                         (RED,))
    if not red:
        return []
    return [TodoItem("red_unapproved", "红色项目未审核", red, "个", "risks",
                     query_params({"year": scope.year, "period": scope.period.code, "status": RED,
                                   "review": "unapproved"}),
                     "状态为红、说明尚未审核通过的项目", ERROR)]


__all__ = ["staff_items", "reviewer_items", "leader_items"]
