"""Evidence (佐证材料) on screen: the 填报 panel (attach, list, download, delete), a project's files on
项目详情, and the period's ZIP download any page can offer (填报期管理, 报表).

Definitions chosen here:

* Every write goes through ``data_access.evidence`` (permissions, locked periods, content checks,
  audit); a refusal is shown in Chinese after the rerun and nothing is kept half-done.
* After a file is attached or deleted the 填报 editors are rebuilt (``components.entry_pending.reset_editors``),
  so 须填写 drops or adds 佐证材料 at once; unsaved edits stay (they are pending rows, not editor state).
* Downloads build their bytes only when clicked (``data=callable``); the ZIP is built from
  ``data_access.evidence.evidence_bundle`` by ``documents.evidence_zip``.

Session-state keys are prefixed ``evidence_``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import partial

import streamlit as st
from sqlalchemy import Engine

from components.entry_pending import reset_editors
from components.state import revision
from data_access.db import DatabaseBusy
from data_access.evidence import (
    EvidenceError,
    EvidenceInfo,
    EvidenceTarget,
    delete_evidence,
    evidence_bundle,
    evidence_content,
    evidence_list,
    evidence_targets,
    upload_evidence,
)
from data_access.monitoring import load_settings
from data_access.permissions import ADMIN, PermissionDenied, Principal
from documents.evidence_zip import evidence_zip
from documents.mime import ZIP_MIME
from domain.clock import format_time
from domain.evidence import EVIDENCE_WORD, RULE_TEXTS, ZIP_MAX_BYTES, size_text
from domain.evidence_files import ACCEPTED_TEXT, EXTENSIONS
from domain.periods import parse_period

MESSAGE = "evidence_message"
REFUSED = (EvidenceError, PermissionDenied, DatabaseBusy)


def _flash(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def _show_message() -> None:
    msg = st.session_state.pop(MESSAGE, None)
    if msg:
        getattr(st, msg[0])(msg[1])


def _delete(engine: Engine, principal: Principal, evidence_id: int) -> None:
    try:
        name = delete_evidence(engine, principal, evidence_id)
    except REFUSED as e:
        _flash("error", f"未删除：{e}")
        return
    _flash("success", f"已删除佐证材料“{name}”")
    reset_editors()


def _content(engine: Engine, principal: Principal, evidence_id: int) -> bytes:
    return evidence_content(engine, principal, evidence_id).data


def _may_delete(principal: Principal, f: EvidenceInfo) -> bool:
    return principal.role == ADMIN or (principal.is_staff and f.uploaded_by == principal.username)


def file_rows(engine: Engine, principal: Principal, files: Sequence[EvidenceInfo], *, read_only: bool, key: str,
              show_period: bool = False, show_project: bool = True, frozen: Collection[int] = ()) -> None:
    """One line per file: (period,) item, name, size, who and when, 下载, and 删除 (own files, open period,
    a project not ``frozen`` by its review)."""
    widths = ([1.6] if show_period else []) + [3, 3, 0.8, 2.4, 0.8, 0.8]
    for f in files:
        c = iter(st.columns(widths))
        if show_period:
            next(c).markdown(parse_period(f.period_code).label)
        next(c).markdown(f"{f.project_name} / {f.item}" if show_project else f.item)
        next(c).markdown(f.filename)
        next(c).markdown(f.size_text)
        next(c).markdown(f"{f.uploader} · {format_time(f.uploaded_at)}")
        next(c).download_button("下载", data=partial(_content, engine, principal, f.id),
                                file_name=f.filename, mime=f.mime, key=f"{key}_dl_{f.id}", on_click="ignore")
        if not read_only and f.project_id not in frozen and _may_delete(principal, f):
            next(c).button("删除", key=f"{key}_del_{f.id}", on_click=_delete, args=(engine, principal, f.id),
                           help="删除后不能恢复（审计日志保留记录）")


def _upload(engine: Engine, principal: Principal, period: str, target: tuple[int, int | None], files: list) -> None:
    saved, refused = [], []
    for up in files:
        try:
            upload_evidence(engine, principal, project_id=target[0], indicator_id=target[1], period_code=period,
                            filename=up.name, data=up.getvalue())
        except REFUSED as e:
            refused.append(str(e))
        else:
            saved.append(up.name)
    if refused:
        _flash("error", ("已上传：" + "、".join(saved) + "。\n\n" if saved else "") + "未上传：\n\n"
               + "\n".join(f"- {r}" for r in refused))
    else:
        _flash("success", f"已上传{len(saved)}个佐证材料：" + "、".join(saved))
    if saved:
        reset_editors()


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _targets(rev: int, who: tuple, period: str, project_ids: tuple[int, ...], _engine: Engine,
             _principal: Principal) -> list[EvidenceTarget]:
    """``evidence_targets`` keyed on the data revision and who is asking: the 填报 grid reruns the page at
    every edit, the targets change only with a write."""
    return evidence_targets(_engine, _principal, period, list(project_ids))


def entry_panel(engine: Engine, principal: Principal, period: str, project_ids: Sequence[int], *,
                locked: bool, frozen: Collection[int] = ()) -> None:
    """填报's 佐证材料 section for the chosen period and projects: what the rules still ask for, the
    attached files, and (open periods) the upload form for the projects not ``frozen`` by their review
    (under review or approved: read-only, ``data_access.review``)."""
    st.subheader(EVIDENCE_WORD)
    _show_message()
    who = (principal.username, principal.role, tuple(sorted(principal.unit_ids)))
    targets = [t for t in _targets(revision(), who, period, tuple(project_ids), engine, principal)
               if t.project_id not in frozen]
    needed = [t for t in targets if t.needed]
    if needed:
        shown = "；".join(f"{t.project_name} / {t.item}（{'、'.join(RULE_TEXTS[r] for r in t.rules)}）" for t in needed[:8])
        st.warning(f"须附{EVIDENCE_WORD}（{len(needed)}项）：{shown}" + (f"；等{len(needed)}项" if len(needed) > 8 else "")
                   + "。在下方选择事项后上传。")
    files = evidence_list(engine, principal, period_code=period, project_ids=project_ids)
    if files:
        file_rows(engine, principal, files, read_only=locked, key=f"evidence_{period}", frozen=frozen)
    else:
        st.caption(f"本期所选项目尚未上传{EVIDENCE_WORD}。")
    if locked or not targets:
        return
    options = {(t.project_id, t.indicator_id): t for t in targets}
    order = sorted(options, key=lambda k: not options[k].needed)  # what is still required first
    with st.form(f"evidence_form_{period}", clear_on_submit=True, border=True):
        target = st.selectbox("附于", order, key=f"evidence_target_{period}",
                              format_func=lambda k: f"{options[k].project_name} / {options[k].item}"
                              + ("（须附）" if options[k].needed else f"（已有{options[k].files}个）" if options[k].files else ""))
        files_up = st.file_uploader(f"选择文件（{ACCEPTED_TEXT}）", type=[e.lstrip(".") for e in EXTENSIONS],
                                    accept_multiple_files=True, key=f"evidence_files_{period}")
        if st.form_submit_button("上传佐证材料", type="primary"):
            if not files_up:
                _flash("warning", "请先选择要上传的文件")
            else:
                _upload(engine, principal, period, target, list(files_up))
            st.rerun()
    st.caption(f"单个文件不超过{load_settings(engine).evidence_max_mb:g} MB；文件按内容检查类型，扩展名与内容不符的文件会被拒绝。"
               "本期锁定前可删除本人上传的文件。")


def project_files(engine: Engine, principal: Principal, project_id: int, year: int, as_of_end,
                  read_only_periods: set[str]) -> None:
    """项目详情's 佐证材料: the project's files of the periods up to the as-of date, newest period first."""
    _show_message()
    files = [f for f in evidence_list(engine, principal, project_ids=[project_id], year=year)
             if parse_period(f.period_code).end <= as_of_end]
    if not files:
        st.caption(f"截至所选期末尚无{EVIDENCE_WORD}。")
        return
    files.sort(key=lambda f: parse_period(f.period_code).end, reverse=True)
    for code in dict.fromkeys(f.period_code for f in files):
        group = [f for f in files if f.period_code == code]
        file_rows(engine, principal, group, read_only=code in read_only_periods, key=f"project_evidence_{code}",
                  show_period=True, show_project=False)


def evidence_zip_button(engine: Engine, principal: Principal, period_code: str, *,
                        project_ids: Sequence[int] | None = None, key: str, label: str | None = None) -> None:
    """One button: the period's evidence (of ``project_ids``, else every project the principal may see)
    as a ZIP in the platform's layout (``[项目编码]单位-项目/指标/文件``). Disabled without files, and
    above ``domain.evidence.ZIP_MAX_BYTES`` (then the caller offers a narrower choice, e.g. one unit)."""
    files = evidence_list(engine, principal, period_code=period_code, project_ids=project_ids)
    total = sum(f.size for f in files)
    period = parse_period(period_code)
    too_big = total > ZIP_MAX_BYTES

    def build() -> bytes:
        return evidence_zip((b.info, b.data) for b in evidence_bundle(engine, principal, period_code, project_ids))

    st.download_button(label or f"下载{period.label}{EVIDENCE_WORD}（ZIP，{len(files)}个文件，{size_text(total)}）",
                       data=build, file_name=f"{EVIDENCE_WORD}_{period_code}.zip", mime=ZIP_MIME, key=key,
                       on_click="ignore", icon=":material/folder_zip:", disabled=not files or too_big,
                       help=(f"超过{size_text(ZIP_MAX_BYTES)}，请按单位分别下载" if too_big
                             else "按“[项目编码]单位-项目/指标/文件”分文件夹，附佐证材料清单.csv"))


def period_zip_section(engine: Engine, principal: Principal, period_code: str, *, key: str) -> None:
    """A unit choice (全部单位 or one unit with files in the period) and the ZIP button for it."""
    files = evidence_list(engine, principal, period_code=period_code)
    units: dict[str, list[int]] = {}
    for f in files:
        units.setdefault(f.unit_name or "未分配单位", []).append(f.project_id)
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    unit = c1.selectbox("单位", ["", *sorted(units)], key=f"{key}_unit",
                        format_func=lambda u: u or f"全部单位（{len(units)}个）")
    with c2:
        evidence_zip_button(engine, principal, period_code, project_ids=sorted(set(units[unit])) if unit else None,
                            key=key)


__all__ = ["entry_panel", "project_files", "evidence_zip_button", "period_zip_section", "file_rows"]
