"""House shape rules, checked by ``make lint`` (and so by ``make test`` and CI).

* A module holds one concern a newcomer can read in one sitting: at most ``MAX_MODULE_LINES`` lines.
* A function fits on a screen: at most ``MAX_FUNCTION_LINES`` lines (decorators and docstring included),
  unless its docstring gives the reason after the words ``Longer than 60 lines on purpose:`` (e.g.
  "Longer than 60 lines on purpose: one pass over the sheet; split, the column order would scatter").
* Imports sit at the top of the module: an import inside a function hides a dependency (often one that
  would be a cycle). Only the entry points that load on demand may do it: ``cli/`` (``manage.py``
  registers every command at start-up, and a command imports pandas, openpyxl and the database only
  when it runs) and ``bench/`` (a benchmark sets up its database and environment before it imports
  the code it measures).
* Page scripts, tests, migrations and the virtualenv are not checked: tests are tables of cases, a
  migration is a frozen record of a schema.

Usage: ``python tools/check_shape.py [PATH ...]`` (default: the application packages). Exit 1 and one
line per problem when a rule is broken.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["app.py", "manage.py", "app_pages", "components", "data_access", "domain", "documents", "seed", "cli",
            "bench", "tools"]
SKIP_PARTS = {"migrations", "tests", ".venv", "__pycache__"}
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 60
REASON_MARK = "Longer than 60 lines on purpose:"
LAZY_IMPORTS_ALLOWED = {"cli", "bench"}


def _files(paths: list[str], root: Path) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = (root / p) if not Path(p).is_absolute() else Path(p)
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        out.extend(f for f in candidates if not SKIP_PARTS.intersection(f.relative_to(root).parts))
    return out


def _has_reason(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    doc = " ".join((ast.get_docstring(node) or "").split())
    return REASON_MARK in doc


def problems(paths: list[str] | None = None, root: Path = ROOT) -> list[str]:
    """One line per broken rule in ``paths`` (relative to ``root``; default: the application packages)."""
    out: list[str] = []
    for f in _files(paths or PACKAGES, root):
        rel = f.relative_to(root)
        text = f.read_text(encoding="utf-8")
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if n_lines > MAX_MODULE_LINES:
            out.append(f"{rel}: {n_lines} lines (max {MAX_MODULE_LINES}): split it by concern")
        lazy_ok = rel.parts[0] in LAZY_IMPORTS_ALLOWED
        for node in ast.walk(ast.parse(text, filename=str(rel))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not lazy_ok:
                out.extend(f"{rel}:{inner.lineno}: import inside {node.name}(): move it to the top of the module"
                           for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom)))
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES and not _has_reason(node):
                out.append(f"{rel}:{node.lineno}: {node.name}() is {length} lines (max {MAX_FUNCTION_LINES}): "
                           f"split it, or say why in its docstring after {REASON_MARK!r}")
    return out


def main(argv: list[str]) -> int:
    found = problems(argv or None)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
