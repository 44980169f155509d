"""The comment thread of one item and period (``data_access.review.comments``), shown the same way on
填报, 审核 and 项目详情: pick the item, read the thread oldest first (退回意见 marked), write a reply.

Writing is offered to whoever the data layer lets write (the unit's staff and the admin); leaders read.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from sqlalchemy import Engine

from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from data_access.review.comments import add_comment, comments, threads
from domain.clock import format_time
from domain.entry import EntryValueError

FLASH = "_review_thread_flash"


def _send(engine: Engine, principal: Principal, project_id: int, period: str, key: str, box: str) -> None:
    text = st.session_state.get(box, "")
    try:
        add_comment(engine, principal, project_id, period, key, text)
    except (PermissionDenied, ValueError, EntryValueError, DatabaseBusy) as e:
        st.session_state[FLASH] = ("error", str(e))
        return
    st.session_state[box] = ""
    st.session_state[FLASH] = ("success", "留言已发送")


def thread_lines(items: list) -> str:
    """A thread as markdown lines: who, when, 退回意见/留言, the text."""
    return "\n\n".join(f"**{c.name}**（{format_time(c.at)}，{c.kind_label}）：{c.text}" for c in items)


def comment_threads(engine: Engine, principal: Principal, project_id: int, period: str,
                    labels: Mapping[str, str], *, key: str, writable: bool, default: str | None = None) -> None:
    """The threads of one project and period: a selector of its items (those with messages marked with
    their count), the chosen thread and, when ``writable``, a reply box."""
    all_threads = threads(comments(engine, principal, project_id, [period]))
    counts = {k: len(v) for (k, code), v in all_threads.items() if code == period}
    options = list(labels)
    if not options:
        return
    pick_key = f"{key}_item"
    if st.session_state.get(pick_key) not in options:
        st.session_state[pick_key] = default if default in options else (
            next((k for k in options if counts.get(k)), options[0]))
    chosen = st.selectbox("事项", options, key=pick_key,
                          format_func=lambda k: labels[k] + (f"（{counts[k]}条留言）" if counts.get(k) else ""))
    items = all_threads.get((chosen, period), [])
    if items:
        st.markdown(thread_lines(items))
    else:
        st.caption("该事项本期还没有留言。")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    if writable:
        box = f"{key}_text_{chosen}"
        st.text_area("回复或留言", key=box, max_chars=2000, height=80, placeholder="写给审核人或填报单位的话")
        st.button("发送留言", key=f"{key}_send", on_click=_send, args=(engine, principal, project_id, period, chosen, box))


__all__ = ["comment_threads", "thread_lines"]
