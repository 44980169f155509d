"""One 项目(支出)绩效目标表 → a ``ProjectSpec`` with its accepted and rejected rows and every issue.

The rows above the indicator header are header fields (``documents.table_fields``), the header and the
rows below it the indicators (``documents.table_indicators``). A problem of the whole table (no name,
no indicator header, no money figure, a name too long) refuses the table (``ProjectSpec.refusal``); a
problem of one row rejects that row (``ProjectSpec.rejected``), so ``--partial`` can import the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from documents.table_fields import cells_of, read_fields, settle_budget
from documents.table_indicators import EXPECTED, is_indicator_header, missing_roles, read_columns, read_rows
from domain.document import ERROR, ImportEdits, ImportProblem, ProjectSpec
from domain.hygiene import HygieneError, clean_long_text, clean_name, number_problem, text_problem
from domain.table_words import norm
from domain.vocabulary import Vocabulary

_GENERIC_TITLE = re.compile(r"(\d{4}年度?)?(项目|部门预算项目|财政支出项目)?(支出)?绩效目标(申报|批复|审批|公开)?(明细)?表?|")


@dataclass
class TableRows:
    title: str
    rows: list = field(default_factory=list)
    index: int = 0  # 1-based position in the document

    @property
    def label(self) -> str:
        return f"「{self.title or f'第{self.index}个表格'}」"

    @property
    def key(self) -> str:
        return f"{self.index}|{self.title}"


def parse_table(t: TableRows, year: int, vocabulary: Vocabulary, edits: ImportEdits) -> tuple[ProjectSpec, list[ImportProblem]]:
    """The project of one table and every issue found (errors, warnings, skipped rows)."""
    label = t.label
    project = ProjectSpec(name="", title=t.title, key=t.key)
    h = next((i for i, r in enumerate(t.rows) if is_indicator_header(cells_of(r))), None)
    if h is None:
        h = next((i for i, r in enumerate(t.rows) if norm((cells_of(r) or [""])[0]) == "一级指标"), None)
    state = read_fields(t.rows[: h if h is not None else len(t.rows)], project, year, label)
    if project.name and _GENERIC_TITLE.fullmatch(norm(t.title)):  # a form's title says nothing: name the project
        label = f"「{project.name}」"
    settle_budget(project, state, label, edits.budgets.get(t.key))
    issues: list[ImportProblem] = list(state.problems)
    if h is None:
        project.refusal.append(ImportProblem(label, f"表格不完整：没有找到指标表头，应为 {EXPECTED}", "表头"))
    else:
        header = cells_of(t.rows[h])
        below = cells_of(t.rows[h + 1]) if h + 1 < len(t.rows) else None
        above = cells_of(t.rows[h - 1]) if h > 0 else None
        columns = read_columns(header, below, above)
        missing = missing_roles(columns)
        if missing:
            found = " | ".join(c for c in header if c)
            project.refusal.append(ImportProblem(
                t.rows[h].place(label), f"指标表头缺少“{'”“'.join(missing)}”列：应为 {EXPECTED}；实际为 {found}", "表头"))
        else:
            read = read_rows(t.rows[h + columns.header_rows:], columns, year, label, vocabulary, edits.cells)
            project.indicators, project.rejected = read.indicators, read.rejected
            issues.extend(read.issues)
            if not project.indicators and not project.rejected:
                project.refusal.append(ImportProblem(label, "表格不完整：指标表头下没有任何指标行", "指标行"))
    if not project.name:
        project.name = re.sub(r"(项目)?(支出)?绩效目标(申报|批复|审批)?表$", "", t.title or "").strip()
        if not project.name or re.fullmatch(r"\d{4}年度?", project.name):
            project.name = ""
            project.refusal.append(ImportProblem(label, "缺少项目名称（应有“项目名称”或“项目支出名称”一行）", "表头"))
    project.refusal.extend(_table_hygiene(project, label))
    issues.extend(_row_hygiene(project))
    issues.extend(project.refusal)
    return project, issues


def _table_hygiene(project: ProjectSpec, label: str) -> list[ImportProblem]:
    """Names and texts cleaned in place (``domain.hygiene``); lengths and numbers beyond its limits
    refuse the table (never cut)."""
    out: list[ImportProblem] = []

    def clean(value: str, what: str, long: bool = False) -> str:
        try:
            return clean_long_text(value, what) if long else clean_name(value, what)
        except HygieneError as e:
            out.append(ImportProblem(label, str(e), "内容"))
            return value

    project.name = clean(project.name, "项目名称")
    project.code = clean(project.code, "项目编码")
    project.title = clean(project.title, "表格标题")
    project.department = clean(project.department, "主管部门")
    project.implementer = clean(project.implementer, "实施单位")
    project.purpose = clean(project.purpose, "项目资金主要用途", long=True)
    project.goals = [clean(g, "绩效目标", long=True) for g in project.goals]
    for what, value in (("预算数", project.budget_wan), ("财政资金", project.fiscal_wan), ("其他资金", project.other_wan)):
        problem = number_problem(value, what)
        if problem:
            out.append(ImportProblem(label, problem, "金额"))
    return out


def _row_hygiene(project: ProjectSpec) -> list[ImportProblem]:
    """Per indicator: a cell too long, a number beyond the limits or a date that does not exist rejects
    that row."""
    out: list[ImportProblem] = []
    keep = []
    for ind in project.indicators:
        problems: list[str] = []
        for key, what in (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"),
                          ("target_text", "指标值"), ("basis", "指标值确定依据")):
            try:
                setattr(ind, key, clean_name(getattr(ind, key), what))
            except HygieneError as e:
                problems.append(str(e))
        try:
            ind.description = clean_long_text(ind.description, "绩效指标描述")
        except HygieneError as e:
            problems.append(str(e))
        what = f"指标“{ind.level3[:20]}”的指标值"
        problem = text_problem(ind.target_text, what) or number_problem(ind.target.value, what,
                                                                         percent=ind.target.unit == "%")
        if problem:
            problems.append(problem)
        if problems:
            ind.problem = "；".join(problems)
            project.rejected.append(ind)
            out.append(ImportProblem(ind.place, ind.problem, "指标行", ERROR))
        else:
            keep.append(ind)
    project.indicators = keep
    return out
