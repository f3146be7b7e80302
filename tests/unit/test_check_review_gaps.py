"""Three gaps in the nightly check: an earlier `--apply` draft a later check leaves behind, a
short absence over the day people move to a worker, and a database with no staff list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from tests.check_world import (
    RULES,
    TRANSFER,
    assign,
    caseload_import,
    check,
    days,
    of,
    person,
    with_transfer,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.checks import CODES, collect_findings, run_checks
from transition.db import Database
from transition.errors import ConflictError, TransitionError
from transition.models import ImportBatch, Person, Plan, PlanStatus, Staff
from transition.plan_review import accept_plan, latest_draft

# ---------------------------------------------------------------------------------------------
# 1. An earlier --apply draft
# ---------------------------------------------------------------------------------------------


def _leaver_world(database: Database) -> Person:
    """GONE leaves in a week and holds one person; SW1 and SW2 have room."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", capacity=5)
        make_staff(session, "GONE", leaving_date=days(7))
        held = person(session, coordinator="X")
        assign(session, held, "social_worker", "GONE")
    return held


def _draft(database: Database) -> int:
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.plan_id is not None and report.proposed_moves
    return report.plan_id


def _status(database: Database, plan_id: int) -> str:
    with database.session() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        return plan.status


def _moved_by_hand(database: Database, made: Person) -> None:
    """The manager gives the leaver's person to SW2 themselves: nothing is left to re-plan."""
    assert made.id is not None
    with database.transaction() as session:
        set_assignments(session, [NewAssignment(made.id, "social_worker", "SW2", TRANSFER,
                                                source="manager")], actor="manager")


@pytest.mark.parametrize("apply", [True, False], ids=["apply", "plain"])
def test_chk5_a_later_check_that_finds_no_one_to_replan_discards_the_draft(
    database: Database, apply: bool,
) -> None:
    held = _leaver_world(database)
    draft = _draft(database)
    _moved_by_hand(database, held)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=apply)
    assert of(report, "worker_unavailable") == [] and report.plan_id is None
    assert report.discarded_plans == [draft]
    [note] = report.notes
    assert note.startswith(f"Draft plan {draft} (from `transition check --apply` as of "
                           f"{TODAY.isoformat()}) was discarded: this check finds no one to "
                           "re-plan")
    assert _status(database, draft) == PlanStatus.DISCARDED
    with database.session() as session:
        assert latest_draft(session) is None  # plan show, plan accept, the plan screen
    # Accepting it by the id the earlier report gave is refused, saying why and what to do.
    with database.transaction() as session, pytest.raises(TransitionError) as refused:
        accept_plan(session, RULES, plan_id=draft, actor="manager")
    assert "was discarded by a later check" in refused.value.message
    assert "transition check --apply" in (refused.value.hint or "")


def test_chk5_a_plain_check_keeps_the_draft_while_its_people_still_need_it(
    database: Database,
) -> None:
    _leaver_world(database)
    draft = _draft(database)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR)
    assert report.counts["worker_unavailable"] == 1
    assert report.discarded_plans == [] and report.notes == []
    assert _status(database, draft) == PlanStatus.DRAFT
    with database.transaction() as session:  # and it can still be accepted
        accept_plan(session, RULES, plan_id=draft, actor="manager")


def test_chk5_a_new_apply_replaces_the_draft_and_says_so(database: Database) -> None:
    _leaver_world(database)
    first = _draft(database)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.plan_id is not None and report.plan_id != first
    assert report.discarded_plans == [first]
    [note] = report.notes
    assert note == (f"Draft plan {report.plan_id} replaces the earlier draft {first} of "
                    "`transition check --apply` (discarded): review and accept the new one.")
    assert _status(database, first) == PlanStatus.DISCARDED
    with database.session() as session:
        newest = latest_draft(session)
        assert newest is not None and newest.id == report.plan_id


