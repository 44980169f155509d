"""Links into 填报: ``/entry?period=2024Q3&project=5&open=1`` opens that period, the project's unit and the
project (``open=1``: 只看待填/须补充). 待办 and 审核 write such links (``domain.todo``).

Definitions chosen here: a link is adopted once per session per distinct query string (the page's own
choices then stand until another link arrives); a value that does not exist for the person (an unknown
period, a project they may not see) is ignored and the page's default is used.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from components.entry_drafts import KEEP

SEEN = "_entry_link_seen"


def adopt_entry_link(periods: list[str], unit_of: Mapping[int, str]) -> None:
    """Apply the query string's ``period``, ``project`` (and its unit) and ``open`` to the page's choices;
    ``unit_of``: project id -> unit name of the projects the person may fill."""
    qp = st.query_params
    link = {k: qp.get(k) for k in ("period", "project", "open", "unit") if qp.get(k)}
    if not link or st.session_state.get(SEEN) == link:
        return
    st.session_state[SEEN] = link
    choice: dict = {}
    if link.get("period") in periods:
        choice["entry_period"] = link["period"]
    project = str(link.get("project", ""))
    if project.isdigit() and int(project) in unit_of:
        choice["entry_unit"] = unit_of[int(project)]
        choice["entry_project"] = int(project)
    elif link.get("unit") in set(unit_of.values()):
        choice["entry_unit"] = link["unit"]
        choice["entry_project"] = 0
    if "open" in link:
        choice["entry_open_only"] = link["open"] == "1"
    kept = st.session_state.setdefault(KEEP, {})
    for k, v in choice.items():
        kept[k] = v
        st.session_state[k] = v


__all__ = ["adopt_entry_link"]
