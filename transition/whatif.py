"""What-if: the effect of losing workers or capacity, without storing anything."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter
from typing import Any

from sqlmodel import Session, col, select

from transition.assessment import staff_facts
from transition.bulk import collector_paused
from transition.errors import NotFoundError, TransitionError
from transition.matching import Need, Problem, Solution, solve
from transition.models import Person, RiskBand
from transition.plan_inputs import Inputs, PersonInfo, read_inputs
from transition.planning import undecided_reason
from transition.risk import RiskFacts, scorer
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
    # The command has already read each id as the staff list spells it (staff_ids).
    unknown = sorted(set(withdraw) - {worker.staff_id for worker in inputs.problem.workers})
    if unknown:
        raise NotFoundError(f"No worker with staff id {', '.join(unknown)} is on the staff list.",
                            hint="Check the ids with: transition plan show --json")
    baseline = solve(inputs.problem, rules.matching)
    gone = set(withdraw)
    workers = tuple(
        replace(worker, withdrawn=worker.staff_id in gone,
                capacity=scaled(worker.capacity, capacity_scale))
        for worker in inputs.problem.workers
    )
    problem = replace(inputs.problem, workers=workers)
    # Losing their coordinator is a risk factor: some of their people band higher, and the
    # red-band cap then spreads them as a real plan made after the workers leave would.
    raised = raised_bands(session, rules, inputs, gone, as_of=as_of)
    # A lock cannot hold a worker who is gone: their locked roles are planned like any other
    # (placed, or unassigned with the reason), and no longer use the withdrawn worker's place.
    lost = locks_on_withdrawn(inputs, gone)
    if lost:
        problem = replace(
            problem,
            needs=tuple(sorted([*problem.needs, *_unlocked_needs(session, rules, lost,
                                                                 as_of=as_of)],
                               key=attrgetter("person_id"))),  # stable: the plan's order
            held=tuple(item for item in problem.held
                       if not (item.locked and (item.person_id, item.role) in lost)),
        )
    if raised:
        problem = replace(problem, needs=tuple(
            need._replace(band=raised[need.person_id][1]) if need.person_id in raised else need
            for need in problem.needs))
    scenario = solve(as_replan_of(problem, baseline), rules.matching)
    # Places someone new could take: a worker active on the transfer date, with a council
    # team decided, in a job that fills a role (not an AMHP or a manager).
    takers = {worker.staff_id for worker in workers
              if worker.unavailable(inputs.transfer_date, rules.matching) is None
              and not worker.keep_only
              and any(worker.fits(role, rules.matching) for role in rules.matching.roles)}
    result = compare_scenario(inputs, baseline, scenario, withdraw=sorted(gone),
                              capacity_scale=capacity_scale, takers=takers)
    result.bands_raised = [
        {"nhs_number": inputs.people[person_id].nhs_number, "from": before, "to": after}
        for person_id, (before, after) in raised.items()]
    return result


_BAND_ORDER = {RiskBand.GREEN.value: 0, RiskBand.AMBER.value: 1, RiskBand.RED.value: 2}


def raised_bands(session: Session, rules: Rules, inputs: Inputs, gone: set[str], *,
                 as_of: date) -> dict[int, tuple[str, str]]:
    """The people whose handover-risk band rises when ``gone`` are withdrawn: person id ->
    (band as stored, band in the what-if), in the plan's order.

    A withdrawn coordinator is scored as leaving on ``as_of`` (the ``coordinator_leaving``
    factor). The points it adds are added to the stored score, so only the withdrawal moves a
    band: a score stored some days ago is not re-dated here, and a coordinator already leaving
    (or not on the staff list) adds nothing. Only people the plan reads (assessed, with their
    coordinator in ``gone``) are looked at: a handful of workers' caseloads, read again."""
    affected = sorted(person_id for person_id, info in inputs.people.items()
                      if info.coordinator_id in gone and info.risk_band in _BAND_ORDER)
    if not affected:
        return {}
    staff, loaded = staff_facts(session.connection())
    score = scorer(rules.risk, as_of)
    bands = rules.risk.bands
    raised: dict[int, tuple[str, str]] = {}
    for start in range(0, len(affected), 1_000):  # within any database's limit on parameters
        people = session.exec(select(Person).where(
            col(Person.id).in_(affected[start:start + 1_000])).order_by(col(Person.id)))
        for person in people:
            real = staff.get(person.care_coordinator_id or "")
            if real is None or person.risk_score is None or person.risk_band is None:
                continue
            leaving = replace(real, leaving_date=min(real.leaving_date or as_of, as_of))
            added = (score(RiskFacts.from_person(person, leaving, staff_list_loaded=loaded)).score
                     - score(RiskFacts.from_person(person, real, staff_list_loaded=loaded)).score)
            band = bands.band(person.risk_score + added).value
            if added > 0 and _BAND_ORDER[band] > _BAND_ORDER[person.risk_band]:
                raised[person.id] = (person.risk_band, band)  # type: ignore[index]
    return raised


