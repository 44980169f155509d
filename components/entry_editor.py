"""The 填报 editors: indicators and spending of one period in ``st.data_editor`` inside one ``st.form``.

How edits survive (ENGINEERING.md, data_editor facts):

* The editors are fed a **snapshot** frame, built from the database once per editor key and kept in
  ``st.session_state`` — the input never changes while the key lives, so the editor's row positions and
  the versions the user edited against stay put (never the editor's return value).
* The form's submit button saves in its ``on_click`` callback from
  ``st.session_state[key]["edited_rows"]`` (row positions -> the hidden id/version columns of the
  snapshot). Every submitted row goes through ``data_access.actuals`` (validation, permissions, locked
  period, versions, audit).
* After a save the key changes (a counter), so saved edits drop. Rows that were refused (errors,
  conflicts) are kept as **pending**: their typed values and the version they were edited against are
  stored per indicator/project id and laid over the next snapshot, so they stay in the editor exactly
  as typed, are marked "未保存", and are submitted again with the next save. Nothing typed is lost.
* A conflict (someone else saved the row since it was loaded) is listed with both values and two
  buttons: take theirs (drop the pending row) or overwrite with yours (save it against their version).

Session-state keys are prefixed ``entry_``; the current editor keys are in ``entry_ind_key`` and
``entry_sp_key`` (AppTest seeds ``edited_rows`` under them).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Sequence

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import actuals as A
from data_access.permissions import PermissionDenied, Principal
from domain import entry as E
from domain.periods import parse_period
from domain.status import JUDGEMENTS, LIKELIHOODS, REASON_CATEGORIES

NONCE = "entry_nonce"
PENDING = "entry_pending"  # {period: {"ind": {id: {"values", "version"}}, "sp": {...}}}
SNAPSHOTS = "entry_snapshots"  # {editor key: DataFrame}
MESSAGES = "entry_messages"  # what the last save said, shown after the rerun
CONFLICTS = "entry_conflicts"  # {period: [conflict dicts]}
IND_KEY = "entry_ind_key"
SP_KEY = "entry_sp_key"
UNSAVED = "✏️ 未保存"

# the live status and what is still required sit next to the target, visible without scrolling
IND_VISIBLE = ["项目", "三级指标", "目标", "状态", "须填写", "上期值", *A.IND_EDIT_COLUMNS, "状态原因", "单位", "类型",
               "填报人", "更新时间"]
SP_VISIBLE = ["项目", "责任单位", "预算（万元）", "计划进度%", "上期累计支出（万元）", *A.SP_EDIT_COLUMNS, "执行率%", "状态",
              "状态原因", "须填写", "填报人", "更新时间"]
KIND_IND, KIND_SP = "ind", "sp"


# --------------------------------------------------------------------------- column configs


def indicator_columns(year: int) -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {c: None for c in A.IND_HIDDEN_COLUMNS}
    out.update({
        "项目": cc.TextColumn("项目", width="medium", pinned=True),
        "三级指标": cc.TextColumn("三级指标", width="medium", pinned=True),
        "目标": cc.TextColumn("目标", width="small"),
        "单位": cc.TextColumn("单位", width="small"),
        "类型": cc.TextColumn("类型", width="small", help="数值：填当前完成值（累计数）；时限：填完成日期或完成情况；定性：填完成情况"),
        "上期值": cc.TextColumn("上期值", width="small"),
        "当前完成值": cc.NumberColumn("当前完成值", help="数值型指标的累计完成值；百分比填95表示95%；不适用的类型请留空",
                                 format="%g"),
        "完成情况": cc.SelectboxColumn("完成情况", options=list(JUDGEMENTS), help="定性和时限指标：达成/部分达成/未达成/进行中"),
        "完成日期": cc.DateColumn("完成日期", format="YYYY-MM-DD", min_value=date(year, 1, 1),
                              max_value=date(year, 12, 31), help="时限指标：实际完成日期"),
        "全年预计": cc.NumberColumn("全年预计", help="数值型指标的全年预计完成值", format="%g"),
        "全年预计（定性）": cc.SelectboxColumn("全年预计（定性）", options=list(JUDGEMENTS)),
        "完成可能性": cc.SelectboxColumn("完成可能性", options=list(LIKELIHOODS),
                                    help="黄色或红色指标须选择；有可能/完全不可能须填写纠偏措施"),
        "偏差原因": cc.MultiselectColumn("偏差原因", options=list(REASON_CATEGORIES),
                                    help="黄色或红色指标须至少选择一项，可多选"),
        "说明": cc.TextColumn("说明", max_chars=E.MAX_TEXT, width="medium", help="黄色、红色或超额完成须填写"),
        "纠偏措施": cc.TextColumn("纠偏措施", max_chars=E.MAX_TEXT, width="medium"),
        "备注": cc.TextColumn("备注", max_chars=E.MAX_TEXT),
        "状态": cc.TextColumn("状态", width="small"),
        "状态原因": cc.TextColumn("状态原因", width="large"),
        "须填写": cc.TextColumn("须填写", width="small"),
        "填报人": cc.TextColumn("填报人", width="small"),
        "更新时间": cc.TextColumn("更新时间", width="small"),
    })
    return out


def spending_columns() -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {c: None for c in A.SP_HIDDEN_COLUMNS}
    out.update({
        "项目": cc.TextColumn("项目", width="medium", pinned=True),
        "责任单位": cc.TextColumn("责任单位", width="small"),
        "预算（万元）": cc.NumberColumn("预算（万元）", format="%.2f"),
        "计划进度%": cc.NumberColumn("计划进度%", format="%.1f"),
        "上期累计支出（万元）": cc.NumberColumn("上期累计支出（万元）", format="%.2f"),
        "累计支出（万元）": cc.NumberColumn("累计支出（万元）", min_value=0.0, format="%.2f",
                                     help="截至本期末的累计支出（万元）"),
        "全年预计执行数（万元）": cc.NumberColumn("全年预计执行数（万元）", min_value=0.0, format="%.2f"),
        "说明": cc.TextColumn("说明", max_chars=E.MAX_TEXT, width="large",
                            help="超预算、低于上期累计、预算执行黄色/红色时须填写"),
        "执行率%": cc.NumberColumn("执行率%", format="%.1f"),
        "状态": cc.TextColumn("状态", width="small"),
        "状态原因": cc.TextColumn("状态原因", width="large"),
        "须填写": cc.TextColumn("须填写", width="small"),
        "填报人": cc.TextColumn("填报人", width="small"),
        "更新时间": cc.TextColumn("更新时间", width="small"),
    })
    return out


# --------------------------------------------------------------------------- state helpers


def _ss() -> Any:
    return st.session_state


def _pending(period: str) -> dict[str, dict]:
    store = _ss().setdefault(PENDING, {})
    return store.setdefault(period, {KIND_IND: {}, KIND_SP: {}})


def _clean(v: Any) -> Any:
    """NaN/NA/NaT -> None; numpy scalars -> Python; arrays -> lists."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        try:
            v = v.tolist()
        except Exception:  # noqa: BLE001
            pass
        if isinstance(v, list):
            return v
    if E.is_blank(v) and not isinstance(v, list):
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def editor_keys(period: str, scope: str) -> tuple[str, str]:
    n = _ss().get(NONCE, 0)
    return f"entry_ind_{period}_{scope}_{n}", f"entry_sp_{period}_{scope}_{n}"


