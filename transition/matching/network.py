"""The flow network: every feasible (need, worker) pair under the hard constraints, with its
cost terms, built a column at a time with numpy (100,000 people x ~20 workers each)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from transition.errors import TransitionError
from transition.matching.model import Need, Problem
from transition.matching.rules import MatchingRules

# A network above this many arcs would take minutes and gigabytes: reach is too wide.
MAX_ARCS = 30_000_000

PART_KEYS = ("continuity", "accepted", "team", "locality", "gender", "language")
"""The cost terms of a (need, worker) pair, in the order reasons list them."""


def marginal_load_costs(capacity: int, balance: int) -> list[int]:
    """The cost of a worker's 1st, 2nd, ... place: ``balance * (2k - 1) / capacity``, so the
    total for a load L is about ``balance * L**2 / capacity``: convex, rising as they fill."""
    if capacity <= 0:
        return []
    return [(balance * (2 * k - 1) + capacity // 2) // capacity for k in range(1, capacity + 1)]


@dataclass
class Tables:
    """Workers as arrays, and the hard constraints as masks over them (one test, used both to
    build the network and to explain why a worker was not a candidate)."""

    problem: Problem
    rules: MatchingRules
    index: dict[str, int]
    fit: dict[str, np.ndarray]
    keep_only: np.ndarray
    skill_bit: dict[str, int]
    worker_skills: np.ndarray
    locality_code: dict[str, int]
    worker_locality: np.ndarray
    locality_cost: np.ndarray
    reach: np.ndarray
    km: dict[tuple[str, str], float]
    _active: dict[date, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, problem: Problem, rules: MatchingRules) -> Tables:
        workers = problem.workers
        skills = sorted({rule.skill for rule in rules.required_skills}
                        | {skill for need in problem.needs for skill, _ in need.required})
        skill_bit = {skill: 1 << position for position, skill in enumerate(skills)}
        localities = sorted(({(worker.locality or "").casefold() for worker in workers}
                             | {(need.locality or "").casefold() for need in problem.needs})
                            - {""})
        locality_code = {name: position for position, name in enumerate(localities)}
        km = rules.distance_km()
        cost, reach = _locality_tables(localities, km, rules)
        return cls(
            problem=problem,
            rules=rules,
            index={worker.staff_id: position for position, worker in enumerate(workers)},
            fit={role: np.array([worker.fits(role, rules) for worker in workers], dtype=bool)
                 for role in rules.roles},
            keep_only=np.array([worker.keep_only for worker in workers], dtype=bool),
            skill_bit=skill_bit,
            worker_skills=np.array(
                [sum(skill_bit.get(skill, 0) for skill in worker.skills) for worker in workers],
                dtype=np.int64),
            locality_code=locality_code,
            worker_locality=np.array(
                [locality_code.get((worker.locality or "").casefold(), len(localities))
                 for worker in workers], dtype=np.int64),
            locality_cost=cost,
            reach=reach,
            km=km,
        )

    def active(self, day: date) -> np.ndarray:
        """Workers active on ``day`` (not leaving, not absent, on the staff list)."""
        if day not in self._active:
            self._active[day] = np.array(
                [worker.unavailable(day, self.rules) is None for worker in self.problem.workers],
                dtype=bool)
        return self._active[day]

    def need_locality(self, need: Need) -> int:
        return self.locality_code.get((need.locality or "").casefold(), len(self.locality_code))

    def need_skills(self, need: Need) -> int:
        return sum(self.skill_bit[skill] for skill, _ in need.required)

    def has_skills(self, mask: int) -> np.ndarray:
        return (self.worker_skills & mask) == mask

    def in_reach(self, need: Need) -> np.ndarray:
        return self.reach[self.need_locality(need)][self.worker_locality]

    def candidates(self, role: str, locality: int, skills: int, day: date) -> np.ndarray:
        """Workers who may take a new person with this profile (every hard constraint but
        capacity, which the flow enforces)."""
        ok = self.fit[role] & self.active(day) & ~self.keep_only & self.has_skills(skills)
        return np.nonzero(ok & self.reach[locality][self.worker_locality])[0]

    def may_keep(self, need: Need, position: int) -> bool:
        """Whether the current worker may keep this need (reach and an undecided council team
        do not stop someone keeping their own people)."""
        return bool(self.fit[need.role][position] and self.active(need.handover_date)[position]
                    and self.has_skills(self.need_skills(need))[position])


@dataclass
class Network:
    """The candidate arcs (need -> worker) with their cost terms, and what the solver and the
    explainer share. Arc arrays are sorted by need, then worker."""

    tables: Tables
    capacity: np.ndarray
    held: np.ndarray
    held_red: np.ndarray
    red_cap: np.ndarray
    arc_need: np.ndarray
    arc_worker: np.ndarray
    arc_red: np.ndarray  # the arc is a red-band handover (it goes through the red node)
    red_need: np.ndarray
    current: np.ndarray  # need -> position of the current worker (-1: none)
    parts: dict[str, np.ndarray]  # cost term -> its cost on each arc

    @property
    def problem(self) -> Problem:
        return self.tables.problem

    @property
    def rules(self) -> MatchingRules:
        return self.tables.rules

    @cached_property
    def arc_cost(self) -> np.ndarray:
        """Each arc's total cost: the sum of its terms. Worked out once (the solver reads it
        for every connected part: recomputing 2 million sums each time was most of its time);
        ``parts`` is never changed after the network is built."""
        total = np.zeros(len(self.arc_need), dtype=np.int64)
        for values in self.parts.values():
            total += values
        return total


def build_network(problem: Problem, rules: MatchingRules) -> Network:
    """Every feasible (need, worker) pair under the hard constraints, with its cost terms."""
    tables = Tables.of(problem, rules)
    needs = problem.needs
    index = tables.index
    count = len(problem.workers)

    # Needs with the same role, place, skills and date share one candidate list.
    need_locality = [tables.need_locality(need) for need in needs]
    need_skills = [tables.need_skills(need) for need in needs]
    profiles: dict[tuple[str, int, int, date], list[int]] = defaultdict(list)
    for position, need in enumerate(needs):
        profiles[need.role, need_locality[position], need_skills[position],
                 need.handover_date].append(position)

    blocks_need: list[np.ndarray] = []
    blocks_worker: list[np.ndarray] = []
    candidate_sets: dict[tuple[str, int, int, date], frozenset[int]] = {}
    total = 0
    for key, members in profiles.items():
        candidates = tables.candidates(*key)
        candidate_sets[key] = frozenset(candidates.tolist())
        total += len(members) * len(candidates)
        if total > MAX_ARCS:
            raise TransitionError(
                f"The matching network would have more than {MAX_ARCS:,} candidate pairs: "
                "reach is too wide for this caseload. Nothing was stored.",
                hint='Set [matching.reach] mode = "nearby" with a smaller max_km, and make sure '
                "people and staff have a locality.",
            )
        if len(candidates):
            blocks_need.append(np.repeat(np.array(members, dtype=np.int64), len(candidates)))
            blocks_worker.append(np.tile(candidates, len(members)))

    # The current worker stays a candidate out of reach (continuity), and a seconded worker
    # whose council team is undecided keeps their own people.
    current = np.full(len(needs), -1, dtype=np.int64)
    extra_need: list[int] = []
    extra_worker: list[int] = []
    for position, need in enumerate(needs):
        holder = index.get(need.current_staff_id or "", -1)
        if holder < 0:
            continue
        current[position] = holder
        key = (need.role, need_locality[position], need_skills[position], need.handover_date)
        if holder not in candidate_sets[key] and tables.may_keep(need, holder):
            extra_need.append(position)
            extra_worker.append(holder)
    blocks_need.append(np.array(extra_need, dtype=np.int64))
    blocks_worker.append(np.array(extra_worker, dtype=np.int64))

    arc_need = np.concatenate(blocks_need)
    arc_worker = np.concatenate(blocks_worker)
    # By need, then worker, whatever order the profiles came in. Each pair is one number
    # (need * workers + worker, unique), and each block above is already in that order, so
    # a stable sort of the numbers merges the blocks' runs: quicker than sorting two keys.
    pair = arc_need * count + arc_worker
    order = np.argsort(pair, kind="stable")
    arc_need, arc_worker, pair = arc_need[order], arc_worker[order], pair[order]

    coordinator = np.array([index.get(need.coordinator_id or "", -1) for need in needs],
                           dtype=np.int64)
    red_need = np.array([need.red for need in needs], dtype=bool)
    arc_red = red_need[arc_need] & (arc_worker != coordinator[arc_need])

    held = np.zeros(count, dtype=np.int64)
    held_red = np.zeros(count, dtype=np.int64)
    for item in problem.held:
        position = index.get(item.staff_id)
        if position is not None:
            held[position] += 1
            held_red[position] += int(item.red_handover)
    return Network(
        tables=tables,
        capacity=np.array([max(0, worker.capacity) for worker in problem.workers],
                          dtype=np.int64),
        held=held,
        held_red=held_red,
        red_cap=np.full(count, rules.max_red_handovers_per_worker, dtype=np.int64),
        arc_need=arc_need,
        arc_worker=arc_worker,
        arc_red=arc_red,
        red_need=red_need,
        current=current,
        parts=_cost_parts(tables, arc_need, arc_worker, pair, current,
                          np.array(need_locality, dtype=np.int64)),
    )


def _locality_tables(
    localities: list[str], km: dict[tuple[str, str], float], rules: MatchingRules
) -> tuple[np.ndarray, np.ndarray]:
    """Cost and reach between every pair of localities. The last row and column stand for
    'not recorded': a person with no locality has every worker in reach; a worker with no
    locality is in reach of others only when reach is everywhere."""
    size = len(localities) + 1
    cost = np.full((size, size), rules.costs.other_locality, dtype=np.int64)
    reach = np.full((size, size), rules.reach.mode == "everywhere", dtype=bool)
    reach[size - 1, :] = True
    for row, first in enumerate(localities):
        for column, second in enumerate(localities):
            if row == column:
                cost[row, column] = 0
                reach[row, column] = True
                continue
            distance = km.get((first, second))
            if distance is not None:
                cost[row, column] += round(rules.costs.per_km * distance)
                reach[row, column] |= distance <= rules.reach.max_km
    return cost, reach


def _codes(values: list[str | None], vocabulary: list[str | None]) -> tuple[np.ndarray, dict[str, int]]:
    codes = {value: position for position, value in enumerate(sorted({v for v in vocabulary if v}))}
    return np.array([codes.get(value or "", -1) for value in values], dtype=np.int64), codes


def _cost_parts(
    tables: Tables, arc_need: np.ndarray, arc_worker: np.ndarray, pair: np.ndarray,
    current: np.ndarray, need_locality: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each cost term on every arc, a column at a time. ``pair`` numbers each arc
    ``need * workers + worker``, in ascending order."""
    needs = tables.problem.needs
    workers = tables.problem.workers
    costs = tables.rules.costs
    index = tables.index
    count = len(workers)

    accepted = np.array([index.get(need.accepted_staff_id or "", -1) for need in needs],
                        dtype=np.int64)
    team_names = [worker.team for worker in workers]
    former_names = [worker.former_team for worker in workers]
    worker_team, teams = _codes(team_names, team_names + former_names)
    worker_former, _ = _codes(former_names, team_names + former_names)
    need_team = np.array([teams.get(need.team or "", -2) for need in needs], dtype=np.int64)
    gender_names = [worker.gender for worker in workers]
    preferred = [need.preferred_gender for need in needs]
    worker_gender, genders = _codes(gender_names, gender_names + preferred)
    need_gender = np.array([genders.get(value or "", -1) for value in preferred], dtype=np.int64)
    wanted = [need.language for need in needs]
    need_language, languages = _codes(wanted, wanted)
    speaks = np.zeros((max(1, len(languages)), count), dtype=bool)
    for position, worker in enumerate(workers):
        for language in worker.languages & languages.keys():
            speaks[languages[language], position] = True
    known = np.array(sorted(position * count + index[staff_id]
                            for position, need in enumerate(needs)
                            for staff_id in need.known if staff_id in index), dtype=np.int64)

    keeps = arc_worker == current[arc_need]
    # The arcs to workers the person has had before: each such pair looked up in the
    # ascending arc numbers (a few thousand binary searches rather than a 2-million-arc isin).
    knows = np.zeros(len(pair), dtype=bool)
    at = np.searchsorted(pair, known)
    found = at < len(pair)
    found[found] = pair[at[found]] == known[found]
    knows[at[found]] = True
    knows &= ~keeps
    accepted_worker = accepted[arc_need]
    language = need_language[arc_need]
    gender = need_gender[arc_need]
    locality = tables.locality_cost[need_locality[arc_need], tables.worker_locality[arc_worker]]
    parts = {
        "continuity": np.where(keeps, 0, np.where(knows, costs.known_worker, costs.new_worker)),
        "accepted": np.where((accepted_worker >= 0) & (arc_worker != accepted_worker),
                             costs.change_from_accepted, 0),
        "team": np.where((worker_team[arc_worker] == need_team[arc_need])
                         | (worker_former[arc_worker] == need_team[arc_need]), 0, costs.other_team),
        "locality": locality,
        "gender": np.where((gender >= 0) & (worker_gender[arc_worker] != gender),
                           costs.gender_not_preferred, 0),
        "language": np.where((language >= 0) & ~speaks[np.maximum(language, 0), arc_worker],
                             costs.language_not_spoken, 0),
    }
    return {key: parts[key].astype(np.int64, copy=False) for key in PART_KEYS}
