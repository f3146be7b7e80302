"""Generating tasks for everyone: bulk, idempotent and audited.

Who needs a handover, and who owns each task, is decided in ``planner``.

Generation is idempotent. Running it again after a plan, pathway, rules or handover-date change
adds tasks now needed, marks open tasks that no longer apply ``not_needed`` (with a reason that
starts "No longer applies:"), reopens such a task if it applies again, moves owners and due
dates, and leaves done work and a manager's own ``not_needed`` alone. Nothing is deleted; every
change is audited (``task.create``, one event per person; ``task.status``, ``task.owner``,
``task.due``, ``task.template``, one per task) and bumps the task's version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, and_, case, exists, func, or_, select, text, tuple_, update
from sqlmodel import Session

from transition.absence import away_on
from transition.allocation import continuing_coordinator, coordinator_continues_sql
from transition.audit import Change, record_many
from transition.bulk import indexes_set_aside
from transition.db import json_dumps
from transition.models import (
    Assignment,
    AuditEvent,
    Letter,
    Pathway,
    Person,
    Plan,
    PlanStatus,
    Staff,
    Task,
    TaskStatus,
    utcnow,
)
from transition.tasks.planner import (
    CARER_MAY_BE_TOLD_AT,
    CARER_MAY_BE_TOLD_SQL,
    PERSON_COLUMNS,
    FactsSeen,
    Handover,
    TaskPlanner,
    Wanted,
    keeps_worker,
    make_handover,
    needs_handover,
)
from transition.tasks.rules import Flag, PersonFacts, TaskRules, TaskTemplate
from transition.tasks.status import NO_LONGER_APPLIES, OPEN_STATUSES
from transition.tasks.stored import DirectInsert, StoredValues, gc_paused, plain_rows, raw
from transition.tasks.task_sets import TaskSets

Progress = Callable[[int, int], None]
_TODO, _DONE, _NOT_NEEDED = (TaskStatus.TODO.value, TaskStatus.DONE.value,
                             TaskStatus.NOT_NEEDED.value)
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
    # Done letter tasks opened again because their letter is out of date (reopen_letter_tasks).
    letter_tasks_reopened: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def describe(self, as_of: date) -> str:
        """What the run did and where the tasks stand, in three lines: what ``transition tasks
        generate`` prints and the tasks screen's notification says."""
        return (
            f"Handovers with tasks: {self.people:,}\n"
            f"Created {self.created:,}, reopened {self.reopened:,}, not needed now "
            f"{self.not_needed:,}, owner moved {self.owner_moved:,}, due date moved "
            f"{self.due_moved:,}, template changed {self.template_changed:,}, unchanged "
            f"{self.unchanged:,}.\n"
            f"Open tasks: {self.open:,} ({self.overdue:,} of them overdue on "
            f"{as_of.day} {as_of:%b %Y}; {self.unowned_open:,} with no named worker, held by "
            "the team manager)."
        ) + (f"\nLetter tasks open again, their letter out of date: "
             f"{self.letter_tasks_reopened:,} (write them again: transition letters generate)."
             if self.letter_tasks_reopened else "")


def plan_accepted(session: Session) -> bool:
    """Whether a plan has ever been accepted (the one in force, or one a later plan
    replaced): tasks follow the accepted allocation, so before that there is nothing to make
    them from."""
    return bool(session.scalar(select(exists().where(
        Plan.status.in_((PlanStatus.ACCEPTED, PlanStatus.SUPERSEDED))))))  # type: ignore[attr-defined]


class _Existing(NamedTuple):
    """A task already in the database, as far as generation compares it."""

    id: int
    person_id: int
    key: str
    title: str
    owner_kind: str
    owner_staff_id: str | None
    due: date
    offset_working_days: int
    handover_date: date
    status: str
    blocked_reason: str | None
    depends_on: list[str]
    version: int


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
    # First, so that the tasks opened again have their owners and due dates brought up to date.
    reopened = reopen_letter_tasks(session, ids, as_of=as_of, actor=actor)
    with gc_paused():
        summary = _generate(session, task_rules, actor, transfer_date, person_ids, progress)
    summary.letter_tasks_reopened = reopened
    _count_open(session, summary, as_of, ids)
    return summary


# A letter out of date for one of these reasons needs no new letter: its task stays done.
_LETTER_GONE = ("no longer applies", "the person is no longer on the caseload")
# Council details since corrected: found only given the council's details (the nightly check).
_COUNCIL_REASONS = ("the council's details", "it would read differently")


