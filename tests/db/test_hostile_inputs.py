"""Hostile values on the write and export paths (docs/rules.md §10.3): a control character in a stored
说明 does not break the exports for everyone, a huge number or id in an uploaded template is a line
error (never an OverflowError), and what staff type loses its invisible characters."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlmodel import Session

from data_access.actuals import ANY_VERSION, entry_frame, import_actuals, save_spending_rows, spending_frame
from data_access.models import Indicator, IndicatorActual, Project, SpendingActual
from data_access.permissions import SYSTEM_ADMIN, Principal
from documents.actuals_template import build_template, read_template
from seed.demo import load_demo_data

ADMIN = Principal("admin", "管理员", "admin", system=True)  # not an account: never re-read
Q3 = "2024Q3"
PROJECT = "区本课程经费"
HOSTILE = "回访\x01未完成\x1b[0m，\u202e下周补报\x0b"


def _run(capsys, *argv):
    from cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind, fmt", [("report", "docx"), ("monitoring", "xlsx"), ("risks", "xlsx"),
                                       ("selfeval", "xlsx")])
def test_a_stored_control_character_does_not_break_the_exports(seeded_engine, db_url, tmp_path, capsys, kind, fmt):
    from datetime import date

    load_demo_data(seeded_engine, date(2024, 9, 30))
    with Session(seeded_engine) as s:  # as stored before the entry stripped such characters
        pid = s.execute(select(Project.id).where(Project.name == PROJECT)).scalar_one()
        s.execute(update(IndicatorActual).where(IndicatorActual.indicator_id.in_(
            select(Indicator.id).where(Indicator.project_id == pid))).values(explanation=HOSTILE, measures=HOSTILE))
        s.execute(update(SpendingActual).where(SpendingActual.project_id == pid).values(explanation=HOSTILE))
        s.commit()
    out = tmp_path / f"out.{fmt}"
    code, stdout, stderr = _run(capsys, "export", "--kind", kind, "--format", fmt, "--as-of", "2024-09-30",
                                "--db", db_url, "-o", str(out))
    assert code == 0, stderr
    assert "已导出" in stdout
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        text += "\n".join(c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells)
    else:
        wb = load_workbook(out)
        text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert "\x01" not in text and "\x1b" not in text


MARK = 987654321  # a number rewritten into 400 digits inside the file (openpyxl cannot write one)


def _with_400_digits(data: bytes) -> bytes:
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(f"<v>{MARK}</v>".encode(), b"<v>" + b"9" * 400 + b"</v>")
            dst.writestr(info, body)
    return out.getvalue()


def _template(engine, edit) -> bytes:
    rows = entry_frame(engine, ADMIN, Q3).to_dict("records")
    pid = next(int(r["_project_id"]) for r in rows if r["项目"] == PROJECT)
    rows = [r for r in rows if int(r["_project_id"]) == pid]
    sp = spending_frame(engine, ADMIN, Q3, [pid]).to_dict("records")
    wb = openpyxl.load_workbook(io.BytesIO(build_template(rows, "2024年第三季度", spending=sp, period_code=Q3)))
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set(sheet: str, header: str, value):
    def edit(wb):
        ws = wb[sheet]
        head = {c.value: c.column for c in ws[3] if c.value}
        ws.cell(4, head[header]).value = value
    return edit


@pytest.mark.parametrize(
    "sheet, header, value, message",
    [
        ("指标填报", "_indicator_id", 1e308, "编号「1e+308」无效"),
        ("预算执行", "_project_id", 1e308, "编号「1e+308」无效"),
        ("预算执行", "_project_id", 10**30, "无效"),
        ("预算执行", "累计支出（万元）", MARK, "超出可填写的范围"),
        ("预算执行", "累计支出（万元）", 1e308, "超出可填写的范围"),
        ("预算执行", "全年预计执行数（万元）", "9" * 400, "不是有限的数字"),
    ],
    ids=["indicator-id-1e308", "project-id-1e308", "project-id-30-digits", "spent-400-digits", "spent-1e308",
         "projected-400-digit-text"],
)
def test_huge_numbers_and_ids_in_a_template_are_line_errors(seeded_engine, sheet, header, value, message):
    data = _template(seeded_engine, _set(sheet, header, value))
    if value == MARK:
        data = _with_400_digits(data)
        assert isinstance(read_template(data).rows[-1].values["spent_wan"], int)
    res = import_actuals(seeded_engine, ADMIN, read_template(data))
    assert any(message in e.message and e.where == f"{sheet}第4行" for e in res.errors), res.errors
    with Session(seeded_engine) as s:
        assert s.execute(select(SpendingActual.spent_wan).where(SpendingActual.spent_wan > 1e11)).first() is None


def test_huge_spending_is_refused_on_the_screen_too(seeded_engine):
    with Session(seeded_engine) as s:
        pid = s.execute(select(Project.id).where(Project.name == PROJECT)).scalar_one()
    res = save_spending_rows(seeded_engine, ADMIN, Q3, [{"project_id": pid, "version": ANY_VERSION, "spent_wan": 1e308},
                                                         {"project_id": 10**30, "version": ANY_VERSION, "spent_wan": 1}])
    errors = {e.row: e.message for e in res.errors}
    assert sorted(errors) == [0, 1] and not res.saved
    assert "超出可填写的范围" in errors[0]


def test_typed_texts_are_stored_without_invisible_characters(seeded_engine):
    with Session(seeded_engine) as s:
        pid = s.execute(select(Project.id).where(Project.name == PROJECT)).scalar_one()
    res = save_spending_rows(seeded_engine, ADMIN, Q3, [{"project_id": pid, "version": ANY_VERSION, "spent_wan": 10,
                                                         "projected_wan": 100, "explanation": HOSTILE}])
    assert not res.errors, res.errors
    with Session(seeded_engine) as s:
        stored = s.execute(select(SpendingActual.explanation).where(SpendingActual.project_id == pid)).scalar_one()
    assert stored == "回访未完成[0m，下周补报"


def test_account_names_and_lock_reasons_lose_invisible_characters(engine):
    from data_access.accounts import create_user
    from data_access.actuals import lock_period, reopen_period
    from data_access.passwords import UserError
    from seed.loader import load_seed_if_empty

    info = create_user(engine, "li", "admin", "长密码-足够安全-2024", name="李\u202e四\x01", by=SYSTEM_ADMIN)
    assert info.name == "李四"
    with pytest.raises(UserError, match="姓名：最多64字"):
        create_user(engine, "wang", "admin", "长密码-足够安全-2024", name="王" * 65, by=SYSTEM_ADMIN)
    load_seed_if_empty(engine)
    lock_period(engine, ADMIN, Q3)
    with pytest.raises(ValueError, match="须填写原因"):
        reopen_period(engine, ADMIN, Q3, "\u202e\x01 ")
    assert reopen_period(engine, ADMIN, Q3, "补报\x1b")
