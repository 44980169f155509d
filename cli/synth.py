"""synth: synthetic city-scale data generated from the real 2024 projects."""

from __future__ import annotations

import argparse
import time

from cli import command, engine_for, err


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--departments", type=int, default=200)
    p.add_argument("--projects", type=int, default=5000)
    p.add_argument("--indicators", type=int, default=40000)
    p.add_argument("--periods", type=int, default=4, help="生成几个季度的填报（1-4）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（同一种子结果相同）")


@command("synth", "生成市级规模的合成数据（由2024年真实项目的目标形式、计划和指标构成派生），写入空数据库", _configure)
def cmd_synth(args) -> int:
    from data_access.bulk import load_city
    from seed.synth import generate_city

    if min(args.departments, args.projects, args.indicators) <= 0 or args.indicators < args.projects:
        err("参数不合理：部门、项目、指标数须为正数，且指标数不少于项目数")
        return 2
    t0 = time.perf_counter()
    data = generate_city(args.departments, args.projects, args.indicators, args.periods, args.seed)
    t1 = time.perf_counter()
    engine = engine_for(args)
    try:
        counts = load_city(engine, data)
    except ValueError as e:
        err(str(e))
        return 1
    t2 = time.perf_counter()
    if engine.dialect.name == "postgresql":  # fresh statistics, so the first page views get good plans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE")
    print(f"已生成合成数据：部门{counts['units']}个，项目{counts['projects']}个，指标{counts['indicators']}个，"
          f"指标填报{counts['indicator_actuals']}条，支出{counts['spending_actuals']}条"
          f"（生成{t1 - t0:.1f}秒，入库{t2 - t1:.1f}秒）")
    return 0
