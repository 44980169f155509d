"""Tables of the reporting chain: review states per project and period, the comment threads, and the
上报 snapshots (data, statuses and official workbooks as they were when a period was reported upward).

The rules are ``domain.review``; the writes are ``data_access.review``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class ProjectReview(SQLModel, table=True):
    """Where one project stands in the chain for one reporting period (no row: 填报中, never submitted).

    ``round`` counts submissions; ``fingerprint`` holds the stored version of every value of the project
    and period at the last submission (``{"indicator:12": 3, "spending:5": 1}``), so an approval can tell
    whether anything changed since. ``reason`` is the last decision's words (退回 / 重新开放)."""

    __tablename__ = "project_review"
    __table_args__ = (
        UniqueConstraint("project_id", "period_code"),
        Index("ix_project_review_period_state", "period_code", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    period_code: str
    state: str = "draft"
    round: int = 0
    fingerprint: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    decided_by: str | None = None  # the last review decision (初审, 通过, 退回, 重新开放)
    decided_at: datetime | None = None
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class ReviewComment(SQLModel, table=True):
    """One message of the thread of one item (``domain.review.item_key``) and period. A 退回 writes one
    per returned item (``kind`` = 'return', with the submission ``round`` it answered); the others are
    plain comments by the reviewer or the unit."""

    __tablename__ = "review_comment"
    __table_args__ = (
        Index("ix_review_comment_item", "item_key", "period_code"),
        Index("ix_review_comment_project", "project_id", "period_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    period_code: str
    item_key: str  # indicator:12 | spending:5
    kind: str = "comment"  # comment | return
    round: int = 0
    username: str
    at: datetime = Field(default_factory=utcnow)
    text: str = Field(sa_column=Column(Text, nullable=False))


class ReportSnapshot(SQLModel, table=True):
    """A period reported upward (上报): what was reported, frozen. ``data`` are the entered values,
    ``statuses`` the engine's statuses and reasons, both as JSON; the files are in ``report_file``."""

    __tablename__ = "report_snapshot"
    __table_args__ = (UniqueConstraint("period_code", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    fiscal_year_id: int = Field(foreign_key="fiscal_year.id", index=True)
    period_code: str
    seq: int = 1  # the n-th report of this period
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    revision: int = 0  # the data revision the snapshot was built from
    projects: int = 0
    approved: int = 0
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    statuses: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))


class ReportFile(SQLModel, table=True):
    """One file of a 上报 snapshot (the official workbook, the status table), stored byte for byte."""

    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("snapshot_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="report_snapshot.id", index=True)
    name: str
    media_type: str
    sha256: str
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
