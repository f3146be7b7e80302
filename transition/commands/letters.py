"""`transition letters`: write handover letters, see who needs which, preview one, list history,
check a council's own templates."""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlmodel import Session

from transition import nhs
from transition.commands.common import (
    as_of_option,
    console,
    context,
    err_console,
    fail,
    json_option,
    numbers_masked,
    parse_date,
    print_json,
)
from transition.config import settings_file_shown
from transition.errors import EXIT_PARTIAL
from transition.letter_records import CARER_NOT_ASKED, CARER_SAID_NO
from transition.letter_template_check import TemplateWarning
from transition.letter_templates import FolderCheck, LetterTemplateError, LetterTemplates
from transition.letters import (
    FORMATS,
    KINDS,
    GenerationResult,
    LetterNeed,
    check_council_details,
    generate_letters,
    letter_history,
    letters_needed,
    out_of_date_letters,
    preview_letter,
)
from transition.people import require_person
from transition.widgets.format import plural, uk_date, uk_time

app = typer.Typer(
    help="Handover letters to each person, their GP and their carer, in the format each needs.",
    no_args_is_help=True,
)

KIND_HELP = f"Only this kind of letter ({', '.join(KINDS)}); repeat for more. Default: all that apply."
FORMAT_HELP = (f"Write every letter in this format ({', '.join(FORMATS)}). Default: the letter_format "
               "setting (pdf), or what the person's accessible information need calls for.")
NHS_HELP = "Only this person (NHS number); repeat for more. Default: everyone who needs letters."
TEMPLATES_HELP = "The council's own templates folder, looked up before the shipped templates."
TABLE_LIMIT = 40


def _word(value: str) -> str:
    """An option's value as the letters name it: ``GP`` and ``DOCX `` read as ``gp``, ``docx``
    (every command reads its options case-insensitively; an unknown one is still refused)."""
    return value.strip().lower()


def _kinds(values: list[str] | None) -> list[str] | None:
    return [_word(value) for value in values] if values else None


def _person_ids(session: Session, numbers: list[str] | None) -> list[int] | None:
    if not numbers:
        return None
    ids = []
    for number in numbers:
        person = require_person(session, number)
        assert person.id is not None
        ids.append(person.id)
    return ids


@app.command("generate")
def generate(
    ctx: typer.Context,
    kind: list[str] = typer.Option(None, "--kind", help=KIND_HELP, show_default=False),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP, show_default=False),
    nhs_numbers: list[str] = typer.Option(None, "--nhs", help=NHS_HELP, show_default=False),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the letters. Default: <output folder>/letters.",
        show_default=False,
    ),
    templates: Path | None = typer.Option(None, "--templates", help=TEMPLATES_HELP,
                                          show_default=False),
    as_of: str | None = as_of_option("Date the letters (YYYY-MM-DD or DD/MM/YYYY); default today."),
    as_json: bool = json_option(),
    full_numbers: bool = typer.Option(
        False, "--full-numbers", help="Print NHS numbers in full even when the output is not a "
        "terminal (from cron, which mails it, they are masked to the last four digits, as "
        "`transition check` does; --json always holds them in full)."),
) -> None:
    """Write the handover letters that are due, record them and mark the letter tasks done.

    Re-running writes only letters whose content changed; older versions are superseded.
    Exit status 0 when every letter due was written or is current, or was not written for a
    settled reason (the person said no to their carer being told; braille or BSL, which the
    team makes; its letter task marked not needed by a manager); 1 when a letter could not be
    written and someone must act (no address, consent not asked, held back for a record to
    correct, characters the PDF font cannot show, a letter asked for that does not apply); 2
    the command could not run. Every letter not written is listed with its reason.
    """
    cli = context(ctx)
    day = cli.today(parse_date(as_of, option="--as-of"))
    if out is not None:
        cli.output_file(out, option="--out")
    database = cli.db  # opened first: a demo database's letters default to its own folder
    out_dir = (out or cli.settings.resolved_output_dir / "letters").expanduser().resolve()
    result: GenerationResult | None = None
    try:
        with database.transaction() as session, _progress() as bar:
            check_council_details(session, cli.settings.council,
                                  settings_file=settings_file_shown(cli.settings))
            task = bar.add_task("Writing letters", total=None)
            result = generate_letters(
                session,
                council=cli.settings.council,
                out_dir=out_dir,
                as_of=day,
                actor=cli.actor,
                person_ids=_person_ids(session, nhs_numbers),
                kinds=_kinds(kind),
                fmt=_word(fmt) if fmt is not None else None,
                default_format=cli.settings.letter_format,
                templates_dir=templates or cli.settings.letter_templates_dir,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except BaseException:
        if result is not None:  # the files were written but their records were not committed
            result.remove_written_files()
        raise
    _warn_templates(result.template_warnings)
    if as_json:
        print_json(result.as_json())
    else:
        masked = numbers_masked(full_numbers)
        _print_summary(result, nhs.mask if masked else nhs.format_334)
        if masked and (result.skipped or result.tasks_blocked or result.tasks_left_open
                       or result.reworded or 0 < len(result.written) <= TABLE_LIMIT):
            console.print("NHS numbers are masked: this output is not a terminal (cron mails "
                          "it). --json holds them in full; --full-numbers prints them here.",
                          style="dim", markup=False)
    if result.not_written:
        raise typer.Exit(EXIT_PARTIAL)


def _warn_templates(warnings: tuple[TemplateWarning, ...]) -> None:
    """Say, on stderr, what the council's templates written for an older version print wrongly:
    which file and line, and what to use instead (``--json`` has them too)."""
    for warning in warnings:
        err_console.print(f"Warning: {warning.message}", markup=False)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, transient=True,
    )