def _bump() -> None:
    ss = _ss()
    ss[NONCE] = ss.get(NONCE, 0) + 1
    ss[SNAPSHOTS] = {}


def reset_editors() -> None:
    """Drop the snapshots (rebuilt from the database at the next run) and the pending edits' overlay
    stays: call after writes made elsewhere (an import)."""
    _bump()


def _overlay(df: pd.DataFrame, pending: dict[int, dict], id_col: str, columns: dict[str, str]) -> pd.DataFrame:
    """Lay the pending (refused) rows' typed values over a fresh frame."""
    if not pending or df.empty:
        return df
    df = df.copy()
    field_to_col = {f: c for c, f in columns.items()}
    for pos in range(len(df)):
        key = int(df.iat[pos, df.columns.get_loc(id_col)])
        p = pending.get(key)
        if p is None:
            continue
        for f, v in p["values"].items():
            col = field_to_col.get(f)
            if col is None:
                continue
            j = df.columns.get_loc(col)
            if pd.api.types.is_float_dtype(df[col].dtype):
                try:
                    df.iat[pos, j] = math.nan if v is None else float(v)
                except (TypeError, ValueError):
                    df.iat[pos, j] = math.nan
            elif col == "完成日期":
                try:
                    df.iat[pos, j] = E.parse_date(v, col)
                except E.EntryValueError:
                    df.iat[pos, j] = None
            elif col == "偏差原因":
                df.iat[pos, j] = list(v) if isinstance(v, (list, tuple)) else (list(E.split_reasons(v)) if v else [])
            else:
                df.iat[pos, j] = v
        df.iat[pos, df.columns.get_loc("_version")] = p["version"] if p["version"] is not None else pd.NA
        df.iat[pos, df.columns.get_loc("状态")] = UNSAVED
        df.iat[pos, df.columns.get_loc("状态原因")] = p.get("why") or "上次保存未通过，请修改后再保存"
    return df


