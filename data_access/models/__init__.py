"""SQLModel tables. The only place table classes are defined (Streamlit reruns must not redefine them).

``core`` holds the targets, values, accounts and audit tables; each later feature keeps its tables in a
module of its own here and is imported below, so that ``import data_access.models`` registers every
table (Alembic's ``env.py`` and ``data_access.db`` rely on it) and ``from data_access.models import X``
works for all of them.
"""

from data_access.models.adjustments import BudgetAdjustment, TargetAdjustment
from data_access.models.core import (
    Area,
    AuditLog,
    DataVersion,
    FiscalYear,
    Indicator,
    IndicatorActual,
    LoginSession,
    LoginThrottle,
    Period,
    PlanCheckpoint,
    Project,
    Setting,
    SpendingActual,
    Unit,
    User,
    UserUnit,
)
from data_access.models.evidence import EvidenceContent, EvidenceFile, Rectification
from data_access.models.review import ProjectReview, ReportFile, ReportSnapshot, ReviewComment
from data_access.models.status_store import StatusGeneration, StatusItem, StatusProject, StatusSum

__all__ = [
    "Area",
    "AuditLog",
    "BudgetAdjustment",
    "DataVersion",
    "EvidenceContent",
    "EvidenceFile",
    "FiscalYear",
    "Indicator",
    "IndicatorActual",
    "LoginSession",
    "LoginThrottle",
    "Period",
    "PlanCheckpoint",
    "Project",
    "ProjectReview",
    "Rectification",
    "ReportFile",
    "ReportSnapshot",
    "ReviewComment",
    "Setting",
    "SpendingActual",
    "StatusGeneration",
    "StatusItem",
    "StatusProject",
    "StatusSum",
    "TargetAdjustment",
    "Unit",
    "User",
    "UserUnit",
]
