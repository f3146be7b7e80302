"""A manager's own choices: assigning a worker (optionally locked), unlocking, and the list of
workers who could take one person's role, with their remaining capacity.

An override goes through the same hard constraints as the plan. One that breaks them is
refused with what it breaks, unless the manager forces it; a forced choice is recorded with
what it breaks in the audit trail's reason. Reach and an undecided council team are only
warnings here: the manager may know better than the map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select
from sqlmodel import Session

from transition import audit, nhs
from transition.allocation import (
    NewAssignment,
    coordinator_continues,
    coordinator_continues_sql,
    current_assignments,
    set_assignments,
)
from transition.columns import header_key
from transition.concurrency import UNCHECKED, Unchecked, changed_by
from transition.errors import ConflictError, NotFoundError, TransitionError
from transition.late_start import fresh_start, start_later, workers_held
from transition.locks import IMPORT_LOCK, advisory_lock
from transition.matching import PATHWAY_ROLES, ROLE_WORDS, Need
from transition.matching.explain import hard_failures, pair_terms
from transition.matching.network import Network, build_network
from transition.models import Assignment, Person, Plan, PlanAssignment, Role, Task
from transition.people import require_person
from transition.plan_inputs import Inputs, read_inputs
from transition.plan_review import (
    caseloads,
    changed_since,
    confirm_lock,
    drafts_proposing,
    held_by_coordinator,
    latest_draft,
)
from transition.programme import transfer_date
from transition.ruleset import Rules
from transition.staff_ids import require_staff_id
from transition.tasks import GenerateSummary, generate_tasks

# A choice's reason is kept in the assignment and in the audit trail: the shorter column holds it.
REASON_LIMIT: int = min(Assignment.__table__.c.reason.type.length,  # type: ignore[attr-defined]
                        audit.REASON_LIMIT)
CUT_MARK = " [...cut]"
"""Where the manager's own words were cut to keep what must be recorded whole after them."""


@dataclass(frozen=True)
class WorkerOption:
    """A worker who could hold one person's role, best first."""

    staff_id: str
    name: str
    team: str | None
    locality: str | None
    capacity: int
    load: int  # in the latest plan if there is one, else now (without this person)
    cost: int | None
    reasons: list[str]
    feasible: bool
    why_not: list[str] = field(default_factory=list)
    active: bool = True  # works on the person's handover date (not leaving, not long absent)

    @property
    def spare(self) -> int:
        return self.capacity - self.load

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "spare": self.spare}


