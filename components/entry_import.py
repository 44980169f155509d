"""The 填报 page's file section: download the template / CSV, upload it, preview, confirm.

Definitions chosen here:

* A locked period has no upload box (only the downloads); a file whose lines are refused for their
  period (locked, unknown) says so once with the number of lines (``ImportResult.grouped_errors``).
* A conflict names the person by display name and shows both values (已保存的值 / 文件中的值). Someone
  else's save is never overwritten by a file: the only way on is to download the template again (it
  has the newest values) — the message says exactly that. One's own earlier save (on screen or by an
  earlier upload, after the file was exported) is recognised as such and can be overwritten by ticking
  「用文件中的值覆盖我之前保存的值」, which the preview and the confirmation both use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from components.entry_pending import reset_editors
from data_access import actuals as A
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from documents.actuals_template import XLSX_MIME, DocumentError, build_csv, build_template, read_actuals_file

UPLOAD_NONCE = "entry_upload_nonce"
IMPORT_RESULT = "entry_import_result"
OVERWRITE_OWN = "entry_import_overwrite_own"
OTHERS_ADVICE = "这些行不会保存。如需修改，请重新下载填报模板（含最新保存的值）后再填写上传。"


def _values(both: list[tuple[str, str | None, str | None]], side: int) -> str:
    return "；".join(f"{label}：{v[side - 1] if v[side - 1] is not None else '（空）'}"
                    for label, *v in both)


def problem_rows(result: A.ImportResult) -> list[dict[str, Any]]:
    """One row per refused line (period refusals once), conflicts with both values."""
    rows = [{"位置": e.where, "事项": e.item, "原因": e.message, "已保存的值": "", "文件中的值": ""}
            for e in result.grouped_errors()]
    for where, item, c in result.conflicts:
        both = c.both_values()
        rows.append({"位置": where, "事项": item, "原因": c.message(), "已保存的值": _values(both, 1),
                     "文件中的值": _values(both, 2)})
    return rows


def _confirm(engine: Engine, principal: Principal, data: bytes, filename: str, overwrite_own: bool) -> None:
    state = st.session_state
    try:
        parsed = read_actuals_file(data, filename)
        result = A.import_actuals(engine, principal, parsed, source=parsed.source, overwrite_own=overwrite_own)
    except (DocumentError, PermissionDenied, DatabaseBusy) as e:
        state[IMPORT_RESULT] = {"error": str(e)}
        return
    state[IMPORT_RESULT] = {
        "summary": result.summary(),
        "lines": [f"{r['位置']}（{r['事项']}）{r['原因']}" if r["事项"] else f"{r['位置']} {r['原因']}"
                  for r in problem_rows(result)],
        "others": any(not c.own for _w, _i, c in result.conflicts),
    }
    state[UPLOAD_NONCE] = state.get(UPLOAD_NONCE, 0) + 1  # clear the uploader
    reset_editors()


def _show_done() -> None:
    done = st.session_state.pop(IMPORT_RESULT, None)
    if not done:
        return
    if done.get("error"):
        st.error(f"导入失败：{done['error']}")
        return
    (st.warning if done["lines"] else st.success)(f"导入完成：{done['summary']}")
    if done["lines"]:
        st.error("以下行未保存：\n" + "\n".join(f"- {x}" for x in done["lines"])
                 + (f"\n\n{OTHERS_ADVICE}" if done.get("others") else ""))


def _downloads(engine: Engine, principal: Principal, state: A.PeriodState, project_ids: Sequence[int],
               unit: str, year: int) -> None:
    period = state.code
    d1, d2, _ = st.columns([1, 1, 2])
    d1.download_button(
        "下载Excel填报模板",
        data=lambda: build_template(A.entry_frame(engine, principal, period, project_ids).to_dict("records"), state.label,
                                    spending=A.spending_frame(engine, principal, period, project_ids).to_dict("records"),
                                    period_code=period, unit_label=unit, fiscal_year=year),
        file_name=f"填报模板_{unit}_{period}.xlsx", mime=XLSX_MIME, key="entry_template_download",
    )
    d2.download_button(
        "下载CSV（指标）",
        data=lambda: build_csv(A.entry_frame(engine, principal, period, project_ids).to_dict("records"), period),
        file_name=f"指标填报_{unit}_{period}.csv", mime="text/csv", key="entry_csv_download",
    )


def _preview(engine: Engine, principal: Principal, period: str, data: bytes, filename: str) -> None:
    own = bool(st.session_state.get(OVERWRITE_OWN))
    try:
        parsed = read_actuals_file(data, filename)
        preview = A.import_actuals(engine, principal, parsed, dry_run=True, overwrite_own=own)
    except (DocumentError, PermissionDenied, DatabaseBusy) as e:
        st.error(f"无法导入：{e}")
        return
    periods = sorted({r.period_code for r in parsed.rows if r.period_code})
    if periods and periods != [period]:
        st.info("文件中的填报期：" + "、".join(A.period_label(p) for p in periods) + "（按文件中的填报期保存）")
    st.markdown(f"**预览**：{preview.summary()}")
    if preview.changes:
        st.dataframe(
            [{"位置": c.where, "填报期": c.period_code, "事项": c.item, "字段": c.label,
              "原值": c.old if c.old is not None else "", "新值": c.new if c.new is not None else ""}
             for c in preview.changes],
            hide_index=True, width="stretch", key="entry_import_changes")
    problems = problem_rows(preview)
    if problems:
        st.error(f"{len(problems)}处问题，这些行不会保存：")
        st.dataframe(problems, hide_index=True, width="stretch", key="entry_import_problems")
    if any(not c.own for _w, _i, c in preview.conflicts):
        st.info(OTHERS_ADVICE)
    if own or any(c.own for _w, _i, c in preview.conflicts):
        st.checkbox("用文件中的值覆盖我之前保存的值", key=OVERWRITE_OWN,
                    help="只对你本人在导出这份文件之后保存过的行；他人保存的行不会被覆盖")
    st.button("确认导入", type="primary", disabled=preview.saved == 0, key="entry_import_confirm",
              on_click=_confirm, args=(engine, principal, data, filename, own))


def render_import(engine: Engine, principal: Principal, state: A.PeriodState, project_ids: Sequence[int],
                  unit: str, year: int) -> None:
    """The expander with downloads and (for an open period) the upload, preview and confirmation."""
    title = "下载本期数据：Excel / CSV（已锁定，不能上传）" if state.read_only else "批量导入：Excel填报模板 / CSV"
    with st.expander(title, expanded=bool(st.session_state.get(IMPORT_RESULT))):
        _show_done()
        if state.read_only:
            st.markdown(f"{state.label}已锁定，不能上传。可以下载本期已填报的数据。")
        else:
            st.markdown("先下载本单位本期的填报模板（已预填项目、指标、目标和上期值），填好后上传；"
                        "上传后先预览将要修改的内容，确认后才保存。也可上传CSV（英文表头，见模板说明）。")
        _downloads(engine, principal, state, project_ids, unit, year)
        if state.read_only:
            return
        upload = st.file_uploader("上传填好的Excel模板或CSV", type=["xlsx", "csv"],
                                  key=f"entry_upload_{st.session_state.get(UPLOAD_NONCE, 0)}")
        if upload is not None:
            _preview(engine, principal, state.code, upload.getvalue(), upload.name)


__all__ = ["render_import", "problem_rows", "UPLOAD_NONCE", "IMPORT_RESULT", "OVERWRITE_OWN", "OTHERS_ADVICE"]