def reopens_letter_task(reason: str) -> bool:
    """Whether a letter out of date for ``reason`` opens its done task again
    (:func:`reopen_letter_tasks`): not one that no longer applies, a carer letter the person
    said no to, or one whose council details were corrected (the check lists those)."""
    from transition.letter_records import CARER_SAID_NO  # the letters import the tasks

    return reason != CARER_SAID_NO and not reason.startswith(_LETTER_GONE + _COUNCIL_REASONS)


def reopen_letter_tasks(session: Session, person_ids: Sequence[int] | None, *, as_of: date,
                        actor: str) -> int:
    """Open again (to do) each done letter task whose current letter is out of date
    (:func:`~transition.letter_records.out_of_date_letters`: a new worker, date or address, or a
    carer letter written before the person was asked), audited as ``task.status`` with why: the
    task is done only while its letter tells the truth. Left done: a letter that no longer
    applies, and a carer letter the person has since said no to (no letter is to go). Returns
    how many were opened again."""
    if session.scalar(select(func.count()).select_from(Letter)) == 0:
        return 0
    # Imported here: the letters import the tasks.
    from transition.letter_records import out_of_date_letters
    from transition.letters import TASK_FOR_KIND

    why: dict[tuple[int, str], str] = {}
    for letter in out_of_date_letters(session, person_ids, as_of=as_of):
        if not reopens_letter_task(letter.reason):
            continue
        why.setdefault((letter.person_id, TASK_FOR_KIND[letter.kind]), letter.reason)
    if not why:
        return 0
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changes: list[Change] = []
    pairs = sorted(why)
    for start in range(0, len(pairs), 2000):
        statement = select(Task.id, Task.person_id, Task.key, Task.version).where(
            tuple_(Task.person_id, Task.key).in_(pairs[start:start + 2000]),
            Task.status == _DONE)
        for task_id, person_id, key, version in session.execute(statement):
            reason = f"Its letter is out of date ({why[person_id, key]}): write it again"
            rows.append({"id": task_id, "status": _TODO, "completed_at": None,
                         "updated_at": now, "updated_by": actor, "version": version + 1})
            changes.append(Change(action="task.status", entity="task", entity_key=str(task_id),
                                  person_id=person_id, field="status", before=_DONE,
                                  after=_TODO, reason=reason[:1000]))
    if rows:
        session.execute(update(Task).execution_options(synchronize_session=False), rows)
        record_many(session, changes, actor=actor, at=now)
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Task):
                session.expire(instance)
    return len(rows)


@dataclass
class TasksBehind:
    """What :func:`generate_tasks` would change now: its counts, and the people concerned."""

    summary: GenerateSummary
    person_ids: list[int]

    @property
    def to_add(self) -> int:
        return self.summary.created + self.summary.reopened

    @property
    def changes(self) -> int:
        summary = self.summary
        return (self.to_add + summary.not_needed + summary.owner_moved + summary.due_moved
                + summary.template_changed)


def tasks_behind(session: Session, rules: Any, *, transfer_date: date | None) -> TasksBehind:
    """What ``generate_tasks`` would change if run now, changing nothing (the nightly check:
    a new worker with no handover tasks is someone who may fall through the gap). The same
    reading and reconciling as a real run, without the write."""
    task_rules: TaskRules = getattr(rules, "tasks", rules)
    touched: list[int] = []
    # Open tasks to tell a carer the person has since said no to (a re-import): set aside by a
    # real run, and a worker must not act on them meanwhile.
    carer_keys = [key for key, template in task_rules.enabled.items()
                  if Flag.CARER_MAY_BE_TOLD in template.flags]
    suspects = _maybe_behind(session, transfer_date, carer_keys)
    if not suspects:
        return TasksBehind(GenerateSummary(), touched)
    with gc_paused():
        summary = _generate(session, task_rules, "check", transfer_date, suspects, None,
                            touched=touched)
    return TasksBehind(summary, touched)


