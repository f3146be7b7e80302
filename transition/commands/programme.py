"""`transition programme`: the transfer date every plan and task works to."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from transition.allocation import move_starts_to_transfer
from transition.commands.common import (
    console,
    context,
    err_console,
    json_option,
    parse_date,
    print_json,
)
from transition.handover_change import date_notes
from transition.models import Task
from transition.programme import get_programme, own_dates_after, set_transfer_date

app = typer.Typer(help="The transition programme: its transfer date.", no_args_is_help=True)


@app.command("set")
def programme_set(
    ctx: typer.Context,
    transfer_date: str = typer.Option(
        ..., "--transfer-date", help="The day the partnership ends (YYYY-MM-DD or DD/MM/YYYY)."
    ),
    as_json: bool = json_option(),
) -> None:
    """Set the programme's transfer date (audited)."""
    cli = context(ctx).may_create()  # often the first step on a new database
    new_date = parse_date(transfer_date, option="--transfer-date")
    assert new_date is not None
    with cli.db.transaction() as session:
        before = get_programme(session).transfer_date
        set_transfer_date(session, new_date, actor=cli.actor)
        starts_moved = (move_starts_to_transfer(session, today=cli.today(), actor=cli.actor)
                        if before is not None and before != new_date else 0)
        has_tasks = session.scalar(select(func.count()).select_from(Task)) or 0
        after_by_team = own_dates_after(session, new_date)
    own_after = sum(after_by_team.values())
    tasks_out_of_date = before is not None and before != new_date and bool(has_tasks)
    if as_json:
        print_json({"transfer_date": new_date, "previous_transfer_date": before,
                    "changed": before != new_date, "worker_starts_moved": starts_moved,
                    "tasks_out_of_date": tasks_out_of_date,
                    "own_handover_dates_after_transfer": own_after})
    else:
        console.print(f"Transfer date set to {new_date:%A %-d %B %Y}.")
        if starts_moved:
            console.print(f"{starts_moved} new worker{'s' if starts_moved != 1 else ''} now "
                          f"start{'s' if starts_moved == 1 else ''} on it (people with no "
                          "handover date of their own).")
    for note in date_notes(new_date, cli.today()):
        err_console.print(note, markup=False)
    if own_after:
        teams = [f"{team or 'no team recorded'} {count}"
                 for team, count in list(after_by_team.items())[:5]]
        if len(after_by_team) > 5:
            teams.append(f"{len(after_by_team) - 5} more teams")
        err_console.print(
            f"Warning: {own_after} {'person has' if own_after == 1 else 'people have'} their own "
            f"handover date (a phased move) after {new_date:%A %-d %B %Y}, when the partnership "
            f"ends ({', '.join(teams)}): set their dates again (transition handover-date --team "
            "TEAM DATE, or NHS_NUMBER DATE for one person), or give --clear instead of a DATE "
            "to move them on the transfer date.", markup=False)
    if tasks_out_of_date:
        err_console.print("Task due dates still count from the old date: run `transition tasks "
                          "generate` to move them.", markup=False)


@app.command("show")
def programme_show(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Show the programme's transfer date."""
    cli = context(ctx)
    with cli.db.session() as session:
        programme = get_programme(session)
    data = {
        "name": programme.name,
        "transfer_date": programme.transfer_date,
        "updated_at": programme.updated_at if programme.transfer_date else None,
        "updated_by": programme.updated_by,
    }
    if as_json:
        print_json(data)
        return
    if programme.transfer_date is None:
        console.print("No transfer date set. Set one with: transition programme set --transfer-date DATE")
        return
    console.print(f"{programme.name}\nTransfer date: {programme.transfer_date:%A %-d %B %Y}")
