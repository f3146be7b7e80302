"""Explaining a plan works out each distinct thing to say once, a column at a time, and shares
the words (cost terms, a worker's load, why a worker is full): what it says must be what the
plain explainer (tests/unit/explain_reference.py) works out afresh for each need."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_matching_optimal import LOCALITIES, TEAMS, instances
from transition.matching import MatchingRules, Problem
from tests.unit.explain_reference import explain_plainly
from transition.matching.explain import explain
from transition.matching.network import build_network
from transition.matching.solver import _loads, solve_network


@st.composite
def crowded(draw: st.DrawFn) -> tuple[Problem, MatchingRules]:
    """A random instance with more needs on the same workers, differing in what the words
    depend on (team, locality, preferences, the accepted worker), so remembered words are
    offered to needs they may not fit."""
    problem, rules = draw(instances())
    ids = [None, *(worker.staff_id for worker in problem.workers)]
    more = [replace(need, person_id=100 + index,
                    team=draw(st.sampled_from(TEAMS)),
                    locality=draw(st.sampled_from(LOCALITIES)),
                    preferred_gender=draw(st.sampled_from((None, "male", "female"))),
                    language=draw(st.sampled_from((None, "polish", "urdu"))),
                    accepted_staff_id=draw(st.sampled_from(ids)),
                    current_staff_id=draw(st.sampled_from(ids)))
            for index, need in enumerate(problem.needs * draw(st.integers(1, 3)))]
    workers = tuple(replace(worker, capacity=worker.capacity + draw(st.integers(0, 6)))
                    for worker in problem.workers)
    # Fewer runner-ups shown than there are candidates, so which are shown matters.
    shown = draw(st.integers(0, 3))
    return (Problem(problem.needs + tuple(more), workers, problem.held),
            rules.model_copy(update={"alternatives_shown": shown}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded())
def test_remembered_words_are_the_words_worked_out_afresh(
    instance: tuple[Problem, MatchingRules],
) -> None:
    problem, rules = instance
    network = build_network(problem, rules)
    chosen, *_ = solve_network(network)
    loads = _loads(network, chosen)
    together = explain(network, chosen, loads)
    assert together == explain_plainly(network, chosen, loads)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded())
def test_runner_ups_are_the_cheapest_other_candidates_and_the_current_worker(
    instance: tuple[Problem, MatchingRules],
) -> None:
    """The explainer reads only each need's cheapest few arcs and finds the current worker's
    by binary search; worked out plainly from every arc, the runner-ups are the same."""
    problem, rules = instance
    network = build_network(problem, rules)
    chosen, *_ = solve_network(network)
    placements = explain(network, chosen, _loads(network, chosen))
    workers = problem.workers
    cost = network.arc_cost.tolist()
    for position, placement in enumerate(placements):
        if placement.staff_id is None or placement.kept:
            assert placement.alternatives == ()
            continue
        arcs = [arc for arc in range(len(cost)) if network.arc_need[arc] == position]
        by_worker = {int(network.arc_worker[arc]): cost[arc] for arc in arcs}
        ranked = sorted(by_worker, key=lambda worker: (by_worker[worker], worker))
        others = [worker for worker in ranked
                  if workers[worker].staff_id != placement.staff_id][:rules.alternatives_shown]
        holder = int(network.current[position])
        if holder >= 0 and holder not in others:
            others.append(holder)
        assert [(item.staff_id, item.cost) for item in placement.alternatives] == [
            (workers[worker].staff_id, by_worker.get(worker)) for worker in others]
