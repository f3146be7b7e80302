"""`transition import`: the trust's caseload export and the staff list, and what became of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from transition import nhs
from transition.commands.common import (
    LIMIT_MAX,
    WIDE_TABLE,
    console,
    context,
    err_console,
    json_option,
    page_size,
    print_json,
    stacked_table,
)
from transition.errors import TransitionError
from transition.importer import (
    ImportOptions,
    ImportResult,
    batch_summary,
    default_rejects_dir,
    import_file,
    recent_imports,
    what_the_rules_read,
)

app = typer.Typer(
    help="Import the trust's caseload export or the staff list (CSV or XLSX).",
    no_args_is_help=True,
)
from transition.widgets.format import plural, uk_time

SHOW_REJECTS = 20
SHOW_WARNINGS = 10


def _import_command(kind: str, what: str, summary: str) -> Any:
    """The ``transition import caseload`` / ``staff`` command: the same options for both."""

    def command(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help=f"The {what} (.csv or .xlsx).", show_default=False),
        sheet: str | None = typer.Option(
            None, "--sheet", help="The worksheet to read (XLSX; default the first visible one)."),
        mapping: Path | None = typer.Option(
            None, "--mapping",
            help='A TOML file mapping other headers: "Their Header" = "nhs_number".'),
        strict: bool = typer.Option(False, "--strict", help="Import nothing if any row is rejected."),
        rejects: Path | None = typer.Option(
            None, "--rejects",
            help="Write rejected rows to this CSV (default: a rejects folder beside the database)."),
        as_json: bool = json_option(),
    ) -> None:
        _run(ctx, kind, file, sheet, mapping, strict, rejects, as_json)

    command.__doc__ = summary
    command.__name__ = f"import_{kind}"
    return command


app.command("caseload")(_import_command(
    "caseload", "trust's caseload export",
    "Import the trust's caseload: add new people, update changed ones, flag those missing."))
app.command("staff")(_import_command(
    "staff", "staff list",
    "Import the staff list: council social workers (seconded or not) and trust staff."))


@app.command("history")
def import_history(
    ctx: typer.Context,
    limit: int | None = typer.Option(
        None, "--limit", min=0, max=LIMIT_MAX, show_default=False,
        help="How many imports to show, 0 = all (default: all with --json, 20 otherwise)."),
    as_json: bool = json_option(),
) -> None:
    """The imports run on this database, newest first."""
    cli = context(ctx)
    with cli.db.session() as session:
        batches = [batch_summary(batch) for batch in
                   recent_imports(session, limit=page_size(limit, as_json, 20))]
    if as_json:
        print_json(batches)
        return
    if not batches:
        console.print("No imports yet. Start with: transition import staff FILE, then "
                      "transition import caseload FILE")
        return
    console.print(_history_table(batches, console.width))
    # What the newest import of each kind said about its file's columns: the team should know.
    newest: dict[str, dict[str, Any]] = {}
    for batch in batches:
        newest.setdefault(batch["kind"], batch)
    for batch in newest.values():
        if batch["column_notes"]:
            console.print(f"\nAbout the columns of {batch['file']} (import {batch['batch_id']}):",
                          markup=False, highlight=False)
            for note in batch["column_notes"]:
                console.print(f"  • {note}", markup=False, highlight=False)


_COUNTS = ("rows", "inserted", "updated", "rejected", "missing_from_file", "warnings")


def _history_table(batches: list[dict[str, Any]], width: int) -> Table:
    """One line per import when there is room (``WIDE_TABLE``); else two (kind over status,
    file over when), so the file's name is shown whole rather than squeezed out."""
    def count(batch: dict[str, Any], name: str) -> str:
        return f"{batch[name]:,}"

    wide = width >= WIDE_TABLE
    if wide:
        table = Table(box=None, header_style="bold")
        headings = ("Batch", "Kind", "File", "When (UK)", "Status", "Rows", "New", "Updated",
                    "Rejected", "Missing", "Warnings")
        for heading in headings:
            table.add_column(heading, no_wrap=heading != "File")
    else:
        headings = ("Batch", "Kind\nstatus", "File\nwhen (UK)", "Rows", "New\nupdated",
                    "Rejected\nmissing", "Warnings")
        table = stacked_table(*headings, whole=[heading for heading in headings
                                                if not heading.startswith("File")])
    for column, heading in zip(table.columns, headings, strict=True):
        if not heading.startswith(("Kind", "File", "When", "Status")):
            column.justify = "right"  # the counts and the batch's number
    for batch in batches:
        when = uk_time(batch["started_at"])
        if wide:
            table.add_row(*(Text(cell) for cell in (
                str(batch["batch_id"]), batch["kind"], batch["file"], when, batch["status"],
                *(count(batch, name) for name in _COUNTS))))
            continue
        rows, new, updated, rejected, missing, warnings = (count(batch, name) for name in _COUNTS)
        table.add_row(*(Text(cell) for cell in (
            str(batch["batch_id"]), f"{batch['kind']}\n{batch['status']}",
            f"{batch['file']}\n{when}", rows, f"{new}\n{updated}", f"{rejected}\n{missing}",
            warnings)))
    return table


# ---------------------------------------------------------------------------------------------


