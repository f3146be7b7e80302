"""`transition rules check` and `transition rules show`: a council's rules file checked before
anything uses it, and the rules in use as assess, plan, tasks and check read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from transition.commands import common

COUNCIL = """\
version = "westshire-2027.2"

[risk.bands]
amber = 4

[risk.factors.lives_alone]
points = 0

[[matching.required_skills]]
skill = "dual_diagnosis"
when = "substance_misuse"
reason = "drug or alcohol misuse alongside mental illness"

[[matching.required_skills]]
skill = "perinatal"
enabled = false

[tasks.templates.letter_carer]
enabled = false

[tasks.templates.welfare_call]
title = "Welfare call a week after the change"
owner = "incoming"
offset_calendar_days = 7
"""

# Line 8: a cluster that does not exist.
INVALID = """\
version = "westshire-bad"

[risk.bands]
red = 10
amber = 5

[eligibility]
health_led_clusters = [30]
"""


@pytest.fixture
def council_file(tmp_path: Path) -> Path:
    path = tmp_path / "westshire-rules.toml"
    path.write_text(COUNCIL, encoding="utf-8")
    return path


@pytest.fixture
def invalid_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad-rules.toml"
    path.write_text(INVALID, encoding="utf-8")
    return path


def _said(text: str) -> str:
    return " ".join(text.split())  # Rich wraps long lines


def test_a_valid_council_file_is_checked_and_what_it_changes_is_listed(
        run_cli: RunCli, council_file: Path) -> None:
    result = run_cli("rules", "check", council_file)
    assert result.exit_code == 0, result.output
    said = _said(result.stdout)
    assert f"{council_file} is valid: version westshire-2027.2 (fingerprint " in said
    for change in (
        'version = "westshire-2027.2" (shipped "2026.1")',
        "risk.bands.amber = 4 (shipped 5)",
        "risk.factors.lives_alone.points = 0 (shipped 1)",
        "matching.required_skills: dual_diagnosis added: when substance_misuse",
        "matching.required_skills: perinatal turned off (shipped: when extra.perinatal)",
        "tasks.templates.letter_carer: turned off",
        'tasks.templates.welfare_call: template added ("Welfare call a week after the change")',
    ):
        assert change in said
    assert "Note:" not in said  # it has a version of its own

    document = run_cli("rules", "check", council_file, "--json").json()
    assert document["status"] == "valid" and document["file"] == str(council_file)
    assert document["version_label"].startswith("westshire-2027.2#")
    assert "risk.bands.amber = 4 (shipped 5)" in document["changes"]
    assert len(document["changes"]) == 7


def test_the_configured_rules_file_is_checked_when_none_is_named(
        run_cli: RunCli, council_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped_only = run_cli("rules", "check")
    assert shipped_only.exit_code == 0
    assert "only the shipped rules are in use, version 2026.1" in _said(shipped_only.stdout)
    assert run_cli("rules", "check", "--json").json()["file"] is None

    monkeypatch.setenv("TRANSITION_RULES_FILE", str(council_file))
    configured = run_cli("rules", "check")
    assert configured.exit_code == 0
    assert f"{council_file} is valid" in _said(configured.stdout)


def test_a_file_that_keeps_the_shipped_version_gets_a_note(
        run_cli: RunCli, tmp_path: Path) -> None:
    same = tmp_path / "same.toml"
    same.write_text("[risk.bands]\nred = 10\n", encoding="utf-8")
    result = run_cli("rules", "check", same)
    assert result.exit_code == 0
    said = _said(result.stdout)
    assert "risk.bands.red = 10 (the same as shipped)" in said
    assert "Note: The file does not change `version`" in said


def test_a_carer_task_that_ignores_consent_gets_a_note(run_cli: RunCli, tmp_path: Path) -> None:
    """A council file written before carer consent (flags = ["carer"] on letter_carer) would
    have workers contact the carers of people who said no: rules check says so."""
    old = tmp_path / "old.toml"
    old.write_text('version = "w1"\n[tasks.templates.letter_carer]\ntitle = "Carer told"\n'
                   'owner = "outgoing"\noffset_working_days = -10\nflags = ["carer"]\n',
                   encoding="utf-8")
    result = run_cli("rules", "check", old, "--json")
    assert result.exit_code == 0
    [note] = result.json()["notes"]
    assert note.startswith("[tasks.templates.letter_carer] flags = ['carer']")
    assert "carer_may_be_told" in note
    shipped_like = tmp_path / "new.toml"
    shipped_like.write_text('version = "w2"\n', encoding="utf-8")
    assert run_cli("rules", "check", shipped_like, "--json").json()["notes"] == []


def test_show_json_is_the_merged_rules_with_the_councils_values(
        run_cli: RunCli, council_file: Path) -> None:
    result = run_cli("--rules", council_file, "rules", "show", "--json")
    assert result.exit_code == 0, result.output
    rules = result.json()
    assert rules["version"] == "westshire-2027.2"
    assert rules["sources"] == ["default", str(council_file)]
    assert rules["risk"]["bands"] == {"red": 10, "amber": 4}  # red kept from the shipped rules
    assert rules["risk"]["factors"]["lives_alone"]["points"] == 0
    skills = {rule["skill"]: rule for rule in rules["matching"]["required_skills"]}
    assert skills["dual_diagnosis"]["when"] == "substance_misuse"
    assert "perinatal" not in skills and "forensic" in skills
    assert rules["tasks"]["templates"]["letter_carer"]["enabled"] is False
    assert rules["tasks"]["templates"]["welfare_call"]["offset_calendar_days"] == 7

    section = run_cli("--rules", council_file, "rules", "show", "--section", "Risk", "--json")
    assert section.json() == rules["risk"]


def test_an_unknown_section_is_refused_with_the_sections(run_cli: RunCli) -> None:
    result = run_cli("rules", "show", "--section", "budgets")
    assert result.exit_code == 2 and not result.stdout
    assert "Use one of: eligibility, risk, matching, tasks, checks, importing." in _said(result.stderr)


def test_an_invalid_file_is_refused_naming_the_file_and_line(
        run_cli: RunCli, invalid_file: Path) -> None:
    result = run_cli("rules", "check", invalid_file)
    assert result.exit_code == 2
    assert result.stdout == ""
    said = _said(result.stderr)
    assert f"{invalid_file}, line 8: eligibility.health_led_clusters" in said
    assert "[30] is not a cluster" in said

    as_json = run_cli("rules", "check", invalid_file, "--json")
    assert as_json.exit_code == 2
    failure = as_json.json()  # exactly one document: the failure
    assert failure["status"] == "failed" and failure["exit_code"] == 2
    assert f"{invalid_file}, line 8" in failure["error"]

    shown = run_cli("--rules", invalid_file, "rules", "show")
    assert shown.exit_code == 2 and shown.stdout == ""
    assert f"{invalid_file}, line 8" in _said(shown.stderr)


def test_rules_commands_need_no_database_and_create_none(
        run_cli: RunCli, council_file: Path, invalid_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    for args in (("rules", "check"), ("rules", "check", council_file),
                 ("rules", "check", invalid_file), ("rules", "show"),
                 ("--rules", council_file, "rules", "show", "--json")):
        result = run_cli("--db", missing, *args)
        assert result.exit_code in (0, 2), result.output
        assert "no database" not in result.stderr
        assert not missing.exists()


@pytest.mark.parametrize("width", [80, 120])
def test_show_fits_the_width_and_cuts_nothing(
        run_cli: RunCli, council_file: Path, monkeypatch: pytest.MonkeyPatch,
        width: int) -> None:
    monkeypatch.setattr(common.console, "width", width)  # read from COLUMNS once, at import
    shown = {}
    for section in ("all", "eligibility"):
        args = ("--section", section) if section != "all" else ()
        result = run_cli("--rules", council_file, "rules", "show", *args)
        assert result.exit_code == 0, result.output
        shown[section] = result.stdout
        assert "…" not in result.stdout
        assert max(map(len, result.stdout.splitlines())) <= width
    text = shown["all"]
    assert "Basis: Mental Health Act 1983, s117" in _said(shown["eligibility"])
    # Whole words, as the rules file and the staff list write them.
    for word in ("accessible_communication", "occupational_therapist", "dual_diagnosis",
                 "seconded_without_council_team", "preferred_language_not_spoken",
                 "handover_visit_task", "4 to 9"):
        assert word in text
    assert "0 (off)" in text  # lives_alone


def test_a_missing_file_named_to_check_says_to_check_that_path(run_cli: RunCli,
                                                               tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = run_cli("rules", "check", str(missing))
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert f"Rules file {missing} does not exist. Nothing was checked." in said
    assert "Check the path given to transition rules check." in said
    assert "--rules" not in said and "Traceback" not in result.output
