"""Where the single ``actual`` / ``projected`` columns of a file go, by indicator mode (CSV and the
template's generic columns). Pure: the field names come from :mod:`domain.entry`."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from domain.entry import ACTUAL, DATE, JUDGEMENT, PROJECTED, PROJECTED_JUDGEMENT, is_blank
from domain.status import ACCUMULATING, CAP, LEVEL, MODE_DEADLINE

_LOOKS_LIKE_DATE = re.compile(r"^\s*\d{4}\s*[-/.年]")


def route_generic_values(mode: str, actual: Any = None, projected: Any = None) -> dict[str, Any]:
    """A file's single ``actual``/``projected`` columns -> the typed fields of this indicator mode.

    Numeric: numbers. Deadline: a date (``2024-09-30``) is the completion date, a word (进行中) the
    judgement; the projection is a judgement. Qualitative: judgements. Blank cells are left out.
    """
    out: dict[str, Any] = {}
    if mode in (ACCUMULATING, LEVEL, CAP):
        if not is_blank(actual):
            out[ACTUAL] = actual
        if not is_blank(projected):
            out[PROJECTED] = projected
        return out
    if not is_blank(actual):
        if mode == MODE_DEADLINE and (isinstance(actual, (date, datetime)) or _LOOKS_LIKE_DATE.match(
                unicodedata.normalize("NFKC", str(actual)))):
            out[DATE] = actual
        else:
            out[JUDGEMENT] = actual
    if not is_blank(projected):
        out[PROJECTED_JUDGEMENT] = projected
    return out
