"""`transition letters status` after the council corrects a detail its letters print (wave 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.letter_setup import handover_person, use_test_council, with_transfer_date
from transition.db import Database

NEW_CRISIS_LINE = "0808 157 0999 (24 hours a day) or NHS 111, option 2"
REASON = ("the council's details it prints have changed since it was written: the crisis line "
          "(set in the settings' [council])")


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _one_handover(database: Database) -> str:
    """A transfer date and one person changing worker; their NHS number."""
    with database.transaction() as session:
        with_transfer_date(session)
        return handover_person(session).nhs_number


def test_status_says_which_letters_print_a_corrected_crisis_line_and_generate_clears_them(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nhs_number = _one_handover(database)
    out = tmp_path / "out"
    assert run_cli("letters", "generate", "--format", "md", "--out", out).exit_code == 0
    assert run_cli("letters", "status", "--json").json()["out_of_date"] == []

    monkeypatch.setenv("TRANSITION_COUNCIL__CRISIS_LINE", NEW_CRISIS_LINE)
    status = run_cli("letters", "status", "--json").json()
    reason = ("the council's details it prints have changed since it was written: the crisis "
              "line (set in the settings' [council])")
    assert sorted((s["nhs_number"], s["kind"], s["reason"]) for s in status["out_of_date"]) == [
        (nhs_number, "gp", reason), (nhs_number, "person", reason)]
    assert {(n["kind"], n["status"], n["reason"]) for n in status["needs"]} == {
        ("gp", "out_of_date", reason), ("person", "out_of_date", reason)}
    table = run_cli("letters", "status")
    said = " ".join(table.stdout.split())
    assert "2 letters out of date (generate them again)" in said
    assert f"person: {reason}" in said
    history = run_cli("letters", "history", nhs_number, "--json").json()
    assert {(record["status"], record["reason"]) for record in history} == {
        ("out_of_date", reason)}

    again = run_cli("letters", "generate", "--format", "md", "--out", out, "--json").json()
    assert again["written"] == 2 and again["reworded"] == 2 and again["superseded"] == 2
    assert run_cli("letters", "status", "--json").json()["out_of_date"] == []


def test_history_is_shown_when_the_templates_folder_setting_is_wrong(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """History checks the council details kept with each letter; it needs no templates."""
    nhs_number = _one_handover(database)
    assert run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out"
                   ).exit_code == 0
    monkeypatch.setenv("TRANSITION_LETTER_TEMPLATES_DIR", str(tmp_path / "no-such-folder"))
    monkeypatch.setenv("TRANSITION_COUNCIL__CRISIS_LINE", NEW_CRISIS_LINE)
    history = run_cli("letters", "history", nhs_number, "--json")
    assert history.exit_code == 0
    assert {record["status"] for record in history.json()} == {"out_of_date"}


def test_the_check_and_the_person_say_a_letter_prints_an_old_crisis_line(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nhs_number = _one_handover(database)
    assert run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out"
                   ).exit_code == 0

    def letter_findings() -> list[str]:
        report = run_cli("check", "--json").json()
        return sorted(finding["message"] for finding in report["findings"]
                      if finding["code"] == "letter_out_of_date")

    assert letter_findings() == []
    monkeypatch.setenv("TRANSITION_COUNCIL__CRISIS_LINE", NEW_CRISIS_LINE)
    found = letter_findings()
    assert len(found) == 2 and all(REASON in message for message in found)
    letters = run_cli("person", nhs_number, "--json").json()["letters"]
    assert {(letter["status"], letter["reason"]) for letter in letters} == {
        ("out_of_date", REASON)}
