"""`transition check` and `transition check history`: the nightly reassignment check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from transition import nhs
from transition.allocation_status import allocation_status
from transition.check_report import moves_in_words, write_report
from transition.check_runs import run_check
from transition.checks import (
    CODES,
    NHS_NUMBER_IN_ADVICE,
    CheckReport,
    Finding,
    advice_for,
    check_history,
    report_not_written,
    run_summary,
)
from transition.commands.common import (
    LIMIT_MAX,
    WIDE_TABLE,
    as_of_option,
    console,
    context,
    err_console,
    group_alone,
    json_option,
    numbers_masked,
    page_size,
    parse_date,
    print_json,
    report_option,
    stacked_table,
)
from transition.errors import EXIT_FAILED, TransitionError
from transition.models import CheckRun
from transition.nhs import format_334
from transition.widgets.format import uk_date, uk_time

app = typer.Typer(
    help="Find what needs action since the plan (run it nightly from cron). Exit status 0 "
    "nothing critical, 1 critical findings, 2 the check could not run. See docs/checks.md.",
    invoke_without_command=True,
    no_args_is_help=False,
)

SHOWN = 15  # findings listed per code in the terminal; --report has them all
STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}


@app.callback()
def check(
    ctx: typer.Context,
    as_of: str | None = as_of_option(),
    as_json: bool = json_option(),
    apply: bool = typer.Option(
        False, "--apply", help="Re-plan the people affected by unassigned, worker_unavailable "
        "and absent_at_handover findings and store a DRAFT plan for a manager to accept "
        "(never accepted here); it replaces an earlier --apply draft, and a check that finds "
        "no one to re-plan discards it."),
    rebalance: bool = typer.Option(
        False, "--rebalance", help="With --apply (which it implies): also re-plan the people "
        "of over-capacity workers, moving the overflow where another worker has room; people "
        "no one else can take stay with their worker."),
    report_file: str | None = report_option(
        "Also write the report to FILE: Markdown, or JSON if FILE ends .json (0600)."),
    full_numbers: bool = typer.Option(
        False, "--full-numbers", help="Print NHS numbers in full even when the output is not a "
        "terminal (from cron, which mails it, they are masked to the last four digits; the "
        "report file and --json always hold them in full)."),
) -> None:
    """Check everything that drifted: unassigned people, workers leaving, overdue tasks, ...

    Exit status 0 nothing critical; 1 critical findings; 2 the check could not run (bad
    database or rules, or another check is already running)."""
    if not group_alone(ctx):
        return
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    # Refused before the check runs (and --apply changes anything), not after its findings.
    report_path = (None if report_file is None
                   else cli.output_file(report_file, option="--report"))
    rules = cli.rules
    report = run_check(cli.db, rules, as_of=today, actor=cli.actor, apply=apply,
                       rebalance=rebalance, council=cli.settings.council,
                       templates_dir=cli.settings.letter_templates_dir)
    not_written: TransitionError | None = None
    if report_path is not None:
        with cli.db.session() as session:  # the morning report says where things stand too
            status = allocation_status(session, today)
        try:
            written = write_report(report, report_path, status)
        except (OSError, TransitionError) as exc:
            # Said after the findings, not instead of them: from cron the output is the
            # manager's only copy of tonight's critical findings.
            why = exc.message if isinstance(exc, TransitionError) else exc.strerror
            not_written = TransitionError(
                f"The check ran (run {report.run_id}, recorded: `transition check history`) "
                f"and its findings are printed, but the report could not be written to "
                f"{report_file}: {why}",
                hint="Check the folder exists and you may write there.")
            _remember_report(cli.db, report, None)
        else:
            _remember_report(cli.db, report, written)
    wrote = report_file is not None and not_written is None
    if as_json:
        print_json(report.to_json())
        for note in report.notes:  # e.g. why --apply re-planned nobody
            err_console.print(note, markup=False)
        if wrote:
            err_console.print(f"Report written to {report_file}", markup=False)
    else:
        masked = numbers_masked(full_numbers)
        print_report(console, report, nhs_number=nhs.mask if masked else format_334,
                     masked=masked)
        if masked and (report.findings or report.proposed_moves):
            console.print(Text(
                "NHS numbers are masked: this output is not a terminal (cron mails it). The "
                "report file (--report) and --json hold them in full; --full-numbers prints "
                "them here." + (
                    f" A command in the advice says {NHS_NUMBER_IN_ADVICE} for the finding's "
                    "own NHS number." if any(NHS_NUMBER_IN_ADVICE in finding.message
                                             for finding in report.findings) else ""),
                style="dim"))
        if wrote:
            console.print(f"Report written to {report_file}", markup=False)
    if not_written is not None:
        raise not_written  # exit 2: the job did not do all it was asked
    raise typer.Exit(report.exit_code)


def _remember_report(database, report: CheckReport, path: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Record the report file on the run, or (``None``) that it could not be written: the run
    then keeps the exit status the command ends with, 2 (``check history``: report not written)."""
    with database.transaction() as session:
        run = session.get(CheckRun, report.run_id)
        if run is None:
            return
        if path is None:
            run.exit_code = EXIT_FAILED
        else:
            run.report_path = str(path)


