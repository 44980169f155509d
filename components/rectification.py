"""整改 on screen: the admin's form to raise an item (项目详情, 风险清单, 会议模式) and the item cards with
the actions the person may take (the owner unit answers; the admin closes or returns).

Definitions chosen here:

* Every write goes through ``data_access.rectification`` (permissions, state machine, stale pages,
  audit); a refusal is shown in Chinese after the rerun. The cards offer only the actions
  ``domain.rectification.actions_for`` allows, and submit the version they were drawn with.
* The form proposes the matter's status and reason as the start of the requirement, the project's
  unit as the owner and a deadline 30 days out; the admin edits all three.

Session-state keys are prefixed ``rect_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import streamlit as st
from sqlalchemy import Engine

from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied, Principal
from data_access.rectification import (
    NewRectification,
    RectItem,
    answer_rectification,
    close_rectification,
    create_rectification,
    return_rectification,
    unit_choices,
)
from data_access.views.rectification import Matter, items_frame, matters
from domain import rectification as R
from domain.clock import format_time, today_local
from domain.status import ProjectStatus

MESSAGE = "rect_message"
REFUSED = (R.RectificationError, PermissionDenied, DatabaseBusy)
DEFAULT_DAYS = 30


def show_message(where: str) -> None:
    """The last write's outcome, on the part of the page that made it."""
    msg = st.session_state.get(MESSAGE)
    if msg and msg[0] == where:
        st.session_state.pop(MESSAGE)
        getattr(st, msg[1])(msg[2])


