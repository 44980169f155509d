"""The one clock: times are stored in UTC and shown in the bureau's time zone.

Definitions chosen here:

* Every timestamp written to the database is timezone-aware UTC (:func:`utcnow`). SQLite hands naive
  datetimes back; :func:`aware` reads a naive value as UTC.
* The bureau's time zone is China Standard Time (UTC+8, no daylight saving): :data:`BEIJING`. "Today"
  for deadlines, overdue days and default periods is the date in Beijing (:func:`today_local`).
* On screen and in exports a time is ``YYYY-MM-DD HH:MM`` in Beijing time (:func:`format_time`); an
  empty value is ``""``.

Pure: no Streamlit, no database. Pass ``now=`` to make a function deterministic in tests.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, overload

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M"


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def aware(dt: datetime | None) -> datetime | None:
    """``dt`` with a time zone: a naive value (as SQLite returns it) is read as UTC."""
    if dt is None:
        return None
    return dt if dt.utcoffset() is not None else dt.replace(tzinfo=UTC)


@overload
def to_local(dt: datetime) -> datetime: ...
@overload
def to_local(dt: None) -> None: ...
def to_local(dt: datetime | None) -> datetime | None:
    """``dt`` in Beijing time (naive values read as UTC)."""
    dt = aware(dt)
    return dt.astimezone(BEIJING) if dt is not None else None


def today_local(now: datetime | None = None) -> date:
    """Today's date in Beijing."""
    local = to_local(now or utcnow())
    assert local is not None
    return local.date()


def local_day_start_utc(d: date) -> datetime:
    """The UTC instant at which the Beijing day ``d`` begins (for "since"/"until" filters on stored times)."""
    return datetime.combine(d, time.min, BEIJING).astimezone(UTC)


def format_time(value: Any) -> str:
    """``'2024-10-12 18:30'`` in Beijing time; ``''`` for None/NaN/NaT.

    Accepts a ``datetime`` (naive = UTC), a pandas ``Timestamp`` (a ``datetime`` subclass) or an ISO string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        if not value:
            return ""
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value[:16].replace("T", " ")
    if not isinstance(value, datetime):
        return ""
    if value != value:  # pandas NaT
        return ""
    local = to_local(value)
    return local.strftime(TIME_FORMAT) if local is not None else ""


__all__ = ["BEIJING", "TIME_FORMAT", "utcnow", "aware", "to_local", "today_local", "local_day_start_utc",
           "format_time"]
