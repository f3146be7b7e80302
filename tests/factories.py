"""Build people and staff directly in the database for tests (no import file needed).

Everything is synthetic: NHS numbers come from the 999 range and pass Modulus 11.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlmodel import Session

from transition import nhs
from transition.models import Locality, Person, Staff, Team


def nhs_numbers(start: int = 0) -> Iterator[str]:
    """Valid synthetic NHS numbers in the 999 range, in a fixed order."""
    serial = start
    while True:
        number = nhs.complete(f"999{serial:06d}")
        serial += 1
        if number is not None:
            yield number


def nhs_number(index: int) -> str:
    """The index-th valid synthetic NHS number (0 -> 9990000018)."""
    for position, number in enumerate(nhs_numbers()):
        if position == index:
            return number
    raise AssertionError("unreachable")


def ensure_place(session: Session, team: str | None, locality: str | None,
                 employer: str | None = None) -> None:
    if locality and session.get(Locality, locality) is None:
        session.add(Locality(name=locality))
        session.flush()
    if team and session.get(Team, team) is None:
        session.add(Team(name=team, locality=locality, employer=employer))
        session.flush()


def _hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()


_person_counter = iter(range(10_000_000))


def _made_up_number(index: int) -> str:
    """The NHS number of the index-th person made without one: from 999 500 0000 up, so that
    it never meets the small nhs_number(n) a test gives explicitly (the counter is per
    process, and how far it has gone depends on which tests ran there first). Three serials
    an index: of three consecutive serials at most one fails the check digit."""
    serial = 500_000 + 3 * (index % 150_000)
    for candidate in (serial, serial + 1, serial + 2):
        number = nhs.complete(f"999{candidate:06d}")
        if number is not None:
            return number
    raise AssertionError("two consecutive serials are always valid")


def make_person(session: Session, **fields: Any) -> Person:
    """A person with plausible defaults; any canonical field can be given."""
    index = next(_person_counter)
    values: dict[str, Any] = {
        "nhs_number": _made_up_number(index),
        "local_id": f"P{index:06d}",
        "given_name": "Sam",
        "family_name": f"Testperson{index}",
        "date_of_birth": date(1980, 1, 1),
        "address": "1 Example Street, Westhaven",
        "postcode": "WX1 2AB",
        "team": "North CMHT",
        "locality": "North",
        "gp_practice": "Y00001",
        "gp_practice_name": "Example Surgery",
        "gp_address": "2 Surgery Lane, Westhaven WX1 3CD",
        # As an export says them (a blank is unknown: no one is signposted then).
        "s117": False,
        "cpa": False,
    }
    values.update(fields)
    ensure_place(session, values.get("team"), values.get("locality"), "trust")
    values.setdefault("content_hash", _hash(values))
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


def make_staff(session: Session, staff_id: str, **fields: Any) -> Staff:
    """A worker; defaults to a council social worker in North CMHT with room for 20 people."""
    values: dict[str, Any] = {
        "staff_id": staff_id,
        "given_name": "Jo",
        "family_name": f"Worker{staff_id}",
        "employer": "council",
        "role": "social_worker",
        "team": "North CMHT",
        "locality": "North",
        "capacity": 20,
        "fte": 1.0,
        "skills": [],
        "languages": ["english"],
        "gender": "female",
        "seconded": False,
        "phone": "01234 567890",
        "email": f"{staff_id.lower()}@example.invalid",
    }
    values.update(fields)
    ensure_place(session, values.get("team"), values.get("locality"), values.get("employer"))
    ensure_place(session, values.get("council_team"), values.get("locality"), "council")
    values.setdefault("content_hash", _hash(values))
    staff = Staff(**values)
    session.add(staff)
    session.flush()
    return staff
