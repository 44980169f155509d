"""Evidence files (佐证材料): upload, delete, list, download, and everything a period's ZIP needs.

Definitions chosen here:

* A file belongs to one project, one reporting period and either one indicator of that project or the
  project's spending row (``indicator_id`` None). It is stored in the database (``evidence_file`` +
  ``evidence_content``), so every replica serves it and ``manage.py backup`` / ``restore`` carry it.
* **Upload** (:func:`upload_evidence`): staff for their units' projects, the admin for any; leaders
  never. The period must be open (a locked or covered period is read-only, as for values). The content
  is checked by ``domain.evidence_files`` against the size limit of the rule settings; a file already
  attached to the same item and period (same SHA-256) is refused as a duplicate.
* **Delete** (:func:`delete_evidence`): the uploader deletes their own file, the admin any file, and
  only while the period is open.
* **Review** (``data_access.review``): a project whose values of the period are approved (for everyone)
  or under review (for staff) takes no file and loses none — the material behind a figure is frozen
  with it.
* Both are one transaction that re-reads who is acting (``data_access.acting``), appends an audit row
  (entity ``evidence_file``, field ``file``: the file name old -> new, with the item, size and checksum
  in the detail) and bumps the data revision.
* **Reads** see what the principal may see (``data_access.permissions``); listing never reads the
  bytes, which are read only by :func:`evidence_content` and :func:`evidence_bundle`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, delete, func, insert, select
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.actuals.access import period_refusal, require_writer, settings_of
from data_access.actuals.frames import entry_frame
from data_access.actuals.rules import entry_rules
from data_access.changed import Changed
from data_access.db import bump_revision, session_scope
from data_access.models import (
    AuditLog,
    EvidenceContent,
    EvidenceFile,
    FiscalYear,
    Indicator,
    Period,
    Project,
    Unit,
    User,
)
from data_access.permissions import (
    ADMIN,
    PermissionDenied,
    Principal,
    check_can_read_project,
    check_can_write_project,
    visible_project_filter,
)
from data_access.review.states import edit_refusals
from domain.clock import utcnow
from domain.evidence import SPENDING_ITEM, evidence_missing, evidence_rules, max_bytes, size_text
from domain.evidence_files import check_evidence_file
from domain.status import normalise_judgement

ENTITY = "evidence_file"


class EvidenceError(ValueError):
    """An upload or deletion refused for its content or its target; ``str(e)`` is Chinese."""


@dataclass(frozen=True, slots=True)
class EvidenceInfo:
    """One stored file as lists show it (no bytes)."""

    id: int
    project_id: int
    indicator_id: int | None
    period_code: str
    filename: str
    kind: str
    mime: str
    size: int
    sha256: str
    uploaded_by: str
    uploader: str  # display name
    uploaded_at: datetime
    project_name: str
    project_code: str
    unit_id: int | None
    unit_name: str
    item: str  # the indicator's 三级指标, or 预算执行

    @property
    def size_text(self) -> str:
        return size_text(self.size)


@dataclass(frozen=True, slots=True)
class EvidenceBlob:
    """A stored file with its bytes (a download, a ZIP entry)."""

    info: EvidenceInfo
    data: bytes


def _item_label(level3: str | None) -> str:
    return (level3 or "").strip() or SPENDING_ITEM


def _base_query():
    return (select(EvidenceFile, Project.name, Project.code, Project.unit_id, Unit.name, Indicator.level3, User.name)
            .join(Project, Project.id == EvidenceFile.project_id)
            .outerjoin(Unit, Unit.id == Project.unit_id)
            .outerjoin(Indicator, Indicator.id == EvidenceFile.indicator_id)
            .outerjoin(User, User.username == EvidenceFile.uploaded_by))


def _info(row) -> EvidenceInfo:
    f, pname, pcode, unit_id, uname, level3, uploader = row
    return EvidenceInfo(f.id, f.project_id, f.indicator_id, f.period_code, f.filename, f.kind, f.mime, f.size,
                        f.sha256, f.uploaded_by, uploader or f.uploaded_by, f.uploaded_at, pname, pcode or "",
                        unit_id, uname or "", _item_label(level3))


def evidence_list(engine: Engine, principal: Principal | None, *, period_code: str | None = None,
                  project_ids: Sequence[int] | None = None, year: int | None = None) -> list[EvidenceInfo]:
    """The files the principal may see, in project, item and upload order; optionally of one period,
    of some projects, of one fiscal year. One query."""
    q = _base_query()
    f = visible_project_filter(principal)
    if f is not None:
        q = q.where(f)
    if period_code is not None:
        q = q.where(EvidenceFile.period_code == period_code)
    if project_ids is not None:
        q = q.where(EvidenceFile.project_id.in_(list(project_ids)))
    if year is not None:
        q = q.join(FiscalYear, FiscalYear.id == Project.fiscal_year_id).where(FiscalYear.year == year)
    q = q.order_by(Project.seq, Project.id, Indicator.seq.nulls_first(), EvidenceFile.id)
    with Session(engine) as s:
        return [_info(r) for r in s.execute(q).all()]


def evidence_content(engine: Engine, principal: Principal | None, evidence_id: int) -> EvidenceBlob:
    """One file with its bytes, if the principal may see its project."""
    with Session(engine) as s:
        row = s.execute(_base_query().where(EvidenceFile.id == evidence_id)).first()
        if row is None:
            raise EvidenceError("文件不存在（可能已被删除）")
        info = _info(row)
        check_can_read_project(principal, info.unit_id)
        data = s.execute(select(EvidenceContent.data).where(EvidenceContent.evidence_id == evidence_id)).scalar_one()
    return EvidenceBlob(info, bytes(data))


def evidence_bundle(engine: Engine, principal: Principal | None, period_code: str,
                    project_ids: Sequence[int] | None = None) -> list[EvidenceBlob]:
    """Every file of a period the principal may see (optionally only some projects), with its bytes, in
    project and item order: the content of the period's evidence ZIP. Two queries."""
    infos = evidence_list(engine, principal, period_code=period_code, project_ids=project_ids)
    if not infos:
        return []
    with Session(engine) as s:
        data: dict[int, bytes] = dict(s.execute(select(EvidenceContent.evidence_id, EvidenceContent.data).where(
            EvidenceContent.evidence_id.in_([i.id for i in infos]))).tuples().all())
    return [EvidenceBlob(i, bytes(data[i.id])) for i in infos if i.id in data]


