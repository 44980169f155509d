"""How submitted and stored values are compared, and how they are written into the audit trail.

Definitions chosen here:

* Two values are "the same" after normalising: empty -> None, reasons -> a tuple, numbers -> float
  (compared with a relative tolerance of 1e-12), datetimes -> their date, text -> stripped.
* :func:`fmt_value` is the one text form of a value in the audit trail (and in old/new previews):
  whole numbers without ``.0``, dates in ISO form, reasons joined with ';', nothing as ``None``.
* A row's ``version`` is an integer, ``None`` (no value existed when it was loaded) or
  ``domain.entry.ANY_VERSION`` (no check, for files without versions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from data_access.models import IndicatorActual, SpendingActual
from domain import entry as E
from domain.entry import ANY_VERSION
from domain.hygiene import as_id


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def norm_cmp(key: str, v: Any) -> Any:
    """Comparable form of a stored or typed value (empty -> None, reasons -> tuple, numbers -> float)."""
    if E.is_blank(v):
        return None
    if key == E.REASONS:
        try:
            return E.parse_reasons(v) or None
        except E.EntryValueError:
            return str(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, str):
        return v.strip()
    return v


def unreadable(given: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Something was typed that did not survive parsing (text in a number cell, a negative count, an
    over-long text): such a row is reported, never taken for "unchanged"."""
    return any(not E.is_blank(v) and E.is_blank(new.get(k)) for k, v in given.items())


def fmt_value(v: Any) -> str | None:
    """How a value is written into the audit trail and shown as old/new."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return E.join_reasons(v)
    return str(v)


def as_int(v: Any) -> int | None:
    """A row's id or version: a database integer (``domain.hygiene.as_id``), None for anything else
    (``1e308`` or a 30-digit number is no id, never an OverflowError from the database)."""
    if E.is_blank(v):
        return None
    return as_id(v)


def version_of(row: Mapping[str, Any]) -> Any:
    v = row.get("version")
    if v is ANY_VERSION:
        return ANY_VERSION
    return as_int(v)


def record(a: IndicatorActual | SpendingActual | None, fields: Sequence[str]) -> dict[str, Any]:
    if a is None:
        return {k: None for k in fields}
    return {k: getattr(a, k) for k in fields}
