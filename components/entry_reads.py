"""填报's reads that do not depend on what is being typed, cached on the data revision like the
leadership views' (``components.cached``): the reporting periods with their lock states,
the period filled by default, and the projects the person may fill. Uncached they were the page's
largest cost at city scale (counts over every entered value, every project of the year, on each rerun
while typing).

Definitions chosen here: the revision is bumped by every write (locks, deadlines and account changes
included), so a cached answer is never older than the data; the default period also keys on today's
date (it moves with the calendar, not with the data); the projects key on the account's name (its
role and units are read with it, and a change of them bumps the revision).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from components.cached import read_cache
from components.state import get_engine
from data_access import actuals as A
from data_access.permissions import Principal


@read_cache(16)
def periods(rev: int, year: int) -> list[A.PeriodState]:
    """The year's periods of the reporting cycle set on 设置 (quarters or months)."""
    engine = get_engine()
    return A.period_states(engine, year, A.reporting_kind(engine), with_counts=False)


@read_cache(16)
def default_period(rev: int, year: int, today: date) -> str | None:
    return A.default_entry_period(get_engine(), year, today=today)


@read_cache()
def editable_projects(structure_rev: int, username: str, year: int, _principal: Principal) -> pd.DataFrame:
    """(id, name, unit_id, unit) of the projects ``_principal`` (the account ``username``) may fill. Keyed on
    ``data_access.db.structure_revision``: a values save changes none of them (an account's units, a
    project's unit or a new project move it)."""
    return A.editable_projects(get_engine(), _principal, year)


__all__ = ["periods", "default_period", "editable_projects"]
