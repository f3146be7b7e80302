"""The ``transition`` command: every job, headless.

This module assembles the command groups in ``transition.commands`` and owns the error policy:
an expected failure prints a message a person can act on and exits 1 or 2; nothing prints a
traceback unless ``TRANSITION_DEBUG=1``. It never imports Textual: ``transition`` with no
command (or ``transition tui``) imports the app only when it is asked for, so the nightly check
runs on a server with no terminal libraries in use.
"""

from __future__ import annotations

import os
import signal
import sys


def _interrupted_while_starting(_number: int, _frame: object) -> None:
    """Ctrl-C while the program is still loading (importing takes a second): nothing has been
    read or written yet, so say so, without the traceback of an import cut short."""
    sys.stderr.write("\nInterrupted. Nothing from this command was saved.\n")
    sys.stderr.flush()
    os._exit(130)


try:  # until this module is loaded (see its end); then main() says what Ctrl-C interrupted
    _handler_before_loading = signal.signal(signal.SIGINT, _interrupted_while_starting)
    _loading_handled = True
except ValueError:  # loaded outside the main thread, where signals cannot be handled
    _loading_handled = False

import contextlib
import io
import logging
import re
from datetime import date
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy.exc import OperationalError

try:  # Typer 0.2x carries its own copy of Click
    from typer._click.exceptions import BadParameter, ClickException, UsageError
except ImportError:  # pragma: no cover (older Typer runs on Click itself)
    from click.exceptions import (  # type: ignore[no-redef,assignment]
        BadParameter,
        ClickException,
        UsageError,
    )
from pydantic import ValidationError

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
    risk,
    rules,
    status,
    tasks,
)
from transition.commands.common import CliContext, err_console, json_output, print_json
from transition.config import load_settings
from transition.db import cannot_be_reached, commits, failure_reason, unusable_database
from transition.errors import EXIT_FAILED, EXIT_PARTIAL, TransitionError
from transition.plain_errors import plain_reason, typed_reason

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
    # Text, not a Path: Typer reads --rules "" as the current folder, which must be refused.
    rules: str | None = typer.Option(
        None, "--rules", help="The council's rules TOML [env: TRANSITION_RULES_FILE]."
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who is making changes, for the audit trail (default: your login)."
    ),
) -> None:
    settings = load_settings(database_url=db, rules_file=rules, actor=actor)
    ctx.obj = CliContext(settings=settings)
    ctx.call_on_close(ctx.obj.close)
    _say_if_today_is_pinned(settings.as_of)
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj)


def _say_if_today_is_pinned(as_of: date | None) -> None:
    """One line on stderr when TRANSITION_AS_OF makes 'today' another day: left set in a shell
    after the demo (which asks for it), it would date letters and count overdue tasks from the
    wrong day on a real database, with nothing to show it."""
    if as_of is not None and as_of != date.today():
        err_console.print(f"Note: today is taken as {as_of:%-d %B %Y} (TRANSITION_AS_OF), not "
                          f"the real date.", style="dim", markup=False)


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
app.add_typer(risk.app, name="risk")
app.add_typer(plan.app, name="plan")
app.command("assign")(plan.assign)
app.command("unlock")(plan.unlock_command)
app.add_typer(tasks.app, name="tasks")
app.command("handover-date")(handover.handover_date)
app.add_typer(check.app, name="check")
app.add_typer(rules.app, name="rules")
app.command("audit")(audit.audit_command)
app.command("export")(export.export_command)
app.command("status")(status.status_command)
app.command("equality")(equality.equality_command)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _no_interrupt_tracebacks(record: logging.LogRecord) -> bool:
    """Leave out log records about a Ctrl-C (SQLAlchemy's pool logs one with its traceback when
    the interrupt lands while it returns a connection): main() says what was interrupted."""
    if os.environ.get("TRANSITION_DEBUG") or not record.exc_info:
        return True
    return not isinstance(record.exc_info[1], KeyboardInterrupt)


