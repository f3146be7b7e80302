"""Staff ids as people type and export them.

A staff list's ids are its primary keys, stored as the staff list writes them ("SW0042").
A trust export or a manager at the terminal may write the same id in another case ("sw0042");
that must find the worker, not "no such worker" (or, on import, a warning for every row).
An id matches exactly first; failing that, the one staff-list id that differs from it only in
case. Two staff-list ids that differ only in case (a list that really does that) are never
guessed between: the exact spelling is then needed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from transition.errors import NotFoundError
from transition.models import Person, Staff


def by_folded_case(staff_ids: Iterable[str]) -> dict[str, str]:
    """Each staff id's case-folded spelling -> the id, for the spellings only one id has."""
    index: dict[str, str | None] = {}
    for staff_id in staff_ids:
        folded = staff_id.casefold()
        index[folded] = None if folded in index and index[folded] != staff_id else staff_id
    return {folded: staff_id for folded, staff_id in index.items() if staff_id is not None}


def find_staff_id(session: Session, typed: str) -> str | None:
    """The staff list's id for ``typed`` (exactly, or differing only in case), or None."""
    typed = typed.strip()
    if not typed:
        return None
    if session.get(Staff, typed) is not None:
        return typed
    # Folded in Python, not SQL: SQLite's lower() knows only ASCII, and the two databases
    # must agree. A staff list is thousands of ids at most.
    return by_folded_case(session.scalars(select(Staff.staff_id))).get(typed.casefold())


def find_coordinator_id(session: Session, typed: str) -> str | None:
    """The id for ``typed`` as the staff list writes it, else as the trust's export names a care
    coordinator (a worker on no staff list: left, or from another team), across case; None
    when neither has it (or two ids there differ only in case)."""
    found = find_staff_id(session, typed)
    if found is not None or not typed.strip():
        return found
    named = session.scalars(select(Person.care_coordinator_id).distinct().where(
        Person.care_coordinator_id.is_not(None)))  # type: ignore[union-attr]
    return by_folded_case(named).get(typed.strip().casefold())


def require_staff_id(session: Session, typed: str, *, hint: str | None = None) -> str:
    """The staff list's id for ``typed``, or a NotFoundError naming what was typed."""
    staff_id = find_staff_id(session, typed)
    if staff_id is None:
        raise NotFoundError(
            f"No worker with staff id {typed.strip()!r} is on the staff list.",
            hint=hint or "Check the id (transition plan candidates NHS_NUMBER lists workers "
            "with their ids), or import the staff list again.")
    return staff_id
