"""Where the allocation stands now, at a glance: the dashboard's *Allocation* box and
``transition plan status``.

It reads who holds each case now (the ``Assignment`` rows an accepted plan or a manager's
choice made), not a stored plan's rows, so a manager's later choices, unlocks and re-plans
count. The words follow the nightly check (:mod:`transition.check_findings`): a person in the
latest export whose pathway needs a role is

- *allocated* once an accepted plan decided their roles or someone holds one of them; each
  needed role is then *held* (by the trust's named care coordinator carrying on through the
  change: *kept*; or by a new worker, or by that coordinator returning after their
  allocation ended before the handover date) or *unfilled*. They are *fully allocated* when
  every role they need is held; otherwise they have a role no one holds: with *no worker at
  all*, or *missing* a role (a joint person with a social worker and no key worker);
- otherwise *waiting for a plan*: the trust's care coordinator holds them until a plan is
  accepted, unless the export names none, names someone not on the staff list, or says that
  worker's allocation ended before the day asked about (``coordinator_until``): then no one
  does (the check's ``unassigned`` finding says so too).

The caseload's "needs a worker" filter (:func:`needs_a_worker`) is the same test as the
check's ``unassigned`` finding, on the same day, so the two always list the same people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from transition.allocation import coordinator_allocation_current, coordinator_continues_sql
from transition.matching import PATHWAY_ROLES, ROLE_WORDS
from transition.models import Assignment, Person, Plan, PlanStatus, Staff
from transition.plan_review import changed_since, unassigned_holders, unassigned_staying_note
from transition.programme import transfer_date
from transition.widgets.format import uk_time

_current = Assignment.ended_at.is_(None)  # type: ignore[union-attr]
_in_export = Person.missing_since_batch_id.is_(None)  # type: ignore[union-attr]
_NEEDING = [pathway for pathway, roles in PATHWAY_ROLES.items() if roles]


def _pathways_needing(role: str) -> list[str]:
    return [pathway for pathway, roles in PATHWAY_ROLES.items() if role in roles]


def _holds(role: str | None = None) -> ColumnElement[bool]:
    """The person has a current assignment (of ``role``, or of any role)."""
    conditions = [Assignment.person_id == Person.id, _current]
    if role is not None:
        conditions.append(Assignment.role == role)
    return exists().where(*conditions)


_ALLOCATED = or_(Person.allocated_plan_id.is_not(None), _holds())  # type: ignore[union-attr]


def on_staff_list(staff_id: Any) -> ColumnElement[bool]:
    """``staff_id`` names a worker on the latest staff list: a worker the latest staff import
    dropped (``missing_since_batch_id``) is kept in the database but is no longer on it. The
    dashboard's staff counts and "coordinator not in staff list" use the same test, so they
    agree with :func:`coordinator_holds`."""
    return exists().where(Staff.staff_id == staff_id,
                          Staff.missing_since_batch_id.is_(None))  # type: ignore[union-attr]


def coordinator_holds(as_of: date) -> ColumnElement[bool]:
    """The trust's care coordinator is a worker on the latest staff list, and the export does
    not say their allocation ended before ``as_of``: they hold the person until a plan is
    accepted for them."""
    return and_(on_staff_list(Person.care_coordinator_id), coordinator_allocation_current(as_of))


def _role_unfilled(role: str) -> ColumnElement[bool]:
    return and_(Person.pathway.in_(_pathways_needing(role)), ~_holds(role))  # type: ignore[union-attr]


def needs_a_worker(as_of: date) -> ColumnElement[bool]:
    """In the latest export, and a role their pathway needs that no one holds on ``as_of``:
    after an accepted plan (or a manager's choice) decided their roles, or before one when
    the trust's export names no care coordinator who holds them (:func:`coordinator_holds`).
    The check's ``unassigned`` finding, as SQL."""
    return and_(
        _in_export,
        or_(*(_role_unfilled(role) for role in ROLE_WORDS)),
        or_(_ALLOCATED, ~coordinator_holds(as_of)),
    )


def role_needed() -> ColumnElement[bool]:
    """The assignment's role is one the person's pathway needs. An assignment does not end
    when a manager changes the pathway (the status counts such roles as ``held_not_needed``),
    so a role held that is no longer needed is no one's handover."""
    return or_(*(and_(Assignment.role == role,
                      Person.pathway.in_(_pathways_needing(role)))  # type: ignore[union-attr]
                 for role in ROLE_WORDS))


def handover_ahead(as_of: date, transfer: date | None) -> ColumnElement[bool]:
    """Someone new takes a role their pathway needs at the handover (a current assignment
    held by someone other than the trust's care coordinator carrying on through the change,
    ``transfer`` being the programme's transfer date:
    :func:`~transition.allocation.coordinator_continues_sql`), or a role their pathway needs
    has no one on ``as_of``: the people whose handover is ahead of them (the at-risk list's
    "changing worker" filter, the equality report's "changing"), the same people
    :func:`~transition.handover_status.handover_statuses` says change or need a worker.
    Before a plan is accepted for them only the second can be true."""
    return or_(
        exists().where(Assignment.person_id == Person.id, _current, role_needed(),
                       ~coordinator_continues_sql(Assignment.staff_id, transfer)),
        needs_a_worker(as_of),
    )


@dataclass(frozen=True)
class PlanMark:
    """A plan as the status names it: which, what kind, when and by whom."""

    plan_id: int
    kind: str
    at: datetime
    by: str


@dataclass(frozen=True)
class DraftWaiting:
    """A draft made after the accepted plan (or with none accepted yet): it waits for a
    manager to review and accept it."""

    plan: PlanMark
    assigned: int  # roles the draft fills
    unassigned: int  # roles it cannot fill, and people with no pathway to plan for
    changed: int  # roles it gives to a new worker
    changed_since: tuple[str, ...] = ()  # what changed among its inputs since it was made
    # Of ``unassigned``, the roles someone holds now: accepting leaves them with that worker.
    unassigned_staying: int = 0

    @property
    def stale(self) -> bool:
        """Something it was made from changed since: accept would likely refuse it."""
        return bool(self.changed_since)


@dataclass(frozen=True)
class AllocationStatus:
    accepted: PlanMark | None
    draft: DraftWaiting | None
    people: int  # in the latest export
    need_worker: int  # of those, a pathway that needs a worker
    signposted: int
    not_assessed: int  # no pathway yet
    allocated: int  # of need_worker: an accepted plan (or a manager) decided their roles
    waiting: int  # of need_worker: not allocated yet
    waiting_unheld: int  # of waiting: no care coordinator on the staff list holds them
    roles_needed: int  # the allocated people's roles
    roles_held: int
    kept: int  # held by the trust care coordinator carrying on through the change (continuity)
    locked: int  # held under a manager's lock
    roles_unfilled: int
    people_unfilled: int  # of allocated: a role their pathway needs that no one holds
    held_not_needed: int  # current roles the person's pathway no longer needs
    # Of needs_a_worker: no one holds any role for them (the waiting_unheld among them) ...
    no_worker_at_all: int = 0
    # ... and, by role, someone holds a role for them but not this one their pathway needs.
    missing_role: dict[str, int] = field(default_factory=dict)

    @property
    def fully_allocated(self) -> int:
        """Of need_worker: allocated, and every role their pathway needs is held."""
        return self.allocated - self.people_unfilled

    @property
    def moved(self) -> int:
        """Roles held by a worker other than the person's trust care coordinator."""
        return self.roles_held - self.kept

    @property
    def needs_a_worker(self) -> int:
        """People the caseload's "needs a worker" filter lists (and the check's
        ``unassigned`` finding names): a role their pathway needs that no one holds.
        ``fully_allocated + waiting - waiting_unheld + needs_a_worker == need_worker``."""
        return self.people_unfilled + self.waiting_unheld

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("accepted", "draft"):
            mark = data[key] and (data[key].get("plan") or data[key])
            if mark:
                mark["at"] = mark["at"].isoformat()
        if self.draft is not None:
            data["draft"]["changed_since"] = list(self.draft.changed_since)
            data["draft"]["stale"] = self.draft.stale
        data["moved"] = self.moved
        data["needs_a_worker"] = self.needs_a_worker
        data["fully_allocated"] = self.fully_allocated
        return data


def latest_plans(session: Session) -> tuple[Plan | None, Plan | None]:
    """The latest accepted plan, and the newest draft made after it (or with none accepted):
    the draft waiting for review, if any."""
    accepted = session.scalars(
        select(Plan).where(Plan.status == PlanStatus.ACCEPTED)
        .order_by(Plan.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()
    draft = session.scalars(
        select(Plan).where(Plan.status == PlanStatus.DRAFT,
                           Plan.id > (accepted.id if accepted else 0))  # type: ignore[operator]
        .order_by(Plan.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()
    return accepted, draft


def allocation_status(session: Session, as_of: date) -> AllocationStatus:
    """Where the allocation stands on ``as_of`` (today): one counting scan of the people in
    the export."""
    accepted, draft = latest_plans(session)
    transfer = transfer_date(session)
    # One scan of the people in the export, each joined to their current assignment of each
    # role through the partial unique index on (person_id, role) where ended_at is null.
    held = {role: aliased(Assignment, name=f"held_{role}") for role in ROLE_WORDS}
    allocated_now = or_(Person.allocated_plan_id.is_not(None),  # type: ignore[union-attr]
                        *(alias.id.is_not(None) for alias in held.values()))
    needing = Person.pathway.in_(_NEEDING)  # type: ignore[union-attr]

    def needs(role: str) -> ColumnElement[bool]:
        return and_(allocated_now,
                    Person.pathway.in_(_pathways_needing(role)))  # type: ignore[union-attr]

    def counted(condition: ColumnElement[bool]) -> Any:
        return func.count(case((condition, 1)))

    holds_none = and_(*(alias.id.is_(None) for alias in held.values()))
    holds_some = or_(*(alias.id.is_not(None) for alias in held.values()))

    columns = [
        func.count(),
        counted(needing),
        counted(Person.pathway == "signpost"),
        counted(Person.pathway.is_(None)),  # type: ignore[union-attr]
        counted(and_(needing, allocated_now)),
        counted(and_(needing, ~allocated_now, ~coordinator_holds(as_of))),
        counted(or_(*(and_(needs(role), alias.id.is_(None)) for role, alias in held.items()))),
        # of needs_a_worker, no role held: allocated by a plan that filled none of their
        # roles, or waiting with no care coordinator who holds them
        counted(and_(needing, holds_none, or_(allocated_now, ~coordinator_holds(as_of)))),
        *(counted(and_(needs(role), alias.id.is_(None), holds_some))
          for role, alias in held.items()),
    ]
    for role, alias in held.items():
        columns += [
            counted(needs(role)),
            counted(and_(needs(role), alias.id.is_not(None))),
            counted(and_(needs(role), coordinator_continues_sql(alias.staff_id, transfer))),
            counted(and_(needs(role), alias.locked.is_(True))),  # type: ignore[attr-defined]
            counted(and_(alias.id.is_not(None),
                         or_(Person.pathway.is_(None),  # type: ignore[union-attr]
                             Person.pathway.not_in(_pathways_needing(role))))),  # type: ignore[union-attr]
        ]
    statement = select(*columns).select_from(Person)
    for role, alias in held.items():
        statement = statement.outerjoin(alias, and_(
            alias.person_id == Person.id, alias.role == role,
            alias.ended_at.is_(None)))  # type: ignore[union-attr]
    row = session.execute(statement.where(_in_export)).one()
    (people, need_worker, signposted, not_assessed, allocated, waiting_unheld,
     people_unfilled, no_worker_at_all) = row[:8]
    missing_role = dict(zip((str(role) for role in held), row[8:8 + len(held)], strict=True))
    first = 8 + len(held)
    per_role = [row[first + 5 * index:first + 5 + 5 * index] for index in range(len(held))]
    roles_needed, roles_held, kept, locked, held_not_needed = (
        sum(values) for values in zip(*per_role, strict=True))

    return AllocationStatus(
        accepted=_mark(accepted, accepted=True) if accepted else None,
        draft=_waiting(session, draft) if draft else None,
        people=people,
        need_worker=need_worker,
        signposted=signposted,
        not_assessed=not_assessed,
        allocated=allocated,
        waiting=need_worker - allocated,
        waiting_unheld=waiting_unheld,
        roles_needed=roles_needed,
        roles_held=roles_held,
        kept=kept,
        locked=locked,
        roles_unfilled=roles_needed - roles_held,
        people_unfilled=people_unfilled,
        held_not_needed=held_not_needed,
        no_worker_at_all=no_worker_at_all,
        missing_role=missing_role,
    )


def _mark(plan: Plan, *, accepted: bool) -> PlanMark:
    assert plan.id is not None
    when = plan.accepted_at if accepted and plan.accepted_at else plan.created_at
    who = plan.accepted_by if accepted and plan.accepted_by else plan.created_by
    return PlanMark(plan_id=plan.id, kind=plan.kind, at=when, by=who)


def _waiting(session: Session, plan: Plan) -> DraftWaiting:
    assert plan.id is not None
    summary = plan.summary or {}
    assigned = int(summary.get("assigned", 0))
    unassigned = int(summary.get("unassigned", 0))
    return DraftWaiting(
        plan=_mark(plan, accepted=False),
        assigned=assigned,
        unassigned=unassigned,
        changed=int(summary.get("changed", 0)),
        changed_since=tuple(changed_since(session, plan.id)),
        unassigned_staying=len(unassigned_holders(session, plan.id)),
    )


def _and(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# ---------------------------------------------------------------------------------------------
# In words: shared by the dashboard box and `transition plan status`
# ---------------------------------------------------------------------------------------------

_KIND_WORDS = {"plan": "a plan of everyone", "check_apply": "the nightly check's re-plan"}


@dataclass(frozen=True)
class StatusLine:
    """One count: ``tone`` is ``bad`` (act now), ``warn`` (look at it) or ``""``, and only
    applies when ``value`` is not zero."""

    key: str
    value: int
    one: str  # the words after the count, for one
    many: str  # and for any other number
    tone: str = ""

    @property
    def label(self) -> str:
        return self.one if self.value == 1 else self.many

    @property
    def words(self) -> str:
        """The count and its words: '687 of them, waiting for a plan (coordinator holds
        them)'."""
        return f"{self.value:,} {self.label}"


def unfilled_in_words(status: AllocationStatus) -> str:
    """Who the people with no worker in a role they need are, counted: '1 with no worker at
    all, 5 missing a key worker' (empty when there are none)."""
    parts = []
    if status.no_worker_at_all:
        parts.append(f"{status.no_worker_at_all:,} with no worker at all")
    parts += [f"{number:,} missing a {ROLE_WORDS.get(role, role)}"
              for role, number in status.missing_role.items() if number]
    return ", ".join(parts)


def status_lines(status: AllocationStatus) -> list[StatusLine]:
    """The counts, in the order a manager reads them: the dashboard's Allocation box, `plan
    status`, `transition status` (the lines that are not zero) and the check's report all
    say these, so they never disagree. The three "of them" lines add up to the first; the
    roles kept, moving and left unfilled add up to the roles the allocated people need."""
    unfilled = "of them, no worker in a role they need"
    if status.needs_a_worker:
        unfilled += f" ({unfilled_in_words(status)})"
    return [
        StatusLine("need_worker", status.need_worker, "person whose pathway needs a worker",
                   "people whose pathway needs a worker"),
        StatusLine("fully_allocated", status.fully_allocated,
                   *("of them, fully allocated (a worker in every role they need)",) * 2),
        StatusLine("waiting", status.waiting - status.waiting_unheld,
                   *("of them, waiting for a plan (coordinator holds them)",) * 2,
                   tone="warn" if status.accepted else ""),
        StatusLine("needs_a_worker", status.needs_a_worker, unfilled, unfilled, tone="bad"),
        StatusLine("kept", status.kept, "role kept with the current worker",
                   "roles kept with the current worker"),
        StatusLine("moved", status.moved, "role moving to a new worker",
                   "roles moving to a new worker"),
        StatusLine("locked", status.locked, "role locked by a manager's choice",
                   "roles locked by a manager's choice"),
        StatusLine("unfilled", status.roles_unfilled, "role the allocation leaves unfilled",
                   "roles the allocation leaves unfilled", tone="bad"),
        StatusLine("held_not_needed", status.held_not_needed,
                   "role held that the pathway no longer needs",
                   "roles held that the pathway no longer needs", tone="warn"),
    ]


def plan_sentences(status: AllocationStatus) -> list[str]:
    """Which plan the allocation comes from, and any draft waiting for review."""
    if not status.people:
        return [("No one is on the caseload yet: import the trust's export with `transition "
                 "import caseload FILE`.")]
    sentences = []
    if status.accepted is None and status.allocated:
        sentences.append(f"No plan has been accepted yet, but managers' choices give "
                         f"{status.allocated:,} {'person' if status.allocated == 1 else 'people'}"
                         " their new workers; the trust's care coordinators hold the others "
                         "until a plan is.")
    elif status.accepted is None:
        sentences.append("No plan has been accepted yet: the trust's care coordinators hold "
                         "their people until one is.")
    else:
        mark = status.accepted
        sentences.append(f"Allocation from plan {mark.plan_id}, accepted {uk_time(mark.at)} "
                         f"by {mark.by}.")
    draft = status.draft
    if draft is not None:
        mark = draft.plan
        sentence = (f"Draft plan {mark.plan_id} ({_KIND_WORDS.get(mark.kind, mark.kind)}, "
                    f"made {uk_time(mark.at)} by {mark.by}) waits for review: "
                    f"{draft.assigned:,} roles filled ({draft.changed:,} by a new worker), "
                    f"{draft.unassigned:,} unassigned"
                    f"{unassigned_staying_note(draft.unassigned, draft.unassigned_staying)}.")
        if draft.stale:
            sentence += (f" Since it was made, {_and(draft.changed_since)} changed: plan again "
                         "before accepting.")
        sentences.append(sentence)
    elif status.accepted is None:
        sentences.append("No draft either: make one with `transition plan`.")
    others = []
    if status.signposted:
        others.append(f"{status.signposted:,} signposted (no worker needed)")
    if status.not_assessed:
        others.append(f"{status.not_assessed:,} not assessed yet (run `transition assess`)")
    if others:
        sentences.append("Also in the latest export: " + "; ".join(others) + ".")
    return sentences
