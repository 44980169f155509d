"""The moves of the reporting chain: 送审, 撤回送审, 审核通过, 退回, 重新开放.

Definitions chosen here:

* Every move takes the acting principal, re-reads it in its own transaction (``data_access.acting``),
  asks ``domain.review.transition`` whether it is allowed (a refusal for the person is raised as
  ``PermissionDenied``, one for the state as ``domain.review.ReviewRefused``), writes the new state,
  appends an audit row (entity ``project_review``, field ``state``, old -> new, with the reason) and
  bumps the data revision — one transaction; a refused move writes nothing.
* **送审** judges every value of the project and period with the 填报 rules (``domain.entry_todo``
  through ``data_access.actuals.rules``): a project with anything still to fill or to fix is refused
  with the list. ``submit`` takes several projects (all of a unit's): each is submitted or refused on
  its own, in one transaction. The fingerprint of the values is recorded (``states.fingerprint``).
* **审核通过** names the submission round the reviewer looked at (``seen_round``): a project submitted
  again since is refused ("请刷新后再审核"), and so is one whose values changed after submission
  (``domain.review.changed_since_submission``), naming the items and who changed them.
* **退回** takes the returned items (``domain.review.item_key`` -> comment, each comment required) and
  writes each comment into the item's thread as a 退回 of this round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.actuals.access import load_period, settings_of
from data_access.actuals.rules import indicator_todo_of, rules_in, spending_todo_of
from data_access.actuals.values import record
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import (
    AuditLog,
    Indicator,
    IndicatorActual,
    Period,
    ProjectReview,
    ReviewComment,
    SpendingActual,
)
from data_access.permissions import ADMIN, LEADER, STAFF, PermissionDenied, Principal, require_role
from data_access.review.states import actor_for, check_item, fingerprint, project_of
from domain import entry as E
from domain import review as R
from domain.clock import utcnow
from domain.periods import parse_period

ENTITY = "project_review"
_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


@dataclass
class SubmitResult:
    """What a submission did: the projects submitted, and per refused project why (gaps listed)."""

    period_code: str
    submitted: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"已送审{len(self.submitted)}个项目"] if self.submitted else []
        if self.refused:
            parts.append(f"{len(self.refused)}个项目未送审")
        return "，".join(parts) or "没有可送审的项目"


def _period(s: Session, code: str) -> Period:
    try:
        code = parse_period(code).key
    except ValueError as e:
        raise R.ReviewRefused(f"填报期：{e}") from e
    found = load_period(s, code, lock=False)
    if found is None:
        raise R.ReviewRefused(f"填报期{code}不存在")
    return found[0]


def _locked_row(s: Session, project_id: int, code: str) -> ProjectReview:
    """The review row of (project, period), created as 填报中 when missing, locked for update."""
    q = select(ProjectReview).where(ProjectReview.project_id == project_id, ProjectReview.period_code == code)
    locking = s.get_bind().dialect.name == "postgresql"
    row = s.execute(q.with_for_update() if locking else q).scalar_one_or_none()
    if row is not None:
        return row
    d_insert = _INSERTS.get(s.get_bind().dialect.name)
    values = {"project_id": project_id, "period_code": code, "state": R.DRAFT, "round": 0, "fingerprint": {},
              "reason": "", "updated_at": utcnow(), "version": 1}
    if d_insert is not None:
        s.execute(d_insert(ProjectReview.__table__).values(values)
                  .on_conflict_do_nothing(index_elements=["project_id", "period_code"]))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        s.add(ProjectReview(**values))
        s.flush()
    return s.execute(q.with_for_update() if locking else q).scalar_one()


def _move(s: Session, p: Principal, row: ProjectReview, action: str, unit_id: int | None, reason: str = "") -> str:
    """Check the move with the rules and write it into ``row`` and the audit trail; returns the old state."""
    try:
        new = R.transition(row.state, action, actor_for(s, p, unit_id), R.levels_of(settings_of(s).review_levels))
    except R.ReviewForbidden as e:
        raise PermissionDenied(str(e)) from e
    old, now = row.state, utcnow()
    row.state = new
    row.updated_at = now
    row.version += 1
    if action == R.SUBMIT:
        row.round += 1
        row.submitted_by, row.submitted_at = p.username, now
        row.fingerprint = fingerprint(s, row.project_id, row.period_code)
        row.reason = ""
    elif action != R.WITHDRAW:
        row.decided_by, row.decided_at = p.username, now
        row.reason = reason if action in (R.RETURN, R.REOPEN) else row.reason
    s.add(row)
    detail = f"{R.ACTION_LABELS[action]}（第{row.round}次送审）" + (f"；{reason}" if reason else "")
    s.add(AuditLog(at=now, username=p.username, action=f"review_{action}", entity=ENTITY, entity_id=row.project_id,
                   period_code=row.period_code, field="state", old=R.state_label(old), new=R.state_label(new),
                   detail=detail))
    return old


def _begin(s: Session, by: Principal | None) -> Principal:
    p = require_role(by, ADMIN, STAFF, LEADER)
    if p.role == LEADER:
        raise PermissionDenied("没有权限：领导账户为只读，不能送审或审核")
    take_write_lock(s)
    return acting_principal(s, p)


def gaps(s: Session, p: Principal, project_ids: Sequence[int], period: Period, year: int) -> dict[int, list[str]]:
    """Project id -> what is still to fill or fix for ``period`` (``项目 / 三级指标：须填写…``), judged by
    the 填报 rules on the stored values; projects with nothing missing map to an empty list."""
    rules = rules_in(s, p, period, year, list(project_ids))
    out: dict[int, list[str]] = {pid: [] for pid in project_ids}
    inds = s.execute(select(Indicator.id, Indicator.project_id, Indicator.level3)
                     .where(Indicator.project_id.in_(list(project_ids))).order_by(Indicator.project_id, Indicator.seq)).all()
    stored = {a.indicator_id: a for a in s.execute(select(IndicatorActual).where(
        IndicatorActual.indicator_id.in_([i[0] for i in inds]), IndicatorActual.period_code == period.code)).scalars()}
    for iid, pid, level3 in inds:
        todo = indicator_todo_of(rules, iid, record(stored.get(iid), E.INDICATOR_FIELDS))
        if todo.open:
            out[pid].append(f"{level3}：须填写{todo.text()}")
    spent = {a.project_id: a for a in s.execute(select(SpendingActual).where(
        SpendingActual.project_id.in_(list(project_ids)), SpendingActual.period_code == period.code)).scalars()}
    for pid in project_ids:
        todo = spending_todo_of(rules, pid, record(spent.get(pid), E.SPENDING_FIELDS))
        if todo.open:
            out[pid].insert(0, f"预算执行：须填写{todo.text()}")
    return out


def submit(engine: Engine, by: Principal | None, project_ids: Sequence[int], period_code: str) -> SubmitResult:
    """送审 each project (staff of its unit, or the admin): refused per project when something is missing
    (the list in ``refused``) or when it is not in 填报中/已退回. Leaders: ``PermissionDenied``."""
    with session_scope(engine) as s:
        p = _begin(s, by)
        period = _period(s, period_code)
        res = SubmitResult(period.code)
        year = parse_period(period.code).year
        ids = sorted(set(int(i) for i in project_ids))
        projects = {pid: project_of(s, pid) for pid in ids}
        res.names = {pid: pr.name for pid, pr in projects.items()}
        missing = gaps(s, p, ids, period, year)
        for pid, pr in projects.items():
            row = _locked_row(s, pid, period.code)
            try:
                R.transition(row.state, R.SUBMIT, actor_for(s, p, pr.unit_id), 1)
            except R.ReviewForbidden as e:
                raise PermissionDenied(str(e)) from e
            except R.ReviewRefused as e:
                res.refused[pid] = str(e)
                continue
            if missing.get(pid):
                res.refused[pid] = R.gaps_message(missing[pid])
                continue
            _move(s, p, row, R.SUBMIT, pr.unit_id)
            res.submitted.append(pid)
        if res.submitted:
            bump_revision(s, Changed.nothing())  # review states are read beside the statuses, not inputs of them
    return res


def _decide(engine: Engine, by: Principal | None, project_id: int, period_code: str, action: str, *,
            seen_round: int | None = None, reason: str = "", returned: Mapping[str, str] | None = None) -> str:
    """One review decision on one project (see the module docstring); returns the new state."""
    with session_scope(engine) as s:
        p = _begin(s, by)
        period = _period(s, period_code)
        pr = project_of(s, project_id)
        if pr.fiscal_year_id != period.fiscal_year_id:
            raise R.ReviewRefused(f"填报期{period.code}不属于该项目所在的预算年度")
        row = _locked_row(s, project_id, period.code)
        if seen_round is not None and action in (R.APPROVE, R.RETURN) and row.round != seen_round:
            raise R.ReviewRefused(f"「{pr.name}」已于此后重新送审（第{row.round}次），请刷新后再审核")
        if action == R.APPROVE and row.state in R.PENDING_REVIEW:
            _refuse_changed(s, row, pr.name)
        for key in returned or {}:
            check_item(s, project_id, key)
        _move(s, p, row, action, pr.unit_id, reason)
        if returned:
            s.add_all(ReviewComment(project_id=project_id, period_code=period.code, item_key=key, kind="return",
                                    round=row.round, username=p.username, at=row.updated_at, text=text)
                      for key, text in returned.items())
        bump_revision(s, Changed.nothing())  # review states are read beside the statuses, not inputs of them
        return row.state


def _refuse_changed(s: Session, row: ProjectReview, name: str) -> None:
    """A value added, changed or removed after submission makes the approval fail, naming it and who
    saved it last."""
    changed = R.changed_since_submission(row.fingerprint or {}, fingerprint(s, row.project_id, row.period_code))
    if not changed:
        return
    labels, who = _changed_items(s, row.project_id, row.period_code, changed)
    raise R.ReviewRefused(f"「{name}」送审后数值已被修改（{'、'.join(labels)}"
                          + (f"；修改人：{'、'.join(who)}" if who else "")
                          + "），不能直接通过：请退回后由填报人确认并重新送审")


def _changed_items(s: Session, project_id: int, code: str, keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the items' names, who saved them last) for changed item keys."""
    ids = [R.parse_item_key(k)[1] for k in keys if k.startswith(R.INDICATOR_ITEM + ":")]
    names: dict[int, str] = {}
    who: set[str] = set()
    if ids:
        for iid, level3, by in s.execute(
            select(Indicator.id, Indicator.level3, IndicatorActual.updated_by)
            .outerjoin(IndicatorActual, (IndicatorActual.indicator_id == Indicator.id)
                       & (IndicatorActual.period_code == code))
            .where(Indicator.id.in_(ids))
        ):
            names[iid] = level3
            who.update([by] if by else [])
    if any(k.startswith(R.SPENDING_ITEM + ":") for k in keys):
        who.update(b for b in s.execute(select(SpendingActual.updated_by).where(
            SpendingActual.project_id == project_id, SpendingActual.period_code == code)).scalars() if b)
    labels = []
    for k in keys:
        kind, item_id = R.parse_item_key(k)
        labels.append(names.get(item_id, k) if kind == R.INDICATOR_ITEM else R.ITEM_KINDS[kind])
    return labels, sorted(who)


