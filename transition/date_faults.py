"""Why something written as a date is not one, in words a person can act on: text after the
date ('01/04/2027x'), a day its month does not have (31 February), a month over 12 (often a
month-first date), a day 0.

Each reason names the date, as the person typed it or as the rejects file keeps it; what the
terminal, ``--json`` and the screens say of an imported cell (which may be a date of birth)
leaves it out (:mod:`transition.validation`).
"""

from __future__ import annotations

import calendar
import re

# Not calendar.month_name, which follows the locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# A date in one of the shapes read (year first, day first, YYYYMMDD) with something that is not
# a digit after it: a digit would make it another shape (a five-digit year), not a date and more.
_DATE_THEN_MORE = re.compile(
    r"^(?:(?P<year_first>\d{4})[/.\-](?P<month_of_year_first>\d{1,2})[/.\-](?P<day_last>\d{1,2})"
    r"|(?P<day_first>\d{1,2})[/.\-](?P<month_of_day_first>\d{1,2})[/.\-](?P<year_last>\d{4}|\d{2})"
    r"|(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2}))"
    r"(?P<more>\D.*)$",
    re.DOTALL,
)


def impossible(year: int, month: int, day: int) -> str | None:
    """Why ``year``, ``month``, ``day`` is no date ("31 February 2027 does not exist (February
    2027 has 28 days)"); None when it is one."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not 1 <= year <= 9999:
        return f"there is no year {year}"
    if day < 1:
        return "there is no day 0"
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return None
    name = MONTHS[month - 1]
    month_has = f"{name} {year}" if month == 2 else name  # only February's length changes
    return f"{day} {name} {year} does not exist ({month_has} has {last} days)"


def text_after(text: str) -> str | None:
    """What is wrong with a date that has text after it ("'x' follows the date, and 31 February
    2027 does not exist ..."); None when ``text`` is not a date followed by something."""
    match = _DATE_THEN_MORE.match(text)
    if not match:
        return None
    parts = match.groupdict()
    if parts["year_first"]:
        year, month, day = parts["year_first"], parts["month_of_year_first"], parts["day_last"]
    elif parts["day_first"]:
        day, month, year = parts["day_first"], parts["month_of_day_first"], parts["year_last"]
    else:
        year, month, day = parts["year"], parts["month"], parts["day"]
    more = parts["more"].strip()
    if not more:
        return None
    shown = repr(more if len(more) <= 20 else more[:19] + "…")
    # A two-digit year is read as the 2000s or the 1900s; a day is in a month in both or
    # neither, but for 29 February 2000 (1900 was no leap year), which is a real date.
    also = impossible(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
    return f"{shown} follows the date" + (f", and {also}" if also else "")
