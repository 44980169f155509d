"""The official outputs with adjusted budgets and targets, the signature block and the report's language:
the 执行监控表 shows 年初预算数 and 调整后预算数 (per fund source) and computes 执行率 against the latter, the
自评表 shows 年初预算数 and 全年预算数, both show the adjusted target with its original, the notes and the
report list the adjustments and flag one approved while red; every sheet and the report end with 填报单位 /
填报人 / 审核人 / 联系电话 / 日期; the report reads as a 公文 (no rule names, quoted targets, 公文 styles);
text starting with "=" is a plain string cell without an apostrophe."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest
from openpyxl import load_workbook

from documents.monitoring_workbook import monitoring_workbook
from documents.report_docx import report_docx
from documents.selfeval_workbook import selfeval_workbook
from documents.signature import LABELS, Signature, spans
from domain.adjustments import ADD, FISCAL, BudgetChange
from domain.periods import checkpoint_dates
from domain.selfeval import self_evaluate
from domain.settings import Settings
from domain.status import MODE_LABELS, RED, IndicatorInput, PlanPoint, ProjectInput, TargetChange, evaluate_all
from domain.targets import parse_target

Y = 2024
Q3 = date(Y, 9, 30)
LABELS_Q = ["第一季度", "第二季度", "第三季度", "第四季度"]
SIG = Signature("高新区社会事务局", "张会计", "王科长", "0315-5551234", date(2024, 10, 12))
DEPT = "高新区社会事务局"


def _plan():
    return [PlanPoint(lb, d, v) for lb, d, v in zip(LABELS_Q, checkpoint_dates(LABELS_Q, Y), (25, 50, 75, 100))]


def _results():
    """One project whose budget was raised from 100 to 150万元 (追加 50 财政资金 on 7月15日) and whose
    ≥3000人 target was lowered to ≥2500人 from 8月1日 while it was red; one untouched project."""
    original = parse_target("≥3000人", Y)
    change = TargetChange(original, date(Y, 8, 1), "适龄幼儿减少", "局党组会议纪要〔2024〕8号", "admin", date(Y, 8, 5),
                          RED, "2024Q2")
    adjusted = ProjectInput(
        1, "幼儿园生均经费", unit="教育科", area="学校管理", budget_wan=150.0, initial_budget_wan=100.0, plan=_plan(),
        spent_wan=60.0, projected_spent_wan=140.0,
        indicators=[
            IndicatorInput(11, "产出指标", "数量指标", "受益幼儿人数", parse_target("≥2500人", Y), actual=1700,
                           projected=2500, target_change=change),
            IndicatorInput(12, "产出指标", "成本指标", "经费用合理运用", parse_target("是", Y), actual_judgement="部分达成",
                           likelihood="有可能", reasons=("人员保障",), explanation="交接滞后"),
            IndicatorInput(13, "产出指标", "数量指标", "新建园所", parse_target("=1所", Y), actual=0, projected=1),
        ])
    plain = ProjectInput(2, "学校取暖费", unit="教育科", area="学校管理", budget_wan=117.0, plan=_plan(), spent_wan=80.0,
                         indicators=[IndicatorInput(21, "满意度指标", "服务对象满意度指标", "=SUM(A1)",
                                                    parse_target("≥90%", Y), actual=95)])
    results = evaluate_all([adjusted, plain], Q3, Settings(), Y)
    meta = {
        1: {"unit": "教育科", "fiscal_wan": 80.0, "other_wan": 20.0, "goals": ["保障幼儿园运转"],
            "budget_changes": [BudgetChange(date(Y, 7, 15), ADD, FISCAL, 50.0, "生均公用经费标准提高", "高新财〔2024〕12号", 1)]},
        2: {"unit": "教育科", "fiscal_wan": 117.0, "other_wan": 0.0, "budget_changes": []},
    }
    return results, meta


def _signature_row(ws) -> dict[str, str]:
    """The signature block of a sheet: label -> value, from the last row that has 填报单位."""
    for row in range(ws.max_row, 0, -1):
        texts = [c.value for c in ws[row] if isinstance(c.value, str)]
        if any(t.startswith("填报单位：") for t in texts):
            return dict(t.split("：", 1) for t in texts)
    raise AssertionError(f"no signature block on {ws.title}")


def _strings(ws):
    return [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_monitoring_table_shows_initial_and_adjusted_budgets_and_rates_against_the_adjusted():
    results, meta = _results()
    wb = load_workbook(io.BytesIO(monitoring_workbook(results, meta, Q3, DEPT, signature=SIG)))
    assert wb.sheetnames == ["汇总", "1.幼儿园生均经费", "2.学校取暖费"]
    ws = wb["1.幼儿园生均经费"]
    assert [ws[c].value for c in ("E5", "G5", "I5", "K5")] == ["年初预算数", "调整后预算数", "1-9月执行数", "1-9月执行率"]
    assert [ws[c].value for c in ("E6", "G6", "I6", "K6")] == [100, 150, 60, 0.4]  # 60 ÷ 150, not 60 ÷ 100
    # the 追加 went to 财政资金: 80 → 130, 其他资金 stays 20; execution split by the adjusted sources
    assert [ws[c].value for c in ("E7", "G7", "I7")] == [80, 130, 52]
    assert ws["K7"].value == pytest.approx(0.4)
    assert [ws[c].value for c in ("E8", "G8", "I8")] == [20, 20, 8]
    assert ws["D13"].value == "≥2500人\n（年初≥3000人）"
    notes = " ".join(c.value for c in _strings(ws) if c.row > 15)
    assert "执行率=执行数÷调整后预算数" in notes
    assert "预算调整：2024年7月15日追加财政资金50.00万元（高新财〔2024〕12号；生均公用经费标准提高）" in notes
    assert "调整后预算数150.00万元（年初预算数100.00万元）" in notes
    assert "指标调整：「受益幼儿人数」自2024年8月1日起由≥3000人调整为≥2500人" in notes
    assert "调整前2024年第二季度为红，请关注调整依据是否充分" in notes
    summary = wb["汇总"]
    header = [c.value for c in summary[3]]
    assert summary.cell(4, header.index("年初预算数（万元）") + 1).value == 100
    assert summary.cell(4, header.index("调整后预算数（万元）") + 1).value == 150
    assert summary.cell(4, header.index("1-9月执行率%") + 1).value == 40.0
    untouched = " ".join(c.value for c in _strings(wb["2.学校取暖费"]))
    assert "未调整预算，调整后预算数与年初预算数相同" in untouched


def test_every_sheet_ends_with_the_signature_block():
    results, meta = _results()
    for data in (monitoring_workbook(results, meta, Q3, DEPT, signature=SIG),
                 selfeval_workbook([self_evaluate(r.project, Q3, year=Y) for r in results], meta, Q3, DEPT, year=Y,
                                   signature=SIG, results=results)):
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            assert _signature_row(ws) == {"填报单位": "高新区社会事务局", "填报人": "张会计", "审核人": "王科长",
                                          "联系电话": "0315-5551234", "日期": "2024年10月12日"}, ws.title
    # without values the labels stay, to be signed by hand; the department is the default 填报单位
    ws = load_workbook(io.BytesIO(monitoring_workbook(results, meta, Q3, DEPT))).worksheets[1]
    assert _signature_row(ws) == {"填报单位": DEPT, "填报人": "", "审核人": "", "联系电话": "", "日期": ""}


@pytest.mark.parametrize("ncols", [5, 10, 15, 18])
def test_the_signature_items_share_the_width_without_overlap(ncols):
    places = spans(ncols)
    assert len(places) == len(LABELS) and places[0][0] == 1 and places[-1][1] <= ncols
    assert all(a <= b for a, b in places) and all(b + 1 == a2 for (_, b), (a2, _) in zip(places, places[1:]))


def test_selfeval_shows_initial_and_full_year_budgets_and_the_adjusted_target():
    results, meta = _results()
    evals = [self_evaluate(r.project, Q3, year=Y) for r in results]
    lowered = evals[0].items[0]  # 全年预计2500人 against ≥2500人: full marks (against ≥3000人: 5/6 of them)
    assert lowered.indicator.target.raw == "≥2500人" and lowered.score == pytest.approx(lowered.weight)
    assert evals[0].execution_pct == pytest.approx(140 / 150 * 100)
    wb = load_workbook(io.BytesIO(selfeval_workbook(evals, meta, Q3, DEPT, year=Y, signature=SIG, results=results)))
    ws = wb["1.幼儿园生均经费"]
    assert [ws[c].value for c in ("C6", "D6")] == ["年初预算数", "全年预算数"]
    assert [ws["C7"].value, ws["D7"].value] == [100, 150]
    assert ws["G7"].value == pytest.approx(140 / 150)  # 全年预计执行数 ÷ 全年预算数
    assert ws["D11"].value == "≥2500人\n（年初≥3000人）"
    notes = " ".join(c.value for c in _strings(ws))
    assert "指标调整：「受益幼儿人数」" in notes and "预算调整：" in notes
    header = [c.value for c in wb["汇总"][3]]
    assert header[3:5] == ["年初预算数（万元）", "全年预算数（万元）"]


def test_text_starting_with_an_equals_sign_is_a_string_without_apostrophe():
    results, meta = _results()
    data = monitoring_workbook(results, meta, Q3, DEPT, signature=SIG)
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for c in _strings(ws)]
    assert {"=1所", "=SUM(A1)"} <= {c.value for c in cells}
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.value.startswith("'") for c in cells)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def _report(results, meta) -> docx.document.Document:
    return docx.Document(io.BytesIO(report_docx(results, meta, Q3, DEPT, year=Y, signature=SIG)))


def test_the_report_reads_as_an_official_document():
    results, meta = _results()
    d = _report(results, meta)
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    for word in [*MODE_LABELS.values(), "（<60%）", "最高为黄", "绩效双监控看板", "目标是", "【红】"]:
        assert word not in text, word
    assert "年度目标「是」" in text and "年度目标「≥2500人」（年初目标「≥3000人」，自8月1日起调整）" in text
    assert "截至9月30日累计完成1700人，按序时进度应完成1875人，完成序时进度目标的90.7%" in text
    # 公文 layout: the title in the Title style, 一级 and 二级 headings, 仿宋 三号 body, the page number
    title = d.paragraphs[0]
    assert title.style.name == "Title" and title.text == "高新区社会事务局2024年1-9月项目支出绩效运行监控报告"
    assert title.runs[0].font.size.pt == 22 and title.runs[0].font.name == "方正小标宋简体"
    h1 = [p for p in d.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in h1][:2] == ["一、基本情况", "二、预算执行情况"]
    assert h1[0].runs[0].font.name == "黑体" and h1[0].runs[0].font.size.pt == 16
    h2 = [p for p in d.paragraphs if p.style.name == "Heading 2"]
    assert h2 and h2[0].text.startswith("（一）") and h2[0].runs[0].font.name == "楷体"
    assert d.styles["Normal"].font.name == "仿宋" and d.styles["Normal"].font.size.pt == 16
    sec = d.sections[0]
    assert (round(sec.top_margin.cm, 1), round(sec.left_margin.cm, 1)) == (3.7, 2.8)
    assert "PAGE" in sec.footer.paragraphs[0]._p.xml
    closing = [p.text for p in d.paragraphs if p.text][-3:]
    assert closing == ["填报单位：高新区社会事务局", "日期：2024年10月12日",
                       "（填报人：张会计；审核人：王科长；联系电话：0315-5551234）"]


def test_the_report_lists_the_adjustments_and_flags_a_target_lowered_while_red():
    results, meta = _results()
    d = _report(results, meta)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "年初预算9,982" not in text and "年初预算217.00万元，调整后预算总额267.00万元" in text
    assert "年内有1个项目调整了预算，年初预算合计100.00万元，调整后150.00万元，净增加50.00万元（追加50.00万元）" in text
    assert "需重点关注：1项指标在调整前已为红色或黄色（幼儿园生均经费「受益幼儿人数」）" in text
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in d.tables}
    budget = tables["项目|调整日期"]
    assert [c.text for c in budget.rows[1].cells] == ["幼儿园生均经费", "2024年7月15日", "追加", "财政资金", "+50.00",
                                                      "高新财〔2024〕12号", "生均公用经费标准提高"]
    target = tables["项目|指标"]
    assert [c.text for c in target.rows[1].cells] == ["幼儿园生均经费", "受益幼儿人数", "≥3000人", "≥2500人",
                                                      "2024年8月1日", "适龄幼儿减少", "局党组会议纪要〔2024〕8号", "红色"]
