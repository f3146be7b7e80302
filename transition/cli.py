"""The ``transition`` command: every job, headless.

This module assembles the command groups in ``transition.commands`` and owns the error policy:
an expected failure prints a message a person can act on and exits 1 or 2; nothing prints a
traceback unless ``TRANSITION_DEBUG=1``. It never imports Textual: ``transition`` with no
command (or ``transition tui``) imports the app only when it is asked for, so the nightly check
runs on a server with no terminal libraries in use.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import typer

from transition.commands import (
    assess,
    audit,
    check,
    database,
    demo,
    equality,
    export,
    generate,
    handover,
    imports,
    letters,
    people,
    plan,
    programme,
    status,
    tasks,
)
from transition.commands.common import CliContext, err_console
from transition.config import load_settings
from transition.errors import EXIT_FAILED, TransitionError

log = logging.getLogger("transition")

app = typer.Typer(
    name="transition",
    help="Move a mental-health caseload safely when council social workers leave NHS trust "
    "teams. Run with no command to open the app.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite file [env: TRANSITION_DATABASE_URL]."
    ),
    rules: Path | None = typer.Option(
        None, "--rules", help="The council's rules TOML [env: TRANSITION_RULES_FILE]."
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who is making changes, for the audit trail (default: your login)."
    ),
) -> None:
    settings = load_settings(database_url=db, rules_file=rules, actor=actor)
    ctx.obj = CliContext(settings=settings)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj)


def _open_tui(cli: CliContext) -> None:
    from transition.app import make_app  # Textual is imported only for the app

    make_app(cli.settings).run()


@app.command("tui")
def tui(ctx: typer.Context) -> None:
    """Open the app (the same as running transition with no command)."""
    _open_tui(ctx.find_root().obj)


app.add_typer(programme.app, name="programme")
app.add_typer(database.app, name="db")
app.command("generate")(generate.generate_command)
app.command("demo")(demo.demo_command)
app.add_typer(imports.app, name="import")
app.command("people")(people.people)
app.command("person")(people.person)
app.add_typer(letters.app, name="letters")
app.command("assess")(assess.assess)
app.command("at-risk")(assess.at_risk_command)
app.add_typer(assess.pathway_app, name="pathway")
app.add_typer(plan.app, name="plan")
app.command("assign")(plan.assign)
app.command("unlock")(plan.unlock_command)
app.add_typer(tasks.app, name="tasks")
app.command("handover-date")(handover.handover_date)
app.add_typer(check.app, name="check")
app.command("audit")(audit.audit_command)
app.command("export")(export.export_command)
app.command("status")(status.status_command)
app.command("equality")(equality.equality_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command and turn expected failures into messages and exit codes."""
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("TRANSITION_DEBUG") else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        app(args=argv, prog_name="transition")
    except TransitionError as exc:
        err_console.print(f"Error: {exc.message}", markup=False)
        if exc.hint:
            err_console.print(exc.hint, markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("Interrupted. The change in progress was rolled back.")
        sys.exit(130)
    except OSError as exc:  # a file or folder the command reads or writes: say which folder
        if os.environ.get("TRANSITION_DEBUG"):
            raise
        err_console.print(f"Error: {file_error(exc)} Any change in progress was rolled back.",
                          markup=False)
        err_console.print("Check the folder exists, that you may write to it and that the disk "
                          "has room, then run the command again.", markup=False)
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("TRANSITION_DEBUG"):
            raise
        # The exception's text may quote data, so only its type is shown.
        err_console.print(
            f"Error: transition stopped unexpectedly ({type(exc).__name__}). Any change in "
            "progress was rolled back. Run again with TRANSITION_DEBUG=1 to see the details, "
            "and report it to the team that supports transition.",
            markup=False,
        )
        sys.exit(EXIT_FAILED)


def file_error(exc: OSError) -> str:
    """What went wrong with a file, naming its folder but not the file: file names can carry
    a person's identifier (letters are named by the trust's patient id)."""
    reason = exc.strerror or type(exc).__name__
    if not exc.filename:
        return f"A file could not be read or written ({reason})."
    folder = Path(os.fsdecode(exc.filename)).expanduser().parent
    return f"A file in {folder} could not be read or written ({reason})."


if __name__ == "__main__":
    main()
