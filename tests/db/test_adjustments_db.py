"""Budget and target adjustments stored and used, on SQLite and PostgreSQL: only the administrator records
them, each is one audited transaction that bumps the revision; the budget and the target in force at the
as-of date drive every status (pages, exports and the 填报 grid alike), the imported values stay; an
adjustment approved while the indicator was red is flagged; a withdrawn entry stops counting."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import entry_frame, spending_frame
from data_access.adjusting import (
    AdjustmentInvalid,
    add_budget_adjustment,
    add_target_adjustment,
    withdraw_budget_adjustment,
    withdraw_target_adjustment,
)
from data_access.db import current_revision
from data_access.exports import department_spending_series, export_bundle, selfeval_results
from data_access.models import AuditLog, BudgetAdjustment, Indicator, Project
from data_access.monitoring import evaluate
from data_access.permissions import PermissionDenied, Principal
from data_access.targets import ImportRefused, save_document
from data_access.views import risk_frame
from documents.monitoring_workbook import monitoring_workbook
from documents.selfeval_workbook import selfeval_workbook
from documents.targets_io import read_target_document
from seed.demo import load_demo_data
from seed.loader import load_assignments
from tests.conftest import account_for, admin_named

Q2, Q3 = date(2024, 6, 30), date(2024, 9, 30)
PROJECT, INDICATOR = "幼儿园生均经费", "受益幼儿人数"  # ≥3000人, red at Q3 in the demo data
ADMIN = admin_named("admin")


@pytest.fixture
def demo(seeded_engine):
    load_demo_data(seeded_engine, Q3)
    with Session(seeded_engine) as s:
        p = s.execute(select(Project).where(Project.name == PROJECT)).scalar_one()
        ind = s.execute(select(Indicator).where(Indicator.project_id == p.id, Indicator.level3 == INDICATOR)
                        ).scalar_one()
    return seeded_engine, p, ind


def _result(engine, pid: int, as_of: date):
    return next(r for r in evaluate(engine, 2024, as_of) if r.project.id == pid)


def test_the_adjusted_budget_drives_execution_from_its_date_and_the_initial_budget_stays(demo):
    engine, p, _ = demo
    rev = current_revision(engine)
    before_q3 = _result(engine, p.id, Q3)
    add_budget_adjustment(engine, ADMIN, p.id, on=date(2024, 7, 15), kind="追加", fund="财政资金", amount_wan=50.0,
                          reason="生均公用经费标准提高", document_no="高新财〔2024〕12号")
    assert current_revision(engine) > rev
    q2, q3 = _result(engine, p.id, Q2), _result(engine, p.id, Q3)
    assert q2.project.budget_wan == pytest.approx(187.02) and q2.project.initial_budget_wan is None
    assert q3.project.budget_wan == pytest.approx(237.02) and q3.project.original_budget_wan == pytest.approx(187.02)
    spent = q3.project.spent_wan
    assert q3.budget.execution_pct == pytest.approx(spent / 237.02 * 100)
    assert q3.budget.execution_pct < before_q3.budget.execution_pct or spent == 0
    assert q3.budget.projected_pct == pytest.approx(q3.project.projected_spent_wan / 237.02 * 100)
    assert "按调整后预算237.02万元计算（年初预算187.02万元）" in q3.budget.reason
    with Session(engine) as s:
        assert s.get(Project, p.id).budget_wan == pytest.approx(187.02)  # the imported budget is never changed
        log = s.execute(select(AuditLog).where(AuditLog.entity == "budget_adjustment")).scalars().all()
    assert [(a.username, a.action, a.entity_id, a.old, a.new) for a in log] == [
        ("admin", "create", p.id, "187.02", "237.02")]
    assert "追加财政资金+50.00万元" in log[0].detail and "高新财〔2024〕12号" in log[0].detail


def test_the_entry_grid_judges_spending_against_the_budget_in_force(demo):
    engine, p, _ = demo
    add_budget_adjustment(engine, ADMIN, p.id, on=date(2024, 7, 15), kind="追加", fund="财政资金", amount_wan=50.0,
                          reason="标准提高")
    row = spending_frame(engine, ADMIN, "2024Q3").set_index("项目").loc[PROJECT]
    page = _result(engine, p.id, Q3)
    assert row["预算（万元）"] == pytest.approx(237.02)
    assert row["状态原因"] == page.budget.reason
    q2 = spending_frame(engine, ADMIN, "2024Q2").set_index("项目").loc[PROJECT]
    assert q2["预算（万元）"] == pytest.approx(187.02)  # dated after 6月30日: not in force for Q2


def test_only_the_administrator_records_adjustments_and_bad_entries_write_nothing(demo):
    engine, p, ind = demo
    leader = account_for(engine, Principal("leader", "局领导", "leader"))
    with pytest.raises(PermissionDenied):
        add_budget_adjustment(engine, leader, p.id, on=date(2024, 7, 1), kind="追加", fund="财政资金",
                              amount_wan=5.0, reason="x")
    with pytest.raises(PermissionDenied):
        add_target_adjustment(engine, leader, ind.id, effective_on=date(2024, 8, 1), target_text="≥2500人",
                              reason="x", approval="y")
    with pytest.raises(AdjustmentInvalid) as e:
        add_budget_adjustment(engine, ADMIN, p.id, on=date(2024, 7, 1), kind="调减", fund="财政资金",
                              amount_wan=-500.0, reason="x")
    assert "不能小于0" in str(e.value)
    with pytest.raises(AdjustmentInvalid) as e:
        add_target_adjustment(engine, ADMIN, ind.id, effective_on=date(2024, 8, 1), target_text="≥2500人次",
                              reason="x", approval="y")
    assert "单位" in str(e.value)
    with Session(engine) as s:
        assert not s.execute(select(BudgetAdjustment)).first()
        assert not s.execute(select(AuditLog).where(AuditLog.entity.in_(["budget_adjustment", "target_adjustment"]))
                             ).first()


def test_a_target_lowered_while_red_is_judged_against_the_new_value_and_flagged(demo):
    engine, p, ind = demo
    red = next(st for st in _result(engine, p.id, Q3).indicators if st.indicator.id == ind.id)
    assert red.status == "red"
    add_target_adjustment(engine, ADMIN, ind.id, effective_on=date(2024, 8, 1), target_text="≥2500人",
                          reason="适龄幼儿减少", approval="局党组会议纪要〔2024〕8号", today=date(2024, 10, 10))
    st = next(st for st in _result(engine, p.id, Q3).indicators if st.indicator.id == ind.id)
    assert st.indicator.target.raw == "≥2500人" and st.pro_rated_target == pytest.approx(1875)
    assert st.status != "red" and st.adjusted_after_warning
    assert "目标自8月1日起由≥3000人调整为≥2500人（调整前2024年第三季度为红）" in st.reason
    # before its effective date the original target still applies, with no flag
    q2 = next(st for st in _result(engine, p.id, Q2).indicators if st.indicator.id == ind.id)
    assert q2.indicator.target.raw == "≥3000人" and q2.indicator.target_change is None
    # the risk list keeps it (now amber or better) with both targets and the flag
    risks = risk_frame(evaluate(engine, 2024, Q3))
    row = risks[risks["_indicator_id"] == ind.id].iloc[0]
    assert row["目标"] == "≥2500人（年初≥3000人）"
    assert row["目标调整"].startswith("调整前2024年第三季度为红")
    with Session(engine) as s:
        assert s.get(Indicator, ind.id).target_text == "≥3000人"
        log = s.execute(select(AuditLog).where(AuditLog.entity == "target_adjustment")).scalar_one()
    assert (log.old, log.new, log.entity_id) == ("≥3000人", "≥2500人", ind.id)
    # the 填报 grid shows and judges the same target
    grid = entry_frame(engine, ADMIN, "2024Q3")
    g = grid[grid["_indicator_id"] == ind.id].iloc[0]
    assert g["目标"] == "≥2500人（年初≥3000人）" and g["状态原因"] == st.reason


def test_a_withdrawn_adjustment_stops_counting_and_is_kept(demo):
    engine, p, ind = demo
    bid = add_budget_adjustment(engine, ADMIN, p.id, on=date(2024, 7, 15), kind="追加", fund="财政资金",
                                amount_wan=50.0, reason="标准提高")
    tid = add_target_adjustment(engine, ADMIN, ind.id, effective_on=date(2024, 8, 1), target_text="≥2500人",
                                reason="r", approval="a")
    with pytest.raises(AdjustmentInvalid):
        withdraw_budget_adjustment(engine, ADMIN, bid, " ")
    withdraw_budget_adjustment(engine, ADMIN, bid, "录入错误")
    withdraw_target_adjustment(engine, ADMIN, tid, "录入错误")
    r = _result(engine, p.id, Q3)
    assert r.project.budget_wan == pytest.approx(187.02) and r.project.initial_budget_wan is None
    assert next(st for st in r.indicators if st.indicator.id == ind.id).indicator.target.raw == "≥3000人"
    with Session(engine) as s:
        row = s.get(BudgetAdjustment, bid)
        assert row.withdrawn_by == "admin" and row.withdraw_reason == "录入错误"
    with pytest.raises(AdjustmentInvalid):
        withdraw_budget_adjustment(engine, ADMIN, bid, "再次撤销")


def test_an_indicator_with_an_adjusted_target_cannot_be_dropped_by_a_reimport(seeded_engine, seed_bytes):
    with Session(seeded_engine) as s:
        ind = s.execute(select(Indicator).where(Indicator.level3 == "按时完成装备采购")
                        .order_by(Indicator.project_id)).scalars().first()  # the first table's, removed below
    add_target_adjustment(seeded_engine, ADMIN, ind.id, effective_on=date(2024, 8, 1),
                          target_text="2024年10月31日前", reason="r", approval="a")
    seed = seed_bytes.decode("utf-8")
    gone = seed.replace("\t\n\t时效指标\n\t按时完成装备采购\n\t在使用前完成学校装备\n\t完成\n\t工作经验\n\n", "", 1)
    assert gone != seed
    doc = read_target_document(gone.encode("utf-8"), "targets.txt", 2024)
    with pytest.raises(ImportRefused) as e:
        save_document(seeded_engine, doc, assignments=load_assignments(), source_name="targets.txt", by=ADMIN)
    assert "按时完成装备采购" in str(e.value) and "调整" in str(e.value)


def test_the_department_chart_and_the_official_tables_use_the_budget_in_force(demo):
    engine, p, ind = demo
    before = department_spending_series(engine, 2024, Q3)
    add_budget_adjustment(engine, ADMIN, p.id, on=date(2024, 7, 15), kind="追加", fund="财政资金", amount_wan=50.0,
                          reason="标准提高", document_no="高新财〔2024〕12号")
    add_target_adjustment(engine, ADMIN, ind.id, effective_on=date(2024, 8, 1), target_text="≥2500人", reason="r",
                          approval="a")
    after = department_spending_series(engine, 2024, Q3)
    # Q1/Q2 ended before the 追加: unchanged; Q3 and the quarters after it plan on 9,982.79 + 50
    assert list(after["planned_wan"])[:2] == list(before["planned_wan"])[:2]
    assert after["time_wan"].iloc[3] == pytest.approx(before["time_wan"].iloc[3] + 50.0)
    assert after["planned_wan"].iloc[3] == pytest.approx(9982.79 + 50.0)
    b = export_bundle(engine, 2024, Q3, [p.id])
    wb = load_workbook(io.BytesIO(monitoring_workbook(b.results, b.meta, Q3, b.department, summary=False)))
    ws = wb.worksheets[0]
    assert [ws["E6"].value, ws["G6"].value, ws["E7"].value, ws["G7"].value] == \
        [pytest.approx(187.02), pytest.approx(237.02), pytest.approx(187.02), pytest.approx(237.02)]
    row = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 3).value == INDICATOR)
    assert ws.cell(row, 4).value == "≥2500人\n（年初≥3000人）"
    evals = selfeval_results(engine, 2024, Q3, results=b.results, settings=b.settings)
    assert evals[0].execution_pct == pytest.approx(b.results[0].project.projected_spent_wan / 237.02 * 100)
    item = next(i for i in evals[0].items if i.indicator.id == ind.id)
    assert item.indicator.target.raw == "≥2500人"  # scored against the target in force
    se = load_workbook(io.BytesIO(selfeval_workbook(evals, b.meta, Q3, b.department, year=2024, summary=False,
                                                    results=b.results))).worksheets[0]
    assert [se["C7"].value, se["D7"].value] == [pytest.approx(187.02), pytest.approx(237.02)]
