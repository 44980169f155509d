"""Year-end self-evaluation preview (绩效自评). Pure code, stdlib only.

The rules, their settings and their source (财预〔2020〕10号) are in docs/rules.md §7.

Score out of 100 (default weights):

* 预算执行率 10 = 10 x min(执行率, 1);
* indicators 90: 产出 50 / 效益 30 / 满意度 10, split evenly inside each group;
* quantitative: met -> full weight, else weight x B/A (B actual, A target), reversed (A/B) for
  lower-is-better targets (caps, '=' amounts and unit costs), never above the weight;
* qualitative (and words entered for a numeric indicator): 达成 / 部分达成 / 未达成 -> 90% / 70% /
  30% of the weight, marked 估算;
* grade 优 >= 90, 良 >= 80, 中 >= 60, else 差.

Values used: before year end the projected year-end value (全年预计完成值 / 全年预计执行数) when
given, else the current value; at year end the actual value, else the projection. Choices made
here: a group without indicators passes its weight to the other indicator groups in proportion
(so the indicators still weigh 90); a deadline done on time scores full, done late scores as
部分达成 (估算); an indicator without usable data scores 0 and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.periods import is_year_end
from domain.settings import DEFAULT_SETTINGS, Settings
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

OUTPUT, EFFECT, SATISFACTION = "产出", "效益", "满意度"
GROUPS = (OUTPUT, EFFECT, SATISFACTION)
_OUTPUT_L2 = {"数量", "质量", "时效", "成本"}
_EFFECT_L2 = {"社会效益", "经济效益", "生态效益", "可持续影响", "效益"}
_EPS = 1e-9


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
    estimated: bool  # qualitative midpoint (估算)
    note: str  # Chinese: the numbers behind the score


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

    @property
    def estimated(self) -> bool:
        """True when any score is a qualitative midpoint or a projection (预估)."""
        return any(i.estimated or i.basis == "projected" for i in self.items) or self.budget_basis == "projected"


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
    if j == IN_PROGRESS and year_end:
        j = NOT_ACHIEVED
    share = {ACHIEVED: s.qual_achieved, PARTIAL: s.qual_partial, NOT_ACHIEVED: s.qual_not_achieved}.get(j or "")
    if share is None:
        if j == IN_PROGRESS:
            return 0.0, False, "进行中且无全年预计，暂计0分"
        return 0.0, False, "未填报完成情况，计0分"
    return w * share, True, f"「{j}」按{share * 100:.0f}%估算，得{w * share:.2f}分"


def _score_item(ind: IndicatorInput, w: float, s: Settings, year_end: bool) -> SelfEvalItem:
    group = ""  # filled by caller
    mode = indicator_mode(ind, s)
    t = ind.target
    if mode in (ACCUMULATING, LEVEL, CAP):
        b, basis = _pick(ind.actual, ind.projected, year_end)
        if b is None:
            j, basis = _pick_judgement(ind, year_end)
            sc, est, note = _qual_score(j, w, s, year_end)
            return SelfEvalItem(ind, group, w, sc, basis if j else None, est, note)
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
        return SelfEvalItem(ind, group, w, sc, basis, False, note)

    if mode == MODE_DEADLINE:
        dl = t.due
        if ind.actual_date is not None:
            if ind.actual_date <= dl:
                return SelfEvalItem(ind, group, w, w, "actual", False,
                                    f"{ind.actual_date.isoformat()}完成，未晚于期限{dl.isoformat()}，得满分{w:.2f}")
            sc, est, note = _qual_score(PARTIAL, w, s, year_end)
            return SelfEvalItem(ind, group, w, sc, "actual", est, f"晚于期限{dl.isoformat()}完成，{note}")
        j, basis = _pick_judgement(ind, year_end)
        if j == ACHIEVED and basis == "actual":
            return SelfEvalItem(ind, group, w, w, basis, False, f"已完成（期限{dl.isoformat()}），得满分{w:.2f}")
        sc, est, note = _qual_score(j, w, s, year_end)
        return SelfEvalItem(ind, group, w, sc, basis if j else None, est, note)

    j, basis = _pick_judgement(ind, year_end)
    sc, est, note = _qual_score(j, w, s, year_end)
    return SelfEvalItem(ind, group, w, sc, basis if j else None, est, note)


def self_evaluate(project: ProjectInput, as_of: date, settings: Settings = DEFAULT_SETTINGS,
                  year: int | None = None) -> SelfEvalResult:
    """Self-evaluation preview for one project at ``as_of``."""
    s = settings
    y = year if year is not None else as_of.year
    year_end = is_year_end(as_of, y)

    # budget
    wb = s.weight_budget
    budget = project.budget_wan
    spent, b_basis = _pick(project.spent_wan, project.projected_spent_wan, year_end)
    if not budget or budget <= 0:
        b_score, exe, b_note, b_basis = 0.0, None, "预算数为0或未填，预算执行计0分", None
    elif spent is None:
        b_score, exe, b_note, b_basis = 0.0, None, "未填报支出，预算执行计0分", None
    else:
        rate = spent / budget
        exe = rate * 100.0
        b_score = wb * max(0.0, min(rate, 1.0))
        b_note = f"{_BASIS_WORD[b_basis]}执行率{exe:.1f}%，得分={wb:g}×min({exe:.1f}%,100%)={b_score:.2f}"

    # indicator groups
    groups = [indicator_group(i.level1, i.level2) for i in project.indicators]
    base = {OUTPUT: s.weight_output, EFFECT: s.weight_effect, SATISFACTION: s.weight_satisfaction}
    counts = {g: 0 for g in GROUPS}
    for g in groups:
        counts[g] += 1
    present = [g for g in GROUPS if counts[g]]
    total_ind_w = sum(base.values())
    present_w = sum(base[g] for g in present)
    group_w = {g: 0.0 for g in GROUPS}
    for g in present:
        group_w[g] = base[g] * total_ind_w / present_w if present_w > 0 else total_ind_w / len(present)

    items: list[SelfEvalItem] = []
    group_scores = {g: 0.0 for g in GROUPS}
    for ind, g in zip(project.indicators, groups):
        w = group_w[g] / counts[g]
        it = _score_item(ind, w, s, year_end)
        it.group = g
        items.append(it)
        group_scores[g] += it.score

    total = round(b_score + sum(group_scores.values()), 2)
    return SelfEvalResult(
        project=project,
        total=total,
        grade=grade_for(total, s),
        budget_weight=wb,
        budget_score=b_score,
        execution_pct=exe,
        budget_basis=b_basis,
        budget_note=b_note,
        group_weights=group_w,
        group_scores=group_scores,
        items=items,
    )