def _maybe_behind(session: Session, transfer_date: date | None,
                  carer_keys: Sequence[str] = ()) -> list[int]:
    """People whose tasks may not match who holds them now, found from the data as it stands
    (not from when things changed): (1) a handover and no tasks at all: a current worker
    other than the trust's coordinator carrying on through the change
    (:func:`~transition.allocation.coordinator_continues_sql`), or the assess or signpost
    pathway; (2) an open incoming task owned by someone who holds none of their roles now;
    (3) open tasks and no handover any more (every current worker is the continuing
    coordinator, neither assess nor signpost); (4) an open task of ``carer_keys`` (templates
    needing ``carer_may_be_told``) for someone whose carer may not be told now. The generator then decides, for these people only, what would change; a
    change of rules, templates or dates alone is not looked for here (``tasks generate``
    after those, as the commands that make them say)."""
    current = and_(Assignment.person_id == Person.id, Assignment.ended_at.is_(None))  # type: ignore[union-attr]
    moves = exists().where(current, ~coordinator_continues_sql(Assignment.staff_id, transfer_date))
    open_task = and_(Task.person_id == Person.id, Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
    special = Person.pathway.in_((Pathway.SIGNPOST.value, Pathway.ASSESS.value))  # type: ignore[union-attr]
    without_tasks = select(Person.id).where(
        or_(moves, Person.pathway == Pathway.SIGNPOST.value,
            and_(Person.pathway == Pathway.ASSESS.value, exists().where(current))),
        ~exists().where(Task.person_id == Person.id))
    no_longer = select(Person.id).where(exists().where(open_task), ~moves, ~special)
    holds = and_(Assignment.person_id == Task.person_id, Assignment.ended_at.is_(None),  # type: ignore[union-attr]
                 Assignment.staff_id == Task.owner_staff_id)
    owner_gone = select(Task.person_id).where(
        Task.owner_kind == "incoming", Task.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
        ~exists().where(holds)).distinct()
    carer_refused = select(Task.person_id).join(Person, Person.id == Task.person_id).where(
        Task.key.in_(carer_keys), Task.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
        CARER_MAY_BE_TOLD_SQL == 0).distinct()
    found: set[int] = set()
    for statement in (without_tasks, no_longer, owner_gone, carer_refused):
        found.update(person_id for (person_id,) in _rows(session, statement))
    return sorted(found)


def _generate(session: Session, task_rules: TaskRules, actor: str, transfer_date: date | None,
              person_ids: Iterable[int] | None, progress: Progress | None, *,
              touched: list[int] | None = None) -> GenerateSummary:
    """``touched``: only work out what would change, collecting the people concerned, and
    write nothing."""
    ids = None if person_ids is None else sorted(set(person_ids))
    people = list(_candidates(session, ids))
    candidate_ids = [row[0] for row in people]
    workers = _current_workers(session, None if ids is None else candidate_ids)
    can_own = OutgoingOwners(session)
    existing = _existing_tasks(session, None if ids is None else candidate_ids)

    stored = StoredValues()
    planner = TaskPlanner(task_rules)
    facts_seen = FactsSeen(stored, task_rules)
    plan = _Reconciler(session, actor=actor)
    summary = GenerateSummary()
    total = len(people)
    no_workers: dict[str, str] = {}
    for done, row in enumerate(people, start=1):
        person_id, pathway = row[0], row[2]
        if touched is not None:
            before = plan.changed_count()
        person_workers = workers.get(person_id, no_workers)
        current = existing.get(person_id)
        handover_date = stored.date(row[4]) if row[4] is not None else transfer_date
        until = stored.date(row[-1]) if row[-1] is not None else None
        continuing = continuing_coordinator(row[1], until, handover_date)
        if needs_handover(pathway, person_workers, continuing):
            if handover_date is None:
                summary.without_handover_date += 1
                continue
            stays = keeps_worker(pathway, person_workers, continuing)
            handover = make_handover(row, person_workers, can_own,
                                     facts_seen.facts(row, handover_date, stays), until)
            summary.people += 1
            if current:
                if not plan.all_unchanged(current, handover, planner):
                    plan.reconcile(person_id, _converted(current, stored),
                                   planner.wanted(handover), task_rules, row,
                                   worker_stays=stays)
            else:
                plan.create_all(person_id, handover, planner)
        elif current:
            plan.reconcile(person_id, _converted(current, stored), {}, task_rules, row,
                           out_of_handover=True)
        if touched is not None and plan.changed_count() != before:
            touched.append(person_id)
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)
    if touched is None:
        plan.write(session)

    for name in ("created", "reopened", "not_needed", "owner_moved", "due_moved",
                 "template_changed", "unchanged"):
        setattr(summary, name, getattr(plan, name))
    return summary


