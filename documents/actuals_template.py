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

Modules: ``actuals_layout`` (columns, sheets, parsed rows), ``actuals_xlsx`` (the template written and
read), ``actuals_csv`` (the CSV form); this module picks the reader by content and re-exports the names
pages, the CLI and the data layer import.

CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it), English headers, one kind per file:

* indicators: ``project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks``
* spending: ``project,period,spent_wan,projected_wan,explanation``

``project`` is the project name, ``indicator`` the 三级指标 text, ``period`` ``2024Q3`` or ``2024-09``;
values are cumulative; ``actual`` is a number, a judgement (达成/部分达成/未达成/进行中) or a completion
date (YYYY-MM-DD) according to the indicator's kind; ``reasons`` are joined with ';'.
"""

from __future__ import annotations

from documents.actuals_csv import build_csv, read_actuals_csv
from documents.actuals_layout import (
    CSV_IND_HEADERS,
    CSV_SP_HEADERS,
    IND_SHEET,
    INDICATOR,
    SP_SHEET,
    SPENDING,
    ActualsFile,
    FileProblem,
    ImportRow,
)
from documents.actuals_xlsx import build_template, read_template
from documents.mime import CSV_MIME, XLSX_MIME  # re-exported: the 填报 page imports them from here
from documents.targets_common import DocumentError


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
