"""The nightly check: one crafted database per finding code (each with cases that must and must
not raise it), recording runs, and --apply leaving a draft."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import Session

from tests.check_world import (
    RULES,
    TRANSFER,
    assign,
    caseload_import,
    check,
    days,
    of,
    person,
    task,
    with_transfer,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.assessment import refresh_assessments
from transition.audit import Change, record
from transition.checks import (
    CODES,
    check_history,
    collect_findings,
    latest_run,
    people_held,
    run_checks,
    run_findings,
)
from transition.db import Database
from transition.eligibility import PathwayFacts, decide_pathway
from transition.letters import generate_letters
from transition.models import (
    CheckFinding,
    CheckRun,
    ImportBatch,
    Person,
    Plan,
    PlanAssignment,
    Task,
    utcnow,
)
from transition.plan_review import accept_plan, caseloads, current_caseloads
from transition.planning import propose_plan, replan
from transition.ruleset import load_rules
from transition.tasks import generate_tasks


def test_unassigned_needs_a_role_no_one_holds(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        make_staff(session, "KW1", employer="trust", role="nurse")
        # Before a plan is accepted for them, the trust's worker holds them, whatever the role.
        nurse_only = person(session, coordinator="KW1")
        unknown = person(session, coordinator="GONE9")  # not on the staff list
        nobody = person(session, coordinator=None)
        held_by_coordinator = person(session, coordinator="SW1")
        accepted = person(session, coordinator="KW1")
        assign(session, accepted, "social_worker", "SW1")
        joint_half = person(session, pathway="joint", coordinator="KW1")
        assign(session, joint_half, "social_worker", "SW1")  # key worker not accepted
        person(session, pathway="signpost")
        person(session, coordinator=None, missing_since_batch_id=caseload_import(
            session, TODAY).id)
        expected = {nobody.nhs_number, unknown.nhs_number, joint_half.nhs_number}
        held = {held_by_coordinator.nhs_number, accepted.nhs_number, nurse_only.nhs_number}
    found = of(check(database), "unassigned")
    assert {finding.nhs_number for finding in found} == expected
    assert not held & {finding.nhs_number for finding in found}
    assert {finding.severity for finding in found} == {"critical"}
    [joint] = [finding for finding in found if finding.nhs_number == joint_half.nhs_number]
    assert "key worker" in joint.message and "has none" in joint.message
    # No plan left the role unfilled for a reason: the generic advice.
    assert "Propose one with `transition check --apply`" in joint.message
    [gone] = [finding for finding in found if finding.nhs_number == unknown.nhs_number]
    assert "not on the staff list" in gone.message


def test_a_coordinator_whose_allocation_ended_no_longer_holds_the_person(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=5)
        ended = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=30))
        ends_today = person(session, coordinator="SW1", coordinator_until=TODAY)
        ends_later = person(session, coordinator="SW1", coordinator_until=TODAY + timedelta(days=9))
        allocated = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=30))
        assign(session, allocated, "social_worker", "SW1")  # a plan or a manager gave them one
    found = of(check(database), "unassigned")
    assert [finding.nhs_number for finding in found] == [ended.nhs_number]
    assert not {ends_today.nhs_number, ends_later.nhs_number, allocated.nhs_number} & {
        finding.nhs_number for finding in found}
    [finding] = found
    expected_end = (TODAY - timedelta(days=30)).isoformat()
    assert f"allocation ended on {expected_end}" in finding.message
    assert "ask the trust who holds them now" in finding.message
    # --apply re-plans them like anyone else with no one.
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.plan_id is not None
    [move] = report.proposed_moves
    assert (move["nhs_number"], move["from_staff_id"], move["to_staff_id"]) == (
        ended.nhs_number, None, "SW1")
    # Their old coordinator is someone they know, not a worker they keep.
    assert "new worker the person already knows" in move["reasons"]


def test_over_capacity_counts_held_roles_against_capacity(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "FULL", capacity=2)
        make_staff(session, "OVER", capacity=1)
        for staff_id in ("FULL", "FULL", "OVER", "OVER"):
            assign(session, person(session, coordinator="X"), "social_worker", staff_id)
        person(session, coordinator="OVER")  # held through the trust's export (no plan yet)
        # Not held: the export says the allocation ended yesterday (FULL is not over).
        person(session, coordinator="FULL", coordinator_until=TODAY - timedelta(days=1))
    [finding] = of(check(database), "over_capacity")
    assert (finding.staff_id, finding.severity) == ("OVER", "warning")
    assert "Holds 3 with capacity for 1 (2 over)" in finding.message
    # The worker's screen lists the people counted, and only those.
    with database.session() as session:
        counted = current_caseloads(session, TODAY)
        for staff_id in ("FULL", "OVER"):
            assert len(people_held(session, staff_id, TODAY)) == counted[staff_id]
    assert counted == {"FULL": 2, "OVER": 3}


def test_a_coordinator_missing_from_the_latest_staff_list_holds_no_one_before_a_plan(
    database: Database,
) -> None:
    """The check's `unassigned` finding, the person screen and the at-risk list say no one
    holds a person whose coordinator the latest staff list no longer has: the caseload counts
    (workers screen, team totals, `over_capacity`, `worker_unavailable`) say the same."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "LEFT1", capacity=1,
                   missing_since_batch_id=caseload_import(session, TODAY).id)
        orphans = [person(session, coordinator="LEFT1") for _ in range(3)]
        person(session, coordinator="SW1")
        person(session, coordinator="GONE9")  # an id on no staff list at all
        # A role an accepted plan gave LEFT1 before they left the list: they still hold it.
        assign(session, person(session, coordinator="X"), "social_worker", "LEFT1")
    report = check(database)
    assert {finding.nhs_number for finding in of(report, "unassigned")} >= {
        orphan.nhs_number for orphan in orphans}
    [gone] = of(report, "worker_unavailable")
    assert gone.staff_id == "LEFT1"
    assert "is not on the latest staff list, and still holds 1 person." in gone.message
    assert of(report, "over_capacity") == []
    with database.session() as session:
        assert current_caseloads(session, TODAY) == {"SW1": 1, "LEFT1": 1}
        assert len(people_held(session, "LEFT1", TODAY)) == 1
        loads = caseloads(session, RULES, as_of=TODAY)
    assert {worker.staff_id: worker.current for worker in loads.workers} == {
        "SW1": 1, "LEFT1": 1}
    [team] = loads.teams
    assert team.current == 2


