"""Fiscal-year reporting periods, time progress (序时进度) and spending-plan checkpoints.

Pure code: no Streamlit, no database. The fiscal year is the calendar year.

Conventions (used everywhere in the domain package):

* A period key is ``'YYYY-MM'`` for a month and ``'YYYYQn'`` for a quarter.
* ``time_progress`` returns a *share* (0.0 .. 1.0).
* Spending plans are *cumulative percentages* (0 .. 100), as written in the 资金支出计划
  row of the target tables; ``expected_cumulative_pct`` returns a percentage too.

How 序时进度, step and interpolation feed the status rules: docs/rules.md §3.1.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

MONTH = "month"
QUARTER = "quarter"

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12}
_QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def year_end(year: int) -> date:
    return date(year, 12, 31)


def is_year_end(as_of: date, year: int) -> bool:
    """True once the as-of date has reached the last day of the fiscal year."""
    return as_of >= date(year, 12, 31)


def format_day(d: date, year: int | None = None) -> str:
    """'9月30日' within the fiscal year, '2025年1月15日' otherwise."""
    if year is not None and d.year == year:
        return f"{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Period:
    """One reporting period of a fiscal year: a month or a quarter."""

    year: int
    kind: str  # 'month' | 'quarter'
    index: int  # month 1..12 or quarter 1..4

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}Q{self.index}"

    @property
    def first_month(self) -> int:
        return self.index if self.kind == MONTH else 3 * self.index - 2

    @property
    def last_month(self) -> int:
        return self.index if self.kind == MONTH else 3 * self.index

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return month_end(self.year, self.last_month)

    @property
    def label(self) -> str:
        """'2024年9月' or '2024年第三季度'."""
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        return f"{self.year}年第{_QUARTER_CN[self.index]}季度"

    @property
    def cumulative_label(self) -> str:
        """The year-to-date span ending with this period: '2024年1-9月' ('2024年1月' for January)."""
        if self.last_month == 1:
            return f"{self.year}年1月"
        return f"{self.year}年1-{self.last_month}月"

    def previous(self) -> Period:
        last = 12 if self.kind == MONTH else 4
        if self.index == 1:
            return Period(self.year - 1, self.kind, last)
        return Period(self.year, self.kind, self.index - 1)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.key


_MONTH_KEY = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_KEY = re.compile(r"^(\d{4})[Qq]([1-4])$")


def parse_period(key: str) -> Period:
    """'2024-09' -> month, '2024Q3' -> quarter. Raises ValueError with a Chinese message."""
    s = (key or "").strip()
    m = _MONTH_KEY.match(s)
    if m and 1 <= int(m[2]) <= 12:
        return Period(int(m[1]), MONTH, int(m[2]))
    m = _QUARTER_KEY.match(s)
    if m:
        return Period(int(m[1]), QUARTER, int(m[2]))
    raise ValueError(f"无法识别的填报期：{key!r}（应为 2024-09 或 2024Q3）")


def periods_of_year(year: int, kind: str = QUARTER) -> list[Period]:
    if kind == MONTH:
        return [Period(year, MONTH, m) for m in range(1, 13)]
    if kind == QUARTER:
        return [Period(year, QUARTER, q) for q in range(1, 5)]
    raise ValueError(f"未知的填报期类型：{kind}")


def period_for_date(d: date, kind: str = QUARTER) -> Period:
    """The period (of d's year) that contains d."""
    if kind == MONTH:
        return Period(d.year, MONTH, d.month)
    if kind == QUARTER:
        return Period(d.year, QUARTER, (d.month - 1) // 3 + 1)
    raise ValueError(f"未知的填报期类型：{kind}")


def latest_closed_period(as_of: date, year: int, kind: str = QUARTER) -> Period | None:
    """The last period of ``year`` that has ended on or before ``as_of`` (None before the first)."""
    found = None
    for p in periods_of_year(year, kind):
        if p.end <= as_of:
            found = p
        else:
            break
    return found


def first_due_date(year: int, kind: str = QUARTER) -> date:
    """End of the first reporting period of the year: the first date on which data is due."""
    return periods_of_year(year, kind)[0].end


def default_as_of(year: int, periods_with_data: Iterable[str] = (), today: date | None = None,
                  kind: str = QUARTER) -> date:
    """Default as-of date: end of the latest reporting period with data (docs/rules.md §2).

    ``periods_with_data`` are period keys. Without any, the end of the latest period closed by
    ``today`` (or the first period end if none has closed yet).
    """
    ends = []
    for key in periods_with_data:
        try:
            p = parse_period(key)
        except ValueError:
            continue
        if p.year == year:
            ends.append(p.end)
    if ends:
        return max(ends)
    today = today or date.today()
    closed = latest_closed_period(today, year, kind)
    if closed is None:
        return first_due_date(year, kind) if today.year <= year else year_end(year)
    return closed.end


# --------------------------------------------------------------------------- lock coverage


def periods_overlap(a: Period, b: Period) -> bool:
    """True when the two periods share at least one day."""
    return a.start <= b.end and b.start <= a.end


def covers(lock: Period, period: Period) -> bool:
    """Does a lock on ``lock`` make ``period`` read-only? (docs/rules.md, "Locked periods")

    Definitions chosen here: a period's values are cumulative to its end date, so they speak for the
    as-of date ``period.end``. A lock freezes every as-of date within its span: ``period`` is covered
    when its end date lies inside ``lock``. So a locked quarter covers its three months (and itself),
    and a locked month covers the quarter that ends with it (2024-09 covers 2024Q3, whose values are
    also as of 9月30日) but not a quarter that ends later (2024-08 does not cover 2024Q3).
    """
    return lock.start <= period.end <= lock.end


def locked_by(code: str, locked_codes: Iterable[str]) -> list[str]:
    """The locked period keys (of ``locked_codes``) that make period ``code`` read-only, in order of
    their end date; empty when it is writable. Keys that cannot be read are ignored; ``code`` must be
    a valid key (ValueError otherwise). The period itself comes first when it is locked itself."""
    period = parse_period(code)
    found = []
    for key in locked_codes:
        try:
            lock = parse_period(key)
        except ValueError:
            continue
        if covers(lock, period):
            found.append(lock)
    found.sort(key=lambda p: (p != period, p.end, p.key))
    return [p.key for p in dict.fromkeys(found)]


# --------------------------------------------------------------------------- time progress


def time_progress(as_of: date, year: int) -> float:
    """序时进度: elapsed share of the fiscal year at the end of ``as_of`` (0.0 .. 1.0).

    Month-based, as the bureau counts it: each month is 1/12 of the year and days within a month
    are linear. So every month end gives an exact twelfth (9月30日 -> 0.75, 6月30日 -> 0.5) and
    12月31日 gives 1.0. Before the year: 0.0; after it: 1.0.
    """
    if as_of.year < year:
        return 0.0
    if as_of.year > year:
        return 1.0
    days = calendar.monthrange(year, as_of.month)[1]
    return (as_of.month - 1 + as_of.day / days) / 12.0


# --------------------------------------------------------------------------- checkpoints

_RE_QUARTER = re.compile(r"(?:第)?([一二三四1-4])(?:季度|季)")
_RE_Q = re.compile(r"^Q([1-4])$", re.IGNORECASE)
_RE_FIRST_N_QUARTERS = re.compile(r"前([一二三四1-4])(?:个)?季度")
_RE_MONTH = re.compile(r"(十[一二]|[一二三四五六七八九十]|1[0-2]|0?[1-9])月(?:份)?(?:(\d{1,2})日|底|末|份|前)?")
_RE_YMD = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?")


def _cn_int(s: str) -> int:
    return int(s) if s.isdigit() else _CN_DIGITS[s]


def checkpoint_date(label: str, year: int) -> date | None:
    """Due date of a spending-plan checkpoint label, or None if it cannot be understood.

    '第一季度'->3-31, '第二季度'->6-30, '第三季度'->9-30, '第四季度'->12-31, '3月底'->3-31,
    '10月底'->10-31, '上半年'->6-30, '前三季度'->9-30, '下半年'/'全年'/'年底'->12-31,
    '2024年5月15日'->that day, '2024Q2'/'2024-05' (period keys)->the period end.
    """
    s = unicodedata.normalize("NFKC", label or "")
    s = re.sub(r"\s+", "", s)
    if not s:
        return None
    try:
        return parse_period(s).end
    except ValueError:
        pass
    m = _RE_YMD.search(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if "上半年" in s:
        return date(year, 6, 30)
    if any(w in s for w in ("下半年", "全年", "年底", "年末", "年终", "全年度")):
        return date(year, 12, 31)
    m = _RE_FIRST_N_QUARTERS.search(s)
    if m:
        return month_end(year, 3 * _cn_int(m[1]))
    m = _RE_QUARTER.search(s) or _RE_Q.match(s)
    if m:
        return month_end(year, 3 * _cn_int(m[1]))
    m = _RE_MONTH.search(s)
    if m:
        month = _cn_int(m[1])
        if not 1 <= month <= 12:
            return None
        if m[2]:
            try:
                return date(year, month, int(m[2]))
            except ValueError:
                return None
        return month_end(year, month)
    return None


def default_checkpoint_dates(n: int, year: int) -> list[date]:
    """Due dates for n unlabelled checkpoints spread evenly over the year (4 -> quarter ends)."""
    if n <= 0:
        return []
    if 12 % n == 0:
        step = 12 // n
        return [month_end(year, step * (i + 1)) for i in range(n)]
    # uneven: spread by month, last one at year end
    return [month_end(year, max(1, round(12 * (i + 1) / n))) for i in range(n)]


def checkpoint_dates(labels: Sequence[str], year: int) -> list[date]:
    """Due dates for a plan's checkpoint labels; labels that cannot be read fall back to an even
    spread over the year (four labels -> quarter ends)."""
    fallback = default_checkpoint_dates(len(labels), year)
    out = []
    for i, label in enumerate(labels):
        d = checkpoint_date(label, year)
        out.append(d if d is not None else fallback[i])
    return out


class _Point(Protocol):  # what expected_cumulative_pct reads from a plan point
    due: date | None
    cumulative_pct: float | None


# a plan: PlanPoint-like objects or (due, cumulative percent) pairs
Checkpoints = Iterable["_Point | tuple[date | None, float | None]"]


def _as_pairs(checkpoints: Checkpoints) -> list[tuple[date, float]]:
    pairs = []
    for cp in checkpoints:
        if isinstance(cp, tuple):
            due, pct = cp
        else:
            due, pct = cp.due, cp.cumulative_pct
        if due is None or pct is None:
            continue
        pairs.append((due, float(pct)))
    pairs.sort(key=lambda p: p[0])
    return pairs


def has_plan(checkpoints: Checkpoints) -> bool:
    """A plan exists when at least one checkpoint has a date and a positive percentage."""
    return any(p > 0 for _, p in _as_pairs(checkpoints))


def expected_cumulative_pct(checkpoints: Checkpoints, as_of: date, year: int | None = None,
                            interpolate: bool = False) -> float | None:
    """Expected cumulative spending (percent of budget) at ``as_of`` from a project's own plan.

    ``checkpoints``: (due date, cumulative percent) pairs or objects with ``.due`` and
    ``.cumulative_pct``; points without a date or a value are ignored. Returns None when there is
    no usable point (the caller then falls back to ``time_progress``).

    Step (default): the cumulative value of the last checkpoint reached (due <= as_of); 0 before
    the first one. Interpolated: linear in days between checkpoints, starting from 0% on the day
    before the fiscal year begins (``year`` defaults to the first checkpoint's year).
    """
    pairs = _as_pairs(checkpoints)
    if not pairs:
        return None
    if not interpolate:
        value = 0.0
        for due, pct in pairs:
            if due <= as_of:
                value = pct
            else:
                break
        return value
    if year is None:
        year = pairs[0][0].year
    prev_day = date(year, 1, 1) - timedelta(days=1)
    prev_val = 0.0
    for due, pct in pairs:
        if as_of >= due:
            prev_day, prev_val = due, pct
            continue
        if as_of <= prev_day:
            return prev_val
        span = (due - prev_day).days
        frac = (as_of - prev_day).days / span if span > 0 else 1.0
        return prev_val + (pct - prev_val) * frac
    return prev_val
