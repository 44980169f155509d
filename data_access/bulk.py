"""Bulk loading of actual values (demo data, synthetic city data): one transaction, set-based inserts."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from data_access.db import bump_revision, session_scope
from data_access.models import AuditLog, IndicatorActual, SpendingActual, utcnow


def replace_demo_actuals(engine: Engine, indicator_rows: list[dict], spending_rows: list[dict], username: str = "system") -> None:
    """Delete earlier demo rows and insert these (each dict: the table's columns). Real (non-demo)
    values are never touched: a demo row for a value staff already entered is skipped."""
    now = utcnow()
    with session_scope(engine) as s:
        s.execute(delete(IndicatorActual).where(IndicatorActual.is_demo.is_(True)))
        s.execute(delete(SpendingActual).where(SpendingActual.is_demo.is_(True)))
        real_ind = set(s.execute(select(IndicatorActual.indicator_id, IndicatorActual.period_code)).tuples())
        real_sp = set(s.execute(select(SpendingActual.project_id, SpendingActual.period_code)).tuples())
        ind = [dict(r, is_demo=True, updated_by=username, updated_at=now, version=1)
               for r in indicator_rows if (r["indicator_id"], r["period_code"]) not in real_ind]
        sp = [dict(r, is_demo=True, updated_by=username, updated_at=now, version=1)
              for r in spending_rows if (r["project_id"], r["period_code"]) not in real_sp]
        if ind:
            s.execute(insert(IndicatorActual), ind)
        if sp:
            s.execute(insert(SpendingActual), sp)
        s.add(AuditLog(username=username, action="demo-data", entity="actuals",
                       detail=f"示例数据：指标填报{len(ind)}条，支出{len(sp)}条"))
        bump_revision(s)


def has_demo_data(engine: Engine) -> bool:
    with engine.connect() as c:
        return c.execute(select(IndicatorActual.id).where(IndicatorActual.is_demo.is_(True)).limit(1)).first() is not None \
            or c.execute(select(SpendingActual.id).where(SpendingActual.is_demo.is_(True)).limit(1)).first() is not None


__all__ = ["replace_demo_actuals", "has_demo_data"]
