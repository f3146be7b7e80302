"""Worked cases for every pathway rule (Care Act reg 2, s117, CTO, health-led care)."""

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from transition.eligibility import (
    DECIDING_RULES,
    RULE_IDS,
    EligibilityRules,
    PathwayFacts,
    decide_pathway,
    rules_pathway,
    split_outcomes,
)
from transition.errors import RulesError
from transition.models import CARE_ACT_OUTCOMES, Pathway
from transition.ruleset import load_rules

RULES = load_rules().eligibility
TWO = ["nutrition", "hygiene"]


def facts(outcomes: Any = None, **fields: Any) -> PathwayFacts:
    fields.setdefault("s117", False)  # the export says no (blank is unknown: see below)
    fields.setdefault("cpa", False)
    return PathwayFacts.of(care_act_outcomes=outcomes, **fields)


# (case, facts, expected pathway, the deciding rule)
CASES = [
    (
        "one unmet outcome is not eligible",
        facts(["nutrition"], significant_impact=True),
        Pathway.SIGNPOST,
        "no_eligible_needs",
    ),
    (
        "two unmet with no significant impact is not eligible",
        facts(TWO, significant_impact=False),
        Pathway.SIGNPOST,
        "no_eligible_needs",
    ),
    (
        "two unmet with significant impact is eligible",
        facts(TWO, significant_impact=True),
        Pathway.COUNCIL,
        "eligible_needs",
    ),
    (
        "all ten unmet with significant impact is eligible",
        facts(list(CARE_ACT_OUTCOMES), significant_impact=True),
        Pathway.COUNCIL,
        "eligible_needs",
    ),
    (
        "assessed, none unmet",
        facts([], significant_impact=False),
        Pathway.SIGNPOST,
        "no_eligible_needs",
    ),
    (
        "s117 with no social-care needs is joint",
        facts([], s117=True),
        Pathway.JOINT,
        "s117_aftercare",
    ),
    (
        "CTO with no social-care needs is joint",
        facts([], cto=True),
        Pathway.JOINT,
        "community_treatment_order",
    ),
    (
        "s117 with outcomes not assessed is joint, not assess",
        facts(None, s117=True),
        Pathway.JOINT,
        "s117_aftercare",
    ),
    (
        "CTO with outcomes not assessed is joint",
        facts(None, cto=True),
        Pathway.JOINT,
        "community_treatment_order",
    ),
    (
        "s117 with health-led care only is joint, not trust",
        facts([], s117=True, cpa=True),
        Pathway.JOINT,
        "s117_aftercare",
    ),
    (
        "empty outcomes (not assessed) is assess",
        facts(None),
        Pathway.ASSESS,
        "outcomes_not_assessed",
    ),
    (
        # Not assess: that fills a social worker only, and the trust's key worker would end.
        "not assessed with CPA is joint: the key worker stays while the council assesses",
        facts(None, cpa=True),
        Pathway.JOINT,
        "health_led_not_yet_assessed",
    ),
    (
        "impact not recorded in a health-led cluster is joint",
        facts(TWO, cluster=14),
        Pathway.JOINT,
        "health_led_not_yet_assessed",
    ),
    ("two unmet, impact not recorded is assess", facts(TWO), Pathway.ASSESS, "impact_not_recorded"),
    ("'none' outcomes with CPA is trust", facts([], cpa=True), Pathway.TRUST, "health_led_only"),
    (
        "one unmet with CPA is trust",
        facts(["nutrition"], significant_impact=True, cpa=True),
        Pathway.TRUST,
        "health_led_only",
    ),
    (
        "CPA with eligible needs is joint",
        facts(TWO, significant_impact=True, cpa=True),
        Pathway.JOINT,
        "health_and_social_care",
    ),
    (
        "a health-led cluster with eligible needs is joint",
        facts(TWO, significant_impact=True, cluster=13),
        Pathway.JOINT,
        "health_and_social_care",
    ),
    (
        "a health-led cluster without eligible needs is trust",
        facts([], cluster=14),
        Pathway.TRUST,
        "health_led_only",
    ),
    (
        "a cluster the council does not list is not health-led",
        facts(TWO, significant_impact=True, cluster=4),
        Pathway.COUNCIL,
        "eligible_needs",
    ),
    (
        "cluster 12 (psychosis, high disability) is not health-led by default",
        facts(TWO, significant_impact=True, cluster=12),
        Pathway.COUNCIL,
        "eligible_needs",
    ),
    (
        "CPA recorded as no is not health-led",
        facts([], cpa=False),
        Pathway.SIGNPOST,
        "no_eligible_needs",
    ),
    (
        "s117 left blank is never signposted",
        facts([], s117=None),
        Pathway.ASSESS,
        "s117_not_recorded",
    ),
    (
        # Trust alone ends the council's part, as signposting does: not while s117 is unknown.
        "s117 left blank with health-led care only is joint, not trust",
        facts([], s117=None, cpa=True),
        Pathway.JOINT,
        "health_led_s117_not_recorded",
    ),
    (
        "s117 recorded as no is not joint",
        facts([], s117=False, cto=False),
        Pathway.SIGNPOST,
        "no_eligible_needs",
    ),
]


