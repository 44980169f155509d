"""项目支出绩效目标执行监控表 (the form of 财预〔2019〕136号): one sheet per project plus a summary sheet,
as .xlsx bytes. The statuses and reasons it prints follow docs/rules.md.

Pure: takes evaluated ``ProjectStatus`` results and a dict of per-project metadata (see
``data_access.exports.monitoring_inputs``); no Streamlit, no database.

Layout of a project sheet (15 columns A–O, the official form):

* rows 1–2: title 项目支出绩效目标执行监控表 and （YYYY年1-X月）; X is the as-of month;
* rows 3–4: 项目名称 / 主管部门 / 实施单位;
* rows 5–8: 项目资金（万元） block: 年初预算数 | 调整后预算数 | 1-X月执行数 | 1-X月执行率 | 全年预计执行数,
  rows 年度资金总额 / 其中：财政资金 / 其他资金;
* rows 9–10: 年度总体目标: 预期目标 | 全年预计完成情况;
* rows 11–12: indicator header, two rows: 偏差原因分析 over 经费保障 … 其他, 完成目标可能性 over
  确定能 / 有可能 / 完全不可能;
* one row per indicator; 一级/二级指标 merged over runs of equal values; √ in the ticked columns;
  备注 = the staff's 说明 and 纠偏措施;
* notes below the table.

Choices: 调整后预算数 equals 年初预算数 (the system records no budget adjustment). Spending is recorded
per project, not per fund source, so the 财政资金/其他资金 execution figures are the total split in
proportion to the fund split; when both sources are non-zero the sheet says so in a note (with a
single source the split is exact).
"""

from __future__ import annotations

import io
import math
from copy import copy
from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

from documents.table_export import (
    BORDER,
    CENTER,
    FONT_NAME,
    HEADER_FILL,
    LEFT_WRAP,
    MONEY_FORMAT,
    as_of_span,
    as_of_text,
    display_width,
    safe_text,
    setup_print,
    sheet_title,
    write_frame,
)
from domain.status import (
    AMBER,
    MISSING,
    REASON_CATEGORIES,
    RED,
    STATUS_LABELS,
    STATUSES,
    IMPOSSIBLE,
    LIKELIHOODS,
    POSSIBLE,
    IndicatorInput,
    IndicatorStatus,
    ProjectStatus,
    entered_text,
    normalise_likelihood,
)

TITLE = "项目支出绩效目标执行监控表"
TICK = "√"
WIDTHS = [10, 12, 24, 14, 14, 14, 7, 7, 7, 8, 7, 7, 7, 8, 34]
RATE_FORMAT = "0.0%"
SUMMARY_SHEET = "汇总"

_TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_SUB_FONT = Font(name=FONT_NAME, size=12)
_LABEL_FONT = Font(name=FONT_NAME, size=11, bold=True)
_BODY_FONT = Font(name=FONT_NAME, size=10.5)
_NOTE_FONT = Font(name=FONT_NAME, size=9.5, color="404040")
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_LEFT_MID = Alignment(horizontal="left", vertical="center", wrap_text=True)


# --------------------------------------------------------------------------- texts shared by the documents


def month_span(as_of: date) -> str:
    """'1-9月' (or '1月')."""
    return "1月" if as_of.month == 1 else f"1-{as_of.month}月"


def input_value_text(ind: IndicatorInput, projected: bool = False) -> str:
    """An entered value as text with its unit (see domain.status.entered_text)."""
    return entered_text(ind, projected)


def value_text(st: IndicatorStatus, projected: bool = False) -> str:
    return input_value_text(st.indicator, projected)


def remark_text(st: IndicatorStatus | IndicatorInput) -> str:
    """备注: the staff's explanation and corrective measures."""
    ind = st.indicator if isinstance(st, IndicatorStatus) else st
    parts = []
    if ind.explanation:
        parts.append(f"说明：{ind.explanation.strip()}")
    if ind.measures:
        parts.append(f"纠偏措施：{ind.measures.strip()}")
    return "\n".join(parts)


def reason_ticks(reasons: Sequence[str]) -> list[bool]:
    """One flag per 偏差原因 category (经费保障, 制度保障, 人员保障, 硬件条件保障, 其他); a category the
    form does not know counts as 其他."""
    known = set(REASON_CATEGORIES)
    flags = [c in reasons for c in REASON_CATEGORIES]
    if any(r and r not in known for r in reasons):
        flags[-1] = True
    return flags