@dataclass(frozen=True, slots=True)
class EvidenceTarget:
    """Something a file can be attached to in a period: an indicator, or a project's spending row
    (``indicator_id`` None); ``rules`` are the evidence rules its stored entry meets (``domain.evidence``)."""

    project_id: int
    project_name: str
    indicator_id: int | None
    item: str
    files: int
    rules: tuple[str, ...] = ()

    @property
    def needed(self) -> bool:
        return evidence_missing(self.rules, self.files)


def evidence_targets(engine: Engine, principal: Principal | None, period_code: str,
                     project_ids: Sequence[int] | None = None) -> list[EvidenceTarget]:
    """Per project the principal may fill (optionally only ``project_ids``): its spending row, then its
    indicators in document order, with the files each has for the period and the evidence rules its
    stored entry meets."""
    rules = entry_rules(engine, principal, period_code, project_ids)
    frame = entry_frame(engine, principal, period_code, project_ids)
    if rules is None:
        return []
    with Session(engine) as s:
        spending: dict[int, int] = dict(s.execute(select(EvidenceFile.project_id, func.count()).where(
            EvidenceFile.period_code == period_code, EvidenceFile.indicator_id.is_(None),
            EvidenceFile.project_id.in_(list(rules.projects))).group_by(EvidenceFile.project_id)).tuples().all())
    by_project: dict[int, list[EvidenceTarget]] = {}
    for row in frame.to_dict("records"):
        iid = int(row["_indicator_id"])
        judgement = row["完成情况"] if isinstance(row["完成情况"], str) else None
        done = row["完成日期"] if isinstance(row["完成日期"], date) else None
        by_project.setdefault(int(row["_project_id"]), []).append(EvidenceTarget(
            int(row["_project_id"]), row["项目"], iid, _item_label(row["三级指标"]), rules.evidence.get(iid, 0),
            evidence_rules(rules.settings, row["_mode"], normalise_judgement(judgement), done, row["_status"])))
    return [t for pid, p in rules.projects.items()
            for t in [EvidenceTarget(pid, p.name, None, SPENDING_ITEM, int(spending.get(pid, 0)))] + by_project.get(pid, [])]


def _target(s: Session, p: Principal, project_id: int, indicator_id: int | None, period_fy: int) -> tuple[Project, str]:
    """The project (checked: exists, in the period's year, writable by ``p``) and the item's label."""
    project = s.get(Project, project_id)
    if project is None:
        raise EvidenceError("项目不存在")
    if project.fiscal_year_id != period_fy:
        raise EvidenceError("填报期与项目不属于同一年度")
    check_can_write_project(p, project.unit_id)
    if indicator_id is None:
        return project, SPENDING_ITEM
    ind = s.get(Indicator, indicator_id)
    if ind is None or ind.project_id != project.id:
        raise EvidenceError("指标不存在或不属于该项目")
    return project, _item_label(ind.level3)


