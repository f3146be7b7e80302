"""`transition assign --file FILE`: a spreadsheet of managers' choices. Every row is
recorded, already so, or rejected with its row, column and what to do; --dry-run and --strict
record nothing; a file that cannot be used records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from tests.factories import nhs_number
from transition.config import Settings
from transition.db import Database
from transition.models import Assignment, AuditEvent, ImportBatch, Person


@pytest.fixture
def people(settings: Settings) -> dict[str, str]:
    return caseload_numbers(settings)


def _held(settings: Settings) -> dict[tuple[str, str], tuple[str, bool]]:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            return {(number, role): (staff_id, locked) for number, role, staff_id, locked in
                    session.execute(
                        select(Person.nhs_number, Assignment.role, Assignment.staff_id,
                               Assignment.locked)
                        .join(Person, Person.id == Assignment.person_id)
                        .where(Assignment.ended_at.is_(None)))}
    finally:
        database.dispose()


def _audit_rows(settings: Settings) -> int:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    finally:
        database.dispose()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_row_is_recorded_already_so_or_rejected_with_why(
    run_cli: RunCli, settings: Settings, people: dict[str, str], tmp_path: Path,
) -> None:
    bad_check_digit = people["keeps"][:-1] + str((int(people["keeps"][-1]) + 1) % 10)
    choices = _write(tmp_path / "allocation meeting.csv", [
        "Allocation meeting, 20 November",  # a title line above the header
        "NHS No,Allocated to,Worker role,Why,Locked",
        f"{people['polish']},SW2,,Speaks Polish,yes",  # one role: no need to say which
        f"{people['joint']},KW1,key worker,,",  # --reason fills the blank
        f"{people['joint']},SW1,,,",  # joint: which role?
        f"{people['forensic']},SW2,,Nearest,",  # lacks forensic: refused without --force
        f"{people['keeps']},NOPE,social_worker,x,",
        f"{bad_check_digit},SW1,social_worker,x,",
        f"{nhs_number(99)},SW1,social_worker,x,",  # valid, but not on the caseload
        f"{people['keeps']},SW2,nurse,x,",
        f"{people['polish']},SW2,SW,Again,",  # the same person and role as row 3
        f"{people['signpost']},SW1,,x,",
        f"{people['keeps_red']},SW1,,x,maybe",
    ])
    before = _audit_rows(settings)
    dry = run_cli("assign", "--file", choices, "--reason", "Agreed at the meeting", "--dry-run",
                  "--json")
    assert dry.exit_code == 1, dry.output
    assert (dry.json()["recorded"], dry.json()["rejected"]) == (2, 9)
    assert dry.json()["nothing_recorded"] is True
    assert _held(settings) == {} and _audit_rows(settings) == before

    strict = run_cli("assign", "--file", choices, "--reason", "Agreed", "--strict")
    assert strict.exit_code == 1 and "nothing was recorded" in strict.stdout
    assert _held(settings) == {}

    result = run_cli("assign", "--file", choices, "--reason", "Agreed at the meeting", "--json")
    assert result.exit_code == 1, result.output
    data = result.json()
    assert (data["recorded"], data["unchanged"], data["rejected"]) == (2, 0, 9)
    rejected = {row["row"]: (row["column"], row["message"]) for row in data["rows"]
                if row["outcome"] == "rejected"}
    assert sorted(rejected) == [5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert rejected[5] == ("Worker role", ("their pathway (joint) needs two workers: say which "
                                           "role (social_worker or key_worker)"))
    assert rejected[6][0] == "Allocated to" and "lacks forensic" in rejected[6][1]
    assert "--force" in rejected[6][1]
    assert rejected[7][0] == "Allocated to" and "No worker with staff id 'NOPE'" in rejected[7][1]
    assert rejected[8][0] == "NHS No" and "Modulus 11" in rejected[8][1]
    assert rejected[9] == ("NHS No", ("no one on the caseload has this NHS number: check it, "
                                      "or import the trust's export first"))
    assert rejected[10] == ("Worker role", "not a role: use social_worker or key_worker")
    assert rejected[11] == ("Worker role", "the same person and role as row 3: keep one row")
    assert rejected[12][1] == "their pathway (signpost) needs no worker"
    assert rejected[13] == ("Locked", "not yes or no (or leave it blank)")
    for row in data["rows"]:  # no message repeats what the cell held
        assert not any(f"'{held}'" in row["message"] for held in ("nurse", "maybe"))
    assert _held(settings) == {(people["polish"], "social_worker"): ("SW2", True),
                               (people["joint"], "key_worker"): ("KW1", False)}
    for row in data["rows"]:  # no error text repeats a whole NHS number
        assert row["message"].count(people["keeps"]) == 0
    audit = run_cli("audit", "--action", "assignment", "--json").json()
    reasons = {row["nhs_number"]: row["reason"] for row in audit}
    assert reasons[people["polish"]] == "Speaks Polish [allocation meeting.csv row 3]"
    assert reasons[people["joint"]] == "Agreed at the meeting [allocation meeting.csv row 4]"

    again = run_cli("assign", "--file", choices, "--reason", "Agreed at the meeting",
                    "--force")
    assert again.exit_code == 1
    said = " ".join(again.stdout.split())
    assert "11 rows, 1 recorded, 2 already so, 8 rejected." in said  # forensic now forced
    assert "Row 6: forced past: lacks forensic" in " ".join(again.stderr.split())
    assert people["keeps"] not in again.stdout  # masked in the table of rejected rows

    named = _write(tmp_path / "named.csv", ["NHS No,Allocated to,Why",
                                            "Callum Murray,SW1,x"])  # a name in the wrong column
    shown = run_cli("assign", "--file", named)
    assert shown.exit_code == 1 and "(not a number)" in shown.stdout
    assert "rray" not in shown.output


def test_a_long_reason_keeps_its_row_and_what_a_forced_choice_breaks(
    run_cli: RunCli, settings: Settings, people: dict[str, str], tmp_path: Path,
) -> None:
    """The row's reference and what a forced choice breaks are always recorded whole after
    the reason (its words cut, and the cut marked, when all do not fit); a reason longer than
    the record keeps is rejected naming its column."""
    long_reason = ("Agreed at the allocation meeting after a long discussion " * 20)[:1000]
    choices = _write(tmp_path / "choices.csv", [
        "NHS No,Allocated to,Why",
        f"{people['forensic']},SW2,{long_reason}",  # lacks forensic: forced
        f"{people['polish']},SW2,{'y' * 1001}",
    ])
    result = run_cli("assign", "--file", choices, "--force", "--json")
    assert result.exit_code == 1, result.output
    rows = {row["row"]: row for row in result.json()["rows"]}
    assert rows[2]["outcome"] == "recorded" and rows[2]["forced_past"]
    assert "the reason was cut by" in rows[2]["message"]
    assert (rows[3]["outcome"], rows[3]["column"]) == ("rejected", "Why")
    assert "1,001 characters long; it can be at most 1,000" in rows[3]["message"]
    audit = run_cli("audit", "--action", "assignment", "--json").json()
    [reason] = [row["reason"] for row in audit if row["nhs_number"] == people["forensic"]]
    breaks = "[forced past: " + "; ".join(rows[2]["forced_past"]) + "]"
    assert len(reason) <= 1000
    assert reason.endswith(" [...cut] [choices.csv row 2] " + breaks)
    assert long_reason.startswith(reason.split(" [...cut]")[0])
    too_long = run_cli("assign", "--file", choices, "--reason", "z" * 1001)
    assert too_long.exit_code == 2 and "--reason is 1,001 characters long" in too_long.stderr


def test_a_workbook_sheet_and_files_that_cannot_be_used(
    run_cli: RunCli, settings: Settings, people: dict[str, str], tmp_path: Path,
) -> None:
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Choices")
    sheet.append(["NHS Number", "Staff ID", "Reason"])
    sheet.append([people["polish"], "SW2", "Speaks Polish"])
    path = tmp_path / "choices.xlsx"
    book.save(path)
    done = run_cli("assign", "--file", path, "--sheet", "Choices")
    assert done.exit_code == 0, done.output
    assert "1 row, 1 recorded, 0 already so, 0 rejected." in " ".join(done.stdout.split())
    assert _held(settings)[(people["polish"], "social_worker")] == ("SW2", False)

    no_staff = _write(tmp_path / "no staff.csv", ["NHS No,Reason", f"{people['keeps']},x"])
    refused = run_cli("assign", "--file", no_staff)
    assert refused.exit_code == 2 and "missing required choice column" in refused.stderr
    assert "staff_id" in refused.stderr and "Traceback" not in refused.output

    # Not a spreadsheet at all: said so, with advice that fits a file of choices too (the
    # reader is shared with the imports; it used to say "Export the caseload ...").
    binary = tmp_path / "choices.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02 not a table")
    not_a_table = run_cli("assign", "--file", binary)
    assert not_a_table.exit_code == 2 and "not a CSV or XLSX file" in not_a_table.stderr
    assert "caseload" not in not_a_table.stderr and "Traceback" not in not_a_table.output
    missing = run_cli("assign", "--file", tmp_path / "nowhere.csv")
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    both = run_cli("assign", people["keeps"], "SW1", "--file", no_staff)
    assert both.exit_code == 2 and "either --file or one person's" in both.stderr
    neither = run_cli("assign")
    assert neither.exit_code == 2 and "Say who and which worker" in neither.stderr
    no_role = run_cli("assign", people["keeps"], "SW1", "--reason", "x")
    assert no_role.exit_code == 2 and "--role" in no_role.stderr


def test_a_line_whose_values_moved_is_rejected_not_read_wrongly(
    run_cli: RunCli, settings: Settings, people: dict[str, str], tmp_path: Path,
) -> None:
    """A comma inside a cell without quotes moves the values after it: a reason would be cut
    short without a word, or a person's name read as a staff id (and shown back)."""
    choices = _write(tmp_path / "choices.csv", [
        "NHS No,Allocated to,Why",
        f"{people['polish']},SW2,Speaks Polish",
        f"{people['keeps']},SW1,Knows the family, and lives near",
        f"{people['forensic']},SW4,Forensic skills",
    ])
    result = run_cli("assign", "--file", choices, "--json")
    assert result.exit_code == 1, result.output
    rows = {row["row"]: row for row in result.json()["rows"]}
    assert [rows[number]["outcome"] for number in (2, 3, 4)] == [
        "recorded", "rejected", "recorded"]
    assert "comma inside a cell without quotes" in rows[3]["message"]
    assert (people["keeps"], "social_worker") not in _held(settings)

    every_line = _write(tmp_path / "named.csv", [  # every line moved alike: none is "usual"
        "NHS No,Name,Allocated to,Why",
        f"{people['polish']},Murray, Callum,SW2,Speaks Polish",
        f"{people['keeps']},Shah, Aisha,SW1,Knows the family",
    ])
    shown = run_cli("assign", "--file", every_line)
    assert shown.exit_code == 1
    assert "2 rows, 0 recorded, 0 already so, 2 rejected." in " ".join(shown.stdout.split())
    assert "Callum" not in shown.output and "Aisha" not in shown.output

    broken = _write(tmp_path / "broken.csv", [  # a line break inside a cell without quotes
        "NHS No,Allocated to,Why,Lock",
        f"{people['polish']},SW2,Speaks Polish,no",
        f"{people['keeps']},SW1,Knows the family",
        "and lives near,yes",
        f"{people['forensic']},SW4,Forensic skills,no",
        f"{people['undecided_team']},SW3,Stays,no",
    ])
    cut = run_cli("assign", "--file", broken, "--json")
    rows = {row["row"]: row for row in cut.json()["rows"]}
    assert (rows[3]["outcome"], rows[4]["outcome"]) == ("rejected", "rejected")
    assert "line break inside a cell without quotes" in rows[3]["message"]
    assert (people["keeps"], "social_worker") not in _held(settings)


