"""整改's read models: which matters of a project can get an item, the items as a table, and the 整改
column of the risk list. Pure: evaluated statuses and ``data_access.rectification.RectItem`` in,
lists and frames out.

Definitions chosen here: a 整改 is raised for a red, 未填报 or amber matter — the budget row or an
indicator — or for the project as a whole; the matters come worst first (the order of the risk list).
An open item shows in the risk list on the row of its matter; an item for the project as a whole shows
on every row of the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from data_access.rectification import RectItem
from domain import rectification as R
from domain.status import AMBER, MISSING, RED, SEVERITY, STATUS_LABELS, ProjectStatus

RAISE_FOR = (RED, MISSING, AMBER)
RECT_COLUMN = "整改"
ITEM_COLUMNS = ["编号", "状态", "项目", "事项", "责任单位", "整改要求", "期限", "到期", "整改措施", "整改结果", "核验意见",
                "提出人", "来源"]


@dataclass(frozen=True, slots=True)
class Matter:
    """Something a 整改 item can be raised for (``target``: budget / indicator / project)."""

    target: str
    indicator_id: int | None
    label: str
    status: str
    reason: str

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.target, self.indicator_id)

    @property
    def text(self) -> str:
        mark = f"【{STATUS_LABELS[self.status]}】" if self.status in STATUS_LABELS else ""
        return f"{mark}{self.label}"


def matters(result: ProjectStatus, statuses: Sequence[str] = RAISE_FOR) -> list[Matter]:
    """The project's red / 未填报 / amber matters, worst first, then the project as a whole."""
    out = []
    if result.budget.status in statuses:
        out.append(Matter("budget", None, R.TARGET_BUDGET, result.budget.status, result.budget.reason))
    out += [Matter("indicator", st.indicator.id, st.indicator.level3.strip(), st.status, st.reason)
            for st in result.indicators if st.status in statuses]
    out.sort(key=lambda m: -SEVERITY[m.status])
    out.append(Matter("project", None, R.TARGET_PROJECT, result.status, result.reason))
    return out


def item_line(item: RectItem, today: date) -> str:
    """'待整改：补齐验收手续（期限2024-12-31，还剩12天）' — one item in a cell."""
    due = item.due_text(today)
    return f"{item.state_label}：{item.requirement}（期限{item.deadline.isoformat()}" + (f"，{due}" if due else "") + "）"


def items_frame(items: Sequence[RectItem], today: date) -> pd.DataFrame:
    """The items as a table, in the order given."""
    rows = [{"编号": f"#{i.id}", "状态": i.state_label, "项目": i.project_name, "事项": i.item, "责任单位": i.unit_name,
             "整改要求": i.requirement, "期限": i.deadline.isoformat(), "到期": i.due_text(today),
             "整改措施": i.measures, "整改结果": i.result, "核验意见": i.note, "提出人": i.created_by,
             "来源": R.SOURCES.get(i.source, i.source)} for i in items]
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def with_rectifications(df: pd.DataFrame, items: Sequence[RectItem], today: date) -> pd.DataFrame:
    """The risk list with a 整改 column after 事项: the open items of each row's matter (and of its
    project as a whole), one per line."""
    out = df.copy()
    if out.empty:
        out[RECT_COLUMN] = pd.Series(dtype=object)
        return _after_matter(out)
    by_key: dict[tuple, list[str]] = {}
    for i in items:
        if i.is_open:
            key = (i.project_id, i.indicator_id) if i.target != "project" else (i.project_id, "project")
            by_key.setdefault(key, []).append(item_line(i, today))
    cells = []
    for pid, iid in zip(out["_project_id"], out["_indicator_id"]):
        pid = int(pid)
        own = (pid, None if iid is None or iid != iid else int(iid))
        cells.append("\n".join(by_key.get(own, []) + by_key.get((pid, "project"), [])))
    out[RECT_COLUMN] = cells
    return _after_matter(out)


def _after_matter(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c != RECT_COLUMN]
    at = cols.index("事项") + 1 if "事项" in cols else len(cols)
    return df[[*cols[:at], RECT_COLUMN, *cols[at:]]]


__all__ = ["RAISE_FOR", "RECT_COLUMN", "ITEM_COLUMNS", "Matter", "matters", "item_line", "items_frame",
           "with_rectifications"]
