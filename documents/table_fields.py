"""The rows of a target table above its indicators: name, code, 主管部门, 实施单位, goals, money, plan.

A label cell is found by its words wherever it sits in the row (``domain.table_words.field_of``); its
value is the next non-empty cell that is not itself a label. Money is read from label/amount pairs
(``项目金额 | 164万元 | 其中：当年市级财政资金 | 132万元``), from ``label：amount`` lines inside one cell
(``资金总额: 250\\n一、预算资金:250``) and from the 项目资金主要用途 sentence (``预算数100万元。其中：财政资金…``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.document import ImportProblem, PlanPointSpec, ProjectSpec, parse_budget, parse_pct, split_goals
from domain.periods import checkpoint_date
from domain.table_words import (
    MoneyFact,
    amount_in_wan,
    budget_from,
    facts_in_text,
    field_of,
    is_yuan_label,
    money_kind,
    norm,
)

_SUB_GOAL = re.compile(r"^((长期|中期|年度|本年度|当年|实施期|项目期|预期|年初设定)?(绩效)?目标|(全年)?(实际)?完成情况(综述)?)[:：]?$")
_ANNUAL_GOAL = ("年度", "当年", "本年", "预期", "年初设定")


@dataclass
class FieldState:
    """What the header rows of one table gave."""

    facts: list[MoneyFact] = field(default_factory=list)
    purpose_budget: tuple[float | None, float | None, float | None] = (None, None, None)
    yuan: bool = False
    problems: list[ImportProblem] = field(default_factory=list)


def cells_of(row) -> list[str]:
    """The row's cells (cleaned by ``documents.assemble.split_stream``)."""
    return list(row.cells)


def _is_label(text: str) -> bool:
    return bool(field_of(text)) or (money_kind(text) is not None and not re.search(r"\d", text)) \
        or norm(text).startswith("资金支出计划")


def _value_after(cells: list[str], i: int) -> tuple[str, int]:
    """The next non-empty cell after ``i`` unless it is a label: (text, its index) or ("", i)."""
    for j in range(i + 1, len(cells)):
        if cells[j]:
            return ("", i) if _is_label(cells[j]) else (cells[j], j)
    return "", i


def read_fields(rows: list, project: ProjectSpec, year: int, label: str) -> FieldState:
    """Fill ``project`` from the header rows; returns the money facts and the problems found."""
    state = FieldState(yuan=any(is_yuan_label(c) for row in rows for c in row.cells if len(c) < 40))
    i = 0
    while i < len(rows):
        cells = cells_of(rows[i])
        skip_next = False
        j = 0
        while j < len(cells):
            text = cells[j]
            if not text:
                j += 1
                continue
            key = field_of(text)
            if norm(text).startswith("资金支出计划"):
                skip_next = _read_plan(cells, j, rows[i + 1] if i + 1 < len(rows) else None, project, year,
                                       rows[i].place(label), state)
                break
            if key == "goal":
                j = _read_goal(cells, j, rows[i + 1] if i + 1 < len(rows) else None, project)
            elif key == "purpose":
                rest = " ".join(c for c in cells[j + 1:] if c)
                project.purpose = project.purpose or re.sub(r"[ \t]{2,}", " ", rest).strip()
                state.purpose_budget = parse_budget(rest) if parse_budget(rest)[0] is not None else state.purpose_budget
                break
            elif key is not None:
                value, j = _value_after(cells, j)
                _set_field(project, key, value)
            else:
                _read_money(cells, j, state)
            j += 1
        i += 2 if skip_next else 1
    return state


def _set_field(project: ProjectSpec, key: str, value: str) -> None:
    value = value.strip()
    if key == "name" and not project.name:
        project.name = value
    elif key == "code" and not project.code:
        project.code = value
    elif key == "department" and not project.department:
        project.department = re.sub(r"^\[\d+\]", "", value).strip()
    elif key == "implementer" and not project.implementer:
        project.implementer = value


def _read_money(cells: list[str], j: int, state: FieldState) -> None:
    text = cells[j]
    if re.search(r"\d", text):
        state.facts.extend(facts_in_text(text, state.yuan))
        return
    kind = money_kind(text)
    if kind is None:
        return
    value, _ = _value_after(cells, j)
    amount = amount_in_wan(value, state.yuan) if re.search(r"\d", value) else None
    if amount is not None:
        state.facts.append(MoneyFact(norm(text).rstrip(":："), amount, kind))


def _read_goal(cells: list[str], j: int, next_row, project: ProjectSpec) -> int:
    """The goal after its label: directly, after a sub-label (总体目标 | 年度目标 | text), or in the next
    row under the 年度 sub-label (总体目标 | 中期目标 | 年度目标, then the texts). Returns the last index used."""
    annual_col = None
    k = j + 1
    while k < len(cells):
        c = cells[k]
        if c and _SUB_GOAL.match(norm(c)):
            if any(w in c for w in _ANNUAL_GOAL):
                annual_col = k
        elif c:
            if annual_col is None or k > annual_col:
                if not project.goals:
                    project.goals = split_goals(c)
                return k
        k += 1
    if annual_col is not None and next_row is not None:
        below = cells_of(next_row)
        if annual_col < len(below) and below[annual_col] and not project.goals:
            project.goals = split_goals(below[annual_col])
    return len(cells)


def _read_plan(cells: list[str], j: int, values_row, project: ProjectSpec, year: int, place: str,
               state: FieldState) -> bool:
    """资金支出计划: checkpoint labels in this row, cumulative percentages in the next. True when the next
    row was used."""
    labels = [c for c in cells[j + 1:] if c]
    values = [c for c in cells_of(values_row)[1:] if c] if values_row is not None else []
    if not labels and not values:
        return False
    if not labels or len(values) != len(labels):
        state.problems.append(ImportProblem(
            place, f"资金支出计划应有{len(labels) or 4}个节点及对应的累计进度，实际读到{len(values)}个值", "支出计划"))
        return values_row is not None
    for lab, val in zip(labels, values):
        pct = parse_pct(val)
        due = checkpoint_date(lab, year)
        if pct is None or due is None:
            state.problems.append(ImportProblem(place, f"资金支出计划节点“{lab}”的累计进度“{val}”无法识别", "支出计划"))
            continue
        project.plan.append(PlanPointSpec(label=lab, due=due, cumulative_pct=pct))
    pcts = [p.cumulative_pct for p in project.plan]
    if any(b < a for a, b in zip(pcts, pcts[1:])) or any(p > 100 for p in pcts):
        state.problems.append(ImportProblem(place, "资金支出计划的累计进度应逐期不减且不超过100%", "支出计划"))
    return True


def settle_budget(project: ProjectSpec, state: FieldState, label: str, override: float | None) -> None:
    """预算数 and its split from the money found (the admin's figure from the preview wins); no figure
    at all refuses the table, never a silent 0."""
    if override is not None:
        project.budget_wan, project.fiscal_wan, project.other_wan = override, override, 0.0
        return
    budget, fiscal, other = budget_from(state.facts)
    if budget is None:
        budget, fiscal, other = state.purpose_budget
    project.budget_wan, project.fiscal_wan, project.other_wan = budget, fiscal, other
    if budget is None:
        where = "项目资金主要用途中的“预算数X万元”" if project.purpose else "“年度资金总额”“项目金额”“预算数”等金额行"
        project.refusal.append(ImportProblem(
            label, f"没有找到项目金额：应有{where}；可在预览中填写预算数后导入", "金额"))
