"""Evidence files (佐证材料) on SQLite and PostgreSQL: who may attach and delete what, the limits checked
by content (size, type, disguised files, bombs), locked periods, audit, the ZIP's layout and the backup
round trip."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from data_access import backup as B
from data_access.actuals import entry_frame, lock_period, reopen_period
from data_access.db import current_revision
from data_access.evidence import (
    EvidenceError,
    delete_evidence,
    evidence_bundle,
    evidence_content,
    evidence_list,
    upload_evidence,
)
from data_access.models import AuditLog, EvidenceContent, EvidenceFile, Unit
from data_access.monitoring import load_settings, save_settings
from data_access.permissions import PermissionDenied, Principal
from data_access.users import set_active
from documents.evidence_zip import MANIFEST_NAME, evidence_zip
from tests.conftest import account_for
from tests.evidence_files import (
    docm_as_docx,
    docx_bomb,
    docx_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bomb,
    png_bytes,
    xlsx_bytes,
)

Q3 = "2024Q3"
ADMIN = Principal("admin", "管理员", "admin", system=True)
LEADER = Principal("leader", "局领导", "leader")
P1 = "区本课程经费"  # 教育科
OTHER = "基本公共卫生经费"  # 卫生健康科
QUAL = (P1, "设备质量")


def _unit_id(engine, name: str) -> int:
    with Session(engine) as s:
        return s.execute(select(Unit.id).where(Unit.name == name)).scalar_one()


def _staff(engine, username: str = "jiaoyu", unit: str = "教育科") -> Principal:
    return account_for(engine, Principal(username, f"{username}姓名", "staff", frozenset({_unit_id(engine, unit)})))


@pytest.fixture
def ids(seeded_engine):
    df = entry_frame(seeded_engine, ADMIN, Q3)
    return {"ind": {(r["项目"], r["三级指标"]): int(r["_indicator_id"]) for _, r in df.iterrows()},
            "proj": {r["项目"]: int(r["_project_id"]) for _, r in df.iterrows()}}


def _upload(engine, by, ids, name="验收单.pdf", data=None, project=P1, indicator=QUAL, period=Q3):
    return upload_evidence(engine, by, project_id=ids["proj"][project], period_code=period, filename=name,
                           data=pdf_bytes() if data is None else data,
                           indicator_id=None if indicator is None else ids["ind"][indicator])


def _count(engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.execute(select(func.count()).select_from(EvidenceFile)).scalar_one(),
                s.execute(select(func.count()).select_from(EvidenceContent)).scalar_one())


def test_staff_attach_a_pdf_to_their_indicator_and_get_it_back(seeded_engine, ids):
    staff = _staff(seeded_engine)
    rev = current_revision(seeded_engine)
    data = pdf_bytes()
    info = _upload(seeded_engine, staff, ids, name="C:\\扫描\\设备验收单.pdf", data=data)
    assert (info.filename, info.kind, info.mime, info.size) == ("设备验收单.pdf", "pdf", "application/pdf", len(data))
    assert (info.item, info.project_name, info.unit_name, info.uploader) == ("设备质量", P1, "教育科", "jiaoyu姓名")
    assert current_revision(seeded_engine) > rev
    blob = evidence_content(seeded_engine, ADMIN, info.id)
    assert blob.data == data
    assert [i.id for i in evidence_list(seeded_engine, staff, period_code=Q3)] == [info.id]
    with Session(seeded_engine) as s:
        audit = s.execute(select(AuditLog).where(AuditLog.entity == "evidence_file")).scalars().one()
    assert (audit.username, audit.action, audit.field, audit.old, audit.new, audit.period_code) == (
        "jiaoyu", "upload", "file", None, "设备验收单.pdf", Q3)
    assert info.sha256 in audit.detail


def test_every_accepted_type_is_stored_spending_rows_too(seeded_engine, ids):
    staff = _staff(seeded_engine)
    files = {"照片.jpg": jpeg_bytes(), "照片.png": png_bytes(), "报告.docx": docx_bytes(), "台账.xlsx": xlsx_bytes(),
             "旧文档.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600}
    for name, data in files.items():
        _upload(seeded_engine, staff, ids, name=name, data=data, indicator=None)
    kinds = sorted(i.kind for i in evidence_list(seeded_engine, staff, period_code=Q3))
    assert kinds == ["doc", "docx", "jpeg", "png", "xlsx"]
    assert {i.item for i in evidence_list(seeded_engine, staff)} == {"预算执行"}


@pytest.mark.parametrize("who", ["leader", "other_unit", "nobody"])
def test_who_may_not_attach(seeded_engine, ids, who):
    by = {"leader": LEADER, "nobody": None}.get(who) or _staff(seeded_engine, "weijian", "卫生健康科")
    with pytest.raises(PermissionDenied):
        _upload(seeded_engine, by, ids)
    assert _count(seeded_engine) == (0, 0)


def test_staff_may_not_see_or_download_another_units_file(seeded_engine, ids):
    info = _upload(seeded_engine, ADMIN, ids)
    other = _staff(seeded_engine, "weijian", "卫生健康科")
    assert evidence_list(seeded_engine, other) == []
    with pytest.raises(PermissionDenied):
        evidence_content(seeded_engine, other, info.id)


@pytest.mark.parametrize("name,data,message", [
    ("病毒.exe", b"MZ\x90\x00" * 100, "不能作为佐证材料"),
    ("没有扩展名", pdf_bytes(), "没有扩展名"),
    ("空.pdf", b"", "空文件"),
    ("发票.pdf", png_bytes(), "与扩展名不符"),
    ("照片.jpg", b"just some text pretending to be a photo", "无法识别"),
    ("压缩包.docx", docx_bomb(), "压缩炸弹"),
    ("巨图.png", png_bomb(), "解压炸弹"),
    ("宏.docx", docm_as_docx(), "宏"),
    ("表格.xlsx", docx_bytes(), "与扩展名不符"),
])
def test_content_is_checked_not_only_the_name(seeded_engine, ids, name, data, message):
    with pytest.raises(EvidenceError, match=message):
        _upload(seeded_engine, _staff(seeded_engine), ids, name=name, data=data)
    assert _count(seeded_engine) == (0, 0)


def test_the_size_limit_is_the_admins_setting(seeded_engine, ids):
    big = pdf_bytes() + b"%" * 300_000  # a valid start, 0.3 MB
    save_settings(seeded_engine, load_settings(seeded_engine).with_changes(evidence_max_mb=0.2), ADMIN)
    with pytest.raises(EvidenceError, match=r"过大（0\.3 MB，上限0\.2 MB）"):
        _upload(seeded_engine, _staff(seeded_engine), ids, data=big)
    save_settings(seeded_engine, load_settings(seeded_engine).with_changes(evidence_max_mb=1), ADMIN)
    assert _upload(seeded_engine, _staff(seeded_engine), ids, data=big).size == len(big)


def test_the_same_file_twice_on_one_item_is_refused(seeded_engine, ids):
    staff = _staff(seeded_engine)
    _upload(seeded_engine, staff, ids)
    with pytest.raises(EvidenceError, match="相同内容的文件已上传过"):
        _upload(seeded_engine, staff, ids, name="另一个名字.pdf")
    _upload(seeded_engine, staff, ids, indicator=None)  # another item may hold the same file
    assert _count(seeded_engine) == (2, 2)


def test_a_locked_period_takes_no_file_and_loses_none(seeded_engine, ids):
    staff = _staff(seeded_engine)
    info = _upload(seeded_engine, staff, ids)
    lock_period(seeded_engine, ADMIN, Q3)
    with pytest.raises(EvidenceError, match="已锁定"):
        _upload(seeded_engine, staff, ids, name="迟到.pdf", data=pdf_bytes("迟到"))
    with pytest.raises(EvidenceError, match="不能删除"):
        delete_evidence(seeded_engine, staff, info.id)
    lock_period(seeded_engine, ADMIN, "2024-09")  # a locked month covers its quarter
    reopen_period(seeded_engine, ADMIN, Q3, "补交材料")
    with pytest.raises(EvidenceError, match="锁定"):
        delete_evidence(seeded_engine, staff, info.id)
    assert _count(seeded_engine) == (1, 1)


def test_staff_delete_their_own_files_the_admin_any(seeded_engine, ids):
    mine, colleague = _staff(seeded_engine), _staff(seeded_engine, "jiaoyu2")
    a = _upload(seeded_engine, mine, ids)
    b = _upload(seeded_engine, colleague, ids, name="照片.png", data=png_bytes())
    with pytest.raises(PermissionDenied, match="本人上传"):
        delete_evidence(seeded_engine, mine, b.id)
    with pytest.raises(PermissionDenied):
        delete_evidence(seeded_engine, LEADER, a.id)
    assert delete_evidence(seeded_engine, mine, a.id) == "验收单.pdf"
    assert delete_evidence(seeded_engine, ADMIN, b.id) == "照片.png"
    assert _count(seeded_engine) == (0, 0)
    with pytest.raises(EvidenceError, match="不存在"):
        delete_evidence(seeded_engine, ADMIN, a.id)
    with Session(seeded_engine) as s:
        rows = s.execute(select(AuditLog.username, AuditLog.action, AuditLog.old).where(
            AuditLog.entity == "evidence_file", AuditLog.action == "delete").order_by(AuditLog.id)).all()
    assert [tuple(r) for r in rows] == [("jiaoyu", "delete", "验收单.pdf"), ("admin", "delete", "照片.png")]


def test_a_deactivated_account_attaches_nothing(seeded_engine, ids):
    staff = _staff(seeded_engine)
    set_active(seeded_engine, "jiaoyu", False, by=ADMIN)
    with pytest.raises(PermissionDenied, match="停用"):
        _upload(seeded_engine, staff, ids)
    assert _count(seeded_engine) == (0, 0)


def test_the_periods_zip_has_every_file_at_its_platform_path(seeded_engine, ids):
    staff = _staff(seeded_engine)
    pdf = pdf_bytes()
    _upload(seeded_engine, staff, ids, name="验收单.pdf", data=pdf)
    _upload(seeded_engine, staff, ids, name="验收单.pdf", data=pdf_bytes("第二份"))  # same name, other bytes
    _upload(seeded_engine, staff, ids, name="凭证.jpg", data=jpeg_bytes(), indicator=None)
    _upload(seeded_engine, ADMIN, ids, name="照片.png", data=png_bytes(), project=OTHER, indicator=None)
    _upload(seeded_engine, staff, ids, name="二季度.pdf", period="2024Q2")  # another period: not in Q3's zip
    blobs = evidence_bundle(seeded_engine, ADMIN, Q3)
    z = zipfile.ZipFile(io.BytesIO(evidence_zip((b.info, b.data) for b in blobs)))
    names = set(z.namelist())
    assert names == {MANIFEST_NAME, f"[无编码]教育科-{P1}/设备质量/验收单.pdf", f"[无编码]教育科-{P1}/设备质量/验收单（2）.pdf",
                     f"[无编码]教育科-{P1}/预算执行/凭证.jpg", f"[无编码]卫生健康科-{OTHER}/预算执行/照片.png"}
    assert z.read(f"[无编码]教育科-{P1}/设备质量/验收单.pdf") == pdf
    manifest = z.read(MANIFEST_NAME).decode("utf-8-sig").splitlines()
    assert manifest[0].startswith("项目编码,责任单位,项目名称,事项,文件名,ZIP内路径") and len(manifest) == 5
    # staff get their units' files only
    assert {b.info.project_name for b in evidence_bundle(seeded_engine, staff, Q3)} == {P1}


def test_backup_and_restore_carry_the_files(seeded_engine, ids, db_url, tmp_path):
    data = pdf_bytes()
    info = _upload(seeded_engine, _staff(seeded_engine), ids, data=data)
    backup = B.backup_database(db_url, tmp_path / ("b.db" if db_url.startswith("sqlite") else "b.dump"))
    assert backup.manifest.tables["evidence_content"] == 1
    delete_evidence(seeded_engine, ADMIN, info.id)
    assert _count(seeded_engine) == (0, 0)
    B.restore_database(db_url, backup.path, replace=True)
    assert evidence_content(seeded_engine, ADMIN, info.id).data == data


@pytest.mark.parametrize("state,staff_refused,admin_refused", [("submitted", True, False), ("approved", True, True)])
def test_files_are_frozen_with_the_values_under_review(seeded_engine, ids, state, staff_refused, admin_refused):
    from data_access.db import session_scope
    from data_access.models import ProjectReview

    staff = _staff(seeded_engine)
    info = _upload(seeded_engine, staff, ids)
    with session_scope(seeded_engine) as s:
        s.add(ProjectReview(project_id=ids["proj"][P1], period_code=Q3, state=state, round=1))
    for by, refused in ((staff, staff_refused), (ADMIN, admin_refused)):
        if refused:
            with pytest.raises(EvidenceError, match="佐证材料随数值一起冻结"):
                _upload(seeded_engine, by, ids, name="补充.png", data=png_bytes())
            with pytest.raises(EvidenceError, match="冻结"):
                delete_evidence(seeded_engine, by, info.id)
        else:
            assert _upload(seeded_engine, by, ids, name="补充.png", data=png_bytes()).filename == "补充.png"
    assert _upload(seeded_engine, staff, ids, project=OTHER if False else P1, period="2024Q2").period_code == "2024Q2"


def test_a_required_file_holds_back_the_submission(seeded_engine, ids):
    from data_access.actuals import save_indicator_rows
    from data_access.models import Period
    from data_access.review.actions import gaps

    staff = _staff(seeded_engine)
    qual = ids["ind"][QUAL]
    save_indicator_rows(seeded_engine, staff, Q3, [{"indicator_id": qual, "version": None, "actual_judgement": "达成"}])
    save_settings(seeded_engine, load_settings(seeded_engine).with_changes(evidence_for_achieved=True), ADMIN)
    pid = ids["proj"][P1]

    def missing() -> list[str]:
        with Session(seeded_engine) as s:
            period = s.execute(select(Period).where(Period.code == Q3)).scalar_one()
            return [m for m in gaps(s, staff, [pid], period, 2024)[pid] if m.startswith(f"{QUAL[1]}：")]

    assert missing() == [f"{QUAL[1]}：须填写佐证材料"]
    _upload(seeded_engine, staff, ids)
    assert missing() == []
