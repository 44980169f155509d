"""The content of an approved target document (部门整体绩效目标 + 项目绩效目标表), as plain data.

The readers in ``documents/`` (txt, docx, xlsx) produce a ``TargetDocument``; ``data_access`` stores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from domain.hygiene import strip_invisible
from domain.targets import ProseTarget, Target, parse_target
from domain.vocabulary import LEVEL1, LEVEL2

LEVEL1_VALUES = LEVEL1  # the canonical words (domain.vocabulary)
LEVEL2_VALUES = tuple(LEVEL2)
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")


@dataclass
class IndicatorSpec:
    level1: str
    level2: str
    level3: str
    description: str
    target_text: str
    basis: str
    target: Target
    place: str = ""  # where it was read, for messages
    weight: float | None = None  # 分值, when the table has a 分值 column (self-evaluation, docs/rules.md §7)
    problem: str = ""  # why the row cannot be imported (then it is in ProjectSpec.rejected)


@dataclass
class PlanPointSpec:
    label: str
    due: date
    cumulative_pct: float


@dataclass
class ProjectSpec:
    name: str
    title: str = ""
    code: str = ""
    purpose: str = ""
    budget_wan: float | None = None
    fiscal_wan: float | None = None
    other_wan: float | None = None
    plan: list[PlanPointSpec] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    department: str = ""  # 主管部门 as the table names it
    implementer: str = ""  # 实施单位: the responsible unit when the assignments name none
    key: str = ""  # where the table was read (「title」 or its sheet/table number): stable across re-reads
    rejected: list[IndicatorSpec] = field(default_factory=list)  # rows with a problem (not imported)
    refusal: list[ImportProblem] = field(default_factory=list)  # why the whole table cannot be imported


@dataclass
class AreaSpec:
    seq: int
    name: str
    goal: str = ""
    indicator_text: str = ""
    targets: list[ProseTarget] = field(default_factory=list)


ERROR, WARNING, SKIPPED = "error", "warning", "skipped"


@dataclass
class ImportProblem:
    place: str  # e.g. "「区本课程经费项目绩效目标表」第3行"
    message: str
    kind: str = "其他"  # what it is about, for grouping: 表头, 金额, 指标行, 词表, 模板行, 年度 …
    severity: str = ERROR  # error: refuses the row or table; warning: imported as noted; skipped: not a row

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message


@dataclass
class ImportEdits:
    """Corrections made in the import preview, applied while the file is read again.

    ``cells``: an indicator row's place (``IndicatorSpec.place``) -> {field: text}, fields ``level1``,
    ``level2``, ``level3``, ``description``, ``value``, ``basis``, ``weight``. ``budgets``: a table's key
    (``ProjectSpec.key``) -> 预算数 in 万元, for a table whose money the file does not give."""

    cells: dict[str, dict[str, str]] = field(default_factory=dict)
    budgets: dict[str, float] = field(default_factory=dict)


@dataclass
class TargetDocument:
    fiscal_year: int
    title: str = ""
    department: str = ""
    overall_goal: str = ""
    areas: list[AreaSpec] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    projects: list[ProjectSpec] = field(default_factory=list)  # the tables that can be imported
    problems: list[ImportProblem] = field(default_factory=list)  # errors: without --partial nothing is imported
    tables: list[ProjectSpec] = field(default_factory=list)  # every table read, refused ones included
    warnings: list[ImportProblem] = field(default_factory=list)  # warnings and skipped rows
    year_found: int | None = None  # the year the document names (title, heading), if any

    @property
    def indicator_count(self) -> int:
        return sum(len(p.indicators) for p in self.projects)

    @property
    def budget_total(self) -> float:
        return round(sum(p.budget_wan or 0 for p in self.projects), 2)


def table_departments(doc: TargetDocument) -> dict[str, str]:
    """Project name -> the 主管部门 its table names, when the document's tables name more than one (a
    city-level document: its units belong to several departments; the units get them). A document whose
    tables all name the same one is that department's own (``TargetDocument.department``): {}."""
    named = {p.department.strip() for p in doc.projects if p.department.strip()}
    if len(named) < 2:
        return {}
    return {p.name: p.department.strip() for p in doc.projects if p.department.strip()}


# --------------------------------------------------------------------------- shared cell rules

_BUDGET_RE = re.compile(r"预算数\s*(\d+(?:\.\d+)?)\s*万元")
_FISCAL_RE = re.compile(r"(?:财政资金|本级资金)\s*(\d+(?:\.\d+)?)\s*万元")
_OTHER_RE = re.compile(r"其他资金\s*(\d+(?:\.\d+)?)\s*万元")
_PCT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]?\s*$")


def parse_budget(purpose: str) -> tuple[float | None, float | None, float | None]:
    """预算数 / 财政资金 / 其他资金 (万元) from the 项目资金主要用途 sentence."""
    text = re.sub(r"\s+", "", purpose or "")

    def first(rx: re.Pattern) -> float | None:
        m = rx.search(text)
        return float(m.group(1)) if m else None

    budget = first(_BUDGET_RE)
    fiscal = first(_FISCAL_RE)
    other = first(_OTHER_RE)
    if budget is not None and fiscal is None and other is None:
        fiscal = budget  # "预算数2000万元，主要用于…": the whole budget is 财政资金
    if budget is not None and fiscal is not None and other is None:
        other = round(budget - fiscal, 2)
    return budget, fiscal, other


def parse_pct(text: str) -> float | None:
    m = _PCT_RE.match(text or "")
    return float(m.group(1)) if m else None


def split_goals(text: str) -> list[str]:
    """'目标1：…\\n目标2：…' -> ['…', '…'] (the numbering is implied by the order)."""
    parts = re.split(r"\n|(?=目标\s*\d+\s*[：:])", text or "")
    goals = []
    for p in parts:
        p = re.sub(r"^目标\s*\d+\s*[：:]\s*", "", p.strip())
        if p:
            goals.append(p)
    return goals


def clean_cell(text: str | None) -> str:
    """A cell's text without invisible control and bidi characters (``domain.hygiene``), trimmed."""
    return strip_invisible(text or "").strip()


def make_indicator(cells: list[str], year: int, place: str, weight: float | None = None) -> IndicatorSpec:
    level1, level2, level3, desc, value, basis = (clean_cell(c) for c in cells[:6])
    return IndicatorSpec(
        level1=level1,
        level2=level2,
        level3=level3,
        description=desc,
        target_text=value,
        basis=basis,
        target=parse_target(value, year),
        place=place,
        weight=weight,
    )
