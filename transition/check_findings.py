"""The checks, each a few set-based Core queries (no per-person ORM loading), and the
``--apply`` re-plan. Used through :mod:`transition.checks`.

Who holds a person (the same reading as :func:`transition.plan_review.current_caseloads`):
once a plan is accepted for them (``Person.allocated_plan_id``), the current ``Assignment`` of
each role, and no one else; before that, the trust's care coordinator, when that worker is on
the staff list (whatever their role: the plan moves the person to the right kind of worker)
and the export does not say their allocation ended before the check's day. People not in the
latest export are left to their own finding (``missing_from_export``) and are not checked for
anything else.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, String, and_, exists, func, or_, select, type_coerce
from sqlmodel import Session

from transition import programme
from transition.allocation import coordinator_continues_sql
from transition.allocation_status import handover_ahead
from transition.amhp import amhp_cover as amhp_cover_on
from transition.amhp import describe_shortfall
from transition.checks import CheckReport, Finding, Progress
from transition.db import json_value
from transition.eligibility import PathwayFacts, decide_pathway, split_outcomes
from transition.letters import out_of_date_letters
from transition.matching import PATHWAY_ROLES, ROLE_WORDS, Worker
from transition.models import (
    Assignment,
    ImportBatch,
    ImportKind,
    Pathway,
    Person,
    Plan,
    PlanAssignment,
    PlanStatus,
    RiskBand,
    Severity,
    Task,
    TaskOwner,
    TaskStatus,
)
from transition.plan_inputs import read_workers
from transition.plan_review import current_caseloads, held_by_coordinator, unfilled_reasons
from transition.planning import replan
from transition.tasks import OPEN_STATUSES
from transition.tasks.generate import OutgoingOwners, tasks_behind
from transition.working_days import add_working_days, working_days_between

CRITICAL, WARNING, INFO = Severity.CRITICAL.value, Severity.WARNING.value, Severity.INFO.value

_current = Assignment.ended_at.is_(None)  # type: ignore[union-attr]
_in_export = Person.missing_since_batch_id.is_(None)  # type: ignore[union-attr]


class _World:
    """What several checks share, read once: the staff as the planner sees them, holdings."""

    def __init__(self, session: Session, rules: Any, as_of: date):
        from transition.models import Team

        self.session = session
        self.rules = rules
        self.as_of = as_of
        self.connection = session.connection()
        self.transfer = programme.transfer_date(session)
        team_locality = dict(session.execute(select(Team.name, Team.locality)).all())
        workers, _rows = read_workers(session, rules.matching, team_locality, [])
        self.workers: dict[str, Worker] = {worker.staff_id: worker for worker in workers}
        self.holding = current_caseloads(session, as_of)

    def on_staff_list(self, staff_id: str | None) -> bool:
        worker = self.workers.get(staff_id or "")
        return bool(worker and worker.on_staff_list)


Check = Callable[[_World], list[Finding]]


def find_all(
    session: Session, rules: Any, *, as_of: date, progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
) -> list[Finding]:
    """Every check's findings, in no particular order."""
    started = time.perf_counter()
    world = _World(session, rules, as_of)
    timings = seconds if seconds is not None else {}
    timings["read"] = round(time.perf_counter() - started, 3)
    findings: list[Finding] = []
    for done, (code, check) in enumerate(CHECKS.items(), start=1):
        began = time.perf_counter()
        findings.extend(check(world))
        timings[code] = round(time.perf_counter() - began, 3)
        if progress is not None:
            progress(done, len(CHECKS))
    return findings


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


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
        select(Task.id, Task.status, Task.person_id)
        .where(Task.key == rules.handover_visit_task).subquery()
    )
    worker_changes = exists().where(
        Assignment.person_id == Person.id, _current,
        ~coordinator_continues_sql(Assignment.staff_id, world.transfer))
    statement = (
        select(Person.id, Person.nhs_number, handover.label("handover"), visit.c.id,
               visit.c.status)
        .outerjoin(visit, visit.c.person_id == Person.id)
        .where(_in_export, Person.risk_band == RiskBand.RED, handover.is_not(None),
               handover <= limit,
               or_(and_(visit.c.id.is_not(None),
                        visit.c.status.not_in([TaskStatus.DONE, TaskStatus.NOT_NEEDED])),
                   and_(visit.c.id.is_(None), worker_changes)))
        .order_by(Person.id)
    )
    findings = []
    for person_id, number, day, task_id, status in world.connection.execute(statement):
        day = _as_date(day)
        when = _when(world.as_of, day)
        if task_id is None:
            message = (f"Red handover risk, worker changes {when}, and there is no joint "
                       "handover visit task. Run `transition tasks generate`, then book the "
                       "visit with both workers.")
        else:
            message = (f"Red handover risk, worker changes {when}, and the joint handover visit "
                       f"is {str(status).replace('_', ' ')}. Book it with both workers before "
                       "the handover.")
        findings.append(Finding("red_without_handover", CRITICAL, message,
                                person_id=person_id, nhs_number=number, task_id=task_id))
    return findings


