"""File bombs are refused before they are unpacked, and an accepted spreadsheet is streamed (docs/rules.md
§10.4). Each read runs in a fresh interpreter that reports its own peak memory (resource.ru_maxrss), so
the bound covers what lxml and openpyxl allocate outside Python's allocator too."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

MB = 1024 * 1024
EXTRA_MB_BOUND = 200  # generous: every case below stays far under it

READ = """
import json, resource, sys
sys.path.insert(0, {root!r})
from documents.actuals_template import read_actuals_file
from documents.targets_io import read_target_document
from documents.targets_common import DocumentError
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    if sys.argv[2] == "targets":
        doc = read_target_document(data, sys.argv[1], 2024)
        outcome = {{"ok": True, "problems": len(doc.problems)}}
    else:
        parsed = read_actuals_file(data, sys.argv[1])
        outcome = {{"ok": True, "rows": len(parsed.rows), "problems": len(parsed.problems)}}
except DocumentError as e:
    outcome = {{"ok": False, "message": str(e)}}
outcome["extra_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps(outcome, ensure_ascii=False))
"""


def _read_in_child(path: Path, kind: str) -> dict:
    r = subprocess.run([sys.executable, "-c", READ.format(root=str(ROOT)), str(path), kind],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


def _zip(path: Path, parts: dict[str, bytes | tuple[bytes, int]]) -> Path:
    """A zip whose parts are bytes, or (chunk, repeat) streamed so the test itself stays small."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            if isinstance(body, tuple):
                chunk, n = body
                with z.open(name, "w", force_zip64=True) as f:
                    for _ in range(n):
                        f.write(chunk)
            else:
                z.writestr(name, body)
    return path


_WORKBOOK = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
             b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             b'<sheet name="x" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _docx_bomb(path: Path) -> Path:
    """About 1 MB on disk (or less) that unpacks to 280 MB of document body."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    return _zip(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": head,
                       "word/media/padding.xml": (b" " * MB, 280)})


def _xlsx_bomb(path: Path, megabytes: int = 280) -> Path:
    return _zip(path, {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": _WORKBOOK,
                       "xl/worksheets/sheet1.xml": (b"<row/>" * (MB // 6), megabytes)})


def _ratio_bomb(path: Path) -> Path:
    """Within the unpacked limit, but one part packs 40 MB of zeros into a few kilobytes."""
    return _zip(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<a/>",
                       "word/media/zeros.bin": (b"\0" * MB, 40)})


CASES = [
    ("docx-280MB", _docx_bomb, "bomb.docx", "targets", "解压后过大"),
    ("xlsx-targets-280MB", _xlsx_bomb, "bomb.xlsx", "targets", "解压后过大"),
    ("xlsx-template-280MB", _xlsx_bomb, "bomb.xlsx", "template", "解压后过大"),
    ("ratio-40MB", _ratio_bomb, "ratio.docx", "targets", "压缩比异常"),
]


@pytest.mark.parametrize("name, make, filename, kind, message", CASES, ids=[c[0] for c in CASES])
def test_a_file_bomb_is_refused_with_memory_bounded(tmp_path, name, make, filename, kind, message):
    path = make(tmp_path / filename)
    assert path.stat().st_size < 2 * MB
    outcome = _read_in_child(path, kind)
    assert not outcome["ok"] and message in outcome["message"] and "已拒绝" in outcome["message"], outcome
    assert outcome["extra_mb"] < EXTRA_MB_BOUND, outcome


def _big_template(path: Path, rows: int = 50_000, cols: int = 20) -> Path:
    """A template-shaped workbook of a few MB (numbers that compress like real data): one million cells,
    all beyond the template's columns, so every line is empty and nothing is read."""
    from openpyxl import Workbook

    from documents.actuals_layout import IND_LAYOUT, IND_SHEET, MARKER, META_SHEET

    wb = Workbook()
    wb.active.title = IND_SHEET
    ws = wb.active
    ws.append(["说明"])
    ws.append(["说明"])
    header = [h for h, *_rest in IND_LAYOUT]
    ws.append(header)
    meta = wb.create_sheet(META_SHEET)
    meta["D1"], meta["D2"], meta["D3"] = MARKER, "2024Q3", "2024年第三季度"
    buf = io.BytesIO()
    wb.save(buf)
    rng = random.Random(7)
    first = len(header) + 1
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}"><v>{rng.randint(0, 10**9)}</v></c>'
                                              for c in range(first, first + cols)) + "</row>"
                   for r in range(4, 4 + rows))
    src = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", body.encode() + b"</sheetData>")
            dst.writestr(info, data)
    return path


def _col(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i - 1] if i <= 26 else "A" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i - 27]


def test_an_accepted_spreadsheet_is_streamed(tmp_path):
    path = _big_template(tmp_path / "big.xlsx")
    assert 2 * MB < path.stat().st_size < 10 * MB
    outcome = _read_in_child(path, "template")
    assert outcome["ok"] and outcome["rows"] == 0, outcome
    assert outcome["extra_mb"] < EXTRA_MB_BOUND, outcome
