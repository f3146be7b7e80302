"""The flow network: every feasible (need, worker) pair under the hard constraints, with its
cost terms, built a column at a time with numpy (100,000 people x ~20 workers each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from transition.bulk import Memo
from transition.errors import TransitionError
from transition.languages import language_key
from transition.matching.model import Need, Problem
from transition.matching.rules import MatchingRules
from transition.models import RiskBand

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
    _active: dict[tuple[date, date | None], np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, problem: Problem, rules: MatchingRules) -> Tables:
        workers = problem.workers
        # Each distinct skill set and locality among the needs (a few hundred) looked at once.
        skills = sorted({rule.skill for rule in rules.required_skills}
                        | {skill for required in set(problem.need_columns["required"])
                           for skill, _ in required})
        skill_bit = {skill: 1 << position for position, skill in enumerate(skills)}
        localities = sorted(({(worker.locality or "").casefold() for worker in workers}
                             | {(name or "").casefold()
                                for name in set(problem.need_columns["locality"])})
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

    def active(self, day: date, through: date | None = None,
               long_term_days: int | None = None) -> np.ndarray:
        """Workers active on ``day`` (not leaving, not absent, on the staff list) and, given
        ``through``, not leaving on or before it (:attr:`Need.stays_through`); given
        ``long_term_days``, only a long-term absence counts (:attr:`Need.long_term_days`)."""
        key = (day, through, long_term_days)
        if key not in self._active:
            self._active[key] = np.array(
                [worker.unavailable(day, self.rules, through,
                                    long_term_days=long_term_days) is None
                 for worker in self.problem.workers], dtype=bool)
        return self._active[key]

    def need_locality(self, need: Need) -> int:
        return self.locality_code.get((need.locality or "").casefold(), len(self.locality_code))

    def need_skills(self, need: Need) -> int:
        return sum(self.skill_bit[skill] for skill, _ in need.required)

    def has_skills(self, mask: int) -> np.ndarray:
        return (self.worker_skills & mask) == mask

    def in_reach(self, need: Need) -> np.ndarray:
        return self.reach[self.need_locality(need)][self.worker_locality]

    def candidates(self, role: str, locality: int, skills: int, day: date,
                   through: date | None = None) -> np.ndarray:
        """Workers who may take a new person with this profile (every hard constraint but
        capacity, which the flow enforces)."""
        ok = (self.fit[role] & self.active(day, through) & ~self.keep_only
              & self.has_skills(skills))
        return np.nonzero(ok & self.reach[locality][self.worker_locality])[0]

    def may_keep(self, need: Need, position: int) -> bool:
        """Whether the current worker may keep this need (reach and an undecided council team
        do not stop someone keeping their own people; nor, for a person settled with them, a
        short absence: :attr:`Need.long_term_days`)."""
        return bool(self.fit[need.role][position]
                    and self.active(need.handover_date, need.stays_through,
                                    need.long_term_days)[position]
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


class Codes(Memo):
    """A number for each distinct value: ``number(value)``, or without it 0, 1, 2, ... in
    order of first sight. A column of 100,000 values is coded with one C-level ``map``."""

    def __init__(self, number: Callable[[Any], int] | None = None) -> None:
        super().__init__(number if number is not None else lambda _value: len(self))

    def of(self, values: Iterable[Any]) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, values), dtype=np.int64)


def build_network(problem: Problem, rules: MatchingRules) -> Network:
    """Every feasible (need, worker) pair under the hard constraints, with its cost terms."""
    tables = Tables.of(problem, rules)
    needs = problem.needs
    index = tables.index
    count = len(problem.workers)
    # The needs a column at a time. Each column's distinct values (a few hundred localities,
    # skill sets and workers among 100,000 needs) are worked out once and spread by ``map``.
    (roles, localities, required, days, current_ids, coordinator_ids, bands, accepted_ids,
     teams, preferred, wanted, known) = map(problem.need_columns.__getitem__, _NEED_COLUMNS)
    position_of = Codes(lambda staff_id: index.get(staff_id or "", -1))
    need_locality = Codes(lambda name: tables.locality_code.get((name or "").casefold(),
                                                                 len(tables.locality_code)))
    need_locality_codes = need_locality.of(localities)
    need_skills = Codes(lambda skills: sum(tables.skill_bit[skill] for skill, _ in skills))

    # Needs with the same role, place, skills and dates share one candidate list: the
    # profiles, numbered in order of first need.
    profiles = Codes()
    need_profile = profiles.of(zip(roles, need_locality_codes.tolist(),
                                   map(need_skills.__getitem__, required), days,
                                   problem.need_columns["stays_through"]))
    candidate_lists = [tables.candidates(*key) for key in profiles]
    sizes = np.array([len(candidates) for candidates in candidate_lists], dtype=np.int64)
    per_need = sizes[need_profile] if len(needs) else np.zeros(0, dtype=np.int64)
    if int(per_need.sum()) > MAX_ARCS:
        raise TransitionError(
            f"The matching network would have more than {MAX_ARCS:,} candidate pairs: "
            "reach is too wide for this caseload. Nothing was stored.",
            hint='Set [matching.reach] mode = "nearby" with a smaller max_km, and make sure '
            "people and staff have a locality.",
        )
    # Every need's candidates, need by need, gathered from the profiles' lists laid end to
    # end: an arc's worker is its profile's list at (where the list starts + its place among
    # the need's arcs). Each list is ascending, so arcs come out by need, then worker.
    flat = (np.concatenate(candidate_lists) if candidate_lists else np.zeros(0, np.int64)
            ).astype(np.int64, copy=False)
    starts = np.cumsum(sizes) - sizes
    arc_need = np.repeat(np.arange(len(needs), dtype=np.int64), per_need)
    first_arc = np.cumsum(per_need) - per_need
    arc_worker = np.repeat(starts[need_profile] - first_arc, per_need)
    for low, high in _chunks(len(arc_worker)):
        arc_worker[low:high] = flat[arc_worker[low:high] + np.arange(low, high)]

    # The current worker stays a candidate out of reach (continuity), and a seconded worker
    # whose council team is undecided keeps their own people: the holders not among their
    # profile's candidates (found by binary search in the lists' (profile, worker) numbers).
    current = position_of.of(current_ids)
    holding = np.flatnonzero(current >= 0)
    listed = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes) * count + flat
    wanted_pair = need_profile[holding] * count + current[holding]
    at = np.minimum(np.searchsorted(listed, wanted_pair), max(len(listed) - 1, 0))
    outside = holding[listed[at] != wanted_pair] if len(listed) else holding
    # Whether the holder may keep it depends on the profile (role, skills, date) and on
    # whether the person is settled with them (Need.long_term_days, not in the profile: a
    # handover today has the same date): asked once per profile, holder and that.
    may_keep: dict[tuple[int, int, int | None], bool] = {}
    extra = []
    for position, profile, holder in zip(outside.tolist(), need_profile[outside].tolist(),
                                         current[outside].tolist(), strict=True):
        key = (profile, holder, needs[position].long_term_days)
        allowed = may_keep.get(key)
        if allowed is None:
            allowed = may_keep[key] = tables.may_keep(needs[position], holder)
        if allowed:
            extra.append(position)
    # A holder among the candidates keeps the person, but for someone settled with them
    # (Need.long_term_days) whom they may not keep: away long-term, which the rules'
    # back_within_days (only when longer) lets a new handover overlook. Their arc goes.
    settled = problem.need_columns["long_term_days"]
    if len(listed) and any(days is not None and rules.back_within_days > days
                           for days in set(settled)):
        inside = holding[listed[at] == wanted_pair]
        gone = [position for position in inside.tolist()
                if settled[position] is not None
                and not tables.may_keep(needs[position], int(current[position]))]
        if gone:
            drop = np.searchsorted(arc_need * count + arc_worker,
                                   np.array(gone, dtype=np.int64) * count + current[gone])
            arc_need = np.delete(arc_need, drop)
            arc_worker = np.delete(arc_worker, drop)
            per_need[gone] -= 1
    if extra:
        extra_need = np.array(extra, dtype=np.int64)
        extra_worker = current[extra_need]
        # Pair numbers (need * workers + worker) are unique and ascending: each extra arc
        # goes where it sorts.
        where = np.searchsorted(arc_need * count + arc_worker, extra_need * count + extra_worker)
        arc_need = np.insert(arc_need, where, extra_need)
        arc_worker = np.insert(arc_worker, where, extra_worker)
        per_need[extra_need] += 1

    # The handover baseline: the coordinator, unless their allocation ends before the handover.
    coordinator = position_of.of(coordinator_ids)
    ended = problem.need_columns["coordinator_ended"]
    coordinator[[need for need, day in enumerate(ended) if day is not None]] = -1
    red_band = {band: band == RiskBand.RED for band in set(bands)}
    red_need = np.fromiter(map(red_band.__getitem__, bands), dtype=bool, count=len(needs))
    arc_red = np.empty(len(arc_need), dtype=bool)
    for low, high in _chunks(len(arc_need)):
        need = arc_need[low:high]
        arc_red[low:high] = red_need[need] & (arc_worker[low:high] != coordinator[need])

    held = np.zeros(count, dtype=np.int64)
    held_red = np.zeros(count, dtype=np.int64)
    for item in problem.held:
        position = index.get(item.staff_id)
        if position is not None:
            held[position] += 1
            held_red[position] += int(item.red_handover)
    preference = problem.need_columns["language_preferred"]
    columns = _NeedValues(accepted=position_of.of(accepted_ids), teams=teams,
                          preferred=preferred, wanted=wanted, known=known,
                          language_cost=np.where(
                              np.fromiter(preference, dtype=bool, count=len(preference)),
                              rules.costs.preferred_language_not_spoken,
                              rules.costs.language_not_spoken))
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
        parts=_cost_parts(tables, arc_need, arc_worker, per_need, current,
                          need_locality_codes, columns),
    )


_CHUNK = 8_192
"""Arcs filled in at a time. Whole-network temporaries are 16 MB each at 2 million arcs, and
fresh memory is costly to touch (each new page faults: on the build machine about as much
time as the arithmetic). Chunks of 64 KB come from, and go back to, the allocator's free
memory instead."""


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for low in range(0, total, _CHUNK):
        yield low, min(low + _CHUNK, total)


def _arcs_of_pairs(arc_worker: np.ndarray, per_need: np.ndarray, need: np.ndarray,
                   worker: np.ndarray) -> np.ndarray:
    """The arc of each (need, worker) pair, or -1 where there is none: a binary search in
    each need's run of arcs (ascending workers), all pairs a step at a time."""
    first = np.cumsum(per_need) - per_need
    low = first[need]
    high = low + per_need[need]
    end = high.copy()
    while (searching := low < high).any():
        middle = (low + high) // 2
        below = searching & (arc_worker[np.minimum(middle, len(arc_worker) - 1)] < worker)
        low = np.where(below, middle + 1, low)
        high = np.where(searching & ~below, middle, high)
    found = low < end
    found[found] = arc_worker[low[found]] == worker[found]
    return np.where(found, low, -1)


