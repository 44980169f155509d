"""What a leadership view's address holds: the query string of a link to one view.

Definitions chosen here:

* A view is the fiscal year, the as-of period, the filters (areas, 主管部门, units, statuses, indicator
  groups, review) and the selected project. In the query string they are ``year``, ``period``, ``area``,
  ``department``, ``unit``, ``status``, ``group`` (repeated for several values), ``review`` (``approved`` /
  ``unapproved``) and ``project``; the page is the URL path
  (``components/navigation.py``). Empty filters and no project are left out.
* ``view_from_params`` reads what it can and drops what it cannot (a year or project id that is not a
  number, a period that is not ``2024Q3`` / ``2024-09``): a mangled link opens the default view for
  that part instead of failing. Whether a value exists (an area, a project one may see) is checked by
  the page, which knows the data.
* Every view the app writes carries ``period``. A query string without it is not one of ours (a menu
  click drops the query string): the session's view stands. One with it that differs from what the app
  wrote last is a view the browser went back or forward to: it is adopted (``is_view_link``).

Pure: plain mappings in and out; ``components.filters`` reads and writes ``st.query_params`` with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.periods import parse_period

LIST_PARAMS = {"areas": "area", "departments": "department", "units": "unit", "statuses": "status", "groups": "group"}
PARAMS = {"year": "year", "period": "period", **LIST_PARAMS, "review": "review", "project": "project"}
REVIEW_VALUES = ("approved", "unapproved")
_INT_FIELDS = ("year", "project")


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def view_from_params(params: Mapping[str, str | Iterable[str]]) -> dict:
    """The view a query string describes: ``year``/``project`` (int), ``period`` (key), and the filter
    lists (tuples); only the parts present and readable."""
    out: dict = {}
    for name in _INT_FIELDS:
        values = _as_list(params.get(PARAMS[name]))
        if values and values[-1].strip().isdigit():
            out[name] = int(values[-1])
    periods = _as_list(params.get("period"))
    if periods:
        try:
            out["period"] = parse_period(periods[-1]).key
        except ValueError:
            pass
    for name, param in LIST_PARAMS.items():
        values = [v for v in _as_list(params.get(param)) if v.strip()]
        if values:
            out[name] = tuple(dict.fromkeys(values))
    review = _as_list(params.get("review"))
    if review and review[-1] in REVIEW_VALUES:
        out["review"] = review[-1]
    return out


def params_from_view(view: Mapping) -> dict[str, str | list[str]]:
    """The query string of a view (what ``st.query_params.from_dict`` takes), in a fixed order."""
    out: dict[str, str | list[str]] = {}
    for name, param in PARAMS.items():
        value = view.get(name)
        if value is None or value == "" or value == () or value == []:
            continue
        out[param] = [str(v) for v in value] if name in LIST_PARAMS else str(value)
    return out


def view_signature(view: Mapping) -> tuple:
    """A hashable summary of a view, equal for equal views whatever the container types."""
    return tuple((name, tuple(view.get(name) or ()) if name in LIST_PARAMS else view.get(name)) for name in PARAMS)


def is_view_link(params: Mapping[str, str | Iterable[str]]) -> bool:
    """True when the query string is a view the app wrote (it carries ``period``)."""
    return bool(_as_list(params.get("period")))


__all__ = ["PARAMS", "LIST_PARAMS", "view_from_params", "params_from_view", "view_signature", "is_view_link"]
