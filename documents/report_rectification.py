"""The 整改 part of the 监控报告 draft: the items raised so far and where each open one stands.

Pure: takes the items (``data_access.rectification.RectItem`` has the fields of :class:`ReportItem`)
and writes into a ``documents.report_parts.Doc``; ``documents.report_docx`` calls it at the end of
五、纠偏措施 when it is given items: a paragraph led by 整改事项跟踪情况 (the section has no sub-headings).

Definitions chosen here: the paragraph counts every item of the year (raised, closed, open, overdue,
waiting for verification); the table lists the open ones, overdue first, then by deadline, with the
unit's latest answer; "overdue" is counted on ``today`` (the day the draft is made), since an open item
is followed up now, whatever the as-of date of the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from documents.report_parts import Doc
from domain import rectification as R

LEAD = "整改事项跟踪情况："
COLUMNS = ["项目", "事项", "责任单位", "整改要求", "期限", "状态", "单位反馈"]


class ReportItem(Protocol):
    @property
    def project_name(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def unit_name(self) -> str: ...
    @property
    def requirement(self) -> str: ...
    @property
    def deadline(self) -> date: ...
    @property
    def state(self) -> str: ...
    @property
    def measures(self) -> str: ...
    @property
    def result(self) -> str: ...


def rectification_section(doc: Doc, items: Sequence[ReportItem], today: date) -> None:
    """One paragraph led by :data:`LEAD` with the counts, then the table of open items (see the module
    docstring)."""
    if not items:
        doc.para(runs=[(LEAD, "000000"), ("本年度尚未提出整改事项。", None)])
        return
    open_items = [i for i in items if R.is_open(i.state)]
    overdue = [i for i in open_items if R.overdue_days(i.deadline, i.state, today)]
    waiting = [i for i in open_items if i.state == R.ANSWERED]
    text = (f"本年度共提出整改事项{len(items)}项，已销号{len(items) - len(open_items)}项，未销号{len(open_items)}项"
            + (f"（其中逾期{len(overdue)}项、待核验{len(waiting)}项）" if open_items else "") + "。"
            + ("未销号事项如下，请责任单位按期落实并反馈，逾期事项列为下期监控重点。" if open_items else ""))
    doc.para(runs=[(LEAD, "000000"), (text, None)])
    if not open_items:
        return
    ordered = sorted(open_items, key=lambda i: (not R.overdue_days(i.deadline, i.state, today), i.deadline))
    rows = []
    for i in ordered:
        due = R.due_text(i.deadline, i.state, today)
        answer = "；".join(x for x in (i.measures.strip(), i.result.strip()) if x) or "尚未反馈"
        rows.append([i.project_name, i.item, i.unit_name, i.requirement, f"{i.deadline.isoformat()}（{due}）",
                     R.STATE_LABELS.get(i.state, i.state), answer])
    doc.table(COLUMNS, rows, [2.6, 2.0, 1.8, 3.4, 2.2, 1.4, 3.0])


__all__ = ["LEAD", "COLUMNS", "ReportItem", "rectification_section"]