def _snapshot(key: str, build) -> pd.DataFrame:
    snaps = _ss().setdefault(SNAPSHOTS, {})
    if key not in snaps:
        snaps[key] = build()
    return snaps[key]


def _reasons_cell(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v]
    if hasattr(v, "tolist"):
        return [str(x) for x in v.tolist()]
    return []


def _row_values(df: pd.DataFrame, pos: int, columns: dict[str, str], edits: dict[str, Any]) -> dict[str, Any]:
    row = df.iloc[pos]
    values: dict[str, Any] = {}
    for col, f in columns.items():
        v = edits[col] if col in edits else row[col]
        if col == "偏差原因":
            values[f] = _reasons_cell(v) if v is not None else []
        else:
            values[f] = _clean(v)
    return values


def _version(v: Any) -> int | None:
    v = _clean(v)
    return None if v is None else int(v)


def _item(df: pd.DataFrame, pos: int, kind: str) -> str:
    r = df.iloc[pos]
    return f"{r['项目']} / {r['三级指标']}" if kind == KIND_IND else str(r["项目"])


# --------------------------------------------------------------------------- saving


def _submit(kind: str, engine: Engine, principal: Principal, period: str, key: str) -> dict:
    """Save one editor's edited rows (and its pending rows). Returns a message record."""
    ss = _ss()
    df: pd.DataFrame = ss.get(SNAPSHOTS, {}).get(key)
    if df is None:
        return {"kind": kind, "submitted": 0}
    state = ss.get(key) or {}
    edited = {int(k): v for k, v in (state.get("edited_rows") or {}).items()}
    pend = _pending(period)[kind]
    id_col = "_indicator_id" if kind == KIND_IND else "_project_id"
    columns = A.IND_EDIT_COLUMNS if kind == KIND_IND else A.SP_EDIT_COLUMNS
    positions = set(edited)
    ids_at = {pos: int(df.iat[pos, df.columns.get_loc(id_col)]) for pos in range(len(df))}
    positions |= {pos for pos, i in ids_at.items() if i in pend}
    positions = sorted(p for p in positions if 0 <= p < len(df))
    if not positions:
        return {"kind": kind, "submitted": 0}
    rows, order = [], []
    for pos in positions:
        values = _row_values(df, pos, columns, edited.get(pos, {}))
        version = _version(df.iat[pos, df.columns.get_loc("_version")])
        rows.append({id_col[1:]: ids_at[pos], "version": version, **values})
        order.append(pos)
    save = A.save_indicator_rows if kind == KIND_IND else A.save_spending_rows
    try:
        res = save(engine, principal, period, rows, source="screen")
    except PermissionDenied as e:
        return {"kind": kind, "submitted": len(rows), "denied": str(e)}
    errors, conflicts = [], []
    failed = set(res.failed_rows)
    for i, row in enumerate(rows):
        ent = row[id_col[1:]]
        if i in failed:
            why = "；".join(e.message for e in res.errors_for(i))
            c = res.conflict_for(i)
            if c is not None:
                why = c.message()
            pend[ent] = {"values": {k: v for k, v in row.items() if k not in (id_col[1:], "version")},
                         "version": row["version"], "why": why}
        else:
            pend.pop(ent, None)
    for e in res.errors:
        pos = order[e.row]
        errors.append({"where": f"第{pos + 1}行", "item": _item(df, pos, kind), "field": e.label, "message": e.message})
    for c in res.conflicts:
        pos = order[c.row]
        conflicts.append({
            "kind": kind, "period": period, "entity_id": c.entity_id, "where": f"第{pos + 1}行",
            "item": _item(df, pos, kind), "their_by": c.their_by, "their_at": A.format_time(c.their_at),
            "their_version": c.their_version,
            "fields": [(E.field_label(f), A.fmt_value(_clean(c.theirs.get(f))), A.fmt_value(_clean(c.yours.get(f))))
                       for f in (c.differing or list(c.yours))],
        })
    return {"kind": kind, "submitted": len(rows), "saved": len(res.saved), "unchanged": len(res.unchanged),
            "errors": errors, "conflicts": conflicts}