def _refuse_if_frozen(s: Session, p: Principal, project_id: int, period: Period) -> None:
    why = edit_refusals(s, p, [project_id], period, lock=True).get(project_id)
    if why:
        raise EvidenceError(f"该项目本期{why}（佐证材料随数值一起冻结）")


def upload_evidence(engine: Engine, by: Principal | None, *, project_id: int, period_code: str, filename: str,
                    data: bytes, indicator_id: int | None = None) -> EvidenceInfo:
    """Attach one file (see the module docstring). Raises :class:`EvidenceError` (content, target,
    period) or ``PermissionDenied``; nothing is written then."""
    p = require_writer(by)
    with session_scope(engine) as s:
        take_write_lock(s)
        p = acting_principal(s, p)
        refusal, period, _year = period_refusal(s, period_code, lock=True)
        if refusal or period is None:
            raise EvidenceError(refusal or "填报期不存在")
        project, item = _target(s, p, project_id, indicator_id, period.fiscal_year_id)
        _refuse_if_frozen(s, p, project.id, period)
        check = check_evidence_file(filename, data, max_bytes(settings_of(s)))
        if not check.ok or check.kind is None:
            raise EvidenceError(check.problem or "文件不能作为佐证材料")
        digest = hashlib.sha256(data).hexdigest()
        same = s.execute(select(EvidenceFile.filename).where(
            EvidenceFile.project_id == project.id, EvidenceFile.period_code == period.code,
            EvidenceFile.sha256 == digest,
            EvidenceFile.indicator_id.is_(None) if indicator_id is None else EvidenceFile.indicator_id == indicator_id,
        )).scalars().first()
        if same is not None:
            raise EvidenceError(f"相同内容的文件已上传过（“{same}”），未重复保存")
        now = utcnow()
        row = EvidenceFile(project_id=project.id, indicator_id=indicator_id, period_code=period.code,
                           filename=check.name, kind=check.kind.key, mime=check.kind.mime, size=len(data),
                           sha256=digest, uploaded_by=p.username, uploaded_at=now)
        s.add(row)
        s.flush()
        s.execute(insert(EvidenceContent).values(evidence_id=row.id, data=data))
        s.add(AuditLog(at=now, username=p.username, action="upload", entity=ENTITY, entity_id=row.id,
                       period_code=period.code, field="file", old=None, new=check.name,
                       detail=f"「{project.name}」{item}：上传佐证材料，{check.kind.label}，{len(data)}字节，校验码{digest}"))
        bump_revision(s, Changed.nothing())
        row_id = row.id
    return next(i for i in evidence_list(engine, p, project_ids=[project_id], period_code=period.code) if i.id == row_id)


def delete_evidence(engine: Engine, by: Principal | None, evidence_id: int) -> str:
    """Delete one file: the uploader's own, or any for the admin, while its period is open. Returns the
    file name."""
    p = require_writer(by)
    with session_scope(engine) as s:
        take_write_lock(s)
        p = acting_principal(s, p)
        row = s.execute(select(EvidenceFile).where(EvidenceFile.id == evidence_id).with_for_update()).scalar_one_or_none()
        if row is None:
            raise EvidenceError("文件不存在（可能已被删除）")
        project = s.get(Project, row.project_id)
        check_can_write_project(p, project.unit_id if project else None)
        if p.role != ADMIN and row.uploaded_by != p.username:
            raise PermissionDenied("没有权限：只能删除本人上传的佐证材料")
        refusal, period, _year = period_refusal(s, row.period_code, lock=True)
        if refusal or period is None:
            raise EvidenceError((refusal or "填报期不存在").replace("只读", "佐证材料不能删除"))
        _refuse_if_frozen(s, p, row.project_id, period)
        item = SPENDING_ITEM if row.indicator_id is None else _item_label(
            s.execute(select(Indicator.level3).where(Indicator.id == row.indicator_id)).scalar())
        name = row.filename
        s.execute(delete(EvidenceContent).where(EvidenceContent.evidence_id == row.id))
        s.execute(delete(EvidenceFile).where(EvidenceFile.id == row.id))
        s.add(AuditLog(at=utcnow(), username=p.username, action="delete", entity=ENTITY, entity_id=evidence_id,
                       period_code=row.period_code, field="file", old=name, new=None,
                       detail=f"「{project.name if project else ''}」{item}：删除佐证材料（{row.uploaded_by}上传，"
                              f"校验码{row.sha256}）"))
        bump_revision(s, Changed.nothing())
    return name


__all__ = ["ENTITY", "EvidenceError", "EvidenceInfo", "EvidenceBlob", "EvidenceTarget", "evidence_targets",
           "evidence_list",
           "evidence_content", "evidence_bundle", "upload_evidence", "delete_evidence"]