def print_report(out: Console, report: CheckReport,
                 nhs_number: Callable[[str], str] = format_334, *, masked: bool = False) -> None:
    """The verdict, the counts, the notes, the draft's moves and the findings (at most
    ``SHOWN`` per code), NHS numbers written by ``nhs_number``. Unless ``masked``, the commands
    in the advice name the finding's person (:func:`~transition.checks.advice_for`); masked,
    they keep the placeholder: a masked number would look runnable and is not."""
    severity = report.severity_counts
    out.print(Text.assemble(
        (f"Check as of {report.as_of.isoformat()}", "bold"), f" (run {report.run_id}): ",
        (f"{severity['critical']:,} critical", STYLE["critical"] if severity["critical"] else ""),
        f", {severity['warning']:,} warning, {severity['info']:,} info"))
    counts = Table(title=None, show_edge=False, pad_edge=False)
    counts.add_column("Code")
    counts.add_column("Meaning")
    counts.add_column("Findings", justify="right")
    for code, title in CODES.items():
        number = report.counts[code]
        counts.add_row(code, title, Text(f"{number:,}", style="bold" if number else "dim"))
    out.print(counts)
    for note in report.notes:
        out.print(Text(note, style="yellow"))
    if report.plan_id is not None:
        out.print(Text.assemble(
            ("Draft plan ", "bold"), (str(report.plan_id), "bold"),
            f" re-plans {report.affected_people:,} people: {moves_in_words(report)}. Review: "
            f"transition plan show --plan {report.plan_id}; accept: "
            f"transition plan accept --plan {report.plan_id}"))
        if report.proposed_moves:
            out.print(_moves_table(report.proposed_moves[:SHOWN * 2], out.width, nhs_number))
    if not report.findings:
        out.print("No findings.")
        return
    hidden = 0
    shown: dict[str, int] = {}
    listed = []
    for finding in report.findings:
        shown[finding.code] = shown.get(finding.code, 0) + 1
        if shown[finding.code] > SHOWN:
            hidden += 1
            continue
        listed.append(finding)
    out.print(_findings_table(listed, out.width, nhs_number, masked=masked))
    if hidden:
        out.print(Text(f"... and {hidden:,} more (at most {SHOWN} per code are shown here; "
                       "--report FILE or --json has them all).", style="dim"))


def _findings_table(findings: list[Finding], width: int,
                    written: Callable[[str], str], *, masked: bool = False) -> Table:
    """One line per finding's heading when there is room (``WIDE_TABLE``); else severity over
    code and NHS number over worker, so the advice gets most of an 80-column mail from cron
    rather than a column 30 characters wide."""
    def severity(finding: Finding) -> Text:
        return Text(finding.severity, style=STYLE.get(finding.severity, ""))

    def number(finding: Finding) -> str:
        return written(finding.nhs_number) if finding.nhs_number else ""

    def advice(finding: Finding) -> Text:
        return Text(finding.message if masked
                    else advice_for(finding.message, finding.nhs_number))

    # Every cell is Text, never a str Rich would read as markup: a message quotes file names,
    # a trust export's headers and the rules file's [sections], square brackets and all.
    if width < WIDE_TABLE:
        table = stacked_table("Severity\ncode", "NHS number\nworker", "What to do",
                              whole=["NHS number\nworker"])
        for finding in findings:
            who = "\n".join(part for part in (number(finding), finding.staff_id) if part)
            table.add_row(Text.assemble(severity(finding), "\n", finding.code), Text(who),
                          advice(finding))
        return table
    table = Table(show_edge=False, pad_edge=False, expand=False)
    table.add_column("Severity")
    table.add_column("Code")
    table.add_column("NHS number", no_wrap=True)
    table.add_column("Worker", no_wrap=True)
    table.add_column("What to do", overflow="fold")
    for finding in findings:
        table.add_row(severity(finding), Text(finding.code), Text(number(finding)),
                      Text(finding.staff_id or ""), advice(finding))
    return table


