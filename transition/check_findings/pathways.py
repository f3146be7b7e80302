"""Pathways: the pathway each person's latest accepted plan was made for
(:func:`planned_pathways`) against the one the current rules (or a manager's override) give
them now (:func:`pathway_changed`), and people with none decided yet (:func:`not_assessed`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, exists, func, select, type_coerce

from transition.check_findings.world import (
    CRITICAL,
    WARNING,
    Finding,
    _as_date,
    _current,
    _in_export,
    _World,
)
from transition.db import json_value
from transition.eligibility import PathwayFacts, decide_pathway, split_outcomes
from transition.models import Assignment, Pathway, Person, Plan, PlanAssignment
from transition.risk import allocation_ended


def planned_pathways(world: _World) -> dict[int, str | None]:
    """Per person, the pathway the latest accepted plan that decided anything for them was
    made for: their row's pathway (None: they had no pathway then), or signpost when the plan
    listed them as signposted (summary ``signposted``; a signposted person gets no row). A plan
    that left someone out (missing from the export, or a re-plan of others) decided nothing
    for them, so an older plan speaks for them. Plans made before summaries listed the
    signposted: their rows only."""
    accepted = (
        select(PlanAssignment.person_id, func.max(PlanAssignment.plan_id).label("plan_id"))
        .join(Plan, Plan.id == PlanAssignment.plan_id)
        .where(Plan.accepted_at.is_not(None))  # type: ignore[union-attr]
        .group_by(PlanAssignment.person_id).subquery()
    )
    latest: dict[int, tuple[int, str | None]] = {
        person_id: (plan_id, pathway) for person_id, plan_id, pathway in world.connection.execute(
            select(PlanAssignment.person_id, accepted.c.plan_id,
                   func.max(PlanAssignment.pathway))
            .join(accepted, and_(accepted.c.person_id == PlanAssignment.person_id,
                                 accepted.c.plan_id == PlanAssignment.plan_id))
            .group_by(PlanAssignment.person_id, accepted.c.plan_id))
    }
    signposted: dict[int, int] = {}
    for plan_id, summary in world.connection.execute(
        select(Plan.id, Plan.summary).where(Plan.accepted_at.is_not(None))  # type: ignore[union-attr]
        .order_by(Plan.id.desc())  # type: ignore[union-attr]
    ):
        for person_id in (json_value(summary) or {}).get("signposted") or ():
            signposted.setdefault(person_id, plan_id)
    for person_id, plan_id in signposted.items():
        if plan_id > latest.get(person_id, (0, None))[0]:
            latest[person_id] = (plan_id, Pathway.SIGNPOST.value)
    return {person_id: pathway for person_id, (_plan_id, pathway) in latest.items()}


def pathway_changed(world: _World) -> list[Finding]:
    """A person in the export whose pathway under the current rules (or a manager's override)
    differs from the one the latest accepted plan that decided anything for them was made for
    (:func:`planned_pathways`: a signposted person included, though they have no row)."""
    planned = planned_pathways(world)
    if not planned:
        return []
    statement = (
        select(Person.id, Person.nhs_number, Person.pathway_override,
               type_coerce(Person.care_act_outcomes, String), Person.significant_impact,
               Person.s117, Person.cto, Person.cpa, Person.cluster)
        .where(_in_export)
        .order_by(Person.id)
    )
    rules = world.rules.eligibility
    health_led = rules.health_led_clusters
    decided: dict[tuple[Any, ...], tuple[str, str]] = {}
    outcomes_seen: dict[Any, tuple[frozenset[str] | None, tuple[str, ...]]] = {}
    findings = []
    for (person_id, number, override, outcomes, impact, s117, cto, cpa,
         cluster) in world.connection.execute(statement):
        was = planned.get(person_id)
        if was is None:
            continue  # no accepted plan decided anything for them, or they had no pathway then
        if override:
            now, why = override, "a manager's override"
        else:
            # Raw JSON text (SQLite) or an already decoded list (PostgreSQL), split once each.
            seen_as = tuple(outcomes) if isinstance(outcomes, list) else outcomes
            split = outcomes_seen.get(seen_as)
            if split is None:
                split = outcomes_seen[seen_as] = split_outcomes(json_value(outcomes))
            key = (split, impact, s117, cto, cpa, cluster if cluster in health_led else None)
            entry = decided.get(key)
            if entry is None:
                decision = decide_pathway(PathwayFacts(split[0], impact, s117, cto, cpa,
                                                       cluster, split[1]), rules)
                entry = decided[key] = (decision.pathway.value, decision.reasons[0].reason)
            now, why = entry
        if was != now:
            findings.append(Finding(
                "pathway_changed", WARNING,
                f"The accepted plan was made for the {was} pathway; under the current rules "
                f"and data it is {now} ({why}). Run `transition assess`, then `transition plan`"
                " to re-plan.",
                person_id=person_id, nhs_number=number))
    return findings


def not_assessed(world: _World) -> list[Finding]:
    """A person in the export with no pathway decided: imported since the last
    ``transition assess``, so no plan, task or letter covers them and no other check can say
    whether they need a worker. Critical when no one holds them either (no worker assigned,
    and the export's care coordinator is missing, not on the staff list, or their allocation
    ended); else a warning, as their coordinator holds them meanwhile."""
    held = exists().where(Assignment.person_id == Person.id, _current)
    statement = (
        select(Person.id, Person.nhs_number, Person.care_coordinator_id,
               Person.coordinator_until, held)
        .where(_in_export, Person.pathway.is_(None))  # type: ignore[union-attr]
        .order_by(Person.id)
    )
    findings = []
    for person_id, number, coordinator, until, has_worker in world.connection.execute(statement):
        ended = until is not None and allocation_ended(_as_date(until), world.as_of)
        holder = has_worker or (world.on_staff_list(coordinator) and not ended)
        if not holder and coordinator and not ended and not world.staff_list:
            # Whether their coordinator holds them cannot be told before a staff list is
            # imported: no_staff_list says so once, critical, rather than once per person.
            findings.append(Finding(
                "not_assessed", WARNING,
                "No pathway decided: imported since the last assessment, so no plan, task or "
                "letter covers them yet. Whether their care coordinator holds them meanwhile is "
                "not known until the staff list is imported (see no_staff_list). Run "
                "`transition assess`, then `transition plan` (or `transition check --apply`).",
                person_id=person_id, nhs_number=number))
            continue
        who = ("" if holder else
               " No one holds them meanwhile: the export names "
               + ("no care coordinator" if not coordinator
                  else "a care coordinator whose allocation has ended" if ended
                  else "a care coordinator who is not on the staff list") + ".")
        findings.append(Finding(
            "not_assessed", WARNING if holder else CRITICAL,
            "No pathway decided: imported since the last assessment, so no plan, task or "
            f"letter covers them yet.{who} Run `transition assess`, then `transition plan` "
            "(or `transition check --apply`).", person_id=person_id, nhs_number=number))
    return findings
