"""The nightly check's ``away_after_handover``: a person moving to a worker whose long planned
absence starts, or who leaves, within ``[checks] away_after_handover_working_days`` working days
after the handover (England and Wales bank holidays skipped) is a warning with its evidence;
outside the window, a short absence, no absence, or an absence or leaving date the other
findings already speak for is not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.check_world import (
    RULES,
    assign,
    caseload_import,
    check,
    of,
    person,
    with_transfer,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.absence import long_absence_after, soon_after_handover
from transition.checks import collect_findings, run_checks
from transition.db import Database
from transition.errors import TransitionError
from transition.models import Person
from transition.ruleset import load_rules

# The transfer date, 1 April 2027, is a Thursday; the 20th working day after it is Thursday
# 29 April (no bank holiday between: Easter Monday was 29 March).
TWENTIETH = date(2027, 4, 29)
# An own handover on Thursday 22 April 2027: 20 working days later is Friday 21 May, as Monday
# 3 May is the early May bank holiday (counting weekdays alone it would be Thursday 20 May).
OWN_HANDOVER = date(2027, 4, 22)
AFTER_BANK_HOLIDAY = date(2027, 5, 21)
UNTIL = date(2027, 11, 30)  # six months and more: long-term


def _world(database: Database) -> dict[str, str]:
    """One person moving to each worker on the transfer date (unless said), by their case."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "INSIDE", absent_from=TWENTIETH, absent_until=UNTIL)
        make_staff(session, "OUTSIDE", absent_from=date(2027, 4, 30), absent_until=UNTIL)
        make_staff(session, "NORETURN", absent_from=date(2027, 4, 6))  # no return date
        make_staff(session, "WEEK", absent_from=date(2027, 4, 5), absent_until=date(2027, 4, 9))
        make_staff(session, "PRESENT")  # no absence at all
        make_staff(session, "BANKHOL", absent_from=AFTER_BANK_HOLIDAY, absent_until=UNTIL)
        make_staff(session, "BANKHOL2", absent_from=date(2027, 5, 24), absent_until=UNTIL)
        make_staff(session, "OVER", absent_from=date(2027, 3, 29), absent_until=date(2027, 4, 2))
        numbers = {}
        for staff_id, fields in (
            ("INSIDE", {"band": "red"}), ("OUTSIDE", {}), ("NORETURN", {}), ("WEEK", {}),
            ("PRESENT", {}), ("BANKHOL", {"handover_date": OWN_HANDOVER}),
            ("BANKHOL2", {"handover_date": OWN_HANDOVER}), ("OVER", {}),
        ):
            made = person(session, coordinator="TRUST1", **fields)
            assign(session, made, "social_worker", staff_id)
            numbers[staff_id] = made.nhs_number
        # INSIDE is this person's coordinator already and carries on: no one moves to them.
        staying = person(session, coordinator="INSIDE")
        assign(session, staying, "social_worker", "INSIDE")
        numbers["staying"] = staying.nhs_number
    return numbers


def test_an_absence_inside_the_window_is_a_warning_with_its_evidence(
    database: Database,
) -> None:
    numbers = _world(database)
    report = check(database)
    found = {finding.staff_id: finding for finding in of(report, "away_after_handover")}
    # Inside the window (on its last day, and with no return date), and across a bank holiday
    # counted as the project counts working days; not one day outside it, not a week's leave,
    # not a worker with no absence, not the coordinator carrying on.
    assert sorted(found) == ["BANKHOL", "INSIDE", "NORETURN"]
    assert {finding.nhs_number for finding in found.values()} == {
        numbers["INSIDE"], numbers["NORETURN"], numbers["BANKHOL"]}
    inside = found["INSIDE"]
    assert inside.severity == "warning"  # they are there on the day; red is said, not critical
    assert inside.message.startswith(
        "Moves to INSIDE as their social worker on 2027-04-01 (in 52 working days), and INSIDE "
        "is absent from 2027-04-29 to 2027-11-30: the absence's first day, 2027-04-29, is 20 "
        "working days after the handover (bank holidays skipped; [checks] "
        "away_after_handover_working_days is 20), so they would change worker a second time "
        "soon after the first. Red handover risk.")
    assert "`transition assign NHS_NUMBER STAFF_ID --role social_worker" in inside.message
    assert "does not move them" in inside.message
    assert "is 20 working days after the handover" in found["BANKHOL"].message
    assert "on 2027-04-22" in found["BANKHOL"].message
    assert ("absent from 2027-04-06, no return date: the absence's first day, 2027-04-06, is 3 "
            "working days after the handover") in found["NORETURN"].message
    for finding in found.values():  # the person is a field of their own, never named
        assert "Sam" not in finding.message and "Testperson" not in finding.message
        assert finding.person_id is not None
    # An absence over the handover is absent_at_handover's, not repeated here.
    assert [finding.staff_id for finding in of(report, "absent_at_handover")] == ["OVER"]


