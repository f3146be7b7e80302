"""The ``[matching]`` section of the rules file: who can fill each role, which person facts
require which skills, reach, the red-band cap and the cost weights (see docs/matching.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from transition.conditions import Condition, parse_condition
from transition.models import Pathway, Role

PATHWAY_ROLES: dict[str, tuple[str, ...]] = {
    Pathway.COUNCIL: (Role.SOCIAL_WORKER,),
    Pathway.TRUST: (Role.KEY_WORKER,),
    Pathway.JOINT: (Role.SOCIAL_WORKER, Role.KEY_WORKER),
    Pathway.ASSESS: (Role.SOCIAL_WORKER,),
    Pathway.SIGNPOST: (),
}
"""Pathway -> the roles a person needs filled (the contract in docs/ARCHITECTURE.md)."""

ROLE_WORDS: dict[str, str] = {Role.SOCIAL_WORKER: "social worker", Role.KEY_WORKER: "key worker"}




class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleFit(_Section):
    """Who can fill a role: their employer and their job role as the staff list gives it."""

    employers: tuple[str, ...]
    staff_roles: tuple[str, ...]

    @field_validator("employers", "staff_roles")
    @classmethod
    def _words(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if not values:
            raise ValueError("list at least one")
        return tuple(staff_word(value) for value in values)


class SkillRule(_Section):
    """People whose facts meet ``when`` need a worker with ``skill``.

    A council's file adds its entries to the shipped ones; an entry for a shipped skill replaces
    the shipped entries for it, and ``enabled = false`` (with no ``when``) turns that skill's
    shipped rule off (``transition.ruleset.deep_merge``)."""

    skill: str
    when: str = ""
    reason: str = Field("", description="Plain words for the condition, shown in reasons.")
    enabled: bool = Field(True, description="false: turn off the shipped rule for this skill.")
    _condition: Condition = PrivateAttr()

    @field_validator("skill")
    @classmethod
    def _skill(cls, value: str) -> str:
        if not staff_word(value):
            raise ValueError("name the skill a worker needs (as the staff list's skills give it)")
        return staff_word(value)

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        if value.strip():
            parse_condition(value)  # a ValueError names the problem; the loader adds the line
        return value

    @model_validator(mode="after")
    def _when_given(self) -> SkillRule:
        if self.enabled and not self.when.strip():
            raise ValueError(
                f"the rule for skill {self.skill!r} has no `when`: give the condition (e.g. "
                'when = "age >= 65"), or enabled = false to turn off the shipped rule for it')
        return self

    def model_post_init(self, _context: object) -> None:
        if self.when.strip():
            self._condition = parse_condition(self.when)

    @property
    def condition(self) -> Condition:
        return self._condition

    @property
    def because(self) -> str:
        return self.reason or self.when


class Reach(_Section):
    """Which workers are candidates for a person (a hard constraint)."""

    mode: Literal["nearby", "everywhere"] = "nearby"
    max_km: float = Field(0.0, ge=0, description="Other localities within this are in reach.")


class Distance(_Section):
    between: tuple[str, str]
    km: float = Field(ge=0)


class Costs(_Section):
    """Cost weights (whole numbers; the plan minimises their sum)."""

    new_worker: int = Field(1000, ge=0)
    known_worker: int = Field(400, ge=0)
    change_from_accepted: int = Field(500, ge=0)
    other_team: int = Field(60, ge=0)
    other_locality: int = Field(100, ge=0)
    per_km: int = Field(5, ge=0)
    gender_not_preferred: int = Field(80, ge=0)
    language_not_spoken: int = Field(150, ge=0)
    preferred_language_not_spoken: int = Field(75, ge=0)
    balance: int = Field(20, ge=0)


class MatchingRules(_Section):
    """The ``[matching]`` section of the rules file."""

    roles: dict[str, RoleFit] = Field(
        default_factory=lambda: {
            Role.SOCIAL_WORKER.value: RoleFit(employers=("council",), staff_roles=("social_worker",)),
            Role.KEY_WORKER.value: RoleFit(
                employers=("trust",),
                staff_roles=("nurse", "ot", "psychologist", "social_worker"),
            ),
        }
    )
    required_skills: tuple[SkillRule, ...] = ()
    reach: Reach = Field(default_factory=Reach)
    distances: tuple[Distance, ...] = ()
    costs: Costs = Field(default_factory=Costs)
    max_red_handovers_per_worker: int = Field(3, ge=0)
    caseload_per_fte: int = Field(25, ge=0)
    seconded_without_council_team: Literal["keep_only", "available"] = "keep_only"
    back_within_days: int = Field(0, ge=0)
    alternatives_shown: int = Field(3, ge=0, le=10)

    @field_validator("required_skills")
    @classmethod
    def _in_use(cls, rules: tuple[SkillRule, ...]) -> tuple[SkillRule, ...]:
        """Only the rules in use: ``enabled = false`` entries have done their work (turning a
        shipped rule off) when the files were merged."""
        return tuple(rule for rule in rules if rule.enabled)

    @field_validator("roles")
    @classmethod
    def _every_role(cls, roles: dict[str, RoleFit]) -> dict[str, RoleFit]:
        unknown = sorted(set(roles) - {role.value for role in Role})
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; roles are "
                             + ", ".join(role.value for role in Role))
        missing = sorted({role.value for role in Role} - set(roles))
        if missing:
            raise ValueError(f"say who can fill {', '.join(missing)}")
        return roles

    @model_validator(mode="after")
    def _skills_fit_in_a_mask(self) -> MatchingRules:
        if len({rule.skill for rule in self.required_skills}) > 62:
            raise ValueError("at most 62 different required skills")
        return self

    def extra_columns_read(self) -> dict[str, str]:
        """The export's extra columns the skill rules read (``extra.KEY``), each with the skill
        it decides: an import whose file lacks one says so."""
        read: dict[str, str] = {}
        for rule in self.required_skills:
            for name in sorted(rule.condition.facts):
                if name.startswith("extra."):
                    read.setdefault(name.removeprefix("extra."), rule.skill)
        return read

    def fits_some_role(self, employer: str | None, staff_role: str | None) -> bool:
        """Whether a worker with this employer and job role can fill any role a plan fills."""
        employer, staff_role = staff_word(employer or ""), staff_word(staff_role or "")
        return any(employer in fit.employers and staff_role in fit.staff_roles
                   for fit in self.roles.values())

    def fitting_no_role(self, workers: Iterable[tuple[str | None, str | None]]) -> str | None:
        """For ``(employer, job role)`` pairs: '6 (council amhp (4), trust amhp (2))', the
        workers whose pair fits no role a plan fills, counted by pair; None if every one fits.
        Right for AMHPs and psychiatrists; for a 'Social Wroker' it is a typo to catch."""
        counts = Counter(f"{staff_word(employer or '') or 'no employer'} "
                         f"{staff_word(role or '') or 'no role'}"
                         for employer, role in workers if not self.fits_some_role(employer, role))
        if not counts:
            return None
        listed = ", ".join(f"{words} ({count})" for words, count in sorted(counts.items()))
        return f"{sum(counts.values())} ({listed})"

    def distance_km(self) -> dict[tuple[str, str], float]:
        """Both directions of every distance the council gave (names compared folded)."""
        table: dict[tuple[str, str], float] = {}
        for distance in self.distances:
            first, second = (name.casefold() for name in distance.between)
            table[first, second] = table[second, first] = distance.km
        return table


def staff_word(value: str) -> str:
    """Roles, employers and skills compare as lower-case words joined by underscores."""
    return "_".join(value.strip().lower().replace("-", " ").split())


