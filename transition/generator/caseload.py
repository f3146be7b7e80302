"""The people on the trust's caseload: every canonical field, filled plausibly and consistently.

Each person is drawn from a *design*: the pathway the generator means the council's rules to
reach (council, trust, joint, assess, signpost), and from that the team, cluster, CPA flag,
s117 and CTO status and Care Act outcomes that a real record with that pathway would carry.
Risk fields follow a hidden level (low, medium, high) so that risk factors cluster in the same
people, as they do in life (NCISH: recent discharge, self-harm, substance misuse, lost contact).
The design is never written to the files: the council's rules decide from the fields alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from transition.generator import vocabulary as words
from transition.generator.draw import Weighted, below, between, pick, pick_name, sample
from transition.generator.places import Locality, Team, World, postcode, street_address
from transition.generator.workforce import Worker
from transition.models import CARE_ACT_OUTCOMES

# The design mix: (design, share). joint_s117 people are joint because of s117 aftercare;
# joint_eligible people are Care Act eligible *and* on health-led care (CPA).
DESIGNS = Weighted([
    ("joint_s117", 17), ("joint_eligible", 12), ("council", 20), ("trust", 30),
    ("assess", 10), ("signpost", 11),
])
PATHWAY_OF_DESIGN = {"joint_s117": "joint", "joint_eligible": "joint", "council": "council",
                     "trust": "trust", "assess": "assess", "signpost": "signpost"}
# Roles each design needs after the transition (see ARCHITECTURE.md "Roles").
COUNCIL_ROLE_DESIGNS = frozenset({"joint_s117", "joint_eligible", "council", "assess"})
TRUST_ROLE_DESIGNS = frozenset({"joint_s117", "joint_eligible", "trust"})

SERVICES = {
    "joint_s117": Weighted([("forensic", 25), ("eip", 8), ("older_adults", 10), ("cmht", 57)]),
    "joint_eligible": Weighted([("eip", 5), ("older_adults", 25), ("perinatal", 3), ("cmht", 67)]),
    "council": Weighted([("older_adults", 25), ("perinatal", 2), ("cmht", 73)]),
    "trust": Weighted([("eip", 15), ("older_adults", 12), ("perinatal", 4), ("forensic", 3),
                       ("cmht", 66)]),
    "assess": Weighted([("eip", 5), ("older_adults", 20), ("cmht", 75)]),
    "signpost": Weighted([("older_adults", 10), ("cmht", 90)]),
}
AGES = {  # (youngest, oldest) by service
    "eip": (18, 35), "older_adults": (65, 96), "forensic": (21, 62), "perinatal": (19, 42),
    "cmht": (18, 64),
}
# Mental health clusters (0-21; 9 was never used). Psychosis 10-17, organic 18-21.
CLUSTERS = {
    "eip": Weighted([(10, 80), (3, 6), (4, 6), (1, 4), (14, 4)]),
    "organic": Weighted([(18, 20), (19, 35), (20, 25), (21, 20)]),
    "older_functional": Weighted([(3, 15), (4, 30), (11, 20), (12, 15), (15, 10), (7, 10)]),
    "forensic": Weighted([(11, 15), (12, 20), (13, 20), (16, 15), (17, 15), (8, 10), (14, 5)]),
    "perinatal": Weighted([(3, 25), (4, 35), (5, 15), (10, 10), (15, 10), (14, 5)]),
    "health_led": Weighted([(11, 14), (12, 17), (13, 12), (14, 3), (15, 3), (16, 6), (17, 7),
                            (4, 9), (5, 6), (6, 3), (7, 8), (8, 9), (3, 3)]),
    "social": Weighted([(3, 14), (4, 18), (5, 8), (6, 4), (7, 16), (8, 12), (11, 18), (12, 10)]),
    "light": Weighted([(0, 8), (1, 30), (2, 32), (3, 22), (4, 8)]),
    "unassessed": Weighted([(2, 10), (3, 20), (4, 20), (5, 8), (7, 12), (8, 10), (11, 12),
                            (12, 8)]),
}
OUTCOME_WEIGHTS = Weighted([
    ("nutrition", 12), ("hygiene", 10), ("toilet", 3), ("clothing", 4), ("home_safety", 8),
    ("habitable_home", 10), ("relationships", 14), ("work_education", 9),
    ("community_services", 14), ("child_care", 2),
])
UNMET_COUNTS = Weighted([(2, 30), (3, 30), (4, 20), (5, 12), (6, 8)])
# design -> (high, medium) shares of the hidden risk level; the rest are low. "High" is a
# person in an unstable period (a recent admission, disengaging, an open enquiry): about one in
# twelve of a community caseload, most often among people on s117 after a detention. People the
# rules signpost are, by design, stable enough to leave secondary care: never high.
RISK_LEVELS = {
    "joint_s117": (0.15, 0.40), "trust": (0.09, 0.36), "joint_eligible": (0.08, 0.34),
    "council": (0.05, 0.30), "assess": (0.05, 0.28), "signpost": (0.0, 0.15),
}
# A forensic history (an offence, a hospital order under Part III of the Mental Health Act):
# everyone the forensic and rehabilitation team holds, and some of the people on s117 aftercare
# and on the trust's caseload whom an adult CMHT now holds. Written as the trust's own
# ``forensic_history`` column, which the importer keeps in ``extra``.
FORENSIC_HISTORY_IN_CMHT = {"joint_s117": 0.08, "trust": 0.02}
ACCESSIBLE_FORMATS = Weighted([("large_print", 45), ("easy_read", 25), ("email", 14),
                               ("audio", 8)])
PERSON_GENDERS = Weighted([("male", 48.5), ("female", 49), ("non_binary", 1.2), ("other", 0.3),
                           ("not_known", 1.0)])
SELF_HARM_BY_RISK = {"high": 0.3, "medium": 0.1, "low": 0.0}  # added to the cluster's rate
SAFEGUARDING_BY_RISK = {"high": 0.14, "medium": 0.05, "low": 0.02}
CARER_BY_SERVICE = {"older_adults": 0.5, "perinatal": 0.6}  # else 0.28
PERSONAL_BUDGET_BY_DESIGN = {"council": 0.25, "joint_eligible": 0.25, "joint_s117": 0.15,
                             "assess": 0.03, "trust": 0.02, "signpost": 0.01}
ADMISSIONS = (1, 1, 1, 1, 1, 1, 1, 2, 2, 3)  # admissions in the last year, when there was one
LOW_RISK_MISSED = (0,) * 15 + (1, 1, 1, 1, 2)
MEDIUM_RISK_MISSED = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4)
HIGH_RISK_MISSED = (1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 9)
NO_COORDINATOR = {"assess": 0.06, "signpost": 0.04}  # else 0.005
CARE_HOMES = ("Lavender Lodge Care Home", "The Beeches Care Home", "Orchard House Nursing Home",
              "Meadowbank Residential Home")


def cto_expiry(nhs_number: str, today: date) -> date:
    """When a CTO expires: within the six months of an order's first period, spread by the NHS
    number (no random draw, so every other value of the sample stays as it was)."""
    return today + timedelta(days=1 + int(nhs_number) % 183)


# MHSDS LanguageCodePreferred as an export codes it: ISO 639-1. Cantonese has no such code (the
# trust writes the name, as exports do for a language the code list lumps together).
LANGUAGE_CODES = {"polish": "pl", "urdu": "ur", "bengali": "bn", "portuguese": "pt",
                  "punjabi": "pa", "somali": "so", "arabic": "ar", "romanian": "ro",
                  "tigrinya": "ti", "lithuanian": "lt"}


def preferred_language(origin_language: str | None, interpreter: str | None,
                       nhs_number: str) -> str | None:
    """The preferred language the export records: the home language for everyone who needs an
    interpreter and for half of the others who speak one, English for the rest, and not
    recorded for one in twenty of those with no other language. Spread by the NHS number (no
    random draw, so every other value of the sample stays as it was)."""
    spread = int(nhs_number) % 20
    if origin_language is None:
        return None if spread == 0 else "en"
    if interpreter is None and spread >= 10:
        return "en"
    return LANGUAGE_CODES.get(origin_language, origin_language.title())


def carer_consent(carer: bool, nhs_number: str) -> bool | None:
    """Whether the person agrees to their carer being told, for someone with a carer: no for
    one in twelve, not recorded for one in six, yes for the rest (no carer: not recorded).
    Spread by the NHS number (no random draw, so every other value of the sample stays as it
    was)."""
    if not carer:
        return None
    spread = int(nhs_number) // 30_000 % 24
    return False if spread < 2 else None if spread < 6 else True


# MHSDS EthnicCategory by naming tradition, as a trust's records would most often have it.
ETHNIC_CODES = {"polish": "C", "portuguese": "C", "romanian": "C", "lithuanian": "C",
                "pakistani": "J", "bangladeshi": "K", "south_asian_indian": "H",
                "west_african": "N", "somali": "N", "eritrean": "N", "arabic": "S",
                "chinese": "R"}
# For the British naming tradition, by the NHS number's last two digits: some Irish, mixed and
# Caribbean people with British names, the rest White British.
_BRITISH_SPREAD = ((4, "B"), (7, "M"), (9, "D"), (10, "F"), (11, "G"), (100, "A"))


def ethnic_category(origin: str, nhs_number: str) -> str | None:
    """The ethnic category the export records: by naming tradition, with one in twelve not
    stated (Z) and one in twenty-five not known (blank). Spread by the NHS number (no random
    draw, so every other value of the sample stays as it was)."""
    spread = int(nhs_number) % 300
    if spread < 25:
        return "Z"
    if spread < 37:
        return None
    if origin in ETHNIC_CODES:
        return ETHNIC_CODES[origin]
    rest = int(nhs_number) // 300 % 100
    return next(code for below, code in _BRITISH_SPREAD if rest < below)


def cpa_start(nhs_number: str, today: date) -> date:
    """When a CPA episode began: within the last five years, spread by the NHS number (no random
    draw, so every other value of the sample stays as it was)."""
    return today - timedelta(days=30 + int(nhs_number) % 1800)


@dataclass(slots=True)
class Person:
    """One caseload row. Attribute names are the canonical column names (columns.py)."""

    nhs_number: str
    local_id: str
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str
    address: str
    postcode: str
    locality: str
    team: str
    care_coordinator_id: str | None
    gp_practice: str
    gp_practice_name: str
    gp_address: str
    cpa: bool
    cpa_start: date | None
    cpa_end: date | None
    cluster: int | None
    s117: bool
    cto: bool
    cto_start: date | None
    cto_expiry: date | None
    safeguarding_open: bool
    last_contact: date | None
    last_discharge: date | None
    admissions_12m: int
    missed_appointments_6m: int
    self_harm_history: bool
    substance_misuse: bool
    lives_alone: bool
    # MHSDS accommodation status: this trust's export carries the columns but does not record
    # them (settled "Z", not stated; no type), as many exports do; a real one may.
    accommodation_type: str | None
    settled_accommodation: str | None
    # MHSDS EmployStatus: carried but not recorded (ZZ, not stated), as accommodation is.
    employment_status: str | None
    ethnic_category: str | None  # MHSDS EthnicCategory (A-S, Z not stated)
    carer: bool
    carer_name: str | None
    carer_address: str | None
    carer_consent: bool | None  # the person agrees to their carer being told
    personal_budget: bool
    interpreter_language: str | None
    preferred_language: str | None  # as the export codes it (ISO 639-1, or a name)
    accessible_format: str | None
    preferred_worker_gender: str | None
    care_act_outcomes: str | None  # None = not assessed; "none" = assessed, none unmet
    significant_impact: bool | None
    coordinator_since: date | None
    coordinator_until: date | None
    forensic_history: bool  # the trust's own column, after the canonical ones (EXTRA_COLUMNS)
    perinatal: bool  # the trust's own too: under the perinatal team (pregnant or a new mother)
    # The design (never written): what the generator meant, for summaries and tests.
    design: str
    service: str
    risk: str
    home: Locality
    team_ref: Team
    wants_coordinator: bool

    @property
    def pathway(self) -> str:
        return PATHWAY_OF_DESIGN[self.design]


def _weighted_digits(weights: tuple[int, int, int]) -> list[int]:
    return [sum(int(digit) * weight for digit, weight in zip(f"{n:03d}", weights, strict=True))
            for n in range(1000)]


# Modulus 11 for 999 followed by six digits, by table: the weighted sum of "999" is
# 9*10 + 9*9 + 9*8 = 243, and each half of the six digits is looked up. Five times faster than
# nhs.complete() per number, which matters at 100,000 people; a test checks they agree.
_PREFIX_999 = 243
_HIGH = _weighted_digits((7, 6, 5))
_LOW = _weighted_digits((4, 3, 2))


def synthetic_nhs_number(stem: int) -> str | None:
    """The valid NHS number 999 + ``stem`` (six digits) + check digit, or None if none is."""
    check = 11 - (_PREFIX_999 + _HIGH[stem // 1000] + _LOW[stem % 1000]) % 11
    if check == 10:
        return None
    return f"999{stem:06d}{0 if check == 11 else check}"


class NhsNumbers:
    """Unique valid synthetic NHS numbers (999 range) in a random but fixed order."""

    def __init__(self, rng: Random, needed: int):
        # About 1 in 11 six-digit stems has no valid check digit: draw a margin.
        stems = sample(rng, range(1_000_000), min(1_000_000, needed + needed // 8 + 50))
        self._numbers = (number for stem in stems
                         if (number := synthetic_nhs_number(stem)) is not None)

    def next(self) -> str:
        return next(self._numbers)


class PersonFactory:
    """Draws people one at a time from the shared random stream."""

    def __init__(self, rng: Random, world: World, reference_date: date, needed: int):
        self.rng = rng
        self.world = world
        self.today = reference_date
        self.nhs_numbers = NhsNumbers(rng, needed)
        self.local_ids = iter(sample(rng, range(1_000_000, 10_000_000), needed))
        self.people_origins = Weighted([(o, o.people_weight) for o in words.ORIGINS])
        self.localities = Weighted([(loc, loc.weight) for loc in world.localities])
        # Forensic cases live where everyone does (their own draw, so the sample stays as it
        # was generated); the forensic pinch is in the staff: little forensic experience
        # within reach of one locality (places.World.forensic_pinch).
        self.forensic_localities = Weighted([(loc, loc.weight) for loc in world.localities])

    # -- helpers ------------------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=between(self.rng, low, high))

    def birth_date(self, youngest: int, oldest: int) -> date:
        age_days = between(self.rng, youngest * 365 + 30, oldest * 365 + 300)
        return self.today - timedelta(days=age_days)

    def outcomes(self, count: int, age: int) -> str:
        chosen: set[str] = set()
        while len(chosen) < count:
            outcome = OUTCOME_WEIGHTS.pick(self.rng)
            if outcome == "child_care" and not 20 <= age <= 55:
                continue
            chosen.add(outcome)
        return ";".join(key for key in CARE_ACT_OUTCOMES if key in chosen)

    # -- one person ---------------------------------------------------------------------------

    def make(self) -> Person:
        rng = self.rng
        design = DESIGNS.pick(rng)
        origin = self.people_origins.pick(rng)
        gender = PERSON_GENDERS.pick(rng)
        service = SERVICES[design].pick(rng)
        if service == "perinatal" and gender != "female":
            service = "cmht"
        home = (self.forensic_localities if service == "forensic" else self.localities).pick(rng)
        team = self.world.team_for(service, home)
        born = self.birth_date(*AGES[service])
        age = (self.today - born).days // 365
        given, family = pick_name(rng, origin, gender, older=age >= 60)

        care_home = service == "older_adults" and rng.random() < 0.08
        if care_home:
            address = f"{pick(rng, CARE_HOMES)}, {between(rng, 1, 59)} " \
                      f"{pick(rng, words.STREET_NAMES)} Road, {home.name}"
        else:
            address = street_address(rng, home.name)
        home_postcode = postcode(rng, home.district)
        practice = pick(rng, home.practices)

        cluster = self.cluster(design, service)
        s117 = design == "joint_s117"
        if s117:
            cto = rng.random() < 0.30
        else:  # nearly everyone on a CTO is also on s117: a rare record says otherwise
            cto = design in ("trust", "joint_eligible") and rng.random() < 0.004
        if design in ("joint_eligible", "trust"):
            cpa = True
        elif design == "joint_s117":
            cpa = rng.random() < 0.9
        else:
            cpa = design == "assess" and rng.random() < 0.1
        outcomes, significant = self.care_act(design, age)

        high, medium = RISK_LEVELS[design]
        roll = rng.random()
        risk = "high" if roll < high else "medium" if roll < high + medium else "low"
        if cluster in (14, 15, 17) and risk == "medium" and rng.random() < 0.3:
            risk = "high"
        discharge = self.discharge(risk, s117, stable=design == "signpost")
        admissions = 0
        if discharge is not None and (self.today - discharge).days <= 365:
            admissions = pick(rng, ADMISSIONS) + (rng.random() < 0.03)
        wants_coordinator = rng.random() >= NO_COORDINATOR.get(design, 0.005)
        last_contact = self.last_contact(risk, discharge, wants_coordinator)
        missed = self.missed("low" if design == "signpost" else risk)

        self_harm_base = (0.15 if design == "signpost"  # mild, stable: leaving secondary care
                          else 0.06 if cluster is not None and cluster >= 18
                          else 0.5 if cluster is not None and 3 <= cluster <= 8
                          else 0.3)
        self_harm = rng.random() < self_harm_base + SELF_HARM_BY_RISK[risk]
        substance = cluster == 16 or rng.random() < (0.45 if service == "forensic" else 0.14) \
            + (0.2 if risk == "high" else 0)
        lives_alone = not care_home and rng.random() < (0.55 if service == "older_adults" else 0.42)
        # An open safeguarding enquiry keeps the council involved: nobody signposted has one.
        safeguarding = design != "signpost" and rng.random() < SAFEGUARDING_BY_RISK[risk]
        forensic_history = service == "forensic" or (
            service == "cmht" and rng.random() < FORENSIC_HISTORY_IN_CMHT.get(design, 0.0))

        carer = not care_home and rng.random() < CARER_BY_SERVICE.get(service, 0.28)
        carer_name = carer_address = None
        if carer:
            carer_given, carer_family = pick_name(rng, origin, pick(rng, ("male", "female")),
                                                  older=age >= 45)
            if rng.random() < 0.5:
                carer_family = family
            carer_name = f"{carer_given} {carer_family}"
            if not lives_alone and rng.random() < 0.6:
                carer_address = f"{address} {home_postcode}"
            else:
                carer_home = home if rng.random() < 0.85 else self.localities.pick(rng)
                carer_address = f"{street_address(rng, carer_home.name)} " \
                                f"{postcode(rng, carer_home.district)}"
        personal_budget = rng.random() < PERSONAL_BUDGET_BY_DESIGN[design]
        interpreter = origin.language if rng.random() < origin.interpreter_rate else None
        accessible = None
        if rng.random() < 0.045:
            accessible = ACCESSIBLE_FORMATS.pick(rng)
            if service == "older_adults" and rng.random() < 0.5:
                accessible = "large_print"
        preferred = None
        preference_rate = 0.35 if service == "perinatal" else 0.08 if gender == "female" else 0.03
        if rng.random() < preference_rate:
            preferred = gender if gender in ("male", "female") else pick(rng, ("male", "female"))

        number = self.nhs_numbers.next()
        return Person(
            nhs_number=number,
            local_id=f"RW{next(self.local_ids)}",
            given_name=given, family_name=family, date_of_birth=born, gender=gender,
            address=address, postcode=home_postcode, locality=home.name,
            team=team.name, care_coordinator_id=None,
            gp_practice=practice.code, gp_practice_name=practice.name,
            gp_address=practice.address,
            cpa=cpa, cpa_start=cpa_start(number, self.today) if cpa else None, cpa_end=None,
            cluster=cluster, s117=s117, cto=cto,
            cto_start=(cto_expiry(number, self.today) - timedelta(days=183)) if cto else None,
            cto_expiry=cto_expiry(number, self.today) if cto else None,
            safeguarding_open=safeguarding,
            last_contact=last_contact, last_discharge=discharge, admissions_12m=admissions,
            missed_appointments_6m=missed, self_harm_history=self_harm,
            substance_misuse=substance, lives_alone=lives_alone,
            accommodation_type=None, settled_accommodation="Z", employment_status="ZZ",
            ethnic_category=ethnic_category(origin.key, number),
            carer=carer,
            carer_name=carer_name, carer_address=carer_address,
            carer_consent=carer_consent(carer, number),
            personal_budget=personal_budget, interpreter_language=interpreter,
            preferred_language=preferred_language(origin.language, interpreter, number),
            accessible_format=accessible, preferred_worker_gender=preferred,
            care_act_outcomes=outcomes, significant_impact=significant, coordinator_since=None,
            coordinator_until=None,
            forensic_history=forensic_history,
            perinatal=service == "perinatal",
            design=design, service=service, risk=risk, home=home, team_ref=team,
            wants_coordinator=wants_coordinator,
        )

    def cluster(self, design: str, service: str) -> int | None:
        rng = self.rng
        if rng.random() < 0.02:
            return None  # not yet clustered
        if service == "older_adults":
            kind = "organic" if rng.random() < 0.55 else "older_functional"
        elif service in ("eip", "forensic", "perinatal"):
            kind = service
        else:
            kind = {"council": "social", "signpost": "light",
                    "assess": "unassessed"}.get(design, "health_led")
        return CLUSTERS[kind].pick(rng)

    def care_act(self, design: str, age: int) -> tuple[str | None, bool | None]:
        """Unmet outcomes and significant impact, consistent with the design."""
        rng = self.rng
        if design == "assess" or (design == "joint_s117" and rng.random() < 0.10):
            return None, None  # not yet assessed
        if design in ("council", "joint_eligible"):
            return self.outcomes(UNMET_COUNTS.pick(rng), age), True
        roll = rng.random()
        if design == "joint_s117":
            if roll < 0.17:
                return "none", False
            if roll < 0.45:
                return self.outcomes(1, age), rng.random() < 0.4
            return self.outcomes(UNMET_COUNTS.pick(rng), age), rng.random() < 0.8
        # trust and signpost: assessed, not eligible, for each of the three reasons
        if roll < 0.45:
            return "none", False
        if roll < 0.82:
            return self.outcomes(1, age), rng.random() < 0.4
        return self.outcomes(UNMET_COUNTS.pick(rng) if rng.random() < 0.5 else 2, age), False

    def discharge(self, risk: str, s117: bool, *, stable: bool) -> date | None:
        """Last inpatient discharge: everyone on s117 was once detained; nobody ``stable`` (about
        to leave secondary care) was in hospital in the last year."""
        rng = self.rng
        roll = rng.random()
        if stable:
            return self.days_ago(366, 2500) if roll < 0.08 else None
        if s117:
            bands = {"high": ((0.15, 0, 13), (0.55, 14, 90), (1.0, 91, 730)),
                     "medium": ((0.15, 14, 90), (0.60, 91, 730), (1.0, 731, 2500))}
            windows = bands.get(risk, ((1.0, 91, 3000),))
        else:
            bands = {"high": ((0.08, 0, 13), (0.35, 14, 90), (0.65, 91, 730)),
                     "medium": ((0.02, 0, 13), (0.10, 14, 90), (0.30, 91, 730))}
            windows = bands.get(risk, ((0.02, 14, 90), (0.10, 91, 730)))
        for upto, low, high in windows:
            if roll < upto:
                return self.days_ago(low, high)
        return None

    def last_contact(self, risk: str, discharge: date | None, wants_coordinator: bool) -> date:
        rng = self.rng
        if discharge is not None and (self.today - discharge).days <= 13:
            if rng.random() < 0.55:  # seen since discharge
                return discharge + timedelta(days=between(rng, 0, (self.today - discharge).days))
            # not seen since: the last contact was before the admission
            return discharge - timedelta(days=between(rng, 10, 60))
        if not wants_coordinator:
            return self.days_ago(30, 200)
        if risk == "high":
            return self.days_ago(0, 21) if rng.random() < 0.65 else self.days_ago(45, 160)
        return self.days_ago(1, 70 if risk == "medium" else 42)

    def missed(self, risk: str) -> int:
        rng = self.rng
        if risk == "high":
            return pick(rng, HIGH_RISK_MISSED)
        if risk == "medium":
            return pick(rng, MEDIUM_RISK_MISSED)
        return pick(rng, LOW_RISK_MISSED)


def make_people(factory: PersonFactory, count: int) -> list[Person]:
    return [factory.make() for _ in range(count)]


def fixed_needs(rng: Random, people: list[Person]) -> None:
    """A couple of people who read braille and use BSL (more in larger runs)."""
    count = max(2, round(len(people) * 0.0025))
    chosen = sample(rng, range(len(people)), min(len(people), 2 * count))
    for position, index in enumerate(chosen):
        person = people[index]
        person.accessible_format = "braille" if position < count else "bsl"
        person.interpreter_language = None
        # The NHS Data Dictionary's communication codes: q1 braille, q4 British Sign Language.
        person.preferred_language = "q1" if position < count else "q4"


def record_loads(world: World, people: list[Person]) -> None:
    """Team loads (people per trust team; council roles per council team) for staffing."""
    for team in world.teams:
        team.load = team.trust_roles = team.polish = 0
    for person in people:
        team = person.team_ref
        team.load += 1
        if person.design in TRUST_ROLE_DESIGNS:
            team.trust_roles += 1
            team.polish += person.interpreter_language == "polish"
        if person.design in COUNCIL_ROLE_DESIGNS:
            world.council[person.home.index].load += 1
    for team in world.teams:
        if team.kind == "amhp":
            team.load = sum(1 for t in world.amhp if t is team)


def assign_coordinators(rng: Random, world: World, people: list[Person],
                        reference_date: date) -> None:
    """Give about half the people a seconded council social worker and half a trust worker,
    from their own team, within each worker's capacity; a few have none."""
    seconded: dict[int, list[Worker]] = {}
    trust: dict[int, list[Worker]] = {}
    by_locality: dict[int, list[Worker]] = {}
    for worker in world.workers:
        if worker.team.kind in ("council", "amhp"):
            continue
        pool = seconded if worker.seconded else trust
        pool.setdefault(id(worker.team), []).append(worker)
        by_locality.setdefault(worker.team.locality.index, []).append(worker)

    def take(pool: list[Worker] | None) -> Worker | None:
        while pool:
            index = below(rng, len(pool))
            worker = pool[index]
            if worker.load < worker.capacity:
                return worker
            pool[index] = pool[-1]
            pool.pop()
        return None

    for person in people:
        if not person.wants_coordinator:
            continue
        key = id(person.team_ref)
        first, second = (seconded, trust) if rng.random() < 0.5 else (trust, seconded)
        worker = take(first.get(key)) or take(second.get(key)) \
            or take(by_locality.get(person.team_ref.locality.index))
        if worker is None:
            continue  # nobody in reach has room: the person waits for allocation
        worker.load += 1
        person.care_coordinator_id = worker.staff_id
        person.coordinator_since = coordinator_since(rng, person, reference_date)


def coordinator_since(rng: Random, person: Person, today: date) -> date:
    roll = rng.random()
    days = between(rng, 14, 180) if roll < 0.3 else between(rng, 181, 730) if roll < 0.65 \
        else between(rng, 731, 2900)
    if person.service == "eip":
        days = min(days, 1095)  # early intervention lasts up to three years
    adult_days = (today - person.date_of_birth).days - 18 * 365
    return today - timedelta(days=max(14, min(days, adult_days)))
