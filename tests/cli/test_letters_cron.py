"""`transition letters generate` from cron: NHS numbers masked when the output is not a
terminal (as `transition check` masks them), and an exit status that is 0 when the only letters
not written are settled ones (the person said no to their carer being told; braille), 1 when a
letter could not be written and someone must act."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.letter_setup import handover_person, use_test_council, with_transfer_date
from transition import nhs
from transition.db import Database


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _settled_only(database: Database) -> tuple[str, str]:
    """A person whose carer must not be told, and one who needs braille: their other letters
    are written; those two are not, and never will be while the record says so."""
    with database.transaction() as session:
        with_transfer_date(session)
        refused = handover_person(session, carer=True, carer_name="Rita",
                                  carer_address="5 Carer Row, Westhaven", carer_consent=False)
        braille = handover_person(session, accessible_format="braille")
        return refused.nhs_number, braille.nhs_number


def test_settled_skips_exit_0_and_are_still_listed(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    refused, braille = _settled_only(database)
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Not written: 2 letters. 2 settled" in said and "0 to act on" in said
    assert "carer consent: no" in said and "needs braille" in said
    data = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                   "--json")
    assert data.exit_code == 0, data.output
    document = data.json()
    assert document["skipped_needing_action"] == 0
    assert sorted((item["nhs_number"], item["kind"]) for item in document["skipped"]) == sorted(
        [(refused, "carer"), (braille, "person")])


def test_a_letter_someone_must_act_on_still_exits_1(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    _settled_only(database)
    with database.transaction() as session:
        no_gp = handover_person(session, gp_address=None).nhs_number
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                     "--json")
    assert result.exit_code == 1, result.output
    document = result.json()
    assert document["skipped_needing_action"] == 1
    assert {(item["nhs_number"], item["kind"]) for item in document["skipped"]} >= {
        (no_gp, "gp")}
    said = " ".join(run_cli("letters", "generate", "--format", "md", "--out",
                            tmp_path / "out").stdout.split())
    assert "Not written: 3 letters. 2 settled" in said and "1 to act on" in said


def test_numbers_are_masked_when_the_output_is_not_a_terminal(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    refused, braille = _settled_only(database)
    # The test runner's stdout is not a terminal, as cron's is not.
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out")
    for number in (refused, braille):
        assert nhs.format_334(number) not in result.stdout and number not in result.stdout
        assert f"{nhs.mask(number)} (" in result.stdout
    assert "NHS numbers are masked" in result.stdout
    # --full-numbers prints them (the letters are current now: the skips are still listed).
    full = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                   "--full-numbers")
    assert f"{nhs.format_334(refused)} (carer)" in full.stdout
    assert f"{nhs.format_334(braille)} (person)" in full.stdout
    assert "NHS numbers are masked" not in full.stdout
    # --json always holds them in full.
    document = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                       "--json").json()
    assert {item["nhs_number"] for item in document["skipped"]} == {refused, braille}


def test_the_help_says_what_each_exit_status_means(run_cli: RunCli) -> None:
    said = " ".join(run_cli("letters", "generate", "--help").stdout.split())
    assert "Exit status 0" in said and "settled reason" in said
    assert "1 when a letter could not be written and someone must act" in said
    assert "--full-numbers" in said


def test_letters_status_masks_nhs_numbers_off_a_terminal_as_generate_does(
    run_cli: RunCli, database: Database
) -> None:
    _refused, braille = _settled_only(database)
    said = " ".join(run_cli("letters", "status").stdout.split())
    assert nhs.mask(braille) in said and nhs.format_334(braille) not in said
    assert "NHS numbers are masked: this output is not a terminal" in said
    full = " ".join(run_cli("letters", "status", "--full-numbers").stdout.split())
    assert nhs.format_334(braille) in full and "are masked" not in full
    document = run_cli("letters", "status", "--json").json()
    assert braille in {need["nhs_number"] for need in document["needs"]}
