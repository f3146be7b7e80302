"""`transition people --search`: a name without its accents, and a postcode without its space,
find the person."""

from __future__ import annotations

import pytest

from tests.conftest import RunCli
from tests.factories import make_person
from transition.db import Database


@pytest.fixture
def people(database: Database) -> None:
    with database.transaction() as session:
        make_person(session, given_name="Seán", family_name="Gibson", postcode="WX2 4AB")
        make_person(session, given_name="Jakub", family_name="Zając", postcode="WX3 9ZZ")
        make_person(session, given_name="Bilal", family_name="Akhtar", postcode="WX1 7UQ")


@pytest.mark.parametrize(("typed", "family"), [
    ("Sean", "Gibson"), ("ZAJAC", "Zając"), ("zając", "Zając"), ("WX17UQ", "Akhtar"),
    ("wx1 7uq", "Akhtar"),
])
def test_people_search_ignores_accents_and_a_postcodes_space(
    run_cli: RunCli, people: None, typed: str, family: str
) -> None:
    result = run_cli("people", "--search", typed, "--json")
    assert result.exit_code == 0, result.output
    assert [row["family_name"] for row in result.json()] == [family]
