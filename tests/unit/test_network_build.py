"""The network, built a chunk of arcs at a time, against the rules written out pair by pair
(``test_matching_optimal``'s independent checks): the same arcs, in (need, worker) order,
each with its cost terms and red-band flag, whatever the chunk size."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_matching_optimal import allowed, handover, instances, pair_cost
from transition.matching import MatchingRules, Need, Problem, network


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([1, 2, 3, 5, network._CHUNK]))
def test_arcs_are_the_allowed_pairs_with_their_costs(
    instance: tuple[Problem, MatchingRules], chunk: int
) -> None:
    problem, rules = instance
    with mock.patch.object(network, "_CHUNK", chunk):
        built = network.build_network(problem, rules)
    workers = problem.workers
    expected = [(position, worker_position)
                for position, need in enumerate(problem.needs)
                for worker_position, worker in enumerate(workers)
                if allowed(need, worker, rules)]
    arcs = list(zip(built.arc_need.tolist(), built.arc_worker.tolist(), strict=True))
    assert arcs == expected
    for arc, (position, worker_position) in enumerate(arcs):
        need, worker = problem.needs[position], workers[worker_position]
        assert sum(int(values[arc]) for values in built.parts.values()) == pair_cost(
            need, worker, rules)
        assert bool(built.arc_red[arc]) == handover(need, worker)
        keeps = worker.staff_id == need.current_staff_id
        known = worker.staff_id in need.known
        assert int(built.parts["continuity"][arc]) == (
            0 if keeps else rules.costs.known_worker if known else rules.costs.new_worker)
    assert list(built.parts) == list(network.PART_KEYS)
    assert all(values.dtype == "int64" and len(values) == len(arcs)
               for values in built.parts.values())
    ids = [worker.staff_id for worker in workers]
    assert built.current.tolist() == [
        ids.index(need.current_staff_id) if need.current_staff_id in ids else -1
        for need in problem.needs]
    assert built.red_need.tolist() == [need.band == "red" for need in problem.needs]


@settings(max_examples=50, deadline=None)
@given(instances())
def test_need_columns_are_each_fields_values_in_the_needs_order(
    instance: tuple[Problem, MatchingRules],
) -> None:
    problem, _ = instance
    for candidate in (problem, Problem((), problem.workers)):
        columns = candidate.need_columns
        assert list(columns) == list(Need._fields)
        for name in Need._fields:
            assert list(columns[name]) == [getattr(need, name) for need in candidate.needs]
