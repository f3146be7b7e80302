"""--apply: re-plan the people affected, as a draft."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.check_findings.world import _current, _in_export
from transition.checks import CheckReport
from transition.matching import ROLE_WORDS
from transition.models import Assignment, Person
from transition.plan_review import held_by_coordinator
from transition.planning import replan


def _over_capacity_workers(report: CheckReport) -> set[str]:
    return {finding.staff_id for finding in report.findings
            if finding.code == "over_capacity" and finding.staff_id}


def affected_people(session: Session, report: CheckReport, *, rebalance: bool = False) -> list[int]:
    """People in ``unassigned`` findings and people in the latest export held by
    ``worker_unavailable`` workers; with ``rebalance``, also the people held by
    ``over_capacity`` workers."""
    ids = {finding.person_id for finding in report.findings
           if finding.code == "unassigned" and finding.person_id is not None}
    codes = {"worker_unavailable", "over_capacity"} if rebalance else {"worker_unavailable"}
    holders = sorted({finding.staff_id for finding in report.findings
                      if finding.code in codes and finding.staff_id})
    for start in range(0, len(holders), 500):
        batch = holders[start:start + 500]
        # Not those missing from the latest export: a plan leaves them out, so counting
        # them said "re-plans 2 people" of a draft that re-plans 1.
        ids.update(session.scalars(
            select(Assignment.person_id).join(Person, Person.id == Assignment.person_id)
            .where(_current, _in_export, Assignment.staff_id.in_(batch))))  # type: ignore[attr-defined]
        ids.update(session.scalars(
            select(Person.id).where(Person.care_coordinator_id.in_(batch),  # type: ignore[union-attr]
                                    *held_by_coordinator(report.as_of))))
    return sorted(ids)


def propose_moves(session: Session, rules: Any, report: CheckReport, *, actor: str,
                  rebalance: bool = False) -> None:
    """Re-plan only the affected people (locks kept, everyone else fixed) as a draft plan of
    kind ``check_apply``, and list what would change in ``report.proposed_moves``.

    With ``rebalance``, an over-capacity worker's people are re-planned too: the planner
    keeps as many with them as their capacity allows and moves the rest where another worker
    who fits has room. A role it cannot place is left unfilled in the draft, and accepting a
    draft never takes a role from whoever holds it for a role left unfilled: so such a person
    stays with their worker, over capacity. They are not a move, nor a role no one can take
    (no one is losing their worker): a note counts them."""
    people = affected_people(session, report, rebalance=rebalance)
    report.affected_people = len(people)
    if not people:
        return
    result = replan(session, rules, person_ids=people, as_of=report.as_of, actor=actor,
                    kind="check_apply", refresh=False)
    report.plan_id = result.plan_id
    holders = _holders(session, people, report.as_of)
    # Over capacity and still working here: their people stay with them if no one has room.
    staying_with = _over_capacity_workers(report) - {
        finding.staff_id for finding in report.findings if finding.code == "worker_unavailable"}
    staying: Counter[str] = Counter()
    for row in result.rows:
        if row.role is None or row.locked:
            continue
        before = holders.get((row.person_id, row.role))
        if row.staff_id is not None and row.staff_id == before:
            continue  # kept: not a move (a role no one could fill is listed, with why)
        if row.staff_id is None and rebalance and before in staying_with:
            staying[before] += 1
            continue
        report.proposed_moves.append({
            "nhs_number": row.nhs_number, "role": row.role, "from_staff_id": before,
            "to_staff_id": row.staff_id, "reasons": row.reasons, "plan_id": result.plan_id,
        })
    if staying:
        total = sum(staying.values())
        report.notes.append(
            f"{total} {'role stays' if total == 1 else 'roles stay'} with an over-capacity "
            "worker: no other worker who fits has room ("
            + ", ".join(f"{staff_id} {count}" for staff_id, count in sorted(staying.items()))
            + "). The draft leaves them unfilled and accepting it keeps them where they are; "
            "add capacity, or move someone with `transition assign`.")


def _holders(session: Session, person_ids: list[int],
             as_of: date) -> dict[tuple[int, str], str]:
    """Who holds each role of these people now: their current assignment, or (no plan yet)
    the trust's care coordinator, unless the export says that allocation ended before
    ``as_of`` (then no one does, and a worker the draft gives them is a move)."""
    from transition.allocation import current_assignments

    current = current_assignments(session, person_ids)
    holders = {(person_id, role): item.staff_id
               for person_id, roles in current.items() for role, item in roles.items()}
    for start in range(0, len(person_ids), 5000):
        batch = person_ids[start:start + 5000]
        for person_id, coordinator in session.execute(
            select(Person.id, Person.care_coordinator_id)
            .where(Person.id.in_(batch), *held_by_coordinator(as_of))  # type: ignore[union-attr]
        ):
            for role in ROLE_WORDS:
                holders.setdefault((person_id, role), coordinator)
    return holders
