"""Sidebar click → page fully drawn, in headless Chromium (Playwright with Debian's /usr/bin/chromium), on
an existing database: 总览, 风险清单, 项目详情 and 填报, cold (right after a save) and warm.

The app runs as ``streamlit run app.py`` on a free port (one server process, as in production); the
browser signs in as admin through the login form. For each page and round:

* **cold**: one indicator value of 2024Q4 is changed through ``data_access`` (as a save on another
  replica or in another tab would), then the page is clicked in the sidebar (coming from 填报期管理);
* **warm**: 填报期管理 is opened, then the page is clicked again without any change in between.

"Fully drawn" = the URL is the page's address, the script run has finished
(``data-test-script-state='notRunning'``), no element is stale from the previous page, the page's last
section is on screen (总览: 分领域; 风险清单: its table; 项目详情: 修改记录; 填报: the editor), and every
grid and chart on the page has drawn (a ``canvas``/``svg``). The clock runs from the click to that.
Median of ``--repeat`` rounds. Prints one JSON object on the last line.

    python -m bench.browser_probe --db URL [--repeat 4]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PARK = ("填报期管理", "periods", ["h1", "填报期管理"])
# (menu title, url path, selector of the last part drawn)
PAGES = [
    ("总览", "", ["h1, h2, h3", "部门整体绩效目标：分领域"]),  # the default page's address is /
    ("风险清单", "risks", ["[data-testid='stDataFrame']", ""]),
    ("项目详情", "project", ["h1, h2, h3", "修改记录"]),
    ("填报", "entry", ["[data-testid='stDataFrame']", ""]),
]
DRAWN_JS = """([path, [selector, text]]) => {
  if (path && !location.pathname.endsWith('/' + path)) return false;
  if (!document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")) return false;
  if (document.querySelector("[data-stale='true']")) return false;
  if (!Array.from(document.querySelectorAll(selector)).some(e => e.textContent.includes(text))) return false;
  for (const g of document.querySelectorAll("[data-testid='stDataFrame']")) {
    if (!g.querySelector('canvas')) return false;
  }
  for (const c of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    if (!c.querySelector('canvas, svg')) return false;
  }
  return true;
}"""


STATE_JS = """([selector, text]) => ({
  path: location.pathname,
  idle: !!document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']"),
  stale: document.querySelectorAll("[data-stale='true']").length,
  marker: Array.from(document.querySelectorAll(selector)).some(e => e.textContent.includes(text)),
  grids: Array.from(document.querySelectorAll("[data-testid='stDataFrame']")).map(g => !!g.querySelector('canvas')),
  charts: Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart']")).map(
    c => !!c.querySelector('canvas, svg')),
})"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "APP_ENV", "STREAMLIT_"))}
    env.update({"DATABASE_URL": db_url, "AUTH_COOKIE_KEY": secrets.token_urlsafe(32), "AUTH_LOGIN_SLEEP": "0",
                "PYTHONUNBUFFERED": "1"})
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("streamlit did not become healthy")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group started for this server only
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _click(page, title: str, path: str, marker: list[str]) -> float:
    t = time.perf_counter()
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    try:
        page.wait_for_function(DRAWN_JS, arg=[path, marker], timeout=120_000, polling="raf")
    except Exception as e:  # noqa: BLE001 - say what was missing
        state = page.evaluate(STATE_JS, marker)
        raise SystemExit(f"{title}: not drawn in 120 s ({state})") from e
    return time.perf_counter() - t


def _login(page, url: str) -> None:
    page.goto(url)
    page.locator("input[aria-label='用户名']").wait_for()
    page.wait_for_selector(IDLE)
    page.locator("input[aria-label='用户名']").fill("admin")
    page.locator("input[aria-label='密码']").fill("demo-admin")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
    page.wait_for_function(DRAWN_JS, arg=["", PAGES[0][2]], timeout=120_000)


def measure(db_url: str, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.page_probe import Saver
    from data_access.db import make_engine, migrate
    from seed.demo_users import ensure_demo_users

    engine = make_engine(db_url)
    migrate(engine)
    ensure_demo_users(engine)
    saver = Saver(engine)
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp:
        proc, url = start_server(db_url, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN",
                                          timezone_id="Asia/Shanghai")
                page = ctx.new_page()
                _login(page, url)
                for title, path, marker in PAGES:  # first visits: imports, engine, first caches
                    _click(page, *PARK)
                    _click(page, title, path, marker)
                for title, path, marker in PAGES:
                    cold, warm = [], []
                    for _ in range(repeat):
                        _click(page, *PARK)
                        saver.save()
                        cold.append(_click(page, title, path, marker))
                        _click(page, *PARK)
                        warm.append(_click(page, title, path, marker))
                    out[path or "overview"] = {"title": title, "cold_s": statistics.median(cold), "cold_all": cold,
                                 "warm_s": statistics.median(warm), "warm_all": warm}
                browser.close()
        finally:
            stop_server(proc)
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="浏览器中侧栏点击到页面完整显示的耗时")
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    print(json.dumps(measure(args.db, args.repeat), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
