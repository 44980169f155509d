"""项目支出绩效自评表 preview as .xlsx bytes: a summary sheet and one sheet per project. The scoring
rules are in docs/rules.md §7.

Pure: takes ``domain.selfeval.SelfEvalResult`` objects (``self_evaluate``) and the per-project metadata
of ``data_access.exports.monitoring_inputs``; no Streamlit, no database.

Before the fiscal year ends every sheet says "预估（年度中期，按全年预计值测算）": the scores use the
projected year-end values where staff gave them. Each indicator row says what its score rests on
(计分依据: 实际 / 全年预计 / 估算 / 无数据); "估算" marks a qualitative judgement scored inside its
band (部分达成 70%, 未达成 30% of the weight by default; 达成 at full marks is not an estimate) or a
deadline not yet due scored from its projection. A preview with missing inputs shows
「不完整：…」 (what is missing) instead of a grade, and the consistency warnings are in its notes.

Layout of a project sheet (10 columns A–J): title, （YYYY年度）, the 预估 banner, 项目名称 / 主管部门 /
实施单位, the 年度预算执行 block (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | 计分说明;
全年预算数 is the budget in force at the as-of date, 年初预算数 the imported one, and 执行率 = 执行数 ÷
全年预算数), 年度总体目标 (预期目标 | 实际完成情况), the indicator table (一级 | 二级 | 三级 | 年度指标值 |
实际完成值 | 分值 | 得分 | 计分依据 | 评分说明 | 偏差原因分析及改进措施; 一级/二级 merged over runs; an adjusted
target shows its 年初 value below it), then 总分 and 等级, the notes (with the budget and target
adjustments) and the signature block (``documents.signature``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange

from documents.monitoring_texts import adjustment_notes, goals_text, input_value_text, remark_text
from documents.sheet_writer import SheetWriter, equal_runs, norm_level, project_workbook, row_height, text_lines
from documents.signature import Signature, write_signature
from documents.table_export import write_frame
from documents.xlsx_style import (
    CENTER,
    FONT_NAME,
    HEADER_FILL,
    LEFT_WRAP,
    MONEY_FORMAT,
    STATUS_COLOURS,
    as_of_text,
    setup_print,
    status_fill,
)
from domain.periods import is_year_end
from domain.selfeval import EFFECT, GROUPS, OUTPUT, SATISFACTION, SelfEvalItem, SelfEvalResult
from domain.status import ProjectStatus

TITLE = "项目支出绩效自评表"
ESTIMATE_BANNER = "预估（年度中期，按全年预计值测算）"
ESTIMATED = "估算"
BASIS_WORDS = {"actual": "实际", "projected": "全年预计", None: "无数据"}
GRADE_STATUS = {"优": "green", "良": "blue", "中": "amber", "差": "red"}
GROUP_LABELS = {OUTPUT: "产出指标", EFFECT: "效益指标", SATISFACTION: "满意度指标"}
WIDTHS = [10, 12, 24, 14, 16, 8, 8, 12, 36, 34]
SCORE_FORMAT = "0.00"
RATE_FORMAT = "0.0%"
SUMMARY_SHEET = "汇总"

_TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_SUB_FONT = Font(name=FONT_NAME, size=12)
_BANNER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="C00000")
_LABEL_FONT = Font(name=FONT_NAME, size=11, bold=True)
_BODY_FONT = Font(name=FONT_NAME, size=10.5)
_NOTE_FONT = Font(name=FONT_NAME, size=9.5, color="404040")
_EST_FONT = Font(name=FONT_NAME, size=10.5, bold=True, color="9C5700")
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_GRADE_FONTS = {g: Font(name=FONT_NAME, size=12, bold=True, color=STATUS_COLOURS[s][1]) for g, s in GRADE_STATUS.items()}
_GRADE_FILLS = {g: status_fill(s) for g, s in GRADE_STATUS.items()}


def basis_text(item: SelfEvalItem) -> str:
    """计分依据: '实际' / '全年预计' / '估算' / '估算（全年预计）' / '无数据'."""
    word = BASIS_WORDS.get(item.basis, "无数据")
    if item.estimated:
        return ESTIMATED if item.basis in ("actual", None) else f"{ESTIMATED}（{word}）"
    return word


def achieved_text(item: SelfEvalItem) -> str:
    """The value the score rests on (the projection during the year when given)."""
    if item.basis == "projected":
        return input_value_text(item.indicator, projected=True)
    if item.basis == "actual":
        return input_value_text(item.indicator) or input_value_text(item.indicator, projected=True)
    return ""


def verdict_line(ev: SelfEvalResult, in_year: bool) -> str:
    """One line for a page: '预估总分94.30分，等级：优（预估）' or the 不完整 sentence instead of a grade."""
    word = "预估总分" if in_year else "总分"
    if ev.incomplete:
        return f"{word}{ev.total:.2f}分；{ev.incomplete}（补齐后才给出等级）"
    return f"{word}{ev.total:.2f}分，等级：{ev.grade}" + ("（预估）" if in_year else "")


def _span_width(a: int, b: int) -> float:
    return float(sum(WIDTHS[a - 1:b]))


def achievement_summary(ev: SelfEvalResult) -> str:
    """实际完成情况 of the overall goal, from the scores."""
    n = len(ev.items)
    if not n:
        return "未设绩效指标。"
    full = sum(1 for i in ev.items if i.score >= i.weight - 1e-6)
    short = [i for i in ev.items if i.score < i.weight - 1e-6]
    groups = "，".join(f"{GROUP_LABELS[g]}{ev.group_scores[g]:.2f}/{ev.group_weights[g]:.0f}分"
                      for g in GROUPS if ev.group_weights.get(g))
    text = f"{n}项绩效指标中{full}项得满分；{groups}。"
    if short:
        names = "、".join(f"「{i.indicator.level3.strip()}」" for i in short[:6]) + ("等" if len(short) > 6 else "")
        text += f"未得满分：{names}。"
    return text


def write_selfeval_sheet(ws, ev: SelfEvalResult, meta: Mapping[str, Any], as_of: date, department: str,
                         year: int, styles: dict | None = None, signature: Signature | None = None,
                         result: ProjectStatus | None = None) -> None:
    """One project's sheet. ``result``: its status result, for the notes on adjustments."""
    s = SheetWriter(ws, styles if styles is not None else {})
    in_year = not is_year_end(as_of, year)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    _title_block(s, ev, meta, as_of, department, year, in_year)
    _budget_block(s, ev)
    _goal_block(s, ev, meta, in_year)
    row = _indicator_rows(s, ev, in_year)
    extra = adjustment_notes(result, meta, as_of) if result is not None else []
    row = _total_and_notes(s, ev, row, in_year, extra)
    write_signature(ws, row + 1, len(WIDTHS), (signature or Signature()).with_unit(department), s.cache)
    setup_print(ws, title_rows="10:10")
    ws.freeze_panes = "A11"
    ws.sheet_view.zoomScale = 90
    ws.sheet_properties.tabColor = STATUS_COLOURS[GRADE_STATUS.get(ev.verdict, "grey")][1]


