"""A corrected crisis line makes the letters that printed the old one out of date wherever
letters are looked at: the nightly check, and `transition person` (as `letters status` and
the letters screen already say, tests/cli/test_letters_wave2_status.py)."""

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


def test_the_check_and_the_person_say_a_letter_prints_an_old_crisis_line(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        nhs_number = handover_person(session).nhs_number
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