@pytest.mark.parametrize(("case", "given", "pathway", "rule"), CASES, ids=[c[0] for c in CASES])
def test_worked_cases(case: str, given: PathwayFacts, pathway: Pathway, rule: str) -> None:
    decision = decide_pathway(given, RULES)
    assert decision.pathway is pathway, case
    assert decision.reasons[0].rule == rule
    assert DECIDING_RULES[rule] is pathway
    assert rules_pathway(decision.reasons_as_dicts()) is pathway


@pytest.mark.parametrize(("case", "given", "pathway", "rule"), CASES, ids=[c[0] for c in CASES])
def test_every_reason_has_a_sentence_and_a_basis(
    case: str, given: PathwayFacts, pathway: Pathway, rule: str
) -> None:
    for reason in decide_pathway(given, RULES).reasons:
        assert reason.rule in RULE_IDS
        assert reason.reason.endswith(".") and "{" not in reason.reason
        assert reason.basis


def test_s117_and_cto_are_never_signpost_or_trust() -> None:
    for outcomes in (None, [], ["nutrition"], TWO):
        for impact in (None, False, True):
            for cpa in (None, False, True):
                for s117, cto in ((True, None), (None, True), (True, True)):
                    given = facts(outcomes, significant_impact=impact, cpa=cpa, s117=s117, cto=cto)
                    assert decide_pathway(given, RULES).pathway is Pathway.JOINT


def test_reasons_explain_each_condition_with_the_regulation() -> None:
    decision = decide_pathway(facts(TWO, significant_impact=True), RULES)
    by_rule = {reason.rule: reason for reason in decision.reasons}
    assert "reg 2(1)(a)" in by_rule["condition_a"].basis
    assert "mental-health caseload" in by_rule["condition_a"].reason
    assert "reg 2(1)(b)" in by_rule["condition_b_met"].basis
    assert (
        "2 of the ten outcomes (managing nutrition, personal hygiene)"
        in by_rule["condition_b_met"].reason
    )
    assert "reg 2(1)(c)" in by_rule["condition_c_met"].basis


def test_one_outcome_names_condition_b_and_skips_condition_c() -> None:
    decision = decide_pathway(facts(["toilet"], significant_impact=True), RULES)
    rules = [reason.rule for reason in decision.reasons]
    assert rules == ["no_eligible_needs", "condition_a", "condition_b_not_met"]
    assert "1 of the ten outcomes (managing toilet needs)" in decision.reasons[2].reason
    assert decision.eligible is False


