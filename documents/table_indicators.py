"""The indicator block of a target table: its header (one or two rows) and its rows.

Columns are found by their header words (``domain.table_words.column_role``), so the seed's six columns,
the common four (一级 | 二级 | 三级 | 指标值), a 指标性质 | 指标值 | 度量单位 split, 分值, 长期 and 年度 columns
side by side and a leading label column (绩效指标) are all read the same way. A header name over several
unnamed columns (a merged 指标值 over ``≥ | 90 | %``) joins them; a second header row under a merged
name (年度指标值 over 指标性质 | 指标值 | 度量单位, 指标值 over 2021年实际实现值 | 预期2022年实现值) names them.

Rows: an empty 一级 / 二级 cell means "same as above" (merged cells); template rows (指标1, ……, **人),
empty rows under a heading and numbered heading or subtotal rows (一、…, 合计) are skipped and listed;
the block ends at a note, a review opinion or a signature line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from domain.document import ERROR, SKIPPED, WARNING, ImportProblem, IndicatorSpec, make_indicator, parse_pct
from domain.table_words import (
    IGNORED_WORDS,
    ROLE_LABELS,
    column_role,
    drop_template_hint,
    is_end_row,
    is_heading_level3,
    is_template_level3,
    is_template_value,
    norm,
)
from domain.vocabulary import Vocabulary

EXPECTED = ("一级指标 | 二级指标 | 三级指标 | 指标值（可另有 绩效指标描述、指标值确定依据、分值，"
            "或把指标值分为 指标性质 | 指标值 | 度量单位）")
_OPS = {"≥": "≥", ">=": "≥", "≧": "≥", "≤": "≤", "<=": "≤", "≦": "≤", ">": ">", "<": "<", "=": "=", "═": "=",
        "大于等于": "≥", "不低于": "≥", "不少于": "≥", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "大于": ">",
        "小于": "<", "等于": "="}
FIELDS = ("level1", "level2", "level3", "description", "value", "basis", "weight")


@dataclass
class Columns:
    roles: dict[int, str]  # column index -> role
    header_rows: int = 1  # 2 when a second header row names the columns under a merged name

    def of(self, role: str) -> list[int]:
        return [j for j, r in self.roles.items() if r == role]


def header_roles(cells: list[str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for j, c in enumerate(cells):
        role = column_role(c)
        if role:
            out[j] = role
    return out


def is_indicator_header(cells: list[str]) -> bool:
    roles = set(header_roles(cells).values())
    return "level3" in roles and ("value" in roles or "level1" in roles or "level2" in roles)


def read_columns(header: list[str], below: list[str] | None, above: list[str] | None = None) -> Columns:
    """Roles of the columns from the header row and, when it is a second header row, the row below; an
    empty header cell under a first header row (分值 merged down over two rows) takes that row's name."""
    sub = below if below is not None and _is_sub_header(header, below) else None
    if above is not None and _is_super_header(above):
        header = [h or (above[j] if j < len(above) else "") for j, h in enumerate(header + [""] * (len(above) - len(header)))]
    width = max(len(header), len(sub or []))
    roles: dict[int, str] = {}
    parent = ""
    for j in range(width):
        name = header[j] if j < len(header) else ""
        if name:
            parent = name
        own = sub[j] if sub is not None and j < len(sub) and sub[j] else ""
        if own:
            role = column_role(own)
            if role is None and not _ignored(own) and column_role(parent) not in (None, "level3"):
                role = column_role(parent)
        elif name:
            role = column_role(name)
        else:  # an unnamed column under a merged name: a value written in separate cells (≥ | 90 | %)
            role = "value" if column_role(parent) == "value" else None
        if role:
            roles[j] = role
    level3 = [j for j, r in roles.items() if r == "level3"]
    if len(level3) > 1:  # 三级指标 and 指标内容 both: the latter describes
        keep = next((j for j in level3 if norm(header[j] if j < len(header) else "").startswith("三级")), level3[0])
        for j in level3:
            if j != keep:
                roles[j] = "description"
    return Columns(roles, 2 if sub is not None else 1)


def _ignored(text: str) -> bool:
    return any(w in norm(text) for w in IGNORED_WORDS)


def _is_super_header(above: list[str]) -> bool:
    cells = [c for c in above if c]
    return len(cells) >= 2 and all(column_role(c) not in (None, "level3") or _ignored(c) or "绩效指标" in c
                                   for c in cells)


