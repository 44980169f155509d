"""Reading review states inside a transaction: what governs editing, the fingerprint of a submission, and
who the acting person is for the rules of ``domain.review``.

Definitions chosen here:

* The review rows that govern period ``C`` of a project are its own and those of the periods covering
  ``C`` (``domain.review.covering_state``); they are read with a shared row lock (PostgreSQL ``FOR
  SHARE``) by every save, and an approval locks its row for update, so a save and an approval of the
  same project never interleave: the save waits and then sees 已通过, or the approval waits and then
  sees the new version.
* The **fingerprint** of a project and period is the stored ``version`` of each of its values
  (indicator rows and the spending row of exactly that period code), keyed by ``domain.review.item_key``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from data_access.models import Indicator, IndicatorActual, Period, Project, ProjectReview, SpendingActual, User
from data_access.permissions import Principal
from domain import review as R


def year_codes(s: Session, fiscal_year_id: int) -> list[str]:
    return list(s.execute(select(Period.code).where(Period.fiscal_year_id == fiscal_year_id)).scalars())


def review_rows(s: Session, project_ids: Iterable[int], codes: Iterable[str], *, lock: str = "") -> list[ProjectReview]:
    """The review rows of these projects and periods, in id order; ``lock`` 'share' / 'update' takes row
    locks on PostgreSQL (SQLite: the writer already holds the database lock)."""
    ids, codes = sorted(set(project_ids)), sorted(set(codes))
    if not ids or not codes:
        return []
    q = (select(ProjectReview).where(ProjectReview.project_id.in_(ids), ProjectReview.period_code.in_(codes))
         .order_by(ProjectReview.id))
    if lock and s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(read=(lock == "share"))
    return list(s.execute(q).scalars())


def governing(s: Session, project_ids: Iterable[int], period: Period, *, lock: bool) -> dict[int, tuple[str, str]]:
    """Project id -> (state, period code) of the review that governs editing ``period`` (only projects
    with one)."""
    by_project: dict[int, dict[str, str]] = defaultdict(dict)
    for r in review_rows(s, project_ids, year_codes(s, period.fiscal_year_id), lock="share" if lock else ""):
        by_project[r.project_id][r.period_code] = r.state
    out: dict[int, tuple[str, str]] = {}
    for pid, states in by_project.items():
        state, code = R.covering_state(period.code, states)
        if state is not None and code is not None:
            out[pid] = (state, code)
    return out


def edit_refusals(s: Session, p: Principal, project_ids: Iterable[int], period: Period, *, lock: bool
                  ) -> dict[int, str]:
    """Project id -> why ``p`` cannot change its values of ``period`` now (approved, or under review for
    staff); projects that may be changed are absent."""
    out: dict[int, str] = {}
    for pid, (state, code) in governing(s, project_ids, period, lock=lock).items():
        why = R.edit_refusal(state, p.is_admin)
        if why:
            out[pid] = why if code == period.code else f"{why}（随{code}的审核）"
    return out


def fingerprint(s: Session, project_id: int, period_code: str) -> dict[str, int]:
    """The stored version of every value of one project and period (see the module docstring)."""
    out = {R.item_key(R.INDICATOR_ITEM, iid): int(v) for iid, v in s.execute(
        select(IndicatorActual.indicator_id, IndicatorActual.version)
        .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
        .where(Indicator.project_id == project_id, IndicatorActual.period_code == period_code))}
    for v in s.execute(select(SpendingActual.version).where(SpendingActual.project_id == project_id,
                                                            SpendingActual.period_code == period_code)).scalars():
        out[R.item_key(R.SPENDING_ITEM, project_id)] = int(v)
    return out


def actor_for(s: Session, p: Principal, project_unit_id: int | None) -> R.Actor:
    """The rules' view of ``p`` acting on a project of that unit (the 科长 flag read from the account)."""
    owns = project_unit_id is not None and project_unit_id in p.unit_ids
    reviewer = False
    if p.is_staff and not p.system:
        reviewer = bool(s.execute(select(User.unit_reviewer).where(User.username == p.username)).scalar())
    return R.Actor(role=p.role, owns_project=owns, unit_reviewer=reviewer)


def check_item(s: Session, project_id: int, key: str) -> None:
    """``ValueError`` (Chinese) unless the item key names a value of this project."""
    kind, item_id = R.parse_item_key(key)
    if kind == R.SPENDING_ITEM and item_id != project_id:
        raise ValueError("预算执行事项须属于该项目")
    if kind == R.INDICATOR_ITEM:
        owner = s.execute(select(Indicator.project_id).where(Indicator.id == item_id)).scalar()
        if owner != project_id:
            raise ValueError(f"指标{item_id}不属于该项目")


def project_of(s: Session, project_id: int) -> Project:
    pr = s.get(Project, project_id)
    if pr is None:
        raise R.ReviewRefused(f"编号{project_id}的项目不存在")
    return pr


__all__ = ["year_codes", "review_rows", "governing", "edit_refusals", "fingerprint", "actor_for", "check_item",
           "project_of"]
