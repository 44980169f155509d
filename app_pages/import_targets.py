"""导入目标 (admin): upload a target document → preview every table and indicator with its parsed rule,
its judging mode and every message → correct a cell, a budget or a vocabulary word → import in one
transaction. A changed document shows what it adds, removes and changes before anything is written.
The reading and storing are ``seed.target_import``, the same path as ``manage.py import-targets``."""

import hashlib

import streamlit as st

from components import import_preview as ui
from components.auth import current_principal
from components.state import get_engine, revision
from data_access.db import DatabaseBusy
from data_access.monitoring import load_settings
from data_access.permissions import PermissionDenied, require_admin
from data_access.target_vocabulary import add_vocabulary_mapping, load_vocabulary
from data_access.targets import ChangesNeedConfirmation, ImportRefused
from documents.targets_io import DocumentError, YearConflict, YearUnknown
from seed import target_import

FILE, NONCE, DONE = "import_file", "import_nonce", "import_done"
PREVIEW, PREVIEW_KEY = "import_preview", "import_preview_key"

principal = current_principal()
try:
    require_admin(principal)
except PermissionDenied as e:
    st.error(str(e))
    st.stop()
engine = get_engine()
state = st.session_state
st.title("导入绩效目标表")
st.caption("上传本单位已批复的项目（支出）绩效目标表：Word 文档、Excel 工作簿（可一个工作表一个表格）或 Word 另存的 txt 文本。"
           "导入前先预览每个表格、每个指标的解析结果，可在预览中改正；导入在一个事务中完成，失败时数据库不变。")

if DONE in state:
    done = state.pop(DONE)
    st.success(done["summary"])
    if done["lines"]:
        with st.expander(f"本次导入的变化（{len(done['lines'])}项）"):
            st.markdown("\n".join(f"- {x}" for x in done["lines"]))

upload = st.file_uploader("绩效目标表文件（Word、Excel 或 txt 文本）", type=["docx", "xlsx", "txt"],
                          key=f"import_upload_{state.get(NONCE, 0)}")
if upload is None:
    st.stop()
data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()
if state.get(FILE) != digest:  # a new file: its own corrections
    state[FILE] = digest
    ui.reset_edits()

year = st.number_input("预算年度", min_value=2000, max_value=2100, value=None, step=1,
                       placeholder="按文件中写明的年度", key=f"import_year_{digest[:8]}",
                       help="不填时取文件标题中写明的年度；填写的年度与文件不一致时不能导入")
memo = (digest, year, repr(ui.edits()), revision())  # the preview is read again only when one of these changes
try:
    if state.get(PREVIEW_KEY) != memo:
        state[PREVIEW] = target_import.preview(engine, data, upload.name, int(year) if year else None, ui.edits(),
                                               by=principal)
        state[PREVIEW_KEY] = memo
    pv = state[PREVIEW]
except (YearUnknown, YearConflict) as e:
    st.warning(str(e))
    st.stop()
except (DocumentError, DatabaseBusy, PermissionDenied) as e:
    st.error(f"无法读取：{e}")
    st.stop()

doc = pv.doc
if doc.year_found and not year:
    st.caption(f"文件写明：{doc.year_found}年度")
ui.render_summary(pv)
ui.render_diff(pv)
ui.render_messages(pv)

settings = load_settings(engine)
version = state.get(ui.EDITOR_VERSION, 0)
for n, project in enumerate(doc.tables, start=1):
    bad = len(project.rejected)
    title = f"{n}. {project.name or project.title or '未命名表格'}（{len(project.indicators)}个指标" + \
            (f"，{bad}行有问题" if bad else "") + ("，整表不能导入" if project.refusal else "") + "）"
    with st.expander(title, expanded=bool(project.refusal or bad) or len(doc.tables) == 1):
        ui.project_header(project)
        if any(p.kind == "金额" for p in project.refusal):
            budget = st.number_input("预算数（万元）", min_value=0.0, value=None, key=f"import_budget_{n}_{digest[:8]}",
                                     placeholder="文件中没有金额时在此填写")
            if st.button("使用此预算数", key=f"import_budget_ok_{n}") and budget is not None:
                ui.edits().budgets[project.key] = float(budget)
                st.rerun()
        frame = ui.indicator_frame(project, settings)
        if frame.empty:
            continue
        key = f"import_grid_{n}_{version}"
        with st.form(f"import_form_{n}_{version}", border=False):
            st.data_editor(frame.drop(columns=["位置"]), key=key, hide_index=True, width="stretch", placeholder="",
                           disabled=["类型", "解析规则", "判断方式", "状态"], column_config=ui.GRID_COLUMNS)
            st.form_submit_button("应用改正", on_click=ui.apply_grid_edits, args=(key, list(frame["位置"])),
                                  help="改正后重新解析该表；改正只在本次导入中生效")

with st.expander("词表：各地的一级/二级指标名称按规范名称导入"):
    st.dataframe(ui.vocabulary_frame(load_vocabulary(engine)), hide_index=True, width="stretch", placeholder="")
words = ui.unknown_words(doc)
if words:
    st.subheader("词表")
    st.caption("下列一级/二级指标不在词表中，已按原文预览。选择对应的规范名称加入词表后，本次和以后的导入都按规范名称导入。")
    for i, (level, word) in enumerate(words):
        c1, c2, c3 = st.columns([3, 3, 1])
        c1.markdown(f"{ui.level_label(level)}：**{word}**")
        choice = c2.selectbox("规范名称", ui.vocabulary_choices(level), key=f"import_vocab_{i}_{word}",
                              label_visibility="collapsed")
        if c3.button("加入词表", key=f"import_vocab_ok_{i}_{word}"):
            try:
                add_vocabulary_mapping(engine, level, word, choice, by=principal)
            except (ValueError, PermissionDenied, DatabaseBusy) as e:
                st.error(str(e))
            else:
                st.rerun()

st.divider()
partial = st.checkbox("只导入无问题的部分（有问题的表格和指标行不导入，并列出）", key=f"import_partial_{digest[:8]}",
                      disabled=not (doc.problems or pv.refused))
confirm = False
if pv.diff is not None and pv.diff.confirmed:
    confirm = st.checkbox("确认修改已有填报数据的指标", key=f"import_confirm_{digest[:8]}")
blocked = (not doc.projects or ((doc.problems or pv.refused) and not partial)
           or (pv.diff is not None and pv.diff.confirmed and not confirm))
if st.button("导入", type="primary", disabled=bool(blocked)):
    try:
        result = target_import.run(engine, data, upload.name, int(year) if year else None, by=principal,
                                   edits=ui.edits(), partial=partial, confirm=confirm)
    except ImportRefused as e:
        st.error("导入失败，数据库未作任何改动：\n\n" + "\n".join(f"- {p}" for p in e.problems))
    except ChangesNeedConfirmation as e:
        st.error("导入失败：以下修改需要确认，数据库未作任何改动：\n\n" + "\n".join(f"- {c}" for c in e.changes))
    except (DocumentError, DatabaseBusy, PermissionDenied) as e:
        st.error(f"导入失败，数据库未作任何改动：{e}")
    else:
        state[DONE] = {"summary": f"导入完成：{result.summary()}", "lines": target_import.change_lines(result)}
        state[NONCE] = state.get(NONCE, 0) + 1
        state.pop(FILE, None)
        ui.reset_edits()
        st.rerun()
