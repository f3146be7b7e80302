"""`transition letters` as a manager types it: options narrow every list, in any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.factories import make_person
from tests.letter_setup import TRANSFER, handover_person, use_test_council, with_transfer_date
from transition.db import Database
from transition.handover import set_handover_date
from transition.people import find_person


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _two_people_with_letters(run_cli: RunCli, database: Database, out: Path) -> tuple[str, str]:
    """Two people with letters written, then the second one's handover date moved: every letter
    of theirs (person, GP, carer) is out of date; none of the first one's is."""
    with database.transaction() as session:
        with_transfer_date(session)
        first = handover_person(session).nhs_number
        second = handover_person(session, carer=True, carer_name="Rita Carer",
                                 carer_address="5 Carer Row, Westhaven",
                                 carer_consent=True).nhs_number
    assert run_cli("letters", "generate", "--format", "md", "--out", out).exit_code == 0
    with database.transaction() as session:
        person = find_person(session, second)
        assert person is not None
        set_handover_date(session, person, TRANSFER.replace(day=15), actor="tester")
    return first, second


def test_status_for_one_person_lists_only_their_out_of_date_letters(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    """Asked about one person (need-to-know), status lists no one else's letters or numbers."""
    first, second = _two_people_with_letters(run_cli, database, tmp_path / "out")

    mine = run_cli("letters", "status", "--nhs", first, "--json").json()
    assert {n["nhs_number"] for n in mine["needs"]} == {first}
    assert mine["out_of_date"] == []
    table = run_cli("letters", "status", "--nhs", first)
    assert table.exit_code == 0
    assert "out of date" not in table.stdout and second[-4:] not in table.stdout

    theirs = run_cli("letters", "status", "--nhs", second, "--json").json()
    assert sorted(s["kind"] for s in theirs["out_of_date"]) == ["carer", "gp", "person"]
    assert {s["nhs_number"] for s in theirs["out_of_date"]} == {second}


def test_status_for_one_kind_lists_only_that_kinds_out_of_date_letters(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    _first, second = _two_people_with_letters(run_cli, database, tmp_path / "out")

    carers = run_cli("letters", "status", "--kind", "carer", "--json").json()
    assert [(s["nhs_number"], s["kind"]) for s in carers["out_of_date"]] == [(second, "carer")]
    said = " ".join(run_cli("letters", "status", "--kind", "carer").stdout.split())
    assert "1 letter out of date" in said and " gp:" not in said and " person:" not in said

    everyone = run_cli("letters", "status", "--json").json()
    assert len(everyone["out_of_date"]) == 3


@pytest.mark.parametrize("command", ["generate", "status"])
def test_kind_and_format_are_read_in_any_case_as_other_commands_read_their_options(
    run_cli: RunCli, database: Database, tmp_path: Path, command: str
) -> None:
    """ARCHITECTURE.md: a value an option takes is read case-insensitively (`--band RED`)."""
    with database.transaction() as session:
        with_transfer_date(session)
        nhs_number = handover_person(session).nhs_number
    args = ["letters", command, "--nhs", nhs_number, "--kind", " GP", "--json"]
    if command == "generate":
        args += ["--format", "DOCX ", "--out", str(tmp_path / "out")]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    if command == "generate":
        assert [(item["kind"], item["format"]) for item in result.json()["letters"]] == [
            ("gp", "docx")]
    else:
        assert [n["kind"] for n in result.json()["needs"]] == ["gp"]


def test_preview_reads_the_kind_in_any_case(run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        nhs_number = handover_person(session).nhs_number
    result = run_cli("letters", "preview", nhs_number, "--kind", "GP")
    assert result.exit_code == 0, result.output
    assert "Dear Doctor" in result.stdout


def test_a_letter_asked_for_by_name_that_does_not_apply_is_listed_with_why(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    """`--nhs X --kind carer` for someone with no carer wrote nothing and said nothing (exit 0):
    the manager who asked is told why, as for any letter not written, and the status is 1."""
    with database.transaction() as session:
        with_transfer_date(session)
        no_carer = handover_person(session).nhs_number
        signposted = make_person(session, pathway="signpost").nhs_number
    out = tmp_path / "out"

    carer = run_cli("letters", "generate", "--nhs", no_carer, "--kind", "carer", "--out", out,
                    "--json")
    assert carer.exit_code == 1, carer.output
    assert carer.json()["written"] == 0
    assert carer.json()["skipped"] == [{
        "nhs_number": no_carer, "kind": "carer",
        "reason": "no carer is recorded for them, so there is no carer letter"}]

    said = " ".join(run_cli("letters", "generate", "--nhs", signposted, "--kind", "person",
                            "--kind", "gp", "--out", out).stdout.split())
    assert "Letters: 1 written" in said
    assert ("1 x they are on the signpost pathway: their letter is the signpost letter (--kind "
            "signpost)") in said

    wrong = run_cli("letters", "generate", "--nhs", no_carer, "--kind", "signpost", "--out", out,
                    "--json")
    assert wrong.exit_code == 1
    assert [s["reason"] for s in wrong.json()["skipped"]] == [
        "they are not on the signpost pathway: their letter is the person letter (--kind person)"]

    # Not named: everyone's letters of a kind, and no noise about people it does not apply to.
    everyone = run_cli("letters", "generate", "--kind", "carer", "--out", out, "--json")
    assert everyone.exit_code == 0 and everyone.json()["skipped"] == []
