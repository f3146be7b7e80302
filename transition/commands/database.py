"""`transition db`: schema migrations and database housekeeping."""

from __future__ import annotations

import typer

from transition import db as dbmod
from transition.commands.common import console, context, json_option, print_json
from transition.db import Database

app = typer.Typer(help="The database: migrations, status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the database, or upgrade its schema to this version of transition."""
    cli = context(ctx)
    database = Database.from_settings(cli.settings, migrate=False)
    before, head, _known = dbmod.schema_status(database.engine)
    database.migrate()
    if before == head:
        console.print(f"The database is up to date (schema {head}): {database.describe()}")
    else:
        console.print(
            f"Upgraded {database.describe()} from schema {before or '(empty)'} to {head}."
        )


@app.command("status")
def status(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Show which database is in use and its schema revision."""
    cli = context(ctx)
    database = Database.from_settings(cli.settings, migrate=False)
    current, head, known = dbmod.schema_status(database.engine)
    data = {
        "database": database.describe(),
        "revision": current,
        "head": head,
        "state": "current" if current == head else ("newer" if not known else "behind"),
    }
    if as_json:
        print_json(data)
    else:
        console.print(
            f"Database: {data['database']}\nSchema: {current or '(empty)'} (this version: {head})"
            f" - {data['state']}"
        )
