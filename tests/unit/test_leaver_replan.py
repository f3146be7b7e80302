"""A worker leaving (or gone, or on a long-term absence) is not there to keep people after
their leaving date: a plan neither keeps nor gives anyone to them once they would leave while
holding the person, and ``check --apply`` proposes a new worker for every person a
``worker_unavailable`` finding names, those whose own handover date has passed included (they
still need a worker after the leaver goes). A worker leaving after everything relevant (the
transfer date, the person's handover and the check's notice of a leaver) keeps their people."""

from __future__ import annotations

from datetime import date

from tests.check_world import RULES, TRANSFER, check, of, person, with_transfer
from tests.conftest import ACTOR
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.checks import run_checks
from transition.db import Database
from transition.models import Person
from transition.plan_review import accept_plan, latest_draft
from transition.planning import propose_plan

PASSED = date(2027, 1, 4)  # the own handover date of the person who moved already
LEAVES = date(2027, 3, 12)  # before the transfer date (1 April 2027)
MARCH_1, MARCH_15 = date(2027, 3, 1), date(2027, 3, 15)


def _held(session: object, made: Person, staff_id: str, since: date) -> None:
    assert made.id is not None
    set_assignments(
        session,
        [NewAssignment(made.id, "social_worker", staff_id, since)],  # type: ignore[arg-type]
        actor=ACTOR,
    )


def _world(
    database: Database, *, leaving: date | None = LEAVES, absent_from: date | None = None
) -> dict[str, str]:
    """LEAVER holds one person whose own handover (4 January) has passed and one moving on the
    transfer date; STAYER has room for both."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "LEAVER", leaving_date=leaving, absent_from=absent_from)
        make_staff(session, "STAYER", capacity=10)
        moved = person(session, coordinator="TRUST1", handover_date=PASSED)
        _held(session, moved, "LEAVER", PASSED)
        later = person(session, coordinator="TRUST1")
        _held(session, later, "LEAVER", TRANSFER)
    return {"moved": moved.nhs_number, "later": later.nhs_number}


def _apply(database: Database, as_of: date) -> dict[str, tuple[str | None, str | None]]:
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=as_of, actor=ACTOR, apply=True)
    assert of(report, "worker_unavailable"), "the leaver is a finding"
    return {
        move["nhs_number"]: (move["from_staff_id"], move["to_staff_id"])
        for move in report.proposed_moves
    }


def test_apply_moves_a_person_whose_handover_passed_before_their_worker_leaves(
    database: Database,
) -> None:
    numbers = _world(database)
    moves = _apply(database, MARCH_1)  # she leaves 11 days later
    assert moves == {numbers["moved"]: ("LEAVER", "STAYER"), numbers["later"]: ("LEAVER", "STAYER")}


def test_apply_moves_them_after_the_worker_has_left_and_the_check_then_clears(
    database: Database,
) -> None:
    numbers = _world(database)
    moves = _apply(database, MARCH_15)  # she left on 12 March
    assert moves[numbers["moved"]] == ("LEAVER", "STAYER")
    with database.transaction() as session:
        draft = latest_draft(session)
        assert draft is not None
        accept_plan(session, RULES, plan_id=draft.id, actor="manager")
    assert of(check(database, MARCH_15), "worker_unavailable") == []


def test_a_plan_does_not_keep_a_person_with_a_worker_leaving_after_their_handover_passed(
    database: Database,
) -> None:
    numbers = _world(database)
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=MARCH_1, actor=ACTOR, refresh=False)
    rows = {row.nhs_number: row for row in result.rows}
    moved = rows[numbers["moved"]]
    assert (moved.staff_id, moved.kept) == ("STAYER", False)
    assert any("leaving on 2027-03-12" in reason for reason in moved.reasons)


def test_a_long_term_absence_after_the_handover_passed_moves_the_person(
    database: Database,
) -> None:
    # Away from 1 February with no return date: there on 4 January, not now.
    numbers = _world(database, leaving=None, absent_from=date(2027, 2, 1))
    moves = _apply(database, MARCH_1)
    assert moves[numbers["moved"]] == ("LEAVER", "STAYER")
    [finding] = of(check(database, MARCH_1), "worker_unavailable")
    assert "back before the transfer date" not in finding.message


def test_a_worker_leaving_after_everything_relevant_keeps_their_people(
    database: Database,
) -> None:
    # After the transfer date and well past the check's notice of a leaver (14 days).
    numbers = _world(database, leaving=date(2027, 6, 30))
    assert of(check(database, MARCH_1), "worker_unavailable") == []
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=MARCH_1, actor=ACTOR, refresh=False)
    rows = {row.nhs_number: row for row in result.rows}
    for key in ("moved", "later"):
        assert (rows[numbers[key]].staff_id, rows[numbers[key]].kept) == ("LEAVER", True)


def test_a_worker_back_before_the_transfer_keeps_only_those_still_to_move(
    database: Database,
) -> None:
    # Away from 1 February to 30 March (long-term on 1 March): back for the transfer date, so
    # the person moving then stays with them; the one whose handover passed needs someone now.
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "LEAVER", absent_from=date(2027, 2, 1), absent_until=date(2027, 3, 30))
        make_staff(session, "STAYER", capacity=10)
        moved = person(session, coordinator="TRUST1", handover_date=PASSED)
        _held(session, moved, "LEAVER", PASSED)
        later = person(session, coordinator="TRUST1")
        _held(session, later, "LEAVER", TRANSFER)
    [finding] = of(check(database, MARCH_1), "worker_unavailable")
    assert "not before the own handover date of 1 person" in finding.message
    moves = _apply(database, MARCH_1)
    assert moves == {moved.nhs_number: ("LEAVER", "STAYER")}
