from datetime import date
from pathlib import Path

import pytest

from transition.errors import RulesError
from transition.ruleset import load_rules
from transition.tasks import TaskRules
from transition.tasks.rules import PersonFacts

CONTRACT_KEYS = {
    "assessment_booked", "joint_visit", "letter_person", "letter_gp", "letter_carer",
    "records_transferred", "budget_continuity", "s117_review", "cto_review",
    "accessible_communication", "first_contact", "care_act_review",
}


def facts(**overrides: object) -> PersonFacts:
    values: dict[str, object] = {
        "pathway": "council", "risk_band": "green", "flags": frozenset(),
        "accessible_format": None, "last_discharge": None, "handover_date": date(2027, 4, 1),
    }
    values.update(overrides)
    return PersonFacts(**values)  # type: ignore[arg-type]


def test_the_shipped_templates_use_exactly_the_contract_keys() -> None:
    rules = load_rules().tasks
    assert set(rules.templates) == CONTRACT_KEYS
    assert set(rules.enabled) == CONTRACT_KEYS


def test_conditions_pick_out_the_right_people() -> None:
    templates = load_rules().tasks.templates
    assert templates["joint_visit"].holds(facts(risk_band="red"))
    assert not templates["joint_visit"].holds(facts(risk_band="amber"))
    assert not templates["joint_visit"].holds(facts(risk_band="red", pathway="signpost"))
    assert templates["letter_carer"].holds(facts(flags=frozenset({"carer"})))
    assert not templates["letter_carer"].holds(facts())
    # Braille and BSL: the team arranges it instead of a letter the person cannot use.
    assert not templates["letter_person"].holds(facts(accessible_format="braille"))
    assert templates["letter_person"].holds(facts(accessible_format="large_print"))
    assert templates["accessible_communication"].holds(facts(accessible_format="bsl"))
    assert not templates["accessible_communication"].holds(facts(accessible_format="easy_read"))
    assert templates["care_act_review"].holds(facts(pathway="joint"))
    assert not templates["care_act_review"].holds(facts(pathway="trust"))


def test_first_contact_is_sooner_after_a_recent_discharge() -> None:
    first_contact = load_rules().tasks.templates["first_contact"]
    assert first_contact.deadline_for(facts()) == 7
    assert first_contact.deadline_for(facts(last_discharge=date(2027, 1, 5))) == 2  # 86 days
    assert first_contact.deadline_for(facts(last_discharge=date(2026, 12, 1))) == 7  # 121 days
    # A discharge after the handover date is not a discharge before the change.
    assert first_contact.deadline_for(facts(last_discharge=date(2027, 4, 2))) == 7


def test_a_council_file_can_change_one_template_and_add_its_own(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text(
        'version = "westshire-1"\n'
        "[tasks.templates.first_contact]\n"
        "offset_working_days = 5\n"
        "[tasks.templates.joint_visit]\n"
        "enabled = false\n"
        "[tasks.templates.safeguarding_lead_told]\n"
        'title = "Safeguarding lead told about the change"\n'
        'owner = "manager"\n'
        "offset_working_days = -10\n"
        'flags = ["safeguarding_open"]\n'
        'after = ["joint_visit"]\n'
    )
    rules = load_rules(council).tasks
    assert rules.templates["first_contact"].offset_working_days == 5
    assert rules.templates["first_contact"].title == "First contact by the new worker"
    assert "joint_visit" not in rules.enabled
    assert rules.enabled["safeguarding_lead_told"].owner == "manager"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tasks.templates.first_contact]\nafter = ["records_transfered"]\n',
         "'records_transfered', which is not a task template"),
        ('[tasks.templates.letter_gp]\nafter = ["first_contact"]\n'
         '[tasks.templates.records_transferred]\nafter = ["letter_gp"]\n',
         "go round in a circle"),
        ('[tasks.templates.letter_gp]\nafter = ["letter_gp"]\n', "names the task itself"),
        ('[tasks.templates.letter_gp]\nowner = "social_worker"\n',
         "'outgoing', 'incoming' or 'manager'"),
        ('[tasks.templates.letter_gp]\nflags = ["s118"]\n', "s117"),
        ('[tasks.templates.letter_gp]\nwhen = "always"\n', "Extra inputs are not permitted"),
        ('[tasks.templates.Bad-Key]\ntitle = "x"\nowner = "manager"\noffset_working_days = 1\n',
         "lower case letters"),
        ('[tasks.templates.new_one]\ntitle = "x"\nowner = "manager"\n', "offset_working_days"),
    ],
)
def test_bad_templates_are_refused_with_a_clear_error(tmp_path: Path, toml: str,
                                                      message: str) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "x"\n' + toml)
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert message in caught.value.message
    assert str(council) in caught.value.message


def test_a_bad_owner_names_its_line(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "x"\n[tasks.templates.letter_gp]\nowner = "gp"\n')
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert "line 3" in caught.value.message
    assert "tasks.templates.letter_gp.owner" in caught.value.message


def test_an_empty_section_is_valid() -> None:
    assert TaskRules().enabled == {}
