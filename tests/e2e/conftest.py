"""Real-browser fixtures: the app as a subprocess on a free port, headless Chromium, and helpers.

* ``app_server`` (session): a temporary SQLite database initialised with ``python manage.py init`` (2024
  targets, demo data, demo accounts), then ``python -m streamlit run app.py`` on 127.0.0.1 and a free
  port; waits for ``/_stcore/health`` to answer ``ok``. Yields an ``AppServer`` (``url``, ``db_url``,
  ``log()``); stopped (its process group) at the end.
* ``browser`` (session): Debian's Chromium through the Playwright sync API (never ``playwright
  install``). Skips the e2e tests when Playwright or ``/usr/bin/chromium`` is missing.
* ``page`` (test): a fresh context (1600×1000, zh-CN) on the app — no cookies, so not signed in.
* Helpers: ``wait_idle(page)`` waits until the script run has finished, ``login(page, server,
  username, password)``, ``logout(page)``, ``open_page(page, title)`` (a sidebar menu entry).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
VIEWPORT = {"width": 1600, "height": 1000}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    url: str
    db_url: str
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        except OSError:
            return ""


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "APP_ENV", "STREAMLIT_"))}
    env.update({
        "DATABASE_URL": db_url,
        "AUTH_COOKIE_KEY": secrets.token_urlsafe(32),
        "AUTH_LOGIN_SLEEP": "0",
        "PYTHONUNBUFFERED": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    })
    return env


def start_app(tmp_dir: Path, *, db_url: str | None = None, init: bool = True, timeout: float = 90) -> AppServer:
    """Initialise a database (unless ``init=False``) and start the app on a free port."""
    db_url = db_url or f"sqlite:///{tmp_dir / 'e2e.db'}"
    env = _env(db_url)
    if init:
        subprocess.run([sys.executable, "manage.py", "init", "--db", db_url], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=180)
    port = free_port()
    log_path = tmp_dir / f"streamlit-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    server = AppServer(url, db_url, log_path, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_app(server)
    raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{server.log()}")


def stop_app(server: AppServer) -> None:
    proc = server.process
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the process group started for this server only
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    server = start_app(tmp_path_factory.mktemp("e2e_app"))
    yield server
    stop_app(server)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


# --------------------------------------------------------------------------- helpers


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the script run an action started (and the page has settled)."""
    try:
        page.wait_for_selector(RUNNING, timeout=800)
    except Exception:  # noqa: BLE001 - the run may have finished already (or not started: nothing to wait for)
        pass
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(250)
    page.wait_for_selector(IDLE, timeout=timeout)


def _single(page, selector: str, timeout: float = 30_000):
    """The one element matching ``selector`` once Streamlit has removed stale copies from a rerun."""
    loc = page.locator(selector)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        if loc.count() == 1 and loc.first.is_visible():
            return loc.first
        page.wait_for_timeout(100)
    raise AssertionError(f"expected exactly one visible {selector!r}, found {loc.count()}")


def login(page, server: AppServer, username: str, password: str) -> None:
    """Sign in through the login form (the app's first screen)."""
    page.goto(server.url)
    _single(page, "input[aria-label='用户名']")
    wait_idle(page)
    _single(page, "input[aria-label='用户名']").fill(username)
    _single(page, "input[aria-label='密码']").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for()
    wait_idle(page)


def logout(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.get_by_role("button", name="登录").wait_for()


def open_page(page, title: str) -> None:
    """Click a menu entry in the sidebar navigation."""
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    wait_idle(page)
