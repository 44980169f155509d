"""The 分值 of a target table survive the database (migration 0003) and weigh the 自评 preview
(docs/rules.md §7). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date

from data_access.monitoring import load_inputs
from data_access.permissions import SYSTEM_ADMIN
from data_access.targets import save_document
from documents.targets_io import read_target_document
from domain.selfeval import self_evaluate
from seed.loader import load_assignments

YE = date(2024, 12, 31)


def _save(engine, doc):
    return save_document(engine, doc, assignments=load_assignments(), source_name="x.txt", by=SYSTEM_ADMIN)


def test_table_weights_are_stored_loaded_and_used(engine, seed_bytes):
    doc = read_target_document(seed_bytes, "x.txt", 2024)
    weighted = copy.deepcopy(doc)
    first = weighted.projects[0]
    for k, spec in enumerate(first.indicators):
        spec.weight = 10.0 * (k + 1)
    _save(engine, weighted)
    inputs = {p.name: p for p in load_inputs(engine, 2024, YE)}
    got = inputs[first.name]
    assert [i.weight for i in got.indicators] == [10.0 * (k + 1) for k in range(len(first.indicators))]
    assert all(i.weight is None for p in inputs.values() if p.name != first.name for i in p.indicators)
    total = sum(10.0 * (k + 1) for k in range(len(first.indicators)))
    ev = self_evaluate(got, YE)
    assert [round(i.weight, 6) for i in ev.items] == [round(10.0 * (k + 1) * 90 / total, 6)
                                                       for k in range(len(first.indicators))]
    assert ev.weights_note.startswith(f"指标按目标表分值计分（合计{total:g}分）")
    # the same file again changes nothing; a changed 分值 updates the indicator in place
    assert _save(engine, weighted).projects_unchanged == len(doc.projects)
    first.indicators[0].weight = 99.0
    assert _save(engine, weighted).projects_updated == 1
    again = {p.name: p for p in load_inputs(engine, 2024, YE)}[first.name]
    assert again.indicators[0].weight == 99.0
