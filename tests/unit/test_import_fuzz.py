"""Fuzzing the importer: whatever bytes arrive, reading raises nothing but DocumentError, and saving either
succeeds or raises ImportRefused with the database exactly as it was."""

from __future__ import annotations

import io
import itertools
import shutil
import zipfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from data_access.permissions import SYSTEM_ADMIN
from data_access.target_sync import ChangesNeedConfirmation
from data_access.targets import ImportRefused, dump, save_document
from documents.targets_io import DocumentError, read_target_document
from seed.loader import load_assignments
from tests.conftest import SEED_TEXT

SEED = SEED_TEXT.read_text(encoding="utf-8")
SEED_LINES = SEED.splitlines(keepends=True)
NAMES = ["x.txt", "x.docx", "x.xlsx", "x.doc", "x.xls", "x", "目标表.TXT"]
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# lines that steer the assembler into its branches, mixed with arbitrary text
LAYOUT_LINES = [
    "\t项目编码", "\t项目名称", "\t测试", "\t项目资金主要用途", "\t预算数10万元。其中：财政资金6万元。",
    "\t资金支出计划", "\t第一季度", "\t3月底", "\t50%", "\t100", "\t绩效目标", "\t目标1：甲", "\t一级指标",
    "\t二级指标", "\t三级指标", "\t绩效指标描述", "\t指标值", "\t指标值确定依据", "\t产出指标", "\t数量指标",
    "\t≥90%", "\t2024年12月底前", "\t", "", "测试项目绩效目标表", "一、总体绩效目标", "二、分项绩效目标",
    "（一）学校建设", "绩效目标：甲", "绩效指标：达到90%以上", "三、工作保障措施", "高新区社会事务局编制",
]


def _read(data: bytes, name: str):
    """The only allowed failure is DocumentError (anything else fails the test)."""
    try:
        return read_target_document(data, name, 2024)
    except DocumentError as e:
        assert str(e)  # always a message for the user
        return None


@st.composite
def mutated_seed(draw) -> bytes:
    """The seed text with random line deletions/duplications, tabs inserted, whole rows dropped, truncation."""
    lines = list(SEED_LINES)
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["delete", "duplicate", "tab", "drop_row"]),
                st.integers(0, len(SEED_LINES) - 1),
                st.integers(0, 200),
            ),
            min_size=1,
            max_size=6,
        )
    )
    for op, i, j in ops:
        if not lines:
            break
        i %= len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "tab":
            k = j % (len(lines[i]) + 1)
            lines[i] = lines[i][:k] + "\t" + lines[i][k:]
        else:  # drop a whole row: from this blank line to the next one
            start = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
            end = next((k for k in range(start + 1, len(lines)) if not lines[k].strip()), len(lines))
            del lines[start:end]
    text = "".join(lines)
    if draw(st.integers(0, 3)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8")


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(NAMES))
def test_random_bytes(data, name):
    _read(data, name)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["x.docx", "x.xlsx"]))
def test_random_bytes_behind_a_zip_header(data, name):
    _read(b"PK\x03\x04" + data, name)


@FUZZ
@given(
    st.lists(st.one_of(st.sampled_from(LAYOUT_LINES), st.text(max_size=30)), max_size=80),
    st.sampled_from(["x.txt", "x", "目标表.TXT"]),
)
def test_random_text(lines, name):
    doc = _read("\n".join(lines).encode("utf-8", "surrogatepass"), name)
    event("unreadable" if doc is None else "read" if not doc.problems else "read with problems")
    if doc is not None:
        assert all(str(p) for p in doc.problems)


@FUZZ
@given(mutated_seed())
def test_mutated_seed_text(data):
    doc = _read(data, "2024.txt")
    event("unreadable" if doc is None else "read" if not doc.problems else "read with problems")
    if doc is not None:
        assert all(p.message for p in doc.problems)
        if not doc.problems:
            assert doc.projects


@pytest.fixture(scope="module")
def office_files():
    from documents.targets_export import document_to_docx, document_to_xlsx

    doc = read_target_document(SEED.encode("utf-8"), "seed.txt", 2024)
    return {"x.docx": document_to_docx(doc), "x.xlsx": document_to_xlsx(doc)}


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["x.docx", "x.xlsx"]),
    st.sampled_from(["flip", "truncate", "cut_xml", "dup_xml"]),
    st.integers(0, 2**31),
    st.integers(0, 2**31),
)
def test_mutated_office_files(office_files, name, op, a, b):
    data = office_files[name]
    if op == "flip":
        i = a % len(data)
        data = data[:i] + bytes([data[i] ^ (1 + b % 255)]) + data[i + 1 :]
    elif op == "truncate":
        data = data[: a % len(data)]
    else:  # damage the main XML part inside an intact zip
        z = zipfile.ZipFile(io.BytesIO(data))
        files = {n: z.read(n) for n in z.namelist()}
        part = "word/document.xml" if name.endswith("docx") else "xl/worksheets/sheet1.xml"
        xml = files[part]
        i, j = sorted((a % len(xml), b % len(xml)))
        j = min(j, i + 2000)
        files[part] = xml[:i] + xml[j:] if op == "cut_xml" else xml[:j] + xml[i:j] + xml[j:]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for n, content in files.items():
                out.writestr(n, content)
        data = buf.getvalue()
    _read(data, name)


