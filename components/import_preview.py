"""The 导入目标 page's preview: every table and indicator as it would be stored, the rule each 指标值
parses to and the mode that will judge it, every message grouped by kind, the diff against the
database, and the corrections (a cell, a budget, a vocabulary mapping) kept in the session.

Definitions chosen here:

* Corrections live in ``st.session_state`` (``ImportEdits``) until the import or a new file; the file is
  read again with them on every run (``seed.target_import.preview``), so what is shown is exactly what
  the import will store. Nothing is written before 导入 except a vocabulary mapping, which is the
  admin's explicit, audited choice for every later import.
* An edited grid cell is a correction of the row's logical field (一级 / 二级 / 三级指标, 指标值, 分值),
  keyed by the row's place in the file; the grid's key changes after each applied correction so no
  pending edit is applied twice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.queries import NO_PLAN
from domain.document import SKIPPED, ImportEdits, IndicatorSpec, ProjectSpec, TargetDocument
from domain.settings import Settings
from domain.status import indicator_mode
from domain.status.model import IndicatorInput
from domain.status.words import MODE_LABELS
from domain.targets import DEADLINE, NUMERIC
from domain.vocabulary import LEVEL1, LEVEL2, LEVEL_LABELS, Vocabulary
from seed.target_import import Preview, change_lines, grouped

EDITS = "import_edits"
EDITOR_VERSION = "import_editor_version"
EDITABLE = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "指标值": "value", "分值": "weight"}
GRID_COLUMNS = {
    "一级指标": st.column_config.TextColumn(width="small"), "二级指标": st.column_config.TextColumn(width="small"),
    "三级指标": st.column_config.TextColumn(width="medium"), "指标值": st.column_config.TextColumn(width="small"),
    "分值": st.column_config.TextColumn(width=60), "类型": st.column_config.TextColumn(width=50),
    "解析规则": st.column_config.TextColumn(width="small"), "判断方式": st.column_config.TextColumn(width="small"),
    "状态": st.column_config.TextColumn(width="medium"),
}
_OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def edits() -> ImportEdits:
    state = st.session_state
    if not isinstance(state.get(EDITS), ImportEdits):
        state[EDITS] = ImportEdits()
    return state[EDITS]


def reset_edits() -> None:
    st.session_state[EDITS] = ImportEdits()
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1


def rule_text(ind: IndicatorSpec) -> str:
    t = ind.target
    if t.kind == NUMERIC and t.value is not None:
        value = f"{t.value:g}"
        return f"{_OPS.get(t.op or '', t.op or '')}{value}{t.unit or ''}"
    if t.kind == DEADLINE and t.deadline:
        start = f"{t.start.isoformat()} 至 " if t.start else ""
        return f"{start}{t.deadline.isoformat()}前"
    return "定性（按达成/部分达成/未达成判断）"


def mode_label(ind: IndicatorSpec, settings: Settings) -> str:
    mode = indicator_mode(IndicatorInput(id=None, level1=ind.level1, level2=ind.level2, level3=ind.level3,
                                         target=ind.target), settings)
    return MODE_LABELS.get(mode, mode)


def indicator_frame(project: ProjectSpec, settings: Settings) -> pd.DataFrame:
    rows = []
    for ind in sorted(project.indicators + project.rejected, key=lambda i: _line(i.place)):
        kind = {"numeric": "数值", "deadline": "时限", "qualitative": "定性"}[ind.target.kind]
        rows.append({"位置": ind.place, "一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3,
                     "指标值": ind.target_text, "分值": "" if ind.weight is None else f"{ind.weight:g}",
                     "类型": kind, "解析规则": rule_text(ind) if not ind.problem else "",
                     "判断方式": mode_label(ind, settings) if not ind.problem else "",
                     "状态": ind.problem or "可导入"})
    return pd.DataFrame(rows)


def _line(place: str) -> int:
    digits = "".join(ch for ch in place.rsplit("第", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def apply_grid_edits(key: str, places: list[str]) -> None:
    """Form callback: the grid's edited cells become corrections of their rows."""
    changes = (st.session_state.get(key) or {}).get("edited_rows", {})
    cells = edits().cells
    for pos, values in changes.items():
        place = places[int(pos)]
        for column, value in values.items():
            if column in EDITABLE:
                cells.setdefault(place, {})[EDITABLE[column]] = "" if value is None else str(value).strip()
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1


