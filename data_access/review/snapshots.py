"""上报 snapshots: a period marked as reported upward keeps the exact data, statuses and official workbooks of
that moment in the database (so every replica serves them), downloadable later byte for byte.

Definitions chosen here:

* Only the admin reports. The snapshot is built from one data revision (``components.report_snapshot``
  builds the files); :func:`store_snapshot` refuses it when anything was written since (the caller
  builds again), so data, statuses and files always describe the same moment.
* Reporting projects that are not approved needs ``allow_unapproved`` (the page asks first); the counts
  of projects and approved projects are kept with the snapshot.
* A period may be reported more than once (a correction after a reopen): each report is a new snapshot
  (第N次上报); earlier ones are never changed or deleted. Each file keeps its SHA-256.
* Leaders and the admin read the snapshots; staff do not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, current_revision, session_scope
from data_access.models import AuditLog, Period, ReportFile, ReportSnapshot, User
from data_access.permissions import ADMIN, LEADER, Principal, require_admin, require_role
from domain import entry as E
from domain import review as R
from domain.clock import aware, utcnow


class DataChanged(R.ReviewRefused):
    """Something was written while the snapshot was built; build it again."""


@dataclass(frozen=True, slots=True)
class SnapshotFile:
    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    id: int
    period_code: str
    seq: int
    created_by: str
    created_at: datetime
    note: str
    projects: int
    approved: int
    files: tuple[tuple[int, str, int, str], ...]  # (file id, name, size, sha256)


def store_snapshot(engine: Engine, by: Principal | None, period_code: str, *, revision: int, data: Mapping,
                   statuses: Mapping, files: Sequence[SnapshotFile], projects: int, approved: int,
                   note: str = "", allow_unapproved: bool = False) -> int:
    """Store one 上报 of ``period_code`` built at data ``revision``; returns its number (第N次上报).
    Raises :class:`DataChanged` when the data moved on since, ``ReviewRefused`` for unapproved projects
    without ``allow_unapproved``, ``PermissionDenied`` for anyone but the admin."""
    p = require_admin(by)
    note = E.clean_text(note, "说明")
    if projects > approved and not allow_unapproved:
        raise R.ReviewRefused(f"还有{projects - approved}个项目未审核通过；确认后才能连同未审核数据一起上报")
    with session_scope(engine) as s:
        take_write_lock(s)
        p = require_admin(acting_principal(s, p))
        period = s.execute(select(Period).where(Period.code == period_code)).scalar_one_or_none()
        if period is None:
            raise R.ReviewRefused(f"填报期{period_code}不存在")
        if _revision(s) != revision:
            raise DataChanged("生成上报文件期间数据有变化，请重新上报")
        seq = int(s.execute(select(func.max(ReportSnapshot.seq)).where(
            ReportSnapshot.period_code == period.code)).scalar() or 0) + 1
        now = utcnow()
        snap = ReportSnapshot(fiscal_year_id=period.fiscal_year_id, period_code=period.code, seq=seq,
                              created_by=p.username, created_at=now, note=note, revision=revision,
                              projects=projects, approved=approved, data=dict(data), statuses=dict(statuses))
        s.add(snap)
        s.flush()
        for f in files:
            s.add(ReportFile(snapshot_id=snap.id, name=f.name, media_type=f.media_type,
                             sha256=hashlib.sha256(f.content).hexdigest(), size=len(f.content), content=f.content))
        s.add(AuditLog(at=now, username=p.username, action="report", entity="report_snapshot", entity_id=snap.id,
                       period_code=period.code, field="seq", old=None, new=str(seq),
                       detail=f"上报{period.code}（第{seq}次）：{projects}个项目，已审核{approved}个"
                       + (f"；{note}" if note else "")))
        bump_revision(s, Changed.nothing())  # a snapshot copies statuses, it changes none
    return seq


def _revision(s: Session) -> int:
    return int(s.execute(text("SELECT revision FROM data_version WHERE id = 1")).scalar() or 0)


def snapshots(engine: Engine, principal: Principal | None, period_code: str | None = None) -> list[SnapshotInfo]:
    """The stored 上报 (of one period, or all), newest first; leaders and the admin only."""
    require_role(principal, ADMIN, LEADER)
    with Session(engine) as s:
        q = select(ReportSnapshot.id, ReportSnapshot.period_code, ReportSnapshot.seq, ReportSnapshot.created_by,
                   ReportSnapshot.created_at, ReportSnapshot.note, ReportSnapshot.projects, ReportSnapshot.approved,
                   User.name).outerjoin(User, User.username == ReportSnapshot.created_by)
        if period_code:
            q = q.where(ReportSnapshot.period_code == period_code)
        rows = s.execute(q.order_by(ReportSnapshot.created_at.desc(), ReportSnapshot.id.desc())).all()
        ids = [r[0] for r in rows]
        files: dict[int, list[tuple[int, str, int, str]]] = {}
        for fid, sid, name, size, sha in s.execute(
            select(ReportFile.id, ReportFile.snapshot_id, ReportFile.name, ReportFile.size, ReportFile.sha256)
            .where(ReportFile.snapshot_id.in_(ids)).order_by(ReportFile.id)
        ) if ids else []:
            files.setdefault(sid, []).append((fid, name, size, sha))
    return [SnapshotInfo(sid, code, seq, who_name or who, aware(at) or at, note, n, a, tuple(files.get(sid, [])))
            for sid, code, seq, who, at, note, n, a, who_name in rows]


def snapshot_file(engine: Engine, principal: Principal | None, file_id: int) -> SnapshotFile:
    """One stored file of a 上报, exactly as stored (leaders and the admin)."""
    require_role(principal, ADMIN, LEADER)
    with Session(engine) as s:
        f = s.get(ReportFile, file_id)
        if f is None:
            raise R.ReviewRefused(f"上报文件{file_id}不存在")
        return SnapshotFile(f.name, f.media_type, bytes(f.content))


def snapshot_data(engine: Engine, principal: Principal | None, snapshot_id: int) -> tuple[dict, dict]:
    """(data, statuses) of one 上报 as stored."""
    require_role(principal, ADMIN, LEADER)
    with Session(engine) as s:
        snap = s.get(ReportSnapshot, snapshot_id)
        if snap is None:
            raise R.ReviewRefused(f"上报{snapshot_id}不存在")
        return dict(snap.data), dict(snap.statuses)


__all__ = ["DataChanged", "SnapshotFile", "SnapshotInfo", "store_snapshot", "snapshots", "snapshot_file",
           "snapshot_data", "current_revision"]
