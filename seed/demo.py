"""Demo actuals (示例数据) for the quarters up to an as-of date: a realistic, deterministic mix.

Most projects are on track; some lag in spending or in indicators, one over-achieves, and two have
not reported the latest quarter (未填报). Rows the rules say must be explained carry a plausible
explanation, so every page has something true to show. All rows are flagged ``is_demo`` and the UI
labels them; ``replace_demo_actuals`` never overwrites a value a person entered.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import Engine

from data_access.bulk import replace_demo_actuals
from data_access.monitoring import fiscal_year_of, load_inputs, load_settings
from domain.periods import QUARTER, expected_cumulative_pct, periods_of_year, time_progress
from domain.status import (
    ACCUMULATING,
    CAP,
    LEVEL,
    MODE_DEADLINE,
    IndicatorInput,
    ProjectInput,
    evaluate_project,
    indicator_mode,
)

ON_TRACK, LAGGING, SLOW_SPEND, MISSING_LAST, OVER = "on_track", "lagging", "slow_spend", "missing_last", "over"
# 32 projects: 18 on track, 5 lagging, 4 slow spenders, 2 not reported, 3 over-achieving (cycled for other sizes)
PROFILE_MIX = [ON_TRACK] * 18 + [LAGGING] * 5 + [SLOW_SPEND] * 4 + [MISSING_LAST] * 2 + [OVER] * 3

REASONS = {
    LAGGING: (("人员保障",), "项目负责人岗位调整，工作交接导致进度滞后", "已明确新负责人，按周调度，10月底前追回进度"),
    SLOW_SPEND: (("经费保障", "制度保障"), "政府采购流程未完成，资金尚未支付", "已完成招标文件审核，预计11月完成采购并支付"),
    "hardware": (("硬件条件保障",), "场地改造未完工，部分服务暂缓开展", "协调施工方加快进度，改造完成后集中开展"),
}


def _profiles(n: int, rng: random.Random) -> list[str]:
    mix = (PROFILE_MIX * (n // len(PROFILE_MIX) + 1))[:n]
    rng.shuffle(mix)
    return mix


def _round(value: float, unit: str | None) -> float:
    if unit and ("元" in unit or unit == "%"):
        return round(value, 2)
    return float(round(value))


def _indicator_values(ind: IndicatorInput, mode: str, profile: str, share: float, q_end: date,
                      rng: random.Random) -> dict:
    t = ind.target
    lag = profile == LAGGING and rng.random() < 0.7
    row: dict = {}
    if mode == ACCUMULATING:
        factor = rng.uniform(0.4, 0.7) if lag else (rng.uniform(1.35, 1.5) if profile == OVER else rng.uniform(0.85, 1.08))
        row["actual_value"] = _round(t.value * share * factor, t.unit)
        row["projected_value"] = _round(t.value * (0.8 if lag else rng.uniform(1.0, 1.08) if profile != OVER else 1.4), t.unit)
    elif mode == LEVEL:
        if t.unit == "%":
            v = t.value - rng.uniform(4, 9) if lag else min(100.0, t.value + (100 - t.value) * rng.uniform(0.2, 0.7))
            row["actual_value"] = round(v, 1)
            row["projected_value"] = round(t.value if not lag else t.value - 2, 1)
        else:
            above = 1.02 if t.op == ">" else 1.0  # a strict '>' target is met only above the value
            row["actual_value"] = _round(t.value * (0.8 if lag else above), t.unit)
            row["projected_value"] = _round(t.value * above, t.unit)
    elif mode == CAP:
        over_cap = profile == LAGGING and rng.random() < 0.3
        v = t.value * (1.06 if over_cap else rng.uniform(0.85, 0.99)) if t.value else 0.0
        row["actual_value"] = _round(v, t.unit)
        row["projected_value"] = _round(v, t.unit)
    elif mode == MODE_DEADLINE:
        if t.deadline and t.deadline <= q_end:
            row["actual_date"] = t.deadline - timedelta(days=rng.randint(3, 20))
    else:  # qualitative
        year_share_done = share >= 0.75
        if lag:
            row["actual_judgement"] = "部分达成" if year_share_done else "进行中"
            row["projected_judgement"] = "部分达成"
        else:
            row["actual_judgement"] = "达成" if year_share_done and rng.random() < 0.7 else "进行中"
            row["projected_judgement"] = "达成"
    row["likelihood"] = "有可能" if lag else "确定能"
    return row


def build_demo_rows(projects: list[ProjectInput], year: int, as_of: date, settings, seed: int = 2024) -> tuple[list[dict], list[dict]]:
    """(indicator_actual rows, spending_actual rows) for every quarter ending on or before ``as_of``."""
    rng = random.Random(seed)
    profiles = _profiles(len(projects), rng)
    quarters = [q for q in periods_of_year(year, QUARTER) if q.end <= as_of]
    ind_rows: list[dict] = []
    sp_rows: list[dict] = []
    for project, profile in zip(projects, profiles):
        budget = project.budget_wan or 0.0
        prev_spent = 0.0
        for qi, q in enumerate(quarters):
            if profile == MISSING_LAST and qi == len(quarters) - 1:
                continue
            share = time_progress(q.end, year)
            exp = expected_cumulative_pct(project.plan, q.end, year) or 0.0
            if profile == SLOW_SPEND or (profile == LAGGING and rng.random() < 0.5):
                f = rng.uniform(0.3, 0.65)
            else:
                f = rng.uniform(0.88, 1.02)
            spent = max(prev_spent, round(budget * exp / 100 * f, 2))
            prev_spent = spent
            spending = {"project_id": project.id, "period_code": q.key, "spent_wan": spent,
                        "projected_wan": round(budget * (0.85 if profile in (SLOW_SPEND, LAGGING) else rng.uniform(0.97, 1.0)), 2),
                        "explanation": ""}
            rows = []
            evaluated = []
            for ind in project.indicators:
                mode = indicator_mode(ind, settings)
                v = _indicator_values(ind, mode, profile, share, q.end, rng)
                rows.append({"indicator_id": ind.id, "period_code": q.key, "reasons": "", "explanation": "",
                             "measures": "", "remarks": "", **v})
                evaluated.append(replace(
                    ind, actual=v.get("actual_value"), actual_judgement=v.get("actual_judgement"),
                    actual_date=v.get("actual_date"), projected=v.get("projected_value"),
                    projected_judgement=v.get("projected_judgement"), likelihood=v.get("likelihood"),
                ))
            # explain what the rules say must be explained, as staff would
            result = evaluate_project(
                replace(project, indicators=evaluated, spent_wan=spending["spent_wan"],
                        projected_spent_wan=spending["projected_wan"]),
                q.end, settings, year,
            )
            key = SLOW_SPEND if profile == SLOW_SPEND else (LAGGING if profile == LAGGING else "hardware")
            reasons, explanation, measures = REASONS[key]
            if result.budget.needs_reason:
                spending["explanation"] = REASONS[SLOW_SPEND][1]
            for row, st in zip(rows, result.indicators):
                if st.must_explain:
                    row["reasons"] = ";".join(reasons)
                    row["explanation"] = explanation
                    if not row.get("likelihood") or row["likelihood"] == "确定能":
                        row["likelihood"] = "有可能"
                    row["measures"] = measures
                elif st.needs_note:
                    row["explanation"] = "服务需求增加，超额完成年度目标"
                if row.get("likelihood") in ("有可能", "完全不可能") and not row["measures"]:
                    row["measures"] = measures
            ind_rows.extend(rows)
            sp_rows.append(spending)
    return ind_rows, sp_rows


def load_demo_data(engine: Engine, as_of: date | None = None, year: int | None = None, seed: int = 2024) -> tuple[int, int]:
    """Generate and store the demo actuals; returns (indicator rows, spending rows)."""
    year = fiscal_year_of(engine, year)
    if year is None:
        raise ValueError("数据库中还没有绩效目标，请先导入（python manage.py import-targets 文件）")
    as_of = as_of or date(year, 9, 30)
    projects = load_inputs(engine, year, date(year, 1, 1))
    ind_rows, sp_rows = build_demo_rows(projects, year, as_of, load_settings(engine), seed)
    replace_demo_actuals(engine, ind_rows, sp_rows)
    return len(ind_rows), len(sp_rows)
