"""`transition db`: schema migrations and database housekeeping."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from transition.commands.common import console, context, json_option, print_json
from transition.db import Database
from transition.errors import EXIT_PARTIAL, DatabaseError
from transition.integrity import IntegrityReport, backup_sqlite, check_database, pg_dump_advice

app = typer.Typer(help="The database: migrations, status, integrity check, backup.",
                  no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    no_copy: bool = typer.Option(
        False, "--no-copy",
        help="Do not copy a SQLite database beside itself before upgrading it (for when you "
        "have taken a backup yourself, or the folder has no room)."),
    as_json: bool = json_option(),
) -> None:
    """Create the database, or upgrade its schema to this version of transition (a SQLite
    file is first copied beside itself, as it was: NAME.before-schema-NNNN.db)."""
    cli = context(ctx)
    database = Database.from_settings(cli.settings, migrate=False)
    before, head, _known = database.schema_status()
    done = database.migrate(keep_copy=not no_copy)
    copy = str(done.copy) if done is not None and done.copy is not None else None
    if as_json:
        print_json({"database": database.describe(), "revision_before": before,
                    "revision": head, "upgraded": before != head, "copy_before_upgrade": copy})
    elif before == head:
        console.print(Text(f"The database is up to date (schema {head}): {database.describe()}"))
    else:
        console.print(Text(
            f"Upgraded {database.describe()} from schema {before or '(empty)'} to {head}."
        ))
        if copy is not None:
            console.print(Text(f"A copy from before the upgrade is at {copy}; keep it until "
                               "you are sure the upgrade went well, then delete it (it holds "
                               "personal data)."))


@app.command("status")
def status(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Show which database is in use and its schema revision."""
    cli = context(ctx)
    cli.require_existing_file()
    database = Database.from_settings(cli.settings, migrate=False)
    current, head, known = database.schema_status()
    data = {
        "database": database.describe(),
        "revision": current,
        "head": head,
        "state": "current" if current == head else ("newer" if not known else "behind"),
    }
    if as_json:
        print_json(data)
    else:
        console.print(Text(
            f"Database: {data['database']}\nSchema: {current or '(empty)'} (this version: {head})"
            f" - {data['state']}"
        ))


@app.command("check")
def check(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Check the database: storage integrity, foreign keys and the domain's invariants.

    Changes nothing. Exit status 1 when a check finds a problem (warnings alone exit 0)."""
    cli = context(ctx)
    cli.require_existing_file()  # a mistyped path must not become a new, empty database
    database = Database.from_settings(cli.settings, migrate=False)  # a check changes nothing
    try:
        report = check_database(database)
    finally:
        database.dispose()
    if as_json:
        print_json(report.to_json())
    else:
        _print_check(report)
    if not report.ok:
        raise typer.Exit(EXIT_PARTIAL)


def _print_check(report: IntegrityReport) -> None:
    # Paths as text, never Rich markup: a folder named "a[/x]" would stop the command.
    console.print(Text(f"Database: {report.database}"))
    for finding in report.findings:
        if finding.skipped:
            mark = "skip"
        elif finding.ok:
            mark = " ok "
        else:
            mark = "WARN" if finding.severity == "warning" else "FAIL"
        line = Text(f"[{mark}] {finding.description}")
        if finding.skipped:
            line.append(f" ({finding.skipped})", style="dim")
        elif not finding.ok:
            line.append(f": {finding.problems:,} problem(s)", style="bold")
        console.print(line)
        for example in finding.examples:
            console.print(Text(f"        {example}"))
    if report.ok:
        extra = f" ({report.warnings} warning(s))" if report.warnings else ""
        console.print(f"All checks passed{extra}.")
    elif [finding.name for finding in report.findings if not finding.ok] == ["schema"]:
        # Not damage: the database is of another version (the example says which way).
        console.print("The database's schema is not the one this version of transition "
                      "expects, so nothing else was checked. Nothing was changed.")
        console.print("Behind: run transition db upgrade (take a backup first). Newer: use "
                      "the newer transition that last used it.")
    else:
        console.print(f"{report.errors} check(s) failed. Nothing was changed.")
        console.print("Restore from a backup (transition db backup makes one), or ask the team "
                      "that supports transition, quoting this report.")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Where to write the copy (a new file).",
                                show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
    as_json: bool = json_option(),
) -> None:
    """Copy the SQLite database to FILE (owner-only), consistently, even while it is in use.

    For PostgreSQL, prints how to use pg_dump instead (exit status 2)."""
    cli = context(ctx)
    cli.require_existing_file()
    file = cli.output_file(file, option="The backup file")
    database = Database.from_settings(cli.settings, migrate=False)
    if not database.is_sqlite:
        raise DatabaseError("transition db backup copies SQLite files; this database is "
                            f"PostgreSQL ({database.describe()}). Nothing was written.",
                            hint=pg_dump_advice(database))
    try:
        result = backup_sqlite(database, file, force=force)
    finally:
        database.dispose()
    if as_json:
        print_json({"file": str(result.path), "bytes": result.bytes, "pages": result.pages})
    else:
        console.print(Text(f"Backed up {database.describe()} to {result.path} "
                           f"({result.bytes:,} bytes, owner-only). Restore by pointing --db at "
                           "it, or copying it over the database while transition is closed."))