def _print_summary(result: GenerationResult,
                   number: Callable[[str], str] = nhs.format_334) -> None:
    """The counts, the letters written and those not written, NHS numbers written by
    ``number`` (masked when the output is not a terminal)."""
    console.print(
        f"Letters: {len(result.written):,} written, {len(result.unchanged):,} unchanged, "
        f"{result.superseded:,} older versions superseded, {result.tasks_done:,} letter tasks "
        f"marked done."
    )
    if result.written:
        console.print(f"Folder: {result.out_dir}", markup=False)
        if len(result.written) <= TABLE_LIMIT:
            table = Table("NHS number", "Letter", "Format", "File", "Note")
            for outcome in result.written:
                table.add_row(number(outcome.nhs_number), outcome.kind, outcome.format,
                              Path(outcome.path or "").name, outcome.note or "")
        else:
            counts = Counter((o.kind, o.format) for o in result.written)
            table = Table("Letter", "Format", "Written")
            for (kind, fmt), count in sorted(counts.items()):
                table.add_row(kind, fmt, str(count))
        console.print(table)
        notes = [o for o in result.written if o.note]
        if notes and len(result.written) > TABLE_LIMIT:
            console.print(f"{len(notes):,} letters need something more from the team "
                          "(see --json, field note).")
        if reworded := result.reworded:
            who = [f"{number(o.nhs_number)} ({o.kind})" for o in reworded]
            shown = ", ".join(who[:10]) + (f" and {len(who) - 10} more" if len(who) > 10 else "")
            console.print(
                f"\nReworded: {plural(len(reworded), 'letter')} of these "
                f"{'says' if len(reworded) == 1 else 'say'} the same about the person as the "
                "letter it replaces; only the wording (a new template) or the council's details "
                "changed. If the old one was posted, decide whether this one needs posting too "
                f"(--json: reworded): {shown}.", markup=False)
    elsewhere = Counter(str(Path(o.path).parent) for o in result.unchanged
                        if o.path and Path(o.path).parent.resolve() != Path(result.out_dir).resolve())
    if elsewhere:  # nothing is copied: the current letter is the file already written
        folders = "; ".join(f"{folder} ({count:,})" for folder, count in elsewhere.most_common())
        console.print(
            f"\nUnchanged letters are not written again, here or in --out: the current ones "
            f"stay where they were written: {folders}. Copy them from there (transition letters "
            "history lists each file).", markup=False)
    if result.tasks_blocked:
        blocked = result.tasks_blocked
        who = [f"{number(o.nhs_number)} ({o.kind})" for o in blocked]
        shown = ", ".join(who[:10]) + (f" and {len(who) - 10} more" if len(who) > 10 else "")
        console.print(
            f"\nLeft blocked: {len(blocked):,} letter {'task' if len(blocked) == 1 else 'tasks'} "
            "someone marked blocked (the letter is written; the task keeps its block and reason "
            f"until someone clears it): {shown}.", markup=False)
        console.print("  See why with: transition tasks list --status blocked --key letter_person "
                      "--key letter_gp --key letter_carer", markup=False)
    if left_open := result.tasks_left_open:
        who = [f"{number(o.nhs_number)} ({o.kind})" for o in left_open]
        shown = ", ".join(who[:10]) + (f" and {len(who) - 10} more" if len(who) > 10 else "")
        console.print(
            f"\nLeft open: {len(left_open):,} letter {'task' if len(left_open) == 1 else 'tasks'}"
            ": the person needs the letter in another language or as audio; mark the task "
            "done when that is sent (task accessible_communication; --json: tasks_left_open): "
            f"{shown}.", markup=False)
    if result.skipped:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for outcome in result.skipped:
            by_reason[outcome.reason or ""].append(f"{number(outcome.nhs_number)} ({outcome.kind})")
        settled = len(result.skipped) - len(result.not_written)
        console.print(f"\nNot written: {plural(len(result.skipped), 'letter')}." + (
            f" {settled:,} settled (the person's answer, a format the team makes, or a task "
            "marked not needed: not a failure); "
            f"{len(result.not_written):,} to act on." if settled else ""))
        for reason, who in sorted(by_reason.items(), key=lambda item: -len(item[1])):
            shown = ", ".join(who[:10]) + (f" and {len(who) - 10} more" if len(who) > 10 else "")
            console.print(f"  {len(who):,} x {reason}: {shown}", markup=False)


