"""A small, fixed caseload for the TUI tests and snapshots (every value fixed, nothing random).

``python -m tests.tui.data FILE`` writes it into a SQLite file, to look at the app by hand.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from itertools import cycle

from sqlalchemy import select
from sqlmodel import Session

from tests.conftest import ACTOR
from tests.factories import make_person, make_staff, nhs_number
from transition.audit import Change, record
from transition.db import Database
from transition.models import ImportBatch, ImportWarning, Person, RejectedRow
from transition.programme import set_transfer_date

IMPORTED_AT = datetime(2027, 1, 11, 9, 30, tzinfo=UTC)
TRANSFER_DATE = date(2027, 4, 1)

FAMILY = ["Ashworth", "Baines", "Chowdhury", "Dalton", "Egbuna", "Fairclough", "Garside",
          "Hollins", "Iqbal", "Jenkins", "Kowalski", "Lister", "Mahmood", "Nuttall", "Oduya",
          "Pickering", "Quayle", "Rashid", "Sutcliffe", "Thornley", "Umeh", "Varley",
          "Whitworth", "Yates"]
GIVEN = ["Alice", "Bilal", "Carys", "Dominic", "Eve", "Farid", "Grace", "Harry", "Imogen",
         "Jamal", "Katie", "Liam"]
TEAMS = [("North CMHT", "North"), ("South CMHT", "South"), ("East Recovery Team", "East")]
FEATURED_NHS = nhs_number(0)  # 999 000 0018: the person with every field filled in


def batch(session: Session, kind: str, file_name: str, **counts: int) -> ImportBatch:
    row = ImportBatch(kind=kind, file_name=file_name, file_sha256="0" * 64, actor=ACTOR,
                      started_at=IMPORTED_AT, finished_at=IMPORTED_AT, **counts)
    session.add(row)
    session.flush()
    return row


def populate(database: Database) -> None:
    """Five staff, 24 people in three teams, two imports (two rows rejected), a transfer date."""
    with database.transaction() as session:
        staff_batch = batch(session, "staff", "staff.csv", rows=5, inserted=5)
        caseload = batch(session, "caseload", "trust_caseload.csv", rows=27, inserted=24,
                         rejected=2, duplicates=1, warnings=1, missing_from_file=0)
        staff = [
            ("S001", "Ana", "Okafor", "council", "social_worker", 0, True),
            ("S002", "Ben", "Carter", "trust", "nurse", 0, False),
            ("S003", "Chloe", "Evans", "council", "social_worker", 1, True),
            ("S004", "Dev", "Patel", "trust", "ot", 1, False),
            ("S005", "Erin", "Hughes", "trust", "psychologist", 2, False),
        ]
        for staff_id, given, family, employer, role, team, seconded in staff:
            make_staff(session, staff_id, given_name=given, family_name=family,
                       employer=employer, role=role, team=TEAMS[team][0],
                       locality=TEAMS[team][1], seconded=seconded,
                       first_batch_id=staff_batch.id, last_batch_id=staff_batch.id)
        coordinators = cycle(["S001", "S002", "S003", "S004", "S005", "S999", None])
        for index, family in enumerate(FAMILY):
            team, locality = TEAMS[index % 3]
            make_person(
                session,
                nhs_number=nhs_number(index),
                local_id=f"RIO{1000 + index}",
                given_name=GIVEN[index % len(GIVEN)],
                family_name=family,
                date_of_birth=date(1950 + index * 2, 1 + index % 12, 1 + index % 28),
                team=team,
                locality=locality,
                care_coordinator_id=next(coordinators),
                first_batch_id=caseload.id,
                last_batch_id=caseload.id,
                missing_since_batch_id=caseload.id if index in (5, 17) else None,
            )
        featured = make_person_full(session, caseload.id)
        session.add(ImportWarning(batch_id=caseload.id, row_number=2, person_id=featured.id,
                                  column="care_coordinator_id",
                                  message="S001 is not a care coordinator in this team's list"))
        record(session, Change(action="person.update", entity="person",
                               entity_key=featured.nhs_number, person_id=featured.id,
                               field="postcode", before="WX2 9ZZ", after="WX1 4QT",
                               batch_id=caseload.id), actor=ACTOR, at=IMPORTED_AT)
        session.add(RejectedRow(batch_id=caseload.id, row_number=9, record_key="9990000000",
                                raw={}, errors=[{"column": "nhs_number", "message":
                                "NHS number fails the Modulus 11 check (a digit is probably "
                                "mistyped)"}]))
        session.add(RejectedRow(batch_id=caseload.id, row_number=14, record_key=None, raw={},
                                errors=[{"column": "nhs_number", "message": "NHS number is missing"},
                                        {"column": "date_of_birth",
                                         "message": "31/02/1980 is not a date"}]))
        set_transfer_date(session, TRANSFER_DATE, actor=ACTOR)


def make_person_full(session: Session, batch_id: int | None) -> Person:
    """The featured person: the first NHS number, with every field filled in."""
    person = session.scalars(select(Person).where(Person.nhs_number == FEATURED_NHS)).one()
    values: dict[str, object] = dict(
        gender="female", address="14 Mill Lane, Westhaven", postcode="WX1 4QT",
        gp_practice="Y01234", gp_practice_name="Harbour Surgery",
        gp_address="1 Quay Street, Westhaven WX1 2AA", cpa=True, cluster=11, s117=True,
        cto=True, safeguarding_open=True, last_contact=date(2027, 1, 4),
        last_discharge=date(2026, 12, 20), admissions_12m=2, missed_appointments_6m=3,
        self_harm_history=True, substance_misuse=False, lives_alone=True, carer=True,
        carer_name="Tom Ashworth", carer_address="14 Mill Lane, Westhaven",
        personal_budget=True, interpreter_language="Polish", accessible_format="large_print",
        preferred_worker_gender="female",
        care_act_outcomes=["nutrition", "home_safety", "relationships"],
        significant_impact=True, coordinator_since=date(2024, 6, 3),
        extra={"ward": "Harbour Ward", "rio_flag": "HIGH"},
    )
    for name, value in values.items():
        setattr(person, name, value)
    session.flush()
    return person


if __name__ == "__main__":
    target = Database(f"sqlite:///{sys.argv[1]}")
    target.migrate()
    populate(target)
    print(f"wrote {sys.argv[1]}")