_NEED_COLUMNS = ("role", "locality", "required", "handover_date", "current_staff_id",
                 "coordinator_id", "band", "accepted_staff_id", "team", "preferred_gender",
                 "language", "known")


@dataclass
class _NeedValues:
    """The needs' columns the cost terms read (a value per need, in the needs' order)."""

    accepted: np.ndarray  # the accepted worker's position (-1: none)
    teams: Sequence[str | None]
    preferred: Sequence[str | None]
    wanted: Sequence[str | None]  # the language an interpreter is needed for (or preferred)
    known: Sequence[frozenset[str]]
    language_cost: np.ndarray  # what not speaking it costs: an interpreter's, or a preference's


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
    tables: Tables, arc_need: np.ndarray, arc_worker: np.ndarray, per_need: np.ndarray,
    current: np.ndarray, need_locality: np.ndarray, columns: _NeedValues,
) -> dict[str, np.ndarray]:
    """Each cost term on every arc, a column at a time (filled a chunk of arcs at a time).
    Arcs are by need (``per_need`` of each), then worker."""
    workers = tables.problem.workers
    costs = tables.rules.costs
    index = tables.index
    count = len(workers)

    accepted = columns.accepted
    team_names = [worker.team for worker in workers]
    former_names = [worker.former_team for worker in workers]
    worker_team, teams = _codes(team_names, team_names + former_names)
    worker_former, _ = _codes(former_names, team_names + former_names)
    need_team = Codes(lambda team: teams.get(team or "", -2)).of(columns.teams)
    gender_names = [worker.gender for worker in workers]
    worker_gender, genders = _codes(gender_names, gender_names + list(set(columns.preferred)))
    need_gender = Codes(lambda value: genders.get(value or "", -1)).of(columns.preferred)
    # Compared by language_key, so "Bengali" finds a worker who wrote "Bangla".
    languages = {key: position for position, key in enumerate(
        sorted({language_key(value) for value in set(columns.wanted) if value}))}
    need_language = Codes(
        lambda value: languages.get(language_key(value), -1) if value else -1).of(columns.wanted)
    speaks = np.zeros((max(1, len(languages)), count), dtype=bool)
    for position, worker in enumerate(workers):
        for language in worker.languages:
            if (spoken := languages.get(language_key(language))) is not None:
                speaks[spoken, position] = True
    # The arcs to workers the person has had before. Each distinct set of workers (most
    # people share their coordinator's) is turned into positions once.
    known_sets = Codes()
    need_set = known_sets.of(columns.known)
    known_lists = [[index[staff_id] for staff_id in staff_ids if staff_id in index]
                   for staff_ids in known_sets]  # in the order of their codes
    set_sizes = np.array([len(positions) for positions in known_lists], dtype=np.int64)
    pairs_of_need = set_sizes[need_set] if len(need_set) else np.zeros(0, dtype=np.int64)
    known_need = np.repeat(np.arange(len(need_set), dtype=np.int64), pairs_of_need)
    set_flat = np.array([position for positions in known_lists for position in positions],
                        dtype=np.int64)
    set_starts = np.cumsum(set_sizes) - set_sizes
    known_worker = set_flat[np.repeat(set_starts[need_set] - np.cumsum(pairs_of_need)
                                      + pairs_of_need, pairs_of_need)
                            + np.arange(len(known_need), dtype=np.int64)]
    known_arcs = _arcs_of_pairs(arc_worker, per_need, known_need, known_worker)
    knows = np.zeros(len(arc_need), dtype=bool)
    knows[known_arcs[known_arcs >= 0]] = True

    parts = {key: np.empty(len(arc_need), dtype=np.int64) for key in PART_KEYS}
    locality_cost = tables.locality_cost.ravel()
    size = tables.locality_cost.shape[1]
    for low, high in _chunks(len(arc_need)):
        need, worker = arc_need[low:high], arc_worker[low:high]
        keeps = worker == current[need]
        parts["continuity"][low:high] = np.where(
            keeps, 0, np.where(knows[low:high], costs.known_worker, costs.new_worker))
        accepted_worker = accepted[need]
        parts["accepted"][low:high] = np.where(
            (accepted_worker >= 0) & (worker != accepted_worker), costs.change_from_accepted, 0)
        team = need_team[need]
        parts["team"][low:high] = np.where(
            (worker_team[worker] == team) | (worker_former[worker] == team), 0, costs.other_team)
        parts["locality"][low:high] = locality_cost[
            need_locality[need] * size + tables.worker_locality[worker]]
        gender = need_gender[need]
        parts["gender"][low:high] = np.where(
            (gender >= 0) & (worker_gender[worker] != gender), costs.gender_not_preferred, 0)
        language = need_language[need]
        parts["language"][low:high] = np.where(
            (language >= 0) & ~speaks[np.maximum(language, 0), worker],
            columns.language_cost[need], 0)
    return parts
