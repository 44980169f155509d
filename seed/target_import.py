"""Importing a target document: the one code path of ``manage.py import-targets`` and the 导入目标 page.

``read`` parses the file with the stored vocabulary and the preview's corrections; ``preview`` adds
what the import would change in the database (a dry run of ``save_document``, rolled back);
``run`` stores it. The page and the command line differ only in how they ask and show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from data_access.permissions import Principal
from data_access.target_sync import FIELD_LABELS, PROJECT_FIELD_LABELS
from data_access.target_vocabulary import load_vocabulary
from data_access.targets import ImportRefused, ImportResult, save_document
from documents.targets_io import read_target_document
from domain.document import ImportEdits, ImportProblem, TargetDocument
from seed.loader import load_assignments


def read(engine: Engine, data: bytes, filename: str, year: int | None, edits: ImportEdits | None = None) -> TargetDocument:
    """The document as the import would store it. Raises ``DocumentError`` (Chinese; ``YearUnknown`` /
    ``YearConflict`` for the year)."""
    return read_target_document(data, filename, year, vocabulary=load_vocabulary(engine), edits=edits)


@dataclass
class Preview:
    doc: TargetDocument
    diff: ImportResult | None = None  # what importing the good tables would do (None: nothing could be tried)
    refused: list[ImportProblem] = field(default_factory=list)  # why the import would be refused as a whole


def preview(engine: Engine, data: bytes, filename: str, year: int | None, edits: ImportEdits | None,
            by: Principal | None) -> Preview:
    """Parse, then try the import of every good table and roll it back: nothing is written."""
    doc = read(engine, data, filename, year, edits)
    out = Preview(doc)
    if not doc.projects:
        return out
    try:
        out.diff = save_document(engine, doc, assignments=load_assignments(), by=by, source_name=filename,
                                 allow_partial=True, dry_run=True)
    except ImportRefused as e:
        out.refused = list(e.problems)
    return out


def run(engine: Engine, data: bytes, filename: str, year: int | None, *, by: Principal | None,
        edits: ImportEdits | None = None, partial: bool = False, confirm: bool = False) -> ImportResult:
    """Read and store the document in one transaction. Raises ``DocumentError``, ``ImportRefused``,
    ``ChangesNeedConfirmation`` or ``PermissionDenied``; each leaves the database as it was."""
    doc = read(engine, data, filename, year, edits)
    return save_document(engine, doc, assignments=load_assignments(), by=by, source_name=filename,
                         allow_partial=partial, confirm_changes=confirm)


def change_lines(result: ImportResult) -> list[str]:
    """What an import adds, removes and changes, one Chinese line each (the re-import diff)."""
    lines = [f"新增项目「{name}」" for name in result.created]
    for a in result.changes:
        field_name = a.get("field")
        detail = a.get("detail", "")
        if field_name == "indicator":
            lines.append(detail)
        else:
            label = PROJECT_FIELD_LABELS.get(field_name or "") if a.get("entity") == "project" else None
            label = label or FIELD_LABELS.get(field_name or "", field_name or "")
            lines.append(f"{detail}的{label}：“{a.get('old') or '（空）'}” → “{a.get('new') or '（空）'}”")
    return lines


def grouped(problems: list[ImportProblem]) -> list[tuple[str, list[ImportProblem]]]:
    """Problems grouped by kind, kinds in order of first appearance."""
    groups: dict[str, list[ImportProblem]] = {}
    for p in problems:
        groups.setdefault(p.kind, []).append(p)
    return list(groups.items())
