"""A person whose handover has passed is settled with their worker: a re-plan moves them only
when the worker has left or is leaving, is no longer on the staff list, or is away long-term
(``[checks] long_term_absence_days``), the nightly check's ``worker_unavailable`` test, one rule
for both (:func:`transition.plan_inputs.settled_unavailable`). A short absence today (a
fortnight's leave) does not move them, and the check does not flag it. A person whose
handover is still to come is tested on their handover date as before, any absence counting.
The what-if, the worker picker and ``assign`` use the same test."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.check_world import RULES, TRANSFER, check, of, person, with_transfer
from tests.conftest import ACTOR
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.checks import run_checks
from transition.db import Database
from transition.models import Person
from transition.planning import propose_plan
from transition.whatif import what_if
from transition.worker_overrides import check_assignment, feasible_workers

PASSED = date(2027, 1, 4)  # the own handover date of the person who moved already
BEFORE = date(2027, 3, 1)  # a day before the transfer date (1 April 2027)
AFTER = date(2027, 5, 3)  # a day after it: everyone's handover has passed
LONG_TERM = RULES.checks.long_term_absence_days  # 28


def _hold(session: Any, made: Person, staff_id: str, since: date) -> None:
    assert made.id is not None
    set_assignments(session, [NewAssignment(made.id, "social_worker", staff_id, since)],
                    actor=ACTOR)


def _world(database: Database, as_of: date, **away: Any) -> dict[str, Any]:
    """AWAY (with ``away``'s staff fields) holds one person settled with them (handover
    passed: their own date before the transfer, else the transfer date after it); STAYER has
    room for everyone."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "AWAY", **away)
        make_staff(session, "STAYER", capacity=10)
        own = PASSED if as_of < TRANSFER else None
        settled = person(session, coordinator="TRUST1", handover_date=own)
        _hold(session, settled, "AWAY", own or TRANSFER)
        return {"nhs": settled.nhs_number, "id": settled.id}


def _planned(database: Database, as_of: date, nhs_number: str) -> Any:
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=as_of, actor=ACTOR, refresh=False)
    return {row.nhs_number: row for row in result.rows}[nhs_number]


def _moves(database: Database, as_of: date) -> dict[str, tuple[str | None, str | None]]:
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=as_of, actor=ACTOR, apply=True)
    return {move["nhs_number"]: (move["from_staff_id"], move["to_staff_id"])
            for move in report.proposed_moves}


@pytest.mark.parametrize("as_of", [BEFORE, AFTER], ids=["before-transfer", "after-transfer"])
def test_a_short_absence_today_does_not_move_a_settled_person(
    database: Database, as_of: date
) -> None:
    # A fortnight's leave under way (and, at the boundary, one day short of long-term).
    made = _world(database, as_of, absent_until=as_of + timedelta(days=LONG_TERM - 1))
    row = _planned(database, as_of, made["nhs"])
    assert (row.staff_id, row.kept) == ("AWAY", True)
    report = check(database, as_of)
    assert of(report, "worker_unavailable") == []
    assert of(report, "absent_at_handover") == []  # their handover is not to come
    assert made["nhs"] not in _moves(database, as_of)


@pytest.mark.parametrize("as_of", [BEFORE, AFTER], ids=["before-transfer", "after-transfer"])
def test_a_long_term_absence_today_moves_a_settled_person_and_the_check_flags_it(
    database: Database, as_of: date
) -> None:
    until = as_of + timedelta(days=LONG_TERM)  # exactly long-term
    made = _world(database, as_of, absent_until=until)
    row = _planned(database, as_of, made["nhs"])
    assert (row.staff_id, row.kept) == ("STAYER", False)
    # The explainer says why the worker was not kept, and that it is a long-term absence.
    assert any(f"absent until {until.isoformat()} (long-term absence)" in reason
               for reason in row.reasons), row.reasons
    [finding] = of(check(database, as_of), "worker_unavailable")
    assert "(long-term absence)" in finding.message
    assert "plans keep their people" not in finding.message
    assert _moves(database, as_of)[made["nhs"]] == ("AWAY", "STAYER")


def test_a_worker_away_with_no_return_date_is_away_long_term(database: Database) -> None:
    made = _world(database, BEFORE, absent_from=BEFORE - timedelta(days=3))
    row = _planned(database, BEFORE, made["nhs"])
    assert (row.staff_id, row.kept) == ("STAYER", False)
    assert any("no return date (long-term absence)" in reason for reason in row.reasons)
    assert of(check(database, BEFORE), "worker_unavailable")


@pytest.mark.parametrize("as_of", [BEFORE, AFTER], ids=["before-transfer", "after-transfer"])
def test_a_leaver_still_moves_a_settled_person(database: Database, as_of: date) -> None:
    made = _world(database, as_of, leaving_date=as_of + timedelta(days=5))
    row = _planned(database, as_of, made["nhs"])
    assert (row.staff_id, row.kept) == ("STAYER", False)
    assert any("leaving on" in reason for reason in row.reasons)
    [finding] = of(check(database, as_of), "worker_unavailable")
    assert "leaves on" in finding.message
    assert _moves(database, as_of)[made["nhs"]] == ("AWAY", "STAYER")