def overdue_task(world: _World) -> list[Finding]:
    """An open task past its due date (critical for red-band people)."""
    statement = (
        select(Task.id, Task.person_id, Person.nhs_number, Task.title, Task.due,
               Task.owner_staff_id, Task.status, Person.risk_band)
        .join(Person, Person.id == Task.person_id)
        .where(_in_export, Task.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
               Task.due < world.as_of)
    )
    # At a week before the transfer this can be 200,000 rows: fetched at once, each distinct
    # due date described once.
    described: dict[Any, str] = {}
    findings = []
    for task_id, person_id, number, title, due, owner, status, band in world.connection.execute(
        statement
    ).all():
        when = described.get(due)
        if when is None:
            day = _as_date(due)
            late = working_days_between(day, world.as_of)
            when = described[due] = (f"was due {day.isoformat()}, {late} working "
                                     f"day{'s' if late != 1 else ''} ago")
        blocked = " (blocked)" if status == TaskStatus.BLOCKED else ""
        findings.append(Finding(
            "overdue_task", CRITICAL if band == RiskBand.RED else WARNING,
            f"Task {task_id} \"{title}\"{blocked} {when}. Do it, or record why with "
            f"`transition tasks set {task_id} ...`.",
            person_id, number, owner, task_id))
    return findings


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


def letter_out_of_date(world: _World) -> list[Finding]:
    """A letter whose facts changed after it was written, for a person in the latest export."""
    missing = set(world.connection.execute(select(Person.id).where(~_in_export)).scalars())
    return [
        Finding("letter_out_of_date", WARNING,
                f"The {letter.kind} letter written {letter.generated_at.date().isoformat()} is "
                f"out of date: {letter.reason}. Write it again with `transition letters "
                f"generate --kind {letter.kind} --nhs NHS_NUMBER`.",
                person_id=letter.person_id, nhs_number=letter.nhs_number or None)
        for letter in out_of_date_letters(world.session) if letter.person_id not in missing
    ]


# ---------------------------------------------------------------------------------------------
# Workers and the data itself
# ---------------------------------------------------------------------------------------------


def leaving_reason(world: _World, worker: Worker) -> str | None:
    """Why a worker should not be holding people because they are gone or going, or None."""
    rules = world.rules.checks
    leaving = worker.leaving_date
    if not worker.on_staff_list:
        return "is not on the latest staff list"
    if leaving is not None:
        if leaving <= world.as_of:
            return f"left on {leaving.isoformat()}"
        if leaving <= world.as_of + timedelta(days=rules.leaving_within_days):
            return f"leaves on {leaving.isoformat()}, within {rules.leaving_within_days} days"
        if world.transfer is not None and leaving <= world.transfer:
            return f"leaves on {leaving.isoformat()}, on or before the transfer date"
    return None


