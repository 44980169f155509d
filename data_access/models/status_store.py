"""The status store: the output of the status engine (``domain.status``) kept in the database, so that a
page reads counts, roll-ups and lists with indexed SQL instead of evaluating every project.

* ``StatusGeneration``: one set of stored statuses, computed with one snapshot of the rule settings
  (``settings``). Exactly one is ``active`` (what the pages read); a change of the rules starts a
  ``building`` one that a background job fills (``total``/``done``: its progress; ``worker`` and
  ``heartbeat_at``: who fills it and when it last made progress) and that replaces the active one in
  one transaction when complete. Replaced ones are ``retired`` and their rows deleted.
* ``StatusProject``: per generation, as-of date (the period ends of the reporting cycle) and project:
  the project's status, budget row, figures and indicator counts by status.
* ``StatusItem``: per generation, as-of date, project and item — the budget row (``seq`` −1) and each
  indicator in document order — its status, the 一级/二级指标 of the group filter, the reason and the
  texts the risk list shows.
* ``StatusSum``: per generation, as-of date, unit, area and (status, budget row's status, previous
  status, items reported since): how many projects, and their budgets, spending and indicator counts
  summed — the roll-ups (headline, areas, units, 主管部门, spending chart, changes) read a few thousand
  of these instead of every project. Kept by the same recompute that writes ``status_project``: it
  re-sums the units whose projects it rewrote.

The primary keys start with (generation, project): a save rewrites one project's rows of every as-of
date. Every column is filled by ``data_access.status_store``; nothing else writes these tables.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text, false
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class StatusGeneration(SQLModel, table=True):
    __tablename__ = "status_generation"
    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(index=True)  # building | active | retired
    settings: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    finished_at: datetime | None = None
    total: int = 0
    done: int = 0
    worker: str | None = None
    heartbeat_at: datetime | None = None


class StatusProject(SQLModel, table=True):
    __tablename__ = "status_project"
    generation_id: int = Field(primary_key=True)
    project_id: int = Field(primary_key=True)
    as_of: date = Field(primary_key=True)
    fiscal_year_id: int
    unit_id: int | None = None
    area_id: int | None = None
    doc_order: int = 0
    name: str = ""
    budget_wan: float = 0.0  # 0 when the document gave none (the order and the sums treat it so)
    spent_wan: float | None = None
    status: str = ""
    severity: int = 0
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    budget_status: str = ""
    budget_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    execution_pct: float | None = None
    expected_pct: float | None = None
    projected_pct: float | None = None
    n_red: int = 0
    n_missing: int = 0
    n_amber: int = 0
    n_green: int = 0
    n_blue: int = 0
    n_grey: int = 0
    prev_status: str | None = None  # the project's status at the previous as-of date of the year, if any
    recovered: int = 0  # items (budget row, indicators) 未填报 at the previous as-of date and reported now


class StatusItem(SQLModel, table=True):
    __tablename__ = "status_item"
    generation_id: int = Field(primary_key=True)
    project_id: int = Field(primary_key=True)
    as_of: date = Field(primary_key=True)
    seq: int = Field(primary_key=True)  # -1: the budget row; 0..n-1: the indicators in document order
    indicator_id: int | None = None
    fiscal_year_id: int
    unit_id: int | None = None
    area_id: int | None = None
    doc_order: int = 0
    project_name: str = ""
    budget_wan: float = 0.0
    level1: str = ""
    level2: str = ""
    level3: str = ""
    status: str = ""
    rank: int = 0  # the risk list's order: red 4, 未填报 3, amber 2, blue 1; green 0, grey -1
    prev_status: str | None = None  # the item's status at the previous as-of date of the year, if any
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    target: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actual: str = ""
    projected: str = ""
    likelihood: str = ""
    reasons: str = ""
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    measures: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # the target in force was adjusted (目标调整: domain.status.change_summary; '' when not) and, ``flagged``,
    # while the indicator was red or amber: the risk list keeps it whatever its status (docs/rules.md §4.10)
    adjustment: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    flagged: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class StatusSum(SQLModel, table=True):
    """``status_project`` summed per (generation, as_of, unit, area, status, budget_status, prev_status, back);
    every measure is the SQL ``sum`` of a per-project expression (``data_access.status_store.sums.MEASURES``)."""

    __tablename__ = "status_sum"
    id: int | None = Field(default=None, primary_key=True)
    generation_id: int
    as_of: date
    fiscal_year_id: int
    unit_id: int | None = None
    area_id: int | None = None
    status: str = ""
    budget_status: str = ""
    prev_status: str | None = None
    back: int = 0  # 1: the projects had items 未填报 at the previous as-of date that are reported now
    projects: int = 0
    reporting: int = 0  # projects that reported spending
    lacking: int = 0  # projects with an item 未填报 (the budget row or an indicator)
    budget: float = 0.0
    budget_pos: float = 0.0  # positive budgets only (the roll-ups' shares)
    spent: float = 0.0  # the spending reported
    reported_budget: float = 0.0  # the budget of the projects that reported spending
    reported_planned: float = 0.0  # their planned spending at the date (budget × expected %)
    planned: float = 0.0  # every project's planned spending at the date
    n_red: int = 0  # indicators by status, as in status_project
    n_missing: int = 0
    n_amber: int = 0
    n_green: int = 0
    n_blue: int = 0
    n_grey: int = 0


# The pages' orders, read with LIMIT: the worst projects first (then the largest budget, the name, the
# document order), and the risk list (red, 未填报, amber, blue; then budget, name, document order, item).
_p = StatusProject.__table__.c
_i = StatusItem.__table__.c
Index("ix_status_project_order", _p.generation_id, _p.as_of, _p.severity.desc(), _p.budget_wan.desc(), _p.name,
      _p.doc_order, _p.project_id, _p.status)  # the ordered (id, status, name) list read from the index alone
Index("ix_status_project_unit", _p.generation_id, _p.as_of, _p.unit_id)
Index("ix_status_project_year", _p.generation_id, _p.fiscal_year_id)
# The changes since the previous date, a (previous, current) group at a time, largest budget first.
Index("ix_status_project_change", _p.generation_id, _p.as_of, _p.prev_status, _p.status, _p.budget_wan.desc(),
      _p.project_id)
Index("ix_status_item_risk", _i.generation_id, _i.as_of, _i.rank.desc(), _i.budget_wan.desc(), _i.project_name,
      _i.doc_order, _i.seq)
# The risk list's counts by status (GROUP BY over the index, without reading the rows) and the indicators
# kept because their target was adjusted while red or amber (``flagged``, a handful).
Index("ix_status_item_status", _i.generation_id, _i.as_of, _i.status, _i.flagged)
Index("ix_status_item_flagged", _i.generation_id, _i.as_of, _i.flagged, _i.status)
# The sums of a date (and visible units), and a year's or a unit's sums when they are re-summed.
_s = StatusSum.__table__.c
Index("ix_status_sum_unit", _s.generation_id, _s.as_of, _s.unit_id)
Index("ix_status_sum_year", _s.generation_id, _s.fiscal_year_id, _s.unit_id)
