"""Reporting periods, 序时进度 and spending-plan checkpoints."""

from datetime import date

import pytest

from domain.periods import (
    Period,
    checkpoint_date,
    checkpoint_dates,
    default_as_of,
    expected_cumulative_pct,
    has_plan,
    latest_closed_period,
    parse_period,
    period_for_date,
    periods_of_year,
    time_progress,
)

Y = 2024
QUARTERS = [(date(Y, 3, 31), 25.0), (date(Y, 6, 30), 50.0), (date(Y, 9, 30), 75.0), (date(Y, 12, 31), 100.0)]


@pytest.mark.parametrize(
    "key, kind, start, end, label, cumulative",
    [
        ("2024Q1", "quarter", date(Y, 1, 1), date(Y, 3, 31), "2024年第一季度", "2024年1-3月"),
        ("2024Q3", "quarter", date(Y, 7, 1), date(Y, 9, 30), "2024年第三季度", "2024年1-9月"),
        ("2024Q4", "quarter", date(Y, 10, 1), date(Y, 12, 31), "2024年第四季度", "2024年1-12月"),
        ("2024-02", "month", date(Y, 2, 1), date(Y, 2, 29), "2024年2月", "2024年1-2月"),  # leap year
        ("2023-02", "month", date(2023, 2, 1), date(2023, 2, 28), "2023年2月", "2023年1-2月"),
        ("2024-01", "month", date(Y, 1, 1), date(Y, 1, 31), "2024年1月", "2024年1月"),
        ("2024-09", "month", date(Y, 9, 1), date(Y, 9, 30), "2024年9月", "2024年1-9月"),
    ],
)
def test_period_keys_dates_and_labels(key, kind, start, end, label, cumulative):
    p = parse_period(key)
    assert (p.kind, p.start, p.end, p.label, p.cumulative_label) == (kind, start, end, label, cumulative)
    assert p.key == key


@pytest.mark.parametrize("bad", ["2024Q5", "2024-13", "2024", "", "Q3", "2024年三季度"])
def test_bad_period_keys_give_a_chinese_error(bad):
    with pytest.raises(ValueError, match="无法识别的填报期"):
        parse_period(bad)


def test_periods_of_year_and_navigation():
    qs = periods_of_year(Y)
    assert [p.key for p in qs] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    months = periods_of_year(Y, "month")
    assert len(months) == 12 and months[-1].end == date(Y, 12, 31)
    assert parse_period("2024Q1").previous().key == "2023Q4"
    assert parse_period("2024-01").previous().key == "2023-12"
    assert parse_period("2024Q3").previous().key == "2024Q2"


@pytest.mark.parametrize(
    "d, kind, key",
    [
        (date(Y, 1, 1), "quarter", "2024Q1"),
        (date(Y, 3, 31), "quarter", "2024Q1"),
        (date(Y, 4, 1), "quarter", "2024Q2"),
        (date(Y, 12, 31), "quarter", "2024Q4"),
        (date(Y, 7, 15), "month", "2024-07"),
    ],
)
def test_period_for_date(d, kind, key):
    assert period_for_date(d, kind).key == key


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(Y, 3, 30), None),
        (date(Y, 3, 31), "2024Q1"),
        (date(Y, 9, 30), "2024Q3"),
        (date(Y, 11, 15), "2024Q3"),
        (date(2025, 2, 1), "2024Q4"),
    ],
)
def test_latest_closed_period(as_of, expected):
    p = latest_closed_period(as_of, Y)
    assert (p.key if p else None) == expected


def test_default_as_of_is_end_of_latest_period_with_data():
    assert default_as_of(Y, ["2024Q1", "2024Q3", "2024Q2"]) == date(Y, 9, 30)
    assert default_as_of(Y, ["2024-05"]) == date(Y, 5, 31)
    # nothing entered yet: the latest period closed by today
    assert default_as_of(Y, [], today=date(Y, 8, 10)) == date(Y, 6, 30)
    assert default_as_of(Y, [], today=date(Y, 2, 1)) == date(Y, 3, 31)


@pytest.mark.parametrize(
    "as_of, share",
    [
        (date(Y, 3, 31), 0.25),
        (date(Y, 6, 30), 0.5),
        (date(Y, 9, 30), 0.75),
        (date(Y, 12, 31), 1.0),
        (date(Y, 1, 31), 1 / 12),
        (date(Y, 2, 29), 2 / 12),
        (date(Y, 4, 15), (3 + 15 / 30) / 12),
        (date(2023, 12, 31), 0.0),  # before the fiscal year
        (date(2025, 1, 10), 1.0),  # after it
    ],
)
def test_time_progress_is_month_based(as_of, share):
    assert time_progress(as_of, Y) == pytest.approx(share)


def test_time_progress_never_decreases_over_the_year():
    d = date(Y, 1, 1)
    prev = 0.0
    while d.year == Y:
        cur = time_progress(d, Y)
        assert cur >= prev
        prev = cur
        d = date.fromordinal(d.toordinal() + 1)
    assert prev == 1.0


