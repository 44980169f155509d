"""The project's own seed: the 2024 target document and the unit/area assignments."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine

from data_access.permissions import SYSTEM_ADMIN, Principal
from data_access.targets import Assignments, ImportResult, project_count, save_document
from documents.targets_io import read_target_document

SEED_DIR = Path(__file__).resolve().parent
SEED_DOCUMENT = SEED_DIR / "2024_部门整体绩效目标.txt"
ASSIGNMENTS = SEED_DIR / "assignments.csv"
SEED_YEAR = 2024


def load_assignments(path: Path = ASSIGNMENTS) -> Assignments:
    """项目名称 -> (责任单位, 分项领域), from a small CSV the admin can edit."""
    out: Assignments = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = (row.get("项目名称") or "").strip()
            if name:
                out[name] = ((row.get("责任单位") or "").strip() or None, (row.get("分项领域") or "").strip() or None)
    return out


def import_file(engine: Engine, path: Path, year: int = SEED_YEAR, *, by: Principal = SYSTEM_ADMIN,
                allow_partial: bool = False) -> ImportResult:
    doc = read_target_document(path.read_bytes(), path.name, year)
    return save_document(engine, doc, assignments=load_assignments(), by=by,
                         source_name=path.name, allow_partial=allow_partial)


def load_seed_if_empty(engine: Engine) -> ImportResult | None:
    if project_count(engine) > 0:
        return None
    return import_file(engine, SEED_DOCUMENT, SEED_YEAR)