def unknown_words(doc: TargetDocument) -> list[tuple[str, str]]:
    """(level, word) of every 一级 / 二级 word the vocabulary did not know, in order of appearance."""
    out: list[tuple[str, str]] = []
    for p in doc.tables:
        for ind in p.indicators + p.rejected:
            for level, word, known in (("level1", ind.level1, LEVEL1), ("level2", ind.level2, tuple(LEVEL2))):
                if word and word not in known and (level, word) not in out:
                    out.append((level, word))
    return out


def render_summary(pv: Preview) -> None:
    doc = pv.doc
    budget = sum(p.budget_wan or 0 for p in doc.projects)
    cols = st.columns(5)
    cols[0].metric("预算年度", f"{doc.fiscal_year}年度")
    cols[1].metric("表格", f"{len(doc.tables)}个", help="文件中读到的项目绩效目标表")
    cols[2].metric("可导入项目", f"{len(doc.projects)}个")
    cols[3].metric("可导入指标", f"{doc.indicator_count}个")
    cols[4].metric("预算合计", f"{budget:,.2f}万元")


def render_messages(pv: Preview) -> None:
    """Errors, then notes, then skipped rows, each grouped by kind with the rows they concern."""
    errors = pv.doc.problems + pv.refused
    if errors:
        st.error(f"有{len(errors)}处问题：有问题的表格或指标行不能导入（可勾选“只导入无问题的部分”）")
        for kind, items in grouped(errors):
            with st.expander(f"问题 · {kind}（{len(items)}处）", expanded=True):
                st.markdown("\n".join(f"- {p}" for p in items))
    notes = [w for w in pv.doc.warnings if w.severity != SKIPPED]
    skipped = [w for w in pv.doc.warnings if w.severity == SKIPPED]
    for title, items in (("提示", notes), ("已跳过的行", skipped)):
        for kind, group in grouped(items):
            with st.expander(f"{title} · {kind}（{len(group)}处）", expanded=False):
                st.markdown("\n".join(f"- {p}" for p in group))


def render_diff(pv: Preview) -> None:
    if pv.diff is None:
        return
    lines = change_lines(pv.diff)
    created, updated = pv.diff.projects_created, pv.diff.projects_updated
    if not created and not updated:
        st.info("与数据库中已导入的内容相同：导入不会改变任何数据")
        return
    st.markdown(f"**导入将会：新增项目{created}个，修改已有项目{updated}个（"
                f"新增指标{pv.diff.indicators_added}个，删除{pv.diff.indicators_removed}个，修改{pv.diff.fields_changed}处）**")
    with st.expander(f"导入前后对比（{len(lines)}项）", expanded=updated > 0):
        st.markdown("\n".join(f"- {x}" for x in lines))
    if pv.diff.confirmed:
        st.warning("以下修改涉及已有填报数据的指标，导入前需勾选确认：\n\n" +
                   "\n".join(f"- {c}" for c in pv.diff.confirmed))


def project_header(project: ProjectSpec) -> None:
    money = "未找到" if project.budget_wan is None else (
        f"{project.budget_wan:,.2f}万元（财政资金{project.fiscal_wan or 0:,.2f}，其他资金{project.other_wan or 0:,.2f}）")
    plan = "；".join(f"{p.label} {p.cumulative_pct:g}%" for p in project.plan) or NO_PLAN
    st.markdown(f"**项目名称：** {project.name or '（未找到）'}　**主管部门：** {project.department or '—'}　"
                f"**实施单位：** {project.implementer or '—'}  \n**预算数：** {money}  \n**资金支出计划：** {plan}  \n"
                f"**年度目标：** {'；'.join(project.goals) or '—'}")
    for problem in project.refusal:
        st.error(f"整表不能导入：{problem.message}")


def vocabulary_frame(vocabulary: Vocabulary) -> pd.DataFrame:
    return pd.DataFrame(vocabulary.mapping_rows(), columns=["层级", "文件中的写法", "按此导入", "来源"])


def vocabulary_choices(level: str) -> list[str]:
    return list(LEVEL1 if level == "level1" else LEVEL2)


def level_label(level: str) -> str:
    return LEVEL_LABELS[level]
