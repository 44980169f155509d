"""The shared filter bar of the leadership views: fiscal year, as-of period, areas, 主管部门 (only when the
data names departments; it narrows the 责任单位 offered and the projects), units, statuses and indicator
groups. Returns ``(year, as_of, ViewFilters)``.

State: the chosen values live in ``st.session_state[STORE]`` (a plain dict, not a widget key, so it
survives page switches — Streamlit drops the state of widgets that a page does not render), the selected
project in ``st.session_state[SELECTED_PROJECT]``. Both are written to ``st.query_params`` at every run
(``year``, ``period``, ``area``, ``department``, ``unit``, ``status``, ``group``, ``review``, ``project``:
``data_access.views.links``),
so a reload, a shared link and the browser's back/forward open the same view: a new session starts from
the URL, else from the defaults (the latest period with data); within a session a URL that differs from
what was written last (back/forward) is adopted, one without ``period`` (a menu click) is not.

The as-of choices follow the reporting cycle (设置 → 填报周期): four quarters or twelve months.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import cached
from components.context import visibility_key
from components.no_targets import no_targets
from components.state import revisions_now
from data_access.permissions import Principal
from data_access.views import (
    BUDGET_GROUP,
    REVIEW_CHOICES,
    ViewFilters,
    is_view_link,
    params_from_view,
    period_option_label,
    period_options,
    period_short_label,
    periods_having_data,
    status_text,
    units_under,
    view_from_params,
    view_signature,
)
from domain.periods import Period, parse_period
from domain.status import STATUSES

STORE = "_leader_filters"
WRITTEN = "_leader_view_written"  # signature of the view last written to the URL
SELECTED_PROJECT = "selected_project_id"
PICKED_UNDER = "_project_picked_under"  # 项目详情: the project-selecting filters its project was shown under
PROJECT_PAGE = "app_pages/project.py"
WIDGET = "flt_"
LISTS = ("areas", "departments", "units", "statuses", "groups")

STATUS_HELP = ("选出项目：项目状态或其任一事项（预算执行、所选类别的指标）为所选状态的项目；"
               "风险清单、指标表等只列出所选状态的事项。不选为全部")
DEPARTMENT_HELP = "选出项目：所选主管部门下属单位的项目，下方「责任单位」只列出这些部门的单位；不选为全部"
GROUP_HELP = "选出事项：只显示所选一级指标、二级指标或预算执行的事项，项目按这些事项计数；不选为全部"
REVIEW_HELP = ("选出项目：本期数值已审核通过（已审核）或尚未审核通过（未审核）的项目；只看已审核时，"
               "总览等页面的数字只统计审核通过的数据")


def _url() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp}


def _adopt(view: dict) -> None:
    """Make a view from the URL the session's view (filters and selected project)."""
    ss = st.session_state
    ss[STORE] = {k: (list(v) if k in LISTS else v) for k, v in view.items() if k != "project"}
    ss.pop(PICKED_UNDER, None)  # a project named by a link is an explicit choice
    if "project" in view:
        ss[SELECTED_PROJECT] = view["project"]
    else:
        ss.pop(SELECTED_PROJECT, None)


def _store() -> dict:
    ss = st.session_state
    url = _url()
    if STORE not in ss:
        _adopt(view_from_params(url))
    elif is_view_link(url):
        view = view_from_params(url)
        if view_signature(view) != ss.get(WRITTEN):  # back/forward to another view
            _adopt(view)
    return ss[STORE]


def _sync(name: str) -> None:
    """Widget callback: copy the widget's value into the store."""
    st.session_state[STORE][name] = st.session_state[WIDGET + name]


def _bind(name: str, value) -> str:
    """Give the widget its stored value before it is created; returns the widget key."""
    st.session_state[WIDGET + name] = value
    return WIDGET + name


def current_view() -> dict:
    """The session's view: the filter store and the selected project (``data_access.views.links``)."""
    ss = st.session_state
    view = dict(ss.get(STORE, {}))
    if ss.get(SELECTED_PROJECT) is not None:
        view["project"] = int(ss[SELECTED_PROJECT])
    return view