def test_chk5_a_rebalance_draft_stays_while_the_worker_is_over_capacity(
    database: Database,
) -> None:
    """`--apply` alone re-plans no one for an over-capacity worker, but the `--rebalance` draft
    made for them still has work to do: it is not thrown away."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "OVER", capacity=1)
        make_staff(session, "ROOM", capacity=5)
        for _ in range(3):
            assign(session, person(session, coordinator="X"), "social_worker", "OVER")
    with database.transaction() as session:
        rebalanced = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, rebalance=True)
    assert rebalanced.plan_id is not None
    for apply in (True, False):
        with database.transaction() as session:
            report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=apply)
        assert report.plan_id is None and report.discarded_plans == []
    assert _status(database, rebalanced.plan_id) == PlanStatus.DRAFT


def test_chk5_an_out_of_date_check_draft_is_refused_saying_to_run_the_check_again(
    database: Database,
) -> None:
    _leaver_world(database)
    draft = _draft(database)
    with database.transaction() as session:  # the staff list changes after the draft
        session.execute(update(Staff).where(Staff.staff_id == "SW1").values(capacity=6))
    with database.transaction() as session, pytest.raises(ConflictError) as refused:
        accept_plan(session, RULES, plan_id=draft, actor="manager")
    assert f"Plan {draft} is out of date: the staff list changed" in refused.value.message
    assert (refused.value.hint or "").startswith("Run `transition check --apply` again")


# ---------------------------------------------------------------------------------------------
# 2. A worker away on the day people move to them
# ---------------------------------------------------------------------------------------------

CLOSE = date(2027, 3, 25)  # a week before the transfer: any absence left is short-term
BACK = date(2027, 4, 6)  # the last day away: Tuesday after the transfer (Thursday 1 April)


def _short_absence_world(database: Database, *, red: bool = True) -> dict[str, Person]:
    """SHORT is away until 6 April, over the transfer date; people move to them then."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, CLOSE)
        make_staff(session, "SHORT", absent_until=BACK)
        make_staff(session, "EARLY", absent_until=date(2027, 3, 31))  # back the day before
        make_staff(session, "SW1", capacity=10)
        people = {
            "moving": person(session, coordinator="X"),
            "moving_red": person(session, coordinator="X", band="red" if red else "amber"),
            # Their own handover comes after SHORT is back: not theirs to worry about.
            "later": person(session, coordinator="X", handover_date=date(2027, 4, 12)),
            # SHORT is their coordinator already and carries on: no one moves to SHORT.
            "staying": person(session, coordinator="SHORT"),
            "early": person(session, coordinator="X"),
        }
        for key in ("moving", "moving_red", "later", "staying"):
            assign(session, people[key], "social_worker", "SHORT")
        assign(session, people["early"], "social_worker", "EARLY")
    return people


def test_chk5_a_short_absence_over_the_transfer_date_is_flagged(database: Database) -> None:
    _short_absence_world(database)
    report = check(database, as_of=CLOSE)
    assert of(report, "worker_unavailable") == []  # not long-term: that check says nothing
    [found] = of(report, "absent_at_handover")
    assert (found.staff_id, found.severity) == ("SHORT", "critical")  # one of them is red
    assert found.message.startswith(
        "Worker is absent until 2027-04-06 (back 2027-04-07), so is away when 2 people move "
        "to them: their handover is on 2027-04-01, in 3 working days, and they are away for 4 "
        "working days from it. 1 of them is red handover risk.")
    assert "`transition handover-date NHS_NUMBER DATE`" in found.message
    assert "`transition check --apply` proposes one" in found.message


def test_chk5_a_short_absence_with_no_red_person_is_a_warning(database: Database) -> None:
    _short_absence_world(database, red=False)
    [found] = of(check(database, as_of=CLOSE), "absent_at_handover")
    assert found.severity == "warning" and "red" not in found.message


def test_chk5_own_handover_dates_in_the_absence_are_counted_and_dated(database: Database) -> None:
    people = _short_absence_world(database)
    with database.transaction() as session:  # the red person moves on their own, earlier day
        session.execute(update(Person).where(Person.id == people["moving_red"].id)
                        .values(handover_date=date(2027, 3, 30)))
    [found] = of(check(database, as_of=CLOSE), "absent_at_handover")
    assert ("away when 2 people move to them: the first handover is on 2027-03-30, in 1 "
            "working day, the last on 2027-04-01, and they are away for 6 working days from "
            "the first.") in found.message


def test_chk5_a_long_term_absence_stays_worker_unavailable(database: Database) -> None:
    """Seen well before the transfer, the same absence is long-term: `worker_unavailable`
    says to move their people, and this finding does not repeat it."""
    _short_absence_world(database)
    report = check(database, as_of=TODAY)
    unavailable = {finding.staff_id: finding for finding in of(report, "worker_unavailable")}
    assert "is absent until 2027-04-06 (long-term absence)" in unavailable["SHORT"].message
    assert of(report, "absent_at_handover") == []


