"""Year-end self-evaluation preview (绩效自评). Pure code, stdlib only.

The rules, their settings and their source (财预〔2020〕10号 and the provincial forms) are in
docs/rules.md §7.

Score out of 100 (default weights, preset 国家 10/50/30/10; presets 20/80 and 湖北 20/40/40 in
``domain.settings.WEIGHT_PRESETS``):

* 预算执行率 = weight x min(执行率, 1);
* indicators: 产出 / 效益 / 满意度 split evenly inside each group — or, when the imported target
  table had a 分值 for every indicator, those 分值 scaled to the indicator part;
* quantitative: met -> full weight, else weight x B/A (B actual, A target), reversed (A/B) for
  lower-is-better targets (caps, '=' amounts and unit costs), never above the weight;
* qualitative (and words entered for a numeric indicator): 达成 / 部分达成 / 未达成 -> 100% / 70% /
  30% of the weight by default (``domain.settings.QUAL_PRESETS``); any share other than full marks
  for 达成 is a pick inside a band and marked 估算;
* grade 优 >= 90, 良 >= 80, 中 >= 60, else 差 — only when no input is missing: a preview with
  missing inputs says 「不完整：…」 instead (``SelfEvalResult.verdict``).

Values used: before year end the projected year-end value (全年预计完成值 / 全年预计执行数) when
given, else the current value; at year end the actual value, else the projection. Choices made
here: a group without indicators passes its weight to the other indicator groups in proportion
(so the indicators keep their weight); a group weighted 0 that has indicators (满意度 under 湖北)
counts in 效益; a deadline done on time scores full, done late scores as 部分达成 (估算); a deadline
not yet due scores from its projection (估算); an indicator without usable data scores 0, says so
and makes the preview incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.periods import is_year_end
from domain.settings import DEFAULT_SETTINGS, WEIGHT_PRESETS, Settings, with_presets
from domain.status import (
    ACCUMULATING,
    ACHIEVED,
    CAP,
    IN_PROGRESS,
    LEVEL,
    MODE_DEADLINE,
    NOT_ACHIEVED,
    PARTIAL,
    IndicatorInput,
    ProjectInput,
    fmt_num,
    indicator_mode,
    normalise_judgement,
    normalise_level,
)
from domain.status.consistency import consistency_warnings

OUTPUT, EFFECT, SATISFACTION = "产出", "效益", "满意度"
GROUPS = (OUTPUT, EFFECT, SATISFACTION)
_OUTPUT_L2 = {"数量", "质量", "时效", "成本"}
_EFFECT_L2 = {"社会效益", "经济效益", "生态效益", "可持续影响", "效益"}
_EPS = 1e-9
INCOMPLETE = "不完整"
NOT_REPORTED, NO_PROJECTION = "未填报", "未填全年预计"


def indicator_group(level1: str | None, level2: str | None) -> str:
    """产出 / 效益 / 满意度 from 一级指标 (产出指标, 效果指标/效益指标, 满意度指标), else 二级指标.
    Unknown -> 产出."""
    l1 = normalise_level(level1)
    if "满意" in l1:
        return SATISFACTION
    if "效果" in l1 or "效益" in l1:
        return EFFECT
    if "产出" in l1:
        return OUTPUT
    l2 = normalise_level(level2)
    if "满意" in l2:
        return SATISFACTION
    if l2 in _EFFECT_L2 or "效益" in l2:
        return EFFECT
    return OUTPUT


def qual_shares(s: Settings) -> tuple[float, float, float]:
    """Shares of the weight for 达成 / 部分达成 / 未达成."""
    return s.qual_achieved, s.qual_partial, s.qual_not_achieved


def selfeval_weights(s: Settings) -> tuple[float, float, float, float]:
    """(预算执行, 产出, 效益, 满意度)."""
    return s.weight_budget, s.weight_output, s.weight_effect, s.weight_satisfaction


def grade_for(score: float, settings: Settings = DEFAULT_SETTINGS) -> str:
    if score >= settings.grade_excellent - _EPS:
        return "优"
    if score >= settings.grade_good - _EPS:
        return "良"
    if score >= settings.grade_pass - _EPS:
        return "中"
    return "差"


@dataclass(slots=True)
class SelfEvalItem:
    indicator: IndicatorInput
    group: str
    weight: float
    score: float
    basis: str | None  # 'actual' | 'projected' | None (no data)
    estimated: bool  # a pick inside a qualitative band, or a deadline scored from its projection (估算)
    note: str  # Chinese: the numbers behind the score
    missing: str | None = None  # '未填报' | '未填全年预计': the input this score lacks


@dataclass(slots=True)
class SelfEvalResult:
    project: ProjectInput
    total: float  # rounded to 2 decimals
    grade: str  # 优 / 良 / 中 / 差
    budget_weight: float
    budget_score: float
    execution_pct: float | None
    budget_basis: str | None  # 'actual' | 'projected' | None
    budget_note: str
    group_weights: dict[str, float]
    group_scores: dict[str, float]
    items: list[SelfEvalItem]
    missing: list[str] = field(default_factory=list)  # '3项未填报', '未填报支出' …: what the preview lacks
    warnings: list[str] = field(default_factory=list)  # consistency checks (domain.status.consistency)
    weights_note: str = ""  # where the weights come from (preset, or the 分值 of the target table)

    @property
    def estimated(self) -> bool:
        """True when any score is a pick inside a band or rests on a projection (预估)."""
        return any(i.estimated or i.basis == "projected" for i in self.items) or self.budget_basis == "projected"

    @property
    def incomplete(self) -> str:
        """'不完整：3项未填报、未填报支出' when inputs are missing, else ''."""
        return f"{INCOMPLETE}：{'、'.join(self.missing)}" if self.missing else ""

    @property
    def verdict(self) -> str:
        """The grade, or the 不完整 sentence when inputs are missing (no grade is given then)."""
        return self.incomplete or self.grade


def _pick(current, projected, year_end: bool):
    """(value, basis) per the rule: projection first during the year, actual first at year end."""
    if year_end:
        if current is not None:
            return current, "actual"
        if projected is not None:
            return projected, "projected"
    else:
        if projected is not None:
            return projected, "projected"
        if current is not None:
            return current, "actual"
    return None, None


def _pick_judgement(ind: IndicatorInput, year_end: bool):
    pj = normalise_judgement(ind.projected_judgement)
    if pj == IN_PROGRESS:  # a projection of 'in progress' says nothing about the year end
        pj = None
    return _pick(normalise_judgement(ind.actual_judgement), pj, year_end)


_BASIS_WORD = {"actual": "实际", "projected": "全年预计"}


def _qual_score(j: str | None, w: float, s: Settings, year_end: bool) -> tuple[float, bool, str]:
    """(score, estimated, note) of a judgement. 达成 at full marks is not an estimate; any other
    share is a pick inside the band and is."""
    if j == IN_PROGRESS and year_end:
        j = NOT_ACHIEVED
    shares = qual_shares(s)
    share = {ACHIEVED: shares[0], PARTIAL: shares[1], NOT_ACHIEVED: shares[2]}.get(j or "")
    if share is None:
        if j == IN_PROGRESS:
            return 0.0, False, "进行中且无全年预计，暂计0分"
        return 0.0, False, "未填报完成情况，计0分"
    if j == ACHIEVED and share >= 1 - _EPS:
        return w, False, f"「{j}」得满分{w:.2f}"
    return w * share, True, f"「{j}」按{share * 100:.0f}%估算，得{w * share:.2f}分"


def _judged(ind: IndicatorInput, w: float, s: Settings, year_end: bool, prefix: str = "") -> SelfEvalItem:
    """A score from the judgement (projection first during the year)."""
    j, basis = _pick_judgement(ind, year_end)
    sc, est, note = _qual_score(j, w, s, year_end)
    missing = None
    if j is None:
        missing = NOT_REPORTED
    elif j == IN_PROGRESS and not year_end:
        missing = NO_PROJECTION
    return SelfEvalItem(ind, "", w, sc, basis if j else None, est, prefix + note, missing)


def _numeric_item(ind: IndicatorInput, mode: str, w: float, s: Settings, year_end: bool) -> SelfEvalItem:
    t = ind.target
    b, basis = _pick(ind.actual, ind.projected, year_end)
    if b is None or basis is None:
        return _judged(ind, w, s, year_end)
    a = t.number
    word = _BASIS_WORD[basis]
    if mode == CAP:
        met = b < a - _EPS if t.op == "<" else b <= a + _EPS
        if met:
            sc, note = w, f"{word}{fmt_num(b, t.unit)}，目标{t.raw.strip()}，达标得满分{w:.2f}"
        elif b <= 0:
            sc, note = 0.0, f"{word}{fmt_num(b, t.unit)}，目标{t.raw.strip()}，计0分"
        else:
            sc = min(w, max(0.0, w * a / b))
            note = f"{word}{fmt_num(b, t.unit)}超过目标{t.raw.strip()}，得分={w:.2f}×{fmt_num(a)}/{fmt_num(b)}={sc:.2f}"
    else:
        met = b > a + _EPS if t.op == ">" else b >= a - _EPS
        if met or a <= 0:
            sc, note = w, f"{word}{fmt_num(b, t.unit)}，目标{t.raw.strip()}，达标得满分{w:.2f}"
        else:
            sc = min(w, max(0.0, w * b / a))
            note = f"{word}{fmt_num(b, t.unit)}未达目标{t.raw.strip()}，得分={w:.2f}×{fmt_num(b)}/{fmt_num(a)}={sc:.2f}"
    # a running count before year end without a projection is not a year-end value
    missing = NO_PROJECTION if (mode == ACCUMULATING and basis == "actual" and not year_end and not met) else None
    if missing:
        note += "（当前累计值，未填全年预计）"
    return SelfEvalItem(ind, "", w, sc, basis, False, note, missing)


def _deadline_item(ind: IndicatorInput, w: float, s: Settings, as_of: date, year_end: bool) -> SelfEvalItem:
    dl = ind.target.due
    if ind.actual_date is not None:
        if ind.actual_date <= dl:
            return SelfEvalItem(ind, "", w, w, "actual", False,
                                f"{ind.actual_date.isoformat()}完成，未晚于期限{dl.isoformat()}，得满分{w:.2f}")
        sc, est, note = _qual_score(PARTIAL, w, s, year_end)
        return SelfEvalItem(ind, "", w, sc, "actual", est, f"晚于期限{dl.isoformat()}完成，{note}")
    if normalise_judgement(ind.actual_judgement) == ACHIEVED:
        return SelfEvalItem(ind, "", w, w, "actual", False, f"已完成（期限{dl.isoformat()}），得满分{w:.2f}")
    if as_of < dl and not year_end:  # not yet due: the projection says how it will end
        pj = normalise_judgement(ind.projected_judgement)
        if pj in (ACHIEVED, PARTIAL, NOT_ACHIEVED):
            share = qual_shares(s)[(ACHIEVED, PARTIAL, NOT_ACHIEVED).index(pj)]
            sc = w * share
            return SelfEvalItem(ind, "", w, sc, "projected", True,
                                f"期限{dl.isoformat()}未到，按全年预计「{pj}」估算，得{sc:.2f}分")
        return SelfEvalItem(ind, "", w, 0.0, None, False,
                            f"期限{dl.isoformat()}未到，未填全年预计，暂不计分", NOT_REPORTED)
    return _judged(ind, w, s, year_end)


def is_satisfaction(ind: IndicatorInput) -> bool:
    """A 满意度 indicator: its 一级 or 二级指标 names 满意度 (Hubei lists them under 效益指标)."""
    return "满意" in normalise_level(ind.level1) or "满意" in normalise_level(ind.level2)


def _rate_item(ind: IndicatorInput, w: float, year_end: bool) -> SelfEvalItem | None:
    """A 满意度 rate scored as weight x rate (``satisfaction_by_rate``); None without a value to use."""
    b, basis = _pick(ind.actual, ind.projected, year_end)
    if b is None or basis is None:
        return None
    rate = min(max(b, 0.0), 100.0)
    sc = w * rate / 100.0
    note = f"满意度按满意率计分：{_BASIS_WORD[basis]}{fmt_num(rate, '%')}，得分={w:.2f}×{fmt_num(rate, '%')}={sc:.2f}"
    return SelfEvalItem(ind, "", w, sc, basis, False, note)


def _score_item(ind: IndicatorInput, w: float, s: Settings, as_of: date, year_end: bool) -> SelfEvalItem:
    mode = indicator_mode(ind, s)
    if s.satisfaction_by_rate and mode in (ACCUMULATING, LEVEL) and ind.target.is_percent and is_satisfaction(ind):
        item = _rate_item(ind, w, year_end)
        if item is not None:
            return item
    if mode in (ACCUMULATING, LEVEL, CAP):
        return _numeric_item(ind, mode, w, s, year_end)
    if mode == MODE_DEADLINE:
        return _deadline_item(ind, w, s, as_of, year_end)
    return _judged(ind, w, s, year_end)


def _budget(project: ProjectInput, wb: float, year_end: bool) -> tuple[float, float | None, str, str | None, str | None]:
    """(score, 执行率 %, note, basis, missing)."""
    budget = project.budget_wan
    spent, basis = _pick(project.spent_wan, project.projected_spent_wan, year_end)
    if not budget or budget <= 0:
        return 0.0, None, "预算数为0或未填，预算执行计0分", None, "未填预算数"
    if spent is None or basis is None:
        return 0.0, None, "未填报支出，预算执行计0分", None, "未填报支出"
    rate = spent / budget
    exe = rate * 100.0
    score = wb * max(0.0, min(rate, 1.0))
    note = f"{_BASIS_WORD[basis]}执行率{exe:.1f}%，得分={wb:g}×min({exe:.1f}%,100%)={score:.2f}"
    missing = None
    if basis == "actual" and not year_end and rate < 1 - _EPS:
        missing = "未填全年预计执行数"
        note += "（当前累计支出，未填全年预计执行数）"
    return score, exe, note, basis, missing


def _weights(project: ProjectInput, s: Settings, wb: float, base: dict[str, float],
             groups: list[str]) -> tuple[list[float], dict[str, float], str, list[str]]:
    """(weight of each indicator, weight of each group, where they come from, warnings)."""
    part = 100.0 - wb
    table = [i.weight for i in project.indicators]
    given = [w for w in table if w is not None and w > 0]
    warnings: list[str] = []
    if s.use_table_weights and given and len(given) == len(table):
        total = sum(given)
        per = [w * part / total for w in given]
        group_w = {g: 0.0 for g in GROUPS}
        for g, w in zip(groups, per):
            group_w[g] += w
        note = f"指标按目标表分值计分（合计{total:g}分）"
        if abs(total - part) > 0.01:
            note += f"，按指标部分{part:g}分等比折算"
        return per, group_w, note, warnings
    if s.use_table_weights and given:
        warnings.append(f"目标表只有{len(given)}/{len(table)}项指标有分值，按设置的权重计分")
    counts = {g: groups.count(g) for g in GROUPS}
    present = [g for g in GROUPS if counts[g]]
    present_w = sum(base[g] for g in present)
    group_w = {g: 0.0 for g in GROUPS}
    for g in present:
        group_w[g] = base[g] * part / present_w if present_w > 0 else part / len(present)
    per = [group_w[g] / counts[g] for g in groups]
    return per, group_w, "", warnings


def self_evaluate(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                  year: int | None = None, preset: tuple[str, str] | None = None) -> SelfEvalResult:
    """Self-evaluation preview for one project at ``as_of``. ``preset``: (WEIGHT_PRESETS key, where it
    was chosen) for a project or target document with weights of its own (``preset_choice``); the
    weights of ``settings`` otherwise."""
    s = with_presets(settings, preset[0]) if preset else settings
    y = year if year is not None else as_of.year
    year_end = is_year_end(as_of, y)
    wb, wo, we, ws = selfeval_weights(s)
    b_score, exe, b_note, b_basis, b_missing = _budget(project, wb, year_end)

    base = {OUTPUT: wo, EFFECT: we, SATISFACTION: ws}
    groups = [indicator_group(i.level1, i.level2) for i in project.indicators]
    if ws <= 0:  # 湖北: 满意度 indicators count in 效益
        groups = [EFFECT if g == SATISFACTION else g for g in groups]
    per, group_w, weights_note, warnings = _weights(project, s, wb, base, groups)
    if preset:
        chosen = f"权重方案「{WEIGHT_PRESETS[preset[0]][0]}」（{preset[1]}设定）"
        weights_note = f"{chosen}；{weights_note}" if weights_note else chosen

    items: list[SelfEvalItem] = []
    group_scores = {g: 0.0 for g in GROUPS}
    for ind, g, w in zip(project.indicators, groups, per):
        it = _score_item(ind, w, s, as_of, year_end)
        it.group = g
        items.append(it)
        group_scores[g] += it.score

    total = round(b_score + sum(group_scores.values()), 2)
    return SelfEvalResult(
        project=project, total=total, grade=grade_for(total, s), budget_weight=wb, budget_score=b_score,
        execution_pct=exe, budget_basis=b_basis, budget_note=b_note, group_weights=group_w,
        group_scores=group_scores, items=items, missing=_missing(items, b_missing),
        warnings=consistency_warnings(project, s) + warnings, weights_note=weights_note,
    )


def _missing(items: list[SelfEvalItem], budget_missing: str | None) -> list[str]:
    """'3项未填报', '1项未填全年预计', then the budget's missing input."""
    out = []
    for word in (NOT_REPORTED, NO_PROJECTION):
        n = sum(1 for i in items if i.missing == word)
        if n:
            out.append(f"{n}项{word}")
    if budget_missing:
        out.append(budget_missing)
    return out
