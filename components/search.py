"""Scale-aware controls: the project picker (a search box narrowing a select box capped at ``PICKER_CAP``
projects) and the grids' 「筛选」 box (``grid_filter``), whose rows are narrowed, not highlighted.

A browser filters a select box of 5,000 options slowly (seconds per key stroke), so a long list is
searched on the server (``domain.text_search``) and the select box holds at most ``PICKER_CAP`` of the
matches, in the list's order (worst first). The current project is always among the options, also
when the search or the cap leaves it out, so ``?project=ID`` links keep working. Lists up to
``PICKER_CAP`` get no search box (the browser filters them fast enough).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from domain.text_search import narrow

PICKER_CAP = 200  # options in the select box
GRID_FILTER_FROM = 30  # grids longer than this get the 「筛选」 box (the risk list always has it)
GRID_PLACEHOLDER = "筛选：项目名称/单位/指标…"


def project_picker(label: str, options: Mapping[int, str], *, key: str, current: int | None = None,
                   help_text: str = "", on_change: Callable[[], None] | None = None, columns=None) -> int | None:
    """A select box over ``options`` (id -> label, in the list's order) with a search box above it (beside
    it when ``columns``, a pair of containers, is given) when the list is longer than ``PICKER_CAP`` (a
    shorter one the browser filters fast enough as one types into the select box).
    ``current`` (an id of ``options``) is selected and always offered. Returns the selected id."""
    search_box, select_box = columns if columns is not None else (st.container(), st.container())
    query = ""
    if len(options) > PICKER_CAP:
        query = search_box.text_input("搜索项目", key=f"{key}_search", placeholder="输入名称的一部分",
                                      help="按项目名称（及状态）查找，可输入多个词，用空格分开").strip()
    shown, matched = narrow(list(options), query, options.__getitem__, PICKER_CAP)
    if current is not None and current in options and current not in shown:
        shown.insert(0, current)
    if not shown:
        select_box.info(f"没有名称含「{query}」的项目。")
        return None
    if current is not None and current in shown:
        st.session_state[key] = current
    elif st.session_state.get(key) not in shown:
        st.session_state[key] = shown[0]
    picked = select_box.selectbox(label, shown, key=key, format_func=options.__getitem__, on_change=on_change,
                                  help=help_text or None)
    note = picker_note(len(options), matched, query)
    if note:
        select_box.caption(note)
    return picked


def picker_note(total: int, matched: int, query: str) -> str:
    """What the select box holds: '共5000个项目，列出最需关注的前200个；输入名称的一部分可缩小范围' /
    '「教育」：共38个项目符合' ('' for a short list without a search)."""
    if query:
        head = f"「{query}」：共{matched}个项目符合" + (f"，列出前{PICKER_CAP}个" if matched > PICKER_CAP else "")
        return head + f"（全部{total}个）"
    if total > PICKER_CAP:
        return f"共{total}个项目，列出最需关注的前{PICKER_CAP}个；在「搜索项目」中输入名称的一部分可缩小范围"
    return ""


def grid_filter(key: str, placeholder: str = GRID_PLACEHOLDER) -> str:
    """The 「筛选」 box above a grid: the query (stripped; '' for none)."""
    return st.text_input("筛选", key=key, placeholder=placeholder, label_visibility="collapsed",
                         help="只显示含所输入文字的行（多个词用空格分开，须都出现）；导出按钮导出筛选后的行").strip()


def shown_of(shown: int, total: int, query: str, noun: str = "项") -> str:
    """'显示12 / 共5000项（筛选「教育」）' under a filtered grid; '' without a query."""
    return f"显示{shown} / 共{total}{noun}（筛选「{query}」）" if query else ""


__all__ = ["PICKER_CAP", "GRID_FILTER_FROM", "GRID_PLACEHOLDER", "project_picker", "picker_note", "grid_filter", "shown_of"]
