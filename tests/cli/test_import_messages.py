"""What `transition import` says about a header's bracketed note, an NHS number that comes
back with another date of birth, rows that conflict, and a workbook whose first sheet is not
the caseload."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tests.conftest import RunCli
from tests.factories import nhs_number


def test_a_bracketed_note_keeps_the_gps_postcode_from_the_person(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "hdr.csv"
    path.write_text(
        "NHS No,Forename,Surname,DOB,Postcode (GP practice),Care Co-ordinator (previous),"
        "S117 (ended?),Team\n"
        f"{nhs_number(0)},Ann,Able,01/02/1980,WX9 9ZZ,WC11226,Y,North CMHT\n"
    )
    result = run_cli("import", "caseload", path, "--json")
    assert result.exit_code == 0, result.output
    data = result.json()
    assert set(data["columns"].values()) == {
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "team",
    }
    assert data["extra_columns_look_like"] == {
        "Postcode (GP practice)": "postcode",
        "Care Co-ordinator (previous)": "care_coordinator_id",
        "S117 (ended?)": "s117",
    }
    assert any(
        "not taken as known columns because of their notes in brackets" in note
        for note in data["notices"]
    )
    person = run_cli("person", nhs_number(0), "--json").json()
    assert (person["postcode"], person["care_coordinator_id"], person["s117"]) == (None, None, None)
    assert person["extra"]["Postcode (GP practice)"] == "WX9 9ZZ"  # kept, not lost
    # The note is kept with the import, for the rest of the team.
    history = run_cli("import", "history").stdout
    assert "'Postcode (GP practice)' (not postcode)" in " ".join(history.split())


def test_a_dob_beside_the_carers_date_of_birth_imports(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "carer.csv"
    path.write_text(
        "NHS No,Forename,Surname,DOB,Date of Birth (Carer)\n"
        f"{nhs_number(0)},Ann,Able,01/02/1980,03/04/1950\n"
    )
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 0, result.output
    assert run_cli("person", nhs_number(0), "--json").json()["date_of_birth"] == "1980-02-01"


def test_an_nhs_number_back_with_another_date_of_birth_is_warned(
    run_cli: RunCli, tmp_path: Path
) -> None:
    header = "NHS Number,Forename,Surname,DOB,Postcode,Team\n"
    north, south = tmp_path / "north.csv", tmp_path / "south.csv"
    north.write_text(header + f"{nhs_number(0)},Ann,Able,01/02/1980,WX1 2AB,North CMHT\n")
    south.write_text(header + f"{nhs_number(0)},Ann,Able-Smith,02/01/1980,WX1 2AB,North CMHT\n")
    assert run_cli("import", "caseload", north).exit_code == 0
    result = run_cli("import", "caseload", south)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert (
        "row 2: nhs_number: this NHS number was held with a different date of birth and "
        "family name: updated, but check it is the same person"
    ) in out
    assert "1 person already held came with a different date of birth or name (row 2)" in out
    assert "Able-Smith" not in result.stdout and "1980" not in result.stdout
    warnings = run_cli("person", nhs_number(0), "--json").json()["warnings"]
    assert [
        (w["row"], w["column"]) for w in warnings if "check it is the same person" in w["message"]
    ] == [(2, "nhs_number")]


def test_conflicting_rows_name_the_columns_that_differ(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "NHS Number,Forename,Surname,DOB,Postcode,Notes\n"
        f"{nhs_number(0)},Ann,Able,01/02/1980,WX1 2AB,a\n"
        f"{nhs_number(0)},ANN,Able,1 Feb 1980,wx12ab,b\n"
    )
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 2
    out = " ".join(result.stdout.split())
    assert (
        "also on row 3 with different details (differs in: Notes, and in case or spacing "
        "only: Forename)"
    ) in out


def test_a_summary_sheet_first_lists_the_sheets(run_cli: RunCli, tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Lookups"
    book.active.sheet_state = "hidden"
    book.active.append(["codes"])
    book.create_sheet("Summary").append(["Total", 1])
    caseload = book.create_sheet("Caseload")
    caseload.append(["NHS Number", "Forename", "Surname", "DOB"])
    caseload.append([nhs_number(0), "Ann", "Able", "01/02/1980"])
    path = tmp_path / "multi.xlsx"
    book.save(path)
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "multi.xlsx (sheet 'Summary') has no header row" in err  # the hidden one is skipped
    assert "Its sheets are: 'Summary', 'Caseload' (hidden: 'Lookups')." in err
    assert "Choose the sheet that holds the rows with --sheet NAME." in err
    assert run_cli("import", "caseload", path, "--sheet", "Caseload").exit_code == 0
