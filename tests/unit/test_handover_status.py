"""Where each handover stands, as the at-risk list shows it: does the worker change, to whom,
who stays, is a role left with no one, and is the joint handover visit done?"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.check_world import TRANSFER, assign, person, task, with_transfer
from tests.conftest import TODAY
from tests.factories import make_staff
from transition.allocation_status import handover_ahead
from transition.db import Database
from transition.handover_status import (
    SHORT_WIDTH,
    HandoverStatus,
    IncomingWorker,
    handover_statuses,
)
from transition.models import Person, TaskStatus
from transition.screens.at_risk import COLUMNS
from transition.widgets.format import uk_date

VISIT = "joint_visit"


def test_every_state_with_its_words(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor")
        make_staff(session, "SW2", given_name="Chloe", family_name="Evans")
        make_staff(session, "KW1", given_name="Ben", family_name="Carter", employer="trust",
                   role="nurse")
        keeps = person(session, coordinator="SW1")
        assign(session, keeps, "social_worker", "SW1")
        moves = person(session, coordinator="SW1", band="red")
        assign(session, moves, "social_worker", "SW2")
        task(session, moves, VISIT, date(2027, 3, 25))
        done = person(session, coordinator="SW1")
        assign(session, done, "social_worker", "SW2")
        task(session, done, VISIT, date(2027, 3, 25), status="done")
        joint = person(session, pathway="joint", coordinator="SW1")  # SW1 stays, KW1 joins
        assign(session, joint, "social_worker", "SW1")
        assign(session, joint, "key_worker", "KW1")
        half = person(session, pathway="joint", coordinator="SW1")  # key worker: no one
        assign(session, half, "social_worker", "SW1")
        waiting = person(session, coordinator="SW1")  # no plan yet: SW1 holds them
        nobody = person(session, coordinator=None)  # no plan, and no one holds them
        gone = person(session, coordinator="GONE9")  # a coordinator not on the staff list
        # The export says SW1's allocation ended yesterday: no plan, and no one holds them.
        ended = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=1))
        letter = person(session, pathway="signpost", coordinator="SW1")
        unassessed = person(session, pathway=None, coordinator="SW1")
        own_day = person(session, coordinator="SW1", handover_date=date(2027, 2, 1))
        assign(session, own_day, "social_worker", "SW2")
        green = person(session, coordinator="SW1", band="green")  # tasks, but no visit planned
        assign(session, green, "social_worker", "SW2")
        task(session, green, "letter_person", date(2027, 3, 16))
        # A plan gave SW1 the role again after the export says their allocation ended (before
        # the handover): a returning worker, a handover all the same. One whose allocation
        # ends on the handover day carries on: no handover.
        back = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=1))
        assign(session, back, "social_worker", "SW1")
        to_the_day = person(session, coordinator="SW1", coordinator_until=TRANSFER)
        assign(session, to_the_day, "social_worker", "SW1")
        # A new social worker and the key worker back: no one hands over "from" them.
        mixed = person(session, pathway="joint", coordinator="KW1",
                       coordinator_until=TODAY - timedelta(days=1))
        assign(session, mixed, "social_worker", "SW2")
        assign(session, mixed, "key_worker", "KW1")
        made = {"back": back, "to_the_day": to_the_day, "mixed": mixed, "keeps": keeps, "moves": moves, "done": done, "joint": joint, "half": half,
                "waiting": waiting, "nobody": nobody, "gone": gone, "ended": ended, "letter": letter,
                "unassessed": unassessed, "own_day": own_day, "green": green}
        ids = {name: item.id for name, item in made.items()}

        found = handover_statuses(session, ids.values(), visit_task=VISIT, as_of=TODAY)
        status = {name: found[person_id] for name, person_id in ids.items()}
        assert {name: item.state for name, item in status.items()} == {
            "back": "changes", "to_the_day": "keeps", "mixed": "changes", "keeps": "keeps", "moves": "changes", "done": "changes", "joint": "changes",
            "half": "no_worker", "waiting": "no_plan", "nobody": "no_worker",
            "gone": "no_worker", "ended": "no_worker", "letter": "signpost", "unassessed": "not_assessed",
            "own_day": "changes", "green": "changes"}
        # The at-risk list's "changing worker" filter, in SQL, picks the same people.
        ahead = set(session.scalars(select(Person.id).where(handover_ahead(TODAY, TRANSFER))))
        assert {name for name, person_id in ids.items() if person_id in ahead} == {
            name for name, item in status.items() if item.state in ("changes", "no_worker")}

        assert status["keeps"].short() == "keeps their worker"
        assert status["keeps"].sentence() == "No handover: Ana Okafor keeps them."
        moves_status = status["moves"]
        assert moves_status.visit_open and moves_status.short() == "new · visit by 25 Mar"
        assert moves_status.sentence() == (
            "Handover on 1 Apr 2027: social worker Chloe Evans (SW2), from Ana Okafor. "
            "Joint handover visit: to do, due 25 Mar 2027.")
        assert not status["done"].visit_open and status["done"].short() == "new · visit done"
        assert status["joint"].kept == ["social_worker"]
        assert status["joint"].short() == "new · no tasks yet"
        assert status["joint"].sentence() == (
            "Handover on 1 Apr 2027: key worker Ben Carter (KW1). Ana Okafor stays as their "
            "social worker. No handover tasks yet: make them with transition tasks generate (in "
            "the app, t then G).")
        # The rules plan a joint visit for some people only: tasks without one are not a gap.
        assert status["green"].short() == "new · no visit"
        assert status["green"].sentence().endswith(
            "from Ana Okafor. No joint handover visit among their tasks.")
        assert status["half"].unfilled == ["key_worker"]
        assert status["half"].sentence() == "No one holds the key worker role they need."
        assert status["waiting"].sentence() == (
            "No plan accepted for them yet: Ana Okafor holds them until one is.")
        assert status["nobody"].unfilled == ["social_worker"]
        assert status["gone"].short() == "needs a worker"
        yesterday = uk_date(TODAY - timedelta(days=1))
        assert status["ended"].sentence() == (
            f"No one holds the social worker role they need: Ana Okafor's allocation ended "
            f"on {yesterday}.")
        assert status["gone"].sentence() == "No one holds the social worker role they need."
        assert status["letter"].short() == "signposted"
        assert status["own_day"].handover_date == date(2027, 2, 1)
        assert status["own_day"].sentence().startswith("Handover on 1 Feb 2027: ")
        assert status["moves"].handover_date == TRANSFER
        assert status["joint"].as_json() == {
            "state": "changes", "handover_date": "2027-04-01",
            "incoming": [{"role": "key_worker", "staff_id": "KW1", "name": "Ben Carter",
                          "returning_after": None}],
            "unfilled_roles": [], "kept_roles": ["social_worker"], "visit": None}
        assert status["back"].kept == []
        assert status["back"].sentence() == (
            f"Handover on 1 Apr 2027: social worker Ana Okafor (SW1) again, after their "
            f"allocation ended on {yesterday}. No handover tasks yet: make them with "
            "transition tasks generate (in the app, t then G).")
        assert status["back"].as_json()["incoming"][0]["returning_after"] == (
            (TODAY - timedelta(days=1)).isoformat())
        assert status["mixed"].sentence() == (
            f"Handover on 1 Apr 2027: social worker Chloe Evans (SW2); key worker Ben Carter "
            f"(KW1) again, after their allocation ended on {yesterday}. No handover tasks yet: "
            "make them with transition tasks generate (in the app, t then G).")
        assert status["to_the_day"].sentence() == "No handover: Ana Okafor keeps them."
        # The short column says "back" when every incoming worker returns, "new" when one is new.
        assert status["back"].short() == "back · no tasks yet"
        assert status["mixed"].short() == "new · no tasks yet"
        assert status["moves"].as_json()["visit"] == {"status": "todo", "due": "2027-03-25"}


def _changes(incoming: list[IncomingWorker], visit_status: str | None, visit_due: date | None,
             has_tasks: bool = True) -> HandoverStatus:
    return HandoverStatus(state="changes", handover_date=TRANSFER, coordinator="Ana Okafor",
                          incoming=incoming, visit_status=visit_status, visit_due=visit_due,
                          has_tasks=has_tasks)


NEW = IncomingWorker("social_worker", "SW2", "Chloe Evans")
BACK = IncomingWorker("key_worker", "KW1", "Ben Carter", returning_after=date(2026, 11, 30))


@pytest.mark.parametrize(("incoming", "visit_status", "visit_due", "has_tasks", "expected"), [
    ([BACK], "todo", date(2026, 12, 3), True, "back · visit by 3 Dec"),
    # "back · visit by 25 Mar" would be 22 characters: the "by" goes.
    ([BACK], "in_progress", date(2027, 3, 25), True, "back · visit 25 Mar"),
    ([BACK], "done", date(2027, 3, 25), True, "back · visit done"),
    ([BACK], "not_needed", None, True, "back · needs no visit"),
    ([BACK], None, None, True, "back · no visit"),
    ([BACK], None, None, False, "back · no tasks yet"),
    ([NEW], "todo", date(2027, 3, 25), True, "new · visit by 25 Mar"),
    ([NEW], "not_needed", None, True, "new · needs no visit"),
    # A new social worker and the key worker back: someone is new.
    ([BACK, NEW], "blocked", date(2027, 3, 25), True, "new · visit by 25 Mar"),
    ([NEW, BACK], "done", None, True, "new · visit done"),
])
def test_the_short_words_say_back_only_when_every_incoming_worker_returns(
    incoming: list[IncomingWorker], visit_status: str | None, visit_due: date | None,
    has_tasks: bool, expected: str,
) -> None:
    assert _changes(incoming, visit_status, visit_due, has_tasks).short() == expected


def test_the_short_words_fit_the_handover_column_in_every_branch() -> None:
    # The at-risk screen's Handover column is at least this wide.
    width = next(column.least for column in COLUMNS if column.key == "handover")
    said = {HandoverStatus(state=state, handover_date=TRANSFER, coordinator=None).short()
            for state in ("keeps", "no_worker", "no_plan", "signpost", "not_assessed")}
    for incoming in ([NEW], [BACK], [BACK, NEW]):
        for visit_status in (None, *TaskStatus):
            for due in (None, date(2027, 3, 25), date(2027, 12, 30), date(2027, 5, 3)):
                for has_tasks in (True, False):
                    said.add(_changes(incoming, visit_status, due, has_tasks).short())
    assert width == SHORT_WIDTH == 21
    assert sorted(words for words in said if len(words) > width) == []


def test_a_role_the_pathway_no_longer_needs_is_no_handover(database: Database) -> None:
    """An assignment does not end when a manager changes the pathway: a person overridden to
    signpost keeps their new social worker's row, and one moved from joint to trust keeps a
    new social worker beside the key worker who carries on. Neither has a handover ahead: the
    at-risk list's "changing worker" filter (``handover_ahead``) agrees with their state."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        make_staff(session, "KW1", employer="trust", role="nurse")
        signposted = person(session, coordinator="SW1", band="red")
        assign(session, signposted, "social_worker", "SW2")
        signposted.pathway = "signpost"
        trust = person(session, pathway="joint", coordinator="KW1")
        assign(session, trust, "social_worker", "SW2")
        assign(session, trust, "key_worker", "KW1")
        trust.pathway = "trust"
        moves = person(session, pathway="trust", coordinator="KW1")  # still a handover
        assign(session, moves, "key_worker", "SW2")
        assign(session, moves, "social_worker", "SW1")
        session.flush()
        ids = {"signposted": signposted.id, "trust": trust.id, "moves": moves.id}
        found = handover_statuses(session, ids.values(), visit_task=VISIT, as_of=TODAY)
        assert {name: found[person_id].state for name, person_id in ids.items()} == {
            "signposted": "signpost", "trust": "keeps", "moves": "changes"}
        ahead = set(session.scalars(select(Person.id).where(handover_ahead(TODAY, TRANSFER))))
        assert ahead == {moves.id}
