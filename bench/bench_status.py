"""Benchmark of the status engine at city scale.

Builds 5,000 projects with 40,000 indicators (8 per project, targets taken from the 2024 document)
and entered values for each of the four quarters, then times ``evaluate_all`` once per quarter end.
Target: < 0.5 s per ``evaluate_all`` on a 2-core machine. Peak memory is measured in a separate
run under ``tracemalloc`` (which slows Python down, so it is not timed).

    python bench/bench_status.py [--projects 5000] [--per-project 8] [--repeat 3]

``run()`` returns the numbers as a dict, for ``manage.py`` or CI.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from datetime import date

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from domain.periods import checkpoint_dates, periods_of_year, time_progress  # noqa: E402
from domain.settings import Settings  # noqa: E402
from domain.status import IndicatorInput, PlanPoint, ProjectInput, count_statuses, evaluate_all  # noqa: E402
from domain.targets import parse_target  # noqa: E402

YEAR = 2024
LABELS = ["第一季度", "第二季度", "第三季度", "第四季度"]
# (一级, 二级, 指标值) as they appear in the 2024 document
TEMPLATES = [
    ("产出指标", "数量指标", ">2400人次"),
    ("产出指标", "数量指标", "≥71人次"),
    ("产出指标", "数量指标", "=1所"),
    ("产出指标", "数量指标", "431人"),
    ("产出指标", "质量指标", "95%"),
    ("产出指标", "质量指标", "符合"),
    ("产出指标", "时效指标", "2024年12月31日"),
    ("产出指标", "时效指标", "完成"),
    ("产出指标", "成本指标", "≤3万/块"),
    ("产出指标", "成本指标", "＝3000元/个"),
    ("产出指标", "成本指标", "=165.2万元"),
    ("产出指标", "成本指标", "100%"),
    ("效果指标", "社会效益指标", "是"),
    ("效果指标", "社会效益指标", "大于7000人"),
    ("效果指标", "社会效益指标", "≥85%"),
    ("效果指标", "经济效益指标", "明显改善"),
    ("效果指标", "可持续影响指标", "长期"),
    ("满意度指标", "服务对象满意度指标", "≥90%"),
]
AREAS = [f"领域{i}" for i in range(1, 14)]
PLANS = [(25, 50, 75, 100), (0, 0, 0, 100), (10, 40, 70, 100), (30, 60, 90, 100), ()]
JUDGEMENTS = ["达成"] * 6 + ["部分达成", "未达成", "进行中", "进行中"]
LIKELIHOODS = ["确定能"] * 12 + ["有可能"] * 3 + ["完全不可能", None, None, None]


def build(n_projects: int = 5000, per_project: int = 8, seed: int = 7) -> list[list[ProjectInput]]:
    """Inputs for the four quarter ends: a list (one per quarter) of project lists."""
    rng = random.Random(seed)
    targets = [(l1, l2, parse_target(raw, YEAR)) for l1, l2, raw in TEMPLATES]
    dues = checkpoint_dates(LABELS, YEAR)
    plans = [[PlanPoint(lb, d, v) for lb, d, v in zip(LABELS, dues, vals)] for vals in PLANS]
    quarters = periods_of_year(YEAR)
    out: list[list[ProjectInput]] = [[] for _ in quarters]
    for pid in range(n_projects):
        budget = round(rng.uniform(5, 2000), 2)
        plan = plans[pid % len(plans)]
        speed = max(0.2, rng.gauss(1.0, 0.25))
        specs = [targets[rng.randrange(len(targets))] for _ in range(per_project)]
        perf = [max(0.0, rng.gauss(1.0, 0.2)) for _ in range(per_project)]
        for qi, q in enumerate(quarters):
            share = time_progress(q.end, YEAR)
            inds = []
            for k, (l1, l2, t) in enumerate(specs):
                actual = judgement = done = projected = None
                if rng.random() > 0.05:  # 5% not entered
                    if t.kind == "numeric":
                        base = t.value or 1.0
                        actual = round(base * perf[k] * (share if rng.random() < 0.7 else 1.0), 2)
                        if rng.random() < 0.3:
                            projected = round(base * perf[k], 2)
                    elif t.kind == "deadline":
                        done = date(YEAR, rng.randint(1, 12), 15) if rng.random() < 0.5 else None
                        judgement = None if done else "进行中"
                    else:
                        judgement = JUDGEMENTS[rng.randrange(len(JUDGEMENTS))]
                inds.append(IndicatorInput(
                    id=pid * 100 + k, level1=l1, level2=l2, level3=f"指标{k}", target=t,
                    actual=actual, actual_judgement=judgement, actual_date=done, projected=projected,
                    likelihood=LIKELIHOODS[rng.randrange(len(LIKELIHOODS))]))
            spent = round(budget * min(1.05, share * speed), 2) if rng.random() > 0.03 else None
            out[qi].append(ProjectInput(
                id=pid, name=f"项目{pid}", unit=f"单位{pid % 200}", area=AREAS[pid % len(AREAS)],
                budget_wan=budget, plan=plan, spent_wan=spent,
                projected_spent_wan=round(budget * rng.uniform(0.8, 1.0), 2) if rng.random() < 0.3 else None,
                indicators=inds))
    return out


def run(n_projects: int = 5000, per_project: int = 8, repeat: int = 3, memory: bool = True) -> dict:
    settings = Settings()
    t0 = time.perf_counter()
    inputs = build(n_projects, per_project)
    build_s = time.perf_counter() - t0
    ends = [q.end for q in periods_of_year(YEAR)]

    per_period: list[float] = []
    counts = None
    gc.collect()
    for projects, as_of in zip(inputs, ends):
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            results = evaluate_all(projects, as_of, settings)
            best = min(best, time.perf_counter() - t)
            del results
        per_period.append(best)
    results = evaluate_all(inputs[2], ends[2], settings)
    counts = count_statuses(r.status for r in results)
    ind_counts = count_statuses(s.status for r in results for s in r.indicators)
    del results

    peak_mb = None
    if memory:
        gc.collect()
        tracemalloc.start()
        results = evaluate_all(inputs[2], ends[2], settings)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del results
        peak_mb = peak / 2**20
    return {
        "projects": n_projects,
        "indicators": n_projects * per_project,
        "build_s": build_s,
        "evaluate_all_s": dict(zip([q.key for q in periods_of_year(YEAR)], per_period)),
        "max_s": max(per_period),
        "peak_mb_evaluate_all": peak_mb,
        "q3_project_counts": counts,
        "q3_indicator_counts": ind_counts,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark evaluate_all (status engine)")
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--per-project", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget-s", type=float, default=0.5, help="fail (exit 1) above this many seconds")
    a = ap.parse_args(argv)
    r = run(a.projects, a.per_project, a.repeat)
    print(f"inputs: {r['projects']} projects, {r['indicators']} indicators, built in {r['build_s']:.2f}s")
    for key, s in r["evaluate_all_s"].items():
        print(f"evaluate_all as of {key} end: {s:.3f}s (best of {a.repeat})")
    print(f"max: {r['max_s']:.3f}s (target < {a.budget_s}s)")
    print(f"peak memory during evaluate_all (tracemalloc): {r['peak_mb_evaluate_all']:.1f} MiB")
    print(f"Q3 project statuses: {r['q3_project_counts']}")
    print(f"Q3 indicator statuses: {r['q3_indicator_counts']}")
    return 0 if r["max_s"] < a.budget_s else 1


if __name__ == "__main__":
    raise SystemExit(main())
