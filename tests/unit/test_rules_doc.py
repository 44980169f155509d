"""docs/rules.md is the reference of the rules: every setting has its row in §8 with its default, and the
code's docstrings point into the repository only."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from domain.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def _row(name: str) -> str:
    m = re.search(rf"^\| `{name}` \|.*$", RULES, flags=re.MULTILINE)
    assert m, f"docs/rules.md §8 has no row for {name}"
    return m.group(0)


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_every_setting_is_documented_with_its_default(name):
    default = getattr(Settings(), name)
    row = _row(name)
    if isinstance(default, tuple):
        assert default[0] in row
    elif isinstance(default, bool):
        assert str(default) in row
    elif isinstance(default, str):
        assert f"`{default}`" in row
    else:
        assert re.search(rf"\| {default:g}\b", row), row


def test_code_points_into_the_repository_only():
    outside = re.compile(r"PRODUCT\.md|ENGINEERING\.md|/work/|\.\./shared|seed-documents|issues? #?\d")
    hits = [f"{p.relative_to(ROOT)}:{n}" for folder in ("domain", "data_access", "documents", "components", "app_pages",
                                                           "cli", "seed", "bench", "tools")
            for p in (ROOT / folder).rglob("*.py")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if outside.search(line)]
    assert hits == []
