"""The pure rules of 佐证材料 and 整改: file checks by content, which entries need evidence (and how 须填写
says so), the ZIP's paths, and the 整改 state machine."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from documents.evidence_zip import MANIFEST_NAME, evidence_zip, path_part, project_folder, zip_paths
from domain import rectification as R
from domain.entry_todo import indicator_todo
from domain.evidence import evidence_missing, evidence_rules, size_text, why_text
from domain.evidence_files import MAX_FILENAME, check_evidence_file, clean_filename
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status import BLUE, GREEN, MODE_DEADLINE, QUALITATIVE_MODE, IndicatorInput
from domain.targets import parse_target
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

MB = 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


# --------------------------------------------------------------------------- file checks


@pytest.mark.parametrize("name,data,kind", [
    ("验收单.pdf", pdf_bytes(), "pdf"),
    ("现场照片.JPG", jpeg_bytes(), "jpeg"),
    ("现场照片.jpeg", jpeg_bytes(), "jpeg"),
    ("截图.png", png_bytes(), "png"),
    ("报告.docx", docx_bytes(), "docx"),
    ("台账.xlsx", xlsx_bytes(), "xlsx"),
    ("旧报告.doc", OLE2, "doc"),
    ("旧台账.xls", OLE2, "xls"),
    ("旧演示.ppt", OLE2, "ppt"),
])
def test_accepted_files(name, data, kind):
    check = check_evidence_file(name, data, 20 * MB)
    assert check.ok and check.kind is not None and check.kind.key == kind, check.problem


@pytest.mark.parametrize("name,data,message", [
    ("程序.exe", b"MZ" + b"\x00" * 100, "不能作为佐证材料"),
    ("脚本.html", b"<html></html>", "不能作为佐证材料"),
    ("无扩展名", pdf_bytes(), "没有扩展名"),
    ("", pdf_bytes(), "没有扩展名"),
    ("空.pdf", b"", "空文件"),
    ("发票.pdf", png_bytes(), "内容却是PNG图片"),
    ("照片.png", pdf_bytes(), "内容却是PDF"),
    ("文档.docx", xlsx_bytes(), "内容却是Excel表格"),
    ("文档.doc", docx_bytes(), "内容却是Word文档"),
    ("文档.docx", OLE2, "内容却是Office 97-2003文件"),
    ("图片.jpg", b"\x00" * 100, "无法识别"),
    ("损坏.docx", b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
    ("炸弹.docx", docx_bomb(300), "解压后过大"),
    ("炸弹.docx", docx_bomb(150), "压缩比异常"),
    ("巨图.png", png_bomb(), "解压炸弹"),
    ("宏.docx", docm_as_docx(), "含有宏"),
    ("截断.png", png_bytes()[:20], "已损坏"),
])
def test_refused_files(name, data, message):
    check = check_evidence_file(name, data, 20 * MB)
    assert not check.ok and message in (check.problem or ""), check.problem


def test_the_size_limit_counts_bytes():
    data = pdf_bytes()
    assert check_evidence_file("a.pdf", data, len(data)).ok
    assert "过大" in (check_evidence_file("a.pdf", data, len(data) - 1).problem or "")


def test_a_jpeg_header_declaring_a_huge_picture_is_refused():
    small = jpeg_bytes((40, 30))
    at = small.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    huge = small[:at + 5] + (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big") + small[at + 9:]
    assert check_evidence_file("p.jpg", small, MB).ok
    assert "解压炸弹" in (check_evidence_file("p.jpg", huge, MB).problem or "")


@pytest.mark.parametrize("raw,clean", [
    ("C:\\Users\\张三\\桌面\\验收单.pdf", "验收单.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a:b*c?.pdf", "a_b_c_.pdf"),
    ("\u202egpj.pdf", "gpj.pdf"),  # a right-to-left override would show the name reversed
    ("  验收单.pdf  ", "验收单.pdf"),
    ("长" * 200 + ".pdf", "长" * (MAX_FILENAME - 4) + ".pdf"),
])
def test_file_names_are_cleaned(raw, clean):
    assert clean_filename(raw) == clean


# --------------------------------------------------------------------------- which entries need evidence

ALL_ON = DEFAULT_SETTINGS.with_changes(evidence_for_achieved=True, evidence_for_deadline_done=True,
                                       evidence_for_blue=True)


@pytest.mark.parametrize("settings,mode,judgement,done,status,rules", [
    (DEFAULT_SETTINGS, QUALITATIVE_MODE, "达成", None, GREEN, ()),  # off by default
    (ALL_ON, QUALITATIVE_MODE, "达成", None, GREEN, ("evidence_for_achieved",)),
    (ALL_ON, QUALITATIVE_MODE, "部分达成", None, "amber", ()),
    (ALL_ON, MODE_DEADLINE, None, date(2024, 8, 1), GREEN, ("evidence_for_deadline_done",)),
    (ALL_ON, MODE_DEADLINE, "达成", None, GREEN, ("evidence_for_deadline_done",)),
    (ALL_ON, MODE_DEADLINE, "进行中", None, "grey", ()),
    (ALL_ON, "accumulating", None, None, BLUE, ("evidence_for_blue",)),
    (ALL_ON, "accumulating", None, None, GREEN, ()),
])
def test_evidence_rules(settings, mode, judgement, done, status, rules):
    assert evidence_rules(settings, mode, judgement, done, status) == rules
    assert evidence_missing(rules, 0) == bool(rules)
    assert not evidence_missing(rules, 1)


def test_texts():
    assert why_text(("evidence_for_achieved", "evidence_for_blue")) == "定性指标填报“达成”、超额完成（蓝）须附佐证材料"
    assert (size_text(0), size_text(300), size_text(7000), size_text(3 * MB + MB // 2)) == ("0 KB", "1 KB", "7 KB", "3.5 MB")


QUAL = IndicatorInput(1, "产出指标", "质量指标", "设备质量", parse_target("符合"))


@pytest.mark.parametrize("settings,files,fill", [
    (DEFAULT_SETTINGS, 0, ()),
    (ALL_ON, None, ()),  # not known: asks nothing
    (ALL_ON, 0, ("佐证材料",)),
    (ALL_ON, 2, ()),
])
def test_todo_lists_evidence_while_a_rule_asks_and_no_file_is_attached(settings, files, fill):
    todo = indicator_todo({"actual_judgement": "达成"}, QUAL, date(2024, 9, 30), settings, 2024, evidence_files=files)
    assert todo.fill == fill and todo.open == bool(fill)
    assert todo.text() == "、".join(fill)


def test_the_size_setting_is_validated():
    assert Settings().validate() == []
    for bad in (0, 0.05, 26):
        assert any("佐证材料大小上限" in m for m in Settings(evidence_max_mb=bad).validate())


# --------------------------------------------------------------------------- the ZIP


@dataclass(frozen=True)
class E:
    project_id: int
    indicator_id: int | None
    item: str
    filename: str
    project_code: str = "0301-2024-001"
    unit_name: str = "教育科"
    project_name: str = "区本课程经费"
    size: int = 3
    sha256: str = "abc"
    uploader: str = "教育科填报员"
    uploaded_at: datetime = datetime(2024, 10, 8, 2, 30, tzinfo=UTC)


def test_zip_paths_follow_the_platform_layout():
    entries = [E(1, 11, "设备质量", "验收单.pdf"), E(1, 11, "设备质量", "验收单.PDF"), E(1, 12, "设备质量", "照片.jpg"),
               E(1, None, "预算执行", "凭证.jpg"), E(2, 21, "受益人数", "名册.xlsx", project_code="", unit_name="民政科",
                                               project_name="低保/特困")]
    assert zip_paths(entries) == [
        "[0301-2024-001]教育科-区本课程经费/设备质量/验收单.pdf",
        "[0301-2024-001]教育科-区本课程经费/设备质量/验收单（2）.PDF",  # same name in one folder
        "[0301-2024-001]教育科-区本课程经费/设备质量（2）/照片.jpg",  # another indicator with the same name
        "[0301-2024-001]教育科-区本课程经费/预算执行/凭证.jpg",
        "[无编码]民政科-低保_特困/受益人数/名册.xlsx",
    ]
    assert project_folder(" ", "教育科", "区本:课程") == "[无编码]教育科-区本_课程"
    assert path_part("..") == "_" and len(path_part("名" * 200 + ".pdf")) == 80


def test_the_zip_holds_the_bytes_and_the_manifest():
    data = evidence_zip([(E(1, 11, "设备质量", "验收单.pdf"), b"%PDF-1"), (E(1, None, "预算执行", "=cmd.jpg"), b"\xff\xd8\xff")])
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.read("[0301-2024-001]教育科-区本课程经费/设备质量/验收单.pdf") == b"%PDF-1"
    info = z.getinfo("[0301-2024-001]教育科-区本课程经费/设备质量/验收单.pdf")
    assert info.date_time == (2024, 10, 8, 10, 30, 0)  # Beijing time
    assert info.flag_bits & 0x800  # UTF-8 names
    manifest = z.read(MANIFEST_NAME).decode("utf-8-sig").splitlines()
    assert manifest[0].split(",")[:6] == ["项目编码", "责任单位", "项目名称", "事项", "文件名", "ZIP内路径"]
    assert "'=cmd.jpg" in manifest[2]  # a formula-looking name is text in Excel


# --------------------------------------------------------------------------- the 整改 state machine


@pytest.mark.parametrize("state,action,after", [
    (R.OPEN, R.ANSWER, R.ANSWERED),
    (R.RETURNED, R.ANSWER, R.ANSWERED),
    (R.ANSWERED, R.ANSWER, R.ANSWERED),
    (R.ANSWERED, R.CLOSE, R.CLOSED),
    (R.ANSWERED, R.RETURN, R.RETURNED),
    (R.OPEN, R.CLOSE, None),
    (R.OPEN, R.RETURN, None),
    (R.RETURNED, R.CLOSE, None),
    (R.CLOSED, R.ANSWER, None),
    (R.CLOSED, R.RETURN, None),
])
def test_moves(state, action, after):
    if after is None:
        with pytest.raises(R.RectificationError, match=f"当前为“{R.STATE_LABELS[state]}”"):
            R.next_state(state, action)
    else:
        assert R.next_state(state, action) == after


@pytest.mark.parametrize("state,admin,owner,actions", [
    (R.OPEN, False, True, (R.ANSWER,)),
    (R.OPEN, False, False, ()),
    (R.OPEN, True, False, (R.ANSWER,)),
    (R.ANSWERED, False, True, (R.ANSWER,)),
    (R.ANSWERED, True, False, (R.ANSWER, R.CLOSE, R.RETURN)),
    (R.CLOSED, True, True, ()),
])
def test_who_may_act(state, admin, owner, actions):
    assert R.actions_for(state, is_admin=admin, is_owner=owner) == actions


def test_checks_and_deadlines():
    today = date(2024, 10, 8)
    assert R.check_create("  补齐验收手续 ", date(2024, 10, 8), today) == "补齐验收手续"
    with pytest.raises(R.RectificationError, match="不能早于今天"):
        R.check_create("x", date(2024, 10, 7), today)
    with pytest.raises(R.RectificationError, match="整改结果须填写"):
        R.check_answer("措施", " ")
    assert R.check_note("", R.CLOSE) == ""
    with pytest.raises(R.RectificationError, match="退回原因须填写"):
        R.check_note("", R.RETURN)
    assert [R.due_text(date(2024, 10, d), R.OPEN, today) for d in (5, 8, 20)] == ["逾期3天", "今天到期", "还剩12天"]
    assert R.due_text(date(2024, 10, 5), R.CLOSED, today) == "" and R.overdue_days(date(2024, 10, 5), R.OPEN, today) == 3
