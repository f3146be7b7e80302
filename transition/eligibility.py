"""Pathway decisions: which organisation should hold each person's case.

Every person gets one pathway (``models.Pathway``):

- ``joint``: a trust key worker *and* a council social worker. Section 117 aftercare and
  Community Treatment Orders are always joint (the council keeps its statutory duty), as is
  health-led care with eligible Care Act needs;
- ``trust``: health-led care without eligible Care Act needs (``joint`` while the export does
  not say whether s117 aftercare applies: trust alone would end the council's part);
- ``council``: eligible Care Act needs without health-led care;
- ``assess``: not enough is known (outcomes not assessed or unreadable, the impact on
  wellbeing not recorded, or s117 or CPA not recorded for someone who would be signposted):
  a social worker assesses or checks first;
- ``signpost``: no eligible needs and no health-led care: written advice and information.

Care Act eligibility follows the Care and Support (Eligibility Criteria) Regulations 2015,
reg 2, exactly: (a) the needs arise from a physical or mental impairment or illness (true of
everyone on a secondary mental-health caseload); (b) the adult is unable to achieve **two or
more** of the ten outcomes; (c) as a consequence there is a significant impact on wellbeing.
The threshold in (b) is the law, not a council choice, so it is a constant here.

The decision is a pure function of a small :class:`PathwayFacts` and the ``[eligibility]``
section of the rules file: which clusters count as health-led, whether the CPA / key-worker
flag does, and the wording and legal basis of every reason. Every decision carries its reasons
as data; the first reason is always the one that decided the pathway.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from transition.models import CARE_ACT_OUTCOMES, Pathway

BLANK_ENTRY = "a blank entry"
"""How an outcomes entry with no letters in it ("-", "."), kept by the importer, is reported."""

MIN_UNMET_OUTCOMES = 2
"""reg 2(1)(b): unable to achieve two or more of the specified outcomes (the law, not a rule)."""

OUTCOME_LABELS: dict[str, str] = {
    "nutrition": "managing nutrition",
    "hygiene": "personal hygiene",
    "toilet": "managing toilet needs",
    "clothing": "being appropriately clothed",
    "home_safety": "using the home safely",
    "habitable_home": "keeping a habitable home",
    "relationships": "family and other relationships",
    "work_education": "work, training, education or volunteering",
    "community_services": "using local facilities and services",
    "child_care": "caring for a child",
}
"""Short plain-English names for the ten outcomes of reg 2(2), in the regulation's order."""

assert tuple(OUTCOME_LABELS) == CARE_ACT_OUTCOMES

# The rule ids. The decision logic is fixed in code (it is the law); the rules file holds each
# rule's wording and legal basis. The first group decides a pathway; the rest are supporting
# findings listed after the deciding reason.
DECIDING_RULES: dict[str, Pathway] = {
    "s117_aftercare": Pathway.JOINT,
    "community_treatment_order": Pathway.JOINT,
    "health_and_social_care": Pathway.JOINT,
    "health_led_not_yet_assessed": Pathway.JOINT,
    "health_led_s117_not_recorded": Pathway.JOINT,
    "cpa_not_recorded": Pathway.ASSESS,
    "outcomes_not_assessed": Pathway.ASSESS,
    "impact_not_recorded": Pathway.ASSESS,
    "outcomes_unreadable": Pathway.ASSESS,
    "s117_not_recorded": Pathway.ASSESS,
    "health_led_only": Pathway.TRUST,
    "eligible_needs": Pathway.COUNCIL,
    "no_eligible_needs": Pathway.SIGNPOST,
}
# The deciding rules that say a Care Act assessment must come first. Their reason is listed
# after the deciding one when a statutory duty or health-led care makes the case joint.
ASSESSMENT_PENDING_RULES: tuple[str, ...] = tuple(
    rule for rule, pathway in DECIDING_RULES.items() if pathway is Pathway.ASSESS)
FINDING_RULES: tuple[str, ...] = (
    "health_led_cpa",
    "health_led_cluster",
    "condition_a",
    "condition_b_met",
    "condition_b_not_met",
    "condition_c_met",
    "condition_c_not_met",
    "unrecognised_outcomes",
)
RULE_IDS: tuple[str, ...] = (*DECIDING_RULES, *FINDING_RULES)

