"""Findings about people and their roles: a role no one holds, a red-band handover without its
joint visit, a Community Treatment Order expiring near the handover or recorded without section
117 aftercare, a person missing from the export.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String, and_, exists, func, or_, select, type_coerce

from transition.allocation import coordinator_continues_sql
from transition.allocation_status import handover_ahead, role_needed
from transition.check_findings.world import (
    CRITICAL,
    WARNING,
    Finding,
    _as_date,
    _current,
    _in_export,
    _when,
    _World,
)
from transition.matching import PATHWAY_ROLES, ROLE_WORDS
from transition.models import Assignment, ImportBatch, Person, RiskBand, Task, TaskStatus
from transition.plan_review import unfilled_reasons
from transition.tasks.status import NO_LONGER_APPLIES
from transition.working_days import add_working_days


def unassigned(world: _World) -> list[Finding]:
    """A person whose pathway needs a role that no one holds."""
    has_any = exists().where(Assignment.person_id == Person.id, _current)

    def ended(until: Any) -> bool:
        """The export says the care coordinator's allocation ended before the check's day."""
        return until is not None and _as_date(until) < world.as_of

    findings = []
    for role in ROLE_WORDS:
        pathways = [pathway for pathway, roles in PATHWAY_ROLES.items() if role in roles]
        holds_role = exists().where(Assignment.person_id == Person.id, Assignment.role == role,
                                    _current)
        statement = (
            select(Person.id, Person.nhs_number, Person.pathway, Person.care_coordinator_id,
                   Person.risk_band, Person.allocated_plan_id, has_any,
                   Person.coordinator_until)
            .where(_in_export, Person.pathway.in_(pathways), ~holds_role)  # type: ignore[union-attr]
            .order_by(Person.id)
        )
        words = ROLE_WORDS[role]
        rows = [row for row in world.connection.execute(statement)
                # the trust's worker holds them until a plan is accepted for them, unless the
                # export says that worker's allocation has ended
                if row[6] or row[5] is not None or not world.on_staff_list(row[3])
                or (row[3] and ended(row[7]))]
        if not world.staff_list:
            # With no staff list, no named coordinator can be looked up: one finding says so
            # (no_staff_list) rather than one per person. No coordinator at all still is one.
            rows = [row for row in rows if row[6] or row[5] is not None or not row[3]]
        unfilled = unfilled_reasons(
            world.session, role, [row[0] for row in rows if row[6] or row[5] is not None])
        for person_id, number, pathway, coordinator, band, plan_id, allocated, until in rows:
            red = " Red handover risk." if band == RiskBand.RED else ""
            if allocated:
                why = "has none"
            elif plan_id is not None:
                why = "has no worker: the accepted allocation leaves this role unfilled"
            elif coordinator and world.on_staff_list(coordinator) and ended(until):
                why = ("may have no one: no accepted plan, and the trust's export says the care "
                       f"coordinator's allocation ended on {_as_date(until).isoformat()}; "
                       "ask the trust who holds them now")
            else:
                why = ("has no worker: no accepted plan, and the trust's export names "
                       + ("no care coordinator" if not coordinator
                          else "a care coordinator who is not on the staff list"))
            reasons = unfilled.get(person_id)
            if reasons:
                # The planner found no one who fits: --apply would find no one either until
                # the staff or the rules change, so point at who comes nearest.
                advice = (
                    f" The accepted plan could not fill it: {'; '.join(reasons)}. "
                    f"`transition plan candidates NHS_NUMBER --role {role} --all` shows the "
                    f"nearest workers and what each lacks: choose one with `transition "
                    f"assign`, or run `transition check --apply` once the staff list or "
                    f"rules change.")
            else:
                advice = (" Propose one with `transition check --apply` or choose one with "
                          "`transition assign`.")
            findings.append(Finding(
                "unassigned", CRITICAL, f"Needs a {words} ({pathway} pathway) and {why}.{red}"
                f"{advice}", person_id=person_id, nhs_number=number))
    return findings


def red_without_handover(world: _World) -> list[Finding]:
    """A red-band person whose joint handover visit is not done, handover within N working
    days or past."""
    rules = world.rules.checks
    limit = add_working_days(world.as_of, rules.red_handover_working_days)
    handover = func.coalesce(Person.handover_date, world.transfer)
    visit = (
        select(Task.id, Task.status, Task.person_id, Task.blocked_reason)
        .where(Task.key == rules.handover_visit_task).subquery()
    )
    # A visit `tasks generate` marked not needed when it stopped applying (the person was not
    # red then, say) is no visit: only a manager's "not needed" is a decision.
    set_aside = and_(visit.c.status == TaskStatus.NOT_NEEDED,
                     visit.c.blocked_reason.startswith(NO_LONGER_APPLIES, autoescape=True))
    worker_changes = exists().where(
        Assignment.person_id == Person.id, _current, role_needed(),
        ~coordinator_continues_sql(Assignment.staff_id, world.transfer))
    statement = (
        select(Person.id, Person.nhs_number, handover.label("handover"), visit.c.id,
               visit.c.status, set_aside)
        .outerjoin(visit, visit.c.person_id == Person.id)
        .where(_in_export, Person.risk_band == RiskBand.RED, handover.is_not(None),
               handover <= limit,
               or_(and_(visit.c.id.is_not(None),
                        visit.c.status.not_in([TaskStatus.DONE, TaskStatus.NOT_NEEDED])),
                   and_(or_(visit.c.id.is_(None), set_aside), worker_changes)))
        .order_by(Person.id)
    )
    # A council may turn the visit's template off: then no task will ever be made, and
    # 'run tasks generate' would send the manager round in a circle.
    template = world.rules.tasks.templates.get(rules.handover_visit_task)
    visit_made = template is None or template.enabled
    no_task_advice = (
        "Run `transition tasks generate`, then book the visit with both workers."
        if visit_made else
        f"The rules turn its template off ([tasks.templates.{rules.handover_visit_task}] "
        "enabled = false), so no task is made: arrange the handover meeting with both "
        "workers by hand, or point [checks] handover_visit_task at the template that stands "
        "for it.")
    findings = []
    for person_id, number, day, task_id, status, auto_not_needed in world.connection.execute(
        statement
    ):
        day = _as_date(day)
        when = _when(world.as_of, day)
        if day < world.as_of:
            # Too late for a visit before the change: say what to do now it has happened.
            message = _past_handover_message(day, world.as_of, task_id, status, auto_not_needed,
                                             visit_made, rules.handover_visit_task)
        elif task_id is None or (auto_not_needed and not visit_made):
            message = (f"Red handover risk, worker changes {when}, and there is no joint "
                       f"handover visit task. {no_task_advice}")
        elif auto_not_needed:
            message = (f"Red handover risk, worker changes {when}, and the joint handover visit "
                       "task was marked not needed by `transition tasks generate` when it "
                       "stopped applying; it applies again. Run `transition tasks generate` "
                       "(it reopens the task), then book the visit with both workers.")
        else:
            message = (f"Red handover risk, worker changes {when}, and the joint handover visit "
                       f"is {str(status).replace('_', ' ')}. Book it with both workers before "
                       "the handover.")
        findings.append(Finding("red_without_handover", CRITICAL, message,
                                person_id=person_id, nhs_number=number, task_id=task_id))
    return findings


def _past_handover_message(day: date, as_of: date, task_id: int | None, status: Any,
                           auto_not_needed: bool, visit_made: bool, visit_key: str) -> str:
    """What ``red_without_handover`` says once the handover date has passed: the joint visit
    did not happen before the change, so the new worker visits now and the team reviews the
    handover (a visit "before the handover" can no longer be booked)."""
    ago = (as_of - day).days
    changed = (f"Red handover risk: the handover was on {day.isoformat()} (already past, {ago} "
               f"day{'s' if ago != 1 else ''} ago) and the joint handover visit did not happen "
               "before the worker changed")
    if task_id is None or (auto_not_needed and not visit_made):
        why = (" (there is no joint visit task" + (
            ": run `transition tasks generate` to make one)" if visit_made else
            f"; the rules turn its template off, [tasks.templates.{visit_key}] enabled = "
            "false, so none is made: arrange the visit by hand)"))
    elif auto_not_needed:
        why = (" (`transition tasks generate` marked its task not needed when it stopped "
               "applying; run it again to reopen the task)")
    else:
        why = f" (its task is {str(status).replace('_', ' ')})"
    return (f"{changed}{why}. Book a visit with the new worker now, with the previous worker "
            "too if they can still come, and review the handover with the team manager: "
            "check the person knows who their worker is and that nothing was missed."
            + (" Mark the visit task done once it has happened." if visit_made else ""))


def cto_expiring(world: _World) -> list[Finding]:
    """A person on a Community Treatment Order that expires near their handover while their
    worker changes (or no one holds a role), or whose recorded expiry has passed."""
    window = world.rules.checks.cto_expiry_window_days
    handover = func.coalesce(Person.handover_date, world.transfer)
    statement = (
        select(Person.id, Person.nhs_number, type_coerce(Person.cto_expiry, String),
               handover.label("handover"), handover_ahead(world.as_of, world.transfer))
        .where(_in_export, Person.cto.is_(True),  # type: ignore[attr-defined]
               Person.cto_expiry.is_not(None))  # type: ignore[union-attr]
        .order_by(Person.id)
    )
    findings = []
    for person_id, number, expiry, day, ahead in world.connection.execute(statement):
        expiry = _as_date(expiry)
        if expiry < world.as_of:
            message = (f"On a Community Treatment Order whose recorded expiry ({expiry.isoformat()}) "
                       "has passed. Ask the trust whether it was renewed (then the export's date "
                       "is out of date) or has ended (then the person's CTO status and pathway "
                       "need updating).")
        elif day is not None and ahead and abs((expiry - _as_date(day)).days) <= window:
            day = _as_date(day)
            side = ("before" if expiry < day else "after" if expiry > day else "on the day of")
            gap = abs((expiry - day).days)
            apart = "" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} "
            message = (f"Community Treatment Order expires on {expiry.isoformat()}, {apart}{side} "
                       f"the handover on {day.isoformat()}, and the worker changes. Agree who "
                       "arranges the renewal (the responsible clinician's examination and an "
                       "AMHP's agreement) and put it in the handover, so it does not fall between "
                       "workers.")
        else:
            continue
        findings.append(Finding("cto_expiring", WARNING, message,
                                person_id=person_id, nhs_number=number))
    return findings


def cto_without_s117(world: _World) -> list[Finding]:
    """A person on a Community Treatment Order whose section 117 aftercare is recorded as no:
    a CTO is made only after detention under a section that brings s117 aftercare (Mental
    Health Act 1983, s17A and s117), so the record is wrong one way or the other. Their
    letters would state their legal status wrongly, so ``letters generate`` holds them back
    (:func:`transition.letter_facts.legal_status_conflict`), and the s117 review task is
    not made."""
    statement = (
        select(Person.id, Person.nhs_number)
        .where(_in_export, Person.cto.is_(True),  # type: ignore[attr-defined]
               Person.s117.is_(False))  # type: ignore[attr-defined]
        .order_by(Person.id)
    )
    return [
        Finding("cto_without_s117", CRITICAL,
                "On a Community Treatment Order but section 117 aftercare is recorded as no: a "
                "CTO is made only after detention under section 3 or 37 of the Mental Health "
                "Act, which brings s117 aftercare, so one of the two is wrong. Any handover "
                "letter already written for them may state their legal status wrongly: do not "
                "post it. New letters are held back, and no s117 review task is made, until the "
                "record is corrected: ask the trust which is right, then import the corrected "
                "export (`transition letters generate` writes the letters then).",
                person_id=person_id, nhs_number=number)
        for person_id, number in world.connection.execute(statement)
    ]


def missing_from_export(world: _World) -> list[Finding]:
    """A person in the database who was not in the latest caseload export."""
    statement = (
        select(Person.id, Person.nhs_number, ImportBatch.started_at)
        .outerjoin(ImportBatch, ImportBatch.id == Person.missing_since_batch_id)
        .where(~_in_export)
        .order_by(Person.id)
    )
    return [
        Finding("missing_from_export", WARNING,
                f"Not in the trust's export since the import of "
                f"{_as_date(since).isoformat() if since else 'an earlier date'}. Ask the trust "
                "whether they were discharged or moved; their record and workers are kept until "
                "then.",
                person_id=person_id, nhs_number=number)
        for person_id, number, since in world.connection.execute(statement)
    ]
