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
from transition.handover import effective_handover_date, set_handover_date
from transition.models import Task
from transition.people import require_person
from transition.programme import transfer_date as programme_transfer_date
from transition.tasks import generate_tasks


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
        moved = 0
        if change.changed and has_tasks and effective is not None:
            summary = generate_tasks(
                session, cli.rules.tasks, as_of=today, actor=cli.actor,
                transfer_date=programme_date, person_ids=[person_id],
            )
            moved = summary.due_moved
    masked = nhs.mask(nhs_number)
    if as_json:
        print_json({
            "nhs_number": number, "handover_date": parsed,
            "effective_handover_date": effective, "programme_transfer_date": programme_date,
            "changed": change.changed, "task_due_dates_moved": moved,
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
    for note in date_notes(effective, today) if effective is not None else ():
        err_console.print(note, markup=False)
