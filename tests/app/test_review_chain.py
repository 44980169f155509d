"""The whole reporting chain through the real app.py (AppTest): staff fill and submit, a submission with a
gap is refused with the list, the admin returns one indicator with a comment, staff see it in 待办 and on
填报, fix it and resubmit, the admin approves, the values are read-only for staff, the admin marks the
period reported, and a later reopen and change leaves the stored snapshot unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from components import entry_editor as ed
from data_access.actuals import ANY_VERSION, save_indicator_rows, save_spending_rows
from data_access.models import Project
from data_access.review.reads import project_states
from data_access.review.snapshots import snapshot_file, snapshots
from data_access.users import principal_for
from domain import review as R
from tests.review_support import PERIOD, fill_project

PROJECT, EMPTY = "区本课程经费", "学校教学装备及仪器更新经费项目经费"
ENTRY, REVIEW, PERIODS, TODO = "app_pages/entry.py", "app_pages/review.py", "app_pages/periods.py", "app_pages/todo.py"


@pytest.fixture
def seeded(app_engine):
    from seed.demo_users import ensure_demo_users
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(app_engine)
    ensure_demo_users(app_engine)
    with Session(app_engine) as s:
        ids = dict(s.execute(select(Project.name, Project.id)).tuples().all())
    return app_engine, ids


def _open(new_app, sign_in, username: str, page: str, **query):
    at = sign_in(new_app(), username)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _on_project(at, pid: int):
    at.selectbox(key="entry_period").set_value(PERIOD).run()
    at.selectbox(key="entry_project").set_value(pid).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _click(at, label: str):
    next(b for b in at.button if b.label.startswith(label)).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def _links(at) -> list[tuple[str, str]]:
    return [(e.proto.label, e.proto.page) for e in at.get("page_link")]


def test_the_whole_chain(new_app, sign_in, seeded):
    engine, ids = seeded
    pid = ids[PROJECT]
    staff = principal_for(engine, "jiaoyu")
    fill_project(engine, staff, pid)  # the values, as the 填报 grid saves them

    # staff: a project with gaps is refused with the list; the complete one is submitted
    at = _on_project(_open(new_app, sign_in, "jiaoyu", ENTRY), ids[EMPTY])
    _click(at, "送审该项目")
    assert "尚有6项未填写齐全，不能送审" in _texts(at.error) and "教师学生满意度：须填写当前完成值" in _texts(at.error)
    _on_project(at, pid)
    _click(at, "送审该项目")
    assert "已送审1个项目" in _texts(at.success)
    assert project_states(engine, staff, PERIOD)[pid].state == R.SUBMITTED

    # admin: the queue holds it; return one indicator with a comment
    at = _open(new_app, sign_in, "admin", REVIEW)
    assert "区本课程经费（教育科）" in [h.value for h in at.subheader]
    key = f"review_ind_{pid}_{PERIOD}_1"
    frame = at.session_state["_review_section_frames"][key]
    pos = int((frame["三级指标"] == "教师学生满意度").values.nonzero()[0][0])
    at.session_state[key] = {"edited_rows": {pos: {"退回": True}}, "added_rows": [], "deleted_rows": []}
    _click(at, "退回所选事项")  # a ticked row without a comment is refused
    assert "须填写退回意见" in _texts(at.error)
    at.session_state[key] = {"edited_rows": {pos: {"退回": True, "退回意见": "满意度调查样本不足，请补充说明"}},
                             "added_rows": [], "deleted_rows": []}
    _click(at, "退回所选事项")
    assert "已退回「区本课程经费」的1个事项" in _texts(at.success)

    # staff at their next sign-in: 待办 says so and links to 填报 on the project; 填报 shows the comment
    at = sign_in(new_app(), "jiaoyu")
    at.run()
    links = _links(at)
    assert any(label == "被退回的事项：1项" and page.endswith("entry") for label, page in links), links
    at = _open(new_app, sign_in, "jiaoyu", ENTRY, period=PERIOD, project=str(pid))
    assert at.selectbox(key="entry_project").value == pid  # the link opened the project
    assert "满意度调查样本不足，请补充说明" in _texts(at.error) and "教师学生满意度" in _texts(at.error)
    ind_key = at.session_state[ed.IND_KEY]
    grid = at.session_state[ed.SNAPSHOTS][ind_key]
    row = int((grid["三级指标"] == "教师学生满意度").values.nonzero()[0][0])
    at.session_state[ind_key] = {"edited_rows": {row: {"说明": "已补充样本至312份"}}, "added_rows": [], "deleted_rows": []}
    _click(at, "保存")
    assert "指标：已保存1行" in _texts(at.success)
    _click(at, "送审该项目")
    assert project_states(engine, staff, PERIOD)[pid].state == R.SUBMITTED

    # admin approves the second submission
    at = _open(new_app, sign_in, "admin", REVIEW)
    _click(at, "审核通过")
    assert "「区本课程经费」已通过，数据已只读" in _texts(at.success)

    # staff: read-only now, on the page and in the data layer
    at = _on_project(_open(new_app, sign_in, "jiaoyu", ENTRY), pid)
    assert "**已送审或已通过的项目（只读）**" in _texts(at.markdown)
    assert not any(b.label == "保存" for b in at.button)  # no editor: the only project shown is approved
    assert "已审核通过，只读" in _texts(at.caption)
    refused = save_indicator_rows(engine, staff, PERIOD, [{"indicator_id": int(grid.iloc[row]["_indicator_id"]),
                                                          "version": ANY_VERSION, "remarks": "偷偷改"}])
    assert not refused.saved and "已审核通过，只读" in refused.errors[0].message

    # admin: mark the period reported (with the unapproved projects, after confirming)
    at = _open(new_app, sign_in, "admin", PERIODS)
    at.selectbox(key="report_period").set_value(PERIOD).run()
    _click(at, "标记为已上报")
    assert "未审核通过" in _texts(at.error)
    at.checkbox(key="report_unapproved").check().run()
    _click(at, "标记为已上报")
    assert "已将2024年第三季度标记为已上报（第1次）" in _texts(at.success)
    admin = principal_for(engine, "admin")
    [snap] = snapshots(engine, admin, PERIOD)
    before = {name: snapshot_file(engine, admin, fid).content for fid, name, _s, _h in snap.files}
    assert len(before) == 3 and [d.label for d in at.get("download_button")]

    # a later reopen (reason logged) and change leave the snapshot as reported
    at = _open(new_app, sign_in, "admin", REVIEW)
    at.selectbox(key="review_done_period").set_value(PERIOD).run()
    at.text_input(key="review_reopen_reason").input("财政局要求更正支出").run()
    _click(at, "重新开放")
    assert project_states(engine, staff, PERIOD)[pid].state == R.DRAFT
    assert save_spending_rows(engine, staff, PERIOD, [{"project_id": pid, "version": ANY_VERSION, "spent_wan": 88,
                                                       "projected_wan": 100, "explanation": "更正"}]).saved
    [again] = snapshots(engine, admin, PERIOD)
    assert {name: snapshot_file(engine, admin, fid).content for fid, name, _s, _h in again.files} == before


def test_leaders_see_marks_and_can_restrict_the_overview_to_approved_figures(new_app, sign_in, seeded):
    engine, ids = seeded
    pid = ids[PROJECT]
    staff = principal_for(engine, "jiaoyu")
    fill_project(engine, staff, pid)
    from data_access.review import actions as RA

    RA.submit(engine, staff, [pid], PERIOD)
    RA.approve(engine, principal_for(engine, "admin"), pid, PERIOD, seen_round=1)
    at = _open(new_app, sign_in, "leader", "app_pages/overview.py", period=PERIOD)
    assert any("1个项目的本期数值已审核通过" in c.value and "「未审核」" in c.value for c in at.caption)
    at = _open(new_app, sign_in, "leader", "app_pages/overview.py", period=PERIOD, review="approved")
    assert at.selectbox(key="flt_review").value == "approved"
    assert any("1个项目的本期数值已审核通过，均为已审核数据" in c.value for c in at.caption)
    at = _open(new_app, sign_in, "leader", "app_pages/risks.py", period=PERIOD, review="unapproved")
    assert "审核：未审核" in _texts(at.caption)