def test_back_within_days_plays_no_part_for_a_settled_person(database: Database) -> None:
    # The planner's back_within_days counts a worker back within 60 days of a handover as
    # there; a settled person's worker away long-term is still the check's long-term absence,
    # so the plan moves them as the check says.
    rules = RULES.model_copy(update={
        "matching": RULES.matching.model_copy(update={"back_within_days": 60})})
    until = BEFORE + timedelta(days=40)
    made = _world(database, BEFORE, absent_until=until)
    with database.transaction() as session:
        result = propose_plan(session, rules, as_of=BEFORE, actor=ACTOR, refresh=False)
    row = {row.nhs_number: row for row in result.rows}[made["nhs"]]
    assert (row.staff_id, row.kept) == ("STAYER", False)
    assert of(check(database, BEFORE), "worker_unavailable")


def test_a_person_still_to_move_is_tested_on_their_handover_date_as_before(
    database: Database,
) -> None:
    # A short absence covering someone's own handover, still to come: not there on the day,
    # so the plan moves them (any absence counts) and absent_at_handover says so. Someone
    # moving after the worker is back stays.
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "AWAY", absent_until=BEFORE + timedelta(days=10))
        make_staff(session, "STAYER", capacity=10)
        soon = person(session, coordinator="TRUST1", handover_date=BEFORE + timedelta(days=3))
        _hold(session, soon, "AWAY", BEFORE + timedelta(days=3))
        later = person(session, coordinator="TRUST1")
        _hold(session, later, "AWAY", TRANSFER)
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=BEFORE, actor=ACTOR, refresh=False)
    rows = {row.nhs_number: row for row in result.rows}
    moved = rows[soon.nhs_number]
    assert (moved.staff_id, moved.kept) == ("STAYER", False)
    assert any("absent until 2027-03-11" in reason and "long-term" not in reason
               for reason in moved.reasons), moved.reasons
    assert (rows[later.nhs_number].staff_id, rows[later.nhs_number].kept) == ("AWAY", True)
    report = check(database, BEFORE)
    assert of(report, "worker_unavailable") == []
    [finding] = of(report, "absent_at_handover")
    assert "1 person moves" in finding.message


def test_the_what_if_keeps_a_settled_person_with_a_worker_on_a_short_absence(
    database: Database,
) -> None:
    # STAYER, the only other worker, withdrawn: the settled person stays with AWAY (on leave
    # for a week), so no one is left without a worker.
    _world(database, BEFORE, absent_until=BEFORE + timedelta(days=7))
    with database.session() as session:
        result = what_if(session, RULES, as_of=BEFORE, withdraw=["STAYER"])
    assert (result.unassigned, result.losing_current_worker) == (0, 0)


def test_the_what_if_moves_a_settled_person_from_a_worker_away_long_term(
    database: Database,
) -> None:
    _world(database, BEFORE, absent_until=BEFORE + timedelta(days=60))
    with database.session() as session:
        result = what_if(session, RULES, as_of=BEFORE, withdraw=["STAYER"])
    assert result.unassigned == 1


def test_the_picker_and_assign_keep_a_settled_person_with_a_worker_on_a_short_absence(
    database: Database,
) -> None:
    made = _world(database, BEFORE, absent_until=BEFORE + timedelta(days=7))
    with database.transaction() as session:
        # A new worker on the same short absence: they would take the person on the plan's
        # day, when they are away.
        make_staff(session, "ALSOAWAY", capacity=10, absent_until=BEFORE + timedelta(days=7))
    with database.session() as session:
        options = {option.staff_id: option for option in feasible_workers(
            session, RULES, person_id=made["id"], role="social_worker", as_of=BEFORE,
            include_infeasible=True)}
        assert (options["AWAY"].feasible, options["AWAY"].active) == (True, True)
        assert options["ALSOAWAY"].feasible is False
        assert any(reason.startswith("not active on 2027-03-01: absent until")
                   for reason in options["ALSOAWAY"].why_not)
        settled = session.get(Person, made["id"])
        assert settled is not None
        broken, _warnings = check_assignment(session, RULES, person=settled, staff_id="AWAY",
                                             role="social_worker", as_of=BEFORE)
        assert broken == []
        broken, _warnings = check_assignment(session, RULES, person=settled,
                                             staff_id="ALSOAWAY", role="social_worker",
                                             as_of=BEFORE)
        assert any("absent until" in reason for reason in broken)


def test_the_picker_and_assign_refuse_a_worker_away_long_term_for_a_settled_person(
    database: Database,
) -> None:
    made = _world(database, BEFORE, absent_until=BEFORE + timedelta(days=60))
    with database.session() as session:
        options = {option.staff_id: option for option in feasible_workers(
            session, RULES, person_id=made["id"], role="social_worker", as_of=BEFORE,
            include_infeasible=True)}
        assert (options["AWAY"].feasible, options["AWAY"].active) == (False, False)
        assert any("(long-term absence)" in reason for reason in options["AWAY"].why_not)
        settled = session.get(Person, made["id"])
        assert settled is not None
        broken, _warnings = check_assignment(session, RULES, person=settled, staff_id="AWAY",
                                             role="social_worker", as_of=BEFORE)
        assert any("(long-term absence)" in reason for reason in broken)
