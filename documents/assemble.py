"""Turn a stream of paragraphs and table rows into a ``TargetDocument``.

Every reader (txt, docx, xlsx) only has to produce the stream; the rules of the 项目绩效目标表 layout
live here once:

* a table starts with a row whose first cell is 项目编码 (or 项目名称);
* the title is the paragraph(s) just before it (a title may be split over two lines);
* an empty first cell in an indicator row means "same as the row above" (merged cells);
  an empty 二级指标 cell likewise;
* rows: 项目编码/项目名称, 项目资金主要用途, 资金支出计划 + one row of values, 绩效目标, the indicator header,
  then indicator rows of six cells;
* an optional 分值 column anywhere in the indicator header (the points of each indicator in the
  自评表) is read into ``IndicatorSpec.weight`` and left out of the six cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.document import (
    INDICATOR_HEADER,
    LEVEL1_VALUES,
    LEVEL2_VALUES,
    AreaSpec,
    ImportProblem,
    PlanPointSpec,
    ProjectSpec,
    TargetDocument,
    clean_cell,
    make_indicator,
    parse_budget,
    parse_pct,
    split_goals,
)
from domain.hygiene import HygieneError, clean_long_text, clean_name, number_problem, strip_invisible, text_problem
from domain.periods import checkpoint_date
from domain.targets import extract_prose_targets


@dataclass
class Paragraph:
    text: str


@dataclass
class Row:
    cells: list[str]
    line: int = 0  # 1-based line (or row) number in the source, for messages
    source: str = ""  # where the line number counts from when not the whole file: "工作表“Sheet1”", "第3个表格"

    def place(self, label: str = "") -> str:
        """'「title」第12行', '「title」（工作表“项目”）第12行', or without a label '工作表“项目”第12行'."""
        where = f"第{self.line}行" if self.line else ""
        if self.source:
            where = f"（{self.source}）{where}" if label else f"{self.source}{where}"
        return f"{label}{where}"


@dataclass
class _Table:
    title: str
    rows: list[Row] = field(default_factory=list)


Item = Paragraph | Row

_CN_NUM = "一二三四五六七八九十"
_AREA_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$")
_SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def _is_table_start(row: Row) -> bool:
    first = _norm(row.cells[0]) if row.cells else ""
    return first in ("项目编码", "项目名称")


def assemble(items: Iterable[Item], fiscal_year: int, source: str = "") -> TargetDocument:
    doc = TargetDocument(fiscal_year=fiscal_year)
    preamble: list[str] = []
    tables: list[_Table] = []
    pending_title: list[str] = []
    current: _Table | None = None

    for item in items:
        if isinstance(item, Paragraph):
            text = strip_invisible(item.text).strip()
            if not text:
                continue
            if current is not None:
                # a paragraph ends the table; it may be the next title
                current = None
                pending_title = []
            if tables:
                pending_title.append(text)
            else:
                # still in the department part; titles of the first table also land here
                preamble.append(text)
                pending_title.append(text)
            continue
        row = item
        if _is_table_start(row):
            title = _title_from(pending_title)
            current = _Table(title=title)
            tables.append(current)
            pending_title = []
            if len(tables) == 1:
                # the first table's title lines are not part of the department text
                preamble = _strip_title_lines(preamble, title)
        if current is None:
            doc.problems.append(ImportProblem(row.place(), "表格行不在任何项目绩效目标表内（缺少“项目编码/项目名称”行）"))
            continue
        current.rows.append(row)

    _parse_department(preamble, doc)
    for t in tables:
        project = _parse_table(t, fiscal_year, doc.problems)
        if project is not None:
            doc.projects.append(project)
    if not doc.projects and not doc.problems:
        doc.problems.append(ImportProblem(source, "文件中没有找到任何项目绩效目标表（应含“项目名称”“指标值”等列）"))
    _check_duplicates(doc)
    return doc


def _title_from(lines: list[str]) -> str:
    """The last title-looking group of lines: a title may be split over two lines."""
    if not lines:
        return ""
    # take trailing lines up to and including one that contains 绩效目标表, joining a split title
    tail = lines[-2:] if len(lines) >= 2 else lines
    if len(tail) == 2 and not tail[0].endswith("绩效目标表") and tail[1].startswith("绩效目标表"):
        return tail[0] + tail[1]
    return lines[-1]


def _strip_title_lines(preamble: list[str], title: str) -> list[str]:
    out = list(preamble)
    while out and (out[-1] in title or out[-1].endswith("绩效目标表")):
        out.pop()
    return out


# --------------------------------------------------------------------------- department part


def _parse_department(lines: list[str], doc: TargetDocument) -> None:
    section = ""
    area: AreaSpec | None = None
    field_name = ""
    goal_lines: list[str] = []
    for raw in lines:
        line = raw.replace("[bookmark: _GoBack]", "").strip()
        if not line:
            continue
        if not doc.department and line.endswith("编制"):
            doc.department = line[: -len("编制")].strip()
            continue
        if not doc.title and re.match(r"^\d{4}年.*绩效目标$", line):
            doc.title = line
            continue
        m = _SECTION_RE.match(line)
        if m:
            section = m.group(2)
            area = None
            continue
        m = _AREA_RE.match(line)
        if m and "保障措施" in section:
            doc.measures.append(line)
            continue
        if m and "分项" in section:
            area = AreaSpec(seq=len(doc.areas) + 1, name=m.group(2).strip())
            doc.areas.append(area)
            field_name = ""
            continue
        if "保障措施" in section:
            if doc.measures:
                doc.measures[-1] += line
            continue
        if area is not None:
            if line.startswith(("绩效目标：", "绩效目标:")):
                field_name = "goal"
                area.goal = re.sub(r"^绩效目标[：:]", "", line).strip()
            elif line.startswith(("绩效指标：", "绩效指标:")):
                field_name = "ind"
                area.indicator_text = re.sub(r"^绩效指标[：:]", "", line).strip()
            elif field_name == "goal":
                area.goal += line
            elif field_name == "ind":
                area.indicator_text += line
            continue
        if "总体" in section:
            goal_lines.append(line)
    doc.overall_goal = "\n".join(goal_lines)
    for a in doc.areas:
        a.targets = extract_prose_targets(a.indicator_text, doc.fiscal_year)


# --------------------------------------------------------------------------- project tables


def _canonical_header(cell: str) -> str:
    """'指标值/描述' -> '指标值'; longest names first so 指标值确定依据 stays itself."""
    c = _norm(cell)
    if c.startswith(WEIGHT_HEADER):  # 分值, 分值（分）
        return WEIGHT_HEADER
    for name in sorted(INDICATOR_HEADER, key=len, reverse=True):
        if c.startswith(name):
            return name
    return c


def _cells(row: Row, n: int) -> list[str]:
    c = [clean_cell(x) for x in row.cells]
    return c + [""] * (n - len(c))


def _parse_table(t: _Table, year: int, problems: list[ImportProblem]) -> ProjectSpec | None:
    """One project table, row by row. Longer than 60 lines on purpose: a single pass in which the row
    kinds (header rows, 资金支出计划, 绩效目标, the indicator header and rows) share the parsing state —
    whether the header was seen, the value column, the 一级/二级指标 carried down merged cells — and the
    problems found, which split functions would have to pass back and forth."""
    label = f"「{t.title or '未命名表格'}」"
    project = ProjectSpec(name="", title=t.title)
    local: list[ImportProblem] = []
    rows = t.rows
    i = 0
    header_seen = False
    value_col = 4
    weight_col: int | None = None
    last_l1 = last_l2 = ""
    while i < len(rows):
        row = rows[i]
        cells = _cells(row, 2)
        key = _norm(cells[0])
        place = row.place(label)
        if not header_seen:
            if key == "项目编码":
                project.code = cells[1] if len(cells) > 1 else ""
                if len(cells) >= 4 and _norm(cells[2]) == "项目名称":
                    project.name = cells[3]
            elif key == "项目名称":
                project.name = cells[1]
            elif key.startswith("项目资金主要用途"):
                project.purpose = " ".join(cells[1:]).strip()
                project.purpose = re.sub(r"[ \t]{2,}", " ", project.purpose)
                budget, fiscal, other = parse_budget(project.purpose)
                project.budget_wan, project.fiscal_wan, project.other_wan = budget, fiscal, other
                if budget is None:
                    local.append(ImportProblem(place, "项目资金主要用途中没有找到“预算数X万元”"))
            elif key.startswith("资金支出计划"):
                labels = [c for c in cells[1:] if c]
                values_row = rows[i + 1] if i + 1 < len(rows) else None
                values = [c for c in _cells(values_row, 1)[1:] if c] if values_row else []
                if not labels or len(values) != len(labels):
                    local.append(ImportProblem(
                        place, f"资金支出计划应有{len(labels) or 4}个节点及对应的累计进度，实际读到{len(values)}个值"))
                else:
                    for lab, val in zip(labels, values):
                        pct = parse_pct(val)
                        due = checkpoint_date(lab, year)
                        if pct is None or due is None:
                            local.append(ImportProblem(place, f"资金支出计划节点“{lab}”的累计进度“{val}”无法识别"))
                            continue
                        project.plan.append(PlanPointSpec(label=lab, due=due, cumulative_pct=pct))
                    pcts = [p.cumulative_pct for p in project.plan]
                    if any(b < a for a, b in zip(pcts, pcts[1:])) or any(p > 100 for p in pcts):
                        local.append(ImportProblem(place, "资金支出计划的累计进度应逐期不减且不超过100%"))
                    i += 1
            elif key == "绩效目标":
                project.goals = split_goals(cells[1])
            elif key == "一级指标":
                header = [_canonical_header(c) for c in _cells(row, 6)]
                weight_col = header.index(WEIGHT_HEADER) if WEIGHT_HEADER in header else None
                if weight_col is not None:
                    header = header[:weight_col] + header[weight_col + 1:] + [""]
                if "指标值" not in header:
                    local.append(ImportProblem(place, "指标表头缺少“指标值”列"))
                    break
                value_col = header.index("指标值")
                if tuple(header[:6]) != INDICATOR_HEADER:
                    local.append(ImportProblem(place, "指标表头应为：" + " | ".join(INDICATOR_HEADER)))
                    break
                header_seen = True
            i += 1
            continue

        # indicator rows
        cells = _cells(row, 7)
        weight, weight_problem = _take_weight(cells, weight_col)
        if not any(cells):
            i += 1
            continue
        if len(row.cells) < 6 + (weight_col is not None and weight_col < 6) and any(cells[:6]):
            local.append(ImportProblem(place, f"指标行应有6列，实际只有{len(row.cells)}列"))
            i += 1
            continue
        l1 = cells[0] or last_l1
        l2 = cells[1] or last_l2
        if cells[0] and cells[0] != last_l1:
            last_l2 = ""
            l2 = cells[1] or ""
        last_l1, last_l2 = l1, l2
        if not cells[2] and not cells[value_col]:
            local.append(ImportProblem(place, "指标行缺少三级指标和指标值"))
        elif not cells[value_col]:
            local.append(ImportProblem(place, f"指标“{cells[2]}”缺少指标值"))
        else:
            if l1 not in LEVEL1_VALUES:
                local.append(ImportProblem(place, f"一级指标“{l1}”不是{'/'.join(LEVEL1_VALUES)}之一"))
            if l2 not in LEVEL2_VALUES:
                local.append(ImportProblem(place, f"二级指标“{l2}”无法识别"))
            if weight_problem:
                local.append(ImportProblem(place, weight_problem))
            project.indicators.append(make_indicator([l1, l2] + cells[2:6], year, place, weight))
        i += 1

    if not project.name:
        name_from_title = re.sub(r"(项目)?绩效目标表$", "", t.title or "")
        if name_from_title:
            project.name = name_from_title
        else:
            local.append(ImportProblem(label, "缺少项目名称"))
    if not header_seen and not any("指标表头" in p.message for p in local):
        local.append(ImportProblem(
            label, "表格不完整：没有找到指标表头（一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据）"))
    elif header_seen and not project.indicators:
        local.append(ImportProblem(label, "表格不完整：没有任何指标行"))
    if not project.plan and not any("资金支出计划" in p.message for p in local):
        local.append(ImportProblem(label, "缺少资金支出计划"))
    local.extend(_hygiene_problems(project, label))
    problems.extend(local)
    return project if not local else None


WEIGHT_HEADER = "分值"


def _take_weight(cells: list[str], col: int | None) -> tuple[float | None, str]:
    """Remove the 分值 cell from ``cells``; (its number or None, a Chinese problem or '')."""
    if col is None:
        return None, ""
    text = cells.pop(col) if col < len(cells) else ""
    if not text:
        return None, ""
    number = parse_pct(text.replace("分", ""))
    if number is None:
        return None, f"分值“{text}”不是数字"
    return number, ""
def _hygiene_problems(project: ProjectSpec, label: str) -> list[ImportProblem]:
    """Names and texts cleaned in place (``domain.hygiene``); lengths, numbers and dates beyond its
    limits are problems (the table is refused, never cut)."""
    out: list[ImportProblem] = []

    def clean(value: str, what: str, place: str, long: bool = False) -> str:
        try:
            return clean_long_text(value, what) if long else clean_name(value, what)
        except HygieneError as e:
            out.append(ImportProblem(place, str(e)))
            return value

    project.name = clean(project.name, "项目名称", label)
    project.code = clean(project.code, "项目编码", label)
    project.title = clean(project.title, "表格标题", label)
    project.purpose = clean(project.purpose, "项目资金主要用途", label, long=True)
    project.goals = [clean(g, "绩效目标", label, long=True) for g in project.goals]
    for what, value in (("预算数", project.budget_wan), ("财政资金", project.fiscal_wan), ("其他资金", project.other_wan)):
        problem = number_problem(value, what)
        if problem:
            out.append(ImportProblem(label, problem))
    for ind in project.indicators:
        place = ind.place or label
        for key, what in (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"),
                          ("target_text", "指标值"), ("basis", "指标值确定依据")):
            setattr(ind, key, clean(getattr(ind, key), what, place))
        ind.description = clean(ind.description, "绩效指标描述", place, long=True)
        problem = (text_problem(ind.target_text, f"指标“{ind.level3[:20]}”的指标值")
                   or number_problem(ind.target.value, f"指标“{ind.level3[:20]}”的指标值", percent=ind.target.unit == "%"))
        if problem:
            out.append(ImportProblem(place, problem))
    return out


def _check_duplicates(doc: TargetDocument) -> None:
    seen: set[str] = set()
    for p in doc.projects:
        if p.name in seen:
            doc.problems.append(ImportProblem(f"「{p.title or p.name}」", f"项目名称“{p.name}”重复"))
        seen.add(p.name)