def test_bank_holidays_are_skipped_when_counting() -> None:
    """The same count the finding uses: the early May bank holiday is not a working day."""
    assert long_absence_after(OWN_HANDOVER, AFTER_BANK_HOLIDAY, UNTIL, long_term_days=28) == 20
    assert long_absence_after(OWN_HANDOVER, date(2027, 5, 24), UNTIL, long_term_days=28) == 21
    # Good Friday and Easter Monday 2026 lie between: one working day apart.
    assert long_absence_after(date(2026, 4, 2), date(2026, 4, 7), None, long_term_days=28) == 1
    # Not long-term, begun by then, or none: None.
    assert long_absence_after(OWN_HANDOVER, date(2027, 5, 3), date(2027, 5, 7),
                              long_term_days=28) is None
    assert long_absence_after(OWN_HANDOVER, OWN_HANDOVER, UNTIL, long_term_days=28) is None
    assert long_absence_after(OWN_HANDOVER, None, UNTIL, long_term_days=28) is None


def test_the_window_comes_from_the_rules_file(database: Database, tmp_path: Path) -> None:
    _world(database)
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text("[checks]\naway_after_handover_working_days = 21\n", "utf-8")
    with database.session() as session:
        wider = collect_findings(session, load_rules(rules_file), as_of=TODAY)
    found = sorted(str(finding.staff_id) for finding in of(wider, "away_after_handover"))
    assert found == ["BANKHOL", "BANKHOL2", "INSIDE", "NORETURN", "OUTSIDE"]
    assert "away_after_handover_working_days is 21" in of(wider, "away_after_handover")[0].message
    rules_file.write_text("[checks]\naway_after_handover_working_days = 5000000\n", "utf-8")
    with pytest.raises(TransitionError, match="away_after_handover_working_days"):
        load_rules(rules_file)


def test_once_the_absence_begins_the_other_findings_speak_and_apply_leaves_them(
    database: Database,
) -> None:
    _world(database)
    # On INSIDE's first day away their person's handover is past: nothing here; the long
    # absence is worker_unavailable's, which says to move their people.
    report = check(database, as_of=TWENTIETH)
    assert "INSIDE" not in {finding.staff_id for finding in of(report, "away_after_handover")}
    assert "INSIDE" in {finding.staff_id for finding in of(report, "worker_unavailable")}
    # --apply re-plans the person moving to OVER while they are away, not these people: a
    # plan would keep them with a worker who is there on the handover date.
    with database.transaction() as session:
        applied = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert of(applied, "away_after_handover") and applied.affected_people == 1
    assert {move["from_staff_id"] for move in applied.proposed_moves} == {"OVER"}


def test_the_plan_screen_note_follows_the_same_rule(database: Database) -> None:
    """What the plan screen notes for a planned worker: the same people as the finding."""
    numbers = _world(database)
    with database.session() as session:
        ids = dict(session.execute(select(Person.nhs_number, Person.id)).all())
        pairs = [(ids[numbers[key]], key) for key in numbers if key != "staying"]
        pairs.append((ids[numbers["staying"]], "INSIDE"))  # the coordinator carrying on
        notes = soon_after_handover(session, pairs, long_term_days=28, window=20)
    assert notes == {
        (ids[numbers["INSIDE"]], "INSIDE"): "absent from 2027-04-29 to 2027-11-30, 20 working "
        "days after the handover on 2027-04-01",
        (ids[numbers["NORETURN"]], "NORETURN"): "absent from 2027-04-06, no return date, 3 "
        "working days after the handover on 2027-04-01",
        (ids[numbers["BANKHOL"]], "BANKHOL"): "absent from 2027-05-21 to 2027-11-30, 20 working "
        "days after the handover on 2027-04-22",
    }


# A worker leaving soon after the handover: the same finding, "leaves on" in its evidence.
LEAVES = date(2027, 4, 15)  # 10 working days after the transfer date


