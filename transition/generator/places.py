"""The invented county's places: localities, GP practices and teams.

Each locality has an adult CMHT, an older adults CMHT and a council mental health social work
team; early intervention, forensic and rehabilitation, and perinatal teams and the council's
AMHP service each serve a group of neighbouring localities from a hub. The number of
localities grows with the workforce (about 20 workers per employer in each locality), so a
large run gives the matching engine a wide, realistic network instead of a few huge teams.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING

from transition.generator import vocabulary as words
from transition.generator.draw import between, pick, sample, shuffle

if TYPE_CHECKING:
    from transition.generator.workforce import Worker

STAFF_PER_LOCALITY = 40  # about 20 workers per employer in each locality
MIN_LOCALITIES = 5
EIP_GROUP, FORENSIC_GROUP, PERINATAL_GROUP, AMHP_GROUP = 3, 5, 6, 5

# Westshire's geography: road distances (km) between the default county's five towns, strung
# along a valley: Westhaven, Brackenford and Kestlemouth close together in the west, then
# Dunmere Vale, then Tarrow Moor out on the moor, within reach of Dunmere Vale only. The shipped
# rules carry the same table ([[matching.distances]] in transition/rules/default.toml, where
# [matching.reach] max_km is REACH_KM; a test keeps the two equal), so the demo's plan reaches
# across localities as the county's roads allow. Larger runs reuse the first names, so their
# first five localities are as close as these; the rest have no distances (same locality only).
WESTSHIRE_KM: tuple[tuple[str, str, int], ...] = (
    ("Westhaven", "Brackenford", 8),
    ("Brackenford", "Kestlemouth", 10),
    ("Westhaven", "Kestlemouth", 15),
    ("Kestlemouth", "Dunmere Vale", 14),
    ("Dunmere Vale", "Tarrow Moor", 13),
    ("Brackenford", "Dunmere Vale", 22),
    ("Westhaven", "Dunmere Vale", 27),
    ("Kestlemouth", "Tarrow Moor", 26),
    ("Brackenford", "Tarrow Moor", 34),
    ("Westhaven", "Tarrow Moor", 39),
)
REACH_KM = 15  # [matching.reach] max_km in the shipped rules


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
    trust_roles: int = 0  # of them, people who will need a trust key worker after the transfer
    polish: int = 0  # of those, people who need a Polish interpreter


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

    def far_end(self) -> set[int]:
        """The pinch locality and the localities within reach of it (by index): the part of
        the county whose people can only be served by workers based there."""
        pinch = self.forensic_pinch
        if pinch is None:
            return set()
        return {loc.index for loc in self.localities
                if loc is pinch or road_km(pinch.name, loc.name) <= REACH_KM}


def road_km(first: str, second: str) -> float:
    """The road distance between two of the default county's towns (infinite if not known)."""
    for one, other, km in WESTSHIRE_KM:
        if {one, other} == {first, second}:
            return km
    return float("inf")


def locality_count(staff: int) -> int:
    return max(MIN_LOCALITIES, round(staff / STAFF_PER_LOCALITY))


def locality_names(count: int, rng: Random) -> list[str]:
    names = list(words.DEFAULT_LOCALITIES)
    invented = [prefix + suffix for prefix, suffix in
                itertools.product(words.PLACE_PREFIXES, words.PLACE_SUFFIXES)]
    shuffle(rng, invented)
    names += [name for name in invented if name not in names]
    base = len(names)
    variants = ("Upper", "Lower", "Green", "Cross")
    for extra in range(max(0, count - base)):  # beyond ~360 localities: "Quarrford Upper", ...
        cycle = extra // base
        number = f" {cycle // len(variants) + 1}" if cycle >= len(variants) else ""
        names.append(f"{names[extra % base]} {variants[cycle % len(variants)]}{number}")
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
        localities.append(Locality(index, name, district, 0.7 + 0.6 * rng.random()))
    practice_counts = [3 + (rng.random() < 0.5) for _ in localities]
    total = sum(practice_counts)
    code_space = 10_000 if total <= 5_000 else 100_000
    codes = iter(sample(rng, range(code_space), total))
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
