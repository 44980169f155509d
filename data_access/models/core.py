"""Core tables: targets (years, areas, units, projects, plans, indicators), periods, values, accounts, audit, settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class FiscalYear(SQLModel, table=True):
    __tablename__ = "fiscal_year"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True, index=True)
    title: str = ""
    department: str = ""
    overall_goal: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    measures: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    source_name: str = ""
    imported_at: datetime = Field(default_factory=utcnow)
    # self-evaluation weight preset of this target document (domain.settings.WEIGHT_PRESETS key);
    # None: the weights of 设置 (docs/rules.md §7)
    selfeval_preset: str | None = None


class Area(SQLModel, table=True):
    """A department-level target area (（一）学校建设 …)."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("fiscal_year_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    fiscal_year_id: int = Field(foreign_key="fiscal_year.id", index=True)
    seq: int
    name: str
    goal: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    indicator_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # quantitative targets extracted from the prose: [{"name", "phrase", "target": {...}}]
    targets: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))


class Unit(SQLModel, table=True):
    """A responsible unit (科室/学校), under its 主管部门 (``department``; '' when the data names none: a
    district bureau's own units). The department comes from the target tables' 主管部门 when a document
    names several (``data_access.targets``) or from the synthetic city data."""

    __tablename__ = "unit"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    department: str = Field(default="", index=True, sa_column_kwargs={"server_default": ""})


class Project(SQLModel, table=True):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("fiscal_year_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    fiscal_year_id: int = Field(foreign_key="fiscal_year.id", index=True)
    seq: int = 0
    code: str = ""
    name: str
    title: str = ""
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    budget_wan: float = 0.0
    fiscal_wan: float | None = None
    other_wan: float | None = None
    goals: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    # self-evaluation weight preset of this project; None: its document's, else the weights of 设置
    selfeval_preset: str | None = None


class PlanCheckpoint(SQLModel, table=True):
    """One point of the cumulative spending plan (资金支出计划)."""

    __tablename__ = "plan_checkpoint"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    seq: int
    label: str
    due: date
    cumulative_pct: float


class Indicator(SQLModel, table=True):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    seq: int
    level1: str
    level2: str
    level3: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    target_text: str
    basis: str = ""
    # the parsed target rule (domain.targets.Target)
    kind: str
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    deadline: date | None = None
    start: date | None = None
    # admin override: None = default rule (数量/效益 with a count unit accumulate)
    accumulates: bool | None = None
    # admin override of an '=' target's direction: 'cap' (not above it) | 'reach' (at least it);
    # None = by the 二级指标 (docs/rules.md §4.1)
    direction: str | None = None
    # 分值 of the imported target table, when it had one (self-evaluation weights)
    weight: float | None = None


class Period(SQLModel, table=True):
    """A reporting period: '2024Q3' or '2024-09'. Locked periods are read-only for staff."""

    __tablename__ = "period"
    id: int | None = Field(default=None, primary_key=True)
    fiscal_year_id: int = Field(foreign_key="fiscal_year.id", index=True)
    code: str = Field(unique=True, index=True)
    kind: str  # quarter | month
    start: date
    end: date
    locked: bool = False
    locked_by: str | None = None
    locked_at: datetime | None = None
    # 填报截止日: the day values for the period are due (set on 填报期管理); None = the period's end
    deadline: date | None = None


class IndicatorActual(SQLModel, table=True):
    """What staff reported for one indicator and period (cumulative for the year to the period end)."""

    __tablename__ = "indicator_actual"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_code"),
        Index("ix_indicator_actual_period", "period_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    period_code: str
    actual_value: float | None = None
    actual_judgement: str | None = None  # 达成/部分达成/未达成/进行中
    actual_judgement_text: str | None = None  # the wording entered when it was not the word itself (达成年度指标)
    actual_date: date | None = None  # completion date of a deadline target
    projected_value: float | None = None
    projected_judgement: str | None = None
    projected_judgement_text: str | None = None  # likewise for the projection
    likelihood: str | None = None  # 确定能/有可能/完全不可能
    reasons: str = ""  # categories joined with ';'
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    measures: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    remarks: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_demo: bool = False
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class SpendingActual(SQLModel, table=True):
    """Cumulative spending of a project to the end of a period (万元)."""

    __tablename__ = "spending_actual"
    __table_args__ = (
        UniqueConstraint("project_id", "period_code"),
        Index("ix_spending_actual_period", "period_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    period_code: str
    spent_wan: float | None = None
    projected_wan: float | None = None
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_demo: bool = False
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)  # lower-case
    name: str = ""
    role: str  # admin | leader | staff
    password_hash: str
    active: bool = True
    is_demo: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # bumped by every change that must end the user's open sessions (password, lock, deactivation,
    # role, units): a session remembers the value it started with (data_access.sessions)
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # lockouts in a row without a successful sign-in: each one lasts twice as long, up to a maximum
    lock_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # 科长: with two review levels (domain.review) reviews the projects of their units first
    unit_reviewer: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # the signature block of the official outputs (data_access.signature): 联系电话 and 审核人
    phone: str = Field(default="", sa_column_kwargs={"server_default": ""})
    report_reviewer: str = Field(default="", sa_column_kwargs={"server_default": ""})


class LoginSession(SQLModel, table=True):
    """One signed-in browser session, server side. The re-login cookie carries its token; only the token's
    SHA-256 is stored, so a copy of the database signs nobody in."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user_open", "user_id", "ended_at"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id")
    epoch: int = 0  # the user's session_epoch when the session started
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ended_reason: str | None = None
    client: str = ""  # the client address as the proxy gave it


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per client address (data_access.throttle): too many block the address for a while."""

    __tablename__ = "login_throttle"
    client: str = Field(primary_key=True)
    failures: int = 0
    lock_count: int = 0
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class UserUnit(SQLModel, table=True):
    __tablename__ = "user_unit"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class AuditLog(SQLModel, table=True):
    """Append-only trail: who changed what, when, old -> new."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        # the audit view's filters, newest first (ORDER BY id DESC LIMIT n): without them a rare user,
        # action or period scans the whole trail (~80-140 ms at 800k rows on PostgreSQL, growing)
        Index("ix_audit_username_id", "username", "id"),
        Index("ix_audit_action_id", "action", "id"),
        Index("ix_audit_period_id", "period_code", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    username: str
    action: str  # import | update | lock | unlock | login ...
    entity: str = ""
    entity_id: int | None = None
    period_code: str | None = None
    field: str | None = None
    old: str | None = Field(default=None, sa_column=Column(Text))
    new: str | None = Field(default=None, sa_column=Column(Text))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Setting(SQLModel, table=True):
    """Admin-editable settings (status thresholds, weights), JSON values keyed by name."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True)
    value: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class DataVersion(SQLModel, table=True):
    """A revision counter bumped by every write: cached reads key on it, so replicas see each other's writes."""

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    revision: int = 0
