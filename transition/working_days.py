"""Working days in England and Wales: the calendar every task deadline counts in.

A working day is a Monday to Friday that is not a bank holiday in England and Wales. Bank
holidays come from the ``holidays`` package with ``subdiv="ENG"`` (without it the package misses
Easter Monday and the late summer bank holiday, see DOMAIN.md). It includes substitute days
("Christmas Day (observed)" on Monday 27 December 2027, when Christmas falls on a Saturday) and
one-off holidays (a coronation, a state funeral). The package also lists holidays that fall on a
weekend, so weekends are skipped separately.

Counting, precisely:

- ``add_working_days(start, n)`` with ``n > 0`` is the n-th working day *after* ``start``; with
  ``n < 0`` the |n|-th working day *before* ``start``. ``start`` itself is never counted,
  whether or not it is a working day. So 1 working day after Friday is Monday, 1 before Monday
  is Friday, and 5 working days before Tuesday 7 April 2026 is Friday 27 March 2026 (Easter
  Monday 6 April and Good Friday 3 April are skipped). ``n == 0`` is ``start`` itself, even on a
  weekend: "on the handover date" means that date.
- ``working_days_between(a, b)`` counts the working-day steps from ``a`` to ``b``: the working
  days ``d`` with ``a < d <= b`` when ``b`` is later, and minus the working days with
  ``b <= d < a`` when ``b`` is earlier. It undoes ``add_working_days``:
  ``working_days_between(a, add_working_days(a, n)) == n`` for every date ``a`` and ``n != 0``.
  A countdown reads naturally: from Friday to the following Monday is 1 working day.
- ``add_calendar_days(start, n)`` is for deadlines that stand for a calendar interval ("within
  7 days", "every 4 weeks"): ``start`` plus ``n`` calendar days, brought back to the working day
  before it when that day is not one, so the deadline never slips past the interval. When
  ``n > 0`` it is never earlier than ``start`` (2 days after a Friday is that Friday, not the
  Thursday before). 56 days after Thursday 1 April 2027 is Thursday 27 May 2027; 2 days after it
  is Friday 2 April 2027 (Saturday 3 April brought back). When no working day lies between
  ``start`` and the end of the interval (2 days after Christmas Day 2026, a Friday, with Boxing
  Day's substitute on the Monday), the deadline is the interval's last day, Sunday 27 December:
  not the bank holiday it started on, nor a working day past the limit. Such a deadline falls on
  a day off, so someone must cover it (the handover-date commands warn about a handover on a
  day that is not a working day).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "GB"
SUBDIVISION = "ENG"  # England; Wales shares the same bank holidays.
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England and Wales in ``year`` (including those on a weekend)."""
    return frozenset(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year))


def bank_holidays_between(first: date, last: date) -> dict[date, str]:
    """Bank holidays from ``first`` to ``last`` inclusive, with their names (for display)."""
    if last < first:
        return {}
    names = holidays.country_holidays(
        COUNTRY, subdiv=SUBDIVISION, years=range(first.year, last.year + 1)
    )
    return {day: names[day] for day in sorted(names) if first <= day <= last}


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@lru_cache(maxsize=65_536)
def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (n > 0), before it (n < 0), or ``start`` (n == 0)."""
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    day = start
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def add_calendar_days(start: date, n: int) -> date:
    """``start`` plus ``n`` calendar days, or the working day before when that is not one,
    never earlier than ``start`` when ``n > 0``. With no working day from ``start`` to the
    end of the interval (a handover on a bank holiday weekend) it is that last calendar day:
    the interval is the limit, and the task falls on a day off (see the module's notes)."""
    day = start + timedelta(days=n)
    if n == 0 or is_working_day(day):
        return day
    before = add_working_days(day, -1)
    return before if n < 0 or before >= start else day


def working_days_before(day: date, n: int) -> date:
    """The n-th working day before ``day`` (n >= 0)."""
    return add_working_days(day, -abs(n))


def working_days_after(day: date, n: int) -> date:
    """The n-th working day after ``day`` (n >= 0)."""
    return add_working_days(day, abs(n))


@lru_cache(maxsize=65_536)
def working_days_between(a: date, b: date) -> int:
    """Signed working-day steps from ``a`` to ``b`` (the inverse of :func:`add_working_days`)."""
    if b > a:
        return sum(1 for day in _days(a + _ONE_DAY, b) if is_working_day(day))
    if b < a:
        return -sum(1 for day in _days(b, a - _ONE_DAY) if is_working_day(day))
    return 0


def next_working_day(day: date) -> date:
    """``day`` if it is a working day, else the first working day after it."""
    return day if is_working_day(day) else add_working_days(day, 1)


def working_days_in(first: date, last: date) -> list[date]:
    """Every working day from ``first`` to ``last`` inclusive, in order."""
    return [day for day in _days(first, last) if is_working_day(day)]


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY
