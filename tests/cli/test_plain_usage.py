"""Values the command line cannot read, and a rules file that is not there, said plainly and
naming where they were given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.stderr.split())  # Rich wraps long lines


@pytest.mark.parametrize(("args", "words"), [
    (("tasks", "set", "abc", "done"),
     "Error: task_id is 'abc': write the task's number, as `transition tasks list` shows it."),
    (("at-risk", "--top", "abc"), "Error: --top is 'abc': write a whole number."),
    (("people", "--limit", "-1"), "Error: --limit is '-1', but it must be at least 0."),
])
def test_a_value_that_cannot_be_read_is_said_plainly(
    run_cli: RunCli, args: tuple[str, ...], words: str
) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    said = _said(result)
    assert words in said
    assert "Input should" not in said and "unable to parse" not in said
    assert "Try 'transition" in said  # Click's usage and help pointer stay


def test_under_json_the_failure_document_says_it_plainly_too(run_cli: RunCli) -> None:
    result = run_cli("at-risk", "--top", "abc", "--json")
    assert result.json()["error"] == "--top is 'abc': write a whole number."


def test_a_missing_rules_file_from_the_environment_says_so(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRANSITION_RULES_FILE", str(tmp_path / "nope.toml"))
    said = _said(run_cli("check"))
    assert "does not exist" in said and "Check the path (TRANSITION_RULES_FILE)." in said
    # --rules wins over the environment, and the hint follows it.
    said = _said(run_cli("--rules", tmp_path / "gone.toml", "check"))
    assert "gone.toml does not exist" in said and "Check the path (--rules)." in said


def test_a_missing_rules_file_from_the_settings_file_names_its_line(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('actor = "Test"\nrules_file = "nope.toml"\n', encoding="utf-8")
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(settings))
    monkeypatch.delenv("TRANSITION_RULES_FILE", raising=False)
    result = run_cli("check")
    assert result.exit_code == 2
    assert f"Check the path (rules_file in the settings file {settings}, line 2)." in _said(result)


def test_a_folder_given_as_the_rules_file(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--rules", tmp_path, "check")
    assert result.exit_code == 2
    said = _said(result)
    assert f"{tmp_path} is a folder, not a rules file." in said
    assert "Errno" not in said and "(--rules)" in said
