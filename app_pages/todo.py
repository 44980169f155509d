"""待办: what the signed-in person has to do now — staff: 被退回的事项, 待填报的事项, 待送审的项目 and the days
to the 填报截止日; reviewers: 待审核的项目; leaders: 红色项目未审核 — each count opening the filtered page."""

import streamlit as st

from components.auth import current_principal
from components.todo import items_for, todo_link
from domain.todo import ERROR

principal = current_principal()
st.title("待办")
items = items_for(principal)
if not items:
    st.success("目前没有待办事项。")
    st.stop()
st.caption("点击每一项打开对应的页面（已按该事项筛选）。")
for i, item in enumerate(items):
    with st.container(border=True):
        c1, c2 = st.columns([2, 3])
        with c1:
            todo_link(item, principal.role, key=f"todo_page_{i}")
        with c2:
            if item.detail:
                st.caption(("须尽快处理：" if item.tone == ERROR else "") + item.detail)
