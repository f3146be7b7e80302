"""Handover risk: a transparent points model that ranks who needs the most careful handover.

In the spirit of NEWS2: each factor that applies adds its points, and the total maps to a band
(``red``, ``amber``, ``green``) by thresholds in the rules file. Factors, points, windows and
thresholds are all in ``[risk]`` of the rules file, each with the evidence it rests on.

This is **not** a prediction of suicide or harm. NICE's self-harm guidance (NG225) warns
against using risk tools or scores to predict suicide or to decide who gets care. The score
only puts the caseload in an order so that the people whose handover could hurt them most are
planned first and handed over most carefully; every score carries its factors so that a
person reading it sees why, and clinical judgement always comes first.

The model is monotone by construction: every factor adds zero or more points, so adding a
factor never lowers a score; and the band only rises with the score. Dates are measured from
an explicit ``as_of`` date, never the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from transition.absence import absence_words, not_over
from transition.allocation import continuing_coordinator
from transition.columns import FALSE_WORDS
from transition.languages import language_name
from transition.models import ACCESSIBLE_FORMAT_WORDS, RiskBand
from transition.postcodes import no_address, pseudo_meaning

BAND_MEANING: dict[RiskBand, str] = {
    RiskBand.RED: "needs the most careful handover: plan it first, with a joint visit",
    RiskBand.AMBER: "needs a careful, planned handover",
    RiskBand.GREEN: "a standard handover",
}
"""What each band means. Bands rank handovers; they do not predict suicide or harm."""


# ---------------------------------------------------------------------------------------------
# The [risk] section of the rules file
# ---------------------------------------------------------------------------------------------


class _Factor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    points: int = Field(ge=0, le=50, description="Points added when the factor applies (0 = off).")
    label: str = Field(min_length=1, description="Plain-English wording; may use {parameters}.")

    def wording(self) -> str:
        """The label with its parameters filled in (e.g. 'in the last 14 days')."""
        return self.label.format(**self.model_dump(exclude={"points", "label"}))

    @model_validator(mode="after")
    def _label_uses_known_parameters(self) -> _Factor:
        try:
            self.wording()
        except (KeyError, IndexError, ValueError) as exc:
            names = self.model_dump(exclude={"points", "label"})
            known = ", ".join(f"{{{name}}}" for name in names)
            if isinstance(exc, KeyError):
                problem = f"uses {{{exc.args[0]}}}"
            else:
                problem = f"is broken ({exc})"
            raise ValueError(
                f"the label {problem}; this factor can use {known or 'no placeholders'}"
            ) from None
        return self


class FlagFactor(_Factor):
    """Applies when a yes/no field is yes."""


class DaysFactor(_Factor):
    days: int = Field(ge=1, le=3650)


class MonthsFactor(_Factor):
    months: int = Field(ge=1, le=120)


class CountFactor(_Factor):
    at_least: int = Field(ge=1, le=1000)


class YearsFactor(_Factor):
    years: int = Field(ge=1, le=50)


class LeavingFactor(_Factor):
    within_days: int = Field(ge=0, le=3650)


class RiskFactors(BaseModel):
    """One entry per factor; the ids are fixed (the tests live in code), the numbers are not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    discharged_very_recently: DaysFactor
    discharged_recently: MonthsFactor
    no_follow_up_after_discharge: DaysFactor
    missed_appointments: CountFactor
    self_harm_history: FlagFactor
    substance_misuse: FlagFactor
    lives_alone: FlagFactor
    repeat_admissions: CountFactor
    safeguarding_open: FlagFactor
    s117_or_cto: FlagFactor
    long_relationship: YearsFactor
    coordinator_leaving: LeavingFactor
    no_known_coordinator: FlagFactor
    personal_budget: FlagFactor
    communication_needs: FlagFactor
    no_recent_contact: DaysFactor
    no_fixed_address: FlagFactor
    unsettled_accommodation: FlagFactor
    unemployed: FlagFactor

    @field_validator("unsettled_accommodation")
    @classmethod
    def _housing_tiers_nest(cls, unsettled: FlagFactor, info: ValidationInfo) -> FlagFactor:
        # No fixed abode is the fuller form of not being in settled accommodation: when both
        # count, a person with no address must never score lower than one with an unsettled
        # home (unsettled_accommodation is left out when no_fixed_address applies).
        fixed = info.data.get("no_fixed_address")
        if fixed is None or not fixed.points or fixed.points >= unsettled.points:
            return unsettled
        raise ValueError(
            f"no_fixed_address.points ({fixed.points}) must be at least "
            f"unsettled_accommodation.points ({unsettled.points}): no fixed abode must never "
            "score lower than an unsettled home (or set no_fixed_address.points = 0)"
        )

    @field_validator("discharged_recently")
    @classmethod
    def _discharge_tiers_nest(cls, recent: MonthsFactor, info: ValidationInfo) -> MonthsFactor:
        # The two discharge factors are tiers of one fact: the very recent one replaces the
        # other. So that a more recent discharge never scores lower, its window must sit inside
        # the longer one and it must be worth at least as many points.
        very = info.data.get("discharged_very_recently")
        if very is None:  # already reported as invalid
            return recent
        if very.days >= recent.months * 28:
            raise ValueError(
                f"discharged_very_recently.days ({very.days}) must be shorter than "
                f"discharged_recently.months ({recent.months} months)"
            )
        if very.points < recent.points:
            raise ValueError(
                f"discharged_very_recently.points ({very.points}) must be at least "
                f"discharged_recently.points ({recent.points}): a more recent discharge must "
                "never score lower"
            )
        return recent

    @field_validator("no_follow_up_after_discharge")
    @classmethod
    def _follow_up_inside_the_window(cls, follow_up: DaysFactor,
                                     info: ValidationInfo) -> DaysFactor:
        # It reads discharges in the discharged_recently window: a follow-up period as long as
        # the window would never end inside it, so the factor could never apply.
        recent = info.data.get("discharged_recently")
        if recent is None or not follow_up.points or follow_up.days < recent.months * 28:
            return follow_up
        raise ValueError(
            f"no_follow_up_after_discharge.days ({follow_up.days}) must be shorter than "
            f"discharged_recently.months ({recent.months} months), the discharges it reads: "
            "otherwise it never applies (or set its points = 0)"
        )


