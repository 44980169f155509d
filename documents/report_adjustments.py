"""The adjustments in the 监控报告: the budget adjustments (in 二、预算执行情况) and the target adjustments
(in 三、绩效目标完成情况), each with its table; a target adjusted while the indicator was red or amber is
flagged for review (docs/rules.md §3.4, §4.10). Pure, like ``documents.report_docx``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.monitoring_texts import day_text
from documents.report_language import colour
from documents.report_parts import STATUS_RGB, Doc
from domain.adjustments import ADD, CUT, SHIFT, changes_until
from domain.status import AMBER, RED


def budget_adjustments(doc: Doc, results, meta: Mapping[Any, Mapping[str, Any]], as_of: date, year: int) -> None:
    """The paragraph (and table) on the budgets adjusted by ``as_of``."""
    rows, totals = [], {ADD: 0.0, CUT: 0.0, SHIFT: 0.0}
    initial = adjusted = 0.0
    projects = 0
    for r in results:
        done = changes_until(meta.get(r.project.id, {}).get("budget_changes") or (), as_of)
        if not done:
            continue
        projects += 1
        initial += r.project.original_budget_wan or 0.0
        adjusted += r.project.budget_wan or 0.0
        for c in done:
            totals[c.kind] = totals.get(c.kind, 0.0) + c.amount_wan
            rows.append([r.project.name, day_text(c.on), c.kind, c.fund, f"{c.amount_wan:+,.2f}",
                         c.document_no or "—", c.reason or "—"])
    if not projects:
        doc.para(f"截至{day_text(as_of)}，各项目未调整预算，执行率均按年初预算计算。")
        return
    parts = [f"追加{totals[ADD]:,.2f}万元" if totals[ADD] else "", f"调减{-totals[CUT]:,.2f}万元" if totals[CUT] else "",
             f"调剂净额{totals[SHIFT]:+,.2f}万元" if totals[SHIFT] else ""]
    net = adjusted - initial
    doc.para(f"年内有{projects}个项目调整了预算，年初预算合计{initial:,.2f}万元，调整后{adjusted:,.2f}万元，"
             f"净{'增加' if net >= 0 else '减少'}{abs(net):,.2f}万元（{'、'.join(p for p in parts if p)}）。"
             "上述项目的执行率均按调整后预算数计算，调整明细如下：")
    doc.table(["项目", "调整日期", "类型", "资金来源", "金额（万元）", "文号", "调整原因"], rows,
              [3.6, 2.4, 1.2, 1.8, 2.0, 2.6, 3.2])


def target_adjustments(doc: Doc, results, as_of: date, year: int) -> int:
    """The paragraph (and table) on the targets adjusted by ``as_of``; returns how many were adjusted while
    the indicator was red or amber."""
    rows, flagged = [], []
    for r in results:
        for st in r.indicators:
            c = st.indicator.target_change
            if c is None:
                continue
            prior = colour(c.prior_status) if c.prior_status else "—"
            rows.append([r.project.name, st.indicator.level3.strip(), c.original.raw.strip(),
                         st.indicator.target.raw.strip(), day_text(c.effective), c.reason or "—", c.approval or "—",
                         prior])
            if c.after_warning:
                flagged.append((r, st, c))
    if not rows:
        doc.para(f"截至{day_text(as_of)}，未调整绩效目标。")
        return 0
    doc.para(f"年内经批准调整年度指标值的绩效指标{len(rows)}项，监控按调整后的指标值评价，年初指标值保留备查：")
    doc.table(["项目", "指标", "年初指标值", "调整后指标值", "生效日期", "调整原因", "批准依据", "调整前监控结果"], rows,
              [3.0, 2.6, 1.8, 1.8, 2.2, 2.4, 2.4, 1.6])
    if flagged:
        names = "、".join(f"{r.project.name}「{st.indicator.level3.strip()}」" for r, st, _ in flagged)
        worst = RED if any(c.prior_status == RED for _, _, c in flagged) else AMBER
        doc.para(runs=[(f"需重点关注：{len(flagged)}项指标在调整前已为红色或黄色", STATUS_RGB[worst]),
                       (f"（{names}），请审核调整依据是否充分、程序是否完备，防止以调整目标代替纠偏。", None)])
    return len(flagged)


__all__ = ["budget_adjustments", "target_adjustments"]
