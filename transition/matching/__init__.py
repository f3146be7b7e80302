"""Matching people to workers: the rules, the problem, and the optimal plan (issue 4).

Pure: dataclasses in, dataclasses out, no database (``transition.planning`` reads and writes).

The model. Each person's pathway decides the roles to fill (:data:`PATHWAY_ROLES`); each
(person, role) is a *need*. A worker can fill a need only when every hard constraint holds:
their employer and job role fit the role; they are active on the person's handover date; they
have every skill the person's facts require; they are in reach (the person's locality or one
near it, unless they are the person's current worker); and a seconded worker whose council
team is not yet decided takes no new people (by default). Capacity and the cap on red-band
handovers are arc capacities in the network; locked roles are fixed before solving.

The solver is a min-cost flow (OR-Tools ``SimpleMinCostFlow``)::

    source -> need -> worker ---------------------------------> worker -> sink
                  \\-> worker's red node (cap: red handovers) --/   (one unit arc per place,
                                                                     costs rising: convex)

The aims are ordered: place as many needs as the hard constraints allow; of those plans, place
as many red-band needs as possible; of those, the cheapest. Two maximum flows give the two
counts exactly (the sets of needs that can be placed together form a matroid), then the
min-cost flow routes exactly that many of each at least cost, one connected part of the
network at a time. Costs are whole numbers with weights in ``[matching.costs]``; every
placement is explained term by term (:mod:`transition.matching.explain`).

Modules: ``rules`` (the rules-file section), ``model`` (the dataclasses), ``network`` (the
feasible pairs and their cost terms), ``solver`` (the flow), ``explain`` (reasons).
"""

from transition.matching.model import (
    Alternative,
    CostTerm,
    Held,
    Need,
    Placement,
    PlacementColumns,
    Problem,
    Solution,
    Worker,
    WorkerLoad,
)
from transition.matching.rules import PATHWAY_ROLES, ROLE_WORDS, MatchingRules, staff_word
from transition.matching.solver import solve

__all__ = [
    "PATHWAY_ROLES",
    "ROLE_WORDS",
    "Alternative",
    "CostTerm",
    "Held",
    "MatchingRules",
    "Need",
    "Placement",
    "PlacementColumns",
    "Problem",
    "Solution",
    "Worker",
    "WorkerLoad",
    "solve",
    "staff_word",
]
