"""One process of the scale benchmark (``bench.scale`` starts it as a subprocess, so that its peak RSS is
the app's and nothing else's): the leadership pages and 填报 with AppTest on an existing database.

For each page (``--pages``, in order, one AppTest session signed in as admin by seeding the session
state, as ``tests/app/conftest.py`` does):

* ``first_s``: the switch to the page (its first run in this session);
* ``cold_s``: reruns right after a real save — one indicator row of the shown period (2024Q4) changed
  through ``data_access.actuals.save_indicator_rows``, as the 填报 page's save button does; the save
  itself is not timed. Every cached read of the old revision misses, which is what every user pays
  after someone saved — median of ``--repeat``;
* ``warm_s``: reruns without any change (what every click costs) — median of ``--repeat``.

Prints one JSON object on the last line of stdout.

    python -m bench.page_probe --db URL --pages overview,risks,project,entry
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "overview": ("app_pages/overview.py", "总览"),
    "risks": ("app_pages/risks.py", "风险清单"),
    "project": ("app_pages/project.py", "项目详情"),
    "meeting": ("app_pages/meeting.py", "会议模式"),
    "reporting": ("app_pages/reporting.py", "填报进度"),
    "entry": ("app_pages/entry.py", "填报"),
}
SAVE_PERIOD = "2024Q4"


def _check(at, what: str) -> None:
    if at.exception:
        raise SystemExit(f"{what}：页面异常：{at.exception[0].message}")


class Saver:
    """Changes one indicator value of ``SAVE_PERIOD`` per call (a different value each time)."""

    def __init__(self, engine):
        from sqlalchemy import select

        from data_access.models import Project

        self.engine = engine
        with engine.connect() as c:
            self.pids = list(c.execute(select(Project.id).order_by(Project.seq, Project.id).limit(40)).scalars())
        self.n = 0
        self.rng = random.Random()

    def save(self) -> None:
        from bench.bench_save import WHO, _rows
        from data_access.actuals import entry_frame, save_indicator_rows

        self.n += 1
        pid = self.pids[self.n % len(self.pids)]
        frame = entry_frame(self.engine, WHO, SAVE_PERIOD, project_ids=[pid])
        for _ in range(10):  # another process may have saved this very value: then another one
            rows = _rows(frame, 1, self.rng.randrange(40))
            res = save_indicator_rows(self.engine, WHO, SAVE_PERIOD, rows)
            if len(res.saved) == 1:
                return
        raise SystemExit(f"保存失败：{res.summary()}")


def signed_in_app(engine, username: str = "admin"):
    from streamlit.testing.v1 import AppTest

    from components.auth import SESSION_KEY
    from data_access.sessions import start_session
    from data_access.users import get_user_with_units

    info = get_user_with_units(engine, username)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = info.username
    at.session_state["name"] = info.name
    at.session_state["roles"] = [info.role]
    at.session_state[SESSION_KEY] = start_session(engine, info.username)  # as a password sign-in does
    return at


def run(pages: list[str], repeat: int) -> dict:
    from data_access.db import make_engine, migrate
    from seed.demo_users import ensure_demo_users

    engine = make_engine()  # DATABASE_URL, read by data_access.config
    migrate(engine)
    ensure_demo_users(engine)
    saver = Saver(engine)
    at = signed_in_app(engine)
    t = time.perf_counter()
    at.run()
    start_s = time.perf_counter() - t
    _check(at, "首页")
    out: dict = {"start_s": start_s, "pages": {}}
    for key in pages:
        path, title = PAGES[key]
        t = time.perf_counter()
        at.switch_page(path).run()
        first = time.perf_counter() - t
        _check(at, title)
        cold, warm = [], []
        for _ in range(repeat):
            saver.save()
            t = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t)
            _check(at, title)
        for _ in range(repeat):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        _check(at, title)
        out["pages"][key] = {"title": title, "first_s": first, "cold_s": statistics.median(cold), "cold_all": cold,
                             "warm_s": statistics.median(warm), "warm_all": warm,
                             "rows": [len(df.value) for df in at.dataframe]}
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="页面耗时（AppTest，单独进程）")
    ap.add_argument("--db", required=True)
    ap.add_argument("--pages", default="overview,risks,project,entry")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ["DATABASE_URL"] = args.db
    os.environ["AUTH_LOGIN_SLEEP"] = "0"
    for name in ("APP_ENV", "AUTH_COOKIE_KEY"):
        os.environ.pop(name, None)
    os.chdir(ROOT)
    from bench.overview_probe import _quiet

    _quiet()
    print(json.dumps(run([p for p in args.pages.split(",") if p], args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
