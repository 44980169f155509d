"""The shared filter bar of the leadership views: fiscal year, as-of period, areas, units, statuses and
indicator groups. Returns ``(year, as_of, ViewFilters)``.

State: the chosen values live in ``st.session_state[STORE]`` (a plain dict, not a widget key, so it
survives page switches — Streamlit drops the state of widgets that a page does not render) and are
mirrored into ``st.query_params`` (``year``, ``period``, ``area``, ``unit``, ``status``, ``group``) so
that a reloaded or shared URL opens with the same filters. A new session starts from the URL, else
from the defaults (the latest period with data).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import cached
from components.context import visibility_key
from components.state import revision
from data_access.permissions import Principal
from data_access.views import BUDGET_GROUP, ViewFilters, period_option_label, period_options, status_text
from domain.periods import Period, parse_period
from domain.status import STATUSES

STORE = "_leader_filters"
WIDGET = "flt_"
PARAMS = {"year": "year", "period": "period", "areas": "area", "units": "unit", "statuses": "status", "groups": "group"}
LISTS = ("areas", "units", "statuses", "groups")


def _store() -> dict:
    ss = st.session_state
    if STORE not in ss:
        ss[STORE] = _from_query_params()
    return ss[STORE]


def _from_query_params() -> dict:
    out: dict = {}
    try:
        qp = st.query_params
        if qp.get("year"):
            out["year"] = int(qp.get("year"))
        if qp.get("period"):
            parse_period(qp.get("period"))
            out["period"] = qp.get("period")
        for name in LISTS:
            values = qp.get_all(PARAMS[name])
            if values:
                out[name] = list(values)
    except (ValueError, TypeError):
        return {}
    return out


def _sync(name: str) -> None:
    """Widget callback: copy the widget's value into the store."""
    st.session_state[STORE][name] = st.session_state[WIDGET + name]


def _bind(name: str, value) -> str:
    """Give the widget its stored value before it is created; returns the widget key."""
    st.session_state[WIDGET + name] = value
    return WIDGET + name


def _write_query_params(values: dict) -> None:
    qp = st.query_params
    for name, param in PARAMS.items():
        v = values.get(name)
        if name in LISTS:
            v = [str(x) for x in (v or [])]
            if v:
                if qp.get_all(param) != v:
                    qp[param] = v
            elif param in qp:
                del qp[param]
        else:
            s = "" if v is None else str(v)
            if s and qp.get(param) != s:
                qp[param] = s


def current_period_key() -> str | None:
    """The period key chosen in the filter bar (None before the bar ran in this session)."""
    return st.session_state.get(STORE, {}).get("period")


def filter_bar(principal: Principal, *, rev: int | None = None, statuses: bool = True, groups: bool = True,
               container=None, demo_banner: bool = True) -> tuple[int, date, ViewFilters]:
    """Render the filter bar (in the sidebar by default) and return ``(year, as_of, filters)``.

    ``statuses``/``groups`` hide those selectors on pages where they do not apply (the stored values
    are kept for the other pages). ``demo_banner=False``: the page labels demo data itself (meeting
    mode); the sidebar still says so. Stops the page with a message when no targets are imported.
    ``rev``: the revision the page read (read here when not given)."""
    rev = revision() if rev is None else rev
    years = cached.fiscal_years(rev)
    if not years:
        st.info("尚未导入绩效目标表。请由管理员运行：python manage.py import-targets 文件")
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

        periods = period_options(year)
        keys = [p.key for p in periods]
        labels = {p.key: period_option_label(p) for p in periods}
        with_data = set(cached.periods_with_data(rev, year))
        period = store.get("period") if store.get("period") in keys else cached.default_period_key(rev, year)
        store["period"] = period
        period = st.selectbox(
            "截至", keys, key=_bind("period", period),
            format_func=lambda k: labels[k] + ("" if k in with_data else " · 无填报"),
            on_change=_sync, args=("period",),
            help="默认为有填报数据的最近一期。状态按该期末日期计算。",
        )

        opts = cached.filter_options(rev, year, vis)
        area_opts = opts["areas"]
        unit_opts = opts["units"]
        group_opts = [BUDGET_GROUP, *opts["level1"], *opts["level2"]]

        def multi(name: str, label: str, options: list, fmt=str, help_text: str | None = None) -> list:
            chosen = [v for v in store.get(name, []) if v in options]
            store[name] = chosen
            return st.multiselect(label, options, key=_bind(name, chosen), format_func=fmt, placeholder="全部", select_all=False,
                                  on_change=_sync, args=(name,), help=help_text)

        areas = multi("areas", "领域", area_opts)
        units = multi("units", "责任单位", unit_opts,
                      help_text="只列出您有权查看的单位" if principal.is_staff else None)
        chosen_statuses = multi("statuses", "状态", list(STATUSES), fmt=status_text) if statuses else []
        chosen_groups = multi("groups", "指标类别", group_opts,
                              help_text="一级指标、二级指标或预算执行；不选为全部") if groups else []
        if any(store.get(n) for n in LISTS):
            st.button("清除筛选", key="flt_clear", on_click=_clear, width="stretch")

    _write_query_params(store)
    p: Period = parse_period(period)
    f = ViewFilters(areas=tuple(areas), units=tuple(units), statuses=tuple(chosen_statuses), groups=tuple(chosen_groups))
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


SELECTED_PROJECT = "selected_project_id"
PROJECT_PAGE = "app_pages/project.py"


def open_project(project_id: int) -> None:
    """Remember the project and switch to the project page (``?project=<id>`` in the URL)."""
    st.session_state[SELECTED_PROJECT] = int(project_id)
    st.switch_page(PROJECT_PAGE, query_params={"project": str(int(project_id))})


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


__all__ = ["filter_bar", "caption", "current_period_key", "open_project", "open_selected_row", "SELECTED_PROJECT", "STORE"]