def test_worker_unavailable_leaving_absent_or_gone_while_holding_people(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SOON", leaving_date=days(10))  # within 14 days
        make_staff(session, "BEFORE", leaving_date=date(2027, 3, 1))  # before the transfer
        make_staff(session, "ABSENT", absent_until=days(40))  # long-term, back before transfer
        make_staff(session, "AWAY", absent_until=date(2027, 6, 1))  # still away at transfer
        make_staff(session, "LATER", leaving_date=date(2027, 9, 1))  # after the transfer
        make_staff(session, "BACKSOON", absent_until=days(5))  # short absence
        make_staff(session, "EMPTY", leaving_date=days(3))  # leaving, but holds no one
        for staff_id in ("SOON", "BEFORE", "ABSENT", "AWAY", "LATER", "BACKSOON"):
            assign(session, person(session, coordinator="X"), "social_worker", staff_id)
    found = {finding.staff_id: finding for finding in of(check(database), "worker_unavailable")}
    assert set(found) == {"SOON", "BEFORE", "ABSENT", "AWAY"}
    assert "within 14 days" in found["SOON"].message
    assert "before the transfer date" in found["BEFORE"].message
    assert "long-term absence" in found["ABSENT"].message
    assert all(finding.severity == "critical" for finding in found.values())
    # Back before the transfer: a re-plan would keep their people, so --apply is not offered.
    assert "back before the transfer date (2027-04-01)" in found["ABSENT"].message
    assert "arrange cover" in found["ABSENT"].message
    assert "--apply" not in found["ABSENT"].message
    for staff_id in ("SOON", "BEFORE", "AWAY"):
        assert "`transition check --apply` proposes new workers" in found[staff_id].message


def test_overdue_task_is_an_open_task_past_its_due_date(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        green = person(session)
        red = person(session, band="red")
        late = task(session, green, "letter_person", days(-5))
        blocked = task(session, green, "letter_gp", days(-1), status="blocked")
        task(session, green, "letter_carer", days(-5), status="done")
        task(session, green, "records_transferred", TODAY)  # due today: not yet overdue
        red_late = task(session, red, "letter_person", days(-2))
    found = {finding.task_id: finding for finding in of(check(database), "overdue_task")}
    assert set(found) == {late.id, blocked.id, red_late.id}
    assert found[late.id].severity == "warning"
    assert found[red_late.id].severity == "critical"
    assert "blocked" in found[blocked.id].message
    assert "5 working days ago" in found[late.id].message  # Sunday 10 to Friday 15 January


def test_red_without_handover_when_the_joint_visit_is_not_done_and_handover_is_close(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")
        soon = person(session, band="red", coordinator="OLD", handover_date=days(5))
        visit = task(session, soon, "joint_visit", days(2))
        done = person(session, band="red", coordinator="OLD", handover_date=days(5))
        task(session, done, "joint_visit", days(2), status="done")
        far = person(session, band="red", coordinator="OLD", handover_date=date(2027, 3, 1))
        task(session, far, "joint_visit", date(2027, 2, 24))
        amber = person(session, band="amber", coordinator="OLD", handover_date=days(5))
        task(session, amber, "joint_visit", days(2))
        past_no_task = person(session, band="red", coordinator="OLD", handover_date=days(-3))
        assign(session, past_no_task, "social_worker", "NEW")
        same_worker = person(session, band="red", coordinator="OLD", handover_date=days(-3))
        assign(session, same_worker, "social_worker", "OLD")  # no change: no visit needed
        # OLD again after the export says their allocation ended: a handover all the same.
        returning = person(session, band="red", coordinator="OLD", handover_date=days(-3),
                           coordinator_until=days(-10))
        assign(session, returning, "social_worker", "OLD")
        # Signposted since the plan: the old assignment is still current, but a role the
        # pathway no longer needs is no handover (it was flagged as 'worker changes').
        signposted = person(session, pathway="signpost", band="red", coordinator="OLD",
                            handover_date=days(-3))
        assign(session, signposted, "social_worker", "NEW")
        # A weekend handover counts as it falls: Sunday 17 January is within five working
        # days of Friday 15 January; Saturday 23 January is not (Friday 22nd is the fifth).
        sunday = person(session, band="red", coordinator="OLD", handover_date=date(2027, 1, 17))
        task(session, sunday, "joint_visit", days(-1))
        saturday = person(session, band="red", coordinator="OLD",
                          handover_date=date(2027, 1, 23))
        task(session, saturday, "joint_visit", days(2))
    found = {finding.nhs_number: finding
             for finding in of(check(database), "red_without_handover")}
    assert set(found) == {soon.nhs_number, past_no_task.nhs_number, returning.nhs_number,
                          sunday.nhs_number}
    assert found[soon.nhs_number].task_id == visit.id
    assert "already past" in found[past_no_task.nhs_number].message
    assert "tasks generate" in found[past_no_task.nhs_number].message
    # Five working days from Friday 15 January is Friday 22 January; the 25th is too far.
    with database.transaction() as session:
        moved = session.get(Person, soon.id)
        assert moved is not None
        moved.handover_date = date(2027, 1, 25)
        session.add(moved)
    assert {f.nhs_number for f in of(check(database), "red_without_handover")} == {
        past_no_task.nhs_number, returning.nhs_number, sunday.nhs_number}


def test_red_without_handover_when_generate_set_the_visit_aside_before_they_were_red(
    database: Database,
) -> None:
    """`tasks generate` marks the visit not needed when it stops applying (the person was amber
    for a while): once they are red again and their worker changes, that is no visit, until a
    manager says so. A manager's own "not needed" and a worker who stays are not flagged."""
    from transition.tasks.status import NO_LONGER_APPLIES

    def visit(made: Person, reason: str) -> None:
        item = task(session, made, "joint_visit", days(1), status="not_needed")
        item.blocked_reason = reason
        session.add(item)

    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")
        set_aside = person(session, band="red", coordinator="OLD", handover_date=days(3))
        assign(session, set_aside, "social_worker", "NEW")
        visit(set_aside, NO_LONGER_APPLIES + "the person is not in the red band")
        decided = person(session, band="red", coordinator="OLD", handover_date=days(3))
        assign(session, decided, "social_worker", "NEW")
        visit(decided, "Met the new worker at the ward round")
        stays = person(session, band="red", coordinator="OLD", handover_date=days(3))
        assign(session, stays, "social_worker", "OLD")
        visit(stays, NO_LONGER_APPLIES + "the person's worker no longer changes")
    [finding] = of(check(database), "red_without_handover")
    assert finding.nhs_number == set_aside.nhs_number
    assert "marked not needed by `transition tasks generate`" in finding.message
    assert "tasks generate" in finding.message


def test_red_without_handover_says_what_to_do_when_the_rules_turn_the_visit_off(
    database: Database, tmp_path: Path,
) -> None:
    """With the visit's template off no task is ever made: 'run tasks generate' would send the
    manager round in a circle."""
    rules_file = tmp_path / "council.toml"
    rules_file.write_text("[tasks.templates.joint_visit]\nenabled = false\n")
    rules = load_rules(rules_file)
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")
        # Ahead (a past handover is tests/unit/test_red_past_handover.py's).
        red = person(session, band="red", coordinator="OLD", handover_date=days(3))
        assign(session, red, "social_worker", "NEW")
    with database.session() as session:
        [finding] = [f for f in collect_findings(session, rules, as_of=TODAY).findings
                     if f.code == "red_without_handover"]
    assert "tasks generate" not in finding.message
    assert "arrange the handover meeting with both workers by hand" in finding.message


def test_cto_expiring_near_a_handover_that_changes_the_worker(database: Database) -> None:
    # TODAY is 15 January 2027; the handover on the transfer date, 1 April 2027; window 28 days.
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")

        def on_cto(expiry: date, *, moves: bool = True, cto: bool = True, **fields: object):
            made = person(session, coordinator="OLD", cto=cto, cto_expiry=expiry, **fields)
            assign(session, made, "social_worker", "NEW" if moves else "OLD")
            return made

        before = on_cto(date(2027, 3, 9))  # 23 days before
        after = on_cto(date(2027, 4, 29))  # 28 days after: the window's edge
        same_day = on_cto(date(2027, 4, 1))
        too_early = on_cto(date(2027, 3, 3))  # 29 days before: renewed by the current worker
        too_late = on_cto(date(2027, 4, 30))
        kept = on_cto(date(2027, 3, 20), moves=False)  # no handover: their worker stays
        own_day = on_cto(date(2027, 2, 10), handover_date=date(2027, 2, 1))
        expired = on_cto(date(2027, 1, 2), moves=False)  # whatever the handover
        not_on_one = on_cto(date(2027, 3, 20), cto=False)
        no_one = person(session, coordinator=None, cto=True, cto_expiry=date(2027, 3, 20))
    found = {finding.nhs_number: finding for finding in of(check(database), "cto_expiring")}
    assert set(found) == {made.nhs_number for made in (before, after, same_day, own_day,
                                                       expired, no_one)}
    assert {finding.severity for finding in found.values()} == {"warning"}
    assert found[before.nhs_number].message.startswith(
        "Community Treatment Order expires on 2027-03-09, 23 days before the handover on "
        "2027-04-01, and the worker changes.")
    assert "28 days after the handover" in found[after.nhs_number].message
    assert "expires on 2027-04-01, on the day of the handover" in found[same_day.nhs_number].message
    assert "9 days after the handover on 2027-02-01" in found[own_day.nhs_number].message
    assert "recorded expiry (2027-01-02) has passed" in found[expired.nhs_number].message
    assert not {too_early.nhs_number, too_late.nhs_number, kept.nhs_number,
                not_on_one.nhs_number} & set(found)


def test_stale_import_when_the_latest_caseload_export_is_older_than_the_rules_allow(
    database: Database,
) -> None:
    [never] = of(check(database), "stale_import")
    assert "No caseload export" in never.message
    with database.transaction() as session:
        caseload_import(session, days(-7))
    assert of(check(database), "stale_import") == []
    [old] = of(check(database, days(1)), "stale_import")
    assert "8 days ago" in old.message and old.severity == "warning"


def test_stale_import_counts_only_imports_that_imported_something(database: Database) -> None:
    """A file whose every row was rejected, or refused by --strict, imported nothing: the data
    is as old as the last import that did, and the finding says the newer file failed."""
    with database.transaction() as session:
        caseload_import(session, days(-10))
        for status in ("refused", "rejected"):
            caseload_import(session, days(-1)).status = status
    [stale] = of(check(database), "stale_import")
    assert "imported 10 days ago" in stale.message
    assert (f"The newest file (export.csv, {days(-1).isoformat()}) was rejected: nothing was "
            "imported from it") in stale.message
    with database.transaction() as session:
        caseload_import(session, days(0)).status = "partial"  # some rows imported: it counts
    assert of(check(database), "stale_import") == []


def test_stale_import_when_no_file_has_imported_anything(database: Database) -> None:
    with database.transaction() as session:
        caseload_import(session, days(0)).status = "rejected"
    [never] = of(check(database), "stale_import")
    assert "No caseload export has been imported into this database" in never.message
    assert "was rejected: nothing was imported from it" in never.message


def test_a_database_with_no_caseload_is_critical(database: Database) -> None:
    """From cron, a mistyped --db path makes a new, empty database: the check must not say
    "nothing critical" (exit 0) about a caseload it has never seen."""
    report = check(database)
    [never] = of(report, "stale_import")
    assert never.severity == "critical" and report.exit_code == 1
    assert "--db or TRANSITION_DATABASE_URL" in never.message


def test_import_columns_repeats_what_the_latest_caseload_import_said_about_its_columns(
    database: Database,
) -> None:
    with database.transaction() as session:
        caseload_import(session, days(-1))
    assert of(check(database), "import_columns") == []  # nothing said: nothing to find
    with database.transaction() as session:
        batch = caseload_import(session, days(0))
        batch.column_notes = [("1 column not recognised, kept with each record as an extra "
                               "column: 'S117?' (did you mean s117?)."),
                              "The rules read a column 'perinatal' " + "x" * 2000]
    [found] = of(check(database), "import_columns")
    assert found.severity == "warning" and found.nhs_number is None
    assert found.message.startswith(
        f"The latest caseload export (export.csv, imported {TODAY.isoformat()}) said 2 things "
        "about its columns: 1 column not recognised, kept with each record as an extra column: "
        "'S117?' (did you mean s117?).")
    # Cut to fit what a finding holds, saying where the rest is.
    assert len(found.message) <= 1000
    assert "… (all of it: transition import history) Ask the trust" in found.message
    with database.transaction() as session:
        caseload_import(session, days(0))  # a newer export, its columns all known
    assert of(check(database), "import_columns") == []


def test_import_columns_of_a_file_that_imported_nothing(database: Database) -> None:
    """A refused or rejected file's column notes are shown (often why its rows failed), saying
    nothing was imported from it; one that said nothing leaves the notes of the last import
    that did import standing, since its data is what the database holds."""
    note = "Known columns the file lacks: s117."
    with database.transaction() as session:
        caseload_import(session, days(-2)).column_notes = [note]
        caseload_import(session, days(-1)).status = "rejected"  # said nothing
    [standing] = of(check(database), "import_columns")
    assert standing.message.startswith(
        f"The latest caseload export (export.csv, imported {days(-2).isoformat()}) said 1 thing")
    with database.transaction() as session:
        refused = caseload_import(session, days(0))
        refused.status, refused.column_notes = "refused", ["1 column not recognised: 'NHS No'."]
    [found] = of(check(database), "import_columns")
    assert found.message.startswith(
        f"The latest caseload export (export.csv, refused on {TODAY.isoformat()}: nothing was "
        "imported from it) said 1 thing about its columns: 1 column not recognised")
    with database.transaction() as session:
        caseload_import(session, days(0))  # imported, its columns all known
    assert of(check(database), "import_columns") == []


def test_missing_from_export(database: Database) -> None:
    with database.transaction() as session:
        batch = caseload_import(session, days(-1))
        gone = person(session, missing_since_batch_id=batch.id)
        person(session)
    [finding] = of(check(database), "missing_from_export")
    assert finding.nhs_number == gone.nhs_number
    assert days(-1).isoformat() in finding.message


def _with_letters_written(session: Session, tmp_path: Path) -> Person:
    """A person with a new worker from the transfer, and their letters written."""
    from tests.letter_setup import handover_person
    from transition.config import CouncilDetails

    with_transfer(session)
    made = handover_person(session)
    generate_letters(session, council=CouncilDetails(), out_dir=tmp_path / "letters",
                     as_of=TODAY, actor=ACTOR, fmt="md")
    return made


def test_a_person_missing_from_the_export_gets_only_that_finding(
    database: Database, tmp_path: Path
) -> None:
    """Their overdue tasks and out-of-date letters wait until the trust says what happened."""
    from tests.letter_setup import council_worker

    with database.transaction() as session:
        made = _with_letters_written(session, tmp_path)
        council_worker(session, "SW2")
        assign(session, made, "social_worker", "SW2", source="manager")  # letters out of date
        task(session, made, "letter_person", days(-5), owner="SW2")
    codes = {finding.code for finding in check(database).findings
             if finding.nhs_number == made.nhs_number}
    assert {"overdue_task", "letter_out_of_date"} <= codes  # in the export: both found
    with database.transaction() as session:
        batch = caseload_import(session, TODAY)
        session.execute(update(Person).where(Person.id == made.id)
                        .values(missing_since_batch_id=batch.id))
    codes = {finding.code for finding in check(database).findings
             if finding.nhs_number == made.nhs_number}
    assert codes == {"missing_from_export"}


def test_pathway_changed_since_the_accepted_plan(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        outcomes = ["nutrition", "hygiene", "relationships"]
        same = person(session, care_act_outcomes=outcomes, significant_impact=True)
        moved = person(session, care_act_outcomes=outcomes, significant_impact=True)
        overridden = person(session, care_act_outcomes=outcomes, significant_impact=True,
                            pathway_override="signpost")
        rules_say = decide_pathway(PathwayFacts.from_person(same), RULES.eligibility).pathway
        other = "signpost" if rules_say != "signpost" else "council"
        plan = Plan(status="accepted", created_by=ACTOR, accepted_at=utcnow(), accepted_by=ACTOR)
        session.add(plan)
        session.flush()
        for made, pathway in ((same, rules_say), (moved, other), (overridden, rules_say)):
            session.add(PlanAssignment(plan_id=plan.id, person_id=made.id, role="social_worker",
                                       staff_id="SW1", pathway=pathway))
        draft = Plan(status="draft", created_by=ACTOR)  # a draft is not what was accepted
        session.add(draft)
        session.flush()
        session.add(PlanAssignment(plan_id=draft.id, person_id=same.id, role="social_worker",
                                   staff_id="SW1", pathway=other))
    found = {finding.nhs_number: finding for finding in of(check(database), "pathway_changed")}
    assert set(found) == {moved.nhs_number, overridden.nhs_number}
    assert f"made for the {other} pathway" in found[moved.nhs_number].message
    assert "override" in found[overridden.nhs_number].message


NO_NEEDS = {"care_act_outcomes": [], "significant_impact": False}  # the rules: signpost
ELIGIBLE = {"care_act_outcomes": ["nutrition", "hygiene", "relationships"],
            "significant_impact": True}  # the rules: council


def _plan_and_accept(session: Session, person_ids: list[int] | None = None) -> int:
    """Assess everyone (`transition assess`), plan (everyone, or re-plan some) and accept."""
    refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR)
    if person_ids is None:
        made = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
    else:
        made = replan(session, RULES, person_ids=person_ids, as_of=TODAY, actor=ACTOR,
                      refresh=False)
    assert made.plan_id is not None
    accept_plan(session, RULES, plan_id=made.plan_id, actor=ACTOR)
    return made.plan_id


def _set(session: Session, made: Person, **values: object) -> None:
    session.execute(update(Person).where(Person.id == made.id).values(**values))


def _changed(database: Database) -> dict[str, str]:
    return {finding.nhs_number or "": finding.message
            for finding in of(check(database), "pathway_changed")}


def test_pathway_changed_for_someone_the_accepted_plan_signposted(database: Database) -> None:
    """A plan has no row for a person it signposts: it was made for signpost for them, so data
    that now gives them section 117 aftercare (never signposted) is a change, before anyone
    runs `transition assess`. Someone imported after the plan had no plan made for them."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=10)
        signposted = person(session, pathway=None, coordinator="SW1", **NO_NEEDS)
        person(session, pathway=None, coordinator="SW1", **ELIGIBLE)
        _plan_and_accept(session)
        newcomer = person(session, pathway=None, coordinator="SW1", s117=True)
    assert _changed(database) == {}
    with database.transaction() as session:
        _set(session, signposted, s117=True)
    changed = _changed(database)
    assert set(changed) == {signposted.nhs_number}
    assert "made for the signpost pathway" in changed[signposted.nhs_number]
    assert "section 117" in changed[signposted.nhs_number]
    assert newcomer.nhs_number not in changed


def test_pathway_changed_compares_with_the_latest_accepted_plan_that_covered_them(
    database: Database,
) -> None:
    """Once a later accepted plan (of everyone, or a re-plan of some people) signposts someone,
    that is what they are compared with, not an older plan's row for them."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=10)
        first = person(session, pathway=None, coordinator="SW1", **ELIGIBLE)
        second = person(session, pathway=None, coordinator="SW1", **ELIGIBLE)
        _plan_and_accept(session)
        _set(session, first, **NO_NEEDS)
        _set(session, second, **NO_NEEDS)
    changed = _changed(database)
    assert set(changed) == {first.nhs_number, second.nhs_number}
    assert "made for the council pathway" in changed[first.nhs_number]
    with database.transaction() as session:
        assert first.id is not None
        _plan_and_accept(session, [first.id])  # a re-plan of the first only signposts them
    assert set(_changed(database)) == {second.nhs_number}  # not covered: still the old plan
    with database.transaction() as session:
        _plan_and_accept(session)
    assert _changed(database) == {}


def test_pathway_changed_for_someone_missing_from_the_export_when_the_plan_was_made(
    database: Database,
) -> None:
    """A plan has no row for someone missing from the export either, and does not list them
    as signposted (summary ``signposted``): it decided nothing for them, so someone back since
    is compared with the latest plan made while they were in the export."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=10)
        away = person(session, pathway=None, coordinator="SW1", **ELIGIBLE)
        signposted = person(session, pathway=None, coordinator="SW1", **ELIGIBLE)
        _plan_and_accept(session)  # both council
        batch = caseload_import(session, TODAY)
        _set(session, away, missing_since_batch_id=batch.id)
        record(session, Change("person.missing", "person", away.nhs_number, away.id,
                               "missing_since_batch_id", after=batch.id, batch_id=batch.id),
               actor=ACTOR)
        _set(session, signposted, **NO_NEEDS)
        later = _plan_and_accept(session)  # signposts one; the other is missing
        stored = session.get(Plan, later)
        assert stored is not None and stored.summary is not None
        assert stored.summary["not_planned"] == {"signpost": 1, "missing_from_export": 1}
        back = caseload_import(session, TODAY)
        _set(session, away, missing_since_batch_id=None, **NO_NEEDS)  # back, and no needs now
        record(session, Change("person.returned", "person", away.nhs_number, away.id,
                               "missing_since_batch_id", before=batch.id, batch_id=back.id),
               actor=ACTOR)
    changed = _changed(database)
    assert set(changed) == {away.nhs_number}  # the signposted one was in the export then
    assert "made for the council pathway" in changed[away.nhs_number]
    with database.transaction() as session:
        _set(session, signposted, s117=True)
    changed = _changed(database)
    assert set(changed) == {away.nhs_number, signposted.nhs_number}
    assert "made for the signpost pathway" in changed[signposted.nhs_number]


def test_letter_out_of_date_when_the_worker_changed_after_it_was_written(
    database: Database, tmp_path: Path
) -> None:
    from tests.letter_setup import council_worker

    with database.transaction() as session:
        made = _with_letters_written(session, tmp_path)
    assert of(check(database), "letter_out_of_date") == []
    with database.transaction() as session:
        council_worker(session, "SW2")
        assign(session, made, "social_worker", "SW2", source="manager")
    found = of(check(database), "letter_out_of_date")
    assert {finding.nhs_number for finding in found} == {made.nhs_number}
    assert {finding.message.split(" letter")[0] for finding in found} == {"The person", "The gp"}
    assert all("worker has changed" in finding.message for finding in found)


# ---------------------------------------------------------------------------------------------
# Recording runs, --apply
# ---------------------------------------------------------------------------------------------


def test_a_run_is_recorded_with_its_counts_and_findings(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        person(session, coordinator=None)
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR)
    assert report.exit_code == 1 and report.counts["unassigned"] == 1
    assert set(report.counts) == set(CODES)
    with database.session() as session:
        run = latest_run(session)
        assert run is not None and run.id == report.run_id
        assert (run.status, run.exit_code, run.actor) == ("complete", 1, ACTOR)
        assert run.counts == report.counts
        stored = run_findings(session, run.id)
        assert [item.code for item in stored] == [f.code for f in report.findings]
        assert stored[0].severity == "critical"
        assert len(check_history(session)) == 1


def test_apply_leaves_a_draft_that_resolves_unassigned_when_capacity_exists(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "GONE", leaving_date=days(7))
        waiting = [person(session, coordinator=None) for _ in range(2)]
        stays = person(session, coordinator=None)
        assign(session, stays, "social_worker", "SW1")
        held = person(session, coordinator="X")
        assign(session, held, "social_worker", "GONE")
        locked = person(session, coordinator="X")
        assign(session, locked, "social_worker", "GONE", locked=True)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.counts["unassigned"] == 2 and report.counts["worker_unavailable"] == 1
    assert report.plan_id is not None
    moves = {(move["nhs_number"], move["to_staff_id"]) for move in report.proposed_moves}
    assert moves == {(made.nhs_number, "SW1") for made in (*waiting, held)}
    with database.session() as session:
        plan = session.get(Plan, report.plan_id)
        assert plan is not None and (plan.status, plan.kind) == ("draft", "check_apply")
        run = session.get(CheckRun, report.run_id)
        assert run is not None and run.plan_id == plan.id
        # Nothing was accepted: the allocation is unchanged until a manager accepts the draft.
        assert of(check(database), "unassigned") != []
    with database.transaction() as session:
        accept_plan(session, RULES, plan_id=report.plan_id, actor="manager")
    after = check(database)
    assert of(after, "unassigned") == []
    [still] = of(after, "worker_unavailable")  # the locked role stays with the leaver
    assert "holds 1 person" in still.message


def test_apply_with_nothing_to_move_makes_no_plan(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.plan_id is None and report.proposed_moves == []
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 0
        # Nothing imported: the stale import and the missing staff list.
        assert session.scalar(select(func.count()).select_from(CheckFinding)) == 2


def test_apply_lists_a_role_no_one_can_fill_with_the_reasons(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "FULL", capacity=1)
        assign(session, person(session, coordinator="X"), "social_worker", "FULL")
        waiting = person(session, coordinator=None)
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    [move] = report.proposed_moves
    assert (move["nhs_number"], move["from_staff_id"], move["to_staff_id"]) == (
        waiting.nhs_number, None, None)
    assert move["reasons"], "the planner says why no one could take them"


def _over_capacity_world(database: Database, *, room: int) -> list[Person]:
    """OVER (capacity 2) holds four people; ROOM, in the same team, has ``room`` places."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OVER", capacity=2)
        make_staff(session, "ROOM", capacity=room)
        held = [person(session, coordinator="X") for _ in range(4)]
        for made in held:
            assign(session, made, "social_worker", "OVER")
    return held


def test_rebalance_moves_the_overflow_where_another_worker_has_room(database: Database) -> None:
    held = _over_capacity_world(database, room=5)
    with database.transaction() as session:
        plain = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert plain.counts["over_capacity"] == 1 and plain.plan_id is None  # not without asking
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, rebalance=True)
    assert report.affected_people == 4 and report.plan_id is not None
    moves = [(move["from_staff_id"], move["to_staff_id"]) for move in report.proposed_moves]
    assert moves == [("OVER", "ROOM"), ("OVER", "ROOM")]  # two keep OVER: continuity
    assert {move["nhs_number"] for move in report.proposed_moves} < {
        made.nhs_number for made in held}
    assert report.notes == []
    with database.transaction() as session:
        accept_plan(session, RULES, plan_id=report.plan_id, actor="manager")
    assert current_caseloads_of(database) == {"OVER": 2, "ROOM": 2}
    assert of(check(database), "over_capacity") == []


def test_rebalance_keeps_people_no_one_else_can_take_with_their_worker(
    database: Database,
) -> None:
    _over_capacity_world(database, room=1)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True,
                            rebalance=True)
    # One can move; one more than OVER's capacity has nowhere to go and is not a "move".
    assert [(move["from_staff_id"], move["to_staff_id"]) for move in report.proposed_moves] == [
        ("OVER", "ROOM")]
    [note] = report.notes
    assert note.startswith("1 role stays with an over-capacity worker: no other worker who "
                           "fits has room (OVER 1)")
    with database.transaction() as session:
        accept_plan(session, RULES, plan_id=report.plan_id, actor="manager")
    # Nobody lost their worker: OVER keeps three (one over), ROOM takes one.
    assert current_caseloads_of(database) == {"OVER": 3, "ROOM": 1}
    [still] = of(check(database), "over_capacity")
    assert "Holds 3 with capacity for 2 (1 over)" in still.message


