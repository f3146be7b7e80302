"""Generating tasks: who needs a handover, which tasks each needs, their owners and due dates.

Who needs a handover (and so tasks):
- a person whose accepted allocation changes their worker (``allocation.worker_changes``: a
  current Assignment whose worker is not the trust's ``care_coordinator_id``);
- a person on the ``assess`` pathway with a social worker assigned (even the same worker:
  the Care Act assessment still has to be booked);
- a person on the ``signpost`` pathway: they have no worker afterwards, so every task for
  them is owned by the team manager.

Owners: ``outgoing`` is the trust's named coordinator (``care_coordinator_id``), ``incoming`` the
new worker. A joint person has two workers; an incoming task goes to the worker in the
template's ``incoming_role`` if the person has one, else to the worker whose role changed, else
(both changed) to the ``[tasks] lead_role`` worker. ``owner_staff_id`` is None for ``manager``
tasks and for outgoing tasks whose coordinator is not on the staff list: the team manager holds
those (they show as unowned).

Generation is idempotent. Running it again after a plan, pathway, rules or handover-date change
adds tasks now needed, marks open tasks that no longer apply ``not_needed`` (with a reason that
starts "No longer applies:"), reopens such a task if it applies again, moves owners and due
dates, and leaves done work and a manager's own ``not_needed`` alone. Nothing is deleted; every
change is audited (``task.create``, ``task.status``, ``task.owner``, ``task.due``,
``task.template``) and bumps the task's version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, exists, func, insert, or_, select, text, update
from sqlmodel import Session

from transition.audit import Change, record_many
from transition.models import Assignment, Pathway, Person, Role, Staff, Task, TaskOwner, TaskStatus, utcnow
from transition.tasks.rules import COLUMN_FLAGS, Flag, PersonFacts, TaskRules, TaskTemplate
from transition.tasks.status import NO_LONGER_APPLIES, OPEN_STATUSES
from transition.working_days import add_working_days

Progress = Callable[[int, int], None]
_CHUNK = 5000


@dataclass
class GenerateSummary:
    """What one run of :func:`generate_tasks` did, and where the tasks stand afterwards."""

    people: int = 0  # people needing a handover who have a handover date
    created: int = 0
    reopened: int = 0
    not_needed: int = 0
    owner_moved: int = 0
    due_moved: int = 0
    template_changed: int = 0
    unchanged: int = 0
    without_handover_date: int = 0  # people needing a handover but with no date to count from
    open: int = 0
    overdue: int = 0
    unowned_open: int = 0  # open tasks with no staff owner (the team manager holds them)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Handover:
    """One person's change of worker, as far as tasks need to know it."""

    facts: PersonFacts
    outgoing_staff_id: str | None
    workers: dict[str, str]  # role -> staff id, current
    changed_roles: tuple[str, ...]
    signpost: bool

    def owner(self, template: TaskTemplate, lead_role: str) -> tuple[str, str | None]:
        """(owner kind, staff id or None) for this person's task from ``template``."""
        if template.owner is TaskOwner.MANAGER or self.signpost:
            return TaskOwner.MANAGER.value, None
        if template.owner is TaskOwner.OUTGOING:
            return TaskOwner.OUTGOING.value, self.outgoing_staff_id
        return TaskOwner.INCOMING.value, self.incoming(template.incoming_role, lead_role)

    def incoming(self, preferred: str | None, lead_role: str) -> str | None:
        if preferred is not None and preferred in self.workers:
            return self.workers[preferred]
        if len(self.changed_roles) == 1:
            return self.workers[self.changed_roles[0]]
        if lead_role in self.workers:
            return self.workers[lead_role]
        return self.workers[min(self.workers)] if self.workers else None


@dataclass(frozen=True, slots=True)
class Wanted:
    """A task a person should have, as the rules say today."""

    title: str
    owner_kind: str
    owner_staff_id: str | None
    due: date
    offset_working_days: int
    handover_date: date
    depends_on: list[str]


def needs_handover(pathway: str | None, workers: dict[str, str], coordinator: str | None) -> bool:
    """Whether a person gets handover tasks (see the module docstring)."""
    if pathway == Pathway.SIGNPOST:
        return True
    if any(staff_id != coordinator for staff_id in workers.values()):
        return True
    return pathway == Pathway.ASSESS and Role.SOCIAL_WORKER in workers


