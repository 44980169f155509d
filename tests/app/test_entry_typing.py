"""What a person types into the 填报 grid reaches the server as typed (AppTest, through the real app.py):
each typed string is either stored exactly (``９０００`` -> 9000, shown back as ``9000``) or refused
with a message naming the row, the field and what was typed — then the whole row stays in the grid as
typed, marked unsaved, nothing of it saved, while the other rows save."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from components import entry_editor as ed
from components.entry_columns import required_text
from data_access.models import SpendingActual
from tests.app.test_entry_page import PERIOD, _edit, _pos, _save, _snapshot, _stored, _texts, open_entry, seeded

__all__ = ["open_entry", "seeded"]  # fixtures used by name below

PROJECT = "区本课程经费"
LONG = "长" * 5000
COMPANION = "改善办学条件的程度"  # another row saved in the same click: 完成情况 达成


def _spending(engine, project_id: int) -> SpendingActual | None:
    with Session(engine) as s:
        return s.execute(select(SpendingActual).where(SpendingActual.project_id == project_id,
                                                      SpendingActual.period_code == PERIOD)).scalar_one_or_none()


@pytest.mark.parametrize(
    "item,column,typed,stored,shown",
    [
        ("装备学校数量", "当前完成值", "９０００", 9000.0, "9000"),
        ("装备学校数量", "当前完成值", " 9,000所 ", 9000.0, "9000"),
        ("装备学校数量", "全年预计", "９，０００", 9000.0, "9000"),
        ("教师学生满意度", "当前完成值", "９５％", 95.0, "95"),
        ("教师学生满意度", "当前完成值", "95.5", 95.5, "95.5"),
    ],
)
def test_typed_numbers_are_stored_exactly(open_entry, seeded, item, column, typed, stored, shown):
    at = open_entry()
    key, df = _snapshot(at)
    pos = _pos(df, item, PROJECT)
    extra = {"当前完成值": "3"} if column == "全年预计" else {}
    _edit(at, key, {pos: {column: typed, **extra, "说明": "超额完成"}})  # 9000所 of ≥3所 needs a 说明
    _save(at)
    assert "指标：已保存1行" in _texts(at.success)
    a = _stored(seeded, int(df.iloc[pos]["_indicator_id"]))
    assert (a.projected_value if column == "全年预计" else a.actual_value) == stored
    _, df2 = _snapshot(at)
    assert df2.iloc[pos][column] == shown and df2.iloc[pos]["状态"] != ed.UNSAVED  # canonical, from the database


@pytest.mark.parametrize(
    "item,edits,message",
    [
        ("装备学校数量", {"当前完成值": "12abc"}, "当前完成值：“12abc”不是数字"),
        ("装备学校数量", {"当前完成值": "-15"}, "当前完成值：“-15”不能为负数"),
        ("教师学生满意度", {"当前完成值": "95万元"}, "当前完成值：“95万元”不是数字"),
        ("装备学校数量", {"当前完成值": "90%"}, "当前完成值：本指标单位为所，不能填百分数“90%”"),
        ("装备学校数量", {"当前完成值": "1", "全年预计": "1e400"}, "全年预计：“1e400”不是数字"),
        ("设备质量", {"完成情况": "达成", "说明": LONG}, "说明：最多500字（当前5000字）"),
        ("设备质量", {"完成情况": "达成", "纠偏措施": LONG}, "纠偏措施：最多500字（当前5000字）"),
    ],
)
def test_refused_cells_are_named_and_the_row_kept_as_typed(open_entry, seeded, item, edits, message):
    at = open_entry()
    key, df = _snapshot(at)
    pos, other = _pos(df, item, PROJECT), _pos(df, COMPANION, PROJECT)
    typed = {**edits, "备注": "草稿"}
    _edit(at, key, {pos: typed, other: {"完成情况": "达成"}})
    _save(at)
    assert "已保存1行" in _texts(at.warning) and "1行未通过校验" in _texts(at.warning)
    assert f"第{pos + 1}行（{PROJECT} / {item}）{message}" in _texts(at.error)
    assert _stored(seeded, int(df.iloc[pos]["_indicator_id"])) is None  # nothing of the row half-saved
    assert _stored(seeded, int(df.iloc[other]["_indicator_id"])).actual_judgement == "达成"  # the other row saved
    _, df2 = _snapshot(at)
    row = df2.iloc[pos]
    assert {c: row[c] for c in typed} == typed  # exactly as typed, 5,000 characters included
    assert row["状态"] == ed.UNSAVED and message in row["状态原因"]


@pytest.mark.parametrize(
    "edits,message,stored",
    [
        ({"累计支出（万元）": "-15"}, "累计支出（万元）：“-15”不能为负数", None),
        ({"累计支出（万元）": "－１５"}, "累计支出（万元）：“－１５”不能为负数", None),
        ({"累计支出（万元）": "15元"}, "累计支出（万元）：“15元”不是数字", None),
        ({"累计支出（万元）": "70", "全年预计执行数（万元）": "-1"}, "全年预计执行数（万元）：“-1”不能为负数", None),
        ({"累计支出（万元）": "70", "说明": LONG}, "说明：最多500字（当前5000字）", None),
        ({"累计支出（万元）": "７０万元", "全年预计执行数（万元）": "100万"}, None, (70.0, 100.0)),
    ],
)
def test_spending_cells(open_entry, seeded, edits, message, stored):
    at = open_entry()
    key, sp = _snapshot(at, "sp")
    pos = _pos(sp, PROJECT)
    _edit(at, key, {pos: edits})
    _save(at)
    pid = int(sp.iloc[pos]["_project_id"])
    _, sp2 = _snapshot(at, "sp")
    if message is None:
        a = _spending(seeded, pid)
        assert (a.spent_wan, a.projected_wan) == stored
        assert (sp2.iloc[pos]["累计支出（万元）"], sp2.iloc[pos]["全年预计执行数（万元）"]) == ("70", "100")
        return
    assert f"第{pos + 1}行（{PROJECT}）{message}" in _texts(at.error)
    assert _spending(seeded, pid) is None  # refused, never flipped or cut
    assert {c: sp2.iloc[pos][c] for c in edits} == edits and sp2.iloc[pos]["状态"] == ed.UNSAVED


@pytest.mark.parametrize(
    "typed,message,stored",
    [
        ("15082024", "完成日期：无法识别日期“15082024”，请按YYYY-MM-DD填写（如2024-09-30）", None),
        ("08/15/2024", "完成日期：无法识别日期“08/15/2024”，请按YYYY-MM-DD填写（如2024-09-30）", None),
        ("2024-02-30", "完成日期：日期不存在“2024-02-30”，请按YYYY-MM-DD填写", None),
        ("2024-08-15", None, date(2024, 8, 15)),
        ("2024年8月15日", None, date(2024, 8, 15)),
        ("2024/8/15", None, date(2024, 8, 15)),
    ],
)
def test_completion_dates(open_entry, seeded, typed, message, stored):
    at = open_entry("admin")
    at.selectbox(key="entry_unit").set_value("残联").run()
    key, df = _snapshot(at)
    pos = _pos(df, "辅具配送完成时间", "残联事务经费")
    _edit(at, key, {pos: {"完成日期": typed}})
    _save(at)
    a = _stored(seeded, int(df.iloc[pos]["_indicator_id"]))
    _, df2 = _snapshot(at)
    if message is None:
        assert a.actual_date == stored and a.actual_judgement == "达成"
        assert df2.iloc[pos]["完成日期"] == "2024-08-15" and df2.iloc[pos]["完成情况"] == "达成"
        return
    assert f"第{pos + 1}行（残联事务经费 / 辅具配送完成时间）{message}" in _texts(at.error)
    assert a is None
    assert df2.iloc[pos]["完成日期"] == typed and df2.iloc[pos]["状态"] == ed.UNSAVED


def test_required_names_the_grid_columns(open_entry):
    at = open_entry()
    _, df = _snapshot(at)
    _, sp = _snapshot(at, "sp")
    assert df.iloc[_pos(df, "装备学校数量", PROJECT)]["须填写"] == "当前完成值"
    assert df.iloc[_pos(df, "设备质量", PROJECT)]["须填写"] == "完成情况"
    assert sp.iloc[_pos(sp, "义务教育保障机制区级配套")]["须填写"] == "累计支出（万元）"
    assert not (df["须填写"].str.contains("当前值").any() or sp["须填写"].str.contains("当前值").any())


@pytest.mark.parametrize(
    "required,mode,shown",
    [
        ("当前值", "accumulating", "当前完成值"),
        ("当前值、偏差原因、说明", "level", "当前完成值、偏差原因、说明"),
        ("当前值", "cap", "当前完成值"),
        ("当前值", "deadline", "完成情况"),
        ("当前值、纠偏措施", "qualitative", "完成情况、纠偏措施"),
        ("累计支出", None, "累计支出（万元）"),
        ("说明", None, "说明"),
        ("", "level", ""),
    ],
)
def test_required_text_per_indicator_kind(required, mode, shown):
    assert required_text(required, mode) == shown
