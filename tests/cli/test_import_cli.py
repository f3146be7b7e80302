"""`transition import`, `transition people` and `transition person` from the command line."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import RunCli, sqlite_path
from tests.factories import make_person, nhs_number
from tests.importing import (
    CASELOAD_HEADER,
    DATA,
    person_row,
    staff_row,
    write_csv,
    write_xlsx,
    xlsx_person,
)
from tests.tables import read_down
from transition.columns import CASELOAD_COLUMNS
from transition.config import Settings
from transition.db import Database
from transition.widgets.format import uk_time


def caseload(tmp_path: Path, rows: list[dict[str, str]], name: str = "caseload.csv") -> Path:
    return write_csv(tmp_path / name, rows)


def test_a_clean_import_exits_0_with_a_summary(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("import", "caseload", caseload(tmp_path, [person_row(i) for i in range(3)]))
    assert result.exit_code == 0, result.output
    assert "Caseload import 1: caseload.csv" in result.stdout
    assert "Done: all 3 rows imported." in result.stdout
    assert "Traceback" not in result.output


def test_rejected_rows_exit_1_and_json_is_one_object(run_cli: RunCli, settings: Settings,
                                                     tmp_path: Path) -> None:
    rows = [person_row(0), person_row(1, date_of_birth="31/02/1980"), person_row(2)]
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert (data["rows"], data["inserted"], data["rejected"], data["status"]) == (3, 2, 1, "partial")
    assert data["rejects"] == [{"row": 3, "nhs_number": nhs_number(1), "errors": [
        {"column": "date_of_birth", "message": "not a real date"}]}]
    # The summary went to stderr, with the NHS number masked.
    assert "Imported 2 people; 1 row rejected." in result.stderr
    assert nhs_number(1) not in result.stderr and nhs_number(1)[-4:] in result.stderr
    rejects = Path(data["rejects_path"])
    database_file = sqlite_path(settings.resolved_database_url)
    expected_folder = (database_file.parent if database_file else settings.resolved_output_dir) / "rejects"
    assert rejects.parent == expected_folder.resolve() and rejects.exists()


def test_missing_columns_exit_2_naming_file_and_columns(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("NHS No,Forename,Team\n9990000018,Robin,North CMHT\n")
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 2
    assert "export.csv is missing required caseload columns" in result.stderr
    assert "family_name" in result.stderr and "date_of_birth" in result.stderr
    assert "Headers found (row 1): NHS No, Forename, Team" in result.stderr
    assert result.stdout == ""
    assert run_cli("import", "history", "--json").json() == []


def test_a_slim_export_with_odd_headers_says_what_it_read_and_what_it_did_not(
        run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "slim.csv"
    path.write_text("NHS No.,Forename,Surname,DOB (dd/mm/yyyy),S117?,Section 117 date,Carers name\n"
                    f"{nhs_number(0)},Robin,Ashdown,03/04/1980,Y,01/02/2020,Sam Ashdown\n")
    result = run_cli("import", "caseload", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["columns"]["S117?"] == "s117"  # found loosely, so the legal fact is read
    assert data["columns"]["DOB (dd/mm/yyyy)"] == "date_of_birth"
    assert data["extra_columns_look_like"] == {"Carers name": "carer_name"}
    assert data["extra_columns"] == ["Section 117 date", "Carers name"]
    assert "cto" in data["missing_columns"] and "s117" not in data["missing_columns"]
    # The person sees both notes, in words, on stderr beside the JSON.
    said = " ".join(result.stderr.split())
    assert "'Carers name' (did you mean carer_name?)" in said
    assert "known caseload columns are not in this file" in said
    assert "The rules read columns 'forensic_history'" in said  # the skills' own columns
    person = json.loads(run_cli("person", nhs_number(0), "--json").stdout)
    assert person["s117"] is True and person["extra"]["Carers name"] == "Sam Ashdown"
    # Kept on the batch, for the rest of the team: import history repeats them.
    [batch] = json.loads(run_cli("import", "history", "--json").stdout)
    assert batch["column_notes"] == data["notices"][:len(batch["column_notes"])]
    assert len(batch["column_notes"]) == 3  # not recognised; known columns lacking; rules' columns
    history = " ".join(run_cli("import", "history").stdout.split())
    assert "About the columns of slim.csv (import 1):" in history
    assert "'Carers name' (did you mean carer_name?)" in history
    status = run_cli("status", "--json").json()
    assert status["caseload"]["latest_imports"]["caseload"]["column_notes"] == batch["column_notes"]
    assert "3 notes on its columns (transition import history)" in " ".join(
        run_cli("status").stdout.split())


def test_a_broken_rules_file_does_not_stop_an_import(run_cli: RunCli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[risk.bands]\nred = 'high'\n")
    result = run_cli("--rules", rules, "import", "caseload",
                     caseload(tmp_path, [person_row(i) for i in range(2)]))
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Done: all 2 rows imported." in said
    assert "The rules file could not be read, so the extra columns the rules read were not " \
        "looked for, and dates of birth were checked against the shipped ages (under 14 " \
        "rejected, under 18 warned): " in said


def test_a_failure_under_json_still_prints_one_object(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_cli("import", "caseload", path, "--json")
    assert result.exit_code == 2
    data = result.json()
    assert data["status"] == "failed" and "is empty" in data["error"] and data["exit_code"] == 2


def test_garbage_never_gives_a_traceback(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    header = ",".join(column.name for column in CASELOAD_COLUMNS[:6]).encode()
    for seed in range(6):
        rng = random.Random(seed)
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        path.write_bytes(header + b"\r\n" + body if seed % 2 else body)
        result = run_cli("import", "caseload", path)
        assert result.exit_code in (0, 1, 2)
        assert "Traceback" not in result.output and "stopped unexpectedly" not in result.output


def test_strict_exits_2_and_imports_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    rows = [person_row(0), person_row(1, nhs_number="1")]
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--strict", "--json")
    assert result.exit_code == 2
    assert result.json()["status"] == "refused"
    assert "Nothing imported (--strict)" in result.stderr
    assert run_cli("people", "--json").json() == []


def test_rejects_option_and_a_wrong_sheet(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", [xlsx_person(0), xlsx_person(1, nhs_number="x")],
                      CASELOAD_HEADER, other_sheets=["Staff"])
    result = run_cli("import", "caseload", path, "--sheet", "Nope")
    assert result.exit_code == 2
    assert "no sheet called 'Nope'. Its sheets are: 'Caseload', 'Staff'" in result.stderr
    target = tmp_path / "fix-me.csv"
    result = run_cli("import", "caseload", path, "--sheet", "Caseload", "--rejects", target)
    assert result.exit_code == 1
    assert target.exists() and "fix-me.csv" in result.stdout


def test_mapping_option(run_cli: RunCli) -> None:
    result = run_cli("import", "caseload", DATA / "caseload_odd_headers.csv",
                     "--mapping", DATA / "mapping.toml", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["inserted"] == 2


def test_staff_then_caseload_warns_about_unknown_coordinators(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("import", "staff", DATA / "staff.csv").exit_code == 0
    rows = [person_row(0), person_row(1, care_coordinator_id="S404")]
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--json")
    assert result.exit_code == 0
    data = result.json()
    assert data["warnings"] == 1 and data["warnings_by_column"] == {"care_coordinator_id": 1}
    assert "row 3: care_coordinator_id: care coordinator is not in the staff list" in result.stderr
    history = run_cli("import", "history", "--json").json()
    assert [(b["kind"], b["inserted"]) for b in history] == [("caseload", 2), ("staff", 3)]
    assert "caseload.csv" in run_cli("import", "history").stdout


def test_a_coordinator_id_in_another_case_is_the_staff_lists_worker(
        run_cli: RunCli, tmp_path: Path) -> None:
    """A trust export writing 's002' for the staff list's 'S002' names that worker: stored in
    the staff list's spelling, with no warning; an id that matches nobody still warns."""
    assert run_cli("import", "staff", DATA / "staff.csv").exit_code == 0
    rows = [person_row(0, care_coordinator_id="s002"), person_row(1, care_coordinator_id="s404")]
    data = run_cli("import", "caseload", caseload(tmp_path, rows), "--json").json()
    assert data["warnings_by_column"] == {"care_coordinator_id": 1}
    people = {p["nhs_number"]: p for p in run_cli("people", "--json").json()}
    assert people[nhs_number(0)]["care_coordinator_id"] == "S002"
    assert people[nhs_number(1)]["care_coordinator_id"] == "s404"