def test_statutory_reasons_carry_their_sections() -> None:
    decision = decide_pathway(facts(None, s117=True, cto=True), RULES)
    assert [r.rule for r in decision.reasons[:2]] == ["s117_aftercare", "community_treatment_order"]
    assert decision.reasons[0].basis == "Mental Health Act 1983, s117"
    assert decision.reasons[1].basis == "Mental Health Act 1983, s17A"
    # The missing assessment is still reported, after the deciding reasons.
    assert "outcomes_not_assessed" in [r.rule for r in decision.reasons]


def test_unknown_outcome_keys_are_reported_not_counted_and_never_crash() -> None:
    # Two real outcomes: eligible whatever else is listed, and the rest is reported.
    decision = decide_pathway(
        facts([*TWO, "Juggling", "moon-phase"], significant_impact=True), RULES
    )
    assert decision.pathway is Pathway.COUNCIL
    unrecognised = [r for r in decision.reasons if r.rule == "unrecognised_outcomes"]
    assert unrecognised and "juggling, moon_phase" in unrecognised[0].reason


@pytest.mark.parametrize("written", [["N/A"], ["not assessed"], ["unknown"], ["TBC"],
                                     ["nutrition", "hygine"], ["none", "n/a"]])
def test_outcomes_that_cannot_be_read_are_assess_never_signpost(written: list[str]) -> None:
    """"N/A", "TBC" or an outcome spelt another way might be the unmet outcome that makes two:
    read as "nothing unmet" they signposted people whose needs no one had assessed."""
    decision = decide_pathway(facts(written, significant_impact=True), RULES)
    assert decision.pathway is Pathway.ASSESS and decision.eligible is None
    assert decision.reasons[0].rule == "outcomes_unreadable"
    assert "unrecognised_outcomes" not in [reason.rule for reason in decision.reasons]
    # On CPA the trust's key worker stays while the council assesses (joint, not assess).
    on_cpa = decide_pathway(facts(written, significant_impact=True, cpa=True), RULES)
    assert on_cpa.pathway is Pathway.JOINT
    assert [reason.rule for reason in on_cpa.reasons][::len(on_cpa.reasons) - 1] == [
        "health_led_not_yet_assessed", "outcomes_unreadable"]


def test_a_reason_that_cannot_be_worded_is_refused_when_the_rules_load() -> None:
    """A conversion or format after a known placeholder loaded, then stopped `assess`."""
    for wording in ("In cluster {cluster!x}.", "In cluster {cluster:%s}.", "In {cluster.x}."):
        with pytest.raises(ValidationError, match="health_led_cluster"):
            RULES.model_validate(RULES.model_dump() | {"reasons": RULES.reasons.model_dump() | {
                "health_led_cluster": {"reason": wording, "basis": "b"}}})


def test_outcome_keys_are_tolerant_of_case_spacing_and_duplicates() -> None:
    unmet, unknown = split_outcomes(["Nutrition", " hygiene ", "HOME SAFETY", "nutrition", "none"])
    assert unmet == frozenset({"nutrition", "hygiene", "home_safety"}) and unknown == ()
    assert split_outcomes(None) == (None, ())
    assert split_outcomes("nutrition;hygiene")[0] == frozenset(TWO)


def test_cpa_can_be_switched_off_by_the_council() -> None:
    rules = RULES.model_copy(update={"cpa_is_health_led": False})
    assert decide_pathway(facts([], cpa=True), rules).pathway is Pathway.SIGNPOST


def test_facts_from_a_person_like_object() -> None:
    class Row:
        care_act_outcomes = TWO
        significant_impact = True
        s117 = cto = cpa = None
        cluster = 16

    decision = decide_pathway(PathwayFacts.from_person(Row()), RULES)
    assert decision.pathway is Pathway.JOINT and decision.health_led


def test_rules_pathway_skips_a_manager_override() -> None:
    reasons = [
        {"rule": "manager_override", "reason": "x", "basis": "y"},
        {"rule": "health_led_only", "reason": "x", "basis": "y"},
    ]
    assert rules_pathway(reasons) is Pathway.TRUST
    assert rules_pathway(None) is None


