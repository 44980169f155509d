"""The 填报 editors' session state: snapshots, pending (refused) rows and conflicts.

Definitions chosen here:

* The editors are fed a **snapshot** frame, built from the database once per editor key and kept in
  ``st.session_state`` — the input never changes while the key lives, so the editor's row positions and
  the versions the user edited against stay put (never the editor's return value).
* After a save the key changes (a counter, :func:`bump`), so saved edits drop. Rows that were refused
  (errors, conflicts) are kept as **pending**: the values as typed (text, never parsed here) and the
  version they were edited against, per indicator/project id, laid over the next snapshot
  (:func:`overlay`), so they stay in the editor exactly as typed — a negative amount, ``12abc``, a
  5,000-character 说明, ``15082024`` — marked "未保存", and are submitted again with the next save.
* A conflict (someone else saved the row since it was loaded) is kept with both values; the person
  takes theirs (:func:`take_theirs`, drops the pending row) or overwrites with theirs
  (:func:`overwrite`, saves it against the other version).

Session-state keys are prefixed ``entry_``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components.entry_columns import display_value
from data_access import actuals as A
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from domain import entry as E

NONCE = "entry_nonce"
PENDING = "entry_pending"  # {period: {"ind": {id: {"values", "version", "why"}}, "sp": {...}}}
SNAPSHOTS = "entry_snapshots"  # {editor key: the DataFrame the editor was last given}
BASES = "entry_bases"  # {editor key: (database frame, rules)}, see components.entry_drafts
MESSAGES = "entry_messages"  # what the last save said, shown after the rerun
CONFLICTS = "entry_conflicts"  # {period: [conflict dicts]}
IND_KEY = "entry_ind_key"
SP_KEY = "entry_sp_key"
UNSAVED = "✏️ 未保存"
KIND_IND, KIND_SP = "ind", "sp"


def ss() -> Any:
    return st.session_state


def pending(period: str) -> dict[str, dict]:
    store = ss().setdefault(PENDING, {})
    return store.setdefault(period, {KIND_IND: {}, KIND_SP: {}})


def clean(v: Any) -> Any:
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
    n = ss().get(NONCE, 0)
    return f"entry_ind_{period}_{scope}_{n}", f"entry_sp_{period}_{scope}_{n}"


def bump() -> None:
    """New editor keys and no snapshots: the next run rebuilds both editors from the database."""
    state = ss()
    state[NONCE] = state.get(NONCE, 0) + 1
    state[SNAPSHOTS] = {}
    state[BASES] = {}


def reset_editors() -> None:
    """Drop the snapshots (rebuilt from the database at the next run); the pending edits' overlay
    stays. Call after writes made elsewhere (an import)."""
    bump()


def snapshot(key: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    snaps = ss().setdefault(SNAPSHOTS, {})
    if key not in snaps:
        snaps[key] = build()
    return snaps[key]


def _cell(col: str, v: Any) -> Any:
    if col == "偏差原因":
        return list(v) if isinstance(v, (list, tuple)) else (list(E.split_reasons(v)) if v else [])
    return display_value(col, v)


def overlay(df: pd.DataFrame, rows: dict[int, dict], id_col: str, columns: dict[str, str]) -> pd.DataFrame:
    """Lay the pending (refused) rows' typed values over a fresh display frame, exactly as typed."""
    if not rows or df.empty:
        return df
    df = df.copy()
    field_to_col = {f: c for c, f in columns.items()}
    for pos in range(len(df)):
        p = rows.get(int(df.iat[pos, df.columns.get_loc(id_col)]))
        if p is None:
            continue
        for f, v in p["values"].items():
            col = field_to_col.get(f)
            if col is not None:
                df.iat[pos, df.columns.get_loc(col)] = _cell(col, v)
        df.iat[pos, df.columns.get_loc("_version")] = p["version"] if p["version"] is not None else pd.NA
        df.iat[pos, df.columns.get_loc("状态")] = UNSAVED
        df.iat[pos, df.columns.get_loc("状态原因")] = p.get("why") or "尚未保存"
    return df


# --------------------------------------------------------------------------- conflicts


