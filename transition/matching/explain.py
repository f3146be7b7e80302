"""Why the plan is what it is: the cost terms behind every placement, why the runner-up
workers were not chosen, and why a need could not be placed at all.

Reasons are short phrases a team manager can read aloud: "keeps current worker", "same
locality (North)", "speaks Polish", "full (20 of 20)", "no worker with skill forensic in reach
(needed: on a CTO or forensic history)". They name workers by staff id, never people.

At 100,000 people this runs once per need, so it reads the network as plain lists and
remembers the phrases it has already built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from transition.matching.model import Alternative, CostTerm, Need, Placement, WorkerLoad
from transition.matching.network import PART_KEYS, Network
from transition.matching.rules import ROLE_WORDS

_UNSEEN = object()


def explain(network: Network, chosen: np.ndarray, loads: dict[str, WorkerLoad]) -> list[Placement]:
    """One placement per need, in the problem's order."""
    explainer = _Explainer(network, chosen, loads)
    return [explainer.placement(position) for position in range(len(network.problem.needs))]


def requirement(network: Network, role: str) -> str:
    """Who can fill ``role``, in words: 'council social worker'."""
    fit = network.rules.roles[role]
    return f"{_either(fit.employers)} {_either(fit.staff_roles)}"


def role_holder(network: Network, role: str) -> str:
    """The role in a few words: 'council social worker', 'trust key worker'."""
    return f"{_either(network.rules.roles[role].employers)} {ROLE_WORDS.get(role, role)}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _either(words: tuple[str, ...]) -> str:
    spoken = [word.replace("_", " ") for word in words]
    return spoken[0] if len(spoken) == 1 else ", ".join(spoken[:-1]) + " or " + spoken[-1]


def pair_terms(network: Network, position: int, arc: int) -> list[CostTerm]:
    """The cost terms of one (need, worker) arc, and the skills it meets, in words."""
    return _Words(network).pair_terms(position, arc)


def hard_failures(network: Network, position: int, worker_position: int) -> list[str]:
    """Which hard constraints (other than capacity) rule this worker out for this need."""
    need = network.problem.needs[position]
    worker = network.problem.workers[worker_position]
    tables = network.tables
    reasons = []
    if not tables.fit[need.role][worker_position]:
        reasons.append(f"wrong employer or role ({worker.employer} "
                       f"{worker.role.replace('_', ' ')}; needs a "
                       f"{role_holder(network, need.role)})")
    unavailable = worker.unavailable(need.handover_date, network.rules)
    if unavailable:
        reasons.append(f"not active on {need.handover_date.isoformat()}: {unavailable}")
    missing = [skill for skill, _ in need.required if skill not in worker.skills]
    if missing:
        reasons.append("lacks " + ", ".join(missing))
    if worker_position != network.current[position]:
        if not tables.reach[tables.need_locality(need), tables.worker_locality[worker_position]]:
            reasons.append(f"out of reach ({worker.locality or 'locality not recorded'})")
        if worker.keep_only:
            reasons.append("takes no new people until their council team is decided")
    return reasons


