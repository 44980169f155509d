"""init (used by `make run`) and demo-data."""

from __future__ import annotations

import argparse
from datetime import date

from cli import command, engine_for, err


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", dest="as_of", default="2024-09-30", help="生成到哪个季度末（默认2024-09-30，即一至三季度）")
    p.add_argument("--seed", type=int, default=2024, help="随机种子（同一种子结果相同）")


@command("demo-data", "生成示例填报数据（示例数据，界面会标注），覆盖之前的示例数据，不动真实填报", _demo_args)
def cmd_demo_data(args) -> int:
    from seed.demo import load_demo_data

    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        err(f"日期格式不对：{args.as_of}（应为 YYYY-MM-DD）")
        return 2
    try:
        n_ind, n_sp = load_demo_data(engine_for(args), as_of, seed=args.seed)
    except ValueError as e:
        err(str(e))
        return 1
    print(f"已生成示例数据：指标填报{n_ind}条，支出{n_sp}条（截至{as_of.isoformat()}）")
    return 0


def _init_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-demo", action="store_true", help="不生成示例数据和示例账号")


@command("init", "建库/升级表结构；数据库为空时导入2024年绩效目标、示例数据和示例账号", _init_args)
def cmd_init(args) -> int:
    """Several ``init`` at once on one empty PostgreSQL database (replicas starting together) are safe:
    the migrations and the first-run seeding each run under an advisory lock (``data_access.db``)."""
    from data_access.db import init_lock

    engine = engine_for(args)
    with init_lock(engine):
        return _init(engine, args)


def _init(engine, args) -> int:
    from seed.loader import load_seed_if_empty

    result = load_seed_if_empty(engine)
    if result is None:
        print("数据库已有数据：仅升级了表结构")
        return 0
    print(f"已导入种子文件：{result.summary()}")
    if args.no_demo:
        return 0
    from seed.demo import load_demo_data

    n_ind, n_sp = load_demo_data(engine)
    print(f"已生成示例数据：指标填报{n_ind}条，支出{n_sp}条")
    try:
        from seed.demo_users import ensure_demo_users
    except ImportError:  # login arrives with the leadership views
        return 0
    for line in ensure_demo_users(engine) or []:
        print(line)
    return 0
