"""The 填报 editors: indicators and spending of one period in two ``st.data_editor`` and one 保存 button.

Definitions chosen here:

* The editors are not in a form: each edit reruns the page, so unsaved edits are kept as pending rows
  and 须填写 follows the typing (``components.entry_drafts``).
* The 保存 button saves in its ``on_click`` callback from
  ``st.session_state[key]["edited_rows"]`` (row positions -> the hidden id/version columns of the
  snapshot). Every submitted row goes through ``data_access.actuals`` (parsing by
  ``domain.entry_values``, validation, permissions, locked period, versions, audit); the editor
  sends what was typed as it was typed and parses nothing itself.
* A row is saved whole or not at all: a refused cell keeps its whole row out (pending, exactly as
  typed, see ``components.entry_pending``), the other rows save. Each refused cell is listed with the
  row (第N行, project / indicator), the field and what was typed.
* Snapshots, pending rows and conflicts live in ``components.entry_pending``; column configs and the
  display of stored values as text in ``components.entry_columns``.

Session-state keys are prefixed ``entry_``; the current editor keys are in ``entry_ind_key`` and
``entry_sp_key`` (AppTest seeds ``edited_rows`` under them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components.entry_columns import (
    IND_VISIBLE,
    SP_VISIBLE,
    indicator_columns,
    indicator_display,
    spending_columns,
    spending_display,
)
from components.entry_drafts import drop_other_bases, editor_table, fold_edits, live_view, only_open, row_values
from components.entry_pending import (
    BASES,
    CONFLICTS,
    IND_KEY,
    KIND_IND,
    KIND_SP,
    MESSAGES,
    PENDING,
    SNAPSHOTS,
    SP_KEY,
    UNSAVED,
    clean,
    conflict_record,
    discard,
    editor_keys,
    overwrite,
    pending,
    reset_editors,
    save_rows,
    ss,
    take_theirs,
)
from data_access import actuals as A
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from domain.periods import parse_period

# --------------------------------------------------------------------------- saving


def _version(v: Any) -> int | None:
    v = clean(v)
    return None if v is None else int(v)


def _item(df: pd.DataFrame, pos: int, kind: str) -> str:
    r = df.iloc[pos]
    return f"{r['项目']} / {r['三级指标']}" if kind == KIND_IND else str(r["项目"])


def _rows_to_submit(kind: str, df: pd.DataFrame, edited: dict[int, dict], pend: dict) -> tuple[list[dict], list[int]]:
    """The edited rows and the pending ones, in grid order: (rows for the data layer, their positions)."""
    id_col = "_indicator_id" if kind == KIND_IND else "_project_id"
    columns = A.IND_EDIT_COLUMNS if kind == KIND_IND else A.SP_EDIT_COLUMNS
    ids_at = {pos: int(df.iat[pos, df.columns.get_loc(id_col)]) for pos in range(len(df))}
    positions = set(edited) | {pos for pos, i in ids_at.items() if i in pend}
    rows, order = [], []
    for pos in sorted(p for p in positions if 0 <= p < len(df)):
        values = row_values(df, pos, columns, edited.get(pos, {}))
        version = _version(df.iat[pos, df.columns.get_loc("_version")])
        rows.append({id_col[1:]: ids_at[pos], "version": version, **values})
        order.append(pos)
    return rows, order


def _keep_refused(res: A.SaveResult, rows: list[dict], pend: dict, id_name: str) -> None:
    """Refused rows become (or stay) pending exactly as typed; saved or unchanged ones stop being."""
    failed = set(res.failed_rows)
    for i, row in enumerate(rows):
        ent = row[id_name]
        if i not in failed:
            pend.pop(ent, None)
            continue
        c = res.conflict_for(i)
        why = c.message() if c is not None else "；".join(e.message for e in res.errors_for(i))
        pend[ent] = {"values": {k: v for k, v in row.items() if k not in (id_name, "version")},
                     "version": row["version"], "why": why}


def _submit(kind: str, engine: Engine, principal: Principal, period: str, key: str) -> dict:
    """Save one editor's edited rows (and its pending rows). Returns a message record."""
    df: pd.DataFrame | None = ss().get(SNAPSHOTS, {}).get(key)
    if df is None:
        return {"kind": kind, "submitted": 0}
    state = ss().get(key) or {}
    edited = {int(k): v for k, v in (state.get("edited_rows") or {}).items()}
    pend = pending(period)[kind]
    rows, order = _rows_to_submit(kind, df, edited, pend)
    if not rows:
        return {"kind": kind, "submitted": 0}
    try:
        res = save_rows(kind)(engine, principal, period, rows, source="screen")
    except (PermissionDenied, DatabaseBusy) as e:
        return {"kind": kind, "submitted": len(rows), "denied": str(e)}
    _keep_refused(res, rows, pend, "indicator_id" if kind == KIND_IND else "project_id")
    errors = [{"where": f"第{order[e.row] + 1}行", "item": _item(df, order[e.row], kind), "field": e.label,
               "message": e.message} for e in res.errors]
    conflicts = [conflict_record(kind, period, c, f"第{order[c.row] + 1}行", _item(df, order[c.row], kind))
                 for c in res.conflicts]
    return {"kind": kind, "submitted": len(rows), "saved": len(res.saved), "unchanged": len(res.unchanged),
            "errors": errors, "conflicts": conflicts}


