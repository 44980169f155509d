"""The long lists of the leadership pages read from the status store: the risk list (a page of it, or
all of it for an export built on click) and its counts.

Definitions (as ``data_access.views.risk_frame``): every red / 未填报 / amber / blue item — budget rows
and indicators — of the projects in the selected areas and units (the status filter narrows the
statuses listed, not the projects), and without a status filter every indicator whose target was
adjusted while it was red or amber, whatever its status now; the group filter selecting the items;
worst first, then the largest budget, the project name and the item's order in the project. The
columns are ``RISK_COLUMNS``. A text query (the list's 「筛选」 box) keeps the items where every term
(``domain.text_search.search_terms``) occurs, case-insensitively, in the project name, the unit's name or
主管部门, or the item's 一级/二级/三级指标 — in SQL, so the counts, every page and the export agree.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, case, func, or_, select

from data_access.models import Area, ProjectReview, Unit
from data_access.monitoring import connected
from data_access.status_store.scope import I, Scope, approved_ids, by_name, item_shown, located
from data_access.views import RISK_COLUMNS, RISK_STATUSES, deadline_text, status_text
from data_access.views.reporting import last_saved, sorted_items, units_frame
from domain.review import APPROVED, DRAFT, review_mark
from domain.status import GREY, MISSING
from domain.text_search import search_terms

_HIDDEN = ["_project_id", "_indicator_id", "_status"]


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards in ``term`` taken literally (escape character ``\\``)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_conditions(query: str) -> list[ColumnElement[bool]]:
    """One condition per term of ``query``: it occurs in the project name, the unit (name or 主管部门) or
    the item's 一级/二级/三级指标."""
    out = []
    for term in search_terms(query):
        pat = like_pattern(term)
        units = select(Unit.id).where(or_(Unit.name.ilike(pat, escape="\\"), Unit.department.ilike(pat, escape="\\")))
        out.append(or_(*(col.ilike(pat, escape="\\") for col in (I.c.project_name, I.c.level3, I.c.level2, I.c.level1)),
                       I.c.unit_id.in_(units)))
    return out


def _risk_parts(sc: Scope, query: str) -> tuple[list[str], list]:
    """The statuses the risk list lists, and its other conditions (place, shown items, the text query).
    Without a status filter the list also holds the flagged items of other statuses."""
    f = sc.filters
    statuses = [s for s in RISK_STATUSES if not f.statuses or s in f.statuses]
    return statuses, [*located(I, sc), item_shown(I, f), *text_conditions(query)]


def _risk_conditions(sc: Scope, query: str = "") -> list:
    statuses, common = _risk_parts(sc, query)
    listed = I.c.status.in_(statuses) if sc.filters.statuses else or_(I.c.status.in_(statuses), I.c.flagged)
    return [listed, *common]


def risk_counts(bind: Engine | Connection, sc: Scope, query: str = "") -> dict[str, int]:
    """The risk list's items by status (all of them, not only a page; those matching ``query``): the
    items of the listed statuses, plus (without a status filter) the flagged ones of other statuses —
    two counts along the indexes ``ix_status_item_status`` and ``ix_status_item_flagged`` instead of
    one that reads every item."""
    statuses, common = _risk_parts(sc, query)
    queries = [select(I.c.status, func.count()).where(*common, I.c.status.in_(statuses)).group_by(I.c.status)]
    if not sc.filters.statuses:
        queries.append(select(I.c.status, func.count()).where(*common, I.c.flagged, I.c.status.not_in(statuses))
                       .group_by(I.c.status))
    out: dict[str, int] = {}
    with connected(bind) as c:
        for q in queries:
            for status, n in c.execute(q).tuples():
                out[status] = out.get(status, 0) + int(n)
    return out


def risk_flagged(bind: Engine | Connection, sc: Scope, query: str = "") -> int:
    """How many of the risk list's indicators had their target adjusted while red or amber."""
    with connected(bind) as c:
        return int(c.execute(select(func.count()).where(*_risk_conditions(sc, query), I.c.flagged)).scalar() or 0)


