"""What every command shares: the context object, consoles, JSON output and option parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from transition.config import Settings
from transition.db import Database, json_default, json_dumps, sqlite_file
from transition.demo import use_demo_files
from transition.errors import EXIT_FAILED, DatabaseError, TransitionError
from transition.files import refuse_database_file
from transition.ruleset import Rules, load_rules

# Human-readable output goes to stderr when --json owns stdout; Rich drops colour codes
# by itself when the stream is not a terminal.
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

WIDE_TABLE = 150
"""Columns a table of one line per row needs (people, tasks, check findings, imports, a
person's candidate workers). Narrower, a small terminal or a file (80: cron's mail), gets a
:func:`stacked_table` of two lines per row, so that names, titles and advice are never cut to
"…" nor squeezed into a column a few words wide."""


def stacked_table(*headings: str, whole: Iterable[str] = ()) -> Table:
    """A table for output under ``WIDE_TABLE`` columns: each heading (and each cell) may hold
    two lines ("Name\nteam"), rows are ruled apart, and a word too long for its column folds
    onto the next line rather than being cut. The columns in ``whole`` (NHS numbers, ids) are
    never wrapped."""
    keep = set(whole)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, show_lines=True, header_style="bold",
                  padding=(0, 1))
    for heading in headings:
        table.add_column(heading, no_wrap=heading in keep,
                         overflow="ellipsis" if heading in keep else "fold")
    return table


def _empty_file(path: Path) -> bool:
    """A file of 0 bytes with no write-ahead log holding data beside it (a database whose
    every change is still in its ``-wal`` file has an empty main file for a moment)."""
    if not path.is_file() or path.stat().st_size:
        return False
    wal = path.with_name(path.name + "-wal")
    return not (wal.is_file() and wal.stat().st_size)


@dataclass
class CliContext:
    """Built once by the root callback and handed to every command as ``ctx.obj``."""

    settings: Settings
    _db: Database | None = field(default=None, repr=False)
    _rules: Rules | None = field(default=None, repr=False)
    _may_create: bool = field(default=False, repr=False)

    @property
    def db(self) -> Database:
        """The database, upgraded on first use (refused if it is too new). A SQLite file that
        does not exist is made only by a command that starts a database (the first import,
        ``programme set``, ``db upgrade``: they call :meth:`may_create` first); for any other
        it is a mistyped ``--db``, refused before anything is created."""
        if self._db is None:
            if not self._may_create:
                self.require_existing_file()
            self._db = Database.from_settings(self.settings)
            if self._db.last_upgrade is not None:
                err_console.print(Text(self._db.last_upgrade.describe(self._db.describe())))
            # On a demo database, what would default into the data folder (letters, reports,
            # the pseudonym key) goes to the demo's own folder (transition.demo).
            with self._db.session() as session:
                use_demo_files(self.settings, session)
        return self._db

    def require_existing_file(self) -> None:
        """Refuse a SQLite database file that does not exist (a mistyped ``--db``), or is
        empty (a file emptied by accident, or made with ``touch``), rather than make a new
        database in it and report on nothing."""
        path = sqlite_file(self.settings.resolved_database_url)
        if path is not None and not path.exists():
            raise DatabaseError(
                f"There is no database at {path}: nothing was created.",
                hint="Check --db or TRANSITION_DATABASE_URL for a typing mistake. A new "
                "database is made by its first import: transition --db FILE import staff "
                "STAFF_LIST.")
        if path is not None and _empty_file(path):
            raise DatabaseError(
                f"The file {path} is empty (0 bytes): it holds no database, so there is "
                "nothing to read and nothing was changed.",
                hint="If it should hold the team's caseload, it has been emptied: restore it "
                "from a backup (transition db backup makes one). If it is meant to be a new "
                "database, start it with its first import: transition --db FILE import staff "
                "STAFF_LIST.")

    def may_create(self) -> CliContext:
        """Let this command make a new SQLite database (it starts one: see :attr:`db`)."""
        self._may_create = True
        return self

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = load_rules(self.settings.rules_file,
                                     given_by=self.settings.rules_file_given_by)
        return self._rules

    @property
    def actor(self) -> str:
        return self.settings.actor

    def today(self, as_of: date | None = None) -> date:
        return as_of or self.settings.today()

    def output_file(self, value: str | Path, *, option: str) -> Path:
        """A file the person named for this command to write (``--report FILE``, ...),
        refused before anything is done if it is the SQLite database or one of the files
        SQLite keeps beside it (:func:`~transition.files.refuse_database_file`)."""
        path = Path(value).expanduser()
        refuse_database_file(path, sqlite_file(self.settings.resolved_database_url),
                             option=option)
        return path

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


# The most any --limit takes: far above any caseload, and inside a 64-bit integer (a longer
# number stopped SQLite's driver with OverflowError). Nine digits: an error message masks ten
# as an NHS number.
LIMIT_MAX = 100_000_000


def page_size(limit: int | None, as_json: bool, table: int) -> int | None:
    """How many rows a list command gives (None: all): ``--limit N``, 0 for all; unset, all
    with ``--json`` (a script must not get the first page and a note on stderr) and ``table``
    in a table. Every list command (people, tasks, audit, the histories) reads it so."""
    if limit is None:
        return None if as_json else table
    return limit or None


def context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext), "the root callback sets the context"
    return obj


class _JsonOutput:
    """How many JSON documents this run has printed (``cli.main`` resets it): a command that
    fails under ``--json`` before printing one gets a failure document instead (cli.main)."""

    printed = 0


json_output = _JsonOutput()


def print_json(value: Any) -> None:
    """Exactly one JSON document on stdout (nothing else is written there under --json).

    An object is indented. A list is written one item per line: just as readable for a list
    of records, and each item goes through json's C encoder (indenting uses the pure-Python
    one, which took 14 s for the 465,000 rows of a large ``tasks list --json``).
    """
    write = sys.stdout.write
    json_output.printed += 1
    if isinstance(value, list) and value:
        write("[\n  ")
        write(",\n  ".join(map(json_dumps, value)))
        write("\n]\n")
    else:
        write(json.dumps(value, default=json_default, ensure_ascii=False, indent=2))
        write("\n")
    sys.stdout.flush()


def fail(message: str, *, exit_code: int = EXIT_FAILED, hint: str | None = None) -> NoReturn:
    raise TransitionError(message, exit_code=exit_code, hint=hint)


def group_alone(ctx: typer.Context) -> bool:
    """Whether a group with options of its own (``plan``, ``check``) runs on its own: True
    with no subcommand. With one, its options given before the subcommand (``plan --json
    show``) would be silently dropped, so they are refused (exit 2) naming the right place."""
    if ctx.invoked_subcommand is None:
        return True
    given = [param.opts[0] for param in ctx.command.params
             if param.name and param.opts
             and (source := ctx.get_parameter_source(param.name)) is not None
             and source.name not in ("DEFAULT", "DEFAULT_MAP")]
    if given:
        group, sub = ctx.info_name, ctx.invoked_subcommand
        command = getattr(ctx.command, "get_command", lambda *_: None)(ctx, sub)
        takes = {opt for param in getattr(command, "params", ()) for opt in param.opts}
        moved = [option for option in given if option in takes]
        fail(f"{', '.join(given)} {'is an option' if len(given) == 1 else 'are options'} of "
             f"transition {group} run on its own, not of transition {group} {sub}: nothing was "
             "done.",
             hint=(f"Give {' '.join(moved)} after the subcommand: transition {group} {sub} "
                   f"{' '.join(moved)}." if moved else
                   f"transition {group} {sub} does not take "
                   f"{'it' if len(given) == 1 else 'them'}: see transition {group} {sub} "
                   "--help."))
    return False


def one_of(value: str | None, allowed: Iterable[str], option: str) -> str | None:
    """An option's value in lower case, or a refusal naming the values allowed."""
    if value is None:
        return None
    chosen = value.strip().lower()
    allowed = tuple(allowed)
    if chosen not in allowed:
        fail(f"{option} {value!r} is not one we know.",
             hint=f"Use one of: {', '.join(allowed)}.")
    return chosen


