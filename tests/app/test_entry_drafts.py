"""Unsaved edits on 填报 (AppTest, through the real app.py): they survive a change of page, project and
filter; 须填写 follows them before any save, listing every requirement at once in the grid's words; the
只看待填/须补充 filter; the warning on a past open period; no upload box on a locked period."""

from __future__ import annotations

from components import entry_editor as ed
from data_access import actuals as A
from domain.entry_todo import MEASURES_HINT
from tests.app.test_entry_page import ADMIN, PERIOD, _edit, _pos, _save, _snapshot, _stored, _texts, open_entry, seeded

__all__ = ["open_entry", "seeded"]  # fixtures used by name below

PROJECT = "区本课程经费"


def _editing(at) -> dict[str, str]:
    """The 修改中的行 table: 事项 -> 须填写 (what the rows being typed still need, computed live)."""
    tables = [d.value for d in at.dataframe if "须填写" in d.value.columns and "事项" in d.value.columns]
    return dict(zip(tables[0]["事项"], tables[0]["须填写"])) if tables else {}


def test_required_follows_typing_before_saving(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    rate = _pos(df, "教师学生满意度", PROJECT)
    assert df.iloc[rate]["须填写"] == "当前完成值"
    item = f"{PROJECT} / 教师学生满意度"
    assert item not in _editing(at)
    _edit(at, key, {rate: {"当前完成值": "80"}})
    at.run()
    assert _editing(at)[item] == f"偏差原因、说明、完成可能性（{MEASURES_HINT}）"  # all at once, nothing saved
    _edit(at, key, {rate: {"当前完成值": "80", "完成可能性": "有可能"}})
    at.run()
    assert _editing(at)[item] == "偏差原因、说明、纠偏措施"
    _edit(at, key, {rate: {"当前完成值": "80", "完成可能性": "有可能", "偏差原因": ["其他"], "说明": "样本少",
                           "纠偏措施": "增加回访"}})
    at.run()
    assert _editing(at)[item] == "（已齐全）"
    assert _stored(seeded, int(df.iloc[rate]["_indicator_id"])) is None  # typing saves nothing
    _save(at)
    assert _stored(seeded, int(df.iloc[rate]["_indicator_id"])).measures == "增加回访"


def test_unsaved_edits_and_choices_survive_another_page(open_entry, seeded):
    at = open_entry()
    _, df = _snapshot(at)
    pid = int(df[df["项目"] == PROJECT]["_project_id"].iloc[0])
    at.selectbox(key="entry_project").set_value(pid).run()
    key, df = _snapshot(at)
    count = _pos(df, "装备学校数量", PROJECT)
    _edit(at, key, {count: {"当前完成值": "2", "备注": "草稿"}})
    at.run()
    at.switch_page("app_pages/risks.py").run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/entry.py").run()
    assert not at.exception, at.exception
    assert _editing(at) == {f"{PROJECT} / 装备学校数量": "（已齐全）"}
    assert at.selectbox(key="entry_project").value == pid and at.selectbox(key="entry_period").value == PERIOD
    _, back = _snapshot(at)
    row = back.iloc[count]
    assert (row["当前完成值"], row["备注"], row["状态"]) == ("2", "草稿", ed.UNSAVED)
    assert "未保存1行" in "\n".join(c.value for c in at.caption)
    # another project and back: still there; saving stores what was typed before leaving
    at.selectbox(key="entry_project").set_value(0).run()
    at.selectbox(key="entry_project").set_value(pid).run()
    assert _snapshot(at)[1].iloc[count]["备注"] == "草稿"
    _save(at)
    a = _stored(seeded, int(df.iloc[count]["_indicator_id"]))
    assert a.actual_value == 2 and a.remarks == "草稿"


def test_typing_back_the_stored_value_is_not_unsaved(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    count = _pos(df, "装备学校数量", PROJECT)
    _edit(at, key, {count: {"备注": "x"}})
    at.run()
    assert f"{PROJECT} / 装备学校数量" in _editing(at) and [b for b in at.button if b.label.startswith("放弃")]
    _edit(at, key, {count: {"备注": ""}})
    at.run()
    assert not _editing(at)
    assert not [b for b in at.button if b.label.startswith("放弃")]


def test_filter_shows_only_rows_to_do(open_entry, seeded):
    at = open_entry()
    _, full = _snapshot(at)
    rate_id = int(full[(full["项目"] == PROJECT) & (full["三级指标"] == "教师学生满意度")]["_indicator_id"].iloc[0])
    A.save_indicator_rows(seeded, ADMIN, PERIOD, [{"indicator_id": rate_id, "version": None, "actual_value": 95}])
    at.toggle(key="entry_open_only").set_value(True).run()
    assert not at.exception, at.exception
    _, df = _snapshot(at)
    assert 0 < len(df) < len(full)
    assert rate_id not in set(df["_indicator_id"])  # done: green, nothing to add
    assert (df["须填写"] != "").all()
    # a row completed while the filter is on stays until the filter is made again
    key, _ = _snapshot(at)
    pos = _pos(df, "装备学校数量", PROJECT)
    _edit(at, key, {pos: {"当前完成值": "3"}})
    at.run()
    _, df2 = _snapshot(at)
    assert len(df2) == len(df) and _editing(at)[f"{PROJECT} / 装备学校数量"] == "（已齐全）"
    at.toggle(key="entry_open_only").set_value(False).run()
    assert len(_snapshot(at)[1]) == len(full)


def test_past_open_period_warns_and_locked_period_has_no_upload(open_entry, seeded):
    at = open_entry()
    current = A.default_entry_period(seeded, 2024)
    at.selectbox(key="entry_period").set_value(current).run()
    assert "已过去的填报期" not in _texts(at.warning)  # the current period
    at.selectbox(key="entry_period").set_value("2024Q1").run()
    assert "2024年第一季度是已过去的填报期" in _texts(at.warning)
    assert list(at.get("file_uploader"))
    A.lock_period(seeded, ADMIN, "2024Q1", "已报送")
    at.run()
    assert "已过去的填报期" not in _texts(at.warning) and "已锁定" in _texts(at.warning)
    assert not list(at.get("file_uploader"))
