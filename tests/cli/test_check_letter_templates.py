"""`transition check` reads the council's letter templates folder (the letter_templates_dir
setting) as `letters check-templates` does, so a template dropped into it is flagged the next
morning: one written for an older version (old_letter_template) and one that stops `letters
generate` (bad_letter_templates). Nothing when no folder is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check_world import caseload_import
from tests.conftest import TODAY, RunCli
from tests.letter_setup import (
    OLD_MACROS,
    flat,
    handover_person,
    trust_worker,
    with_transfer_date,
)
from transition.checks import CODES
from transition.db import Database
from transition.letter_templates import shipped_folder

NEW_CODES = ("bad_letter_templates", "old_letter_template")


def _caseload(database: Database) -> str:
    """Nothing critical: a fresh import, one person moving to an NHS worker with no phone."""
    with database.transaction() as session:
        with_transfer_date(session)
        caseload_import(session, TODAY)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="")
        person = handover_person(session, new_staff_id="KW2", role="key_worker",
                                 pathway="trust")
    return person.nhs_number


def _set_folder(monkeypatch: pytest.MonkeyPatch, folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("TRANSITION_LETTER_TEMPLATES_DIR", str(folder))
    return folder


def _new_counts(result_json: dict[str, object]) -> tuple[int, int]:
    counts = result_json["counts"]
    assert isinstance(counts, dict)
    return counts["bad_letter_templates"], counts["old_letter_template"]


def test_chk7_an_old_template_is_flagged_by_the_nightly_check(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    number = _caseload(database)
    folder = _set_folder(monkeypatch, tmp_path / "council", {"_macros.html.j2": OLD_MACROS})
    result = run_cli("check", "--json")
    assert result.exit_code == 0, result.output  # a warning: nothing critical
    document = result.json()
    assert _new_counts(document) == (0, 1)
    [found] = [item for item in document["findings"] if item["code"] == "old_letter_template"]
    assert set(found) == {"code", "severity", "message"}  # the programme's: no one named
    assert found["severity"] == "warning"
    for words in (f"folder {folder.resolve()}", "_macros.html.j2 line 6",
                  "The letters of 1 person print it", "worker.phone_is_main_number",
                  "worker.team_phone"):
        assert words in found["message"], words
    assert number not in result.stdout
    # Recorded: the history's counts and the terminal's table have it too.
    [run] = run_cli("check", "history", "--json").json()
    assert run["counts"]["old_letter_template"] == 1
    shown = run_cli("check")
    assert "old_letter_template" in shown.stdout
    assert "Old council template: wrong NHS worker phone" in flat(shown.stdout.replace("│", " "))


@pytest.mark.parametrize("setting", ["shipped copy", "no folder", "empty folder"])
def test_chk7_a_current_template_or_no_folder_is_quiet(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    setting: str,
) -> None:
    _caseload(database)
    if setting == "shipped copy":
        current = (shipped_folder() / "_macros.html.j2").read_text(encoding="utf-8")
        _set_folder(monkeypatch, tmp_path / "council", {"_macros.html.j2": current})
    elif setting == "empty folder":
        _set_folder(monkeypatch, tmp_path / "council", {})
    result = run_cli("check", "--json")
    assert result.exit_code == 0, result.output
    assert _new_counts(result.json()) == (0, 0)


def test_chk7_a_missing_folder_is_a_finding_not_a_failed_check(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _caseload(database)
    missing = tmp_path / "moved-away"
    monkeypatch.setenv("TRANSITION_LETTER_TEMPLATES_DIR", str(missing))
    result = run_cli("check", "--json")
    assert result.exit_code == 0, result.output
    document = result.json()
    assert _new_counts(document) == (1, 0)
    [found] = [item for item in document["findings"] if item["code"] == "bad_letter_templates"]
    assert str(missing) in found["message"] and "does not exist" in found["message"]
    assert "letter_templates_dir" in found["message"]


def test_chk7_a_syntax_error_names_the_file_and_line(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from transition.commands.common import console

    _caseload(database)
    _set_folder(monkeypatch, tmp_path / "council",
                {"carer.html.j2": "<p>\n{% if carer.name %}Dear {{ carer.name }}\n</p>\n"})
    result = run_cli("check", "--json")
    assert _new_counts(result.json()) == (1, 0)
    monkeypatch.setattr(console, "width", 80)  # cron's mail
    shown = run_cli("check")
    assert shown.exit_code == 0, shown.output
    said = flat(shown.stdout.replace("│", " "))
    for words in ("bad_letter_templates", "Council letter templates cannot be used",
                  "carer.html.j2 (council folder", "line 2", "syntax error",
                  "transition letters check-templates"):
        assert words in said, words
    # The counts table still fits cron's 80 columns without wrapping a title.
    table = shown.stdout.splitlines()[1:len(CODES) + 3]  # after the verdict: headings, rule
    assert "import_columns" in table[-1]
    assert all(len(line) <= 80 for line in table)
    assert any("Red band, joint visit not done, handover close" in line for line in table)


def test_chk7_the_json_counts_every_code_in_order(
    database: Database, run_cli: RunCli
) -> None:
    """The keys of `counts`, pinned: scripts read them, so none is renamed or dropped."""
    _caseload(database)
    document = run_cli("check", "--json").json()
    assert list(document["counts"]) == [
        "no_staff_list", "unassigned", "not_assessed", "worker_unavailable",
        "absent_at_handover", "away_after_handover", "red_without_handover", "cto_without_s117",
        "overdue_task",
        "cto_expiring", "over_capacity", "amhp_cover", "pathway_changed", "missing_from_export",
        "letter_out_of_date", "bad_letter_templates", "old_letter_template", "tasks_behind",
        "stale_import", "import_columns"]
    assert list(document["counts"]) == list(CODES)
