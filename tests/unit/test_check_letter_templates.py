"""The nightly check reads the council's own letter templates (the settings'
``letter_templates_dir``): a template written for an older version that gives an NHS worker with
no direct line the council's number (``old_letter_template``), and a folder or file that stops
``letters generate`` (``bad_letter_templates``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from tests.check_world import RULES, of
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person
from tests.letter_setup import (
    OLD_MACROS,
    TRANSFER,
    council_worker,
    handover_person,
    trust_worker,
    with_transfer_date,
)
from transition.allocation import NewAssignment, set_assignments
from transition.checks import CODES, CheckReport, collect_findings, run_checks
from transition.db import Database
from transition.letter_plan import people_given_council_phone
from transition.letter_templates import LetterTemplates, shipped_folder
from transition.letters import letters_needed

OLD_LINE = 6  # OLD_MACROS prints council.phone for a worker with no phone on its line 6
NEW_CODES = ("bad_letter_templates", "old_letter_template")


def _check(database: Database, folder: Path | None) -> CheckReport:
    with database.session() as session:
        return collect_findings(session, RULES, as_of=TODAY, templates_dir=folder)


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    """A council templates folder holding ``files`` (name: text)."""
    folder = tmp_path / "council"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _caseload(database: Database) -> str:
    """People due letters, one of them (returned: their NHS number) with an NHS worker with no
    direct line; the others' letters would not print the council's number for anyone."""
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="")
        affected = handover_person(session, new_staff_id="KW2", role="key_worker",
                                   pathway="trust")
        # A council worker with a direct line, and one without (the council's number is theirs).
        handover_person(session, new_staff_id="SW1")
        council_worker(session, "SW9", phone="")
        handover_person(session, new_staff_id="SW9")
        # An NHS worker with a direct line.
        trust_worker(session, "KW3", phone="01632 960555")
        handover_person(session, new_staff_id="KW3", role="key_worker", pathway="trust")
        # The NHS worker with no phone carrying on as coordinator: no change, so no letters.
        staying = make_person(session, care_coordinator_id="KW2", pathway="trust")
        assert staying.id is not None
        set_assignments(session, [NewAssignment(staying.id, "key_worker", "KW2", TRANSFER)],
                        actor=ACTOR)
    return affected.nhs_number


def test_chk7_an_old_template_is_one_finding_with_its_line_and_the_people_it_affects(
    database: Database, tmp_path: Path
) -> None:
    number = _caseload(database)
    folder = _folder(tmp_path, {"_macros.html.j2": OLD_MACROS})
    report = _check(database, folder)
    [found] = of(report, "old_letter_template")
    assert of(report, "bad_letter_templates") == []
    assert found.severity == "warning"
    assert (found.person_id, found.nhs_number, found.staff_id) == (None, None, None)
    message = found.message
    for words in (f"folder {folder.resolve()}", f"_macros.html.j2 line {OLD_LINE}. ",
                  "council.phone", "worker.phone_is_main_number", "worker.team_phone",
                  "the shipped _macros.html.j2 does", "The letters of 1 person print it (they have an NHS worker"):
        assert words in message, words
    assert number not in message  # a programme finding: no one is named
    assert len(message) <= 1000  # stored whole
    # The count is the people `letters status` notes the template on: the same reading.
    with database.session() as session:
        noted = {need.person_id for need in letters_needed(
            session, templates=LetterTemplates(folder))
            if need.note and "council's template" in need.note}
    assert len(noted) == 1


def test_chk7_each_line_says_whose_letters_print_it(database: Database, tmp_path: Path) -> None:
    """A file no letter of theirs uses (the carer letter: no carer recorded) is listed, with no
    one; a file of the council's own name points at the shipped _macros.html.j2."""
    _caseload(database)
    old_carer = (shipped_folder() / "carer.html.j2").read_text(encoding="utf-8") + (
        "{% for worker in change.workers %}{{ worker.phone or council.phone }}{% endfor %}\n")
    carer_line = old_carer.count("\n")
    folder = _folder(tmp_path, {
        "_macros.html.j2": OLD_MACROS, "carer.html.j2": old_carer,
        "_ours.html.j2": "{{ worker.phone|default(council.phone, true) }}\n"})
    [found] = of(_check(database, folder), "old_letter_template")
    assert (f"_macros.html.j2 line {OLD_LINE} (1 person); _ours.html.j2 line 1 (no letter "
            f"now); carer.html.j2 line {carer_line} (no letter now)") in found.message
    assert "the shipped _macros.html.j2 and carer.html.j2 do" in found.message


