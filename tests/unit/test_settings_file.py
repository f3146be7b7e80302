"""The settings file and TRANSITION_* variables: what cannot be used is refused, naming where it
came from, never silently replaced by a default (another database, the example council)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import RunCli
from transition.config import Settings, load_settings
from transition.errors import TransitionError


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.stderr.split())  # Rich wraps long lines


def _refused(run_cli: RunCli, *args: object) -> str:
    """Run a command that must be refused as bad settings (exit 2); what it said."""
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    return _said(result)


def _settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(path))
    return path


# -- C2: stale_import_days was a setting read nowhere ------------------------------------------


def test_stale_import_days_is_no_longer_a_setting() -> None:
    assert "stale_import_days" not in Settings.model_fields


def test_stale_import_days_in_the_environment_points_at_the_rules(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITION_STALE_IMPORT_DAYS", "1000")
    said = _refused(run_cli, "status")
    assert "TRANSITION_STALE_IMPORT_DAYS is set, but stale_import_days is no longer a setting" in said
    assert "[checks]" in said and "rules file" in said


def test_stale_import_days_in_the_settings_file_points_at_the_rules(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path, 'letter_format = "md"\nstale_import_days = 3\n')
    said = _refused(run_cli, "status")
    assert f"The settings file {path}, line 2, sets stale_import_days, which is no longer a " \
           "setting" in said
    assert "[checks] stale_import_days" in said


# -- C3: set but blank ------------------------------------------------------------------------


def test_a_blank_database_url_is_refused_and_creates_nothing(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text("staff_id,family_name,given_name,employer,role,team\n"
                     "SW1,Ng,Jo,council,social_worker,North\n")
    monkeypatch.setenv("TRANSITION_DATABASE_URL", "")
    said = _refused(run_cli, "import", "staff", staff)
    assert "The setting database_url (--db or TRANSITION_DATABASE_URL) cannot be used: it is " \
           "set but blank" in said
    assert not (tmp_path / "home" / "data" / "transition" / "transition.db").exists()
    monkeypatch.delenv("TRANSITION_DATABASE_URL")
    blank_option = run_cli("--db", " ", "import", "staff", staff)
    assert blank_option.exit_code == 2 and "set but blank" in _said(blank_option)
    assert not (tmp_path / "home" / "data" / "transition" / "transition.db").exists()


def test_a_blank_rules_file_is_refused_as_blank_not_as_a_folder(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITION_RULES_FILE", "")
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    assert "The setting rules_file (--rules or TRANSITION_RULES_FILE) cannot be used: it is set " \
           "but blank" in _said(result)
    monkeypatch.delenv("TRANSITION_RULES_FILE")
    option = run_cli("--rules", "", "status")
    assert option.exit_code == 2 and "set but blank" in _said(option)
    assert "directory" not in option.output


# -- C4: the settings file ----------------------------------------------------------------------


def test_a_settings_file_that_is_not_toml_names_the_file_and_line(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path, 'letter_format = "md"\n[council\nname = "x"\n')
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert f"The settings file {path} is not valid TOML" in said and "line 2" in said
    assert "stopped unexpectedly" not in said and "Traceback" not in result.output


def test_a_misspelt_setting_is_refused_with_the_right_name(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path, '# ours\ndatabse_url = "/tmp/elsewhere.db"\n')
    said = _refused(run_cli, "status")
    assert f"The settings file {path}, line 2, sets 'databse_url', which is not a setting " \
           "(did you mean 'database_url'?)" in said
    assert "The settings are: database_url, rules_file" in said


def test_a_misspelt_council_detail_is_refused(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path, '[council]\nname = "Ours"\nnmae = "Ours"\n')
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    assert f"The settings file {path}, line 3, sets [council] 'nmae', which is not a council " \
           "detail (did you mean 'name'?)" in _said(result)
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(tmp_path / "home" / "no-settings.toml"))
    monkeypatch.setenv("TRANSITION_COUNCIL__CRISIS_LNE", "0800 000 0000")
    from_environment = run_cli("status")
    assert from_environment.exit_code == 2
    assert "there is no council detail 'crisis_lne' (did you mean 'crisis_line'?)" in _said(
        from_environment)


def test_a_settings_file_that_does_not_exist_is_refused(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "setings.toml"
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(missing))
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    assert f"There is no settings file at {missing} (TRANSITION_SETTINGS_FILE)" in _said(result)
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", "")
    blank = run_cli("status")
    assert blank.exit_code == 2 and "TRANSITION_SETTINGS_FILE is set but blank" in _said(blank)


def test_a_bad_value_in_the_file_is_named_as_the_files(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path, 'letter_format = "odt"\n')
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    assert f"The setting letter_format (in the settings file {path}, line 1) cannot be used" in (
        _said(result))


def test_a_council_variable_that_is_not_a_table_is_explained(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITION_COUNCIL", "Westshire")
    said = _refused(run_cli, "status")
    assert "TRANSITION_COUNCIL cannot be read" in said and "TRANSITION_COUNCIL__" in said
    assert "stopped unexpectedly" not in said


@pytest.mark.parametrize("value", ["-5", "0", "nan", "inf"])
def test_a_busy_timeout_must_be_a_positive_number(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRANSITION_BUSY_TIMEOUT_SECONDS", value)
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    assert "The setting busy_timeout_seconds" in _said(result)


def test_a_good_settings_file_is_read_and_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _settings_file(monkeypatch, tmp_path,
                          'letter_format = "md"\nas_of = 2027-02-01\n[council]\nname = "Ours"\n')
    settings = load_settings()
    assert settings.letter_format == "md" and settings.council.name == "Ours"
    assert settings.as_of is not None and settings.as_of.isoformat() == "2027-02-01"
    assert settings.settings_file == path


def test_load_settings_raises_a_transition_error_not_a_decode_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _settings_file(monkeypatch, tmp_path, "as_of = \n")
    with pytest.raises(TransitionError, match="is not valid TOML"):
        load_settings()


# -- C5: TRANSITION_AS_OF reads as --as-of ---------------------------------------------------


@pytest.mark.parametrize(("value", "day"), [
    ("20/11/2026", "2026-11-20"), ("2026-11-20", "2026-11-20"), (" 20 November 2026 ", "2026-11-20"),
])
def test_as_of_in_the_environment_reads_as_the_option_does(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, value: str, day: str
) -> None:
    monkeypatch.setenv("TRANSITION_AS_OF", value)
    result = run_cli("status", "--json")
    assert result.exit_code in (0, 1), result.output
    assert result.json()["as_of"] == day


@pytest.mark.parametrize("value", ["0", "86400", "2027", "31/02/2027", "Nov"])
def test_as_of_in_the_environment_is_never_a_unix_time_or_a_guess(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRANSITION_AS_OF", value)
    said = _refused(run_cli, "status", "--json")
    assert "The setting as_of (TRANSITION_AS_OF) cannot be used: it is not a date" in said
    assert "DD/MM/YYYY" in said


def test_a_blank_as_of_means_the_real_date_as_the_option_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSITION_AS_OF", "")
    assert load_settings().as_of is None
    assert os.environ["TRANSITION_AS_OF"] == ""