def risk_rows(bind: Engine | Connection, sc: Scope, offset: int = 0, limit: int | None = None,
              query: str = "") -> pd.DataFrame:
    """The risk list's rows ``offset`` .. ``offset + limit`` (all with ``limit`` None) in its order; those
    matching the text ``query`` (the list's 「筛选」 box) only."""
    with connected(bind) as c:
        q = (select(I.c.project_id, I.c.indicator_id, I.c.status, I.c.project_name, I.c.reason, Unit.name, Area.name,
                    I.c.budget_wan, I.c.level3, I.c.level1, I.c.level2, I.c.target, I.c.actual, I.c.projected,
                    I.c.reasons, I.c.explanation, I.c.measures, I.c.adjustment)
             .select_from(I.outerjoin(Unit, Unit.id == I.c.unit_id).outerjoin(Area, Area.id == I.c.area_id))
             .where(*_risk_conditions(sc, query))
             .order_by(I.c.rank.desc(), I.c.budget_wan.desc(), by_name(I.c.project_name, c), I.c.doc_order, I.c.seq)
             .offset(offset))
        if limit is not None:
            q = q.limit(limit)
        rows = c.execute(q).all()
        approved = set(c.execute(approved_ids(sc.as_of).where(
            ProjectReview.project_id.in_(sorted({r[0] for r in rows})))).scalars()) if rows else set()
    cols: dict[str, list] = {c: [] for c in (*_HIDDEN, *RISK_COLUMNS)}
    for (pid, iid, status, name, reason, unit, area, budget, item, level1, level2, target, actual, projected,
         reasons, explanation, measures, adjustment) in rows:
        mark = review_mark(APPROVED if pid in approved else DRAFT)
        values = (pid, iid, status, status_text(status), name, reason, mark, unit or "", area or "", round(budget, 2),
                  item, level1, level2, target, actual, projected, reasons, explanation, measures, adjustment)
        for col, v in zip(cols.values(), values):
            col.append(v)
    if not rows:
        return pd.DataFrame(columns=list(cols))
    return pd.DataFrame(cols, columns=list(cols))


def reporting(bind: Engine | Connection, sc: Scope, due: date, today: date, last: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """填报进度 (``data_access.views.build_progress``) from the store: the items 未填报 at the scope's date
    and every unit with values due on ``due`` (the period's 填报截止日; the status filter does not apply;
    areas, units and groups do). ``last``: per project the last save for the period
    (``queries.last_entries``)."""
    sc = sc.without_statuses()
    f = sc.filters
    late = max(0, (today - due).days)
    last_by = {int(r.project_id): (r.last_at, r.last_by) for r in last.itertuples(index=False)} if not last.empty else {}
    is_due = I.c.status != GREY
    units: dict[str, dict] = {}
    items: list[dict] = []
    with connected(bind) as c:
        for unit, pid, n_due, n_budget, n_ind in c.execute(
            select(Unit.name, I.c.project_id, func.sum(case((is_due, 1), else_=0)),
                   func.sum(case(((I.c.seq == -1) & (I.c.status == MISSING), 1), else_=0)),
                   func.sum(case(((I.c.seq >= 0) & (I.c.status == MISSING), 1), else_=0)))
            .select_from(I.outerjoin(Unit, Unit.id == I.c.unit_id))
            .where(*located(I, sc), item_shown(I, f)).group_by(Unit.name, I.c.project_id)
        ):
            u = units.setdefault(unit or "（未分配）", {"应报项目": 0, "缺报项目": set(), "缺报支出": 0, "缺报指标": 0,
                                                     "_items": 0, "_due": 0, "最近填报": None})
            at = last_by.get(pid, (None, ""))[0]
            if at is not None and (u["最近填报"] is None or pd.Timestamp(at) > pd.Timestamp(u["最近填报"])):
                u["最近填报"] = at
            u["应报项目"] += 1 if n_due else 0
            u["_due"] += int(n_due or 0)
            u["缺报支出"] += int(n_budget or 0)
            u["缺报指标"] += int(n_ind or 0)
            if n_budget or n_ind:
                u["缺报项目"].add(pid)
        for pid, seq, iid, name, unit, budget, level1, level2, level3, reason in c.execute(
            select(I.c.project_id, I.c.seq, I.c.indicator_id, I.c.project_name, Unit.name, I.c.budget_wan, I.c.level1,
                   I.c.level2, I.c.level3, I.c.reason)
            .select_from(I.outerjoin(Unit, Unit.id == I.c.unit_id))
            .where(*located(I, sc), item_shown(I, f), I.c.status == MISSING)
        ):
            at, by = last_by.get(pid, (None, ""))
            items.append({"_project_id": pid, "_budget": budget, "责任单位": unit or "（未分配）", "项目名称": name,
                          "应报日期": due, "逾期天数": late, "最近填报": last_saved(at), "填报人": by or "",
                          "_indicator_id": iid, "_order": seq,
                          "缺报事项": "累计支出（预算执行）" if seq == -1 else level3,
                          "一级指标": level1, "二级指标": level2, "说明": reason})
    units_df = units_frame(units, late, only_missing=False)
    units_df.insert(len(units_df.columns) - 1, "期限",
                    [deadline_text(due, today, int(m)) for m in units_df["_missing"]])
    return sorted_items(items, units_df)


__all__ = ["like_pattern", "text_conditions", "reporting", "risk_counts", "risk_flagged", "risk_rows"]
