"""待办: what a person has to do, as counts that each open the page showing those items.

Pure code. The data layer gathers the items (``data_access.todo``: one provider per kind of work, so a
new kind — an adjustment to approve, an attachment to check, a 整改 item due — is one more provider);
the pages show them (``components.todo``).

Definitions chosen here:

* A :class:`TodoItem` is one count with its words, the page it opens (the page table's address) and
  the query string of the filtered view there. Items with nothing to do are not shown, except the
  deadline, which is shown while there is still something to fill or submit.
* Tone: ``error`` for what someone is waiting for (被退回, 逾期), ``warning`` for work due, ``info`` for
  the rest. :func:`ordered` puts errors first, then warnings, then the rest, each in provider order.
* The deadline reads 剩余N天 / 今天截止 / 逾期N天 (as 填报进度 does) against the period's 填报截止日.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

ERROR, WARNING, INFO = "error", "warning", "info"
_TONE_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class TodoItem:
    kind: str  # returned | to_fill | to_submit | deadline | to_review | red_unapproved | ...
    label: str  # 被退回的事项
    count: int
    unit: str  # 项 / 个项目 / 天
    page: str  # the page's address in components/navigation.py: entry | review | risks ...
    params: tuple[tuple[str, str], ...] = ()  # the filtered view's query string
    detail: str = ""
    tone: str = INFO

    @property
    def text(self) -> str:
        return f"{self.label}：{self.count}{self.unit}"

    @property
    def query(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for k, v in self.params:
            if k in out:
                prev = out[k]
                out[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
            else:
                out[k] = v
        return out


def query_params(values: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """A query string as the pairs a :class:`TodoItem` keeps (None and empty values left out)."""
    return tuple((k, str(v)) for k, v in values.items() if v is not None and v != "")


def deadline_item(deadline: date, today: date, page: str, params: tuple[tuple[str, str], ...],
                  period_label: str) -> TodoItem:
    """The days to (or past) the 填报截止日."""
    days = (deadline - today).days
    detail = f"{period_label}填报截止日：{deadline.year}年{deadline.month}月{deadline.day}日"
    if days > 0:
        return TodoItem("deadline", "距填报截止", days, "天", page, params, detail, WARNING if days <= 7 else INFO)
    if days == 0:
        return TodoItem("deadline", "今天截止", 0, "天", page, params, detail, ERROR)
    return TodoItem("deadline", "已逾期", -days, "天", page, params, detail, ERROR)


def ordered(items: Iterable[TodoItem]) -> list[TodoItem]:
    return sorted(items, key=lambda i: _TONE_ORDER.get(i.tone, 3))


__all__ = ["ERROR", "WARNING", "INFO", "TodoItem", "query_params", "deadline_item", "ordered"]