def _leaving_world(database: Database) -> dict[str, str]:
    """One person moving to each leaving worker on the transfer date (unless said)."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "LEAVES", leaving_date=LEAVES)
        make_staff(session, "LASTDAY", leaving_date=TWENTIETH)  # the window's last day
        make_staff(session, "DAYAFTER", leaving_date=date(2027, 4, 30))  # one working day over
        make_staff(session, "BEFORE", leaving_date=date(2027, 3, 31))  # before the transfer
        make_staff(session, "OWNLATER", leaving_date=date(2027, 4, 20))  # before an own handover
        # Leaving sooner than a long absence starts (the leaving is said), and leaving while
        # away on the handover date (absent_at_handover's).
        make_staff(session, "BOTH", leaving_date=LEAVES, absent_from=date(2027, 4, 22),
                   absent_until=UNTIL)
        make_staff(session, "AWAYDAY", leaving_date=LEAVES, absent_from=date(2027, 3, 29),
                   absent_until=date(2027, 4, 2))
        numbers = {}
        for staff_id, fields in (
            ("LEAVES", {"band": "red"}), ("LASTDAY", {}), ("DAYAFTER", {}), ("BEFORE", {}),
            ("OWNLATER", {"handover_date": OWN_HANDOVER}), ("BOTH", {}), ("AWAYDAY", {}),
        ):
            made = person(session, coordinator="TRUST1", **fields)
            assign(session, made, "social_worker", staff_id)
            numbers[staff_id] = made.nhs_number
        staying = person(session, coordinator="LEAVES")  # their coordinator carrying on
        assign(session, staying, "social_worker", "LEAVES")
        numbers["staying"] = staying.nhs_number
    return numbers


def test_a_worker_leaving_inside_the_window_is_the_same_warning(database: Database) -> None:
    numbers = _leaving_world(database)
    report = check(database)
    found = {finding.staff_id: finding for finding in of(report, "away_after_handover")}
    # Inside the window (and on its last day); not a working day outside it, not a worker
    # leaving before the transfer or someone's own handover, not one away on the day, not the
    # coordinator carrying on.
    assert sorted(found) == ["BOTH", "LASTDAY", "LEAVES"]
    assert {finding.nhs_number for finding in found.values()} == {
        numbers["LEAVES"], numbers["LASTDAY"], numbers["BOTH"]}
    leaves = found["LEAVES"]
    assert leaves.severity == "warning"
    assert leaves.message.startswith(
        "Moves to LEAVES as their social worker on 2027-04-01 (in 52 working days), and LEAVES "
        "leaves on 2027-04-15, 10 working days after the handover (bank holidays skipped; "
        "[checks] away_after_handover_working_days is 20), so they would change worker a "
        "second time soon after the first. Red handover risk.")
    assert "`transition assign NHS_NUMBER STAFF_ID --role social_worker" in leaves.message
    assert "does not move them" in leaves.message
    assert "name the worker who takes over when LEAVES leaves now" in leaves.message
    assert "leaves on 2027-04-29, 20 working days after" in found["LASTDAY"].message
    assert "BOTH leaves on 2027-04-15" in found["BOTH"].message
    assert "absent from" not in found["BOTH"].message
    # Leaving before the handover is worker_unavailable's (the transfer date, or the own
    # handover of someone they hold); away on the day, absent_at_handover's: not repeated.
    assert {finding.staff_id for finding in of(report, "worker_unavailable")} == {
        "BEFORE", "OWNLATER"}
    assert [finding.staff_id for finding in of(report, "absent_at_handover")] == ["AWAYDAY"]

    # Once the leaving date is within leaving_within_days (14) of the check's day,
    # worker_unavailable speaks for the worker (it says to move their people): not repeated.
    nearer = check(database, as_of=date(2027, 4, 1))  # handover today, leaving in 14 days
    assert "LEAVES" not in {finding.staff_id for finding in of(nearer, "away_after_handover")}
    assert "LEAVES" in {finding.staff_id for finding in of(nearer, "worker_unavailable")}

    # The plan screen's and plan show's note: the same people, in the same words.
    with database.session() as session:
        ids = dict(session.execute(select(Person.nhs_number, Person.id)).all())
        pairs = [(ids[numbers[key]], key) for key in numbers if key not in ("staying", "BEFORE")]
        pairs.append((ids[numbers["staying"]], "LEAVES"))
        notes = soon_after_handover(session, pairs, long_term_days=28, window=20)
        # Thousands of rows (plan show --json) are read 500 ids at a time: pairs that give no
        # note (no such person, no such worker), sorted before the real ones, change nothing.
        many = soon_after_handover(
            session, [(-index, "BEFORE") for index in range(1, 600)]
            + [(1, f"AAA{index:04d}") for index in range(600)] + pairs,
            long_term_days=28, window=20)
    assert many == notes
    assert notes == {
        (ids[numbers["LEAVES"]], "LEAVES"): "leaves on 2027-04-15, 10 working days after the "
        "handover on 2027-04-01",
        (ids[numbers["LASTDAY"]], "LASTDAY"): "leaves on 2027-04-29, 20 working days after "
        "the handover on 2027-04-01",
        (ids[numbers["BOTH"]], "BOTH"): "leaves on 2027-04-15, 10 working days after the "
        "handover on 2027-04-01",
    }
