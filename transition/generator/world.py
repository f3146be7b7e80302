"""The invented county: localities, GP practices, teams and the workforce.

Westshire Council seconds social workers into Westshire Partnership NHS Trust's community teams.
Each locality has an adult CMHT, an older adults CMHT and a council mental health social work
team; early intervention, forensic and rehabilitation, and perinatal teams and the council's
AMHP service each serve a group of neighbouring localities from a hub. The number of
localities grows with the workforce (about 20 workers per employer in each locality), so a
large run gives the matching engine a wide, realistic network instead of a few huge teams.
"""

from __future__ import annotations

import itertools
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Generic, TypeVar

from transition.generator import vocabulary as words

T = TypeVar("T")

STAFF_PER_LOCALITY = 40  # about 20 workers per employer in each locality
MIN_LOCALITIES = 5
EIP_GROUP, FORENSIC_GROUP, PERINATAL_GROUP, AMHP_GROUP = 3, 5, 6, 5

# The workforce at the Somerset scale (784 people): 60 seconded council social workers, council
# social workers and AMHPs in council teams, and the trust's own staff. Other sizes scale it.
COMPOSITION: tuple[tuple[str, str, bool, int], ...] = (
    # employer, role, seconded, count at the default scale
    ("council", "social_worker", True, 60),
    ("council", "social_worker", False, 10),
    ("council", "amhp", False, 4),
    ("trust", "nurse", False, 20),
    ("trust", "ot", False, 7),
    ("trust", "psychologist", False, 5),
    ("trust", "social_worker", False, 3),
    ("trust", "amhp", False, 2),
)
DEFAULT_PEOPLE = 784
DEFAULT_STAFF = sum(count for *_, count in COMPOSITION)

# Caseload standards: how many people one full-time worker can hold from this caseload.
# Trust care coordinators: 25-30. Council social workers coordinate fewer, because they also
# carry Care Act assessments, safeguarding enquiries and the AMHP rota. Workers already in
# council teams hold full council caseloads: theirs is the room they have left.
CASELOAD_PER_FTE = {
    "council_social_worker": (13, 16),
    "social_worker": (25, 30),
    "nurse": (25, 30),
    "ot": (25, 30),
    "psychologist": (10, 14),
    "amhp": (6, 10),
    "council_team": (4, 9),
}
FTE_CHOICES = ((1.0, 62), (0.8, 20), (0.6, 10), (0.5, 8))
TEAM_SKILL = {"eip": "eip", "forensic": "forensic", "older_adults": "older_adults",
              "perinatal": "perinatal"}
TRUST_KINDS = ("cmht", "older_adults", "eip", "forensic", "perinatal")


def pick(rng: Random, options: Sequence[T]) -> T:
    """``rng.choice``, several times faster (one ``random()`` call); fine for synthetic data."""
    return options[int(rng.random() * len(options))]