class OutgoingOwners:
    """Whether a trust coordinator can own a person's outgoing tasks: on the latest staff list,
    not leaving on or before the person's handover date, and not away on it. Outgoing tasks
    fall due in the days before the handover; someone gone or away by then cannot do them, so
    the team manager holds them instead (and sees them as unowned). A worker the latest staff
    list no longer names (``missing_since_batch_id``) is treated as gone: the check counts them
    unavailable too (``worker_unavailable``)."""

    def __init__(self, session: Session) -> None:
        self.staff: dict[str, tuple[date | None, date | None, date | None]] = {
            staff_id: (leaving, starts, absent)
            for staff_id, leaving, starts, absent in session.execute(
                select(Staff.staff_id, Staff.leaving_date, Staff.absent_from, Staff.absent_until)
                .where(Staff.missing_since_batch_id.is_(None)))}  # type: ignore[union-attr]
        self.seen: dict[tuple[str, date], bool] = {}

    def __call__(self, staff_id: str, handover_date: date) -> bool:
        key = (staff_id, handover_date)
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = self.works_on(staff_id, handover_date)
        return found

    def works_on(self, staff_id: str, day: date) -> bool:
        if staff_id not in self.staff:
            return False
        leaving, starts, absent = self.staff[staff_id]
        return (leaving is None or leaving > day) and not away_on(day, starts, absent)


# ---------------------------------------------------------------------------------------------
# Reading what is there
# ---------------------------------------------------------------------------------------------

_TASK_COLUMNS = (
    Task.id, Task.person_id, Task.key, Task.title, Task.owner_kind, Task.owner_staff_id,
    raw(Task.due), Task.offset_working_days, raw(Task.handover_date), Task.status,
    Task.blocked_reason, raw(Task.depends_on), Task.version,
)


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _rows(session: Session, statement: Any) -> Sequence[Row[Any]]:
    """All rows of a read, through Core (the ORM's row handling is a third of a long read)."""
    return session.connection().execute(statement).all()


