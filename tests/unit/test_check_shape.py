"""The house shape rules of ``tools/check_shape.py`` (run by ``make lint``): each rule catches what it
says and lets through what it allows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from check_shape import problems  # noqa: E402


def _function(n_lines: int, doc: str = "One function.") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(n_lines - 3))
    return f'def f():\n    """{doc}"""\n{body}    return 0\n'


CASES = [
    # (path, source, expected problem fragment or None)
    ("domain/short.py", "x = 1\n" * 420, None),
    ("domain/long.py", "x = 1\n" * 421, "421 lines (max 420)"),
    ("domain/fn_ok.py", _function(60), None),
    ("domain/fn_long.py", _function(61), "f() is 61 lines (max 60)"),
    ("domain/fn_reason.py", _function(80, "Longer than 60 lines on purpose: one table, one pass."), None),
    ("domain/lazy.py", "def f():\n    import json\n    return json\n", "import inside f()"),
    ("components/lazy_from.py", "def f():\n    from os import path\n    return path\n", "import inside f()"),
    ("cli/lazy.py", "def f():\n    import json\n    return json\n", None),
    ("bench/lazy.py", "def f():\n    import json\n    return json\n", None),
    ("domain/top.py", "import json\n\n\ndef f():\n    return json\n", None),
    ("tests/anything.py", "def f():\n    import json\n" + "x = 1\n" * 500, None),
]


@pytest.mark.parametrize(("path", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_shape_rule(tmp_path, path, source, expected):
    f = tmp_path / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(source, encoding="utf-8")
    found = problems([path], root=tmp_path)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0] and found[0].startswith(path)
