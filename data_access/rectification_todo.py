"""整改's 待办 provider (``data_access.todo``): what staff and the admin still have to do about 整改 items.

Definitions chosen here (docs/rules.md §14):

* **Staff**: 待反馈的整改 — the 待整改 and 已退回 items their units own (an error while one is past its
  deadline, else a warning); it opens 填报, where the unit's items are answered.
* **The admin**: 待核验的整改 — answered items waiting for verification (a warning), opening the item's
  project when there is one, else 风险清单 (its 整改 column); and 逾期未反馈的整改 — open items past their
  deadline that the unit has not answered (an error), opening 风险清单.
* Leaders act on nothing. One query per kind, whatever the number of items.
"""

from __future__ import annotations

from data_access.rectification import rectifications
from data_access.todo import TodoScope, provider
from domain import rectification as R
from domain.todo import ERROR, WARNING, TodoItem, query_params


def _names(items) -> str:
    names = list(dict.fromkeys(i.project_name for i in items))
    return "、".join(names[:5]) + ("等" if len(names) > 5 else "")


def _staff(scope: TodoScope) -> list[TodoItem]:
    p = scope.principal
    items = rectifications(scope.engine, p, states=[R.OPEN, R.RETURNED], owner_units=sorted(p.unit_ids),
                           year=scope.year)
    if not items:
        return []
    overdue = [i for i in items if R.overdue_days(i.deadline, i.state, scope.today)]
    detail = _names(items) + (f"；其中逾期{len(overdue)}项" if overdue else "")
    return [TodoItem("rectification", "待反馈的整改", len(items), "项", "entry",
                     query_params({"period": scope.period.code}), detail, ERROR if overdue else WARNING)]


def _admin(scope: TodoScope) -> list[TodoItem]:
    items = rectifications(scope.engine, scope.principal, open_only=True, year=scope.year)
    waiting = [i for i in items if i.state == R.ANSWERED]
    late = [i for i in items if i.state != R.ANSWERED and R.overdue_days(i.deadline, i.state, scope.today)]
    out = []
    if waiting:
        one = {i.project_id for i in waiting}
        page, params = (("project", {"project": next(iter(one))}) if len(one) == 1 else ("risks", {}))
        out.append(TodoItem("rectification_verify", "待核验的整改", len(waiting), "项", page, query_params(params),
                            _names(waiting), WARNING))
    if late:
        out.append(TodoItem("rectification_late", "逾期未反馈的整改", len(late), "项", "risks", (), _names(late), ERROR))
    return out


@provider
def rectification_items(scope: TodoScope) -> list[TodoItem]:
    if scope.principal.is_staff:
        return _staff(scope)
    if scope.principal.is_admin:
        return _admin(scope)
    return []


__all__ = ["rectification_items"]
