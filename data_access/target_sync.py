"""Re-importing a project's indicators: matched by identity, never by position.

Definitions chosen here (docs/rules.md §10.2):

* **Identity** of an indicator within its project: its 一级 / 二级 / 三级指标 names after NFKC
  normalisation with whitespace removed. The bureau's documents carry no indicator code. Two
  indicators of one project with the same names are matched in their order of appearance.
* An indicator of the file that is not stored is **new** (inserted). A stored one that the file no
  longer has is deleted when nothing was entered for it; when values were entered the whole import is
  **refused**, naming it (values are never dropped silently).
* A **change** is a difference in a stored indicator's names, 绩效指标描述, 指标值 or 指标值确定依据
  (the parsed rule follows the 指标值). A change to an indicator that has stored values is a
  :class:`TargetChange` the caller must show and confirm (``save_document(confirm_changes=True)``);
  without confirmation :class:`ChangesNeedConfirmation` is raised and nothing is written.
* Every applied change is audited, one row per changed field (``entity = "indicator"``); an added or
  removed indicator gets one row (field ``indicator``).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from data_access.models import EvidenceFile, Indicator, IndicatorActual, Project, Rectification, TargetAdjustment
from domain.document import ImportProblem, IndicatorSpec
from domain.periods import locked_by

AUDITED = ("level1", "level2", "level3", "description", "target_text", "basis", "weight")
FIELD_LABELS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "description": "绩效指标描述",
                "target_text": "指标值", "basis": "指标值确定依据", "weight": "分值", "indicator": "指标"}
# the audit's names of a project's imported fields (``project_name``: ``name`` is a person's name there)
PROJECT_FIELD_LABELS = {"code": "项目编码", "project_name": "项目名称", "title": "表格标题", "purpose": "项目资金主要用途",
                        "budget_wan": "预算数（万元）", "fiscal_wan": "财政资金（万元）", "other_wan": "其他资金（万元）",
                        "goals": "绩效目标"}


def identity(level1: str, level2: str, level3: str) -> tuple[str, str, str]:
    """The names an indicator is matched by (NFKC, whitespace removed)."""
    return tuple("".join(unicodedata.normalize("NFKC", v or "").split()) for v in (level1, level2, level3))  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class TargetChange:
    """One changed field of an indicator that already has stored values."""

    project: str
    indicator: str  # 三级指标
    field: str
    old: str
    new: str
    periods: tuple[str, ...] = ()  # periods with stored values
    locked: tuple[str, ...] = ()  # of those, the read-only ones

    def __str__(self) -> str:
        where = f"已有填报：{'、'.join(self.periods)}"
        if self.locked:
            where += f"，其中已锁定：{'、'.join(self.locked)}"
        return (f"「{self.project}」指标“{self.indicator}”的{FIELD_LABELS.get(self.field, self.field)}："
                f"“{self.old}” → “{self.new}”（{where}）")


class ChangesNeedConfirmation(Exception):
    """The file changes indicators that have stored values; nothing was written."""

    def __init__(self, changes: list[TargetChange]):
        self.changes = changes
        super().__init__("\n".join(str(c) for c in changes))


@dataclass
class SyncOutcome:
    """What one project's indicators went through; ``audit`` holds AuditLog keyword rows."""

    changed: bool = False
    added: int = 0
    removed: int = 0
    to_confirm: list[TargetChange] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)


def indicator_values(spec: IndicatorSpec) -> dict:
    t = spec.target
    return {"level1": spec.level1, "level2": spec.level2, "level3": spec.level3, "description": spec.description,
            "target_text": spec.target_text, "basis": spec.basis, "kind": t.kind, "op": t.op, "value": t.value,
            "unit": t.unit, "deadline": t.deadline, "start": t.start, "weight": spec.weight}


