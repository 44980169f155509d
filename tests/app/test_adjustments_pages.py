"""Adjustments and the 报表 page through the real app.py (AppTest): the administrator records a budget and a
target adjustment on 项目详情 and every part of the page — the budget metric, the chart, the indicator
table, the risk list — uses the adjusted values with the originals kept; a refused entry says why and
keeps what was typed; leaders read but see no form. 报表 offers the three official outputs to admin and
leader (not to staff), for the projects of the filter bar, and saves the account's signature fields."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from components.report_outputs import OUTPUTS
from data_access import queries
from data_access.models import BudgetAdjustment, Indicator, TargetAdjustment, User
from tests.app.test_leadership_pages import chart_frames, frame, metric

PROJECT_PAGE, RISKS, REPORTS = "app_pages/project.py", "app_pages/risks.py", "app_pages/reports.py"
PROJECT, INDICATOR = "幼儿园生均经费", "受益幼儿人数"  # 187.02万元; ≥3000人, red at Q3 in the demo data


def _project_page(new_app, sign_in, engine, username: str):
    pid = int(queries.project_rows(engine, 2024).set_index("name").loc[PROJECT, "id"])
    at = sign_in(new_app(), username).run()
    at.session_state["selected_project_id"] = pid
    at.switch_page(PROJECT_PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == PROJECT
    return at, pid


def _fill_budget(at, amount, reason="生均公用经费标准提高", kind="追加") -> None:
    at.date_input(key="adj_b_on").set_value(date(2024, 7, 15))
    at.selectbox(key="adj_b_kind").set_value(kind)
    at.selectbox(key="adj_b_fund").set_value("财政资金")
    at.number_input(key="adj_b_amount").set_value(amount)
    at.text_input(key="adj_b_doc").set_value("高新财〔2024〕12号")
    at.text_area(key="adj_b_reason").set_value(reason)


def _submit(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_admin_records_a_budget_adjustment_and_the_page_uses_the_adjusted_budget(new_app, sign_in, demo):
    at, pid = _project_page(new_app, sign_in, demo, "admin")
    assert metric(at, "预算（万元）") == "187.02"
    _fill_budget(at, -500.0, kind="调减")  # would leave the budget below zero: refused, the input stays
    _submit(at, "登记预算调整")
    assert any("未保存" in e.value and "不能小于0" in e.value for e in at.error)
    assert at.text_area(key="adj_b_reason").value == "生均公用经费标准提高"
    with Session(demo) as s:
        assert s.execute(select(BudgetAdjustment)).first() is None

    _fill_budget(at, 50.0)
    _submit(at, "登记预算调整")
    assert any(m.value == "已登记预算调整" for m in at.success)
    at.run()
    assert metric(at, "调整后预算（万元）") == "237.02"
    data = next(d for _, d in chart_frames(at) if "系列" in d.columns).dropna(subset=["系列"])
    assert data[data["系列"] == "计划累计支出"]["累计（万元）"].max() == pytest.approx(237.02)
    assert data[data["系列"] == "年初预算计划"]["累计（万元）"].max() == pytest.approx(187.02)
    assert any("调整后预算数 **237.02万元**（年初预算数187.02万元）" in m.value for m in at.markdown)
    listed = [d.value for d in at.dataframe if "资金来源" in d.value.columns][0]
    assert list(listed["金额（万元）"]) == [50.0] and list(listed["状态"]) == ["有效"]

    # withdrawn with a reason: the row stays, marked, and the budget is the 年初 one again
    at.text_input(key="adj_w_budget_reason").set_value("录入错误")
    next(b for b in at.button if b.label == "撤销" and b.form_id.endswith("adj_withdraw_budget")).click().run()
    assert any(m.value == "已撤销" for m in at.success)
    at.run()
    assert metric(at, "预算（万元）") == "187.02"
    listed = [d.value for d in at.dataframe if "资金来源" in d.value.columns][0]
    assert listed["状态"].iloc[0].startswith("已撤销（admin，") and listed["状态"].iloc[0].endswith("：录入错误）")


def test_admin_adjusts_a_target_and_the_tables_show_both_values(new_app, sign_in, demo):
    at, pid = _project_page(new_app, sign_in, demo, "admin")
    with Session(demo) as s:
        iid = s.execute(select(Indicator.id).where(Indicator.project_id == pid, Indicator.level3 == INDICATOR)
                        ).scalar_one()
    at.selectbox(key="adj_t_indicator").set_value(iid)
    at.text_input(key="adj_t_value").set_value("≥2500人")
    at.date_input(key="adj_t_on").set_value(date(2024, 8, 1))
    at.text_input(key="adj_t_approval").set_value("局党组会议纪要〔2024〕8号")
    at.text_area(key="adj_t_reason").set_value("适龄幼儿减少")
    _submit(at, "批准并登记指标调整")
    assert any(m.value == "已登记指标调整" for m in at.success)
    at.run()
    inds = frame(at, "project_indicators").set_index("三级指标")
    assert inds.loc[INDICATOR, "目标"] == "≥2500人（年初≥3000人）"
    assert "由≥3000人调整为≥2500人（调整前2024年第三季度为红）" in inds.loc[INDICATOR, "原因"]
    with Session(demo) as s:
        row = s.execute(select(TargetAdjustment)).scalar_one()
    assert (row.prior_status, row.prior_period, row.approved_by) == ("red", "2024Q3", "admin")

    risks = sign_in(new_app(), "leader").run()
    risks.switch_page(RISKS).run()
    rows = frame(risks, "risk_list")
    flagged = rows[rows["事项"] == INDICATOR].iloc[0]
    assert flagged["目标"] == "≥2500人（年初≥3000人）" and flagged["目标调整"].startswith("调整前2024年第三季度为红")
    assert any("其中1项指标在红、黄时调整了目标" in m.value for m in risks.markdown)


def test_leaders_see_the_adjustments_but_no_form(new_app, sign_in, demo):
    at, _ = _project_page(new_app, sign_in, demo, "leader")
    assert any(h.value == "预算与指标调整" for h in at.subheader)
    assert not [b for b in at.button if b.label in ("登记预算调整", "批准并登记指标调整")]


@pytest.mark.parametrize("username", ["admin", "leader"])
def test_reports_page_offers_every_output_for_the_filtered_projects(new_app, sign_in, demo, username):
    at = sign_in(new_app(), username).run()
    at.switch_page(REPORTS).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [t.value for t in at.title] == ["报表"]
    buttons = list(at.get("download_button"))
    labels = [b.proto.label for b in buttons]
    assert labels[:3] == ["下载执行监控表（Excel）", "下载自评表预览（Excel）", "下载监控报告（Word）"] == \
        [f"下载{o.short}（{'Excel' if o.ext == 'xlsx' else 'Word'}）" for o in OUTPUTS]
    # then the as-of period's evidence ZIP: nothing attached in the demo data, so the button is disabled
    assert labels[3:] == ["下载2024年第三季度佐证材料（ZIP，0个文件，0 KB）"] and buttons[3].proto.disabled
    assert any("共 **32** 个项目（全部项目）" in m.value for m in at.markdown)
    at.multiselect(key="flt_units").set_value(["教育科"]).run()
    n = len(queries.project_rows(demo, 2024).query("unit == '教育科'"))
    assert any(f"共 **{n}** 个项目。" in m.value for m in at.markdown)
    # the signature block is filled from the department and the account
    assert at.text_input(key="sig_unit").value == "高新区社会事务局"


def test_staff_cannot_open_the_reports_page(new_app, sign_in, demo):
    at = sign_in(new_app(), "jiaoyu").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(REPORTS)


def test_the_signature_fields_are_saved_for_the_account(new_app, sign_in, demo):
    at = sign_in(new_app(), "leader").run()
    at.switch_page(REPORTS).run()
    with Session(demo) as s:
        name = s.execute(select(User.name).where(User.username == "leader")).scalar_one()
    assert at.text_input(key="sig_preparer").value == name
    at.text_input(key="sig_phone").set_value("电话0315")
    at.button(key="sig_save").click().run()
    assert any("联系电话：只能包含数字" in e.value for e in at.error)
    at.text_input(key="sig_phone").set_value("0315-5551234")
    at.text_input(key="sig_reviewer").set_value("王科长")
    at.button(key="sig_save").click().run()
    assert any("已保存" in m.value for m in at.success)
    with Session(demo) as s:
        assert s.execute(select(User.phone, User.report_reviewer).where(User.username == "leader")).one() == \
            ("0315-5551234", "王科长")
    again = sign_in(new_app(), "leader").run()
    again.switch_page(REPORTS).run()
    assert again.text_input(key="sig_phone").value == "0315-5551234"
    assert again.text_input(key="sig_reviewer").value == "王科长"
