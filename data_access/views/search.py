"""The grids' 「筛选」 box on a frame held in memory (总览's tables): the rows whose named columns match
every term of the query (``domain.text_search``). Lists read a page at a time filter in SQL instead
(``data_access.status_store.lists``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from domain.text_search import matches, search_terms


def filter_frame(df: pd.DataFrame, query: str | None, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of ``df`` (in order, index renumbered) where every term of ``query`` occurs in one of
    ``columns`` (those the frame has); ``df`` itself for an empty query."""
    terms = search_terms(query)
    cols = [c for c in columns if c in df.columns]
    if not terms or df.empty or not cols:
        return df
    texts = zip(*(df[c].fillna("").astype(str) for c in cols))
    keep = [matches(terms, *row) for row in texts]
    return df[keep].reset_index(drop=True)


__all__ = ["filter_frame"]
