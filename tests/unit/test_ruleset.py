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
    text = "\n".join(  # noqa: FLY002 (one line of TOML each, numbered)
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


def _council(tmp_path: Path, text: str) -> Path:
    council = tmp_path / "council.toml"
    council.write_text('version = "c"\n' + text)
    return council


def _skills(rules) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {rule.skill: rule.when for rule in rules.matching.required_skills}


def test_a_councils_required_skill_is_added_to_the_shipped_ones(tmp_path: Path) -> None:
    """A1: default.toml says a council "can add" a skill rule; adding one must not drop the
    shipped forensic, older adults, EIP and perinatal rules."""
    rules = load_rules(_council(tmp_path, (
        "[[matching.required_skills]]\n"
        'skill = "dual_diagnosis"\n'
        'when = "substance_misuse"\n')))
    assert _skills(rules) == {**_skills(load_rules()), "dual_diagnosis": "substance_misuse"}


def test_a_councils_rule_for_a_shipped_skill_replaces_it_and_enabled_false_drops_it(
        tmp_path: Path) -> None:
    rules = load_rules(_council(tmp_path, (
        "[[matching.required_skills]]\n"
        'skill = "EIP"\n'
        'when = "cluster == 10 and age < 66"\n'
        "[[matching.required_skills]]\n"
        'skill = "perinatal"\n'
        "enabled = false\n")))
    skills = _skills(rules)
    assert skills == {"forensic": "extra.forensic_history", "older_adults": "age >= 65",
                      "eip": "cluster == 10 and age < 66"}
    eip = next(rule for rule in rules.matching.required_skills if rule.skill == "eip")
    assert eip.reason == ""  # the council's entry stands as written: no shipped reason left
    assert rules.matching.extra_columns_read() == {"forensic_history": "forensic"}


@pytest.mark.parametrize(("text", "line", "message"), [
    # The council's own entry is named (its line), though shipped entries come first.
    ('\n[[matching.required_skills]]\nskill = "x"\nwhen = "cluster == 10 or 11"\n', 5,
     "matching.required_skills.0.when: '11' on its own is not a test"),
    (('[[matching.required_skills]]\nskill = "x"\n[[matching.required_skills]]\nskill = "y"\n'
      'when = "extra.a == [1]"\n'), 6, "matching.required_skills.1.when:"),
    ('[[matching.required_skills]]\nskill = "dual_diagnosis"\n', 2, "has no `when`"),
    ('[[matching.required_skills]]\nskill = "forensik"\nenabled = false\n', 3,
     "turns off no shipped rule"),
])
def test_a_bad_skill_rule_names_the_councils_line(tmp_path: Path, text: str, line: int,
                                                  message: str) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules(_council(tmp_path, text))
    assert f"line {line}:" in caught.value.message and message in caught.value.message


def test_deep_merge_adds_keyed_entries_and_replaces_unless_whole() -> None:
    base = {"matching": {"required_skills": [{"skill": "a", "when": "cto"},
                                             {"skill": "b", "when": "s117"}],
                         "distances": [{"between": ["x", "y"], "km": 1}]},
            "t": {"unless": {"flags": ["carer"]}, "keep": 1}}
    merged = deep_merge(base, {
        "matching": {"required_skills": [{"skill": "B", "when": "cpa"}, {"skill": "c"}],
                     "distances": [{"between": ["p", "q"], "km": 2}]},
        "t": {"unless": {"clusters": [1]}}})
    assert merged["matching"]["required_skills"] == [
        {"skill": "a", "when": "cto"}, {"skill": "B", "when": "cpa"}, {"skill": "c"}]
    assert merged["matching"]["distances"] == [{"between": ["p", "q"], "km": 2}]
    assert merged["t"] == {"unless": {"clusters": [1]}, "keep": 1}


def test_the_handover_visit_task_must_name_a_template(tmp_path: Path) -> None:
    """A2: a typo made the nightly check ignore every visit done."""
    with pytest.raises(RulesError) as caught:
        load_rules(_council(tmp_path, '[checks]\nhandover_visit_task = "joint_vist"\n'))
    message = caught.value.message
    assert "line 3: checks.handover_visit_task" in message and "'joint_vist'" in message
    assert 'handover_visit_task = "joint_visit"' in message
    # A template the council adds may be the visit.
    rules = load_rules(_council(tmp_path, (
        '[checks]\nhandover_visit_task = "home_visit"\n[tasks.templates.home_visit]\n'
        'title = "Home visit"\nowner = "outgoing"\noffset_working_days = -3\n')))
    assert rules.checks.handover_visit_task == "home_visit"


def test_an_empty_unless_removes_the_shipped_one_and_a_councils_replaces_it(
        tmp_path: Path) -> None:
    """A3: `unless = {}` was merged into the shipped unless, changing nothing."""
    rules = load_rules(_council(tmp_path, (
        "[tasks.templates.letter_person]\nunless = {}\n"
        '[tasks.templates.letter_gp]\nunless = { flags = ["carer"] }\n'
        '[tasks.templates.accessible_communication]\nunless = { accessible_formats = ["bsl"] }\n'
        '[tasks.templates.cto_review]\nincoming_role = ""\n')))
    templates = rules.tasks.templates
    assert templates["letter_person"].unless is None
    assert templates["accessible_communication"].unless is not None
    assert templates["accessible_communication"].unless.accessible_formats == ("bsl",)
    assert templates["cto_review"].incoming_role is None
    assert load_rules().tasks.templates["cto_review"].incoming_role == "key_worker"


def test_the_other_deadline_key_replaces_the_shipped_one(tmp_path: Path) -> None:
    """A4: a council giving first_contact a deadline in working days replaces its calendar
    days (docs/tasks.md), keeping the shipped deadlines list."""
    rules = load_rules(_council(tmp_path, "[tasks.templates.first_contact]\n"
                                          "offset_working_days = 3\n"))
    first_contact = rules.tasks.templates["first_contact"]
    assert first_contact.offset_calendar_days is None
    assert first_contact.deadline.days == 3 and not first_contact.deadline.calendar
    assert len(first_contact.deadlines) == 1


@pytest.mark.parametrize(("text", "line", "message"), [
    ("[risk.factors.lives_alone]\npoints = true\n", 3,
     ("risk.factors.lives_alone.points: is true: write a whole number (true and false are "
      "not numbers, and points = 0 switches a factor off)")),
    ('[risk.bands]\nred = "12"\n', 3, 'risk.bands.red: is "12": write a whole number without'),
    ('[matching.costs]\nother_team = "60"\n', 3, "matching.costs.other_team"),
    ('[eligibility]\ncpa_is_health_led = "no"\n', 3, 'is "no": write true or false'),
    ('[eligibility]\nhealth_led_clusters = ["10", 13]\n', 3,
     "eligibility.health_led_clusters.0"),
    ("[checks]\namhp_cover_fte = true\n", 3, "checks.amhp_cover_fte: is true"),
    ("[tasks.templates.letter_gp]\nenabled = 0\n", 3, "write true or false"),
    ('[[matching.distances]]\nbetween = ["A", "B"]\nkm = "8"\n', 4, "matching.distances.0.km"),
])
def test_values_of_the_wrong_type_are_refused_not_converted(
        tmp_path: Path, text: str, line: int, message: str) -> None:
    """A5: `points = true` was read as 1 point, `red = "12"` as 12, without a word."""
    with pytest.raises(RulesError) as caught:
        load_rules(_council(tmp_path, text))
    assert f"line {line}: " in caught.value.message and message in caught.value.message