@dataclass(frozen=True)
class AssignResult:
    person_id: int
    role: str
    staff_id: str
    locked: bool
    changed: bool
    broken: list[str]  # hard constraints a forced choice breaks
    warnings: list[str]
    # The person's handover tasks brought up to date with the change (None: not touched,
    # because nothing changed or no tasks have been generated yet).
    tasks: GenerateSummary | None = None
    # Characters of the manager's reason left out of the record so that what a forced choice
    # breaks (and where the choice came from) is kept whole after it (0: none).
    reason_cut: int = 0
    # A lock of the worker the newest draft already proposed for this role: that draft's id
    # (the lock does not put it out of date; its row is now locked), and what the audit trail
    # says changed since it was made besides (empty: it can be accepted as it is).
    confirms_draft: int | None = None
    draft_changed: tuple[str, ...] = ()
    # The person's handover date had passed and the worker is new to them: the day they
    # start instead, now the person's handover date (transition.late_start); else None.
    late_start: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "staff_id": self.staff_id, "locked": self.locked,
                "changed": self.changed, "forced_past": self.broken, "warnings": self.warnings,
                "tasks": self.tasks.as_dict() if self.tasks else None,
                "reason_cut": self.reason_cut,
                "late_start": None if self.late_start is None else self.late_start.isoformat(),
                "confirms_draft": None if self.confirms_draft is None else {
                    "plan_id": self.confirms_draft, "changed_since": list(self.draft_changed)}}

    def draft_in_words(self, accept: str) -> str | None:
        """What a lock of the draft's own proposal means for the draft ('Draft plan 3
        already proposed this worker, so it stays ready to accept (press A).'), or None.
        ``accept``: how to accept it where the manager is ('press A')."""
        if self.confirms_draft is None:
            return None
        said = f"Draft plan {self.confirms_draft} already proposed this worker"
        if not self.draft_changed:
            return f"{said}, so it stays ready to accept ({accept})."
        return (f"{said}, so this lock does not put it out of date, but it was already: "
                f"{', '.join(self.draft_changed)} changed since it was made.")

    def tasks_in_words(self) -> str | None:
        """'Their handover tasks: 6 added, 2 no longer needed, 3 given a new owner.'"""
        if self.tasks is None:
            return None
        parts = [f"{number} {what}" for number, what in (
            (self.tasks.created + self.tasks.reopened, "added"),
            (self.tasks.not_needed, "no longer needed"),
            (self.tasks.owner_moved, "given a new owner"),
            (self.tasks.due_moved, "with a new due date"),
        ) if number]
        return ("Their handover tasks: " + ", ".join(parts) + "." if parts
                else "Their handover tasks still fit.")

    def late_start_in_words(self) -> str | None:
        """'Their handover date had passed: the new worker starts on Monday 25 January 2027,
        now their handover date.' (None: it had not)."""
        if self.late_start is None:
            return None
        return (f"Their handover date had passed: the new worker starts on "
                f"{self.late_start:%A %-d %B %Y}, now their handover date (their letters and "
                "tasks follow it).")


def checked_reason(reason: str | None, what: str = "The reason") -> str:
    """A manager's reason without surrounding spaces, or an error if it is blank or longer than
    the record holds (:data:`REASON_LIMIT`)."""
    text = (reason or "").strip()
    if not text:
        raise TransitionError("Say why with --reason: it goes into the audit trail.")
    if len(text) > REASON_LIMIT:
        raise TransitionError(
            f"{what} is {len(text):,} characters long; it can be at most {REASON_LIMIT:,} (it "
            "is kept in the audit trail). Nothing was changed.",
            hint="Say it more briefly, and keep the detail in the person's case record.")
    return text


def recorded_reason(reason: str, *kept: str) -> tuple[str, int]:
    """The reason as recorded, and how many of the manager's characters it leaves out.

    ``kept`` (where the choice came from, what a forced choice breaks) follows the manager's
    words and is always kept whole; when the two do not fit in :data:`REASON_LIMIT`, the
    manager's words are cut and the cut marked (:data:`CUT_MARK`). An error if ``kept`` alone
    leaves no room for any of them."""
    tail = "".join(f" [{part}]" for part in kept if part)
    if len(reason) + len(tail) <= REASON_LIMIT:
        return reason + tail, 0
    room = REASON_LIMIT - len(tail) - len(CUT_MARK)
    shown = reason[:max(room, 0)].rstrip()
    if not shown:
        raise TransitionError(
            f"What must be recorded with this choice ({len(tail):,} characters) leaves no room "
            f"for the reason within the {REASON_LIMIT:,} the audit trail keeps. Nothing was "
            "changed.",
            hint="Choose a worker who breaks fewer of the hard constraints, or change the "
            "caseload or staff data so the choice fits.")
    return shown + CUT_MARK + tail, len(reason) - len(shown)


# A role as a manager writes it, in any case: "key_worker", "Key worker", "KW" (as a choices
# file's role column is read).
ROLE_SPELLINGS: dict[str, str] = {
    **{header_key(role): str(role) for role in ROLE_WORDS},
    **{header_key(words): str(role) for role, words in ROLE_WORDS.items()},
    "sw": Role.SOCIAL_WORKER.value, "kw": Role.KEY_WORKER.value,
}