def as_replan_of(problem: Problem, baseline: Solution) -> Problem:
    """``problem`` planned as a re-plan of ``baseline``, as if it had been accepted: moving a
    role away from the worker the baseline gives it costs what moving it from an accepted plan
    costs. Without this the scenario is free to swap people between workers who suit them
    equally (which of them the solver picks is arbitrary when no plan has been accepted), and
    "changed from the plan as things stand" counted those swaps: 156 of the demo's roles for two
    workers holding 3 people. A real re-plan after an accept keeps them where they are, and so
    does the scenario. Roles the baseline could not place keep their accepted worker, if any."""
    chosen = {placement.need.key: placement.staff_id for placement in baseline.placements
              if placement.staff_id is not None}
    if not chosen:
        return problem
    return replace(problem, needs=tuple(
        need._replace(accepted_staff_id=chosen.get(need.key, need.accepted_staff_id))
        for need in problem.needs))


def scaled(capacity: int, scale: float) -> int:
    """A capacity times ``scale``, rounded down to whole places (0.9 of 7 is 6). Rounded to
    six places first, so that binary fractions do not lose a place: 45 x 1.4 is
    62.99999999999999 as a float, and 63 places."""
    return math.floor(round(capacity * scale, 6))


def locks_on_withdrawn(inputs: Inputs, gone: set[str]) -> dict[tuple[int, str], str]:
    """The locked roles whose worker is withdrawn: (person id, role) -> their staff id."""
    return {key: lock.staff_id for key, lock in sorted(inputs.locks.items())
            if lock.staff_id in gone}


def _unlocked_needs(session: Session, rules: Rules, lost: dict[tuple[int, str], str], *,
                    as_of: date) -> list[Need]:
    """The roles in ``lost`` as needs, made as a plan makes them when nothing is locked (so
    with the same skills, language, band and current worker). Read again for those people
    only: everyone else is held, and only their needs are taken. A role the person's pathway
    does not need (kept only by its lock), or a person with no pathway, gives no need."""
    again = read_inputs(session, rules, as_of=as_of, honour_locks=False,
                        person_ids=sorted({person_id for person_id, _ in lost}))
    return [need for need in again.problem.needs if need.key in lost]


@dataclass
class WhatIf:
    withdraw: list[str]
    capacity_scale: float
    baseline_assigned: int
    baseline_unassigned: int
    assigned: int
    unassigned: int
    # People with a role whose current worker is withdrawn, or keeps it as things stand
    # but not in the what-if (a capacity cut)
    losing_current_worker: int
    changed_from_baseline: int  # roles whose proposed worker differs from the baseline plan
    gap_by_team: dict[str, int]
    gap_by_skill: dict[str, int]
    spare_by_team: dict[str, int]
    unassigned_people: list[dict[str, Any]]
    optimal: bool
    # The capacity gap as things stand (roles no one could fill before the what-if).
    baseline_gap_by_team: dict[str, int] = field(default_factory=dict)
    baseline_gap_by_skill: dict[str, int] = field(default_factory=dict)
    # Roles locked to a withdrawn worker, and where the what-if puts them: {"nhs_number",
    # "role", "locked_to", "staff_id"} (staff_id None: unassigned, or the role ends).
    locks_on_withdrawn: list[dict[str, Any]] = field(default_factory=list)
    # People whose handover-risk band rises because their coordinator is withdrawn (a
    # coordinator leaving is a risk factor): {"nhs_number", "from", "to"}; the what-if plans
    # them in the raised band (the red-band cap counts a new red).
    bands_raised: list[dict[str, Any]] = field(default_factory=list)

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
            "capacity_gap": {"by_team": self.gap_by_team, "by_skill": self.gap_by_skill,
                             "as_things_stand": {"by_team": self.baseline_gap_by_team,
                                                 "by_skill": self.baseline_gap_by_skill}},
            "spare_places_by_team": self.spare_by_team,
            "locks_on_withdrawn": self.locks_on_withdrawn,
            "bands_raised": self.bands_raised,
            "unassigned_people": self.unassigned_people,
        }


