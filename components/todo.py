"""待办 on screen: the sidebar box every signed-in page shows, and the rows of the 待办 page.

Definitions chosen here:

* The items are ``data_access.todo.todo_items`` (one provider per kind of work), read once per data
  revision, person and day (``st.cache_data``), so a page run costs no query when nothing changed; the
  statuses are read from the status store, like the pages'.
* Each count is a link (``st.page_link``) to the page of the page table that shows those items, with
  the filtered view in the query string (``domain.todo.TodoItem.query``); an item whose page the role
  may not open is shown without a link.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.navigation import PAGES
from components.state import get_engine, revision
from data_access.permissions import Principal
from data_access.todo import todo_items
from data_access.users import principal_for
from domain.clock import today_local
from domain.todo import ERROR, WARNING, TodoItem

ICONS = {ERROR: ":material/error:", WARNING: ":material/schedule:"}


@st.cache_data(ttl=600, show_spinner=False, max_entries=256)
def _items(rev: int, username: str, role: str, units: tuple[int, ...], today: date) -> list[TodoItem]:
    engine = get_engine()
    return todo_items(engine, principal_for(engine, username), today)


def items_for(principal: Principal) -> list[TodoItem]:
    if principal.system:
        return []
    return _items(revision(), principal.username, principal.role, tuple(sorted(principal.unit_ids)), today_local())


def _path(item: TodoItem, role: str) -> str | None:
    return next((p.path for p in PAGES if p.address == item.page and role in p.roles), None)


def todo_link(item: TodoItem, role: str, *, key: str) -> None:
    path = _path(item, role)
    label = item.text
    if path is None:
        st.markdown(label)
        return
    st.page_link(path, label=label, icon=ICONS.get(item.tone, ":material/arrow_forward:"), query_params=item.query,
                 help=item.detail or None)


def sidebar_todo(principal: Principal) -> None:
    """The 待办 box under the page menu: one link per count (nothing when there is nothing to do)."""
    items = items_for(principal)
    if not items:
        return
    with st.sidebar.container(border=True):
        st.markdown(f"**待办**（{len(items)}）")
        for i, item in enumerate(items):
            todo_link(item, principal.role, key=f"todo_side_{i}")


__all__ = ["items_for", "todo_link", "sidebar_todo"]
