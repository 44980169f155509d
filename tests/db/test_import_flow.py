"""The one import path of the page and the command line (seed.target_import): the published tables stored
as read, the preview's dry run, the re-import diff, corrections, the admin's vocabulary, partial imports
and refusals that leave the database exactly as it was. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from data_access.db import current_revision
from data_access.permissions import SYSTEM_ADMIN
from data_access.queries import project_rows
from data_access.target_vocabulary import add_vocabulary_mapping, load_vocabulary
from data_access.targets import ChangesNeedConfirmation, ImportRefused, dump
from documents.targets_io import YearConflict, YearUnknown
from domain.document import ImportEdits
from seed import target_import
from tests.published.builders import BUILDERS, Grid, Sheet
from tests.published.tables import ALL, ZHAOHUA_CDC

L, N = "<", None


@pytest.mark.parametrize("published", ALL, ids=[p.key for p in ALL])
def test_published_tables_are_stored_as_read(engine, published):
    fmt = published.formats[0]
    result = target_import.run(engine, BUILDERS[fmt](published.sheets), f"{published.key}.{fmt}", None, by=SYSTEM_ADMIN)
    d = dump(engine, published.expected[0].year)
    assert result.projects_created == len(published.expected) == len(d["projects"])
    for stored, exp in zip(d["projects"], published.expected, strict=True):
        assert stored["name"] == exp.name
        assert stored["budget_wan"] == pytest.approx(exp.budget)
        assert len(stored["indicators"]) == len(exp.indicators)
        assert [(i["level1"], i["level2"], i["level3"], i["target_text"], i["kind"], i["op"], i["value"], i["unit"],
                 i["deadline"]) for i in stored["indicators"]] == exp.indicators
        assert stored["plan"] == []
        assert stored["unit"] == (exp.implementer or None)  # no assignment: the table's 实施单位
    shown = project_rows(engine, published.expected[0].year)
    assert set(shown["plan"]) == {"无资金支出计划，按序时进度"}  # the 绩效目标 page says how spending is judged


def _zhaohua(change=None) -> bytes:
    sheets = ZHAOHUA_CDC.sheets
    if change:
        grid = next(b for b in sheets[0].blocks if isinstance(b, Grid))
        rows = [list(r) for r in grid.rows]
        change(rows)
        sheets = [Sheet([*sheets[0].blocks[:-1], Grid(rows)])]
    return BUILDERS["docx"](sheets)


def _edit_file(rows):
    rows[13][4] = "40人"  # 32人 -> 40人
    del rows[14]  # 宣传教育 removed
    rows.insert(20, [N, N, N, "群众防治知识培训", "≥2次"])  # a new indicator


def test_preview_of_a_changed_file_lists_added_removed_changed_and_writes_nothing(engine):
    target_import.run(engine, _zhaohua(), "z.docx", None, by=SYSTEM_ADMIN)
    before, rev = dump(engine, 2021), current_revision(engine)
    pv = target_import.preview(engine, _zhaohua(_edit_file), "z2.docx", None, None, by=SYSTEM_ADMIN)
    assert dump(engine, 2021) == before and current_revision(engine) == rev
    assert pv.diff is not None and pv.diff.dry_run
    lines = target_import.change_lines(pv.diff)
    assert "「麻风病防治」新增指标“群众防治知识培训”" in lines
    assert "「麻风病防治」删除指标“宣传教育”" in lines
    assert any("每年春节慰问" in x and "“32人” → “40人”" in x for x in lines)
    result = target_import.run(engine, _zhaohua(_edit_file), "z2.docx", None, by=SYSTEM_ADMIN)
    assert (result.indicators_added, result.indicators_removed) == (1, 1)
    assert [i["target_text"] for i in dump(engine, 2021)["projects"][0]["indicators"]][0] == "40人"


def test_a_correction_from_the_preview_is_imported(engine):
    data = _zhaohua()
    doc = target_import.read(engine, data, "z.docx", None)
    place = doc.projects[0].indicators[1].place  # 宣传教育: 覆盖全区所有人员
    edits = ImportEdits(cells={place: {"value": "≥3次"}})
    target_import.run(engine, data, "z.docx", None, by=SYSTEM_ADMIN, edits=edits)
    stored = dump(engine, 2021)["projects"][0]["indicators"][1]
    assert (stored["target_text"], stored["op"], stored["value"], stored["unit"]) == ("≥3次", ">=", 3, "次")


def test_a_table_without_money_is_refused_unless_the_budget_is_entered(engine):
    def no_money(rows):
        del rows[2:11]  # the whole 项目资金 block

    data = _zhaohua(no_money)
    with pytest.raises(ImportRefused) as e:
        target_import.run(engine, data, "z.docx", None, by=SYSTEM_ADMIN)
    assert any("没有找到项目金额" in p.message for p in e.value.problems)
    assert dump(engine, 2021)["projects"] == []
    key = target_import.read(engine, data, "z.docx", None).tables[0].key
    target_import.run(engine, data, "z.docx", None, by=SYSTEM_ADMIN, edits=ImportEdits(budgets={key: 4.5}))
    assert dump(engine, 2021)["projects"][0]["budget_wan"] == 4.5


def test_partial_imports_the_good_rows_and_lists_the_rest(engine):
    def bad_rows(rows):
        rows[14][4] = ""  # 宣传教育 loses its value
        rows[16][4] = "2021年2月30日前"  # a date that does not exist

    data = _zhaohua(bad_rows)
    before, rev = dump(engine, 2021), current_revision(engine)
    with pytest.raises(ImportRefused) as e:
        target_import.run(engine, data, "z.docx", None, by=SYSTEM_ADMIN)
    assert {p.kind for p in e.value.problems} == {"指标行"} and len(e.value.problems) == 2
    assert dump(engine, 2021) == before and current_revision(engine) == rev
    result = target_import.run(engine, data, "z.docx", None, by=SYSTEM_ADMIN, partial=True)
    assert result.indicators == 10 and len(result.skipped) == 2
    assert "宣传教育" not in [i["level3"] for i in dump(engine, 2021)["projects"][0]["indicators"]]


def test_the_year_comes_from_the_document_and_a_conflict_names_both(engine):
    data = _zhaohua()
    with pytest.raises(YearConflict) as e:
        target_import.run(engine, data, "z.docx", 2024, by=SYSTEM_ADMIN)
    assert "2021" in str(e.value) and "2024" in str(e.value)
    untitled = BUILDERS["txt"]([Sheet([b for b in ZHAOHUA_CDC.sheets[0].blocks if isinstance(b, Grid)])])
    with pytest.raises(YearUnknown):
        target_import.run(engine, untitled, "z.txt", None, by=SYSTEM_ADMIN)
    target_import.run(engine, untitled, "z.txt", 2021, by=SYSTEM_ADMIN)
    assert len(dump(engine, 2021)["projects"]) == 1


def test_the_admin_maps_an_unknown_word_for_every_later_import(engine):
    def local_word(rows):
        rows[13][2] = "工作量指标"  # a 二级 word of no table

    data = _zhaohua(local_word)
    doc = target_import.read(engine, data, "z.docx", None)
    note = next(w for w in doc.warnings if w.kind == "词表")
    assert "工作量指标" in note.message and "最接近“数量指标”" in note.message
    assert doc.projects[0].indicators[0].level2 == "工作量指标"  # kept as written until mapped, never refused
    assert doc.problems == []
    rev = current_revision(engine)
    add_vocabulary_mapping(engine, "level2", "工作量指标", "数量指标", by=SYSTEM_ADMIN)
    assert current_revision(engine) == rev + 1
    assert load_vocabulary(engine).lookup("level2", "工作量指标") == "数量指标"
    doc = target_import.read(engine, data, "z.docx", None)
    assert doc.projects[0].indicators[0].level2 == "数量指标" and not [w for w in doc.warnings if w.kind == "词表"]
    with pytest.raises(ValueError):
        add_vocabulary_mapping(engine, "level1", "产出指标", "效益指标", by=SYSTEM_ADMIN)


def test_changes_to_indicators_with_values_still_need_confirm(seeded_engine, seed_bytes):
    from tests.db.test_target_reimport import _store_remarks

    _store_remarks(seeded_engine)  # every indicator of 区本课程经费 has values
    changed = seed_bytes.decode("utf-8").replace("\t≤11.7万", "\t≤12万", 1).encode("utf-8")
    with pytest.raises(ChangesNeedConfirmation):
        target_import.run(seeded_engine, changed, "s.txt", None, by=SYSTEM_ADMIN)
    pv = target_import.preview(seeded_engine, changed, "s.txt", None, None, by=SYSTEM_ADMIN)
    assert pv.diff is not None and [c.new for c in pv.diff.confirmed] == ["≤12万"]
    target_import.run(seeded_engine, changed, "s.txt", None, by=SYSTEM_ADMIN, confirm=True)


def test_upgrading_an_older_database_renames_the_stored_local_word(db_url):
    """Databases imported before the vocabulary hold the seed's 效果指标: the import_vocabulary migration makes
    it 效益指标, so the same document imported again changes nothing."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from data_access.db import MIGRATIONS, make_engine, migrate
    from seed.loader import SEED_DOCUMENT

    eng = make_engine(db_url)
    migrate(eng)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    mine = next(r for r in ScriptDirectory.from_config(cfg).walk_revisions() if r.path.endswith("import_vocabulary.py"))
    data = SEED_DOCUMENT.read_bytes()
    target_import.run(eng, data, "s.txt", None, by=SYSTEM_ADMIN)
    with eng.begin() as conn:  # as an import before the vocabulary stored it
        conn.execute(text("UPDATE indicator SET level1 = '效果指标' WHERE level1 = '效益指标'"))
        conn.execute(text("UPDATE status_item SET level1 = '效果指标' WHERE level1 = '效益指标'"))
        cfg.attributes["connection"] = conn  # this migration alone, from the revision before it
        command.stamp(cfg, mine.down_revision)
        command.upgrade(cfg, mine.revision)
        command.stamp(cfg, "head")
    with eng.connect() as conn:
        words = {r[0] for r in conn.execute(text("SELECT DISTINCT level1 FROM indicator"))}
    assert words == {"产出指标", "效益指标", "满意度指标"}
    with eng.connect() as conn:  # the status store's copy of the words (the 一级/二级 group filter) too
        stored = {r[0] for r in conn.execute(text("SELECT DISTINCT level1 FROM status_item WHERE seq >= 0"))}
    assert stored == {"产出指标", "效益指标", "满意度指标"}
    again = target_import.run(eng, data, "s.txt", None, by=SYSTEM_ADMIN)
    assert (again.projects_updated, again.projects_unchanged) == (0, 32)
    eng.dispose()
