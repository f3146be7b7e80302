from pathlib import Path

import pytest

from transition.errors import RulesError
from transition.ruleset import deep_merge, load_rules, locate


def test_shipped_rules_load_with_a_version_label() -> None:
    rules = load_rules()
    assert rules.version
    assert rules.version_label.startswith(rules.version + "#")


def test_a_council_file_is_merged_over_the_defaults(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "westshire-7"\n')
    rules = load_rules(council)
    assert rules.version == "westshire-7"
    assert rules.version_label != load_rules().version_label


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "x"\n[risk\n')
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert str(council) in caught.value.message
    assert "line 2" in caught.value.message


def test_an_unknown_top_level_key_names_the_line(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "x"\n\nmystery = 3\n')
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert "line 3" in caught.value.message and "mystery" in caught.value.message


@pytest.mark.parametrize(("text", "line"), [
    ('version = "x"\n\n[risk.factors.discharged_very_recently]\npoints = 4\n', 4),
    ('version = "x"\n[risk.factors.no_fixed_address]\npoints = 1\n', 3),
])
def test_a_check_of_two_settings_names_the_line_the_council_wrote(
        tmp_path: Path, text: str, line: int) -> None:
    """The check is reported at the setting the council did not write (a default); the line of
    the one it did, which the message names, is where to look."""
    council = tmp_path / "council.toml"
    council.write_text(text)
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert f"line {line}:" in caught.value.message
    assert "inherited from the defaults" not in caught.value.message


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "nope.toml")


def test_locate_follows_tables_and_arrays_of_tables() -> None:
    text = "\n".join(
        [
            'version = "1"',  # 1
            "[risk]",  # 2
            "red = 7",  # 3
            "[[risk.factors]]",  # 4
            'key = "a"',  # 5
            "[[risk.factors]]",  # 6
            'key = "b"',  # 7
            "points = -1",  # 8
        ]
    )
    assert locate(text, ("risk", "red")) == 3
    assert locate(text, ("risk", "factors", 1, "points")) == 8
    assert locate(text, ("risk", "factors", 0, "points")) == 4  # not present: the entry's header
    assert locate(text, ("version",)) == 1


def test_deep_merge_replaces_lists_and_merges_tables() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    assert deep_merge(base, {"a": {"y": [3]}}) == {"a": {"x": 1, "y": [3]}, "b": 2}


def test_locate_points_a_whole_section_error_into_that_section() -> None:
    text = 'version = "1"\n\n[tasks.templates.letter_gp]\nafter = ["x"]\n'
    assert locate(text, ("tasks",)) == 3
    assert locate(text + "[tasks]\n", ("tasks",)) == 5
