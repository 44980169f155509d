"""Benchmark of the exports.

1. A 40,000-row view shaped like ``data_access.views.risk_frame`` (15 visible columns, statuses,
   long Chinese reasons) written by ``frame_to_xlsx`` (target < 10 s) and ``frame_to_csv``.
2. The official monitoring workbook for the 32 projects of the 2024 document with the demo data
   (``monitoring_workbook``, target < 3 s), plus the self-evaluation workbook and the report draft
   for information. The data is read once from a temporary SQLite database (timed separately).

Times are wall-clock of one build (best of ``--repeat``). Peak memory is measured in a separate,
untimed run under ``tracemalloc`` (Python allocations), and the process's peak RSS is printed at the
end.

    python bench/bench_exports.py [--rows 40000] [--repeat 1]

``run()`` returns the numbers as a dict.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pandas as pd  # noqa: E402

from data_access.views import RISK_COLUMNS, status_text  # noqa: E402

AS_OF = date(2024, 9, 30)
STATUSES = ["red"] * 3 + ["missing"] * 2 + ["amber"] * 4 + ["blue"]
UNITS = [f"第{i}中学" for i in range(1, 120)] + ["教育科", "卫生健康科", "民政科", "残联", "医疗保障科"]
REASONS = [
    "截至9月30日累计完成{a}人次，序时目标{b}人次（全年≥{c}人次×序时75.0%），达序时目标的{p}%（<60%）",
    "截至9月30日执行率{p}%，计划75.0%，仅达计划的{q}%（<60%）；全年预计执行率85.0%，低于90%",
    "水平型直接判断：当前值{p}%，目标≥90%，未达标；全年预计{q}%，未达标",
    "定性：填报「部分达成」（目标「是」）；全年预计「部分达成」",
]
EXPLAIN = ["项目负责人岗位调整，工作交接导致进度滞后", "政府采购流程未完成，资金尚未支付", "场地改造未完工，部分服务暂缓开展", ""]
MEASURES = ["已明确新负责人，按周调度，10月底前追回进度", "已完成招标文件审核，预计11月完成采购并支付",
            "协调施工方加快进度，改造完成后集中开展", ""]


def synthetic_risk_frame(rows: int = 40_000, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    data = []
    for i in range(rows):
        s = STATUSES[rng.randrange(len(STATUSES))]
        budget_row = i % 9 == 0
        a = rng.randint(10, 5000)
        data.append({
            "_project_id": i // 8, "_indicator_id": None if budget_row else i, "_status": s,
            "状态": status_text(s), "项目名称": f"{rng.choice(UNITS)}项目{i // 8}经费",
            "责任单位": rng.choice(UNITS), "领域": f"领域{i % 13 + 1}",
            "预算（万元）": round(rng.uniform(5, 2000), 2),
            "事项": "预算执行" if budget_row else f"指标{i % 8}：服务人次{i}",
            "一级指标": "" if budget_row else rng.choice(["产出指标", "效果指标", "满意度指标"]),
            "二级指标": "" if budget_row else rng.choice(["数量指标", "质量指标", "时效指标", "社会效益指标"]),
            "目标": "计划75.0%" if budget_row else rng.choice(["≥90%", ">2400人次", "是", "=1所", "≤3万/块"]),
            "当前值": f"执行率{rng.uniform(10, 70):.1f}%" if budget_row else f"{a}人次",
            "全年预计": f"{rng.uniform(60, 100):.1f}%",
            "原因": rng.choice(REASONS).format(a=a, b=a + 100, c=a * 2, p=round(rng.uniform(20, 59), 1),
                                              q=round(rng.uniform(20, 59), 1)),
            "偏差原因": rng.choice(["人员保障", "经费保障、制度保障", "硬件条件保障", ""]),
            "说明": rng.choice(EXPLAIN), "纠偏措施": rng.choice(MEASURES),
        })
    return pd.DataFrame(data, columns=["_project_id", "_indicator_id", "_status", *RISK_COLUMNS])


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20


def run(rows: int = 40_000, repeat: int = 1, memory: bool = True) -> dict:
    from documents.table_export import frame_to_csv, frame_to_xlsx

    out: dict = {"rows": rows}
    t = time.perf_counter()
    df = synthetic_risk_frame(rows)
    out["frame_build_s"] = time.perf_counter() - t

    def xlsx():
        return frame_to_xlsx(df, title="风险清单", subtitle="筛选：全部；截至2024年9月30日", sheet_name="风险清单")

    out["view_xlsx_s"], data = _best(xlsx, repeat)
    out["view_xlsx_bytes"] = len(data)
    out["view_csv_s"], data = _best(lambda: frame_to_csv(df), repeat)
    out["view_csv_bytes"] = len(data)
    if memory:
        out["view_xlsx_peak_mb"] = _peak_mb(xlsx)
    df = data = None  # free both before the memory measurements that follow

    # the 32-project monitoring workbook from the demo data
    from data_access.db import make_engine, migrate
    from data_access.exports import department_spending_series, export_bundle, selfeval_results
    from documents.monitoring_workbook import monitoring_workbook
    from documents.report_docx import report_docx
    from documents.selfeval_workbook import selfeval_workbook
    from seed.demo import load_demo_data
    from seed.loader import load_seed_if_empty

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{os.path.join(tmp, 'bench.db')}")
        migrate(engine)
        load_seed_if_empty(engine)
        load_demo_data(engine, AS_OF)
        t = time.perf_counter()
        b = export_bundle(engine, 2024, AS_OF)
        evals = selfeval_results(engine, 2024, AS_OF, results=b.results, settings=b.settings)
        series = department_spending_series(engine, 2024, AS_OF)
        out["read_s"] = time.perf_counter() - t
        engine.dispose()
    out["projects"] = len(b.results)

    def monitoring():
        return monitoring_workbook(b.results, b.meta, AS_OF, b.department)

    out["monitoring_s"], data = _best(monitoring, repeat)
    out["monitoring_bytes"] = len(data)
    if memory:
        out["monitoring_peak_mb"] = _peak_mb(monitoring)
    out["selfeval_s"], _ = _best(lambda: selfeval_workbook(evals, b.meta, AS_OF, b.department, year=2024), repeat)
    from documents.charts import chart_png, department_spending_chart

    out["chart_png_s"], png = _best(lambda: chart_png(department_spending_chart(series)), repeat)
    out["report_s"], _ = _best(lambda: report_docx(b.results, b.meta, AS_OF, b.department, year=2024,
                                                   series=series, chart_png=png), repeat)
    out["peak_rss_mb"] = _rss_mb()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the exports (view xlsx/csv, official workbooks, report)")
    ap.add_argument("--rows", type=int, default=40_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    ap.add_argument("--view-budget-s", type=float, default=10.0)
    ap.add_argument("--monitoring-budget-s", type=float, default=3.0)
    a = ap.parse_args(argv)
    r = run(a.rows, a.repeat, not a.no_memory)
    mb = lambda k: f"{r[k]:.1f} MiB" if k in r else "-"  # noqa: E731
    print(f"view: {r['rows']} rows x 15 columns (synthetic risk list, built in {r['frame_build_s']:.2f}s)")
    print(f"  frame_to_xlsx: {r['view_xlsx_s']:.2f}s (target < {a.view_budget_s:g}s), "
          f"{r['view_xlsx_bytes'] / 2**20:.1f} MiB file, peak {mb('view_xlsx_peak_mb')} (tracemalloc)")
    print(f"  frame_to_csv:  {r['view_csv_s']:.2f}s, {r['view_csv_bytes'] / 2**20:.1f} MiB file")
    print(f"demo data: {r['projects']} projects, reads (bundle + self-evaluation + spending series) {r['read_s']:.2f}s")
    print(f"  monitoring_workbook: {r['monitoring_s']:.2f}s (target < {a.monitoring_budget_s:g}s), "
          f"{r['monitoring_bytes'] / 1024:.0f} KiB, peak {mb('monitoring_peak_mb')} (tracemalloc)")
    print(f"  selfeval_workbook:   {r['selfeval_s']:.2f}s")
    print(f"  department chart PNG (vl-convert): {r['chart_png_s']:.2f}s")
    print(f"  report_docx (chart given): {r['report_s']:.2f}s")
    print(f"process peak RSS: {r['peak_rss_mb']:.0f} MiB")
    ok = r["view_xlsx_s"] < a.view_budget_s and r["monitoring_s"] < a.monitoring_budget_s
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