def absence_reason(world: _World, worker: Worker) -> str | None:
    """Why a worker should not be holding people because of a long-term absence, or None."""
    absent = worker.absent_until
    days = world.rules.checks.long_term_absence_days
    if absent is not None and absent >= world.as_of + timedelta(days=days):
        return f"is absent until {absent.isoformat()} (long-term absence)"
    return None


def worker_unavailable(world: _World) -> list[Finding]:
    """A worker who is going or away and still holds people, or still owns outgoing tasks
    due when they will be gone (tasks generated before the staff list said so)."""
    stranded = _stranded_outgoing_tasks(world)
    # Roles held for people missing from the latest export are not counted: those people get
    # only their own finding, and --apply cannot move them (a plan leaves them out).
    not_in_export = dict(world.connection.execute(
        select(Assignment.staff_id, func.count())
        .join(Person, Person.id == Assignment.person_id)
        .where(_current, ~_in_export).group_by(Assignment.staff_id)).all())
    holding = {staff_id: held - not_in_export.get(staff_id, 0)
               for staff_id, held in world.holding.items()}
    findings = []
    for staff_id in sorted({key for key, held in holding.items() if held} | set(stranded)):
        worker = world.workers.get(staff_id)
        if worker is None:
            continue  # an id not on the staff list at all: those people show as unassigned
        held, tasks = holding.get(staff_id, 0), stranded.get(staff_id, 0)
        leaving = leaving_reason(world, worker)
        absence = None if leaving else absence_reason(world, worker)
        if leaving is None and absence is None and not tasks:
            continue
        said, advice = [], []
        if held and (leaving or absence):
            said.append(f"still holds {held} {'person' if held == 1 else 'people'}")
            if (absence is not None and world.transfer is not None
                    and worker.unavailable(world.transfer, world.rules.matching) is None):
                # Back in time for the transfer: a re-plan keeps their people with them.
                advice.append(f"They are back before the transfer date "
                              f"({world.transfer.isoformat()}), so plans keep their people "
                              "with them: arrange cover until then, or move someone with "
                              "`transition assign`.")
            else:
                advice.append("Move them: `transition check --apply` proposes new workers as a "
                              "draft plan.")
        if tasks:
            said.append(f"owns {tasks} open outgoing handover task{'s' if tasks != 1 else ''} "
                        "of people whose handover comes when they will be gone or away")
            advice.append("Run `transition tasks generate`: it gives those tasks to the team "
                          "manager.")
        reason = leaving or absence or "leaves or is away before some of their people's handovers"
        findings.append(Finding(
            "worker_unavailable", CRITICAL,
            f"Worker {reason}, and {' and '.join(said)}. {' '.join(advice)}",
            staff_id=staff_id))
    return findings


