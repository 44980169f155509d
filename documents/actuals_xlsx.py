"""The data-entry template as .xlsx: written pre-filled for one unit and period, read back when filled.

Written: sheet 指标填报 and sheet 预算执行 with ids and versions in hidden columns, every cell but the
editable ones locked, drop-down lists (on a hidden sheet that also carries the period) and
validation of dates and numbers. Read: the rows with their raw values, or ``DocumentError`` for a
file that is not a template (the layout is in ``documents.actuals_layout``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from documents.actuals_layout import (
    _APPLIES,
    _COMMON,
    HIDDEN_HEADERS,
    IND_LAYOUT,
    IND_SHEET,
    INDICATOR,
    MARKER,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    META_SHEET,
    SP_LAYOUT,
    SP_SHEET,
    SPENDING,
    ActualsFile,
    FileProblem,
    ImportRow,
    _cell_value,
    _group,
    _norm_header,
)
from documents.targets_common import DocumentError, check_zip
from domain.entry import (
    ACTUAL,
    DATE,
    FIELD_LABELS,
    JUDGEMENT,
    LIKELIHOOD,
    PROJECTED,
    PROJECTED_JUDGEMENT,
    PROJECTED_SPENT,
    REASONS,
    SPENT,
    is_blank,
)
from domain.hygiene import as_id, xml_safe
from domain.periods import parse_period
from domain.status import JUDGEMENTS, LIKELIHOODS, REASON_CATEGORIES

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_EDIT_FILL = PatternFill("solid", fgColor="FFFFFF")
_NA_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)

_IND_NOTE = ("填写说明：只填写白色单元格（灰色为只读或不适用于该指标类型）。数值指标填“当前完成值/全年预计”（累计数，"
             "百分比填95或95%）；时限指标填“完成日期”（如2024-09-30）或“完成情况”；定性指标填“完成情况”。"
             "黄色或红色指标须填写偏差原因、说明和完成可能性；完成可能性为“有可能/完全不可能”须填写纠偏措施。"
             "偏差原因可填多项，用分号“;”分隔。清空单元格不会删除已保存的内容。")
_SP_NOTE = ("填写说明：填写截至本期末的累计支出和全年预计执行数（万元）。累计支出超过预算、低于上期累计，"
            "或预算执行为黄色/红色时，须填写说明。清空单元格不会删除已保存的内容。")


# --------------------------------------------------------------------------- write


def build_template(rows: Sequence[Mapping[str, Any]], period_label: str, *,
                   spending: Sequence[Mapping[str, Any]] | None = None, period_code: str | None = None,
                   unit_label: str = "", fiscal_year: int | None = None) -> bytes:
    """A pre-filled .xlsx for one unit and period (see the module docstring of actuals_template)."""
    if period_code is None:
        raise ValueError("build_template needs period_code")
    code = parse_period(period_code).key
    year = fiscal_year or parse_period(code).year
    wb = openpyxl.Workbook()
    refs = _lists_sheet(wb, code, period_label)
    suffix = f"（{unit_label}）" if unit_label else ""

    ws, last = _data_sheet(wb, IND_SHEET, IND_LAYOUT, list(rows), _IND_NOTE, f"{period_label}{IND_SHEET}{suffix}")
    _indicator_validations(ws, last, refs, year)
    ws2, last2 = _data_sheet(wb, SP_SHEET, SP_LAYOUT, list(spending or []), _SP_NOTE,
                             f"{period_label}{SP_SHEET}{suffix}")
    col2 = _columns(SP_LAYOUT)
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


def _columns(layout) -> dict[str, str]:
    return {h: get_column_letter(i) for i, (h, *_r) in enumerate(layout, start=1)}


def _lists_sheet(wb, code: str, period_label: str) -> tuple[str, str, str]:
    """The hidden sheet with the drop-down lists, the marker and the period; returns the references of
    the judgement, likelihood and reason lists."""
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
    return (f"'{META_SHEET}'!$A$2:$A${len(JUDGEMENTS) + 1}",
            f"'{META_SHEET}'!$B$2:$B${len(LIKELIHOODS) + 1}",
            f"'{META_SHEET}'!$C$2:$C${len(REASON_CATEGORIES) + 1}")


def _data_sheet(wb, title: str, layout, records, note: str, heading: str):
    """A protected sheet: heading, note, header row 3, one row per record from row 4; editable cells
    white and unlocked, cells that do not apply to the indicator's kind grey. Returns (sheet, last row)."""
    ws = wb.create_sheet(title)
    ncol = len(layout)
    ws.cell(1, 1, heading).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(2, 1, note).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws.row_dimensions[2].height = 48
    for c, (header, _key, width, _f) in enumerate(layout, start=1):
        cell = ws.cell(3, c, header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = width
        if header in HIDDEN_HEADERS:
            ws.column_dimensions[letter].hidden = True
    for r, rec in enumerate(records, start=4):
        group = _group(rec.get("_mode")) if layout is IND_LAYOUT else None
        for c, (_header, key, _w, fld) in enumerate(layout, start=1):
            applies = fld is not None and (group is None or fld in _APPLIES[group] or fld in _COMMON)
            value = xml_safe(_cell_value(rec.get(key))) if (fld is None or applies) else None
            if fld == DATE and isinstance(value, datetime):
                value = value.date()
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # a 指标值 like '=1所' is text, never a formula
            cell.alignment = _WRAP
            if fld == DATE:
                cell.number_format = "yyyy-mm-dd"
            elif fld in (ACTUAL, PROJECTED, SPENT, PROJECTED_SPENT):
                cell.number_format = "General"
            if applies:
                cell.protection = _UNLOCKED
                cell.fill = _EDIT_FILL
            else:
                cell.fill = _NA_FILL if fld is not None else _LOCKED_FILL
    ws.freeze_panes = ws.cell(4, 4 if layout is IND_LAYOUT else 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # column widths stay adjustable
    ws.protection.formatRows = False
    return ws, max(3 + len(records), 4)


def _add_list(ws, ref: str, cols: Iterable[str], last: int, strict: bool = True, prompt: str = "") -> None:
    dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True, showDropDown=False)
    dv.showErrorMessage = strict
    if strict:
        dv.errorTitle, dv.error = "输入有误", "请从下拉列表中选择"
    if prompt:
        dv.promptTitle, dv.prompt, dv.showInputMessage = "填写提示", prompt, True
    for c in cols:
        dv.add(f"{c}4:{c}{last}")
    ws.add_data_validation(dv)


def _indicator_validations(ws, last: int, refs: tuple[str, str, str], year: int) -> None:
    """Drop-downs for 完成情况 / 完成可能性 / 偏差原因, a date within the fiscal year, numbers ≥ 0."""
    col = _columns(IND_LAYOUT)
    judgements_ref, likelihood_ref, reasons_ref = refs
    _add_list(ws, judgements_ref, [col[FIELD_LABELS[JUDGEMENT]], col[FIELD_LABELS[PROJECTED_JUDGEMENT]]], last)
    _add_list(ws, likelihood_ref, [col[FIELD_LABELS[LIKELIHOOD]]], last)
    _add_list(ws, reasons_ref, [col[FIELD_LABELS[REASONS]]], last, strict=False,
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


# --------------------------------------------------------------------------- read

def _id(v: Any) -> int | None:
    """A hidden id or version cell: a database integer, None for anything else (``1e308`` included)."""
    if is_blank(v):
        return None
    return as_id(v)


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
    """Rows of a filled template (both sheets). Raises ``DocumentError`` for a file that is not one.

    The zip is checked before it is opened (``targets_common.check_zip``: unpacked size and ratio) and
    the workbook is streamed (``read_only``), so memory stays small whatever the upload holds."""
    wb, code, label = _open_template(data)
    try:
        out = ActualsFile("xlsx", "both", code, label)
        for title, layout, kind in ((IND_SHEET, IND_LAYOUT, INDICATOR), (SP_SHEET, SP_LAYOUT, SPENDING)):
            if title in wb.sheetnames:
                _read_sheet(wb[title], title, layout, kind, code, out)
        return out
    except DocumentError:
        raise
    except Exception as e:  # noqa: BLE001 - a streamed sheet fails while it is read, not when it is opened
        raise DocumentError("无法读取该Excel文件（可能已损坏）") from e
    finally:
        wb.close()


def _open_template(data: bytes):
    """(workbook, period code, period label) of an upload that is a template of this system."""
    if not data:
        raise DocumentError("文件为空")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），填报模板不应超过{MAX_BYTES // 1024 // 1024} MB")
    if data[:4] != b"PK\x03\x04":
        raise DocumentError("不是有效的 .xlsx 文件：请上传从本系统下载的填报模板，或 CSV 文件")
    check_zip(data, "该Excel文件", MAX_UNPACKED_BYTES)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any failure inside openpyxl/zip/xml means an unreadable file
        raise DocumentError("无法打开该Excel文件（可能已损坏）") from e
    try:
        code, label = _template_period(wb)
    except DocumentError:
        wb.close()
        raise
    except Exception as e:  # noqa: BLE001 - see above
        wb.close()
        raise DocumentError("无法打开该Excel文件（可能已损坏）") from e
    return wb, code, label


def _template_period(wb) -> tuple[str, str]:
    """The period code and label on the hidden sheet of a template of this system."""
    if IND_SHEET not in wb.sheetnames and SP_SHEET not in wb.sheetnames:
        raise DocumentError(f"不是本系统的填报模板：找不到“{IND_SHEET}”或“{SP_SHEET}”工作表")
    code = None
    label = ""
    if META_SHEET in wb.sheetnames:
        d = [row[0] for row in wb[META_SHEET].iter_rows(min_row=1, max_row=3, min_col=4, max_col=4, values_only=True)]
        d += [None] * (3 - len(d))
        if d[0] == MARKER:
            code = str(d[1] or "").strip() or None
            label = str(d[2] or "").strip()
    if code is None:
        raise DocumentError("填报模板缺少填报期信息：请重新下载模板后填写")
    return code, label


def _read_sheet(ws, title: str, layout, kind: str, code: str, out: ActualsFile) -> None:
    """One data sheet, streamed row by row: the header within the first 10 rows, then the data rows."""
    ws.reset_dimensions()  # a <dimension> that lies must neither cut rows off nor claim a million
    positions: dict[str, int] | None = None
    for r, cells in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS:
            raise DocumentError(f"“{title}”行数过多（超过{MAX_ROWS}行），不是本系统的填报模板")
        if positions is None:
            names = [_norm_header(c.value) for c in cells]
            if "项目" in names and ("_indicator_id" in names or "_project_id" in names):
                positions = {n: i for i, n in enumerate(names) if n}
                missing = [h for h, *_r in layout if _norm_header(h) not in positions]
                if missing:
                    raise DocumentError(f"“{title}”工作表缺少列：{'、'.join(missing)}（请勿删除模板的列）")
            elif r >= 10:
                break
            continue

        def get(h: str, cells=cells, positions=positions):
            i = positions[_norm_header(h)]
            return _xlsx_value(cells[i]) if i < len(cells) else None

        row_or_problem = _read_row(get, r, title, layout, kind, code)
        if isinstance(row_or_problem, ImportRow):
            out.rows.append(row_or_problem)
        elif row_or_problem is not None:
            out.problems.append(row_or_problem)
    if positions is None:
        raise DocumentError(f"“{title}”工作表缺少表头（请勿删除模板的表头行）")


def _read_row(get, r: int, title: str, layout, kind: str, code: str) -> ImportRow | FileProblem | None:
    """One data row: the row, a problem with its hidden columns, or None for an empty row."""
    rid = get("_indicator_id" if kind == INDICATOR else "_project_id")
    editable = {fld: get(h) for h, _k, _w, fld in layout if fld is not None}
    if is_blank(rid):
        if any(not is_blank(v) for v in editable.values()):
            return FileProblem(r, "row", "整行：缺少隐藏的编号列，无法确定是哪个指标或项目（请勿在模板中插入新行）", title)
        return None
    the_id = _id(rid)
    if the_id is None:
        return FileProblem(r, "row", f"整行：编号「{rid}」无效（请勿修改隐藏列）", title)
    raw_version = get("_version")
    version = None if is_blank(raw_version) else _id(raw_version)
    if not is_blank(raw_version) and version is None:
        return FileProblem(r, "row", f"整行：版本「{raw_version}」无效（请勿修改隐藏列）", title)
    values = {k: v for k, v in editable.items() if not is_blank(v)}
    return ImportRow(
        line=r, kind=kind, period_code=code, sheet=title,
        indicator_id=the_id if kind == INDICATOR else None,
        project_id=the_id if kind == SPENDING else None,
        project=str(get("项目") or ""), indicator=str(get("三级指标") or "") if kind == INDICATOR else "",
        version=version, values=values,
    )
