from datetime import date
from pathlib import Path

import pytest

from transition.errors import RulesError
from transition.ruleset import load_rules
from transition.tasks import TaskRules
from transition.tasks.rules import Deadline, PersonFacts

CONTRACT_KEYS = {
    "assessment_booked", "joint_visit", "letter_person", "letter_gp", "letter_carer",
    "records_transferred", "budget_continuity", "s117_review", "cto_review",
    "accessible_communication", "first_contact", "cluster_review", "care_act_review",
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
    assert templates["letter_carer"].holds(facts(flags=frozenset({"carer_may_be_told"})))
    assert not templates["letter_carer"].holds(facts(flags=frozenset({"carer"})))  # said no
    assert not templates["letter_carer"].holds(facts())
    # Braille and BSL: the team arranges it instead of a letter the person cannot use.
    assert not templates["letter_person"].holds(facts(accessible_format="braille"))
    assert templates["letter_person"].holds(facts(accessible_format="large_print"))
    # Braille, BSL, audio or an interpreter: the derived flag (tasks.planner.FactsSeen).
    assert templates["accessible_communication"].holds(
        facts(accessible_format="bsl", flags=frozenset({"needs_other_format"})))
    assert templates["accessible_communication"].holds(
        facts(flags=frozenset({"needs_other_format", "interpreter"})))
    assert not templates["accessible_communication"].holds(facts(accessible_format="easy_read"))
    assert templates["care_act_review"].holds(facts(pathway="joint"))
    assert not templates["care_act_review"].holds(facts(pathway="trust"))


def test_someone_who_keeps_their_worker_gets_only_what_is_marked_for_them(
    tmp_path: Path,
) -> None:
    """An assess person keeping their social worker has no new worker to be written to about,
    handed records or met by: only the assessment, and a council's own template that says
    ``also_when_worker_stays``."""
    rules = load_rules().tasks
    flags = frozenset({"assessment_needed", "carer", "carer_may_be_told", "s117"})
    staying = facts(pathway="assess", flags=flags, worker_stays=True)
    moving = facts(pathway="assess", flags=flags)
    assert [key for key, template in rules.enabled.items() if template.holds(staying)] == [
        "assessment_booked"]
    assert {key for key, template in rules.enabled.items() if template.holds(moving)} == {
        "assessment_booked", "letter_person", "letter_gp", "letter_carer",
        "records_transferred", "s117_review", "first_contact"}
    council = tmp_path / "council.toml"
    council.write_text(
        'version = "w"\n[tasks.templates.eligibility_letter]\ntitle = "Assessment outcome sent"\n'
        'owner = "incoming"\noffset_working_days = 20\npathways = ["assess"]\n'
        "also_when_worker_stays = true\n")
    own = load_rules(council).tasks.templates["eligibility_letter"]
    assert own.holds(staying) and own.holds(moving)
    described = {item["key"]: item for item in load_rules(council).tasks.describe()}
    assert described["eligibility_letter"]["also_when_worker_stays"] is True
    assert described["letter_person"]["also_when_worker_stays"] is False


def test_first_contact_is_sooner_after_a_recent_discharge() -> None:
    # NICE NG53 counts calendar days: within 7 days, or 48 hours where the risk is highest.
    first_contact = load_rules().tasks.templates["first_contact"]
    week, two_days = Deadline(7, calendar=True), Deadline(2, calendar=True)
    assert first_contact.deadline_for(facts()) == week
    assert first_contact.deadline_for(facts(last_discharge=date(2027, 1, 5))) == two_days
    assert first_contact.deadline_for(facts(last_discharge=date(2026, 12, 1))) == week  # 121
    # A discharge after the handover date is not a discharge before the change.
    assert first_contact.deadline_for(facts(last_discharge=date(2027, 4, 2))) == week


def test_the_first_care_review_comes_within_the_clusters_review_interval() -> None:
    review = load_rules().tasks.templates["cluster_review"]
    trust = {"pathway": "trust"}
    assert review.holds(facts(cluster=14, **trust)) and review.holds(facts(cluster=15, **trust))
    # In calendar days, so the review never slips past the interval it stands for.
    assert review.deadline_for(facts(cluster=14, **trust)) == Deadline(28, calendar=True)
    assert review.deadline_for(facts(cluster=1, **trust)) == Deadline(84, calendar=True)
    assert review.deadline_for(facts(cluster=2, **trust)) == Deadline(105, calendar=True)
    assert not review.holds(facts(cluster=11, **trust))  # 6 or 12 months: past the handover
    assert not review.holds(facts(**trust))  # no cluster recorded
    assert not review.holds(facts(cluster=14, pathway="council"))  # no key worker
    assert review.holds(facts(cluster=14, pathway="joint"))
    assert load_rules().tasks.named_clusters == {1, 2, 14, 15}


def test_a_persons_cluster_is_kept_only_where_a_template_decides_by_it() -> None:
    from transition.tasks.planner import PERSON_COLUMNS, FactsSeen
    from transition.tasks.rules import COLUMN_FLAGS
    from transition.tasks.stored import StoredValues

    rules = load_rules().tasks
    assert rules.cluster_classes() == {1: 1, 2: 2, 14: 14, 15: 14}  # 14 and 15 go together
    seen = FactsSeen(StoredValues(), rules)
    handover = date(2027, 4, 1)

    def row(pathway: str, cluster: int | None) -> tuple[object, ...]:
        # A PERSON_COLUMNS row, by position: only these values set, every flag false.
        values = {"id": 1, "care_coordinator_id": "OUT1", "pathway": pathway,
                  "risk_band": "green", "cluster": cluster}
        names = [getattr(column, "key", None) for column in PERSON_COLUMNS]
        return tuple(values.get(name, 0 if name in COLUMN_FLAGS else None)  # type: ignore[arg-type]
                     for name in names)

    trust_14 = seen.facts(row("trust", 14), handover)
    trust_15 = seen.facts(row("trust", 15), handover)
    assert trust_14.cluster == 14 and trust_15 is trust_14  # one object for both
    assert seen.facts(row("trust", 2), handover).cluster == 2
    assert seen.facts(row("trust", 11), handover).cluster is None
    # A council-pathway person's cluster decides nothing: they share the facts of everyone
    # else on that pathway.
    council = seen.facts(row("council", 14), handover)
    assert council.cluster is None and council is seen.facts(row("council", None), handover)


def test_clusters_in_a_councils_own_template_and_its_unless(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text(
        "[tasks.templates.psychosis_plan_shared]\n"
        'title = "Crisis plan shared with the new worker"\n'
        'owner = "outgoing"\n'
        "offset_working_days = -5\n"
        "clusters = [10, 11, 12, 13, 14, 15, 16, 17]\n"
        "unless = { clusters = [16] }\n"
        "[tasks.templates.cluster_review]\n"
        "enabled = false\n"
    )
    rules = load_rules(council).tasks
    shared = rules.templates["psychosis_plan_shared"]
    assert shared.holds(facts(cluster=10)) and not shared.holds(facts(cluster=16))
    assert not shared.holds(facts(cluster=3))
    # Only templates in use count: cluster_review is off here.
    assert rules.named_clusters == set(range(10, 18))
    bad = tmp_path / "bad.toml"
    bad.write_text("[tasks.templates.first_contact]\nclusters = [22]\n")
    with pytest.raises(RulesError, match="clusters"):
        load_rules(bad)


def test_a_council_file_can_change_one_template_and_add_its_own(tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text(
        'version = "westshire-1"\n'
        "[tasks.templates.first_contact]\n"
        "offset_calendar_days = 5\n"
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
    assert rules.templates["first_contact"].deadline == Deadline(5, calendar=True)
    assert rules.templates["first_contact"].title == "First contact by the new worker"
    assert "joint_visit" not in rules.enabled
    assert rules.enabled["safeguarding_lead_told"].owner == "manager"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tasks.templates.first_contact]\nafter = ["records_transfered"]\n',
         "'records_transfered', which is not a task template"),
        (('[tasks.templates.letter_gp]\nafter = ["first_contact"]\n'
         '[tasks.templates.records_transferred]\nafter = ["letter_gp"]\n'),
         "go round in a circle"),
        ('[tasks.templates.letter_gp]\nafter = ["letter_gp"]\n', "names the task itself"),
        ('[tasks.templates.letter_gp]\nowner = "social_worker"\n',
         "'outgoing', 'incoming' or 'manager'"),
        ('[tasks.templates.letter_gp]\nflags = ["s118"]\n', "s117"),
        ('[tasks.templates.letter_gp]\nwhen = "always"\n', "when: is not a setting of [tasks.templates.letter_gp]"),
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