def test_chk5_a_back_within_days_rule_keeps_them_and_the_advice_says_so(
    database: Database,
) -> None:
    _short_absence_world(database)
    rules = RULES.model_copy(update={"matching": RULES.matching.model_copy(
        update={"back_within_days": 7})})
    with database.session() as session:
        report = collect_findings(session, rules, as_of=CLOSE)
    [found] = of(report, "absent_at_handover")
    assert "Plans keep them with this worker" in found.message
    assert "--apply" not in found.message


def test_chk5_apply_replans_only_the_people_moving_to_them_while_away(database: Database) -> None:
    people = _short_absence_world(database)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=CLOSE, actor=ACTOR, apply=True)
    assert report.affected_people == 2 and report.plan_id is not None
    moves = {move["nhs_number"]: (move["from_staff_id"], move["to_staff_id"])
             for move in report.proposed_moves}
    # To someone there on the day (EARLY is back the day before), and only those two.
    assert set(moves) == {people[key].nhs_number for key in ("moving", "moving_red")}
    assert {before for before, _after in moves.values()} == {"SHORT"}
    assert {after for _before, after in moves.values()} <= {"SW1", "EARLY"}


# ---------------------------------------------------------------------------------------------
# 3. No staff list
# ---------------------------------------------------------------------------------------------


def _caseload_without_staff(database: Database, *, staff: bool = False) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        if staff:
            make_staff(session, "SW1")
        for index in range(3):
            person(session, coordinator=f"C{index}")
        person(session, coordinator="C9", pathway="joint")  # two roles
        person(session, coordinator="C8", pathway=None)  # not assessed yet
        person(session, coordinator=None)  # the export names no one


def test_chk5_no_staff_list_is_one_finding_not_one_per_person(database: Database) -> None:
    _caseload_without_staff(database)
    report = check(database)
    [found] = of(report, "no_staff_list")
    assert found.severity == "critical" and found.staff_id is None and found.nhs_number is None
    assert found.message == (
        "No staff list has been imported into this database: the trust's export names a care "
        "coordinator for 5 people, and none can be looked up, so the check cannot say who "
        "holds them and a plan has no one to give them. Import the staff list with "
        "`transition import staff FILE`, then run the check again.")
    # Only the person whose export names no coordinator keeps a finding of their own.
    [unassigned] = of(report, "unassigned")
    assert "names no care coordinator" in unassigned.message
    [waiting] = of(report, "not_assessed")
    assert waiting.severity == "warning" and "not on the staff list" not in waiting.message
    assert not any("not on the staff list" in finding.message for finding in report.findings)
    assert report.exit_code == 1
    assert next(iter(CODES)) == "no_staff_list"  # the root cause comes first


def test_chk5_with_a_staff_list_each_person_keeps_their_finding(database: Database) -> None:
    _caseload_without_staff(database, staff=True)
    report = check(database)
    assert of(report, "no_staff_list") == []
    unassigned = of(report, "unassigned")
    assert len(unassigned) == 6  # three people, the joint one twice, and the one with no one
    assert sum("not on the staff list" in finding.message for finding in unassigned) == 5
    [waiting] = of(report, "not_assessed")
    assert waiting.severity == "critical" and "not on the staff list" in waiting.message


def test_chk5_no_staff_list_names_the_staff_file_that_imported_nothing(
    database: Database,
) -> None:
    _caseload_without_staff(database)
    with database.transaction() as session:
        session.add(ImportBatch(kind="staff", file_name="staff_list.xlsx", file_sha256="0" * 64,
                                actor=ACTOR, status="rejected",
                                started_at=datetime(2027, 1, 14, 9, tzinfo=UTC)))
    [found] = of(check(database), "no_staff_list")
    assert found.message.endswith(
        "The latest staff list file (staff_list.xlsx, 2027-01-14) was rejected: nothing was "
        "imported from it (`transition import history` says why).")


def test_chk5_an_empty_database_says_to_import_the_staff_list_too(database: Database) -> None:
    report = check(database)
    [found] = of(report, "no_staff_list")
    assert found.message.startswith("No staff list has been imported into this database. "
                                    "Import the staff list with `transition import staff FILE`")
    with database.session() as session:
        assert session.scalars(select(Staff)).first() is None