def _role(role: str) -> str:
    """The role ``role`` names, in any case and spelling of :data:`ROLE_SPELLINGS`."""
    named = ROLE_SPELLINGS.get(header_key(role))
    if named is None or named not in {item.value for item in Role}:
        raise TransitionError(f"--role {role!r} is not a role; use "
                              + " or ".join(item.value for item in Role) + ".")
    return named


def _single(session: Session, rules: Rules, person: Person, role: str, as_of: date) -> tuple[Inputs, Network, int]:
    """The problem for one person's role, everyone else held as they are; the need's position."""
    assert person.id is not None
    inputs = read_inputs(session, rules, as_of=as_of, person_ids=[person.id],
                         honour_locks=False, extra_roles=(role,))
    if person.missing_since_batch_id is not None:
        raise TransitionError(
            f"Person {nhs.mask(person.nhs_number)} is missing from the latest caseload export.",
            hint="Import the caseload again, or check with the trust, before assigning a worker.")
    network = build_network(inputs.problem, rules.matching)
    for position, need in enumerate(inputs.problem.needs):
        if need.role == role:
            return inputs, network, position
    raise AssertionError("extra_roles always yields the need")


@dataclass(frozen=True)
class _Places:
    """How full each worker is, for one person's role, read once: in the latest plan (what
    the picker shows) and now (what a manager's choice is recorded against)."""

    planned: dict[str, int]  # load in the latest plan (else now)
    planned_red: dict[str, int]  # red-band handovers in it (else now)
    plan_holder: str | None  # who the latest plan gives the role to (else who holds it now)
    now: dict[str, int]  # caseload on as_of (the workers screen's and the check's)
    now_red: dict[str, int]  # red-band handovers held now
    holds_now: str | None  # who holds the role now
    counted: frozenset[str]  # workers whose caseload counts this person already
    # Roles a manager gave each worker since the latest plan was made, which that plan did
    # not give them: a draft's places they have taken since.
    chosen_since: dict[str, int]
    plan_made: bool

    def over_capacity(self, staff_id: str, capacity: int) -> int | None:
        """The worker's caseload with this person added when that is over ``capacity``, else
        None. Counted as it is now (what the workers screen and the check will count once
        the choice is recorded), except for the latest plan's own choice for this role: the
        plan found that place, so choosing (or locking) it needs only the plan's load, with
        the choices made since, to fit."""
        load = self.now.get(staff_id, 0) - (1 if staff_id in self.counted else 0) + 1
        if load <= capacity:
            return None
        if self.plan_made and staff_id == self.plan_holder and (
                self.planned.get(staff_id, 0) + self.chosen_since.get(staff_id, 0) <= capacity):
            return None
        return load

    def red_over_cap(self, staff_id: str, need: Need, person: Person, cap: int) -> int | None:
        """The red-band handovers the worker would have with this person, when that passes
        ``cap`` (counted now, as the choice is recorded), else None."""
        if not need.red or staff_id == self.holds_now or coordinator_continues(
                staff_id, person.care_coordinator_id, person.coordinator_until,
                need.handover_date):
            return None
        taken = self.now_red.get(staff_id, 0) + 1
        return taken if taken > cap else None


