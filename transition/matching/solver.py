"""Solve the matching network exactly with OR-Tools' min-cost flow.

Nodes: the source, one per need, one per worker, one red node per worker, the sink. Arcs, in a
fixed order (so the same problem always gives the same plan):

1. source -> need, capacity 1, cost 0;
2. need -> worker (or -> the worker's red node for a red-band handover), capacity 1, the pair's
   cost terms summed;
3. red node -> worker, capacity: the red handover cap less red handovers already held;
4. worker -> sink, one unit arc for each free place, the k-th costing the k-th step of the
   convex load cost.

Two maximum flows (OR-Tools ``SimpleMaxFlow``) give how many needs, and how many red-band
needs, can be placed; a min-cost flow (``SimpleMinCostFlow``) then finds the cheapest plan
placing exactly those numbers, separately for each connected part of the network (see
:func:`solve_network`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from transition.errors import TransitionError
from transition.matching.explain import explain_columns
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
    columns = explain_columns(network, chosen, loads)
    explained = time.perf_counter()
    return Solution(
        columns=columns,
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
    the objective (the cost terms of the pairs used plus the load costs), and the network's
    size (nodes, arcs).

    The aims are ordered, not weighted: (1) place as many needs as possible; (2) of those
    plans, place as many red-band needs as possible; (3) of those, the cheapest. The sets of
    needs that can be placed together form a matroid (a gammoid: the sets of sources a flow
    network can link to its sink), so the greedy argument gives the counts directly: the most
    needs placeable is the maximum flow, and the most red-band needs in any such plan is the
    maximum flow of the red-band needs alone. The min-cost flow then routes exactly that many
    red-band and that many other needs, at least cost.

    Needs and workers that share no arc cannot affect each other, so each connected part of
    the network (with reach "nearby", roughly a locality) is solved on its own: the counts
    and the cost add up, and the parts are much faster to solve than the whole.
    """
    chosen = np.full(len(network.problem.needs), -1, dtype=np.int64)
    objective = nodes = arcs = 0
    for part in _parts(network):
        graph = _Graph.of(network, part)
        used, cost = graph.solve(network)
        chosen[network.arc_need[used]] = used
        objective += cost
        nodes += graph.nodes
        arcs += len(graph.tails)
    return chosen, "OPTIMAL", objective, nodes, arcs


def _parts(network: Network) -> list[np.ndarray]:
    """The arcs of each connected part of the network (needs and workers joined by arcs),
    in a fixed order. Connected parts by min-label hooking with pointer jumping."""
    if len(network.arc_need) == 0:
        return []
    count_needs = len(network.problem.needs)
    tails = network.arc_need
    heads = count_needs + network.arc_worker
    label = np.arange(count_needs + len(network.problem.workers), dtype=np.int64)
    while True:
        low = np.minimum(label[tails], label[heads])
        before = label.copy()
        np.minimum.at(label, label[tails], low)
        np.minimum.at(label, label[heads], low)
        while True:  # point every node at its label's label until nothing moves
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            break
    part = label[tails]
    order = np.argsort(part, kind="stable")
    bounds = np.flatnonzero(np.diff(part[order])) + 1
    return np.split(order, bounds)


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise TransitionError(
            f"The matching solver failed at the {what}; no plan was stored.",
            hint="This should not happen: check [matching.costs] weights are modest whole "
            "numbers, and report it with the rules file.",
        )


