"""The data-entry template (.xlsx) and the CSV form of actual values, as bytes. Pure: no database.

``build_template(rows, period_label, spending=..., period_code=...)`` writes a pre-filled workbook for
one unit and period: sheet 指标填报 (one row per indicator: project, 三级指标, target, unit, kind,
previous value, the current values) and sheet 预算执行 (one row per project). Ids and versions sit in
hidden columns; everything but the editable cells is locked (sheet protection without a password — it
guides, the server validates); drop-down lists offer 完成情况 / 完成可能性 / 偏差原因; cells that do not
apply to an indicator's kind are greyed and locked. ``rows`` and ``spending`` are records with the
column names of ``data_access.actuals.entry_frame`` / ``spending_frame`` (``frame.to_dict("records")``).

``read_template(bytes)`` and ``read_actuals_csv(bytes)`` return an :class:`ActualsFile`: rows with their
line number and the raw cell values (validated later by ``domain.entry`` in the data layer, exactly as
for the screen). An empty cell means "keep what is stored": an import never clears a value.

CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it), English headers, one kind per file:

* indicators: ``project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks``
* spending: ``project,period,spent_wan,projected_wan,explanation``

``project`` is the project name, ``indicator`` the 三级指标 text, ``period`` ``2024Q3`` or ``2024-09``;
values are cumulative; ``actual`` is a number, a judgement (达成/部分达成/未达成/进行中) or a completion
date (YYYY-MM-DD) according to the indicator's kind; ``reasons`` are joined with ';'.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Sequence

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from documents.mime import CSV_MIME, XLSX_MIME  # re-exported: the 填报 page imports them from here
from documents.targets_common import DocumentError
from domain.entry import (
    ACTUAL,
    ANY_VERSION,
    DATE,
    EXPLANATION,
    FIELD_LABELS,
    JUDGEMENT,
    LIKELIHOOD,
    MEASURES,
    PROJECTED,
    PROJECTED_JUDGEMENT,
    PROJECTED_SPENT,
    REASONS,
    REMARKS,
    SPENT,
    is_blank,
)
from domain.periods import parse_period
from domain.status import JUDGEMENTS, LIKELIHOODS, REASON_CATEGORIES

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000

IND_SHEET = "指标填报"
SP_SHEET = "预算执行"
META_SHEET = "_lists"
MARKER = "actuals-template-v1"

INDICATOR = "indicator"
SPENDING = "spending"

# ---- indicator sheet: (header, record key, width, editable field or None)
IND_LAYOUT: list[tuple[str, str, float, str | None]] = [
    ("_indicator_id", "_indicator_id", 6, None),
    ("_version", "_version", 6, None),
    ("_mode", "_mode", 6, None),
    ("项目", "项目", 22, None),
    ("一级指标", "一级指标", 10, None),
    ("二级指标", "二级指标", 12, None),
    ("三级指标", "三级指标", 24, None),
    ("目标", "目标", 14, None),
    ("单位", "单位", 8, None),
    ("类型", "类型", 10, None),
    ("上期值", "上期值", 12, None),
    (FIELD_LABELS[ACTUAL], FIELD_LABELS[ACTUAL], 12, ACTUAL),
    (FIELD_LABELS[JUDGEMENT], FIELD_LABELS[JUDGEMENT], 11, JUDGEMENT),
    (FIELD_LABELS[DATE], FIELD_LABELS[DATE], 12, DATE),
    (FIELD_LABELS[PROJECTED], FIELD_LABELS[PROJECTED], 11, PROJECTED),
    (FIELD_LABELS[PROJECTED_JUDGEMENT], FIELD_LABELS[PROJECTED_JUDGEMENT], 12, PROJECTED_JUDGEMENT),
    (FIELD_LABELS[LIKELIHOOD], FIELD_LABELS[LIKELIHOOD], 11, LIKELIHOOD),
    (FIELD_LABELS[REASONS], FIELD_LABELS[REASONS], 16, REASONS),
    (FIELD_LABELS[EXPLANATION], FIELD_LABELS[EXPLANATION], 30, EXPLANATION),
    (FIELD_LABELS[MEASURES], FIELD_LABELS[MEASURES], 30, MEASURES),
    (FIELD_LABELS[REMARKS], FIELD_LABELS[REMARKS], 20, REMARKS),
    ("状态", "状态", 9, None),
    ("状态原因", "状态原因", 40, None),
]
SP_LAYOUT: list[tuple[str, str, float, str | None]] = [
    ("_project_id", "_project_id", 6, None),
    ("_version", "_version", 6, None),
    ("项目", "项目", 26, None),
    ("责任单位", "责任单位", 14, None),
    ("预算（万元）", "预算（万元）", 12, None),
    ("计划进度%", "计划进度%", 10, None),
    ("上期累计支出（万元）", "上期累计支出（万元）", 14, None),
    (FIELD_LABELS[SPENT], FIELD_LABELS[SPENT], 14, SPENT),
    (FIELD_LABELS[PROJECTED_SPENT], FIELD_LABELS[PROJECTED_SPENT], 16, PROJECTED_SPENT),
    (FIELD_LABELS[EXPLANATION], FIELD_LABELS[EXPLANATION], 36, EXPLANATION),
    ("状态", "状态", 9, None),
    ("状态原因", "状态原因", 40, None),
]
HIDDEN_HEADERS = {"_indicator_id", "_version", "_mode", "_project_id"}

_NUMERIC_MODES = ("accumulating", "level", "cap")
_APPLIES = {
    "numeric": {ACTUAL, PROJECTED},
    "deadline": {DATE, JUDGEMENT, PROJECTED_JUDGEMENT},
    "qualitative": {JUDGEMENT, PROJECTED_JUDGEMENT},
}
_COMMON = {LIKELIHOOD, REASONS, EXPLANATION, MEASURES, REMARKS}

CSV_IND_HEADERS = ["project", "indicator", "period", "actual", "projected", "likelihood", "reasons", "explanation",
                   "measures", "remarks"]
CSV_SP_HEADERS = ["project", "period", "spent_wan", "projected_wan", "explanation"]
_CSV_IND_FIELDS = {"likelihood": LIKELIHOOD, "reasons": REASONS, "explanation": EXPLANATION, "measures": MEASURES,
                   "remarks": REMARKS}
_CSV_SP_FIELDS = {"spent_wan": SPENT, "projected_wan": PROJECTED_SPENT, "explanation": EXPLANATION}


def _group(mode: str | None) -> str:
    if mode in _NUMERIC_MODES:
        return "numeric"
    if mode == "deadline":
        return "deadline"
    return "qualitative"


# --------------------------------------------------------------------------- parsed files


@dataclass(slots=True)
class ImportRow:
    """One data row of an uploaded file, before validation."""

    line: int  # CSV line / Excel row number (1-based, header included)
    kind: str  # 'indicator' | 'spending'
    period_code: str | None
    sheet: str = ""  # Excel sheet name ('' for CSV)
    indicator_id: int | None = None  # template: from the hidden column
    project_id: int | None = None
    project: str = ""
    indicator: str = ""
    version: Any = ANY_VERSION  # template: the version at export (None: no value then); CSV: no check
    values: dict[str, Any] = field(default_factory=dict)  # field key -> raw cell (blank cells left out)
    generic: bool = False  # CSV indicator rows: 'actual'/'projected' still to be routed by kind

    @property
    def where(self) -> str:
        return f"{self.sheet}第{self.line}行" if self.sheet else f"第{self.line}行"


@dataclass(frozen=True, slots=True)
class FileProblem:
    line: int | None
    field: str
    message: str
    sheet: str = ""

    @property
    def where(self) -> str:
        if self.line is None:
            return "文件"
        return f"{self.sheet}第{self.line}行" if self.sheet else f"第{self.line}行"


@dataclass(slots=True)
class ActualsFile:
    source: str  # 'xlsx' | 'csv'
    kind: str  # 'indicator' | 'spending' | 'both'
    period_code: str | None = None
    period_label: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)  # rows that cannot even be read

    @property
    def indicator_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.kind == INDICATOR]

    @property
    def spending_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.kind == SPENDING]


# --------------------------------------------------------------------------- build the template


def _cell_value(v: Any) -> Any:
    if is_blank(v):
        return None
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v) or None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        try:
            v = v.item()
        except Exception:  # noqa: BLE001
            pass
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def build_template(rows: Sequence[Mapping[str, Any]], period_label: str, *,
                   spending: Sequence[Mapping[str, Any]] | None = None, period_code: str | None = None,
                   unit_label: str = "", fiscal_year: int | None = None) -> bytes:
    """A pre-filled .xlsx for one unit and period (see the module docstring)."""
    if period_code is None:
        raise ValueError("build_template needs period_code")
    code = parse_period(period_code).key
    year = fiscal_year or parse_period(code).year
    wb = openpyxl.Workbook()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    locked_fill = PatternFill("solid", fgColor="F2F2F2")
    edit_fill = PatternFill("solid", fgColor="FFFFFF")
    na_fill = PatternFill("solid", fgColor="D9D9D9")
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    title_suffix = f"（{unit_label}）" if unit_label else ""

    # lists for the drop-downs, on a hidden sheet
    meta = wb.active
    meta.title = META_SHEET
    meta["A1"], meta["B1"], meta["C1"], meta["D1"] = "完成情况", "完成可能性", "偏差原因", MARKER
    meta["D2"], meta["D3"] = code, period_label
    for i, v in enumerate(JUDGEMENTS, start=2):
        meta.cell(i, 1, v)
    for i, v in enumerate(LIKELIHOODS, start=2):
        meta.cell(i, 2, v)
    for i, v in enumerate(REASON_CATEGORIES, start=2):
        meta.cell(i, 3, v)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    judgements_ref = f"'{META_SHEET}'!$A$2:$A${len(JUDGEMENTS) + 1}"
    likelihood_ref = f"'{META_SHEET}'!$B$2:$B${len(LIKELIHOODS) + 1}"
    reasons_ref = f"'{META_SHEET}'!$C$2:$C${len(REASON_CATEGORIES) + 1}"

    def sheet(title: str, layout, records, note: str):
        ws = wb.create_sheet(title)
        ncol = len(layout)
        ws.cell(1, 1, f"{period_label}{title}{title_suffix}").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.cell(2, 1, note).alignment = Alignment(wrap_text=True)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        ws.row_dimensions[2].height = 48
        for c, (header, _key, width, _f) in enumerate(layout, start=1):
            cell = ws.cell(3, c, header)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, Alignment(wrap_text=True, vertical="center")
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = width
            if header in HIDDEN_HEADERS:
                ws.column_dimensions[letter].hidden = True
        for r, rec in enumerate(records, start=4):
            group = _group(rec.get("_mode")) if layout is IND_LAYOUT else None
            for c, (header, key, _w, fld) in enumerate(layout, start=1):
                applies = fld is not None and (group is None or fld in _APPLIES[group] or fld in _COMMON)
                value = _cell_value(rec.get(key)) if (fld is None or applies) else None
                if fld == DATE and isinstance(value, datetime):
                    value = value.date()
                cell = ws.cell(r, c, value)
                cell.alignment = wrap
                if fld == DATE:
                    cell.number_format = "yyyy-mm-dd"
                elif fld in (ACTUAL, PROJECTED, SPENT, PROJECTED_SPENT):
                    cell.number_format = "General"
                if applies:
                    cell.protection = unlocked
                    cell.fill = edit_fill
                else:
                    cell.fill = na_fill if fld is not None else locked_fill
        ws.freeze_panes = ws.cell(4, 4 if layout is IND_LAYOUT else 3)
        last = max(3 + len(records), 4)
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # column widths stay adjustable
        ws.protection.formatRows = False
        return ws, last

    ind_note = ("填写说明：只填写白色单元格（灰色为只读或不适用于该指标类型）。数值指标填“当前完成值/全年预计”（累计数，"
                "百分比填95或95%）；时限指标填“完成日期”（如2024-09-30）或“完成情况”；定性指标填“完成情况”。"
                "黄色或红色指标须填写偏差原因、说明和完成可能性；完成可能性为“有可能/完全不可能”须填写纠偏措施。"
                "偏差原因可填多项，用分号“;”分隔。清空单元格不会删除已保存的内容。")
    ws, last = sheet(IND_SHEET, IND_LAYOUT, list(rows), ind_note)
    col = {h: get_column_letter(i) for i, (h, *_r) in enumerate(IND_LAYOUT, start=1)}

    def add_list(ws, ref: str, cols: Iterable[str], strict: bool = True, prompt: str = ""):
        dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True, showDropDown=False)
        dv.showErrorMessage = strict
        if strict:
            dv.errorTitle, dv.error = "输入有误", "请从下拉列表中选择"
        if prompt:
            dv.promptTitle, dv.prompt, dv.showInputMessage = "填写提示", prompt, True
        for c in cols:
            dv.add(f"{c}4:{c}{last}")
        ws.add_data_validation(dv)

    add_list(ws, judgements_ref, [col[FIELD_LABELS[JUDGEMENT]], col[FIELD_LABELS[PROJECTED_JUDGEMENT]]])
    add_list(ws, likelihood_ref, [col[FIELD_LABELS[LIKELIHOOD]]])
    add_list(ws, reasons_ref, [col[FIELD_LABELS[REASONS]]], strict=False,
             prompt="可选：" + "、".join(REASON_CATEGORIES) + "；多项用;分隔")
    dv = DataValidation(type="date", operator="between", formula1=f"DATE({year},1,1)", formula2=f"DATE({year},12,31)",
                        allow_blank=True)
    dv.errorTitle, dv.error, dv.showErrorMessage = "日期有误", f"完成日期须在{year}年内，如{year}-09-30", True
    dv.add(f"{col[FIELD_LABELS[DATE]]}4:{col[FIELD_LABELS[DATE]]}{last}")
    ws.add_data_validation(dv)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.errorStyle, dv.errorTitle, dv.error, dv.showErrorMessage = "warning", "数值有误", "不能为负数", True
    for h in (FIELD_LABELS[ACTUAL], FIELD_LABELS[PROJECTED]):
        dv.add(f"{col[h]}4:{col[h]}{last}")
    ws.add_data_validation(dv)

    sp_note = ("填写说明：填写截至本期末的累计支出和全年预计执行数（万元）。累计支出超过预算、低于上期累计，"
               "或预算执行为黄色/红色时，须填写说明。清空单元格不会删除已保存的内容。")
    ws2, last2 = sheet(SP_SHEET, SP_LAYOUT, list(spending or []), sp_note)
    col2 = {h: get_column_letter(i) for i, (h, *_r) in enumerate(SP_LAYOUT, start=1)}
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.errorTitle, dv.error, dv.showErrorMessage = "数值有误", "金额不能为负数", True
    for h in (FIELD_LABELS[SPENT], FIELD_LABELS[PROJECTED_SPENT]):
        dv.add(f"{col2[h]}4:{col2[h]}{last2}")
    ws2.add_data_validation(dv)

    wb.move_sheet(META_SHEET, offset=2)
    wb.active = 0
    for w in (ws, ws2):
        w.page_setup.orientation = "landscape"
        w.page_setup.paperSize = w.PAPERSIZE_A4
        w.page_setup.fitToWidth = 1
        w.page_setup.fitToHeight = 0
        w.sheet_properties.pageSetUpPr.fitToPage = True
        w.print_title_rows = "3:3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- read the template


def _norm_header(v: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v or "")))


def _id(v: Any) -> int | None:
    if is_blank(v):
        return None
    try:
        f = float(str(v).strip())
    except ValueError:
        return None
    return int(f) if f == int(f) else None


def _xlsx_value(cell) -> Any:
    v = cell.value
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        fmt = cell.number_format or ""
        if "%" in fmt:
            return float(v) * 100.0  # a cell formatted as a percentage holds 0.95 for 95%
    return v


def read_template(data: bytes) -> ActualsFile:
    """Rows of a filled template (both sheets). Raises ``DocumentError`` for a file that is not one."""
    if not data:
        raise DocumentError("文件为空")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），填报模板不应超过{MAX_BYTES // 1024 // 1024} MB")
    if data[:4] != b"PK\x03\x04":
        raise DocumentError("不是有效的 .xlsx 文件：请上传从本系统下载的填报模板，或 CSV 文件")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # noqa: BLE001 - any failure inside openpyxl/zip/xml means an unreadable file
        raise DocumentError("无法打开该Excel文件（可能已损坏）") from e
    if IND_SHEET not in wb.sheetnames and SP_SHEET not in wb.sheetnames:
        raise DocumentError(f"不是本系统的填报模板：找不到“{IND_SHEET}”或“{SP_SHEET}”工作表")
    code = None
    label = ""
    if META_SHEET in wb.sheetnames:
        m = wb[META_SHEET]
        if m["D1"].value == MARKER:
            code = str(m["D2"].value or "").strip() or None
            label = str(m["D3"].value or "").strip()
    out = ActualsFile("xlsx", "both", code, label)
    if code is None:
        raise DocumentError("填报模板缺少填报期信息：请重新下载模板后填写")

    for title, layout, kind in ((IND_SHEET, IND_LAYOUT, INDICATOR), (SP_SHEET, SP_LAYOUT, SPENDING)):
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        if ws.max_row > MAX_ROWS:
            raise DocumentError(f"“{title}”行数过多（{ws.max_row}行）")
        header_row = None
        for r in range(1, min(ws.max_row, 10) + 1):
            names = [_norm_header(c.value) for c in ws[r]]
            if "项目" in names and ("_indicator_id" in names or "_project_id" in names):
                header_row = r
                break
        if header_row is None:
            raise DocumentError(f"“{title}”工作表缺少表头（请勿删除模板的表头行）")
        positions = {_norm_header(c.value): i for i, c in enumerate(ws[header_row]) if c.value is not None}
        id_key = "_indicator_id" if kind == INDICATOR else "_project_id"
        missing = [h for h, *_r in layout if _norm_header(h) not in positions]
        if missing:
            raise DocumentError(f"“{title}”工作表缺少列：{'、'.join(missing)}（请勿删除模板的列）")
        for r in range(header_row + 1, ws.max_row + 1):
            cells = ws[r]

            def get(h: str):
                i = positions[_norm_header(h)]
                return _xlsx_value(cells[i]) if i < len(cells) else None

            rid = get(id_key)
            editable = {fld: get(h) for h, _k, _w, fld in layout if fld is not None}
            if is_blank(rid):
                if any(not is_blank(v) for v in editable.values()):
                    out.problems.append(FileProblem(r, "row", "整行：缺少隐藏的编号列，无法确定是哪个指标或项目"
                                                              "（请勿在模板中插入新行）", title))
                continue
            the_id = _id(rid)
            if the_id is None:
                out.problems.append(FileProblem(r, "row", f"整行：编号「{rid}」无效（请勿修改隐藏列）", title))
                continue
            raw_version = get("_version")
            version = None if is_blank(raw_version) else _id(raw_version)
            if not is_blank(raw_version) and version is None:
                out.problems.append(FileProblem(r, "row", f"整行：版本「{raw_version}」无效（请勿修改隐藏列）", title))
                continue
            values = {k: v for k, v in editable.items() if not is_blank(v)}
            out.rows.append(ImportRow(
                line=r, kind=kind, period_code=code, sheet=title,
                indicator_id=the_id if kind == INDICATOR else None,
                project_id=the_id if kind == SPENDING else None,
                project=str(get("项目") or ""), indicator=str(get("三级指标") or "") if kind == INDICATOR else "",
                version=version, values=values,
            ))
    return out


# --------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DocumentError("无法识别CSV文件的编码：请保存为 UTF-8 或 GBK 编码")


def read_actuals_csv(data: bytes) -> ActualsFile:
    """Rows of a CSV of indicator or spending values (kind detected from the header)."""
    if not data or not data.strip():
        raise DocumentError("文件为空")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB）")
    if data[:4] == b"PK\x03\x04":
        raise DocumentError("这是Excel文件，不是CSV：请按 .xlsx 填报模板上传")
    text = _decode(data)
    if "\x00" in text:
        raise DocumentError("不是文本CSV文件")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise DocumentError("CSV文件没有表头") from e
    names = [_norm_header(h).lower() for h in header]
    while names and names[-1] == "":
        names.pop()
    if "spent_wan" in names:
        kind, expected, required = SPENDING, CSV_SP_HEADERS, ["project", "period", "spent_wan"]
    elif "indicator" in names:
        kind, expected, required = INDICATOR, CSV_IND_HEADERS, ["project", "indicator", "period"]
    else:
        raise DocumentError("无法识别CSV的表头：指标填报应为 " + ",".join(CSV_IND_HEADERS)
                            + "；预算执行应为 " + ",".join(CSV_SP_HEADERS))
    unknown = [n for n in names if n not in expected]
    if unknown:
        raise DocumentError(f"CSV表头有无法识别的列：{'、'.join(n or '（空）' for n in unknown)}；应为 {','.join(expected)}")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DocumentError(f"CSV表头有重复的列：{'、'.join(dup)}")
    lacking = [n for n in required if n not in names]
    if lacking:
        raise DocumentError(f"CSV缺少必需的列：{'、'.join(lacking)}")
    if kind == INDICATOR and not any(n in names for n in ("actual", "projected", "likelihood", "reasons",
                                                          "explanation", "measures", "remarks")):
        raise DocumentError("CSV没有任何填报值列（actual、projected 等）")
    out = ActualsFile("csv", kind)
    periods: set[str] = set()
    try:
        for rec in reader:
            line = reader.line_num
            if len(out.rows) + len(out.problems) > MAX_ROWS:
                raise DocumentError(f"CSV行数过多（超过{MAX_ROWS}行）")
            if not any(c.strip() for c in rec):
                continue
            if len(rec) > len(header) and any(c.strip() for c in rec[len(header):]):
                out.problems.append(FileProblem(line, "row", f"整行：列数多于表头（{len(rec)}列），可能有未加引号的逗号"))
                continue
            cells = {n: (rec[i].strip() if i < len(rec) else "") for i, n in enumerate(names)}
            project = unicodedata.normalize("NFKC", cells.get("project", "")).strip()
            if not project:
                out.problems.append(FileProblem(line, "project", "项目：不能为空"))
                continue
            try:
                code = parse_period(unicodedata.normalize("NFKC", cells.get("period", ""))).key
            except ValueError as e:
                out.problems.append(FileProblem(line, "period", f"填报期：{e}"))
                continue
            periods.add(code)
            if kind == INDICATOR:
                indicator = unicodedata.normalize("NFKC", cells.get("indicator", "")).strip()
                if not indicator:
                    out.problems.append(FileProblem(line, "indicator", "三级指标：不能为空"))
                    continue
                values = {k: cells[k] for k in ("actual", "projected") if cells.get(k)}
                values.update({f: cells[k] for k, f in _CSV_IND_FIELDS.items() if cells.get(k)})
                out.rows.append(ImportRow(line, INDICATOR, code, project=project, indicator=indicator,
                                          values=values, generic=True))
            else:
                values = {f: cells[k] for k, f in _CSV_SP_FIELDS.items() if cells.get(k)}
                out.rows.append(ImportRow(line, SPENDING, code, project=project, values=values))
    except csv.Error as e:
        raise DocumentError(f"CSV格式错误（第{reader.line_num}行）：{e}") from e
    if len(periods) == 1:
        out.period_code = next(iter(periods))
    return out


def build_csv(rows: Sequence[Mapping[str, Any]], period_code: str, kind: str = INDICATOR) -> bytes:
    """The CSV form of editor records (UTF-8 with BOM so Excel opens the Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if kind == INDICATOR:
        w.writerow(CSV_IND_HEADERS)
        for r in rows:
            mode = r.get("_mode")
            if mode in _NUMERIC_MODES:
                actual, projected = r.get(FIELD_LABELS[ACTUAL]), r.get(FIELD_LABELS[PROJECTED])
            else:
                d = r.get(FIELD_LABELS[DATE])
                actual = d.isoformat() if isinstance(d, (date, datetime)) else (d or r.get(FIELD_LABELS[JUDGEMENT]))
                projected = r.get(FIELD_LABELS[PROJECTED_JUDGEMENT])
            w.writerow([r.get("项目", ""), r.get("三级指标", ""), period_code, _csv_cell(actual), _csv_cell(projected),
                        _csv_cell(r.get(FIELD_LABELS[LIKELIHOOD])), _csv_cell(r.get(FIELD_LABELS[REASONS])),
                        _csv_cell(r.get(FIELD_LABELS[EXPLANATION])), _csv_cell(r.get(FIELD_LABELS[MEASURES])),
                        _csv_cell(r.get(FIELD_LABELS[REMARKS]))])
    else:
        w.writerow(CSV_SP_HEADERS)
        for r in rows:
            w.writerow([r.get("项目", ""), period_code, _csv_cell(r.get(FIELD_LABELS[SPENT])),
                        _csv_cell(r.get(FIELD_LABELS[PROJECTED_SPENT])), _csv_cell(r.get(FIELD_LABELS[EXPLANATION]))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_cell(v: Any) -> str:
    v = _cell_value(v)
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else repr(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def read_actuals_file(data: bytes, filename: str = "") -> ActualsFile:
    """A template (.xlsx) or a CSV, by content (then by name)."""
    if not data:
        raise DocumentError("文件为空")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return read_template(data)
    if filename.lower().endswith((".xls", ".doc", ".docx")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DocumentError("不支持该文件格式：请上传本系统下载的 .xlsx 填报模板或 CSV 文件")
    return read_actuals_csv(data)


__all__ = [
    "XLSX_MIME", "CSV_MIME", "IND_SHEET", "SP_SHEET", "INDICATOR", "SPENDING", "CSV_IND_HEADERS", "CSV_SP_HEADERS",
    "ImportRow", "FileProblem", "ActualsFile", "build_template", "read_template", "read_actuals_csv",
    "read_actuals_file", "build_csv", "DocumentError",
]