class RiskBands(BaseModel):
    """A score at or above ``red`` is red; at or above ``amber`` is amber; anything less green."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    red: int = Field(ge=1, le=1000)
    amber: int = Field(ge=1, le=1000)

    @model_validator(mode="after")
    def _red_above_amber(self) -> RiskBands:
        if self.red <= self.amber:
            raise ValueError(f"red ({self.red}) must be higher than amber ({self.amber})")
        return self

    def band(self, score: int) -> RiskBand:
        if score >= self.red:
            return RiskBand.RED
        if score >= self.amber:
            return RiskBand.AMBER
        return RiskBand.GREEN


class RiskRules(BaseModel):
    """The ``[risk]`` section of the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bands: RiskBands
    factors: RiskFactors


FACTOR_IDS: tuple[str, ...] = tuple(RiskFactors.model_fields)
"""Every factor, in the order the rules file and the documentation list them."""


# ---------------------------------------------------------------------------------------------
# Facts and scores
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoordinatorFacts:
    """What the staff list says about the person's current worker."""

    staff_id: str
    leaving_date: date | None = None
    absent_until: date | None = None
    seconded: bool = False
    absent_from: date | None = None  # a planned absence's first day (transition.absence)


@dataclass(slots=True)
class RiskFacts:
    """What the risk score reads about one person (and their current worker).

    (Not frozen: building 100,000 frozen dataclasses costs a second; treat it as read-only.)

    ``coordinator`` is the staff-list entry for ``care_coordinator_id``, or ``None`` when the
    person has no recorded coordinator or the coordinator is not on the staff list.
    ``staff_list_loaded`` says whether a staff list exists at all, so an empty staff table does
    not make everyone's coordinator look unknown.
    """

    last_discharge: date | None = None
    missed_appointments_6m: int | None = None
    self_harm_history: bool | None = None
    substance_misuse: bool | None = None
    lives_alone: bool | None = None
    admissions_12m: int | None = None
    safeguarding_open: bool | None = None
    s117: bool | None = None
    cto: bool | None = None
    coordinator_since: date | None = None
    care_coordinator_id: str | None = None
    # When the coordinator's allocation ended (None while current): ended before ``as_of``,
    # the person has no known coordinator, and nothing about that worker counts any more.
    coordinator_until: date | None = None
    coordinator: CoordinatorFacts | None = None
    staff_list_loaded: bool = False
    personal_budget: bool | None = None
    interpreter_language: str | None = None
    accessible_format: str | None = None
    last_contact: date | None = None
    accommodation_type: str | None = None
    settled_accommodation: bool | None = None
    employment_status: str | None = None
    postcode: str | None = None

    @classmethod
    def from_person(
        cls,
        person: Any,
        coordinator: CoordinatorFacts | None = None,
        *,
        staff_list_loaded: bool = False,
    ) -> RiskFacts:
        """Facts from a ``Person`` (or a row with the same attributes) and its coordinator."""
        return cls(
            last_discharge=person.last_discharge,
            missed_appointments_6m=person.missed_appointments_6m,
            self_harm_history=person.self_harm_history,
            substance_misuse=person.substance_misuse,
            lives_alone=person.lives_alone,
            admissions_12m=person.admissions_12m,
            safeguarding_open=person.safeguarding_open,
            s117=person.s117,
            cto=person.cto,
            coordinator_since=person.coordinator_since,
            care_coordinator_id=person.care_coordinator_id,
            coordinator_until=person.coordinator_until,
            coordinator=coordinator,
            staff_list_loaded=staff_list_loaded,
            personal_budget=person.personal_budget,
            interpreter_language=person.interpreter_language,
            accessible_format=person.accessible_format,
            last_contact=person.last_contact,
            accommodation_type=person.accommodation_type,
            settled_accommodation=person.settled_accommodation,
            employment_status=person.employment_status,
            postcode=person.postcode,
        )


