"""Storing an approved target document, and reading the targets back.

``save_document`` is one transaction: a failed import leaves the database exactly as it was, and
importing the same document twice changes nothing (projects are matched by fiscal year + code, or
name when the code is empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from data_access.acting import acting_principal, take_write_lock
from data_access.db import bump_revision, session_scope
from data_access.models import (
    Area,
    AuditLog,
    FiscalYear,
    Indicator,
    IndicatorActual,
    Period,
    PlanCheckpoint,
    Project,
    Unit,
)
from data_access.permissions import Principal, require_admin
from domain.document import ImportProblem, TargetDocument
from domain.periods import MONTH, QUARTER, periods_of_year


class ImportRefused(Exception):
    """The document has problems and the user did not ask for a partial import."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ImportResult:
    fiscal_year: int
    projects_created: int = 0
    projects_updated: int = 0
    projects_unchanged: int = 0
    indicators: int = 0
    skipped: list[ImportProblem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.projects_created or self.projects_updated)

    def summary(self) -> str:
        s = (
            f"{self.fiscal_year}年度：新增项目{self.projects_created}个，更新{self.projects_updated}个，"
            f"未变化{self.projects_unchanged}个，共{self.indicators}个指标"
        )
        if self.skipped:
            s += f"；跳过{len(self.skipped)}处问题"
        return s


Assignments = dict[str, tuple[str | None, str | None]]  # project name -> (unit name, area name)


def save_document(
    engine: Engine,
    doc: TargetDocument,
    *,
    assignments: Assignments | None = None,
    by: Principal | None,
    source_name: str = "",
    allow_partial: bool = False,
) -> ImportResult:
    """Admin only (``by``, re-read in the transaction): store a target document (see the module docstring).
    Raises ``PermissionDenied`` or :class:`ImportRefused` (Chinese)."""
    p = require_admin(by)
    if doc.problems and not allow_partial:
        raise ImportRefused(doc.problems)
    if not doc.projects:
        raise ImportRefused(doc.problems or [ImportProblem("", "文件中没有可导入的项目")])
    assignments = assignments or {}
    result = ImportResult(fiscal_year=doc.fiscal_year, skipped=list(doc.problems))
    try:
        _save(engine, doc, assignments, p, source_name, result)
    except IntegrityError as e:  # a clash the checks above did not foresee: refuse, nothing is written
        raise ImportRefused([ImportProblem("", f"文件内容与已有数据冲突（{e.orig}），未导入任何内容")]) from e
    return result


def _save(engine: Engine, doc: TargetDocument, assignments: Assignments, by: Principal, source_name: str,
          result: ImportResult) -> None:
    with session_scope(engine) as s:
        take_write_lock(s)
        username = acting_principal(s, by).username
        fy, fy_changed = _upsert_fiscal_year(s, doc, source_name)
        areas = _upsert_areas(s, fy, doc)
        fy_changed = fy_changed or areas[1]
        area_by_name = areas[0]
        _ensure_periods(s, fy)
        for seq, spec in enumerate(doc.projects, start=1):
            unit_name, area_name = assignments.get(spec.name, (None, None))
            unit_id = _unit_id(s, unit_name) if unit_name else None
            area_id = area_by_name[area_name].id if area_name in area_by_name else None
            status = _upsert_project(s, fy, seq, spec, unit_id, area_id)
            if status == "created":
                result.projects_created += 1
            elif status == "updated":
                result.projects_updated += 1
            else:
                result.projects_unchanged += 1
            result.indicators += len(spec.indicators)
        if result.changed or fy_changed:
            s.add(
                AuditLog(
                    username=username,
                    action="import",
                    entity="fiscal_year",
                    entity_id=fy.id,
                    detail=f"{source_name}：{result.summary()}",
                )
            )
            bump_revision(s)


def _upsert_fiscal_year(s: Session, doc: TargetDocument, source_name: str) -> tuple[FiscalYear, bool]:
    fy = s.exec(select(FiscalYear).where(FiscalYear.year == doc.fiscal_year)).first()
    values = {
        "title": doc.title,
        "department": doc.department,
        "overall_goal": doc.overall_goal,
        "measures": list(doc.measures),
    }
    if fy is None:
        fy = FiscalYear(year=doc.fiscal_year, source_name=source_name, **values)
        s.add(fy)
        s.flush()
        return fy, True
    changed = _assign(fy, {k: v for k, v in values.items() if v})
    if changed:
        fy.source_name = source_name
    return fy, changed