def current_caseloads_of(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {staff_id: held
                for staff_id, held in current_caseloads(session, TODAY).items() if held}


def test_once_a_plan_is_accepted_for_them_the_trust_coordinator_no_longer_holds_them(
    database: Database,
) -> None:
    """After an accepted plan, who holds a person is the accepted allocation only. Someone the
    plan could not place is unassigned (not quietly left with the trust's coordinator), and
    someone it signposted no longer counts against their old coordinator's capacity."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=1)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=1)
        placed = person(session, coordinator="KW1")
        # Needs a worker with the forensic skill, and no one has it.
        not_placed = person(session, coordinator="KW1", cto=True,
                            extra={"forensic_history": "Y"})
        signposted = person(session, pathway="signpost", coordinator="SW1")
        trust = person(session, pathway="trust", coordinator="KW1")
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)
        # Imported after the plan was accepted: the trust's coordinator holds them until a
        # plan is accepted for them.
        newcomer = person(session, pathway="signpost", coordinator="KW1")
    report = check(database)
    [unplaced] = of(report, "unassigned")
    assert unplaced.nhs_number == not_placed.nhs_number
    assert "has no worker: the accepted allocation leaves this role unfilled" in unplaced.message
    # The planner's reason is quoted, and the advice points at who comes nearest: --apply
    # alone would find no one either.
    assert "The accepted plan could not fill it: no council social worker with skill " \
        "forensic" in unplaced.message
    assert "plan candidates NHS_NUMBER --role social_worker --all" in unplaced.message
    assert not_placed.nhs_number not in unplaced.message
    # KW1 keeps the trust person (1 of 1) and holds the newcomer; SW1 has the one placed.
    assert {finding.staff_id for finding in of(report, "over_capacity")} == {"KW1"}
    with database.session() as session:
        loads = {load.staff_id: load for load in caseloads(session, RULES, as_of=TODAY).workers}
        current = current_caseloads(session, TODAY)
        covered = dict(session.execute(select(Person.id, Person.allocated_plan_id)).all())
    assert current == {"SW1": 1, "KW1": 2}  # placed; trust, and the newcomer
    assert (loads["SW1"].current, loads["SW1"].proposed) == (1, 1)
    assert {key for key, plan in covered.items() if plan is not None} == {
        placed.id, not_placed.id, signposted.id, trust.id}
    assert covered[newcomer.id] is None


def test_worker_unavailable_when_they_own_outgoing_tasks_for_a_handover_after_they_go(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "GOING", leaving_date=date(2027, 3, 1))  # before the handover
        make_staff(session, "AWAY", absent_until=date(2027, 4, 10))  # away over it, briefly
        make_staff(session, "AFTER", leaving_date=date(2027, 5, 1))  # after: theirs to do
        make_staff(session, "NEW", capacity=10)
        # The people themselves are held by others (their assignments): only the tasks count.
        for owner in ("GOING", "GOING", "AWAY", "AFTER"):
            made = person(session, coordinator=owner)
            assign(session, made, "social_worker", "NEW")
            task(session, made, "letter_gp", days(30), owner=owner)
        made = person(session, coordinator="GOING")
        assign(session, made, "social_worker", "NEW")
        done = task(session, made, "letter_gp", days(30), status="done", owner="GOING")
        assert done.status == "done"
    found = {finding.staff_id: finding.message
             for finding in of(check(database), "worker_unavailable")}
    assert set(found) == {"GOING", "AWAY"}
    assert "owns 2 open outgoing handover tasks" in found["GOING"]  # not the done one
    assert "holds" not in found["GOING"]
    assert "leaves on 2027-03-01, on or before the transfer date" in found["GOING"]
    assert "owns 1 open outgoing handover task of people" in found["AWAY"]
    assert "`transition tasks generate`" in found["AWAY"]


def test_worker_unavailable_when_dropped_from_the_staff_list_with_outgoing_tasks(
    database: Database,
) -> None:
    """Not on the latest staff list is unavailable: their open outgoing tasks are stranded
    (`transition tasks generate` gives them to the team manager)."""
    with database.transaction() as session:
        with_transfer(session)
        staff_list = ImportBatch(kind="staff", file_name="staff.csv", file_sha256="0" * 64,
                                 actor=ACTOR)
        session.add(staff_list)
        session.flush()
        make_staff(session, "DROPPED", missing_since_batch_id=staff_list.id)
        make_staff(session, "NEW", capacity=10)
        made = person(session, coordinator="DROPPED")
        assign(session, made, "social_worker", "NEW")
        task(session, made, "letter_gp", days(30), owner="DROPPED")
    [found] = of(check(database), "worker_unavailable")
    assert found.staff_id == "DROPPED"
    assert found.message.startswith("Worker is not on the latest staff list, and owns 1 open "
                                    "outgoing handover task")
    assert "`transition tasks generate`" in found.message
    with database.transaction() as session:
        generate_tasks(session, RULES, as_of=TODAY, actor=ACTOR, transfer_date=TRANSFER)
    assert of(check(database), "worker_unavailable") == []


def test_worker_unavailable_does_not_count_people_missing_from_the_export(
    database: Database,
) -> None:
    """They get only their own finding, and --apply cannot move them."""
    with database.transaction() as session:
        with_transfer(session)
        batch = caseload_import(session, TODAY)
        make_staff(session, "GOING", leaving_date=days(5))
        make_staff(session, "ALSO", leaving_date=days(5))
        assign(session, person(session, missing_since_batch_id=batch.id), "social_worker",
               "GOING")
        assign(session, person(session, missing_since_batch_id=batch.id), "social_worker",
               "ALSO")
        assign(session, person(session), "social_worker", "ALSO")
    [found] = of(check(database), "worker_unavailable")
    assert found.staff_id == "ALSO" and "still holds 1 person." in found.message


def test_tasks_behind_when_the_allocation_changed_since_tasks_were_generated(
    database: Database,
) -> None:
    """A new worker with no handover tasks is someone who may fall through the gap."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        moving = person(session, coordinator="SW1")
        assign(session, moving, "social_worker", "SW2")  # recorded, but no plan accepted
    assert of(check(database), "tasks_behind") == []  # tasks follow an accepted plan

    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)
    [behind] = of(check(database), "tasks_behind")
    assert behind.severity == "critical" and behind.person_id is None
    assert "behind the allocation for 1 person" in behind.message
    assert " to add." in behind.message and "transition tasks generate" in behind.message

    with database.transaction() as session:
        generate_tasks(session, RULES, as_of=TODAY, actor=ACTOR, transfer_date=TRANSFER)
    assert of(check(database), "tasks_behind") == []

    with database.transaction() as session:  # changed behind the tasks' back
        make_staff(session, "SW3")
        assign(session, moving, "social_worker", "SW3")
    stored = select(Task.id, Task.owner_staff_id, Task.status, Task.version).order_by(Task.id)
    with database.session() as session:
        before = session.execute(stored).all()
    [moved] = of(check(database), "tasks_behind")
    assert moved.severity == "warning" and "to give a new owner" in moved.message
    with database.session() as session:  # the check only looked
        assert session.execute(stored).all() == before
    with database.transaction() as session:
        generate_tasks(session, RULES, as_of=TODAY, actor=ACTOR, transfer_date=TRANSFER)
    assert of(check(database), "tasks_behind") == []

    with database.transaction() as session:  # back with the trust's coordinator: no handover
        # (the new worker's own tasks already done: only the outgoing ones are still open)
        session.execute(update(Task).where(Task.owner_kind == "incoming").values(status="done"))
        assign(session, moving, "social_worker", "SW1")
    [ended] = of(check(database), "tasks_behind")
    assert ended.severity == "warning" and "no longer needed" in ended.message
    with database.transaction() as session:
        generate_tasks(session, RULES, as_of=TODAY, actor=ACTOR, transfer_date=TRANSFER)
    assert of(check(database), "tasks_behind") == []