def withdraw(engine: Engine, by: Principal | None, project_id: int, period_code: str) -> str:
    """撤回送审 (staff of the unit or the admin) before anybody reviewed it."""
    return _decide(engine, by, project_id, period_code, R.WITHDRAW)


def approve(engine: Engine, by: Principal | None, project_id: int, period_code: str, *, seen_round: int) -> str:
    """审核通过 one level (the admin; with two levels a 科长 does the first). Refused when the project was
    submitted again since ``seen_round`` or a value changed after submission."""
    return _decide(engine, by, project_id, period_code, R.APPROVE, seen_round=seen_round)


def return_items(engine: Engine, by: Principal | None, project_id: int, period_code: str,
                 items: Mapping[str, str], *, seen_round: int) -> str:
    """退回 with the returned items (item key -> comment; at least one, each with a comment)."""
    cleaned = {}
    for key, text in items.items():
        R.parse_item_key(key)
        text = E.clean_text(text, "退回意见")
        R.reason_required(R.RETURN, text)
        cleaned[key] = text
    if not cleaned:
        raise R.ReviewRefused("退回须至少选择一个事项并填写意见")
    summary = f"退回{len(cleaned)}项"
    return _decide(engine, by, project_id, period_code, R.RETURN, seen_round=seen_round, reason=summary,
                   returned=cleaned)


def reopen(engine: Engine, by: Principal | None, project_id: int, period_code: str, reason: str) -> str:
    """重新开放 approved values (the admin, with a reason, audit-logged): back to 填报中."""
    reason = E.clean_text(reason, "原因")
    R.reason_required(R.REOPEN, reason)
    return _decide(engine, by, project_id, period_code, R.REOPEN, reason=f"重新开放：{reason}")


__all__ = ["SubmitResult", "gaps", "submit", "withdraw", "approve", "return_items", "reopen", "ENTITY"]