def _lock_tasks(session: Session) -> None:
    """Stop a manager's edit landing between reading and writing tasks (PostgreSQL).

    SQLite needs nothing: the write transaction holds the database's write lock from its start.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE task IN SHARE ROW EXCLUSIVE MODE"))


def _candidates(session: Session, ids: list[int] | None) -> Iterator[Sequence[Any]]:
    """People who may need tasks or have some: signposted, assigned, or with tasks already."""
    assigned = exists().where(
        Assignment.person_id == Person.id, Assignment.ended_at.is_(None)  # type: ignore[union-attr]
    )
    has_tasks = exists().where(Task.person_id == Person.id)
    statement = (
        select(*PERSON_COLUMNS)
        .where(or_(Person.pathway == Pathway.SIGNPOST.value, assigned, has_tasks))
        .order_by(Person.id)
    )
    if ids is None:
        yield from plain_rows(session, statement)
        return
    for chunk in _chunks(ids):
        yield from plain_rows(session, statement.where(Person.id.in_(chunk)))  # type: ignore[union-attr]


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
        for person_id, role, staff_id in plain_rows(session, batch):
            workers[person_id][role] = staff_id
    return workers


def _existing_tasks(session: Session, ids: list[int] | None
                    ) -> dict[int, dict[str, Sequence[Any]]]:
    """Every task (``_TASK_COLUMNS``, values as stored) by person and key.

    Left as the database gives them: most people's tasks are unchanged, which
    :meth:`_Reconciler.all_unchanged` tells from the stored values; only the others are
    converted (:func:`_converted`).
    """
    tasks: dict[int, dict[str, Sequence[Any]]] = defaultdict(dict)
    statement = select(*_TASK_COLUMNS)
    batches = [statement] if ids is None else [
        statement.where(Task.person_id.in_(chunk))  # type: ignore[attr-defined]
        for chunk in _chunks(ids)
    ]
    for batch in batches:
        for row in plain_rows(session, batch):
            tasks[row[1]][row[2]] = row
    return tasks


def _converted(current: dict[str, Sequence[Any]], stored: StoredValues) -> dict[str, _Existing]:
    return {
        key: _Existing(task_id, person_id, key, title, owner_kind, owner_staff_id,
                       stored.date(due), offset, stored.date(handover_date), status, reason,
                       stored.list(depends_on), version)
        for key, (task_id, person_id, _, title, owner_kind, owner_staff_id, due, offset,
                  handover_date, status, reason, depends_on, version) in current.items()
    }


# ---------------------------------------------------------------------------------------------
# Working out and writing the changes
# ---------------------------------------------------------------------------------------------


_INSERT_COLUMNS = (
    "person_id", "key", "title", "owner_kind", "owner_staff_id", "due", "offset_working_days",
    "handover_date", "status", "depends_on", "created_at", "updated_at", "updated_by", "version",
)


class _Reconciler:
    """Collects inserts, updates and audit rows for the whole run, then writes them in bulk."""

    sets_in_sql = True  # False: every new task as its own row (a test compares the two)

    def __init__(self, session: Session, *, actor: str) -> None:
        self.actor = actor
        self.now = utcnow()
        self.stored = DirectInsert(session, Task.__table__, ("id", *_INSERT_COLUMNS))  # type: ignore[attr-defined]
        self.stored_now = self.stored.time("created_at", self.now)
        # SQLite: new rows get their ids here, as SQLite itself would give them (one above the
        # largest; the write transaction holds the database meanwhile), so nothing is read
        # back. Elsewhere the database's sequence gives them and they are read back.
        largest = session.scalar(select(func.max(Task.id)))
        self.was_empty = largest is None
        self.next_id: int | None = (largest or 0) + 1 if self.stored.direct else None
        self.created_ids: dict[int, dict[str, int] | _NewIds] = {}
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[dict[str, Any]] = []
        self.changes: list[Change] = []
        self.created = self.reopened = self.not_needed = 0
        self.owner_moved = self.due_moved = self.template_changed = self.unchanged = 0
        self._rows_by_facts: dict[int, _FactsRows] = {}
        # SQLite: the tasks of people who have none yet go in as one row per person, SQLite
        # building their task rows from their set of facts' rows (see task_sets).
        self.sets = (TaskSets(status=_TODO, created_at=self.stored_now, actor=actor)
                     if self.next_id is not None and self.sets_in_sql else None)

    def changed_count(self) -> int:
        """Tasks added, reopened or changed so far (not those left unchanged)."""
        return (self.created + self.reopened + self.not_needed + self.owner_moved
                + self.due_moved + self.template_changed)

    def reconcile(self, person_id: int, current: dict[str, _Existing], wanted: dict[str, Wanted],
                  rules: TaskRules, person: Sequence[Any], *,
                  out_of_handover: bool = False, worker_stays: bool = False) -> None:
        for key, task in current.items():
            if key in wanted:
                self._bring_up_to_date(task, wanted[key])
            elif task.status in OPEN_STATUSES:
                self._not_needed(task, _why_not(key, rules, person, out_of_handover,
                                                worker_stays))
            else:
                self.unchanged += 1
        for key, item in wanted.items():
            if key not in current:
                self._create(person_id, key, item)

    def create_all(self, person_id: int, handover: Handover, planner: TaskPlanner) -> None:
        """Every task for a person who has none yet (the first run's path: no comparisons).

        Each distinct set of facts has its rows worked out once, values already as stored;
        per person only the owners are decided (once per kind of owner, not per task).
        """
        rows = self._rows_for(handover.facts, planner)
        lead_role = planner.rules.lead_role
        owners: list[str | None] = []  # each kind of owner's (owner kind, staff id), in turn
        for template in rows.kind_templates:
            owners += handover.owner(template, lead_role)
        task_id = self.next_id
        self.created += len(rows.templates)
        if task_id is not None:
            self.next_id = task_id + len(rows.templates)
            self.created_ids[person_id] = _NewIds(task_id, rows)
            if self.sets is not None:
                self.sets.add_person(person_id, task_id, rows.set_number, owners)
                return
        now, actor, append = self.stored_now, self.actor, self.inserts.append
        for key, _, kind, title, due, offset, handover_date, depends_on in rows.templates:
            append((task_id, person_id, key, title, owners[2 * kind], owners[2 * kind + 1], due,
                    offset, handover_date, _TODO, depends_on, now, now, actor, 1))
            if task_id is not None:
                task_id += 1

    def all_unchanged(self, current: dict[str, Sequence[Any]], handover: Handover,
                      planner: TaskPlanner) -> bool:
        """Whether none of a person's tasks needs a change (counted as unchanged if so).

        Compares the stored values with the rows :meth:`create_all` would write: equal stored
        values are equal values. Anything else (a task to add, one no longer wanted, one not
        needed, a difference) returns False for :meth:`reconcile` to work through.
        """
        rows = self._rows_for(handover.facts, planner)
        templates = rows.templates
        if len(templates) != len(current):
            return False
        lead_role = planner.rules.lead_role
        owners: list[tuple[str, str | None] | None] = [None] * len(rows.kind_templates)
        for key, template, kind, title, due, offset, handover_date, depends_on in templates:
            task = current.get(key)
            if task is None:
                return False
            status = task[9]
            if status == _DONE:
                continue
            if status == _NOT_NEEDED:
                return False
            owner = owners[kind]
            if owner is None:
                owner = owners[kind] = handover.owner(template, lead_role)
            if (task[3] != title or task[4] != owner[0] or task[5] != owner[1]
                    or task[6] != due or task[7] != offset or task[8] != handover_date
                    or task[11] != depends_on):
                return False
        self.unchanged += len(templates)
        return True

    def _rows_for(self, facts: PersonFacts, planner: TaskPlanner) -> _FactsRows:
        """A set of facts' tasks as stored rows but for the owner (worked out once per set)."""
        found = self._rows_by_facts.get(id(facts))
        if found is not None:
            return found
        stored = self.stored
        handover_date = stored.date("handover_date", facts.handover_date)
        kinds: dict[tuple[Any, Any], int] = {}
        kind_templates: list[TaskTemplate] = []
        templates = []
        for item in planner.planned(facts):
            kind = kinds.setdefault((item.template.owner, item.template.incoming_role),
                                    len(kinds))
            if kind == len(kind_templates):
                kind_templates.append(item.template)
            templates.append(_RowTemplate(
                item.key, item.template, kind, item.template.title,
                stored.date("due", item.due), item.offset_working_days, handover_date,
                stored.json("depends_on", item.depends_on),
            ))
        set_number = -1 if self.sets is None else self.sets.add_set([
            (row.key, row.kind, row.title, row.due, row.offset_working_days,
             row.handover_date, row.depends_on) for row in templates
        ])
        keys = tuple(row.key for row in templates)
        found = self._rows_by_facts[id(facts)] = _FactsRows(
            facts, tuple(templates), keys, tuple(kind_templates), set_number,
            _created_json(keys))
        return found

    def _create(self, person_id: int, key: str, item: Wanted) -> None:
        self.created += 1
        stored = self.stored
        task_id = self.next_id
        if task_id is not None:
            self.created_ids.setdefault(person_id, {})[key] = task_id
            self.next_id = task_id + 1
        self.inserts.append((
            task_id, person_id, key, item.title, item.owner_kind, item.owner_staff_id,
            stored.date("due", item.due), item.offset_working_days,
            stored.date("handover_date", item.handover_date), _TODO,
            stored.json("depends_on", item.depends_on), self.stored_now, self.stored_now,
            self.actor, 1,
        ))

    def _not_needed(self, task: _Existing, why: str) -> None:
        self.not_needed += 1
        reason = NO_LONGER_APPLIES + why
        self._update(task, status=TaskStatus.NOT_NEEDED.value, blocked_reason=reason)
        self._audit(task, "task.status", "status", task.status, TaskStatus.NOT_NEEDED.value,
                    reason)

    def _bring_up_to_date(self, task: _Existing, item: Wanted) -> None:
        status = task.status
        if status == _DONE:
            self.unchanged += 1
            return
        same_owner = (task.owner_kind, task.owner_staff_id) == (item.owner_kind,
                                                                item.owner_staff_id)
        same_due = (task.due == item.due and task.handover_date == item.handover_date
                    and task.offset_working_days == item.offset_working_days)
        same_template = task.title == item.title and task.depends_on == item.depends_on
        if status != _NOT_NEEDED and same_owner and same_due and same_template:
            self.unchanged += 1
            return
        values: dict[str, Any] = {}
        if status == _NOT_NEEDED:
            if not (task.blocked_reason or "").startswith(NO_LONGER_APPLIES):
                self.unchanged += 1  # a manager decided it is not needed
                return
            self.reopened += 1
            values.update(status=_TODO, blocked_reason=None)
            self._audit(task, "task.status", "status", status, _TODO,
                        "Applies again after a change to the plan, the person or the rules")
        if not same_owner:
            self.owner_moved += 1
            owner = {"owner_kind": item.owner_kind, "owner_staff_id": item.owner_staff_id}
            values.update(owner)
            before = {"owner_kind": task.owner_kind, "owner_staff_id": task.owner_staff_id}
            self._audit(task, "task.owner", "owner_staff_id", before, owner,
                        "The worker changed")
        if not same_due:
            self.due_moved += 1
            due = {"due": item.due, "offset_working_days": item.offset_working_days,
                   "handover_date": item.handover_date}
            values.update(due)
            before = {"due": task.due, "offset_working_days": task.offset_working_days,
                      "handover_date": task.handover_date}
            self._audit(task, "task.due", "due", before, due,
                        "The handover date or the deadline rule changed")
        if not same_template:
            self.template_changed += 1
            template = {"title": item.title, "depends_on": item.depends_on}
            values.update(template)
            before = {"title": task.title, "depends_on": task.depends_on}
            self._audit(task, "task.template", "title", before, template,
                        "The task's template in the rules changed")
        self._update(task, **values)

    def _update(self, task: _Existing, **values: Any) -> None:
        self.updates.append({
            "id": task.id, **values, "updated_at": self.now, "updated_by": self.actor,
            "version": task.version + 1,
        })

    def _audit(self, task: _Existing, action: str, field_name: str, before: Any, after: Any,
               reason: str | None) -> None:
        self.changes.append(Change(
            action=action, entity="task", entity_key=str(task.id), person_id=task.person_id,
            field=field_name, before=before, after=after, reason=reason,
        ))

    def write(self, session: Session) -> None:
        created: dict[int, dict[str, int] | _NewIds] = {}
        if self.inserts or self.sets:
            created = self._insert(session)
        # Bulk UPDATE by primary key, grouped so every row in a batch sets the same columns.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in self.updates:
            groups[tuple(sorted(row))].append(row)
        for rows in groups.values():
            session.execute(update(Task).execution_options(synchronize_session=False), rows)
        record_many(session, self.changes, actor=self.actor, at=self.now)
        # One event per person names the tasks made for them (key -> task id); their owners
        # and dates at creation are the task's own, or the ``before`` of its first later
        # change. At 100,000 people this keeps the trail to one row each.
        _record_created(session, created, actor=self.actor, at=self.now)
        # Bulk statements bypass the session: reload any Task the caller holds on next use.
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Task):
                session.expire(instance)

    def _insert(self, session: Session) -> dict[int, dict[str, int] | _NewIds]:
        """Insert the new tasks; their ids by person and key, people in the order inserted."""
        if self.next_id is None:
            before = session.scalar(select(func.max(Task.id))) or 0
            rows = [row[1:] for row in self.inserts]
            DirectInsert(session, Task.__table__, _INSERT_COLUMNS).execute(session, rows)  # type: ignore[attr-defined]
            ids = _new_ids(session, before, rows)
            created: dict[int, dict[str, int]] = defaultdict(dict)
            for person_id, key, *_ in rows:
                created[person_id][key] = ids[(person_id, key)]
            return dict(created)
        with indexes_set_aside(session, "task", bulk=self.was_empty):
            self.stored.execute(session, self.inserts)
            if self.sets is not None:
                self.sets.write(session)
        return self.created_ids


