"""A header's bracketed note: a format or unit hint is read past; any other note makes the
header another column, kept as an extra column and named in the import's notes."""

from __future__ import annotations

import pytest

from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS
from transition.errors import InputFileError
from transition.headers import column_notes, match_headers
from transition.tabular import SourceRow, Table

REQUIRED = ["NHS No", "Forename", "Surname", "DOB"]


def table_with(headers: list[str], below: list[str] | None = None) -> Table:
    cells = tuple(below) if below is not None else tuple("x" for _ in headers)
    return Table(
        file_name="export.csv",
        sha256="0" * 64,
        format="csv",
        header_row=1,
        headers=headers,
        rows=[SourceRow(2, cells)],
    )


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Postcode (GP practice)", "postcode"),
        ("Care Co-ordinator (previous)", "care_coordinator_id"),
        ("S117 (ended?)", "s117"),
        ("Team [old]", "team"),
        ("CTO (expired)", "cto"),
    ],
)
def test_a_qualifying_note_keeps_the_header_from_the_column(header: str, column: str) -> None:
    match = match_headers(table_with([*REQUIRED, header]), CASELOAD_COLUMNS, {}, "caseload")
    assert column not in match.written
    assert list(match.extras.values()) == [header]
    assert match.held_back == {header: column}
    assert match.nearest[header] == column  # --json's extra_columns_look_like says it too
    notes = column_notes(match, "caseload")
    assert notes[0] == (
        f"Column '{header}' was not taken as {column} because of its note in brackets, and is "
        f"kept as an extra column; if it is {column}, map it with --mapping (a line like "
        f'"{header}" = "{column}") and import the file again.'
    )
    assert not any("not recognised" in note for note in notes)  # said once, not twice


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("DOB (dd/mm/yyyy)", "date_of_birth"),
        ("DOB (mm/dd/yyyy)", "date_of_birth"),  # read month first by its hint
        ("Date of Birth (DD-MM-YY)", "date_of_birth"),
        ("Date of Birth [yyyy-mm-dd]", "date_of_birth"),
        ("Date of Birth (e.g. 01/02/1980)", "date_of_birth"),
        ("S117 (Y/N)", "s117"),
        ("CTO (yes/no)", "cto"),
        ("Carer (true/false)", "carer"),
        ("Cluster (0-21)", "cluster"),
        ("Care Co-ordinator (ID)", "care_coordinator_id"),
        ("Forename(s)", "given_name"),
    ],
)
def test_a_format_hint_in_brackets_is_read_past(header: str, column: str) -> None:
    # The hinted header in place of the required one it names, or after them.
    headers = {
        "date_of_birth": ["NHS No", "Forename", "Surname", header],
        "given_name": ["NHS No", header, "Surname", "DOB"],
    }.get(column, [*REQUIRED, header])
    match = match_headers(table_with(headers), CASELOAD_COLUMNS, {}, "caseload")
    assert match.written[column] == header
    assert not match.held_back


@pytest.mark.parametrize("header", ["FTE (hours)", "FTE (e.g. 0.8)", "FTE [%]", "WTE (FTE)"])
def test_a_unit_in_brackets_is_read_past(header: str) -> None:
    headers = ["Staff Id", "Forename", "Surname", "Employer", "Role", header]
    match = match_headers(table_with(headers), STAFF_COLUMNS, {}, "staff")
    assert match.written["fte"] == header


def test_the_reviewers_file_gives_no_one_the_gps_postcode() -> None:
    headers = [
        "NHS No",
        "Forename",
        "Surname",
        "DOB",
        "Postcode (GP practice)",
        "Care Co-ordinator (previous)",
        "S117 (ended?)",
        "Team",
    ]
    match = match_headers(table_with(headers), CASELOAD_COLUMNS, {}, "caseload")
    assert set(match.written) == {
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "team",
    }
    [note] = [note for note in column_notes(match, "caseload") if "brackets" in note]
    assert note.startswith(
        "3 columns were not taken as known columns because of their notes in brackets, and "
        "are kept as extra columns: 'Postcode (GP practice)' (not postcode), 'Care "
        "Co-ordinator (previous)' (not care_coordinator_id), 'S117 (ended?)' (not s117)."
    )
    assert "--mapping" in note


def test_an_exact_dob_beside_the_carers_date_of_birth_is_not_two_columns() -> None:
    headers = ["NHS No", "Forename", "Surname", "DOB", "Date of Birth (Carer)"]
    match = match_headers(table_with(headers), CASELOAD_COLUMNS, {}, "caseload")
    assert match.written["date_of_birth"] == "DOB"
    assert list(match.extras.values()) == ["Date of Birth (Carer)"]
    # The file has a date of birth: nothing to say about a note that kept this one from it.
    assert match.held_back == {}
    assert not any("brackets" in note for note in column_notes(match, "caseload"))


def test_two_headers_for_one_column_are_still_refused_however_they_match() -> None:
    headers = ["NHS No", "Forename", "Surname", "DOB", "Date of Birth (dd/mm/yyyy)"]
    with pytest.raises(InputFileError, match="two columns for date_of_birth"):
        match_headers(table_with(headers), CASELOAD_COLUMNS, {}, "caseload")


def test_a_mapping_line_takes_a_qualified_header_as_the_column() -> None:
    headers = ["NHS No", "Forename", "Surname", "DOB", "Postcode (GP practice)"]
    match = match_headers(
        table_with(headers), CASELOAD_COLUMNS, {"postcode_(gp_practice)": "postcode"}, "caseload"
    )
    assert match.written["postcode"] == "Postcode (GP practice)"
    assert match.held_back == {}
    # And "" keeps it as an extra column without a note about it.
    kept = match_headers(
        table_with(headers), CASELOAD_COLUMNS, {"postcode_(gp_practice)": ""}, "caseload"
    )
    assert kept.held_back == {}


def test_a_required_column_held_back_by_its_note_is_said_when_it_is_missing() -> None:
    headers = ["NHS No", "Forename", "Surname", "Date of Birth (Carer)"]
    with pytest.raises(InputFileError) as caught:
        match_headers(table_with(headers), CASELOAD_COLUMNS, {}, "caseload")
    assert (
        "'Date of Birth (Carer)' was not taken as date_of_birth because of its note in "
        "brackets; map it with --mapping if it is."
    ) in caught.value.message


def test_a_header_split_over_its_row_and_the_next_is_said() -> None:
    table = table_with(["NHS Number", "Given", "Family", "Date of"], ["", "Name", "Name", "Birth"])
    with pytest.raises(InputFileError) as caught:
        match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    assert (
        "The header seems to be split across two rows (rows 1 and 2): put each column's "
        "header in one cell of one row."
    ) in caught.value.message
    # A file that only lacks a column says nothing of the kind.
    with pytest.raises(InputFileError) as caught:
        match_headers(
            table_with(["NHS Number", "Forename", "Surname"]), CASELOAD_COLUMNS, {}, "caseload"
        )
    assert "across two rows" not in caught.value.message