def _upsert_areas(s: Session, fy: FiscalYear, doc: TargetDocument) -> tuple[dict[str, Area], bool]:
    existing = {a.name: a for a in s.exec(select(Area).where(Area.fiscal_year_id == fy.id))}
    changed = False
    for spec in doc.areas:
        values = {
            "seq": spec.seq,
            "goal": spec.goal,
            "indicator_text": spec.indicator_text,
            "targets": [
                {"name": t.name, "phrase": t.phrase, "target": t.target.to_dict()} for t in spec.targets
            ],
        }
        area = existing.get(spec.name)
        if area is None:
            area = Area(fiscal_year_id=fy.id, name=spec.name, **values)
            s.add(area)
            existing[spec.name] = area
            changed = True
        else:
            changed |= _assign(area, values)
    s.flush()
    return existing, changed


def _ensure_periods(s: Session, fy: FiscalYear) -> None:
    have = set(s.exec(select(Period.code).where(Period.fiscal_year_id == fy.id)))
    for kind in (QUARTER, MONTH):
        for p in periods_of_year(fy.year, kind):
            if p.key not in have:
                s.add(Period(fiscal_year_id=fy.id, code=p.key, kind=p.kind, start=p.start, end=p.end))


def _unit_id(s: Session, name: str) -> int:
    unit = s.exec(select(Unit).where(Unit.name == name)).first()
    if unit is None:
        unit = Unit(name=name)
        s.add(unit)
        s.flush()
    return unit.id  # type: ignore[return-value]


def _assign(obj, values: dict) -> bool:
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


def _upsert_project(s: Session, fy: FiscalYear, seq: int, spec, unit_id, area_id) -> str:
    q = select(Project).where(Project.fiscal_year_id == fy.id)
    project = s.exec(q.where(Project.code == spec.code)).first() if spec.code else None
    if project is None:  # no code, or a code seen for the first time: the same name is the same project
        project = s.exec(q.where(Project.name == spec.name)).first()
    values = {
        "seq": seq,
        "code": spec.code,
        "name": spec.name,
        "title": spec.title,
        "purpose": spec.purpose,
        "budget_wan": spec.budget_wan or 0.0,
        "fiscal_wan": spec.fiscal_wan,
        "other_wan": spec.other_wan,
        "goals": list(spec.goals),
    }
    if unit_id is not None:
        values["unit_id"] = unit_id
    if area_id is not None:
        values["area_id"] = area_id
    created = project is None
    if created:
        project = Project(fiscal_year_id=fy.id, **values)
        s.add(project)
        s.flush()
        changed = True
    else:
        changed = _assign(project, values)
    changed |= _sync_plan(s, project, spec.plan)
    changed |= _sync_indicators(s, project, spec.indicators)
    return "created" if created else ("updated" if changed else "unchanged")


def _sync_plan(s: Session, project: Project, plan) -> bool:
    rows = list(s.exec(select(PlanCheckpoint).where(PlanCheckpoint.project_id == project.id).order_by(PlanCheckpoint.seq)))
    want = [(p.label, p.due, float(p.cumulative_pct)) for p in plan]
    if [(r.label, r.due, r.cumulative_pct) for r in rows] == want:
        return False
    for r in rows:
        s.delete(r)
    s.flush()
    for i, (label, due, pct) in enumerate(want, start=1):
        s.add(PlanCheckpoint(project_id=project.id, seq=i, label=label, due=due, cumulative_pct=pct))
    return True


def _indicator_values(spec) -> dict:
    t = spec.target
    return {
        "level1": spec.level1,
        "level2": spec.level2,
        "level3": spec.level3,
        "description": spec.description,
        "target_text": spec.target_text,
        "basis": spec.basis,
        "kind": t.kind,
        "op": t.op,
        "value": t.value,
        "unit": t.unit,
        "deadline": t.deadline,
        "start": t.start,
    }