def _on_save(engine: Engine, principal: Principal, period: str, ind_key: str, sp_key: str) -> None:
    ss = _ss()
    results = [_submit(KIND_IND, engine, principal, period, ind_key),
               _submit(KIND_SP, engine, principal, period, sp_key)]
    conflicts = ss.setdefault(CONFLICTS, {}).setdefault(period, [])
    for r in results:
        # a conflict whose row is no longer pending (saved now, or dropped) is resolved
        pend = _pending(period)[r["kind"]]
        conflicts[:] = [x for x in conflicts if x["kind"] != r["kind"] or x["entity_id"] in pend]
        for c in r.get("conflicts", []):
            conflicts[:] = [x for x in conflicts if not (x["kind"] == c["kind"] and x["entity_id"] == c["entity_id"])]
            conflicts.append(c)
    ss[MESSAGES] = results
    if any(r.get("submitted") for r in results):
        _bump()  # a new editor key: saved edits drop, refused rows come back from the pending overlay


def _discard(period: str) -> None:
    ss = _ss()
    ss.get(PENDING, {}).pop(period, None)
    ss.get(CONFLICTS, {}).pop(period, None)
    ss[MESSAGES] = [{"kind": KIND_IND, "info": "已放弃未保存的修改，表格显示已保存的值"}]
    _bump()


def _take_theirs(period: str, kind: str, entity_id: int) -> None:
    ss = _ss()
    _pending(period)[kind].pop(entity_id, None)
    ss.setdefault(CONFLICTS, {})[period] = [c for c in ss.get(CONFLICTS, {}).get(period, [])
                                            if not (c["kind"] == kind and c["entity_id"] == entity_id)]
    ss[MESSAGES] = [{"kind": kind, "info": "已采用对方保存的值，你的修改已放弃"}]
    _bump()


