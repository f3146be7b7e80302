"""Findings about handover tasks and letters: a task overdue, a letter out of date, tasks behind
the accepted allocation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, tuple_

from transition.check_findings.world import (
    CRITICAL,
    WARNING,
    Finding,
    _as_date,
    _in_export,
    _World,
)
from transition.letter_facts import CTO_WITHOUT_S117, WORKER_GONE
from transition.letter_records import CARER_NOT_ASKED, CARER_SAID_NO
from transition.letters import TASK_FOR_KIND, out_of_date_letters
from transition.models import Person, RiskBand, Task, TaskStatus
from transition.tasks import OPEN_STATUSES
from transition.tasks.generate import plan_accepted, reopens_letter_task, tasks_behind
from transition.working_days import working_days_between


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
            # Checked on a bank holiday or a weekend (cron's `1-5` runs on bank holiday
            # Mondays): a task due on the last working day is late by no working day yet.
            when = described[due] = (
                f"was due {day.isoformat()}, and no working day has passed since" if late <= 0
                else f"was due {day.isoformat()}, {late} working day{'s' if late != 1 else ''} "
                "ago")
        blocked = " (blocked)" if status == TaskStatus.BLOCKED else ""
        findings.append(Finding(
            "overdue_task", CRITICAL if band == RiskBand.RED else WARNING,
            f"Task {task_id} \"{title}\"{blocked} {when}. Do it (then `transition tasks set "
            f"{task_id} done`), or record why: `transition tasks set {task_id} blocked --reason "
            "...` (what it waits for) or `not_needed --reason ...` (why it is not needed).",
            person_id, number, owner, task_id))
    return findings


def letter_out_of_date(world: _World) -> list[Finding]:
    """A letter whose facts changed after it was written, or that prints a council detail
    since corrected (given the council's details), for a person in the latest export."""
    missing = set(world.connection.execute(select(Person.id).where(~_in_export)).scalars())
    stale = [letter for letter in out_of_date_letters(world.session, council=world.council,
                                                      as_of=world.as_of)
             if letter.person_id not in missing]
    done = _done_letter_tasks(world, stale)
    return [
        Finding("letter_out_of_date", WARNING,
                f"The {letter.kind} letter written {letter.generated_at.date().isoformat()} is "
                f"out of date: {letter.reason}. " + (
                    "Do not post it; if it has gone, tell the person and record it as the "
                    "council's data protection procedure says."
                    if letter.reason == CARER_SAID_NO else
                    "Do not post it." if (WORKER_GONE in letter.reason
                                          or CTO_WITHOUT_S117 in letter.reason
                                          or letter.reason == CARER_NOT_ASKED) else
                    f"Write it again with `transition letters generate --kind {letter.kind} "
                    "--nhs NHS_NUMBER`.") + (
                    f" Its task {TASK_FOR_KIND[letter.kind]} is marked done: `transition tasks "
                    "generate` opens it again." if (letter.person_id, TASK_FOR_KIND[letter.kind])
                    in done and reopens_letter_task(letter.reason) else ""),
                person_id=letter.person_id, nhs_number=letter.nhs_number or None)
        for letter in stale
    ]


def _done_letter_tasks(world: _World, letters: list[Any]) -> set[tuple[int, str]]:
    """The (person, key) letter tasks of these letters that are marked done."""
    pairs = sorted({(letter.person_id, TASK_FOR_KIND[letter.kind]) for letter in letters})
    done: set[tuple[int, str]] = set()
    for start in range(0, len(pairs), 2000):
        done.update(world.connection.execute(
            select(Task.person_id, Task.key).where(
                tuple_(Task.person_id, Task.key).in_(pairs[start:start + 2000]),
                Task.status == TaskStatus.DONE)).tuples())
    return done


def tasks_behind_allocation(world: _World) -> list[Finding]:
    """Handover tasks that `transition tasks generate` would add or change now: after a plan
    is accepted, or a role ended, a handover with no tasks is someone who may fall through the
    gap. One finding for the programme; nothing before any plan is accepted (tasks follow the
    accepted allocation)."""
    if not plan_accepted(world.session):
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