MANAGER_OVERRIDE = "manager_override"
"""The rule id of a manager's override, always first in ``Person.pathway_reasons`` when set."""

# Placeholders a reason's wording may use, per rule.
_PLACEHOLDERS: dict[str, frozenset[str]] = {
    rule: frozenset() for rule in RULE_IDS
} | {
    "impact_not_recorded": frozenset({"unmet_summary"}),
    "outcomes_unreadable": frozenset({"unrecognised", "unmet_summary"}),
    "condition_b_met": frozenset({"unmet_summary"}),
    "condition_b_not_met": frozenset({"unmet_summary"}),
    "health_led_cluster": frozenset({"cluster"}),
    "unrecognised_outcomes": frozenset({"unrecognised"}),
}


# A value of the type each placeholder is given, to word every reason once when the rules load.
_SAMPLE_VALUES: dict[str, object] = {
    "cluster": 14,
    "unmet_summary": "2 of the ten outcomes (managing nutrition, personal hygiene)",
    "unrecognised": "n_a",
}


# ---------------------------------------------------------------------------------------------
# The [eligibility] section of the rules file
# ---------------------------------------------------------------------------------------------


class ReasonText(BaseModel):
    """What a rule says to the person reading the decision, and the law or policy behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1, description="One plain-English sentence.")
    basis: str = Field(
        min_length=1, description="The legal basis, e.g. 'Mental Health Act 1983, s117'."
    )


class ReasonTexts(BaseModel):
    """One :class:`ReasonText` per rule id (unknown ids are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    s117_aftercare: ReasonText
    community_treatment_order: ReasonText
    health_and_social_care: ReasonText
    health_led_not_yet_assessed: ReasonText
    health_led_s117_not_recorded: ReasonText
    cpa_not_recorded: ReasonText
    outcomes_not_assessed: ReasonText
    impact_not_recorded: ReasonText
    outcomes_unreadable: ReasonText
    s117_not_recorded: ReasonText
    health_led_only: ReasonText
    eligible_needs: ReasonText
    no_eligible_needs: ReasonText
    health_led_cpa: ReasonText
    health_led_cluster: ReasonText
    condition_a: ReasonText
    condition_b_met: ReasonText
    condition_b_not_met: ReasonText
    condition_c_met: ReasonText
    condition_c_not_met: ReasonText
    unrecognised_outcomes: ReasonText

    @field_validator("*")
    @classmethod
    def _known_placeholders(cls, text: ReasonText, info: Any) -> ReasonText:
        allowed = _PLACEHOLDERS[info.field_name]
        try:
            used = {
                name for _, name, _, _ in string.Formatter().parse(text.reason) if name is not None
            }
        except ValueError as exc:
            raise ValueError(f"the reason's wording has a broken {{placeholder}}: {exc}") from None
        unknown = used - allowed
        if unknown:
            can = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "no placeholders"
            raise ValueError(
                f"the reason uses {', '.join(f'{{{n}}}' for n in sorted(unknown))}; "
                f"this rule can use {can}"
            )
        # Known names can still carry a conversion or format that fails only when a person is
        # assessed ("{cluster!x}", "{cluster:%}"): worded once here with typical values, so a
        # rules file that loads never stops `transition assess` half way.
        try:
            text.reason.format(**{name: _SAMPLE_VALUES[name] for name in allowed})
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            raise ValueError(
                f"the reason's wording cannot be filled in ({exc}): write placeholders plainly, "
                "as {name}, with no ! or : after the name"
            ) from None
        return text


class EligibilityRules(BaseModel):
    """The ``[eligibility]`` section of the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpa_is_health_led: bool = Field(
        description="A CPA / named key-worker flag means the person needs health-led care."
    )
    health_led_clusters: frozenset[int] = Field(
        description="Mental health clusters (0-21) the council treats as health-led care."
    )
    reasons: ReasonTexts

    @field_validator("health_led_clusters")
    @classmethod
    def _clusters_in_range(cls, clusters: frozenset[int]) -> frozenset[int]:
        bad = sorted(cluster for cluster in clusters if not 0 <= cluster <= 21)
        if bad:
            raise ValueError(f"clusters run from 0 to 21; {bad} is not a cluster")
        return clusters

    def text(self, rule: str) -> ReasonText:
        return getattr(self.reasons, rule)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Facts and decisions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathwayFacts:
    """What the pathway decision reads about one person (hashable, so decisions can be reused).

    ``unmet_outcomes`` is ``None`` when the outcomes have not been assessed, and an empty set
    when they were assessed and none is unmet. Keys that are not one of the ten outcomes are
    kept aside in ``unrecognised_outcomes`` (reported, never counted).
    """

    unmet_outcomes: frozenset[str] | None = None
    significant_impact: bool | None = None
    s117: bool | None = None
    cto: bool | None = None
    cpa: bool | None = None
    cluster: int | None = None
    unrecognised_outcomes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        care_act_outcomes: Iterable[object] | None,
        significant_impact: bool | None = None,
        s117: bool | None = None,
        cto: bool | None = None,
        cpa: bool | None = None,
        cluster: int | None = None,
    ) -> PathwayFacts:
        """Facts from a person's fields (``Person`` attributes or a database row)."""
        unmet, unrecognised = split_outcomes(care_act_outcomes)
        return cls(unmet, significant_impact, s117, cto, cpa, cluster, unrecognised)

    @classmethod
    def from_person(cls, person: Any) -> PathwayFacts:
        """Facts from a ``Person`` (or anything with the same attributes)."""
        return cls.of(
            care_act_outcomes=person.care_act_outcomes,
            significant_impact=person.significant_impact,
            s117=person.s117,
            cto=person.cto,
            cpa=person.cpa,
            cluster=person.cluster,
        )


def split_outcomes(
    values: Iterable[object] | None,
) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    """(the recognised unmet outcomes, anything else listed), tolerant of case and spacing."""
    if values is None:
        return None, ()
    if isinstance(values, str):  # a raw ';'-separated cell rather than a list
        values = [part for part in values.split(";") if part.strip()]
    known: set[str] = set()
    unknown: list[str] = []
    for value in values:
        key = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        if key == "none":
            continue
        if not key:
            # The importer keeps an entry with no letters ("-", ".") as empty: something was
            # written, and it may be the unmet outcome that makes two.
            key = BLANK_ENTRY
        if key in OUTCOME_LABELS:
            known.add(key)
        elif key not in unknown:
            unknown.append(key)
    return frozenset(known), tuple(sorted(unknown))


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a pathway: the rule, a plain-English sentence, and its legal basis."""

    rule: str
    reason: str
    basis: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "reason": self.reason, "basis": self.basis}


@dataclass(frozen=True, slots=True)
class PathwayDecision:
    """The pathway the rules decide and every reason, the deciding one first.

    ``eligible`` is the Care Act determination (``None`` when it cannot be made yet) and
    ``health_led`` whether the person needs health-led care, for callers that need them.
    """

    pathway: Pathway
    reasons: list[Reason] = field(default_factory=list)
    eligible: bool | None = None
    health_led: bool = False

    def reasons_as_dicts(self) -> list[dict[str, str]]:
        return [reason.as_dict() for reason in self.reasons]


def decide_pathway(facts: PathwayFacts, rules: EligibilityRules) -> PathwayDecision:
    """The pathway for one person under the council's rules, with its reasons."""

    def reason(rule: str, **values: object) -> Reason:
        text = rules.text(rule)
        return Reason(rule, text.reason.format(**values), text.basis)

    statutory: list[Reason] = []
    if facts.s117:
        statutory.append(reason("s117_aftercare"))
    if facts.cto:
        statutory.append(reason("community_treatment_order"))

    health: list[Reason] = []
    if facts.cpa and rules.cpa_is_health_led:
        health.append(reason("health_led_cpa"))
    if facts.cluster is not None and facts.cluster in rules.health_led_clusters:
        health.append(reason("health_led_cluster", cluster=facts.cluster))
    health_led = bool(health)

    eligible, findings, undecided = _care_act_eligibility(facts, reason)
    findings = health + findings
    if facts.unrecognised_outcomes and (undecided is None
                                        or undecided.rule != "outcomes_unreadable"):
        findings.append(
            reason("unrecognised_outcomes", unrecognised=", ".join(facts.unrecognised_outcomes))
        )

    # The order of these tests is the order of precedence: statutory duties first, then
    # missing information, then the combination of health-led care and eligibility. Missing
    # information never takes away a worker the person needs now: with a statutory duty or
    # health-led care the case is joint (the trust's key worker stays, and the council's
    # social worker assesses), not assess (a social worker only).
    if statutory:
        pending = [undecided] if undecided is not None else []
        return PathwayDecision(Pathway.JOINT, statutory + findings + pending, eligible, health_led)
    if undecided is not None and health_led:
        return PathwayDecision(Pathway.JOINT, [reason("health_led_not_yet_assessed"), *findings,
                                               undecided], eligible, health_led)
    if undecided is not None:
        return PathwayDecision(Pathway.ASSESS, [undecided, *findings], eligible, health_led)
    # Signposting, or leaving the case to the trust alone, ends the council's part; s117
    # aftercare is a joint duty that does not depend on eligibility, so neither happens until
    # the export says the person has none.
    if health_led and eligible:
        pathway, deciding = Pathway.JOINT, "health_and_social_care"
    elif health_led and facts.s117 is None:
        pathway, deciding = Pathway.JOINT, "health_led_s117_not_recorded"
    elif health_led:
        pathway, deciding = Pathway.TRUST, "health_led_only"
    elif eligible:
        pathway, deciding = Pathway.COUNCIL, "eligible_needs"
    elif facts.s117 is None:
        pathway, deciding = Pathway.ASSESS, "s117_not_recorded"
    elif facts.cpa is None and rules.cpa_is_health_led:
        # Not health-led by what is known, but the export does not say whether they are on
        # CPA: signposting would end a service they may need.
        pathway, deciding = Pathway.ASSESS, "cpa_not_recorded"
    else:
        pathway, deciding = Pathway.SIGNPOST, "no_eligible_needs"
    return PathwayDecision(pathway, [reason(deciding), *findings], eligible, health_led)


def _care_act_eligibility(
    facts: PathwayFacts, reason: Any
) -> tuple[bool | None, list[Reason], Reason | None]:
    """(eligible or None if unknown, findings for conditions (a)-(c), the undecided reason)."""
    findings = [reason("condition_a")]
    if facts.unmet_outcomes is None:
        return None, findings, reason("outcomes_not_assessed")
    summary = unmet_summary(facts.unmet_outcomes)
    if len(facts.unmet_outcomes) < MIN_UNMET_OUTCOMES and facts.unrecognised_outcomes:
        # "N/A", "not assessed", "TBC" or an outcome spelt another way: what was written
        # could be the unmet outcome that makes two, so it is not read as "not eligible".
        return None, findings, reason(
            "outcomes_unreadable", unmet_summary=summary,
            unrecognised=", ".join(facts.unrecognised_outcomes))
    if len(facts.unmet_outcomes) < MIN_UNMET_OUTCOMES:
        findings.append(reason("condition_b_not_met", unmet_summary=summary))
        return False, findings, None
    findings.append(reason("condition_b_met", unmet_summary=summary))
    if facts.significant_impact is None:
        return None, findings, reason("impact_not_recorded", unmet_summary=summary)
    if not facts.significant_impact:
        findings.append(reason("condition_c_not_met"))
        return False, findings, None
    findings.append(reason("condition_c_met"))
    return True, findings, None


def unmet_summary(unmet: Iterable[str]) -> str:
    """'none of the ten', '1 of the ten outcomes (managing nutrition)', ..."""
    names = [OUTCOME_LABELS[key] for key in CARE_ACT_OUTCOMES if key in set(unmet)]
    if not names:
        return "none of the ten"
    return f"{len(names)} of the ten outcomes ({', '.join(names)})"


def rules_pathway(reasons: Iterable[Mapping[str, Any]] | None) -> Pathway | None:
    """The pathway the rules decided, read back from stored reasons (skipping an override)."""
    for item in reasons or ():
        rule = item.get("rule")
        if rule == MANAGER_OVERRIDE:
            continue
        return DECIDING_RULES.get(str(rule))
    return None