@app.command("status")
def status(
    ctx: typer.Context,
    kind: list[str] = typer.Option(None, "--kind", help=KIND_HELP, show_default=False),
    nhs_numbers: list[str] = typer.Option(None, "--nhs", help=NHS_HELP, show_default=False),
    templates: Path | None = typer.Option(None, "--templates", help=TEMPLATES_HELP,
                                          show_default=False),
    as_json: bool = json_option(),
    full_numbers: bool = typer.Option(
        False, "--full-numbers", help="Print NHS numbers in full even when the output is not a "
        "terminal (otherwise masked to the last four digits, as `letters generate` and "
        "`transition check` do; --json always holds them in full)."),
) -> None:
    """Who needs which letters: due, written, out of date or not possible (and why).

    NHS numbers print masked when the output is not a terminal (a script or cron), unless
    --full-numbers."""
    cli = context(ctx)
    kinds = _kinds(kind)
    folder = LetterTemplates(templates or cli.settings.letter_templates_dir)
    _warn_templates(folder.outdated)
    with cli.db.session() as session:
        person_ids = _person_ids(session, nhs_numbers)
        # With the council's details: a letter that prints one since corrected (an old crisis
        # line) is out of date too.
        needs = letters_needed(
            session, person_ids=person_ids, kinds=kinds,
            default_format=cli.settings.letter_format, templates=folder,
            council=cli.settings.council, as_of=cli.today(),
        )
        # Only the people and kinds asked about: a manager looking at one person is not shown
        # anyone else's letters (need-to-know), and the counts match the table above them.
        stale = [letter for letter in out_of_date_letters(
                     session, person_ids, council=cli.settings.council, templates=folder,
                     as_of=cli.today())
                 if kinds is None or letter.kind in kinds]
    if as_json:
        print_json({
            "needs": [
                {"nhs_number": n.nhs_number, "kind": n.kind, "status": n.status,
                 "format": n.format, "style": n.style, "template": n.template,
                 "reason": n.reason, "note": n.note, "letter_id": n.letter_id}
                for n in needs
            ],
            "out_of_date": [
                {"letter_id": s.letter_id, "nhs_number": s.nhs_number, "kind": s.kind,
                 "format": s.format, "path": s.path, "generated_at": s.generated_at,
                 "reason": s.reason}
                for s in stale
            ],
        })
        return
    counts = Counter((n.kind, n.status) for n in needs)
    table = Table("Letter", "Due", "Written", "Out of date", "Not possible")
    for letter_kind in KINDS:
        row = [counts[(letter_kind, s)] for s in ("due", "written", "out_of_date", "skipped")]
        if any(row):
            table.add_row(letter_kind, *(str(value) for value in row))
    console.print(table)
    masked = numbers_masked(full_numbers)
    number = nhs.mask if masked else nhs.format_334
    skipped = [n for n in needs if n.status == "skipped"]
    _print_not_possible(skipped, number)
    refused = [letter for letter in stale if letter.reason in (CARER_SAID_NO, CARER_NOT_ASKED)]
    if len(refused) < len(stale):
        console.print(f"\n{plural(len(stale) - len(refused), 'letter')} out of date (generate "
                      "them again):")
    if refused:
        console.print(f"{plural(len(refused), 'carer letter')} must not be posted: the person "
                      "has since said no to their carer being told, or was never asked (if one "
                      "has gone, tell the person and follow the council's data protection "
                      "procedure).")
    if stale:
        for letter in stale[:TABLE_LIMIT]:
            console.print(f"  {number(letter.nhs_number)} {letter.kind}: {letter.reason}",
                          markup=False)
    if masked and (skipped or stale):
        console.print("NHS numbers are masked: this output is not a terminal. --json holds them "
                      "in full; --full-numbers prints them here.", style="dim", markup=False)


