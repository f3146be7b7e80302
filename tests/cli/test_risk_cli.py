"""`transition risk set|clear`: a manager's handover-risk band from the command line, shown by
`person` and `at-risk`, and bad input refused with nothing written."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import update

from tests import task_world
from tests.conftest import RunCli
from transition.audit import events
from transition.db import Database
from transition.models import Person


def _world(database: Database) -> dict[str, str]:
    """The task world, assessed as given: everyone scored 2 (green), the red one 12."""
    with database.transaction() as session:
        ids = task_world.build(session)
        session.execute(update(Person).values(risk_score=2))
        session.execute(update(Person).where(Person.id == ids["red"]).values(risk_score=12))
        return {name: session.get(Person, pid).nhs_number for name, pid in ids.items()}  # type: ignore[union-attr]


def _said(text: str) -> str:
    return " ".join(text.split())


def test_set_show_and_clear(run_cli: RunCli, database: Database) -> None:
    numbers = _world(database)
    assert run_cli("tasks", "generate").exit_code == 0
    made = run_cli("risk", "set", numbers["council"], "RED", "--reason",
                   "Crisis team contact last week", "--json")
    assert made.exit_code == 0, made.output
    assert made.json() | {"version": None} == {
        "nhs_number": numbers["council"], "band_before": "green", "band": "red",
        "rules_band": "green", "version": None,
        "tasks": {"task_due_dates_moved": 0, "tasks_added": 1, "tasks_not_needed": 0,
                  "task_owners_moved": 0}}

    person = run_cli("person", numbers["council"], "--json").json()
    assert person["risk_band"] == "red"
    assert person["risk_band_override"]["band"] == "red"
    assert person["risk_band_override"]["reason"] == "Crisis team contact last week"
    assert person["risk_band_override"]["rules_band"] == "green"
    shown = _said(run_cli("person", numbers["council"]).output)
    assert "Handover risk ● red ✎ 2 needs the most careful handover" in shown
    assert ": Crisis team contact last week Rules would say ● green 2" in shown

    reasons = _said(run_cli("pathway", "show", numbers["council"]).output)
    assert "A manager's band (" in reasons
    assert "Crisis team contact last week. The rules' score gives green." in reasons

    ranked = run_cli("at-risk", "--json").json()
    assert [row["nhs_number"] for row in ranked[:2]] == [numbers["red"], numbers["council"]]
    assert [row["risk_band_overridden"] for row in ranked[:2]] == [False, True]
    table = run_cli("at-risk", "--top", "2").output
    assert "red ✎" in table and "a manager's band (transition risk)" in _said(table)

    cleared = run_cli("risk", "clear", numbers["council"], "--reason", "Reviewed at panel")
    assert cleared.exit_code == 0, cleared.output
    said = _said(cleared.output)
    assert "Manager's band cleared for ******" in said
    assert "the band is green" in said and "Their tasks: 1 no longer needed." in said
    assert numbers["council"] not in said

    with database.session() as session:
        assert [event.action for event in events(
            session, actions=["risk.override", "risk.override_cleared"])] == [
            "risk.override_cleared", "risk.override"]


def test_bad_input_is_refused_with_nothing_written(run_cli: RunCli, database: Database) -> None:
    numbers = _world(database)
    for args, said in (
        (("set", numbers["kept"], "purple", "--reason", "x"), "'purple' is not a risk band"),
        (("set", numbers["kept"], "red", "--reason", ""), "needs a written reason"),
        (("set", "1234567890", "red", "--reason", "x"), "NHS number"),
    ):
        result = run_cli("risk", *args)
        assert result.exit_code == 2, result.output
        assert said in _said(result.output)
        assert "Traceback" not in result.output
    nothing = run_cli("risk", "clear", numbers["kept"])
    assert nothing.exit_code == 1
    assert "has no manager's risk band" in _said(nothing.output)
    stale = run_cli("risk", "set", numbers["kept"], "red", "--reason", "x",
                    "--expected-version", "99")
    assert stale.exit_code != 0 and "changed by" in _said(stale.output)
    with database.session() as session:
        assert events(session, actions=["risk.override", "risk.override_cleared"]) == []


def test_assess_says_how_many_managers_bands_it_kept(run_cli: RunCli, database: Database) -> None:
    numbers = _world(database)
    assert run_cli("assess").exit_code == 0
    assert run_cli("risk", "set", numbers["kept"], "amber", "--reason", "x").exit_code == 0
    again = run_cli("assess")
    assert "1 manager's risk band(s) kept" in _said(again.output)
    assert run_cli("assess", "--json").json()["risk_band_overrides"] == 1
    assert run_cli("person", numbers["kept"], "--json").json()["risk_band"] == "amber"


def test_the_export_says_which_bands_a_manager_set(run_cli: RunCli, database: Database,
                                                   tmp_path: Path) -> None:
    numbers = _world(database)
    assert run_cli("risk", "set", numbers["kept"], "red", "--reason", "x").exit_code == 0
    assert run_cli("export", "--pseudonymise", "--out", tmp_path / "export").exit_code == 0
    with (tmp_path / "export" / "caseload.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    overridden = [row["risk_band"] for row in rows if row["risk_band_overridden"] == "yes"]
    assert overridden == ["red"]
    assert {row["risk_band_overridden"] for row in rows} == {"yes", "no"}