@pytest.mark.parametrize(
    "label, due",
    [
        ("第一季度", date(Y, 3, 31)),
        ("第二季度", date(Y, 6, 30)),
        ("第三季度", date(Y, 9, 30)),
        ("第四季度", date(Y, 12, 31)),
        ("一季度", date(Y, 3, 31)),
        ("3月底", date(Y, 3, 31)),
        ("6月底", date(Y, 6, 30)),
        ("10月底", date(Y, 10, 31)),
        ("12月底", date(Y, 12, 31)),
        ("2月底", date(Y, 2, 29)),
        ("十月底", date(Y, 10, 31)),
        ("上半年", date(Y, 6, 30)),
        ("前三季度", date(Y, 9, 30)),
        ("全年", date(Y, 12, 31)),
        ("年底", date(Y, 12, 31)),
        (" 第三季度 ", date(Y, 9, 30)),
        ("2024年5月15日", date(Y, 5, 15)),
        ("2024Q2", date(Y, 6, 30)),
        ("资金安排", None),
        ("", None),
    ],
)
def test_checkpoint_date_from_label(label, due):
    assert checkpoint_date(label, Y) == due


def test_unreadable_labels_fall_back_to_an_even_spread():
    assert checkpoint_dates(["第一季度", "??", "第三季度", "?"], Y) == [
        date(Y, 3, 31), date(Y, 6, 30), date(Y, 9, 30), date(Y, 12, 31)]
    assert checkpoint_dates(["a", "b"], Y) == [date(Y, 6, 30), date(Y, 12, 31)]


@pytest.mark.parametrize(
    "as_of, step, linear",
    [
        (date(Y, 1, 31), 0.0, 25.0 * 31 / 91),  # before Q1 end: nothing planned yet (step)
        (date(Y, 3, 31), 25.0, 25.0),
        (date(Y, 5, 15), 25.0, 25.0 + 25.0 * 45 / 91),
        (date(Y, 9, 30), 75.0, 75.0),
        (date(Y, 11, 30), 75.0, 75.0 + 25.0 * 61 / 92),
        (date(Y, 12, 31), 100.0, 100.0),
        (date(2025, 3, 1), 100.0, 100.0),
    ],
)
def test_expected_cumulative_step_and_linear(as_of, step, linear):
    assert expected_cumulative_pct(QUARTERS, as_of, Y) == pytest.approx(step)
    assert expected_cumulative_pct(QUARTERS, as_of, Y, interpolate=True) == pytest.approx(linear)


def test_expected_cumulative_with_irregular_checkpoints_and_unsorted_input():
    # the one 2024 table with 3月底/6月底/10月底/12月底 checkpoints
    labels = ["12月底", "3月底", "10月底", "6月底"]
    values = [100, 20, 80, 50]
    pts = list(zip(checkpoint_dates(labels, Y), values))
    assert expected_cumulative_pct(pts, date(Y, 9, 30), Y) == 50.0
    assert expected_cumulative_pct(pts, date(Y, 10, 31), Y) == 80.0


def test_plan_with_missing_values_and_no_plan():
    assert expected_cumulative_pct([], date(Y, 9, 30), Y) is None
    assert expected_cumulative_pct([(date(Y, 3, 31), None)], date(Y, 9, 30), Y) is None
    assert not has_plan([(date(Y, 3, 31), 0), (date(Y, 12, 31), 0)])
    assert has_plan([(date(Y, 3, 31), 0), (date(Y, 12, 31), 100)])


def test_period_is_hashable_and_comparable_by_value():
    assert Period(Y, "quarter", 3) == parse_period("2024Q3")
    assert len({parse_period("2024Q3"), Period(Y, "quarter", 3)}) == 1


# --------------------------------------------------------------------------- lock coverage (docs/rules.md)


@pytest.mark.parametrize(
    "code, locked, expected",
    [
        ("2024Q3", ["2024Q3"], ["2024Q3"]),  # a locked period is read-only itself
        ("2024-07", ["2024Q3"], ["2024Q3"]),  # a locked quarter covers its months
        ("2024-08", ["2024Q3"], ["2024Q3"]),
        ("2024-09", ["2024Q3"], ["2024Q3"]),
        ("2024-10", ["2024Q3"], []),  # ... and nothing after it
        ("2024-06", ["2024Q3"], []),
        ("2024Q4", ["2024Q3"], []),
        ("2024Q3", ["2024-09"], ["2024-09"]),  # the quarter's values are as of 9月30日, inside 2024-09
        ("2024Q3", ["2024-08"], []),  # a month before the quarter's end does not freeze the quarter
        ("2024Q3", ["2024-07", "2024-08"], []),
        ("2024-09", ["2024-08"], []),
        ("2024Q3", ["2024-09", "2024Q3"], ["2024Q3", "2024-09"]),  # itself first
        ("2024-09", ["2024Q3", "2024-09"], ["2024-09", "2024Q3"]),
        ("2025-03", ["2024Q1"], []),  # another year
        ("2024Q1", ["不是填报期", "2024-03"], ["2024-03"]),  # unreadable keys are ignored
        ("2024-03", [], []),
    ],
)
def test_a_lock_covers_every_period_whose_values_fall_inside_it(code, locked, expected):
    from domain.periods import locked_by

    assert locked_by(code, locked) == expected


@pytest.mark.parametrize(
    "a, b, overlap",
    [("2024Q3", "2024-09", True), ("2024Q3", "2024-07", True), ("2024Q3", "2024-10", False),
     ("2024Q2", "2024Q3", False), ("2024-05", "2024-05", True)],
)
def test_periods_overlap(a, b, overlap):
    from domain.periods import periods_overlap

    assert periods_overlap(parse_period(a), parse_period(b)) is overlap
    assert periods_overlap(parse_period(b), parse_period(a)) is overlap