def _sync_indicators(s: Session, project: Project, specs) -> bool:
    rows = {r.seq: r for r in s.exec(select(Indicator).where(Indicator.project_id == project.id))}
    changed = False
    for seq, spec in enumerate(specs, start=1):
        values = _indicator_values(spec)
        row = rows.pop(seq, None)
        if row is None:
            s.add(Indicator(project_id=project.id, seq=seq, **values))
            changed = True
        else:
            changed |= _assign(row, values)
    for row in rows.values():  # indicators no longer in the document
        has_actuals = s.exec(
            select(func.count()).select_from(IndicatorActual).where(IndicatorActual.indicator_id == row.id)
        ).one()
        if has_actuals:
            raise ImportRefused(
                [ImportProblem(f"「{project.name}」", f"指标“{row.level3}”已有填报数据，新文件中却没有该指标，不能删除")]
            )
        s.delete(row)
        changed = True
    s.flush()
    return changed


# --------------------------------------------------------------------------- reads


def fiscal_years(engine: Engine) -> list[int]:
    with Session(engine) as s:
        return list(s.exec(select(FiscalYear.year).order_by(FiscalYear.year)))


def project_count(engine: Engine, year: int | None = None) -> int:
    with Session(engine) as s:
        q = select(func.count()).select_from(Project)
        if year is not None:
            q = q.join(FiscalYear, FiscalYear.id == Project.fiscal_year_id).where(FiscalYear.year == year)
        return int(s.exec(q).one())


def dump(engine: Engine, year: int | None = None) -> dict:
    """Everything imported for a fiscal year, in the shape of ``manage.py dump``.

    Longer than 60 lines on purpose: each table is read once, then the JSON shape is written out
    field by field (areas, projects, plan, goals, indicators with their parsed targets), so the code
    reads top to bottom like the output."""
    with Session(engine) as s:
        q = select(FiscalYear).order_by(FiscalYear.year.desc())  # type: ignore[union-attr]
        if year is not None:
            q = select(FiscalYear).where(FiscalYear.year == year)
        fy = s.exec(q).first()
        if fy is None:
            return {"fiscal_year": year, "areas": [], "projects": []}
        areas = list(s.exec(select(Area).where(Area.fiscal_year_id == fy.id).order_by(Area.seq)))
        area_names = {a.id: a.name for a in areas}
        units = {u.id: u.name for u in s.exec(select(Unit))}
        projects = list(s.exec(select(Project).where(Project.fiscal_year_id == fy.id).order_by(Project.seq, Project.id)))
        pids = [p.id for p in projects]
        plans: dict[int, list[PlanCheckpoint]] = {}
        for c in s.exec(select(PlanCheckpoint).where(PlanCheckpoint.project_id.in_(pids)).order_by(PlanCheckpoint.seq)):  # type: ignore[union-attr]
            plans.setdefault(c.project_id, []).append(c)
        inds: dict[int, list[Indicator]] = {}
        for i in s.exec(select(Indicator).where(Indicator.project_id.in_(pids)).order_by(Indicator.seq)):  # type: ignore[union-attr]
            inds.setdefault(i.project_id, []).append(i)

        def _iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "fiscal_year": fy.year,
            "title": fy.title,
            "department": fy.department,
            "areas": [
                {
                    "seq": a.seq,
                    "name": a.name,
                    "goal": a.goal,
                    "indicator_text": a.indicator_text,
                    "targets": a.targets,
                }
                for a in areas
            ],
            "projects": [
                {
                    "name": p.name,
                    "code": p.code,
                    "unit": units.get(p.unit_id),
                    "area": area_names.get(p.area_id),
                    "budget_wan": p.budget_wan,
                    "fiscal_wan": p.fiscal_wan,
                    "other_wan": p.other_wan,
                    "purpose": p.purpose,
                    "plan": [
                        {"label": c.label, "due": _iso(c.due), "cumulative_pct": c.cumulative_pct}
                        for c in plans.get(p.id, [])
                    ],
                    "goals": list(p.goals),
                    "indicators": [
                        {
                            "level1": i.level1,
                            "level2": i.level2,
                            "level3": i.level3,
                            "description": i.description,
                            "target_text": i.target_text,
                            "basis": i.basis,
                            "kind": i.kind,
                            "op": i.op,
                            "value": i.value,
                            "unit": i.unit,
                            "deadline": _iso(i.deadline),
                        }
                        for i in inds.get(p.id, [])
                    ],
                }
                for p in projects
            ],
        }