NOT_POSSIBLE_SHOWN = 5  # NHS numbers shown for each reason (--json lists every one)


def _print_not_possible(skipped: list[LetterNeed],
                        number: Callable[[str], str] = nhs.format_334) -> None:
    """The letters that cannot be written, grouped by kind and reason (most first), each with
    the first few people: what the team must sort out before they can go."""
    if not skipped:
        return
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for need in skipped:
        groups[(need.kind, need.reason or "no reason recorded")].append(need.nhs_number)
    console.print(f"\n{plural(len(skipped), 'letter')} not possible, and why:")
    for (letter_kind, reason), numbers in sorted(groups.items(),
                                                 key=lambda item: (-len(item[1]), item[0])):
        shown = ", ".join(number(each) for each in numbers[:NOT_POSSIBLE_SHOWN])
        more = (f" and {len(numbers) - NOT_POSSIBLE_SHOWN:,} more (--json lists them)"
                if len(numbers) > NOT_POSSIBLE_SHOWN else "")
        console.print(f"  {letter_kind} ({len(numbers):,}): {reason.rstrip('.')}. {shown}{more}",
                      markup=False)


@app.command("preview")
def preview(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    kind: str = typer.Option("person", "--kind", help=f"Which letter ({', '.join(KINDS)})."),
    templates: Path | None = typer.Option(None, "--templates", help=TEMPLATES_HELP,
                                          show_default=False),
    as_of: str | None = as_of_option("Date the letter (YYYY-MM-DD or DD/MM/YYYY); default today."),
    html: bool = typer.Option(False, "--html", help="Print the HTML instead of plain text."),
    as_json: bool = json_option(),
) -> None:
    """Show one letter as it will read, without writing or recording anything."""
    cli = context(ctx)
    day = cli.today(parse_date(as_of, option="--as-of"))
    with cli.db.session() as session:
        person = require_person(session, nhs_number)
        assert person.id is not None
        shown = preview_letter(
            session, person.id, _word(kind), council=cli.settings.council, as_of=day,
            default_format=cli.settings.letter_format,
            templates=LetterTemplates(templates or cli.settings.letter_templates_dir),
        )
    _warn_templates(shown.template_warnings)
    if shown.example_council:
        err_console.print(
            f"Example details: {shown.example_council}. Letters cannot be written with them: set "
            f"{', '.join(cli.settings.council.example_keys())} under [council] in "
            f"{settings_file_shown(cli.settings)}.", markup=False)
    if as_json:
        print_json({"nhs_number": shown.nhs_number, "kind": shown.kind, "format": shown.format,
                    "style": shown.style, "template": shown.template, "text": shown.text,
                    "html": shown.html, "skip_reason": shown.skip_reason, "note": shown.note,
                    "example_council": shown.example_council,
                    "template_warnings": [w.as_json() for w in shown.template_warnings]})
        return
    if shown.skip_reason:
        err_console.print(f"This letter would not be sent: {shown.skip_reason}.", markup=False)
    if shown.text is not None:
        console.print(shown.html if html else shown.text, markup=False, highlight=False,
                      soft_wrap=True)
    if shown.skip_reason:
        raise typer.Exit(EXIT_PARTIAL)


def _templates_if_readable(folder: Path | None) -> LetterTemplates | None:
    """The templates, to check a letter written before its council details were kept; None
    when the folder is missing (history is still shown, from the details kept with each letter;
    `letters status` and `generate` say what is wrong with the folder)."""
    try:
        return LetterTemplates(folder)
    except LetterTemplateError:
        return None


