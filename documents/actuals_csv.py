"""The CSV form of actual values: read (UTF-8 with or without BOM, or GB18030 as Excel saves it) and
written (UTF-8 with BOM). English headers, one kind of row per file; the columns are in
``documents.actuals_layout`` (``CSV_IND_HEADERS``, ``CSV_SP_HEADERS``)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from documents.actuals_layout import (
    _CSV_IND_FIELDS,
    _CSV_SP_FIELDS,
    _NUMERIC_MODES,
    CSV_IND_HEADERS,
    CSV_SP_HEADERS,
    INDICATOR,
    MAX_BYTES,
    MAX_ROWS,
    SPENDING,
    ActualsFile,
    FileProblem,
    ImportRow,
    _cell_value,
    _norm_header,
)
from documents.targets_common import DocumentError
from domain.entry import (
    ACTUAL,
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
)
from domain.periods import parse_period

_VALUE_COLUMNS = ("actual", "projected", "likelihood", "reasons", "explanation", "measures", "remarks")


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
    kind = _csv_kind(names)
    out = ActualsFile("csv", kind)
    periods: set[str] = set()
    try:
        for rec in reader:
            if len(out.rows) + len(out.problems) > MAX_ROWS:
                raise DocumentError(f"CSV行数过多（超过{MAX_ROWS}行）")
            if any(c.strip() for c in rec):
                _csv_row(out, kind, names, len(header), rec, reader.line_num, periods)
    except csv.Error as e:
        raise DocumentError(f"CSV格式错误（第{reader.line_num}行）：{e}") from e
    if len(periods) == 1:
        out.period_code = next(iter(periods))
    return out


def _csv_kind(names: list[str]) -> str:
    """'indicator' or 'spending' from the header; ``DocumentError`` for a header that is neither."""
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
    if kind == INDICATOR and not any(n in names for n in _VALUE_COLUMNS):
        raise DocumentError("CSV没有任何填报值列（actual、projected 等）")
    return kind


def _csv_row(out: ActualsFile, kind: str, names: list[str], width: int, rec: list[str], line: int,
             periods: set[str]) -> None:
    """One non-empty CSV record: a row, or a problem naming the field."""
    if len(rec) > width and any(c.strip() for c in rec[width:]):
        out.problems.append(FileProblem(line, "row", f"整行：列数多于表头（{len(rec)}列），可能有未加引号的逗号"))
        return
    cells = {n: (rec[i].strip() if i < len(rec) else "") for i, n in enumerate(names)}
    project = unicodedata.normalize("NFKC", cells.get("project", "")).strip()
    if not project:
        out.problems.append(FileProblem(line, "project", "项目：不能为空"))
        return
    try:
        code = parse_period(unicodedata.normalize("NFKC", cells.get("period", ""))).key
    except ValueError as e:
        out.problems.append(FileProblem(line, "period", f"填报期：{e}"))
        return
    periods.add(code)
    if kind == INDICATOR:
        indicator = unicodedata.normalize("NFKC", cells.get("indicator", "")).strip()
        if not indicator:
            out.problems.append(FileProblem(line, "indicator", "三级指标：不能为空"))
            return
        values = {k: cells[k] for k in ("actual", "projected") if cells.get(k)}
        values.update({f: cells[k] for k, f in _CSV_IND_FIELDS.items() if cells.get(k)})
        out.rows.append(ImportRow(line, INDICATOR, code, project=project, indicator=indicator,
                                  values=values, generic=True))
    else:
        values = {f: cells[k] for k, f in _CSV_SP_FIELDS.items() if cells.get(k)}
        out.rows.append(ImportRow(line, SPENDING, code, project=project, values=values))


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
