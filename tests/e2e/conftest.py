"""Real-browser fixtures: the app as a subprocess on a free port, headless Chromium, and helpers.

* ``app_server`` (session, parametrized ``sqlite`` / ``postgres``): a fresh database — a temporary SQLite
  file, or a new database on ``TEST_POSTGRES_URL`` (skipped when that server is unreachable, failed when
  ``REQUIRE_POSTGRES=1``; dropped at the end) — initialised with ``python manage.py init --db URL`` (2024
  targets, demo data, demo accounts), then ``python -m streamlit run app.py`` on 127.0.0.1 and a free
  port; waits for ``/_stcore/health`` to answer ``ok``. Yields an ``AppServer`` (``url``, ``db_url``,
  ``kind``, ``log()``); stopped (its process group) at the end. Every test that uses it runs once per
  database; pytest groups the tests by database, so each server starts once per session (and worker).
  Tests marked ``writes_demo_data`` run last on each server, so the others see the untouched demo data.
* ``browser`` (session): Debian's Chromium through the Playwright sync API (never ``playwright
  install``). Skips the e2e tests when Playwright or ``/usr/bin/chromium`` is missing.
* ``page`` (test): a fresh context (1600×1000, zh-CN) on the app — no cookies, so not signed in.
* Helpers: ``wait_idle(page)`` waits until the script run has finished, ``login(page, server,
  username, password)``, ``logout(page)``, ``open_sidebar(page)``, ``open_page(page, title)`` (a sidebar menu entry),
  ``choose(page, label, option)`` (a selectbox), ``shot_dir(tmp_path, server)`` (screenshots).
* Grids (``st.dataframe`` / ``st.data_editor`` draw on a canvas; the text comes from the grid's hidden
  accessibility table): ``grid_headers``, ``grid_row``, ``select_grid_cell``, ``grid_cell_text``,
  ``type_into_cell``.
* Flows shared by several tests: ``entry_grid`` / ``save_entry`` (填报 as staff) and
  ``project_indicators`` (项目详情 → 绩效指标).
"""

from __future__ import annotations

import os
import re
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
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import _create_pg_db, _drop_pg_db, _pg_url

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
VIEWPORT = {"width": 1600, "height": 1000}
SHOTS = ROOT / "docs" / "screenshots"


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

    @property
    def kind(self) -> str:
        """``"postgres"`` or ``"sqlite"``: the database behind this server."""
        return "postgres" if self.db_url.startswith("postgresql") else "sqlite"

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        except OSError:
            return ""


def _env(db_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "APP_ENV", "STREAMLIT_"))}
    env.update({
        "DATABASE_URL": db_url,
        "AUTH_COOKIE_KEY": secrets.token_urlsafe(32),
        "AUTH_LOGIN_SLEEP": "0",
        "PYTHONUNBUFFERED": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    })
    env.update(extra or {})
    return env


def start_app(tmp_dir: Path, *, db_url: str | None = None, init: bool = True, timeout: float = 90,
              env: dict[str, str] | None = None) -> AppServer:
    """Initialise a database (unless ``init=False``) and start the app on a free port. ``env`` adds or
    overrides environment variables (replicas share ``AUTH_COOKIE_KEY`` and
    ``STREAMLIT_SERVER_COOKIE_SECRET``)."""
    db_url = db_url or f"sqlite:///{tmp_dir / 'e2e.db'}"
    env = _env(db_url, env)
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


DATABASES = ("sqlite", "postgres")


def pytest_configure(config):
    config.addinivalue_line("markers", "writes_demo_data: an e2e test that changes the shared app_server's "
                                       "demo data; runs after the other tests on the same server")


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by app_server database
def pytest_collection_modifyitems(items):
    """On each app_server, the tests that change the demo data run last, so the others (and their
    screenshots) see the demo data as ``manage.py init`` made it, whichever tests are selected."""
    slots = [i for i, item in enumerate(items)
             if "app_server" in getattr(getattr(item, "callspec", None), "params", {})]
    ordered = sorted((items[i] for i in slots), key=lambda item: (
        DATABASES.index(item.callspec.params["app_server"]),
        item.get_closest_marker("writes_demo_data") is not None))
    for i, item in zip(slots, ordered):
        items[i] = item


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with what the page showed (URL, visible text) and the tail of
    the server's log: in CI that is all there is to tell a slow page from a wrong one."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    pg, server = funcargs.get("page"), funcargs.get("app_server")
    if pg is not None:
        try:
            text = pg.locator("body").inner_text(timeout=2000)[:3000]
            report.sections.append(("page at failure", f"{pg.url}\n{text}"))
        except Exception as exc:  # noqa: BLE001 - the page may be gone; the report keeps what it has
            report.sections.append(("page at failure", f"(unreadable: {exc})"))
    if isinstance(server, AppServer):
        report.sections.append(("app server log (tail)", server.log()))


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"e2e_app_{request.param}")
    if request.param == "sqlite":
        server = start_app(tmp)
        yield server
        stop_app(server)
        return
    request.getfixturevalue("pg_server")  # skip (or fail with REQUIRE_POSTGRES=1) when unreachable
    name = _create_pg_db()
    try:
        server = start_app(tmp, db_url=_pg_url(name))
        try:
            yield server
        finally:
            stop_app(server)
    finally:
        _drop_pg_db(name)


