"""`transition at-risk` and `assess`, found wrong in review: stale scores shown as current,
a mistyped team read as "nobody at risk", counts that disagreed with the dashboard."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.check_world import caseload_import
from tests.conftest import TODAY, RunCli
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.models import Person


@pytest.fixture
def caseload(database: Database) -> Database:
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, nhs_number=nhs_number(0), care_coordinator_id="S1",
                    team="Brackenford CMHT", self_harm_history=True,
                    last_discharge=TODAY - timedelta(days=20),
                    last_contact=TODAY - timedelta(days=19))
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="S1",
                    team="Dunmere Vale CMHT", lives_alone=True)
    return database


def words(text: str) -> str:
    return " ".join(text.split())


def test_at_risk_says_when_the_scores_were_measured_and_warns_when_not_today(
    run_cli: RunCli, caseload: Database
) -> None:
    """Scores measured 10 days ago listed a discharge 20 days back as "in the last 14 days"
    (10 points, red) with nothing to say the list was out of date: neither the table, the
    JSON nor a note gave the date the scores were measured at."""
    measured = TODAY - timedelta(days=10)
    assert run_cli("assess", "--as-of", measured.isoformat()).exit_code == 0
    result = run_cli("at-risk")
    assert result.exit_code == 0, result.output
    assert "Discharged from hospital in the last 14 days" in result.stdout  # as stored
    assert "Scores as of 5 January 2027" in words(result.stdout)
    note = words(result.stderr)
    assert "measured as of 5 January 2027, not today (15 January 2027)" in note
    assert "transition assess" in note
    rows = run_cli("at-risk", "--json")
    assert [row["risk_as_of"] for row in rows.json()] == [measured.isoformat()] * 2
    assert "not today" in rows.stderr  # the note is on stderr, the JSON stays clean

    # Measured again today: the discharge has moved to the 3-month tier, and no note.
    run_cli("assess", "--only-changed")
    result = run_cli("at-risk")
    assert "Discharged from hospital in the last 3 months" in result.stdout
    assert "Scores as of 15 January 2027" in words(result.stdout)
    assert "not today" not in result.stderr
    assert {row["risk_as_of"] for row in run_cli("at-risk", "--json").json()} == {
        TODAY.isoformat()}


def test_at_risk_team_matches_as_the_export_spells_it_in_any_case(
    run_cli: RunCli, caseload: Database
) -> None:
    run_cli("assess")
    rows = run_cli("at-risk", "--team", "brackenford  cmht", "--json")
    assert rows.exit_code == 0, rows.output
    assert [row["nhs_number"] for row in rows.json()] == [nhs_number(0)]


@pytest.mark.parametrize("typed", ["Brakenford CMHT", "Nowhere", " "])
def test_a_team_no_one_is_in_is_refused_not_read_as_nobody_at_risk(
    run_cli: RunCli, caseload: Database, typed: str
) -> None:
    """A mistyped --team printed "Nobody matches." and exit 0: a manager read it as no one in
    the team needing a careful handover."""
    run_cli("assess")
    result = run_cli("at-risk", "--team", typed)
    code = 2 if not typed.strip() else 1  # empty: a bad argument; else not found
    assert result.exit_code == code, result.output
    assert "Nobody matches" not in result.stdout
    said = words(result.stderr)
    assert "Traceback" not in said and "--team" in said
    if typed == "Brakenford CMHT":
        assert "Did you mean 'Brackenford CMHT'?" in said
    failed = run_cli("at-risk", "--team", typed, "--json")  # the failure document
    assert failed.exit_code == code and failed.json()["status"] == "failed"


def test_assess_counts_only_the_people_in_the_latest_export(
    run_cli: RunCli, caseload: Database
) -> None:
    add_person_missing_from_the_export(caseload)
    result = run_cli("assess", "--json")
    data = result.json()
    assert data["people"] == 3 and data["missing_from_export"] == 1
    assert sum(data["bands"].values()) == 2 == sum(data["pathways"].values())
    text = words(run_cli("assess").stdout)
    assert "3 people assessed" in text
    assert "1 person not in the latest export, counted in no pathway or band" in text


def add_person_missing_from_the_export(database: Database) -> None:
    with database.transaction() as session:
        batch = caseload_import(session, TODAY)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="S1",
                    self_harm_history=True)
        session.execute(update(Person).where(Person.nhs_number == nhs_number(2)).values(
            missing_since_batch_id=batch.id))
