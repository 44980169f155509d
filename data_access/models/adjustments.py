"""Budget and target adjustments (预算调整, 指标调整): dated entries approved by the administrator.

The imported values (``project.budget_wan``, ``indicator.target_text`` and its parsed columns) are never
changed by an adjustment; the budget and the target in force at a date are built from these rows
(``data_access.adjustments``, docs/rules.md §3.4 and §4.10). A mistaken entry is withdrawn (撤销, with a
reason), never deleted: ``withdrawn_at`` is set and the row no longer counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class BudgetAdjustment(SQLModel, table=True):
    """One dated change of a project's budget: 追加 / 调减 / 调剂 of one fund source, signed 万元."""

    __tablename__ = "budget_adjustment"
    __table_args__ = (Index("ix_budget_adjustment_project_on", "project_id", "adjusted_on"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    adjusted_on: date
    kind: str  # 追加 | 调减 | 调剂
    fund_source: str  # 财政资金 | 其他资金
    amount_wan: float  # signed: + adds, - removes
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    document_no: str = ""  # 文号
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdraw_reason: str | None = Field(default=None, sa_column=Column(Text))


class TargetAdjustment(SQLModel, table=True):
    """A new annual value of one indicator from ``effective_on``, with its reason and approval. The
    parsed target is stored like ``indicator``'s; ``previous_text`` is the target it replaced;
    ``prior_status`` / ``prior_period`` the status shown for the latest period with data when it was
    approved (flagged when red or amber)."""

    __tablename__ = "target_adjustment"
    __table_args__ = (Index("ix_target_adjustment_indicator_on", "indicator_id", "effective_on"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    effective_on: date
    target_text: str
    kind: str
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    deadline: date | None = None
    start: date | None = None
    previous_text: str = ""
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    approval: str = ""  # 批准文件或依据
    approved_by: str = ""
    approved_at: datetime = Field(default_factory=utcnow)
    prior_status: str | None = None
    prior_period: str | None = None
    prior_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdraw_reason: str | None = Field(default=None, sa_column=Column(Text))
