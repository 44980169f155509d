"""The 自评 preview through the real app.py (AppTest): the presets on 设置 and the preview on 项目详情
(docs/rules.md §7). Each test gets its own SQLite database with the 2024 seed and the demo actuals."""

from __future__ import annotations

from datetime import date

import pytest

from data_access import queries
from data_access.exports import selfeval_results
from data_access.monitoring import evaluate, load_settings
from documents.selfeval_workbook import verdict_line
from seed.demo import load_demo_data
from seed.loader import load_seed_if_empty

SETTINGS = "app_pages/admin_settings.py"
PROJECT = "app_pages/project.py"
AS_OF = date(2024, 9, 30)


@pytest.fixture
def demo(app_engine):
    load_seed_if_empty(app_engine)
    load_demo_data(app_engine)
    return app_engine


def _open(new_app, sign_in, username, page):
    at = sign_in(new_app(), username).run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_admin_picks_the_hubei_weights_and_the_midpoint_shares(new_app, sign_in, demo):
    at = _open(new_app, sign_in, "admin", SETTINGS)
    assert at.selectbox(key="set_weight_preset").value == "national"
    assert at.selectbox(key="set_qual_preset").value == "practice"
    at.selectbox(key="set_weight_preset").set_value("hubei")
    at.selectbox(key="set_qual_preset").set_value("mid")
    at.button(key="settings_submit").click().run()
    assert any("规则已保存" in s.value for s in at.success)
    s = load_settings(demo)
    assert (s.weight_budget, s.weight_output, s.weight_effect, s.weight_satisfaction) == (20, 40, 40, 0)
    assert (s.qual_achieved, s.qual_partial, s.qual_not_achieved) == (0.9, 0.7, 0.3)
    at.run()
    assert at.selectbox(key="set_weight_preset").value == "hubei"


def test_project_page_shows_the_preview_and_says_incomplete_for_an_unreported_project(new_app, sign_in, demo):
    evals = {e.project.id: e for e in selfeval_results(demo, 2024, AS_OF, results=evaluate(demo, 2024, AS_OF))}
    incomplete = next(e for e in evals.values() if "未填报支出" in e.incomplete)
    complete = next((e for e in evals.values() if not e.incomplete), None)
    names = queries.project_rows(demo, 2024).set_index("id")["name"]
    for ev in filter(None, (incomplete, complete)):
        at = sign_in(new_app(), "leader").run()
        at.session_state["selected_project_id"] = int(ev.project.id)
        at.switch_page(PROJECT).run()
        assert not at.exception and at.title[0].value == names[ev.project.id]
        assert any(h.value == "绩效自评预览" for h in at.subheader)
        lines = [m.value for m in at.markdown]
        assert verdict_line(ev, True) in lines
        assert any(b.proto.label.startswith("下载项目支出绩效自评表预览") for b in at.get("download_button"))
    assert verdict_line(incomplete, True).startswith("预估总分0.00分；不完整：") and "等级：" not in verdict_line(incomplete, True)


def test_admin_gives_one_project_the_hubei_preset_and_the_preview_says_so(new_app, sign_in, demo):
    pid = int(queries.project_rows(demo, 2024).iloc[0]["id"])
    at = sign_in(new_app(), "admin").run()
    at.session_state["selected_project_id"] = pid
    at.switch_page(PROJECT).run()
    picker = at.selectbox(key=f"preset_project_{pid}")
    assert picker.value == "inherit"
    picker.set_value("hubei").run()
    at.button(key=f"preset_project_{pid}_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("本项目的自评权重方案为「湖北（20/40/40）」" in s.value for s in at.success)
    assert any("权重方案「湖北（20/40/40）」（本项目设定）" in c.value for c in at.caption)
    ev = next(e for e in selfeval_results(demo, 2024, AS_OF, project_ids=[pid]))
    assert ev.budget_weight == 20


def test_the_preset_pickers_are_for_the_administrator_only(new_app, sign_in, demo):
    pid = int(queries.project_rows(demo, 2024).iloc[0]["id"])
    at = sign_in(new_app(), "leader").run()
    at.session_state["selected_project_id"] = pid
    at.switch_page(PROJECT).run()
    assert not any(s.key == f"preset_project_{pid}" for s in at.selectbox)
    at.switch_page("app_pages/targets.py").run()
    assert not at.exception and not any(h.value == "判断方式与自评权重（管理员）" for h in at.subheader)


def test_admin_sets_the_documents_preset_on_the_targets_page(new_app, sign_in, demo):
    at = _open(new_app, sign_in, "admin", "app_pages/targets.py")
    assert any(h.value == "判断方式与自评权重（管理员）" for h in at.subheader)
    at.selectbox(key="preset_year_2024").set_value("budget20").run()
    at.button(key="preset_year_2024_save").click().run()
    assert any("2024年度目标表的自评权重方案为「预算执行20/指标80（云南等）」" in s.value for s in at.success)
    evals = selfeval_results(demo, 2024, AS_OF)
    assert {e.budget_weight for e in evals} == {20}
    assert all("（本年度目标表设定）" in e.weights_note for e in evals)