def likelihood_ticks(likelihood: str | None) -> list[bool]:
    lk = normalise_likelihood(likelihood)
    return [lk == x for x in LIKELIHOODS]


def projected_summary(r: ProjectStatus) -> str:
    """全年预计完成情况 of the overall goal, from the statuses: projected spending and which
    indicators deviate, with the staff's likelihood."""
    parts = []
    b = r.budget
    p = r.project
    if p.projected_spent_wan is not None and b.projected_pct is not None:
        parts.append(f"预计全年执行{p.projected_spent_wan:.2f}万元，预计执行率{b.projected_pct:.1f}%。")
    n = len(r.indicators)
    bad = [st for st in r.indicators if st.status in (RED, AMBER, MISSING)]
    if n == 0:
        parts.append("未设绩效指标。")
    elif not bad:
        parts.append(f"{n}项绩效指标运行正常，预计能够完成年度绩效目标。")
    else:
        counts = {s: sum(1 for st in bad if st.status == s) for s in (RED, AMBER, MISSING)}
        detail = "、".join(f"{STATUS_LABELS[s]}{k}项" for s, k in counts.items() if k)
        names = "、".join(f"「{st.indicator.level3.strip()}」" for st in bad[:6]) + ("等" if len(bad) > 6 else "")
        parts.append(f"{n}项绩效指标中{len(bad)}项存在偏差或未填报（{detail}）：{names}。")
        lk = [normalise_likelihood(st.indicator.likelihood) for st in r.indicators]
        if lk.count(IMPOSSIBLE):
            parts.append(f"填报完成目标完全不可能{lk.count(IMPOSSIBLE)}项，")
        if lk.count(POSSIBLE):
            parts.append(f"有可能完成{lk.count(POSSIBLE)}项，")
        if n > len(bad):
            parts.append("其余指标预计能够完成。")
        elif parts[-1].endswith("，"):
            parts[-1] = parts[-1][:-1] + "。"
    return "".join(parts)


def goals_text(goals: Sequence[str]) -> str:
    goals = [g.strip() for g in goals if g and g.strip()]
    if len(goals) <= 1:
        return goals[0] if goals else ""
    return "\n".join(g if g.startswith("目标") else f"目标{i}：{g}" for i, g in enumerate(goals, start=1))


def fund_split(meta: Mapping[str, Any], budget: float | None) -> tuple[float | None, float | None, bool]:
    """(财政资金, 其他资金, estimated): the budget split as the document gave it; ``estimated`` is True
    when execution figures have to be split in proportion (both sources non-zero)."""
    fiscal, other = meta.get("fiscal_wan"), meta.get("other_wan")
    if fiscal is None and other is None:
        return None, None, False
    if fiscal is None and budget is not None:
        fiscal = max(0.0, budget - (other or 0.0))
    if other is None and budget is not None:
        other = max(0.0, budget - (fiscal or 0.0))
    return fiscal, other, bool(fiscal and other)


# --------------------------------------------------------------------------- sheet helpers


class SheetWriter:
    """Cell writing with cached style arrays: assigning Font/Alignment/Border objects hashes them
    every time, so each distinct style is built once per workbook and copied afterwards."""

    def __init__(self, ws, cache: dict):
        self.ws = ws
        self.cache = cache

    def _style(self, cell, font, align, fill, fmt, border) -> None:
        key = (id(font), id(align), id(fill), fmt, border)
        sa = self.cache.get(key)
        if sa is None:
            cell.font = font
            cell.alignment = align
            if fill is not None:
                cell.fill = fill
            if fmt:
                cell.number_format = fmt
            if border:
                cell.border = BORDER
            self.cache[key] = copy(cell._style)
        else:
            cell._style = copy(sa)

    def put(self, ref: str, value=None, *, font=_BODY_FONT, align=CENTER, fill=None, fmt=None, border=True):
        """Write the top-left cell of ``ref`` (a cell or a range), style every cell of it, merge it.
        Styles must be module-level constants (the cache is keyed by identity)."""
        ws = self.ws
        first = ref.split(":")[0]
        c = ws[first]
        if value is not None:
            c.value = safe_text(value) if isinstance(value, str) else value
        if ":" not in ref:
            self._style(c, font, align, fill, fmt, border)
            return c
        for row in ws[ref]:
            for cell in row:
                self._style(cell, font, align, fill, fmt, border)
        # registered directly: openpyxl's merge_cells re-formats every edge cell (slow) and we
        # have already styled them all
        ws.merged_cells.add(MergedCellRange(ws, ref))
        return c


