"""Storing the targets: exact content, idempotent re-import, bad files refused with the database unchanged.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_access.permissions import SYSTEM_ADMIN
from data_access.targets import ImportRefused, dump, save_document
from documents.targets_io import DocumentError, read_target_document
from seed.loader import SEED_DOCUMENT, load_assignments, load_seed_if_empty
from tests.conftest import ROOT


def _import(engine, data: bytes, name="x.txt", **kw):
    doc = read_target_document(data, name, 2024)
    return save_document(engine, doc, assignments=load_assignments(), source_name=name, **kw, by=SYSTEM_ADMIN)


def test_seed_import_gives_exact_counts(engine):
    result = load_seed_if_empty(engine)
    assert (result.projects_created, result.indicators) == (32, 203)
    d = dump(engine)
    assert d["fiscal_year"] == 2024
    assert len(d["projects"]) == 32
    assert sum(len(p["indicators"]) for p in d["projects"]) == 203
    assert round(sum(p["budget_wan"] for p in d["projects"]), 2) == 9982.79
    assert len(d["areas"]) == 13
    assert all(p["unit"] and p["area"] for p in d["projects"])
    skate = next(p for p in d["projects"] if p["name"] == "高新区滑冰馆运营服务经费")
    assert skate["unit"] == "文体科"
    assert [c["label"] for c in skate["plan"]] == ["3月底", "6月底", "10月底", "12月底"]
    first = d["projects"][0]["indicators"][0]
    assert first == {
        "level1": "产出指标", "level2": "成本指标", "level3": "成人教育费用", "description": "每人每年1元",
        "target_text": "≤11.7万", "basis": "上级文件", "kind": "numeric", "op": "<=", "value": 11.7,
        "unit": "万元", "deadline": None,
    }


def test_importing_twice_changes_nothing(engine, seed_bytes):
    from data_access.db import current_revision

    _import(engine, seed_bytes)
    before, rev = dump(engine), current_revision(engine)
    again = _import(engine, seed_bytes)
    assert (again.projects_created, again.projects_updated, again.projects_unchanged) == (0, 0, 32)
    assert dump(engine) == before
    assert current_revision(engine) == rev


def test_changed_target_updates_in_place(engine, seed_bytes):
    _import(engine, seed_bytes)
    changed = seed_bytes.decode("utf-8").replace("\t≤11.7万", "\t≤12万", 1).encode("utf-8")
    r = _import(engine, changed)
    assert (r.projects_created, r.projects_updated) == (0, 1)
    first = dump(engine)["projects"][0]["indicators"][0]
    assert (first["target_text"], first["value"]) == ("≤12万", 12)


BAD_FILES = [
    (b"", "x.txt", "文件为空"),
    ("绩效目标".encode("gb18030"), "x.txt", "UTF-8"),
    (b"\x00\x01\x02binary\xff\xfe", "x.bin", "不是文本文件"),
    (b"PK\x03\x04garbage", "x.docx", "损坏"),
    (b"A" * (50 * 1024 * 1024), "big.txt", "文件过大"),
]


@pytest.mark.parametrize("data,name,message", BAD_FILES, ids=["empty", "gbk", "binary", "broken-zip", "50MB"])
def test_bad_files_get_a_chinese_error(data, name, message):
    with pytest.raises(DocumentError) as e:
        read_target_document(data, name, 2024)
    assert message in str(e.value)


def _truncated(seed: bytes) -> bytes:
    text = seed.decode("utf-8")
    cut = text.index("高新中学装备经费项目绩效目标表")
    # the second table loses everything after its plan: no header, no indicators
    end = text.index("\t绩效目标", cut)
    return (text[:end] + "\n").encode("utf-8")


def _no_value_column(seed: bytes) -> bytes:
    text = seed.decode("utf-8")
    i = text.index("高新中学装备经费项目绩效目标表")
    j = text.index("\t指标值\n", i)
    return (text[:j] + "\t目标\n" + text[j + len("\t指标值\n"):]).encode("utf-8")


def test_truncated_table_is_refused_naming_the_table_and_db_unchanged(engine, seed_bytes):
    _import(engine, seed_bytes)
    before = dump(engine)
    doc = read_target_document(_truncated(seed_bytes), "t.txt", 2024)
    assert any("高新中学装备经费" in p.place and "不完整" in p.message for p in doc.problems)
    with pytest.raises(ImportRefused):
        save_document(engine, doc, assignments=load_assignments(), by=SYSTEM_ADMIN)
    assert dump(engine) == before


def test_table_without_value_column_names_the_row(engine, seed_bytes):
    doc = read_target_document(_no_value_column(seed_bytes), "t.txt", 2024)
    problem = next(p for p in doc.problems if "指标值" in p.message)
    assert "高新中学装备经费" in problem.place and "行" in problem.place
    with pytest.raises(ImportRefused):
        save_document(engine, doc, assignments=load_assignments(), by=SYSTEM_ADMIN)
    assert dump(engine)["projects"] == []


def test_partial_import_only_when_asked(engine, seed_bytes):
    doc = read_target_document(_no_value_column(seed_bytes), "t.txt", 2024)
    result = save_document(engine, doc, assignments=load_assignments(), allow_partial=True, by=SYSTEM_ADMIN)
    assert result.projects_created == 31
    assert len(result.skipped) == 1
    assert all(p["name"] != "高新中学装备经费" for p in dump(engine)["projects"])


def test_failure_midway_rolls_back_everything(engine, seed_bytes, monkeypatch):
    import data_access.targets as t

    calls = {"n": 0}
    real = t._sync_indicators

    def boom(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")
        return real(*a, **kw)

    monkeypatch.setattr(t, "_sync_indicators", boom)
    with pytest.raises(RuntimeError):
        _import(engine, seed_bytes)
    assert dump(engine)["projects"] == []


def _manage(*args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def test_cli_import_dump_and_refusal(db_url, tmp_path):
    r = _manage("import-targets", str(SEED_DOCUMENT), "--db", db_url)
    assert r.returncode == 0, r.stderr
    assert "新增项目32个" in r.stdout
    r = _manage("dump", "--db", db_url)
    d = json.loads(r.stdout)
    assert len(d["projects"]) == 32
    assert {"name", "code", "unit", "area", "budget_wan", "plan", "goals", "indicators"} <= set(d["projects"][0])
    bad = tmp_path / "bad.txt"
    bad.write_bytes("绩效".encode("gb18030"))
    r = _manage("import-targets", str(bad), "--db", db_url)
    assert r.returncode != 0
    assert "UTF-8" in r.stderr and "Traceback" not in r.stderr


def test_cli_parse_targets():
    r = _manage("parse-targets", stdin="≥90%\n2024年12月底前\n是 \n＞200万\n")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0] == {"raw": "≥90%", "kind": "numeric", "op": ">=", "value": 90.0, "unit": "%", "deadline": None}
    assert rows[1]["deadline"] == "2024-12-31" and rows[1]["kind"] == "deadline"
    assert rows[2] == {"raw": "是 ", "kind": "qualitative", "op": None, "value": None, "unit": None, "deadline": None}
    assert (rows[3]["op"], rows[3]["value"], rows[3]["unit"]) == (">", 200.0, "万元")


def test_a_code_added_later_updates_the_same_project(engine, seed_bytes):
    _import(engine, seed_bytes)
    text = seed_bytes.decode("utf-8")
    with_code = text.replace("\t项目编码\n\t\n\t项目名称\n\t区本课程经费", "\t项目编码\n\tXM2024001\n\t项目名称\n\t区本课程经费", 1)
    assert with_code != text
    r = _import(engine, with_code.encode("utf-8"))
    assert (r.projects_created, r.projects_updated) == (0, 1)
    projects = dump(engine)["projects"]
    assert len(projects) == 32
    assert projects[0]["code"] == "XM2024001" and projects[0]["name"] == "区本课程经费"
