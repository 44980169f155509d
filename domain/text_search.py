"""Text search in long lists: the project picker's search box and the grids' 「筛选」 box.

Definitions chosen here:

* A query is split at white space into terms (at most ``MAX_TERMS``, each cut to ``MAX_TERM``
  characters); full-width letters, digits and spaces count as their half-width forms (NFKC) and case
  does not matter, so 「ＸＹ 教育」 finds 「xy教育局」.
* A row matches when every term occurs in one of its texts (terms narrow, as in a search engine).
  An empty query matches everything.
* ``narrow`` keeps the order of the list (worst first where the list is so ordered) and at most
  ``cap`` of the matches, and says how many matched.

Pure: the data layer states the same rule in SQL (``LIKE`` per term and column) for lists read a page
at a time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

MAX_TERMS = 8
MAX_TERM = 50
T = TypeVar("T")


def fold(text: str) -> str:
    """The form compared: NFKC (full-width to half-width), lower case."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def search_terms(query: str | None) -> tuple[str, ...]:
    """The terms of a query (folded, deduplicated, in order); () for an empty one."""
    terms = [t[:MAX_TERM] for t in fold(query or "").split()]
    return tuple(dict.fromkeys(terms))[:MAX_TERMS]


def matches(terms: Sequence[str], *texts: str | None) -> bool:
    """Every term occurs in one of ``texts`` (True when there are no terms)."""
    if not terms:
        return True
    folded = [fold(t) for t in texts if t]
    return all(any(term in t for t in folded) for term in terms)


def narrow(items: Sequence[T], query: str | None, text: Callable[[T], str], cap: int) -> tuple[list[T], int]:
    """The first ``cap`` items whose ``text`` matches the query, in their order, and how many matched."""
    terms = search_terms(query)
    hits = [x for x in items if matches(terms, text(x))] if terms else list(items)
    return hits[:cap], len(hits)


__all__ = ["MAX_TERMS", "MAX_TERM", "fold", "search_terms", "matches", "narrow"]