# -- The rules file -----------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "council.toml"
    path.write_text(text)
    return path


def test_a_council_can_list_its_own_health_led_clusters(tmp_path: Path) -> None:
    rules = load_rules(
        write(tmp_path, 'version = "w1"\n[eligibility]\nhealth_led_clusters = [7, 8]\n')
    )
    assert rules.eligibility.health_led_clusters == frozenset({7, 8})
    assert decide_pathway(facts([], cluster=8), rules.eligibility).pathway is Pathway.TRUST
    assert decide_pathway(facts([], cluster=12), rules.eligibility).pathway is Pathway.SIGNPOST


def test_a_council_can_reword_one_reason(tmp_path: Path) -> None:
    text = (
        'version = "w2"\n[eligibility.reasons.s117_aftercare]\n'
        'reason = "Section 117: joint with the trust."\n'
    )
    rules = load_rules(write(tmp_path, text)).eligibility
    reason = decide_pathway(facts([], s117=True), rules).reasons[0]
    assert reason.reason == "Section 117: joint with the trust."
    assert reason.basis == "Mental Health Act 1983, s117"  # inherited from the defaults


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('version = "x"\n[eligibility]\nhealth_led_clusters = [10, 25]\n', 3, "0 to 21"),
        ('version = "x"\n[eligibility]\ncpa_is_health_led = "sometimes"\n', 3, "cpa_is_health_led"),
        ('version = "x"\n[eligibility]\nminimum_outcomes = 1\n', 3, "minimum_outcomes"),
        (
            'version = "x"\n\n[eligibility.reasons.moon_rule]\nreason = "x"\nbasis = "y"\n',
            3,
            "moon_rule",
        ),
        (
            'version = "x"\n[eligibility.reasons.condition_b_met]\nreason = "Short of {count}."\n',
            2,
            "{count}",
        ),
        (
            'version = "x"\n[eligibility.reasons.condition_a]\nreason = "Met {}."\n',
            2,
            "{}",
        ),
    ],
)
def test_a_bad_eligibility_section_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = caught.value.message
    assert str(path) in message and f"line {line}" in message and words in message
    assert "Nothing was changed" in message


def test_the_section_model_refuses_unknown_keys() -> None:
    data = load_rules().eligibility.model_dump()
    with pytest.raises(ValidationError):
        EligibilityRules.model_validate({**data, "surprise": True})


def test_the_documented_council_example_loads_and_does_what_it_says(tmp_path: Path) -> None:
    doc = Path(__file__).parents[2] / "docs" / "pathway-and-risk.md"
    example = doc.read_text().split("```toml\n", 1)[1].split("```", 1)[0]
    rules = load_rules(write(tmp_path, example))
    assert rules.version_label.startswith("westshire-2027.2#")
    assert decide_pathway(facts([], cluster=12), rules.eligibility).pathway is Pathway.TRUST
    s117 = decide_pathway(facts([], s117=True), rules.eligibility).reasons[0]
    assert s117.reason.startswith("Has section 117 aftercare: Westshire")
    assert rules.risk.bands.amber == 4 and rules.risk.factors.lives_alone.points == 0
    assert rules.risk.factors.no_recent_contact.wording() == "No contact for more than 84 days"


def test_no_unmet_outcome_reads_without_a_double_negative() -> None:
    decision = decide_pathway(facts([], significant_impact=False), RULES)
    assert decision.reasons[2].rule == "condition_b_not_met"
    assert decision.reasons[2].reason == (
        "Outcomes they are unable to achieve: none of the ten. Condition (b) needs two or "
        "more, so the needs are not eligible.")
    one = decide_pathway(facts(["toilet"], significant_impact=True), RULES).reasons[2].reason
    assert one.startswith("Outcomes they are unable to achieve: 1 of the ten outcomes "
                          "(managing toilet needs). Condition (b)")



