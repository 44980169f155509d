"""Process-wide resources and cached reads for the pages.

The engine is created once per process (``st.cache_resource``). Cached reads take the database's
revision counter as an argument, so a write anywhere (another replica included) invalidates them
at the next rerun.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import queries
from data_access.db import current_revision, make_engine, migrate


@st.cache_resource(show_spinner=False)
def get_engine(url: str | None = None) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def revision() -> int:
    return current_revision(get_engine())


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def projects_frame(rev: int, vis: tuple, year: int | None = None) -> pd.DataFrame:
    """``rev`` is hashed: a write invalidates. ``vis``: components.cached.visibility_key(principal)."""
    from components.cached import project_filter

    return queries.projects_frame(get_engine(), year, project_filter(vis))
