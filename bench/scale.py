"""The scale benchmark: the same pages at 1,250 / 5,000 / 20,000 projects, on SQLite and PostgreSQL, and
how each grows from 5,000 to 20,000.

For each size a scratch database (``bench.suite.ScratchDatabase``: a temporary SQLite file, or a
database created on the ``--db`` server and dropped afterwards) is filled by ``manage.py synth``
(``--projects N --indicators 8N --departments N/25``, four quarters of values), then:

* ``bench.page_probe`` in a child process: 总览, 风险清单, 项目详情 and 填报 with AppTest — cold (right
  after a real save), warm — and the child's peak RSS (the app's memory, ``os.wait4``);
* saving 200 填报 rows (validation, status update, audit): ``bench.suite.bench_save``;
* with ``--browser`` (5,000 projects only): ``bench.browser_probe``, sidebar click → page fully drawn
  in headless Chromium, cold and warm.

Prints a table per database, then the growth 5,000 → 20,000 per page; ``--json FILE`` keeps everything
(with the load average before and after each size: the machine is shared).

    python -m bench.scale --sizes 1250,5000,20000 [--db postgresql://postgres@127.0.0.1:5432/postgres]
                          [--browser] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {  # page: (cold s at 5,000, cold s at 20,000, warm s) — the overview's are the targets
    "overview": (0.5, 1.0, 0.1),
}
SAVE_TARGET_S = 0.3
RSS_TARGET_MB = 400
GROWTH_TARGET = 1.5


def _synth(url: str, n: int) -> float:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "manage.py", "synth", "--db", url, "--projects", str(n),
                           "--indicators", str(8 * n), "--departments", str(max(4, n // 25)), "--periods", "4"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"synth failed: {proc.stdout}{proc.stderr}")
    return time.perf_counter() - t


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def one_size(server: str | None, n: int, pages: str, browser: bool, repeat: int) -> dict:
    from bench.suite import Context, ScratchDatabase, _child, bench_save

    out: dict = {"projects": n, "load_before": _load()}
    with ScratchDatabase(server) as db:
        out["synth_s"] = round(_synth(db.url, n), 2)
        probe, rss = _child(["bench.page_probe", "--db", db.url, "--pages", pages, "--repeat", str(repeat)])
        out["pages"] = probe["pages"]
        out["app_start_s"] = probe["start_s"]
        out["app_peak_rss_mb"] = rss
        saves = bench_save(Context(scale="scale", url=db.url))
        out["save_insert_s"] = saves[0].seconds
        out["save_update_s"] = saves[1].seconds
        if browser:
            res, _ = _child(["bench.browser_probe", "--db", db.url, "--repeat", str(max(repeat, 4))])
            out["browser"] = res
    out["load_after"] = _load()
    return out


def format_report(doc: dict) -> str:
    lines = []
    for db, sizes in doc["runs"].items():
        lines.append(f"\n== {db} ==")
        for r in sizes:
            lines.append(f"-- {r['projects']} 项目 · 负载 {r['load_before']} → {r['load_after']} · synth {r['synth_s']} s "
                         f"· 应用峰值RSS {r['app_peak_rss_mb']} MB · 保存200行 新值{r['save_insert_s']:.3f} s "
                         f"修改{r['save_update_s']:.3f} s")
            for p in r["pages"].values():
                lines.append(f"   {p['title']:<6} 首次{p['first_s']:7.3f}  冷{p['cold_s']:7.3f}  热{p['warm_s']:7.3f}   "
                             f"（冷 {'/'.join(f'{v:.2f}' for v in p['cold_all'])}；表格行数 {p['rows']}）")
            for p in r.get("browser", {}).values():
                lines.append(f"   浏览器 {p['title']:<6} 冷{p['cold_s']:7.3f}  热{p['warm_s']:7.3f}   "
                             f"（冷 {'/'.join(f'{v:.2f}' for v in p['cold_all'])}；热 "
                             f"{'/'.join(f'{v:.2f}' for v in p['warm_all'])}）")
        by_n = {r["projects"]: r for r in sizes}
        if 5000 in by_n and 20000 in by_n:
            lines.append("   增长 5000 → 20000（冷/热）：")
            a, b = by_n[5000]["pages"], by_n[20000]["pages"]
            for key in a:
                if key in b:
                    lines.append(f"     {a[key]['title']:<6} 冷 ×{b[key]['cold_s'] / a[key]['cold_s']:.2f}  "
                                 f"热 ×{b[key]['warm_s'] / a[key]['warm_s']:.2f}")
            lines.append(f"     保存200行 ×{by_n[20000]['save_insert_s'] / by_n[5000]['save_insert_s']:.2f}  "
                         f"峰值RSS ×{by_n[20000]['app_peak_rss_mb'] / by_n[5000]['app_peak_rss_mb']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="规模基准：1250/5000/20000个项目下各页面的耗时和增长")
    ap.add_argument("--sizes", default="1250,5000,20000")
    ap.add_argument("--db", action="append", default=None,
                    help="PostgreSQL服务器URL（可重复）；写 sqlite 表示SQLite（默认只测SQLite）")
    ap.add_argument("--pages", default="overview,risks,project,entry")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--browser", action="store_true", help="5000个项目时加测浏览器（Playwright + Chromium）")
    ap.add_argument("--skip", default="", help="跳过的组合，如 sqlite:1250,postgresql:20000")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    servers = args.db or ["sqlite"]
    doc: dict = {"date": date.today().isoformat(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                 "cpus": os.cpu_count(), "runs": {}}
    for server in servers:
        kind = "postgresql" if server.startswith("postgres") else "sqlite"
        runs = doc["runs"].setdefault(kind, [])
        for n in (int(x) for x in args.sizes.split(",")):
            if f"{kind}:{n}" in args.skip.split(","):
                continue
            runs.append(one_size(None if kind == "sqlite" else server, n, args.pages,
                                 args.browser and n == 5000, args.repeat))
            print(format_report({"runs": {kind: runs[-1:]}}), flush=True)
            if args.json:
                args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    print(format_report(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
