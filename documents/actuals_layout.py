"""The layout of the data-entry template and of its CSV form, and the parsed rows of an uploaded file.

Shared by the template writer/reader (``documents.actuals_xlsx``) and the CSV reader/writer
(``documents.actuals_csv``); ``documents.actuals_template`` is the entry point.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from domain.entry import (
    ACTUAL,
    ANY_VERSION,
    DATE,
    EXPLANATION,
    FIELD_LABELS,
    INDICATOR_ROWS,
    JUDGEMENT,
    LIKELIHOOD,
    MEASURES,
    PROJECTED,
    PROJECTED_JUDGEMENT,
    PROJECTED_SPENT,
    REASONS,
    REMARKS,
    SPENDING_ROWS,
    SPENT,
    is_blank,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a template for every project of a city unpacks to ~50 MB
MAX_ROWS = 100_000

IND_SHEET = "指标填报"
SP_SHEET = "预算执行"
META_SHEET = "_lists"
MARKER = "actuals-template-v1"

INDICATOR = INDICATOR_ROWS  # the row kinds of a file, defined with the entry rules
SPENDING = SPENDING_ROWS

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


# --------------------------------------------------------------------------- cells


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


def _norm_header(v: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v or "")))
