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
from components.cached import forget_older_revisions
from components.context import PageContext, ReadContext, visibility_key
from components.filters import current_period_key, filter_bar
from components.state import get_engine, revision, revisions_now
from components.status_badge import inject_css
from data_access import status_store
from data_access.views import previous_period
from domain.clock import aware, utcnow
from domain.periods import parse_period


def leadership_page(title: str | None, *, statuses: bool = True, groups: bool = True,
                    demo_banner: bool = True) -> PageContext:
    """The start of every leadership page (see the module docstring); ``statuses``/``groups``/
    ``demo_banner`` go to ``components.filters.filter_bar``."""
    principal = current_principal()
    inject_css()
    if title:
        st.title(title)
    rev, structure_rev = revisions_now()
    forget_older_revisions(rev)
    year, as_of, f = filter_bar(principal, rev=rev, structure_rev=structure_rev, statuses=statuses, groups=groups,
                                demo_banner=demo_banner)
    key = current_period_key()
    assert key is not None, "filter_bar stores the period it shows"
    period = parse_period(key)
    prev = previous_period(period)
    gen = stored_statuses()
    return PageContext(rev=rev, vis=visibility_key(principal), year=year, period_key=period.key, as_of=as_of,
                       prev_key=prev.key if prev else None, prev_as_of=prev.end if prev else None, filters=f,
                       gen=gen, structure_rev=structure_rev)


def stored_statuses() -> int:
    """The generation of stored statuses to read. While a change of the rules is being recomputed, say so
    with its progress (the page shows the statuses of the rules before the change), and make sure some
    process is working on it (``data_access.status_store.jobs``: a replica takes over a stalled one). No
    statuses at all yet (a database upgraded or restored from an older version): say so and stop."""
    engine = get_engine()
    state = status_store.state(engine)  # one small query per run: the progress moves without a new revision
    if state.rebuilding:
        beat = aware(state.heartbeat_at)
        if beat is None or beat < utcnow() - status_store.STALE_AFTER:
            status_store.kick(engine)
        if state.active_id is not None:
            st.info(f"状态正在重新计算（{state.percent}%）：设置中的规则已修改，计算完成前各页面显示按原规则计算的状态。",
                    icon=":material/sync:")
    if state.active_id is None:
        st.info(f"状态正在重新计算（{state.percent}%），完成后即可查看。请稍后刷新页面。", icon=":material/sync:")
        st.stop()
    assert state.active_id is not None
    return state.active_id


def reader_page(title: str) -> ReadContext:
    """A read-only page without the filter bar: login guard, title, and the latest fiscal year's context."""
    principal = current_principal()
    st.title(title)
    return ReadContext(rev=revision(), vis=visibility_key(principal))


__all__ = ["leadership_page", "reader_page"]
