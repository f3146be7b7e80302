"""`transition people` names the workers with their ids ("Brenda Butler (WP60723)"), as the
app's caseload names them; it showed the ids alone. `--json` keeps the ids and adds the names."""

from __future__ import annotations

from datetime import date

import pytest
from rich.console import Console

from tests.conftest import TODAY, RunCli
from tests.factories import make_person, make_staff, nhs_number
from transition.commands import common
from transition.commands.people import after_transfer, coordinator, people_table
from transition.db import Database
from transition.people import PersonRow


@pytest.fixture
def caseload(database: Database) -> Database:
    with database.transaction() as session:
        make_staff(session, "WP60723", given_name="Brenda", family_name="Butler")
        make_person(session, nhs_number=nhs_number(0), family_name="Adams",
                    care_coordinator_id="WP60723")
        make_person(session, nhs_number=nhs_number(1), family_name="Baker",
                    care_coordinator_id="WX404")  # not on the staff list
    return database


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", [80, 200])
def test_the_coordinator_is_named_with_their_id(
    run_cli: RunCli, caseload: Database, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(common.console, "width", width)
    result = run_cli("people")
    assert result.exit_code == 0, result.output
    shown = words(result.stdout)
    assert "Brenda Butler (WP60723)" in shown
    assert "WX404" in shown and "(WX404)" not in shown  # no name to give: the id alone


def test_the_json_keeps_the_ids_and_adds_the_names(run_cli: RunCli, caseload: Database) -> None:
    rows = {row["family_name"]: row for row in run_cli("people", "--json").json()}
    assert rows["Adams"]["care_coordinator_id"] == "WP60723"
    assert rows["Adams"]["care_coordinator_name"] == "Brenda Butler"
    assert rows["Baker"]["care_coordinator_id"] == "WX404"
    assert rows["Baker"]["care_coordinator_name"] is None
    assert rows["Adams"]["workers"] == {} and rows["Adams"]["worker_names"] == {}


def row(**fields: object) -> PersonRow:
    values: dict[str, object] = dict(
        id=1, nhs_number=nhs_number(0), family_name="Adams", given_name="Ben",
        date_of_birth=date(2001, 2, 27), team="Dunmere Vale CMHT", locality="Dunmere Vale",
        care_coordinator_id="WP60723", pathway="joint", risk_band="amber", risk_score=6,
        missing=False, workers=(("social_worker", "WC37275"), ("key_worker", "WP60723")),
        allocated=True, coordinator_until=date(2027, 1, 1))
    values.update(fields)
    return PersonRow(**values)  # type: ignore[arg-type]


def test_who_holds_them_after_the_transfer_is_named_too() -> None:
    names = {"WC37275": "Sheila Marshall", "WP60723": "Brenda Butler"}
    ended = row(id=2, care_coordinator_id="WX404", workers=(("social_worker", "WC37275"),))
    assert coordinator(row(), TODAY, names) == "Brenda Butler (WP60723) (ended 2027-01-01)"
    assert coordinator(ended, TODAY, names) == "WX404 (ended 2027-01-01)"  # TODAY: 15 Jan 2027
    assert after_transfer(row(), names) == "Sheila Marshall (WC37275) + Brenda Butler (WP60723)"
    assert after_transfer(ended, names) == "Sheila Marshall (WC37275) + no key worker"
    assert after_transfer(row()) == "WC37275 + WP60723"  # no names: the ids, as before
    console = Console(width=200, color_system=None)
    with console.capture() as capture:
        console.print(people_table([row(), ended], TODAY, 200, names))
    shown = capture.get()
    assert "Brenda Butler (WP60723)" in shown
    assert "Sheila Marshall (WC37275) + no key worker" in shown