def test_not_assessed_finds_people_imported_since_the_last_assessment(database: Database) -> None:
    """A person with no pathway is seen by no other check (none knows what roles they need):
    critical when no one holds them meanwhile, else a warning."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        held = person(session, pathway=None, coordinator="SW1")
        nobody = person(session, pathway=None, coordinator=None)
        gone = person(session, pathway=None, coordinator="GONE9")
        ended = person(session, pathway=None, coordinator="SW1", coordinator_until=days(-1))
        assigned = person(session, pathway=None, coordinator=None)
        assign(session, assigned, "social_worker", "SW1")
        person(session, pathway="council", coordinator="SW1")  # assessed
        person(session, pathway=None, missing_since_batch_id=caseload_import(session, TODAY).id)
    found = {finding.nhs_number: finding for finding in of(check(database), "not_assessed")}
    assert set(found) == {held.nhs_number, nobody.nhs_number, gone.nhs_number,
                          ended.nhs_number, assigned.nhs_number}
    assert {number for number, finding in found.items() if finding.severity == "critical"} == {
        nobody.nhs_number, gone.nhs_number, ended.nhs_number}
    assert "Run `transition assess`" in found[held.nhs_number].message
    assert "not on the staff list" in found[gone.nhs_number].message
    assert "allocation has ended" in found[ended.nhs_number].message
    assert "No one holds" not in found[assigned.nhs_number].message
    assert held.nhs_number not in found[held.nhs_number].message  # only in its own field


def test_a_carer_letter_the_person_has_since_refused_is_flagged_not_to_be_posted(
    database: Database, tmp_path: Path
) -> None:
    """Written while consent was yes; the next import says no: the nightly check says not to
    post it, not to write it again (letters generate would skip it)."""
    from tests.letter_setup import handover_person
    from transition.config import CouncilDetails

    with database.transaction() as session:
        with_transfer(session)
        made = handover_person(session, carer=True, carer_name="Rita", carer_consent=True,
                              carer_address="5 Carer Row, Westhaven")
        generate_letters(session, council=CouncilDetails(), out_dir=tmp_path / "letters",
                         as_of=TODAY, actor=ACTOR, fmt="md")
    assert of(check(database), "letter_out_of_date") == []
    with database.transaction() as session:
        session.execute(update(Person).where(Person.id == made.id).values(carer_consent=False))
    found = {finding.message.split(" letter")[0]: finding.message
             for finding in of(check(database), "letter_out_of_date")}
    assert "does not agree to their carer being told" in found["The carer"]
    assert "Do not post it" in found["The carer"] and "Write it again" not in found["The carer"]
    assert "Write it again" in found["The gp"]  # it said the carer is written to


def test_when_a_handover_comes_with_no_working_day_before_it_it_says_so() -> None:
    from transition.check_findings.world import _when

    friday = date(2027, 3, 26)  # Good Friday: a bank holiday, then the weekend
    assert _when(date(2027, 3, 25), date(2027, 3, 27)) == (
        "on 2027-03-27, with no working day before it")  # Saturday, Friday a holiday
    assert _when(friday, date(2027, 3, 30)) == "on 2027-03-30, in 1 working day"  # Easter Tue
    assert _when(friday, friday) == "today"
