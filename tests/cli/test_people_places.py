"""`transition people --team/--locality`: a place in any case and spacing, and one no one is in
refused with the close ones, not answered "Nobody matches" (which reads as an empty team)."""

from __future__ import annotations

import pytest

from tests.conftest import RunCli
from tests.factories import make_person
from transition.db import Database


@pytest.fixture
def places(database: Database) -> None:
    with database.transaction() as session:
        for _ in range(2):
            make_person(session, team="North CMHT", locality="North")
        make_person(session, team="South CMHT", locality="South")


def test_a_team_or_locality_in_any_case_finds_its_people(run_cli: RunCli, places: None) -> None:
    assert len(run_cli("people", "--team", "north  cmht", "--json").json()) == 2
    assert len(run_cli("people", "--locality", "SOUTH", "--json").json()) == 1
    both = run_cli("people", "--team", "North CMHT", "--locality", "south", "--json")
    assert both.exit_code == 0 and both.json() == []


@pytest.mark.parametrize("option, typed, code, words", [
    ("--team", "Nroth CMHT", 1, "Did you mean 'North CMHT'"),  # not found, as everywhere
    ("--locality", "Westhaven", 1, "The caseload's localities are 'North' and 'South'."),
    ("--team", " ", 2, "--team needs a name."),  # a bad argument
])
def test_a_place_no_one_is_in_is_refused_with_the_close_ones(
    run_cli: RunCli, places: None, option: str, typed: str, code: int, words: str
) -> None:
    result = run_cli("people", option, typed)
    assert result.exit_code == code, result.output
    assert words in " ".join(result.stderr.split())
    assert "Nobody matches" not in result.output
