"""When a worker is away: the staff list's absence, from its first day to its last.

The staff list gives an absence's last day (``absent_until``) and, optionally, its first
(``absent_from``): a planned absence (maternity leave, an operation) has both, and the worker is
at work until it starts. One without a first day has begun already (the worker is away from
today until the last day, as before ``absent_from`` existed). One without a last day, only a
first, has no known return: the worker is away from that day on, like a leaving date that is
not yet known. Every place that asks whether a worker is away on a day (the planner, tasks,
the check, the AMHP cover, the risk score) asks here; so does the check's
``away_after_handover``, for a worker gone (away long-term, or leaving) soon after a handover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from transition.models import Person, Staff
from transition.working_days import working_days_between


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


def long_absence_after(day: date, absent_from: date | None, absent_until: date | None, *,
                       long_term_days: int) -> int | None:
    """Working days from ``day`` (a handover) to the first day of a planned absence that starts
    after it and will be long-term when it begins (``long_term_days`` or more from its first
    day to its last, or no return date), England and Wales bank holidays skipped; None for
    any other absence, or none. The nightly check's ``away_after_handover``."""
    if absent_from is None or absent_from <= day:
        return None
    if absent_until is not None and absent_until < absent_from + timedelta(days=long_term_days):
        return None
    return working_days_between(day, absent_from)


def leaving_after(day: date, leaving_date: date | None) -> int | None:
    """Working days from ``day`` (a handover) to a leaving date after it, counted as
    :func:`long_absence_after` counts; None for no leaving date, or one on or before ``day``
    (the planner does not give such a worker anyone: ``worker_unavailable``'s, not this)."""
    if leaving_date is None or leaving_date <= day:
        return None
    return working_days_between(day, leaving_date)


LEAVES_ON = "leaves on "
"""How :func:`soon_after_handover`'s words start for a worker leaving (else an absence)."""

BATCH = 500  # ids per read: within any database's limit on parameters


def soon_after_handover(session: Session, pairs: Iterable[tuple[int, str]], *,
                        long_term_days: int, window: int,
                        show: Callable[[date], str] = date.isoformat) -> dict[tuple[int, str], str]:
    """For each (person id, staff id) whose worker leaves, or starts a long-term planned
    absence, within ``window`` working days after the person's handover (their own date, else
    the transfer date), as :func:`leaving_after` and :func:`long_absence_after` count: "absent
    from 2027-04-29 to 2027-11-30, 20 working days after the handover on 2027-04-01", "leaves
    on 2027-04-15, 10 working days after the handover on 2027-04-01" (the sooner of the two,
    when both). Not the trust's coordinator carrying on (no change of worker at the handover).
    What the nightly check's ``away_after_handover`` would say once the plan is accepted (the
    plan screen's note, ``plan show``'s). Two small reads for a page of rows; for more, two per
    500 workers or people (only the people of workers who leave or have an absence ahead)."""
    # Here, not at the top: the planner's worker model imports this module, and need not load
    # the audit trail and the programme with it.
    from transition.allocation import coordinator_continues
    from transition.programme import transfer_date

    wanted = list(pairs)
    staff_ids = sorted({staff_id for _person, staff_id in wanted})
    ahead: dict[str, tuple[Any, ...]] = {}  # staff id: absent from, until, leaving date
    for first in range(0, len(staff_ids), BATCH):
        workers = (
            select(Staff.staff_id, Staff.absent_from, Staff.absent_until, Staff.leaving_date)
            .where(Staff.staff_id.in_(staff_ids[first:first + BATCH]),  # type: ignore[attr-defined]
                   or_(Staff.absent_from.is_not(None), Staff.leaving_date.is_not(None)))  # type: ignore[union-attr]
        )
        ahead.update((row[0], row[1:]) for row in session.execute(workers))
    wanted = [(person_id, staff_id) for person_id, staff_id in wanted if staff_id in ahead]
    if not wanted:
        return {}
    transfer = transfer_date(session)
    person_ids = sorted({person_id for person_id, _staff in wanted})
    people: dict[int, tuple[Any, ...]] = {}
    for first in range(0, len(person_ids), BATCH):
        handovers = (
            select(Person.id, Person.handover_date, Person.care_coordinator_id,
                   Person.coordinator_until)
            .where(Person.id.in_(person_ids[first:first + BATCH]))  # type: ignore[union-attr]
        )
        people.update((row[0], row[1:]) for row in session.execute(handovers))
    notes = {}
    for person_id, staff_id in wanted:
        own, coordinator, coordinator_until = people.get(person_id, (None, None, None))
        day, (start, until, leaving) = own or transfer, ahead[staff_id]
        if day is None or coordinator_continues(staff_id, coordinator, coordinator_until, day):
            continue  # no handover date yet, or no change of worker at it
        away = long_absence_after(day, start, until, long_term_days=long_term_days)
        # Away (however briefly) on the handover date: the check's absent_at_handover.
        leaves = None if away_on(day, start, until) else leaving_after(day, leaving)
        if (leaving is not None and leaves is not None and leaves <= window
                and (away is None or leaves <= away)):
            what, apart = f"{LEAVES_ON}{show(leaving)}", leaves
        elif away is not None and away <= window:
            what, apart = absence_words(start, until, show), away
        else:
            continue
        notes[(person_id, staff_id)] = (f"{what}, {apart} working day{'s' if apart != 1 else ''} "
                                        f"after the handover on {show(day)}")
    return notes


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