def _overwrite(engine: Engine, principal: Principal, period: str, kind: str, entity_id: int,
               their_version: int | None) -> None:
    ss = _ss()
    pend = _pending(period)[kind]
    p = pend.get(entity_id)
    if p is None:
        return
    id_name = "indicator_id" if kind == KIND_IND else "project_id"
    save = A.save_indicator_rows if kind == KIND_IND else A.save_spending_rows
    try:
        res = save(engine, principal, period, [{id_name: entity_id, "version": their_version, **p["values"]}])
    except PermissionDenied as e:
        ss[MESSAGES] = [{"kind": kind, "submitted": 1, "denied": str(e)}]
        return
    conflicts = ss.setdefault(CONFLICTS, {}).setdefault(period, [])
    before = next((c for c in conflicts if c["kind"] == kind and c["entity_id"] == entity_id), {})
    conflicts[:] = [c for c in conflicts if not (c["kind"] == kind and c["entity_id"] == entity_id)]
    if res.ok:
        pend.pop(entity_id, None)
        ss[MESSAGES] = [{"kind": kind, "info": "已用你的值覆盖" if res.saved else "你的值与已保存的值相同"}]
    elif res.conflicts:
        c = res.conflicts[0]  # someone saved again in between: show their newest value
        ss[MESSAGES] = [{"kind": kind, "info": "覆盖未成功：" + c.message()}]
        conflicts.append({"kind": kind, "period": period, "entity_id": entity_id,
                          "where": before.get("where", ""), "item": before.get("item", ""),
                          "their_by": c.their_by, "their_at": A.format_time(c.their_at),
                          "their_version": c.their_version,
                          "fields": [(E.field_label(f), A.fmt_value(_clean(c.theirs.get(f))),
                                      A.fmt_value(_clean(c.yours.get(f)))) for f in (c.differing or list(c.yours))]})
    else:
        p["version"] = their_version
        p["why"] = "；".join(e.message for e in res.errors)
        ss[MESSAGES] = [{"kind": kind, "submitted": 1, "saved": 0, "errors": [
            {"where": "", "item": "", "field": e.label, "message": e.message} for e in res.errors], "conflicts": []}]
    _bump()


# --------------------------------------------------------------------------- rendering


def show_messages() -> None:
    """What the last save said (after the rerun): counts, then every refused row and field."""
    results = _ss().pop(MESSAGES, None)
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
        if r.get("conflicts"):
            parts.append(f"{len(r['conflicts'])}行与他人修改冲突")
        text = "，".join(parts)
        if errs or r.get("conflicts"):
            st.warning(text + "。未保存的行仍保留在表格中（标记为“未保存”），修改后再次保存即可。")
        else:
            st.success(text)
        if errs:
            lines = [f"- {e['where']}（{e['item']}）{e['message']}" if e["where"] else f"- {e['message']}" for e in errs]
            st.error("以下内容未保存：\n" + "\n".join(lines))


def show_conflicts(engine: Engine, principal: Principal, period: str) -> None:
    conflicts = _ss().get(CONFLICTS, {}).get(period, [])
    if not conflicts:
        return
    st.subheader("与他人修改冲突")
    for n, c in enumerate(list(conflicts)):
        with st.container(border=True):
            who = c["their_by"] or "他人"
            st.markdown(f"**{c['where']} {c['item']}**：{who}于{c['their_at']}已保存（版本{c['their_version']}），"
                        "你的修改尚未保存。")
            table = pd.DataFrame(c["fields"], columns=["字段", "对方的值", "你的值"]).fillna("（空）")
            st.dataframe(table, hide_index=True, width="stretch", key=f"entry_conflict_table_{c['kind']}_{c['entity_id']}")
            b1, b2, _ = st.columns([1, 1, 3])
            b1.button("采用对方的值", key=f"entry_theirs_{c['kind']}_{c['entity_id']}_{n}",
                      on_click=_take_theirs, args=(period, c["kind"], c["entity_id"]))
            b2.button("用我的值覆盖", key=f"entry_mine_{c['kind']}_{c['entity_id']}_{n}", type="primary",
                      on_click=_overwrite,
                      args=(engine, principal, period, c["kind"], c["entity_id"], c["their_version"]))


