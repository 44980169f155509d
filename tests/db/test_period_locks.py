"""A lock covers every period whose values fall inside it, on every write path (docs/rules.md,
"Locked periods"): the screen's indicator and spending saves, the Excel template (whatever its hidden
period cell says), the CSV import and ``manage.py import-actuals``."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import (
    ANY_VERSION,
    entry_frame,
    import_actuals,
    lock_period,
    period_state,
    period_states,
    reopen_period,
    save_indicator_rows,
    save_spending_rows,
    spending_frame,
)
from data_access.models import IndicatorActual, SpendingActual
from data_access.permissions import Principal
from documents.actuals_layout import META_SHEET
from documents.actuals_template import build_template, read_actuals_csv, read_template
from tests.conftest import ROOT

ADMIN = Principal("admin", "管理员", "admin", system=True)  # not an account: never re-read
PROJECT, INDICATOR = "区本课程经费", "教师学生满意度"


@pytest.fixture
def ids(seeded_engine):
    df = entry_frame(seeded_engine, ADMIN, "2024Q3")
    row = df[(df["项目"] == PROJECT) & (df["三级指标"] == INDICATOR)].iloc[0]
    return int(row["_indicator_id"]), int(row["_project_id"])


def _grid_indicator(engine, ids, code, tmp_path, db_url) -> list[str]:
    res = save_indicator_rows(engine, ADMIN, code, [{"indicator_id": ids[0], "version": ANY_VERSION,
                                                    "actual_value": 95}])
    return [e.message for e in res.errors]


def _grid_spending(engine, ids, code, tmp_path, db_url) -> list[str]:
    res = save_spending_rows(engine, ADMIN, code, [{"project_id": ids[1], "version": ANY_VERSION,
                                                   "spent_wan": 10, "projected_wan": 100}])
    return [e.message for e in res.errors]


def _template(engine, ids, code, tmp_path, db_url) -> list[str]:
    """A template downloaded for 2024Q3 whose hidden period cell was rewritten to ``code``."""
    rows = entry_frame(engine, ADMIN, "2024Q3", [ids[1]]).to_dict("records")
    sp = spending_frame(engine, ADMIN, "2024Q3", [ids[1]]).to_dict("records")
    wb = openpyxl.load_workbook(io.BytesIO(build_template(rows, "2024年第三季度", spending=sp, period_code="2024Q3")))
    wb[META_SHEET]["D2"] = code
    ws = wb["指标填报"]
    head = {c.value: c.column for c in ws[3] if c.value}
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, head["三级指标"]).value == INDICATOR:
            ws.cell(r, head["当前完成值"]).value = 95
    buf = io.BytesIO()
    wb.save(buf)
    res = import_actuals(engine, ADMIN, read_template(buf.getvalue()))
    return [e.message for e in res.errors]


def _csv_text(code: str) -> bytes:
    return (f"project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks\n"
            f"{PROJECT},{INDICATOR},{code},95,,,,,,\n").encode()


def _csv(engine, ids, code, tmp_path, db_url) -> list[str]:
    res = import_actuals(engine, ADMIN, read_actuals_csv(_csv_text(code)))
    return [e.message for e in res.errors]


def _cli(engine, ids, code, tmp_path, db_url) -> list[str]:
    f = tmp_path / "values.csv"
    f.write_bytes(_csv_text(code))
    r = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import-actuals", str(f), "--db", db_url],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in r.stderr
    assert (r.returncode == 0) == ("锁定" not in r.stderr), (r.returncode, r.stderr)
    return [line for line in r.stderr.splitlines() if "锁定" in line]


PATHS = {"grid-indicator": _grid_indicator, "grid-spending": _grid_spending, "template": _template,
         "csv": _csv, "cli": _cli}


def _stored(engine, ids, path: str, code: str) -> bool:
    model, key, rid = ((SpendingActual, SpendingActual.project_id, ids[1]) if path == "grid-spending"
                       else (IndicatorActual, IndicatorActual.indicator_id, ids[0]))
    with Session(engine) as s:
        return s.execute(select(model.id).where(key == rid, model.period_code == code)).first() is not None


CASES = [
    # (locked, written, refused)
    ("2024Q3", "2024-09", True),  # the attack: a locked quarter left its months writable
    ("2024Q3", "2024-07", True),
    ("2024Q3", "2024Q3", True),
    ("2024-09", "2024Q3", True),  # a locked month freezes the quarter that ends with it
    ("2024-08", "2024Q3", False),
    ("2024Q3", "2024-10", False),
    ("2024Q2", "2024-09", False),
]


# the command line runs the same save path: two cases are enough for a subprocess
MATRIX = [(path, *case) for path in PATHS for case in CASES
          if path != "cli" or case[:2] in {("2024Q3", "2024-09"), ("2024-08", "2024Q3")}]


@pytest.mark.parametrize("path, locked, written, refused", MATRIX)
def test_every_write_path_honours_lock_coverage(seeded_engine, db_url, ids, tmp_path, path, locked, written,
                                                refused):
    assert lock_period(seeded_engine, ADMIN, locked, "季度报送完成")
    messages = PATHS[path](seeded_engine, ids, written, tmp_path, db_url)
    assert _stored(seeded_engine, ids, path, written) is (not refused), messages
    if refused:
        assert messages and all("锁定" in m and locked in m for m in messages), messages
    else:
        assert not messages, messages


def test_reopening_the_covering_lock_makes_the_month_writable_again(seeded_engine, ids):
    lock_period(seeded_engine, ADMIN, "2024Q3")
    state = period_state(seeded_engine, "2024-09")
    assert state.read_only and not state.locked and state.covered_by == ("2024Q3",)
    assert "随2024Q3锁定" in state.state_label
    months = {s.code: s for s in period_states(seeded_engine, 2024, "month")}
    assert [c for c, s in months.items() if s.read_only] == ["2024-07", "2024-08", "2024-09"]
    msg = _grid_indicator(seeded_engine, ids, "2024-09", None, None)
    assert len(msg) == 1 and msg[0].startswith("填报期：2024-09的数值截至9月30日，该日已随2024Q3锁定（admin于")
    assert msg[0].endswith("如需修改请联系管理员重新开放2024Q3")
    reopen_period(seeded_engine, ADMIN, "2024Q3", "补报")
    assert not period_state(seeded_engine, "2024-09").read_only
    assert _grid_indicator(seeded_engine, ids, "2024-09", None, None) == []
