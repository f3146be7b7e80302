"""Changing a handover date and what follows from it, for the command line and the app alike:
one person's (``transition handover-date NHS DATE``, the person screen) or everyone's in a team
or locality (``--team``/``--locality``, the caseload screen). The change (audited,
:mod:`transition.handover`), their tasks brought up to date, and what a manager must hear about
(a worker who will not be there on the new date, letters written with the old one, a date in
the past, not a working day, or after the transfer date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlmodel import Session

from transition.allocation import move_starts_to_handover
from transition.handover import (
    AbsentWorker,
    GroupHandoverChange,
    HandoverDateChange,
    effective_handover_date,
    set_group_handover_date,
    set_handover_date,
    workers_not_there,
    workers_not_there_for,
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
    starts_moved: int = 0  # new workers now starting on the new date

    def task_counts(self) -> dict[str, int]:
        """The task changes as ``--json`` gives them."""
        return task_counts(self.tasks)

    def tasks_in_words(self) -> list[str]:
        """What followed, in sentences: 'Their new worker now starts that day too.', '6 task
        due dates moved.', 'Their tasks: 4 given a new owner.' (none: nothing)."""
        return starts_in_words(self.starts_moved, group=False) + tasks_in_words(self.tasks)

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
            notes.append(stale_letters_note(stale, "them"))
        return notes


def task_counts(tasks: GenerateSummary | None) -> dict[str, int]:
    """What bringing tasks up to date did, as ``--json`` gives it (None: not done)."""
    if tasks is None:
        return {"task_due_dates_moved": 0, "tasks_added": 0, "tasks_not_needed": 0,
                "task_owners_moved": 0}
    return {"task_due_dates_moved": tasks.due_moved,
            "tasks_added": tasks.created + tasks.reopened,
            "tasks_not_needed": tasks.not_needed, "task_owners_moved": tasks.owner_moved}


def tasks_in_words(tasks: GenerateSummary | None) -> list[str]:
    """'6 task due dates moved.', 'Their tasks: 4 given a new owner.' (none: nothing)."""
    counts = task_counts(tasks)
    lines = []
    if moved := counts["task_due_dates_moved"]:
        lines.append(f"{moved} task due date{'s' if moved != 1 else ''} moved.")
    said = [f"{number} {what}" for number, what in (
        (counts["tasks_added"], "added"), (counts["tasks_not_needed"], "no longer needed"),
        (counts["task_owners_moved"], "given a new owner")) if number]
    if said:
        lines.append(f"Their tasks: {', '.join(said)}.")
    return lines


def starts_in_words(moved: int, *, group: bool) -> list[str]:
    """New workers whose start moved with the handover date (none: nothing)."""
    if not moved:
        return []
    if group:
        workers = "1 new worker now starts" if moved == 1 else f"{moved} new workers now start"
        return [f"{workers} on the new date."]
    return ["Their new worker now starts that day too." if moved == 1 else
            f"Their {moved} new workers now start that day too."]


def stale_letters_note(stale: int, whose: str) -> str:
    """Letters already written with the old date: not to be posted."""
    them = "it" if stale == 1 else "them"
    return (f"Warning: {stale} letter{'s' if stale != 1 else ''} already written for {whose} "
            f"{'is' if stale == 1 else 'are'} now out of date (transition letters status says "
            f"why): do not post {them}; write {them} again with transition letters generate.")


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
    if change.changed:
        outcome.starts_moved = move_starts_to_handover(session, [person_id], today=today,
                                                       actor=actor, reason=reason)
    if change.changed and effective is not None and programme_has_tasks(session):
        # The date can decide whether their worker changes at all (a coordinator whose
        # allocation ends between the two dates): then tasks are added or set aside too,
        # for someone with none yet as well, as a manager's choice of worker does once the
        # programme has tasks.
        outcome.tasks = generate_tasks(session, rules.tasks, as_of=today, actor=actor,
                                       transfer_date=programme_date, person_ids=[person_id])
    if effective is not None:
        outcome.not_there = workers_not_there(session, person, effective, rules.matching)
    if change.changed:
        outcome.letters_out_of_date = len(out_of_date_letters(session, [person_id]))
    return outcome


def programme_has_tasks(session: Session) -> bool:
    """Whether handover tasks have been generated for the programme (then a change of date
    brings the people it changes up to date at once; before, tasks generate makes them all)."""
    return bool(session.scalar(select(exists().where(Task.id.is_not(None)))))  # type: ignore[union-attr]


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
                     f"next working day is {next_working_day(day):%A %-d %B %Y}. A deadline "
                     "of a few calendar days after it (a 48-hour first contact after a recent "
                     "discharge) can fall on a day off: arrange cover, or choose a working "
                     "day.")
    return notes


def after_transfer_note(day: date, programme_date: date) -> str:
    """A handover date after the programme's transfer date: most likely a mistyped year."""
    return (f"Note: {day:%A %-d %B %Y} is after the programme's transfer date "
            f"({programme_date:%A %-d %B %Y}), the day the partnership ends. If that is not "
            "what you meant, set the date again.")


@dataclass(frozen=True)
class AbsentFromGroup:
    """A worker who will not be there for the handover of some of a team's people."""

    staff_id: str
    roles: list[str]
    why: str  # as the planner says it: "leaving on 2027-05-14", ...
    people: int


