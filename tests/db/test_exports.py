"""Exports from a real database (SQLite and PostgreSQL) with the demo data: the reads behind the
documents, every file opened again and checked, and ``manage.py export`` for each kind."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select, update
from sqlmodel import Session

from data_access.exports import (
    ProjectNotFound,
    department_spending_series,
    export_bundle,
    monitoring_inputs,
    project_ids_by_name,
    selfeval_results,
)
from data_access.models import Indicator, IndicatorActual, Project
from data_access.monitoring import evaluate
from data_access.views import ViewFilters, risk_frame
from documents.monitoring_workbook import monitoring_workbook
from documents.report_docx import HEADINGS, report_docx
from documents.selfeval_workbook import ESTIMATE_BANNER, selfeval_workbook
from documents.table_export import STATUS_COLOURS, frame_to_csv, frame_to_xlsx, visible_columns
from seed.demo import load_demo_data
from tests.conftest import ROOT

Q3 = date(2024, 9, 30)
PROJECT = "区本课程经费"
INDICATOR = "装备学校数量"


@pytest.fixture
def demo(seeded_engine):
    load_demo_data(seeded_engine, Q3)
    return seeded_engine


def _set_known_row(engine) -> None:
    """Give one indicator a row whose reasons and likelihood we know."""
    with Session(engine) as s:
        ind_id = s.execute(
            select(Indicator.id).join(Project, Project.id == Indicator.project_id)
            .where(Project.name == PROJECT, Indicator.level3 == INDICATOR)
        ).scalar_one()
        s.execute(update(IndicatorActual).where(IndicatorActual.indicator_id == ind_id,
                                                IndicatorActual.period_code == "2024Q3")
                  .values(reasons="经费保障;其他", likelihood="完全不可能", explanation="=HYPERLINK(\"x\")",
                          measures="申请追加预算"))
        s.commit()


class _Counter:
    """Counts SELECT statements (SQLite's explicit BEGIN is not a query)."""

    def __init__(self, engine):
        self.n = 0
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, conn, cursor, statement, *a, **k):
        if statement.lstrip().upper().startswith("SELECT"):
            self.n += 1


# --------------------------------------------------------------------------- reads


def test_monitoring_inputs_one_query_per_table(demo):
    with _Counter(demo) as all_q:
        meta = monitoring_inputs(demo, 2024, Q3)
    one_id = next(iter(meta))
    with _Counter(demo) as one_q:
        one = monitoring_inputs(demo, 2024, Q3, [one_id])
    assert len(meta) == 32 and list(one) == [one_id]
    assert all_q.n == one_q.n <= 4  # fiscal year, projects (+unit, area), spending explanations, budget adjustments
    m = meta[one_id]
    assert m["department"] == "高新区社会事务局" and m["name"] == PROJECT and m["unit"] == "教育科"
    assert m["goals"] and m["purpose"].startswith("预算数")
    assert sum(abs((x["fiscal_wan"] or 0) + (x["other_wan"] or 0) - x["budget_wan"]) for x in meta.values()) < 0.01
    assert any(x["budget_explanation"] for x in meta.values())  # the demo explains slow spending


def test_department_spending_series_matches_the_engine(demo):
    with _Counter(demo) as q:
        df = department_spending_series(demo, 2024, Q3)
    assert q.n <= 6
    assert list(df["label"]) == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert list(df["time_pct"]) == [25.0, 50.0, 75.0, 100.0]
    assert df["planned_wan"].iloc[3] == pytest.approx(9982.79)
    for i, d in enumerate([date(2024, 3, 31), date(2024, 6, 30), Q3]):
        results = evaluate(demo, 2024, d)
        spent = [r.project.spent_wan for r in results if r.project.spent_wan is not None]
        planned = sum((r.project.budget_wan or 0) * (r.budget.expected_pct or 0) / 100 for r in results)
        assert df["actual_wan"].iloc[i] == pytest.approx(sum(spent), abs=0.01)
        assert df["reported"].iloc[i] == len(spent)
        assert df["planned_wan"].iloc[i] == pytest.approx(planned, abs=0.01)
    assert df["actual_wan"].iloc[3] is None or df["actual_wan"].isna().iloc[3]
    assert df["reported"].iloc[2] == 30  # two demo projects did not report the third quarter


def test_project_lookup_by_name(demo):
    assert len(project_ids_by_name(demo, 2024, PROJECT)) == 1
    assert project_ids_by_name(demo, 2024, "区本课程") == project_ids_by_name(demo, 2024, PROJECT)
    with pytest.raises(ProjectNotFound, match="不唯一"):
        project_ids_by_name(demo, 2024, "学校")
    with pytest.raises(ProjectNotFound, match="未找到项目"):
        project_ids_by_name(demo, 2024, "没有这个项目")


