"""`transition handover-date`: a person's own handover date (a phased move), or everyone's in
a team or locality at once."""

from __future__ import annotations

import typer

from transition import nhs
from transition.commands.common import (
    console,
    context,
    err_console,
    fail,
    json_option,
    parse_date,
    print_json,
)
from transition.handover_change import change_group_handover_date, change_handover_date
from transition.people import require_person


def handover_date(
    ctx: typer.Context,
    nhs_number: str | None = typer.Argument(
        None, metavar="NHS_NUMBER",
        help="The person's NHS number (not with --team or --locality: give just the DATE)."),
    new_date: str | None = typer.Argument(
        None, metavar="DATE", help="Their handover date (YYYY-MM-DD or DD/MM/YYYY)."
    ),
    team: str | None = typer.Option(
        None, "--team", help="Everyone in this team instead of one person (as the trust's export "
        "spells it, in any case), in one change: all or nothing."),
    locality: str | None = typer.Option(
        None, "--locality", help="Everyone in this locality (with --team: everyone in both)."),
    clear: bool = typer.Option(
        False, "--clear", help="Remove the own date (the person's, or everyone's with --team): they "
        "move on the programme's date."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why, for the audit trail."),
    as_json: bool = json_option(),
) -> None:
    """Give one person, or everyone in a team, their own handover date (audited); their task
    due dates follow."""
    if team is not None or locality is not None:
        _group_handover_date(ctx, nhs_number, new_date, team=team, locality=locality,
                             clear=clear, reason=reason, as_json=as_json)
        return
    if nhs_number is None or (new_date is None and not clear and nhs.problem(nhs_number)):
        fail("Give the person's NHS number, or --team TEAM for everyone in a team.",
             hint="e.g. transition handover-date 9990000018 2027-05-04, or transition "
             "handover-date --team \"North CMHT\" 2027-05-04 --reason \"phase 2\".")
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
        number = person.nhs_number
        outcome = change_handover_date(session, cli.rules, person, parsed, actor=cli.actor,
                                       today=today, reason=reason)
    effective = outcome.effective
    if as_json:
        print_json({
            "nhs_number": number, "handover_date": parsed,
            "effective_handover_date": effective,
            "programme_transfer_date": outcome.programme_date,
            "changed": outcome.change.changed, "worker_starts_moved": outcome.starts_moved,
            **outcome.task_counts(),
            "workers_not_there": [{"role": item.role, "staff_id": item.staff_id,
                                   "why": item.why} for item in outcome.not_there],
            "letters_out_of_date": outcome.letters_out_of_date,
        })
    else:
        masked = nhs.mask(nhs_number)
        if effective is None:
            console.print(f"{masked} has no handover date: the programme's transfer date is "
                          "not set.")
        elif parsed is None:
            console.print(f"{masked} now moves on the programme's transfer date, "
                          f"{effective:%A %-d %B %Y}.")
        else:
            console.print(f"{masked} now moves on {effective:%A %-d %B %Y}.")
        for line in outcome.tasks_in_words():
            console.print(line)
    for note in outcome.notes(today):
        err_console.print(note, markup=False)


def _group_handover_date(ctx: typer.Context, first: str | None, second: str | None, *,
                         team: str | None, locality: str | None, clear: bool,
                         reason: str | None, as_json: bool) -> None:
    """`handover-date --team TEAM DATE` (or --locality): everyone in it, in one transaction."""
    digits = nhs.normalise(first)
    if second is not None or (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        # An NHS number and a team: which was meant? (The number is not echoed.)
        fail("Give either an NHS number or --team/--locality, not both: nothing was changed.",
             hint='e.g. transition handover-date --team "North CMHT" 2027-06-01 --reason '
             '"phase 2", or transition handover-date NHS_NUMBER 2027-06-01 for one person.')
    for option, value in (("--team", team), ("--locality", locality)):
        if value is not None and not value.strip():
            fail(f"{option} needs a name: nothing was changed.",
                 hint="transition people shows each person's team and locality.")
    if clear == (first is not None):
        fail("Give either a DATE or --clear.",
             hint='e.g. transition handover-date --team "North CMHT" 2027-06-01, or --clear to '
             "use the programme's transfer date.")
    parsed = parse_date(first, option="DATE")
    cli = context(ctx)
    today = cli.today()
    with cli.db.transaction() as session:
        outcome = change_group_handover_date(session, cli.rules, parsed, actor=cli.actor,
                                             today=today, reason=reason, team=team,
                                             locality=locality)
    change = outcome.change
    if as_json:
        print_json({
            "teams": change.teams, "localities": change.localities,
            "handover_date": parsed, "effective_handover_date": outcome.effective,
            "programme_transfer_date": outcome.programme_date,
            "changed": bool(change.changed_ids),
            "people_changed": len(change.changed_ids),
            "people_unchanged": len(change.unchanged_ids),
            "people_missing_from_export": change.missing_from_export,
            "worker_starts_moved": outcome.starts_moved, **outcome.task_counts(),
            "workers_not_there": [{"staff_id": item.staff_id, "roles": item.roles,
                                   "why": item.why, "people": item.people}
                                  for item in outcome.absent],
            "letters_out_of_date": outcome.letters_out_of_date,
        })
    else:
        for line in outcome.said():
            console.print(line, markup=False)
    for note in outcome.notes(today):
        err_console.print(note, markup=False)