class Factor(NamedTuple):
    """One factor that applied: its id, points, the person's value, and its wording."""

    factor: str
    points: int
    value: Any
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor, "points": self.points, "value": self.value, "label": self.label
        }


class RiskScore(NamedTuple):
    """A score, its band and every factor behind it (highest points first)."""

    score: int
    band: RiskBand
    factors: list[Factor]

    def factors_as_dicts(self) -> list[dict[str, Any]]:
        return [factor.as_dict() for factor in self.factors]


Scorer = Callable[[RiskFacts], RiskScore]


def score(facts: RiskFacts, rules: RiskRules, *, as_of: date) -> RiskScore:
    """The handover-risk score of one person, with dates measured from ``as_of``."""
    return scorer(rules, as_of)(facts)


# Which facts each factor's test reads, as groups: :class:`BulkScorer` scores each group once per
# distinct value of its facts. A factor whose test starts reading other facts must move to (or
# join) the group holding them; test_risk.py checks the bulk scores against the plain ones.
_GROUPS: dict[str, tuple[str, ...]] = {
    "last_discharge": ("discharged_very_recently", "discharged_recently"),
    # Both dates: a discharge with no contact since. Keyed by the pair only after a discharge.
    "follow_up": ("no_follow_up_after_discharge",),
    # long_relationship reads coordinator_until too (an ended allocation is no relationship),
    # and whether a coordinator is recorded at all (not who: keyed by yes or no).
    "coordinator_since": ("long_relationship",),
    "last_contact": ("no_recent_contact",),
    "coordinator": ("coordinator_leaving", "no_known_coordinator"),
    "other": (
        "missed_appointments", "self_harm_history", "substance_misuse", "lives_alone",
        "repeat_admissions", "safeguarding_open", "s117_or_cto", "personal_budget",
        "communication_needs", "no_fixed_address", "unsettled_accommodation", "unemployed",
    ),
}
OTHER_FACTS = (
    "missed_appointments_6m", "self_harm_history", "substance_misuse", "lives_alone",
    "admissions_12m", "safeguarding_open", "s117", "cto", "personal_budget",
    "interpreter_language", "accessible_format", "accommodation_type", "settled_accommodation",
    "employment_status", "postcode",
)
"""The facts of the ``other`` group, in the order :class:`BulkScorer` takes them. A bulk caller
passes the postcode through :func:`transition.postcodes.no_address` (None for every real
postcode), the accommodation type through :func:`homeless_code` (None for every settled
kind) and the employment status through :func:`seeking_work` (None but for 02), so that people
share this group's values as before."""

# MHSDS EmployStatus 02: unemployed and actively seeking work (NHS Data Dictionary EMPLOYMENT
# STATUS). The others (student, long-term sick, looking after the home, retired...) are not the
# "job problems" the evidence names.
SEEKING_WORK = "02"


def seeking_work(employment_status: str | None) -> str | None:
    """The code when the employment status says unemployed and seeking work, else None."""
    return SEEKING_WORK if employment_status == SEEKING_WORK else None