@app.command("history")
def history(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    as_json: bool = json_option(),
) -> None:
    """Every letter written for one person, newest first, and whether each is still current."""
    cli = context(ctx)
    with cli.db.session() as session:
        person = require_person(session, nhs_number)
        assert person.id is not None
        records = letter_history(session, person.id, council=cli.settings.council,
                                 templates=_templates_if_readable(cli.settings.letter_templates_dir),
                                 as_of=cli.today())
    if as_json:
        print_json([record.as_dict() for record in records])
        return
    if not records:
        console.print("No letters have been written for this person.")
        return
    table = Table("Dated", "Letter", "Format", "Status", "File", "By")
    for record in records:
        state = record.status.replace("_", " ")
        if record.superseded_at is not None:
            state += f" {uk_time(record.superseded_at)}"
        if record.reason:
            state += f": {record.reason}"
        table.add_row(uk_date(record.dated) if record.dated else "", record.kind,
                      record.format, state, Path(record.path).name, record.generated_by)
    console.print(table)


@app.command("check-templates")
def check_templates(
    ctx: typer.Context,
    templates: str | None = typer.Option(
        None, "--templates", metavar="DIR", show_default=False,
        help="The council's templates folder to check (default: the letter_templates_dir "
        "setting)."),
    as_json: bool = json_option(),
) -> None:
    """Check the council's own letter templates before letters are written from them.

    Reports, file by file: a syntax error (with its line), an include of a template that does
    not exist, a file no letter uses (a misspelt name, with the nearest shipped one), and a
    template written for an older version that gives an NHS worker the council's number.
    Exit status 0 no problems, 1 problems found, 2 no folder to check. The database is not
    opened.
    """
    cli = context(ctx)
    if templates is not None and not templates.strip():
        fail("--templates is blank: nothing was checked.",
             hint="Give the council's templates folder: transition letters check-templates "
             "--templates DIR.")
    folder = Path(templates) if templates is not None else cli.settings.letter_templates_dir
    where = "--templates" if templates is not None else (
        f"letter_templates_dir (in {settings_file_shown(cli.settings)} or "
        "TRANSITION_LETTER_TEMPLATES_DIR)")
    if folder is None:
        fail("No council letter templates folder is set, so there is nothing to check: every "
             "letter uses the shipped templates.",
             hint="Give the folder with --templates DIR, or set letter_templates_dir in "
             f"{settings_file_shown(cli.settings)} (or TRANSITION_LETTER_TEMPLATES_DIR).")
    if not folder.expanduser().is_dir():
        fail(f"The letter templates folder {folder.expanduser()} (from {where}) does not exist "
             "or is not a folder: nothing was checked.",
             hint="Check the path for a typing mistake: it is the folder holding your own "
             "*.html.j2 files (see docs/letters.md).")
    found = LetterTemplates(folder).check_folder()
    if as_json:
        print_json({"status": "problems" if found.problems else "ok",
                    "folder": str(found.folder), "templates": list(found.templates),
                    "ignored": list(found.ignored),
                    "problems": [problem.as_json() for problem in found.problems]})
    else:
        _print_folder_check(found)
    if found.problems:
        raise typer.Exit(EXIT_PARTIAL)


def _print_folder_check(found: FolderCheck) -> None:
    checked = plural(len(found.templates), "council template")
    if not found.problems:
        console.print(f"{checked} checked, no problems (folder {found.folder}).", markup=False)
        if not found.templates:
            console.print("The folder holds no *.html.j2 files: every letter uses the shipped "
                          "templates.", markup=False)
        else:  # a misspelt variable shows only when a letter is filled in
            console.print("To read a letter filled in from them: transition letters preview "
                          "NHS_NUMBER --templates DIR.", markup=False)
    else:
        files = len({problem.file for problem in found.problems})
        console.print(f"{checked} checked (folder {found.folder}): "
                      f"{plural(len(found.problems), 'problem')} in {plural(files, 'file')}. Fix "
                      f"{'it' if len(found.problems) == 1 else 'them'} before writing letters "
                      "(transition letters generate).", markup=False)
        for problem in found.problems:
            at = f" line {problem.line}" if problem.line else ""
            console.print(f"\n{problem.file}{at}:", style="bold", markup=False)
            for said in (problem.message, problem.hint):
                if said:  # indented under the file's name, and wrapped to the terminal
                    console.print(textwrap.fill(said, width=max(console.width, 40),
                                                initial_indent="  ", subsequent_indent="  ",
                                                break_on_hyphens=False, break_long_words=False),
                                  markup=False, soft_wrap=True)
    if found.ignored:
        console.print(f"Not templates, so not read: {', '.join(found.ignored)}.", markup=False)
