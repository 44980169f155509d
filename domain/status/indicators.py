"""Indicator status (docs/rules.md §4): the mode of an indicator, pro-rating, direct judgement,
caps, deadlines, qualitative judgements, projections, 完成目标可能性 and over-achievement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.periods import format_day, year_end
from domain.settings import DEFAULT_SETTINGS, Settings
from domain.status.adjusted import target_note
from domain.status.model import Context, IndicatorInput, IndicatorStatus
from domain.status.words import (
    ACCUMULATING,
    ACHIEVED,
    AMBER,
    BLUE,
    CAP,
    DIRECTION_LABELS,
    EPS,
    GREEN,
    GREY,
    IMPOSSIBLE,
    IN_PROGRESS,
    LEVEL,
    MISSING,
    MODE_DEADLINE,
    MODE_LABELS,
    NOT_ACHIEVED,
    PARTIAL,
    POSSIBLE,
    QUALITATIVE_MODE,
    REACH,
    RED,
    SEVERITY,
    STATUS_LABELS,
    fmt_band,
    fmt_num,
    normalise_judgement,
    normalise_level,
    normalise_likelihood,
    worse,
)
from domain.targets import DEADLINE, NUMERIC, Target


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




def indicator_mode(ind: IndicatorInput, settings: Settings = DEFAULT_SETTINGS) -> str:
    """How an indicator is judged: accumulating | level | cap | deadline | qualitative. The admin's
    choices (``ind.direction`` for an '=' target, ``ind.accumulates``) come before the default rules."""
    t = ind.target
    if t.kind == DEADLINE and t.deadline is not None:
        return MODE_DEADLINE
    if t.kind != NUMERIC or t.value is None or t.op is None:
        return QUALITATIVE_MODE
    op = t.op
    if op in ("<=", "<"):
        return CAP
    if op == "=" and ind.direction == CAP:
        return CAP
    if op == "=" and ind.direction != REACH and (t.value == 0 or t.is_per_unit or (t.is_money and _is_cost(ind.level2))):
        return CAP
    acc = ind.accumulates
    if acc is None:
        acc = default_accumulates(ind.level2, t, settings)
    if acc and t.value > 0:
        return ACCUMULATING
    return LEVEL


def override_note(ind: IndicatorInput, mode: str) -> str:
    """What the admin set for this indicator, as the reason says it ('' when nothing applies):
    「管理员设定：按上限判断（不超过目标值）」, 「管理员设定：累计型」 (docs/rules.md §4.1, §4.2)."""
    t = ind.target
    notes = []
    if t.kind == NUMERIC and t.op == "=" and ind.direction in DIRECTION_LABELS:
        notes.append(DIRECTION_LABELS[ind.direction])
    if ind.accumulates is not None and mode in (ACCUMULATING, LEVEL):
        notes.append("累计型" if ind.accumulates else "水平型（不按序时折算）")
    return f"管理员设定：{'，'.join(notes)}" if notes else ""


def _is_cost(level2: str | None) -> bool:
    """An ``=`` amount of money is a ceiling for 成本 indicators (and when the 二级指标 is not known), an
    amount to deliver for every other 二级指标 (数量: 完成投资=165.2万元) — docs/rules.md §4.1."""
    level = normalise_level(level2)
    return not level or "成本" in level


def whole_units_only(t: Target, share: float, settings: Settings = DEFAULT_SETTINGS) -> bool:
    """A count whose 序时目标 would be less than one whole unit (``=1人`` at any date before year end,
    ``≥2所`` before the middle of the year) is not pro-rated: a fraction of a 所 means nothing. It is
    judged once, against the annual target, by year end (docs/rules.md §4.3)."""
    counted = t.unit is None or t.unit in settings.count_units
    return counted and 0 < share < 1.0 and t.number * share < 1.0 - EPS


def evaluate_indicator(ind: IndicatorInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                       year: int | None = None) -> IndicatorStatus:
    """Status of one indicator at ``as_of`` (the data-entry screen re-evaluates rows with this)."""
    return indicator_status(ind, Context(as_of, settings, year))


def _meets(x: float, op: str, v: float) -> bool:
    """Higher-is-better / exact-count comparison ('=' counts: reach it)."""
    if op == ">":
        return x > v + EPS
    return x >= v - EPS


def _within_cap(x: float, op: str, v: float) -> bool:
    if op == "<":
        return x < v - EPS
    return x <= v + EPS


def _accumulating_status(x: float, base: float, t: Target, c: Context, year_value: bool) -> tuple[str, float]:
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
        s = GREEN if abs(x - t.number) <= EPS else BLUE
    if year_value and s in (GREEN, BLUE) and not _meets(x, t.comparison, t.number):
        s = AMBER  # a year-end value short of its target is never better than amber
    return s, ratio


def _band_text(s: str, c: Context, ratio: float) -> str:
    if s == AMBER and ratio >= c.r_green:
        return "未达全年目标，最高为黄"
    if s == GREEN and ratio >= c.r_blue:
        return "已达全年目标值，未超出"
    return c.bands[s]


def _level_status(x: float, t: Target, mode: str, c: Context) -> str:
    v = t.number
    if mode == CAP:
        if _within_cap(x, t.comparison, v):
            return GREEN
        if c.margin > 0 and x <= v * (1 + c.margin) + EPS:
            return AMBER
        return RED
    if _meets(x, t.comparison, v):
        return GREEN
    if c.margin > 0 and x >= v * (1 - c.margin) - EPS:
        return AMBER
    return RED


_LEVEL_WORDS = {GREEN: "达标", AMBER: "略低于目标", RED: "未达标"}
_CAP_WORDS = {GREEN: "未超过上限", AMBER: "略超上限", RED: "超过上限"}
_JUDGEMENT_STATUS = {ACHIEVED: GREEN, PARTIAL: AMBER, NOT_ACHIEVED: RED}


def indicator_status(ind: IndicatorInput, c: Context) -> IndicatorStatus:
    t = ind.target
    mode = indicator_mode(ind, c.settings)
    if mode in (ACCUMULATING, LEVEL, CAP):
        n = _numeric(ind, mode, c)
    else:
        cur, text = _deadline(ind, t, c) if mode == MODE_DEADLINE else _qualitative(ind, mode, c)
        n = _Numbers(cur, text, *_projected_judgement(ind))
    status, text = n.current, n.text
    note = override_note(ind, mode)
    if note:
        text = f"{note}；{text}"
    if n.projected is not None:  # the worse of current and projected wins
        status = worse(n.current, n.projected)
        if SEVERITY[n.projected] > SEVERITY[n.current]:
            text += f"；{n.projected_text}，按全年预计判为{STATUS_LABELS[n.projected]}"
        else:
            text += f"；{n.projected_text}"

    likelihood = normalise_likelihood(ind.likelihood)
    if likelihood == IMPOSSIBLE:
        text += "；完成目标可能性为「完全不可能」" + ("，判为红" if status != RED else "")
        status = RED
    if n.overachieved:
        text += f"；超过全年目标{fmt_band(c.over)}以上，须说明原因"
    text += target_note(ind, c.year)

    return IndicatorStatus(
        ind, status, text, mode, n.current, n.projected, n.ratio, n.pro_rated, n.overachieved, n.inconsistent,
        status == RED or status == AMBER,
        likelihood == POSSIBLE or likelihood == IMPOSSIBLE,
        status == BLUE or n.overachieved,
    )


@dataclass(slots=True)
class _Numbers:
    """What one kind of rule found: the current status and text, the projected status and text."""

    current: str
    text: str
    projected: str | None = None
    projected_text: str = ""
    ratio: float | None = None
    pro_rated: float | None = None
    overachieved: bool = False
    inconsistent: bool = False


def _projected_judgement(ind: IndicatorInput) -> tuple[str | None, str]:
    pj = normalise_judgement(ind.projected_judgement)
    if pj in _JUDGEMENT_STATUS:
        return _JUDGEMENT_STATUS[pj], f"全年预计「{pj}」"
    return None, ""


def _entered(value: float | None) -> float | None:
    return None if value is None or value != value else value  # NaN from a data frame: not entered


def _numeric(ind: IndicatorInput, mode: str, c: Context) -> _Numbers:
    """Accumulating, level and cap indicators: the current value, then the projection, then the
    over-achievement check."""
    t = ind.target
    raw = t.raw.strip()
    actual = _entered(ind.actual)
    n = _Numbers(GREY, "")
    if actual is None:
        j = normalise_judgement(ind.actual_judgement)
        if j is not None and j != IN_PROGRESS:
            n.current, n.text = _JUDGEMENT_STATUS[j], f"按填报判断「{j}」（目标{raw}）"
        elif not c.due:
            n.text = f"未到首个填报期（{format_day(c.first_due, c.year)}），目标{raw}"
        else:
            n.current, n.text = MISSING, f"截至{c.day}未填报当前完成值（目标{raw}）"
    elif mode == ACCUMULATING:
        _pro_rated(n, actual, t, c)
    else:
        n.current = _level_status(actual, t, mode, c)
        words = _CAP_WORDS if mode == CAP else _LEVEL_WORDS
        n.text = f"{MODE_LABELS[mode]}：当前值{fmt_num(actual, t.unit)}，目标{raw}，{words[n.current]}"

    proj = _entered(ind.projected)
    if proj is not None:  # the projected year-end value, judged as a year-end value
        if mode == ACCUMULATING:
            n.projected, pr = _accumulating_status(proj, t.number, t, c, True)
            n.projected_text = (f"全年预计{fmt_num(proj, t.unit)}，达全年目标的{pr * 100:.1f}%"
                                f"（{_band_text(n.projected, c, pr)}）")
            if actual is not None and proj < actual - EPS:
                n.inconsistent = True
                n.projected_text += "，低于当前累计值，请核实"
        else:
            n.projected = _level_status(proj, t, mode, c)
            words = _CAP_WORDS if mode == CAP else _LEVEL_WORDS
            n.projected_text = f"全年预计{fmt_num(proj, t.unit)}，{words[n.projected]}"
    else:
        n.projected, n.projected_text = _projected_judgement(ind)

    # Hebei: a higher-is-better value more than X% above the annual target must be explained
    if t.op in (">=", ">") and t.number > 0:
        top = max((v for v in (actual, proj) if v is not None), default=None)
        n.overachieved = top is not None and top > t.number * (1 + c.over) + EPS
    return n


def _pro_rated(n: _Numbers, actual: float, t: Target, c: Context) -> None:
    """An accumulating value against 序时目标 (or, at year end, against the annual target)."""
    raw, unit, label = t.raw.strip(), t.unit, MODE_LABELS[ACCUMULATING]
    if c.share <= 0:
        n.current, n.text = GREY, f"未到监控期，目标{raw}"
        return
    if whole_units_only(t, c.share, c.settings):
        _whole_units(n, actual, t, c)
        return
    n.pro_rated = t.number * c.share
    n.current, n.ratio = _accumulating_status(actual, n.pro_rated, t, c, c.year_end)
    band = _band_text(n.current, c, n.ratio)
    if c.year_end:
        n.text = f"{label}：年末累计{fmt_num(actual, unit)}，全年目标{raw}，完成{n.ratio * 100:.1f}%（{band}）"
    else:
        n.text = (f"{label}：累计{fmt_num(actual, unit)}，序时目标{fmt_num(n.pro_rated, unit)}"
                  f"（全年{raw}×序时{c.share * 100:.1f}%），达序时目标的{n.ratio * 100:.1f}%（{band}）")


def _whole_units(n: _Numbers, actual: float, t: Target, c: Context) -> None:
    """A count too small to pro-rate, judged against its annual target with year end as its deadline:
    reached -> green (blue from the blue band up), not reached -> grey until ``deadline_amber_days``
    before year end, amber inside that window."""
    raw, unit = t.raw.strip(), t.unit
    rule = f"整数目标按年末判断（序时目标{fmt_num(t.number * c.share, unit)}不足1{unit or ''}，不按序时折算）"
    now = f"累计{fmt_num(actual, unit)}，全年目标{raw}"
    if _meets(actual, t.comparison, t.number):
        n.ratio = round(actual / t.number, 3)
        n.current = BLUE if n.ratio >= c.r_blue and abs(actual - t.number) > EPS else GREEN
        n.text = f"{rule}：{now}，" + ("已达全年目标值，未超出" if n.current == GREEN
                                            else f"达全年目标的{n.ratio * 100:.1f}%（{c.bands[BLUE]}）")
        return
    days_left = (year_end(c.year) - c.as_of).days
    if days_left <= c.window:
        n.current, n.text = AMBER, f"{rule}：{now}，距年末还有{days_left}天，尚未达到"
    else:
        n.current, n.text = GREY, f"{rule}：{now}，尚未达到，年末前不评价"


def _qualitative(ind: IndicatorInput, mode: str, c: Context) -> tuple[str, str]:
    raw, label = ind.target.raw.strip(), MODE_LABELS[mode]
    j = normalise_judgement(ind.actual_judgement)
    if j is None:
        if not c.due:
            return GREY, f"{label}：未到首个填报期（{format_day(c.first_due, c.year)}），目标「{raw}」"
        return MISSING, f"{label}：截至{c.day}未填报完成情况（目标「{raw}」）"
    if j == IN_PROGRESS:
        if c.year_end:
            return RED, f"{label}：年末仍为「进行中」，视为未达成（目标「{raw}」）"
        return GREY, f"{label}：进行中，年末前不评价（目标「{raw}」）"
    return _JUDGEMENT_STATUS[j], f"{label}：填报「{j}」（目标「{raw}」）"


def _deadline(ind: IndicatorInput, t: Target, c: Context) -> tuple[str, str]:
    deadline = t.due
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
