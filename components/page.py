"""How a page starts: the login guard, the title, the filter bar and the context of its cached reads.

    ctx = leadership_page("总览")          # 总览, 风险清单, 项目详情, 会议模式, 填报进度
    caption(ctx.as_of, ctx.filters)
    h = cached.headline(ctx)

``leadership_page`` stops the page when nobody is signed in (``components.auth.current_principal``),
injects the status styles, writes the title (``None``: the page writes its own, e.g. the project's
name), renders the shared filter bar (which shows the demo-data banner unless ``demo_banner=False``)
and returns the ``PageContext``: the revision read once for the whole run, the visibility key of the
principal, the chosen period, its predecessor and the filters. ``reader_page`` is the same without the
filter bar (绩效目标).
"""

from __future__ import annotations

import streamlit as st

from components.auth import current_principal
from components.context import PageContext, ReadContext, visibility_key
from components.filters import current_period_key, filter_bar
from components.state import revision
from components.status_badge import inject_css
from data_access.views import previous_period
from domain.periods import parse_period


def leadership_page(title: str | None, *, statuses: bool = True, groups: bool = True,
                    demo_banner: bool = True) -> PageContext:
    """The start of every leadership page (see the module docstring); ``statuses``/``groups``/
    ``demo_banner`` go to ``components.filters.filter_bar``."""
    principal = current_principal()
    inject_css()
    if title:
        st.title(title)
    rev = revision()
    year, as_of, f = filter_bar(principal, rev=rev, statuses=statuses, groups=groups, demo_banner=demo_banner)
    key = current_period_key()
    assert key is not None, "filter_bar stores the period it shows"
    period = parse_period(key)
    prev = previous_period(period)
    return PageContext(rev=rev, vis=visibility_key(principal), year=year, period_key=period.key, as_of=as_of,
                       prev_key=prev.key if prev else None, prev_as_of=prev.end if prev else None, filters=f)


def reader_page(title: str) -> ReadContext:
    """A read-only page without the filter bar: login guard, title, and the latest fiscal year's context."""
    principal = current_principal()
    st.title(title)
    return ReadContext(rev=revision(), vis=visibility_key(principal))


__all__ = ["leadership_page", "reader_page"]