def allocation_ended(coordinator_until: date | None, as_of: date) -> bool:
    """Whether the export says the care coordinator's allocation ended before ``as_of``
    (``coordinator_until``, MHSDS EndDateAssCareCoord, is its last day).

    The rule of :func:`transition.allocation.continuing_coordinator` with the change measured at
    ``as_of``, so that the score and the handover agree on who holds the person (only the dates
    decide, so any id stands in for the coordinator's)."""
    return continuing_coordinator("", coordinator_until, as_of) is None


# What an export's AccommodationType says when the person has no settled home. Codes: MHSDS
# AccommodationType 12 is a rough sleeper (docs: DOMAIN); the NHS Data Dictionary's ACCOMMODATION
# STATUS CODE puts every kind of homelessness under HM (HM01 rough sleeper, HM03 night shelter or
# hostel, HM04 sofa surfing, HM05 temporary accommodation, HM06 a short-term guest, HM07 other
# homeless). Words: those codes' descriptions and the short forms trusts write instead.
#
# The whole value must be a code, one of these phrases, or a code with its description
# ("12 - Rough sleeper", "HM04 Sofa surfing (sleeps on ...)"): a word found *inside* free text
# ("Not homeless", "Previously homeless, now owner occupier", CH01's "Foyer ... for young people
# who are homeless") says nothing certain about the person now, and a list of negations to look
# for could never be complete. Free text that is none of these counts for nothing here;
# SettledAccommodationInd N still counts on its own, and the person screen shows the text.
_HOMELESS_PHRASES = frozenset({
    "rough sleeper", "rough sleeping", "sleeping rough", "sleeps rough",
    "homeless", "homelessness", "street homeless", "other homeless",
    "no fixed abode", "sofa surfing", "sofa surfer",
    "night shelter", "sleeping in night shelter",
    "night shelter emergency hostel direct access hostel",
    "placed in temporary accommodation by local authority",
    "placed in temporary accommodation by local authority e g bed and breakfast accommodation",
    "staying with friends family as a short term guest",
})
_CODE = re.compile(r"\d{1,3}|[a-z]{2}\d{2}")  # 01-99 (AccommodationType), MA01, HM04...
_IN_BRACKETS = re.compile(r"\([^)]*\)")  # a description's explanation: "(sleeps on ...)"


def _homeless(code: str) -> bool:
    return code.startswith("hm") or code.isdigit() and int(code) == 12


def homeless_code(accommodation_type: str | None) -> str | None:
    """The accommodation type as written when it says the person has no settled home (a
    rough sleeper, homeless, sofa surfing...), else None."""
    if not accommodation_type:
        return None
    text = accommodation_type.strip()
    words = re.findall(r"[a-z0-9]+", _IN_BRACKETS.sub(" ", text.lower()))
    if not words:
        return None
    # A code first or last ("12 Rough sleeper", "Rough sleeper - 12") decides on its own.
    for end in (words[0], words[-1]):
        if _CODE.fullmatch(end):
            return text if _homeless(end) else None
    return text if " ".join(words) in _HOMELESS_PHRASES else None


def unsettled_home(accommodation_type: str | None, settled: bool | None) -> str | None:
    """Why the export's accommodation status says the person has no settled home, or None:
    the risk factor's value, and why a letter notes the address may not reach them."""
    homeless = homeless_code(accommodation_type)
    if homeless:
        return f"accommodation type {homeless}"
    return "not in settled accommodation" if settled is False else None

# An interpreter column that says none is needed, as letters and matching read it.
_NO_INTERPRETER = FALSE_WORDS | {"none", "english"}


def needs_interpreter(interpreter_language: str | None) -> bool:
    """Whether the interpreter column says one is needed ('unspecified' for a bare yes)."""
    word = (interpreter_language or "").strip().lower()
    return bool(word) and word not in _NO_INTERPRETER


# The dates the score reads of things that had happened by as_of, in the words a person's
# record uses. One after as_of is not counted (as of that day it had not happened), which for a
# mistyped date (01/12 written for 01/11) silently lowers the score: dates_not_counted says so.
EVENT_DATES: dict[str, str] = {
    "last_discharge": "last discharge",
    "last_contact": "last contact",
    "coordinator_since": "care coordinator since",
}


