"""The admin's rule choices and the judgement wording through the database (migration
0006_rule_overrides), on SQLite and PostgreSQL: stored, audited, refused in Chinese without writing,
and read back by the status engine, the self-evaluation and the exports."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import entry_frame, save_indicator_rows
from data_access.db import current_revision
from data_access.exports import selfeval_results
from data_access.models import AuditLog, IndicatorActual
from data_access.monitoring import evaluate
from data_access.permissions import PermissionDenied, Principal
from data_access.rule_overrides import (
    RuleChoiceError,
    indicator_rules,
    selfeval_presets,
    set_indicator_rules,
    set_selfeval_preset,
)
from data_access.views import ViewFilters, indicators_frame
from tests.conftest import admin_named

Q3, YE = date(2024, 9, 30), date(2024, 12, 31)
ADMIN = admin_named()
LEADER = Principal("leader", "局领导", "leader")
RINK = "高新区滑冰馆运营服务经费"  # 成本指标 支付滑冰馆2024年运营成本 =165.2万元
COURSE = "区本课程经费"  # 质量指标 设备质量 符合 (qualitative)


@pytest.fixture
def frame(seeded_engine):
    return entry_frame(seeded_engine, ADMIN, "2024Q3")


def _ids(frame, project: str, indicator: str) -> tuple[int, int]:
    row = frame[(frame["项目"] == project) & (frame["三级指标"] == indicator)].iloc[0]
    return int(row["_project_id"]), int(row["_indicator_id"])


def _status(engine, project_id: int, indicator_id: int, as_of: date = YE):
    r = evaluate(engine, 2024, as_of, project_ids=[project_id])[0]
    return next(s for s in r.indicators if s.indicator.id == indicator_id)


def _audit(engine, field: str) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.execute(select(AuditLog).where(AuditLog.field == field).order_by(AuditLog.id)).scalars())


def test_direction_of_an_equal_amount_is_set_audited_and_judged(seeded_engine, frame):
    pid, iid = _ids(frame, RINK, "支付滑冰馆2024年运营成本")
    save_indicator_rows(seeded_engine, ADMIN, "2024Q4", [{"indicator_id": iid, "version": None, "actual_value": 142.0}])
    assert "未超过上限" in _status(seeded_engine, pid, iid).reason  # 成本: a ceiling by default
    rev = current_revision(seeded_engine)

    assert set_indicator_rules(seeded_engine, pid, {iid: (None, "reach")}, ADMIN) == 1
    st = _status(seeded_engine, pid, iid)
    assert st.status == "red"
    assert st.reason.startswith("管理员设定：按达到目标判断（不低于目标值）；水平型直接判断")
    assert current_revision(seeded_engine) > rev
    row = _audit(seeded_engine, "direction")[-1]
    assert (row.username, row.entity, row.entity_id, row.old, row.new) == (
        "admin", "indicator", iid, "按二级指标（默认）", "按达到目标判断（不低于目标值）")
    # the self-evaluation follows: 142 of 165.2 to reach scores B/A
    ev = selfeval_results(seeded_engine, 2024, YE, project_ids=[pid])[0]
    item = next(i for i in ev.items if i.indicator.id == iid)
    assert "未达目标=165.2万元" in item.note
    # the editor shows how it is judged now and by default
    rule = next(r for r in indicator_rules(seeded_engine, pid) if r.id == iid)
    assert (rule.is_equal, rule.direction, rule.default_mode, rule.mode) == (True, "reach", "上限型直接判断", "水平型直接判断")
    # back to the rule by 二级指标
    assert set_indicator_rules(seeded_engine, pid, {iid: (None, None)}, ADMIN) == 1
    assert "管理员设定" not in _status(seeded_engine, pid, iid).reason


@pytest.mark.parametrize("choice, message", [
    ((None, "reach"), "指标「设备质量」的指标值不是“=”目标，不能设定方向，未保存任何修改"),
    ((True, None), "指标「设备质量」的指标值不是数值目标，不能设为累计型或水平型，未保存任何修改"),
    ((None, "down"), "“=”目标方向须为"),
])
def test_a_choice_that_does_not_apply_is_refused_and_nothing_is_written(seeded_engine, frame, choice, message):
    pid, qual = _ids(frame, COURSE, "设备质量")
    _, count = _ids(frame, COURSE, "装备学校数量")
    rev = current_revision(seeded_engine)
    with pytest.raises(RuleChoiceError, match=message):
        set_indicator_rules(seeded_engine, pid, {count: (False, None), qual: choice}, ADMIN)
    assert current_revision(seeded_engine) == rev
    assert next(r for r in indicator_rules(seeded_engine, pid) if r.id == count).accumulates is None  # not half-written


def test_only_an_administrator_chooses(seeded_engine, frame):
    pid, iid = _ids(frame, COURSE, "装备学校数量")
    with pytest.raises(PermissionDenied):
        set_indicator_rules(seeded_engine, pid, {iid: (False, None)}, LEADER)
    with pytest.raises(PermissionDenied):
        set_selfeval_preset(seeded_engine, LEADER, "hubei", project_id=pid)


def test_accumulating_choice_is_audited_and_named_in_the_reason(seeded_engine, frame):
    pid, iid = _ids(frame, COURSE, "装备学校数量")
    save_indicator_rows(seeded_engine, ADMIN, "2024Q3", [{"indicator_id": iid, "version": None, "actual_value": 1.0,
                                                          "reasons": "其他", "explanation": "分批", "likelihood": "确定能"}])
    set_indicator_rules(seeded_engine, pid, {iid: (False, None)}, ADMIN)
    st = _status(seeded_engine, pid, iid, Q3)
    assert st.mode == "level" and st.reason.startswith("管理员设定：水平型（不按序时折算）；水平型直接判断")
    row = _audit(seeded_engine, "accumulates")[-1]
    assert (row.old, row.new, row.detail) == ("按默认规则", "水平型", "装备学校数量")


def test_presets_per_document_and_project_weigh_the_preview(seeded_engine, frame):
    pid, _ = _ids(frame, RINK, "支付滑冰馆2024年运营成本")
    other, _ = _ids(frame, COURSE, "设备质量")
    assert set_selfeval_preset(seeded_engine, ADMIN, "budget20", year=2024)
    assert set_selfeval_preset(seeded_engine, ADMIN, "hubei", project_id=pid)
    assert not set_selfeval_preset(seeded_engine, ADMIN, "hubei", project_id=pid)  # unchanged
    assert selfeval_presets(seeded_engine, [pid, other]) == {pid: ("hubei", "本项目"), other: ("budget20", "本年度目标表")}
    evs = {ev.project.id: ev for ev in selfeval_results(seeded_engine, 2024, YE, project_ids=[pid, other])}
    assert evs[pid].budget_weight == 20 and evs[pid].weights_note.startswith("权重方案「湖北（20/40/40）」（本项目设定）")
    assert evs[other].weights_note.startswith("权重方案「预算执行20/指标80（云南等）」（本年度目标表设定）")
    rows = _audit(seeded_engine, "selfeval_preset")
    assert [(r.entity, r.old, r.new) for r in rows] == [
        ("fiscal_year", "按设置", "预算执行20/指标80（云南等）"), ("project", "随年度目标表或设置", "湖北（20/40/40）")]
    with pytest.raises(RuleChoiceError, match="自评权重方案须为"):
        set_selfeval_preset(seeded_engine, ADMIN, "custom", project_id=pid)
    set_selfeval_preset(seeded_engine, ADMIN, None, project_id=pid)
    assert selfeval_presets(seeded_engine, [pid]) == {pid: ("budget20", "本年度目标表")}


def test_the_official_wording_is_stored_beside_the_judgement_and_shown(seeded_engine, frame):
    pid, iid = _ids(frame, COURSE, "设备质量")
    res = save_indicator_rows(seeded_engine, ADMIN, "2024Q3", [{"indicator_id": iid, "version": None,
                                                                "actual_judgement": "达成年度指标"}], source="csv")
    assert res.ok, res.errors
    with Session(seeded_engine) as s:
        a = s.execute(select(IndicatorActual).where(IndicatorActual.indicator_id == iid)).scalar_one()
    assert (a.actual_judgement, a.actual_judgement_text) == ("达成", "达成年度指标")
    # 项目详情 and the exports show the judgement with its wording; 填报 shows the wording in its own column
    r = evaluate(seeded_engine, 2024, Q3, project_ids=[pid])[0]
    shown = indicators_frame(r, ViewFilters())
    assert "达成（原文：达成年度指标）" in set(shown["当前值"])
    row = entry_frame(seeded_engine, ADMIN, "2024Q3")
    assert row[row["_indicator_id"] == iid].iloc[0]["填报原文"] == "完成情况：达成年度指标"
    # the grid re-sends the word it shows: the wording stays; another judgement drops it (audited)
    version = int(row[row["_indicator_id"] == iid].iloc[0]["_version"])
    res = save_indicator_rows(seeded_engine, ADMIN, "2024Q3", [{"indicator_id": iid, "version": version,
                                                                "actual_judgement": "达成", "remarks": "复核"}])
    assert res.ok, res.errors
    with Session(seeded_engine) as s:
        a = s.execute(select(IndicatorActual).where(IndicatorActual.indicator_id == iid)).scalar_one()
        assert a.actual_judgement_text == "达成年度指标"
        version = a.version
    save_indicator_rows(seeded_engine, ADMIN, "2024Q3", [{"indicator_id": iid, "version": version,
                                                          "actual_judgement": "部分达成", "reasons": "其他",
                                                          "explanation": "部分设备未到", "likelihood": "确定能"}])
    rows = _audit(seeded_engine, "actual_judgement_text")
    assert [(r.old, r.new) for r in rows] == [(None, "达成年度指标"), ("达成年度指标", None)]
