"""A team, locality, person or worker named on the command line that does not exist is "not
found", exit status 1, in every command that looks one up (README, "Exit statuses"), with a
message naming what was not found and the close spellings or how to list the real ones.

Found in review: `handover-date --team` exited 1 for an unknown team, `people --team` and
`at-risk --team` exited 2, and `plan show --team` exited 0 with "No roles match"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import RunCli
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.errors import EXIT_FAILED, EXIT_PARTIAL
from transition.models import Plan

# Every command that takes a team or locality by name, with what follows the name.
PLACE_COMMANDS = [
    ("people", "--team"),
    ("people", "--locality"),
    ("at-risk", "--team"),
    ("plan", "show", "--team"),
    ("handover-date", "2027-03-01", "--team"),
    ("handover-date", "2027-03-01", "--locality"),
]


@pytest.fixture
def world(run_cli: RunCli, database: Database) -> Database:
    """Two teams in two localities, assessed, with a stored plan (so `plan show` gets as far as
    its filters rather than stopping at "There is no plan yet")."""
    with database.transaction() as session:
        make_staff(session, "SW1", team="North CMHT", locality="North")
        for index in range(2):
            make_person(session, nhs_number=nhs_number(index), team="North CMHT",
                        locality="North", care_coordinator_id="SW1")
        make_person(session, nhs_number=nhs_number(2), team="South CMHT", locality="South",
                    care_coordinator_id="SW1")
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    assert run_cli("assess").exit_code == 0
    assert run_cli("plan").exit_code in (0, 1)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 1
    return database


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("words", PLACE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("team", "locality", "hint"), [
    ("Nroth CMHT", "Nroth", "Did you mean 'North"),
    ("Elsewhere", "Westhaven", "are 'North"),  # no close one: the few there are
])
def test_a_place_no_one_is_in_is_not_found_exit_1_in_every_command(
    run_cli: RunCli, world: Database, words: tuple[str, ...], team: str, locality: str,
    hint: str,
) -> None:
    typed = team if words[-1] == "--team" else locality
    result = run_cli(*words, typed)
    assert result.exit_code == EXIT_PARTIAL, result.output
    message = said(result.stderr)
    assert "Traceback" not in message and "Nobody matches" not in result.output
    assert f"{typed!r}" in message and "no one on the caseload is in" in message.casefold()
    assert hint in message
    if hint.startswith("are"):
        kinds = "teams" if words[-1] == "--team" else "localities"
        assert f"The caseload's {kinds} are" in message
    failed = run_cli(*words, typed, "--json")  # the failure document says the same
    assert failed.exit_code == EXIT_PARTIAL
    assert failed.json()["status"] == "failed" and failed.json()["exit_code"] == EXIT_PARTIAL


@pytest.mark.parametrize("words", PLACE_COMMANDS, ids=" ".join)
def test_an_empty_place_is_a_bad_argument_exit_2_in_every_command(
    run_cli: RunCli, world: Database, words: tuple[str, ...]
) -> None:
    """An empty name (a script's unset variable) is not a name that was looked up: exit 2,
    never read as no filter (`plan show --team ""` listed every role)."""
    result = run_cli(*words, " ")
    assert result.exit_code == EXIT_FAILED, result.output
    assert f"{words[-1]} needs a name" in said(result.stderr)


@pytest.mark.parametrize("words", PLACE_COMMANDS, ids=" ".join)
def test_a_place_in_any_case_and_spacing_is_found(
    run_cli: RunCli, world: Database, words: tuple[str, ...]
) -> None:
    typed = "north  cmht" if words[-1] == "--team" else "NORTH"
    result = run_cli(*words, typed, "--json")
    assert result.exit_code == 0, result.output


def test_plan_show_team_in_any_case_keeps_that_teams_roles(
    run_cli: RunCli, world: Database
) -> None:
    everyone = run_cli("plan", "show", "--json").json()["assignments"]
    north = run_cli("plan", "show", "--team", "north  cmht", "--json").json()["assignments"]
    assert north and len(north) < len(everyone)
    numbers = {nhs_number(0), nhs_number(1)}
    assert {row["nhs_number"] for row in north} == numbers


@pytest.mark.parametrize("args", [
    ("person", "{unknown}"),
    ("pathway", "show", "{unknown}"),
    ("risk", "set", "{unknown}", "red", "--reason", "test"),
    ("audit", "--nhs", "{unknown}"),
    ("tasks", "list", "--nhs", "{unknown}"),
    ("tasks", "list", "--owner", "XX9"),
    ("tasks", "progress", "--owner", "XX9"),
    ("plan", "show", "--worker", "XX9"),
    ("plan", "show", "--from", "XX9"),
    ("plan", "--withdraw", "XX9"),
    ("plan", "candidates", "{unknown}", "--role", "social_worker"),
    ("assign", "{known}", "XX9", "--role", "social_worker", "--reason", "test"),
    ("assign", "{unknown}", "SW1", "--role", "social_worker", "--reason", "test"),
    ("plan", "show", "--plan", "999"),
    ("tasks", "set", "999999", "done"),
], ids=lambda args: " ".join(args))
def test_a_person_worker_plan_or_task_that_does_not_exist_is_exit_1_too(
    run_cli: RunCli, world: Database, args: tuple[str, ...]
) -> None:
    """The same status as an unknown team: a valid NHS number that names no one on the
    caseload, a staff id on no staff list, a plan or task id that is not there."""
    unknown = nhs_number(50)  # a valid NHS number no one on the caseload has
    result = run_cli(*(arg.format(unknown=unknown, known=nhs_number(0)) for arg in args))
    assert result.exit_code == EXIT_PARTIAL, result.output
    message = said(result.stderr)
    assert "Traceback" not in message and unknown not in message  # masked, never echoed
    assert any(words in message for words in ("No person with NHS number ******",
                                              "No worker with staff id 'XX9'",
                                              "'XX9' as their care coordinator",
                                              "There is no plan 999", "999999"))