def _title_block(s: SheetWriter, ev: SelfEvalResult, meta: Mapping[str, Any], as_of: date, department: str,
                 year: int, in_year: bool) -> None:
    """Rows 1–5: title, （YYYY年度）, the 预估 banner, 项目名称 / 主管部门 / 实施单位."""
    ws, p = s.ws, ev.project
    s.put("A1:J1", TITLE, font=_TITLE_FONT, border=False)
    s.put("A2:J2", f"（{year}年度）", font=_SUB_FONT, border=False)
    if in_year:
        banner = (f"{ESTIMATE_BANNER}：依据{as_of_text(as_of)}的填报数据，已填全年预计值的按全年预计值计分；"
                  f"标“{ESTIMATED}”的得分为定性档位内取值或按全年预计推算，仅供参考。")
    else:
        banner = f"{as_of_text(as_of)}；标“{ESTIMATED}”的得分为定性档位内取值。"
    s.put("A3:J3", banner, font=_BANNER_FONT if in_year else _NOTE_FONT, align=LEFT_WRAP, border=False)
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[3].height = row_height(text_lines(banner, _span_width(1, 10)), 15, 18)

    s.put("A4:B4", "项目名称", font=_LABEL_FONT)
    s.put("C4:J4", p.name, align=LEFT_WRAP)
    s.put("A5:B5", "主管部门", font=_LABEL_FONT)
    s.put("C5:E5", meta.get("department") or department, align=LEFT_WRAP)
    s.put("F5:G5", "实施单位", font=_LABEL_FONT)
    s.put("H5:J5", meta.get("unit") or p.unit, align=LEFT_WRAP)