def test_notes_the_actual_worker_and_advice_that_fits_a_file_of_choices(
    run_cli: RunCli, settings: Settings, people: dict[str, str], tmp_path: Path,
) -> None:
    """What one `assign` notes (out of reach, a reason cut) is noted for each row without
    --json too; --json gives the staff list's id, not the cell's spelling; a person missing
    from the latest export is the NHS number's column; the advice for a file whose columns
    cannot be found is not the import's --mapping, which `assign` does not have."""
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            batch = ImportBatch(kind="caseload", file_name="caseload.csv",
                                file_sha256="0" * 64, actor="test")
            session.add(batch)
            session.flush()
            gone = session.scalars(select(Person).where(
                Person.nhs_number == people["trust"])).one()
            gone.missing_since_batch_id = batch.id
    finally:
        database.dispose()
    choices = _write(tmp_path / "choices.csv", [
        "NHS No,Allocated to,Role,Why",
        f"{people['polish']},sw4,,Speaks Polish",  # SW4 is in the South: out of reach
        f"{people['trust']},KW1,key_worker,Agreed",
    ])
    dry = run_cli("assign", "--file", choices, "--dry-run", "--json")
    rows = {row["row"]: row for row in dry.json()["rows"]}
    assert rows[2]["staff_id"] == "SW4" and "out of reach" in rows[2]["message"]
    assert rows[3]["column"] == "NHS No" and "missing from the latest" in rows[3]["message"]
    said = run_cli("assign", "--file", choices)
    assert said.exit_code == 1, said.output
    assert "Row 2: note: out of reach" in " ".join(said.stderr.split())

    no_staff = _write(tmp_path / "no staff.csv", ["NHS No,Reason", f"{people['keeps']},x"])
    refused = run_cli("assign", "--file", no_staff)
    assert refused.exit_code == 2 and "--mapping" not in refused.output
    assert "Staff ID" in refused.stderr


def test_a_reason_under_a_header_not_read_is_said_not_lost(
    run_cli: RunCli, people: dict[str, str], tmp_path: Path,
) -> None:
    """A column of reasons headed in a way the reader does not know, with --reason given,
    used to be dropped without a word, --reason recorded for every row instead."""
    known = _write(tmp_path / "known.csv", ["NHS Number,New worker,Reason for change",
                                            f"{people['polish']},SW2,Speaks Polish"])
    assert run_cli("assign", "--file", known, "--json").json()["recorded"] == 1
    reasons = {row["nhs_number"]: row["reason"]
               for row in run_cli("audit", "--action", "assignment", "--json").json()}
    assert reasons[people["polish"]] == "Speaks Polish [known.csv row 2]"

    unknown = _write(tmp_path / "unknown.csv", ["NHS Number,New worker,Role,Background",
                                                f"{people['joint']},KW1,KW,Worked with them"])
    result = run_cli("assign", "--file", unknown, "--reason", "Agreed at the meeting")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "Note: Columns not read: 'Background'." in said
    assert "--reason was recorded for every row instead" in said
    data = run_cli("assign", "--file", unknown, "--reason", "x", "--json").json()
    assert data["unread_columns"] == ["Background"]