# Ten digits, or 3-3-4 with spaces or hyphens: an NHS number as someone may type it.
NHS_NUMBER_LIKE = re.compile(r"(?<!\d)\d{3}([ -]?)\d{3}\1(\d{4})(?!\d)")


def mask_nhs_numbers(text: str) -> str:
    """``text`` with anything shaped like an NHS number masked (``******4988``)."""
    return NHS_NUMBER_LIKE.sub(lambda match: "******" + match.group(2), text)


def interrupted() -> NoReturn:
    """Ctrl-C: say truthfully whether this command saved anything, then exit 130.

    Every command writes in one transaction (:meth:`transition.db.Database.transaction`,
    which counts the commits it begins and finishes), so the interrupt either came before a
    commit (it was rolled back), after one, or during one.
    """
    with contextlib.suppress(ValueError):  # ValueError: not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the exit
    if commits.begun == 0:
        message = "Interrupted. Nothing from this command was saved."
    elif commits.begun > commits.finished:
        message = ("Interrupted while saving: the changes may or may not have been saved. See "
                   "`transition import history` and `transition status`.")
    else:
        message = ("Interrupted after the changes were saved: see `transition import history` "
                   "and `transition status`.")
    if err_console.is_terminal:
        err_console.print()  # past the ^C the terminal echoed
    err_console.print(message, markup=False)
    sys.exit(EXIT_INTERRUPTED)


def json_wanted(args: list[str]) -> bool:
    """Whether the command line asks for ``--json`` (before any ``--``)."""
    end = args.index("--") if "--" in args else len(args)
    return "--json" in args[:end]


def json_failure(args: list[str], message: str, hint: str | None, exit_code: int) -> None:
    """Under ``--json``, a command that fails before printing its document prints this one, so
    stdout always holds exactly one JSON document: ``{"status": "failed", "error", "hint",
    "exit_code"}`` (the message and hint also go to stderr, as without ``--json``)."""
    if json_wanted(args) and not json_output.printed:
        print_json({"status": "failed", "error": message, "hint": hint, "exit_code": exit_code})



# What to write for a value typed on the command line, where more can be said than its kind.
_TYPED_ADVICE = {"task_id": "the task's number, as `transition tasks list` shows it"}


def plain_usage(exc: ClickException) -> ClickException:
    """A value Typer could not read (it checks them with pydantic, whose words it passes on:
    "Input should be a valid integer, unable to parse string as an integer") said plainly:
    "task_id is 'abc': write the task's number, as `transition tasks list` shows it"."""
    cause = exc.__cause__
    param = getattr(exc, "param", None)
    if not (isinstance(exc, BadParameter) and isinstance(cause, ValidationError)
            and param is not None and cause.errors()):
        return exc
    error = cause.errors()[0]
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("-")]
    name = opts[0] if opts else param.name or "the value"  # an argument, as the usage says
    value = error.get("input")
    given = f"{name} is {value!r}" if isinstance(value, str) else f"{name} is {value}"
    wanted = typed_reason(error)
    if wanted is not None:
        return UsageError(f"{given}: write {_TYPED_ADVICE.get(param.name or '', wanted)}.",
                          ctx=exc.ctx)
    if error["type"] in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return UsageError(f"{given}, but it {plain_reason(error)}.", ctx=exc.ctx)
    return exc