def _on_save(engine: Engine, principal: Principal, period: str, ind_key: str, sp_key: str) -> None:
    results = [_submit(KIND_IND, engine, principal, period, ind_key),
               _submit(KIND_SP, engine, principal, period, sp_key)]
    conflicts = ss().setdefault(CONFLICTS, {}).setdefault(period, [])
    for r in results:
        # a conflict whose row is no longer pending (saved now, or dropped) is resolved
        pend = pending(period)[r["kind"]]
        conflicts[:] = [x for x in conflicts if x["kind"] != r["kind"] or x["entity_id"] in pend]
        for c in r.get("conflicts", []):
            conflicts[:] = [x for x in conflicts if not (x["kind"] == c["kind"] and x["entity_id"] == c["entity_id"])]
            conflicts.append(c)
    ss()[MESSAGES] = results
    if any(r.get("submitted") for r in results):
        reset_editors()  # a new editor key: saved edits drop, refused rows come back from the pending overlay


# --------------------------------------------------------------------------- rendering


def show_messages() -> None:
    """What the last save said (after the rerun): counts, then every refused row and field."""
    results = ss().pop(MESSAGES, None)
    if not results:
        return
    if not any(r.get("submitted") or r.get("info") or r.get("denied") for r in results):
        st.info("没有需要保存的修改")
        return
    for r in results:
        what = "指标" if r["kind"] == KIND_IND else "预算执行"
        if r.get("info"):
            st.info(r["info"])
            continue
        if r.get("denied"):
            st.error(f"{what}：{r['denied']}")
            continue
        if not r.get("submitted"):
            continue
        parts = [f"{what}：已保存{r.get('saved', 0)}行"]
        if r.get("unchanged"):
            parts.append(f"未改动{r['unchanged']}行")
        errs = r.get("errors") or []
        if errs:
            parts.append(f"{len({e['where'] for e in errs})}行未通过校验")
        conflicts = r.get("conflicts") or []
        n_own = sum(1 for c in conflicts if c.get("own"))
        if len(conflicts) - n_own:
            parts.append(f"{len(conflicts) - n_own}行与他人修改冲突")
        if n_own:
            parts.append(f"{n_own}行与你之前在别处保存的值不同")
        text = "，".join(parts)
        advice = []
        if errs:
            advice.append("未通过校验的行仍保留在表格中（标记为“未保存”），改正后再次保存")
        if conflicts:
            advice.append("有冲突的行见下方，请比较两边的值后选择保留哪一边")
        if advice:
            st.warning(text + "。" + "；".join(advice) + "。")
        else:
            st.success(text)
        if errs:
            lines = [f"- {e['where']}（{e['item']}）{e['message']}" if e["where"] else f"- {e['message']}" for e in errs]
            st.error("以下内容未保存：\n" + "\n".join(lines))


_SIDES = {False: ("对方的值", "你的值", "采用对方的值", "用我的值覆盖"),
          True: ("之前保存的值", "表格中的值", "保留之前保存的值", "用表格中的值覆盖")}


