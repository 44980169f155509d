"""Importing an uploaded data-entry template or CSV: the same save path as the screen, in one transaction.

Definitions chosen here:

* Template rows carry ids and versions; CSV rows are matched by project name and 三级指标 text within
  the period's fiscal year (after NFKC normalisation, whitespace ignored). A name that matches nothing
  or several rows is refused with a message saying so.
* A CSV's generic ``actual`` / ``projected`` columns are routed to the indicator kind's field
  (number, judgement or date) by ``domain.entry.route_generic_values``.
* An empty cell keeps what is stored: an import never clears a value.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, select

from data_access.actuals.access import require_writer, settings_of, transaction
from data_access.actuals.lookups import indicator_input
from data_access.actuals.results import ImportResult, LineChange, LineError
from data_access.actuals.saving import save_indicators_in, save_spending_in
from data_access.models import Indicator, Period, Project
from data_access.permissions import Principal
from documents.actuals_template import INDICATOR, SPENDING
from domain import entry as E
from domain.status import indicator_mode


def _norm_name(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s or "").split())


def import_actuals(engine: Engine, principal: Principal | None, parsed, *, dry_run: bool = False,
                   source: str | None = None, note: str = "") -> ImportResult:
    """Save the rows of an uploaded template or CSV (``documents.actuals_template.ActualsFile``) with the
    same validation, permissions, locking, concurrency and audit as the screen, in ONE transaction (a
    database error stores nothing; refused lines are listed, the others stored). CSV rows are matched by
    project name and 三级指标 text within the period's fiscal year. ``dry_run`` previews old -> new."""
    p = require_writer(principal)
    source = source or parsed.source
    out = ImportResult(dry_run=dry_run, total=len(parsed.rows) + len({(pr.sheet, pr.line) for pr in parsed.problems}))
    for pr in parsed.problems:
        out.errors.append(LineError(pr.where, pr.line, pr.field, pr.message))
    if not parsed.rows:
        return out
    with transaction(engine, dry_run) as s:
        settings = settings_of(s)
        periods = {pc: fy for pc, fy in s.execute(select(Period.code, Period.fiscal_year_id))}
        # name lookups for CSV rows, per fiscal year
        need_names = any(r.project_id is None and r.indicator_id is None for r in parsed.rows)
        projects: dict[tuple[int, str], list[int]] = defaultdict(list)
        inds: dict[tuple[int, str], list[Indicator]] = defaultdict(list)
        by_id: dict[int, Indicator] = {}
        if need_names:
            for pid, fy, name in s.execute(select(Project.id, Project.fiscal_year_id, Project.name)):
                projects[(fy, _norm_name(name))].append(pid)
        wanted_ind = {r.indicator_id for r in parsed.rows if r.indicator_id is not None}
        q = select(Indicator)
        if not need_names:
            q = q.where(Indicator.id.in_(sorted(wanted_ind)))
        for ind in s.execute(q).scalars():
            by_id[ind.id] = ind
            inds[(ind.project_id, _norm_name(ind.level3))].append(ind)

        groups: dict[tuple[str, str], list[tuple[Any, dict]]] = defaultdict(list)
        for r in parsed.rows:
            item = r.project + (f" / {r.indicator}" if r.indicator else "")

            def fail(field_: str, msg: str, r=r, item=item):
                out.errors.append(LineError(r.where, r.line, field_, msg, item))

            code = r.period_code
            if code not in periods:
                fail(E.PERIOD, f"填报期：{code}不存在（尚未导入该年度的绩效目标）")
                continue
            fy = periods[code]
            if r.kind == SPENDING:
                pid = r.project_id
                if pid is None:
                    found = projects.get((fy, _norm_name(r.project)), [])
                    if not found:
                        fail(E.PROJECT, f"项目：找不到项目「{r.project}」")
                        continue
                    if len(found) > 1:
                        fail(E.PROJECT, f"项目：「{r.project}」对应多个项目，无法确定")
                        continue
                    pid = found[0]
                groups[(SPENDING, code)].append((r, dict(r.values, project_id=pid, version=r.version)))
                continue
            ind = by_id.get(r.indicator_id) if r.indicator_id is not None else None
            if r.indicator_id is None:
                found = projects.get((fy, _norm_name(r.project)), [])
                if not found:
                    fail(E.PROJECT, f"项目：找不到项目「{r.project}」")
                    continue
                if len(found) > 1:
                    fail(E.PROJECT, f"项目：「{r.project}」对应多个项目，无法确定")
                    continue
                matches = inds.get((found[0], _norm_name(r.indicator)), [])
                if not matches:
                    fail(E.INDICATOR, f"三级指标：项目「{r.project}」中没有指标「{r.indicator}」")
                    continue
                if len(matches) > 1:
                    fail(E.INDICATOR, f"三级指标：项目「{r.project}」中有{len(matches)}个「{r.indicator}」，无法确定；"
                                      "请改用Excel填报模板")
                    continue
                ind = matches[0]
            if ind is None:
                fail(E.INDICATOR, f"三级指标：编号{r.indicator_id}的指标不存在")
                continue
            values = dict(r.values)
            if r.generic:
                mode = indicator_mode(indicator_input(ind), settings)
                values = {k: v for k, v in values.items() if k not in ("actual", "projected")}
                values.update(E.route_generic_values(mode, r.values.get("actual"), r.values.get("projected")))
            groups[(INDICATOR, code)].append((r, dict(values, indicator_id=ind.id, version=r.version)))

        for (kind, code), items in sorted(groups.items()):
            rows = [row for _r, row in items]
            if kind == SPENDING:
                res = save_spending_in(s, p, code, rows, source, dry_run, note)
            else:
                res = save_indicators_in(s, p, code, rows, source, dry_run, note)
            for e in res.errors:
                r = items[e.row][0]
                out.errors.append(LineError(r.where, r.line, e.field, e.message,
                                            r.project + (f" / {r.indicator}" if r.indicator else "")))
            for c in res.conflicts:
                r = items[c.row][0]
                out.conflicts.append((r.where, r.project + (f" / {r.indicator}" if r.indicator else ""), c))
            for ch in res.changes:
                r = items[ch.row][0]
                out.changes.append(LineChange(r.where, r.line, code,
                                              r.project + (f" / {r.indicator}" if r.indicator else ""),
                                              ch.field, ch.old, ch.new))
            out.saved += len(res.would_save) if dry_run else len(res.saved)
            out.unchanged += len(res.unchanged)
    out.errors.sort(key=lambda e: (e.where.split("第")[0], e.line or 0))
    return out
