"""What-if: the effect of losing workers or capacity, without storing anything."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from transition.bulk import collector_paused
from transition.errors import TransitionError
from transition.matching import Solution, solve
from transition.plan_inputs import Inputs, read_inputs
from transition.ruleset import Rules


def what_if(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    withdraw: Sequence[str] = (),
    capacity_scale: float = 1.0,
) -> WhatIf:
    """The effect of losing workers or capacity, against the plan as things stand. Nothing is
    stored; pathways are read as stored."""
    if capacity_scale <= 0:
        raise TransitionError("--capacity-scale must be above 0 (0.9 means 90% of capacity).")
    with collector_paused():  # two plans' worth of objects: see transition.bulk
        return _what_if(session, rules, as_of=as_of, withdraw=withdraw,
                        capacity_scale=capacity_scale)


def _what_if(
    session: Session, rules: Rules, *, as_of: date, withdraw: Sequence[str],
    capacity_scale: float,
) -> WhatIf:
    inputs = read_inputs(session, rules, as_of=as_of)
    unknown = sorted(set(withdraw) - {worker.staff_id for worker in inputs.problem.workers})
    if unknown:
        raise TransitionError(f"No worker with staff id {', '.join(unknown)} is on the staff list.",
                              hint="Check the ids with: transition plan show --json")
    baseline = solve(inputs.problem, rules.matching)
    gone = set(withdraw)
    workers = tuple(
        replace(worker, withdrawn=worker.staff_id in gone,
                capacity=math.floor(worker.capacity * capacity_scale))
        for worker in inputs.problem.workers
    )
    scenario = solve(replace(inputs.problem, workers=workers), rules.matching)
    return compare_scenario(inputs, baseline, scenario, withdraw=sorted(gone),
                            capacity_scale=capacity_scale)


@dataclass
class WhatIf:
    withdraw: list[str]
    capacity_scale: float
    baseline_assigned: int
    baseline_unassigned: int
    assigned: int
    unassigned: int
    losing_current_worker: int  # people whose current worker is withdrawn
    changed_from_baseline: int  # roles whose proposed worker differs from the baseline plan
    gap_by_team: dict[str, int]
    gap_by_skill: dict[str, int]
    spare_by_team: dict[str, int]
    unassigned_people: list[dict[str, Any]]
    optimal: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "what_if": {"withdraw": self.withdraw, "capacity_scale": self.capacity_scale},
            "stored": False,
            "optimal": self.optimal,
            "baseline": {"assigned": self.baseline_assigned,
                         "unassigned": self.baseline_unassigned},
            "assigned": self.assigned,
            "unassigned": self.unassigned,
            "losing_current_worker": self.losing_current_worker,
            "changed_from_baseline": self.changed_from_baseline,
            "capacity_gap": {"by_team": self.gap_by_team, "by_skill": self.gap_by_skill},
            "spare_places_by_team": self.spare_by_team,
            "unassigned_people": self.unassigned_people,
        }


def compare_scenario(
    inputs: Inputs, baseline: Solution, scenario: Solution, *, withdraw: list[str],
    capacity_scale: float,
) -> WhatIf:
    gone = set(withdraw)
    before = {placement.need.key: placement.staff_id for placement in baseline.placements}
    gap_team: dict[str, int] = defaultdict(int)
    gap_skill: dict[str, int] = defaultdict(int)
    unassigned_people = []
    for placement in scenario.placements:
        if placement.staff_id is not None:
            continue
        info = inputs.people[placement.need.person_id]
        gap_team[info.team or "(no team)"] += 1
        for skill, _ in placement.need.required:
            gap_skill[skill] += 1
        unassigned_people.append({"nhs_number": info.nhs_number, "role": placement.need.role,
                                  "reasons": list(placement.unassigned_reasons)})
    spare: dict[str, int] = defaultdict(int)
    for load in scenario.loads.values():
        spare[inputs.worker_teams.get(load.staff_id) or "(no team)"] += load.spare
    # Counted as the plan counts: locked roles are filled (unless their worker is withdrawn),
    # people with no pathway yet are unassigned.
    locks = len(inputs.locks)
    locks_lost = sum(1 for lock in inputs.locks.values() if lock.staff_id in gone)
    undecided = len(inputs.undecided)
    return WhatIf(
        withdraw=withdraw,
        capacity_scale=capacity_scale,
        baseline_assigned=baseline.assigned + locks,
        baseline_unassigned=baseline.unassigned + undecided,
        assigned=scenario.assigned + locks - locks_lost,
        unassigned=scenario.unassigned + undecided + locks_lost,
        losing_current_worker=sum(1 for need in inputs.problem.needs
                                  if need.current_staff_id in gone) + locks_lost,
        changed_from_baseline=sum(1 for placement in scenario.placements
                                  if before.get(placement.need.key) != placement.staff_id),
        gap_by_team=dict(sorted(gap_team.items())),
        gap_by_skill=dict(sorted(gap_skill.items())),
        spare_by_team=dict(sorted(spare.items())),
        unassigned_people=unassigned_people,
        optimal=baseline.optimal and scenario.optimal,
    )

