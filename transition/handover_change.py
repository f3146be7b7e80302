"""Changing one person's handover date and what follows from it, for the command line
(``transition handover-date NHS DATE``) and the person screen alike: the change (audited,
:func:`transition.handover.set_handover_date`), their tasks brought up to date, and what a
manager must hear about (a worker who will not be there on the new date, letters written with
the old one, a date in the past, not a working day, or after the transfer date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from transition.handover import (
    AbsentWorker,
    HandoverDateChange,
    effective_handover_date,
    set_handover_date,
    workers_not_there,
)
from transition.letter_records import out_of_date_letters
from transition.matching import ROLE_WORDS
from transition.models import Person, Task
from transition.programme import transfer_date
from transition.ruleset import Rules
from transition.tasks import GenerateSummary, generate_tasks
from transition.widgets.format import uk_dates_in
from transition.working_days import is_working_day, next_working_day


@dataclass
class HandoverOutcome:
    """What :func:`change_handover_date` did and found."""

    change: HandoverDateChange
    effective: date | None  # the day they now move (None: no transfer date set)
    programme_date: date | None
    tasks: GenerateSummary | None = None  # None: not touched (no change, or no tasks yet)
    not_there: list[AbsentWorker] = field(default_factory=list)
    letters_out_of_date: int = 0

    def task_counts(self) -> dict[str, int]:
        """The task changes as ``--json`` gives them."""
        tasks = self.tasks
        if tasks is None:
            return {"task_due_dates_moved": 0, "tasks_added": 0, "tasks_not_needed": 0,
                    "task_owners_moved": 0}
        return {"task_due_dates_moved": tasks.due_moved,
                "tasks_added": tasks.created + tasks.reopened,
                "tasks_not_needed": tasks.not_needed, "task_owners_moved": tasks.owner_moved}

    def tasks_in_words(self) -> list[str]:
        """'6 task due dates moved.', 'Their tasks: 4 given a new owner.' (none: nothing)."""
        counts = self.task_counts()
        lines = []
        if moved := counts["task_due_dates_moved"]:
            lines.append(f"{moved} task due date{'s' if moved != 1 else ''} moved.")
        said = [f"{number} {what}" for number, what in (
            (counts["tasks_added"], "added"), (counts["tasks_not_needed"], "no longer needed"),
            (counts["task_owners_moved"], "given a new owner")) if number]
        if said:
            lines.append(f"Their tasks: {', '.join(said)}.")
        return lines

    def notes(self, today: date) -> list[str]:
        """What a manager should know now: the date's notes, then each worker who will not
        be there, then letters out of date."""
        effective = self.effective
        notes = date_notes(effective, today) if effective is not None else []
        after = self.change.after
        if after is not None and self.programme_date is not None and after > self.programme_date:
            notes.append(after_transfer_note(after, self.programme_date))
        for item in self.not_there:
            assert effective is not None
            notes.append(f"Warning: their {ROLE_WORDS.get(item.role, item.role.replace('_', ' '))}"
                         f" ({item.staff_id}) will not be there for the handover on "
                         f"{effective:%A %-d %B %Y}: {uk_dates_in(item.why)}. Choose another "
                         "worker (transition assign, or transition check --apply).")
        if stale := self.letters_out_of_date:
            them = "it" if stale == 1 else "them"
            notes.append(f"Warning: {stale} letter{'s' if stale != 1 else ''} already written "
                         f"for them {'is' if stale == 1 else 'are'} now out of date (transition "
                         f"letters status says why): do not post {them}; write {them} again "
                         "with transition letters generate.")
        return notes


def change_handover_date(
    session: Session,
    rules: Rules,
    person: Person,
    new_date: date | None,
    *,
    actor: str,
    today: date,
    reason: str | None = None,
    expected_version: int | None = None,
) -> HandoverOutcome:
    """Give ``person`` their own handover date (None: the programme's), then bring their tasks
    up to date (when they have any) and find what the new date breaks."""
    assert person.id is not None
    person_id = person.id
    change = set_handover_date(session, person, new_date, actor=actor, reason=reason,
                               expected_version=expected_version)
    programme_date = transfer_date(session)
    effective = effective_handover_date(person, programme_date)
    outcome = HandoverOutcome(change, effective, programme_date)
    has_tasks = session.scalar(select(func.count()).select_from(Task)
                               .where(Task.person_id == person_id))
    if change.changed and has_tasks and effective is not None:
        # The date can decide whether their worker changes at all (a coordinator whose
        # allocation ends between the two dates): then tasks are added or set aside too.
        outcome.tasks = generate_tasks(session, rules.tasks, as_of=today, actor=actor,
                                       transfer_date=programme_date, person_ids=[person_id])
    if effective is not None:
        outcome.not_there = workers_not_there(session, person, effective, rules.matching)
    if change.changed:
        outcome.letters_out_of_date = len(out_of_date_letters(session, [person_id]))
    return outcome


def date_notes(day: date, today: date) -> list[str]:
    """What a manager should know about a handover or transfer date just set: that it is in
    the past, or not a working day (task deadlines count working days)."""
    notes = []
    if day < today:
        notes.append(f"Note: {day:%A %-d %B %Y} is in the past (today is {today:%-d %B %Y}): "
                     "every task due before it is already overdue. If that is not what you "
                     "meant, set the date again.")
    if not is_working_day(day):
        notes.append(f"Note: {day:%A %-d %B %Y} is not a working day in England and Wales; the "
                     f"next working day is {next_working_day(day):%A %-d %B %Y}.")
    return notes


def after_transfer_note(day: date, programme_date: date) -> str:
    """A handover date after the programme's transfer date: most likely a mistyped year."""
    return (f"Note: {day:%A %-d %B %Y} is after the programme's transfer date "
            f"({programme_date:%A %-d %B %Y}), the day the partnership ends. If that is not "
            "what you meant, set the date again.")
