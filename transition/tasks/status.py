"""Changing a task by hand: its status, a note, with dependencies and concurrency checked.

Statuses: ``todo``, ``in_progress``, ``done``, ``not_needed`` and ``blocked`` (both set by hand
need a reason: what it waits for, or why it is not needed; a task set aside unexplained would
be a gap in the record of the handover). A task cannot be marked done while a task it depends on (``depends_on``) is still open;
the error names them. Every change writes the audit trail (``task.status``, ``task.note``) and
bumps ``Task.version``: an edit made from a screen passes the version it read and fails with a
ConflictError if someone else changed the task since.

``blocked_reason`` holds the reason for the current status: why a task is blocked, or why it is
not needed (given by a manager, or written by ``generate`` when a task stops applying).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, select, tuple_, update
from sqlmodel import Session

from transition import nhs
from transition.audit import REASON_LIMIT as AUDIT_REASON_LIMIT
from transition.audit import Change, record_many
from transition.concurrency import changed_by
from transition.errors import EXIT_PARTIAL, ConflictError, NotFoundError, TransitionError
from transition.models import AuditEvent, Person, Task, TaskStatus, utcnow
from transition.widgets.format import task_status, uk_date

OPEN_STATUSES: tuple[str, ...] = (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)
CLOSED_STATUSES: tuple[str, ...] = (TaskStatus.DONE, TaskStatus.NOT_NEEDED)
STATUS_NAMES: tuple[str, ...] = tuple(status.value for status in TaskStatus)
STATUS_CHOICES = ", ".join(STATUS_NAMES)
MAX_NOTE: int = Task.__table__.c.note.type.length  # type: ignore[attr-defined]
# A status's reason is kept twice, in the task and in the audit trail: the shorter column holds it.
MAX_REASON: int = min(Task.__table__.c.blocked_reason.type.length,  # type: ignore[attr-defined]
                      AUDIT_REASON_LIMIT)
NO_LONGER_APPLIES = "No longer applies: "
"""How ``generate`` starts the reason it writes when it marks a task not needed; a task marked
not needed by a person never starts so, and generate leaves it alone."""


class DependencyError(TransitionError):
    """A task cannot be done yet: tasks it depends on are still open.

    Said with the tasks' titles, due dates and statuses as the screens show them. The message
    keeps the task ids in brackets (the command line acts on them: ``transition tasks set ID``);
    :meth:`in_words` leaves them out, for a screen that shows the tasks themselves."""

    exit_code = EXIT_PARTIAL

    def __init__(self, task: Task, waiting: Sequence[Task], *, whose: str | None = None):
        self.title = task.title
        self.task_id = task.id
        self.whose = whose  # "for ******4988": when the task is named by its person, not its id
        self.waiting = [(other.id, other.title, other.due, other.status) for other in waiting]
        super().__init__(self.in_words(ids=True),
                         hint=f"Mark {'that' if len(waiting) == 1 else 'those'} done first, or "
                              "not_needed (saying why: --reason) if "
                              f"{'it does' if len(waiting) == 1 else 'they do'} not apply to "
                              "this person.")

    def in_words(self, *, ids: bool = False) -> str:
        """'Care Act review cannot be done before First contact by the new worker (due 8 Apr
        2027, to do)' (with ``ids``: '(task 489)' after the title, 'task 488, ' in the
        brackets)."""
        def said(task_id: int | None, title: str, due: date, status: str) -> str:
            number = f"task {task_id}, " if ids else ""
            return f"{title} ({number}due {uk_date(due)}, {task_status(status).lower()})"

        names = [said(*item) for item in self.waiting]
        before = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        task = f"{self.title}{f' (task {self.task_id})' if ids else ''}"
        whose = f" {self.whose}" if self.whose else ""
        return f"{task}{whose} cannot be done before {before}."

    def for_screen(self) -> str:
        """The refusal as a screen says it: no ids, the way out in the same sentence."""
        them = len(self.waiting) != 1
        return (f"{self.in_words()[:-1]}: mark {'those' if them else 'that'} done first, or "
                f"'not needed' if {'they do' if them else 'it does'} not apply to this person.")


def parse_status(value: str) -> TaskStatus:
    """A status from the command line or a screen, or an error listing the choices."""
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return TaskStatus(text)
    except ValueError:
        raise TransitionError(
            f"{value!r} is not a task status.", hint=f"Use one of: {STATUS_CHOICES}."
        ) from None


# The largest id a database can hold (a 64-bit integer): a longer number, mistyped, is no
# task's, and SQLite's driver cannot even bind it.
_LARGEST_ID = 2**63 - 1


def require_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id) if 0 < task_id <= _LARGEST_ID else None
    if task is None:
        raise NotFoundError(
            f"There is no task {task_id}.",
            hint="List tasks with: transition tasks list (the first column is the task id).",
        )
    return task


def task_history(session: Session, task_id: int) -> list[AuditEvent]:
    """Every audited change to one task, oldest first, starting with its creation."""
    task = require_task(session, task_id)
    own = select(AuditEvent).where(AuditEvent.entity == "task",
                                   AuditEvent.entity_key == str(task_id))
    created = select(AuditEvent).where(AuditEvent.action == "task.create",
                                       AuditEvent.person_id == task.person_id)
    creation = [event for event in session.scalars(created)
                if isinstance(event.after, dict) and event.after.get(task.key) == task_id]
    return sorted([*creation, *session.scalars(own)], key=lambda event: event.id or 0)


def open_dependencies(session: Session, task: Task) -> list[Task]:
    """The tasks ``task`` depends on that are not yet done or not needed."""
    if not task.depends_on:
        return []
    statement = (
        select(Task)
        .where(Task.person_id == task.person_id, Task.key.in_(task.depends_on))  # type: ignore[attr-defined]
        .where(Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
        .order_by(Task.due, Task.id)
    )
    return list(session.scalars(statement))


def dependency_names(session: Session, tasks: Iterable[tuple[int, Sequence[str]]]
                     ) -> dict[tuple[int, str], tuple[str, str]]:
    """(person id, key) -> (title, status) of the tasks these (person id, ``depends_on``)
    wait for, so a screen names them as it names any task, not by their keys."""
    wanted = sorted({(person_id, key) for person_id, keys in tasks for key in keys or ()})
    found: dict[tuple[int, str], tuple[str, str]] = {}
    for start in range(0, len(wanted), 2000):
        statement = select(Task.person_id, Task.key, Task.title, Task.status).where(
            tuple_(Task.person_id, Task.key).in_(wanted[start : start + 2000]))
        for person_id, key, title, status in session.execute(statement):
            found[person_id, key] = (title, status)
    return found


@dataclass(frozen=True, slots=True)
class StatusChange:
    task_id: int
    key: str
    before: str
    after: str
    version: int


def set_task_status(
    session: Session,
    task_id: int,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> StatusChange:
    """Change one task's status (and note) by hand, audited.

    ``reason`` is required for ``blocked`` and ``not_needed``. ``note`` replaces the
    task's note (the audit trail keeps every earlier one). ``expected_version`` is the version
    the caller read; if the task has changed since, nothing is written and ConflictError says so.
    """
    new_status = parse_status(status)
    task = require_task(session, task_id)
    if expected_version is not None and task.version != expected_version:
        raise _conflict(session, task)
    reason = (reason or "").strip() or None
    if reason and reason.startswith(NO_LONGER_APPLIES):
        reason = f"({actor}) {reason}"  # so generate never mistakes it for its own
    note = None if note is None else note.strip()
    if new_status is TaskStatus.BLOCKED and not reason:
        raise TransitionError(
            f"Task {task.id} cannot be marked blocked without a reason.",
            hint="Say what it is waiting for, e.g. --reason 'Waiting for the GP to reply'.",
        )
    if new_status is TaskStatus.NOT_NEEDED and not reason:
        raise TransitionError(
            f"Task {task.id} cannot be marked not needed without a reason.",
            hint="Say why it is not needed, e.g. --reason 'Told in person at the review'.",
        )
    if reason and new_status not in (TaskStatus.BLOCKED, TaskStatus.NOT_NEEDED):
        raise TransitionError(
            "A reason is kept only for blocked or not_needed.",
            hint="Use --note for anything else worth recording.",
        )
    if reason:
        _check_reason(reason, f"task {task.id}")
    if new_status is TaskStatus.DONE and task.status != TaskStatus.DONE:
        waiting = open_dependencies(session, task)
        if waiting:
            raise DependencyError(task, waiting)
    if note is not None:
        note = _checked_note(note, f"task {task.id}")

    before_status, before_version = task.status, task.version
    now = utcnow()
    values: dict[str, object] = {"updated_at": now, "updated_by": actor}
    changes: list[Change] = []
    if new_status != before_status or reason != task.blocked_reason:
        values.update(status=new_status.value, blocked_reason=reason)
        if new_status != before_status:
            values["completed_at"] = now if new_status is TaskStatus.DONE else None
        changes.append(_change(task, "task.status", "status", before_status, new_status.value,
                               reason))
    if note is not None and note != (task.note or ""):
        values["note"] = note or None
        changes.append(_change(task, "task.note", "note", task.note, note or None, None))
    if not changes:
        return StatusChange(task_id, task.key, before_status, before_status, before_version)
    result = session.execute(
        update(Task)
        .where(and_(Task.id == task_id, Task.version == before_version))
        .values(**values, version=before_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(session, task)
    record_many(session, changes, actor=actor, at=now)
    session.expire(task)
    return StatusChange(task_id, task.key, before_status, new_status.value, before_version + 1)


def set_task_note(
    session: Session,
    task_id: int,
    note: str,
    *,
    actor: str,
    expected_version: int | None = None,
) -> StatusChange:
    """Replace one task's note (blank clears it), audited as ``task.note``; the status stays.

    The audit trail keeps every earlier note. ``expected_version`` is the version the caller
    read; if the task has changed since, nothing is written and ConflictError says so.
    """
    task = require_task(session, task_id)
    if expected_version is not None and task.version != expected_version:
        raise _conflict(session, task)
    text = _checked_note(note, f"task {task.id}")
    before_version = task.version
    if text == (task.note or ""):
        return StatusChange(task_id, task.key, task.status, task.status, before_version)
    now = utcnow()
    result = session.execute(
        update(Task)
        .where(and_(Task.id == task_id, Task.version == before_version))
        .values(note=text or None, updated_at=now, updated_by=actor, version=before_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(session, task)
    record_many(session, [_change(task, "task.note", "note", task.note, text or None, None)],
                actor=actor, at=now)
    session.expire(task)
    return StatusChange(task_id, task.key, task.status, task.status, before_version + 1)


def _checked_note(note: str, whose: str) -> str:
    """``note`` without surrounding spaces, or an error if it is too long to keep."""
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise TransitionError(f"The note for {whose} is {len(text):,} characters long; "
                              f"a note can be at most {MAX_NOTE:,}.",
                              hint="Shorten it, or keep the detail in the person's case record.")
    return text


def _check_reason(reason: str, whose: str) -> None:
    """An error if ``reason`` is too long to keep (the task's and the audit trail's column)."""
    if len(reason) > MAX_REASON:
        raise TransitionError(
            f"The reason for {whose} is {len(reason):,} characters long; a reason can be at "
            f"most {MAX_REASON:,}. Nothing was changed.",
            hint="Say briefly what it is waiting for or why it is not needed, and put the "
            "detail in the note (--note, up to "
            f"{MAX_NOTE:,} characters) or the person's case record.")


def _conflict(session: Session, task: Task) -> ConflictError:
    now = session.scalar(select(Task.status).where(Task.id == task.id))
    who = changed_by(session, entity="task", entity_key=str(task.id))
    return ConflictError(
        f"Task {task.id} ({task.key}) was changed by {who} since you read it (its status is "
        f"now {now}); nothing was saved.",
        hint="Reload the task, check what changed, and make your change again.",
    )


def _change(task: Task, action: str, field_name: str, before: object, after: object,
            reason: str | None) -> Change:
    return Change(
        action=action, entity="task", entity_key=str(task.id), person_id=task.person_id,
        field=field_name, before=before, after=after, reason=reason,
    )


# ---------------------------------------------------------------------------------------------
# For other modules: letters marks letter tasks done
# ---------------------------------------------------------------------------------------------


@dataclass
class MarkDoneResult:
    """What :func:`mark_tasks_done` did."""

    done: int = 0
    already_done: int = 0
    not_needed: list[tuple[int, str]] = field(default_factory=list)  # left as they are
    # Left blocked: a manager's block (and its reason) is never overridden here.
    blocked: list[tuple[int, str]] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)
    waiting: dict[tuple[int, str], list[str]] = field(default_factory=dict)


def mark_tasks_done(
    session: Session,
    items: Iterable[tuple[int, str]],
    *,
    actor: str,
    note: str | None = None,
    reason: str | None = None,
) -> MarkDoneResult:
    """Mark many (person id, task key) tasks done at once, audited (a bulk path for letters).

    ``reason`` goes in the audit trail (e.g. "letter generated"); ``note``, if given, replaces
    the task's note (stripped, blank clears it, at most 2,000 characters, audited as
    ``task.note`` as :func:`set_task_note` does). Reported and left as they are: tasks that do
    not exist (``missing``; they are never created here), tasks someone marked ``not_needed``,
    tasks someone marked ``blocked`` (``blocked``: the block and its reason stay until someone
    clears them), and tasks whose dependencies are still open (``waiting``: (person, key) ->
    the open keys).
    """
    text = None if note is None else _checked_note(note, "the tasks marked done")
    reason = (reason or "").strip() or None
    if reason:
        _check_reason(reason, "the tasks marked done")
    wanted = sorted(set(items))
    result = MarkDoneResult()
    if not wanted:
        return result
    found: dict[tuple[int, str], Task] = {}
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        statement = select(Task).where(tuple_(Task.person_id, Task.key).in_(chunk))
        for task in session.scalars(statement):
            found[(task.person_id, task.key)] = task
    open_keys = _open_keys(session, {pid for pid, _ in found})
    now = utcnow()
    rows: list[dict[str, object]] = []
    changes: list[Change] = []
    for item in wanted:
        task = found.get(item)
        if task is None:
            result.missing.append(item)
            continue
        if task.status == TaskStatus.DONE:
            result.already_done += 1
            continue
        if task.status == TaskStatus.NOT_NEEDED:
            result.not_needed.append(item)
            continue
        if task.status == TaskStatus.BLOCKED:
            result.blocked.append(item)
            continue
        waiting = sorted(set(task.depends_on or ()) & open_keys.get(task.person_id, set()))
        if waiting:
            result.waiting[item] = waiting
            continue
        new_note = task.note if text is None else text or None
        rows.append({
            "id": task.id, "status": TaskStatus.DONE.value, "blocked_reason": None,
            "completed_at": now, "updated_at": now, "updated_by": actor,
            "version": task.version + 1, "note": new_note,
        })
        changes.append(_change(task, "task.status", "status", task.status, TaskStatus.DONE.value,
                               reason))
        if new_note != task.note:
            changes.append(_change(task, "task.note", "note", task.note, new_note, None))
    if rows:
        session.execute(update(Task).execution_options(synchronize_session=False), rows)
        record_many(session, changes, actor=actor, at=now)
        for task in found.values():
            session.expire(task)
    result.done = len(rows)
    return result


def _open_keys(session: Session, person_ids: set[int]) -> dict[int, set[str]]:
    keys: dict[int, set[str]] = defaultdict(set)
    ids = sorted(person_ids)
    for start in range(0, len(ids), 5000):
        statement = select(Task.person_id, Task.key).where(
            Task.person_id.in_(ids[start : start + 5000]),  # type: ignore[attr-defined]
            Task.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
        )
        for person_id, key in session.execute(statement):
            keys[person_id].add(key)
    return keys


def mark_task_done(
    session: Session,
    person_id: int,
    key: str,
    *,
    actor: str,
    note: str | None = None,
    reason: str | None = None,
) -> bool:
    """Mark one person's task done (audited): True if it is done now (or was already).

    False if the person has no such task, or it was marked not needed or blocked (left alone).
    Raises DependencyError, naming them, if tasks it depends on are still open.
    """
    result = mark_tasks_done(session, [(person_id, key)], actor=actor, note=note, reason=reason)
    if result.missing or result.not_needed or result.blocked:
        return False
    if (person_id, key) in result.waiting:
        task = session.scalars(select(Task).where(Task.person_id == person_id,
                                                  Task.key == key)).one()
        number = session.scalar(select(Person.nhs_number).where(Person.id == person_id))
        raise DependencyError(task, open_dependencies(session, task),
                              whose=f"for {nhs.mask(number)}")
    return True