def test_import_history_names_every_file_whole_at_80_columns(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80 columns the file's name used to be squeezed out altogether ("Bat… Kind When...")."""
    from transition.commands.common import console

    name = "trust_caseload_export_2026-11-20_final_v2_checked.csv"
    rows = [person_row(0), person_row(1, nhs_number="123")]
    assert run_cli("import", "caseload", caseload(tmp_path, rows, name)).exit_code == 1  # partial
    [batch] = run_cli("import", "history", "--json").json()
    monkeypatch.setattr(console, "width", 80)
    printed = run_cli("import", "history").stdout
    assert max(map(len, printed.splitlines())) <= 80 and "…" not in printed
    narrow = printed.split("\nAbout the columns")[0]  # the table, before the notes on columns
    assert name in read_down(narrow, "File", "Rows").replace(" ", "")
    # In UK time, as every other list of moments shows them.
    assert uk_time(datetime.fromisoformat(batch["started_at"])) in read_down(narrow, "when", "Rows")
    assert read_down(narrow, "Kind", "File") == "caseload partial"
    assert read_down(narrow, "Rejected", "Warnings") == "1 0"  # rejected over missing
    monkeypatch.setattr(console, "width", 200)
    [line] = [line for line in run_cli("import", "history").stdout.splitlines()
              if name in line and "About" not in line]
    assert line.split()[:3] == ["1", "caseload", name] and "partial" in line


def test_people_and_person(run_cli: RunCli, tmp_path: Path) -> None:
    rows = [person_row(0, family_name="Oakley"), person_row(1, team="South CMHT", locality="South"),
            person_row(2, gender="Q")]
    run_cli("import", "caseload", caseload(tmp_path, rows))
    listed = run_cli("people", "--json").json()
    assert [p["family_name"] for p in listed] == ["Ashdown", "Ashdown", "Oakley"]
    assert set(listed[0]) >= {"nhs_number", "given_name", "date_of_birth", "team", "missing"}
    assert [p["family_name"] for p in run_cli("people", "--search", "oak", "--json").json()] == ["Oakley"]
    assert len(run_cli("people", "--team", "South CMHT", "--json").json()) == 1
    limited = run_cli("people", "--limit", "2")
    assert "Showing 2 of 3" in limited.stdout
    assert "3 people." in run_cli("people", "--limit", "0").stdout  # 0: all
    assert run_cli("people", "--limit", "-5").exit_code == 2  # was taken as all
    detail = run_cli("person", nhs_number(2), "--json").json()
    assert {column.name for column in CASELOAD_COLUMNS} <= set(detail)
    assert detail["date_of_birth"] == "1980-04-03" and detail["cpa"] is True
    assert detail["care_act_outcomes"] == ["nutrition", "hygiene"]
    assert [w["column"] for w in detail["warnings"]] == ["gender"]
    assert detail["import"]["first"]["file"] == "caseload.csv" and detail["import"]["row"] == 4
    assert detail["import"]["missing_since"] is None
    shown = run_cli("person", "999 000 0034")
    assert shown.exit_code == 0 and "Robin2 Ashdown" in shown.stdout and "Import warnings" in shown.stdout
    missing = run_cli("person", nhs_number(9))
    assert missing.exit_code == 1 and "No person with NHS number" in missing.stderr
    assert nhs_number(9) not in missing.stderr


def test_people_keep_their_whole_names_in_a_narrow_terminal_or_a_file(
        run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.transaction() as session:
        make_person(session, given_name="Bartholomew", family_name="Featherstonehaugh-Smythe",
                    team="Kestlemouth Forensic and Rehabilitation Team", locality="Tarrow Moor")
    from transition.commands.common import console

    monkeypatch.setattr(console, "width", 80)  # as in a file, or a small terminal
    narrow = run_cli("people").stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80
    # Wrapped or folded if need be, never cut short: the name column, read down, has it all.
    lines = narrow.splitlines()
    start, end = lines[0].index("Name"), lines[0].index("Team")
    column = "".join(line[start:end].strip() for line in lines[3:])
    assert "…" not in narrow and "Featherstonehaugh-Smythe,Bartholomew" in column
    monkeypatch.setattr(console, "width", 200)
    wide = run_cli("people").stdout
    assert "Featherstonehaugh-Smythe  Bartholomew" in wide
    [line] = [line for line in wide.splitlines() if "Bartholomew" in line]
    assert "Kestlemouth Forensic and Rehabilitation Team" in line and "Tarrow Moor" in line


def test_people_on_an_empty_database(run_cli: RunCli) -> None:
    result = run_cli("people")
    assert result.exit_code == 0 and "Import the caseload" in result.stdout


def test_staff_import_json_keys_rejects_by_staff_id(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [staff_row(1), staff_row(2, employer="")])
    data = run_cli("import", "staff", path, "--json").json()
    assert data["rejects"] == [{"row": 3, "staff_id": "S002", "errors": [
        {"column": "employer", "message": "employer is missing"}]}]


def test_cpa_episode_dates_reach_the_pathway(run_cli: RunCli, tmp_path: Path) -> None:
    """An MHSDS-shaped export gives CPA as episode dates: an open episode is health-led care."""
    rows = []
    for i, end in enumerate(["", "31/12/2026"]):  # open; ended before TODAY (15 Jan 2027)
        row = person_row(i, cluster="4", care_act_outcomes="none", s117="N", cto="N")
        del row["cpa"], row["cpa_start"], row["cpa_end"]
        rows.append({**row, "StartDateCPA": "01/06/2024", "EndDateCPA": end})
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--json")
    assert result.exit_code == 0, result.output
    assert any("worked out from the dates" in notice for notice in result.json()["notices"])
    assert run_cli("assess").exit_code == 0
    open_episode = run_cli("person", nhs_number(0), "--json").json()
    ended = run_cli("person", nhs_number(1), "--json").json()
    assert (open_episode["cpa"], open_episode["cpa_start"], open_episode["cpa_end"]) == (
        True, "2024-06-01", None)
    assert (ended["cpa"], ended["cpa_end"]) == (False, "2026-12-31")
    assert "health_led_cpa" in [reason["rule"] for reason in open_episode["pathway_reasons"]]
    assert "health_led_cpa" not in [reason["rule"] for reason in ended["pathway_reasons"]]
    assert (open_episode["pathway"], ended["pathway"]) == ("trust", "signpost")


def test_outcomes_of_only_separators_are_assessed_not_signposted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """';' in the outcomes column says nothing was assessed: the pathway is assess, with a
    warning naming the file, row and column. 'NONE;' is none unmet, as written: signposted."""
    rows = [person_row(i, care_act_outcomes=cell, cpa="N", cluster="", s117="N", cto="N")
            for i, cell in enumerate([";", "NONE;"])]
    result = run_cli("import", "caseload", caseload(tmp_path, rows))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "care_act_outcomes" in said and "caseload.csv" in said and "row 2" in said
    assert run_cli("assess").exit_code == 0
    blank = run_cli("person", nhs_number(0), "--json").json()
    none = run_cli("person", nhs_number(1), "--json").json()
    assert (blank["care_act_outcomes"], none["care_act_outcomes"]) == (None, [])
    assert (blank["pathway"], none["pathway"]) == ("assess", "signpost")
    assert blank["pathway_reasons"][0]["rule"] == "outcomes_not_assessed"
    assert [w["column"] for w in blank["warnings"]] == ["care_act_outcomes"]
    assert none["warnings"] == []


def test_an_ended_coordinator_allocation_reaches_the_risk_and_the_check(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """MHSDS EndDateAssCareCoord before today: warned at import, no known coordinator in the
    handover risk, and unassigned in the nightly check (TODAY is 15 January 2027)."""
    assert run_cli("import", "staff", write_csv(tmp_path / "staff.csv", [staff_row(1)])
                   ).exit_code == 0
    rows = []
    for i, end in enumerate(["31/12/2026", ""]):
        row = person_row(i, care_coordinator_id="S001", care_act_outcomes="none", cpa="N",
                         cluster="4")
        del row["coordinator_until"]
        rows.append({**row, "EndDateAssCareCoord": end})
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--json")
    assert result.json()["warnings"] == 1, result.output
    assert run_cli("assess").exit_code == 0
    ended = run_cli("person", nhs_number(0), "--json").json()
    current = run_cli("person", nhs_number(1), "--json").json()
    assert ended["coordinator_until"] == "2026-12-31"
    factor_names = [factor["factor"] for factor in ended["risk_factors"]]
    assert "no_known_coordinator" in factor_names
    assert "no_known_coordinator" not in [f["factor"] for f in current["risk_factors"]]
    run_cli("pathway", "set", nhs_number(0), "council", "--reason", "needs a social worker")
    run_cli("pathway", "set", nhs_number(1), "council", "--reason", "needs a social worker")
    check = run_cli("check", "--json").json()
    unassigned = [finding for finding in check["findings"] if finding["code"] == "unassigned"]
    assert [finding["nhs_number"] for finding in unassigned] == [nhs_number(0)]


def test_person_shows_mhsds_codes_in_words_and_json_keeps_the_codes(
        run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        found = make_person(session, ethnic_category="H", employment_status="02")
    shown = " ".join(run_cli("person", found.nhs_number).stdout.split())
    assert "Ethnic category Asian or Asian British: Indian (H)" in shown
    assert "Employment unemployed, seeking work (02)" in shown
    data = run_cli("person", found.nhs_number, "--json").json()
    assert (data["ethnic_category"], data["employment_status"]) == ("H", "02")


def test_the_terminal_and_json_name_the_column_and_problem_never_the_value(
    run_cli: RunCli, settings: Settings, tmp_path: Path
) -> None:
    """A cell's value (a date of birth, a name in the wrong column, a postcode) stays out of
    what is printed; the 0600 rejects file and the person's own warnings keep it."""
    rows = [person_row(0, carer="Gareth Lewis", postcode="QQ9"),
            person_row(1, date_of_birth="31/02/1975", lives_alone="Oakley Street"),
            person_row(2, nhs_number="Siobhan Reilly")]  # not even a part of it is shown
    # With --json: the JSON on stdout, the summary (as without it) on stderr.
    result = run_cli("import", "caseload", caseload(tmp_path, rows), "--json")
    assert result.exit_code == 1, result.output
    for value in ("Gareth Lewis", "31/02/1975", "QQ9", "Oakley Street", "*illy"):
        assert value not in result.stderr
    for value in ("Gareth Lewis", "31/02/1975", "QQ9", "Oakley Street"):
        assert value not in result.stdout  # the JSON holds the NHS number cell, on purpose
    said = " ".join(result.stderr.split())
    assert "date_of_birth: not a real date" in said and "carer: not yes or no" in said
    rejects = Path(result.json()["rejects_path"]).read_text(encoding="utf-8-sig")
    assert "date_of_birth: '31/02/1975' is not a real date" in rejects
    assert "lives_alone: 'Oakley Street' is not yes or no" in rejects
    shown = run_cli("person", nhs_number(0), "--json")
    warned = {warning["column"]: warning["message"] for warning in shown.json()["warnings"]}
    assert warned["carer"].startswith("'Gareth Lewis' is not yes or no")  # the person's own
