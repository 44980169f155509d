"""指标值 text -> typed target rule.

Pure code: no Streamlit, no database. ``parse_target`` never raises; text it cannot
understand becomes a ``qualitative`` target that keeps the raw text. The accepted forms (kinds,
operators and their words, bare numbers, deadlines, units) are listed in docs/rules.md §9.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

NUMERIC = "numeric"
DEADLINE = "deadline"
QUALITATIVE = "qualitative"

HIGHER, LOWER, EXACT = "higher", "lower", "exact"


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed 指标值. ``raw`` is always the original text, for display."""

    raw: str
    kind: str = QUALITATIVE
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    deadline: date | None = None
    start: date | None = None  # first day of a date range ("2024年1月-6月")

    @property
    def direction(self) -> str | None:
        if self.kind != NUMERIC or self.op is None:
            return None
        if self.op in (">=", ">"):
            return HIGHER
        if self.op in ("<=", "<"):
            return LOWER
        return EXACT

    @property
    def number(self) -> float:
        """``value`` of a numeric target; the rules ask it only of targets whose mode is numeric."""
        if self.value is None:
            raise ValueError(f"指标值「{self.raw}」没有数值")
        return self.value

    @property
    def comparison(self) -> str:
        """``op`` of a numeric target (``>=``, ``>``, ``<=``, ``<``, ``=``)."""
        if self.op is None:
            raise ValueError(f"指标值「{self.raw}」没有比较符号")
        return self.op

    @property
    def due(self) -> date:
        """``deadline`` of a deadline target."""
        if self.deadline is None:
            raise ValueError(f"指标值「{self.raw}」没有期限")
        return self.deadline

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def is_money(self) -> bool:
        return self.unit is not None and "元" in self.unit

    @property
    def is_per_unit(self) -> bool:
        """A unit cost or a rate per head/piece/month: 3万元/块, 10元/人/月."""
        return self.unit is not None and "/" in self.unit

    def to_dict(self) -> dict:
        d = asdict(self)
        d["deadline"] = self.deadline.isoformat() if self.deadline else None
        d["start"] = self.start.isoformat() if self.start else None
        return d

    def public_dict(self) -> dict:
        """The shape of ``manage.py parse-targets`` (and ``dump``)."""
        return {
            "raw": self.raw,
            "kind": self.kind,
            "op": self.op,
            "value": self.value,
            "unit": self.unit,
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Target:
        def _d(v):
            return date.fromisoformat(v) if isinstance(v, str) and v else None

        return cls(
            raw=d.get("raw", ""),
            kind=d.get("kind", QUALITATIVE),
            op=d.get("op"),
            value=d.get("value"),
            unit=d.get("unit"),
            deadline=_d(d.get("deadline")),
            start=_d(d.get("start")),
        )


# --------------------------------------------------------------------------- text normalisation

_CHAR_MAP = str.maketrans(
    {
        "≧": "≥",
        "⩾": "≥",
        "≦": "≤",
        "⩽": "≤",
        "═": "=",  # box-drawing double line: some budget systems export "=" as this glyph
        "〓": "=",
        "〜": "-",
        "～": "-",
        "—": "-",
        "–": "-",
        "－": "-",
        "．": ".",
        "。": "",
        "㎡": "平方米",
        "　": "",
    }
)


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs), unify operator glyphs, drop spaces."""
    s = unicodedata.normalize("NFKC", text)
    s = s.translate(_CHAR_MAP)
    s = re.sub(r"\s+", "", s)
    s = s.replace(">=", "≥").replace("=>", "≥").replace("<=", "≤").replace("=<", "≤")
    return s


_PREFIX_OPS: list[tuple[str, str]] = [
    # longest first
    ("大于或等于", ">="),
    ("小于或等于", "<="),
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    ("控制在", "<="),
    ("至少", ">="),
    ("达到", ">="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("≥", ">="),
    ("≤", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
    ("达", ">="),
]
_SUFFIX_OPS: list[tuple[str, str]] = [
    ("及以上", ">="),
    ("或以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("或以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
]

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_PREFIX_RE = "|".join(re.escape(p) for p, _ in _PREFIX_OPS)
_SUFFIX_RE = "|".join(re.escape(p) for p, _ in _SUFFIX_OPS)
# a unit: no digits, no operators, short
_UNIT = r"[^\d≥≤<>=.,]{0,10}?"
_NUMERIC_RE = re.compile(
    rf"^(?:约)?(?P<op>{_PREFIX_RE})?(?:约)?(?P<num>{_NUM})(?P<unit>{_UNIT})(?P<suf>{_SUFFIX_RE})?$"
)
_PREFIX_MAP = dict(_PREFIX_OPS)
_SUFFIX_MAP = dict(_SUFFIX_OPS)

_UNIT_ALIASES = {
    "百分比": "%",
    "百分点": "%",
    "万": "万元",
    "元钱": "元",
    "平米": "平方米",
    "m2": "平方米",
    "㎡": "平方米",
}
# things that look like a unit but say the text is prose, not a number
_BAD_UNIT_CHARS = set("，,;；:：()（）[]【】、的了在和与及或")


def normalise_unit(unit: str) -> str | None:
    u = unit.strip()
    if not u:
        return None
    if u in _UNIT_ALIASES:
        return _UNIT_ALIASES[u]
    # 万/块, 万/台 -> 万元/块 (a per-unit cost in 万元)
    if u.startswith("万/"):
        return "万元" + u[1:]
    return u


# --------------------------------------------------------------------------- dates

_YMD = re.compile(r"(?P<y>\d{4})[年./-](?P<m>\d{1,2})[月./-](?P<d>\d{1,2})日?")
_YM = re.compile(r"(?P<y>\d{4})[年./-](?P<m>\d{1,2})月?(?P<end>底|末)?")
_MD = re.compile(r"(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<end>底|末))?")
_YEAR_END = re.compile(r"^(?:(?P<y>\d{4})年)?(?:年底|年末|年终|年内|当年|本年度?内?|年度内)")
_DEADLINE_WORDS = re.compile(r"^(?:前|之前|以前|底前|完成|前完成|之前完成|内完成|底|末|截止|止|为止)*$")


def _month_end(y: int, m: int) -> date | None:
    if not (1 <= m <= 12 and 1900 <= y <= 2999):
        return None
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _parse_one_date(s: str, year: int, end: bool) -> tuple[date | None, str]:
    """Parse a date at the start of s. Returns (date, rest)."""
    m = _YMD.match(s)
    if m:
        return _safe_date(int(m["y"]), int(m["m"]), int(m["d"])), s[m.end():]
    m = _YM.match(s)
    if m and ("年" in m.group(0) or "." in m.group(0) or "-" in m.group(0)) and m.group(0) != m["y"]:
        y, mo = int(m["y"]), int(m["m"])
        if end or m["end"]:
            return _month_end(y, mo), s[m.end():]
        return _safe_date(y, mo, 1), s[m.end():]
    m = _MD.match(s)
    if m:
        mo = int(m["m"])
        if m["d"]:
            return _safe_date(year, mo, int(m["d"])), s[m.end():]
        if end or m["end"]:
            return _month_end(year, mo), s[m.end():]
        return _safe_date(year, mo, 1), s[m.end():]
    m = _YEAR_END.match(s)
    if m:
        y = int(m["y"]) if m["y"] else year
        return _safe_date(y, 12, 31), s[m.end():]
    return None, s


def _parse_deadline(s: str, year: int) -> tuple[date | None, date | None]:
    """(start, deadline) when s is a date, a month end, a year end or a date range."""
    s = re.sub(r"^(?:于|在|截至|截止到?|到|须|需|应)", "", s).replace("至", "-")
    # range: A-B
    if "-" in s and not re.match(r"^\d{4}-\d{1,2}-\d{1,2}", s):
        left, _, right = s.partition("-")
        d1, rest1 = _parse_one_date(left, year, end=False)
        if d1 and not rest1:
            # the right side may omit the year: 2024年1月-12月, 1月1日-12月31日
            d2, rest2 = _parse_one_date(right, d1.year, end=True)
            if d2 is None and re.fullmatch(r"\d{1,2}", right):
                d2, rest2 = _month_end(d1.year, int(right)), ""
            if d2 and _DEADLINE_WORDS.match(rest2) and d2 >= d1:
                return d1, d2
        return None, None
    d, rest = _parse_one_date(s, year, end=True)
    if d and (_DEADLINE_WORDS.match(rest) or _TASK_AFTER.match(rest)):
        return None, d
    return None, None


# a date followed by 前 and what must be done by then: "12月底前100%到位", "2024年6月30日前完成验收"
_TASK_AFTER = re.compile(r"^(?:前|之前|以前|底前)(?:完成|全部|全额|足额|按时)?[^≥≤<>=]*$")


# --------------------------------------------------------------------------- numbers


def _to_float(num: str) -> float | None:
    try:
        v = float(num.replace(",", ""))
    except ValueError:
        return None
    if v != v or v in (float("inf"), float("-inf")):
        return None
    return v


def _numeric(s: str) -> tuple[str | None, float, str | None] | None:
    m = _NUMERIC_RE.match(s)
    if not m:
        return None
    unit_raw = m["unit"] or ""
    if any(c in _BAD_UNIT_CHARS for c in unit_raw):
        return None
    value = _to_float(m["num"])
    if value is None:
        return None
    op = _PREFIX_MAP.get(m["op"]) if m["op"] else None
    suf = _SUFFIX_MAP.get(m["suf"]) if m["suf"] else None
    if op and suf and (op in (">=", ">")) != (suf in (">=", ">")):
        return None  # contradictory: "不超过90%以上"
    return (suf or op), value, normalise_unit(unit_raw)


def parse_target(raw: object, fiscal_year: int = 2024) -> Target:
    """Parse one 指标值. Never raises."""
    try:
        return _parse_target(raw, fiscal_year)
    except Exception:  # noqa: BLE001 - the contract is "never raises"
        return Target(raw=str(raw) if raw is not None else "")


def _parse_target(raw: object, fiscal_year: int) -> Target:
    text = "" if raw is None else str(raw)
    s = normalise(text)
    if not s:
        return Target(raw=text)
    # a value written in separate cells, e.g. "≥ | 90 | %"
    s = s.replace("|", "")

    start, deadline = _parse_deadline(s, fiscal_year)
    if deadline is not None:
        return Target(raw=text, kind=DEADLINE, deadline=deadline, start=start)

    parsed = _numeric(s)
    if parsed is not None:
        op, value, unit = parsed
        if op is None:
            # bare numbers are exact targets; a bare percentage below 100 is a floor (a rate)
            op = ">=" if unit == "%" and value < 100 else "="
        return Target(raw=text, kind=NUMERIC, op=op, value=value, unit=unit)

    return Target(raw=text)


# --------------------------------------------------------------------------- prose targets

_PROSE_RE = re.compile(
    rf"(?P<op>{_PREFIX_RE})?(?P<num>{_NUM})(?P<unit>%|人次|人|项|次|例|户|元|万元|个|所|家|场|天|小时)?(?P<suf>{_SUFFIX_RE})?"
)


@dataclass(frozen=True, slots=True)
class ProseTarget:
    """A quantitative target found inside a department-level 绩效指标 paragraph."""

    name: str  # the words before the number, e.g. "康复救助残疾人次"
    phrase: str  # the clause it came from
    target: Target


def extract_prose_targets(text: str, fiscal_year: int = 2024) -> list[ProseTarget]:
    """Find targets such as '…不少于71', '…达到90%以上', '…覆盖率100%' in a paragraph."""
    out: list[ProseTarget] = []
    try:
        clean = unicodedata.normalize("NFKC", text or "").replace("\n", "")
        for clause in re.split(r"[，,；;。]", clean):
            clause = clause.strip()
            if not clause:
                continue
            for m in _PROSE_RE.finditer(clause):
                op_word, suf, unit = m["op"], m["suf"], m["unit"]
                rate_like = unit == "%"
                if not (op_word or suf or rate_like):
                    continue
                if op_word == "=" and not unit:
                    continue
                before = clause[: m.start()]
                if before.endswith(("为", "年", "第")) and not op_word:
                    continue  # "为80周岁以上老人", "2024年"
                after = clause[m.end():]
                if after.startswith(("周岁", "岁", "年")):
                    continue
                name = re.sub(r"(在|为|的)$", "", before).strip() or clause
                phrase_target = parse_target(m.group(0), fiscal_year)
                if phrase_target.kind != NUMERIC:
                    continue
                if not op_word and not suf and rate_like:
                    phrase_target = Target(
                        raw=m.group(0), kind=NUMERIC, op=">=", value=phrase_target.value, unit="%"
                    )
                out.append(ProseTarget(name=name, phrase=clause, target=phrase_target))
    except Exception:  # noqa: BLE001
        return out
    return out
