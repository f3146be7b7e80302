"""`transition equality`: who the transition affects, by ethnic group, age band and gender."""

from __future__ import annotations

import typer

from transition.commands.common import (
    as_of_option,
    console,
    context,
    err_console,
    json_option,
    parse_date,
    print_json,
    report_option,
)
from transition.equality import SMALL, WITHHELD, equality_report
from transition.equality_files import write_report
from transition.errors import TransitionError
from transition.widgets.equality_tables import report_renderable


def equality_command(
    ctx: typer.Context,
    as_of: str | None = as_of_option(),
    exact: bool = typer.Option(
        False, "--exact", help=f"Show every count as it is (for the council's own use): "
        f"without it, counts from 1 to {SMALL - 1}, and the next smallest in each column "
        f"with one, are withheld as {WITHHELD}."),
    report_file: str | None = report_option(
        "Also write the report to FILE for the equality impact assessment: Markdown, or CSV or "
        "JSON if FILE ends .csv or .json (owner-only)."),
    as_json: bool = json_option(),
) -> None:
    """Evidence for the equality impact assessment (Equality Act 2010, s149): for the people in
    the latest export, by ethnic group (MHSDS EthnicCategory), age band and gender, how many
    are signposted, to be assessed, changing worker (or with no one yet) or in the red risk
    band, against everyone; and which groups' shares are higher, and whether clearly so."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    report_path = (None if report_file is None
                   else cli.output_file(report_file, option="--report"))
    with cli.db.session() as session:
        report = equality_report(session, as_of=today)
    if report_path is not None:
        try:
            written = write_report(report, report_path, exact=exact)
        except OSError as exc:
            raise TransitionError(
                f"The report could not be written to {report_file}: {exc.strerror}.",
                hint="Check the folder exists and you may write there.") from None
        err_console.print(f"Report written to {written}"
                          + (" (exact counts: for the council's own use)" if exact else ""),
                          markup=False)
    if as_json:
        print_json(report.to_json(exact=exact))
        return
    console.print(report_renderable(report, exact=exact))
    for note in report.notes(exact=exact):
        console.print(note, style="bold yellow", markup=False)
    if not exact and report.withheld:
        console.print("Add --exact to see them as they are, for the council's own use.",
                      style="dim")
