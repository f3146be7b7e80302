"""Why something written as a date is not one, in words a person can act on: text after the
date ('01/04/2027x', '1 April 2027 abc'), a day its month does not have (31 February, in
figures or words), a month over 12 (often a month-first date), a day 0.

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


# A date with its month in words, in the orders dateutil reads (1 April 2027, 1st Apr 2027,
# April 1, 2027, 2027-Apr-01; a day of the week may come first), with something after it. A
# digit may not follow the year (nor, year first, the day): it would make another number, not
# a date and more.
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_SEP = r"[\s,./\-]*"
_DAY = r"\d{1,2}"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"\d{4}|\d{2}"
_WORDED_THEN_MORE = re.compile(
    rf"^{_WEEKDAY}(?:"
    rf"(?P<day_first>{_DAY}){_ORDINAL}{_SEP}(?P<month_after_day>[a-z]+)\.?{_SEP}"
    rf"(?P<year_after_month>{_YEAR})"
    rf"|(?P<month_first>[a-z]+)\.?{_SEP}(?P<day_after_month>{_DAY}){_ORDINAL}{_SEP}"
    rf"(?P<year_last>{_YEAR})"
    rf"|(?P<year_first>\d{{4}}){_SEP}(?P<month_after_year>[a-z]+)\.?{_SEP}"
    rf"(?P<day_last>{_DAY}){_ORDINAL}"
    r")(?P<more>\D.*)?$",
    re.IGNORECASE | re.DOTALL,
)


def _month_number(word: str) -> int | None:
    """The month a word names as dateutil reads one ('Apr', 'April', 'Sept'), else None."""
    word = word.lower()
    for number, name in enumerate(MONTHS, start=1):
        if word in (name.lower(), name[:3].lower()) or (number == 9 and word == "sept"):
            return number
    return None


def _worded(text: str) -> tuple[int, int, int, str] | None:
    """Year, month, day and what follows them (stripped; "" for nothing) of a date written
    with its month in words; None when ``text`` does not start with one."""
    match = _WORDED_THEN_MORE.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    if parts["day_first"]:
        day, word, year = (parts["day_first"], parts["month_after_day"],
                           parts["year_after_month"])
    elif parts["month_first"]:
        word, day, year = parts["month_first"], parts["day_after_month"], parts["year_last"]
    else:
        year, word, day = parts["year_first"], parts["month_after_year"], parts["day_last"]
    month = _month_number(word)
    if month is None:
        return None
    # A two-digit year is read as the 2000s, as for a date in figures (see text_after).
    return (int(year) + (2000 if len(year) == 2 else 0), month, int(day),
            (parts["more"] or "").strip())


def _follows(more: str, year: int, month: int, day: int) -> str:
    shown = repr(more if len(more) <= 20 else more[:19] + "…")
    also = impossible(year, month, day)
    return f"{shown} follows the date" + (f", and {also}" if also else "")


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
    2027 does not exist ..."), in figures ('31/02/2027x') or with its month in words ('31 Feb
    2027x', '1 April 2027 abc'); None when ``text`` is not a date followed by something."""
    match = _DATE_THEN_MORE.match(text)
    if not match:
        worded = _worded(text)
        if worded is None or not worded[3]:
            return None
        year, month, day, more = worded
        return _follows(more, year, month, day)
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
    # A two-digit year is read as the 2000s or the 1900s; a day is in a month in both or
    # neither, but for 29 February 2000 (1900 was no leap year), which is a real date.
    return _follows(more, int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))


def worded_impossible(text: str) -> str | None:
    """Why a date with its month in words and nothing after it is no date ("31 February 2027
    does not exist (February 2027 has 28 days)"); None when it is one, or is not that shape."""
    worded = _worded(text)
    if worded is None or worded[3]:
        return None
    year, month, day, _more = worded
    return impossible(year, month, day)