def dates_not_counted(person: Any, as_of: date | None) -> list[dict[str, Any]]:
    """The dates in :data:`EVENT_DATES` of ``person`` (a ``Person`` or a row with those
    attributes) after ``as_of``, which its score at ``as_of`` did not count: each as
    ``{"field", "label", "value"}``. The score itself is unchanged: a date to come is no
    evidence, only a date to check."""
    if as_of is None:
        return []
    return [{"field": field, "label": label, "value": value}
            for field, label in EVENT_DATES.items()
            if (value := getattr(person, field)) is not None and value > as_of]


_Test = tuple[str, int, str, Callable[[RiskFacts], Any]]


@lru_cache(maxsize=16)
def scorer(rules: RiskRules, as_of: date) -> Scorer:
    """A scoring function with the rules and the as-of date compiled in (for bulk use)."""
    plan = _plan(rules, as_of)
    band = rules.bands.band

    def run(facts: RiskFacts) -> RiskScore:
        found = [
            Factor(name, points, value, label)
            for name, points, label, test in plan
            if (value := test(facts)) is not None
        ]
        total = sum(factor.points for factor in found)
        return RiskScore(total, band(total), found)

    return run


@lru_cache(maxsize=16)
def _plan(rules: RiskRules, as_of: date) -> tuple[_Test, ...]:
    """Every factor switched on, in the order scores list them, with its test for ``as_of``."""
    f = rules.factors
    very_recent_from = as_of - timedelta(days=f.discharged_very_recently.days)
    recent_from = as_of - relativedelta(months=f.discharged_recently.months)
    long_since = as_of - relativedelta(years=f.long_relationship.years)
    leaving_by = as_of + timedelta(days=f.coordinator_leaving.within_days)
    contact_before = as_of - timedelta(days=f.no_recent_contact.days)

    # Dates after as_of are ignored: as of that day they had not happened (so a run with an
    # earlier --as-of reproduces what was known then).
    def discharge_very_recent(x: RiskFacts) -> Any:
        d = x.last_discharge
        return d.isoformat() if d is not None and very_recent_from <= d <= as_of else None

    def discharge_recent(x: RiskFacts) -> Any:
        d = x.last_discharge
        return d.isoformat() if d is not None and recent_from <= d < very_recent_from else None

    # NICE NG53: follow-up within 7 days of discharge. Only the last contact is known, so a
    # contact on or after the discharge day counts as follow-up (even a late one); none since
    # the discharge, once the days have passed, is a missed follow-up. The days are counted
    # from the day after the discharge, as the NHS's 7-day follow-up measure counts them, and
    # the last of them is still a day to follow up on: a discharge on a Monday is missed from
    # the Tuesday a week later, not on the Monday. Only for a discharge in the
    # discharged_recently window: an older gap is no_recent_contact's.
    missed_if_before = as_of - timedelta(days=f.no_follow_up_after_discharge.days)

    def no_follow_up(x: RiskFacts) -> Any:
        d, seen = x.last_discharge, x.last_contact
        if d is None or not recent_from <= d < missed_if_before:
            return None
        if seen is not None and seen > as_of:
            seen = None  # as of that day it had not happened
        if seen is not None and seen >= d:
            return None
        since = f"last contact {seen.isoformat()}" if seen is not None else "no contact recorded"
        return f"discharged {d.isoformat()}; {since}"

    def missed(x: RiskFacts) -> Any:
        n = x.missed_appointments_6m
        return n if n is not None and n >= f.missed_appointments.at_least else None

    def admissions(x: RiskFacts) -> Any:
        n = x.admissions_12m
        return n if n is not None and n >= f.repeat_admissions.at_least else None

    def statutory(x: RiskFacts) -> Any:
        parts = [name for name, flag in (("s117", x.s117), ("CTO", x.cto)) if flag]
        return " and ".join(parts) or None

    # A coordinator whose allocation ended is no longer the person's: the gap is
    # no_known_coordinator's, and their length of service or leaving date says nothing more.
    # With no coordinator recorded, a start date left in the export is no relationship either.
    def long_relationship(x: RiskFacts) -> Any:
        d = x.coordinator_since
        if (d is None or d > long_since or not x.care_coordinator_id
                or allocation_ended(x.coordinator_until, as_of)):
            return None
        return d.isoformat()

    def leaving(x: RiskFacts) -> Any:
        c = x.coordinator
        if c is None or allocation_ended(x.coordinator_until, as_of):
            return None
        notes = []
        if c.leaving_date is not None and c.leaving_date <= leaving_by:
            verb = "left" if c.leaving_date < as_of else "leaves"
            who = "seconded worker, not returning: " if c.seconded else ""
            notes.append(f"{who}{verb} on {c.leaving_date.isoformat()}")
        # An absence not over (``absent_until`` is its last day away); a planned one once it
        # starts within the leaving horizon, as a leaving date does.
        if (not_over(as_of, c.absent_from, c.absent_until)
                and (c.absent_from is None or c.absent_from <= leaving_by)):
            notes.append(absence_words(c.absent_from, c.absent_until))
        return f"{c.staff_id}: {'; '.join(notes)}" if notes else None

    def no_coordinator(x: RiskFacts) -> Any:
        if not x.care_coordinator_id:
            return "none recorded"
        if x.coordinator_until is not None and allocation_ended(x.coordinator_until, as_of):
            return (f"{x.care_coordinator_id}'s allocation ended on "
                    f"{x.coordinator_until.isoformat()}")
        if x.staff_list_loaded and x.coordinator is None:
            return f"{x.care_coordinator_id} is not on the staff list"
        return None

    def communication(x: RiskFacts) -> Any:
        parts = []
        if needs_interpreter(x.interpreter_language):
            # "Urdu", as the person's record and the letters name it (an export may write
            # "urdu"); a bare yes stays "unspecified", which names no language.
            language = " ".join((x.interpreter_language or "").split())
            if language.lower() != "unspecified":
                language = language_name(language)
            parts.append(f"interpreter: {language}")
        if x.accessible_format:
            # "easy read", as the GP letter names it, not the stored key "easy_read".
            shown = ACCESSIBLE_FORMAT_WORDS.get(x.accessible_format, x.accessible_format)
            parts.append(f"accessible format: {shown}")
        return "; ".join(parts) or None

    def no_contact(x: RiskFacts) -> Any:
        d = x.last_contact
        return d.isoformat() if d is not None and d < contact_before else None

    def no_fixed_address(x: RiskFacts) -> Any:
        code = no_address(x.postcode)
        return f"{code} ({pseudo_meaning(code)})" if code else None

    fixed_abode_counts = f.no_fixed_address.points > 0

    def unsettled(x: RiskFacts) -> Any:
        # One fact with no_fixed_address (a home, or not): counted once, there first.
        if fixed_abode_counts and no_address(x.postcode):
            return None
        return unsettled_home(x.accommodation_type, x.settled_accommodation)

    tests: dict[str, Callable[[RiskFacts], Any]] = {
        "discharged_very_recently": discharge_very_recent,
        "discharged_recently": discharge_recent,
        "no_follow_up_after_discharge": no_follow_up,
        "missed_appointments": missed,
        "self_harm_history": lambda x: True if x.self_harm_history else None,
        "substance_misuse": lambda x: True if x.substance_misuse else None,
        "lives_alone": lambda x: True if x.lives_alone else None,
        "repeat_admissions": admissions,
        "safeguarding_open": lambda x: True if x.safeguarding_open else None,
        "s117_or_cto": statutory,
        "long_relationship": long_relationship,
        "coordinator_leaving": leaving,
        "no_known_coordinator": no_coordinator,
        "personal_budget": lambda x: True if x.personal_budget else None,
        "communication_needs": communication,
        "no_recent_contact": no_contact,
        "no_fixed_address": no_fixed_address,
        "unsettled_accommodation": unsettled,
        "unemployed": lambda x: ("unemployed and seeking work (EmployStatus 02)"
                                 if seeking_work(x.employment_status) else None),
    }
    assert tuple(tests) == FACTOR_IDS
    # Factors are listed highest points first, then in catalogue order; zero-point factors are
    # switched off and never listed.
    compiled = sorted(
        (
            (-getattr(f, name).points, index, name, getattr(f, name).points,
             getattr(f, name).wording(), tests[name])
            for index, name in enumerate(FACTOR_IDS)
            if getattr(f, name).points > 0
        ),
    )
    return tuple((name, points, label, test) for _, _, name, points, label, test in compiled)


