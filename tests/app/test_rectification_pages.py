"""整改 through the real app.py (AppTest): the admin raises an item from 风险清单 and it shows in the risk
list's 整改 column; leaders and other units get no form and no answer box; a refused input is shown in
Chinese and writes nothing."""

from __future__ import annotations

import pytest

from data_access.permissions import SYSTEM_ADMIN
from data_access.rectification import rectifications

RISKS = "app_pages/risks.py"
PROJECT = "app_pages/project.py"


def _risk_frame(at):
    return next(d.value for d in at.dataframe if "整改" in d.value.columns and "事项" in d.value.columns)


def test_the_admin_raises_an_item_from_the_risk_list(open_as, demo):
    at = open_as("admin", RISKS)
    assert (_risk_frame(at)["整改"] == "").all()
    pid = at.selectbox(key="risks_rect_project").value
    key = f"risks_rect_{pid}"
    at.text_area(key=f"{key}_req_{at.selectbox(key=f'{key}_matter').value}").set_value("十月底前补报并说明原因")
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception
    assert any("已提出整改 #1" in s.value for s in at.success)
    [item] = rectifications(demo, SYSTEM_ADMIN)
    assert (item.project_id, item.source, item.requirement, item.state) == (pid, "risks", "十月底前补报并说明原因", "open")
    df = _risk_frame(at)
    marked = df[df["整改"] != ""]
    assert set(marked["_project_id"]) == {pid}
    assert marked["整改"].str.startswith("待整改：十月底前补报并说明原因（期限").all()
    assert list(df.columns).index("整改") == list(df.columns).index("事项") + 1
    # the same matter again: refused in Chinese, nothing more written
    at.button(key=f"{key}_submit").click().run()
    assert any("已有未销号的整改事项（#1）" in e.value for e in at.error)
    assert len(rectifications(demo, SYSTEM_ADMIN)) == 1


@pytest.mark.parametrize("username", ["leader", "jiaoyu"])
def test_no_form_for_leaders_and_staff(open_as, username):
    at = open_as(username, RISKS)
    assert not [s for s in at.selectbox if s.key and s.key.startswith("risks_rect")]
    assert not [b for b in at.button if b.key and b.key.startswith("risks_rect")]


def test_only_the_owner_unit_gets_the_answer_box(open_as, demo, new_app, sign_in):
    from data_access.rectification import NewRectification, create_rectification
    from domain.clock import today_local

    at = open_as("jiaoyu", PROJECT)
    pid = at.selectbox(key="project_pick").value  # a 教育科 project
    item = create_rectification(demo, SYSTEM_ADMIN, NewRectification(
        project_id=pid, requirement="补齐台账", deadline=today_local(), period_code="2024Q3"))
    at.run()
    assert at.text_area(key=f"project_rect_m_{item.id}") is not None
    assert at.button(key=f"project_rect_answer_{item.id}") is not None
    leader = open_as("leader", PROJECT)
    leader.selectbox(key="project_pick").set_value(pid).run()
    assert "补齐台账" in "\n".join(m.value for m in leader.markdown)
    assert not [t for t in leader.text_area if t.key == f"project_rect_m_{item.id}"]
    assert not [b for b in leader.button if b.key and b.key.startswith("project_rect_")]
