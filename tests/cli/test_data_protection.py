"""Data protection over a full run: no names or NHS numbers in logs or messages, owner-only
files, an audit trail that only grows, and a pseudonymised export that holds no identifiers."""

from __future__ import annotations

import csv
import logging
import os
import re
import stat
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import RunCli, sqlite_path
from transition.config import Settings
from transition.db import Database
from transition.export import pseudonym
from transition.models import AuditEvent

FLOW_DATE = "2027-04-01"


def _identifiers(caseload: Path) -> tuple[set[str], set[str]]:
    """(names, NHS numbers) from the input file, as they could appear in text."""
    names: set[str] = set()
    numbers: set[str] = set()
    with caseload.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            for field in ("given_name", "family_name", "carer_name"):
                value = (row.get(field) or "").strip()
                if len(value) >= 3:
                    names.add(value)
            if row["given_name"].strip() and row["family_name"].strip():
                names.add(f"{row['given_name'].strip()} {row['family_name'].strip()}")
            digits = re.sub(r"\D", "", row.get("nhs_number") or "")
            if len(digits) == 10:
                numbers.add(digits)
                numbers.add(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return names, numbers


def _leaks(text: str, names: set[str], numbers: set[str]) -> list[str]:
    found = sorted(number for number in numbers if number in text)
    found += sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", text))
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_full_run_keeps_personal_data_out_of_logs_and_files_private(
    run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    generated = tmp_path / "generated"
    assert run_cli("generate", "--out", generated, "--people", "120", "--messy").exit_code == 0
    names, numbers = _identifiers(generated / "trust_caseload.csv")
    assert len(numbers) > 200 and len(names) > 200
    caplog.set_level(logging.DEBUG)  # everything any module logs, SQL included

    # What a log file or a terminal's stderr would keep; and stdout of the commands whose
    # summaries identify people only masked. (Plan, task and letter reports on stdout name
    # the people a manager must act on: deliberate output, like letters and --json.)
    scanned: list[str] = []

    def step(*args: str | Path, codes: tuple[int, ...] = (0,), stdout_too: bool = True) -> str:
        result = run_cli(*args)
        assert result.exit_code in codes, (args, result.output)
        scanned.append(f"--- {args[:2]} stderr\n" + result.stderr)
        if stdout_too:
            scanned.append(f"--- {args[:2]} stdout\n" + result.stdout)
        return result.stdout

    step("import", "staff", generated / "staff.csv", codes=(0, 1))
    step("import", "caseload", generated / "trust_caseload.csv", codes=(1,))  # messy rows
    with database.session() as session:
        imported_audit = [(row.id, row.action, row.before, row.after)
                          for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    step("programme", "set", "--transfer-date", FLOW_DATE)
    step("assess")
    step("plan", codes=(0, 1), stdout_too=False)
    step("plan", "accept")
    step("tasks", "generate", codes=(0, 1), stdout_too=False)
    letters = tmp_path / "out" / "letters"
    step("letters", "generate", "--format", "md", "--out", letters, codes=(0, 1),
         stdout_too=False)
    step("db", "check")
    report = tmp_path / "out" / "reports" / "check.md"
    step("check", "--apply", "--report", report, codes=(0, 1), stdout_too=False)
    export = tmp_path / "out" / "export"
    step("export", "--pseudonymise", "--out", export)

    logged = caplog.text
    assert logged, "the run logged nothing: is logging captured?"
    assert _leaks(logged, names, numbers) == []
    for output in scanned:
        assert _leaks(output, names, numbers) == [], output

    # Owner-only files and folders.
    path = sqlite_path(settings.resolved_database_url)
    if path is not None:
        assert _mode(path) == 0o600
        rejects = path.parent / "rejects"
    else:
        rejects = settings.resolved_output_dir / "rejects"
    rejects_files = list(rejects.iterdir())
    assert rejects_files and _mode(rejects) == 0o700
    assert {_mode(item) for item in rejects_files} == {0o600}
    letter_files = list(letters.iterdir())
    assert letter_files and _mode(letters) == 0o700
    assert {_mode(item) for item in letter_files} == {0o600}
    assert _mode(report) == 0o600 and _mode(report.parent) == 0o700
    assert _mode(export) == 0o700
    assert {_mode(item) for item in export.iterdir()} == {0o600}

    # The audit trail only grew: every row written by the import is still there, unchanged.
    with database.session() as session:
        now = [(row.id, row.action, row.before, row.after)
               for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert now[:len(imported_audit)] == imported_audit and len(now) > len(imported_audit)


def test_the_pseudonymised_export_holds_no_identifiers(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = tmp_path / "generated"
    assert run_cli("generate", "--out", generated, "--people", "60").exit_code == 0
    assert run_cli("import", "staff", generated / "staff.csv").exit_code in (0, 1)
    assert run_cli("import", "caseload", generated / "trust_caseload.csv").exit_code == 0
    assert run_cli("programme", "set", "--transfer-date", FLOW_DATE).exit_code == 0
    assert run_cli("assess").exit_code == 0
    assert run_cli("plan").exit_code in (0, 1)
    assert run_cli("plan", "accept").exit_code == 0
    names, numbers = _identifiers(generated / "trust_caseload.csv")
    with (generated / "trust_caseload.csv").open(encoding="utf-8-sig", newline="") as handle:
        source = list(csv.DictReader(handle))
    births = {row["date_of_birth"] for row in source}
    addresses = {row["address"] for row in source if row["address"]}

    out = tmp_path / "export"
    result = run_cli("export", "--pseudonymise", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    summary = result.json()
    assert summary["people"] == 60 and summary["assignments"] > 0
    text = "".join((out / name).read_text(encoding="utf-8-sig") for name in summary["files"])
    assert _leaks(text, names, numbers) == []
    assert not [value for value in births | addresses if value in text]
    with (out / "caseload.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len({row["pseudonym"] for row in rows}) == 60
    assert {"given_name", "family_name", "date_of_birth", "address", "nhs_number",
            "local_id", "carer_name"}.isdisjoint(rows[0])
    # The key file is made once, owner-only; the same key gives the same pseudonyms.
    key_file = Path(os.environ["XDG_DATA_HOME"]) / "transition" / "pseudonym.key"
    assert _mode(key_file) == 0o600
    key = key_file.read_text().strip().encode()
    assert {row["pseudonym"] for row in rows} == {
        pseudonym(key, number) for number in numbers if " " not in number}
    again = run_cli("export", "--pseudonymise", "--out", tmp_path / "again", "--json")
    assert again.json()["key_id"] == summary["key_id"]
    assert (tmp_path / "again" / "caseload.csv").read_bytes() == (out / "caseload.csv").read_bytes()
    # Rare values that would single someone out are grouped; the day a worker took the role
    # is a month (the trust's allocation start date is close to unique per person).
    from transition.export import RARE_BELOW, RARE_FIELDS, RARE_VALUE

    for field in RARE_FIELDS:
        held = Counter(row[field] for row in rows if row[field])
        assert all(count >= RARE_BELOW for value, count in held.items() if value != RARE_VALUE)
    with (out / "plan.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert all(len(row["since"]) == 7 for row in csv.DictReader(handle) if row["since"])
    # A configured key gives other pseudonyms; a short one is refused; a stray space or
    # newline around it is not part of it (it gave everyone new pseudonyms).
    monkeypatch.setenv("TRANSITION_PSEUDONYM_KEY", "k" * 40)
    other = run_cli("export", "--pseudonymise", "--out", tmp_path / "other", "--json")
    assert other.exit_code == 0 and other.json()["key_id"] != summary["key_id"]
    monkeypatch.setenv("TRANSITION_PSEUDONYM_KEY", "k" * 40 + " \n")
    spaced = run_cli("export", "--pseudonymise", "--out", tmp_path / "spaced", "--json")
    assert spaced.json()["key_id"] == other.json()["key_id"]
    monkeypatch.setenv("TRANSITION_PSEUDONYM_KEY", "short")
    refused = run_cli("export", "--pseudonymise", "--out", tmp_path / "short")
    assert refused.exit_code == 2 and "too short" in refused.stderr
    assert not (tmp_path / "short").exists()
    # Without --pseudonymise nothing is written; the export is in the audit trail.
    assert run_cli("export", "--out", tmp_path / "plain").exit_code == 2
    assert not (tmp_path / "plain").exists()
    audit = run_cli("audit", "--action", "export", "--json").json()
    assert len(audit) == 4 and audit[0]["after"]["people"] == 60


def test_an_export_that_cannot_be_written_names_the_folder_not_the_files(
        run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    from tests.factories import make_person

    with database.transaction() as session:
        make_person(session)
    blocker = tmp_path / "a file"
    blocker.write_text("")
    result = run_cli("export", "--pseudonymise", "--out", blocker / "export")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "unexpectedly" not in said
    assert f"A file in {blocker} could not be read or written (Not a directory)" in said
    assert "Any change in progress was rolled back" in said


def test_formula_cells_in_the_export_are_neutralised(run_cli: RunCli, database: Database,
                                                     tmp_path: Path) -> None:
    from tests.factories import make_person

    with database.transaction() as session:  # five: a team of fewer would be withheld
        for _ in range(5):
            make_person(session, team="=HYPERLINK(\"http://x\")", locality="+north")
    result = run_cli("export", "--pseudonymise", "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "export" / "caseload.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+north" in text


def test_database_errors_never_carry_row_values(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from tests.factories import make_person, nhs_number

    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(1), given_name="Zebedee")
    with pytest.raises(IntegrityError) as caught, database.transaction() as session:
        make_person(session, nhs_number=nhs_number(1), given_name="Zebedee")
    text = str(caught.value)
    # The row's values are hidden. (PostgreSQL's own DETAIL line names the duplicate key; the
    # CLI shows only the error's type, and TRANSITION_DEBUG tracebacks are for support.)
    assert "Zebedee" not in text and "hidden" in text


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "9998088941"),
        ("audit", "999 808 8941"),
        ("audit", "--nhs", "9998088941", "999-808-8941"),
        ("person", "9998088941", "9998088941"),
        ("9998088941",),
        ("audit", "--9998088941"),
    ],
)
def test_a_usage_error_masks_an_nhs_number_it_quotes(run_cli: RunCli, args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert "Usage: transition" in result.stderr and "--help' for help." in result.stderr
    assert "Error: " in result.stderr and "******8941" in result.stderr
    digits = re.sub(r"\D", "", result.output)
    assert "9998088941" not in digits and "8088941" not in digits, result.output
    assert "Traceback" not in result.output


def test_usage_errors_without_numbers_read_as_click_wrote_them(run_cli: RunCli) -> None:
    result = run_cli("audti")
    assert result.exit_code == 2
    assert result.stderr == ("Usage: transition [OPTIONS] COMMAND [ARGS]...\n"
                             "Try 'transition --help' for help.\n\n"
                             "Error: No such command 'audti'. Did you mean 'audit'?\n")
    assert run_cli("--help").exit_code == 0
    assert run_cli("audit", "--limit", "1").exit_code == 0
