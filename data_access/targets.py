"""Storing an approved target document, and reading the targets back.

``save_document`` is one transaction: a failed import leaves the database exactly as it was, and
importing the same document twice changes nothing (projects are matched by fiscal year + code, or
name when the code is empty; indicators by their names within the project, never by position:
``data_access.target_sync``). Changes to indicators that already have values must be confirmed
(``confirm_changes=True``); every changed field is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from data_access.acting import acting_principal, take_write_lock
from data_access.db import Changed, bump_revision, session_scope
from data_access.models import (
    Area,
    AuditLog,
    FiscalYear,
    Indicator,
    Period,
    PlanCheckpoint,
    Project,
    Unit,
)
from data_access.permissions import Principal, require_admin
from data_access.target_sync import (
    ChangesNeedConfirmation,
    RemovedWithValues,
    SyncOutcome,
    TargetChange,
    sync_indicators,
)
from domain.clock import utcnow
from domain.document import ImportProblem, TargetDocument, table_departments
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
    indicators_added: int = 0
    indicators_removed: int = 0
    fields_changed: int = 0  # audited field changes (projects and indicators)
    confirmed: list[TargetChange] = field(default_factory=list)  # changes to indicators with values
    created: list[str] = field(default_factory=list)  # names of the projects the import adds
    changes: list[dict] = field(default_factory=list)  # the audit rows of the changes to stored projects
    dry_run: bool = False  # nothing was written: the import was tried and rolled back (the preview's diff)

    @property
    def changed(self) -> bool:
        return bool(self.projects_created or self.projects_updated)

    def summary(self) -> str:
        s = (
            f"{self.fiscal_year}年度：新增项目{self.projects_created}个，更新{self.projects_updated}个，"
            f"未变化{self.projects_unchanged}个，共{self.indicators}个指标"
        )
        if self.projects_updated:
            s += (f"（原有项目中新增指标{self.indicators_added}个，删除{self.indicators_removed}个，"
                  f"修改{self.fields_changed}处）")
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
    confirm_changes: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Admin only (``by``, re-read in the transaction): store a target document in one transaction (see
    the module docstring). ``dry_run``: do everything, then roll back — the result says what the import
    would add, remove and change (changes needing confirmation are listed in ``confirmed``, not raised).

    Raises ``PermissionDenied``, :class:`ImportRefused` (problems in the file, or a stored indicator
    with values that the file no longer has) and
    :class:`~data_access.target_sync.ChangesNeedConfirmation` (the file changes indicators that have
    stored values and ``confirm_changes`` is False); all leave the database as it was (Chinese)."""
    p = require_admin(by)
    if doc.problems and not allow_partial:
        raise ImportRefused(doc.problems)
    if not doc.projects:
        raise ImportRefused(doc.problems or [ImportProblem("", "文件中没有可导入的项目")])
    assignments = assignments or {}
    result = ImportResult(fiscal_year=doc.fiscal_year, skipped=list(doc.problems))
    try:
        _save(engine, doc, assignments, p, source_name, result, confirm_changes or dry_run, dry_run)
    except _RolledBack:
        result.dry_run = True
    except RemovedWithValues as e:
        raise ImportRefused([e.problem]) from e
    except IntegrityError as e:  # a clash the checks above did not foresee: refuse, nothing is written
        raise ImportRefused([ImportProblem("", f"文件内容与已有数据冲突（{e.orig}），未导入任何内容")]) from e
    return result


class _RolledBack(Exception):
    """Ends a dry run: the transaction is rolled back."""


