"""The invented county's workforce: who works where, what they can hold, who is leaving.

Westshire Council seconds social workers into Westshire Partnership NHS Trust's community teams.
At the Somerset scale 60 of them hold about half of the caseload; the trust's own nurses, OTs,
psychologists, social workers and AMHPs hold the rest, and council social workers already in
council teams have a little room to receive people. Staff are placed in proportion to each
team's caseload, so people are spread across localities in proportion to capacity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from transition.absence import away_on
from transition.generator import vocabulary as words
from transition.generator.draw import (
    Weighted,
    ascii_name,
    between,
    pick,
    pick_name,
    sample,
    shuffle,
)
from transition.generator.places import Locality, Team, World

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
    absent_from: date | None = None  # a planned absence's first day
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
        return not away_on(day, self.absent_from, self.absent_until)


def default_staff(people: int) -> int:
    """The workforce for a caseload, in the Somerset proportion (111 staff for 784 people)."""
    return max(10, round(people * DEFAULT_STAFF / DEFAULT_PEOPLE))


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


def staff_numbers(count: int) -> range:
    """Employee numbers to draw from: five digits, or six for a very large employer."""
    return range(10_000, 100_000) if count <= 30_000 else range(100_000, 1_000_000)


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

    def spread(teams: list[Team], count: int, minimum: int,
               weight=lambda team: team.load) -> list[Team]:
        shares = apportion(count, [max(weight(team), 0.5) for team in teams], minimum)
        return [team for team, share in zip(teams, shares, strict=True) for _ in range(share)]

    coordinators = ["nurse"] * groups[("trust", "nurse", False)] \
        + ["ot"] * groups[("trust", "ot", False)] \
        + ["social_worker"] * groups[("trust", "social_worker", False)]
    shuffle(rng, coordinators)
    placements: list[tuple[str, str, bool, Team]] = []
    placements += [("council", "social_worker", True, team)
                   for team in spread(trust_teams, groups[("council", "social_worker", True)], 1)]
    # The trust's own care coordinators go where its key workers will be needed after the
    # transfer (a forensic team's people are nearly all joint or trust: it needs more of them).
    placements += [("trust", role, False, team) for role, team in
                   zip(coordinators, spread(trust_teams, len(coordinators), 1,
                                            weight=lambda team: team.trust_roles), strict=True)]
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
    per_employer = Counter(employer for employer, *_ in placements)
    numbers = {employer: iter(sample(rng, staff_numbers(per_employer[employer]),
                                     per_employer[employer]))
               for employer in ("council", "trust")}
    phones = sample(rng, range(1000), 1000)  # the whole drama range, in a random order
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
    """Each team's own skill, and a spread of others. Forensic experience is found in the
    forensic team and in every locality but the far end of the county (the pinch locality and
    its neighbour within reach), which has a single part-time worker with it, in the pinch."""
    pinch = world.forensic_pinch
    far_end = world.far_end()
    pinch_forensic_given = False
    forensic_localities: set[int] = set()
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
                if (not pinch_forensic_given and kind == "cmht"
                        and worker.role in ("nurse", "social_worker")):
                    skills.add("forensic")
                    worker.capacity = max(1, round(worker.capacity * 0.5 / worker.fte))
                    worker.fte = 0.5
                    pinch_forensic_given = True
            elif rng.random() < 0.08 and worker.team.locality.index not in far_end:
                skills.add("forensic")
                forensic_localities.add(worker.team.locality.index)
        if kind == "perinatal" or (kind == "cmht" and rng.random() < 0.03):
            skills.add("perinatal")
        worker.skills = tuple(sorted(skills))
    for worker in workers:  # every other locality has someone with forensic experience
        locality = worker.team.locality
        if (worker.team.kind == "cmht" and locality.index not in far_end
                and locality.index not in forensic_localities):
            worker.skills = tuple(sorted({*worker.skills, "forensic"}))
            forensic_localities.add(locality.index)


def _place_polish_speakers(rng: Random, world: World, workers: list[Worker]) -> None:
    """The pinch point: one Polish speaker (one per 1,500 staff) for every Polish interpreter:
    a trust nurse in the team where most people who will need a Polish-speaking key worker
    are, so the plan shows the preference met for some and an interpreter booked for the rest."""
    wanted = max(1, len(workers) // 1500)
    candidates = [worker for worker in workers
                  if worker.employer == "trust" and worker.role == "nurse"
                  and worker.team.kind in ("cmht", "older_adults")]
    if not candidates:
        candidates = [worker for worker in workers if worker.team.kind != "council"]
    shuffle(rng, candidates)
    candidates.sort(key=lambda worker: -worker.team.polish)  # stable: ties stay shuffled
    origin = words.ORIGIN_BY_KEY["polish"]
    for worker in candidates[:wanted]:
        worker.given_name, worker.family_name = pick_name(rng, origin, worker.gender, older=False)
        worker.languages = ("english", "polish")
        domain = worker.email.split("@")[1]
        worker.email = (f"{ascii_name(worker.given_name)}.{ascii_name(worker.family_name)}"
                        f".{worker.staff_id.lower()}@{domain}")


def _return_teams(rng: Random, world: World, workers: list[Worker]) -> None:
    """Seconded workers mostly return to their locality's council team; some are undecided."""
    seconded = [worker for worker in workers if worker.seconded]
    undecided = set(map(id, sample(rng, seconded, round(len(seconded) * 8 / 60))))
    for worker in seconded:
        if id(worker) in undecided:
            continue
        locality = worker.team.locality
        if rng.random() < 0.05:  # a move to a neighbouring locality's team
            locality = world.localities[(locality.index + 1) % len(world.localities)]
        worker.council_team = world.council[locality.index].name


def _leavers_and_absences(rng: Random, workers: list[Worker], pinch: Locality | None, *,
                          transfer_date: date, reference_date: date) -> None:
    """A few leave before or soon after the transfer date; a few are on long-term absence,
    and a few have an absence planned for after it."""
    def some(pool: list[Worker], per: float, minimum: int) -> list[Worker]:
        count = min(len(pool), max(minimum, round(len(pool) * per)))
        return sample(rng, pool, count)

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
    # A few council workers have a planned absence after the transfer date (maternity leave, an
    # operation): at work on it, so plans give them people. Chosen without the random stream,
    # so that every other worker and person is drawn as before.
    planned = sorted(fresh(council), key=lambda worker: worker.staff_id)
    count = min(len(planned), max(1, round(len(planned) / 40)))
    step = max(1, len(planned) // count)
    for number, worker in enumerate(planned[step // 2::step][:count]):
        worker.absent_from = transfer_date + timedelta(days=45 + 14 * number)
        worker.absent_until = worker.absent_from + timedelta(
            days=181 if number % 2 == 0 else 27)
