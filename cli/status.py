"""status: every project's budget status and every indicator's status with its reason."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from cli import command, engine_for, err


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", dest="as_of", default=None, help="截至日期 YYYY-MM-DD（默认：有数据的最近填报期末）")
    p.add_argument("--year", type=int, default=None, help="预算年度（默认最新）")
    p.add_argument("--json", action="store_true", help="输出JSON")


def _num(v):
    return None if v is None else round(float(v), 4)


def status_report(engine, year: int | None, as_of: date | None) -> dict:
    from data_access.monitoring import default_as_of_date, evaluate, fiscal_year_of

    year = fiscal_year_of(engine, year)
    if year is None:
        return {"fiscal_year": None, "as_of": None, "projects": []}
    as_of = as_of or default_as_of_date(engine, year)
    results = evaluate(engine, year, as_of)
    projects = []
    for r in results:
        projects.append(
            {
                "name": r.project.name,
                "unit": r.project.unit,
                "budget_status": r.budget.status,
                "execution_pct": _num(r.budget.execution_pct),
                "expected_pct": _num(r.budget.expected_pct),
                "budget_reason": r.budget.reason,
                "status": r.status,
                "reason": r.reason,
                "indicators": [
                    {
                        "level3": i.indicator.level3,
                        "target": i.indicator.target.raw,
                        "status": i.status,
                        "reason": i.reason,
                        "actual": i.indicator.actual if i.indicator.actual is not None else (
                            i.indicator.actual_judgement or (i.indicator.actual_date.isoformat() if i.indicator.actual_date else None)
                        ),
                        "projected": i.indicator.projected if i.indicator.projected is not None else i.indicator.projected_judgement,
                        "must_explain": bool(i.must_explain or i.needs_note),
                    }
                    for i in r.indicators
                ],
            }
        )
    return {"fiscal_year": year, "as_of": as_of.isoformat(), "projects": projects}


@command("status", "按监控规则计算每个项目的预算执行状态和每个指标的状态及原因", _configure)
def cmd_status(args) -> int:
    from domain.status import STATUS_LABELS

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            err(f"日期格式不对：{args.as_of}（应为 YYYY-MM-DD）")
            return 2
    report = status_report(engine_for(args), args.year, as_of)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not report["projects"]:
        print("没有项目：请先导入绩效目标表（python manage.py import-targets 文件）")
        return 0
    print(f"{report['fiscal_year']}年度 截至{report['as_of']}")
    for p in report["projects"]:
        budget = f"[{STATUS_LABELS[p['budget_status']]}] {p['budget_reason']}"
        print(f"[{STATUS_LABELS[p['status']]}] {p['name']}（{p['unit']}）— 预算：{budget}")
        for i in p["indicators"]:
            print(f"    [{STATUS_LABELS[i['status']]}] {i['level3']}（目标{i['target']}）：{i['reason']}")
    return 0
