"""`transition import` of messy trust exports: a grouped report with cells merged down its
columns, re-imported over the flat export, and a UTF-8 file with a stray Windows-1252 row.
All data is synthetic (999-range NHS numbers, invented names)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import RunCli

HEADER = ["Team", "Care Coordinator", "NHS Number", "Forename", "Surname", "DOB", "S117"]
PEOPLE = [("9991000003", "Ann", "Able", datetime(1980, 2, 1)),
          ("9991000011", "Ben", "Bell", datetime(1981, 2, 1)),
          ("9991000038", "Cy", "Cole", datetime(1982, 2, 1))]


def flat_export(path: Path) -> Path:
    lines = [",".join(HEADER)] + [
        f"North CMHT,WC11226,{number},{given},{family},{born:%d/%m/%Y},Y"
        for number, given, family, born in PEOPLE]
    path.write_text("\n".join(lines) + "\n")
    return path


def grouped_report(path: Path) -> Path:
    """The same people as a grouped report: a title merged across the top, and the team,
    coordinator and S117 merged down over the group's rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["North CMHT caseload"])
    sheet.merge_cells("A1:G1")
    sheet.append(HEADER)
    for index, person in enumerate(PEOPLE):
        sheet.append(["North CMHT", "WC11226", *person, "Y"] if index == 0
                     else [None, None, *person, None])
    for column in "ABG":
        sheet.merge_cells(f"{column}3:{column}5")
    workbook.save(path)
    return path


def person(run_cli: RunCli, number: str) -> dict[str, object]:
    result = run_cli("person", number, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_grouped_report_reimported_keeps_every_persons_team_coordinator_and_s117(
        run_cli: RunCli, tmp_path: Path) -> None:
    first = run_cli("import", "caseload", flat_export(tmp_path / "flat.csv"))
    assert first.exit_code == 0, first.output
    result = run_cli("import", "caseload", grouped_report(tmp_path / "grouped.xlsx"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["rows"], data["header_row"], data["updated"]) == (3, 2, 0)
    for number, *_rest in PEOPLE:
        held = person(run_cli, number)
        assert (held["team"], held["care_coordinator_id"], held["s117"]) == (
            "North CMHT", "WC11226", True)
    [note] = [notice for notice in data["notices"] if notice.startswith("Merged cells")]
    assert note.startswith("Merged cells in rows 3-5 of columns A (Team), B (Care Coordinator) "
                           "and G (S117) were filled from the top cell")
    assert "Note: Merged cells in rows 3-5" in result.stderr  # the summary says it too
    for number, given, family, _born in PEOPLE:
        assert number[-4:] not in note and given not in note and family not in note


def test_a_utf8_file_with_a_windows_1252_row_keeps_every_accent(run_cli: RunCli,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"NHS Number,Forename,Surname,DOB,Postcode\n"
                     + "9991000003,Renée,Able,01/02/1980,WX1 2AB\n".encode()
                     + "9991000011,José,Bell,01/02/1981,WX1 2AB\n".encode("cp1252"))
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 0, result.output
    assert person(run_cli, "9991000003")["given_name"] == "Renée"
    assert person(run_cli, "9991000011")["given_name"] == "José"
    assert "Windows-1252 text" not in result.stdout  # the file is UTF-8, as its first line says
    note = next(line for line in result.stdout.split("\n\n") if "Windows-1252" in line)
    assert "except for row 3, which is not valid UTF-8 and was read as Windows-1252" in " ".join(
        note.split())
    assert "Jos" not in note and "Bell" not in note and "0011" not in note
