"""Why the plan is what it is: the cost terms behind every placement, why the runner-up
workers were not chosen, and why a need could not be placed at all.

Reasons are short phrases a team manager can read aloud: "keeps current worker", "same
locality (North)", "speaks Polish", "full (20 of 20)", "no worker with skill forensic in reach
(needed: on a CTO or forensic history)". They name workers by staff id, never people.

At 100,000 people there are 105,000 placements and 170,000 runner-ups but far fewer distinct
things to say, so the explainer finds the distinct cases a column at a time with numpy and
words each once (:class:`_Explainer`); placements alike share the same tuples of words. The
answer is handed over a column at a time (:class:`PlacementColumns`): storing the plan reads
the distinct tuples and a number for each need, not 105,000 placement objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from transition.matching.model import (
    Alternative,
    CostTerm,
    Need,
    Placement,
    PlacementColumns,
    WorkerLoad,
)
from transition.matching.network import PART_KEYS, Codes, Network
from transition.matching.rules import ROLE_WORDS

_UNSEEN = object()

_WORDS_DEPEND_ON = ("accepted_staff_id", "team", "locality", "preferred_gender", "language",
                    "language_preferred", "required")
"""The fields of a need the words of an arc's cost terms depend on (with the worker, and
whether the need keeps or knows them)."""


def explain(network: Network, chosen: np.ndarray, loads: dict[str, WorkerLoad]) -> list[Placement]:
    """One placement per need, in the problem's order."""
    return explain_columns(network, chosen, loads).placements()