def _budget_block(s: SheetWriter, ev: SelfEvalResult) -> None:
    """Rows 6–7: 年度预算执行 with its score."""
    ws, p = s.ws, ev.project
    spent_word = "全年预计执行数" if ev.budget_basis == "projected" else "全年执行数"
    for ref, text in [("A6:B6", "项目资金（万元）"), ("C6", "年初预算数"), ("D6", "全年预算数"), ("E6", spent_word),
                      ("F6", "分值"), ("G6", "执行率"), ("H6", "得分"), ("I6:J6", "计分说明")]:
        s.put(ref, text, font=_LABEL_FONT, fill=HEADER_FILL)
    used = p.projected_spent_wan if ev.budget_basis == "projected" else p.spent_wan if ev.budget_basis == "actual" else None
    s.put("A7:B7", "年度资金总额")
    s.put("C7", p.original_budget_wan, fmt=MONEY_FORMAT)
    s.put("D7", p.budget_wan, fmt=MONEY_FORMAT)  # 全年预算数: the budget in force (调整后)
    s.put("E7", used, fmt=MONEY_FORMAT)
    s.put("F7", ev.budget_weight, fmt="0")
    s.put("G7", None if ev.execution_pct is None else ev.execution_pct / 100.0, fmt=RATE_FORMAT)
    s.put("H7", round(ev.budget_score, 2), fmt=SCORE_FORMAT)
    s.put("I7:J7", ev.budget_note, align=LEFT_WRAP)
    ws.row_dimensions[6].height = 22
    ws.row_dimensions[7].height = row_height(text_lines(ev.budget_note, _span_width(9, 10)))


