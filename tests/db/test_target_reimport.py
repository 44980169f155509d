"""Re-importing a target document keeps every stored value on its indicator (docs/rules.md §10.2):
indicators are matched by their names, never by position; changes to indicators with values must be
confirmed; removing one with values is refused; every changed field is audited."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.actuals import field_text, lock_period
from data_access.models import AuditLog, Indicator, IndicatorActual, Project
from data_access.permissions import SYSTEM_ADMIN, Principal
from data_access.target_sync import ChangesNeedConfirmation
from data_access.targets import ImportRefused, save_document
from documents.targets_io import read_target_document
from seed.loader import load_assignments
from tests.conftest import ROOT

ADMIN = Principal("admin", "管理员", "admin", system=True)  # not an account: never re-read
PROJECT = "区本课程经费"
HEADER = "\t指标值确定依据\n\n"
NEW_ROW = "\t产出指标\n\t数量指标\n\t新增培训场次\n\t组织教师培训\n\t≥5场\n\t年度计划\n\n"


def _import(engine, text: str, **kw):
    doc = read_target_document(text.encode("utf-8"), "targets.txt", 2024)
    return save_document(engine, doc, assignments=load_assignments(), source_name="targets.txt", by=SYSTEM_ADMIN, **kw)


def _with_row_at_top(seed: str, project: str = PROJECT) -> str:
    start = seed.index(f"{project}项目绩效目标表")
    at = seed.index(HEADER, start) + len(HEADER)
    return seed[:at] + NEW_ROW + seed[at:]


def _values(engine, project: str = PROJECT) -> dict[tuple[str, str], str]:
    """(period, 三级指标) -> stored remark, for every value of the project."""
    with Session(engine) as s:
        q = (select(IndicatorActual.period_code, Indicator.level3, IndicatorActual.remarks)
             .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
             .join(Project, Project.id == Indicator.project_id).where(Project.name == project))
        return {(code, level3): remark for code, level3, remark in s.execute(q)}


def _store_remarks(engine, project: str = PROJECT) -> dict[tuple[str, str], str]:
    """Values as staff stored them (written directly: the save path is tested elsewhere), each remark
    naming the indicator it belongs to."""
    with Session(engine) as s:
        inds = list(s.execute(select(Indicator.id, Indicator.level3).join(Project).where(Project.name == project)))
        for code in ("2024Q2", "2024Q3"):
            for iid, name in inds:
                s.add(IndicatorActual(indicator_id=iid, period_code=code, remarks=f"{code}：{name}", updated_by="jiaoyu"))
        s.commit()
    values = _values(engine, project)
    assert len(values) == 2 * len(inds) and all(v.endswith(k[1]) for k, v in values.items())
    return values


@pytest.mark.parametrize("project", [PROJECT, "高新中学装备经费"])
def test_an_inserted_indicator_leaves_every_value_on_its_indicator(seeded_engine, seed_bytes, project):
    seed = seed_bytes.decode("utf-8")
    before = _store_remarks(seeded_engine, project)
    lock_period(seeded_engine, ADMIN, "2024Q2")  # values in a locked period too
    r = _import(seeded_engine, _with_row_at_top(seed, project))
    assert (r.projects_updated, r.indicators_added, r.indicators_removed) == (1, 1, 0)
    assert _values(seeded_engine, project) == before  # every remark still on the indicator it was written for
    with Session(seeded_engine) as s:
        names = list(s.execute(select(Indicator.level3).join(Project).where(Project.name == project)
                               .order_by(Indicator.seq)).scalars())
        added = s.execute(select(AuditLog).where(AuditLog.entity == "indicator", AuditLog.field == "indicator")
                          ).scalars().one()
    assert names[0] == "新增培训场次"  # in the document's order
    assert added.new == "新增培训场次" and added.old is None and "新增指标" in added.detail
    assert "新增指标1个" in r.summary()
    again = _import(seeded_engine, _with_row_at_top(seed, project))  # the same file twice: nothing
    assert (again.projects_updated, again.indicators_added) == (0, 0)


def test_a_changed_target_with_values_must_be_confirmed_and_is_audited(seeded_engine, seed_bytes):
    seed = seed_bytes.decode("utf-8")
    before = _store_remarks(seeded_engine)
    lock_period(seeded_engine, ADMIN, "2024Q3")
    changed = _with_row_at_top(seed).replace("\t≤11.7万", "\t≤12万", 1)
    with pytest.raises(ChangesNeedConfirmation) as e:
        _import(seeded_engine, changed)
    [change] = e.value.changes
    assert (change.project, change.indicator, change.field, change.old, change.new) == (
        PROJECT, "成人教育费用", "target_text", "≤11.7万", "≤12万")
    assert change.periods == ("2024Q2", "2024Q3") and change.locked == ("2024Q3",)
    assert "指标值" in str(change) and "已锁定：2024Q3" in str(change)
    with Session(seeded_engine) as s:  # nothing written, not even the inserted indicator
        assert s.execute(select(Indicator).where(Indicator.level3 == "新增培训场次")).first() is None
        assert s.execute(select(Indicator.value).where(Indicator.level3 == "成人教育费用")).scalar_one() == 11.7
    r = _import(seeded_engine, changed, confirm_changes=True)
    assert [c.field for c in r.confirmed] == ["target_text"] and r.fields_changed == 1
    assert _values(seeded_engine) == before
    with Session(seeded_engine) as s:
        ind = s.execute(select(Indicator).where(Indicator.level3 == "成人教育费用")).scalar_one()
        log = s.execute(select(AuditLog).where(AuditLog.entity == "indicator", AuditLog.entity_id == ind.id)
                        ).scalars().all()
    assert ind.value == 12.0
    assert [(a.action, a.field, a.old, a.new) for a in log] == [("import", "target_text", "≤11.7万", "≤12万")]
    assert field_text("target_text") == "指标值" and field_text("project_name") == "项目名称"  # as the audit page shows


def test_removing_an_indicator_with_values_is_refused(seeded_engine, seed_bytes):
    seed = seed_bytes.decode("utf-8")
    before = _store_remarks(seeded_engine)
    gone = seed.replace("\t\n\t时效指标\n\t按时完成装备采购\n\t在使用前完成学校装备\n\t完成\n\t工作经验\n\n", "", 1)
    assert gone != seed
    with pytest.raises(ImportRefused) as e:
        _import(seeded_engine, gone)
    assert "按时完成装备采购" in str(e.value) and "不能删除" in str(e.value)
    assert _values(seeded_engine) == before


def test_cli_lists_changes_in_chinese_and_needs_confirm(db_url, seeded_engine, seed_bytes, tmp_path):
    _store_remarks(seeded_engine)
    f = tmp_path / "targets.txt"
    f.write_text(seed_bytes.decode("utf-8").replace("\t≤11.7万", "\t≤12万", 1), encoding="utf-8")

    def manage(*extra):
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), "import-targets", str(f), "--db", db_url,
                               *extra], capture_output=True, text=True, cwd=ROOT, timeout=120)

    r = manage()
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "--confirm" in r.stderr and "「区本课程经费」指标“成人教育费用”的指标值：“≤11.7万” → “≤12万”" in r.stderr
    r = manage("--confirm")
    assert r.returncode == 0, r.stderr
    assert "已确认修改" in r.stdout and "修改1处" in r.stdout
