"""Importing an uploaded data-entry template or CSV: the same save path as the screen, in one transaction.

Definitions chosen here:

* Template rows carry ids and versions; CSV rows are matched by project name and 三级指标 text within
  the period's fiscal year (after NFKC normalisation, whitespace ignored). A name that matches nothing
  or several rows is refused with a message saying so.
* A CSV's generic ``actual`` / ``projected`` columns are routed to the indicator kind's field
  (number, judgement or date) by ``domain.entry_routing.route_generic_values``.
* An empty cell keeps what is stored: an import never clears a value.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from data_access.acting import acting_principal
from data_access.actuals.access import require_writer, settings_of, take_write_lock, transaction
from data_access.actuals.lookups import indicator_input
from data_access.actuals.results import ImportResult, LineChange, LineError
from data_access.actuals.rows import SPECS
from data_access.actuals.saving import save_rows_in
from data_access.models import Indicator, Period, Project
from data_access.permissions import Principal
from domain import entry as E
from domain.entry import INDICATOR_ROWS, SPENDING_ROWS
from domain.entry_routing import route_generic_values
from domain.hygiene import strip_invisible
from domain.settings import Settings
from domain.status import indicator_mode


def _norm_name(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", strip_invisible(s or "")).split())


def _item(r: Any) -> str:
    """How a line names what it is about: project, or project / 三级指标."""
    return r.project + (f" / {r.indicator}" if r.indicator else "")


Fail = Callable[[str, str], None]  # (field, message) -> records a refused line


@dataclass
class _Lookup:
    """What the lines of one file are matched against: periods, and (for CSV lines) names per year."""

    settings: Settings
    periods: dict[str, int]  # period code -> fiscal year id
    projects: dict[tuple[int, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    inds: dict[tuple[int, str], list[Indicator]] = field(default_factory=lambda: defaultdict(list))
    by_id: dict[int, Indicator] = field(default_factory=dict)

    @classmethod
    def load(cls, s, parsed) -> _Lookup:
        out = cls(settings_of(s), {pc: fy for pc, fy in s.execute(select(Period.code, Period.fiscal_year_id))})
        need_names = any(r.project_id is None and r.indicator_id is None for r in parsed.rows)
        if need_names:
            for pid, fy, name in s.execute(select(Project.id, Project.fiscal_year_id, Project.name)):
                out.projects[(fy, _norm_name(name))].append(pid)
        q = select(Indicator)
        if not need_names:
            q = q.where(Indicator.id.in_(sorted({r.indicator_id for r in parsed.rows if r.indicator_id is not None})))
        for ind in s.execute(q).scalars():
            out.by_id[ind.id] = ind
            out.inds[(ind.project_id, _norm_name(ind.level3))].append(ind)
        return out

    def project(self, fy: int, name: str, fail: Fail) -> int | None:
        found = self.projects.get((fy, _norm_name(name)), [])
        if not found:
            fail(E.PROJECT, f"项目：找不到项目「{name}」")
            return None
        if len(found) > 1:
            fail(E.PROJECT, f"项目：「{name}」对应多个项目，无法确定")
            return None
        return found[0]

    def indicator(self, fy: int, r: Any, fail: Fail) -> Indicator | None:
        if r.indicator_id is not None:
            ind = self.by_id.get(r.indicator_id)
            if ind is None:
                fail(E.INDICATOR, f"三级指标：编号{r.indicator_id}的指标不存在")
            return ind
        pid = self.project(fy, r.project, fail)
        if pid is None:
            return None
        matches = self.inds.get((pid, _norm_name(r.indicator)), [])
        if not matches:
            fail(E.INDICATOR, f"三级指标：项目「{r.project}」中没有指标「{r.indicator}」")
            return None
        if len(matches) > 1:
            fail(E.INDICATOR, f"三级指标：项目「{r.project}」中有{len(matches)}个「{r.indicator}」，无法确定；"
                              "请改用Excel填报模板")
            return None
        return matches[0]


def _row_of(r: Any, lookup: _Lookup, fail: Fail) -> dict | None:
    """The save row of one parsed line (ids resolved, generic CSV values routed), or None when refused."""
    code = r.period_code
    if code not in lookup.periods:
        fail(E.PERIOD, f"填报期：{code}不存在（尚未导入该年度的绩效目标）")
        return None
    fy = lookup.periods[code]
    if r.kind == SPENDING_ROWS:
        pid = r.project_id if r.project_id is not None else lookup.project(fy, r.project, fail)
        return None if pid is None else dict(r.values, project_id=pid, version=r.version)
    ind = lookup.indicator(fy, r, fail)
    if ind is None:
        return None
    values = dict(r.values)
    if r.generic:
        mode = indicator_mode(indicator_input(ind), lookup.settings)
        values = {k: v for k, v in values.items() if k not in ("actual", "projected")}
        values.update(route_generic_values(mode, r.values.get("actual"), r.values.get("projected")))
    return dict(values, indicator_id=ind.id, version=r.version)


def import_actuals(engine: Engine, principal: Principal | None, parsed, *, dry_run: bool = False,
                   source: str | None = None, note: str = "", overwrite_own: bool = False) -> ImportResult:
    """Save the rows of an uploaded template or CSV (``documents.actuals_template.ActualsFile``) with the
    same validation, permissions, locking, concurrency and audit as the screen, in ONE transaction (a
    database error stores nothing; refused lines are listed, the others stored). CSV rows are matched by
    project name and 三级指标 text within the period's fiscal year. ``dry_run`` previews old -> new.
    ``overwrite_own``: lines whose value the same person saved after the file was exported are written
    over that save (someone else's save stays a conflict)."""
    p = require_writer(principal)
    source = source or parsed.source
    out = ImportResult(dry_run=dry_run, total=len(parsed.rows) + len({(pr.sheet, pr.line) for pr in parsed.problems}))
    for pr in parsed.problems:
        out.errors.append(LineError(pr.where, pr.line, pr.field, pr.message))
    if not parsed.rows:
        return out
    with transaction(engine, dry_run) as s:
        if not dry_run:
            take_write_lock(s)
        p = acting_principal(s, p)  # the account as stored now
        lookup = _Lookup.load(s, parsed)
        groups: dict[tuple[str, str], list[tuple[Any, dict]]] = defaultdict(list)
        for r in parsed.rows:
            def fail(field_: str, msg: str, r=r) -> None:
                out.errors.append(LineError(r.where, r.line, field_, msg, _item(r)))

            row = _row_of(r, lookup, fail)
            if row is not None:
                groups[(SPENDING_ROWS if r.kind == SPENDING_ROWS else INDICATOR_ROWS, r.period_code)].append((r, row))
        for (kind, code), items in sorted(groups.items()):
            res = save_rows_in(s, p, SPECS[kind], code, [row for _r, row in items], source, dry_run, note,
                               overwrite_own=overwrite_own)
            _report(out, res, items, code, dry_run)
    out.errors.sort(key=lambda e: (e.where.split("第")[0], e.line or 0))
    return out


def _report(out: ImportResult, res, items: list[tuple[Any, dict]], code: str, dry_run: bool) -> None:
    """Translate one group's SaveResult (rows) into the import's lines."""
    for e in res.errors:
        r = items[e.row][0]
        out.errors.append(LineError(r.where, r.line, e.field, e.message, _item(r)))
    for c in res.conflicts:
        r = items[c.row][0]
        out.conflicts.append((r.where, _item(r), c))
    for ch in res.changes:
        r = items[ch.row][0]
        out.changes.append(LineChange(r.where, r.line, code, _item(r), ch.field, ch.old, ch.new))
    out.saved += len(res.would_save) if dry_run else len(res.saved)
    out.unchanged += len(res.unchanged)
