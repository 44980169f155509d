"""Bulk loading of actual values (demo data, synthetic city data): one transaction, set-based inserts."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, insert, select, text

from data_access.db import Changed, bump_revision, session_scope
from data_access.models import (
    Area,
    AuditLog,
    FiscalYear,
    Indicator,
    IndicatorActual,
    Period,
    PlanCheckpoint,
    Project,
    SpendingActual,
    Unit,
)
from domain.clock import utcnow
from domain.periods import MONTH, QUARTER, periods_of_year


def replace_demo_actuals(engine: Engine, indicator_rows: list[dict], spending_rows: list[dict], username: str = "system") -> None:
    """Delete earlier demo rows and insert these (each dict: the table's columns). Real (non-demo)
    values are never touched: a demo row for a value staff already entered is skipped."""
    now = utcnow()
    with session_scope(engine) as s:
        s.execute(delete(IndicatorActual).where(IndicatorActual.is_demo.is_(True)))
        s.execute(delete(SpendingActual).where(SpendingActual.is_demo.is_(True)))
        real_ind = set(s.execute(select(IndicatorActual.indicator_id, IndicatorActual.period_code)).tuples().all())
        real_sp = set(s.execute(select(SpendingActual.project_id, SpendingActual.period_code)).tuples().all())
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
        bump_revision(s, Changed.years(s.execute(select(FiscalYear.id)).scalars()))  # demo rows of any year


def has_demo_data(engine: Engine) -> bool:
    with engine.connect() as c:
        return c.execute(select(IndicatorActual.id).where(IndicatorActual.is_demo.is_(True)).limit(1)).first() is not None \
            or c.execute(select(SpendingActual.id).where(SpendingActual.is_demo.is_(True)).limit(1)).first() is not None


__all__ = ["replace_demo_actuals", "has_demo_data"]


def load_city(engine: Engine, data, *, username: str = "system", batch: int = 5000) -> dict[str, int]:
    """Store ``seed.synth.CityData`` in one transaction with set-based inserts and explicit ids.

    Refuses a database that already has projects for the year (synthetic data goes into its own
    database). Returns the row counts.

    Longer than 60 lines on purpose: one transaction of set-based inserts, table after table in
    foreign-key order with explicit ids so that later tables can point at earlier ones; the steps
    only make sense together.
    """
    now = utcnow()
    with session_scope(engine) as s:
        fy = s.execute(select(FiscalYear).where(FiscalYear.year == data.year)).scalar_one_or_none()
        if fy is not None and s.execute(select(func.count()).select_from(Project).where(Project.fiscal_year_id == fy.id)).scalar():
            raise ValueError(f"数据库中已有{data.year}年度的项目：请把合成数据生成到一个空数据库（--db 指定）")
        if fy is None:
            fy = FiscalYear(year=data.year, title=f"{data.year}年市级部门绩效目标（合成数据）", department="市财政局（合成数据）")
            s.add(fy)
            s.flush()
        have = set(s.execute(select(Period.code).where(Period.fiscal_year_id == fy.id)).scalars())
        for kind in (QUARTER, MONTH):
            for p in periods_of_year(data.year, kind):
                if p.key not in have:
                    s.add(Period(fiscal_year_id=fy.id, code=p.key, kind=p.kind, start=p.start, end=p.end))
        s.flush()

        def base(model) -> int:
            return int(s.execute(select(func.coalesce(func.max(model.id), 0))).scalar()) + 1

        pg = engine.dialect.name == "postgresql"

        def put(model, rows: list[dict]) -> None:
            if not rows:
                return
            if pg and len(rows) > batch and model.__tablename__ not in ("project", "area"):
                # COPY is ~5x faster than multi-row INSERT; same transaction (no JSON columns here)
                cols = list(dict.fromkeys(k for r in rows for k in r))  # rows may omit columns
                raw = s.connection().connection.driver_connection
                with raw.cursor().copy(f"COPY {model.__tablename__} ({', '.join(cols)}) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row([r.get(c) for c in cols])
                return
            for i in range(0, len(rows), batch):
                s.execute(insert(model), rows[i:i + batch])

        unit_ids = {}
        existing_units: dict[str, int] = dict(s.execute(select(Unit.name, Unit.id)).tuples().all())
        b = base(Unit)
        new_units = []
        for name in data.units:
            if name in existing_units:
                unit_ids[name] = existing_units[name]
            else:
                unit_ids[name] = b
                new_units.append({"id": b, "name": name, "department": data.unit_departments.get(name, "")})
                b += 1
        put(Unit, new_units)

        area_ids = dict(s.execute(select(Area.name, Area.id).where(Area.fiscal_year_id == fy.id)).tuples().all())
        b = base(Area)
        new_areas = []
        for a in data.areas:
            if a["name"] not in area_ids:
                area_ids[a["name"]] = b
                new_areas.append({"id": b, "fiscal_year_id": fy.id, **a})
                b += 1
        put(Area, new_areas)

        pb = base(Project)
        project_rows = []
        for p in data.projects:
            row = {k: v for k, v in p.items() if not k.startswith("_") and k not in ("unit", "area")}
            row.update(id=pb + p["_key"], fiscal_year_id=fy.id, unit_id=unit_ids.get(p["unit"]),
                       area_id=area_ids.get(p["area"]))
            project_rows.append(row)
        put(Project, project_rows)

        cb = base(PlanCheckpoint)
        put(PlanCheckpoint, [{"id": cb + i, "project_id": pb + c["_project"],
                              **{k: v for k, v in c.items() if not k.startswith("_")}}
                             for i, c in enumerate(data.plans)])

        ib = base(Indicator)
        put(Indicator, [{"id": ib + r["_key"], "project_id": pb + r["_project"],
                         **{k: v for k, v in r.items() if not k.startswith("_")}} for r in data.indicators])

        common = {"is_demo": True, "updated_by": username, "updated_at": now, "version": 1}
        ab = base(IndicatorActual)
        put(IndicatorActual, [{"id": ab + i, "indicator_id": ib + r["_indicator"], **common,
                               **{k: v for k, v in r.items() if not k.startswith("_")}}
                              for i, r in enumerate(data.indicator_actuals)])
        sb = base(SpendingActual)
        put(SpendingActual, [{"id": sb + i, "project_id": pb + r["_project"], **common,
                              **{k: v for k, v in r.items() if not k.startswith("_")}}
                             for i, r in enumerate(data.spending_actuals)])

        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("unit", "area", "project", "plan_checkpoint", "indicator", "indicator_actual", "spending_actual"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))
        s.add(AuditLog(username=username, action="synth", entity="fiscal_year", entity_id=fy.id,
                       detail=f"合成数据：部门{len(data.units)}个，项目{len(data.projects)}个，指标{len(data.indicators)}个"))
        bump_revision(s, Changed.years([fy.id]))
    return {"units": len(data.units), "projects": len(data.projects), "indicators": len(data.indicators),
            "indicator_actuals": len(data.indicator_actuals), "spending_actuals": len(data.spending_actuals)}
