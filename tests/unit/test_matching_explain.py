"""Explaining a plan works out each distinct thing to say once, a column at a time, and shares
the words (cost terms, a worker's load, why a worker is full): what it says must be what the
plain explainer (tests/unit/explain_reference.py) works out afresh for each need."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.explain_reference import explain_plainly
from tests.unit.test_matching_optimal import DAY, LOCALITIES, TEAMS, instances
from transition.matching import MatchingRules, Need, Placement, Problem, Worker
from transition.matching.explain import explain
from transition.matching.network import build_network
from transition.matching.rules import Costs, Distance, Reach
from transition.matching.solver import _loads, solve_network


@st.composite
def crowded(draw: st.DrawFn) -> tuple[Problem, MatchingRules]:
    """A random instance with more needs on the same workers, differing in what the words
    depend on (team, locality, preferences, the accepted worker), so remembered words are
    offered to needs they may not fit."""
    problem, rules = draw(instances())
    ids = [None, *(worker.staff_id for worker in problem.workers)]
    # Each strategy made once (as in instances()), not afresh at each draw. A third locality,
    # so a locality's cost takes several values (runner-ups then cost more than different
    # chosen workers by different amounts, for the same reasons).
    team, place = st.sampled_from(TEAMS), st.sampled_from((*LOCALITIES, "East"))
    gender, language = st.sampled_from((None, "male", "female")), st.sampled_from(
        (None, "polish", "urdu"))
    worker_id = st.sampled_from(ids)
    more = [need._replace(person_id=100 + index,
                          team=draw(team),
                          locality=draw(place),
                          preferred_gender=draw(gender),
                          language=draw(language),
                          accepted_staff_id=draw(worker_id),
                          current_staff_id=draw(worker_id))
            for index, need in enumerate(problem.needs * draw(st.integers(1, 3)))]
    workers = tuple(replace(worker, capacity=worker.capacity + draw(st.integers(0, 6)),
                            locality=draw(place))
                    for worker in problem.workers)
    distances = (*rules.distances,
                 Distance(between=("North", "East"), km=draw(st.sampled_from((2, 6)))),
                 Distance(between=("South", "East"), km=draw(st.sampled_from((3, 9)))))
    # A known worker sometimes costs as much as a new one (then only the person's own list
    # says whether they know the worker).
    costs = rules.costs.model_copy(update={"known_worker": draw(st.sampled_from((400, 1000)))})
    # Fewer runner-ups shown than there are candidates, so which are shown matters.
    shown = draw(st.integers(0, 3))
    return (Problem(problem.needs + tuple(more), workers, problem.held),
            rules.model_copy(update={"alternatives_shown": shown, "distances": distances,
                                     "costs": costs}))


@st.composite
def alike(draw: st.DrawFn) -> tuple[Problem, MatchingRules]:
    """A crowded instance with more needs copied from its own, alike in all the words depend
    on but who the person's current and known workers are and their band: so the explainer
    words many placements, runner-ups and current workers once and shares them."""
    problem, rules = draw(crowded())
    ids = [None, *(worker.staff_id for worker in problem.workers)]
    need, worker_id = st.sampled_from(problem.needs), st.sampled_from(ids)
    known, band = st.sets(st.sampled_from(ids[1:]), max_size=2), st.sampled_from(
        ("red", "amber", "green"))
    copies = [draw(need)._replace(
                  person_id=1000 + index,
                  current_staff_id=(current := draw(worker_id)),
                  coordinator_id=draw(st.sampled_from([current, *ids])),
                  known=frozenset(draw(known)),
                  band=draw(band))
              for index in range(draw(st.integers(1, 12)))]
    return Problem(problem.needs + tuple(copies), problem.workers, problem.held), rules


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded() | alike())
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


def two_alike(workers: tuple[Worker, ...], costs: Costs) -> list[Placement]:
    """Two people alike (team North CMHT, in North), planned with ``workers``."""
    needs = tuple(Need(person_id=person_id, role="social_worker", handover_date=DAY,
                       team="North CMHT", locality="North") for person_id in (1, 2))
    rules = MatchingRules(reach=Reach(mode="nearby", max_km=10),
                          distances=(Distance(between=("North", "East"), km=2),
                                     Distance(between=("North", "South"), km=5)),
                          costs=costs)
    network = build_network(Problem(needs, workers), rules)
    chosen, *_ = solve_network(network)
    loads = _loads(network, chosen)
    placements = explain(network, chosen, loads)
    assert placements == explain_plainly(network, chosen, loads)
    return placements


def social_worker(staff_id: str, team: str, locality: str, capacity: int) -> Worker:
    return Worker(staff_id=staff_id, employer="council", role="social_worker", team=team,
                  locality=locality, capacity=capacity)


def why_not_w(placements: list[Placement]) -> list[tuple[str, ...]]:
    return sorted(item.why_not for placement in placements for item in placement.alternatives
                  if item.staff_id == "W")


def test_runner_ups_alike_but_for_the_chosen_worker_say_their_own_difference() -> None:
    """The same runner-up W for two people alike, costing more for the same reasons but by
    different amounts (each was placed with a different worker): worded once, the words
    must still carry each one's own difference..."""
    placements = two_alike((social_worker("X1", "North CMHT", "North", 1),
                            social_worker("X2", "North CMHT", "East", 1),
                            social_worker("W", "South CMHT", "South", 5)), Costs(balance=0))
    assert why_not_w(placements) == [
        ("costs 185 more: another team (South CMHT); another locality (South, 5 km)",),
        ("costs 75 more: another team (South CMHT); another locality (South, 5 km)",)]


