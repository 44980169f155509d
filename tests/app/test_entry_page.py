"""The 填报 page and the 填报期管理 page through the real app.py (AppTest): edits seeded into the editor's
session state, then 保存 — valid rows saved, invalid rows reported and kept, explanations demanded,
locked periods read-only, conflicts detected and resolved, uploads previewed before saving."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from components import entry_editor as ed
from components.navigation import pages_for_role
from data_access import actuals as A
from data_access.models import IndicatorActual, SpendingActual
from data_access.permissions import Principal

PERIOD = "2024Q3"
ADMIN = Principal("admin", "管理员", "admin", system=True)  # an administrator that is not an account


@pytest.fixture
def seeded(app_engine):
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(app_engine)
    return app_engine


@pytest.fixture
def open_entry(new_app, sign_in, seeded):
    """``open_entry(username)``: the 填报 page for that user, on 2024Q3."""

    def do(username: str = "jiaoyu"):
        at = sign_in(new_app(), username)
        at.run()
        at.switch_page("app_pages/entry.py").run()
        assert not at.exception, at.exception
        at.selectbox(key="entry_period").set_value(PERIOD).run()
        assert not at.exception, at.exception
        return at

    return do


def _snapshot(at, kind: str = "ind"):
    key = at.session_state[ed.IND_KEY if kind == "ind" else ed.SP_KEY]
    return key, at.session_state[ed.SNAPSHOTS][key]


def _pos(df, item: str, project: str | None = None) -> int:
    m = df["三级指标"] == item if "三级指标" in df else df["项目"] == item
    if project is not None:
        m &= df["项目"] == project
    return int(m.values.nonzero()[0][0])


def _edit(at, key: str, edited_rows: dict) -> None:
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}


def _save(at):
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception, at.exception
    return at


def _stored(engine, indicator_id: int) -> IndicatorActual | None:
    with Session(engine) as s:
        return s.execute(select(IndicatorActual).where(IndicatorActual.indicator_id == indicator_id,
                                                       IndicatorActual.period_code == PERIOD)).scalar_one_or_none()


def _texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def test_menu_shows_entry_to_admin_and_staff_not_leaders():
    assert "填报" in [p.title for p in pages_for_role("staff")]
    assert "填报" in [p.title for p in pages_for_role("admin")]
    assert "填报" not in [p.title for p in pages_for_role("leader")]
    assert "填报期管理" in [p.title for p in pages_for_role("leader")]
    assert "填报期管理" not in [p.title for p in pages_for_role("staff")]


def test_staff_see_only_their_units_projects(open_entry, seeded):
    at = open_entry("jiaoyu")
    assert [t.value for t in at.title] == ["填报"]
    assert at.selectbox(key="entry_unit").options == ["教育科"]
    _, ind = _snapshot(at)
    _, sp = _snapshot(at, "sp")
    unit_ids = {int(u) for u in ind["_unit_id"]} | {int(u) for u in sp["_unit_id"]}
    assert len(unit_ids) == 1 and len(ind) > 0
    # one project only
    assert at.selectbox(key="entry_project").options[:2] == ["本单位全部项目", "区本课程经费"]
    pid = int(ind["_project_id"].iloc[0])
    at.selectbox(key="entry_project").set_value(pid).run()
    _, ind = _snapshot(at)
    assert set(ind["_project_id"]) == {pid}


def test_valid_rows_saved_invalid_rows_reported_and_kept(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", "区本课程经费")
    qual = _pos(df, "设备质量", "区本课程经费")
    count = _pos(df, "装备学校数量", "区本课程经费")
    _edit(at, key, {rate: {"当前完成值": "95"}, qual: {"完成情况": "达成", "备注": "验收合格"},
                    count: {"当前完成值": "-2", "备注": "草稿"}})
    _save(at)
    assert "已保存2行" in _texts(at.warning) and "1行未通过校验" in _texts(at.warning)
    err = _texts(at.error)
    assert f"第{count + 1}行（区本课程经费 / 装备学校数量）当前完成值：“-2”不能为负数" in err
    assert _stored(seeded, int(df.iloc[rate]["_indicator_id"])).actual_value == 95
    assert _stored(seeded, int(df.iloc[qual]["_indicator_id"])).remarks == "验收合格"
    assert _stored(seeded, int(df.iloc[count]["_indicator_id"])) is None
    # a new editor key; the refused row is back in the editor as typed, marked unsaved
    new_key, df2 = _snapshot(at)
    assert new_key != key
    row = df2.iloc[count]
    assert row["当前完成值"] == "-2" and row["备注"] == "草稿" and row["状态"] == ed.UNSAVED
    assert row["状态原因"] == "当前完成值：“-2”不能为负数"
    assert df2.iloc[rate]["当前完成值"] == "95" and df2.iloc[rate]["_version"] == 1  # saved: fresh from the database
    # fixing only the bad cell saves the whole typed row
    _edit(at, new_key, {count: {"当前完成值": "3"}})
    _save(at)
    assert "已保存1行" in _texts(at.success)
    a = _stored(seeded, int(df.iloc[count]["_indicator_id"]))
    assert a.actual_value == 3 and a.remarks == "草稿"
    _, df3 = _snapshot(at)
    assert df3.iloc[count]["状态"] != ed.UNSAVED


def test_unsaved_rows_can_be_discarded(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    count = _pos(df, "装备学校数量", "区本课程经费")
    _edit(at, key, {count: {"当前完成值": "-1"}})
    _save(at)
    _, df2 = _snapshot(at)
    assert df2.iloc[count]["状态"] == ed.UNSAVED
    next(b for b in at.button if b.label == "放弃1行未保存的修改").click().run()
    _, df3 = _snapshot(at)
    assert df3.iloc[count]["状态"] != ed.UNSAVED and df3.iloc[count]["当前完成值"] is None  # nothing stored
    assert not [b for b in at.button if b.label.startswith("放弃")]


def test_explanations_are_demanded_when_the_row_deviates(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", "区本课程经费")
    _edit(at, key, {rate: {"当前完成值": "80", "完成可能性": "有可能"}})
    _save(at)
    err = _texts(at.error)
    assert "偏差原因：黄色或红色指标须至少选择一项" in err and "说明：" in err and "纠偏措施：" in err
    assert _stored(seeded, int(df.iloc[rate]["_indicator_id"])) is None
    key2, df2 = _snapshot(at)
    assert df2.iloc[rate]["完成可能性"] == "有可能"
    _edit(at, key2, {rate: {"偏差原因": ["人员保障", "经费保障"], "说明": "回访样本不足", "纠偏措施": "增加回访"}})
    _save(at)
    a = _stored(seeded, int(df.iloc[rate]["_indicator_id"]))
    assert a is not None and a.reasons == "经费保障;人员保障" and a.likelihood == "有可能" and a.measures == "增加回访"


def test_spending_editor_saves_and_checks(open_entry, seeded):
    at = open_entry()
    key, sp = _snapshot(at, "sp")
    pos = _pos(sp, "区本课程经费")
    _edit(at, key, {pos: {"累计支出（万元）": "150"}})
    _save(at)
    assert "说明：累计支出150万元超过预算100万元" in _texts(at.error)
    key2, sp2 = _snapshot(at, "sp")
    assert sp2.iloc[pos]["累计支出（万元）"] == "150"
    _edit(at, key2, {pos: {"累计支出（万元）": "70", "全年预计执行数（万元）": "100"}})
    _save(at)
    with Session(seeded) as s:
        a = s.execute(select(SpendingActual).where(SpendingActual.period_code == PERIOD)).scalar_one()
    assert a.spent_wan == 70 and a.projected_wan == 100 and a.updated_by == "jiaoyu"


def test_locked_period_is_read_only(open_entry, seeded):
    A.lock_period(seeded, ADMIN, PERIOD, "已报送")
    at = open_entry()
    assert "已锁定" in _texts(at.warning)
    assert "保存" not in [b.label for b in at.button]
    assert not at.data_editor  # read-only tables (st.dataframe), no editor
    tables = [d for d in at.dataframe if "_version" in d.value.columns]  # the two entry tables
    assert [d.editing_mode for d in tables] == ["read_only", "read_only"]
    assert "教师学生满意度" in set(tables[0].value["三级指标"]) and "累计支出（万元）" in tables[1].value.columns
    # even a stale form submitting for the locked period is refused by the data layer
    A.reopen_period(seeded, ADMIN, PERIOD, "补报")
    at.run()
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", "区本课程经费")
    A.lock_period(seeded, ADMIN, PERIOD)
    _edit(at, key, {rate: {"当前完成值": "95"}})
    _save(at)
    assert "已锁定" in _texts(at.error)
    assert _stored(seeded, int(df.iloc[rate]["_indicator_id"])) is None


def test_conflict_is_detected_and_can_be_resolved_either_way(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", "区本课程经费")
    qual = _pos(df, "设备质量", "区本课程经费")
    rate_id, qual_id = int(df.iloc[rate]["_indicator_id"]), int(df.iloc[qual]["_indicator_id"])
    # a colleague saves both rows after this page was loaded
    other = Principal("weijian", "同事", "admin", system=True)
    A.save_indicator_rows(seeded, other, PERIOD, [{"indicator_id": rate_id, "version": None, "actual_value": 91},
                                                  {"indicator_id": qual_id, "version": None, "actual_judgement": "达成"}])
    _edit(at, key, {rate: {"当前完成值": "96"}, qual: {"完成情况": "部分达成", "偏差原因": ["其他"], "说明": "x",
                                                      "完成可能性": "确定能"}})
    _save(at)
    assert "2行与他人修改冲突" in _texts(at.warning)
    md = "\n".join(m.value for m in at.markdown)
    assert "weijian" in md and "教师学生满意度" in md
    assert _stored(seeded, rate_id).actual_value == 91  # not overwritten
    conflict_tables = [d.value for d in at.dataframe if "对方的值" in d.value.columns]
    assert any(("91" in t["对方的值"].tolist() and "96" in t["你的值"].tolist()) for t in conflict_tables)
    # the typed values are still in the editor
    _, df2 = _snapshot(at)
    assert df2.iloc[rate]["当前完成值"] == "96" and df2.iloc[rate]["状态"] == ed.UNSAVED
    # overwrite the rate with mine, take theirs for the judgement
    next(b for b in at.button if b.key and b.key.startswith(f"entry_mine_ind_{rate_id}_")).click().run()
    assert not at.exception
    a = _stored(seeded, rate_id)
    assert a.actual_value == 96 and a.version == 2 and a.updated_by == "jiaoyu"
    take = next(b for b in at.button if b.key.startswith(f"entry_theirs_ind_{qual_id}_"))
    take.click().run()
    assert _stored(seeded, qual_id).actual_judgement == "达成"
    _, df3 = _snapshot(at)
    assert df3.iloc[qual]["完成情况"] == "达成" and df3.iloc[qual]["状态"] != ed.UNSAVED
    assert not any(b.key and b.key.startswith("entry_theirs") for b in at.button)


def test_upload_previews_then_saves_on_confirm(open_entry, seeded):
    at = open_entry()
    csv = ("project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks\n"
           "区本课程经费,教师学生满意度,2024Q3,96,,,,,,\n"
           "区本课程经费,设备质量,2024Q3,很好,,,,,,\n"
           "高新中学装备经费,设备质量,2024Q3,达成,,,,,,\n").encode()
    up = next(u for u in at.file_uploader)
    up.set_value(("a.csv", csv, "text/csv")).run()
    assert not at.exception, at.exception
    md = "\n".join(m.value for m in at.markdown)
    assert "将保存1行" in md
    problems = next(d.value for d in at.dataframe if "原因" in d.value.columns and "位置" in d.value.columns)
    reasons = "\n".join(problems["原因"])
    assert "完成情况：不认识「很好」" in reasons and "只能填报本单位的项目" in reasons
    df = A.entry_frame(seeded, ADMIN, PERIOD)
    rate_id = int(df[(df["项目"] == "区本课程经费") & (df["三级指标"] == "教师学生满意度")]["_indicator_id"].iloc[0])
    assert _stored(seeded, rate_id) is None  # nothing saved before the confirmation
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception, at.exception
    assert _stored(seeded, rate_id).actual_value == 96
    assert "导入完成" in _texts(at.warning) and "第3行" in _texts(at.error)
    with Session(seeded) as s:
        from data_access.models import AuditLog

        log = s.execute(select(AuditLog).where(AuditLog.entity == "indicator_actual")).scalars().all()
    assert log and all("CSV导入" in a.detail and a.username == "jiaoyu" for a in log)


def test_periods_page_admin_locks_and_reopens_leader_reads(new_app, sign_in, seeded):
    at = sign_in(new_app(), "admin")
    at.run()
    at.switch_page("app_pages/periods.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="periods_code").set_value(PERIOD).run()
    next(b for b in at.button if b.label == "锁定").click().run()
    assert "已锁定2024年第三季度" in _texts(at.success)
    assert {s.code: s.locked for s in A.period_states(seeded, 2024)}[PERIOD]
    # reopening needs a reason
    next(b for b in at.button if b.label == "重新开放").click().run()
    assert "原因" in _texts(at.error)
    at.text_input(key="periods_reason").input("教育科补报").run()
    next(b for b in at.button if b.label == "重新开放").click().run()
    assert "已重新开放" in _texts(at.success)
    audit = next(d.value for d in at.dataframe if "操作人" in d.value.columns)
    assert {"锁定填报期", "重新开放"} <= set(audit["操作"])
    leader = sign_in(new_app(), "leader")
    leader.run()
    leader.switch_page("app_pages/periods.py").run()
    assert not leader.exception
    assert not [b for b in leader.button if b.label in ("锁定", "重新开放")]
    assert any("代码" in d.value.columns for d in leader.dataframe)


def test_a_page_left_open_by_a_deactivated_user_saves_nothing(open_entry, seeded):
    """The save button's callback runs before the script re-checks the session, with the principal the page
    was drawn with: the data layer re-reads the account in the save's transaction and refuses."""
    from data_access.permissions import SYSTEM_ADMIN
    from data_access.users import set_active

    at = open_entry("jiaoyu")
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", "区本课程经费")
    rate_id = int(df.iloc[rate]["_indicator_id"])
    set_active(seeded, "jiaoyu", False, by=SYSTEM_ADMIN)  # the admin, meanwhile
    _edit(at, key, {rate: {"当前完成值": "95"}})
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert _stored(seeded, rate_id) is None  # nothing written
    assert "账户不存在或已停用" in _texts(at.error)  # and the page says why (it is signed out as well)
