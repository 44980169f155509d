"""AppTest fixtures: every test gets its own SQLite database and empty Streamlit caches.

``DATABASE_URL`` points at a fresh file, ``AUTH_LOGIN_SLEEP=0`` removes the login library's delay, and
the other settings of ``data_access.config`` from the outer environment are cleared. The app creates the demo accounts on the
empty database (admin / leader / jiaoyu / weijian, see ``seed/demo_users.py``).

Use ``new_app()`` for an ``AppTest`` of ``app.py`` and ``sign_in(at, "jiaoyu")`` to skip the login form
(it seeds ``authentication_status``, ``username``, ``name``, ``roles`` like the login library does).
``production()`` switches to ``APP_ENV=production`` with strong secrets (or the ones given), and
``cookie(raw)`` makes the browser send ``raw`` as the re-login cookie.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
APP = ROOT / "app.py"


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _isolated_app(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AUTH_LOGIN_SLEEP", "0")
    from data_access.config import ALL_NAMES

    for name in ALL_NAMES:
        if name not in ("DATABASE_URL", "AUTH_LOGIN_SLEEP"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)
    _clear_streamlit_caches()
    yield url
    _clear_streamlit_caches()


@pytest.fixture
def app_db_url(_isolated_app) -> str:
    return _isolated_app


@pytest.fixture
def app_engine(app_db_url):
    """An engine on the app's database (schema created), for arranging and checking data."""
    from data_access.db import make_engine, migrate

    eng = make_engine(app_db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def new_app():
    from streamlit.testing.v1 import AppTest

    def make() -> AppTest:
        # AppTest resolves a relative path against the calling file: give it the absolute app.py
        return AppTest.from_file(str(APP), default_timeout=30)

    return make


STRONG_KEY = "xT_I4k2ouTHVG39o-HEwLXNY9hkB51Gj7kyLcQbJbReXZn5tOe8JIjPJldXwCzSB"  # secrets.token_urlsafe(48)
STREAMLIT_SECRET = "MB0YZlvlN4QKgTqHGoNqiMeQzzWBRa0N385B6V3rhKEBjw_nb9QXOMH2bc1otRkq"


@pytest.fixture
def production(monkeypatch):
    """``production(key=...)``: APP_ENV=production with that AUTH_COOKIE_KEY and a strong Streamlit secret."""

    def setup(key: str | None = STRONG_KEY, streamlit_secret: str | None = STREAMLIT_SECRET) -> None:
        monkeypatch.setenv("APP_ENV", "production")
        for name, value in (("AUTH_COOKIE_KEY", key), ("STREAMLIT_SERVER_COOKIE_SECRET", streamlit_secret)):
            if value is not None:
                monkeypatch.setenv(name, value)

    return setup


@pytest.fixture
def cookie(monkeypatch):
    """``cookie(raw)``: the browser sends ``raw`` as the re-login cookie (AppTest cannot send cookies, so
    ``components.auth.browser_cookie`` is replaced); returns the list of cookie deletions, which records
    ``components.auth._delete_cookie`` calls."""
    import components.auth as auth

    deleted: list[bool] = []
    monkeypatch.setattr(auth, "_delete_cookie", lambda authenticator: deleted.append(True))

    def present(raw: str | None) -> list[bool]:
        monkeypatch.setattr(auth, "browser_cookie", lambda name: raw if name == "jxsjk_auth" else None)
        return deleted

    return present


@pytest.fixture
def sign_in(app_engine):
    """``sign_in(at, username)``: seed the session as if the user had signed in with a password: the login
    library's keys and a server-side session (``data_access.sessions``). The demo accounts are created first
    when the database has no user; the user must exist and be active."""
    from components.auth import SESSION_KEY
    from data_access.sessions import start_session
    from data_access.users import get_user_with_units
    from seed.demo_users import ensure_demo_users

    def do(at, username: str):
        ensure_demo_users(app_engine)
        info = get_user_with_units(app_engine, username)
        assert info is not None, f"no user {username!r} in the test database"
        at.session_state["authentication_status"] = True
        at.session_state["username"] = info.username
        at.session_state["name"] = info.name
        at.session_state["roles"] = [info.role]
        at.session_state[SESSION_KEY] = start_session(app_engine, info.username)
        return at

    return do


@pytest.fixture
def demo(app_engine):
    """The app database with the 2024 targets and the demo values (the leadership pages' tests)."""
    from seed.demo import load_demo_data
    from seed.loader import load_seed_if_empty

    load_seed_if_empty(app_engine)
    load_demo_data(app_engine)
    return app_engine


@pytest.fixture
def open_as(new_app, sign_in, demo):
    """``open_as(username, page)``: a signed-in AppTest on that page (after the default page ran)."""

    def do(username: str, page: str):
        at = sign_in(new_app(), username).run()
        assert not at.exception, at.exception
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return do
