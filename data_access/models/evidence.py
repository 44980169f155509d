"""Evidence files (佐证材料) and rectification items (整改).

Files are stored in the database, so every replica and every backup (``manage.py backup``) has them:
``evidence_file`` holds what lists show (name, type, size, checksum, who, when), ``evidence_content``
the bytes, read only when a file is downloaded or zipped.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class EvidenceFile(SQLModel, table=True):
    """One file attached to an indicator (``indicator_id``) or to a project's spending row
    (``indicator_id`` None) for one reporting period."""

    __tablename__ = "evidence_file"
    __table_args__ = (
        Index("ix_evidence_project_period", "project_id", "period_code"),
        Index("ix_evidence_period", "period_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id", index=True)
    period_code: str
    filename: str
    kind: str  # domain.evidence_files.KINDS key
    mime: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime = Field(default_factory=utcnow)


class EvidenceContent(SQLModel, table=True):
    """The bytes of one evidence file (kept apart so listing files never reads them)."""

    __tablename__ = "evidence_content"
    evidence_id: int = Field(foreign_key="evidence_file.id", primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Rectification(SQLModel, table=True):
    """A 整改 item: what the owner unit must put right by when, its answer and the admin's verification
    (states: ``domain.rectification``)."""

    __tablename__ = "rectification"
    __table_args__ = (
        Index("ix_rectification_project_state", "project_id", "state"),
        Index("ix_rectification_unit_state", "unit_id", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id")
    target: str  # budget | indicator | project
    unit_id: int = Field(foreign_key="unit.id")  # the owner unit
    period_code: str  # the period whose results raised it
    source: str = ""  # status | risks | meeting | project
    trigger_status: str = ""  # the item's status when it was raised
    trigger_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    requirement: str = Field(sa_column=Column(Text, nullable=False))
    deadline: date
    state: str = "open"
    measures: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # the admin's last note
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    answered_by: str | None = None
    answered_at: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1
