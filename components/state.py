"""Process-wide resources: the engine and the database revision.

The engine is created (and the schema migrated) once per process (``st.cache_resource``). Cached reads
(``components.cached``) take the revision counter as an argument, so a write anywhere (another replica
included) invalidates them at the next rerun.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_access import status_store
from data_access.db import current_revision, make_engine, migrate, revisions


@st.cache_resource(show_spinner=False)
def get_engine(url: str | None = None) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    status_store.enable_background()  # the app process runs the recompute after a change of the rules
    return engine


def revision() -> int:
    return current_revision(get_engine())


def revisions_now() -> tuple[int, int]:
    """(revision, structure revision) in one read (``data_access.db.revisions``): the start of a leadership page."""
    return revisions(get_engine())