def _run(ctx: typer.Context, kind: str, file: Path, sheet: str | None, mapping: Path | None,
         strict: bool, rejects: Path | None, as_json: bool) -> None:
    cli = context(ctx).may_create()  # the first import starts a database
    out = err_console if as_json else console
    try:
        if rejects is not None:
            rejects = cli.output_file(rejects, option="--rejects")
        options = ImportOptions(
            sheet=sheet, mapping_file=mapping, strict=strict, rejects_path=rejects,
            rejects_dir=None if rejects else default_rejects_dir(cli.db, cli.settings),
            **what_the_rules_read(lambda: cli.rules, kind),
        )
        with _progress_bar(file.name) as progress, cli.db.transaction() as session:
            result = import_file(session, file, kind, options, actor=cli.actor,
                                 today=cli.today(), progress=progress)
    except TransitionError as exc:
        if as_json:
            print_json({"status": "failed", "kind": kind, "file": file.name,
                        "error": exc.message, "hint": exc.hint, "exit_code": exc.exit_code})
        raise
    if as_json:
        print_json(result.to_json())
    print_summary(out, result)
    raise typer.Exit(result.exit_code)


@contextmanager
def _progress_bar(name: str) -> Iterator[Any]:
    """A progress bar on stderr for files big enough to need one (only on a terminal)."""
    with Progress(
        TextColumn("[bold]Importing[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console, transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(name, total=None, visible=False)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True)

        yield report


def print_summary(out: Console, result: ImportResult) -> None:
    """The human summary: counts, the first rejects and warnings, where the rejects file is."""
    noun, nouns = ("person", "people") if result.kind == "caseload" else ("worker", "workers")
    source = result.file + (f", sheet '{result.sheet}'" if result.sheet else "")
    how = []
    if result.header_row != 1:
        how.append(f"header on row {result.header_row}")
    if result.encoding and result.encoding not in ("utf-8", "utf-8-sig"):
        how.append({"cp1252": "Windows-1252 text", "utf-16": "UTF-16 text"}.get(
            result.encoding, f"{result.encoding} text"))
    if result.delimiter and result.delimiter != ",":
        how.append({";": "semicolon", "\t": "tab", "|": "pipe"}[result.delimiter] + "-separated")
    out.print(Text(f"{result.kind.capitalize()} import {result.batch_id}: ", style="bold"),
              Text(source + (f" ({', '.join(how)})" if how else "")), sep="")

    counts = Table(box=None, show_header=False, padding=(0, 2))
    counts.add_column(justify="left")
    counts.add_column(justify="right")
    rows = [("Rows read", result.rows), (f"New {nouns}", result.inserted),
            ("Updated", result.updated), ("Unchanged", result.unchanged),
            ("Rejected", result.rejected), ("Repeated rows (imported once)", result.duplicates),
            ("Missing from this file (flagged, not deleted)", result.missing_from_file),
            ("Warnings", result.warnings)]
    for title, value in rows:
        counts.add_row(title, f"{value:,}")
    out.print(counts)

    if result.rejects:
        out.print(f"\n[bold]Rejected rows[/] ({plural(result.rejected, 'row')}):")
        table = Table(box=None, header_style="bold", padding=(0, 2))
        table.add_column("Row", justify="right")
        table.add_column("NHS number" if result.kind == "caseload" else "Staff id")
        table.add_column("Why")
        for reject in result.rejects[:SHOW_REJECTS]:
            key = reject.record_key or ""
            # A cell that is no number may hold anything (a name): not even part of it is shown.
            shown = nhs.mask_cell(key) if result.kind == "caseload" else key
            table.add_row(str(reject.row), Text(shown), Text(
                "\n".join(f"{column}: {message}" for column, message in reject.errors)))
        out.print(table)
        if result.rejected > SHOW_REJECTS:
            out.print(f"... and {result.rejected - SHOW_REJECTS:,} more.")
    if result.warning_list:
        by_column = Counter(warning.column for warning in result.warning_list)
        out.print("\n[bold]Warnings[/] (imported; worth checking): "
                  + ", ".join(f"{column} {count:,}" for column, count in by_column.most_common()))
        for warning in result.warning_list[:SHOW_WARNINGS]:
            out.print(f"  row {warning.row}: {warning.column}: {warning.message}",
                      highlight=False, markup=False)
        if result.warnings > SHOW_WARNINGS:
            out.print(f"  ... and {result.warnings - SHOW_WARNINGS:,} more "
                      f"(see transition person NHS_NUMBER, or the {noun} screen).")
    for notice in result.notices:
        out.print(f"\nNote: {notice}", markup=False, highlight=False)
    if result.rejects_path:
        out.print(f"\nRejected rows were written to {result.rejects_path}\nFix them there and "
                  f"import that file again (the extra columns it adds are ignored).",
                  markup=False, highlight=False)
    out.print("\n" + _verdict(result, noun, nouns), highlight=False)


def _verdict(result: ImportResult, noun: str, nouns: str) -> str:
    imported = result.inserted + result.updated + result.unchanged
    if result.status == "complete":
        return f"[green]Done:[/] all {plural(result.rows, 'row')} imported."
    if result.status == "partial":
        return (f"[yellow]Imported {plural(imported, noun, nouns)}; "
                f"{plural(result.rejected, 'row')} rejected.[/]")
    if result.status == "refused":
        return ("[red]Nothing imported (--strict):[/] "
                f"{plural(result.rejected, 'row')} rejected. Fix them and import again.")
    return "[red]Nothing imported:[/] every row was rejected. Check this is the right file."