def unexpected(args: list[str], exc: BaseException) -> NoReturn:
    """The last line of defence: a message, never a traceback. The exception's text may quote
    data, so only its type is shown."""
    message = (f"transition stopped unexpectedly ({type(exc).__name__}). Any change in "
               "progress was rolled back.")
    hint = ("Run again with TRANSITION_DEBUG=1 to see the details, and report it to the "
            "team that supports transition (the details may quote people's data: share "
            "them only as the council's data protection procedure allows).")
    err_console.print(f"Error: {message} {hint}", markup=False)
    json_failure(args, message, hint, EXIT_FAILED)
    sys.exit(EXIT_FAILED)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command and turn expected failures into messages and exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    json_output.printed = 0
    try:
        logging.basicConfig(
            level=logging.DEBUG if os.environ.get("TRANSITION_DEBUG") else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        for handler in logging.getLogger().handlers:
            handler.addFilter(_no_interrupt_tracebacks)
        commits.reset()
        # Not standalone: Click's usage errors come here to be masked, and Ctrl-C (which Typer
        # turns into exit status 130) to be explained.
        code = app(args=argv, prog_name="transition", standalone_mode=False)
    except ClickException as raised:  # bad usage: Click's message, with any NHS number masked
        bad_usage = plain_usage(raised)
        shown = io.StringIO()
        bad_usage.show(file=shown)
        sys.stderr.write(mask_nhs_numbers(shown.getvalue()))
        usage = getattr(bad_usage, "ctx", None)
        json_failure(args, mask_nhs_numbers(bad_usage.format_message()),
                     f"See {usage.command_path} --help." if usage is not None else None,
                     bad_usage.exit_code)
        sys.exit(bad_usage.exit_code)
    except typer.Abort:  # end of input at a prompt
        err_console.print("Aborted (no more input).")
        json_failure(args, "Aborted (no more input).", None, EXIT_PARTIAL)
        sys.exit(EXIT_PARTIAL)
    except KeyboardInterrupt:  # Ctrl-C outside the command itself
        interrupted()
    except TransitionError as exc:
        err_console.print(f"Error: {exc.message}", markup=False)
        if exc.hint:
            err_console.print(exc.hint, markup=False)
        json_failure(args, exc.message, exc.hint, exc.exit_code)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a file or folder the command reads or writes: say which folder
        if os.environ.get("TRANSITION_DEBUG"):
            raise
        message = f"{file_error(exc)} Any change in progress was rolled back."
        hint = ("Check the folder exists, that you may write to it and that the disk has room, "
                "then run the command again.")
        err_console.print(f"Error: {message}", markup=False)
        err_console.print(hint, markup=False)
        json_failure(args, message, hint, EXIT_FAILED)
        sys.exit(EXIT_FAILED)
    except OperationalError as exc:
        if os.environ.get("TRANSITION_DEBUG"):
            raise
        reason = failure_reason(exc)
        if not cannot_be_reached(reason):  # words that could quote data
            unexpected(args, exc)
        # The connection went mid-command (a server restarted, a network share went away):
        # the driver's words name the host or file, never a row's values.
        message = (f"The connection to the database was lost partway: {reason}. Any change "
                   "in progress was rolled back.")
        hint = unusable_database("the database", reason, None).hint
        err_console.print(f"Error: {message}", markup=False)
        err_console.print(hint, markup=False)
        json_failure(args, message, hint, EXIT_FAILED)
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("TRANSITION_DEBUG"):
            raise
        unexpected(args, exc)
    finally:
        if argv is None:  # the program itself, not a test: all that is left is exiting
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code == EXIT_INTERRUPTED:  # Typer's answer to KeyboardInterrupt; no command exits so
        interrupted()
    if isinstance(code, int) and not isinstance(code, bool) and code:
        sys.exit(code)


def file_error(exc: OSError) -> str:
    """What went wrong with a file, naming its folder but not the file: file names can carry
    a person's identifier (letters are named by the trust's patient id)."""
    reason = exc.strerror or type(exc).__name__
    if not exc.filename:
        return f"A file could not be read or written ({reason})."
    folder = Path(os.fsdecode(exc.filename)).expanduser().parent
    return f"A file in {folder} could not be read or written ({reason})."


if _loading_handled:  # loaded: Ctrl-C is KeyboardInterrupt again, which main() explains
    signal.signal(signal.SIGINT, _handler_before_loading or signal.default_int_handler)

if __name__ == "__main__":
    main()
