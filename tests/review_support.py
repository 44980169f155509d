"""Shared by the reporting-chain tests: fill a project completely for a period, as its staff would."""

from __future__ import annotations

from datetime import date

from data_access.actuals import entry_frame, save_indicator_rows, save_spending_rows, spending_frame
from data_access.permissions import Principal

PERIOD = "2024Q3"


def _version(v) -> int | None:
    import pandas as pd

    return None if v is None or pd.isna(v) else int(v)


def indicator_row(row, period_end: date) -> dict:
    """Values that satisfy every 填报 rule of the row, whatever its status (explanations given)."""
    mode = row["_mode"]
    out: dict = {"indicator_id": int(row["_indicator_id"]), "version": _version(row["_version"]),
                 "likelihood": "确定能", "reasons": "其他", "explanation": "按计划推进", "measures": "加强跟踪",
                 "remarks": ""}
    if mode in ("accumulating", "level", "cap"):
        target = row["目标"]
        digits = "".join(ch for ch in str(target) if ch.isdigit() or ch == ".")
        value = float(digits) if digits and digits != "." else 1.0
        out.update(actual_value=value, projected_value=value)
    elif mode == "deadline":
        out.update(actual_date=date(period_end.year, 6, 30), projected_judgement="达成")
    else:
        out.update(actual_judgement="达成", projected_judgement="达成")
    return out


def fill_project(engine, principal: Principal, project_id: int, period: str = PERIOD) -> None:
    """Save complete indicator and spending values of one project (asserts nothing was refused)."""
    from domain.periods import parse_period

    end = parse_period(period).end
    ind = entry_frame(engine, principal, period, [project_id])
    rows = [indicator_row(r, end) for r in ind.to_dict("records")]
    res = save_indicator_rows(engine, principal, period, rows)
    assert not res.errors and not res.conflicts, [e.message for e in res.errors]
    sp = spending_frame(engine, principal, period, [project_id]).iloc[0]
    budget = float(sp["预算（万元）"])
    version = sp["_version"]
    res = save_spending_rows(engine, principal, period, [{
        "project_id": project_id, "version": _version(version),
        "spent_wan": round(budget * 0.75, 2), "projected_wan": budget, "explanation": "按计划执行"}])
    assert not res.errors and not res.conflicts, [e.message for e in res.errors]