def _flash(where: str, kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (where, kind, text)


def _suggestion(m: Matter) -> str:
    what = "项目" if m.target == "project" else f"“{m.label}”"
    return f"请分析{what}偏差原因，制定整改措施并落实，在期限前反馈整改措施和结果。"


def _create(engine: Engine, principal: Principal, key: str, result: ProjectStatus, options: dict, period_code: str,
            source: str, notify: str) -> None:
    ss = st.session_state
    m: Matter = options[ss[f"{key}_matter"]]
    new = NewRectification(project_id=result.project.id, requirement=ss.get(f"{key}_req_{ss[f'{key}_matter']}", ""),
                           deadline=ss.get(f"{key}_deadline"), period_code=period_code, target=m.target,
                           indicator_id=m.indicator_id, unit_id=ss.get(f"{key}_unit"), source=source,
                           trigger_status=m.status, trigger_reason=m.reason)
    try:
        item = create_rectification(engine, principal, new)
    except REFUSED as e:
        _flash(notify, "error", f"未提出整改：{e}")
        return
    _flash(notify, "success", f"已提出整改 #{item.id}：{item.project_name} / {item.item}，责任单位{item.unit_name}，"
                           f"期限{item.deadline.isoformat()}")


def create_form(engine: Engine, principal: Principal, result: ProjectStatus, period_code: str, *, source: str,
                key: str, notify: str | None = None) -> None:
    """The admin's form to raise an item for one of the project's red / 未填报 / amber matters, or the
    project as a whole (``notify``: where the outcome is shown, default under the form). Nothing for
    anyone else."""
    if not principal.is_admin:
        return
    notify = notify or key
    if notify == key:
        show_message(key)
    options = {f"{m.target}:{m.indicator_id or ''}": m for m in matters(result)}
    units, own = unit_choices(engine, result.project.id)
    names = dict(units)
    unit_ids = [u for u, _ in units]
    c1, c2, c3 = st.columns([3, 1.5, 1.2])
    chosen = c1.selectbox("整改事项", list(options), key=f"{key}_matter", format_func=lambda k: options[k].text)
    c2.selectbox("责任单位", unit_ids, key=f"{key}_unit", format_func=lambda u: names[u],
                 index=unit_ids.index(own) if own in unit_ids else 0)
    c3.date_input("整改期限", value=today_local() + timedelta(days=DEFAULT_DAYS), min_value=today_local(),
                  key=f"{key}_deadline", format="YYYY-MM-DD")
    st.text_area("整改要求", value=_suggestion(options[chosen]), key=f"{key}_req_{chosen}", height=90, max_chars=R.MAX_TEXT)
    st.button("提出整改", type="primary", key=f"{key}_submit", on_click=_create,
              args=(engine, principal, key, result, options, period_code, source, notify))


def _act(engine: Engine, principal: Principal, key: str, item: RectItem, action: str) -> None:
    ss = st.session_state
    try:
        if action == R.ANSWER:
            done = answer_rectification(engine, principal, item.id, measures=ss.get(f"{key}_m_{item.id}", ""),
                                        result=ss.get(f"{key}_r_{item.id}", ""), version=item.version)
        elif action == R.CLOSE:
            done = close_rectification(engine, principal, item.id, ss.get(f"{key}_n_{item.id}", ""), version=item.version)
        else:
            done = return_rectification(engine, principal, item.id, ss.get(f"{key}_n_{item.id}", ""), version=item.version)
    except REFUSED as e:
        _flash(key, "error", f"整改事项#{item.id}：{e}")
        return
    _flash(key, "success", f"整改事项#{item.id}：已{R.ACTION_LABELS[action]}，当前状态“{done.state_label}”")


def _card(engine: Engine, principal: Principal, item: RectItem, key: str) -> None:
    today = today_local()
    due = item.due_text(today)
    with st.container(border=True):
        due_md = (f"（**{due}**）" if due.startswith("逾期") else f"（{due}）") if due else ""
        st.markdown(f"**#{item.id}　{item.state_label}**　{item.project_name} / {item.item}　·　责任单位：{item.unit_name}"
                    f"　·　期限：{item.deadline.isoformat()}{due_md}")
        st.markdown(f"**整改要求**：{item.requirement}")
        if item.measures or item.result:
            st.markdown(f"**整改措施**：{item.measures or '—'}  \n**整改结果**：{item.result or '—'}"
                        + (f"  \n（{item.answered_by}于{format_time(item.answered_at)}反馈）" if item.answered_by else ""))
        if item.note:
            label = {R.RETURNED: "退回原因", R.ANSWERED: "上次退回原因"}.get(item.state, "核验意见")
            st.markdown(f"**{label}**：{item.note}")
        actions = R.actions_for(item.state, is_admin=principal.is_admin,
                                is_owner=principal.is_staff and item.unit_id in principal.unit_ids)
        if R.ANSWER in actions and not (principal.is_admin and item.state == R.ANSWERED):
            st.text_area("整改措施", value=item.measures, key=f"{key}_m_{item.id}", height=70, max_chars=R.MAX_TEXT)
            st.text_area("整改结果", value=item.result, key=f"{key}_r_{item.id}", height=70, max_chars=R.MAX_TEXT)
            st.button("提交整改情况", key=f"{key}_answer_{item.id}", type="primary", on_click=_act,
                      args=(engine, principal, key, item, R.ANSWER))
        if R.CLOSE in actions:
            st.text_input("核验意见（退回时必填）", key=f"{key}_n_{item.id}", max_chars=R.MAX_TEXT)
            b1, b2, _ = st.columns([1, 1, 4])
            b1.button("核验销号", key=f"{key}_close_{item.id}", type="primary", on_click=_act,
                      args=(engine, principal, key, item, R.CLOSE))
            b2.button("退回重改", key=f"{key}_return_{item.id}", on_click=_act,
                      args=(engine, principal, key, item, R.RETURN))


def item_cards(engine: Engine, principal: Principal, items: Sequence[RectItem], *, key: str,
               empty: str = "没有整改事项。") -> None:
    """The open items as cards with their actions, then the closed ones in a table under an expander."""
    show_message(key)
    open_items = [i for i in items if i.is_open]
    closed = [i for i in items if not i.is_open]
    if not items:
        st.caption(empty)
    for item in open_items:
        _card(engine, principal, item, key)
    if closed:
        with st.expander(f"已销号的整改事项（{len(closed)}项）"):
            st.dataframe(items_frame(closed, today_local()), hide_index=True, width="stretch", key=f"{key}_closed")


__all__ = ["create_form", "item_cards", "show_message", "MESSAGE"]