def test_an_unknown_s117_never_ends_the_councils_part() -> None:
    """A blank s117 cell (or no s117 column) read as 'no' let a person be signposted, or left
    to the trust alone, and the council's part end; for anyone else it changes nothing."""
    for outcomes, fields, pathway in ((["nutrition", "hygiene"], {"significant_impact": True},
                                       Pathway.COUNCIL),
                                      (None, {}, Pathway.ASSESS), ([], {"cpa": True}, Pathway.JOINT),
                                      ([], {"cluster": 14}, Pathway.JOINT),
                                      (["nutrition"], {}, Pathway.ASSESS)):
        assert decide_pathway(facts(outcomes, s117=None, **fields), RULES).pathway is pathway
    blank = decide_pathway(facts(["nutrition"], s117=None), RULES)
    assert blank.reasons[0].rule == "s117_not_recorded" and "section 117" in blank.reasons[0].reason
    trust = decide_pathway(facts([], s117=None, cpa=True), RULES)
    assert [reason.rule for reason in trust.reasons][:2] == [
        "health_led_s117_not_recorded", "health_led_cpa"]
    assert "section 117" in trust.reasons[0].reason
    assert trust.reasons[0].basis == "Mental Health Act 1983, s117"
    # Recorded as no, the trust holds the case alone, as before.
    assert decide_pathway(facts([], s117=False, cpa=True), RULES).pathway is Pathway.TRUST


def test_an_unknown_cpa_never_signposts() -> None:
    """A blank CPA cell (or no CPA information at all) read as 'no' let someone not eligible
    be signposted, the reason saying they need no health-led care: it was not known. It
    changes nothing for anyone else, nor when the council's rules do not count CPA."""
    blank = decide_pathway(facts([], cpa=None), RULES)
    assert blank.pathway is Pathway.ASSESS and blank.reasons[0].rule == "cpa_not_recorded"
    assert "Care Programme Approach" in blank.reasons[0].reason
    for outcomes, fields, pathway in (
            (["nutrition", "hygiene"], {"significant_impact": True}, Pathway.COUNCIL),
            ([], {"cluster": 14}, Pathway.TRUST),  # health-led by its cluster
            ([], {"s117": True}, Pathway.JOINT)):
        assert decide_pathway(facts(outcomes, cpa=None, **fields), RULES).pathway is pathway
    assert decide_pathway(facts([], cpa=False), RULES).pathway is Pathway.SIGNPOST
    no_cpa_rule = RULES.model_copy(update={"cpa_is_health_led": False})
    assert decide_pathway(facts([], cpa=None), no_cpa_rule).pathway is Pathway.SIGNPOST


@pytest.mark.parametrize("stored", [[""], [" "], ["nutrition", ""], ["", "none"]])
def test_a_stored_entry_with_no_letters_is_unreadable_never_nothing_unmet(
    stored: list[str],
) -> None:
    """The importer keeps a cell of '-' or '.' (or 'nutrition; -') as an empty entry and warns
    that the pathway is assess until the record is corrected; read as nothing at all, the
    entry left "assessed, none unmet" and the person was signposted."""
    decision = decide_pathway(facts(stored, significant_impact=True), RULES)
    assert decision.pathway is Pathway.ASSESS and decision.eligible is None
    assert decision.reasons[0].rule == "outcomes_unreadable"
    assert "a blank entry" in decision.reasons[0].reason
    # Beside two real outcomes it is reported, not counted.
    two = decide_pathway(facts([*TWO, ""], significant_impact=True), RULES)
    assert two.pathway is Pathway.COUNCIL
    assert "unrecognised_outcomes" in [reason.rule for reason in two.reasons]
    # A raw cell's trailing separator is no entry.
    assert split_outcomes("nutrition;hygiene;") == (frozenset(TWO), ())