def text_lines(text: str, width: float) -> int:
    if not text:
        return 1
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))


def _span_width(first_col: int, last_col: int) -> float:
    return float(sum(WIDTHS[first_col - 1:last_col]))


def row_height(lines: int, per_line: float = 14.5, floor: float = 20) -> float:
    return max(floor, lines * per_line + 5)


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def norm_level(text: str | None) -> str:
    return "".join((text or "").split())


def equal_runs(keys: Sequence[Any]) -> list[tuple[int, int]]:
    """(start, end) index pairs of runs of equal consecutive keys."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i - 1))
            start = i
    return runs


# --------------------------------------------------------------------------- project sheet


def write_project_sheet(ws, r: ProjectStatus, meta: Mapping[str, Any], as_of: date, department: str,
                        styles: dict | None = None) -> None:
    s = SheetWriter(ws, styles if styles is not None else {})
    p = r.project
    L = get_column_letter
    span = month_span(as_of)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[L(i)].width = w

    s.put("A1:O1", TITLE, font=_TITLE_FONT, border=False)
    s.put("A2:O2", f"（{as_of.year}年{span}）", font=_SUB_FONT, border=False)
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 20

    # header block
    s.put("A3:B3", "项目名称", font=_LABEL_FONT)
    s.put("C3:O3", p.name, align=LEFT_WRAP)
    s.put("A4:B4", "主管部门", font=_LABEL_FONT)
    s.put("C4:H4", meta.get("department") or department, align=LEFT_WRAP)
    s.put("I4:J4", "实施单位", font=_LABEL_FONT)
    s.put("K4:O4", meta.get("unit") or p.unit, align=LEFT_WRAP)
    for row in (3, 4):
        ws.row_dimensions[row].height = 22

    # budget block
    budget = _num(p.budget_wan)
    spent = _num(p.spent_wan)
    projected = _num(p.projected_spent_wan)
    fiscal, other, estimated = fund_split(meta, budget)
    s.put("A5:B8", "项目资金\n（万元）", font=_LABEL_FONT)
    heads = [("C5:D5", ""), ("E5:F5", "年初预算数"), ("G5:H5", "调整后预算数"), ("I5:J5", f"{span}执行数"),
             ("K5:L5", f"{span}执行率"), ("M5:O5", "全年预计执行数")]
    for ref, text in heads:
        s.put(ref, text, font=_LABEL_FONT, fill=HEADER_FILL)

    def budget_row(row: int, label: str, amount: float | None, share: float | None) -> None:
        s.put(f"C{row}:D{row}", label, align=_LEFT_MID)
        ex = None if spent is None or share is None else round(spent * share, 2)
        pj = None if projected is None or share is None else round(projected * share, 2)
        rate = ex / amount if ex is not None and amount else None
        s.put(f"E{row}:F{row}", amount, fmt=MONEY_FORMAT)
        s.put(f"G{row}:H{row}", amount, fmt=MONEY_FORMAT)
        s.put(f"I{row}:J{row}", ex, fmt=MONEY_FORMAT)
        s.put(f"K{row}:L{row}", rate, fmt=RATE_FORMAT)
        s.put(f"M{row}:O{row}", pj, fmt=MONEY_FORMAT)

    budget_row(6, "年度资金总额", budget, 1.0)
    total_src = (fiscal or 0.0) + (other or 0.0)
    if fiscal is None and other is None:
        budget_row(7, "其中：财政资金", None, None)
        budget_row(8, "其他资金", None, None)
    else:
        budget_row(7, "其中：财政资金", fiscal, (fiscal or 0.0) / total_src if total_src else None)
        budget_row(8, "其他资金", other, (other or 0.0) / total_src if total_src else None)
    for row in range(5, 9):
        ws.row_dimensions[row].height = 20

    # overall goal
    goals = goals_text(meta.get("goals") or [])
    proj_text = projected_summary(r)
    s.put("A9:B10", "年度\n总体目标", font=_LABEL_FONT)
    s.put("C9:H9", "预期目标", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("I9:O9", "全年预计完成情况", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("C10:H10", goals, align=_LEFT_TOP)
    s.put("I10:O10", proj_text, align=_LEFT_TOP)
    ws.row_dimensions[9].height = 20
    ws.row_dimensions[10].height = row_height(max(text_lines(goals, _span_width(3, 8)), text_lines(proj_text, _span_width(9, 15))))

    # indicator header (two rows)
    for ref, text in [("A11:A12", "一级指标"), ("B11:B12", "二级指标"), ("C11:C12", "三级指标"),
                      ("D11:D12", "年度指标值"), ("E11:E12", f"{span}执行情况"), ("F11:F12", "全年预计完成情况"),
                      ("G11:K11", "偏差原因分析"), ("L11:N11", "完成目标可能性"), ("O11:O12", "备注")]:
        s.put(ref, text, font=_LABEL_FONT, fill=HEADER_FILL)
    for i, text in enumerate(REASON_CATEGORIES):
        s.put(f"{L(7 + i)}12", text, font=_LABEL_FONT, fill=HEADER_FILL)
    for i, text in enumerate(LIKELIHOODS):
        s.put(f"{L(12 + i)}12", text, font=_LABEL_FONT, fill=HEADER_FILL)
    ws.row_dimensions[11].height = 22
    ws.row_dimensions[12].height = 44

    # indicator rows
    first = 13
    inds = r.indicators
    for k, st in enumerate(inds):
        row = first + k
        ind = st.indicator
        current = value_text(st) or ("未填报" if st.status == MISSING else "")
        remark = remark_text(st)
        cells = [ind.level1.strip(), ind.level2.strip(), ind.level3.strip(), ind.target.raw.strip(), current,
                 value_text(st, projected=True)]
        for ci, v in enumerate(cells, start=1):
            s.put(f"{L(ci)}{row}", v, align=LEFT_WRAP if ci == 3 else CENTER)
        for i, on in enumerate(reason_ticks(ind.reasons)):
            s.put(f"{L(7 + i)}{row}", TICK if on else "")
        for i, on in enumerate(likelihood_ticks(ind.likelihood)):
            s.put(f"{L(12 + i)}{row}", TICK if on else "")
        s.put(f"O{row}", remark, align=LEFT_WRAP)
        lines = max(text_lines(cells[2], WIDTHS[2]), text_lines(cells[3], WIDTHS[3]), text_lines(current, WIDTHS[4]),
                    text_lines(cells[5], WIDTHS[5]), text_lines(remark, WIDTHS[14]))
        ws.row_dimensions[row].height = row_height(lines)
    # merge 一级 over runs, 二级 over runs inside the same 一级
    k1 = [norm_level(st.indicator.level1) for st in inds]
    k2 = [(norm_level(st.indicator.level1), norm_level(st.indicator.level2)) for st in inds]
    for col, keys in (("A", k1), ("B", k2)):
        for a, b in equal_runs(keys):
            if b > a:
                ws.merged_cells.add(MergedCellRange(ws, f"{col}{first + a}:{col}{first + b}"))
    last = first + len(inds) - 1 if inds else first - 1
    if not inds:
        last = first
        s.put(f"A{first}:O{first}", "（未设绩效指标）")

    # notes
    notes = [f"注：1. 执行数、执行率和执行情况为{as_of_text(as_of)}的累计数；调整后预算数：系统未记录预算调整，与年初预算数相同。",
             "2. 偏差原因分析和完成目标可能性按填报内容打“√”；备注为填报的偏差说明和纠偏措施。"]
    if estimated:
        notes.append("3. 系统按项目记录累计执行数，财政资金、其他资金的执行数和全年预计执行数按资金来源比例分摊。")
    if meta.get("budget_explanation"):
        notes.append(f"预算执行情况说明：{meta['budget_explanation'].strip()}")
    row = last + 2
    for text in notes:
        s.put(f"A{row}:O{row}", text, font=_NOTE_FONT, align=_LEFT_TOP, border=False)
        ws.row_dimensions[row].height = row_height(text_lines(text, _span_width(1, 15)), 13, 16)
        row += 1

    setup_print(ws, title_rows="11:12")
    ws.freeze_panes = "A13"
    ws.sheet_view.zoomScale = 90


# --------------------------------------------------------------------------- summary sheet


def summary_frame(results: Sequence[ProjectStatus], meta: Mapping[Any, Mapping[str, Any]], as_of: date) -> pd.DataFrame:
    """One row per project (the summary sheet): budget, spent, 执行率, plan, projection, budget status,
    indicator status counts, project status and its reason; then a 合计 row."""
    span = month_span(as_of)
    rows = []
    tot_b = tot_s = tot_rb = tot_p = 0.0
    any_p = False
    for i, r in enumerate(results, start=1):
        p = r.project
        m = meta.get(p.id, {})
        counts = r.indicator_counts()
        rows.append({
            "_status": r.status, "_budget_status": r.budget.status,
            "序号": i, "项目名称": p.name, "实施单位": m.get("unit") or p.unit,
            "预算数（万元）": round(p.budget_wan or 0.0, 2),
            f"{span}执行数（万元）": None if p.spent_wan is None else round(p.spent_wan, 2),
            f"{span}执行率%": None if r.budget.execution_pct is None else round(r.budget.execution_pct, 1),
            "计划进度%": None if r.budget.expected_pct is None else round(r.budget.expected_pct, 1),
            "全年预计执行数（万元）": None if p.projected_spent_wan is None else round(p.projected_spent_wan, 2),
            "预算状态": STATUS_LABELS[r.budget.status],
            **{f"指标{STATUS_LABELS[s]}": counts[s] for s in STATUSES},
            "项目状态": STATUS_LABELS[r.status],
            "原因": r.reason,
        })
        tot_b += p.budget_wan or 0.0
        if p.spent_wan is not None:
            tot_s += p.spent_wan
            tot_rb += p.budget_wan or 0.0
        if p.projected_spent_wan is not None:
            tot_p += p.projected_spent_wan
            any_p = True
    if rows:
        total_counts = {s: sum(row[f"指标{STATUS_LABELS[s]}"] for row in rows) for s in STATUSES}
        rows.append({
            "_status": None, "_budget_status": None, "序号": None, "项目名称": "合计", "实施单位": "",
            "预算数（万元）": round(tot_b, 2), f"{span}执行数（万元）": round(tot_s, 2),
            f"{span}执行率%": round(tot_s / tot_rb * 100, 1) if tot_rb else None, "计划进度%": None,
            "全年预计执行数（万元）": round(tot_p, 2) if any_p else None, "预算状态": "",
            **{f"指标{STATUS_LABELS[s]}": total_counts[s] for s in STATUSES},
            "项目状态": "", "原因": "执行率按已填报支出的项目计算",
        })
    cols = ["_status", "_budget_status", "序号", "项目名称", "实施单位", "预算数（万元）", f"{span}执行数（万元）",
            f"{span}执行率%", "计划进度%", "全年预计执行数（万元）", "预算状态",
            *[f"指标{STATUS_LABELS[s]}" for s in STATUSES], "项目状态", "原因"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- workbook


def monitoring_workbook(
    results: Sequence[ProjectStatus],
    meta: Mapping[Any, Mapping[str, Any]],
    as_of: date,
    department: str,
    *,
    summary: bool | None = None,
) -> bytes:
    """The official monitoring table: a summary sheet (default when there is more than one project)
    and one sheet per project, in the order given. A single project = a list of one."""
    return project_workbook(
        results,
        summary=summary,
        write_summary=lambda ws: write_frame(
            ws, summary_frame(results, meta, as_of),
            title=f"{TITLE}（汇总）",
            subtitle=f"主管部门：{department}；{as_of_text(as_of)}（{as_of_span(as_of)}）；项目{len(results)}个",
        ),
        write_item=lambda ws, r, styles: write_project_sheet(ws, r, meta.get(r.project.id, {}), as_of, department,
                                                             styles),
    )


def project_workbook(items: Sequence[Any], *, summary: bool | None, write_summary, write_item) -> bytes:
    """A workbook of an optional summary sheet (default: when there is more than one item) and one sheet per
    item (anything with ``.project.name``), named "1.项目名称" within Excel's limits; shared by the official
    monitoring table and the self-evaluation preview. ``write_item(ws, item, styles)``; ``styles`` is a
    cache of cell styles shared by the sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    styles: dict = {}
    if summary is None:
        summary = len(items) > 1
    if summary:
        write_summary(wb.create_sheet(sheet_title(SUMMARY_SHEET, taken)))
    for i, item in enumerate(items, start=1):
        write_item(wb.create_sheet(sheet_title(f"{i}.{item.project.name}", taken)), item, styles)
    if not items:
        wb.create_sheet("说明")["A1"] = "没有可导出的项目"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
