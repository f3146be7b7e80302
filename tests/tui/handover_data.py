"""The fixed TUI caseload (``tests.tui.data``) after a plan was accepted: tasks and letters due.

Six people change worker; one of them moves early (own handover date Monday 25 January 2027),
so on the tests' today (Friday 15 January 2027) some of their tasks are already overdue:

    index 1  Bilal Baines      council, S002 -> S001, handover 25 Jan 2027 (overdue tasks)
    index 2  Carys Chowdhury   council, S003 -> S001, red, has a carer with an address
    index 3  Dominic Dalton    joint: social worker S003 (new), key worker S004 (stays)
    index 4  Eve Egbuna        signpost (no worker)
    index 6  Grace Garside     council, none -> S003, no address recorded (letter skipped)
    index 0  Alice Ashworth    the featured person: trust, S001 -> key worker S002

``python -m tests.tui.handover_data FILE`` writes it into a SQLite file, to look by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from unittest.mock import patch

from sqlalchemy import select
from sqlmodel import Session

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.tui.data import TRANSFER_DATE, populate
from transition.allocation import NewAssignment, set_assignments
from transition.db import Database
from transition.models import Person, Role
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

EARLY_HANDOVER = date(2027, 1, 25)
GENERATED_AT = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)

# index -> (pathway, risk band, {role: staff id}, extra fields)
HANDOVERS: dict[int, tuple[str, str, dict[str, str], dict[str, object]]] = {
    1: ("council", "amber", {Role.SOCIAL_WORKER: "S001"}, {"handover_date": EARLY_HANDOVER}),
    2: ("council", "red", {Role.SOCIAL_WORKER: "S001"},
        {"carer": True, "carer_name": "Sam Chowdhury",
         "carer_address": "3 Weaver Row, Westhaven WX2 1BB"}),
    3: ("joint", "green", {Role.SOCIAL_WORKER: "S003", Role.KEY_WORKER: "S004"}, {}),
    4: ("signpost", "green", {}, {}),
    6: ("council", "amber", {Role.SOCIAL_WORKER: "S003"}, {"address": None, "postcode": None}),
    0: ("trust", "red", {Role.KEY_WORKER: "S002"}, {}),
}


def person_id(session: Session, index: int) -> int:
    found = session.scalar(select(Person.id).where(Person.nhs_number == nhs_number(index)))
    assert found is not None
    return found


@contextmanager
def fixed_clock() -> Iterator[None]:
    """Audit and task times fixed, so screens (and snapshots) do not depend on when tests run."""
    with ExitStack() as stack:
        for module in ("transition.allocation", "transition.audit", "transition.tasks.generate"):
            stack.enter_context(patch(f"{module}.utcnow", lambda: GENERATED_AT))
        yield


def populate_handovers(database: Database) -> dict[int, int]:
    """The fixed caseload plus an accepted allocation and its tasks; person ids by index."""
    populate(database)
    ids: dict[int, int] = {}
    with fixed_clock(), database.transaction() as session:
        for index, (pathway, band, workers, fields) in HANDOVERS.items():
            ids[index] = person_id(session, index)
            person = session.get(Person, ids[index])
            assert person is not None
            person.pathway = pathway
            person.risk_band = band
            for name, value in fields.items():
                setattr(person, name, value)
            session.add(person)
            session.flush()
            set_assignments(session, [NewAssignment(ids[index], role, staff_id, TRANSFER_DATE)
                                      for role, staff_id in workers.items()], actor=ACTOR)
        generate_tasks(session, load_rules(), as_of=TODAY, actor=ACTOR,
                       transfer_date=TRANSFER_DATE)
    return ids


if __name__ == "__main__":
    target = Database(f"sqlite:///{sys.argv[1]}")
    target.migrate()
    populate_handovers(target)
    print(f"wrote {sys.argv[1]}")