_Part = tuple[tuple[int, Factor], ...]


class BulkScorer:
    """Scores a whole caseload: the same results as :func:`scorer`, in a fraction of the time.

    Each factor reads one group of facts (a date, the coordinator, or the yes/no and count
    fields), and many people share each group's values, so each group is scored once per
    distinct value and the groups' factors are merged in the order :func:`scorer` lists them.
    The coordinator is ``staff[care_coordinator_id]`` (``None`` when the id is empty or not on
    the staff list); dates may be given in any form ``read_date`` turns into a ``date`` (the
    raw text SQLite returns, say), each distinct value read once. People with the same
    factors get the same :class:`RiskScore` object: treat it as read-only.
    """

    def __init__(
        self,
        rules: RiskRules,
        as_of: date,
        staff: dict[str, CoordinatorFacts],
        *,
        staff_list_loaded: bool,
        read_date: Callable[[Any], date | None] = lambda value: value,
    ) -> None:
        plan = _plan(rules, as_of)
        rank = {test[0]: index for index, test in enumerate(plan)}
        self._tests = {
            group: tuple((rank[name], *plan[rank[name]]) for name in names if name in rank)
            for group, names in _GROUPS.items()
        }
        assert sorted(name for names in _GROUPS.values() for name in names) == sorted(FACTOR_IDS)
        self._band = rules.bands.band
        self._staff = staff
        self._staff_list_loaded = staff_list_loaded
        self._read_date = read_date
        self._parts: dict[str, dict[Any, _Part]] = {group: {} for group in _GROUPS}
        self._scores: dict[tuple[int, ...], RiskScore] = {}

    def _part(self, group: str, key: Any, facts: RiskFacts) -> _Part:
        found = self._parts[group][key] = tuple(
            (index, Factor(name, points, value, label))
            for index, name, points, label, test in self._tests[group]
            if (value := test(facts)) is not None
        )
        return found

    def __call__(
        self,
        last_discharge: Any,
        coordinator_since: Any,
        last_contact: Any,
        care_coordinator_id: str | None,
        coordinator_until: Any,
        other: tuple[Any, ...],
    ) -> RiskScore:
        """One person's score; ``other`` holds the values of :data:`OTHER_FACTS` in order."""
        parts = self._parts
        day = self._read_date
        discharge = parts["last_discharge"].get(last_discharge)
        if discharge is None:
            discharge = self._part("last_discharge", last_discharge,
                                   RiskFacts(last_discharge=day(last_discharge)))
        # Most people have a coordinator whose allocation has no end date: the date they
        # started is the key.
        started = (coordinator_since if coordinator_until is None and care_coordinator_id
                   else (coordinator_since, coordinator_until, bool(care_coordinator_id)))
        since = parts["coordinator_since"].get(started)
        if since is None:
            since = self._part("coordinator_since", started, RiskFacts(
                coordinator_since=day(coordinator_since),
                coordinator_until=day(coordinator_until),
                care_coordinator_id="recorded" if care_coordinator_id else None,
            ))
        # Most people have no discharge: then nothing to follow up, whatever their contact.
        pair = (last_discharge, last_contact) if last_discharge is not None else None
        follow = parts["follow_up"].get(pair)
        if follow is None:
            follow = self._part("follow_up", pair, RiskFacts(
                last_discharge=day(last_discharge), last_contact=day(last_contact)))
        contact = parts["last_contact"].get(last_contact)
        if contact is None:
            contact = self._part("last_contact", last_contact,
                                 RiskFacts(last_contact=day(last_contact)))
        # Most people's allocation has no end date: their coordinator alone is the key.
        held_by = (care_coordinator_id if coordinator_until is None
                   else (care_coordinator_id, coordinator_until))
        coordinator = parts["coordinator"].get(held_by)
        if coordinator is None:
            coordinator = self._part("coordinator", held_by, RiskFacts(
                care_coordinator_id=care_coordinator_id,
                coordinator_until=day(coordinator_until),
                coordinator=self._staff.get(care_coordinator_id) if care_coordinator_id else None,
                staff_list_loaded=self._staff_list_loaded,
            ))
        rest = parts["other"].get(other)
        if rest is None:
            rest = self._part("other", other, RiskFacts(**dict(zip(OTHER_FACTS, other,
                                                                    strict=True))))
        # Every part is kept in its cache, so its id stands for it for the whole run.
        key = (id(discharge), id(follow), id(since), id(contact), id(coordinator), id(rest))
        found = self._scores.get(key)
        if found is None:
            merged = discharge + follow + since + contact + coordinator + rest
            if len(merged) > 1:
                merged = sorted(merged)  # by rank: ranks differ, so factors are never compared
            factors = [factor for _, factor in merged]
            total = 0
            for factor in factors:
                total += factor.points
            found = self._scores[key] = RiskScore(total, self._band(total), factors)
        return found