def _places(session: Session, rules: Rules, person: Person, need: Need,
            as_of: date) -> _Places:
    result = caseloads(session, rules, as_of=as_of)
    now = {worker.staff_id: worker.current for worker in result.workers}
    now_red = red_handovers(session)
    current = current_assignments(session, [need.person_id]).get(need.person_id, {}).get(
        need.role)
    # Counted on a worker's caseload already: holding this role, or (before a plan decides
    # the person's roles) as their trust care coordinator. Choosing them keeps the one place.
    holds_now = current.staff_id if current is not None else None
    counted = {holds_now} if holds_now is not None else set()
    if person.care_coordinator_id and session.scalar(
            select(exists().where(Person.id == person.id, *held_by_coordinator(as_of)))):
        counted.add(person.care_coordinator_id)
    if result.plan_id is None:
        return _Places(now, now_red, need.current_staff_id, now, now_red, holds_now,
                       frozenset(counted), {}, plan_made=False)
    row = session.execute(select(PlanAssignment.staff_id).where(
        PlanAssignment.plan_id == result.plan_id, PlanAssignment.person_id == need.person_id,
        PlanAssignment.role == need.role)).first()
    # A role the plan left unassigned stays with who holds it, so it counts on their proposed
    # load (plan_review.caseloads): choosing them again keeps that one place.
    holder = row[0] if row is not None and row[0] is not None else (
        holds_now if row is not None else None)
    plan = session.get(Plan, result.plan_id)
    stored = ((plan.summary or {}).get("loads") or {}) if plan is not None else {}
    # A plan's loads: staff id -> [capacity, held, planned, red handovers] (planning.py).
    red = {staff_id: int(values[3]) for staff_id, values in stored.items() if len(values) > 3}
    made = select(Plan.created_at).where(Plan.id == result.plan_id).scalar_subquery()
    in_plan = exists().where(PlanAssignment.plan_id == result.plan_id,
                             PlanAssignment.person_id == Assignment.person_id,
                             PlanAssignment.role == Assignment.role,
                             PlanAssignment.staff_id == Assignment.staff_id)
    chosen_since = dict(session.execute(  # type: ignore[arg-type]
        select(Assignment.staff_id, func.count())
        .where(Assignment.ended_at.is_(None), Assignment.source == "manager",  # type: ignore[union-attr]
               Assignment.created_at > made, ~in_plan)  # type: ignore[operator]
        .group_by(Assignment.staff_id)).all())
    return _Places({worker.staff_id: worker.proposed or 0 for worker in result.workers}, red,
                   holder, now, now_red, holds_now, frozenset(counted), chosen_since,
                   plan_made=True)


