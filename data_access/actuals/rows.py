"""The kinds of rows staff report, as data: what the one save path needs to know about each.

Definitions chosen here:

* A :class:`RowSpec` names a kind's table (``IndicatorActual`` keyed by ``indicator_id``,
  ``SpendingActual`` keyed by ``project_id``), its stored fields, its audit entity, the defaults of a new
  row, the words of its row errors, and how its rows' targets are loaded.
* A :class:`RowTarget` is one loaded indicator or project: its project's unit (for the permission
  check), fiscal year and id (for the review state, ``data_access.review``), the fields a row may
  write (an indicator writes only the fields of its kind,
  ``domain.entry.applicable_fields``), and its validation (``domain.entry.check_indicator_row`` /
  ``check_spending_row`` bound to the indicator or project, the period end, the rules and the year; the
  check also judges the row's status and what must be explained).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals.access import IND_ENTITY, SP_ENTITY
from data_access.actuals.lookups import indicator_input, plans_of, previous_spending
from data_access.adjustments import apply_budget, apply_target, load_changes
from data_access.models import Indicator, IndicatorActual, Period, Project, SpendingActual
from domain import entry as E
from domain.settings import Settings
from domain.status import IndicatorInput, ProjectInput, indicator_mode

Check = Callable[[Mapping[str, Any]], Any]  # merged record -> IndicatorRowCheck | SpendingRowCheck


@dataclass(frozen=True, slots=True)
class RowTarget:
    """The indicator or project one submitted row is written for."""

    project_id: int  # recomputed in the status store; its review state governs the row (data_access.review)
    unit_id: int | None
    fiscal_year_id: int
    writable: tuple[str, ...]
    check: Check


Loader = Callable[[Session, Sequence[int], Period, Settings, int], dict[int, RowTarget]]


@dataclass(frozen=True, slots=True)
class RowSpec:
    """What differs between indicator rows and spending rows; everything else is one code path."""

    kind: str  # SaveResult.kind
    model: type  # IndicatorActual | SpendingActual
    key: str  # the id column a row names: 'indicator_id' | 'project_id'
    id_field: str  # the field of an error about that id
    entity: str  # AuditLog.entity of a change
    label: str  # the field label starting those errors: 三级指标 | 项目
    noun: str  # what the id names: 指标 | 项目
    fields: tuple[str, ...]  # stored value fields
    insert_defaults: Mapping[str, Any]  # a new row's fields before the submitted values
    load: Loader  # ids -> targets (unknown ids are absent)

    def missing_id(self) -> str:
        return f"{self.label}：缺少{self.noun}编号"

    def duplicate(self) -> str:
        return f"整行：同一{self.noun}在本次提交中出现多次，只保存第一次"

    def unknown(self, rid: int) -> str:
        return f"{self.label}：编号{rid}的{self.noun}不存在"

    def wrong_year(self, code: str) -> str:
        return f"填报期：{code}不属于该{self.noun}所在的预算年度"


def _indicator_check(template: IndicatorInput, as_of: date, settings: Settings, year: int) -> Check:
    return lambda merged: E.check_indicator_row(merged, template, as_of, settings, year)


def _load_indicators(s: Session, ids: Sequence[int], period: Period, settings: Settings, year: int
                     ) -> dict[int, RowTarget]:
    out: dict[int, RowTarget] = {}
    rows = s.execute(
        select(Indicator, Project.unit_id, Project.fiscal_year_id)
        .join(Project, Project.id == Indicator.project_id)
        .where(Indicator.id.in_(list(ids)))
    ).all()
    changes = load_changes(s, sorted({ind.project_id for ind, _u, _f in rows}))
    for ind, unit_id, fy_id in rows:
        template = apply_target(indicator_input(ind), changes, period.end)
        writable = tuple(E.applicable_fields(indicator_mode(template, settings)))
        out[ind.id] = RowTarget(ind.project_id, unit_id, fy_id, writable, _indicator_check(template, period.end, settings, year))
    return out


def _spending_check(template: ProjectInput, as_of: date, settings: Settings, year: int,
                    previous: float | None) -> Check:
    return lambda merged: E.check_spending_row(merged, template, as_of, settings, year, previous)


def _load_projects(s: Session, ids: Sequence[int], period: Period, settings: Settings, year: int
                   ) -> dict[int, RowTarget]:
    projects = list(s.execute(select(Project).where(Project.id.in_(list(ids)))).scalars())
    plans = plans_of(s, ids)
    previous = previous_spending(s, ids, period.fiscal_year_id, period.end)
    changes = load_changes(s, list(ids), targets=False)
    out: dict[int, RowTarget] = {}
    for pr in projects:
        template = apply_budget(ProjectInput(id=pr.id, name=pr.name, budget_wan=pr.budget_wan,
                                             plan=plans.get(pr.id, [])), changes, period.end)
        out[pr.id] = RowTarget(pr.id, pr.unit_id, pr.fiscal_year_id, E.SPENDING_FIELDS,
                               _spending_check(template, period.end, settings, year, previous.get(pr.id)))
    return out


INDICATOR_SPEC = RowSpec(
    kind=E.INDICATOR_ROWS, model=IndicatorActual, key="indicator_id", id_field=E.INDICATOR, entity=IND_ENTITY,
    label="三级指标", noun="指标", fields=E.INDICATOR_FIELDS,
    insert_defaults=MappingProxyType({**{k: None for k in E.INDICATOR_FIELDS},
                                      E.REASONS: "", E.EXPLANATION: "", E.MEASURES: "", E.REMARKS: ""}),
    load=_load_indicators,
)
SPENDING_SPEC = RowSpec(
    kind=E.SPENDING_ROWS, model=SpendingActual, key="project_id", id_field=E.PROJECT, entity=SP_ENTITY,
    label="项目", noun="项目", fields=E.SPENDING_FIELDS, insert_defaults=MappingProxyType({}),
    load=_load_projects,
)
SPECS: dict[str, RowSpec] = {spec.kind: spec for spec in (INDICATOR_SPEC, SPENDING_SPEC)}
