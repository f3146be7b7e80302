from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transition.working_days import (
    add_calendar_days,
    add_working_days,
    bank_holidays,
    bank_holidays_between,
    is_working_day,
    next_working_day,
    working_days_after,
    working_days_before,
    working_days_between,
    working_days_in,
)


def test_the_issues_example_skips_good_friday_and_easter_monday() -> None:
    # 5 working days before Tuesday 7 April 2026 is Friday 27 March 2026.
    assert add_working_days(date(2026, 4, 7), -5) == date(2026, 3, 27)
    assert working_days_before(date(2026, 4, 7), 5) == date(2026, 3, 27)
    assert working_days_between(date(2026, 4, 7), date(2026, 3, 27)) == -5


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 4, 7), -1, date(2026, 4, 2)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (date(2027, 4, 1), -5, date(2027, 3, 23)),
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 4, 1), 7, date(2027, 4, 12)),
        # Christmas 2026: Friday 25, Saturday 26 (Boxing Day substitute Monday 28), then
        # New Year's Day Friday 1 January 2027.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 29), -1, date(2026, 12, 24)),
        (date(2026, 12, 24), 5, date(2027, 1, 5)),
        # Christmas 2027: Saturday 25 and Sunday 26, substitutes Monday 27 and Tuesday 28.
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        (date(2027, 12, 31), -3, date(2027, 12, 24)),
        # New Year's Day 2028 is a Saturday: substitute Monday 3 January.
        (date(2027, 12, 31), 1, date(2028, 1, 4)),
        # Weekends: Friday to Monday is one working day, either way.
        (date(2027, 1, 15), 1, date(2027, 1, 18)),
        (date(2027, 1, 18), -1, date(2027, 1, 15)),
        # From a weekend the start is not counted.
        (date(2027, 1, 16), 1, date(2027, 1, 18)),
        (date(2027, 1, 16), -1, date(2027, 1, 15)),
    ],
)
def test_add_working_days_across_bank_holidays(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


def test_zero_is_the_day_itself_even_at_a_weekend() -> None:
    assert add_working_days(date(2027, 1, 16), 0) == date(2027, 1, 16)
    assert working_days_between(date(2027, 1, 16), date(2027, 1, 16)) == 0


def test_england_subdivision_has_easter_monday_and_late_summer() -> None:
    # Without subdiv="ENG" the holidays package misses these (DOMAIN.md).
    assert date(2026, 4, 6) in bank_holidays(2026)
    assert date(2026, 8, 31) in bank_holidays(2026)
    assert not is_working_day(date(2026, 8, 31))
    # Scotland's 2 January and St Andrew's Day are not England and Wales holidays.
    assert is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 11, 30))


def test_substitute_days_and_weekend_holidays() -> None:
    christmas_2027 = bank_holidays_between(date(2027, 12, 20), date(2027, 12, 31))
    assert date(2027, 12, 27) in christmas_2027 and date(2027, 12, 28) in christmas_2027
    assert "observed" in christmas_2027[date(2027, 12, 27)].lower()
    assert not is_working_day(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))
    assert working_days_in(date(2027, 12, 24), date(2027, 12, 31)) == [
        date(2027, 12, 24), date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31)
    ]


def test_helpers_read_naturally() -> None:
    assert working_days_after(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)
    assert next_working_day(date(2026, 4, 7)) == date(2026, 4, 7)
    # A countdown from Friday to the next Monday is one working day; back again is minus one.
    assert working_days_between(date(2027, 1, 15), date(2027, 1, 18)) == 1
    assert working_days_between(date(2027, 1, 18), date(2027, 1, 15)) == -1


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))

# No time limit per example: the first example in a year reads that year's bank holidays from
# the holidays package, which passed Hypothesis's 200 ms on a busy machine (DeadlineExceeded,
# a failure that had nothing to do with the arithmetic).
untimed = settings(deadline=None)


@untimed
@given(start=days, n=st.integers(min_value=-80, max_value=80).filter(lambda n: n != 0))
def test_between_undoes_add(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    # Every day strictly between start and end that is a working day was counted.
    lo, hi = sorted((start, end))
    inner = [lo + timedelta(days=i) for i in range(1, (hi - lo).days)]
    assert sum(1 for day in inner if is_working_day(day)) == abs(n) - 1


@untimed
@given(a=days, b=days)
def test_between_is_antisymmetric_on_working_days(a: date, b: date) -> None:
    a, b = next_working_day(a), next_working_day(b)
    assert working_days_between(a, b) == -working_days_between(b, a)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 8 weeks after Thursday 1 April 2027 is a working day: that day.
        (date(2027, 4, 1), 56, date(2027, 5, 27)),
        (date(2027, 4, 1), 7, date(2027, 4, 8)),
        # 48 hours on is Saturday 3 April: brought back to Friday 2 April, never Monday.
        (date(2027, 4, 1), 2, date(2027, 4, 2)),
        # 2 days after a Friday is that Friday (never before the start when n > 0).
        (date(2027, 4, 2), 2, date(2027, 4, 2)),
        # Easter Monday 29 March 2027, back past Good Friday: Thursday 25 March.
        (date(2027, 3, 22), 7, date(2027, 3, 25)),
        # Boxing Day substitute (Monday 28 December 2026) brought back to Thursday 24.
        (date(2026, 12, 21), 7, date(2026, 12, 24)),
        # Before the handover too: 7 days before Monday 5 April 2027 (Easter Monday 29 March)
        # is brought back to Friday 26 March, Good Friday, so Thursday 25 March.
        (date(2027, 4, 5), -7, date(2027, 3, 25)),
        (date(2027, 4, 5), 0, date(2027, 4, 5)),
        # No working day from a handover on Christmas Day 2026 (a Friday; Boxing Day's
        # substitute is Monday 28) to 48 hours on: the interval's last day, Sunday 27, never
        # the bank holiday it started on (nor Tuesday 29, past the limit).
        (date(2026, 12, 25), 2, date(2026, 12, 27)),
        # Good Friday 2027 (26 March), 2 days: Easter Sunday 28 March.
        (date(2027, 3, 26), 2, date(2027, 3, 28)),
        # Good Friday, 7 days: Friday 2 April, a working day within the interval.
        (date(2027, 3, 26), 7, date(2027, 4, 2)),
    ],
)
def test_calendar_days_are_brought_back_to_a_working_day(start: date, n: int,
                                                         expected: date) -> None:
    assert add_calendar_days(start, n) == expected


@untimed
@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)), st.integers(-120, 120))
def test_calendar_days_never_pass_the_interval(start: date, n: int) -> None:
    due = add_calendar_days(start, n)
    end = start + timedelta(days=n)
    assert due <= end
    if n == 0:
        assert due == start
    elif is_working_day(due):  # and no later working day within the interval
        assert not any(is_working_day(due + timedelta(days=k))
                       for k in range(1, (end - due).days + 1))
    else:  # a day off only when the interval holds no working day at all
        assert n > 0 and due == end
        assert not any(is_working_day(start + timedelta(days=k)) for k in range(n + 1))
    if n > 0:
        assert due >= start