@pytest.fixture(scope="session")
def browser():
    # locally a missing browser skips the browser tests; in CI (CI=true) it is a failure
    missing = pytest.fail if os.environ.get("CI") == "true" else pytest.skip
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed")
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
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


def shot_dir(tmp_path: Path, server: AppServer | None = None) -> Path:
    """Where a test saves its screenshots: ``docs/screenshots`` with ``UPDATE_SCREENSHOTS=1`` (from the
    SQLite server only, so the PostgreSQL run does not write the same pictures again), otherwise the
    test's temporary folder."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and (server is None or server.kind == "sqlite"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        return SHOTS
    return tmp_path


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


def open_sidebar(page) -> None:
    """Expand the sidebar when a page (会议模式) has collapsed it."""
    if page.locator("[data-testid='stSidebar'][data-collapsed='true']").count():
        page.locator("[data-testid='stExpandSidebarButton']").click()
        page.locator("[data-testid='stSidebar'][data-collapsed='false']").wait_for()


def logout(page) -> None:
    open_sidebar(page)
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.get_by_role("button", name="登录", exact=True).wait_for()


def open_page(page, title: str) -> None:
    """Click a menu entry in the sidebar navigation."""
    open_sidebar(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    wait_idle(page)


def choose(page, label: str, option: str | re.Pattern) -> None:
    """Pick ``option`` (exact text or a pattern) in the selectbox labelled ``label`` and check the box
    shows it afterwards (a pick made while a rerun redraws the page can be lost, and a drop-down opened
    then closes again: then open it and pick again)."""
    box = page.locator("[data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))
    name = option if isinstance(option, re.Pattern) else re.compile(rf"^\s*{re.escape(option)}\s*$")
    shown = ""
    for _ in range(3):
        wait_idle(page)
        box.click()
        try:
            page.get_by_role("option", name=name).click(timeout=8_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        wait_idle(page)
        shown = box.locator("input[role='combobox']").input_value().strip()
        if name.search(shown):
            return
    raise AssertionError(f"{label}: {option!r} not chosen; the box shows {shown!r}")


# --------------------------------------------------------------------------- grids (st.dataframe / st.data_editor)
# glide-data-grid draws the cells on a canvas and keeps a hidden accessibility table with the text of the
# cells it has rendered: <th aria-colindex=N>header</th>, <tr aria-rowindex=R><td aria-colindex=N> (the
# helpers use 0-based indexes: column N-1, data row R-2). Columns scrolled out of view are not in it; moving
# the selection with the arrow keys scrolls them in, exactly as a user would.


def grid_headers(grid) -> dict[str, int]:
    """The rendered headers -> 0-based column index."""
    pairs = grid.locator("thead th").evaluate_all(
        "els => els.map(e => [e.innerText.trim(), Number(e.getAttribute('aria-colindex')) - 1])")
    return {h: i for h, i in pairs}


def _cell(grid, col: int, row: int):
    # by the aria indexes (1-based, the header is row 1): the td ids skip a row-selection column, these do not
    return grid.locator(f"tbody tr[aria-rowindex='{row + 2}'] td[aria-colindex='{col + 1}']")


def grid_row(grid, column: str, text: str, timeout: float = 10_000) -> int:
    """The 0-based data row whose cell in ``column`` (a rendered, e.g. pinned, column) reads ``text``."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        col = grid_headers(grid).get(column)
        if col is not None:
            texts = grid.locator(f"tbody td[aria-colindex='{col + 1}']").evaluate_all(
                "els => els.map(e => [Number(e.parentElement.getAttribute('aria-rowindex')) - 2, e.innerText.trim()])")
            rows = [r for r, t in texts if t == text]
            if len(rows) == 1:
                return rows[0]
            if len(rows) > 1:
                raise AssertionError(f"{len(rows)} rows read {text!r} in column {column!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no row reads {text!r} in column {column!r}")
        time.sleep(0.1)


def _selected(grid) -> tuple[int, int] | None:
    cells = grid.locator("tbody td[aria-selected='true']").evaluate_all(
        "els => els.map(e => [Number(e.getAttribute('aria-colindex')) - 1,"
        " Number(e.parentElement.getAttribute('aria-rowindex')) - 2])")
    if len(cells) != 1:
        return None
    return tuple(cells[0])


