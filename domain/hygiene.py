"""Input hygiene: what every text, name, number, date and id from a person or a file must satisfy.

Pure code: no Streamlit, no database, no file library. The target importers (``documents.assemble``),
the entry parsers (``domain.entry_values``), the template reader and the save path use these, and the
file writers use :func:`xml_safe` defensively. The rules are in docs/rules.md §10.3.

Definitions chosen here:

* **Invisible characters are stripped, not refused**: C0 controls (U+0000–U+001F) except TAB and LF,
  DEL, C1 controls (U+0080–U+009F), the bidirectional controls U+200E/U+200F, U+202A–U+202E,
  U+2066–U+2069 and U+061C, and the byte-order mark U+FEFF. CR LF and a lone CR become LF. A one-line
  name also turns TAB and LF into a space. Nobody types them on purpose; they come with pasted text
  and can make a name display reversed (RLO) or break an XML file for everyone.
* **Lengths are refused, never cut**: names (project, indicator, unit, 指标值) ≤ :data:`MAX_NAME`
  characters, staff texts (说明, 纠偏措施, 备注, reasons) ≤ ``domain.entry_values.MAX_TEXT`` (500), the
  long texts of a target document (用途, 目标, 描述) ≤ :data:`MAX_DOC_TEXT`.
* **Numbers** are finite with ``|x| <`` :data:`MAX_NUMBER` (1万亿: no amount in 万元 and no count comes
  near it); a percentage at most :data:`MAX_PERCENT`.
* **Ids** are whole numbers in 1 .. 2**63 - 1 (a database integer); anything else is no id.
* **Dates** written in a text (``2024年2月30日``, ``2024-02-30``, ``2月30日``) must exist: such a text
  is refused with the date named, never taken for prose.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

MAX_NAME = 200
MAX_DOC_TEXT = 5000
MAX_NUMBER = 1e12  # 1万亿
MAX_PERCENT = 1e6
MAX_ID = 2**63 - 1

_INVISIBLE = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)))
_INVISIBLE += "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_DROP = str.maketrans("", "", _INVISIBLE)
_ONE_LINE = str.maketrans({"\t": " ", "\n": " "})
# XML 1.0 allows TAB, LF, CR and U+0020 upwards except the surrogates and U+FFFE/U+FFFF
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class HygieneError(ValueError):
    """A value refused by the hygiene rules; ``str(e)`` is the Chinese message (with the label)."""


def strip_invisible(text: str, multiline: bool = True) -> str:
    """``text`` without control, bidi and BOM characters (CR LF -> LF); ``multiline=False`` also turns
    TAB and LF into spaces. Nothing else changes."""
    s = text.replace("\r\n", "\n").replace("\r", "\n").translate(_DROP)
    return s if multiline else s.translate(_ONE_LINE)


def xml_safe(value: Any) -> Any:
    """A string without the characters XML 1.0 cannot hold (for the xlsx/docx writers); other values
    are returned unchanged."""
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub("", value)
    return value


def clean_name(value: Any, label: str, max_chars: int = MAX_NAME) -> str:
    """A one-line name: invisible characters stripped, trimmed, at most ``max_chars`` characters."""
    s = strip_invisible(str(value or ""), multiline=False).strip()
    if len(s) > max_chars:
        raise HygieneError(f"{label}：最多{max_chars}字（当前{len(s)}字）")
    return s


def clean_long_text(value: Any, label: str, max_chars: int = MAX_DOC_TEXT) -> str:
    """A text that may span lines: invisible characters stripped, trimmed, at most ``max_chars``."""
    s = strip_invisible(str(value or "")).strip()
    if len(s) > max_chars:
        raise HygieneError(f"{label}：最多{max_chars}字（当前{len(s)}字）")
    return s


def number_problem(value: float | None, label: str, percent: bool = False) -> str | None:
    """None when ``value`` is empty or a sane number, else the Chinese message."""
    if value is None:
        return None
    if math.isnan(value) or math.isinf(value):
        return f"{label}：不是有限的数字"
    if abs(value) >= MAX_NUMBER:
        return f"{label}：数字{value:g}超出范围（绝对值须小于1万亿）"
    if percent and value > MAX_PERCENT:
        return f"{label}：百分数{value:g}%超出范围（最大{MAX_PERCENT:g}%）"
    return None


def as_id(value: Any) -> int | None:
    """A database id (1 .. 2**63 - 1) from an int, a whole float or digits; None for anything else
    (``1e308``, ``-1``, ``1.5``, ``abc``, ``True``) — never an OverflowError."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value) or abs(value) > MAX_ID:
            return None
        n = int(value)
    else:
        s = str(value).strip()
        if s.endswith(".0"):
            s = s[:-2]
        if not s.isascii() or not s.isdigit() or len(s) > 19:
            return None
        n = int(s)
    return n if 1 <= n <= MAX_ID else None


_NUMBER_IN_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?")
_YMD = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
_MD = re.compile(r"(?<![\d年./-])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YM = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _exists(year: int | None, month: int, day: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    leap = year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
    return 1 <= day <= (_DAYS[month - 1] if month != 2 or leap else 28)


def text_problem(text: str, label: str) -> str | None:
    """None when a target text's numbers and dates are sane, else the Chinese message: a number in
    exponent form or of 1万亿 and more (``≥1e308所``), a date that does not exist (``2024年2月30日``,
    ``2024年13月``)."""
    text = unicodedata.normalize("NFKC", text or "")
    for m in _YMD.finditer(text):
        if not _exists(int(m[1]), int(m[2]), int(m[3])):
            return f"{label}：日期“{m[0].strip()}”不存在"
    for m in _MD.finditer(text):
        if not _exists(None, int(m[1]), int(m[2])):
            return f"{label}：日期“{m[0].strip()}”不存在"
    for m in _YM.finditer(text):
        if not _exists(int(m[1]), int(m[2]), None):
            return f"{label}：日期“{m[0].strip()}”不存在"
    for m in _NUMBER_IN_TEXT.finditer(text):
        raw = m[0]
        if "e" in raw.lower():
            return f"{label}：数字“{raw[:20]}”不能用科学计数法"
        try:
            value = float(raw.replace(",", ""))
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        if value >= MAX_NUMBER:
            return f"{label}：数字“{raw[:20]}{'…' if len(raw) > 20 else ''}”超出范围（须小于1万亿）"
    return None


__all__ = ["MAX_NAME", "MAX_DOC_TEXT", "MAX_NUMBER", "MAX_PERCENT", "MAX_ID", "HygieneError", "strip_invisible",
           "xml_safe", "clean_name", "clean_long_text", "number_problem", "as_id", "text_problem"]
