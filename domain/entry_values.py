"""Typed values of the 填报 grid and of imported files: the one parser family both go through.

Pure code: no Streamlit, no database. ``domain.entry`` validates whole rows with these; the grid's
value cells are plain text (``components.entry_columns`` shows stored values with
:func:`format_number` / :func:`format_date`), so what a person types reaches :func:`parse_number` /
:func:`parse_date` unchanged, exactly like a CSV or Excel cell.

Definitions chosen here:

* Every refusal is an :class:`EntryValueError` whose text is a complete Chinese sentence starting
  with the field's label and quoting what was typed (``当前完成值：“12abc”不是数字``).
* Numbers: NFKC first (full-width digits, signs, comma, percent sign), then surrounding spaces,
  thousands separators (``1,234``; ``1,23`` is refused) and a trailing unit only when it is the
  indicator's unit (``2400人次``, ``90%`` for a % indicator, ``15万`` / ``15万元`` for 万元). No
  exponents, no ``nan``/``inf``, nothing beyond ``MAX_NUMBER``. The sign is kept: a negative is refused
  by the range checks with a message, never flipped.
* Dates: year first only (``2024-08-15``, ``2024/8/15``, ``2024.8.15``, ``2024年8月15日``); a date
  that does not exist or any other form is refused with ``请按YYYY-MM-DD填写``.
* Canonical text: ``format_number`` writes no exponent and no trailing ``.0`` (``9000``, ``12.5``),
  ``format_date`` ISO (``2024-08-15``); both read back to the stored value.
* Texts are trimmed and at most ``MAX_TEXT`` characters; a longer text is refused, never cut.
  Control, bidi and BOM characters are stripped from every text and number first (``domain.hygiene``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.hygiene import MAX_NUMBER as HYGIENE_MAX_NUMBER
from domain.hygiene import strip_invisible
from domain.status import JUDGEMENTS, LIKELIHOODS, REASON_CATEGORIES, normalise_judgement, normalise_likelihood
from domain.status.words import EDGE_PUNCTUATION

MAX_TEXT = 500


class EntryValueError(ValueError):
    """A typed value that cannot be understood; ``str(e)`` is the Chinese message (with the label)."""


# --------------------------------------------------------------------------- empties


def is_blank(value: Any) -> bool:
    """None, NaN/NaT, '' and whitespace, an empty list."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) == 0
    try:  # pandas NaT / NA, numpy nan
        if value != value:  # noqa: PLR0124
            return True
    except Exception:  # noqa: BLE001 - arrays compare element-wise
        pass
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return False


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", strip_invisible(str(value))).strip()


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
# signs NFKC leaves alone: the minus sign and the dashes a phone keyboard offers
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
# no indicator value or amount (万元) comes near this; beyond it is a slip (or 1e400 pasted from somewhere)
MAX_NUMBER = HYGIENE_MAX_NUMBER  # 1万亿


def shown(value: Any, limit: int = 20) -> str:
    """What was typed, as quoted back in a message (trimmed, cut after ``limit`` characters)."""
    s = str(value).strip()
    return s if len(s) <= limit else s[:limit] + "…"


def _strip_unit(s: str, unit: str) -> tuple[str, bool]:
    """The number part of ``s`` and whether it carried a percent sign. A trailing unit is taken off
    only when it is the indicator's unit (``2400人次``; ``15万`` for 万元)."""
    if s.endswith("%"):
        return s[:-1].rstrip(), True
    if unit and unit != "%" and s.endswith(unit) and len(s) > len(unit):
        return s[: -len(unit)].rstrip(), False
    if unit.startswith("万元") and s.endswith("万") and len(s) > 1:
        return s[:-1].rstrip(), False
    return s, False