class _FactsRows(NamedTuple):
    """A set of facts' tasks (``templates``), their keys, a template for each kind of owner
    (numbered as ``_RowTemplate.kind``) and, when written by SQLite, the set's number there."""

    facts: PersonFacts  # kept alive: its id() is the key these are remembered by
    templates: tuple[_RowTemplate, ...]
    keys: tuple[str, ...]
    kind_templates: tuple[TaskTemplate, ...]
    set_number: int
    created_json: str


def _created_json(keys: Sequence[str]) -> str:
    """The task.create event's JSON of {key: id, ...} as the audit column's serializer
    (``json_dumps``) writes it, each id left to fill in with ``%``: one formatting per person
    instead of a dict and an encoding (a test checks the two agree)."""
    return "{" + ", ".join(f"{json_dumps(key).replace('%', '%%')}: %d" for key in keys) + "}"


class _NewIds(NamedTuple):
    """The ids of a person's new tasks: consecutive from ``first``, in their set's order."""

    first: int
    rows: _FactsRows

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.rows.keys, range(self.first, self.first + len(self.rows.keys)),
                        strict=True))

    def json(self) -> str:
        """``as_dict()`` as the audit's JSON column stores it."""
        return self.rows.created_json % tuple(
            range(self.first, self.first + len(self.rows.keys)))