def _stored_periods(s: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        q = select(IndicatorActual.indicator_id, IndicatorActual.period_code).where(
            IndicatorActual.indicator_id.in_(ids)).order_by(IndicatorActual.period_code)
        for iid, code in s.exec(q):
            out[iid].append(code)
        # evidence files and 整改 items belong to an indicator as much as its values do
        for model, what in ((EvidenceFile, "佐证材料"), (Rectification, "整改")):
            q2 = select(model.indicator_id, model.period_code).where(model.indicator_id.in_(ids))
            for other_iid, code in s.exec(q2):
                if other_iid is not None and f"{code}{what}" not in out[other_iid]:
                    out[other_iid].append(f"{code}{what}")
    return out


def _adjusted(s: Session, ids: list[int]) -> set[int]:
    """The indicators with a target adjustment (withdrawn ones included: they are part of the record)."""
    if not ids:
        return set()
    return set(s.exec(select(TargetAdjustment.indicator_id).where(TargetAdjustment.indicator_id.in_(ids))))


def _match(rows: list[Indicator], specs: list[IndicatorSpec]) -> tuple[list[tuple[int, IndicatorSpec, Indicator | None]],
                                                                         list[Indicator]]:
    """(new seq, spec, matched stored row or None) for every spec, and the stored rows left over."""
    pool: dict[tuple, list[Indicator]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.seq):
        pool[identity(r.level1, r.level2, r.level3)].append(r)
    pairs = []
    for seq, spec in enumerate(specs, start=1):
        same = pool.get(identity(spec.level1, spec.level2, spec.level3))
        pairs.append((seq, spec, same.pop(0) if same else None))
    return pairs, [r for left in pool.values() for r in left]


def _refuse_removal(project: Project, r: Indicator, stored: dict[int, list[str]], adjusted: set[int]) -> None:
    """Raise :class:`RemovedWithValues` when the indicator the file lacks has values or an adjusted target."""
    if r.id in adjusted:
        raise RemovedWithValues(ImportProblem(
            f"「{project.name}」", f"指标“{r.level3}”有指标值调整记录，新文件中却没有该指标，不能删除；"
                                 "请在文件中保留该指标"))
    if r.id is not None and stored.get(r.id):
        raise RemovedWithValues(ImportProblem(
            f"「{project.name}」", f"指标“{r.level3}”已有填报数据（{'、'.join(stored[r.id])}），新文件中却没有该指标，"
                                 "不能删除；请在文件中保留该指标"))


def sync_indicators(s: Session, project: Project, specs: list[IndicatorSpec], locked_codes: list[str]) -> SyncOutcome:
    """Bring one project's stored indicators in line with the file (see the module docstring).

    Raises :class:`RemovedWithValues` for a stored indicator with values that the file lacks; changes
    that need confirmation are collected in ``to_confirm`` (the caller decides once every project was
    seen). ``locked_codes``: the locked periods of the year, to say which stored values are read-only."""
    rows = list(s.exec(select(Indicator).where(Indicator.project_id == project.id)))
    pairs, gone = _match(rows, specs)
    stored = _stored_periods(s, [r.id for r in rows if r.id is not None])
    adjusted = _adjusted(s, [r.id for r in gone if r.id is not None])
    out = SyncOutcome()
    for r in gone:
        _refuse_removal(project, r, stored, adjusted)
        out.audit.append({"entity_id": r.id, "field": "indicator", "old": r.level3, "new": None,
                          "detail": f"「{project.name}」删除指标“{r.level3}”"})
        s.delete(r)
        out.removed += 1
    s.flush()
    moved = []
    for seq, spec, row in pairs:
        if row is None:
            continue
        values = indicator_values(spec)
        periods = tuple(stored.get(row.id, ()))
        for k in AUDITED:
            if getattr(row, k) != values[k]:
                change = TargetChange(project.name, row.level3, k, getattr(row, k), values[k], periods,
                                      tuple(c for c in periods if locked_by(c, locked_codes)))
                if periods:
                    out.to_confirm.append(change)
                out.audit.append({"entity_id": row.id, "field": k, "old": change.old, "new": change.new,
                                  "detail": f"「{project.name}」指标“{row.level3}”"})
        for k, v in values.items():
            if getattr(row, k) != v:
                setattr(row, k, v)
                out.changed = True
        if row.seq != seq:
            moved.append((row, seq))
            row.seq = -seq  # a free number first: (project, seq) is unique
    if moved:
        s.flush()
        for row, seq in moved:
            row.seq = seq
        s.flush()
        out.changed = True
    added = [Indicator(project_id=project.id, seq=seq, **indicator_values(spec)) for seq, spec, row in pairs
             if row is None]
    s.add_all(added)
    s.flush()  # one flush for all: the new rows get their ids
    for new in added:
        out.audit.append({"entity_id": new.id, "field": "indicator", "old": None, "new": new.level3,
                          "detail": f"「{project.name}」新增指标“{new.level3}”"})
    out.added = len(added)
    out.changed = out.changed or bool(added)
    return out


class RemovedWithValues(Exception):
    """A stored indicator with values is missing from the file."""

    def __init__(self, problem: ImportProblem):
        self.problem = problem
        super().__init__(str(problem))