def parse_number(value: Any, label: str = "数值", unit: str | None = None) -> float | None:
    """A typed number or ``None`` for an empty cell — the one number parser of the grid and of files.

    Accepts numbers and text after NFKC (full-width digits, signs, comma, percent sign): surrounding
    spaces, thousands separators (``1,234``), a trailing unit equal to ``unit`` (``2400人次``; ``90%``
    only when ``unit`` is ``%``; ``15万`` / ``15万元`` for 万元). Refuses anything else (``12abc``,
    ``1e3``, ``nan``), a non-finite number and one beyond ``MAX_NUMBER`` with
    :class:`EntryValueError` (``当前完成值：“12abc”不是数字``). The sign is kept: negatives are refused
    by :func:`check_number_range` / :func:`check_spending_row`, never flipped.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise EntryValueError(f"{label}：“{'是' if value else '否'}”不是数字")
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        try:
            f = float(value)
        except OverflowError:  # an int of hundreds of digits (an Excel cell can hold one)
            raise EntryValueError(f"{label}：“{shown(value)}”超出可填写的范围（绝对值须小于1万亿）") from None
        except (TypeError, ValueError):
            raise EntryValueError(f"{label}：“{shown(value)}”不是数字") from None
        if math.isnan(f):
            return None
        return _finite(f, value, label)
    raw = str(value)
    s = unicodedata.normalize("NFKC", strip_invisible(raw, multiline=False)).translate(_MINUS).strip()
    u = unicodedata.normalize("NFKC", unit or "").replace(" ", "")
    s, percent = _strip_unit(s, u)
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise EntryValueError(f"{label}：“{shown(raw)}”不是数字")
    if percent and u != "%":
        raise EntryValueError(f"{label}：本指标单位为{unit or '数量'}，不能填百分数“{shown(raw)}”")
    return _finite(float(s), raw, label)


def _finite(f: float, raw: Any, label: str) -> float:
    if math.isinf(f) or math.isnan(f):
        raise EntryValueError(f"{label}：“{shown(raw)}”不是有限的数字")
    if abs(f) >= MAX_NUMBER:
        raise EntryValueError(f"{label}：“{shown(raw)}”超出可填写的范围（绝对值须小于1万亿）")
    return f + 0.0  # -0.0 -> 0.0


def format_number(value: float | None) -> str:
    """The canonical text of a stored number (what the grid shows; :func:`parse_number` reads it back
    to the same float): ``9000``, ``12.5``, ``0.00001`` — never an exponent, never a trailing ``.0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    f = float(value)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    text = format(Decimal(repr(f)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_number_range(value: float | None, label: str, unit: str | None,
                       target_value: float | None, typed: Any = None) -> str | None:
    """None when fine, else the Chinese message: no negatives, rates within 0–100%. ``typed`` (what
    was typed, quoted in the message) defaults to the number."""
    if value is None:
        return None
    what = shown(typed) if typed is not None and not is_blank(typed) else f"{value:g}"
    if value < 0 and not (target_value is not None and target_value < 0):
        return f"{label}：“{what}”不能为负数"
    if unit == "%" and value > 100 and not (target_value is not None and target_value > 100):
        return f"{label}：比率须在0–100%之间（填写的是“{what}”）"
    return None


# --------------------------------------------------------------------------- dates

# only unambiguous forms: the year first (a time after an ISO date comes from CSV/Excel exports)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
DATE_HINT = "请按YYYY-MM-DD填写"


def parse_date(value: Any, label: str = "完成日期", year: int | None = None) -> date | None:
    """``2024-09-30``, ``2024/9/30``, ``2024.9.30``, ``2024年9月30日`` (or a date) -> date; inside
    ``year`` if given. Day-first or month-first forms (``15082024``, ``08/15/2024``) and dates that do
    not exist (``2024-02-30``) are refused (``……，请按YYYY-MM-DD填写``), never guessed."""
    if is_blank(value):
        return None
    d: date | None = None
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    elif hasattr(value, "to_pydatetime"):  # pandas Timestamp
        d = value.to_pydatetime().date()
    else:
        s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        for pat in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise EntryValueError(f"{label}：日期不存在“{shown(value)}”，{DATE_HINT}") from None
                break
        if d is None:
            raise EntryValueError(f"{label}：无法识别日期“{shown(value)}”，{DATE_HINT}（如2024-09-30）")
    if year is not None and d.year != year:
        raise EntryValueError(f"{label}：须在{year}年度内（填写的是{d.isoformat()}）")
    return d


def format_date(value: date | None) -> str:
    """The canonical text of a stored date: ``2024-08-15``."""
    if value is None or is_blank(value):
        return ""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


# --------------------------------------------------------------------------- words


def parse_judgement(value: Any, label: str = "完成情况") -> str | None:
    """达成 / 部分达成 / 未达成 / 进行中 (common synonyms like 已完成 accepted)."""
    if is_blank(value):
        return None
    j = normalise_judgement(_text(value))
    if j is None:
        raise EntryValueError(f"{label}：不认识「{_text(value)}」，可选 {'/'.join(JUDGEMENTS)}")
    return j


def judgement_wording(typed: Any, judgement: str | None, stored: Any = None) -> str | None:
    """The wording to keep beside a judgement (docs/rules.md §4.7): what was typed when it is not the
    judgement word itself (「达成年度指标」 for 达成). The word itself keeps an earlier stored wording
    that means the same judgement (the grid shows and re-sends the word); anything else keeps none."""
    if judgement is None or is_blank(typed):
        return None
    text = "".join(_text(typed).split())
    if text.strip(EDGE_PUNCTUATION) != judgement:
        return text
    if not is_blank(stored) and normalise_judgement(_text(stored)) == judgement:
        return "".join(_text(stored).split())
    return None


def parse_likelihood(value: Any, label: str = "完成可能性") -> str | None:
    """确定能 / 有可能 / 完全不可能."""
    if is_blank(value):
        return None
    lk = normalise_likelihood(_text(value))
    if lk is None:
        raise EntryValueError(f"{label}：不认识「{_text(value)}」，可选 {'/'.join(LIKELIHOODS)}")
    return lk


_REASON_SPLIT = re.compile(r"[;；、,，/\s]+")
_REASON_ALIASES = {"其它": "其他"}


def parse_reasons(value: Any, label: str = "偏差原因") -> tuple[str, ...]:
    """A list, or text joined with ';' '、' ',' -> categories in canonical order (deduplicated).
    Every item must be one of REASON_CATEGORIES."""
    if is_blank(value):
        return ()
    if isinstance(value, str):
        items = _REASON_SPLIT.split(unicodedata.normalize("NFKC", value))
    elif isinstance(value, Iterable):
        items = []
        for v in value:
            if not is_blank(v):
                items.extend(_REASON_SPLIT.split(unicodedata.normalize("NFKC", str(v))))
    else:
        items = [str(value)]
    items = [_REASON_ALIASES.get(i.strip(), i.strip()) for i in items if i and i.strip()]
    bad = [i for i in items if i not in REASON_CATEGORIES]
    if bad:
        raise EntryValueError(f"{label}：不认识「{'、'.join(dict.fromkeys(bad))}」，可选 {'/'.join(REASON_CATEGORIES)}")
    have = set(items)
    return tuple(c for c in REASON_CATEGORIES if c in have)


def join_reasons(reasons: Iterable[str]) -> str:
    """The stored form: categories joined with ';'."""
    return ";".join(reasons)


def split_reasons(text: str | None) -> tuple[str, ...]:
    """The stored form back to a tuple (unknown words are kept, never dropped)."""
    return tuple(r for r in (text or "").split(";") if r)


def clean_text(value: Any, label: str, max_chars: int = MAX_TEXT) -> str:
    """Trimmed text ('' for empty) without invisible control and bidi characters (``domain.hygiene``:
    line breaks and tabs are kept); longer than ``max_chars`` is refused."""
    if is_blank(value):
        return ""
    s = strip_invisible(str(value)).strip()
    if len(s) > max_chars:
        raise EntryValueError(f"{label}：最多{max_chars}字（当前{len(s)}字）")
    return s


__all__ = [
    "MAX_TEXT", "MAX_NUMBER", "DATE_HINT", "EntryValueError", "is_blank", "shown", "parse_number",
    "format_number", "check_number_range", "parse_date", "format_date", "parse_judgement", "judgement_wording",
    "parse_likelihood",    "parse_reasons", "join_reasons", "split_reasons", "clean_text",
]