def show_conflicts(engine: Engine, principal: Principal, period: str) -> None:
    """One panel per conflict: who saved (by name) and when, both values, and the two actions."""
    conflicts = ss().get(CONFLICTS, {}).get(period, [])
    if not conflicts:
        return
    st.subheader("与已保存的值冲突")
    for n, c in enumerate(list(conflicts)):
        own = bool(c.get("own"))
        theirs, yours, take_label, mine_label = _SIDES[own]
        with st.container(border=True):
            if own:
                st.markdown(f"**{c['where']} {c['item']}**：你本人已于{c['their_at']}在别处（另一个窗口或文件导入）"
                            "保存过此行，与表格中的值不同。请选择保留哪一边：")
            else:
                st.markdown(f"**{c['where']} {c['item']}**：{c['their_by']}于{c['their_at']}已保存此行，"
                            "你的修改尚未保存。请比较两边的值后选择：")
            table = pd.DataFrame(c["fields"], columns=["字段", theirs, yours]).fillna("（空）")
            st.dataframe(table, hide_index=True, width="stretch", key=f"entry_conflict_table_{c['kind']}_{c['entity_id']}")
            b1, b2, _ = st.columns([1, 1, 3])
            b1.button(take_label, key=f"entry_theirs_{c['kind']}_{c['entity_id']}_{n}",
                      on_click=take_theirs, args=(period, c["kind"], c["entity_id"]))
            b2.button(mine_label, key=f"entry_mine_{c['kind']}_{c['entity_id']}_{n}", type="primary",
                      on_click=overwrite,
                      args=(engine, principal, period, c["kind"], c["entity_id"], c["their_version"]))