def write_view() -> None:
    """Write the session's view to the URL (one history entry when it changed) and remember it."""
    params = params_from_view(current_view())
    if _url() != {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}:
        st.query_params.from_dict(params)
    st.session_state[WRITTEN] = view_signature(view_from_params(params))


def select_project(project_id: int | None) -> None:
    """Make ``project_id`` the selected project (``None``: none) and write it to the URL."""
    if project_id is None:
        st.session_state.pop(SELECTED_PROJECT, None)
    else:
        st.session_state[SELECTED_PROJECT] = int(project_id)
    write_view()


def current_period_key() -> str | None:
    """The period key chosen in the filter bar (None before the bar ran in this session)."""
    return st.session_state.get(STORE, {}).get("period")


def _period_select(rev: int, year: int, store: dict) -> str:
    """The as-of selector: the periods of the reporting cycle, the chosen one's full label under it
    (the box itself may be too narrow for it)."""
    cycle = cached.reporting_cycle(rev)
    periods = period_options(year, cycle)
    keys = [p.key for p in periods]
    labels = {p.key: period_option_label(p) for p in periods}
    short = {p.key: period_short_label(p) for p in periods}
    with_data = periods_having_data(periods, cached.periods_with_data(rev, year))
    period = store.get("period") if store.get("period") in keys else cached.default_period_key(rev, year, cycle)
    store["period"] = period
    period = st.selectbox(
        "截至", keys, key=_bind("period", period),
        format_func=lambda k: short[k] + ("" if k in with_data else "（无填报）"),
        on_change=_sync, args=("period",),
        help=f"按{'月' if cycle == 'month' else '季度'}填报（设置 → 填报周期）；默认为有填报数据的最近一期。"
             "各页面的状态、图表和各期历史都截至该期末日期。",
    )
    st.caption(labels[period] + ("" if period in with_data else "，本期尚无填报"))
    return period


def _review_select(store: dict) -> str:
    """The 审核 selector: all projects, only approved figures, or only unapproved ones."""
    review = store.get("review") if store.get("review") in REVIEW_CHOICES else ""
    store["review"] = review
    return st.selectbox("审核", list(REVIEW_CHOICES), key=_bind("review", review), format_func=REVIEW_CHOICES.__getitem__,
                        on_change=_sync, args=("review",), help=REVIEW_HELP)


def _multi(store: dict, name: str, label: str, options: list, fmt=str, help_text: str | None = None) -> list:
    """A multiselect bound to ``store[name]`` (values no longer offered are dropped)."""
    chosen = [v for v in store.get(name, []) if v in options]
    store[name] = chosen
    return st.multiselect(label, options, key=_bind(name, chosen), format_func=fmt, placeholder="全部", select_all=False,
                          on_change=_sync, args=(name,), help=help_text)


def _project_selects(store: dict, opts: dict, principal: Principal) -> tuple[list, list, list]:
    """The selectors that choose projects by where they belong: 领域, 主管部门 (only when the data names
    departments; it narrows the units offered) and 责任单位. Returns ``(areas, departments, units)``."""
    areas = _multi(store, "areas", "领域", opts["areas"], help_text="选出项目：所选领域的项目；不选为全部")
    departments: list = []
    if opts["departments"]:
        departments = _multi(store, "departments", "主管部门", opts["departments"], help_text=DEPARTMENT_HELP)
    else:
        store["departments"] = []
    unit_opts = units_under(opts["units"], opts["unit_departments"], departments)
    units = _multi(store, "units", "责任单位", unit_opts,
                   help_text="选出项目：所选单位的项目" + ("（只列出您有权查看的单位）" if principal.is_staff else "")
                   + ("，只列出所选主管部门的单位" if departments else "") + "；不选为全部")
    return areas, departments, units


