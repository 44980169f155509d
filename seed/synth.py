"""Synthetic city-scale data (200 responsible units — district bureaus — under 8 主管部门, 5,000 projects,
40,000 indicators, four quarters of actuals), generated from the real 2024 projects: their target forms,
plans and indicator mix. The units are called "departments" on the command line (``--departments``);
their 主管部门 are one per 25 of them (``supervisor_names``), each over a consecutive block.

Deterministic for a seed. Produces plain rows; ``data_access.bulk.load_city`` stores them in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from documents.targets_io import read_target_document
from domain.document import ProjectSpec
from domain.periods import QUARTER, periods_of_year
from domain.settings import DEFAULT_SETTINGS
from domain.status import IndicatorInput, PlanPoint, ProjectInput
from seed.demo import build_demo_rows
from seed.loader import SEED_DOCUMENT, SEED_YEAR, load_assignments

_DEPT_KINDS = ("教育局", "卫生健康委", "民政局", "退役军人事务局", "文化和旅游局", "体育局", "医疗保障局", "残联",
               "住建局", "交通运输局", "农业农村局", "水务局", "生态环境局", "人社局", "司法局", "应急管理局")
_DISTRICTS = ("高新区", "开平区", "路南区", "路北区", "古冶区", "丰南区", "丰润区", "曹妃甸区", "滦州市", "遵化市",
              "迁安市", "滦南县", "乐亭县", "迁西县", "玉田县", "芦台区", "汉沽区")


@dataclass
class CityData:
    year: int
    units: list[str] = field(default_factory=list)
    unit_departments: dict[str, str] = field(default_factory=dict)  # unit -> its 主管部门
    areas: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)  # with "_key" (index) and "unit", "area" names
    plans: list[dict] = field(default_factory=list)  # "_project" index
    indicators: list[dict] = field(default_factory=list)  # "_project" index, "_key" index
    indicator_actuals: list[dict] = field(default_factory=list)  # "_indicator" index
    spending_actuals: list[dict] = field(default_factory=list)  # "_project" index


def _templates() -> tuple[list[ProjectSpec], dict[str, str], list]:
    doc = read_target_document(SEED_DOCUMENT.read_bytes(), SEED_DOCUMENT.name, SEED_YEAR)
    assignments = load_assignments()
    area_of = {name: area for name, (_unit, area) in assignments.items() if area}
    return doc.projects, area_of, doc.areas


def department_names(n: int) -> list[str]:
    names = []
    for i in range(n):
        d = _DISTRICTS[i % len(_DISTRICTS)]
        k = _DEPT_KINDS[(i // len(_DISTRICTS)) % len(_DEPT_KINDS)]
        suffix = i // (len(_DISTRICTS) * len(_DEPT_KINDS))
        names.append(f"{d}{k}" + (f"{suffix + 1}" if suffix else ""))
    return names


UNITS_PER_DEPARTMENT = 25


def supervisor_names(n: int) -> list[str]:
    """The 主管部门 over ``n`` units: one per ``UNITS_PER_DEPARTMENT`` of them (at least one)."""
    count = max(1, -(-n // UNITS_PER_DEPARTMENT))
    return [f"市{_DEPT_KINDS[j % len(_DEPT_KINDS)]}" + (f"{j // len(_DEPT_KINDS) + 1}" if j >= len(_DEPT_KINDS) else "")
            for j in range(count)]


def generate_city(departments: int = 200, projects: int = 5000, indicators: int = 40000, periods: int = 4,
                  seed: int = 1, year: int = SEED_YEAR) -> CityData:
    rng = random.Random(seed)
    templates, area_of, area_specs = _templates()
    data = CityData(year=year)
    data.units = department_names(departments)
    supervisors = supervisor_names(departments)
    data.unit_departments = {u: supervisors[i * len(supervisors) // len(data.units)] for i, u in enumerate(data.units)}
    data.areas = [{"seq": a.seq, "name": a.name, "goal": a.goal, "indicator_text": a.indicator_text, "targets": []}
                  for a in area_specs]
    # the indicators of all templates, in order: projects take their own and borrow to reach the total
    per_project = [indicators // projects + (1 if i < indicators % projects else 0) for i in range(projects)]
    inputs: list[ProjectInput] = []
    for pi in range(projects):
        tpl = templates[pi % len(templates)]
        unit = data.units[pi % departments]
        budget = round((tpl.budget_wan or 100.0) * rng.uniform(0.3, 1.8), 2)
        name = f"{tpl.name}（{unit}·{pi + 1:04d}）"
        data.projects.append({
            "_key": pi, "seq": pi + 1, "code": f"C{year}{pi + 1:05d}", "name": name, "title": tpl.title,
            "purpose": tpl.purpose, "budget_wan": budget, "fiscal_wan": budget, "other_wan": 0.0,
            "goals": list(tpl.goals), "unit": unit, "area": area_of.get(tpl.name),
        })
        plan = []
        for ci, c in enumerate(tpl.plan, start=1):
            data.plans.append({"_project": pi, "seq": ci, "label": c.label, "due": c.due, "cumulative_pct": c.cumulative_pct})
            plan.append(PlanPoint(c.label, c.due, c.cumulative_pct))
        specs = list(tpl.indicators)
        j = 1
        while len(specs) < per_project[pi]:
            specs.extend(templates[(pi + j) % len(templates)].indicators)
            j += 1
        ind_inputs = []
        for si, spec in enumerate(specs[: per_project[pi]], start=1):
            key = len(data.indicators)
            t = spec.target
            data.indicators.append({
                "_project": pi, "_key": key, "seq": si, "level1": spec.level1, "level2": spec.level2,
                "level3": spec.level3, "description": spec.description, "target_text": spec.target_text,
                "basis": spec.basis, "kind": t.kind, "op": t.op, "value": t.value, "unit": t.unit,
                "deadline": t.deadline, "start": t.start, "accumulates": None,
            })
            ind_inputs.append(IndicatorInput(id=key, level1=spec.level1, level2=spec.level2, level3=spec.level3, target=t))
        inputs.append(ProjectInput(id=pi, name=name, unit=unit, area=area_of.get(tpl.name) or "",
                                   budget_wan=budget, plan=plan, indicators=ind_inputs))
    quarters = periods_of_year(year, QUARTER)[: max(0, min(periods, 4))]
    as_of = quarters[-1].end if quarters else date(year, 1, 1)
    ind_rows, sp_rows = build_demo_rows(inputs, year, as_of, DEFAULT_SETTINGS, seed=seed)
    for r in ind_rows:
        r["_indicator"] = r.pop("indicator_id")
    for r in sp_rows:
        r["_project"] = r.pop("project_id")
    data.indicator_actuals = ind_rows
    data.spending_actuals = sp_rows
    return data