def feasible_workers(
    session: Session, rules: Rules, *, person_id: int, role: str, as_of: date,
    include_infeasible: bool = False,
) -> list[WorkerOption]:
    """Workers who could hold ``role`` for this person (every hard constraint met, a place
    free), cheapest first, each with their load (the latest plan's, else now) and the cost
    terms of the match; with ``include_infeasible``, every worker of the right employer and
    role too, with why not."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"There is no person with id {person_id}.")
    role = _role(role)
    inputs, network, position = _single(session, rules, person, role, as_of)
    need = network.problem.needs[position]
    places = _places(session, rules, person, need, as_of)
    loads, red, holder = places.planned, places.planned_red, places.plan_holder
    red_cap = rules.matching.max_red_handovers_per_worker
    options = []
    arcs = {int(network.arc_worker[arc]): arc
            for arc in range(len(network.arc_need)) if network.arc_need[arc] == position}
    cost = network.arc_cost
    for worker_position, worker in enumerate(network.problem.workers):
        arc = arcs.get(worker_position)
        if arc is None and not (include_infeasible and network.tables.fit[role][worker_position]):
            continue
        load = loads.get(worker.staff_id, 0) - (1 if worker.staff_id == holder else 0)
        full = load >= worker.capacity
        why_not = hard_failures(network, position, worker_position) if arc is None else []
        if full:
            why_not.append(f"full ({load} of {worker.capacity})")
        elif (now := places.over_capacity(worker.staff_id, worker.capacity)) is not None:
            # Room in the plan, but not now, which is what `assign` records a choice against:
            # they still hold people the plan moves on (as the trust's coordinator, before it
            # is accepted), or have been given people since it was made.
            why_not.append(f"full now ({now - 1} of {worker.capacity}), though the plan "
                           "leaves room")
        # The red-band cap, as the plan's own runner-ups say it: a red handover to a worker
        # who does not hold this person already, and is not their coordinator carrying on.
        taken = red.get(worker.staff_id, 0)
        if (need.red and worker.staff_id not in (holder, need.current_staff_id)
                and taken >= red_cap):
            why_not.append(f"red-band handover cap reached ({taken} of {red_cap})")
        elif (now := places.red_over_cap(worker.staff_id, need, person, red_cap)) is not None:
            why_not.append(f"red-band handover cap reached now ({now - 1} of {red_cap})")
        if why_not and not include_infeasible:
            continue
        options.append(WorkerOption(
            staff_id=worker.staff_id,
            name=inputs.worker_names.get(worker.staff_id, worker.staff_id),
            team=worker.team,
            locality=worker.locality,
            capacity=worker.capacity,
            load=load,
            cost=None if arc is None else int(cost[arc]),
            reasons=[] if arc is None else [term.text for term in pair_terms(network, position, arc)],
            feasible=not why_not,
            why_not=why_not,
            active=worker.unavailable_for(need, network.rules) is None,
        ))
    options.sort(key=lambda item: (not item.feasible, item.cost is None, item.cost or 0,
                                   item.staff_id))
    return options


def worker_choices(
    session: Session, rules: Rules, *, person_id: int, role: str, as_of: date
) -> list[WorkerOption]:
    """The workers a manager is offered for ``role``: those who fit every hard constraint with
    a place free, best first; when none does, every worker of the right employer and job who
    works on the handover date, each with why not (fewest problems first), for a choice made
    anyway. Empty only when no such worker is on the staff list at all."""
    options = feasible_workers(session, rules, person_id=person_id, role=role, as_of=as_of)
    if options:
        return options
    ruled_out = feasible_workers(session, rules, person_id=person_id, role=role, as_of=as_of,
                                 include_infeasible=True)
    return sorted((option for option in ruled_out if option.active),
                  key=lambda option: (len(option.why_not), option.load - option.capacity,
                                      option.staff_id))


def check_assignment(
    session: Session, rules: Rules, *, person: Person, staff_id: str, role: str, as_of: date
) -> tuple[list[str], list[str]]:
    """(hard constraints broken, warnings) for giving ``role`` to ``staff_id``."""
    role = _role(role)
    _inputs, network, position = _single(session, rules, person, role, as_of)
    need: Need = network.problem.needs[position]
    worker_position = network.tables.index[staff_id]
    worker = network.problem.workers[worker_position]
    broken: list[str] = []
    warnings: list[str] = []
    pathway = person.pathway
    if pathway not in PATHWAY_ROLES:
        broken.append("no pathway decided yet: run transition assess")
    elif role not in PATHWAY_ROLES[pathway]:
        broken.append(f"pathway {pathway} does not need a {role.replace('_', ' ')}")
    for reason in hard_failures(network, position, worker_position):
        if reason.startswith(("out of reach", "takes no new people")):
            if worker.staff_id != need.current_staff_id:
                warnings.append(reason)
        else:
            broken.append(reason)
    places = _places(session, rules, person, need, as_of)
    if (load := places.over_capacity(staff_id, worker.capacity)) is not None:
        broken.append(f"{staff_id} would be over capacity ({load} of {worker.capacity})")
    cap = rules.matching.max_red_handovers_per_worker
    if (taken := places.red_over_cap(staff_id, need, person, cap)) is not None:
        broken.append(f"{staff_id} would pass the red-band handover cap ({taken} of {cap})")
    return broken, warnings


def red_handovers(session: Session) -> dict[str, int]:
    """Red-band people each worker holds now who are a handover to them: not theirs in the
    trust's export, or theirs again after the export says the allocation ended before the
    handover (:func:`~transition.allocation.coordinator_continues_sql`)."""
    statement = (
        select(Assignment.staff_id, func.count())
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.ended_at.is_(None), Person.risk_band == "red",  # type: ignore[union-attr]
               ~coordinator_continues_sql(Assignment.staff_id, transfer_date(session)))
        .group_by(Assignment.staff_id)
    )
    return {staff_id: count for staff_id, count in session.execute(statement)}


def assign_worker(
    session: Session,
    rules: Rules,
    *,
    nhs_number: str,
    staff_id: str,
    role: str,
    reason: str,
    lock: bool,
    force: bool,
    as_of: date,
    actor: str,
    expected_assignment_id: int | None | Unchecked = UNCHECKED,
    source: str | None = None,
) -> AssignResult:
    """A manager's choice of worker for one person's role (audited). Refused if it breaks a
    hard constraint, unless ``force``.

    ``reason`` is at most :data:`REASON_LIMIT` characters (TransitionError, nothing changed).
    It is recorded (in the assignment and the audit trail) followed by ``source`` (where the
    choice came from, e.g. a choices file's row) and, for a forced choice, what it breaks:
    those are always kept whole, the manager's words cut (marked) when all do not fit
    (``AssignResult.reason_cut``).

    ``expected_assignment_id`` is the id of the current ``Assignment`` for this role that the
    manager saw (None: nobody held it); if it has changed since, nothing is written and
    ConflictError says who changed it. Leave it out when reading and writing in one go.

    A lock of the worker a draft already proposes for the role (not locked there) confirms
    that draft rather than putting it out of date (:func:`transition.plan_review.confirm_lock`,
    in this transaction); ``AssignResult.confirms_draft`` names the newest such draft."""
    text = checked_reason(reason)
    role = _role(role)
    # What is checked (the worker's places, who holds the role) must still hold when the
    # choice is written: PostgreSQL would let another manager's choice, an accept or an
    # import commit in between (two managers both taking a worker's last place).
    advisory_lock(session, IMPORT_LOCK)
    person = require_person(session, nhs_number)
    assert person.id is not None
    check_holder(session, person, role, expected_assignment_id)
    staff_id = require_staff_id(session, staff_id,
                                hint="Check the id, or import the staff list again.")
    broken, warnings = check_assignment(session, rules, person=person, staff_id=staff_id,
                                        role=role, as_of=as_of)
    if broken and not force:
        raise TransitionError(
            f"{staff_id} cannot be the {role.replace('_', ' ')} for person "
            f"{nhs.mask(person.nhs_number)}: " + "; ".join(broken) + ". Nothing was changed.",
            hint=f"Choose another worker (transition plan candidates NHS_NUMBER --role {role} "
            "lists those who fit, best first), or add --force to record this choice anyway "
            "with what it breaks.",
        )
    note, cut = recorded_reason(text, source or "",
                                "forced past: " + "; ".join(broken) if broken else "")
    # As accept gives it: a coordinator carrying on has held them since the export says;
    # anyone else, a coordinator returning after their allocation ended included, from the
    # handover (and moves with it: transition.allocation.move_starts_to_handover).
    handover = _handover(session, person)
    continues = coordinator_continues(staff_id, person.care_coordinator_id,
                                      person.coordinator_until, handover)
    since = person.coordinator_since if continues and person.coordinator_since else handover
    # Unless their handover date has passed and the worker is new to them: then a fresh start
    # (transition.late_start), and their handover date moves to it below.
    start = None if continues or staff_id in workers_held(session, [person.id]).get(
        person.id, ()) else fresh_start(handover, as_of, rules.tasks.new_worker_notice_working_days)
    since = start or since
    # A lock of the worker a draft already proposes confirms it rather than changing it.
    drafts = drafts_proposing(session, person.id, role, staff_id) if lock else []
    replaced = (current_assignments(session, [person.id]).get(person.id, {}).get(role)
                if drafts else None)
    changed = set_assignments(session, [NewAssignment(
        person.id, role, staff_id, since, source="manager", locked=lock, reason=note)],
        actor=actor)
    if changed and start is not None:
        start_later(session, {person.id: start}, today=as_of, actor=actor,
                    reason="a new worker after the handover date had passed")
    confirms: int | None = None
    if changed and drafts:
        made = current_assignments(session, [person.id])[person.id][role]
        assert made.id is not None
        confirm_lock(session, drafts, person_id=person.id, role=role,
                     kept=coordinator_continues(staff_id, person.care_coordinator_id,
                                                person.coordinator_until, handover),
                     lock_id=made.id, replaced_id=None if replaced is None else replaced.id)
        # Said of the newest draft only, the one `plan accept` and the plan screen take.
        newest = latest_draft(session)
        confirms = newest.id if newest is not None and newest.id in drafts else None
    tasks = None
    if changed and session.scalar(select(exists().where(Task.id.is_not(None)))):  # type: ignore[union-attr]
        # Tasks have been generated for the programme: a new worker means a new handover
        # (or none), so bring this person's tasks up to date now rather than leave them to
        # the next `tasks generate`.
        tasks = generate_tasks(session, rules.tasks, as_of=as_of, actor=actor,
                               transfer_date=transfer_date(session), person_ids=[person.id])
    return AssignResult(person.id, role, staff_id, lock, bool(changed), broken, warnings, tasks,
                        reason_cut=cut if changed else 0, confirms_draft=confirms,
                        late_start=start if changed else None,
                        draft_changed=() if confirms is None
                        else tuple(changed_since(session, confirms)))


def check_holder(session: Session, person: Person, role: str,
                 expected_assignment_id: int | None | Unchecked) -> None:
    """ConflictError if who holds ``role`` is not what the manager saw."""
    if expected_assignment_id is UNCHECKED:
        return
    assert person.id is not None
    current = current_assignments(session, [person.id]).get(person.id, {}).get(role)
    if (None if current is None else current.id) == expected_assignment_id:
        return
    now = ("nobody" if current is None else
           f"{current.staff_id}{' (locked)' if current.locked else ''}")
    raise ConflictError(
        f"The {role.replace('_', ' ')} for person {nhs.mask(person.nhs_number)} was changed by "
        f"{changed_by(session, entity='assignment', person_id=person.id, field=role)} since "
        f"you read it: it is now {now}. Nothing was saved.",
        hint="Reload the person, check the change, and choose again if you still need to.",
    )


def _handover(session: Session, person: Person) -> date:
    """The person's handover date (``read_inputs`` has already refused a missing one)."""
    day = person.handover_date or transfer_date(session)
    assert day is not None
    return day


def unlock(
    session: Session, *, nhs_number: str, role: str | None = None, actor: str,
    reason: str | None = None, expected_assignment_id: int | None | Unchecked = UNCHECKED,
) -> list[str]:
    """Unlock one person's locked roles (or just ``role``): the next plan may change them.
    Returns the roles unlocked. ``expected_assignment_id`` (with ``role``): as for
    :func:`assign_worker`."""
    if role is not None:
        role = _role(role)
    reason = checked_reason(reason) if reason and reason.strip() else None
    advisory_lock(session, IMPORT_LOCK)  # as assign_worker: who holds the role stays as read
    person = require_person(session, nhs_number)
    assert person.id is not None
    if role is not None:
        check_holder(session, person, role, expected_assignment_id)
    held = current_assignments(session, [person.id]).get(person.id, {})
    locked = [assignment for name, assignment in sorted(held.items())
              if assignment.locked and (role is None or name == role)]
    if not locked:
        which = f"{role.replace('_', ' ')} " if role else ""
        raise NotFoundError(f"Person {nhs.mask(person.nhs_number)} has no locked {which}role.")
    set_assignments(session, [
        NewAssignment(person.id, item.role, item.staff_id, item.since, source="manager",
                      locked=False, reason=reason or "unlocked: the plan may change this worker")
        for item in locked
    ], actor=actor)
    return [item.role for item in locked]

