"""Reading cells by kind, matching headers, and the mapping file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.importing import DATA
from transition.columns import CASELOAD_BY_NAME, CASELOAD_COLUMNS, STAFF_BY_NAME, STAFF_COLUMNS
from transition.errors import InputFileError
from transition.headers import column_notes, loose_key, match_headers, read_mapping
from transition.tabular import SourceRow, Table
from transition.validation import Bad, CellReader, NameBook

TODAY = date(2027, 1, 15)
READER = CellReader(today=TODAY, names={})


def read(column: str, cell: Any, *, staff: bool = False) -> Any:
    columns = STAFF_BY_NAME if staff else CASELOAD_BY_NAME
    return READER.reader(columns[column])(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("03/04/1980", date(1980, 4, 3)),  # day first: 3 April
        ("3/4/1980", date(1980, 4, 3)),
        ("03.04.1980", date(1980, 4, 3)),
        ("03-04-1980", date(1980, 4, 3)),
        ("1980-04-03", date(1980, 4, 3)),  # ISO as ISO
        ("1980-04-03 00:00:00", date(1980, 4, 3)),
        ("1980-04-03T00:00:00", date(1980, 4, 3)),
        ("19800403", date(1980, 4, 3)),
        ("03/04/1980 00:00", date(1980, 4, 3)),
        ("3 April 1980", date(1980, 4, 3)),
        ("03-Apr-1980", date(1980, 4, 3)),
        ("03/04/56", date(1956, 4, 3)),  # two-digit years: never a future birth
        ("03/04/27", date(1927, 4, 3)),
        # '14/01/27' reads as yesterday (tests/unit/test_value_parsing.py): too young.
        (datetime(1980, 4, 3), date(1980, 4, 3)),  # an Excel date cell
        (29314, date(1980, 4, 3)),  # an Excel date stored as a plain number
    ],
)
def test_dates_of_birth(cell: Any, expected: date) -> None:
    assert read("date_of_birth", cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1980/04/03", date(1980, 4, 3)),  # year first is year, month, day, whatever the separator
        ("1980/4/3", date(1980, 4, 3)),
        ("1980.04.03", date(1980, 4, 3)),
        ("1980-4-3", date(1980, 4, 3)),
        ("1980-04-03T00:00:00+01:00", date(1980, 4, 3)),  # the date written, not moved to UTC
        ("1980-04-03T23:30:00-05:00", date(1980, 4, 3)),
        ("1980-04-03T09:00:00Z", date(1980, 4, 3)),
        ("1980-04-03T09:00:00.250+0000", date(1980, 4, 3)),
        ("1980/04/03 09:00", date(1980, 4, 3)),
        ("03/04/1980 12:00:00 AM", date(1980, 4, 3)),  # day first, with a 12-hour time
        ("20th of Jan 1990", date(1990, 1, 20)),  # a month in words may be read by dateutil
    ],
)
def test_year_first_dates_and_times_with_an_offset_are_never_read_day_first(
    cell: str, expected: date
) -> None:
    assert read("date_of_birth", cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("03 04 1980", "could be read day first or month first"),  # no month word: no guess
        ("03/04/1980.", "is not a date: '.' follows the date"),  # not a shape: a date and more
        ("1980/13/04", "read year, month, day"),
        ("12/2020", "is not a date"),
    ],
)
def test_dates_in_no_safe_shape_are_refused_not_guessed(cell: str, message: str) -> None:
    with pytest.raises(Bad, match=message):
        read("date_of_birth", cell)


def test_two_digit_years_elsewhere_may_be_ahead() -> None:
    assert read("last_contact", "01/12/26") == date(2026, 12, 1)
    assert read("leaving_date", "31/03/30", staff=True) == date(2030, 3, 31)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31/02/1980", "is not a real date"),
        ("12/25/1980", "looks month-first"),
        ("1980-13-01", "is not a real date"),
        ("April 1980", "not a complete date"),
        ("yesterday", "is not a date"),
        ("01/01/1850", "outside the years 1900-2100"),
        ("01/01/2030", "in the future"),
        ("x" * 100, "is not a date"),
        (True, "is not a date"),
    ],
)
def test_bad_dates_of_birth(cell: Any, message: str) -> None:
    with pytest.raises(Bad, match=message):
        read("date_of_birth", cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Y", True), ("yes", True), ("TRUE", True), ("t", True), ("1", True), (1, True),
     (True, True), ("N", False), ("No", False), ("false", False), ("0", False), (0, False)],
)
def test_yes_no(cell: Any, expected: bool) -> None:
    assert read("s117", cell) is expected


def test_yes_no_that_is_neither() -> None:
    with pytest.raises(Bad, match="is not yes or no"):
        read("s117", "maybe")


@pytest.mark.parametrize(("cell", "expected"), [("3", 3), ("3.0", 3), (4, 4), (2.0, 2), ("1,200", 1200)])
def test_whole_numbers(cell: Any, expected: int) -> None:
    assert read("admissions_12m", cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [("-1", "negative"), ("2.5", "not a whole number"), ("lots", "not a number"),
     ("nan", "not a number"), ("1e9", "implausibly large"), (True, "not a number")],
)
def test_bad_whole_numbers(cell: Any, message: str) -> None:
    with pytest.raises(Bad, match=message):
        read("admissions_12m", cell)


@pytest.mark.parametrize(("cell", "expected"), [("0", 0), ("21", 21), ("C4", 4), ("Cluster 11", 11), (7.0, 7)])
def test_clusters(cell: Any, expected: int) -> None:
    assert read("cluster", cell) == expected


@pytest.mark.parametrize("cell", ["22", "-1", "99", "3.5", "high"])
def test_bad_clusters(cell: str) -> None:
    with pytest.raises(Bad, match="not a mental health cluster"):
        read("cluster", cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("nutrition;hygiene", ["nutrition", "hygiene"]),
     ("Hygiene; Nutrition", ["nutrition", "hygiene"]),  # canonical order, any case
     ("home safety, relationships", ["home_safety", "relationships"]),
     ("none", []), ("NONE", []),
     # A stray separator beside an answer is ignored: 'NONE;' is none, as written.
     ("NONE;", []), ("none; ;", []), ("nutrition;;hygiene;", ["nutrition", "hygiene"])],
)
def test_care_act_outcomes(cell: str, expected: list[str]) -> None:
    assert read("care_act_outcomes", cell) == expected


@pytest.mark.parametrize("cell", [";", ";;", " ; ", "; ;", ",", "|", "; , |"])
def test_outcomes_of_only_separators_are_not_assessed_with_a_warning(cell: str) -> None:
    # Before, these were [] ("assessed, none unmet"), and the person was signposted.
    with pytest.raises(Bad) as caught:
        read("care_act_outcomes", cell)
    assert caught.value.value is None  # blank: not yet assessed, so the pathway is assess
    assert "no outcome" in caught.value.shown and "'assess'" in caught.value.shown
    assert repr(cell.strip()) in caught.value.message
    assert repr(cell.strip()) not in caught.value.shown


def test_unknown_outcomes_are_kept_apart_with_a_warning() -> None:
    with pytest.raises(Bad) as caught:
        read("care_act_outcomes", "nutrition;flying")
    # Kept (the decision counts only the ten, and says what it could not count); before, it
    # stored only "nutrition", and "N/A" became [] ("assessed, none unmet"): signposted.
    assert caught.value.value == ["nutrition", "flying"]
    assert "'flying'" in caught.value.message and "assess" in caught.value.message
    with pytest.raises(Bad) as unread:
        read("care_act_outcomes", "N/A")
    assert unread.value.value == ["n/a"]
    # The warning quotes what was written: a '-' read as an empty entry was quoted as ''.
    with pytest.raises(Bad) as dash:
        read("care_act_outcomes", "nutrition; -")
    assert dash.value.message.startswith("'-' is not a Care Act outcome")
    assert "'N/A' is not" in unread.value.message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1", "male"), (2, "female"), ("F", "female"), ("Non-binary", "non_binary"), ("9", "not_known"),
     ("X", "not_known"), ("Z", "not_stated"), ("Prefer not to say", "not_stated")],
)
def test_gender_codes(cell: Any, expected: str) -> None:
    assert read("gender", cell) == expected


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [("accessible_format", "Large Print", "large_print"),
     ("accessible_format", "British Sign Language", "bsl"),
     ("accessible_format", "e-mail", "email")],
)
def test_choice_codes(column: str, cell: str, expected: str) -> None:
    assert read(column, cell) == expected


def test_unknown_choice() -> None:
    with pytest.raises(Bad, match="is not one of large_print"):
        read("accessible_format", "carrier pigeon")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Social Worker", "social_worker"), ("CPN", "nurse"), ("Occupational Therapist", "ot"),
     ("AMHP", "amhp"), ("Peer Support Worker", "peer_support_worker")],
)
def test_staff_roles_are_codes(cell: str, expected: str) -> None:
    assert read("role", cell, staff=True) == expected


@pytest.mark.parametrize(("cell", "expected"), [("Local Authority", "council"), ("NHS", "trust"), ("Council", "council")])
def test_employer_codes(cell: str, expected: str) -> None:
    assert read("employer", cell, staff=True) == expected


def test_lists_are_lower_case_words() -> None:
    assert read("languages", "English; Polish, BSL", staff=True) == ["english", "polish", "bsl"]
    assert read("skills", "Older Adults|EIP|eip", staff=True) == ["older_adults", "eip"]


@pytest.mark.parametrize(("cell", "expected"), [("wx12ab", "WX1 2AB"), ("WX1  2AB", "WX1 2AB"),
                                              ("zz993vz", "ZZ99 3VZ")])
def test_postcodes(cell: str, expected: str) -> None:
    assert read("postcode", cell) == expected


@pytest.mark.parametrize("cell", ["ab", "ZZ99", "WX1 2A", "12345"])
def test_text_that_is_not_a_postcode_is_kept_with_a_warning(cell: str) -> None:
    with pytest.raises(Bad) as caught:
        read("postcode", cell)
    assert caught.value.warning and caught.value.value == cell.upper()
    assert "is not a UK postcode; kept as written" in caught.value.message


def test_nhs_numbers() -> None:
    assert read("nhs_number", "999 000 0018") == "9990000018"
    assert read("nhs_number", "999-000-0018") == "9990000018"
    assert read("nhs_number", 9990000018) == "9990000018"
    assert read("nhs_number", 9990000018.0) == "9990000018"
    with pytest.raises(Bad, match="Modulus 11"):
        read("nhs_number", "9990000019")
    with pytest.raises(Bad, match="scientific notation"):
        read("nhs_number", "9.99E+09")


@pytest.mark.parametrize("cell", ["0000000000", "1111111111", "9999999999", "999 999 9999",
                                  9999999999])
def test_a_placeholder_nhs_number_is_rejected_by_the_fast_path_too(cell: Any) -> None:
    with pytest.raises(Bad, match="one digit repeated"):
        read("nhs_number", cell)


def test_text_longer_than_the_database_holds() -> None:
    with pytest.raises(Bad, match="longer than 10 characters"):
        read("postcode", "A VERY LONG POSTCODE")


def test_interpreter_yes_without_a_language() -> None:
    with pytest.raises(Bad) as caught:
        read("interpreter_language", "Yes")
    assert caught.value.warning and caught.value.value == "unspecified"
    assert read("interpreter_language", "Polish") == "Polish"


def test_team_names_keep_one_spelling() -> None:
    book = NameBook(["North CMHT"])
    reader = CellReader(today=TODAY, names={"team": book}).reader(CASELOAD_BY_NAME["team"])
    assert reader("north  cmht") == "North CMHT"
    assert reader("South CMHT") == "South CMHT"
    assert reader("SOUTH CMHT") == "South CMHT"


# ---------------------------------------------------------------------------------------------
# Headers and mapping
# ---------------------------------------------------------------------------------------------


def table_with(headers: list[str], header_row: int = 1) -> Table:
    return Table(file_name="export.csv", sha256="0" * 64, format="csv", header_row=header_row,
                 headers=headers, rows=[SourceRow(header_row + 1, tuple("x" for _ in headers))])


def test_headers_match_aliases_in_any_case_and_spacing() -> None:
    table = table_with(["NHS-Number", "FORENAME", "surname", "Date of Birth", "Care Co-ordinator",
                        "GMPCodeReg", "Religion", "", "Religion"])
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    assert sorted(match.columns.values()) == sorted(
        ["nhs_number", "given_name", "family_name", "date_of_birth", "care_coordinator_id",
         "gp_practice"])
    assert list(match.extras.values()) == ["Religion", "Column H", "Religion (2)"]


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("S117?", "s117"),
        ("CTO?", "cto"),
        ("NHS No.:", "nhs_number"),
        ("DOB (dd/mm/yyyy)", "date_of_birth"),
        ("Date of Birth [DD/MM/YYYY]", "date_of_birth"),
        ("Care Co-ordinator (ID)", "care_coordinator_id"),
        ("Last contact date", "last_contact"),
    ],
)
def test_headers_with_other_punctuation_or_a_bracketed_note_are_found(header: str,
                                                                      name: str) -> None:
    required = {"nhs_number": "NHS Number", "given_name": "Forename", "family_name": "Surname",
                "date_of_birth": "DOB"}
    table = table_with(list((required | {name: header}).values()))
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    assert match.written[name] == header
    assert header not in match.extras.values()


def test_loose_keys_only_widen_matching() -> None:
    assert loose_key("S117?") == "s117"
    assert loose_key("Care Co-ordinator / Key Worker") == "care_co_ordinator_key_worker"
    # An exact spelling wins, and a mapping entry of "" keeps even a loose match as an extra.
    table = table_with(["NHS No", "Forename", "Surname", "DOB", "S117?"])
    match = match_headers(table, CASELOAD_COLUMNS, {"s117?": ""}, "caseload")
    assert "s117" not in match.written and list(match.extras.values()) == ["S117?"]


def test_unrecognised_headers_say_what_they_look_like_and_absent_columns_are_named() -> None:
    table = table_with(["NHS No", "Forename", "Surname", "DOB", "Section 117 status",
                        "Carers name", "Religion", "Team"])
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    assert match.nearest == {"Section 117 status": "s117", "Carers name": "carer_name"}
    assert "team" not in match.absent and "s117" in match.absent
    assert match.absent[:3] == ("local_id", "gender", "address")  # in the columns' own order
    extras, absent = column_notes(match, "caseload")
    assert extras.startswith("3 columns not recognised, kept with each record as extra columns: "
                             "'Section 117 status' (did you mean s117?), 'Carers name' (did you "
                             "mean carer_name?), 'Religion'.")
    assert '"Section 117 status" = "s117"' in extras
    assert absent.startswith(f"{len(match.absent)} known caseload columns are not in this file")
    assert absent.endswith(", ".join(match.absent) + ".")


def test_extra_columns_the_rules_read_are_looked_for() -> None:
    from transition.ruleset import load_rules

    read = load_rules().matching.extra_columns_read()
    assert read == {"forensic_history": "forensic", "perinatal": "perinatal"}
    # Present: not called unrecognised. Absent: named, with the skill it decides.
    present = match_headers(table_with(["NHS No", "Forename", "Surname", "DOB",
                                        "Forensic History"]), CASELOAD_COLUMNS, {}, "caseload")
    notes = column_notes(present, "caseload", read)
    assert not any("not recognised" in note or "forensic" in note for note in notes)
    assert any(note.startswith("The rules read a column 'perinatal' (extra.perinatal, to find "
                               "who needs a worker with the skill 'perinatal'), but this file has "
                               "no such column: new people are taken not to need that skill")
               for note in notes)
    absent = match_headers(table_with(["NHS No", "Forename", "Surname", "DOB"]),
                           CASELOAD_COLUMNS, {}, "caseload")
    [note] = [note for note in column_notes(absent, "caseload", read) if "forensic" in note]
    assert note.startswith(
        "The rules read columns 'forensic_history' (extra.forensic_history, to find who needs a "
        "worker with the skill 'forensic') and 'perinatal' (extra.perinatal, to find who needs a "
        "worker with the skill 'perinatal'), but this file has neither: new people are taken not "
        "to need those skills")


def test_a_file_with_every_known_column_has_nothing_to_say_about_columns() -> None:
    table = table_with([column.name for column in CASELOAD_COLUMNS])
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    assert match.absent == () and not match.extras
    assert column_notes(match, "caseload") == []


def test_missing_required_columns_are_named_with_what_was_found() -> None:
    table = table_with(["NHS No", "Forename", "Team"], header_row=3)
    with pytest.raises(InputFileError) as caught:
        match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    message = caught.value.message
    assert "export.csv is missing required caseload columns" in message
    assert "family_name (also accepted: Surname" in message
    assert "date_of_birth (also accepted: PersonBirthDate, DOB" in message
    assert "and more" not in message  # each has six or fewer
    with pytest.raises(InputFileError) as caught:  # the NHS number has seven
        match_headers(table_with(["Forename", "Team"]), CASELOAD_COLUMNS, {}, "caseload")
    assert "NHS Num, and more: see docs/import.md)" in caught.value.message
    assert "Headers found (row 3): NHS No, Forename, Team" in message
    assert "--mapping" in (caught.value.hint or "")


def test_two_columns_for_one_field_is_refused() -> None:
    table = table_with(["NHS No", "NHSNumber", "Forename", "Surname", "DOB"])
    with pytest.raises(InputFileError, match="two columns for nhs_number: 'NHS No' and 'NHSNumber'"):
        match_headers(table, CASELOAD_COLUMNS, {}, "caseload")


def test_mapping_file_top_level_and_kind_section() -> None:
    mapping = read_mapping(DATA / "mapping.toml", "caseload", CASELOAD_COLUMNS)
    assert mapping == {"patient_nhs_ref": "nhs_number", "christian_name": "given_name",
                       "born_on": "date_of_birth", "family": "family_name",
                       "worker": "care_coordinator_id"}
    staff = read_mapping(DATA / "mapping.toml", "staff", STAFF_COLUMNS)
    assert "family" not in staff


def test_mapping_can_keep_a_column_as_extra() -> None:
    table = table_with(["NHS No", "NHSNumber", "Forename", "Surname", "DOB"])
    match = match_headers(table, CASELOAD_COLUMNS, {"nhsnumber": ""}, "caseload")
    assert match.written["nhs_number"] == "NHS No"
    assert list(match.extras.values()) == ["NHSNumber"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"Their Header" = "favourite_colour"', "not a caseload or staff column"),
        ('[caseload]\n"Their Header" = "staff_id"', "not a caseload column"),
        ('"Their Header" = 3', "which is not a column name"),
        ('"Their Header" = ', "not valid TOML"),
        # A misspelt table would otherwise be ignored, and its headers not matched.
        ('"A" = "nhs_number"\n\n[casload]\n"Worker" = "care_coordinator_id"',
         r"has a table \[casload\] \(line 3\), which is not \[caseload\] or \[staff\]"),
        ('Caseload = { "Worker" = "care_coordinator_id" }', r"a table \[Caseload\] \(line 1\)"),
    ],
)
def test_mapping_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.toml"
    path.write_text(text)
    with pytest.raises(InputFileError, match=message):
        read_mapping(path, "caseload", CASELOAD_COLUMNS)


def test_a_mapping_file_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('"Patient Ref" = "nhs_number"\n[caseload]\n"Worker" = "care_coordinator_id"\n',
                    encoding="utf-8-sig")  # as Notepad saves "UTF-8 with BOM"
    assert read_mapping(path, "caseload", CASELOAD_COLUMNS) == {
        "patient_ref": "nhs_number", "worker": "care_coordinator_id"}


def test_a_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="could not be read"):
        read_mapping(tmp_path / "nope.toml", "caseload", CASELOAD_COLUMNS)