def between(rng: Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, several times faster."""
    return low + int(rng.random() * (high - low + 1))


def below(rng: Random, limit: int) -> int:
    return int(rng.random() * limit)


class Weighted(Generic[T]):
    """A fixed weighted choice: one ``rng.random()`` and a bisect per pick."""

    def __init__(self, pairs: Sequence[tuple[T, float]]):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: Random) -> T:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


@dataclass(slots=True)
class Practice:
    code: str
    name: str
    address: str


@dataclass(slots=True)
class Locality:
    index: int
    name: str
    district: str  # postcode outward code, e.g. WX3
    weight: float  # relative size
    practices: list[Practice] = field(default_factory=list)


@dataclass(slots=True)
class Team:
    name: str
    kind: str  # cmht, older_adults, eip, forensic, perinatal, council, amhp
    employer: str
    locality: Locality
    load: int = 0  # people on the caseload in this team (or, for council teams, council demand)


@dataclass(slots=True)
class Worker:
    staff_id: str
    given_name: str
    family_name: str
    employer: str
    role: str
    team: Team
    capacity: int
    fte: float
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    gender: str
    seconded: bool
    council_team: str | None = None
    leaving_date: date | None = None
    absent_until: date | None = None
    phone: str = ""
    email: str = ""
    load: int = 0  # people whose current care coordinator this worker is

    @property
    def locality(self) -> str:
        return self.team.locality.name

    def available_on(self, day: date) -> bool:
        """At work and still employed on ``day``."""
        if self.leaving_date is not None and self.leaving_date <= day:
            return False
        return self.absent_until is None or self.absent_until < day


@dataclass(slots=True)
class World:
    localities: list[Locality]
    teams: list[Team]
    cmht: list[Team]  # by locality index
    older_adults: list[Team]
    eip: list[Team]
    forensic: list[Team]
    perinatal: list[Team]
    council: list[Team]
    amhp: list[Team]
    forensic_pinch: Locality | None
    workers: list[Worker] = field(default_factory=list)

    def team_for(self, kind: str, locality: Locality) -> Team:
        return getattr(self, kind)[locality.index]


def default_staff(people: int) -> int:
    """The workforce for a caseload, in the Somerset proportion (111 staff for 784 people)."""
    return max(10, round(people * DEFAULT_STAFF / DEFAULT_PEOPLE))


def locality_count(staff: int) -> int:
    return max(MIN_LOCALITIES, round(staff / STAFF_PER_LOCALITY))


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties by position).

    Each share is at least ``minimum`` when ``total`` allows it.
    """
    count = len(weights)
    if count == 0:
        return []
    floor = minimum if total >= minimum * count else 0
    rest = total - floor * count
    weight_sum = sum(weights) or 1.0
    exact = [rest * weight / weight_sum for weight in weights]
    shares = [int(value) for value in exact]
    order = sorted(range(count), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [share + floor for share in shares]


# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------


def locality_names(count: int, rng: Random) -> list[str]:
    names = list(words.DEFAULT_LOCALITIES)
    invented = [prefix + suffix for prefix, suffix in
                itertools.product(words.PLACE_PREFIXES, words.PLACE_SUFFIXES)]
    rng.shuffle(invented)
    names += [name for name in invented if name not in names]
    base = len(names)
    variants = ("Upper", "Lower", "Green", "Cross")
    for extra in range(max(0, count - base)):  # beyond ~360 localities: Upper/Lower variants
        names.append(f"{names[extra % base]} {variants[(extra // base) % len(variants)]}")
    return names[:count]


def postcode(rng: Random, district: str) -> str:
    letters = words.POSTCODE_UNIT_LETTERS
    return f"{district} {between(rng, 1, 9)}{pick(rng, letters)}{pick(rng, letters)}"


def street_address(rng: Random, town: str) -> str:
    street = f"{pick(rng, words.STREET_NAMES)} {pick(rng, words.STREET_TYPES)}"
    if rng.random() < 0.1:
        return f"Flat {between(rng, 1, 24)}, {pick(rng, words.BUILDING_NAMES)}, " \
               f"{between(rng, 1, 119)} {street}, {town}"
    return f"{between(rng, 1, 179)} {street}, {town}"


def build_localities(rng: Random, count: int) -> list[Locality]:
    names = locality_names(count, rng)
    areas = words.POSTCODE_AREAS
    localities = []
    for index, name in enumerate(names):
        area = areas[(index // 99) % len(areas)]
        district = f"{area}{index % 99 + 1}"
        localities.append(Locality(index, name, district, rng.uniform(0.7, 1.3)))
    practice_counts = [3 + (rng.random() < 0.5) for _ in localities]
    total = sum(practice_counts)
    code_space = 10_000 if total <= 5_000 else 100_000
    codes = iter(rng.sample(range(code_space), total))
    for locality, practices in zip(localities, practice_counts, strict=True):
        for _ in range(practices):
            pattern = pick(rng, words.GP_PRACTICE_PATTERNS)
            name = pattern.format(street=pick(rng, words.STREET_NAMES), town=locality.name)
            address = f"{street_address(rng, locality.name)} {postcode(rng, locality.district)}"
            locality.practices.append(Practice(f"Y{next(codes):05d}", name, address))
    return localities


def hub_teams(localities: list[Locality], group: int, kind: str, employer: str,
              title: str) -> list[Team]:
    """One team per group of neighbouring localities, based in the middle one; by locality."""
    by_locality: list[Team] = []
    for start in range(0, len(localities), group):
        members = localities[start:start + group]
        hub = members[len(members) // 2]
        team = Team(title.format(hub=hub.name), kind, employer, hub)
        by_locality += [team] * len(members)
    return by_locality


def build_places(rng: Random, staff: int) -> World:
    localities = build_localities(rng, locality_count(staff))
    cmht = [Team(f"{loc.name} CMHT", "cmht", "trust", loc) for loc in localities]
    older = [Team(f"{loc.name} Older Adults CMHT", "older_adults", "trust", loc)
             for loc in localities]
    council = [Team(f"{loc.name} Mental Health Social Work Team", "council", "council", loc)
               for loc in localities]
    eip = hub_teams(localities, EIP_GROUP, "eip", "trust", "{hub} Early Intervention Team")
    forensic = hub_teams(localities, FORENSIC_GROUP, "forensic", "trust",
                         "{hub} Forensic and Rehabilitation Team")
    perinatal = hub_teams(localities, PERINATAL_GROUP, "perinatal", "trust",
                          "{hub} Perinatal Mental Health Team")
    amhp = hub_teams(localities, AMHP_GROUP, "amhp", "council", "{hub} AMHP Service")
    # Hub teams appear once per locality they serve: keep each team once, in order.
    all_teams = itertools.chain(cmht, older, eip, forensic, perinatal, council, amhp)
    teams = list({id(team): team for team in all_teams}.values())
    # The pinch point: the far end of the first forensic team's patch, with little forensic
    # experience of its own.
    first_patch = [loc for loc in localities if forensic[loc.index] is forensic[0]]
    pinch = first_patch[-1] if first_patch[-1] is not forensic[0].locality else None
    return World(localities, teams, cmht, older, eip, forensic, perinatal, council, amhp, pinch)


# ---------------------------------------------------------------------------------------------
# The workforce
# ---------------------------------------------------------------------------------------------


def ascii_name(text: str) -> str:
    """Zoë O'Neill -> zoe.oneill (for email addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def pick_name(rng: Random, origin: words.Origin, gender: str, older: bool) -> tuple[str, str]:
    """A given and family name from ``origin`` that suits ``gender`` (and age, where it helps)."""
    if gender == "male":
        pool = origin.male_older if older and origin.male_older else origin.male
    elif gender == "female":
        pool = origin.female_older if older and origin.female_older else origin.female
    elif rng.random() < 0.6:
        pool = words.NEUTRAL_GIVEN
    else:
        pool = origin.male if rng.random() < 0.5 else origin.female
    family = pick(rng, origin.family)
    if "|" in family:
        masculine, feminine = family.split("|")
        family = feminine if gender == "female" else masculine
    return pick(rng, pool), family


def scaled_composition(staff: int) -> list[tuple[str, str, bool, int]]:
    counts = apportion(staff, [count for *_, count in COMPOSITION])
    groups = [(*head, count) for (*head, _), count in zip(COMPOSITION, counts, strict=True)]
    # Every world needs someone seconded and someone from the trust holding cases.
    if staff >= 2 and groups[0][3] == 0:
        groups[0] = (*groups[0][:3], 1)
        groups[4] = (*groups[4][:3], max(0, groups[4][3] - 1))
    return groups


def build_workforce(rng: Random, world: World, staff: int, *, transfer_date: date,
                    reference_date: date) -> list[Worker]:
    """Place the workforce in teams in proportion to each team's caseload (loads must be set)."""
    trust_teams = [team for team in world.teams if team.employer == "trust"]
    council_teams = [team for team in world.teams if team.kind == "council"]
    amhp_teams = [team for team in world.teams if team.kind == "amhp"]
    cmht_like = [team for team in trust_teams if team.kind in ("cmht", "eip", "perinatal")]
    groups = {(employer, role, seconded): count
              for employer, role, seconded, count in scaled_composition(staff)}

    def spread(teams: list[Team], count: int, minimum: int) -> list[Team]:
        shares = apportion(count, [max(team.load, 0.5) for team in teams], minimum)
        return [team for team, share in zip(teams, shares, strict=True) for _ in range(share)]

    coordinators = ["nurse"] * groups[("trust", "nurse", False)] \
        + ["ot"] * groups[("trust", "ot", False)] \
        + ["social_worker"] * groups[("trust", "social_worker", False)]
    rng.shuffle(coordinators)
    placements: list[tuple[str, str, bool, Team]] = []
    placements += [("council", "social_worker", True, team)
                   for team in spread(trust_teams, groups[("council", "social_worker", True)], 1)]
    placements += [("trust", role, False, team) for role, team in
                   zip(coordinators, spread(trust_teams, len(coordinators), 1), strict=True)]
    placements += [("trust", "psychologist", False, team)
                   for team in spread(cmht_like, groups[("trust", "psychologist", False)], 0)]
    placements += [("trust", "amhp", False, team)
                   for team in spread(world.cmht, groups[("trust", "amhp", False)], 0)]
    council_workers = groups[("council", "social_worker", False)]
    placements += [("council", "social_worker", False, team)
                   for team in spread(council_teams, council_workers, 1)]
    placements += [("council", "amhp", False, team)
                   for team in spread(amhp_teams, groups[("council", "amhp", False)], 1)]

    staff_origins = Weighted([(origin, origin.staff_weight) for origin in words.ORIGINS
                              if origin.staff_weight > 0])
    genders = Weighted([("female", 72), ("male", 26), ("non_binary", 2)])
    ftes = Weighted(FTE_CHOICES)
    numbers = {"council": iter(rng.sample(range(10_000, 100_000), len(placements))),
               "trust": iter(rng.sample(range(10_000, 100_000), len(placements)))}
    phones = rng.sample(range(1000), 1000)  # the whole drama range, in a random order
    emails: set[str] = set()
    workers = []
    for position, (employer, role, seconded, team) in enumerate(placements):
        origin = staff_origins.pick(rng)
        gender = genders.pick(rng)
        given, family = pick_name(rng, origin, gender, older=rng.random() < 0.3)
        fte = ftes.pick(rng)
        if team.kind == "council":
            standard = CASELOAD_PER_FTE["council_team"]
        elif employer == "council" and role == "social_worker":
            standard = CASELOAD_PER_FTE["council_social_worker"]
        else:
            standard = CASELOAD_PER_FTE[role]
        capacity = max(1, round(fte * between(rng, *standard)))
        languages = ["english"]
        if origin.language and rng.random() < 0.7:
            languages.append(origin.language)
        elif origin.key == "british" and rng.random() < 0.04:
            languages.append(pick(rng, words.EXTRA_STAFF_LANGUAGES))
        prefix = "WC" if employer == "council" else "WP"
        domain = words.COUNCIL_EMAIL_DOMAIN if employer == "council" else words.TRUST_EMAIL_DOMAIN
        local_part = f"{ascii_name(given)}.{ascii_name(family)}"
        email = f"{local_part}@{domain}"
        suffix = 2
        while email in emails:
            email = f"{local_part}{suffix}@{domain}"
            suffix += 1
        emails.add(email)
        workers.append(Worker(
            staff_id=f"{prefix}{next(numbers[employer])}",
            given_name=given, family_name=family, employer=employer, role=role, team=team,
            capacity=capacity, fte=fte, skills=(), languages=tuple(languages), gender=gender,
            seconded=seconded, email=email,
            phone=f"{words.MOBILE_PREFIX}{phones[position % 1000]:03d}",
        ))
    _give_skills(rng, world, workers)
    _place_polish_speakers(rng, world, workers)
    _return_teams(rng, world, workers)
    _leavers_and_absences(rng, workers, world.forensic_pinch, transfer_date=transfer_date,
                          reference_date=reference_date)
    workers.sort(key=lambda worker: worker.staff_id)
    return workers


def _give_skills(rng: Random, world: World, workers: list[Worker]) -> None:
    pinch = world.forensic_pinch
    pinch_forensic_given = False
    for worker in workers:
        skills = set()
        kind = worker.team.kind
        if kind in TEAM_SKILL:
            skills.add(TEAM_SKILL[kind])
        if rng.random() < 0.18:
            skills.add("dual_diagnosis")
        if rng.random() < 0.15:
            skills.add("personality_disorder")
        if kind in ("cmht", "council") and rng.random() < 0.06:
            skills.add("eip")
        if kind in ("cmht", "council") and rng.random() < 0.12:
            skills.add("older_adults")
        if kind in ("cmht", "older_adults", "council"):
            if worker.team.locality is pinch:
                # One part-time worker with forensic experience: fewer than the locality needs.
                if not pinch_forensic_given and worker.role in ("nurse", "social_worker"):
                    skills.add("forensic")
                    worker.fte = 0.5
                    worker.capacity = max(1, round(worker.capacity / 2))
                    pinch_forensic_given = True
            elif rng.random() < 0.08:
                skills.add("forensic")
        if kind == "perinatal" or (kind == "cmht" and rng.random() < 0.03):
            skills.add("perinatal")
        worker.skills = tuple(sorted(skills))


def _place_polish_speakers(rng: Random, world: World, workers: list[Worker]) -> None:
    """The pinch point: one Polish speaker (one per 1,500 staff) for every Polish interpreter."""
    wanted = max(1, len(workers) // 1500)
    candidates = [worker for worker in workers
                  if worker.employer == "trust" and worker.role == "nurse"
                  and worker.team.kind == "cmht"]
    if not candidates:
        candidates = [worker for worker in workers if worker.team.kind != "council"]
    origin = words.ORIGIN_BY_KEY["polish"]
    for worker in rng.sample(candidates, min(wanted, len(candidates))):
        worker.given_name, worker.family_name = pick_name(rng, origin, worker.gender, older=False)
        worker.languages = ("english", "polish")
        domain = worker.email.split("@")[1]
        worker.email = (f"{ascii_name(worker.given_name)}.{ascii_name(worker.family_name)}"
                        f".{worker.staff_id.lower()}@{domain}")


def _return_teams(rng: Random, world: World, workers: list[Worker]) -> None:
    """Seconded workers mostly return to their locality's council team; some are undecided."""
    seconded = [worker for worker in workers if worker.seconded]
    undecided = set(map(id, rng.sample(seconded, round(len(seconded) * 8 / 60))))
    for worker in seconded:
        if id(worker) in undecided:
            continue
        locality = worker.team.locality
        if rng.random() < 0.05:  # a move to a neighbouring locality's team
            locality = world.localities[(locality.index + 1) % len(world.localities)]
        worker.council_team = world.council[locality.index].name


def _leavers_and_absences(rng: Random, workers: list[Worker], pinch: Locality | None, *,
                          transfer_date: date, reference_date: date) -> None:
    """A few leave before or soon after the transfer date; a few are on long-term absence."""
    def some(pool: list[Worker], per: float, minimum: int) -> list[Worker]:
        count = min(len(pool), max(minimum, round(len(pool) * per)))
        return rng.sample(pool, count)

    def around(before: int, after: int) -> date:
        return transfer_date + timedelta(days=between(rng, before, after))

    # Keep the pinch points as designed: the Polish speaker and the pinch locality's one
    # forensic worker neither leave nor go off sick.
    protected = {id(w) for w in workers
                 if "polish" in w.languages
                 or ("forensic" in w.skills and w.team.locality is pinch)}
    seconded = [w for w in workers if w.seconded and id(w) not in protected]
    trust = [w for w in workers if w.employer == "trust" and id(w) not in protected]
    council = [w for w in workers if w.employer == "council" and not w.seconded
               and id(w) not in protected]
    chosen: set[int] = set()

    def fresh(pool: list[Worker]) -> list[Worker]:
        return [w for w in pool if id(w) not in chosen]

    for pool, per, minimum, window in (
        (seconded, 2 / 60, 1, (-90, -1)),  # leave before the transfer
        (seconded, 2 / 60, 1, (1, 90)),  # leave soon after it
        (trust, 1 / 37, 1, (-60, -1)),
        (trust, 1 / 37, 1, (14, 120)),
        (council, 1 / 14, 0, (30, 150)),
    ):
        for worker in some(fresh(pool), per, minimum):
            worker.leaving_date = around(*window)
            chosen.add(id(worker))
    for pool, per, minimum in ((seconded, 2 / 60, 2), (trust, 1 / 37, 1)):
        absent = some(fresh(pool), per, minimum)
        for number, worker in enumerate(absent):
            # Alternate: back before the transfer date, or away across it.
            if number % 2 == 0:
                worker.absent_until = around(30, 120)
            else:
                days = (transfer_date - reference_date).days
                away = between(rng, 21, max(22, days - 14))
                worker.absent_until = reference_date + timedelta(days=away)
            chosen.add(id(worker))