def _goal_block(s: SheetWriter, ev: SelfEvalResult, meta: Mapping[str, Any], in_year: bool) -> None:
    """Rows 8–9: 年度总体目标, 预期目标 | (全年预计) 实际完成情况."""
    ws = s.ws
    goals = goals_text(meta.get("goals") or [])
    done = achievement_summary(ev)
    s.put("A8:B9", "年度\n总体目标", font=_LABEL_FONT)
    s.put("C8:F8", "预期目标", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("G8:J8", "全年预计完成情况" if in_year else "实际完成情况", font=_LABEL_FONT, fill=HEADER_FILL)
    s.put("C9:F9", goals, align=_LEFT_TOP)
    s.put("G9:J9", done, align=_LEFT_TOP)
    ws.row_dimensions[9].height = row_height(max(text_lines(goals, _span_width(3, 6)), text_lines(done, _span_width(7, 10))))


def _indicator_rows(s: SheetWriter, ev: SelfEvalResult, in_year: bool) -> int:
    """Row 10 (header) and one row per indicator, 一级/二级 merged over runs; returns the next row."""
    ws, L = s.ws, get_column_letter
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值（全年预计）" if in_year else "实际完成值",
            "分值", "得分", "计分依据", "评分说明", "偏差原因分析及改进措施"]
    for i, text in enumerate(head, start=1):
        s.put(f"{L(i)}10", text, font=_LABEL_FONT, fill=HEADER_FILL)
    ws.row_dimensions[10].height = 32
    first = 11
    for k, item in enumerate(ev.items):
        row = first + k
        ind = item.indicator
        reasons = "、".join(ind.reasons)
        deviation = "\n".join(x for x in (f"偏差原因：{reasons}" if reasons else "", remark_text(ind)) if x)
        target = ind.target.raw.strip()
        if ind.target_change is not None:
            target += f"\n（年初{ind.target_change.original.raw.strip()}）"
        values = [ind.level1.strip(), ind.level2.strip(), ind.level3.strip(), target, achieved_text(item)]
        for ci, v in enumerate(values, start=1):
            s.put(f"{L(ci)}{row}", v, align=LEFT_WRAP if ci == 3 else CENTER)
        s.put(f"F{row}", round(item.weight, 2), fmt=SCORE_FORMAT)
        s.put(f"G{row}", round(item.score, 2), fmt=SCORE_FORMAT)
        s.put(f"H{row}", basis_text(item), font=_EST_FONT if item.estimated else _BODY_FONT)
        s.put(f"I{row}", item.note, align=LEFT_WRAP)
        s.put(f"J{row}", deviation, align=LEFT_WRAP)
        lines = max(text_lines(values[2], WIDTHS[2]), text_lines(item.note, WIDTHS[8]), text_lines(deviation, WIDTHS[9]))
        ws.row_dimensions[row].height = row_height(lines)
    k1 = [norm_level(i.indicator.level1) for i in ev.items]
    k2 = [(norm_level(i.indicator.level1), norm_level(i.indicator.level2)) for i in ev.items]
    for col, keys in (("A", k1), ("B", k2)):
        for a, b in equal_runs(keys):
            if b > a:
                ws.merged_cells.add(MergedCellRange(ws, f"{col}{first + a}:{col}{first + b}"))
    row = first + len(ev.items)
    if not ev.items:
        s.put(f"A{row}:J{row}", "（未设绩效指标）")
        row += 1
    return row


def _total_and_notes(s: SheetWriter, ev: SelfEvalResult, row: int, in_year: bool, extra: Sequence[str] = ()) -> int:
    """总分 and 自评等级, then the notes: the group scores, the scoring rules, the estimated items, the
    adjustments (``extra``); returns the row after them."""
    ws = s.ws
    total_weight = ev.budget_weight + sum(ev.group_weights.values())
    grade = ev.verdict + ("（预估）" if in_year and not ev.incomplete else "")
    s.put(f"A{row}:E{row}", "总分", font=_LABEL_FONT)
    s.put(f"F{row}", round(total_weight, 2), font=_LABEL_FONT, fmt="0")
    s.put(f"G{row}", ev.total, font=_LABEL_FONT, fmt=SCORE_FORMAT)
    s.put(f"H{row}", "自评等级", font=_LABEL_FONT)
    s.put(f"I{row}:J{row}", grade, font=_GRADE_FONTS.get(ev.verdict, _LABEL_FONT), fill=_GRADE_FILLS.get(ev.verdict),
          align=LEFT_WRAP if ev.incomplete else CENTER)
    ws.row_dimensions[row].height = 24
    groups = "；".join(f"{GROUP_LABELS[g]}{ev.group_scores[g]:.2f}分（分值{ev.group_weights[g]:.2f}）"
                      for g in GROUPS if ev.group_weights.get(g))
    notes = [f"其中：预算执行{ev.budget_score:.2f}分（分值{ev.budget_weight:g}）；{groups}。",
             "评分规则：预算执行率分值×min(执行率,100%)；定量指标达标得满分，未达标按实际/目标（反向指标按目标/实际）计分；"
             "定性指标按设置的达成/部分达成/未达成得分比例计分（达成满分以外为档位内估算）；期限未到的时效指标按全年预计估算。"
             "等级：优≥90，良80–89，中60–79，差<60；有未填报的输入时不评等级，标“不完整”。"]
    if ev.weights_note:
        notes.append(f"权重：{ev.weights_note}。")
    if ev.incomplete:
        notes.append(f"{ev.incomplete}：补齐后才能给出等级。")
    notes.extend(f"数据疑点：{w}。" for w in ev.warnings)
    n_est = sum(1 for i in ev.items if i.estimated)
    if n_est:
        notes.append(f"本表有{n_est}项指标的得分为{ESTIMATED}。")
    notes.extend(extra)
    row += 2
    for text in notes:
        s.put(f"A{row}:J{row}", text, font=_NOTE_FONT, align=_LEFT_TOP, border=False)
        ws.row_dimensions[row].height = row_height(text_lines(text, _span_width(1, 10)), 13, 16)
        row += 1
    return row


