"""The page context as a cache key: ``st.cache_data`` hashes ``PageContext`` by value.

A read is computed once per distinct context: an equal context built anew (the next rerun, another
session of a user with the same visibility) hits the cache; a new revision (any save), another period,
other filters or another visibility miss it. Reads keyed on ``ctx.read`` survive filter changes.
"""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from components.context import ALL, PageContext, ReadContext, visibility_key
from data_access.permissions import Principal
from data_access.views import ViewFilters

BASE = dict(rev=7, vis=ALL, year=2024, period_key="2024Q3", as_of=date(2024, 9, 30), prev_key="2024Q2",
            prev_as_of=date(2024, 6, 30), filters=ViewFilters(units=("教育科",)))


@pytest.fixture
def counted():
    """(a cached read of a context, the list of contexts it was computed for)."""
    calls: list = []

    @st.cache_data(show_spinner=False)
    def read(ctx) -> int:
        calls.append(ctx)
        return len(calls)

    read.clear()
    yield read, calls
    read.clear()


def test_contexts_are_hashable_values():
    a, b = PageContext(**BASE), PageContext(**BASE)
    assert a is not b and a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.rev = 8  # frozen


def test_an_equal_context_hits_the_cache(counted):
    read, calls = counted
    assert read(PageContext(**BASE)) == 1
    assert read(PageContext(**{**BASE, "filters": ViewFilters(units=("教育科",))})) == 1
    assert len(calls) == 1


@pytest.mark.parametrize("change", [
    {"rev": 8},
    {"vis": ("units", (1, 2))},
    {"year": 2025},
    {"period_key": "2024-09", "prev_key": "2024-08", "prev_as_of": date(2024, 8, 31)},
    {"as_of": date(2024, 6, 30)},
    {"filters": ViewFilters()},
    {"filters": ViewFilters(units=("教育科",), statuses=("red",))},
])
def test_any_other_value_misses_the_cache(counted, change):
    read, calls = counted
    read(PageContext(**BASE))
    assert read(PageContext(**{**BASE, **change})) == 2
    read(PageContext(**BASE))
    assert len(calls) == 2  # the first context is still cached


def test_the_read_context_ignores_the_period_and_the_filters(counted):
    read, calls = counted
    a = PageContext(**BASE)
    b = a.with_filters(ViewFilters())
    assert b.filters == ViewFilters() and b.rev == a.rev
    read(a.read)
    read(b.read)
    assert calls == [ReadContext(rev=7, vis=ALL, year=2024)]
    read(PageContext(**{**BASE, "rev": 8}).read)
    assert len(calls) == 2


def test_leaders_share_a_visibility_key_and_staff_are_keyed_on_their_units():
    leader = Principal("leader", "局领导", "leader")
    staff = Principal("jiaoyu", "教育科", "staff", unit_ids=frozenset({3, 1}))
    assert visibility_key(leader) == visibility_key(Principal("admin", "管理员", "admin")) == ALL
    assert visibility_key(staff) == ("units", (1, 3))
    assert visibility_key(None) == ("units", ())