class _Words:
    """The words for cost terms, with the network's arrays as lists (fast to index one at a
    time) and phrases remembered.

    With ``arcs`` (ascending), only those arcs are read, numbered 0, 1, ... in that order: the
    explainer reads about 400,000 of the network's 2 million, and making Python lists of all
    of them was a quarter of its time."""

    def __init__(self, network: Network, arcs: np.ndarray | None = None):
        self.network = network
        self.needs = network.problem.needs
        self.workers = network.problem.workers
        parts = {key: values if arcs is None else values[arcs]
                 for key, values in network.parts.items()}
        cost = np.zeros(len(network.arc_need) if arcs is None else len(arcs), dtype=np.int64)
        for values in parts.values():
            cost += values
        self.arc_worker: list[int] = (
            network.arc_worker if arcs is None else network.arc_worker[arcs]).tolist()
        self.parts: dict[str, list[int]] = {key: values.tolist() for key, values in parts.items()}
        self.cost: list[int] = cost.tolist()
        self.current: list[int] = network.current.tolist()
        self.known_cost = network.rules.costs.known_worker
        self.memo: dict[tuple[Any, ...], str] = {}
        self.terms: dict[tuple[Any, ...], CostTerm | None] = {}
        self.skill_terms: dict[tuple[tuple[str, str], ...], tuple[CostTerm, ...]] = {}

    def pair_terms(self, position: int, arc: int) -> list[CostTerm]:
        """The arc's cost terms. Each distinct term is made once and shared (a CostTerm is
        immutable): it is remembered under what its words depend on (see :meth:`text`) and
        its cost, so 600,000 terms at 100,000 people come from a few thousand."""
        need = self.needs[position]
        worker_position = self.arc_worker[arc]
        parts = self.parts
        kept = worker_position == self.current[position]
        continuity = parts["continuity"][arc]
        knows = (not kept and continuity == self.known_cost
                 and self.workers[worker_position].staff_id in need.known)
        depends_on = (  # in PART_KEYS order
            ("continuity", kept, knows, continuity),
            ("accepted", need.accepted_staff_id, parts["accepted"][arc]),
            ("team", need.team, worker_position, parts["team"][arc]),
            ("locality", need.locality, worker_position, parts["locality"][arc]),
            ("gender", need.preferred_gender, parts["gender"][arc]),
            ("language", need.language, parts["language"][arc]),
        )
        remembered = self.terms
        terms = []
        for memo_key in depends_on:
            term = remembered.get(memo_key, _UNSEEN)
            if term is _UNSEEN:
                key = memo_key[0]
                text = self.text(key, position, arc)
                term = remembered[memo_key] = CostTerm(key, memo_key[-1], text) if text else None
            if term is not None:
                terms.append(term)
        skills = self.skill_terms.get(need.required)
        if skills is None:
            skills = self.skill_terms[need.required] = tuple(
                CostTerm("skill", 0, f"has {skill} (needed: {because})")
                for skill, because in need.required)
        terms += skills
        return terms

    def text(self, key: str, position: int, arc: int) -> str | None:
        """The words for one cost term of an arc (None when the term does not apply)."""
        need = self.needs[position]
        worker_position = self.arc_worker[arc]
        cost = self.parts[key][arc]
        if key == "continuity":
            if worker_position == self.current[position]:
                return "keeps current worker"
            if cost == self.known_cost and self.workers[worker_position].staff_id in need.known:
                return "new worker the person already knows"
            return "new worker"
        if key == "accepted":
            return f"changes the accepted allocation (was {need.accepted_staff_id})" if cost else None
        if key in ("team", "locality"):
            memo_key = (key, need.team if key == "team" else need.locality, worker_position)
            text = self.memo.get(memo_key)
            if text is None:
                text = self.memo[memo_key] = (self.team_text(need, worker_position)
                                              if key == "team" else
                                              self.locality_text(need, worker_position))
            return text
        if key == "gender":
            if not need.preferred_gender:
                return None
            preferred = need.preferred_gender.replace("_", " ")
            return f"not the preferred gender ({preferred} preferred)" if cost else (
                f"preferred gender ({preferred})")
        if key == "language":
            if not need.language:
                return None
            language = need.language.title()
            return f"does not speak {language}: book an interpreter" if cost else (
                f"speaks {language}")
        raise ValueError(f"unknown cost term {key!r}")

    def team_text(self, need: Need, worker_position: int) -> str:
        worker = self.workers[worker_position]
        if need.team and worker.team == need.team:
            return f"same team ({worker.team})"
        if need.team and worker.former_team == need.team:
            return f"from the person's team ({worker.former_team}) before the transfer"
        return f"another team ({worker.team or 'team not recorded'})"

    def locality_text(self, need: Need, worker_position: int) -> str:
        worker = self.workers[worker_position]
        mine = (need.locality or "").casefold()
        theirs = (worker.locality or "").casefold()
        if mine and mine == theirs:
            return f"same locality ({worker.locality})"
        if not theirs:
            return "locality not recorded for the worker"
        distance = self.network.tables.km.get((mine, theirs))
        far = f", {distance:g} km" if distance is not None else ""
        return f"another locality ({worker.locality}{far})"