# --------------------------------------------------------------------------- documents


def test_monitoring_workbook_from_the_demo_data(demo):
    _set_known_row(demo)
    b = export_bundle(demo, 2024, Q3)
    wb = load_workbook(io.BytesIO(monitoring_workbook(b.results, b.meta, Q3, b.department)))
    assert len(wb.sheetnames) == 33 and wb.sheetnames[0] == "汇总"
    summary = wb["汇总"]
    header = [c.value for c in summary[3]]
    assert header[:3] == ["序号", "项目名称", "实施单位"] and "1-9月执行率%" in header
    for i, r in enumerate(b.results, start=4):
        assert summary.cell(i, 2).value == r.project.name
        assert summary.cell(i, header.index("项目状态") + 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[r.status][0])
    assert summary.cell(4 + 32, 2).value == "合计"
    assert summary.cell(4 + 32, header.index("年初预算数（万元）") + 1).value == pytest.approx(9982.79)
    assert summary.cell(4 + 32, header.index("调整后预算数（万元）") + 1).value == pytest.approx(9982.79)

    for r, ws in zip(b.results, wb.worksheets[1:]):
        assert ws["A1"].value == "项目支出绩效目标执行监控表" and ws["A2"].value == "（2024年1-9月）"
        assert ws["C3"].value == r.project.name and ws["C4"].value == "高新区社会事务局"
        assert [ws.cell(13 + k, 3).value for k in range(len(r.indicators))] == \
            [st.indicator.level3.strip() for st in r.indicators]
        assert ws["E6"].value == pytest.approx(r.project.budget_wan)
        merged = {str(m) for m in ws.merged_cells.ranges}
        assert {"G11:K11", "L11:N11", "A5:B8"} <= merged

    ws = wb.worksheets[1]
    assert ws["C3"].value == PROJECT
    row = next(rr for rr in range(13, ws.max_row + 1) if ws.cell(rr, 3).value == INDICATOR)
    ticks = "".join("√" if ws.cell(row, c).value == "√" else "." for c in range(7, 15))
    assert ticks == "√...√..√"  # 经费保障 + 其他; 完全不可能
    assert ws.cell(row, 15).value == "说明：=HYPERLINK(\"x\")\n纠偏措施：申请追加预算"
    assert ws.cell(row, 15).data_type == "s"

    one = load_workbook(io.BytesIO(monitoring_workbook(b.results[:1], b.meta, Q3, b.department)))
    assert one.sheetnames == [f"1.{PROJECT}"]


def test_selfeval_workbook_from_the_demo_data(demo):
    b = export_bundle(demo, 2024, Q3)
    evals = selfeval_results(demo, 2024, Q3, results=b.results, settings=b.settings)
    wb = load_workbook(io.BytesIO(selfeval_workbook(evals, b.meta, Q3, b.department, year=2024)))
    assert len(wb.sheetnames) == 33
    summary = wb["汇总"]
    header = [c.value for c in summary[3]]
    assert ESTIMATE_BANNER in summary["A2"].value
    assert [summary.cell(4 + i, header.index("总分") + 1).value for i in range(32)] == [e.total for e in evals]
    assert [summary.cell(4 + i, header.index("等级") + 1).value for i in range(32)] == [e.verdict for e in evals]
    ws = wb.worksheets[1]
    assert ESTIMATE_BANNER in ws["A3"].value and ws["C4"].value == evals[0].project.name
    marks = [ws.cell(11 + k, 8).value for k in range(len(evals[0].items))]
    assert [("估算" in m) for m in marks] == [i.estimated for i in evals[0].items]


def test_report_docx_from_the_demo_data(demo):
    b = export_bundle(demo, 2024, Q3)
    series = department_spending_series(demo, 2024, Q3)
    d = docx.Document(io.BytesIO(report_docx(b.results, b.meta, Q3, b.department, year=2024, series=series)))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads == list(HEADINGS)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "高新区社会事务局2024年1-9月项目支出绩效运行监控报告" in text
    assert "预算总额9,982.79万元" in text and "设置绩效指标203项" in text
    spent = sum(r.project.spent_wan for r in b.results if r.project.spent_wan is not None)
    assert f"累计支出{spent:,.2f}万元" in text and "序时进度75.0%" in text
    reds = [(r, st) for r in b.results for st in r.indicators if st.status == "red"]
    assert reds
    for _r, st in reds:
        assert f"「{st.indicator.level3.strip()}」（红色）：" in text
    assert "纠偏措施" in text and "已明确新负责人" in text  # staff measures from the demo data
    assert "预计执行率" in text
    # the department chart is embedded as a PNG, and the quarter table carries the numbers
    assert len(d.inline_shapes) == 1
    blobs = [rel.target_part.blob for rel in d.part.rels.values() if "image" in rel.reltype]
    assert blobs and blobs[0][:8] == b"\x89PNG\r\n\x1a\n"
    quarter_table = d.tables[0]
    assert [c.text for c in quarter_table.rows[0].cells][:4] == ["季度", "截至", "计划累计支出（万元）", "实际累计支出（万元）"]
    assert quarter_table.rows[4].cells[2].text == "9,982.79"