class _RowTemplate(NamedTuple):
    """A planned task as a stored row for one set of facts; ``kind`` numbers its owner rule."""

    key: str
    template: TaskTemplate
    kind: int
    title: str
    due: Any
    offset_working_days: int
    handover_date: Any
    depends_on: Any


def _record_created(session: Session, created: dict[int, dict[str, int] | _NewIds], *,
                    actor: str, at: datetime) -> None:
    """The ``task.create`` events, one per person, as :func:`record_many` writes them.

    On SQLite straight to the driver (the values need no conversion but the time, once, and
    the JSON, with the column's own serializer): a third of a first run's time otherwise. Only
    the person and the JSON vary; the rest is bound once (``DirectInsert.execute``).
    """
    if not created:
        return
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    writer = DirectInsert(session, table, ("person_id", "after"))
    if not writer.direct:
        record_many(session, [
            Change(action="task.create", entity="task", person_id=person_id, field="tasks",
                   after=ids.as_dict() if isinstance(ids, _NewIds) else ids)
            for person_id, ids in created.items()
        ], actor=actor, at=at)
        return
    to_json = writer.processor("after")
    assert to_json is not None
    writer.execute(
        session, [(person_id, ids.json() if isinstance(ids, _NewIds) else to_json(ids))
                  for person_id, ids in created.items()],
        constants={"at": at, "actor": actor, "action": "task.create", "entity": "task",
                   "entity_key": None, "field": "tasks", "before": None, "reason": None,
                   "batch_id": None},
    )


