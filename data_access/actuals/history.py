"""The audit trail as people read it: a project's change history and the admin's audit view.

Definitions chosen here:

* ``history`` lists changes to reported values only (indicator and spending rows of one project or
  one indicator), newest first, with the source (screen, template, CSV, command line).
* ``audit_frame`` lists every audit row (admin only) with the filters of :class:`AuditFilters`; a day
  filter is a Beijing day (``domain.clock``).
* Everything a person reads is Chinese: the action and the object through ``domain.labels`` (an action
  can depend on its object: unlocking a period is 重新开放), the field through :func:`field_text`
  (reported values, rule settings, periods and accounts), old and new values through
  ``domain.labels.value_text`` (空 / 是 / 否 instead of None / True / False). A row about no field
  (a login, an import) shows no values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, or_, select, text
from sqlmodel import Session

from data_access.actuals.access import IND_ENTITY, SP_ENTITY
from data_access.models import AuditLog, Indicator, IndicatorActual, Project, SpendingActual
from data_access.permissions import Principal, check_can_read_project, require_admin
from data_access.target_sync import FIELD_LABELS as TARGET_FIELD_LABELS
from data_access.target_sync import PROJECT_FIELD_LABELS
from domain import entry as E
from domain.clock import format_time, local_day_start_utc
from domain.labels import RULE_FIELD_LABELS, action_label, actor_label, entity_label, value_text
from domain.settings import FIELD_LABELS as SETTING_LABELS

HISTORY_COLUMNS = ["时间", "填报期", "项目", "事项", "字段", "原值", "新值", "操作人", "来源"]
AUDIT_COLUMNS = ["时间", "操作人", "操作", "对象", "对象编号", "填报期", "字段", "原值", "新值", "说明"]

# fields of audit rows about periods and accounts (reported values: domain.entry, rules: domain.settings)
RECORD_FIELD_LABELS: dict[str, str] = {
    "locked": "锁定状态",
    "active": "账户启用",
    "units": "责任单位",
    "role": "角色",
    "name": "姓名",
    "password": "密码",
    "file": "文件",
    "requirement": "整改要求",
    "deadline": "整改期限",
    "state": "整改状态",
    "rect_measures": "整改措施",
    "rect_result": "整改结果",
    "rect_note": "核验意见",
}


def field_text(field_: str | None) -> str:
    """The Chinese name of an audited field ('' for none; an unknown field as stored)."""
    if not field_:
        return ""
    for labels in (E.FIELD_LABELS, SETTING_LABELS, RECORD_FIELD_LABELS, TARGET_FIELD_LABELS, PROJECT_FIELD_LABELS,
                   RULE_FIELD_LABELS):
        if field_ in labels:
            return labels[field_]
    return field_


def _values(field_: str | None, old: str | None, new: str | None) -> tuple[str, str]:
    """(原值, 新值) as shown: nothing for a row about no field and no values, else ``value_text``."""
    if not field_ and old is None and new is None:
        return "", ""
    return value_text(old), value_text(new)


def history(engine: Engine, project_id: int | None = None, indicator_id: int | None = None, *,
            principal: Principal | None = None, limit: int = 1000) -> pd.DataFrame:
    """Every change to a project's reported values (its indicators and its spending), or to one
    indicator's, newest first: 时间, 填报期, 项目, 事项 (三级指标 or 预算执行), 字段, 原值, 新值, 操作人, 来源.
    With ``principal``, a project outside what they may see raises :class:`PermissionDenied`."""
    if project_id is None and indicator_id is None:
        raise ValueError("history() needs project_id or indicator_id")
    with Session(engine) as s:
        if principal is not None:
            pid = project_id
            if pid is None:
                pid = s.execute(select(Indicator.project_id).where(Indicator.id == indicator_id)).scalar()
            unit_id = s.execute(select(Project.unit_id).where(Project.id == pid)).scalar()
            check_can_read_project(principal, unit_id)
        ind_q = (select(AuditLog.at, AuditLog.period_code, Project.name, Indicator.level3, AuditLog.field,
                        AuditLog.old, AuditLog.new, AuditLog.username, AuditLog.detail, AuditLog.id)
                 .join(IndicatorActual, and_(AuditLog.entity == IND_ENTITY, AuditLog.entity_id == IndicatorActual.id))
                 .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
                 .join(Project, Project.id == Indicator.project_id))
        ind_q = ind_q.where(Indicator.id == indicator_id) if indicator_id is not None else ind_q.where(
            Project.id == project_id)
        rows = list(s.execute(ind_q.order_by(AuditLog.id.desc()).limit(limit)).all())
        if indicator_id is None:
            sp_q = (select(AuditLog.at, AuditLog.period_code, Project.name, text("'预算执行'"), AuditLog.field,
                           AuditLog.old, AuditLog.new, AuditLog.username, AuditLog.detail, AuditLog.id)
                    .join(SpendingActual, and_(AuditLog.entity == SP_ENTITY, AuditLog.entity_id == SpendingActual.id))
                    .join(Project, Project.id == SpendingActual.project_id)
                    .where(Project.id == project_id))
            rows += list(s.execute(sp_q.order_by(AuditLog.id.desc()).limit(limit)).all())
    rows.sort(key=lambda r: r[-1], reverse=True)
    out = [dict(zip(HISTORY_COLUMNS, (
        format_time(at), code or "", pname, item, field_text(f), *_values(f, old, new), actor_label(who),
        (detail or "").removeprefix("来源："),
    ))) for at, code, pname, item, f, old, new, who, detail, _id in rows[:limit]]
    return pd.DataFrame(out, columns=HISTORY_COLUMNS)


@dataclass(frozen=True)
class AuditFilters:
    """What the admin audit view filters on; empty means "all"."""

    username: str = ""
    action: str = ""
    entity: str = ""
    period_code: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    text: str = ""  # found in old/new/detail
    limit: int = 2000


def audit_frame(engine: Engine, principal: Principal | None, filters: AuditFilters | None = None) -> pd.DataFrame:
    """The audit trail for the admin (newest first). Raises :class:`PermissionDenied` for others."""
    require_admin(principal)
    f = filters or AuditFilters()
    q = select(AuditLog)
    if f.username:
        q = q.where(AuditLog.username == f.username.strip().lower())
    if f.action:
        q = q.where(AuditLog.action == f.action)
    if f.entity:
        q = q.where(AuditLog.entity == f.entity)
    if f.period_code:
        q = q.where(AuditLog.period_code == f.period_code)
    if f.since:
        q = q.where(AuditLog.at >= local_day_start_utc(f.since))
    if f.until:
        q = q.where(AuditLog.at < local_day_start_utc(f.until + timedelta(days=1)))
    if f.text:
        like = f"%{f.text.strip()}%"
        q = q.where(or_(AuditLog.old.like(like), AuditLog.new.like(like), AuditLog.detail.like(like)))
    with Session(engine) as s:
        rows = list(s.execute(q.order_by(AuditLog.id.desc()).limit(max(1, int(f.limit)))).scalars())
    out = [dict(zip(AUDIT_COLUMNS, (
        format_time(r.at), actor_label(r.username), action_label(r.action, r.entity), entity_label(r.entity), r.entity_id,
        r.period_code or "", field_text(r.field), *_values(r.field, r.old, r.new), r.detail or "",
    ))) for r in rows]
    df = pd.DataFrame(out, columns=AUDIT_COLUMNS)
    df["对象编号"] = df["对象编号"].astype("Int64")
    return df