def filter_bar(principal: Principal, *, rev: int | None = None, structure_rev: int | None = None,
               statuses: bool = True, groups: bool = True, container=None,
               demo_banner: bool = True) -> tuple[int, date, ViewFilters]:
    """Render the filter bar (in the sidebar by default) and return ``(year, as_of, filters)``.

    ``statuses``/``groups`` hide those selectors on pages where they do not apply (the stored values
    are kept for the other pages). ``demo_banner=False``: the page labels demo data itself (meeting
    mode); the sidebar still says so. Stops the page with a message when no targets are imported.
    ``rev``, ``structure_rev``: the revisions the page read (``components.state.revisions_now``; read here
    when not given)."""
    if rev is None or structure_rev is None:
        rev, structure_rev = revisions_now()
    years = cached.fiscal_years(rev)
    if not years:
        no_targets(principal)
        st.stop()
    store = _store()
    vis = visibility_key(principal)
    box = container if container is not None else st.sidebar

    with box:
        st.markdown("#### 筛选")
        year = store.get("year") if store.get("year") in years else years[-1]
        store["year"] = year
        year = st.selectbox("年度", years, key=_bind("year", year), format_func=lambda y: f"{y}年度",
                            on_change=_sync, args=("year",))

        period = _period_select(rev, year, store)

        opts = cached.filter_options(structure_rev, year, vis)  # values saves leave them as they are
        group_opts = [BUDGET_GROUP, *opts["level1"], *opts["level2"]]
        areas, departments, units = _project_selects(store, opts, principal)

        chosen_statuses = (_multi(store, "statuses", "状态", list(STATUSES), status_text, STATUS_HELP)
                           if statuses else [])
        chosen_groups = _multi(store, "groups", "指标类别", group_opts, help_text=GROUP_HELP) if groups else []
        review = _review_select(store)
        if chosen_statuses:
            st.caption("状态筛选作用于项目和事项：列出含所选状态事项的项目，表中只列所选状态的事项。")
        if any(store.get(n) for n in (*LISTS, "review")):
            st.button("清除筛选", key="flt_clear", on_click=_clear, width="stretch")

    write_view()
    p: Period = parse_period(period)
    f = ViewFilters(areas=tuple(areas), units=tuple(units), statuses=tuple(chosen_statuses), groups=tuple(chosen_groups),
                    review=review, departments=tuple(departments))
    if demo_banner:
        show_demo_banner(rev)
    elif cached.has_demo(rev):
        box.caption("当前数据包含示例数据（演示用）")
    return year, p.end, f


def show_demo_banner(rev: int) -> None:
    """The demo-data warning, on every page that shows or edits monitoring values."""
    if cached.has_demo(rev):
        st.warning("当前数据包含**示例数据**（演示用，非真实填报）。正式使用前请由管理员清除示例数据。", icon=":material/science:")


def _clear() -> None:
    store = st.session_state[STORE]
    for name in LISTS:
        store[name] = []
    store["review"] = ""


def open_project(project_id: int) -> None:
    """Select the project and switch to the project page (the view's query string, ``project`` set).
    An explicit choice: the project page shows it even when it is outside its filters."""
    st.session_state[SELECTED_PROJECT] = int(project_id)
    st.session_state.pop(PICKED_UNDER, None)
    st.switch_page(PROJECT_PAGE, query_params=params_from_view(current_view()))


def open_selected_row(event, df, key: str = "_project_id") -> None:
    """After ``st.dataframe(..., on_select="rerun", selection_mode="single-row")``: open the project of
    the selected row, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        rows = (event or {}).get("selection", {}).get("rows", [])
    if rows:
        pid = df.iloc[rows[0]][key]
        if pid == pid and pid is not None:
            open_project(int(pid))


def caption(as_of: date, f: ViewFilters, extra: str = "") -> None:
    """One grey line under a page title: as-of date and the active filters."""
    text = f"截至{as_of.year}年{as_of.month}月{as_of.day}日 · 筛选：{f.describe()}"
    st.caption(text + (f" · {extra}" if extra else ""))


__all__ = ["filter_bar", "caption", "current_period_key", "current_view", "write_view", "select_project", "open_project",
           "open_selected_row", "SELECTED_PROJECT", "PICKED_UNDER", "STORE"]
