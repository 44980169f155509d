"""Conflict and import messages on 填报 (AppTest, through the real app.py): people are named by display
name, both values are shown, only actions that exist are offered, one's own earlier save is recognised;
a file for a locked period is refused in one line."""

from __future__ import annotations

from data_access import actuals as A
from documents.actuals_template import build_template
from tests.app.test_entry_page import ADMIN, PERIOD, _edit, _pos, _save, _snapshot, _stored, _texts, open_entry, seeded
from tests.db.test_actuals import _fill_template

__all__ = ["open_entry", "seeded"]  # fixtures used by name below

PROJECT = "区本课程经费"
def _account(engine, username: str):
    """The principal of a real demo account (a write re-reads it, so it must exist as it is)."""
    from data_access.users import principal_for
    from seed.demo_users import ensure_demo_users

    ensure_demo_users(engine)
    return principal_for(engine, username)


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _labels(at) -> list[str]:
    return [b.label for b in at.button]


def _rate(df) -> tuple[int, int]:
    pos = _pos(df, "教师学生满意度", PROJECT)
    return pos, int(df.iloc[pos]["_indicator_id"])


def test_conflict_names_the_person_and_advises_the_real_choice(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    pos, iid = _rate(df)
    from data_access.permissions import SYSTEM_ADMIN
    from data_access.users import set_user_units

    _account(seeded, "weijian")
    set_user_units(seeded, "weijian", ["卫生健康科", "教育科"], by=SYSTEM_ADMIN)  # a colleague who may edit it too
    A.save_indicator_rows(seeded, _account(seeded, "weijian"), PERIOD,
                          [{"indicator_id": iid, "version": None, "actual_value": 91}])
    _edit(at, key, {pos: {"当前完成值": "96"}})
    _save(at)
    md, warn = _markdown(at), _texts(at.warning)
    assert "卫生健康科填报员（示例）（weijian）于" in md and "版本" not in md
    assert "1行与他人修改冲突" in warn and "修改后再次保存即可" not in warn and "比较两边的值" in warn
    table = next(d.value for d in at.dataframe if "对方的值" in d.value.columns)
    assert table.iloc[0].tolist() == ["当前完成值", "91", "96"]
    assert {"采用对方的值", "用我的值覆盖"} <= set(_labels(at))


def test_own_earlier_save_is_not_called_the_other_side(open_entry, seeded):
    at = open_entry()
    key, df = _snapshot(at)
    pos, iid = _rate(df)
    A.save_indicator_rows(seeded, _account(seeded, "jiaoyu"), PERIOD, [{"indicator_id": iid, "version": None, "actual_value": 91}])
    _edit(at, key, {pos: {"当前完成值": "96"}})
    _save(at)
    md = _markdown(at)
    assert "你本人已于" in md and "对方" not in md + _texts(at.warning)
    assert "1行与你之前在别处保存的值不同" in _texts(at.warning)
    table = next(d.value for d in at.dataframe if "之前保存的值" in d.value.columns)
    assert table.iloc[0].tolist() == ["当前完成值", "91", "96"]
    assert "采用对方的值" not in _labels(at)
    next(b for b in at.button if b.label == "用表格中的值覆盖").click().run()
    assert _stored(seeded, iid).actual_value == 96


def _template(seeded, at) -> bytes:
    """The template of the project as exported before the saves below (the page's own rows only)."""
    _, df = _snapshot(at)
    pids = sorted({int(p) for p in df[df["项目"] == PROJECT]["_project_id"]})
    rows = A.entry_frame(seeded, _account(seeded, "jiaoyu"), PERIOD, pids).to_dict("records")
    sp = A.spending_frame(seeded, _account(seeded, "jiaoyu"), PERIOD, pids).to_dict("records")
    return build_template(rows, "2024年第三季度", spending=sp, period_code=PERIOD, unit_label="教育科")


def test_reuploading_own_template_after_saving_names_oneself_and_can_overwrite(open_entry, seeded):
    at = open_entry()
    _, df = _snapshot(at)
    _, iid = _rate(df)
    blank = _template(seeded, at)
    A.save_indicator_rows(seeded, _account(seeded, "jiaoyu"), PERIOD, [{"indicator_id": iid, "version": None, "actual_value": 91}])
    data = _fill_template(blank, {(PROJECT, "教师学生满意度"): {"当前完成值": 96}})
    next(u for u in at.file_uploader).set_value(("t.xlsx", data, "application/vnd.ms-excel")).run()
    assert not at.exception, at.exception
    problems = next(d.value for d in at.dataframe if "文件中的值" in d.value.columns)
    assert "你本人" in problems["原因"].iloc[0] and "对方" not in "".join(problems["原因"])
    assert problems["已保存的值"].iloc[0] == "当前完成值：91" and problems["文件中的值"].iloc[0] == "当前完成值：96"
    assert "采用对方的值" not in _labels(at) and "用你的值覆盖" not in "".join(problems["原因"])
    at.checkbox(key="entry_import_overwrite_own").check().run()
    assert "将保存1行" in _markdown(at)
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception, at.exception
    assert _stored(seeded, iid).actual_value == 96


def test_someone_elses_save_is_not_overwritten_by_a_file(open_entry, seeded):
    at = open_entry()
    _, df = _snapshot(at)
    _, iid = _rate(df)
    blank = _template(seeded, at)
    A.save_indicator_rows(seeded, ADMIN, PERIOD, [{"indicator_id": iid, "version": None, "actual_value": 91}])
    data = _fill_template(blank, {(PROJECT, "教师学生满意度"): {"当前完成值": 96}})
    next(u for u in at.file_uploader).set_value(("t.xlsx", data, "application/vnd.ms-excel")).run()
    problems = next(d.value for d in at.dataframe if "文件中的值" in d.value.columns)
    assert "管理员" in problems["原因"].iloc[0] and "请选择" not in problems["原因"].iloc[0]
    assert "重新下载填报模板" in "\n".join(i.value for i in at.info)
    assert not list(at.checkbox)  # no overwrite of someone else's save from a file


def test_a_file_for_a_locked_period_is_refused_in_one_line(open_entry, seeded):
    A.lock_period(seeded, ADMIN, "2024Q1", "已报送")
    at = open_entry()
    _, df = _snapshot(at)
    items = df[df["项目"] == PROJECT]["三级指标"].tolist()
    csv = "project,indicator,period,actual,projected,likelihood,reasons,explanation,measures,remarks\n" + "".join(
        f"{PROJECT},{i},2024Q1,1,,,,,,\n" for i in items)
    next(u for u in at.file_uploader).set_value(("a.csv", csv.encode(), "text/csv")).run()
    problems = next(d.value for d in at.dataframe if "原因" in d.value.columns and "位置" in d.value.columns)
    assert len(problems) == 1 and problems["位置"].iloc[0] == f"共{len(items)}行"
    assert "已锁定" in problems["原因"].iloc[0]
