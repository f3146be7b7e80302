"""--apply: re-plan the people affected, as a draft; and the earlier draft a check makes out
of date (:func:`discard_drafts`).

A ``check_apply`` draft answers the findings of the check that made it. A later ``--apply``
replaces it (the planner discards the older draft of its kind when it stores the new one); a
later check, with or without ``--apply``, that finds no one to re-plan discards it, saying so
in the report's notes: its moves would hand people to new workers for problems that are no
longer there. A re-plan that moves no one (its roles kept, or ones no one can take) is
discarded as soon as it is made: there is nothing to accept, and left waiting it would take
the accepted plan's place on the plan screen. One whose data changed since is refused at
accept (its inputs' fingerprints).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from transition.check_findings.workers import arriving_while_away
from transition.check_findings.world import _current, _in_export
from transition.checks import CheckReport
from transition.matching import ROLE_WORDS
from transition.models import Assignment, Person, Plan, PlanStatus
from transition.plan_review import held_by_coordinator
from transition.planning import replan

CHECK_APPLY = "check_apply"  # the kind of plan --apply stores


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
    # A worker away over some handovers: only the people moving to them while they are away.
    away = sorted({finding.staff_id for finding in report.findings
                   if finding.code == "absent_at_handover" and finding.staff_id})
    for people in arriving_while_away(session, away, as_of=report.as_of).values():
        ids.update(person_id for person_id, _day, _band in people)
    return sorted(ids)


def waiting_drafts(session: Session) -> list[Plan]:
    """The ``check_apply`` drafts waiting for review (one at most, as each replaces the last),
    locked for this transaction (PostgreSQL) so an accept under way finishes first."""
    return list(session.scalars(
        select(Plan).where(Plan.status == PlanStatus.DRAFT, Plan.kind == CHECK_APPLY)
        .order_by(Plan.id).with_for_update()  # type: ignore[arg-type]
        .execution_options(populate_existing=True)))


def discard_drafts(session: Session, report: CheckReport, *, why: str) -> list[int]:
    """Discard the waiting ``check_apply`` drafts, with a note in ``report`` saying which and
    ``why``; returns their ids."""
    drafts = waiting_drafts(session)
    if not drafts:
        return []
    ids = [plan.id for plan in drafts if plan.id is not None]
    session.execute(update(Plan).where(Plan.id.in_(ids))  # type: ignore[union-attr]
                    .values(status=PlanStatus.DISCARDED))
    report.discarded_plans.extend(ids)
    report.notes.append(
        f"{_drafts_in_words(drafts)} {'was' if len(drafts) == 1 else 'were'} discarded: "
        f"{why}, so {'its' if len(drafts) == 1 else 'their'} moves would hand people to "
        "new workers for problems that are no longer there. Nothing needs accepting "
        "(`transition plan status` says where the allocation stands).")
    return ids


def discard_if_nothing_to_replan(session: Session, report: CheckReport) -> None:
    """Discard a waiting ``check_apply`` draft when this check finds no one ``--apply`` would
    re-plan, nor ``--rebalance`` (a draft moving an over-capacity worker's people still has
    work to do while they are over: it is left for the manager)."""
    if not session.scalar(select(Plan.id).where(Plan.status == PlanStatus.DRAFT,
                                                Plan.kind == CHECK_APPLY).limit(1)):
        return
    if affected_people(session, report, rebalance=True):
        return
    discard_drafts(session, report, why="this check finds no one to re-plan")


def _drafts_in_words(drafts: list[Plan]) -> str:
    """'Draft plan 3 (from `transition check --apply` as of 2027-01-14)'."""
    made = sorted({plan.as_of.isoformat() for plan in drafts if plan.as_of is not None})
    ids = ", ".join(str(plan.id) for plan in drafts)
    return (f"Draft plan{'s' if len(drafts) != 1 else ''} {ids} (from `transition check "
            f"--apply`{' as of ' + ', '.join(made) if made else ''})")


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
        discard_if_nothing_to_replan(session, report)
        return
    replaced = [plan.id for plan in waiting_drafts(session)]
    result = replan(session, rules, person_ids=people, as_of=report.as_of, actor=actor,
                    kind=CHECK_APPLY, refresh=False)
    report.plan_id = result.plan_id
    if replaced:  # the planner discarded them as it stored the new draft
        report.discarded_plans.extend(plan_id for plan_id in replaced if plan_id is not None)
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
    stays = _staying_in_words(staying)
    if not any(move["to_staff_id"] is not None for move in report.proposed_moves):
        _discard_moving_no_one(session, report, replaced, stays)
        return
    if replaced:
        report.notes.append(
            f"Draft plan {result.plan_id} replaces the earlier draft "
            f"{', '.join(str(plan_id) for plan_id in replaced)} of `transition check --apply` "
            "(discarded): review and accept the new one.")
    if stays:
        report.notes.append(
            f"{stays}. The draft leaves them unfilled and accepting it keeps them where they "
            "are; add capacity, or move someone with `transition assign`.")


def _staying_in_words(staying: Counter[str]) -> str:
    """'3 roles stay with an over-capacity worker: no other worker who fits has room (SW1
    2, SW2 1)', or '' for none."""
    if not staying:
        return ""
    total = sum(staying.values())
    return (f"{total} {'role stays' if total == 1 else 'roles stay'} with an over-capacity "
            "worker: no other worker who fits has room ("
            + ", ".join(f"{staff_id} {count}" for staff_id, count in sorted(staying.items()))
            + ")")


def _discard_moving_no_one(session: Session, report: CheckReport,
                           replaced: list[int | None], stays: str) -> None:
    """A re-plan that moves no one (every role kept, or one no one can take) has nothing to
    accept, and accepting it would change nothing: its draft is discarded, not left on the
    plan screen in place of the accepted plan, and a note says why and what to do."""
    assert report.plan_id is not None
    plan_id = report.plan_id
    session.execute(update(Plan).where(Plan.id == plan_id)
                    .values(status=PlanStatus.DISCARDED))
    report.discarded_plans.append(plan_id)
    # The roles no one can take stay listed, with why, but in no draft.
    stuck = len(report.proposed_moves)
    report.plan_id = None
    for move in report.proposed_moves:
        move["plan_id"] = None
    people = report.affected_people
    why = [f"{stuck} {'role' if stuck == 1 else 'roles'} no one can take"] if stuck else []
    why += [stays] if stays else []
    earlier = [str(old) for old in replaced if old is not None]
    report.notes.append(
        f"Nothing to accept: re-planning {people} {'person' if people == 1 else 'people'} "
        f"moves no one ({'; '.join(why) or 'each keeps their worker'}), so draft plan "
        f"{plan_id}{' and the earlier draft ' + ', '.join(earlier) if earlier else ''} "
        f"{'were' if earlier else 'was'} discarded and the allocation stays as it is."
        + (" The check's findings say who has no worker who fits (`transition plan show "
           "--unassigned` says why for the plan's unassigned roles): add capacity or the "
           "skills, or choose a worker with `transition assign`." if stuck else ""))


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
