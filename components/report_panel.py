"""填报期管理's 上报 part: mark a period as reported upward (the admin) and download what was reported
(leaders and the admin), exactly as stored (``components.report_snapshot``, ``data_access.review.snapshots``)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from components.report_snapshot import report_period
from data_access.actuals import format_time, period_label
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from data_access.review.reads import project_states
from data_access.review.snapshots import snapshot_file, snapshots
from domain import review as R

MSG = "_report_message"


def _report(engine: Engine, principal: Principal, code: str) -> None:
    try:
        seq, build = report_period(engine, principal, code, note=st.session_state.get("report_note", ""),
                                   allow_unapproved=bool(st.session_state.get("report_unapproved")))
    except (PermissionDenied, R.ReviewRefused, ValueError, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    st.session_state[MSG] = ("success", f"已将{period_label(code)}标记为已上报（第{seq}次），并保存了当时的数据、状态和"
                                        f"{len(build.files)}个文件；以后重新开放或修改数据不会改变它们")
    st.session_state["report_note"] = ""


def report_panel(engine: Engine, principal: Principal, codes: list[str], default: str | None) -> None:
    st.subheader("上报")
    msg = st.session_state.pop(MSG, None)
    if msg:
        getattr(st, msg[0])(msg[1])
    code = st.selectbox("上报的填报期", codes, index=codes.index(default) if default in codes else 0, format_func=period_label,
                        key="report_period")
    if principal.is_admin:
        states = project_states(engine, principal, code)
        approved = sum(1 for i in states.values() if i.state == R.APPROVED)
        st.caption(f"{period_label(code)}：{len(states)}个项目，已审核通过{approved}个。上报时保存当时的数据、状态、"
                   "执行监控表和项目状态表，之后可随时原样下载。")
        if approved < len(states):
            st.checkbox(f"连同{len(states) - approved}个未审核通过的项目一起上报（文件中标明“未审核”）", key="report_unapproved")
        st.text_input("说明（可选，如报送对象）", key="report_note", max_chars=500)
        st.button("标记为已上报", type="primary", key="report_submit", on_click=_report, args=(engine, principal, code))
    done = snapshots(engine, principal, code)
    if not done:
        st.caption("该填报期尚未上报。")
        return
    for snap in done:
        with st.container(border=True):
            st.markdown(f"**第{snap.seq}次上报** · {snap.created_by} · {format_time(snap.created_at)} · "
                        f"{snap.projects}个项目，已审核{snap.approved}个" + (f" · {snap.note}" if snap.note else ""))
            cols = st.columns(max(len(snap.files), 1))
            for col, (fid, name, size, sha) in zip(cols, snap.files):
                f = snapshot_file(engine, principal, fid)
                col.download_button(f"下载{name.split('_', 1)[-1]}", data=f.content, file_name=name, mime=f.media_type,
                                    key=f"report_file_{fid}", help=f"{size:,}字节；SHA-256 {sha[:16]}…")


__all__ = ["report_panel"]
