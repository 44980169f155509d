"""``components.cached.read_cache`` keys a page context by its ``repr`` (cheaper than Streamlit's field by
field hashing of a dataclass): a read must still be computed again when any field of the context
differs — otherwise a page would show another period's, filter's or user's figures — and must not be
computed again for an equal context."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from components.cached import read_cache
from components.context import PageContext, ReadContext
from data_access.views.filters import ViewFilters

BASE = PageContext(rev=7, vis=("units", (1, 2)), year=2024, period_key="2024Q3", as_of=date(2024, 9, 30), gen=2,
                   structure_rev=3, prev_key="2024Q2", prev_as_of=date(2024, 6, 30), filters=ViewFilters(units=("教育科",)))
# one different value for every field of the page context
OTHER = {"rev": 8, "vis": ("units", (1, 3)), "year": 2025, "period_key": "2024Q4", "as_of": date(2024, 9, 29),
         "gen": 3, "structure_rev": 4, "prev_key": "2024Q1", "prev_as_of": date(2024, 3, 31),
         "filters": ViewFilters(units=("民政科",))}
FILTERS = {"areas": ("学校管理",), "units": ("教育科", "民政科"), "statuses": ("red",), "groups": ("产出指标",),
           "review": "approved", "departments": ("教育局",)}


def test_every_field_of_the_page_context_is_covered():
    assert {f.name for f in dataclasses.fields(PageContext)} == set(OTHER)
    assert {f.name for f in dataclasses.fields(ViewFilters)} == set(FILTERS)
    assert all(f.repr for f in dataclasses.fields(PageContext)) and all(f.repr for f in dataclasses.fields(ViewFilters))


def counting_read():
    calls: list[object] = []

    @read_cache()
    def read(ctx, page: int = 0):
        calls.append(ctx)
        return len(calls)

    read.clear()  # Streamlit keys a function's cache on its source: every test starts with none
    return read, calls


@pytest.mark.parametrize("name", sorted(OTHER))
def test_a_context_differing_in_one_field_is_read_again(name):
    read, calls = counting_read()
    assert read(BASE) == 1
    assert read(dataclasses.replace(BASE, **{name: OTHER[name]})) == 2
    assert read(BASE) == 1 and len(calls) == 2  # the first result is still cached


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_a_context_differing_in_one_filter_is_read_again(name):
    read, calls = counting_read()
    read(BASE)
    read(dataclasses.replace(BASE, filters=dataclasses.replace(BASE.filters, **{name: FILTERS[name]})))
    assert len(calls) == 2


def test_an_equal_context_is_not_read_again():
    read, calls = counting_read()
    read(BASE)
    read(dataclasses.replace(BASE))  # another object, equal fields
    assert len(calls) == 1
    read(BASE, page=1)  # the other arguments are still part of the key
    assert len(calls) == 2


def test_the_read_context_is_keyed_too():
    read, calls = counting_read()
    read(BASE.read)
    read(ReadContext(rev=BASE.rev, vis=BASE.vis, year=BASE.year))
    read(ReadContext(rev=BASE.rev, vis=("all", ()), year=BASE.year))
    read(BASE)  # a page context is not its read context
    assert len(calls) == 3