def compare_scenario(
    inputs: Inputs, baseline: Solution, scenario: Solution, *, withdraw: list[str],
    capacity_scale: float, takers: set[str],
) -> WhatIf:
    """The scenario against the baseline, counted as the plan counts: locked roles are filled
    (a lock on a withdrawn worker is planned in the scenario like any other role), people with
    no pathway yet are unassigned. Every role counted unassigned is listed in
    ``unassigned_people``; the capacity gap counts the roles the scenario could not place
    (and, as things stand, the baseline). Only ``takers`` (workers who could take someone
    new) have spare places."""
    gone = set(withdraw)
    lost = locks_on_withdrawn(inputs, gone)
    before = {placement.need.key: placement.staff_id for placement in baseline.placements}
    before.update({key: lock.staff_id for key, lock in inputs.locks.items()})
    after: dict[tuple[int, str], str | None] = {}
    baseline_team, baseline_skill = _gaps(inputs, baseline)  # as things stand
    scenario_team, scenario_skill = _gaps(inputs, scenario)
    unassigned_people: list[dict[str, Any]] = []
    losing: set[int] = set()  # people: a joint person losing both workers is one
    changed = 0
    for placement in scenario.placements:
        need = placement.need
        after[need.key] = placement.staff_id
        current = need.current_staff_id
        if current is not None and placement.staff_id != current and (
                current in gone or before.get(need.key) == current):
            losing.add(need.person_id)
        changed += before.get(need.key) != placement.staff_id
        if placement.staff_id is None:
            unassigned_people.append(_unassigned(
                inputs.people[need.person_id], need.role, placement.unassigned_reasons,
                lost.get(need.key)))
    # Locks on withdrawn workers that gave no need: the person has no pathway (unassigned,
    # as they are), or their pathway does not need the role (it ends: counted neither way).
    undecided = set(inputs.undecided)
    lost_undecided = 0
    for (person_id, role), staff_id in lost.items():
        if (person_id, role) in after:
            continue
        losing.add(person_id)
        changed += 1
        if person_id in undecided:
            lost_undecided += 1
            info = inputs.people[person_id]
            unassigned_people.append(_unassigned(info, role, (undecided_reason(info),),
                                                 staff_id))
    for person_id in inputs.undecided:
        info = inputs.people[person_id]
        unassigned_people.append(_unassigned(info, None, (undecided_reason(info),), None))
    # People with no pathway yet keep their workers while it is decided (held, not planned).
    losing.update(item.person_id for item in inputs.problem.held
                  if item.staff_id in gone and item.person_id in undecided)
    spare: dict[str, int] = defaultdict(int)
    for load in scenario.loads.values():
        # A withdrawn worker takes no one in the scenario, nor does one who is leaving, away,
        # keeping only their own people, or in a job that fills no role: no spare places.
        spare[inputs.worker_teams.get(load.staff_id) or "(no team)"] += (
            load.spare if load.staff_id in takers else 0)
    locks = len(inputs.locks)
    return WhatIf(
        withdraw=withdraw,
        capacity_scale=capacity_scale,
        baseline_assigned=baseline.assigned + locks,
        baseline_unassigned=baseline.unassigned + len(inputs.undecided),
        assigned=scenario.assigned + locks - len(lost),
        unassigned=scenario.unassigned + len(inputs.undecided) + lost_undecided,
        losing_current_worker=len(losing),
        changed_from_baseline=changed,
        gap_by_team=scenario_team,
        gap_by_skill=scenario_skill,
        baseline_gap_by_team=baseline_team,
        baseline_gap_by_skill=baseline_skill,
        spare_by_team=dict(sorted(spare.items())),
        unassigned_people=unassigned_people,
        optimal=baseline.optimal and scenario.optimal,
        locks_on_withdrawn=[
            {"nhs_number": inputs.people[person_id].nhs_number, "role": role,
             "locked_to": staff_id, "staff_id": after.get((person_id, role))}
            for (person_id, role), staff_id in lost.items()],
    )


def _gaps(inputs: Inputs, solution: Solution) -> tuple[dict[str, int], dict[str, int]]:
    """The roles ``solution`` could not place, by the person's team and by each skill the
    role needs."""
    by_team: dict[str, int] = defaultdict(int)
    by_skill: dict[str, int] = defaultdict(int)
    for placement in solution.placements:
        if placement.staff_id is not None:
            continue
        by_team[inputs.people[placement.need.person_id].team or "(no team)"] += 1
        for skill, _ in placement.need.required:
            by_skill[skill] += 1
    return dict(sorted(by_team.items())), dict(sorted(by_skill.items()))


def _unassigned(info: PersonInfo, role: str | None, reasons: Sequence[str],
                locked_to: str | None) -> dict[str, Any]:
    """A role the scenario leaves unassigned, as ``unassigned_people`` lists it."""
    entry: dict[str, Any] = {"nhs_number": info.nhs_number, "role": role,
                             "reasons": list(reasons)}
    if locked_to is not None:
        entry["locked_to"] = locked_to
    return entry


