"""Page timings of the leadership views with AppTest: the first load and the warm rerun of each page.

    python bench/bench_pages.py                    # demo scale: a scratch SQLite with the 2024 seed + demo data
    python bench/bench_pages.py --db URL           # an existing database (e.g. one filled by manage.py synth)
    python bench/bench_pages.py --user jiaoyu --repeat 5 --json

"first" is the first run of the page in a fresh session (Streamlit caches empty for that page's reads,
the engine and the login already warm); "warm" is the median of ``--repeat`` reruns of the same page
without any change (what every click costs). Target: warm < 1 s at the demo scale.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("app_pages/overview.py", "总览"),
    ("app_pages/risks.py", "风险清单"),
    ("app_pages/project.py", "项目详情"),
    ("app_pages/meeting.py", "会议模式"),
    ("app_pages/reporting.py", "填报进度"),
    ("app_pages/admin_settings.py", "设置"),
]
TARGET_WARM_S = 1.0


def _run_through_app(main_script_path: str) -> None:
    """Streamlit's multipage hook, replaced so every rerun goes through app.py like a live server."""
    runpy.run_path(main_script_path, run_name="__main__")


def _prepare(db_url: str | None) -> str:
    from data_access.db import make_engine, migrate

    if db_url is None:
        db_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench_pages_')) / 'bench.db'}"
        engine = make_engine(db_url)
        migrate(engine)
        from seed.demo import load_demo_data
        from seed.loader import load_seed_if_empty

        load_seed_if_empty(engine)
        load_demo_data(engine)
    else:
        engine = make_engine(db_url)
        migrate(engine)
    from seed.demo_users import ensure_demo_users

    ensure_demo_users(engine)
    engine.dispose()
    return db_url


def _signed_in_app(username: str):
    from streamlit.testing.v1 import AppTest

    from components.auth import SESSION_KEY
    from data_access.db import make_engine
    from data_access.sessions import start_session
    from data_access.users import get_user_with_units

    engine = make_engine()  # DATABASE_URL, read by data_access.config
    info = get_user_with_units(engine, username)
    if info is None:
        engine.dispose()
        raise SystemExit(f"用户不存在：{username}")
    token = start_session(engine, info.username)  # as a password sign-in does
    engine.dispose()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = info.username
    at.session_state["name"] = info.name
    at.session_state["roles"] = [info.role]
    at.session_state[SESSION_KEY] = token
    return at, info.role


def measure(db_url: str | None = None, username: str = "admin", repeat: int = 3) -> list[dict]:
    """[{page, title, first_s, warm_s, ok}] for every leadership page the user can open."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import script_runner

    from components.navigation import pages_for_role

    os.environ["DATABASE_URL"] = _prepare(db_url)
    os.environ.setdefault("AUTH_LOGIN_SLEEP", "0")
    os.chdir(ROOT)
    # as in tests/app/conftest.py: every rerun goes through app.py (login + navigation), like a live server
    script_runner._mpa_v1 = _run_through_app
    st.cache_data.clear()
    st.cache_resource.clear()

    at, role = _signed_in_app(username)
    at.run()  # engine, migrations, login: paid once per process, not per page
    allowed = {p.path for p in pages_for_role(role)}
    out = []
    for path, title in PAGES:
        if path not in allowed:
            continue
        at, _ = _signed_in_app(username)
        at.run()
        t0 = time.perf_counter()
        at.switch_page(path).run()
        first = time.perf_counter() - t0
        warm = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        ok = not at.exception
        out.append({"page": path, "title": title, "first_s": round(first, 3),
                    "warm_s": round(statistics.median(warm), 3), "warm_max_s": round(max(warm), 3), "ok": ok})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="领导视图页面耗时（AppTest）")
    ap.add_argument("--db", default=None, help="数据库URL（默认：临时SQLite，2024年种子+示例数据）")
    ap.add_argument("--user", default="admin", help="以哪个用户打开（默认admin，可看到全部页面）")
    ap.add_argument("--repeat", type=int, default=3, help="热重跑次数（取中位数）")
    ap.add_argument("--json", action="store_true", help="输出JSON")
    args = ap.parse_args(argv)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    rows = measure(args.db, args.user, args.repeat)
    if args.json:
        print(json.dumps({"target_warm_s": TARGET_WARM_S, "pages": rows}, ensure_ascii=False, indent=2))
    else:
        print(f"{'页面':<10}{'首次(s)':>10}{'热重跑中位(s)':>16}{'热重跑最大(s)':>16}  结果")
        for r in rows:
            verdict = "OK" if r["ok"] and r["warm_s"] < TARGET_WARM_S else ("异常" if not r["ok"] else "超过1秒")
            print(f"{r['title']:<10}{r['first_s']:>10.3f}{r['warm_s']:>16.3f}{r['warm_max_s']:>16.3f}  {verdict}")
    return 0 if all(r["ok"] and r["warm_s"] < TARGET_WARM_S for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