def test_runner_ups_alike_but_for_the_chosen_worker_say_their_own_reasons() -> None:
    """... and costing the same more for different reasons, their own reasons."""
    placements = two_alike((social_worker("X1", "North CMHT", "East", 1),
                            social_worker("X2", "South CMHT", "North", 1),
                            social_worker("W", "South CMHT", "South", 5)),
                           Costs(balance=0, other_team=100, other_locality=100, per_km=0))
    assert why_not_w(placements) == [("costs 100 more: another locality (South, 5 km)",),
                                      ("costs 100 more: another team (South CMHT)",)]


def medium(seed: int) -> tuple[Problem, MatchingRules]:
    """A mid-sized random instance (150 people, 16 workers) drawn from few teams, places,
    skills and preferences, so many placements, runner-ups and current workers are alike
    and share their words: workers alike but for their load, some filling up, some red-band
    caps reached; people differing in their current and known workers and band."""
    rng = random.Random(seed)
    places = ("North", "South", "East")
    teams = ("North CMHT", "South CMHT")
    workers = tuple(
        Worker(staff_id=f"W{index}", employer=employer, role=role,
               team=rng.choice(teams), former_team=rng.choice((*teams, None)),
               locality=rng.choice(places), capacity=rng.randint(3, 20),
               skills=frozenset(rng.sample(("forensic",), rng.randint(0, 1))),
               gender=rng.choice(("male", "female")),
               languages=frozenset(rng.sample(("polish",), rng.randint(0, 1))),
               leaving_date=rng.choice((None, None, None, DAY)))
        for index, (employer, role) in enumerate(
            [("council", "social_worker")] * 10 + [("trust", "nurse")] * 6))
    ids = [worker.staff_id for worker in workers]
    needs = tuple(
        Need(person_id=person_id, role=rng.choice(("social_worker", "key_worker")),
             handover_date=DAY, band=rng.choice(("red", "amber", "green", "green")),
             team=rng.choice(teams), locality=rng.choice(places),
             required=rng.choice(((), (), (), (("forensic", "on a CTO"),))),
             language=rng.choice((None, None, "polish")),
             preferred_gender=rng.choice((None, None, "female")),
             current_staff_id=(current := rng.choice([None, *ids])),
             coordinator_id=rng.choice([current, current, *ids]),
             accepted_staff_id=rng.choice([None] * 8 + ids),
             known=frozenset(rng.sample(ids, rng.randint(0, 2))))
        for person_id in range(150))
    rules = MatchingRules(
        reach=Reach(mode="nearby", max_km=rng.choice((5, 10))),
        distances=(Distance(between=("North", "South"), km=5),
                   Distance(between=("North", "East"), km=2),
                   Distance(between=("South", "East"), km=9)),
        max_red_handovers_per_worker=rng.randint(1, 3),
        # Terms sometimes weighing the same, so different reasons can cost the same more.
        costs=Costs(balance=rng.choice((0, 20)), known_worker=rng.choice((400, 1000)),
                    per_km=rng.choice((0, 5)), other_team=rng.choice((60, 100)),
                    gender_not_preferred=rng.choice((80, 100))),
        alternatives_shown=rng.randint(1, 3))
    return Problem(needs, workers), rules


@pytest.mark.parametrize("seed", range(20))
def test_mid_sized_plans_are_explained_as_the_plain_explainer_does(seed: int) -> None:
    problem, rules = medium(seed)
    network = build_network(problem, rules)
    chosen, *_ = solve_network(network)
    loads = _loads(network, chosen)
    placements = explain(network, chosen, loads)
    assert placements == explain_plainly(network, chosen, loads)
    # Alike placements and runner-ups share their words: this instance must have some.
    runner_ups = [item for placement in placements for item in placement.alternatives]
    assert len({id(item) for item in runner_ups}) < len(runner_ups)
    assert len({id(placement.terms) for placement in placements}) < len(placements)