@dataclass
class GroupOutcome:
    """What :func:`change_group_handover_date` did and found."""

    change: GroupHandoverChange
    new_date: date | None  # as asked (None: the programme's transfer date)
    effective: date | None  # the day they now move (None: no transfer date set)
    programme_date: date | None
    tasks: GenerateSummary | None = None  # None: not touched
    absent: list[AbsentFromGroup] = field(default_factory=list)  # most people first
    letters_out_of_date: int = 0
    starts_moved: int = 0  # new workers now starting on the new date

    def task_counts(self) -> dict[str, int]:
        return task_counts(self.tasks)

    def said(self) -> list[str]:
        """What was done, in sentences: who now moves when, who was left as they are, and
        what happened to their tasks."""
        change = self.change
        changed, unchanged = len(change.changed_ids), len(change.unchanged_ids)
        where = " and ".join(filter(None, (", ".join(change.teams),
                                           ", ".join(change.localities))))
        effective = self.effective
        if effective is None:
            when = "on no date: the programme's transfer date is not set"
        elif self.new_date is None:
            when = f"on the programme's transfer date, {effective:%A %-d %B %Y}"
        else:
            when = f"on {effective:%A %-d %B %Y}"
        if not changed and not unchanged:
            said = f"{where}: no change; no one in it is in the latest trust export"
        elif changed:
            who = "1 person now moves" if changed == 1 else f"{changed} people now move"
            said = f"{where}: {who} {when}" + (f" ({unchanged} already did)" if unchanged else "")
        else:
            who = "the 1 person" if unchanged == 1 else f"all {unchanged} people"
            said = (f"{where}: no change; {who} already move{'s' if unchanged == 1 else ''} "
                    f"{when}")
        lines = [said + "."]
        if missing := change.missing_from_export:
            lines.append(f"{missing} {'person' if missing == 1 else 'people'} in it but missing "
                         "from the latest trust export "
                         f"{'was' if missing == 1 else 'were'} left as they are "
                         "(transition people --missing lists them).")
        return lines + starts_in_words(self.starts_moved, group=True) + tasks_in_words(self.tasks)

    def notes(self, today: date) -> list[str]:
        """What a manager should know now: the date's notes, the workers who will not be
        there for the handover of people they hold in the group, letters out of date."""
        effective = self.effective
        notes = date_notes(effective, today) if effective is not None else []
        if (self.new_date is not None and self.programme_date is not None
                and self.new_date > self.programme_date):
            notes.append(after_transfer_note(self.new_date, self.programme_date))
        if self.absent and effective is not None:
            count = len(self.absent)
            heading = (f"Warning: {count} worker{'s' if count != 1 else ''} will not be there "
                       f"for the handover on {effective:%A %-d %B %Y} of people they hold here:")
            lines = [heading]
            for item in self.absent:
                roles = " or ".join(ROLE_WORDS.get(role, role.replace("_", " "))
                                    for role in item.roles)
                lines.append(f"  {item.staff_id} ({uk_dates_in(item.why)}): {item.people} "
                             f"{'person' if item.people == 1 else 'people'}, as {roles}")
            lines.append("Choose other workers: transition check --apply proposes them as a "
                         "draft plan, or transition assign one person at a time.")
            notes.append("\n".join(lines))
        if stale := self.letters_out_of_date:
            notes.append(stale_letters_note(stale, "these people"))
        return notes


def change_group_handover_date(
    session: Session,
    rules: Rules,
    new_date: date | None,
    *,
    actor: str,
    today: date,
    reason: str | None = None,
    team: str | None = None,
    locality: str | None = None,
) -> GroupOutcome:
    """Give everyone in a team (and/or a locality) their own handover date (None: the
    programme's), all or nothing (:func:`transition.handover.set_group_handover_date`); then,
    once tasks exist for the programme, bring the changed people's tasks up to date (as a
    manager's choice of worker does: a date can decide whether someone's worker changes at
    all), and find the workers who will not be there and the letters now out of date."""
    change = set_group_handover_date(session, new_date, actor=actor, reason=reason, team=team,
                                     locality=locality)
    programme_date = transfer_date(session)
    effective = new_date or programme_date
    outcome = GroupOutcome(change, new_date, effective, programme_date)
    if change.changed_ids:
        outcome.starts_moved = move_starts_to_handover(session, change.changed_ids, today=today,
                                                       actor=actor, reason=reason)
    if change.changed_ids and effective is not None and programme_has_tasks(session):
        outcome.tasks = generate_tasks(session, rules.tasks, as_of=today, actor=actor,
                                       transfer_date=programme_date,
                                       person_ids=change.changed_ids)
    if effective is not None:
        outcome.absent = _by_worker(workers_not_there_for(
            session, change.in_export_ids, effective, rules.matching))
    if change.changed_ids:
        outcome.letters_out_of_date = len(out_of_date_letters(session, change.changed_ids))
    return outcome


def _by_worker(not_there: dict[int, list[AbsentWorker]]) -> list[AbsentFromGroup]:
    """Each worker not there, with their roles and how many people, most people first."""
    people: dict[str, set[int]] = {}
    roles: dict[str, set[str]] = {}
    why: dict[str, str] = {}
    for person_id, items in not_there.items():
        for item in items:
            people.setdefault(item.staff_id, set()).add(person_id)
            roles.setdefault(item.staff_id, set()).add(item.role)
            why[item.staff_id] = item.why
    return sorted((AbsentFromGroup(staff_id, sorted(roles[staff_id]), why[staff_id], len(held))
                   for staff_id, held in people.items()),
                  key=lambda item: (-item.people, item.staff_id))
