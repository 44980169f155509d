"""Status engine: budget execution and indicator achievement, explanation rules and roll-ups.
Pure code, stdlib only; the one place where a colour is decided. The rules, their settings and
their sources are written out in docs/rules.md (§1–§6); keep the two in step.

Status words: 'red', 'amber', 'green', 'blue', 'grey', 'missing' (labels 红/黄/绿/蓝/灰/未填报).
Every result carries ``reason``: one line of Simplified Chinese with the numbers that produced it.

Definitions chosen here (the national regime leaves them open; docs/rules.md marks them "Choice"):

* **Data due.** An indicator's current value and a project's cumulative spending are *due* once
  the as-of date has reached the end of the first reporting period of the fiscal year (31 March
  with quarterly reporting, 31 January with monthly; ``Settings.reporting_period``). The caller
  passes the values entered for the as-of period (the latest entry up to the as-of date); ``None``
  means nothing was entered. Due and ``None`` -> 'missing'; not yet due and ``None`` -> 'grey'.
  Budget spending is only due when the expected cumulative progress is above 0. A deadline
  indicator's entry is due once its deadline is within ``deadline_amber_days`` (or passed).
* **Ratios are decided as displayed.** Band ratios (执行率/计划, 完成值/序时目标) are rounded to
  0.1 percentage point before they are compared, so the number in the reason always agrees with
  the colour ("60.0%" is never red).
* **Exact targets.** '=' counts are "reach it" (a floor), and an accumulating '=' count that has
  reached but not exceeded its annual value is green, not blue. '=' amounts and unit costs
  (万元, 元/个, 万元/块) are "stay at it": judged as a cap (not above the value). '=0' (e.g. 安全事故
  =0起) is a cap at zero.
* **Deadlines.** Done after the deadline -> amber (the work is done, the date was missed).
* **Qualitative.** '进行中' at year end -> red (not achieved).
* **Worst-of ordering.** grey < green = blue < amber < missing < red. When the current and the
  projected status tie at green/blue, blue is kept (it asks for an explanation).
* **Budget projection.** A 全年预计执行数 above the budget -> red; a projected year-end 执行率 below
  ``year_end_execution_floor`` makes the budget at best amber and needs a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Sequence

from domain.periods import (
    expected_cumulative_pct,
    first_due_date,
    format_day,
    time_progress,
)
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.targets import DEADLINE, NUMERIC, Target

# --------------------------------------------------------------------------- status words

RED, AMBER, GREEN, BLUE, GREY, MISSING = "red", "amber", "green", "blue", "grey", "missing"
STATUSES = (RED, MISSING, AMBER, GREEN, BLUE, GREY)  # display order, worst first
STATUS_LABELS = {RED: "红", AMBER: "黄", GREEN: "绿", BLUE: "蓝", GREY: "灰", MISSING: "未填报"}
SEVERITY = {GREY: 0, GREEN: 1, BLUE: 1, AMBER: 2, MISSING: 3, RED: 4}

# qualitative judgements and 完成目标可能性
ACHIEVED, PARTIAL, NOT_ACHIEVED, IN_PROGRESS = "达成", "部分达成", "未达成", "进行中"
JUDGEMENTS = (ACHIEVED, PARTIAL, NOT_ACHIEVED, IN_PROGRESS)
CERTAIN, POSSIBLE, IMPOSSIBLE = "确定能", "有可能", "完全不可能"
LIKELIHOODS = (CERTAIN, POSSIBLE, IMPOSSIBLE)
REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")

# indicator modes (how a status was judged); MODE_LABELS say it in the reason
ACCUMULATING, LEVEL, CAP, MODE_DEADLINE, QUALITATIVE_MODE = (
    "accumulating", "level", "cap", "deadline", "qualitative")
MODE_LABELS = {
    ACCUMULATING: "累计型按序时折算",
    LEVEL: "水平型直接判断",
    CAP: "上限型直接判断",
    MODE_DEADLINE: "时限型",
    QUALITATIVE_MODE: "定性",
}

_EPS = 1e-9


def worst(statuses: Iterable[str]) -> str:
    """The worst status (grey when empty). Ties between green and blue keep blue."""
    best = GREY
    sev = -1
    for s in statuses:
        v = SEVERITY[s]
        if v > sev or (v == sev and s == BLUE):
            best, sev = s, v
    return best


def _worse(a: str, b: str) -> str:
    sa, sb = SEVERITY[a], SEVERITY[b]
    if sa != sb:
        return a if sa > sb else b
    return BLUE if BLUE in (a, b) else a


# --------------------------------------------------------------------------- normalisation

_JUDGEMENT_WORDS = {
    "达成": ACHIEVED, "已达成": ACHIEVED, "完成": ACHIEVED, "已完成": ACHIEVED, "按时完成": ACHIEVED,
    "是": ACHIEVED, "符合": ACHIEVED, "达到": ACHIEVED, "已达到": ACHIEVED, "实现": ACHIEVED,
    "已实现": ACHIEVED, "全部完成": ACHIEVED, "全部达成": ACHIEVED, "完全达成": ACHIEVED,
    "部分达成": PARTIAL, "部分完成": PARTIAL, "基本达成": PARTIAL, "基本完成": PARTIAL,
    "基本符合": PARTIAL, "部分实现": PARTIAL, "基本实现": PARTIAL,
    "未达成": NOT_ACHIEVED, "未完成": NOT_ACHIEVED, "否": NOT_ACHIEVED, "不符合": NOT_ACHIEVED,
    "未达到": NOT_ACHIEVED, "未实现": NOT_ACHIEVED, "没有完成": NOT_ACHIEVED,
    "进行中": IN_PROGRESS, "推进中": IN_PROGRESS, "实施中": IN_PROGRESS, "正在实施": IN_PROGRESS,
    "正在进行": IN_PROGRESS, "开展中": IN_PROGRESS, "未开始": IN_PROGRESS, "尚未开始": IN_PROGRESS,
}
_LIKELIHOOD_WORDS = {
    "确定能": CERTAIN, "确定": CERTAIN, "能": CERTAIN, "肯定能": CERTAIN, "能完成": CERTAIN,
    "有可能": POSSIBLE, "可能": POSSIBLE, "可能能": POSSIBLE,
    "完全不可能": IMPOSSIBLE, "不可能": IMPOSSIBLE, "不能": IMPOSSIBLE,
}


@lru_cache(maxsize=512)
def normalise_judgement(text: str | None) -> str | None:
    """'已完成' -> '达成', '基本完成' -> '部分达成', '否' -> '未达成', '推进中' -> '进行中'.
    Unknown or empty text -> None."""
    if text is None:
        return None
    s = "".join(str(text).split())
    return _JUDGEMENT_WORDS.get(s)


@lru_cache(maxsize=64)
def normalise_likelihood(text: str | None) -> str | None:
    if text is None:
        return None
    s = "".join(str(text).split())
    return _LIKELIHOOD_WORDS.get(s)


@lru_cache(maxsize=256)
def normalise_level(text: str | None) -> str:
    """'  数量指标 ' -> '数量', '服务对象满意度指标' -> '服务对象满意度'."""
    s = "".join((text or "").split())
    if s.endswith("指标") and len(s) > 2:
        s = s[:-2]
    return s


def default_accumulates(level2: str | None, target: Target, settings: Settings = DEFAULT_SETTINGS) -> bool:
    """Default rule (docs/rules.md §4.2): 数量 and 效益 indicators (社会/经济/生态效益, 可持续影响) whose
    target is a count (人, 人次, 例, 所, 项 ... or a bare number) accumulate; rates, money,
    per-unit values, caps, deadlines and qualitative targets are levels."""
    if target.kind != NUMERIC or target.op not in (">=", ">", "="):
        return False
    unit = target.unit
    if unit is not None and (target.is_percent or target.is_money or target.is_per_unit
                             or unit not in settings.count_units):
        return False
    return normalise_level(level2) in settings.accumulate_level2


# --------------------------------------------------------------------------- number formats


def fmt_num(value: float, unit: str | None = None) -> str:
    """Percent with one decimal, 万元 with two, counts as integers, else up to two decimals."""
    u = unit or ""
    if u == "%":
        return f"{value:.1f}%"
    if "万元" in u:
        return f"{value:.2f}{u}"
    if value == int(value):
        return f"{int(value)}{u}"
    s = f"{value:.2f}".rstrip("0").rstrip(".")
    return s + u


def entered_text(ind: "IndicatorInput", projected: bool = False) -> str:
    """An entered value as text with its unit ('85人次', '95.0%', '达成', '2024-05-01完成'); '' if none."""
    value = ind.projected if projected else ind.actual
    judgement = ind.projected_judgement if projected else ind.actual_judgement
    if value is not None and value == value:  # NaN counts as not entered
        return fmt_num(value, ind.target.unit)
    if judgement:
        return judgement
    if not projected and ind.actual_date is not None:
        return f"{ind.actual_date.isoformat()}完成"
    return ""


def _band(x: float) -> str:
    return f"{x * 100:g}%"


# --------------------------------------------------------------------------- inputs


@dataclass(slots=True)
class PlanPoint:
    """One 资金支出计划 checkpoint: cumulative percent of the budget due by ``due``."""

    label: str
    due: date | None
    cumulative_pct: float | None


@dataclass(slots=True)
class IndicatorInput:
    """One indicator with what staff entered for the as-of period.

    ``actual``: 当前完成值 as a number (cumulative for accumulating indicators).
    ``actual_judgement``: 达成/部分达成/未达成/进行中 for qualitative targets (or a numeric
    indicator judged in words). ``actual_date``: completion date of a deadline indicator.
    ``projected``/``projected_judgement``: 全年预计完成值. ``accumulates``: None = default rule.
    """

    id: Any
    level1: str
    level2: str
    level3: str
    target: Target
    accumulates: bool | None = None
    actual: float | None = None
    actual_judgement: str | None = None
    actual_date: date | None = None
    projected: float | None = None
    projected_judgement: str | None = None
    likelihood: str | None = None
    reasons: tuple[str, ...] = ()
    explanation: str | None = None
    measures: str | None = None


@dataclass(slots=True)
class ProjectInput:
    id: Any
    name: str
    unit: str = ""
    area: str = ""
    budget_wan: float | None = None
    plan: list[PlanPoint] = field(default_factory=list)
    spent_wan: float | None = None  # cumulative actual spending at the as-of date
    projected_spent_wan: float | None = None  # 全年预计执行数
    indicators: list[IndicatorInput] = field(default_factory=list)


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class BudgetStatus:
    status: str
    reason: str
    execution_pct: float | None = None  # 执行率, percent of budget
    expected_pct: float | None = None  # expected cumulative progress, percent
    ratio: float | None = None  # execution / expected (share, rounded to 0.001)
    expected_source: str | None = None  # 'plan' | 'interpolated' | 'time'
    projected_pct: float | None = None  # 全年预计执行率, percent
    over_budget: bool = False
    needs_reason: bool = False  # amber/red, or (projected) year-end 执行率 below the floor

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(slots=True)
class IndicatorStatus:
    indicator: IndicatorInput
    status: str
    reason: str
    mode: str  # accumulating | level | cap | deadline | qualitative
    current_status: str
    projected_status: str | None = None
    ratio: float | None = None  # accumulating: actual / pro-rated target
    pro_rated_target: float | None = None
    overachieved: bool = False  # Hebei rule: > (1 + overachieve_margin) x annual target
    inconsistent: bool = False  # projected year-end below the cumulative value already reached
    must_explain: bool = False  # 偏差原因 + 说明 + 完成可能性
    needs_measures: bool = False  # 纠偏措施
    needs_note: bool = False  # 说明 for blue / over-achievement

    @property
    def id(self) -> Any:
        return self.indicator.id

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(slots=True)
class ProjectStatus:
    project: ProjectInput
    status: str
    reason: str
    budget: BudgetStatus
    indicators: list[IndicatorStatus]

    @property
    def id(self) -> Any:
        return self.project.id

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def indicator_counts(self) -> dict[str, int]:
        return count_statuses(i.status for i in self.indicators)


# --------------------------------------------------------------------------- context


class _Ctx:
    """Everything that depends only on (as_of, year, settings): computed once per evaluation."""

    __slots__ = (
        "as_of", "year", "settings", "share", "year_end", "due", "day", "first_due",
        "r_red", "r_green", "r_blue", "b_red", "b_green", "margin", "window", "over",
        "floor", "interpolate", "time_pct", "bands",
    )

    def __init__(self, as_of: date, settings: Settings, year: int | None):
        self.as_of = as_of
        self.year = year if year is not None else as_of.year
        self.settings = settings
        self.share = time_progress(as_of, self.year)
        self.time_pct = self.share * 100.0
        self.year_end = self.share >= 1.0
        self.first_due = first_due_date(self.year, settings.reporting_period)
        self.due = as_of >= self.first_due
        self.day = format_day(as_of, self.year)
        self.r_red = settings.indicator_red_below
        self.r_green = settings.indicator_green_from
        self.r_blue = settings.indicator_blue_from
        self.b_red = settings.budget_red_below
        self.b_green = settings.budget_green_from
        self.margin = settings.level_amber_margin
        self.window = settings.deadline_amber_days
        self.over = settings.overachieve_margin
        self.floor = settings.year_end_execution_floor
        self.interpolate = settings.interpolate_plan
        self.bands = {
            RED: f"<{_band(self.r_red)}",
            AMBER: f"{_band(self.r_red)}–{_band(self.r_green)}",
            GREEN: f"{_band(self.r_green)}–{_band(self.r_blue)}",
            BLUE: f"≥{_band(self.r_blue)}",
        }


# --------------------------------------------------------------------------- budget


def evaluate_budget(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                    year: int | None = None) -> BudgetStatus:
    return _budget(project, _Ctx(as_of, settings, year))


def _budget(p: ProjectInput, c: _Ctx) -> BudgetStatus:
    budget = p.budget_wan
    if budget is None or budget <= 0:
        return BudgetStatus(GREY, "预算数为0或未填，不评价执行率")

    exp = expected_cumulative_pct(p.plan, c.as_of, c.year, c.interpolate) if p.plan else None
    if exp is None or not any((pt.cumulative_pct or 0) > 0 for pt in p.plan):
        exp, source, exp_text = c.time_pct, "time", f"序时进度{c.time_pct:.1f}%（无支出计划）"
        of = "序时进度"
    elif c.interpolate:
        source, exp_text, of = "interpolated", f"计划（插值）{exp:.1f}%", "计划"
    else:
        source, exp_text, of = "plan", f"计划{exp:.1f}%", "计划"

    spent = p.spent_wan
    projected = p.projected_spent_wan
    if spent is not None and spent != spent:  # NaN means "not entered"
        spent = None
    if projected is not None and projected != projected:
        projected = None
    proj_pct = projected / budget * 100.0 if projected is not None else None
    day = c.day

    if spent is None:
        if exp <= _EPS or not c.due:
            why = "未到计划支出期" if exp <= _EPS else "未到首个填报期"
            return BudgetStatus(GREY, f"截至{day}{why}（{exp_text}），尚未填报支出",
                                None, exp, None, source, proj_pct)
        return BudgetStatus(MISSING, f"截至{day}未填报累计支出（{exp_text}）",
                            None, exp, None, source, proj_pct, needs_reason=False)

    rate = spent / budget
    rate_pct = rate * 100.0
    if spent > budget + min(1e-6, budget * 1e-9):  # 0.01元, relative for tiny budgets
        return BudgetStatus(
            RED,
            f"截至{day}累计支出{spent:.2f}万元超过预算{budget:.2f}万元（执行率{rate_pct:.1f}%）",
            rate_pct, exp, None, source, proj_pct, over_budget=True, needs_reason=True)

    if exp <= _EPS:
        status = GREY
        ratio = None
        reason = f"截至{day}未到计划支出期（计划累计0%），执行率{rate_pct:.1f}%"
    else:
        ratio = round(rate_pct / exp, 3)
        if ratio < c.b_red:
            status = RED
            reason = f"截至{day}执行率{rate_pct:.1f}%，{exp_text}，仅达{of}的{ratio * 100:.1f}%（<{_band(c.b_red)}）"
        elif ratio < c.b_green:
            status = AMBER
            reason = (f"截至{day}执行率{rate_pct:.1f}%，{exp_text}，达{of}的{ratio * 100:.1f}%"
                      f"（{_band(c.b_red)}–{_band(c.b_green)}）")
        else:
            status = GREEN
            reason = f"截至{day}执行率{rate_pct:.1f}%，{exp_text}，达{of}的{ratio * 100:.1f}%（≥{_band(c.b_green)}）"

    needs_reason = status in (RED, AMBER)
    if c.year_end:
        if rate < c.floor - _EPS:
            needs_reason = True
            reason += f"；年末执行率低于{_band(c.floor)}，须说明原因"
    elif projected is not None:
        if projected > budget + min(1e-6, budget * 1e-9):
            status = RED
            needs_reason = True
            reason += f"；全年预计执行数{projected:.2f}万元超过预算{budget:.2f}万元"
        elif proj_pct < c.floor * 100.0 - _EPS:
            needs_reason = True
            if SEVERITY[status] < SEVERITY[AMBER]:
                status = AMBER
            reason += f"；全年预计执行率{proj_pct:.1f}%，低于{_band(c.floor)}"
    return BudgetStatus(status, reason, rate_pct, exp, ratio, source, proj_pct, False, needs_reason)


# --------------------------------------------------------------------------- indicators


def indicator_mode(ind: IndicatorInput, settings: Settings = DEFAULT_SETTINGS) -> str:
    """How an indicator is judged: accumulating | level | cap | deadline | qualitative."""
    t = ind.target
    if t.kind == DEADLINE and t.deadline is not None:
        return MODE_DEADLINE
    if t.kind != NUMERIC or t.value is None or t.op is None:
        return QUALITATIVE_MODE
    op = t.op
    if op in ("<=", "<"):
        return CAP
    if op == "=" and (t.value == 0 or t.is_money or t.is_per_unit):
        return CAP
    acc = ind.accumulates
    if acc is None:
        acc = default_accumulates(ind.level2, t, settings)
    if acc and t.value > 0:
        return ACCUMULATING
    return LEVEL


def evaluate_indicator(ind: IndicatorInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                       year: int | None = None) -> IndicatorStatus:
    """Status of one indicator at ``as_of`` (the data-entry screen re-evaluates rows with this)."""
    return _indicator(ind, _Ctx(as_of, settings, year))


def _meets(x: float, op: str, v: float) -> bool:
    """Higher-is-better / exact-count comparison ('=' counts: reach it)."""
    if op == ">":
        return x > v + _EPS
    return x >= v - _EPS


def _within_cap(x: float, op: str, v: float) -> bool:
    if op == "<":
        return x < v - _EPS
    return x <= v + _EPS


def _accumulating_status(x: float, base: float, t: Target, c: _Ctx, year_value: bool) -> tuple[str, float]:
    """Band status of x against base (the pro-rated or the annual target)."""
    ratio = round(x / base, 3)
    if ratio < c.r_red:
        s = RED
    elif ratio < c.r_green:
        s = AMBER
    elif ratio < c.r_blue:
        s = GREEN
    else:
        # a count that has reached but not passed its annual value early is on target, not
        # over-achieved: "≥1所" done by Q3 is green ("已达全年目标值，未超出")
        s = GREEN if abs(x - t.value) <= _EPS else BLUE
    if year_value and s in (GREEN, BLUE) and not _meets(x, t.op, t.value):
        s = AMBER  # a year-end value short of its target is never better than amber
    return s, ratio


def _band_text(s: str, c: _Ctx, ratio: float) -> str:
    if s == AMBER and ratio >= c.r_green:
        return "未达全年目标，最高为黄"
    if s == GREEN and ratio >= c.r_blue:
        return "已达全年目标值，未超出"
    return c.bands[s]


def _level_status(x: float, t: Target, mode: str, c: _Ctx) -> str:
    v = t.value
    if mode == CAP:
        if _within_cap(x, t.op, v):
            return GREEN
        if c.margin > 0 and x <= v * (1 + c.margin) + _EPS:
            return AMBER
        return RED
    if _meets(x, t.op, v):
        return GREEN
    if c.margin > 0 and x >= v * (1 - c.margin) - _EPS:
        return AMBER
    return RED


_LEVEL_WORDS = {GREEN: "达标", AMBER: "略低于目标", RED: "未达标"}
_CAP_WORDS = {GREEN: "未超过上限", AMBER: "略超上限", RED: "超过上限"}
_JUDGEMENT_STATUS = {ACHIEVED: GREEN, PARTIAL: AMBER, NOT_ACHIEVED: RED}


def _indicator(ind: IndicatorInput, c: _Ctx) -> IndicatorStatus:
    t = ind.target
    mode = indicator_mode(ind, c.settings)
    raw = t.raw.strip()
    ratio = pro = None
    overachieved = inconsistent = False
    proj_status: str | None = None
    proj_text = ""

    if mode == ACCUMULATING or mode == LEVEL or mode == CAP:
        unit = t.unit
        actual = ind.actual
        if actual is not None and actual != actual:  # NaN from a data frame means "not entered"
            actual = None
        if actual is None:
            j = normalise_judgement(ind.actual_judgement)
            if j is not None and j != IN_PROGRESS:
                cur = _JUDGEMENT_STATUS[j]
                text = f"按填报判断「{j}」（目标{raw}）"
            elif not c.due:
                cur = GREY
                text = f"未到首个填报期（{format_day(c.first_due, c.year)}），目标{raw}"
            else:
                cur = MISSING
                text = f"截至{c.day}未填报当前完成值（目标{raw}）"
        elif mode == ACCUMULATING:
            if c.share <= 0:
                cur, text = GREY, f"未到监控期，目标{raw}"
            else:
                pro = t.value * c.share
                cur, ratio = _accumulating_status(actual, pro, t, c, c.year_end)
                if c.year_end:
                    text = (f"{MODE_LABELS[mode]}：年末累计{fmt_num(actual, unit)}，全年目标{raw}，"
                            f"完成{ratio * 100:.1f}%（{_band_text(cur, c, ratio)}）")
                else:
                    text = (f"{MODE_LABELS[mode]}：累计{fmt_num(actual, unit)}，序时目标{fmt_num(pro, unit)}"
                            f"（全年{raw}×序时{c.share * 100:.1f}%），达序时目标的{ratio * 100:.1f}%"
                            f"（{_band_text(cur, c, ratio)}）")
        else:
            cur = _level_status(actual, t, mode, c)
            words = _CAP_WORDS if mode == CAP else _LEVEL_WORDS
            text = f"{MODE_LABELS[mode]}：当前值{fmt_num(actual, unit)}，目标{raw}，{words[cur]}"

        # projected year-end value, judged as a year-end value
        proj = ind.projected
        if proj is not None and proj != proj:
            proj = None
        if proj is not None:
            if mode == ACCUMULATING:
                proj_status, pr = _accumulating_status(proj, t.value, t, c, True)
                proj_text = (f"全年预计{fmt_num(proj, unit)}，达全年目标的{pr * 100:.1f}%"
                             f"（{_band_text(proj_status, c, pr)}）")
                if actual is not None and proj < actual - _EPS:
                    inconsistent = True
                    proj_text += "，低于当前累计值，请核实"
            else:
                proj_status = _level_status(proj, t, mode, c)
                words = _CAP_WORDS if mode == CAP else _LEVEL_WORDS
                proj_text = f"全年预计{fmt_num(proj, unit)}，{words[proj_status]}"
        else:
            pj = normalise_judgement(ind.projected_judgement)
            if pj in _JUDGEMENT_STATUS:
                proj_status = _JUDGEMENT_STATUS[pj]
                proj_text = f"全年预计「{pj}」"

        # Hebei: a higher-is-better value more than X% above the annual target must be explained
        if t.op in (">=", ">") and t.value > 0:
            top = actual if actual is not None else None
            if proj is not None and (top is None or proj > top):
                top = proj
            if top is not None and top > t.value * (1 + c.over) + _EPS:
                overachieved = True

    elif mode == MODE_DEADLINE:
        cur, text = _deadline(ind, t, c)
        pj = normalise_judgement(ind.projected_judgement)
        if pj in _JUDGEMENT_STATUS:
            proj_status = _JUDGEMENT_STATUS[pj]
            proj_text = f"全年预计「{pj}」"
    else:
        j = normalise_judgement(ind.actual_judgement)
        if j is None:
            if not c.due:
                cur = GREY
                text = f"{MODE_LABELS[mode]}：未到首个填报期（{format_day(c.first_due, c.year)}），目标「{raw}」"
            else:
                cur = MISSING
                text = f"{MODE_LABELS[mode]}：截至{c.day}未填报完成情况（目标「{raw}」）"
        elif j == IN_PROGRESS:
            if c.year_end:
                cur = RED
                text = f"{MODE_LABELS[mode]}：年末仍为「进行中」，视为未达成（目标「{raw}」）"
            else:
                cur = GREY
                text = f"{MODE_LABELS[mode]}：进行中，年末前不评价（目标「{raw}」）"
        else:
            cur = _JUDGEMENT_STATUS[j]
            text = f"{MODE_LABELS[mode]}：填报「{j}」（目标「{raw}」）"
        pj = normalise_judgement(ind.projected_judgement)
        if pj in _JUDGEMENT_STATUS:
            proj_status = _JUDGEMENT_STATUS[pj]
            proj_text = f"全年预计「{pj}」"

    status = cur
    if proj_status is not None:
        status = _worse(cur, proj_status)
        if SEVERITY[proj_status] > SEVERITY[cur]:
            text += f"；{proj_text}，按全年预计判为{STATUS_LABELS[proj_status]}"
        else:
            text += f"；{proj_text}"

    likelihood = normalise_likelihood(ind.likelihood)
    if likelihood == IMPOSSIBLE:
        if status != RED:
            text += "；完成目标可能性为「完全不可能」，判为红"
        else:
            text += "；完成目标可能性为「完全不可能」"
        status = RED
    if overachieved:
        text += f"；超过全年目标{_band(c.over)}以上，须说明原因"

    return IndicatorStatus(
        ind, status, text, mode, cur, proj_status, ratio, pro, overachieved, inconsistent,
        status == RED or status == AMBER,
        likelihood == POSSIBLE or likelihood == IMPOSSIBLE,
        status == BLUE or overachieved,
    )


def _deadline(ind: IndicatorInput, t: Target, c: _Ctx) -> tuple[str, str]:
    deadline = t.deadline
    dl = format_day(deadline, c.year)
    label = MODE_LABELS[MODE_DEADLINE]
    done_on = ind.actual_date
    j = normalise_judgement(ind.actual_judgement)
    if done_on is not None:
        if done_on > deadline:
            return AMBER, f"{label}：{format_day(done_on, c.year)}完成，晚于期限{dl}"
        return GREEN, f"{label}：{format_day(done_on, c.year)}完成，期限{dl}，按时完成"
    if j == ACHIEVED:
        return GREEN, f"{label}：已完成，期限{dl}"
    days_left = (deadline - c.as_of).days
    entered = j is not None
    if days_left < 0:
        if not entered:
            return MISSING, f"{label}：已过期限{dl}，未填报完成情况"
        return RED, f"{label}：已过期限{dl}仍未完成"
    if days_left <= c.window:
        if not entered:
            return MISSING, f"{label}：距期限{dl}还有{days_left}天，未填报完成情况"
        return AMBER, f"{label}：距期限{dl}还有{days_left}天，尚未完成"
    return GREY, f"{label}：未到期限（{dl}），尚余{days_left}天"


# --------------------------------------------------------------------------- explanations


@dataclass(frozen=True, slots=True)
class ExplanationRequirements:
    """Which fields a data-entry row must fill (docs/rules.md §5). Nothing else decides this."""

    value: bool = False  # 当前完成值 (the row is 'missing')
    reasons: bool = False  # 偏差原因分析: at least one category
    explanation: bool = False  # 说明
    likelihood: bool = False  # 完成目标可能性
    measures: bool = False  # 纠偏措施

    @property
    def any(self) -> bool:
        return self.value or self.reasons or self.explanation or self.likelihood or self.measures


def explanation_requirements(status: str | IndicatorStatus, likelihood: str | None = None,
                             overachieved: bool = False) -> ExplanationRequirements:
    """What must be explained for a row.

    * amber / red -> 偏差原因 + 说明 + 完成目标可能性;
    * 完成目标可能性 有可能 / 完全不可能 -> 纠偏措施 (完全不可能 also makes the row red);
    * blue or over-achieved (Hebei rule) -> 说明;
    * missing -> the value itself.

    ``status`` may be an ``IndicatorStatus`` (then its likelihood and over-achievement are used
    unless given).
    """
    if isinstance(status, IndicatorStatus):
        if likelihood is None:
            likelihood = status.indicator.likelihood
        overachieved = overachieved or status.overachieved
        status = status.status
    lk = normalise_likelihood(likelihood)
    deviates = status in (AMBER, RED) or lk == IMPOSSIBLE
    return ExplanationRequirements(
        value=status == MISSING,
        reasons=deviates,
        explanation=deviates or status == BLUE or overachieved,
        likelihood=deviates,
        measures=lk in (POSSIBLE, IMPOSSIBLE),
    )


def check_explanations(req: ExplanationRequirements, *, reasons: Sequence[str] | None = None,
                       explanation: str | None = None, likelihood: str | None = None,
                       measures: str | None = None, value_entered: bool = True) -> list[str]:
    """Chinese messages naming each missing or invalid field; empty when the row is complete."""
    errors: list[str] = []
    if req.value and not value_entered:
        errors.append("当前完成值：已到填报期，须填写")
    reasons = [r for r in (reasons or ()) if r and str(r).strip()]
    bad = [r for r in reasons if r not in REASON_CATEGORIES]
    if bad:
        errors.append(f"偏差原因分析：不认识「{'、'.join(bad)}」，可选 {'/'.join(REASON_CATEGORIES)}")
    if req.reasons and not reasons:
        errors.append("偏差原因分析：黄色或红色指标须至少选择一项")
    if req.explanation and not (explanation and explanation.strip()):
        errors.append("说明：黄色、红色或超额完成的指标须填写说明")
    if likelihood not in (None, "") and normalise_likelihood(likelihood) is None:
        errors.append(f"完成目标可能性：不认识「{likelihood}」，可选 {'/'.join(LIKELIHOODS)}")
    elif req.likelihood and not likelihood:
        errors.append("完成目标可能性：黄色或红色指标须选择")
    if req.measures and not (measures and measures.strip()):
        errors.append("纠偏措施：完成目标可能性为“有可能”或“完全不可能”时须填写")
    return errors


def budget_explanation_required(budget: BudgetStatus) -> bool:
    """A project's budget row needs a reason: amber/red, or a (projected) year-end 执行率 below
    the floor (docs/rules.md §3.3: a year-end 执行率 below ``year_end_execution_floor`` needs a reason)."""
    return budget.needs_reason


# --------------------------------------------------------------------------- projects


def evaluate_project(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                     year: int | None = None) -> ProjectStatus:
    return _project(project, _Ctx(as_of, settings, year))


def evaluate_all(projects: Iterable[ProjectInput], as_of: date, settings: Settings = DEFAULT_SETTINGS,
                 year: int | None = None) -> list[ProjectStatus]:
    c = _Ctx(as_of, settings, year)
    return [_project(p, c) for p in projects]


def _project(p: ProjectInput, c: _Ctx) -> ProjectStatus:
    budget = _budget(p, c)
    inds = [_indicator(i, c) for i in p.indicators]
    # worst of budget and indicators; blue counts as green here
    worst_s = budget.status
    worst_sev = SEVERITY[worst_s]
    src = None
    for st in inds:
        sev = SEVERITY[st.status]
        if sev > worst_sev:
            worst_s, worst_sev, src = st.status, sev, st
    if worst_s == BLUE:
        worst_s = GREEN
    if src is None:
        reason = f"预算执行{STATUS_LABELS[budget.status]}：{budget.reason}"
    else:
        reason = f"指标「{src.indicator.level3}」{STATUS_LABELS[src.status]}：{src.reason}"
    if worst_s != GREY and worst_sev >= SEVERITY[AMBER]:
        n = sum(1 for st in inds if SEVERITY[st.status] >= SEVERITY[AMBER])
        if n > 1 or (n == 1 and src is None):
            reason += f"（共{n}项指标为黄/红/未填报）"
    return ProjectStatus(p, worst_s, reason, budget, inds)


# --------------------------------------------------------------------------- roll-ups


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """{'red': n, 'missing': n, 'amber': n, 'green': n, 'blue': n, 'grey': n} (all keys present)."""
    out = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        out[s] += 1
    return out


@dataclass(slots=True)
class DepartmentSummary:
    projects: dict[str, int]
    budgets: dict[str, int]
    indicators: dict[str, int]
    budget_total_wan: float
    spent_total_wan: float
    execution_pct: float | None  # spent / budget over projects with a spending figure
    project_count: int
    indicator_count: int


def department_summary(results: Sequence[ProjectStatus]) -> DepartmentSummary:
    projects = dict.fromkeys(STATUSES, 0)
    budgets = dict.fromkeys(STATUSES, 0)
    indicators = dict.fromkeys(STATUSES, 0)
    total = spent = reported_budget = 0.0
    n_ind = 0
    for r in results:
        projects[r.status] += 1
        budgets[r.budget.status] += 1
        for st in r.indicators:
            indicators[st.status] += 1
        n_ind += len(r.indicators)
        b = r.project.budget_wan or 0.0
        total += b
        if r.project.spent_wan is not None:
            spent += r.project.spent_wan
            reported_budget += b
    exe = spent / reported_budget * 100.0 if reported_budget > 0 else None
    return DepartmentSummary(projects, budgets, indicators, total, spent, exe, len(results), n_ind)


@dataclass(slots=True)
class RiskItem:
    """One row of the 'needs attention' list: a project's budget row or one indicator."""

    project_id: Any
    project_name: str
    unit: str
    area: str
    budget_wan: float
    kind: str  # 'budget' | 'indicator'
    item: str  # '预算执行' or the 三级指标
    indicator_id: Any
    status: str
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def risk_items(results: Iterable[ProjectStatus], statuses: Sequence[str] = (RED, MISSING, AMBER)) -> list[RiskItem]:
    """Items at risk, ordered by severity (red, missing, amber) then budget size (largest first),
    then project name and the indicator's original order."""
    wanted = set(statuses)
    rows: list[tuple] = []
    for r in results:
        p = r.project
        b = p.budget_wan or 0.0
        if r.budget.status in wanted:
            rows.append((-SEVERITY[r.budget.status], -b, p.name, -1,
                         RiskItem(p.id, p.name, p.unit, p.area, b, "budget", "预算执行", None,
                                  r.budget.status, r.budget.reason)))
        for i, st in enumerate(r.indicators):
            if st.status in wanted:
                rows.append((-SEVERITY[st.status], -b, p.name, i,
                             RiskItem(p.id, p.name, p.unit, p.area, b, "indicator", st.indicator.level3,
                                      st.indicator.id, st.status, st.reason)))
    rows.sort(key=lambda t: t[:4])
    return [t[4] for t in rows]


