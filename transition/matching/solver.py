"""Solve the matching network exactly with OR-Tools' min-cost flow.

Nodes: the source, one per need, one per worker, one red node per worker, the sink. Arcs, in a
fixed order (so the same problem always gives the same plan):

1. source -> need, capacity 1; cost 0 for a red-band need, otherwise a priority cost larger
   than any possible difference in the rest (so among plans placing the most needs, the one
   placing the most red-band needs wins);
2. need -> worker (or -> the worker's red node for a red-band handover), capacity 1, the pair's
   cost terms summed;
3. red node -> worker, capacity: the red handover cap less red handovers already held;
4. worker -> sink, one unit arc for each free place, the k-th costing the k-th step of the
   convex load cost.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from transition.errors import TransitionError
from transition.matching.explain import explain
from transition.matching.model import Problem, Solution, WorkerLoad
from transition.matching.network import Network, build_network, marginal_load_costs
from transition.matching.rules import MatchingRules


def solve(problem: Problem, rules: MatchingRules) -> Solution:
    """The optimal plan for ``problem`` under ``rules``, with every placement explained."""
    started = time.perf_counter()
    network = build_network(problem, rules)
    built = time.perf_counter()
    chosen, status, objective, nodes, arcs = solve_network(network)
    solved = time.perf_counter()
    loads = _loads(network, chosen)
    placements = explain(network, chosen, loads)
    explained = time.perf_counter()
    return Solution(
        placements=placements,
        loads=loads,
        objective=objective,
        optimal=status == "OPTIMAL",
        status=status,
        nodes=nodes,
        arcs=arcs,
        seconds={
            "build": round(built - started, 3),
            "solve": round(solved - built, 3),
            "explain": round(explained - solved, 3),
        },
    )


def solve_network(network: Network) -> tuple[np.ndarray, str, int, int, int]:
    """Run the flow. Returns the chosen arc for each need (-1: unplaced), the solver status,
    the objective (cost terms and load costs, without the priority cost), and the network's
    size (nodes, arcs)."""
    count_needs = len(network.problem.needs)
    if count_needs == 0:
        return np.zeros(0, dtype=np.int64), "OPTIMAL", 0, 0, 0
    count_workers = len(network.problem.workers)
    source = 0
    first_worker = 1 + count_needs
    first_red = first_worker + count_workers
    sink = first_red + count_workers
    arc_cost = network.arc_cost
    balance = network.rules.costs.balance

    # Worker -> sink: one arc per free place, marginal costs rising (convex load cost).
    place_worker: list[int] = []
    place_cost: list[int] = []
    for position in range(count_workers):
        capacity = int(network.capacity[position])
        held = int(network.held[position])
        steps = marginal_load_costs(capacity, balance)
        for step in steps[held:]:
            place_worker.append(position)
            place_cost.append(step)
    place_worker_array = np.array(place_worker, dtype=np.int64)
    place_cost_array = np.array(place_cost, dtype=np.int64)

    red = network.red_need
    priority = 0
    if red.any() and not red.all():
        # Larger than any difference the rest of the objective can make.
        per_need_max = np.zeros(count_needs, dtype=np.int64)
        if len(arc_cost):
            np.maximum.at(per_need_max, network.arc_need, arc_cost)
        priority = int(per_need_max.sum() + place_cost_array.sum()) + 1
    source_cost = np.where(red, 0, priority).astype(np.int64)

    red_room = np.maximum(network.red_cap - network.held_red, 0)
    red_workers = np.unique(network.arc_worker[network.arc_red])
    heads = np.where(network.arc_red, first_red + network.arc_worker,
                     first_worker + network.arc_worker)

    tails = np.concatenate([
        np.full(count_needs, source),
        1 + network.arc_need,
        first_red + red_workers,
        first_worker + place_worker_array,
    ])
    heads_all = np.concatenate([
        1 + np.arange(count_needs),
        heads,
        first_worker + red_workers,
        np.full(len(place_worker_array), sink),
    ])
    capacities = np.concatenate([
        np.ones(count_needs, dtype=np.int64),
        np.ones(len(network.arc_need), dtype=np.int64),
        red_room[red_workers],
        np.ones(len(place_worker_array), dtype=np.int64),
    ])
    costs = np.concatenate([source_cost, arc_cost, np.zeros(len(red_workers), dtype=np.int64),
                            place_cost_array])
    flow = min_cost_flow.SimpleMinCostFlow()
    if len(tails):
        flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads_all.astype(np.int32), capacities.astype(np.int64),
            costs.astype(np.int64),
        )
    flow.set_node_supply(source, count_needs)
    flow.set_node_supply(sink, -count_needs)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise TransitionError(
            f"The matching solver stopped with status {status.name}; no plan was stored.",
            hint="This should not happen with the shipped rules: check [matching.costs] "
            "weights are modest whole numbers, and report it.",
        )
    first_pair = count_needs
    pair_flows = (
        flow.flows(np.arange(first_pair, first_pair + len(network.arc_need), dtype=np.int32))
        if len(network.arc_need) else np.zeros(0, dtype=np.int64)
    )
    chosen = np.full(count_needs, -1, dtype=np.int64)
    used = np.nonzero(pair_flows > 0)[0]
    chosen[network.arc_need[used]] = used
    first_place = first_pair + len(network.arc_need) + len(red_workers)
    place_flows = (
        flow.flows(np.arange(first_place, first_place + len(place_worker_array), dtype=np.int32))
        if len(place_worker_array) else np.zeros(0, dtype=np.int64)
    )
    non_red_placed = int((~red[network.arc_need[used]]).sum())
    objective = int(flow.optimal_cost()) - priority * non_red_placed
    check = int(arc_cost[used].sum() + place_cost_array[place_flows > 0].sum())
    if objective != check:
        raise TransitionError(
            f"The matching solver's objective ({objective}) does not add up ({check}); no plan "
            "was stored. Report this."
        )
    return chosen, status.name, objective, flow.num_nodes(), flow.num_arcs()


def _loads(network: Network, chosen: np.ndarray) -> dict[str, WorkerLoad]:
    workers = network.problem.workers
    placed = np.zeros(len(workers), dtype=np.int64)
    red = np.zeros(len(workers), dtype=np.int64)
    arcs = chosen[chosen >= 0]
    if len(arcs):
        np.add.at(placed, network.arc_worker[arcs], 1)
        np.add.at(red, network.arc_worker[arcs], network.arc_red[arcs].astype(np.int64))
    return {
        worker.staff_id: WorkerLoad(
            staff_id=worker.staff_id,
            capacity=int(network.capacity[position]),
            held=int(network.held[position]),
            planned=int(placed[position]),
            red_cap=int(network.red_cap[position]),
            red_handovers=int(red[position] + network.held_red[position]),
        )
        for position, worker in enumerate(workers)
    }