def select_grid_cell(page, grid, row: int, col: int) -> None:
    """Select one cell: click the first data cell (the first column is pinned and always drawn), then
    move with the arrow keys (scrolling the column into view, as a user does)."""
    for attempt in range(3):  # a click while a rerun redraws the grid can be lost: click again
        if attempt:
            wait_idle(page)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)
        deadline = time.monotonic() + 5
        while _selected(grid) != (0, 0) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        if _selected(grid) == (0, 0):
            break
        if attempt == 2:
            raise AssertionError(f"the first cell was not selected: {_selected(grid)}")
    # the keys can go in one burst: the canvas handles each at once, only the accessibility table lags
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 10
    while _selected(grid) != (col, row):
        if time.monotonic() > deadline:
            raise AssertionError(f"expected cell {(col, row)} selected, found {_selected(grid)}")
        page.wait_for_timeout(50)


def _column_in_view(page, grid, row: int, column: str, burst: int = 3) -> int:
    """The 0-based index of ``column``, with the cell of data row ``row`` rendered: when the column is
    scrolled out of view, select the row's first cell and walk right with the arrow keys until it is in
    (``burst`` keys at a time; the rendered columns must stay contiguous, otherwise one key at a time).
    Not for grids with row selection (the click on the first cell would select the row)."""
    deadline = time.monotonic() + 10
    while not grid_headers(grid):  # the grid draws (and fills its accessibility table) after the run
        if time.monotonic() > deadline:
            raise AssertionError("the grid rendered no header")
        time.sleep(0.1)
    col = grid_headers(grid).get(column)
    if col is not None and _cell(grid, col, row).count():
        return col
    n = int(grid.locator("table[role='grid']").get_attribute("aria-colcount"))
    select_grid_cell(page, grid, row, 0)
    seen = set(grid_headers(grid).values())
    c = 0
    while c < n - 1:
        step = min(burst, n - 1 - c)
        for _ in range(step):
            page.keyboard.press("ArrowRight")
        c += step
        deadline = time.monotonic() + 10
        while _selected(grid) != (c, row):
            if time.monotonic() > deadline:
                raise AssertionError(f"expected cell {(c, row)} selected, found {_selected(grid)}")
            page.wait_for_timeout(50)
        headers = grid_headers(grid)
        col = headers.get(column)
        if col is not None and _cell(grid, col, row).count():
            return col
        seen |= set(headers.values())
        if burst > 1 and set(range(max(seen) + 1)) - seen:  # a column slipped past unseen
            return _column_in_view(page, grid, row, column, burst=1)
    raise AssertionError(f"no column {column!r}; headers: {list(grid_headers(grid))}")


def grid_cell_text(page, grid, row: int, column: str) -> str:
    """The text of the cell in data row ``row`` under header ``column`` (scrolled into view if needed)."""
    return _cell(grid, _column_in_view(page, grid, row, column), row).inner_text().strip()


def type_into_cell(page, grid, row: int, column: str, text: str) -> None:
    """Edit one cell as a user does: select it, Enter opens the editor, type, Enter commits."""
    col = _column_in_view(page, grid, row, column)
    if _selected(grid) != (col, row):
        select_grid_cell(page, grid, row, col)
    page.keyboard.press("Enter")
    editor = page.locator("input.gdg-input:focus, textarea.gdg-input:focus, input:focus, textarea:focus").first
    editor.wait_for()
    editor.fill(text)  # replaces the cell's current value
    deadline = time.monotonic() + 5
    while editor.input_value() != text:
        if time.monotonic() > deadline:
            raise AssertionError(f"the cell editor holds {editor.input_value()!r}, not {text!r}")
        page.wait_for_timeout(50)
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 10
    while _cell(grid, col, row).inner_text().strip() != text:
        if time.monotonic() > deadline:
            raise AssertionError(f"cell {column!r} of row {row} reads {_cell(grid, col, row).inner_text()!r}, "
                                 f"not {text!r}")
        page.wait_for_timeout(100)


# --------------------------------------------------------------------------- app flows shared by several tests


def entry_grid(page, project: str):
    """As staff: open 填报 on the open period 2024年第三季度 for one project; returns the 指标填报 grid."""
    open_page(page, "填报")
    page.get_by_role("heading", name="填报").wait_for()
    choose(page, "填报期", "2024年第三季度")
    choose(page, "项目", project)
    return page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first  # the second is 预算执行


def save_entry(page) -> None:
    """Click 保存 on 填报 and wait for "指标：已保存1行"."""
    page.get_by_role("button", name="保存", exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text="指标：已保存1行").wait_for()


def project_indicators(page, project: str):
    """Open 项目详情 for ``project`` through its picker ('▲ 红  学校维修资金'); returns the 绩效指标 grid."""
    open_page(page, "项目详情")
    choose(page, "项目", re.compile(rf"^\S+ \S+\s+{re.escape(project)}$"))
    page.get_by_role("heading", name=project, exact=True).wait_for()
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name="绩效指标").wait_for()
    grids = main.locator("[data-testid='stDataFrame']").filter(has=page.locator("th", has_text=re.compile("^当前值$")))
    return grids.filter(has=page.locator("th", has_text=re.compile("^三级指标$")))  # not the per-period history
