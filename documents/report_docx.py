"""监控报告 (.docx): the standard six sections filled with the numbers of the status results, written as
an official document (公文): the findings state facts in the report's words (``documents.report_language``:
no rule names of the engine, targets quoted), the layout and styles of a 公文 (``documents.report_parts``),
and the signature block at the end.

Pure: takes ``ProjectStatus`` results, the per-project metadata of
``data_access.exports.monitoring_inputs`` and optionally the department spending series
(``data_access.exports.department_spending_series``) or an already rendered chart PNG; no Streamlit,
no database. The chart is ``documents.charts.department_spending_chart`` rendered by vl-convert, the
same chart the overview page shows.

Each section has its writer below; the .docx building blocks and the department figures are in
``documents.report_parts``.

Sections: 一、基本情况 二、预算执行情况 (with the budget adjustments) 三、绩效目标完成情况 (with the target
adjustments, those approved while red or amber flagged) 四、偏差原因分析 五、纠偏措施 六、全年预计.
Department figures: budgets are the ones in force at the as-of date (调整后预算数); 执行率 = spending ÷
budget over the projects that reported spending; 计划进度 = budget-weighted expected progress of the
same projects (their own plans, 序时进度 without a plan).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from documents.charts import chart_png as render_png
from documents.charts import department_spending_chart
from documents.monitoring_texts import month_span
from documents.report_adjustments import budget_adjustments, target_adjustments
from documents.report_language import budget_finding, colour, indicator_finding
from documents.report_parts import HEADINGS as HEADINGS  # re-exported: tests check the section headings
from documents.report_parts import (
    STATUS_RGB,
    Doc,
    cn_number,
    count_statuses_of,
    counts_text,
    department_figures,
    fmt,
)
from documents.report_rectification import ReportItem, rectification_section
from documents.signature import Signature
from documents.xlsx_style import as_of_text
from domain.status import (
    AMBER,
    BLUE,
    IMPOSSIBLE,
    LIKELIHOODS,
    MISSING,
    POSSIBLE,
    REASON_CATEGORIES,
    RED,
    SEVERITY,
    STATUS_LABELS,
    STATUSES,
    ProjectStatus,
    normalise_level,
    normalise_likelihood,
)

Meta = Mapping[Any, Mapping[str, Any]]


def report_docx(
    results: Sequence[ProjectStatus],
    meta: Meta,
    as_of: date,
    department: str,
    *,
    year: int | None = None,
    series: pd.DataFrame | None = None,
    chart_png: bytes | None = None,
    floor_pct: float = 90.0,
    signature: Signature | None = None,
    rectifications: Sequence[ReportItem] | None = None,
    today: date | None = None,
) -> bytes:
    """The monitoring report as .docx bytes. ``series`` (department spending per quarter) adds its table
    and, unless ``chart_png`` is given, the chart rendered with vl-convert. ``signature``: the values of
    the closing signature block (default: the department as 填报单位, the rest blank). ``rectifications``
    (the year's 整改 items) add their follow-up at the end of 五 (``documents.report_rectification``),
    overdue counted on ``today`` (default: the as-of date)."""
    y = year or as_of.year
    span = month_span(as_of)
    doc = Doc()
    doc.title(f"{department}{y}年{span}项目支出绩效运行监控报告")
    fig = department_figures(results, as_of, y)
    inds = [st for r in results for st in r.indicators]
    _basic(doc, results, meta, as_of, department, y, fig, inds)
    bcounts, slow = _budget(doc, results, meta, as_of, fig, series, chart_png, y, floor_pct)
    icounts = _goals(doc, results, inds)
    adjusted_red = target_adjustments(doc, results, as_of, y)
    flagged = _deviations(doc, results, meta, as_of, y, slow, floor_pct)
    _missing(doc, results)
    _measures(doc, results, flagged, bcounts, icounts, adjusted_red)
    if rectifications is not None:
        rectification_section(doc, rectifications, today or as_of)
    _projection(doc, results, fig, inds, floor_pct)
    doc.signature((signature or Signature()).with_unit(department))
    return doc.bytes()


def _basic(doc: Doc, results, meta: Meta, as_of: date, department: str, y: int, fig, inds) -> None:
    """一、基本情况."""
    doc.heading(HEADINGS[0])
    n = len(results)
    span = month_span(as_of)
    units = {(meta.get(r.project.id, {}).get("unit") or r.project.unit) for r in results} - {""}
    areas = {r.project.area for r in results} - {""}
    l1 = Counter(normalise_level(st.indicator.level1) for st in inds)
    l1_text = "、".join(f"{k}指标{v}项" for k, v in l1.items() if k)
    budget = f"预算总额{fig['budget_total']:,.2f}万元"
    if abs(fig["budget_total"] - fig["initial_total"]) > 0.005:
        budget = f"年初预算{fig['initial_total']:,.2f}万元，调整后预算总额{fig['budget_total']:,.2f}万元"
    doc.para(
        f"{y}年，{department}纳入绩效运行监控的项目支出共{n}个，{budget}，涉及"
        f"{len(units)}个责任单位、{len(areas)}个领域，设置绩效指标{len(inds)}项" + (f"（{l1_text}）" if l1_text else "") + "。"
        f"本次监控时点为{as_of_text(as_of)[2:]}（{y}年{span}），序时进度{fig['time_pct']:.1f}%。按照预算执行进度和绩效目标"
        "实现程度“双监控”的要求，对照各项目资金支出计划和年度绩效目标逐项分析，监控结果分为红色（严重偏离）、黄色（一般偏离）、"
        "绿色（正常）、蓝色（超额完成）、灰色（未到评价时点）和未填报六类。"
    )


def _budget(doc: Doc, results, meta: Meta, as_of: date, fig, series, chart_png, year: int, floor_pct: float):
    """二、预算执行情况: the figures, the quarterly table and chart, the budget adjustments, the red/amber
    projects. Returns (budget status counts, the red/amber projects)."""
    doc.heading(HEADINGS[1])
    n = len(results)
    bcounts = count_statuses_of(r.budget.status for r in results)
    ratio = fig["execution_pct"] / fig["plan_pct"] * 100 if fig["execution_pct"] is not None and fig["plan_pct"] else None
    text = (f"截至{as_of_text(as_of)[2:]}，{fig['reported']}个项目填报了支出（未填报{n - fig['reported']}个），累计支出"
            f"{fig['spent']:,.2f}万元，执行率{fmt(fig['execution_pct'], '.1f', '%')}（按已填报项目调整后预算"
            f"{fig['reported_budget']:,.2f}万元计算）；按各项目资金支出计划，同期计划进度{fmt(fig['plan_pct'], '.1f', '%')}，"
            f"序时进度{fig['time_pct']:.1f}%。")
    if ratio is not None:
        text += f"执行率为计划进度的{ratio:.1f}%。"
    text += (f"全部项目同期计划支出{fig['planned_total']:,.2f}万元。从预算执行看，{counts_text(bcounts, '个')}。")
    doc.para(text)
    _spending_chart(doc, series, chart_png)
    budget_adjustments(doc, results, meta, as_of, year)
    slow = sorted((r for r in results if r.budget.status in (RED, AMBER)),
                  key=lambda r: (-SEVERITY[r.budget.status], -(r.project.budget_wan or 0.0)))
    if slow:
        doc.para("预算执行为红色、黄色的项目如下：")
        doc.table(["项目", "调整后预算（万元）", "累计支出（万元）", "执行率", "计划进度", "监控结果"],
                  [[r.project.name, fmt(r.project.budget_wan), fmt(r.project.spent_wan),
                    fmt(r.budget.execution_pct, ".1f", "%"), fmt(r.budget.expected_pct, ".1f", "%"),
                    colour(r.budget.status)] for r in slow],
                  [5.6, 2.4, 2.6, 2, 2, 1.4])
    return bcounts, slow


def _spending_chart(doc: Doc, series, chart_png) -> None:
    if series is not None and len(series):
        rows = [[str(p["label"]), pd.Timestamp(p["period_end"]).strftime("%Y-%m-%d"), fmt(p["planned_wan"]),
                 fmt(None if pd.isna(p["actual_wan"]) else p["actual_wan"]), f"{p['time_pct']:.1f}%",
                 f"{int(p['reported'])}/{int(p['projects'])}"] for _, p in series.iterrows()]
        doc.table(["季度", "截至", "计划累计支出（万元）", "实际累计支出（万元）", "序时进度", "填报项目"], rows,
                  [2.2, 2.6, 3.4, 3.4, 2.2, 2.2])
        png = chart_png
        if png is None:
            try:
                png = render_png(department_spending_chart(series))
            except Exception as e:  # noqa: BLE001 - the report is still useful without the picture
                doc.para(f"（部门累计支出图生成失败：{e}）")
        if png:
            doc.picture(png, "图1  部门累计支出：计划与实际（万元）")
    elif chart_png:
        doc.picture(chart_png, "图1  部门累计支出：计划与实际（万元）")


def _goals(doc: Doc, results, inds) -> dict[str, int]:
    """三、绩效目标完成情况. Returns the indicator status counts."""
    doc.heading(HEADINGS[2])
    n = len(results)
    pcounts = count_statuses_of(r.status for r in results)
    icounts = count_statuses_of(st.status for st in inds)
    doc.para(f"从绩效目标完成情况看，{n}个项目中{counts_text(pcounts, '个')}（项目监控结果取预算执行和各项绩效指标中"
             f"偏离程度最大者）；{len(inds)}项绩效指标中{counts_text(icounts, '项')}。")
    if icounts[BLUE]:
        doc.para(f"蓝色（超额完成）指标{icounts[BLUE]}项，需说明超额原因，并评估年度目标设置是否偏低。")
    by_l1: dict[str, dict[str, int]] = {}
    for st in inds:
        k = normalise_level(st.indicator.level1) or "（未分类）"
        by_l1.setdefault(k, dict.fromkeys(STATUSES, 0))[st.status] += 1
    if by_l1:
        doc.table(["一级指标", *[STATUS_LABELS[s] for s in STATUSES], "合计"],
                  [[k, *[v[s] for s in STATUSES], sum(v.values())] for k, v in by_l1.items()],
                  [3.2, *[1.7] * len(STATUSES), 1.8])
    return icounts


def _deviations(doc: Doc, results, meta: Meta, as_of: date, year: int, slow, floor_pct: float) -> list:
    """四、偏差原因分析: the tally of reasons, then each project with red/amber items (and indicators whose
    target was adjusted while red or amber, whatever their colour now). Returns the flagged (project,
    those indicators) pairs, worst first."""
    doc.heading(HEADINGS[3])
    flagged = [(r, [st for st in r.indicators if st.status in (RED, AMBER) or st.adjusted_after_warning])
               for r in results]
    flagged = [(r, sts) for r, sts in flagged if sts or r.budget.status in (RED, AMBER)]
    flagged.sort(key=lambda x: (-SEVERITY[x[0].status], -(x[0].project.budget_wan or 0.0), x[0].project.name))
    tally = Counter(c for _, sts in flagged for st in sts for c in st.indicator.reasons)
    n_red = sum(1 for _, sts in flagged for st in sts if st.status == RED)
    n_amber = sum(1 for _, sts in flagged for st in sts if st.status == AMBER)
    if not flagged:
        doc.para("本期没有红色、黄色的预算执行或绩效指标。")
        return flagged
    tally_text = "、".join(f"{c}{tally[c]}项" for c in REASON_CATEGORIES if tally.get(c))
    others = [c for c in tally if c not in REASON_CATEGORIES]
    if others:
        tally_text += "、" + "、".join(f"{c}{tally[c]}项" for c in others)
    doc.para(f"本期红色指标{n_red}项、黄色指标{n_amber}项，预算执行为红色、黄色的项目{len(slow)}个，涉及{len(flagged)}个项目。"
             + (f"从责任单位填报的偏差原因看，{tally_text}。" if tally_text else "责任单位尚未填报偏差原因。")
             + "分项目情况如下：")
    year_end = as_of >= date(year, 12, 31)
    for i, (r, sts) in enumerate(flagged, start=1):
        m = meta.get(r.project.id, {})
        unit = m.get("unit") or r.project.unit
        doc.heading(f"（{cn_number(i)}）{r.project.name}（{unit}，监控结果为{colour(r.status)}）", 2)
        if r.budget.status in (RED, AMBER):
            expl = (m.get("budget_explanation") or "").strip().rstrip("。")
            doc.para(runs=[(f"预算执行（{colour(r.budget.status)}）：", STATUS_RGB[r.budget.status]),
                           (budget_finding(r.project, r.budget, as_of, year, floor_pct)
                            + (f"单位说明：{expl}。" if expl else "单位未填报说明。"), None)])
        for st in sts:
            c = st.indicator.target_change
            prior = f"，目标调整前为{colour(c.prior_status)}" if c is not None and c.after_warning and c.prior_status else ""
            doc.para(runs=[(f"「{st.indicator.level3.strip()}」（{colour(st.status)}{prior}）：", STATUS_RGB[st.status]),
                           (_deviation_detail(st, as_of, year, year_end), None)])
    return flagged


def _deviation_detail(st, as_of: date, year: int, year_end: bool) -> str:
    ind = st.indicator
    detail = indicator_finding(st, as_of, year, year_end)
    if ind.reasons:
        detail += f"偏差原因：{'、'.join(ind.reasons)}。"
    if ind.explanation:
        detail += f"单位说明：{ind.explanation.strip().rstrip('。')}。"
    if not ind.reasons and not ind.explanation:
        detail += "偏差原因未填报。"
    return detail


def _missing(doc: Doc, results) -> None:
    """The closing paragraph of section 四: projects with data due and not entered."""
    missing_p = [r for r in results if r.budget.status == MISSING or any(st.status == MISSING for st in r.indicators)]
    if missing_p:
        items = "、".join(
            f"{r.project.name}（" + "、".join(
                x for x in (("支出" if r.budget.status == MISSING else ""),
                            (f"指标{sum(1 for st in r.indicators if st.status == MISSING)}项"
                             if any(st.status == MISSING for st in r.indicators) else "")) if x) + "）"
            for r in missing_p)
        doc.para(runs=[("未按期填报：", STATUS_RGB[MISSING]),
                       (f"{len(missing_p)}个项目有应填未填的数据：{items}。请督促责任单位补报。", None)])


def _measures(doc: Doc, results, flagged, bcounts, icounts, adjusted_red: int = 0) -> None:
    """五、纠偏措施: the measures staff entered (flagged projects first), then standard advice."""
    doc.heading(HEADINGS[4])
    measures = []
    flagged_ids = {id(r) for r, _ in flagged}
    for r in [r for r, _ in flagged] + [r for r in results if id(r) not in flagged_ids]:
        seen: list[str] = []
        for st in r.indicators:
            m_text = (st.indicator.measures or "").strip()
            if m_text and m_text not in seen:
                seen.append(m_text)
        if seen:
            measures.append((r, seen))
    if measures:
        doc.para("各责任单位提出的纠偏措施如下：")
        for i, (r, ms) in enumerate(measures, start=1):
            doc.para(runs=[(f"{i}. {r.project.name}：", "000000"), ("；".join(ms) + "。", None)])
    else:
        doc.para("本期各项目未填报纠偏措施。")
    advice = []
    if bcounts[RED] or bcounts[AMBER]:
        advice.append(f"对预算执行为红色、黄色的{bcounts[RED] + bcounts[AMBER]}个项目，督促责任单位对照资金支出计划加快支付进度，"
                      "确因政策或项目实施变化无法支出的，及时按程序调整预算。")
    if icounts[RED] or icounts[AMBER]:
        advice.append(f"对红色、黄色的{icounts[RED] + icounts[AMBER]}项绩效指标，落实纠偏措施并在下一填报期跟踪成效。")
    if icounts[MISSING] or bcounts[MISSING]:
        advice.append("对未按期填报的项目，督促责任单位补报数据和说明。")
    if adjusted_red:
        advice.append(f"对调整前已为红色、黄色的{adjusted_red}项绩效指标，审核目标调整的依据和程序，防止以调整目标代替纠偏，"
                      "并在年度自评中如实说明。")
    for a in advice:
        doc.para(a)


def _projection(doc: Doc, results, fig, inds, floor_pct: float) -> None:
    """六、全年预计: projected spending, projects below the floor, 完成目标可能性, projects on track."""
    doc.heading(HEADINGS[5])
    n = len(results)
    text = (f"{fig['projected_n']}个项目填报了全年预计执行数，合计{fig['projected_total']:,.2f}万元，预计执行率"
            f"{fmt(fig['projected_pct'], '.1f', '%')}。") if fig["projected_n"] else "各项目尚未填报全年预计执行数。"
    low = [r for r in results if r.budget.projected_pct is not None and r.budget.projected_pct < floor_pct - 1e-9]
    if low:
        text += (f"预计执行率低于{floor_pct:g}%的项目{len(low)}个：" +
                 "、".join(f"{r.project.name}（{r.budget.projected_pct:.1f}%）" for r in low) + "，须说明原因。")
    doc.para(text)
    lk = Counter(normalise_likelihood(st.indicator.likelihood) for st in inds)
    proj_bad = [st for st in inds if st.projected_status in (RED, AMBER)]
    on_track = [r for r in results if not any(st.status in (RED, AMBER, MISSING) or st.projected_status in (RED, AMBER)
                                              for st in r.indicators)]
    doc.para(f"绩效指标完成目标可能性：确定能{lk.get(LIKELIHOODS[0], 0)}项、有可能{lk.get(POSSIBLE, 0)}项、"
             f"完全不可能{lk.get(IMPOSSIBLE, 0)}项、未填{lk.get(None, 0)}项；按全年预计完成值判断，预计未达年度目标的指标"
             f"{len(proj_bad)}项。预计能够全面完成年度绩效目标的项目{len(on_track)}个，占{len(on_track) / n * 100 if n else 0:.1f}%。")
    impossible = [(r, st) for r in results for st in r.indicators if normalise_likelihood(st.indicator.likelihood) == IMPOSSIBLE]
    if impossible:
        doc.para("填报“完全不可能”完成的指标：" + "、".join(f"{r.project.name}「{st.indicator.level3.strip()}」" for r, st in impossible)
                 + "。建议在年度自评中如实反映，确需调整绩效目标或预算的，按程序报批。")