def conflict_record(kind: str, period: str, c: A.Conflict, where: str, item: str) -> dict:
    """What the conflict panel shows: who saved what when, and both values of every field that reads
    differently (the grid submits numbers and dates as text: ``"91"`` is not a difference from 91.0)."""
    both = [(E.field_label(f), A.fmt_value(clean(c.theirs.get(f))), A.fmt_value(clean(c.yours.get(f))))
            for f in (c.differing or list(c.yours))]
    return {
        "kind": kind, "period": period, "entity_id": c.entity_id, "where": where, "item": item,
        "their_by": c.who, "own": c.own, "their_at": A.format_time(c.their_at), "their_version": c.their_version,
        "fields": [x for x in both if x[1] != x[2]] or both,
    }


def _drop_conflict(period: str, kind: str, entity_id: int) -> list[dict]:
    """The period's conflicts without this one (the list is kept in the session state)."""
    conflicts = ss().setdefault(CONFLICTS, {}).setdefault(period, [])
    conflicts[:] = [c for c in conflicts if not (c["kind"] == kind and c["entity_id"] == entity_id)]
    return conflicts


def discard(period: str) -> None:
    state = ss()
    state.get(PENDING, {}).pop(period, None)
    state.get(CONFLICTS, {}).pop(period, None)
    state[MESSAGES] = [{"kind": KIND_IND, "info": "已放弃未保存的修改，表格显示已保存的值"}]
    bump()


def take_theirs(period: str, kind: str, entity_id: int) -> None:
    pending(period)[kind].pop(entity_id, None)
    own = any(c.get("own") for c in ss().get(CONFLICTS, {}).get(period, [])
              if c["kind"] == kind and c["entity_id"] == entity_id)
    _drop_conflict(period, kind, entity_id)
    ss()[MESSAGES] = [{"kind": kind, "info": "已保留你之前保存的值，表格中的修改已放弃" if own
                       else "已采用对方保存的值，你的修改已放弃"}]
    bump()


def save_rows(kind: str):
    return A.save_indicator_rows if kind == KIND_IND else A.save_spending_rows


def overwrite(engine: Engine, principal: Principal, period: str, kind: str, entity_id: int,
              their_version: int | None) -> None:
    """Save the pending row against the other person's version (after seeing both values)."""
    state = ss()
    pend = pending(period)[kind]
    p = pend.get(entity_id)
    if p is None:
        return
    id_name = "indicator_id" if kind == KIND_IND else "project_id"
    try:
        res = save_rows(kind)(engine, principal, period, [{id_name: entity_id, "version": their_version, **p["values"]}])
    except (PermissionDenied, DatabaseBusy) as e:
        state[MESSAGES] = [{"kind": kind, "submitted": 1, "denied": str(e)}]
        return
    before: dict[str, Any] = next((c for c in state.get(CONFLICTS, {}).get(period, [])
                   if c["kind"] == kind and c["entity_id"] == entity_id), {})
    conflicts = _drop_conflict(period, kind, entity_id)
    if res.ok:
        pend.pop(entity_id, None)
        state[MESSAGES] = [{"kind": kind, "info": "已用你的值覆盖" if res.saved else "你的值与已保存的值相同"}]
    elif res.conflicts:
        c = res.conflicts[0]  # someone saved again in between: show their newest value
        state[MESSAGES] = [{"kind": kind, "info": "覆盖未成功：" + c.message() + "。请在下方比较最新的值后再选择"}]
        conflicts.append(conflict_record(kind, period, c, before.get("where", ""), before.get("item", "")))
    else:
        p["version"] = their_version
        p["why"] = "；".join(e.message for e in res.errors)
        state[MESSAGES] = [{"kind": kind, "submitted": 1, "saved": 0, "errors": [
            {"where": before.get("where", ""), "item": before.get("item", ""), "field": e.label, "message": e.message}
            for e in res.errors], "conflicts": []}]
    bump()


__all__ = ["NONCE", "PENDING", "SNAPSHOTS", "BASES", "MESSAGES", "CONFLICTS", "IND_KEY", "SP_KEY", "UNSAVED", "KIND_IND",
           "KIND_SP", "pending", "clean", "editor_keys", "bump", "reset_editors", "snapshot", "overlay",
           "conflict_record", "discard", "take_theirs", "overwrite", "save_rows"]
