"""Handover fixtures for letter tests: a person whose accepted worker replaces the trust's one.

Built with tests.factories and transition.allocation.set_assignments, as the matching stage
will leave the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from tests.factories import make_person, make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.models import Person, Staff, Task
from transition.programme import set_transfer_date

TRANSFER = date(2027, 4, 1)
TODAY = date(2027, 1, 15)

# Words that must never reach a letter to a person or carer: service jargon, abbreviations and
# stigmatising language ("Please, write to me"; DOMAIN.md "Letters").
JARGON = (
    "CPA", "Care Programme Approach", "cluster", "s117", "s.117", "S117", "CTO", "CMHT", "AMHP",
    "MHA", "ICB", "section 75", "signpost", "eligib", "service user", "caseload", "case ",
    "patient", "suffer", "mentally ill", "non-compliant", "noncompliant", "discharge",
    "key worker (KW)", "Care Act", "care coordinator", "{{", "{%", "}}", "%}",
)


def jargon_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in JARGON if word.lower() in lowered]


def council_worker(session: Session, staff_id: str = "SW1", **fields: Any) -> Staff:
    values: dict[str, Any] = {"given_name": "Jo", "family_name": "Łukasz",
                              "phone": "01234 567890", "email": f"{staff_id.lower()}@westshire.example"}
    values.update(fields)
    return make_staff(session, staff_id, **values)


def trust_worker(session: Session, staff_id: str = "TRUST1", **fields: Any) -> Staff:
    values: dict[str, Any] = {"given_name": "Pat", "family_name": "Leaving", "employer": "trust",
                              "role": "nurse", "seconded": False}
    values.update(fields)
    return make_staff(session, staff_id, **values)


def handover_person(
    session: Session,
    *,
    new_staff_id: str = "SW1",
    old_staff_id: str = "OLD1",
    role: str = "social_worker",
    **person_fields: Any,
) -> Person:
    """A person whose trust coordinator ``old_staff_id`` is replaced by ``new_staff_id``."""
    if session.get(Staff, old_staff_id) is None:
        make_staff(session, old_staff_id, given_name="Pat", family_name="Oldworker", seconded=True)
    if session.get(Staff, new_staff_id) is None:
        council_worker(session, new_staff_id)
    values: dict[str, Any] = {"care_coordinator_id": old_staff_id, "pathway": "council"}
    values.update(person_fields)
    person = make_person(session, **values)
    assert person.id is not None
    set_assignments(session, [NewAssignment(person.id, role, new_staff_id, TRANSFER)], actor="plan")
    return person


def with_transfer_date(session: Session, day: date = TRANSFER) -> None:
    set_transfer_date(session, day, actor="setup")


def add_task(session: Session, person: Person, key: str) -> Task:
    assert person.id is not None
    task = Task(person_id=person.id, key=key, title=key.replace("_", " "), owner_kind="incoming",
                due=TRANSFER, offset_working_days=-10, handover_date=TRANSFER)
    session.add(task)
    session.flush()
    return task
