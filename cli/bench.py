"""bench: the product benchmark (import, synth load, status, pages, saving, exports, memory)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli import command, err


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", choices=["city", "district", "tiny"], default="district",
                   help="city: 200部门/5000项目/40000指标；district: 十分之一；tiny: 冒烟测试")
    p.add_argument("--json", dest="json_file", type=Path, default=None, help="结果另存为JSON文件")


@command("bench", "性能基准：每项给出耗时、同轮测得的基线和目标（在临时数据库中进行，不动 --db 的数据）", _configure)
def cmd_bench(args) -> int:
    from bench.suite import failed, format_table, run

    try:
        doc = run(args.scale, args.db)
    except Exception as e:  # noqa: BLE001 - a benchmark failure is reported, not a traceback
        err(f"基准测试失败：{type(e).__name__}: {e}")
        return 1
    print(format_table(doc))
    if args.json_file:
        args.json_file.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"已写入 {args.json_file}")
    missed = failed(doc)
    if missed:
        err("未达标：" + "、".join(missed))
    return 1 if missed else 0
