"""填报's part of the reporting chain: where each shown project stands (审核状态), 送审 / 撤回送审, the
items a reviewer returned with their comments, the comment threads, and the projects that are read-only
because they are under review or approved.

Definitions chosen here:

* Every button calls ``data_access.review`` (which checks the person, the state and the gaps again);
  what it said is shown after the rerun. A submission is not offered while rows are unsaved (they would
  not be part of what is submitted).
* A project under review (staff) or approved (everyone) leaves the editor and is shown read-only below
  it, with the reason (``data_access.review.reads.frozen_projects``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from components.entry_pending import KIND_IND, KIND_SP, pending, reset_editors
from components.review_threads import comment_threads
from data_access import actuals as A
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from data_access.review import actions as RA
from data_access.review.reads import ReviewInfo, item_labels, project_states
from domain import review as R
from domain.clock import format_time
from domain.periods import parse_period

MSG = "_review_panel_message"


def _flash(kind: str, text: str, details: Sequence[str] = ()) -> None:
    st.session_state[MSG] = (kind, text, list(details))


def _submit(engine: Engine, principal: Principal, period: str, ids: list[int]) -> None:
    try:
        res = RA.submit(engine, principal, ids, period)
    except (PermissionDenied, R.ReviewRefused, DatabaseBusy) as e:
        _flash("error", str(e))
        return
    details = [f"{res.names.get(pid, pid)}：{why}" for pid, why in res.refused.items()]
    _flash("success" if res.submitted and not res.refused else ("warning" if res.submitted else "error"),
           res.summary() + ("。" if not res.refused else "；以下项目未送审："), details)
    reset_editors()  # submitted projects leave the editor


def _withdraw(engine: Engine, principal: Principal, period: str, pid: int) -> None:
    try:
        RA.withdraw(engine, principal, pid, period)
    except (PermissionDenied, R.ReviewRefused, DatabaseBusy) as e:
        _flash("error", str(e))
        return
    _flash("success", "已撤回送审，可以继续修改")
    reset_editors()


def _state_table(states: Mapping[int, ReviewInfo], names: Mapping[int, str]) -> pd.DataFrame:
    rows = []
    for pid, info in states.items():
        note = info.reason
        if info.state == R.RETURNED and info.returned:
            note = f"退回{len(info.returned)}项，见下方"
        elif info.state in R.PENDING_REVIEW:
            note = f"{format_time(info.submitted_at)}送审（第{info.round}次），待审核"
        elif info.state == R.APPROVED:
            note = f"{format_time(info.decided_at)}审核通过，只读"
        rows.append({"项目": names.get(pid, str(pid)), "审核状态": info.label, "说明": note})
    return pd.DataFrame(rows, columns=["项目", "审核状态", "说明"])


def _show_message() -> None:
    msg = st.session_state.pop(MSG, None)
    if msg:
        kind, text, details = msg
        getattr(st, kind)(text + ("\n\n" + "\n".join(f"- {d}" for d in details) if details else ""))


def _summary(states: Mapping[int, ReviewInfo], names: Mapping[int, str]) -> str:
    if len(states) == 1:
        pid, info = next(iter(states.items()))
        return f"审核状态：{info.label}" + (f"（{_state_table(states, names).iloc[0]['说明']}）" if info.state != R.DRAFT else "")
    counts: dict[str, int] = {}
    for info in states.values():
        counts[info.label] = counts.get(info.label, 0) + 1
    return "审核状态：" + "、".join(f"{label}{n}个" for label, n in counts.items()) + "（各项目见页面下方“审核状态”）"


def review_panel(engine: Engine, principal: Principal, period: str, project_ids: Sequence[int],
                 names: Mapping[int, str], *, read_only_period: bool) -> dict[int, ReviewInfo]:
    """The top of 填报's review part: what the last action said, the returned items with their comments,
    a one-line summary and 送审 / 撤回 (see the module docstring). Returns the states it showed."""
    _show_message()
    states = project_states(engine, principal, period, project_ids)
    returned = {pid: info for pid, info in states.items() if info.state == R.RETURNED and info.returned}
    if returned:
        labels = item_labels(engine, list(returned))
        lines = [f"- **{names.get(pid, pid)} / {labels.get(k, k)}**：{text}"
                 for pid, info in returned.items() for k, text in info.returned.items()]
        st.error("审核人退回了以下事项，请修改后重新送审：\n\n" + "\n".join(lines))
    ready = [pid for pid, info in states.items() if info.state in (R.DRAFT, R.RETURNED)]
    waiting = [pid for pid, info in states.items() if info.state == R.SUBMITTED]
    n_pending = len(pending(period)[KIND_IND]) + len(pending(period)[KIND_SP])
    c0, c1, c2 = st.columns([3, 1, 1], vertical_alignment="center")
    c0.caption(_summary(states, names) + "。送审后由审核人审核，通过后数据只读。")
    if ready and not read_only_period:
        label = "送审该项目" if len(project_ids) == 1 else f"送审本单位项目（{len(ready)}个）"
        c1.button(label, key=f"entry_submit_{period}", type="primary", disabled=bool(n_pending),
                  on_click=_submit, args=(engine, principal, period, ready),
                  help="有未保存的修改时不能送审，请先保存" if n_pending else "逐项检查是否填写齐全；不齐全的项目列出缺少的内容，不会送审")
    if waiting:
        pick = waiting[0] if len(waiting) == 1 else c2.selectbox(
            "撤回哪个项目", waiting, key="entry_withdraw_pick", format_func=lambda p: names.get(p, str(p)))
        c2.button("撤回送审", key=f"entry_withdraw_{period}", on_click=_withdraw, args=(engine, principal, period, pick),
                  help=f"撤回「{names.get(pick, '')}」的送审，撤回后可继续修改")
    return states


def state_table(states: Mapping[int, ReviewInfo], names: Mapping[int, str]) -> None:
    """Every shown project's review state (below the editors)."""
    if len(states) <= 1:
        return
    st.markdown("**审核状态**")
    st.dataframe(_state_table(states, names), hide_index=True, width="stretch", key="entry_review_states",
                 height=min(38 + 35 * max(len(states), 1), 300))


def project_threads(engine: Engine, principal: Principal, period: str, project_id: int, *, key: str,
                    writable: bool, default: str | None = None) -> None:
    """The comment threads of one project and period (see ``components.review_threads``)."""
    comment_threads(engine, principal, project_id, period, item_labels(engine, [project_id]), key=key,
                    writable=writable, default=default)


def frozen_tables(engine: Engine, principal: Principal, period: str, frozen: Mapping[int, str],
                  names: Mapping[int, str]) -> None:
    """The values of projects the person cannot change now, read-only, with the reason."""
    if not frozen:
        return
    ids = list(frozen)
    st.markdown("**已送审或已通过的项目（只读）**")
    st.caption("；".join(f"{names.get(pid, pid)}：{why}" for pid, why in frozen.items()))
    year = parse_period(period).year
    ind = indicator_display(A.entry_frame(engine, principal, period, ids))
    sp = spending_display(A.spending_frame(engine, principal, period, ids))
    st.dataframe(ind, hide_index=True, width="stretch", column_config=indicator_columns(year), column_order=IND_VISIBLE,
                 key="entry_frozen_ind", height=min(38 + 35 * max(len(ind), 1), 420), placeholder="")
    st.dataframe(sp, hide_index=True, width="stretch", column_config=spending_columns(), column_order=SP_VISIBLE,
                 key="entry_frozen_sp", height=min(38 + 35 * max(len(sp), 1), 300), placeholder="")


__all__ = ["review_panel", "state_table", "project_threads", "frozen_tables"]
