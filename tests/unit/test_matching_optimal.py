"""The solver against independent checks on random small instances.

Everything here is written from the rules' definitions, not from the solver's network: which
pairs are allowed, what a pair costs, the convex load cost and the red-band cap. An
independent MILP (OR-Tools CP-SAT, with a different formulation: a 0/1 variable per pair and
per capacity slot, solved lexicographically in three stages) must reach the same
(placed, red placed, cost) as the min-cost flow; and a max-flow over the hard constraints says
how many can be placed at most, which the plan must reach.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import max_flow
from ortools.sat.python import cp_model

from transition.matching import Held, MatchingRules, Need, Problem, Solution, Worker, solve
from transition.matching.rules import Costs, Distance, Reach

DAY = date(2027, 4, 1)
LOCALITIES = ("North", "South", None)
TEAMS = ("North CMHT", "South CMHT", "North SW", None)
SKILLS = ("forensic", "eip")


# The strategies instances() draws from, made once: one made afresh at each draw is checked
# afresh, which took half the time of the tests built on instances() (26 November). The
# same strategies in the same order, so the same instances (checked with derandomize=True).
_JOBS = st.sampled_from([("council", "social_worker"), ("trust", "nurse"),
                         ("trust", "social_worker"), ("council", "amhp")])
_TEAM = st.sampled_from(TEAMS)
_LOCALITY = st.sampled_from(LOCALITIES)
_SKILL_SETS = st.sets(st.sampled_from(SKILLS))
_LANGUAGE_SETS = st.sets(st.sampled_from(("polish", "urdu")))
_GENDER = st.sampled_from(("male", "female", None))
_LEAVING = st.sampled_from((None, DAY, DAY + timedelta(days=1)))
_ROLE = st.sampled_from(("social_worker", "key_worker"))
_BAND = st.sampled_from(("red", "amber", "green"))
_REQUIRED = st.sets(st.sampled_from(SKILLS), max_size=1)
_NEED_LANGUAGE = st.sampled_from((None, "polish"))
_PREFERRED_GENDER = st.sampled_from((None, "male", "female"))
_ENDED = st.sampled_from((None, DAY - timedelta(days=1)))


@st.composite
def instances(draw: st.DrawFn) -> tuple[Problem, MatchingRules]:
    count = draw(st.integers(1, 4))
    ids = [f"W{i}" for i in range(count)]
    workers = []
    for staff_id in ids:
        employer, role = draw(_JOBS)
        workers.append(Worker(
            staff_id=staff_id, employer=employer, role=role,
            team=draw(_TEAM), former_team=draw(_TEAM),
            locality=draw(_LOCALITY), capacity=draw(st.integers(0, 3)),
            skills=frozenset(draw(_SKILL_SETS)),
            languages=frozenset(draw(_LANGUAGE_SETS)),
            gender=draw(_GENDER),
            leaving_date=draw(_LEAVING),
            keep_only=draw(st.booleans()),
        ))
    maybe_worker = st.sampled_from([None, *ids])
    known = st.sets(st.sampled_from(ids), max_size=2)
    needs = []
    for person_id in range(draw(st.integers(1, 6))):
        current = draw(maybe_worker)
        needs.append(Need(
            person_id=person_id,
            role=draw(_ROLE),
            handover_date=DAY,
            band=draw(_BAND),
            team=draw(_TEAM),
            locality=draw(_LOCALITY),
            required=tuple((skill, "because") for skill in sorted(draw(_REQUIRED))),
            language=draw(_NEED_LANGUAGE),
            language_preferred=draw(st.booleans()),
            preferred_gender=draw(_PREFERRED_GENDER),
            current_staff_id=current,
            coordinator_id=draw(st.sampled_from([current, *ids])),
            accepted_staff_id=draw(maybe_worker),
            known=frozenset(draw(known)),
            coordinator_ended=draw(_ENDED),
        ))
    held = tuple(
        Held(100 + index, "social_worker", draw(st.sampled_from(ids)),
             red_handover=draw(st.booleans()), locked=True)
        for index in range(draw(st.integers(0, 2)))
    )
    rules = MatchingRules(
        reach=Reach(mode=draw(st.sampled_from(("nearby", "everywhere"))), max_km=10),
        distances=(Distance(between=("North", "South"), km=draw(st.sampled_from((5, 20)))),),
        max_red_handovers_per_worker=draw(st.integers(0, 2)),
        costs=Costs(balance=draw(st.sampled_from((0, 20, 50)))),
    )
    return Problem(tuple(needs), tuple(workers), held), rules


# -- the rules, written out independently ----------------------------------------------------


def allowed(need: Need, worker: Worker, rules: MatchingRules) -> bool:
    fit = rules.roles[need.role]
    if worker.employer not in fit.employers or worker.role not in fit.staff_roles:
        return False
    if worker.leaving_date is not None and worker.leaving_date <= need.handover_date:
        return False
    if any(skill not in worker.skills for skill, _ in need.required):
        return False
    if worker.staff_id == need.current_staff_id:
        return True
    if worker.keep_only:
        return False
    return rules.reach.mode == "everywhere" or need.locality is None or (
        worker.locality is not None and (
            worker.locality == need.locality or km(need.locality, worker.locality, rules)
            <= rules.reach.max_km))


def km(first: str, second: str, rules: MatchingRules) -> float:
    for distance in rules.distances:
        if set(distance.between) == {first, second}:
            return distance.km
    return float("inf")


def pair_cost(need: Need, worker: Worker, rules: MatchingRules) -> int:
    costs = rules.costs
    cost = 0
    if worker.staff_id != need.current_staff_id:
        cost += costs.known_worker if worker.staff_id in need.known else costs.new_worker
    if need.accepted_staff_id is not None and worker.staff_id != need.accepted_staff_id:
        cost += costs.change_from_accepted
    if need.team is None or need.team not in (worker.team, worker.former_team):
        cost += costs.other_team
    if not (need.locality and need.locality == worker.locality):
        cost += costs.other_locality
        if need.locality and worker.locality:
            distance = km(need.locality, worker.locality, rules)
            if distance != float("inf"):
                cost += round(costs.per_km * distance)
    if need.preferred_gender and worker.gender != need.preferred_gender:
        cost += costs.gender_not_preferred
    if need.language and need.language not in worker.languages:
        cost += (costs.preferred_language_not_spoken if need.language_preferred
                 else costs.language_not_spoken)
    return cost


def slot_cost(place: int, capacity: int, balance: int) -> int:
    """The place-th (1-based) place's cost: balance * (2k - 1) / capacity, rounded half up."""
    return (balance * (2 * place - 1) + capacity // 2) // capacity


def handover(need: Need, worker: Worker) -> bool:
    # A coordinator whose allocation ends before the handover is no baseline: a handover too.
    baseline = need.coordinator_id if need.coordinator_ended is None else None
    return need.band == "red" and worker.staff_id != baseline


def held_counts(problem: Problem) -> tuple[dict[str, int], dict[str, int]]:
    held = {worker.staff_id: 0 for worker in problem.workers}
    held_red = dict(held)
    for item in problem.held:
        held[item.staff_id] += 1
        held_red[item.staff_id] += item.red_handover
    return held, held_red


def independent_optimum(problem: Problem, rules: MatchingRules) -> tuple[int, int, int]:
    """(placed, red placed, cost) by CP-SAT, lexicographically: most placed, then most red
    placed, then cheapest."""
    held, held_red = held_counts(problem)
    model = cp_model.CpModel()
    pairs = {}
    for n, need in enumerate(problem.needs):
        for w, worker in enumerate(problem.workers):
            if allowed(need, worker, rules):
                pairs[n, w] = model.new_bool_var(f"x{n}_{w}")
        model.add(sum(var for (i, _), var in pairs.items() if i == n) <= 1)
    slot_terms = []
    for w, worker in enumerate(problem.workers):
        free = range(held[worker.staff_id] + 1, worker.capacity + 1)
        slots = [model.new_bool_var(f"s{w}_{k}") for k in free]
        assigned = [var for (_, j), var in pairs.items() if j == w]
        model.add(sum(assigned) == sum(slots))
        slot_terms += [slot_cost(k, worker.capacity, rules.costs.balance) * var
                       for k, var in zip(free, slots, strict=True)]
        red = [var for (n, j), var in pairs.items()
               if j == w and handover(problem.needs[n], worker)]
        room = max(0, rules.max_red_handovers_per_worker - held_red[worker.staff_id])
        model.add(sum(red) <= room)
    placed = sum(pairs.values())
    red_placed = sum(var for (n, _), var in pairs.items() if problem.needs[n].band == "red")
    cost = sum(pair_cost(problem.needs[n], problem.workers[w], rules) * var
               for (n, w), var in pairs.items()) + sum(slot_terms)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    results = []
    for objective, sense in ((placed, "max"), (red_placed, "max"), (cost, "min")):
        (model.maximize if sense == "max" else model.minimize)(objective)
        assert solver.solve(model) == cp_model.OPTIMAL
        value = round(solver.objective_value)
        results.append(value)
        model.add(objective == value)
    return results[0], results[1], results[2]


def max_placeable(problem: Problem, rules: MatchingRules) -> int:
    """How many needs a complete-as-possible assignment places, by max-flow over the hard
    constraints (with a red node per worker for the nested red-band cap)."""
    held, held_red = held_counts(problem)
    flow = max_flow.SimpleMaxFlow()
    needs, workers = len(problem.needs), len(problem.workers)
    source, sink = 0, 1 + needs + 2 * workers
    for n, need in enumerate(problem.needs):
        flow.add_arc_with_capacity(source, 1 + n, 1)
        for w, worker in enumerate(problem.workers):
            if allowed(need, worker, rules):
                head = 1 + needs + workers + w if handover(need, worker) else 1 + needs + w
                flow.add_arc_with_capacity(1 + n, head, 1)
    for w, worker in enumerate(problem.workers):
        flow.add_arc_with_capacity(1 + needs + workers + w, 1 + needs + w,
                                   max(0, rules.max_red_handovers_per_worker
                                       - held_red[worker.staff_id]))
        flow.add_arc_with_capacity(1 + needs + w, sink,
                                   max(0, worker.capacity - held[worker.staff_id]))
    assert flow.solve(source, sink) == flow.OPTIMAL
    return flow.optimal_flow()


def check_valid(problem: Problem, rules: MatchingRules, solution: Solution) -> int:
    """Every hard constraint holds; returns the plan's cost recomputed independently."""
    held, held_red = held_counts(problem)
    workers = {worker.staff_id: worker for worker in problem.workers}
    load = dict(held)
    red = dict(held_red)
    cost = 0
    for placement in solution.placements:
        if placement.staff_id is None:
            assert placement.unassigned_reasons, "an unassigned need always has a reason"
            continue
        worker = workers[placement.staff_id]
        assert allowed(placement.need, worker, rules)
        load[worker.staff_id] += 1
        red[worker.staff_id] += handover(placement.need, worker)
        cost += pair_cost(placement.need, worker, rules)
        assert placement.cost == pair_cost(placement.need, worker, rules)
        assert placement.reasons
    for staff_id, worker in workers.items():
        planned = load[staff_id] - held[staff_id]
        assert planned == 0 or load[staff_id] <= worker.capacity
        assert planned == 0 or red[staff_id] - held_red[staff_id] <= max(
            0, rules.max_red_handovers_per_worker - held_red[staff_id])
        cost += sum(slot_cost(k, worker.capacity, rules.costs.balance)
                    for k in range(held[staff_id] + 1, load[staff_id] + 1))
    return cost


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_plan_is_valid_complete_and_optimal(instance: tuple[Problem, MatchingRules]) -> None:
    problem, rules = instance
    solution = solve(problem, rules)
    assert solution.optimal
    # Every hard constraint holds and the reported objective is the plan's real cost.
    assert check_valid(problem, rules, solution) == solution.objective
    # Nobody is left out whom a max-flow over the hard constraints could place.
    most = max_placeable(problem, rules)
    assert solution.assigned == most
    if most == len(problem.needs):
        assert solution.unassigned == 0
    # The same optimum as an independent MILP: most placed, then most red, then cheapest.
    red_placed = sum(1 for p in solution.placements if p.staff_id and p.need.band == "red")
    assert (solution.assigned, red_placed, solution.objective) == independent_optimum(problem, rules)
