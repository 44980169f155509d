"""导入目标 (AppTest): the empty database points the admin to it; a refused import leaves the database
unchanged and keeps the file and the corrections on screen; a budget entered in the preview lets a
table without money import; only the admin may open it."""

from __future__ import annotations

import hashlib

import pytest

from data_access.db import current_revision
from data_access.targets import dump, project_count
from tests.published.builders import BUILDERS, Grid, Sheet
from tests.published.tables import ZHAOHUA_CDC

PAGE = "app_pages/import_targets.py"
N = None


def _file(change=None) -> bytes:
    grid = next(b for b in ZHAOHUA_CDC.sheets[0].blocks if isinstance(b, Grid))
    rows = [list(r) for r in grid.rows]
    if change:
        change(rows)
    return BUILDERS["docx"]([Sheet([*ZHAOHUA_CDC.sheets[0].blocks[:-1], Grid(rows)])])


def _no_money(rows):
    del rows[2:11]


def _open(new_app, sign_in, user="admin"):
    at = sign_in(new_app(), user)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def test_the_empty_database_sends_the_admin_to_the_import_page(new_app, sign_in, app_engine):
    at = sign_in(new_app(), "admin")
    at.run()
    assert not at.exception, at.exception
    assert "尚未导入绩效目标表" in _text(at)
    assert any("导入目标" in str(link.label) for link in at.get("page_link"))
    staff = sign_in(new_app(), "jiaoyu")
    staff.run()
    assert "请联系管理员在「导入目标」页导入" in _text(staff)


def test_a_refused_import_keeps_the_file_and_the_corrections_and_writes_nothing(new_app, sign_in, app_engine):
    at = _open(new_app, sign_in)
    data = _file(_no_money)
    next(u for u in at.file_uploader).set_value(("麻风病防治.docx", data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert "没有找到项目金额" in _text(at)
    assert next(b for b in at.button if b.label == "导入").disabled
    rev = current_revision(app_engine)
    # a correction typed in the preview ...
    grid_key = f"import_grid_1_{at.session_state['import_editor_version']}"
    at.session_state[grid_key] = {"edited_rows": {1: {"指标值": "≥3次"}}, "added_rows": [], "deleted_rows": []}
    next(b for b in at.button if b.label == "应用改正").click().run()
    assert not at.exception, at.exception
    assert "≥3次" in next(d.value for d in at.dataframe)["指标值"].tolist()
    # ... survives a refused import (the only table has no money: nothing can be imported, even in part)
    assert project_count(app_engine) == 0 and current_revision(app_engine) == rev
    # the budget entered in the preview makes the table importable, with the correction
    at.number_input(key=f"import_budget_1_{hashlib.sha256(data).hexdigest()[:8]}").set_value(4.0).run()
    next(b for b in at.button if b.label == "使用此预算数").click().run()
    assert not at.exception, at.exception
    assert not next(b for b in at.button if b.label == "导入").disabled
    next(b for b in at.button if b.label == "导入").click().run()
    assert not at.exception, at.exception
    assert "导入完成：2021年度：新增项目1个" in _text(at)
    stored = dump(app_engine, 2021)["projects"][0]
    assert stored["budget_wan"] == 4.0
    assert [i["target_text"] for i in stored["indicators"]][1] == "≥3次"


def test_only_the_admin_opens_the_import_page(new_app, sign_in, app_engine):
    at = sign_in(new_app(), "leader")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in a leader's menu
        at.switch_page(PAGE)