def _moves_table(moves: list[dict[str, Any]], width: int,
                 number: Callable[[str], str]) -> Table:
    """The draft's moves: NHS number over role, and from -> to, when narrower than
    ``WIDE_TABLE``."""
    def why(move: dict[str, Any]) -> Text:  # the planner's reasons quote team names
        return Text("" if move["to_staff_id"] else "; ".join(move["reasons"]))

    def to(move: dict[str, Any]) -> str:
        return move["to_staff_id"] or "no one"

    if width < WIDE_TABLE:
        table = stacked_table("NHS number\nrole", "From → to", "Why no one",
                              whole=["NHS number\nrole"])
        for move in moves:
            table.add_row(Text(f"{number(move['nhs_number'])}\n{move['role'].replace('_', ' ')}"),
                          Text(f"{move['from_staff_id'] or '-'} → {to(move)}"), why(move))
        return table
    table = Table(show_edge=False, pad_edge=False)
    for heading in ("NHS number", "Role", "From", "To"):
        table.add_column(heading)
    table.add_column("Why no one", overflow="fold")
    for move in moves:
        table.add_row(Text(number(move["nhs_number"])), Text(move["role"].replace("_", " ")),
                      Text(move["from_staff_id"] or "-"), Text(to(move)), why(move))
    return table


@app.command("history")
def history(
    ctx: typer.Context,
    as_json: bool = json_option(),
    limit: int | None = typer.Option(
        None, "--limit", min=0, max=LIMIT_MAX, show_default=False,
        help="How many runs, newest first, 0 = all (default: all with --json, 20 otherwise)."),
) -> None:
    """Past checks, newest first: when, who, status, exit status, counts, the draft plan and
    the report file (or that it could not be written)."""
    cli = context(ctx)
    with cli.db.session() as session:
        runs = check_history(session, limit=page_size(limit, as_json, 20))
    if as_json:
        print_json([run_summary(run) for run in runs])
        return
    if not runs:
        console.print("No check has run yet. Run one with: transition check")
        return
    console.print(_history_table(runs, console.width))


def _history_table(runs: list[CheckRun], width: int) -> Table:
    """One line per run when there is room (``WIDE_TABLE``); else two lines per cell, with the
    draft plan and the report file under the findings, so an 80-column mail from cron shows the
    whole of each (a report's path folds rather than being cut)."""
    def found(run: CheckRun) -> str:
        counts = run.counts or {}
        listed = ", ".join(f"{code} {number:,}" for code, number in counts.items() if number)
        return listed or ("none" if run.counts is not None else "")

    def report(run: CheckRun) -> str:
        if run.report_path:
            return run.report_path
        return "report not written" if report_not_written(run) else ""

    def exit_status(run: CheckRun) -> str:
        return "" if run.exit_code is None else str(run.exit_code)

    if width < WIDE_TABLE:
        table = stacked_table("Run\nexit", "Started (UK)\nas of", "By\nstatus",
                              "Findings\nplan, report", whole=["Run\nexit"])
        for run in runs:
            below = [f"draft plan {run.plan_id}" if run.plan_id is not None else "",
                     f"report {run.report_path}" if run.report_path else report(run)]
            table.add_row(Text(f"{run.id}\n{exit_status(run)}"),
                          Text(f"{uk_time(run.started_at)}\n{uk_date(run.as_of)}"),
                          Text(f"{run.actor}\n{run.status}"),
                          Text("\n".join(part for part in (found(run), *below) if part)))
        return table
    table = Table(show_edge=False, pad_edge=False)
    for heading in ("Run", "Started (UK)", "As of", "By", "Status", "Exit", "Findings", "Plan"):
        table.add_column(heading)
    table.add_column("Report file", overflow="fold")
    for run in runs:
        table.add_row(str(run.id), uk_time(run.started_at), uk_date(run.as_of), Text(run.actor),
                      run.status, exit_status(run), found(run),
                      "" if run.plan_id is None else str(run.plan_id), Text(report(run)))
    return table