def wanted_tasks(handover: Handover, rules: TaskRules) -> dict[str, Wanted]:
    """The tasks the rules give this person, by key."""
    facts = handover.facts
    applicable = {key: t for key, t in rules.enabled.items() if t.holds(facts)}
    wanted: dict[str, Wanted] = {}
    for key, template in applicable.items():
        offset = template.deadline_for(facts)
        owner_kind, owner_staff_id = handover.owner(template, rules.lead_role)
        wanted[key] = Wanted(
            title=template.title,
            owner_kind=owner_kind,
            owner_staff_id=owner_staff_id,
            due=add_working_days(facts.handover_date, offset),
            offset_working_days=offset,
            handover_date=facts.handover_date,
            depends_on=[needed for needed in template.after if needed in applicable],
        )
    return wanted


def generate_tasks(
    session: Session,
    rules: Any,
    *,
    as_of: date,
    actor: str,
    transfer_date: date | None,
    person_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> GenerateSummary:
    """Bring every person's tasks up to date with the accepted allocation and the rules.

    ``rules`` is the whole Rules or its ``[tasks]`` section. ``transfer_date`` is the programme's
    date, used for people without their own handover date (people with neither are counted in
    ``without_handover_date`` and left as they are). ``person_ids`` limits the run to some people.
    The caller owns the transaction.
    """
    task_rules: TaskRules = getattr(rules, "tasks", rules)
    _lock_tasks(session)
    ids = None if person_ids is None else sorted(set(person_ids))
    people = list(_candidates(session, ids))
    candidate_ids = [row.id for row in people]
    workers = _current_workers(session, None if ids is None else candidate_ids)
    known_staff = set(session.scalars(select(Staff.staff_id)))
    existing = _existing_tasks(session, None if ids is None else candidate_ids)

    plan = _Reconciler(actor=actor)
    summary = GenerateSummary()
    total = len(people)
    for done, row in enumerate(people, start=1):
        person_workers = workers.get(row.id, {})
        current = existing.get(row.id, {})
        if needs_handover(row.pathway, person_workers, row.care_coordinator_id):
            handover_date = row.handover_date or transfer_date
            if handover_date is None:
                summary.without_handover_date += 1
                continue
            handover = _handover(row, person_workers, known_staff, handover_date)
            summary.people += 1
            plan.reconcile(row.id, current, wanted_tasks(handover, task_rules), task_rules, row)
        elif current:
            plan.reconcile(row.id, current, {}, task_rules, row, out_of_handover=True)
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)
    plan.write(session)

    for name in ("created", "reopened", "not_needed", "owner_moved", "due_moved",
                 "template_changed", "unchanged"):
        setattr(summary, name, getattr(plan, name))
    _count_open(session, summary, as_of, ids)
    return summary


# ---------------------------------------------------------------------------------------------
# Reading what is there
# ---------------------------------------------------------------------------------------------

_PERSON_COLUMNS = (
    Person.id, Person.pathway, Person.risk_band, Person.care_coordinator_id,
    Person.handover_date, Person.last_discharge, Person.accessible_format,
    Person.interpreter_language, *(getattr(Person, name) for name in COLUMN_FLAGS),
)

