"""The explainer as it was before it worked a column at a time (kept as the plain reference
for tests/unit/test_matching_explain.py): one need at a time, in Python, with the same words.
The fast explainer in transition.matching.explain must give equal placements."""

from __future__ import annotations

from typing import Any

import numpy as np

from transition.matching.explain import (
    _Explainer,
    _Words,
    hard_failures,
    role_holder,
    worker_words,
)
from transition.matching.model import Alternative, CostTerm, Placement, WorkerLoad
from transition.matching.network import PART_KEYS, Network


def explain_plainly(network: Network, chosen: np.ndarray,
                    loads: dict[str, WorkerLoad]) -> list[Placement]:
    """One placement per need, each worked out by a fresh explainer (nothing remembered
    between needs)."""
    return [PlainExplainer(network, chosen, loads).placement(position)
            for position in range(len(network.problem.needs))]


class PlainExplainer:
    def __init__(self, network: Network, chosen: np.ndarray, loads: dict[str, WorkerLoad]):
        self.network = network
        self.needs = network.problem.needs
        self.workers = network.problem.workers
        self.loads = [loads[worker.staff_id] for worker in self.workers]
        # The words for each worker are the production explainer's (they are not what the
        # fast path changed).
        self.load_terms, self.red_terms, self.full, self.capped = worker_words(self.loads)
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
        if need.coordinator_ended is not None and worker.fits(need.role, self.network.rules):
            return (f"current worker {worker.staff_id}'s allocation stops before the handover "
                    f"(last day {need.coordinator_ended.isoformat()})")
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
    # Why a need could not be placed is worked out per need in the production explainer too
    # (the fast path did not change it), so the reference borrows it rather than keep a copy.

    why_unplaced = _Explainer.why_unplaced
    why_not_kept = _Explainer.why_not_kept
    diagnose = _Explainer.diagnose
    all_taken = _Explainer.all_taken
    reach_of = _Explainer.reach_of
    place = _Explainer.place