def _save(engine: Engine, doc: TargetDocument, assignments: Assignments, by: Principal, source_name: str,
          result: ImportResult, confirm: bool, dry_run: bool = False) -> None:
    with session_scope(engine) as s:
        take_write_lock(s)
        username = acting_principal(s, by).username
        fy, fy_changed = _upsert_fiscal_year(s, doc, source_name)
        areas = _upsert_areas(s, fy, doc)
        fy_changed = fy_changed or areas[1]
        area_by_name = areas[0]
        _ensure_periods(s, fy)
        locked = list(s.exec(select(Period.code).where(Period.fiscal_year_id == fy.id, Period.locked.is_(True))))
        audit: list[dict] = []
        pending: list[TargetChange] = []
        departments = table_departments(doc)
        for seq, spec in enumerate(doc.projects, start=1):
            unit_name, area_name = assignments.get(spec.name, (None, None))
            unit_name = unit_name or spec.implementer or None  # else the table's 实施单位
            unit_id = None
            if unit_name:
                unit_id, moved = _unit_id(s, unit_name, departments.get(spec.name, ""))
                fy_changed = fy_changed or moved
            area_id = area_by_name[area_name].id if area_name in area_by_name else None
            status, outcome = _upsert_project(s, fy, seq, spec, unit_id, area_id, locked)
            if status == "created":
                result.projects_created += 1
                result.created.append(spec.name)
            elif status == "updated":
                result.projects_updated += 1
                audit.extend(outcome.audit)
                result.indicators_added += outcome.added
                result.indicators_removed += outcome.removed
            else:
                result.projects_unchanged += 1
            pending.extend(outcome.to_confirm)
            result.indicators += len(spec.indicators)
        if pending and not confirm:
            raise ChangesNeedConfirmation(pending)  # the transaction is rolled back
        result.confirmed = pending
        result.fields_changed = sum(1 for a in audit if a["field"] != "indicator")
        result.changes = [dict(a) for a in audit]
        if dry_run:
            raise _RolledBack
        if result.changed or fy_changed:
            now = utcnow()
            for a in audit:
                s.add(AuditLog(at=now, username=username, action="import", entity=a.pop("entity", "indicator"),
                               **{**a, "detail": f"{source_name}：{a['detail']}"}))
            s.add(AuditLog(at=now, username=username, action="import", entity="fiscal_year", entity_id=fy.id,
                           detail=f"{source_name}：{result.summary()}"))
            bump_revision(s, Changed.years([fy.id]))


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


def _unit_id(s: Session, name: str, department: str = "") -> tuple[int, bool]:
    """The id of the unit called ``name`` (created when new) and whether its 主管部门 was set or changed
    to ``department`` (a unit keeps its department when the document names none)."""
    unit = s.exec(select(Unit).where(Unit.name == name)).first()
    moved = False
    if unit is None:
        unit = Unit(name=name, department=department)
        s.add(unit)
        s.flush()
    elif department and unit.department != department:
        unit.department = department
        moved = True
    return unit.id, moved  # type: ignore[return-value]


def _assign(obj, values: dict) -> bool:
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


_PROJECT_AUDITED = ("code", "name", "title", "purpose", "budget_wan", "fiscal_wan", "other_wan", "goals")


def _upsert_project(s: Session, fy: FiscalYear, seq: int, spec, unit_id, area_id, locked: list[str]
                    ) -> tuple[str, SyncOutcome]:
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
    audit: list[dict] = []
    if created:
        project = Project(fiscal_year_id=fy.id, **values)
        s.add(project)
        s.flush()
        changed = True
    else:
        audit = [{"entity": "project", "entity_id": project.id, "field": "project_name" if k == "name" else k,
                  "old": _text(getattr(project, k)),
                  "new": _text(values[k]), "detail": f"项目「{spec.name}」"}
                 for k in _PROJECT_AUDITED if getattr(project, k) != values[k]]
        changed = _assign(project, values)
    changed |= _sync_plan(s, project, spec.plan)
    outcome = _sync_indicators(s, project, spec.indicators, locked)
    outcome.audit[:0] = audit
    changed |= outcome.changed
    return ("created" if created else ("updated" if changed else "unchanged")), outcome


def _sync_indicators(s: Session, project: Project, specs, locked: list[str]) -> SyncOutcome:
    """The project's indicators, matched by their names, never by position (data_access.target_sync)."""
    return sync_indicators(s, project, specs, locked)


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return "；".join(str(x) for x in v)
    return str(v)


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
        q = select(FiscalYear).order_by(FiscalYear.year.desc())
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
        for c in s.exec(select(PlanCheckpoint).where(PlanCheckpoint.project_id.in_(pids)).order_by(PlanCheckpoint.seq)):
            plans.setdefault(c.project_id, []).append(c)
        inds: dict[int, list[Indicator]] = {}
        for i in s.exec(select(Indicator).where(Indicator.project_id.in_(pids)).order_by(Indicator.seq)):
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
