"""`transition handover-date`: a person's own handover date (a phased move), or everyone's in
a team or locality at once."""

from __future__ import annotations

from datetime import date

import typer
from sqlalchemy import exists, select

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
from transition.handover import AbsentWorker, set_group_handover_date, workers_not_there_for
from transition.handover_change import after_transfer_note, change_handover_date, date_notes
from transition.letter_records import out_of_date_letters
from transition.matching import ROLE_WORDS
from transition.models import Task
from transition.people import require_person
from transition.programme import transfer_date as programme_transfer_date
from transition.tasks import generate_tasks
from transition.widgets.format import uk_dates_in


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
            "changed": outcome.change.changed, **outcome.task_counts(),
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
        change = set_group_handover_date(session, parsed, actor=cli.actor, reason=reason,
                                         team=team, locality=locality)
        programme_date = programme_transfer_date(session)
        effective = parsed or programme_date
        moved = added = set_aside = owners = 0
        tasks_exist = session.scalar(select(exists().where(Task.id.is_not(None))))  # type: ignore[union-attr]
        if change.changed_ids and tasks_exist and effective is not None:
            # As a manager's choice of worker does once tasks exist for the programme: those
            # whose worker changes only because of the date get their tasks now, too.
            summary = generate_tasks(
                session, cli.rules.tasks, as_of=today, actor=cli.actor,
                transfer_date=programme_date, person_ids=change.changed_ids,
            )
            moved, owners = summary.due_moved, summary.owner_moved
            added, set_aside = summary.created + summary.reopened, summary.not_needed
        not_there = ({} if effective is None else workers_not_there_for(
            session, change.in_export_ids, effective, cli.rules.matching))
        stale_letters = (len(out_of_date_letters(session, change.changed_ids))
                         if change.changed_ids else 0)
    absent = _by_worker(not_there)
    if as_json:
        print_json({
            "teams": change.teams, "localities": change.localities,
            "handover_date": parsed, "effective_handover_date": effective,
            "programme_transfer_date": programme_date,
            "changed": bool(change.changed_ids),
            "people_changed": len(change.changed_ids),
            "people_unchanged": len(change.unchanged_ids),
            "people_missing_from_export": change.missing_from_export,
            "task_due_dates_moved": moved, "tasks_added": added,
            "tasks_not_needed": set_aside, "task_owners_moved": owners,
            "workers_not_there": [{"staff_id": staff_id, "roles": roles, "why": why,
                                   "people": people}
                                  for staff_id, roles, why, people in absent],
            "letters_out_of_date": stale_letters,
        })
    else:
        _print_group(change.teams, change.localities, len(change.changed_ids),
                     len(change.unchanged_ids), change.missing_from_export, parsed, effective,
                     moved, (added, set_aside, owners))
    notes = date_notes(effective, today) if effective is not None else []
    if parsed is not None and programme_date is not None and parsed > programme_date:
        notes.append(after_transfer_note(parsed, programme_date))
    if absent and effective is not None:
        count = len(absent)
        heading = (f"Warning: {count} worker{'s' if count != 1 else ''} will not be there for "
                   f"the handover on {effective:%A %-d %B %Y} of people they hold here:")
        lines = [heading]
        for staff_id, roles, why, people in absent:
            lines.append(f"  {staff_id} ({uk_dates_in(why)}): {people} "
                         f"{'person' if people == 1 else 'people'}, as "
                         f"{' or '.join(_role_words(role) for role in roles)}")
        lines.append("Choose other workers: transition check --apply proposes them as a draft "
                     "plan, or transition assign one person at a time.")
        notes.append("\n".join(lines))
    if stale_letters:
        notes.append(f"Warning: {stale_letters} letter{'s' if stale_letters != 1 else ''} "
                     f"already written for these people {'is' if stale_letters == 1 else 'are'} "
                     "now out of date (transition letters status says why): do not post "
                     f"{'it' if stale_letters == 1 else 'them'}; write "
                     f"{'it' if stale_letters == 1 else 'them'} again with transition letters "
                     "generate.")
    for note in notes:
        err_console.print(note, markup=False)


def _role_words(role: str) -> str:
    return ROLE_WORDS.get(role, role.replace("_", " "))


def _by_worker(not_there: dict[int, list[AbsentWorker]]) -> list[tuple[str, list[str], str, int]]:
    """(staff id, roles, why, how many people) per worker not there, most people first."""
    people: dict[str, set[int]] = {}
    roles: dict[str, set[str]] = {}
    why: dict[str, str] = {}
    for person_id, items in not_there.items():
        for item in items:
            people.setdefault(item.staff_id, set()).add(person_id)
            roles.setdefault(item.staff_id, set()).add(item.role)
            why[item.staff_id] = item.why
    return sorted(((staff_id, sorted(roles[staff_id]), why[staff_id], len(held))
                   for staff_id, held in people.items()), key=lambda row: (-row[3], row[0]))


def _print_group(teams: list[str], localities: list[str], changed: int, unchanged: int,
                 missing: int, parsed: date | None, effective: date | None, moved: int,
                 tasks: tuple[int, int, int]) -> None:
    where = " and ".join(filter(None, (", ".join(teams), ", ".join(localities))))
    if effective is None:
        when = "on no date: the programme's transfer date is not set"
    elif parsed is None:
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
        said = f"{where}: no change; {who} already move{'s' if unchanged == 1 else ''} {when}"
    console.print(said + ".", markup=False)
    if missing:
        console.print(f"{missing} {'person' if missing == 1 else 'people'} in it but missing "
                      "from the latest trust export "
                      f"{'was' if missing == 1 else 'were'} left as they are "
                      "(transition people --missing lists them).", markup=False)
    if moved:
        console.print(f"{moved} task due date{'s' if moved != 1 else ''} moved.")
    added, set_aside, owners = tasks
    if added or set_aside or owners:
        said_tasks = [f"{count} {what}" for count, what in (
            (added, "added"), (set_aside, "no longer needed"),
            (owners, "given a new owner")) if count]
        console.print(f"Their tasks: {', '.join(said_tasks)}.")
