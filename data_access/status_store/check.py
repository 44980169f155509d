"""Is the store what a full recomputation gives? (tests, the load test, ``manage.py status-rebuild --check``)

``differences`` evaluates every project of every year afresh with the active generation's rules
(``compute.rows_for``, the same code a write runs) and compares every stored column of every row; then
the stored sums (``status_sum``) with the stored projects summed afresh (``sums.fresh``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import Engine, select

from data_access.models import FiscalYear, StatusItem, StatusProject
from data_access.status_store import sums
from data_access.status_store.compute import rows_for
from data_access.status_store.generations import state


def _key(model, row: dict) -> tuple:
    return (row["project_id"], row["as_of"]) + ((row["seq"],) if model is StatusItem else ())


def _norm(v):
    return round(v, 6) if isinstance(v, float) else v


def _compare(name: str, want: dict[tuple, dict], got: dict[tuple, dict]) -> Iterator[str]:
    """The rows of ``name`` missing, extra or with a column differing (``want``: the expected rows by key)."""
    for k in sorted(set(want) | set(got), key=str):
        a, b = want.get(k), got.get(k)
        if a is None or b is None:
            yield f"{name} {k}: {'多余' if a is None else '缺少'}"
            continue
        bad = [col for col in a if _norm(a[col]) != _norm(b.get(col))]
        if bad:
            yield f"{name} {k}: " + "，".join(f"{col} {b.get(col)!r} ≠ {a[col]!r}" for col in bad)


def differences(engine: Engine, limit: int = 20) -> list[str]:
    """What differs between the active generation and a full recomputation (empty: nothing)."""
    st = state(engine)
    if st.active_id is None:
        return ["没有可用的状态（尚未计算）"]
    with engine.connect() as c:
        expected: dict[type, dict[tuple, dict]] = {StatusProject: {}, StatusItem: {}}
        for fy_id, year in c.execute(select(FiscalYear.id, FiscalYear.year)).all():
            projects, items = rows_for(c, st.active_id, st.settings, fy_id, year, None)
            expected[StatusProject].update({_key(StatusProject, r): r for r in projects})
            expected[StatusItem].update({_key(StatusItem, r): r for r in items})
        found: list[Iterator[str]] = []
        for model, want in expected.items():
            table = model.__table__
            got = {_key(model, dict(r)): dict(r) for r in c.execute(
                select(table).where(table.c.generation_id == st.active_id)).mappings()}
            found.append(_compare(table.name, want, got))
        found.append(_compare("status_sum", sums.fresh(c, st.active_id), sums.stored(c, st.active_id)))
        return list(itertools.islice(itertools.chain(*found), limit))


__all__ = ["differences"]