def parse_date(value: str | None, *, option: str) -> date | None:
    """A date from the command line, read as the importer reads a date cell: ISO or year
    first (2027-04-01, 2027-4-1), UK day first (01/04/2027) or with the month in words
    (1 April 2027). Nothing is guessed: a date missing its day, month or year ('2027', 'Nov')
    or digits that could be read either way round are refused, never filled in from today."""
    if value is None:
        return None
    from transition.validation import TYPED_DATE_HINT, Bad, date_problem, typed_date

    if not value.strip():
        # A script's unset variable (--as-of "$DAY"): refused, not read as no date given,
        # which would mean today, or clear a handover date.
        fail(f"{option} is empty: nothing was done.", hint=TYPED_DATE_HINT)

    try:
        return typed_date(value)
    except Bad as bad:
        fail(f"{option} {value!r} is not a date{date_problem(bad)}.", hint=TYPED_DATE_HINT)


def place_option(session: Any, kind: str, typed: str) -> tuple[str, ...]:
    """``--team`` or ``--locality`` (``kind``) as the caseload spells it, in any case and
    spacing (:func:`transition.handover.match_place`: usually one spelling). Empty is a bad
    argument (exit 2); a place no one is in is not found (exit 1, as a person or staff id is),
    with the close ones: a mistyped team is not an empty one, which "Nobody matches" would
    say."""
    from transition.errors import NotFoundError
    from transition.handover import match_place

    if not typed.strip():
        fail(f"--{kind} needs a name.", hint=f"transition people shows each person's {kind}.")
    try:
        return tuple(match_place(session, kind, typed))
    except NotFoundError as exc:
        raise NotFoundError(
            f"--{kind} {typed.strip()!r}: no one on the caseload is in that {kind}.",
            hint=exc.hint) from None


def as_of_option(help_text: str = "Treat this date as today (YYYY-MM-DD or DD/MM/YYYY).") -> Any:
    return typer.Option(None, "--as-of", help=help_text, show_default=False)


def json_option() -> Any:
    return typer.Option(False, "--json", help="Print one JSON document on stdout.")


def numbers_masked(full_numbers: bool = False) -> bool:
    """Whether NHS numbers print masked to their last four digits: when stdout is not a
    terminal (cron mails it), unless ``--full-numbers`` asks for them in full. ``--json`` and
    report files always hold them in full. ``check`` and ``letters generate`` share the rule."""
    return not (full_numbers or console.is_terminal)


def report_option(help_text: str) -> Any:
    """``--report FILE``: also write what the command shows to a file (owner-only)."""
    return typer.Option(None, "--report", metavar="FILE", show_default=False, help=help_text)


def existing_file(path: Path, *, what: str) -> Path:
    if not path.exists():
        fail(f"{what} {path} does not exist.", hint="Check the path and try again.")
    if not path.is_file():
        fail(f"{what} {path} is not a file.")
    return path
