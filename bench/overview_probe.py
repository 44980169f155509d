"""One process of the overview benchmark (``bench.suite.bench_overview`` starts it as a subprocess, so
that its peak RSS is the app's and nothing else's).

``--script app``: ``app.py`` with AppTest, DATABASE_URL pointing at the benchmark database, signed in as
admin by seeding the session state (as ``tests/app/conftest.py``'s ``sign_in`` does); the overview is
the default page. Measures:

* ``first_s``: the first run in this fresh process (imports, engine, migration check, empty caches);
* ``cold_s``: reruns right after a write (the data revision is bumped, as by any save): every cached
  read misses, as for every user after someone saved — median of ``--repeat``;
* ``warm_s``: reruns without any change (what every click costs) — median of ``--repeat``.

``--script bare``: ``bench/bare_overview.py`` (the floor) with the rows per table and the as-of dates
the app run reported; ``cold_s`` is its first run, ``warm_s`` the median of its reruns.

Prints one JSON object on the last line of stdout.

    python -m bench.overview_probe --db URL --script app
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _quiet() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _check(at) -> None:
    if at.exception:
        raise SystemExit(f"页面异常：{at.exception[0].message}")


def run_app(repeat: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from components.auth import SESSION_KEY
    from data_access.db import Changed, bump_revision, make_engine, migrate, session_scope
    from data_access.sessions import start_session
    from data_access.users import get_user_with_units
    from seed.demo_users import ensure_demo_users

    engine = make_engine()  # DATABASE_URL, read by data_access.config
    migrate(engine)
    ensure_demo_users(engine)
    info = get_user_with_units(engine, "admin")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = info.username
    at.session_state["name"] = info.name
    at.session_state["roles"] = [info.role]
    at.session_state[SESSION_KEY] = start_session(engine, info.username)  # as a password sign-in does

    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    _check(at)
    if not at.title or at.title[0].value != "总览":
        raise SystemExit("默认页面不是总览")
    cold, warm = [], []
    for _ in range(repeat):
        with session_scope(engine) as s:
            bump_revision(s, Changed.nothing())
        t = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t)
        _check(at)
    for _ in range(repeat):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    _check(at)
    from components.filters import STORE
    from domain.periods import parse_period

    period = parse_period(at.session_state[STORE]["period"])
    prev = period.previous()
    rows = [len(df.value) for df in at.dataframe]
    engine.dispose()
    return {"first_s": first, "cold_s": statistics.median(cold), "cold_all": cold,
            "warm_s": statistics.median(warm), "warm_all": warm, "rows": rows,
            "as_of": [period.end.isoformat()] + ([prev.end.isoformat()] if prev.year == period.year else []),
            "charts": len(at.get("vega_lite_chart"))}


def run_bare(repeat: int, rows: list[int], as_of: list[str]) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["BARE_ROWS"] = ",".join(str(n) for n in rows)
    os.environ["BARE_AS_OF"] = ",".join(as_of)
    at = AppTest.from_file(str(ROOT / "bench" / "bare_overview.py"), default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    _check(at)
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    _check(at)
    return {"first_s": first, "cold_s": first, "warm_s": statistics.median(warm), "warm_all": warm,
            "rows": [len(df.value) for df in at.dataframe]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="总览页面耗时（AppTest，单独进程）")
    ap.add_argument("--db", required=True)
    ap.add_argument("--script", choices=["app", "bare"], default="app")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", default="10", help="bare: rows of each table, comma-separated")
    ap.add_argument("--as-of", default="", help="bare: as-of dates, comma-separated")
    args = ap.parse_args(argv)
    os.environ["DATABASE_URL"] = args.db
    os.environ["AUTH_LOGIN_SLEEP"] = "0"
    for name in ("APP_ENV", "AUTH_COOKIE_KEY"):
        os.environ.pop(name, None)
    os.chdir(ROOT)
    _quiet()
    if args.script == "app":
        out = run_app(args.repeat)
    else:
        out = run_bare(args.repeat, [int(n) for n in args.rows.split(",") if n],
                       [d for d in args.as_of.split(",") if d])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