# --------------------------------------------------------------------------- command line


def _run(capsys, *argv):
    from cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind, fmt", [("risks", "xlsx"), ("risks", "csv"), ("monitoring", "xlsx"),
                                       ("selfeval", "xlsx"), ("report", "docx")])
def test_export_command_each_kind(demo, db_url, tmp_path, capsys, kind, fmt):
    out = tmp_path / f"out.{fmt}"
    code, stdout, stderr = _run(capsys, "export", "--kind", kind, "--format", fmt, "--as-of", "2024-09-30",
                                "--db", db_url, "-o", str(out))
    assert code == 0, stderr
    assert "已导出" in stdout and out.exists()
    results = evaluate(demo, 2024, Q3)
    if kind == "risks":
        df = risk_frame(results, ViewFilters())
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
            assert rows[0] == visible_columns(df) and len(rows) == len(df) + 1
            assert [r[1] for r in rows[1:]] == list(df["项目名称"])
        else:
            ws = load_workbook(out).active
            assert [c.value for c in ws[3]] == visible_columns(df)
            assert ws.max_row == 3 + len(df)
            assert [ws.cell(4 + i, 2).value for i in range(len(df))] == list(df["项目名称"])
    elif kind in ("monitoring", "selfeval"):
        wb = load_workbook(out)
        assert len(wb.sheetnames) == 33
    else:
        d = docx.Document(str(out))
        assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == list(HEADINGS)


def test_export_command_single_project(demo, db_url, tmp_path, capsys):
    out = tmp_path / "one.xlsx"
    code, stdout, stderr = _run(capsys, "export", "--kind", "monitoring", "--project", PROJECT, "--db", db_url,
                                "-o", str(out))
    assert code == 0, stderr
    assert load_workbook(out).sheetnames == [f"1.{PROJECT}"]


@pytest.mark.parametrize("args, code, message", [
    (["--kind", "monitoring", "--project", "没有这个项目"], 1, "未找到项目"),
    (["--kind", "monitoring", "--format", "csv"], 2, "不支持格式"),
    (["--kind", "risks", "--format", "pdf"], 2, "不支持格式"),
    (["--kind", "report", "--project", PROJECT], 2, "部门整体报告"),
    (["--kind", "everything"], 2, "--kind"),
    (["--kind", "risks", "--as-of", "2024-13-01"], 2, "日期格式不对"),
])
def test_export_command_errors_are_chinese(seeded_engine, db_url, tmp_path, capsys, args, code, message):
    out = tmp_path / "x.xlsx"
    rc, _stdout, stderr = _run(capsys, "export", *args, "--db", db_url, "-o", str(out))
    assert rc == code and message in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_export_command_unknown_project_without_traceback(sqlite_engine, sqlite_url, tmp_path):
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(sqlite_engine)
    r = subprocess.run([sys.executable, str(ROOT / "manage.py"), "export", "--kind", "selfeval", "--project", "不存在",
                        "--db", sqlite_url, "-o", str(tmp_path / "x.xlsx")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1
    assert "未找到项目：不存在" in r.stderr and "Traceback" not in r.stderr


def test_risk_view_export_equals_the_page_frame(demo):
    results = evaluate(demo, 2024, Q3)
    f = ViewFilters(statuses=("red", "amber"))
    df = risk_frame(results, f)
    ws = load_workbook(io.BytesIO(frame_to_xlsx(df, title="风险清单", subtitle=f.describe()))).active
    assert [c.value for c in ws[3]] == visible_columns(df)
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    want = [[None if v == "" else v for v in rec]
            for rec in df[visible_columns(df)].itertuples(index=False)]
    assert got == want  # blank text is a blank cell
    for i, s in enumerate(df["_status"], start=4):
        assert ws.cell(i, 1).fill.fgColor.rgb.endswith(STATUS_COLOURS[s][0])
    back = list(csv.reader(io.StringIO(frame_to_csv(df).decode("utf-8-sig"))))
    assert len(back) == len(df) + 1
