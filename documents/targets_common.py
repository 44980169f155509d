"""What every target-document reader shares: the one error a reader raises and the size limits.

Imports go one way: the format readers (``targets_txt``, ``targets_docx``, ``targets_xlsx``) import
this module, ``targets_io`` imports them and dispatches on the detected format. ``DocumentError`` is
also the error of the actuals template reader, so a page or the CLI catches one type.
"""

from __future__ import annotations

from domain.file_limits import MAX_RATIO, zip_problem

MAX_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused before it is opened
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an Office file unpacking to more is a zip bomb, or no target document
MAX_ROWS = 1_048_576  # Excel's limit: a sheet claiming more rows is not a real workbook


class DocumentError(ValueError):
    """The file cannot be read at all. The message is Chinese and names the problem."""


def check_zip(data: bytes, what: str, max_unpacked: int = MAX_UNPACKED_BYTES) -> set[str]:
    """Refuse an Office file (a zip) before anything unpacks it (``domain.file_limits.zip_problem``: too
    many bytes unpacked in total, a part with a bomb's ratio, too many parts). Returns the part names."""
    problem, parts = zip_problem(data, what, max_unpacked)
    if problem:
        raise DocumentError(problem)
    return parts


__all__ = ["DocumentError", "MAX_BYTES", "MAX_UNPACKED_BYTES", "MAX_ROWS", "MAX_RATIO", "check_zip"]