class _Explainer:
    def __init__(self, network: Network, chosen: np.ndarray, loads: dict[str, WorkerLoad]):
        self.network = network
        self.needs = network.problem.needs
        self.workers = network.problem.workers
        self.loads = [loads[worker.staff_id] for worker in self.workers]
        # Each worker's load in words, made once: every placement with them ends with it.
        self.load_terms = [CostTerm("load", 0, f"caseload after plan: {load.total} of "
                                               f"{load.capacity}") for load in self.loads]
        self.red_terms = [CostTerm("red", 0, f"red-band handover: {load.red_handovers} of "
                                             f"{load.red_cap} for {load.staff_id}")
                          for load in self.loads]
        # Why a worker cannot take one more, when that is why (the first of why_not's answers).
        self.full = [(f"full ({load.total} of {load.capacity})",)
                     if load.total >= load.capacity else None for load in self.loads]
        self.capped = [(f"red-band handover cap reached ({load.red_handovers} of "
                        f"{load.red_cap})",)
                       if load.red_handovers >= load.red_cap else None for load in self.loads]
        self.shown = network.rules.alternatives_shown
        self.unplaced_memo: dict[tuple[Any, ...], tuple[str, ...]] = {}

        # The arcs read. Only a need placed with a new worker is asked about other workers:
        # its runner-ups are among its cheapest arcs (ties by worker), at most one more than
        # are shown since one of them may be the chosen worker's; and why not the current
        # worker reads the current worker's arc, if there is one.
        count = len(self.workers)
        placed = chosen >= 0
        new = np.zeros(len(self.needs), dtype=bool)
        new[placed] = network.arc_worker[chosen[placed]] != network.current[placed]
        asked = np.flatnonzero(new[network.arc_need])
        by_cost = asked[np.lexsort((network.arc_worker[asked], network.arc_cost[asked],
                                    network.arc_need[asked]))]
        need_of = network.arc_need[by_cost]
        rank = np.arange(len(by_cost)) - np.searchsorted(need_of, need_of)
        by_cost = by_cost[rank <= self.shown]
        # Arcs are in (need, worker) order, so the current worker's is found by binary search.
        pair = network.arc_need * count + network.arc_worker
        holder = np.flatnonzero(new & (network.current >= 0))
        wanted = holder * count + network.current[holder]
        at = np.minimum(np.searchsorted(pair, wanted), max(len(pair) - 1, 0))
        has_arc = pair[at] == wanted if len(pair) else np.zeros(len(holder), dtype=bool)
        holder_arc = np.full(len(self.needs), -1, dtype=np.int64)
        holder_arc[holder[has_arc]] = at[has_arc]
        arcs = np.unique(np.concatenate([chosen[placed], by_cost, holder_arc[holder_arc >= 0]]))

        # From here on an arc is its position in ``arcs``.
        self.words = _Words(network, arcs)
        self.arc_red: list[bool] = network.arc_red[arcs].tolist()
        self.chosen: list[int] = np.where(placed, np.searchsorted(arcs, chosen), -1).tolist()
        self.by_cost: list[int] = np.searchsorted(arcs, by_cost).tolist()
        self.starts: list[int] = np.searchsorted(
            network.arc_need[by_cost], np.arange(len(self.needs) + 1)).tolist()
        self.holder_arc: list[int | None] = [
            None if arc < 0 else arc
            for arc in np.where(holder_arc >= 0, np.searchsorted(arcs, holder_arc), -1).tolist()]

    # -- placed ---------------------------------------------------------------------------

    def placement(self, position: int) -> Placement:
        need = self.needs[position]
        arc = self.chosen[position]
        if arc < 0:
            return Placement(need, None, unassigned_reasons=self.why_unplaced(position))
        worker_position = self.words.arc_worker[arc]
        kept = worker_position == self.words.current[position]
        return Placement(
            need,
            self.workers[worker_position].staff_id,
            cost=self.words.cost[arc],
            terms=tuple(self.terms(position, arc, worker_position)),
            # Runner-ups answer "why this new worker?"; someone kept needs no such answer.
            alternatives=() if kept else tuple(self.alternatives(position, arc, worker_position)),
        )

    def terms(self, position: int, arc: int, worker_position: int) -> list[CostTerm]:
        terms = self.words.pair_terms(position, arc)
        if terms[0].text == "new worker":
            why = self.why_not_current(position, worker_position)
            terms[0] = CostTerm("continuity", terms[0].cost, f"new worker ({why})")
        if self.arc_red[arc]:
            terms.append(self.red_terms[worker_position])
        terms.append(self.load_terms[worker_position])
        return terms

    def why_not_current(self, position: int, chosen_worker: int) -> str:
        need = self.needs[position]
        holder = self.words.current[position]
        if holder >= 0:
            return "current worker " + "; ".join(
                self.why_not(position, holder, chosen_worker, self.holder_arc[position]))
        if need.coordinator_id is None:
            return "no current worker recorded"
        coordinator = self.network.tables.index.get(need.coordinator_id)
        if coordinator is None:
            return f"current worker {need.coordinator_id} is not on the staff list"
        worker = self.workers[coordinator]
        return (f"current worker {worker.staff_id} is a {worker.employer} "
                f"{worker.role.replace('_', ' ')}; this role needs a "
                f"{role_holder(self.network, need.role)}")

    # -- runner-ups -----------------------------------------------------------------------

    def alternatives(self, position: int, arc: int, chosen_worker: int) -> list[Alternative]:
        found: list[Alternative] = []
        seen = {chosen_worker}
        for candidate in self.by_cost[self.starts[position]:self.starts[position + 1]]:
            if len(found) >= self.shown:
                break
            worker_position = self.words.arc_worker[candidate]
            if worker_position in seen:
                continue
            seen.add(worker_position)
            found.append(Alternative(
                self.workers[worker_position].staff_id, self.words.cost[candidate],
                self.why_not(position, worker_position, chosen_worker, candidate)))
        holder = self.words.current[position]
        if holder >= 0 and holder not in seen:
            arc_held = self.holder_arc[position]
            found.append(Alternative(
                self.workers[holder].staff_id,
                None if arc_held is None else self.words.cost[arc_held],
                self.why_not(position, holder, chosen_worker, arc_held)))
        return found

    def why_not(self, position: int, worker_position: int, chosen_worker: int,
                arc: int | None) -> tuple[str, ...]:
        """Why ``worker_position`` does not hold this need in the plan (``arc``: theirs, if
        they are a candidate for it)."""
        if arc is None:
            return tuple(hard_failures(self.network, position, worker_position)
                         or ["not a candidate"])
        full = self.full[worker_position]
        if full:
            return full
        if self.arc_red[arc] and self.capped[worker_position]:
            return self.capped[worker_position]
        chosen_arc = self.chosen[position]
        cost = self.words.cost
        difference = cost[arc] - cost[chosen_arc]
        if difference > 0:
            parts = self.words.parts
            worse = [text for key in PART_KEYS
                     if parts[key][arc] > parts[key][chosen_arc]
                     and (text := self.words.text(key, position, arc))]
            return (f"costs {difference} more: " + "; ".join(worse),)
        load = self.loads[worker_position]
        chosen = self.loads[chosen_worker]
        if load.total * chosen.capacity > chosen.total * load.capacity:
            return ((f"as good a match, but busier ({load.total} of {load.capacity} against "
                     f"{chosen.total} of {chosen.capacity}): caseloads are kept balanced"),)
        return (("as good a match, but placing this person there would move someone else; "
                 "the plan as a whole costs less this way"),)

    # -- unplaced -------------------------------------------------------------------------

    def why_unplaced(self, position: int) -> tuple[str, ...]:
        need = self.needs[position]
        tables = self.network.tables
        key = (need.role, tables.need_locality(need), tables.need_skills(need),
               need.handover_date, need.red)
        if key not in self.unplaced_memo:
            self.unplaced_memo[key] = tuple(self.diagnose(need))
        return self.unplaced_memo[key]

    def diagnose(self, need: Need) -> list[str]:
        tables = self.network.tables
        wanted = requirement(self.network, need.role)
        fits = tables.fit[need.role]
        if not fits.any():
            return [f"no {wanted} on the staff list"]
        active = fits & tables.active(need.handover_date)
        if not active.any():
            return [(f"no {wanted} is active on {need.handover_date.isoformat()} "
                    f"({int(fits.sum())} on the staff list are leaving, absent or withdrawn)")]
        reach = active & tables.in_reach(need)
        if not reach.any():
            return [f"no active {wanted} in reach of {self.place(need)}"]
        holder = role_holder(self.network, need.role)
        reasons = [f"no {holder} with skill {skill} {self.reach_of(need)} (needed: {because})"
                   for skill, because in need.required
                   if not (reach & tables.has_skills(tables.skill_bit[skill])).any()]
        if reasons:
            return reasons
        skilled = reach & tables.has_skills(tables.need_skills(need))
        if not skilled.any():
            return ["no worker in reach has all of "
                    + ", ".join(skill for skill, _ in need.required)]
        open_ = skilled & ~tables.keep_only
        if not open_.any():
            return [(f"the only suitable workers in reach ({int(skilled.sum())}) take no new "
                    "people until their council team is decided")]
        return self.all_taken(need, np.nonzero(open_)[0].tolist())

    def all_taken(self, need: Need, candidates: list[int]) -> list[str]:
        full = capped = places = red_placed = 0
        for worker_position in candidates:
            load = self.loads[worker_position]
            places += load.capacity
            red_placed += load.red_handovers
            if load.total >= load.capacity:
                full += 1
            elif need.red and load.red_handovers >= load.red_cap:
                capped += 1
        count = len(candidates)
        if full == count:
            reasons = [(f"every eligible worker in reach is full ({_count(count, 'worker')}, "
                        f"{_count(places, 'place')})")]
        elif capped == count:
            reasons = [("every eligible worker in reach has reached the red-band handover cap "
                       f"({self.network.rules.max_red_handovers_per_worker})")]
        elif full + capped == count:
            reasons = [(f"every eligible worker in reach is full ({full}) or at the red-band "
                       f"handover cap ({capped})")]
        else:
            reasons = [(f"capacity in reach is short: {count} eligible workers, {places} places, "
                       "all taken by people the plan could not otherwise place")]
        if not need.red and red_placed:
            reasons.append("people in the red band were placed first")
        return reasons

    def reach_of(self, need: Need) -> str:
        """Where a new worker may be based, in words: 'within 15 km of North', 'in North'."""
        reach = self.network.rules.reach
        if reach.mode == "everywhere" or not need.locality:
            return "anywhere"
        mine = need.locality.casefold()
        if reach.max_km and any(first == mine for first, _ in self.network.tables.km):
            return f"within {reach.max_km:g} km of {need.locality}"
        return f"in {need.locality}"

    def place(self, need: Need) -> str:
        where = need.locality or "their locality"
        reach = self.network.rules.reach
        if reach.mode == "nearby" and reach.max_km:
            return f"{where} (within {reach.max_km:g} km)"
        return where