_TASK_COLUMNS = (
    Task.id, Task.person_id, Task.key, Task.title, Task.owner_kind, Task.owner_staff_id,
    Task.due, Task.offset_working_days, Task.handover_date, Task.status, Task.blocked_reason,
    Task.depends_on, Task.version,
)


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _lock_tasks(session: Session) -> None:
    """Stop a manager's edit landing between reading and writing tasks (PostgreSQL).

    SQLite needs nothing: the write transaction holds the database's write lock from its start.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE task IN SHARE ROW EXCLUSIVE MODE"))


def _candidates(session: Session, ids: list[int] | None) -> Iterator[Row[Any]]:
    """People who may need tasks or have some: signposted, assigned, or with tasks already."""
    assigned = exists().where(
        Assignment.person_id == Person.id, Assignment.ended_at.is_(None)  # type: ignore[union-attr]
    )
    has_tasks = exists().where(Task.person_id == Person.id)
    statement = (
        select(*_PERSON_COLUMNS)
        .where(or_(Person.pathway == Pathway.SIGNPOST.value, assigned, has_tasks))
        .order_by(Person.id)
    )
    if ids is None:
        yield from session.execute(statement)
        return
    for chunk in _chunks(ids):
        yield from session.execute(statement.where(Person.id.in_(chunk)))  # type: ignore[union-attr]


def _current_workers(session: Session, ids: list[int] | None) -> dict[int, dict[str, str]]:
    workers: dict[int, dict[str, str]] = defaultdict(dict)
    statement = select(Assignment.person_id, Assignment.role, Assignment.staff_id).where(
        Assignment.ended_at.is_(None)  # type: ignore[union-attr]
    )
    batches = [statement] if ids is None else [
        statement.where(Assignment.person_id.in_(chunk))  # type: ignore[attr-defined]
        for chunk in _chunks(ids)
    ]
    for batch in batches:
        for person_id, role, staff_id in session.execute(batch):
            workers[person_id][role] = staff_id
    return workers


def _existing_tasks(session: Session, ids: list[int] | None) -> dict[int, dict[str, Row[Any]]]:
    tasks: dict[int, dict[str, Row[Any]]] = defaultdict(dict)
    statement = select(*_TASK_COLUMNS)
    batches = [statement] if ids is None else [
        statement.where(Task.person_id.in_(chunk))  # type: ignore[attr-defined]
        for chunk in _chunks(ids)
    ]
    for batch in batches:
        for row in session.execute(batch):
            tasks[row.person_id][row.key] = row
    return tasks


def _handover(row: Row[Any], workers: dict[str, str], known_staff: set[str],
              handover_date: date) -> Handover:
    flags = {name for name in COLUMN_FLAGS if getattr(row, name)}
    if row.interpreter_language:
        flags.add(Flag.INTERPRETER.value)
    facts = PersonFacts(
        pathway=row.pathway,
        risk_band=row.risk_band,
        flags=frozenset(flags),
        accessible_format=row.accessible_format,
        last_discharge=row.last_discharge,
        handover_date=handover_date,
    )
    coordinator = row.care_coordinator_id
    return Handover(
        facts=facts,
        outgoing_staff_id=coordinator if coordinator in known_staff else None,
        workers=dict(workers),
        changed_roles=tuple(sorted(role for role, staff in workers.items() if staff != coordinator)),
        signpost=row.pathway == Pathway.SIGNPOST,
    )


# ---------------------------------------------------------------------------------------------
# Working out and writing the changes
# ---------------------------------------------------------------------------------------------


class _Reconciler:
    """Collects inserts, updates and audit rows for the whole run, then writes them in bulk."""

    def __init__(self, *, actor: str) -> None:
        self.actor = actor
        self.now = utcnow()
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.changes: list[Change] = []
        self.created = self.reopened = self.not_needed = 0
        self.owner_moved = self.due_moved = self.template_changed = self.unchanged = 0

    def reconcile(self, person_id: int, current: dict[str, Row[Any]], wanted: dict[str, Wanted],
                  rules: TaskRules, person: Row[Any], *, out_of_handover: bool = False) -> None:
        for key, task in current.items():
            if key in wanted:
                self._bring_up_to_date(task, wanted[key])
            elif task.status in OPEN_STATUSES:
                self._not_needed(task, _why_not(key, rules, person, out_of_handover))
            else:
                self.unchanged += 1
        for key, item in wanted.items():
            if key not in current:
                self._create(person_id, key, item)

    def _create(self, person_id: int, key: str, item: Wanted) -> None:
        self.created += 1
        self.inserts.append({
            "person_id": person_id, "key": key, "title": item.title,
            "owner_kind": item.owner_kind, "owner_staff_id": item.owner_staff_id,
            "due": item.due, "offset_working_days": item.offset_working_days,
            "handover_date": item.handover_date, "status": TaskStatus.TODO.value,
            "blocked_reason": None, "note": None, "depends_on": item.depends_on,
            "created_at": self.now, "updated_at": self.now, "updated_by": self.actor,
            "completed_at": None, "version": 1,
        })

    def _not_needed(self, task: Row[Any], why: str) -> None:
        self.not_needed += 1
        reason = NO_LONGER_APPLIES + why
        self._update(task, status=TaskStatus.NOT_NEEDED.value, blocked_reason=reason)
        self._audit(task, "task.status", "status", task.status, TaskStatus.NOT_NEEDED.value,
                    reason)

    def _bring_up_to_date(self, task: Row[Any], item: Wanted) -> None:
        values: dict[str, Any] = {}
        if task.status == TaskStatus.DONE:
            self.unchanged += 1
            return
        if task.status == TaskStatus.NOT_NEEDED:
            if not (task.blocked_reason or "").startswith(NO_LONGER_APPLIES):
                self.unchanged += 1  # a manager decided it is not needed
                return
            self.reopened += 1
            values.update(status=TaskStatus.TODO.value, blocked_reason=None)
            self._audit(task, "task.status", "status", task.status, TaskStatus.TODO.value,
                        "Applies again after a change to the plan, the person or the rules")
        owner = {"owner_kind": item.owner_kind, "owner_staff_id": item.owner_staff_id}
        if (task.owner_kind, task.owner_staff_id) != (item.owner_kind, item.owner_staff_id):
            self.owner_moved += 1
            values.update(owner)
            before = {"owner_kind": task.owner_kind, "owner_staff_id": task.owner_staff_id}
            self._audit(task, "task.owner", "owner_staff_id", before, owner,
                        "The worker changed")
        due = {"due": item.due, "offset_working_days": item.offset_working_days,
               "handover_date": item.handover_date}
        if (task.due, task.offset_working_days, task.handover_date) != tuple(due.values()):
            self.due_moved += 1
            values.update(due)
            before = {"due": task.due, "offset_working_days": task.offset_working_days,
                      "handover_date": task.handover_date}
            self._audit(task, "task.due", "due", before, due,
                        "The handover date or the deadline rule changed")
        template = {"title": item.title, "depends_on": item.depends_on}
        if (task.title, list(task.depends_on or [])) != (item.title, item.depends_on):
            self.template_changed += 1
            values.update(template)
            before = {"title": task.title, "depends_on": list(task.depends_on or [])}
            self._audit(task, "task.template", "title", before, template,
                        "The task's template in the rules changed")
        if values:
            self._update(task, **values)
        else:
            self.unchanged += 1

    def _update(self, task: Row[Any], **values: Any) -> None:
        self.updates.append({
            "id": task.id, **values, "updated_at": self.now, "updated_by": self.actor,
            "version": task.version + 1,
        })

    def _audit(self, task: Row[Any], action: str, field_name: str, before: Any, after: Any,
               reason: str | None) -> None:
        self.changes.append(Change(
            action=action, entity="task", entity_key=str(task.id), person_id=task.person_id,
            field=field_name, before=before, after=after, reason=reason,
        ))

    def write(self, session: Session) -> None:
        if self.inserts:
            statement = insert(Task).returning(Task.id, sort_by_parameter_order=True)
            for start in range(0, len(self.inserts), 50_000):
                batch = self.inserts[start : start + 50_000]
                ids = session.scalars(statement, batch).all()
                self.changes.extend(
                    Change(
                        action="task.create", entity="task", entity_key=str(task_id),
                        person_id=row["person_id"], field=row["key"],
                        after={"owner_kind": row["owner_kind"],
                               "owner_staff_id": row["owner_staff_id"],
                               "due": row["due"].isoformat(),
                               "offset_working_days": row["offset_working_days"]},
                    )
                    for task_id, row in zip(ids, batch, strict=True)
                )
        # Bulk UPDATE by primary key, grouped so every row in a batch sets the same columns.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in self.updates:
            groups[tuple(sorted(row))].append(row)
        for rows in groups.values():
            session.execute(update(Task).execution_options(synchronize_session=False), rows)
        record_many(session, self.changes, actor=self.actor, at=self.now)
        # Bulk statements bypass the session: reload any Task the caller holds on next use.
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Task):
                session.expire(instance)


def _why_not(key: str, rules: TaskRules, person: Row[Any], out_of_handover: bool) -> str:
    if out_of_handover:
        return "the person's worker no longer changes in the accepted allocation"
    if key not in rules.enabled:
        return "the rules no longer include this task"
    return (
        f"it no longer applies to this person (pathway {person.pathway or 'not decided'}, "
        f"risk band {person.risk_band or 'not scored'})"
    )


def _count_open(session: Session, summary: GenerateSummary, as_of: date,
                ids: list[int] | None) -> None:
    def count(*conditions: Any) -> int:
        statement = select(func.count()).select_from(Task).where(
            Task.status.in_(OPEN_STATUSES), *conditions  # type: ignore[attr-defined]
        )
        if ids is None:
            return session.scalar(statement) or 0
        return sum(session.scalar(statement.where(Task.person_id.in_(chunk))) or 0  # type: ignore[attr-defined]
                   for chunk in _chunks(ids))

    summary.open = count()
    summary.overdue = count(Task.due < as_of)
    summary.unowned_open = count(Task.owner_staff_id.is_(None))  # type: ignore[union-attr]
