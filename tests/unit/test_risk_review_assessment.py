"""Refreshing assessments, found wrong in review: the date the scores hold at, and counts that
disagreed with the dashboard."""

from datetime import date, timedelta

from sqlalchemy import select, update

from tests.check_world import caseload_import
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.assessment import band_counts, pathway_counts, refresh_assessments, scores_as_of
from transition.db import Database
from transition.models import Person
from transition.ruleset import load_rules

RULES = load_rules()


def refresh(database: Database, as_of: date = TODAY, **options):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return refresh_assessments(session, RULES, as_of=as_of, actor=ACTOR, **options)


def as_of_and_version(database: Database) -> dict[str, tuple[date | None, int]]:
    with database.session() as session:
        return {number: (as_of, version) for number, as_of, version in session.execute(
            select(Person.nhs_number, Person.risk_as_of, Person.version))}


def seed(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, nhs_number=nhs_number(0), care_coordinator_id="S1",
                    self_harm_history=True, last_discharge=TODAY - timedelta(days=3),
                    last_contact=TODAY - timedelta(days=1))
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="S1",
                    lives_alone=True)


def test_only_changed_records_that_everyone_was_measured_at_the_new_date(
    database: Database,
) -> None:
    """`assess --only-changed` a week on (what planning runs) left everyone whose result had
    not moved with the old risk_as_of, so no one could tell a score measured today from one
    measured weeks ago and never looked at since (the at-risk list warns on stale scores).
    Their result at the new date is the one stored, so the new date is theirs too; nothing
    else about them is written (their version stays)."""
    seed(database)
    refresh(database)
    before = as_of_and_version(database)
    later = TODAY + timedelta(days=7)
    summary = refresh(database, as_of=later, only_changed=True)
    # The discharge 3 days ago is now 10 days ago: still very recent. Nobody re-scored...
    assert (summary.evaluated, summary.unchanged) == (0, 2)
    after = as_of_and_version(database)
    # ...but every score is now known to hold at the new date.
    assert {as_of for as_of, _ in after.values()} == {later}
    assert {number: version for number, (_, version) in after.items()} == {
        number: version for number, (_, version) in before.items()}
    with database.session() as session:
        assert scores_as_of(session) == (later, later)


def test_scores_as_of_is_none_before_anyone_is_assessed(database: Database) -> None:
    seed(database)
    with database.session() as session:
        assert scores_as_of(session) is None
    refresh(database)
    with database.session() as session:
        assert scores_as_of(session) == (TODAY, TODAY)


def test_assess_counts_bands_and_pathways_as_the_dashboard_does(database: Database) -> None:
    """`assess` said "red 2" where the dashboard, `status` and `at-risk` said "red 1": it
    counted a person the latest trust export no longer lists, whom every other count leaves
    out. Now its counts are the dashboard's, and it says how many more it assessed."""
    seed(database)
    with database.transaction() as session:
        batch = caseload_import(session, TODAY)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="S1",
                    self_harm_history=True, last_discharge=TODAY - timedelta(days=2),
                    missing_since_batch_id=batch.id)
    summary = refresh(database)
    with database.session() as session:
        assert summary.bands == band_counts(session)
        assert summary.pathways == pathway_counts(session)
    assert summary.bands["red"] == 1
    assert (summary.people, summary.evaluated, summary.missing_from_export) == (3, 3, 1)
    assert sum(summary.bands.values()) == summary.people - summary.missing_from_export
    # Back in the next export: counted again.
    with database.transaction() as session:
        session.execute(update(Person).values(missing_since_batch_id=None))
    summary = refresh(database, only_changed=True)
    assert summary.bands["red"] == 2 and summary.missing_from_export == 0
