"""What the overview and the other leadership pages read from the status store: counts and sums by SQL
``GROUP BY``, orders by the stored indexes with ``LIMIT``. The arithmetic after the sums and the tables'
shapes are the read models' own (``data_access.views``: ``headline_numbers``, ``areas_frame``,
``change_row``), so a page shows the same thing whether it reads the store or a live evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, literal, select, union_all

from data_access.models import Area, Unit
from data_access.monitoring import connected
from data_access.status_store.scope import (
    COUNT_COLUMNS,
    I,
    P,
    Scope,
    any_indicator,
    approved_ids,
    by_name,
    indicator_shown,
    item_shown,
    located,
    project_conditions,
    project_ids,
)
from data_access.status_store.sums import S, key, measure, summable
from data_access.views import (
    CHANGE_ORDER,
    GroupSums,
    ViewFilters,
    change_kind,
    change_row,
    changes_frame,
    headline_numbers,
)
from data_access.views.rollups import NO_PROJECT
from domain.periods import QUARTER, periods_of_year, time_progress
from domain.settings import Settings
from domain.status import AMBER, GREEN, MISSING, RED, SEVERITY, STATUSES, rollup_of, share_text

_QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
SERIES_COLUMNS = ["period_end", "label", "planned_wan", "actual_wan", "time_pct", "time_wan", "reported", "projects"]


def _selected(sc: Scope, dates: Sequence[date] | None = None) -> tuple[bool, list[ColumnElement[bool]]]:
    """Where a roll-up reads the selected projects at the scope's date (or at ``dates``: the projects
    selected at the scope's date, at each of them): (True, conditions on ``status_sum``) when the filters
    allow (``sums.summable``), else (False, conditions on ``status_project``)."""
    if summable(sc.filters):
        return True, located(S, sc, dates)
    if dates is None:
        return False, project_conditions(sc)
    return False, [P.c.generation_id == sc.generation_id, P.c.as_of.in_(list(dates)), P.c.project_id.in_(project_ids(sc))]


def headline(bind: Engine | Connection, sc: Scope, year: int) -> dict:
    """The overview's headline (``data_access.views.build_headline``) from sums over the stored projects
    (of ``status_sum`` when the filters allow: ``sums.summable``)."""
    f = sc.filters
    summed, conds = _selected(sc)
    projects = dict.fromkeys(STATUSES, 0)
    budgets = dict.fromkeys(STATUSES, 0)
    indicators = dict.fromkeys(STATUSES, 0)
    totals = [0.0, 0.0, 0.0, 0.0]
    shown = f.groups or f.statuses
    lacking = 0
    with connected(bind) as c:
        for row in c.execute(
            select(key(summed, "status"), key(summed, "budget_status"),
                   *[measure(summed, m) for m in ("projects", "budget", "spent", "reported_budget", "reported_planned",
                                                   "lacking")],
                   *[measure(summed, COUNT_COLUMNS[s]) for s in STATUSES])
            .where(*conds).group_by(key(summed, "status"), key(summed, "budget_status"))
        ):
            status, budget_status, n = row[0], row[1], int(row[2])
            projects[status] += n
            budgets[budget_status] += n
            for k in range(4):
                totals[k] += float(row[3 + k] or 0.0)
            lacking += int(row[7] or 0)
            if not shown:
                for s, v in zip(STATUSES, row[8:]):
                    indicators[s] += int(v or 0)
        if shown:
            q = (select(I.c.status, func.count()).where(
                I.c.generation_id == sc.generation_id, I.c.as_of == sc.as_of, indicator_shown(I, f),
                I.c.project_id.in_(project_ids(sc))).group_by(I.c.status))
            if f.statuses:
                q = q.where(I.c.status.in_(f.statuses))
            for s, n in c.execute(q):
                indicators[s] += n
            # the projects with a shown item 未填报 (the sums count every item)
            wanted = tuple(s for s in (MISSING,) if not f.statuses or s in f.statuses)
            missing = (P.c.budget_status == MISSING) if not wanted else (
                (P.c.budget_status == MISSING) | any_indicator(P, f, wanted))
            lacking = c.execute(select(func.count()).where(*project_conditions(sc), missing)).scalar() or 0
        approved = c.execute(select(func.count()).where(*project_conditions(sc),
                                                        P.c.project_id.in_(approved_ids(sc.as_of)))).scalar()
    return headline_numbers(projects=projects, budgets=budgets, indicators=indicators, budget_total=totals[0],
                            spent_total=totals[1], reported_budget=totals[2], planned=totals[3],
                            missing_projects=int(lacking), approved_projects=int(approved or 0), f=f,
                            as_of=sc.as_of, year=year)


def ordered_projects(bind: Engine | Connection, sc: Scope, statuses: tuple[str, ...] = (),
                     limit: int | None = None) -> list[tuple[int, str, str]]:
    """(id, status, name) of the selected projects, worst first, then the largest budget, then the name
    (``data_access.views.project_order``); ``statuses`` keeps only projects of those statuses."""
    with connected(bind) as c:
        q = (select(P.c.project_id, P.c.status, P.c.name).where(*project_conditions(sc))
             .order_by(P.c.severity.desc(), P.c.budget_wan.desc(), by_name(P.c.name, c), P.c.doc_order, P.c.project_id))
        if statuses:
            q = q.where(P.c.status.in_(statuses))
        if limit is not None:
            q = q.limit(limit)
        return [(int(pid), st, name) for pid, st, name in c.execute(q).all()]


def count_projects(bind: Engine | Connection, sc: Scope, statuses: tuple[str, ...] = ()) -> int:
    """How many projects ``ordered_projects`` would list (one count, no rows read)."""
    with connected(bind) as c:
        q = select(func.count()).where(*project_conditions(sc))
        if statuses:
            q = q.where(P.c.status.in_(statuses))
        return int(c.execute(q).scalar() or 0)


def group_sums_by(bind: Engine | Connection, sc: Scope, by: str | None) -> dict[str, GroupSums]:
    """Per area (``by="area"``), unit (``"unit"``), 主管部门 (``"department"``: of the project's unit) or for
    all (``None``: key ``""``) of the selected projects: their statuses counted, (positive) budgets per
    status, spending and reporting budget — the sums ``data_access.views.rollup_row_of`` colours
    (（未分配） without an area, unit or department); of ``status_sum`` when the filters allow."""
    summed, conds = _selected(sc)
    t = S if summed else P
    name = {"area": Area.name, "unit": Unit.name, "department": Unit.department}.get(by or "")
    table = t.outerjoin(Area, Area.id == t.c.area_id) if by == "area" else t.outerjoin(Unit, Unit.id == t.c.unit_id)
    group = name if name is not None else literal("")
    status = key(summed, "status")
    out: dict[str, GroupSums] = {}
    with connected(bind) as c:
        for g, st, n, budget, spent, rep in c.execute(
            select(group, status, *[measure(summed, m) for m in ("projects", "budget_pos", "spent", "reported_budget")])
            .select_from(table).where(*conds).group_by(group, status)
        ):
            sums_of = out.setdefault(g if by is None else (g or NO_PROJECT), GroupSums())
            sums_of.add(st, int(n), float(budget or 0.0), float(spent or 0.0), float(rep or 0.0))
    return out


ChangeGroups = dict[tuple[str, str, int], int]


def change_groups(bind: Engine | Connection, sc: Scope) -> ChangeGroups:
    """How many selected projects moved from each stored previous status to each status, with (1) or
    without (0) missing items reported since: at most 6 × 6 × 2 groups, one ``GROUP BY`` (of ``status_sum``
    when the filters allow). Both ``change_counts`` and ``changes`` start from it; a page that shows both
    reads it once and passes it."""
    summed, conds = _selected(sc)
    prev, status, back = (key(summed, k) for k in ("prev_status", "status", "back"))
    q = (select(prev, status, back, measure(summed, "projects"))
         .where(*conds, prev.is_not(None))
         .group_by(prev, status, back))
    with connected(bind) as c:
        return {(a, b, int(r)): int(n) for a, b, r, n in c.execute(q)}


def _change_kinds(groups, f: ViewFilters) -> dict[tuple[str, str, int], str]:
    """The groups that are a change the table shows (``change_kind``; the status filter keeps a change
    whose previous or current status it names), with their kind."""
    out = {}
    for a, b, r in groups:
        kind = change_kind(a, b, r)
        if kind is not None and not (f.statuses and b not in f.statuses and a not in f.statuses):
            out[(a, b, r)] = kind
    return out


def change_counts(bind: Engine | Connection, sc: Scope, groups: ChangeGroups | None = None) -> dict[str, int]:
    """The changes since the previous as-of date by kind (``CHANGE_ORDER``'s words), without reading the rows
    (``groups``: ``change_groups``, read here when not given)."""
    if sc.filters.groups:
        return {k: int(n) for k, n in changes(bind, sc)["变化"].value_counts().items()}
    groups = change_groups(bind, sc) if groups is None else groups
    out: dict[str, int] = {}
    for group, kind in _change_kinds(groups, sc.filters).items():
        out[kind] = out.get(kind, 0) + groups[group]
    return out


def changes(bind: Engine | Connection, sc: Scope, limit: int | None = None,
            groups: ChangeGroups | None = None) -> pd.DataFrame:
    """What changed since the previous as-of date (``data_access.views.build_changes``): the projects
    whose status changed or whose missing items were reported, read from the stored previous status —
    the first ``limit`` of them in the table's order (all with None). Without an indicator-category
    filter the kinds are decided per (previous, current, reported) group by ``change_kind`` and SQL reads
    only the rows of those groups, in that order (``groups``: ``change_groups``, read here when not given)."""
    f = sc.filters
    conds = project_conditions(sc)
    back: dict[int, int] = {}
    with connected(bind) as c:
        cols = (P.c.project_id, P.c.name, Unit.name, P.c.budget_wan, P.c.prev_status, P.c.status, P.c.reason,
                P.c.recovered)
        q = select(*cols).select_from(P.outerjoin(Unit, Unit.id == P.c.unit_id)).where(*conds, P.c.prev_status.is_not(None))
        if f.groups:  # the items 未填报 before and reported now, among the shown ones
            back = dict(c.execute(
                select(I.c.project_id, func.count()).where(
                    I.c.generation_id == sc.generation_id, I.c.as_of == sc.as_of, item_shown(I, f),
                    I.c.prev_status == MISSING, I.c.status != MISSING, I.c.project_id.in_(project_ids(sc)))
                .group_by(I.c.project_id)).tuples().all())
            moved = P.c.status != P.c.prev_status
            if back:
                moved = moved | P.c.project_id.in_(list(back))
            q = q.where(moved)
        else:
            groups = change_groups(c, sc) if groups is None else groups
            kinds = _change_kinds(groups, f)
            if not kinds:
                return changes_frame([])
            if limit is not None:
                q = _first_changes(cols, conds, kinds, groups, limit)
            else:
                whens = [(and_(P.c.prev_status == a, P.c.status == b, _BACK == r), CHANGE_ORDER.index(k))
                         for (a, b, r), k in kinds.items()]
                rank = case(*whens, else_=None)
                q = q.where(rank.is_not(None)).order_by(rank, P.c.budget_wan.desc(), P.c.project_id)
        rows = []
        for pid, name, unit, budget, a, b, reason, recovered in c.execute(q):
            row = change_row(pid, name, unit or "", budget, a, b, reason, back.get(pid, 0) if f.groups else recovered, f)
            if row is not None:
                rows.append(row)
    df = changes_frame(rows)
    return df if limit is None else df.head(limit)


_BACK = case((P.c.recovered > 0, 1), else_=0)
_CHANGE_COLUMNS = ("project_id", "name", "unit", "budget_wan", "prev_status", "status", "reason", "recovered")


def _first_changes(cols, conds, kinds: dict[tuple[str, str, int], str], groups: ChangeGroups, limit: int):
    """The first ``limit`` changes in the table's order without reading every change: the kinds needed to
    fill ``limit`` rows (their sizes are in ``groups``), each of their (previous, current, reported)
    groups' ``limit`` largest budgets along ``ix_status_project_change``, merged in one statement."""
    chosen: list[tuple[tuple[str, str, int], int]] = []
    total = 0
    for rank, kind in enumerate(CHANGE_ORDER):
        of_kind = [g for g, k in kinds.items() if k == kind]
        chosen += [(g, rank) for g in of_kind]
        total += sum(groups[g] for g in of_kind)
        if total >= limit:
            break
    source = P.outerjoin(Unit, Unit.id == P.c.unit_id)
    labelled = [col.label(name) for col, name in zip(cols, _CHANGE_COLUMNS)]
    parts = [select(*labelled, literal(rank).label("rank")).select_from(source)
             .where(*conds, P.c.prev_status == a, P.c.status == b, _BACK == r)
             .order_by(P.c.budget_wan.desc(), P.c.project_id).limit(limit).subquery()
             for (a, b, r), rank in chosen]
    merged = union_all(*[select(*part.c) for part in parts]).subquery()
    return (select(*[merged.c[name] for name in _CHANGE_COLUMNS])
            .order_by(merged.c.rank, merged.c.budget_wan.desc(), merged.c.project_id).limit(limit))


def spending_series(bind: Engine | Connection, sc: Scope, year: int, filtered: bool) -> pd.DataFrame:
    """Planned vs actual cumulative spending at each quarter end (the columns of
    ``data_access.exports.department_spending_series``), summed over the stored projects: planned =
    budget × the plan the status engine expected at that date, actual = the spending reported for it.
    ``filtered``: only the projects the filter bar selects at the scope's date; else every visible one.
    Without a status or review filter these are sums of ``status_sum`` at each date."""
    quarters = periods_of_year(year, QUARTER)
    ends = [q.end for q in quarters]
    summed, where = _selected(sc if filtered else Scope(sc.generation_id, sc.as_of, ViewFilters(), sc.unit_ids), ends)
    as_of = key(summed, "as_of")
    by_end: dict[date, tuple] = {}
    with connected(bind) as c:
        for day, planned, spent, reported, n, budget in c.execute(
            select(as_of, *[measure(summed, m) for m in ("planned", "spent", "reporting", "projects", "budget")])
            .where(*where).group_by(as_of)
        ):
            by_end[day if isinstance(day, date) else date.fromisoformat(str(day))] = (planned, spent, reported, n, budget)
    rows = []
    total_budget = max((float(v[4] or 0.0) for v in by_end.values()), default=0.0)
    projects = max((int(v[3]) for v in by_end.values()), default=0)
    for q in quarters:
        share = time_progress(q.end, year)
        planned, spent, reported, _n, _b = by_end.get(q.end, (0.0, 0.0, 0, 0, 0.0))
        shown = q.end <= sc.as_of and reported
        rows.append({
            "period_end": q.end, "label": _QUARTER_LABELS[q.index], "planned_wan": round(float(planned or 0.0), 2),
            "actual_wan": round(float(spent or 0.0), 2) if shown else None, "time_pct": round(share * 100.0, 1),
            "time_wan": round(total_budget * share, 2), "reported": int(reported) if q.end <= sc.as_of else 0,
            "projects": projects,
        })
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def area_slide(bind: Engine | Connection, sc: Scope, area: str, settings: Settings, top: int = 8) -> dict:
    """会议模式's area screen (``data_access.views.build_area_slide``) from the store."""
    g = group_sums_by(bind, sc, "area").get(area, GroupSums())
    ru = rollup_of(g.counts, g.budgets, settings)
    area_cond = (P.c.area_id.is_(None) if area == NO_PROJECT
                 else P.c.area_id.in_(select(Area.id).where(Area.name == area)))
    with connected(bind) as c:
        shown = c.execute(
            select(P.c.status, P.c.name, Unit.name, P.c.reason).select_from(P.outerjoin(Unit, Unit.id == P.c.unit_id))
            .where(*project_conditions(sc), area_cond, P.c.status != GREEN)
            .order_by(P.c.severity.desc(), P.c.budget_wan.desc(), P.c.doc_order, P.c.project_id).limit(top)).all()
    return {
        "area": area, "status": ru.status, "reason": ru.reason, "worst": ru.worst, "shares": share_text(ru),
        "budget": ru.budget_total, "spent": g.spent,
        "execution_pct": g.spent / g.reported_budget * 100.0 if g.reported_budget else None,
        "counts": dict(g.counts), "green": g.counts.get(GREEN, 0),
        "projects": [{"status": s, "name": name, "unit": unit or "", "reason": reason} for s, name, unit, reason in shown],
    }


def area_order(bind: Engine | Connection, sc: Scope, areas: list[str], attention: frozenset[str],
               settings: Settings) -> list[str]:
    """The areas with selected projects, worst first (``data_access.views.area_order``)."""
    sums = group_sums_by(bind, sc, "area")
    names = list(areas) + [a for a in sums if a not in areas]
    keep = [a for a in names if a in sums and sum(sums[a].counts.values())
            and (not attention or any(sums[a].counts[s] for s in attention))]
    rolled = {a: rollup_of(sums[a].counts, sums[a].budgets, settings) for a in keep}

    def key(a: str) -> tuple:
        ru = rolled[a]
        red = ru.shares[RED] if ru.shares else 0.0
        return (-SEVERITY[ru.status], -red, -ru.counts[RED], -ru.counts[MISSING], -ru.counts[AMBER], names.index(a))

    return sorted(keep, key=key)


__all__ = ["SERIES_COLUMNS", "ChangeGroups", "area_order", "area_slide", "group_sums_by", "change_counts", "change_groups",
           "changes", "count_projects", "headline", "ordered_projects", "spending_series"]