# --------------------------------------------------------------------------- saving


@pytest.fixture(scope="module")
def db_templates(tmp_path_factory, seed_doc):
    """Two migrated SQLite files to copy per example: empty, and holding the seed with some actuals
    (so that an import dropping an indicator with data is refused inside the transaction)."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from data_access.db import make_engine, migrate
    from data_access.models import Indicator, IndicatorActual

    base = tmp_path_factory.mktemp("fuzzdb")

    def close(eng):
        with eng.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        eng.dispose()

    empty = base / "empty.db"
    eng = make_engine(f"sqlite:///{empty}")
    migrate(eng)
    close(eng)
    seeded = base / "seeded.db"
    shutil.copy(empty, seeded)
    eng = make_engine(f"sqlite:///{seeded}")
    save_document(eng, seed_doc, assignments=load_assignments(), source_name="seed.txt", by=SYSTEM_ADMIN)
    with Session(eng) as s:
        last = {}
        for ind in s.exec(select(Indicator).order_by(Indicator.project_id, Indicator.seq)):
            last[ind.project_id] = ind.id
        for pid, iid in last.items():
            if pid % 2:  # every other project: its last indicator has a reported value
                s.add(IndicatorActual(indicator_id=iid, period_code="2024Q1", actual_value=1, updated_by="fuzz"))
        s.commit()
        assert s.exec(select(func.count()).select_from(IndicatorActual)).one() == 16
    close(eng)
    return base, {"empty": empty, "seeded": seeded}


_counter = itertools.count()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_seed(), st.sampled_from(["empty", "seeded"]), st.booleans())
def test_mutated_seed_saves_or_leaves_the_database_unchanged(db_templates, data, start, partial):
    from data_access.db import make_engine

    doc = _read(data, "2024.txt")
    if doc is None:
        event("unreadable")
        return
    base, templates = db_templates
    path = base / f"example{next(_counter)}.db"
    shutil.copy(templates[start], path)
    eng = make_engine(f"sqlite:///{path}")
    try:
        before = dump(eng)
        try:
            result = save_document(eng, doc, assignments=load_assignments(), source_name="fuzz.txt", allow_partial=partial, by=SYSTEM_ADMIN)
        except ImportRefused as e:
            event("refused: document has problems" if doc.problems and not partial else "refused")
            assert e.problems and all(str(p) for p in e.problems)
            assert dump(eng) == before
        except ChangesNeedConfirmation as e:  # indicators with stored values would change: nothing written
            event("refused: changes need confirmation")
            assert e.changes and str(e)
            assert dump(eng) == before
        else:
            event("saved" if not doc.problems else "saved in part")
            after = {p["name"]: p for p in dump(eng)["projects"]}
            assert result.indicators == doc.indicator_count
            for spec in doc.projects:
                saved = after[spec.name]
                assert [i["target_text"] for i in saved["indicators"]] == [i.target_text for i in spec.indicators]
                assert saved["budget_wan"] == (spec.budget_wan or 0.0)
    finally:
        eng.dispose()
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def test_refusal_inside_the_transaction_leaves_the_database_unchanged(db_templates, tmp_path):
    """A valid document that drops an indicator with reported data is refused after other projects were
    already written in the same transaction: everything is rolled back."""
    from data_access.db import make_engine

    # drop the last indicator row of the first table (区本课程经费: its last indicator has data; indicators
    # are matched by their names, so the dropped row must be the one with data)
    start = SEED.index("\t满意度指标\n\t服务对象满意度指标\n\t教师学生满意度")
    end = SEED.index("\n\n", start) + 1
    doc = read_target_document((SEED[:start] + SEED[end + 1 :]).encode("utf-8"), "t.txt", 2024)
    assert doc.problems == [] and doc.indicator_count == 202
    doc.projects.reverse()  # the refused project comes last: the others are written first
    path = tmp_path / "t.db"
    shutil.copy(db_templates[1]["seeded"], path)
    eng = make_engine(f"sqlite:///{path}")
    try:
        before = dump(eng)
        with pytest.raises(ImportRefused) as e:
            save_document(eng, doc, assignments=load_assignments(), by=SYSTEM_ADMIN)
        assert "已有填报数据" in str(e.value)
        assert dump(eng) == before
    finally:
        eng.dispose()