def _new_ids(session: Session, before: int, inserted: list[tuple[Any, ...]]
             ) -> dict[tuple[int, str], int]:
    """The ids of the rows just inserted, by (person id, key), which is unique.

    They are above the largest id before the insert (the task table is locked meanwhile), so
    one range read finds them; the person-by-person read is the fallback.
    """
    ids = {
        (person_id, key): task_id
        for task_id, person_id, key in _rows(
            session, select(Task.id, Task.person_id, Task.key).where(Task.id > before)
        )
    }
    if all((row[0], row[1]) in ids for row in inserted):
        return ids
    for chunk in _chunks(sorted({row[0] for row in inserted})):
        statement = select(Task.id, Task.person_id, Task.key).where(
            Task.person_id.in_(chunk)  # type: ignore[attr-defined]
        )
        for task_id, person_id, key in _rows(session, statement):
            ids[(person_id, key)] = task_id
    return ids


def _why_not(key: str, rules: TaskRules, person: Sequence[Any], out_of_handover: bool,
             worker_stays: bool = False) -> str:
    """Why a task no longer applies; ``person`` is the person's row (``PERSON_COLUMNS``)."""
    if out_of_handover:
        return "the person's worker no longer changes in the accepted allocation"
    if key not in rules.enabled:
        return "the rules no longer include this task"
    if worker_stays and not rules.enabled[key].also_when_worker_stays:
        return ("the person keeps their worker in the accepted allocation: there is no new "
                "worker to hand over to")
    if (Flag.CARER_MAY_BE_TOLD in rules.enabled[key].flags
            and not person[CARER_MAY_BE_TOLD_AT]):
        return ("no carer may be told now: the person does not agree to their carer being "
                "told (carer consent: no), or no carer is recorded")
    pathway, risk_band = person[2], person[3]
    return (
        f"it no longer applies to this person (pathway {pathway or 'not decided'}, "
        f"risk band {risk_band or 'not scored'})"
    )


def _count_open(session: Session, summary: GenerateSummary, as_of: date,
                ids: list[int] | None) -> None:
    """Open, overdue and unowned open tasks afterwards (everyone's, or the people's run)."""
    statement = select(
        func.count(),
        func.count(case((Task.due < as_of, 1))),
        func.count(case((Task.owner_staff_id.is_(None), 1))),  # type: ignore[union-attr]
    ).where(Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
    batches = [statement] if ids is None else [
        statement.where(Task.person_id.in_(chunk))  # type: ignore[attr-defined]
        for chunk in _chunks(ids)
    ]
    for batch in batches:
        open_tasks, overdue, unowned = session.execute(batch).one()
        summary.open += open_tasks
        summary.overdue += overdue
        summary.unowned_open += unowned
