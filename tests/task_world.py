"""A small caseload with an accepted allocation, for the task tests (unit and CLI).

The programme moves everyone on Thursday 1 April 2027, just after Easter 2027 (Good Friday
26 March, Easter Monday 29 March), so the default deadlines cross a bank-holiday weekend:

    -10 working days  Tuesday 16 March 2027    (letters)
     -5               Tuesday 23 March 2027    (assessment booked, budget continuity)
     -3               Thursday 25 March 2027   (joint visit)
     -2               Tuesday 30 March 2027    (s117 / CTO review)
     -1               Wednesday 31 March 2027  (records transferred)
     +2 calendar days Friday 2 April 2027      (first contact after a recent discharge: 48
                                                hours is Saturday 3 April, brought back)
     +7 calendar days Thursday 8 April 2027    (first contact)
     +8 weeks         Thursday 27 May 2027     (Care Act review)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from tests.factories import make_person, make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.models import Role
from transition.programme import set_transfer_date

TRANSFER = date(2027, 4, 1)
ACTOR = "test-manager"

DUE = {
    -10: date(2027, 3, 16),
    -5: date(2027, 3, 23),
    -3: date(2027, 3, 25),
    -2: date(2027, 3, 30),
    -1: date(2027, 3, 31),
    2: date(2027, 4, 2),  # calendar days, as first contact counts (NICE NG53)
    7: date(2027, 4, 8),
}


def person(session: Session, *, pathway: str | None, band: str | None = "green",
           coordinator: str | None = "OUT1", **fields: Any) -> int:
    made = make_person(session, care_coordinator_id=coordinator, **fields)
    made.pathway = pathway
    made.risk_band = band
    session.add(made)
    session.flush()
    assert made.id is not None
    return made.id


def assign(session: Session, person_id: int, role: str, staff_id: str) -> None:
    set_assignments(session, [NewAssignment(person_id, role, staff_id, TRANSFER)], actor=ACTOR)


def build(session: Session) -> dict[str, int]:
    """Staff, people and the accepted allocation; returns person ids by a short name."""
    set_transfer_date(session, TRANSFER, actor=ACTOR)
    make_staff(session, "OUT1", seconded=True)  # the trust's care coordinator for everyone
    make_staff(session, "IN1")  # a council social worker
    make_staff(session, "IN2")
    make_staff(session, "KW1", employer="trust", role="key_worker")
    ids = {
        "council": person(session, pathway="council", carer=True),
        "red": person(session, pathway="trust", band="red", s117=True, cto=True,
                      last_discharge=date(2027, 2, 15)),
        "assess": person(session, pathway="assess"),
        "signpost": person(session, pathway="signpost", accessible_format="bsl"),
        "kept": person(session, pathway="council"),
        "joint_both": person(session, pathway="joint", personal_budget=True),
        "joint_kw": person(session, pathway="joint"),
        "unknown_out": person(session, pathway="council", coordinator="GONE9"),
    }
    assign(session, ids["council"], Role.SOCIAL_WORKER, "IN1")
    assign(session, ids["red"], Role.KEY_WORKER, "KW1")
    assign(session, ids["assess"], Role.SOCIAL_WORKER, "OUT1")
    assign(session, ids["kept"], Role.SOCIAL_WORKER, "OUT1")
    assign(session, ids["joint_both"], Role.SOCIAL_WORKER, "IN1")
    assign(session, ids["joint_both"], Role.KEY_WORKER, "KW1")
    assign(session, ids["joint_kw"], Role.SOCIAL_WORKER, "OUT1")
    assign(session, ids["joint_kw"], Role.KEY_WORKER, "KW1")
    assign(session, ids["unknown_out"], Role.SOCIAL_WORKER, "IN2")
    return ids
