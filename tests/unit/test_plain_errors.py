"""Settings and rules files that cannot be used are refused in plain words, never pydantic's
("Extra inputs are not permitted", "Input should be a valid dictionary") nor a Python class
name ("<class 'pathlib.Path'>"); and a rules file that is missing or a folder names where it
was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from transition.config import load_settings
from transition.errors import RulesError, TransitionError
from transition.plain_errors import plain_reason
from transition.ruleset import load_rules

PYDANTIC_WORDS = ("Input should", "Extra inputs", "valid dictionary", "<class", "Field required",
                  "unable to parse")


def _rules_refusal(tmp_path: Path, text: str) -> str:
    council = tmp_path / "council.toml"
    council.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    said = caught.value.message
    assert not [words for words in PYDANTIC_WORDS if words in said], said
    return said


def test_an_unknown_key_names_its_table_and_the_keys_there_are(tmp_path: Path) -> None:
    said = _rules_refusal(tmp_path, 'version = "x"\n[risk]\nnonsense_key = 1\n')
    assert ("line 3: risk.nonsense_key: is not a setting of [risk]: the settings are bands, "
            "factors") in said


def test_an_unknown_key_at_the_top_suggests_the_one_meant(tmp_path: Path) -> None:
    said = _rules_refusal(tmp_path, 'version = "x"\ndescripton = "ours"\n')
    assert "descripton: is not a setting of the top level (did you mean description?)" in said
    assert "version, description, eligibility" in said
    assert "fingerprint" not in said  # set by the loader, not the file


def test_an_array_of_tables_where_a_table_belongs(tmp_path: Path) -> None:
    said = _rules_refusal(tmp_path, 'version = "x"\n[[tasks.templates]]\nkey = "a"\n')
    assert ("line 2: tasks.templates: is a list of tables ([[tasks.templates]]), but must be a "
            "table: write [tasks.templates], with single brackets") in said


def test_a_number_where_text_belongs(tmp_path: Path) -> None:
    said = _rules_refusal(tmp_path, "version = 5\n")
    assert "line 1: version: is a number, but must be text, in quotes" in said


def test_a_missing_setting(tmp_path: Path) -> None:
    said = _rules_refusal(tmp_path, 'version = "x"\n[tasks.templates.ours]\ntitle = "Ours"\n'
                          "offset_working_days = 1\n")
    assert "tasks.templates.ours.owner: is missing: it must be given" in said


def test_a_settings_file_value_of_the_wrong_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("output_dir = 7\n", encoding="utf-8")
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(settings))
    monkeypatch.delenv("TRANSITION_OUTPUT_DIR", raising=False)
    with pytest.raises(TransitionError) as caught:
        load_settings()
    said = caught.value.message
    assert (f"The setting output_dir (in the settings file {settings}, line 1) cannot be used: "
            "it is a number, but must be a path, written as text in quotes.") in said
    assert not [words for words in PYDANTIC_WORDS if words in said], said


def test_a_settings_value_never_quotes_what_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITION_BUSY_TIMEOUT_SECONDS", "secret-ish")
    with pytest.raises(TransitionError) as caught:
        load_settings()
    said = caught.value.message
    assert "(TRANSITION_BUSY_TIMEOUT_SECONDS) cannot be used: it cannot be read as a number" in said
    assert "secret-ish" not in said


@pytest.mark.parametrize(("error", "said"), [
    ({"type": "bool_type", "input": "yes"}, "is text, but must be true or false, without quotes"),
    ({"type": "int_parsing", "input": "x"}, "cannot be read as a whole number"),
    ({"type": "greater_than", "input": 0.0, "ctx": {"gt": 0.0}}, "must be more than 0"),
    ({"type": "less_than_equal", "input": 9, "ctx": {"le": 5}}, "must be at most 5"),
    ({"type": "literal_error", "input": "x", "ctx": {"expected": "'a' or 'b'"}},
     "is not one of the choices: write 'a' or 'b'"),
    ({"type": "value_error", "msg": "Value error, names 'x', which is not a task template"},
     "names 'x', which is not a task template"),
    ({"type": "list_type", "input": {"a": 1}}, "is a table, but must be a list, in square brackets"),
])
def test_plain_reason(error: dict, said: str) -> None:
    assert plain_reason(error) == said


@pytest.mark.parametrize(("given_by", "hint"), [
    (None, "Check the path (--rules, TRANSITION_RULES_FILE or the settings file's rules_file)."),
    ("TRANSITION_RULES_FILE", "Check the path (TRANSITION_RULES_FILE)."),
])
def test_a_missing_rules_file_names_where_it_was_given(
    tmp_path: Path, given_by: str | None, hint: str
) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path / "nope.toml", given_by=given_by)
    assert caught.value.message == f"Rules file {tmp_path / 'nope.toml'} does not exist. Nothing was changed."
    assert caught.value.hint == hint


def test_a_folder_is_not_a_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path, given_by="--rules")
    assert caught.value.message == f"{tmp_path} is a folder, not a rules file. Nothing was changed."
    assert "Errno" not in caught.value.message and "--rules" in (caught.value.hint or "")
