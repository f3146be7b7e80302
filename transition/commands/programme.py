"""`transition programme`: the transfer date every plan and task works to."""

from __future__ import annotations

import typer

from transition.commands.common import console, context, json_option, parse_date, print_json
from transition.programme import get_programme, set_transfer_date

app = typer.Typer(help="The transition programme: its transfer date.", no_args_is_help=True)


@app.command("set")
def programme_set(
    ctx: typer.Context,
    transfer_date: str = typer.Option(
        ..., "--transfer-date", help="The day the partnership ends (YYYY-MM-DD or DD/MM/YYYY)."
    ),
) -> None:
    """Set the programme's transfer date (audited)."""
    cli = context(ctx)
    new_date = parse_date(transfer_date, option="--transfer-date")
    assert new_date is not None
    with cli.db.transaction() as session:
        set_transfer_date(session, new_date, actor=cli.actor)
    console.print(f"Transfer date set to {new_date:%A %-d %B %Y}.")


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