def _is_sub_header(header: list[str], below: list[str]) -> bool:
    cells = [(j, c) for j, c in enumerate(below) if c]
    if not cells:
        return False
    level3 = [j for j, r in header_roles(header).items() if r == "level3"]
    if any(j in level3 for j, _ in cells):
        return False
    return all(column_role(c) is not None or _ignored(c) or "实现值" in c for _, c in cells)


def missing_roles(columns: Columns) -> list[str]:
    have = set(columns.roles.values())
    return [ROLE_LABELS[r] for r in ("level3", "value") if r not in have]


@dataclass
class RowsRead:
    indicators: list[IndicatorSpec] = field(default_factory=list)
    rejected: list[IndicatorSpec] = field(default_factory=list)
    issues: list[ImportProblem] = field(default_factory=list)


def read_rows(rows: list, columns: Columns, year: int, label: str, vocabulary: Vocabulary,
              edits: dict[str, dict[str, str]]) -> RowsRead:
    """Every indicator row below the header. Longer than 60 lines on purpose: one pass in which the rows
    share the 一级 / 二级 carried down merged cells; each row kind (end, empty, template, heading,
    incomplete, good) is one branch that reads top to bottom like the rules in the module docstring."""
    out = RowsRead()
    last_l1 = last_l2 = ""
    for row in rows:
        cells = list(row.cells)  # cleaned by documents.assemble.split_stream
        first = next((c for c in cells if c), "")
        if not first:
            continue
        if is_end_row(first):
            break
        place = row.place(label)
        f = _fields(cells, columns)
        if cells_l1 := f["level1"]:
            if cells_l1 != last_l1:
                last_l2 = ""
            last_l1 = cells_l1
        f["level1"] = f["level1"] or last_l1
        f["level2"] = f["level2"] or last_l2
        last_l2 = f["level2"]
        f.update(edits.get(place, {}))
        value, hint = drop_template_hint(f["value"])
        if hint:
            out.issues.append(ImportProblem(place, f"已去掉指标值前的模板提示“{hint}”", "模板行", WARNING))
            f["value"] = value
        if not f["level3"] and not f["value"]:
            if f["level2"] or f["level1"]:
                out.issues.append(ImportProblem(place, f"空行（“{f['level2'] or f['level1']}”下没有三级指标和指标值），已跳过",
                                                "模板行", SKIPPED))
            continue
        if is_template_value(f["value"]) or (is_template_level3(f["level3"]) and not f["value"]):
            out.issues.append(ImportProblem(place, f"未填写的模板行（“{f['level3']}”“{f['value']}”），已跳过", "模板行",
                                            SKIPPED))
            continue
        if is_heading_level3(f["level3"]):
            out.issues.append(ImportProblem(place, f"标题或小计行“{f['level3']}”，不作为指标导入", "模板行", SKIPPED))
            continue
        resolved = vocabulary.resolve(f["level1"], f["level2"])
        for w in resolved.warnings:
            out.issues.append(ImportProblem(place, w, "词表", WARNING))
        weight, weight_problem = _weight(f["weight"])
        ind = make_indicator([resolved.level1, resolved.level2, f["level3"], f["description"], f["value"], f["basis"]],
                             year, place, weight)
        problem = weight_problem or _row_problem(f)
        if problem:
            ind.problem = problem
            out.rejected.append(ind)
            out.issues.append(ImportProblem(place, problem, "指标行", ERROR))
        else:
            out.indicators.append(ind)
    return out


def _row_problem(f: dict[str, str]) -> str:
    if not f["value"]:
        return f"指标“{f['level3']}”缺少指标值"
    if not f["level3"]:
        return f"指标值“{f['value']}”缺少三级指标"
    return ""


def _fields(cells: list[str], columns: Columns) -> dict[str, str]:
    def take(role: str, sep: str = " ") -> str:
        return sep.join(cells[j] for j in columns.of(role) if j < len(cells) and cells[j]).strip()

    value = take("value", "")
    op = next((_OPS[o] for o in (norm(cells[j]) for j in columns.of("op") if j < len(cells)) if o in _OPS), "")
    unit = take("unit", "")
    if op and not re.match(r"^[≥≤<>=＝≧≦]", unicodedata.normalize("NFKC", value)):
        value = op + value
    if unit and value and re.search(r"\d$", value):
        value += unit
    return {"level1": take("level1"), "level2": take("level2"), "level3": take("level3"),
            "description": take("description"), "value": value, "basis": take("basis"), "weight": take("weight")}


def _weight(text: str) -> tuple[float | None, str]:
    if not text:
        return None, ""
    number = parse_pct(text.replace("分", ""))
    if number is None:
        return None, f"分值“{text}”不是数字"
    return number, ""
