"""`transition handover-date`: a person's own handover date (a phased move)."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from transition import nhs
from transition.commands.common import (
    console,
    context,
    date_notes,
    err_console,
    fail,
    json_option,
    parse_date,
    print_json,
)
from transition.handover import effective_handover_date, set_handover_date, workers_not_there
from transition.letter_records import out_of_date_letters
from transition.matching import ROLE_WORDS
from transition.models import Task
from transition.people import require_person
from transition.programme import transfer_date as programme_transfer_date
from transition.tasks import generate_tasks
from transition.widgets.format import uk_dates_in


def handover_date(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    new_date: str | None = typer.Argument(
        None, metavar="DATE", help="Their handover date (YYYY-MM-DD or DD/MM/YYYY)."
    ),
    clear: bool = typer.Option(
        False, "--clear", help="Remove the person's own date: they move on the programme's date."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why, for the audit trail."),
    as_json: bool = json_option(),
) -> None:
    """Give one person their own handover date (audited); their task due dates follow."""
    if clear == (new_date is not None):
        fail(
            "Give either a DATE or --clear.",
            hint="e.g. transition handover-date 9990000018 2027-05-04, or --clear to use the "
            "programme's transfer date.",
        )
    parsed = parse_date(new_date, option="DATE")
    cli = context(ctx)
    today = cli.today()
    with cli.db.transaction() as session:
        person = require_person(session, nhs_number)
        assert person.id is not None
        person_id, number = person.id, person.nhs_number
        change = set_handover_date(session, person, parsed, actor=cli.actor, reason=reason)
        programme_date = programme_transfer_date(session)
        effective = effective_handover_date(person, programme_date)
        has_tasks = session.scalar(
            select(func.count()).select_from(Task).where(Task.person_id == person_id)
        )
        moved = added = set_aside = owners = 0
        if change.changed and has_tasks and effective is not None:
            summary = generate_tasks(
                session, cli.rules.tasks, as_of=today, actor=cli.actor,
                transfer_date=programme_date, person_ids=[person_id],
            )
            # The date can decide whether their worker changes at all (a coordinator whose
            # allocation ends between the two dates): then tasks are added or set aside too.
            moved, owners = summary.due_moved, summary.owner_moved
            added, set_aside = summary.created + summary.reopened, summary.not_needed
        not_there = ([] if effective is None else
                     workers_not_there(session, person, effective, cli.rules.matching))
        stale_letters = len(out_of_date_letters(session, [person_id])) if change.changed else 0
    masked = nhs.mask(nhs_number)
    if as_json:
        print_json({
            "nhs_number": number, "handover_date": parsed,
            "effective_handover_date": effective, "programme_transfer_date": programme_date,
            "changed": change.changed, "task_due_dates_moved": moved,
            "tasks_added": added, "tasks_not_needed": set_aside, "task_owners_moved": owners,
            "workers_not_there": [{"role": item.role, "staff_id": item.staff_id,
                                   "why": item.why} for item in not_there],
            "letters_out_of_date": stale_letters,
        })
    else:
        out = console
        if effective is None:
            out.print(f"{masked} has no handover date: the programme's transfer date is not set.")
        elif parsed is None:
            out.print(f"{masked} now moves on the programme's transfer date, "
                      f"{effective:%A %-d %B %Y}.")
        else:
            out.print(f"{masked} now moves on {effective:%A %-d %B %Y}.")
        if moved:
            out.print(f"{moved} task due date{'s' if moved != 1 else ''} moved.")
        if added or set_aside or owners:
            said = [f"{count} {what}" for count, what in (
                (added, "added"), (set_aside, "no longer needed"),
                (owners, "given a new owner")) if count]
            out.print(f"Their tasks: {', '.join(said)}.")
    notes = list(date_notes(effective, today)) if effective is not None else []
    if (parsed is not None and programme_date is not None and parsed > programme_date):
        notes.append(f"Note: {parsed:%A %-d %B %Y} is after the programme's transfer date "
                     f"({programme_date:%A %-d %B %Y}), the day the partnership ends. If that "
                     "is not what you meant, set the date again.")
    for item in not_there:
        notes.append(f"Warning: their {ROLE_WORDS.get(item.role, item.role.replace('_', ' '))} "
                     f"({item.staff_id}) will not be there for the handover on "
                     f"{effective:%A %-d %B %Y}: {uk_dates_in(item.why)}. Choose another "
                     "worker (transition assign, or transition check --apply).")
    if stale_letters:
        them = "it" if stale_letters == 1 else "them"
        notes.append(f"Warning: {stale_letters} letter{'s' if stale_letters != 1 else ''} already "
                     f"written for them {'is' if stale_letters == 1 else 'are'} now out of date "
                     f"(transition letters status says why): do not post {them}; write {them} "
                     "again with transition letters generate.")
    for note in notes:
        err_console.print(note, markup=False)