def explain_columns(network: Network, chosen: np.ndarray,
                    loads: dict[str, WorkerLoad]) -> PlacementColumns:
    """Every need's placement, explained, as columns."""
    return _Explainer(network, chosen, loads).columns()


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
    # Keeping a person settled with them (their handover passed), only a long-term absence
    # counts, and the words say so: "absent until ... (long-term absence)".
    unavailable = worker.unavailable(need.handover_date, network.rules,
                                     long_term_days=need.long_term_for(worker.staff_id))
    if unavailable:
        reasons.append(f"not active on {need.handover_date.isoformat()}: {unavailable}")
    elif leaving := worker.unavailable_for(need, network.rules):
        reasons.append(leaving)
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
    explainer words one arc of each distinct case (about 35,000 of the network's 2 million),
    and making Python lists of all of them would take longer than the words."""

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
            ("language", need.language, need.language_preferred, parts["language"][arc]),
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
            if need.language_preferred:
                return (f"does not speak {language}, their preferred language" if cost
                        else f"speaks {language}, their preferred language")
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


def worker_words(loads: list[WorkerLoad]) -> tuple[
    list[CostTerm], list[CostTerm], list[tuple[str] | None], list[tuple[str] | None]
]:
    """What is said of each worker, made once: their load and red-band handovers (every
    placement with them ends with these), and why they cannot take one more, when that is
    why (full, or at the red-band cap: the first of why-not's answers)."""
    load_terms = [CostTerm("load", 0, f"caseload after plan: {load.total} of {load.capacity}")
                  for load in loads]
    red_terms = [CostTerm("red", 0, f"red-band handover: {load.red_handovers} of "
                                    f"{load.red_cap} for {load.staff_id}") for load in loads]
    full: list[tuple[str] | None] = [
        (f"full ({load.total} of {load.capacity})",) if load.total >= load.capacity else None
        for load in loads]
    capped: list[tuple[str] | None] = [
        (f"red-band handover cap reached ({load.red_handovers} of {load.red_cap})",)
        if load.red_handovers >= load.red_cap else None for load in loads]
    return load_terms, red_terms, full, capped


@dataclass
class _Asked:
    """Who each need placed with a new worker is asked about: its runner-ups (the first
    ``runners`` rows, in order of ``rank`` within each need), then its current worker."""

    need: np.ndarray
    worker: np.ndarray
    arc: np.ndarray  # -1: the worker is not a candidate for the need
    rank: np.ndarray  # of each runner-up row
    runners: int
    why: np.ndarray  # why not this worker, as a number into ``whys``
    whys: list[tuple[str, ...]]


class _Explainer:
    """Explains every need at once. The words are still built in Python, but once for each
    distinct thing to say: which words apply to each placement and runner-up is worked out a
    column at a time with numpy (the cost terms of every arc read, why not each runner-up),
    the distinct cases are numbered (:func:`_groups`), and each case's words are made once.
    At 100,000 people that is a few tens of thousands of cases rather than half a million
    needs and runner-ups, and placements alike share their terms and runner-up tuples."""

    def __init__(self, network: Network, chosen: np.ndarray, loads: dict[str, WorkerLoad]):
        self.network = network
        self.needs = network.problem.needs
        self.workers = network.problem.workers
        self.loads = [loads[worker.staff_id] for worker in self.workers]
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
        by_cost = asked[_by_need_then_cost(network.arc_need[asked], network.arc_cost[asked])]
        by_cost = by_cost[_places_in_runs(network.arc_need[by_cost]) <= self.shown]
        # Arcs are in (need, worker) order, so the current worker's is found by binary search.
        pair = network.arc_need * count + network.arc_worker
        holder = np.flatnonzero(new & (network.current >= 0))
        wanted = holder * count + network.current[holder]
        at = np.minimum(np.searchsorted(pair, wanted), max(len(pair) - 1, 0))
        has_arc = pair[at] == wanted if len(pair) else np.zeros(len(holder), dtype=bool)
        holder_arc = np.full(len(self.needs), -1, dtype=np.int64)
        holder_arc[holder[has_arc]] = at[has_arc]
        arcs = np.sort(np.concatenate([chosen[placed], by_cost, holder_arc[holder_arc >= 0]]))
        # Distinct, by hand: numpy 2's np.unique hashes, 0.2 s here against 5 ms for the sort.
        arcs = arcs[np.concatenate([arcs[:1] >= 0, arcs[1:] != arcs[:-1]])]

        # From here on an arc is its position in ``arcs``.
        self.arcs = arcs
        self.known_cost = network.rules.costs.known_worker
        self.placed = placed
        self.new = new
        self.chosen = np.where(placed, np.searchsorted(arcs, chosen), -1)
        self.by_cost = np.searchsorted(arcs, by_cost)
        self.holder_arc = np.where(holder_arc >= 0, np.searchsorted(arcs, holder_arc), -1)
        self.arc_need = network.arc_need[arcs]
        self.arc_worker = network.arc_worker[arcs]
        self.arc_red = network.arc_red[arcs]
        self.arc_cost = network.arc_cost[arcs]
        self.arc_parts = [network.parts[key][arcs] for key in PART_KEYS]

    def columns(self) -> PlacementColumns:
        """Every need's placement, in the problem's order."""
        base_of, base_terms = self.arc_terms()
        asked = self.ask(base_of, base_terms)
        # Runner-ups answer "why this new worker?"; someone kept needs no such answer.
        alternatives, alternative_lists = self.runner_ups(asked)
        terms, term_lists = self.placed_terms(base_of, base_terms, asked)
        unassigned, unassigned_lists = self.unplaced()
        placed = self.placed
        worker = np.full(len(self.needs), -1, dtype=np.int64)
        worker[placed] = self.arc_worker[self.chosen[placed]]
        cost = np.zeros(len(self.needs), dtype=np.int64)
        cost[placed] = self.arc_cost[self.chosen[placed]]
        return PlacementColumns(
            needs=self.needs, staff_ids=tuple(worker.staff_id for worker in self.workers),
            worker=worker, cost=cost, kept=placed & ~self.new, terms=terms,
            alternatives=alternatives, unassigned=unassigned, term_lists=term_lists,
            alternative_lists=alternative_lists, unassigned_lists=unassigned_lists)

    # -- placed ---------------------------------------------------------------------------

    def arc_terms(self) -> tuple[np.ndarray, list[tuple[CostTerm, ...]]]:
        """Each arc's cost terms (:meth:`_Words.pair_terms`) as a number into a list of
        distinct term tuples: arcs alike in all that the words depend on share one."""
        needs, workers = self.needs, self.workers
        columns = self.network.problem.need_columns
        profile = Codes().of(zip(*map(columns.__getitem__, _WORDS_DEPEND_ON), strict=True))
        kept = self.arc_worker == self.network.current[self.arc_need]
        # Whether the person already knows the worker is looked up (in the need's staff ids)
        # only where the continuity cost allows it and the person has known someone.
        knows = np.zeros(len(kept), dtype=bool)
        has_known = np.fromiter(map(bool, columns["known"]), dtype=bool, count=len(needs))
        maybe = np.flatnonzero(~kept & (self.arc_parts[0] == self.known_cost)
                               & has_known[self.arc_need])
        knows[maybe] = [workers[worker].staff_id in needs[need].known
                        for need, worker in zip(self.arc_need[maybe].tolist(),
                                                self.arc_worker[maybe].tolist(), strict=True)]
        base_of, first = _groups([profile[self.arc_need], self.arc_worker, kept, knows,
                                  *self.arc_parts])
        # The words are read for one arc of each group (numbered 0, 1, ... in ``_Words``).
        words = _Words(self.network, self.arcs[first])
        return base_of, [tuple(words.pair_terms(position, number))
                         for number, position in enumerate(self.arc_need[first].tolist())]

    def placed_terms(self, base_of: np.ndarray, base_terms: list[tuple[CostTerm, ...]],
                     asked: _Asked) -> tuple[np.ndarray, list[tuple[CostTerm, ...]]]:
        """Each need's cost terms: the chosen arc's, with "new worker" saying why not the
        current worker, then the red-band handover and the worker's load. As a number into
        a list of distinct term tuples (0: the empty tuple, for a need not placed)."""
        placed = np.flatnonzero(self.placed)
        arc = self.chosen[placed]
        base = base_of[arc]
        plain_new = np.array([terms[0].text == "new worker" for terms in base_terms],
                             dtype=bool)
        # Why not the current worker, as a number into ``reasons`` (-1: not said): when there
        # is one, the answer asked about them (a number into ``asked.whys``, each worded once).
        said = self.new[placed] & plain_new[base] if len(base_terms) else base.astype(bool)
        holder = self.network.current[placed]
        why_holder = np.full(len(self.needs), -1, dtype=np.int64)
        why_holder[asked.need[asked.runners:]] = asked.why[asked.runners:]
        with_holder = said & (holder >= 0)
        why_current = np.where(with_holder, why_holder[placed], -1)
        reasons = {number: "current worker " + "; ".join(asked.whys[number])
                   for number in np.unique(why_current[with_holder]).tolist()}
        # Without one, the words depend only on who the trust's care coordinator is and the
        # role: each distinct pair (numbered after ``asked.whys``) is worded once.
        rows = np.flatnonzero(said & (holder < 0))
        without = placed[rows].tolist()
        columns = self.network.problem.need_columns
        coordinator_role = Codes()
        why_current[rows] = len(asked.whys) + coordinator_role.of(zip(
            map(columns["coordinator_id"].__getitem__, without),
            map(columns["role"].__getitem__, without),
            map(columns["coordinator_ended"].__getitem__, without), strict=True))
        for number, (coordinator_id, role, ended) in enumerate(coordinator_role):
            reasons[len(asked.whys) + number] = self.why_no_current(coordinator_id, role, ended)
        worker = self.arc_worker[arc]
        red = self.arc_red[arc]
        group, first = _groups([base, why_current, red, worker])
        made: list[tuple[CostTerm, ...]] = [()]
        # "new worker (why not the current one)", made once for each cost and reason.
        new_worker: dict[tuple[int, int], CostTerm] = {}
        for base_number, reason, is_red, who in zip(base[first].tolist(),
                                                    why_current[first].tolist(),
                                                    red[first].tolist(), worker[first].tolist(),
                                                    strict=True):
            terms = list(base_terms[base_number])
            if reason >= 0:
                cost = terms[0].cost
                term = new_worker.get((cost, reason))
                if term is None:
                    term = new_worker[cost, reason] = CostTerm(
                        "continuity", cost, f"new worker ({reasons[reason]})")
                terms[0] = term
            if is_red:
                terms.append(self.red_terms[who])
            terms.append(self.load_terms[who])
            made.append(tuple(terms))
        terms = np.zeros(len(self.needs), dtype=np.int64)
        terms[placed] = group + 1
        return terms, made

    def why_no_current(self, coordinator_id: str | None, role: str,
                       ended: date | None = None) -> str:
        """Why a need for ``role`` with no current worker on the staff list did not keep one
        (the trust's care coordinator is ``coordinator_id``; ``ended``: the export says
        their allocation ends before the handover, on this day)."""
        if coordinator_id is None:
            return "no current worker recorded"
        coordinator = self.network.tables.index.get(coordinator_id)
        if coordinator is None:
            return f"current worker {coordinator_id} is not on the staff list"
        worker = self.workers[coordinator]
        if ended is not None and worker.fits(role, self.network.rules):
            return (f"current worker {coordinator_id}'s allocation stops before the handover "
                    f"(last day {ended.isoformat()})")
        return (f"current worker {worker.staff_id} is a {worker.employer} "
                f"{worker.role.replace('_', ' ')}; this role needs a "
                f"{role_holder(self.network, role)}")

    # -- runner-ups -----------------------------------------------------------------------

    def ask(self, base_of: np.ndarray, base_terms: list[tuple[CostTerm, ...]]) -> _Asked:
        """Why each runner-up, and the current worker, of each need placed with a new worker
        does not hold it: why_not's answers, one column at a time."""
        # Runner-ups: each need's cheapest arcs but the chosen worker's, the first ``shown``.
        need_of = self.arc_need[self.by_cost]
        other = self.arc_worker[self.by_cost] != self.arc_worker[self.chosen[need_of]]
        runner_arc, runner_need = self.by_cost[other], need_of[other]
        rank = _places_in_runs(runner_need)
        keep = rank < self.shown
        runner_arc, runner_need, rank = runner_arc[keep], runner_need[keep], rank[keep]
        holder_need = np.flatnonzero(self.new & (self.network.current >= 0))
        need = np.concatenate([runner_need, holder_need])
        worker = np.concatenate([self.arc_worker[runner_arc], self.network.current[holder_need]])
        arc = np.concatenate([runner_arc, self.holder_arc[holder_need]])

        at = np.maximum(arc, 0)
        chosen = self.chosen[need]
        chosen_worker = self.arc_worker[chosen]
        difference = self.arc_cost[at] - self.arc_cost[chosen]
        full = np.array([item is not None for item in self.full], dtype=bool)
        capped = np.array([item is not None for item in self.capped], dtype=bool)
        total = np.array([load.total for load in self.loads], dtype=np.int64)
        capacity = np.array([load.capacity for load in self.loads], dtype=np.int64)
        busier = total[worker] * capacity[chosen_worker] > total[chosen_worker] * capacity[worker]
        # why_not's answers, in its order: 0 not a candidate, 1 full, 2 red-band cap reached,
        # 3 costs more, 4 as good a match but busier, 5 as good a match.
        case = np.select([arc < 0, full[worker], self.arc_red[at] & capped[worker],
                          difference > 0, busier], [0, 1, 2, 3, 4], 5)
        worse = np.zeros(len(need), dtype=np.int64)  # bit k: term PART_KEYS[k] costs more
        for bit, values in enumerate(self.arc_parts):
            worse |= (values[at] > values[chosen]).astype(np.int64) << bit
        costs_more = case == 3
        group, first = _groups([
            case,
            np.where((case == 1) | (case == 2) | (case == 4), worker, 0),
            np.where(case == 4, chosen_worker, 0),
            np.where(costs_more, base_of[at], 0),
            np.where(costs_more, worse, 0),
            np.where(costs_more, difference, 0),
        ])
        whys: list[tuple[str, ...]] = []
        for row in first.tolist():
            kind, who = case[row], worker[row]
            if kind == 0:
                whys.append(())  # depends on the need: worked out below
            elif kind == 1:
                whys.append(self.full[who])
            elif kind == 2:
                whys.append(self.capped[who])
            elif kind == 3:
                keys = {key for bit, key in enumerate(PART_KEYS) if worse[row] >> bit & 1}
                texts = [term.text for term in base_terms[base_of[at[row]]] if term.key in keys]
                whys.append((f"costs {difference[row]} more: " + "; ".join(texts),))
            elif kind == 4:
                load, mine = self.loads[who], self.loads[chosen_worker[row]]
                whys.append(((f"as good a match, but busier ({load.total} of {load.capacity} "
                              f"against {mine.total} of {mine.capacity}): caseloads are kept "
                              "balanced"),))
            else:
                whys.append((("as good a match, but placing this person there would move "
                              "someone else; the plan as a whole costs less this way"),))
        why = group.copy()
        # Not a candidate (only ever the current worker): the hard constraints that rule
        # them out depend on the need's role, date and skills, and on the worker.
        failures: dict[tuple[Any, ...], int] = {}
        for row in np.flatnonzero(case == 0).tolist():
            position, who = int(need[row]), int(worker[row])
            item = self.needs[position]
            key = (item.role, item.handover_date, item.stays_through, item.required, who,
                   item.long_term_for(self.network.problem.workers[who].staff_id))
            if key not in failures:
                failures[key] = len(whys)
                whys.append(tuple(hard_failures(self.network, position, who)
                                  or ["not a candidate"]))
            why[row] = failures[key]
        return _Asked(need=need, worker=worker, arc=arc, rank=rank, runners=len(runner_arc),
                      why=why, whys=whys)

    def runner_ups(self, asked: _Asked) -> tuple[np.ndarray, list[tuple[Alternative, ...]]]:
        """Each need placed with a new worker: its runner-ups, then its current worker if
        not among them. As a number into a list of distinct tuples of runner-ups (0: the
        empty tuple, for a need kept or not placed)."""
        runners = asked.runners
        has_arc = asked.arc >= 0
        cost = np.where(has_arc, self.arc_cost[np.maximum(asked.arc, 0)], 0)
        group, first = _groups([asked.worker, has_arc, cost, asked.why])
        staff_ids = [worker.staff_id for worker in self.workers]
        made = [Alternative(staff_ids[asked.worker[row]],
                            int(cost[row]) if has_arc[row] else None,
                            asked.whys[asked.why[row]])
                for row in first.tolist()]
        # A table of alternatives (numbers into ``made``, -1: none), a row per need asked
        # about: the runner-ups by rank, the current worker in the last column.
        asked_needs = np.flatnonzero(self.new)
        row_of = np.full(len(self.needs), -1, dtype=np.int64)
        row_of[asked_needs] = np.arange(len(asked_needs))
        table = np.full((len(asked_needs), self.shown + 1), -1, dtype=np.int64)
        runner_need = asked.need[:runners]
        table[row_of[runner_need], asked.rank] = group[:runners]
        among = np.zeros(len(self.needs), dtype=bool)
        among[runner_need[asked.worker[:runners] == self.network.current[runner_need]]] = True
        holder_need = asked.need[runners:]
        listed = ~among[holder_need]
        table[row_of[holder_need[listed]], self.shown] = group[runners:][listed]
        lists, first_row = _groups(list(table.T))
        shared = [tuple(made[item] for item in table[row].tolist() if item >= 0)
                  for row in first_row.tolist()]
        alternatives = np.zeros(len(self.needs), dtype=np.int64)
        alternatives[asked_needs] = lists + 1
        return alternatives, [(), *shared]

    # -- unplaced -------------------------------------------------------------------------

    def unplaced(self) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Why each need not placed could not be, as a number into a list of distinct
        tuples of reasons (0: the empty tuple, for a need placed)."""
        unassigned = np.zeros(len(self.needs), dtype=np.int64)
        reasons: list[tuple[str, ...]] = [()]
        # why_unplaced remembers each tuple, so alike needs get the same one (and it stays
        # alive: its id is not reused while this runs).
        numbers: dict[int, int] = {}
        for position in np.flatnonzero(~self.placed).tolist():
            said = self.why_unplaced(position)
            number = numbers.get(id(said))
            if number is None:
                number = numbers[id(said)] = len(reasons)
                reasons.append(said)
            unassigned[position] = number
        return unassigned, reasons

    def why_not_kept(self, position: int) -> str | None:
        """Why a need left unplaced did not stay with the worker who holds the role now (an
        accepted plan's or a manager's choice; accepting leaves it with them until a manager
        decides): 'current worker WP3 red-band handover cap reached (3 of 3)'. None: nobody
        holds it, or none of these (their place went to someone the plan could not otherwise
        place)."""
        need = self.needs[position]
        who = int(self.network.current[position])
        if who < 0 or need.accepted_staff_id is None:
            return None
        staff_id = self.workers[who].staff_id
        pair = self.network.arc_need * len(self.workers) + self.network.arc_worker
        wanted = position * len(self.workers) + who
        at = int(np.searchsorted(pair, wanted)) if len(pair) else 0
        if at >= len(pair) or pair[at] != wanted:
            failures = hard_failures(self.network, position, who) or ["not a candidate"]
            return f"current worker {staff_id} " + "; ".join(failures)
        if (full := self.full[who]) is not None:
            return f"current worker {staff_id} " + full[0]
        if self.network.arc_red[at] and (capped := self.capped[who]) is not None:
            return f"current worker {staff_id} " + capped[0]
        return None

    def why_unplaced(self, position: int) -> tuple[str, ...]:
        need = self.needs[position]
        tables = self.network.tables
        key = (need.role, tables.need_locality(need), tables.need_skills(need),
               need.handover_date, need.stays_through, need.red)
        if key not in self.unplaced_memo:
            self.unplaced_memo[key] = tuple(self.diagnose(need))
        said = self.unplaced_memo[key]
        # Who holds it now, and why they could not keep it: the same words for alike needs.
        if (kept := self.why_not_kept(position)) is not None:
            whole = (*said, kept)
            said = self.unplaced_memo.setdefault(("held", whole), whole)
        return said

    def diagnose(self, need: Need) -> list[str]:
        tables = self.network.tables
        wanted = requirement(self.network, need.role)
        fits = tables.fit[need.role]
        if not fits.any():
            return [f"no {wanted} on the staff list"]
        active = fits & tables.active(need.handover_date, need.stays_through)
        if not active.any():
            through = ("" if need.stays_through in (None, need.handover_date) else
                       f" and staying until {need.stays_through.isoformat()}")
            return [(f"no {wanted} is active on {need.handover_date.isoformat()}{through} "
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


def _groups(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct rows of equal-length integer ``columns``: each row's group, and
    one row of each group. The columns are packed into one integer per row (mixed radix,
    renumbering densely whenever the next column would overflow it), so one sort finds them."""
    rows = len(columns[0]) if columns else 0
    if rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    code = np.zeros(rows, dtype=np.int64)
    size = 1
    for column in columns:
        column = column.astype(np.int64)
        low = int(column.min())
        width = int(column.max()) - low + 1
        if size * width >= 1 << 62:
            _, code = np.unique(code, return_inverse=True)
            size = int(code.max()) + 1
            if size * width >= 1 << 62:
                _, column = np.unique(column, return_inverse=True)
                low, width = 0, int(column.max()) + 1
        code = code * width + (column - low)
        size *= width
    _, first, group = np.unique(code, return_index=True, return_inverse=True)
    return group.reshape(rows), first


def _places_in_runs(keys: np.ndarray) -> np.ndarray:
    """Each element's place (0, 1, 2, ...) in its run of equal ``keys`` (sorted): from where
    each run starts, in a few passes (searching for each key's first position took ten times
    as long at a million arcs)."""
    count = len(keys)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if count else keys
    return np.arange(count) - np.repeat(starts, np.diff(np.append(starts, count)))


def _by_need_then_cost(need: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The order of arcs (given in need, worker order) by need, then cost, then worker: one
    stable sort of ``need * width + cost`` keeps ties in worker order, about ten times
    quicker than ``np.lexsort`` of the three keys."""
    if len(need) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(cost.min())
    width = int(cost.max()) - low + 1
    if (int(need.max()) + 1) * width >= 1 << 62:
        return np.lexsort((np.arange(len(need)), cost, need))
    return np.argsort(need * width + (cost - low), kind="stable")
