"""No N+1 queries: the number of SQL statements one run of a page sends does not grow with the number of
projects.

Two databases with synthetic data (``seed.synth``: 10 and 60 projects, 8 indicators each, four quarters
of values, the same four departments). Every page is opened through the real ``app.py`` in a fresh
AppTest with empty Streamlit caches (the cold run, where every cached read goes to the database) and
then rerun (the warm run); the statements are counted with a ``before_cursor_execute`` listener on the
app's engine (``components.state.get_engine``). Both counts must be the same for 60 projects as for 10
— a query per project, indicator or row would make them grow six-fold.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import streamlit as st
from sqlalchemy import event

from components import navigation
from data_access.permissions import SYSTEM_ADMIN

ADMIN_PAGES = [p.path for p in navigation.PAGES]
STAFF_PAGES = [p.path for p in navigation.pages_for_role("staff")]
SIZES = (10, 60)
STAFF = "qc_staff"


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """{projects: SQLite URL} with the synthetic data, the demo accounts and a staff account for the
    first two departments."""
    from data_access.bulk import load_city
    from data_access.db import make_engine, migrate
    from data_access.users import create_user
    from seed.demo_users import ensure_demo_users
    from seed.synth import generate_city

    out = {}
    for n in SIZES:
        url = f"sqlite:///{tmp_path_factory.mktemp(f'qc{n}') / 'app.db'}"
        engine = make_engine(url)
        migrate(engine)
        data = generate_city(departments=4, projects=n, indicators=8 * n, periods=4, seed=3)
        load_city(engine, data)
        ensure_demo_users(engine)
        create_user(engine, STAFF, "staff", "qc-staff-password-1", name="科员", units=data.units[:2], by=SYSTEM_ADMIN)
        engine.dispose()
        out[n] = url
    return out


def _statements(monkeypatch, new_app, url: str, username: str, page: str) -> tuple[list[str], list[str]]:
    """(cold, warm): the statements of a first run of ``page`` with empty caches, and of a rerun."""
    from components.auth import SESSION_KEY
    from components.state import get_engine
    from data_access.db import make_engine
    from data_access.sessions import start_session
    from data_access.users import get_user_with_units

    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = make_engine(url)
    info = get_user_with_units(engine, username)
    token = start_session(engine, info.username)  # the server-side session a password sign-in starts
    engine.dispose()
    app_engine = get_engine()  # the engine app.py will get (cached per process, created and migrated here)
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(app_engine, "before_cursor_execute", count)
    try:
        at = new_app()
        at.session_state["authentication_status"] = True
        at.session_state["username"] = info.username
        at.session_state["name"] = info.name
        at.session_state["roles"] = [info.role]
        at.session_state[SESSION_KEY] = token
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        assert not any(t.label == "密码" for t in at.text_input), "the login form, not the page, was measured"
        cold = list(seen)
        seen.clear()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        warm = list(seen)
    finally:
        event.remove(app_engine, "before_cursor_execute", count)
        st.cache_data.clear()
        st.cache_resource.clear()
    return cold, warm


def _difference(small: list[str], large: list[str]) -> str:
    """The statements whose count differs (shortened), for the failure message."""
    a = Counter(re.sub(r"\s+", " ", s)[:200] for s in small)
    b = Counter(re.sub(r"\s+", " ", s)[:200] for s in large)
    return "\n".join(f"{a[k]} -> {b[k]}: {k}" for k in sorted(set(a) | set(b)) if a[k] != b[k])


def _check(monkeypatch, new_app, databases, username: str, page: str) -> None:
    runs = {n: _statements(monkeypatch, new_app, databases[n], username, page) for n in SIZES}
    (cold_s, warm_s), (cold_l, warm_l) = runs[SIZES[0]], runs[SIZES[1]]
    assert cold_s, "no statement counted: the listener is not on the app's engine"
    assert len(cold_l) <= len(cold_s), (
        f"{page}: {len(cold_s)} statements for {SIZES[0]} projects, {len(cold_l)} for {SIZES[1]}\n"
        + _difference(cold_s, cold_l))
    assert len(warm_l) <= len(warm_s), (
        f"{page} (rerun): {len(warm_s)} statements for {SIZES[0]} projects, {len(warm_l)} for {SIZES[1]}\n"
        + _difference(warm_s, warm_l))


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_statements_per_page_do_not_grow_with_the_projects_admin(monkeypatch, new_app, databases, page):
    _check(monkeypatch, new_app, databases, "admin", page)


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_statements_per_page_do_not_grow_with_the_projects_staff(monkeypatch, new_app, databases, page):
    _check(monkeypatch, new_app, databases, STAFF, page)


def test_the_page_list_covers_the_leadership_entry_and_admin_pages():
    pages = {p.split("/")[-1] for p in ADMIN_PAGES}
    assert {"overview.py", "risks.py", "project.py", "meeting.py", "reporting.py", "entry.py", "targets.py",
            "admin_settings.py"} <= pages