def _stranded_outgoing_tasks(world: _World) -> dict[str, int]:
    """Per worker, open outgoing tasks they own for a handover they will not be there for
    (the rule ``transition tasks generate`` owns them by: see ``OutgoingOwners``)."""
    statement = (
        select(Task.owner_staff_id, Task.handover_date, func.count())
        .where(Task.owner_kind == TaskOwner.OUTGOING, Task.owner_staff_id.is_not(None),  # type: ignore[union-attr]
               Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
        .group_by(Task.owner_staff_id, Task.handover_date)
    )
    rows = world.connection.execute(statement).all()
    if not rows:
        return {}
    can_own = OutgoingOwners(world.session)
    stranded: dict[str, int] = {}
    for staff_id, handover_date, count in rows:
        if not can_own(staff_id, _as_date(handover_date)):
            stranded[staff_id] = stranded.get(staff_id, 0) + count
    return stranded


def over_capacity(world: _World) -> list[Finding]:
    findings = []
    for staff_id, held in sorted(world.holding.items()):
        worker = world.workers.get(staff_id)
        if worker is None or held <= worker.capacity:
            continue
        findings.append(Finding(
            "over_capacity", WARNING,
            f"Holds {held} with capacity for {worker.capacity} ({held - worker.capacity} over). "
            "`transition check --rebalance` (R on the dashboard) proposes moving the overflow as "
            "a draft plan; or move some with `transition assign`, or correct the capacity on the "
            "staff list.",
            staff_id=staff_id))
    return findings


def amhp_cover(world: _World) -> list[Finding]:
    """The council's own AMHPs on the transfer date fall short of today's rota (or of the FTE
    the rules file says the AMHP service needs). One finding for the programme."""
    rules = world.rules.checks
    cover = amhp_cover_on(world.session, today=world.as_of, transfer=world.transfer,
                          roles=rules.amhp_roles, needed_fte=rules.amhp_cover_fte)
    if not cover.listed or cover.short_fte <= 0:
        return []
    return [Finding("amhp_cover", WARNING, describe_shortfall(cover))]


# The statuses `transition import` gives a batch that wrote data (importer.import_file). A
# `rejected` batch (every row rejected) and a `refused` one (--strict, some rows rejected)
# imported nothing: the people in the database are still those of the last batch that did.
_IMPORTED = ("complete", "partial")


def _caseload_batches(world: _World) -> Sequence[Row[Any]]:
    """Caseload import batches, newest first (one a night at most: a few hundred rows)."""
    return world.session.execute(
        select(ImportBatch.file_name, ImportBatch.started_at, ImportBatch.status,
               ImportBatch.column_notes)
        .where(ImportBatch.kind == ImportKind.CASELOAD)
        .order_by(ImportBatch.id.desc())  # type: ignore[union-attr]
    ).all()


def stale_import(world: _World) -> list[Finding]:
    """The latest caseload export that imported data is older than the rules allow: a file
    that imported nothing (rejected or refused) does not make the data any newer."""
    days = world.rules.checks.stale_import_days
    failed = None  # the newest file that imported nothing, if it is newer than any that did
    latest = None
    for batch in _caseload_batches(world):
        if batch.status in _IMPORTED:
            latest = batch.started_at
            break
        failed = failed or batch
    since = ("" if failed is None else
             f" The newest file ({failed.file_name}, {_as_date(failed.started_at).isoformat()}) "
             f"was {failed.status}: nothing was imported from it (`transition import history`).")
    if latest is None:
        # Critical: the check can vouch for no one. From cron this is most often a mistyped
        # --db path, which makes a new, empty database rather than failing.
        return [Finding("stale_import", CRITICAL,
                        "No caseload export has been imported into this database, so the check "
                        "can vouch for no one. If people should be here, check the database the "
                        "command was given (--db or TRANSITION_DATABASE_URL); else import the "
                        f"trust's export with `transition import caseload FILE`.{since}")]
    age = (world.as_of - _as_date(latest)).days
    if age <= days:
        return []
    return [Finding("stale_import", WARNING,
                    f"The latest caseload export was imported {age} days ago "
                    f"({_as_date(latest).isoformat()}; the rules allow {days}). Ask the trust for "
                    f"a new export and import it.{since}")]


_MESSAGE_ROOM = 1000  # check_finding.message


def import_columns(world: _World) -> list[Finding]:
    """What the latest caseload import said about its file's columns (headers not recognised,
    known columns or the rules' columns it lacks): until the next export, every night, since
    a fact the rules need may be blank for everyone in it.

    A file that imported nothing (rejected or refused) counts too when it said something: it
    is what the trust sent last, and its columns are often why its rows were rejected, so the
    manager needs them corrected before the next export. When it said nothing, the notes of
    the last file that did import still stand: its data is what the database holds."""
    for batch in _caseload_batches(world):
        if batch.column_notes or batch.status in _IMPORTED:
            break
    else:
        return []
    if not batch.column_notes:
        return []
    notes = list(batch.column_notes)
    day = _as_date(batch.started_at).isoformat()
    when = (f"imported {day}" if batch.status in _IMPORTED
            else f"{batch.status} on {day}: nothing was imported from it")
    opening = (f"The latest caseload export ({batch.file_name}, {when}) said {len(notes)} "
               f"{'thing' if len(notes) == 1 else 'things'} about its columns: ")
    closing = (" Ask the trust to correct the export's headers, or name them in a --mapping "
               "file, and import it again.")
    said = " ".join(notes)
    room = _MESSAGE_ROOM - len(opening) - len(closing)
    if len(said) > room:
        more = "… (all of it: transition import history)"
        said = said[:room - len(more)].rstrip() + more
    return [Finding("import_columns", WARNING, opening + said + closing)]


def tasks_behind_allocation(world: _World) -> list[Finding]:
    """Handover tasks that `transition tasks generate` would add or change now: after a plan
    is accepted, or a role ended, a handover with no tasks is someone who may fall through the
    gap. One finding for the programme; nothing before any plan is accepted (tasks follow the
    accepted allocation)."""
    accepted = world.session.scalar(select(exists().where(
        Plan.status.in_((PlanStatus.ACCEPTED, PlanStatus.SUPERSEDED)))))  # type: ignore[attr-defined]
    if not accepted:
        return []
    behind = tasks_behind(world.session, world.rules, transfer_date=world.transfer)
    if not behind.changes:
        return []
    summary = behind.summary
    parts = [f"{number:,} {what}" for number, what in (
        (behind.to_add, "to add"),
        (summary.not_needed, "no longer needed"),
        (summary.owner_moved, "to give a new owner"),
        (summary.due_moved, "due dates to move"),
        (summary.template_changed, "changed in the rules' templates"),
    ) if number]
    people = len(behind.person_ids)
    return [Finding(
        "tasks_behind", CRITICAL if behind.to_add else WARNING,
        f"Handover tasks are behind the allocation for {people:,} "
        f"{'person' if people == 1 else 'people'}: {', '.join(parts)}."
        + (" A handover without its tasks can be missed." if behind.to_add else "")
        + " Run `transition tasks generate`: it changes only what is needed and keeps done "
        "work.")]


CHECKS: dict[str, Check] = {
    "unassigned": unassigned,
    "worker_unavailable": worker_unavailable,
    "red_without_handover": red_without_handover,
    "overdue_task": overdue_task,
    "cto_expiring": cto_expiring,
    "over_capacity": over_capacity,
    "amhp_cover": amhp_cover,
    "pathway_changed": pathway_changed,
    "missing_from_export": missing_from_export,
    "letter_out_of_date": letter_out_of_date,
    "tasks_behind": tasks_behind_allocation,
    "stale_import": stale_import,
    "import_columns": import_columns,
}


# ---------------------------------------------------------------------------------------------
# --apply: re-plan the people affected, as a draft
# ---------------------------------------------------------------------------------------------


def _over_capacity_workers(report: CheckReport) -> set[str]:
    return {finding.staff_id for finding in report.findings
            if finding.code == "over_capacity" and finding.staff_id}


def affected_people(session: Session, report: CheckReport, *, rebalance: bool = False) -> list[int]:
    """People in ``unassigned`` findings and people held by ``worker_unavailable`` workers;
    with ``rebalance``, also the people held by ``over_capacity`` workers."""
    ids = {finding.person_id for finding in report.findings
           if finding.code == "unassigned" and finding.person_id is not None}
    codes = {"worker_unavailable", "over_capacity"} if rebalance else {"worker_unavailable"}
    holders = sorted({finding.staff_id for finding in report.findings
                      if finding.code in codes and finding.staff_id})
    for start in range(0, len(holders), 500):
        batch = holders[start:start + 500]
        ids.update(session.scalars(
            select(Assignment.person_id).where(_current, Assignment.staff_id.in_(batch))))  # type: ignore[attr-defined]
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


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _as_date(value: Any) -> date:
    """A date from a date, a datetime, or SQLite's ISO text."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date"):
        return value.date()
    return value


def _when(as_of: date, day: date) -> str:
    if day < as_of:
        return f"since {day.isoformat()} (already past)"
    if day == as_of:
        return "today"
    left = working_days_between(as_of, day)
    return f"on {day.isoformat()}, in {left} working day{'s' if left != 1 else ''}"