def test_chk7_no_one_affected_says_so_without_a_count(database: Database, tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_macros.html.j2": OLD_MACROS})
    [found] = of(_check(database, folder), "old_letter_template")
    assert "No letter due now prints it, but any letter that uses it and names an NHS worker " \
        "with no direct line will." in found.message


def test_chk7_a_current_template_no_folder_and_an_empty_folder_find_nothing(
    database: Database, tmp_path: Path
) -> None:
    _caseload(database)
    shipped = (shipped_folder() / "_macros.html.j2").read_text(encoding="utf-8")
    good = _folder(tmp_path, {"_macros.html.j2": shipped, "README.md": "notes"})
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (good, None, empty):
        report = _check(database, folder)
        assert [finding.code for finding in report.findings
                if finding.code in NEW_CODES] == [], folder


def test_chk7_a_missing_folder_stops_letters_and_is_said(
    database: Database, tmp_path: Path
) -> None:
    _caseload(database)
    missing = tmp_path / "not-there"
    report = _check(database, missing)
    [found] = of(report, "bad_letter_templates")
    assert of(report, "old_letter_template") == []
    assert found.severity == "warning" and found.person_id is None
    for words in (str(missing), "does not exist or is not a folder", "letter_templates_dir",
                  "`transition letters generate` stops before writing any letter"):
        assert words in found.message, words
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    [found] = of(_check(database, tmp_path / "a-file"), "bad_letter_templates")
    assert "is not a folder" in found.message


def test_chk7_a_syntax_error_names_its_file_and_line_and_an_old_file_is_still_found(
    database: Database, tmp_path: Path
) -> None:
    _caseload(database)
    folder = _folder(tmp_path, {
        "_macros.html.j2": OLD_MACROS, "gp.html.j2": "<p>Dear {{ recipient.greeting }</p>\n",
        "_crisis.html.j2": '{% include "_crisiss.html.j2" %}\n'})
    report = _check(database, folder)
    [bad] = of(report, "bad_letter_templates")
    for words in ("2 of the council's letter templates", "_crisis.html.j2, gp.html.j2",
                  "gp.html.j2 (council folder", "line 1 has a syntax error",
                  "Letter template _crisiss.html.j2 was not found",
                  "Fix them: `transition letters check-templates`"):
        assert words in bad.message, words
    [old] = of(report, "old_letter_template")  # the file that parses is still read
    assert f"_macros.html.j2 line {OLD_LINE}" in old.message


def test_chk7_an_unused_file_is_not_a_finding(database: Database, tmp_path: Path) -> None:
    """check-templates reports a file no letter uses; it stops nothing, so the check is quiet."""
    folder = _folder(tmp_path, {"persn.html.j2": "<p>Hello</p>\n"})
    assert of(_check(database, folder), "bad_letter_templates") == []


def test_chk7_templates_are_parsed_once_however_many_people(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check stays fast: the templates are read once a check, never per person or letter."""
    parsed: list[str | None] = []
    real = Environment._parse

    def counting(self: Environment, source: str, name: str | None, filename: str | None) -> Any:
        parsed.append(name)
        return real(self, source, name, filename)

    monkeypatch.setattr(Environment, "_parse", counting)
    folder = _folder(tmp_path, {"_macros.html.j2": OLD_MACROS})
    _caseload(database)
    [found] = of(_check(database, folder), "old_letter_template")
    once = len(parsed)
    assert "The letters of 1 person" in found.message
    with database.transaction() as session:
        for index in range(12):
            trust_worker(session, f"KWX{index}", phone="")
            handover_person(session, new_staff_id=f"KWX{index}", role="key_worker",
                            pathway="trust")
    parsed.clear()
    [found] = of(_check(database, folder), "old_letter_template")
    assert "The letters of 13 people print it (each has" in found.message
    assert len(parsed) == once
    # At most twice a file: compiled as `letters generate` would, and read for old phone lines.
    assert max(parsed.count(name) for name in parsed) <= 2


def test_chk7_a_recorded_run_counts_the_new_codes(database: Database, tmp_path: Path) -> None:
    _caseload(database)
    folder = _folder(tmp_path, {"_macros.html.j2": OLD_MACROS})
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, templates_dir=folder)
    assert set(NEW_CODES) <= set(CODES) and set(report.counts) == set(CODES)
    assert report.counts["old_letter_template"] == 1
    assert report.counts["bad_letter_templates"] == 0
    shutil.rmtree(folder)  # moved away: the next night says so
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, templates_dir=folder)
    assert (report.counts["old_letter_template"], report.counts["bad_letter_templates"]) == (0, 1)


def test_chk7_titles_fit_the_dashboard_and_the_codes_the_80_column_table() -> None:
    """The Last check box sizes its title column to the longest title, and cron's 80-column
    table of counts to the longest code: neither grows."""
    others = [code for code in CODES if code not in NEW_CODES]
    assert max(len(CODES[code]) for code in NEW_CODES) <= max(len(CODES[c]) for c in others)
    assert max(len(code) for code in NEW_CODES) <= max(len(code) for code in others)
    order = list(CODES)
    assert order.index("letter_out_of_date") < order.index("bad_letter_templates") < order.index(
        "old_letter_template") < order.index("tasks_behind")


OLD_LINE_TEXT = "{% for worker in change.workers %}{{ worker.phone or council.phone }}{% endfor %}\n"


@pytest.mark.parametrize("old_file", [
    "_macros.html.j2", "gp.html.j2", "carer.html.j2", "signpost.html.j2",
    "easy_read/person.html.j2",
])
def test_chk7_the_count_is_whose_letters_status_notes_the_template(
    database: Database, tmp_path: Path, old_file: str
) -> None:
    """Read from a few columns, not the letter facts: the same people as ``letters status``
    notes, whichever file is old and whatever chooses a person's templates (easy read, a carer,
    signposted, braille from the preferred language, no letter at all)."""
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", phone="")
        for fields in ({}, {"accessible_format": "easy_read"}, {"carer_name": "Ali Carer"},
                       {"carer": False, "carer_name": "Left behind"},
                       {"preferred_language": "British Sign Language"},
                       {"accessible_format": "large_print", "carer_address": "3 Lane"}):
            handover_person(session, new_staff_id="KW2", role="key_worker", pathway="trust",
                            **fields)
        # Signposted, yet a worker is still allocated: planned (skipped), and noted.
        handover_person(session, new_staff_id="KW2", role="key_worker", pathway="signpost")
        handover_person(session, new_staff_id="SW1", role="social_worker")  # a direct line
    old = ((shipped_folder() / old_file).read_text(encoding="utf-8")
           if old_file != "_macros.html.j2" else OLD_MACROS)
    folder = tmp_path / "council"
    (folder / "easy_read").mkdir(parents=True)
    (folder / old_file).write_text(old + OLD_LINE_TEXT if old_file != "_macros.html.j2" else old,
                                   encoding="utf-8")
    templates = LetterTemplates(folder)
    with database.session() as session:
        counted = people_given_council_phone(session, templates)
        noted = {need.person_id for need in letters_needed(session, templates=templates)
                 if need.note and "the council's template (" in need.note}
    assert noted  # each file is used by someone's letter here
    assert set().union(*counted.values()) == noted
    [warning] = templates.outdated
    assert list(counted) == [(warning.file, warning.line)]