def render_editors(engine: Engine, principal: Principal, period: str, project_ids: Sequence[int] | None,
                   scope: str, *, locked: bool) -> None:
    """The two editors (or read-only tables for a locked period) and the save button."""
    year = parse_period(period).year
    ind_key, sp_key = editor_keys(period, scope)
    ss = _ss()
    ss[IND_KEY], ss[SP_KEY] = ind_key, sp_key
    pend = _pending(period)
    ind = _snapshot(ind_key, lambda: _overlay(A.entry_frame(engine, principal, period, project_ids),
                                               pend[KIND_IND], "_indicator_id", A.IND_EDIT_COLUMNS))
    sp = _snapshot(sp_key, lambda: _overlay(A.spending_frame(engine, principal, period, project_ids),
                                             pend[KIND_SP], "_project_id", A.SP_EDIT_COLUMNS))
    if ind.empty and sp.empty:
        st.info("没有可填报的项目。")
        return

    snaps = ss.get(SNAPSHOTS, {})
    for k in [k for k in snaps if k not in (ind_key, sp_key)]:
        del snaps[k]  # editors of another period/scope: rebuilt when shown again

    n_missing = int((ind["_status"] == "missing").sum()) if not ind.empty else 0
    n_explain = int((ind["须填写"].fillna("") != "").sum()) if not ind.empty else 0
    n_pending = len(pend[KIND_IND]) + len(pend[KIND_SP])
    st.caption(f"指标{len(ind)}项：未填报{n_missing}项，须补充填写{n_explain}项"
               + (f"；未保存{n_pending}行" if n_pending else "")
               + "。状态按本期末计算，保存后更新。")

    ind_cfg = indicator_columns(year)
    sp_cfg = spending_columns()
    height_ind = min(38 + 35 * max(len(ind), 1), 640)
    height_sp = min(38 + 35 * max(len(sp), 1), 420)
    if locked:
        st.dataframe(ind, hide_index=True, width="stretch", height=height_ind, column_config=ind_cfg,
                     column_order=IND_VISIBLE, key=f"{ind_key}_ro")
        st.markdown("**预算执行**")
        st.dataframe(sp, hide_index=True, width="stretch", height=height_sp, column_config=sp_cfg,
                     column_order=SP_VISIBLE, key=f"{sp_key}_ro")
        return

    with st.form(f"entry_form_{period}_{scope}", border=False):
        st.markdown("**指标填报**")
        st.data_editor(ind, key=ind_key, hide_index=True, width="stretch", height=height_ind, num_rows="fixed", placeholder="",
                       column_config=ind_cfg, column_order=IND_VISIBLE,
                       disabled=A.IND_READONLY_COLUMNS + A.IND_HIDDEN_COLUMNS)
        st.markdown("**预算执行**（累计支出，万元）")
        st.data_editor(sp, key=sp_key, hide_index=True, width="stretch", height=height_sp, num_rows="fixed", placeholder="",
                       column_config=sp_cfg, column_order=SP_VISIBLE,
                       disabled=A.SP_READONLY_COLUMNS + A.SP_HIDDEN_COLUMNS)
        st.form_submit_button("保存", type="primary", on_click=_on_save,
                              args=(engine, principal, period, ind_key, sp_key))
    st.caption("只保存改动过的行；不合格的行不会保存，并保留在表格中。切换填报期或项目前请先保存。")
    if n_pending:
        st.button(f"放弃{n_pending}行未保存的修改", key=f"entry_discard_{period}", on_click=_discard, args=(period,))


__all__ = ["render_editors", "show_messages", "show_conflicts", "reset_editors", "editor_keys", "indicator_columns",
           "spending_columns", "IND_KEY", "SP_KEY", "PENDING", "CONFLICTS", "UNSAVED"]
