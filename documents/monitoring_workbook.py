"""项目支出绩效目标执行监控表 (the form of 财预〔2019〕136号): one sheet per project plus a summary sheet,
as .xlsx bytes. The statuses and reasons it prints follow docs/rules.md.

Pure: takes evaluated ``ProjectStatus`` results and a dict of per-project metadata (see
``data_access.exports.monitoring_inputs``); no Streamlit, no database.

Layout of a project sheet (15 columns A–O, the official form):

* rows 1–2: title 项目支出绩效目标执行监控表 and （YYYY年1-X月）; X is the as-of month;
* rows 3–4: 项目名称 / 主管部门 / 实施单位;
* rows 5–8: 项目资金（万元） block: 年初预算数 | 调整后预算数 | 1-X月执行数 | 1-X月执行率 | 全年预计执行数,
  rows 年度资金总额 / 其中：财政资金 / 其他资金;
* rows 9–10: 年度总体目标: 预期目标 | 全年预计完成情况;
* rows 11–12: indicator header, two rows: 偏差原因分析 over 经费保障 … 其他, 完成目标可能性 over
  确定能 / 有可能 / 完全不可能;
* one row per indicator; 一级/二级指标 merged over runs of equal values; √ in the ticked columns;
  备注 = the staff's 说明 and 纠偏措施; 年度指标值 is the target in force, with the 年初 value below it
  when it was adjusted;
* notes below the table (the budget and target adjustments in force, with their reasons);
* the signature block (填报单位 / 填报人 / 审核人 / 联系电话 / 日期, ``documents.signature``), also under the
  summary sheet.

Modules: ``monitoring_sheet`` writes a project sheet, ``monitoring_texts`` holds the texts the official
documents share, ``sheet_writer`` the sheet building blocks and the workbook builder; this module adds
the summary sheet and puts the workbook together.

Choices: 年初预算数 is the imported budget and its fund split; 调整后预算数 adds the budget adjustments
dated up to the as-of date (``meta["budget_changes"]``, per fund source; docs/rules.md §3.4), and the
执行率 is 执行数 ÷ 调整后预算数. Spending is recorded per project, not per fund source, so the
财政资金/其他资金 execution figures are the total split in proportion to the adjusted fund split; when
both sources are non-zero the sheet says so in a note (with a single source the split is exact).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

# re-exported: callers and tests import these from here
from documents.monitoring_sheet import TITLE, write_project_sheet
from documents.monitoring_texts import likelihood_ticks as likelihood_ticks
from documents.monitoring_texts import month_span
from documents.monitoring_texts import reason_ticks as reason_ticks
from documents.sheet_writer import project_workbook
from documents.signature import Signature, write_signature
from documents.table_export import write_frame
from documents.xlsx_style import as_of_span, as_of_text
from domain.review import APPROVED, review_mark
from domain.status import STATUS_LABELS, STATUSES, ProjectStatus


def summary_frame(results: Sequence[ProjectStatus], meta: Mapping[Any, Mapping[str, Any]], as_of: date) -> pd.DataFrame:
    """One row per project (the summary sheet): budget, spent, 执行率, plan, projection, budget status,
    indicator status counts, project status and its reason, and whether its figures are approved (审核:
    已审核 / 未审核); then a 合计 row."""
    span = month_span(as_of)
    rows: list[dict[str, Any]] = []
    tot_b = tot_i = tot_s = tot_rb = tot_p = 0.0
    any_p = False
    for i, r in enumerate(results, start=1):
        p = r.project
        m = meta.get(p.id, {})
        counts = r.indicator_counts()
        rows.append({
            "_status": r.status, "_budget_status": r.budget.status,
            "序号": i, "项目名称": p.name, "实施单位": m.get("unit") or p.unit,
            "年初预算数（万元）": round(p.original_budget_wan or 0.0, 2),
            "调整后预算数（万元）": round(p.budget_wan or 0.0, 2),
            f"{span}执行数（万元）": None if p.spent_wan is None else round(p.spent_wan, 2),
            f"{span}执行率%": None if r.budget.execution_pct is None else round(r.budget.execution_pct, 1),
            "计划进度%": None if r.budget.expected_pct is None else round(r.budget.expected_pct, 1),
            "全年预计执行数（万元）": None if p.projected_spent_wan is None else round(p.projected_spent_wan, 2),
            "预算状态": STATUS_LABELS[r.budget.status],
            **{f"指标{STATUS_LABELS[s]}": counts[s] for s in STATUSES},
            "项目状态": STATUS_LABELS[r.status],
            "原因": r.reason,
            "审核": review_mark(p.review),
        })
        tot_b += p.budget_wan or 0.0
        tot_i += p.original_budget_wan or 0.0
        if p.spent_wan is not None:
            tot_s += p.spent_wan
            tot_rb += p.budget_wan or 0.0
        if p.projected_spent_wan is not None:
            tot_p += p.projected_spent_wan
            any_p = True
    if rows:
        total_counts = {s: sum(row[f"指标{STATUS_LABELS[s]}"] for row in rows) for s in STATUSES}
        rows.append({
            "_status": None, "_budget_status": None, "序号": None, "项目名称": "合计", "实施单位": "",
            "年初预算数（万元）": round(tot_i, 2), "调整后预算数（万元）": round(tot_b, 2), f"{span}执行数（万元）": round(tot_s, 2),
            f"{span}执行率%": round(tot_s / tot_rb * 100, 1) if tot_rb else None, "计划进度%": None,
            "全年预计执行数（万元）": round(tot_p, 2) if any_p else None, "预算状态": "",
            **{f"指标{STATUS_LABELS[s]}": total_counts[s] for s in STATUSES},
            "项目状态": "", "原因": "执行率按已填报支出的项目计算",
            "审核": f"已审核{sum(1 for r in results if r.project.review == APPROVED)}个",
        })
    cols = ["_status", "_budget_status", "序号", "项目名称", "实施单位", "年初预算数（万元）", "调整后预算数（万元）",
            f"{span}执行数（万元）",
            f"{span}执行率%", "计划进度%", "全年预计执行数（万元）", "预算状态",
            *[f"指标{STATUS_LABELS[s]}" for s in STATUSES], "项目状态", "原因", "审核"]
    return pd.DataFrame(rows, columns=cols)


def monitoring_workbook(
    results: Sequence[ProjectStatus],
    meta: Mapping[Any, Mapping[str, Any]],
    as_of: date,
    department: str,
    *,
    summary: bool | None = None,
    signature: Signature | None = None,
) -> bytes:
    """The official monitoring table: a summary sheet (default when there is more than one project)
    and one sheet per project, in the order given. A single project = a list of one. ``signature``: the
    values of the signature block under every sheet (default: the department as 填报单位, the rest blank)."""
    sig = (signature or Signature()).with_unit(department)

    def write_summary(ws) -> None:
        df = summary_frame(results, meta, as_of)
        header = write_frame(ws, df, title=f"{TITLE}（汇总）",
                             subtitle=f"主管部门：{department}；{as_of_text(as_of)}（{as_of_span(as_of)}）；"
                                      f"项目{len(results)}个")
        write_signature(ws, header + len(df) + 2, len([c for c in df.columns if not c.startswith("_")]), sig)

    return project_workbook(
        results,
        summary=summary,
        write_summary=write_summary,
        write_item=lambda ws, r, styles: write_project_sheet(ws, r, meta.get(r.project.id, {}), as_of, department,
                                                             styles, sig),
    )