def _views(engine: Engine, principal: Principal, period: str, project_ids: Sequence[int] | None,
           keys: tuple[str, str], open_only: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(indicator grid, spending grid, indicator live view, spending live view) for this run.

    The edits the editors reported are folded into the pending rows first; the database frames are read
    once per key. A grid's data stays the same while its editor lives in the browser (new data would
    make the browser drop the edits it holds); it is rebuilt — pending rows laid over, 须填写 live —
    when the editor is mounted afresh (first run, back from another page, after a save, a new filter).
    The live views are recomputed every run for the 修改中的行 table."""
    state = ss()
    snaps = state.setdefault(SNAPSHOTS, {})
    ind_key, sp_key = keys
    fold_edits(KIND_IND, period, ind_key, snaps.get(ind_key))
    fold_edits(KIND_SP, period, sp_key, snaps.get(sp_key))
    bases = state.setdefault(BASES, {})
    if ind_key not in bases or sp_key not in bases:
        rules = A.entry_rules(engine, principal, period, project_ids)
        bases[ind_key] = (indicator_display(A.entry_frame(engine, principal, period, project_ids)), rules)
        bases[sp_key] = (spending_display(A.spending_frame(engine, principal, period, project_ids)), rules)
    drop_other_bases({ind_key, sp_key})
    for k in [k for k in snaps if k not in keys]:
        del snaps[k]  # editors of another period/scope: rebuilt when shown again
    out: list[pd.DataFrame] = []
    lives: list[pd.DataFrame] = []
    for kind, key in ((KIND_IND, ind_key), (KIND_SP, sp_key)):
        base, rules = bases[key]
        if open_only:
            base = only_open(kind, period, key, base, rules)
        live = live_view(kind, period, base, rules)
        if key not in snaps or key not in state:  # the editor is mounted afresh
            snaps[key] = live.drop(columns="_open")
        out.append(snaps[key])
        lives.append(live)
    return out[0], out[1], lives[0], lives[1]


def _editing(period: str, ind_live: pd.DataFrame, sp_live: pd.DataFrame) -> None:
    """The rows being changed, with what each still needs computed from what is typed now."""
    pend = pending(period)
    rows = []
    for kind, live, id_col in ((KIND_IND, ind_live, "_indicator_id"), (KIND_SP, sp_live, "_project_id")):
        for pos in range(len(live)):
            if int(live.iat[pos, live.columns.get_loc(id_col)]) in pend[kind]:
                r = live.iloc[pos]
                rows.append({"表": "指标" if kind == KIND_IND else "预算执行", "行": f"第{pos + 1}行",
                             "事项": _item(live, pos, kind), "须填写": r["须填写"] or "（已齐全）",
                             "说明": r["状态原因"]})
    if rows:
        st.markdown("**修改中的行**（须填写随输入即时更新，保存后生效）")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="entry_editing")


def _caption(ind: pd.DataFrame, period: str, open_only: bool) -> None:
    pend = pending(period)
    n_missing = int((ind["_status"] == "missing").sum()) if not ind.empty else 0
    n_explain = int((ind["须填写"].fillna("") != "").sum()) if not ind.empty else 0
    n_pending = len(pend[KIND_IND]) + len(pend[KIND_SP])
    what = "待填/须补充的指标" if open_only else "指标"
    st.caption(f"{what}{len(ind)}项：未填报{n_missing}项，须填写或补充{n_explain}项"
               + (f"；未保存{n_pending}行" if n_pending else "")
               + "。状态按本期末计算；正在修改的行还须填写什么，见表格下方“修改中的行”。")


def render_editors(engine: Engine, principal: Principal, period: str, project_ids: Sequence[int] | None,
                   scope: str, *, locked: bool, open_only: bool = False) -> None:
    """The two editors (or read-only tables for a locked period) and the save button.

    Not in a form: every edit reruns the page, so unsaved edits are kept (``components.entry_drafts``)
    and 须填写 follows the typing."""
    year = parse_period(period).year
    ind_key, sp_key = editor_keys(period, scope + ("_open" if open_only else ""))
    state = ss()
    state[IND_KEY], state[SP_KEY] = ind_key, sp_key
    ind, sp, ind_live, sp_live = _views(engine, principal, period, project_ids, (ind_key, sp_key), open_only)
    if ind.empty and sp.empty:
        st.info("没有待填或须补充的行。" if open_only else "没有可填报的项目。")
        return
    _caption(ind_live, period, open_only)
    ind_cfg = indicator_columns(year)
    sp_cfg = spending_columns()
    height_ind = min(38 + 35 * max(len(ind), 1), 640)
    height_sp = min(38 + 35 * max(len(sp), 1), 420)
    if locked:
        st.dataframe(ind, hide_index=True, width="stretch", height=height_ind, column_config=ind_cfg,
                     column_order=IND_VISIBLE, key=f"{ind_key}_ro", placeholder="")
        st.markdown("**预算执行**")
        st.dataframe(sp, hide_index=True, width="stretch", height=height_sp, column_config=sp_cfg,
                     column_order=SP_VISIBLE, key=f"{sp_key}_ro", placeholder="")
        return
    st.markdown("**指标填报**")
    st.data_editor(editor_table(ind), key=ind_key, hide_index=True, width="stretch", height=height_ind, num_rows="fixed", placeholder="",
                   column_config=ind_cfg, column_order=IND_VISIBLE,
                   disabled=A.IND_READONLY_COLUMNS + A.IND_HIDDEN_COLUMNS)
    st.markdown("**预算执行**（累计支出，万元）")
    st.data_editor(editor_table(sp), key=sp_key, hide_index=True, width="stretch", height=height_sp, num_rows="fixed", placeholder="",
                   column_config=sp_cfg, column_order=SP_VISIBLE,
                   disabled=A.SP_READONLY_COLUMNS + A.SP_HIDDEN_COLUMNS)
    n_pending = len(pending(period)[KIND_IND]) + len(pending(period)[KIND_SP])
    st.button("保存", type="primary", key=f"entry_save_{period}", on_click=_on_save,
              args=(engine, principal, period, ind_key, sp_key))
    st.caption("只保存改动过的行；不合格的行不会保存，并保留在表格中。改动在保存或放弃之前一直保留，"
               "切换页面、项目或填报期也不会丢失。")
    if n_pending:
        st.button(f"放弃{n_pending}行未保存的修改", key=f"entry_discard_{period}", on_click=discard, args=(period,))
    _editing(period, ind_live, sp_live)


__all__ = ["render_editors", "show_messages", "show_conflicts", "reset_editors", "editor_keys", "indicator_columns",
           "spending_columns", "IND_KEY", "SP_KEY", "PENDING", "CONFLICTS", "SNAPSHOTS", "UNSAVED"]