def summary_frame(evals: Sequence[SelfEvalResult], meta: Mapping[Any, Mapping[str, Any]], year: int,
                  as_of: date) -> pd.DataFrame:
    in_year = not is_year_end(as_of, year)
    rows = []
    for i, ev in enumerate(evals, start=1):
        p = ev.project
        m = meta.get(p.id, {})
        used = p.projected_spent_wan if ev.budget_basis == "projected" else p.spent_wan if ev.budget_basis == "actual" else None
        rows.append({
            "_status": GRADE_STATUS.get(ev.verdict),
            "序号": i, "项目名称": p.name, "实施单位": m.get("unit") or p.unit,
            "年初预算数（万元）": round(p.original_budget_wan or 0.0, 2),
            "全年预算数（万元）": round(p.budget_wan or 0.0, 2),
            ("全年预计执行数（万元）" if in_year else "全年执行数（万元）"): None if used is None else round(used, 2),
            "执行率%": None if ev.execution_pct is None else round(ev.execution_pct, 1),
            "预算执行得分": round(ev.budget_score, 2),
            "产出指标得分": round(ev.group_scores.get(OUTPUT, 0.0), 2),
            "效益指标得分": round(ev.group_scores.get(EFFECT, 0.0), 2),
            "满意度指标得分": round(ev.group_scores.get(SATISFACTION, 0.0), 2),
            "总分": ev.total,
            "等级": ev.verdict,
            "估算项数": sum(1 for it in ev.items if it.estimated),
            "说明": "；".join(x for x in (ESTIMATE_BANNER if in_year else ("含估算得分" if ev.estimated else ""),
                                          *(f"数据疑点：{w}" for w in ev.warnings)) if x),
        })
    cols = ["_status", "序号", "项目名称", "实施单位", "年初预算数（万元）", "全年预算数（万元）",
            "全年预计执行数（万元）" if in_year else "全年执行数（万元）", "执行率%", "预算执行得分", "产出指标得分",
            "效益指标得分", "满意度指标得分", "总分", "等级", "估算项数", "说明"]
    return pd.DataFrame(rows, columns=cols)


def selfeval_workbook(
    evals: Sequence[SelfEvalResult],
    meta: Mapping[Any, Mapping[str, Any]],
    as_of: date,
    department: str,
    *,
    year: int | None = None,
    summary: bool | None = None,
    signature: Signature | None = None,
    results: Sequence[ProjectStatus] = (),
) -> bytes:
    """Self-evaluation preview: a summary sheet (default when more than one project) and one sheet per
    project in the order given, each with the signature block. ``results``: the status results of the same
    projects (their adjusted targets are noted on each sheet)."""
    y = year or as_of.year
    in_year = not is_year_end(as_of, y)
    sub = f"主管部门：{department}；{as_of_text(as_of)}；项目{len(evals)}个"
    if in_year:
        sub = f"{ESTIMATE_BANNER}；" + sub
    sig = (signature or Signature()).with_unit(department)
    by_id = {r.project.id: r for r in results}

    def write_summary(ws) -> None:
        df = summary_frame(evals, meta, y, as_of)
        header = write_frame(ws, df, title=f"{TITLE}（汇总，{y}年度）", subtitle=sub,
                             status_column_map={"等级": "_status"})
        write_signature(ws, header + len(df) + 2, len([c for c in df.columns if not c.startswith("_")]), sig)

    return project_workbook(
        evals,
        summary=summary,
        write_summary=write_summary,
        write_item=lambda ws, ev, styles: write_selfeval_sheet(ws, ev, meta.get(ev.project.id, {}), as_of,
                                                               department, y, styles, sig, by_id.get(ev.project.id)),
    )
