"""The audit trail as people read it: a project's change history and the admin's audit view.

Definitions chosen here:

* ``history`` lists changes to reported values only (indicator and spending rows of one project or
  one indicator), newest first, with the source (screen, template, CSV, command line).
* ``audit_frame`` lists every audit row (admin only) with the filters of :class:`AuditFilters`; a day
  filter is a Beijing day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Engine, and_, or_, select, text
from sqlmodel import Session

from data_access.actuals.access import IND_ENTITY, PERIOD_ENTITY, SP_ENTITY
from data_access.models import AuditLog, Indicator, IndicatorActual, Project, SpendingActual
from data_access.permissions import Principal, check_can_read_project, require_admin
from domain import entry as E
from domain.clock import BEIJING as LOCAL_TZ, format_time


HISTORY_COLUMNS = ["时间", "填报期", "项目", "事项", "字段", "原值", "新值", "操作人", "来源"]
AUDIT_COLUMNS = ["时间", "操作人", "操作", "对象", "对象编号", "填报期", "字段", "原值", "新值", "说明"]
ACTION_LABELS = {"update": "修改", "import": "导入", "lock": "锁定", "unlock": "重新开放", "login": "登录",
                 "logout": "退出", "demo-data": "示例数据", "create_user": "创建用户"}
ENTITY_LABELS = {IND_ENTITY: "指标填报", SP_ENTITY: "预算执行填报", PERIOD_ENTITY: "填报期", "setting": "规则设置",
                 "actuals": "填报数据", "user": "用户"}


def _field_label(field_: str | None) -> str:
    if not field_:
        return ""
    return E.FIELD_LABELS.get(field_, field_)


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
    out = [{
        "时间": format_time(at), "填报期": code or "", "项目": pname, "事项": item, "字段": _field_label(f),
        "原值": old if old is not None else "", "新值": new if new is not None else "", "操作人": who,
        "来源": (detail or "").removeprefix("来源："),
    } for at, code, pname, item, f, old, new, who, detail, _id in rows[:limit]]
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
        q = q.where(AuditLog.at >= datetime.combine(f.since, datetime.min.time(), LOCAL_TZ).astimezone(timezone.utc))
    if f.until:
        q = q.where(AuditLog.at < datetime.combine(f.until + timedelta(days=1), datetime.min.time(),
                                                   LOCAL_TZ).astimezone(timezone.utc))
    if f.text:
        like = f"%{f.text.strip()}%"
        q = q.where(or_(AuditLog.old.like(like), AuditLog.new.like(like), AuditLog.detail.like(like)))
    with Session(engine) as s:
        rows = list(s.execute(q.order_by(AuditLog.id.desc()).limit(max(1, int(f.limit)))).scalars())
    out = [{
        "时间": format_time(r.at), "操作人": r.username, "操作": ACTION_LABELS.get(r.action, r.action),
        "对象": ENTITY_LABELS.get(r.entity, r.entity), "对象编号": r.entity_id, "填报期": r.period_code or "",
        "字段": _field_label(r.field), "原值": r.old or "", "新值": r.new or "", "说明": r.detail or "",
    } for r in rows]
    df = pd.DataFrame(out, columns=AUDIT_COLUMNS)
    df["对象编号"] = df["对象编号"].astype("Int64")
    return df