@dataclass
class _Graph:
    """One connected part as flow arrays, in a fixed order: source -> need, need -> worker
    (or its red node), red node -> worker, worker -> sink (one unit arc per free place)."""

    arcs: np.ndarray  # the network's arc index of each pair arc
    red: np.ndarray  # each local need: in the red band
    nodes: int
    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray
    place_cost: np.ndarray

    SOURCE = 0

    @property
    def sink(self) -> int:
        return self.nodes - 3

    @classmethod
    def of(cls, network: Network, arcs: np.ndarray) -> _Graph:
        needs, local_need = np.unique(network.arc_need[arcs], return_inverse=True)
        workers, local_worker = np.unique(network.arc_worker[arcs], return_inverse=True)
        count_needs, count_workers = len(needs), len(workers)
        first_worker = 1 + count_needs
        first_red = first_worker + count_workers
        sink = first_red + count_workers
        balance = network.rules.costs.balance
        place_worker: list[int] = []
        place_cost: list[int] = []
        for position, worker in enumerate(workers.tolist()):
            free = marginal_load_costs(int(network.capacity[worker]), balance)[
                int(network.held[worker]):]
            place_worker += [position] * len(free)
            place_cost += free
        places = np.array(place_worker, dtype=np.int64)
        red_arc = network.arc_red[arcs]
        red_workers = np.unique(local_worker[red_arc])
        red_room = np.maximum(network.red_cap[workers] - network.held_red[workers], 0)
        tails = np.concatenate([np.zeros(count_needs, dtype=np.int64), 1 + local_need,
                                first_red + red_workers, first_worker + places])
        heads = np.concatenate([
            1 + np.arange(count_needs),
            np.where(red_arc, first_red + local_worker, first_worker + local_worker),
            first_worker + red_workers,
            np.full(len(places), sink),
        ])
        capacities = np.concatenate([np.ones(count_needs + len(arcs), dtype=np.int64),
                                     red_room[red_workers], np.ones(len(places), dtype=np.int64)])
        place_costs = np.array(place_cost, dtype=np.int64)
        costs = np.concatenate([np.zeros(count_needs, dtype=np.int64), network.arc_cost[arcs],
                                np.zeros(len(red_workers), dtype=np.int64), place_costs])
        return cls(
            arcs=arcs, red=network.red_need[needs], nodes=sink + 3,
            tails=tails.astype(np.int32), heads=heads.astype(np.int32),
            capacities=capacities, costs=costs, place_cost=place_costs,
        )

    def solve(self, network: Network) -> tuple[np.ndarray, int]:
        """The network arcs used, and their cost with the load costs."""
        count_needs = len(self.red)
        # (1) and (2): how many needs, and how many red-band needs, can be placed at most.
        most = max_flow.SimpleMaxFlow()
        most.add_arcs_with_capacity(self.tails, self.heads, self.capacities)
        _check(most.solve(self.SOURCE, self.sink) == most.OPTIMAL, "maximum flow")
        placeable = most.optimal_flow()
        not_red = np.flatnonzero(~self.red).astype(np.int32)
        most.set_arcs_capacity(not_red, np.zeros(len(not_red), dtype=np.int64))
        _check(most.solve(self.SOURCE, self.sink) == most.OPTIMAL, "maximum flow (red band)")
        red_placeable = most.optimal_flow()
        # (3): the cheapest plan placing exactly that many of each; source arcs start at two
        # supply nodes, one for the red band and one for everyone else.
        red_source, other_source = self.nodes - 2, self.nodes - 1
        tails = self.tails.copy()
        tails[:count_needs] = np.where(self.red, red_source, other_source)
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, self.heads, self.capacities, self.costs)
        flow.set_node_supply(red_source, red_placeable)
        flow.set_node_supply(other_source, placeable - red_placeable)
        flow.set_node_supply(self.sink, -placeable)
        status = flow.solve()
        _check(status == flow.OPTIMAL, f"minimum-cost flow ({status.name})")
        pairs = len(self.arcs)
        pair_flows = flow.flows(np.arange(count_needs, count_needs + pairs, dtype=np.int32))
        used = self.arcs[pair_flows > 0]
        first_place = len(self.tails) - len(self.place_cost)
        place_flows = flow.flows(np.arange(first_place, len(self.tails), dtype=np.int32))
        cost = int(flow.optimal_cost())
        check = int(network.arc_cost[used].sum() + self.place_cost[place_flows > 0].sum())
        _check(cost == check, f"objective check ({cost} against {check})")
        return used, cost


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
