"""When a worker is away: the staff list's absence, from its first day to its last.

The staff list gives an absence's last day (``absent_until``) and, optionally, its first
(``absent_from``): a planned absence (maternity leave, an operation) has both, and the worker is
at work until it starts. One without a first day has begun already (the worker is away from
today until the last day, as before ``absent_from`` existed). One without a last day, only a
first, has no known return: the worker is away from that day on, like a leaving date that is
not yet known. Every place that asks whether a worker is away on a day (the planner, tasks,
the check, the AMHP cover, the risk score) asks here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_

from transition.models import Staff


def away_on(day: date, absent_from: date | None, absent_until: date | None, *,
            back_within_days: int = 0) -> bool:
    """Whether the worker is away on ``day``: on or after the absence's first day (none: it
    has begun) and not back by then. ``back_within_days`` counts a worker back within that
    many days of ``day`` as there (the planner's ``[matching] back_within_days``); it has no
    effect on an absence with no last day."""
    if absent_until is None:
        return absent_from is not None and absent_from <= day
    if absent_from is not None and absent_from > day:
        return False
    return absent_until >= day + timedelta(days=back_within_days)


def not_over(as_of: date, absent_from: date | None, absent_until: date | None) -> bool:
    """Whether the staff list gives an absence that has not ended by ``as_of`` (under way, or
    still to come)."""
    if absent_until is None:
        return absent_from is not None
    return absent_until >= as_of


def begun(as_of: date, absent_from: date | None) -> bool:
    """Whether an absence (one the staff list gives) has begun by ``as_of``."""
    return absent_from is None or absent_from <= as_of


def absence_words(absent_from: date | None, absent_until: date | None,
                  show: Callable[[date], str] = date.isoformat) -> str:
    """The absence as people read it: "absent until 2027-05-14" (begun), "absent from
    2027-03-01 to 2027-09-30" (planned), "absent from 2027-03-01, no return date". ``show``
    writes a date (a screen passes its own). Empty without an absence."""
    if absent_from is None:
        return "" if absent_until is None else f"absent until {show(absent_until)}"
    if absent_until is None:
        return f"absent from {show(absent_from)}, no return date"
    return f"absent from {show(absent_from)} to {show(absent_until)}"


def away_on_sql(day: Any) -> Any:
    """:func:`away_on` (without ``back_within_days``) in SQL, for a date column or
    expression ``day``: the worker's absence, from the staff table, covers it."""
    return and_(
        or_(Staff.absent_from.is_not(None), Staff.absent_until.is_not(None)),  # type: ignore[union-attr]
        or_(Staff.absent_from.is_(None), Staff.absent_from <= day),  # type: ignore[union-attr,operator]
        or_(Staff.absent_until.is_(None), Staff.absent_until >= day),  # type: ignore[union-attr,operator]
    )
