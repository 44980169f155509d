"""The status vocabulary: status words and their order, judgements, 完成目标可能性, modes, number formats.

Everything here is shared by the budget and indicator rules (docs/rules.md §1, §4.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

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

# the admin's choice for an '=' target (docs/rules.md §4.1): not above it, or at least it
REACH = "reach"
DIRECTIONS = (CAP, REACH)
DIRECTION_LABELS = {CAP: "按上限判断（不超过目标值）", REACH: "按达到目标判断（不低于目标值）"}

EPS = 1e-9


def worst(statuses: Iterable[str]) -> str:
    """The worst status (grey when empty). Ties between green and blue keep blue."""
    best = GREY
    sev = -1
    for s in statuses:
        v = SEVERITY[s]
        if v > sev or (v == sev and s == BLUE):
            best, sev = s, v
    return best


def worse(a: str, b: str) -> str:
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
    # the tiers of the national 自评 form (财预〔2020〕10号) and the wording bureaus use in published tables
    "达成年度指标": ACHIEVED, "达成预期指标": ACHIEVED, "达成预期目标": ACHIEVED, "达到预期": ACHIEVED,
    "达到预期目标": ACHIEVED, "达到预期效果": ACHIEVED, "完成年度指标": ACHIEVED, "完成年度目标": ACHIEVED,
    "全面完成": ACHIEVED, "显著提升": ACHIEVED, "明显提升": ACHIEVED, "显著提高": ACHIEVED, "明显改善": ACHIEVED,
    "部分达成年度指标并具有一定效果": PARTIAL, "部分达成年度指标": PARTIAL, "部分达成预期指标": PARTIAL,
    "基本达到": PARTIAL, "基本达到预期": PARTIAL, "基本达成年度指标": PARTIAL, "有所提升": PARTIAL,
    "有所提高": PARTIAL, "有所改善": PARTIAL,
    "未达成年度指标且效果较差": NOT_ACHIEVED, "未达成年度指标": NOT_ACHIEVED, "未达成预期指标": NOT_ACHIEVED,
    "未达到预期": NOT_ACHIEVED, "未达到预期目标": NOT_ACHIEVED,
}
EDGE_PUNCTUATION = "。．.，,；;！!「」“”\"'《》"
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
    s = "".join(str(text).split()).strip(EDGE_PUNCTUATION)
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


def fmt_band(x: float) -> str:
    return f"{x * 100:g}%"

def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """{'red': n, 'missing': n, 'amber': n, 'green': n, 'blue': n, 'grey': n} (all keys present)."""
    out = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        out[s] += 1
    return out
