"""`transition status`: the dashboard without the app, for a weekly update or a cron e-mail."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from transition.allocation_status import AllocationStatus, plan_sentences, status_lines
from transition.at_a_glance import AtAGlance, at_a_glance
from transition.commands.common import (
    as_of_option,
    console,
    context,
    json_option,
    parse_date,
    print_json,
)
from transition.errors import EXIT_PARTIAL
from transition.widgets.format import uk_date, uk_time


def status_command(
    ctx: typer.Context,
    as_of: str | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """The programme at a glance: the transfer countdown, the caseload and its latest export,
    pathways and risk, where the allocation stands, task progress, the council's AMHP cover
    after the transfer and the last nightly check.

    Exit status 1 when something needs a manager now (someone has no worker in a role they need,
    overdue tasks, critical findings at the last check, no transfer date, nothing imported
    yet, or the transfer date has come with no plan accepted)."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    with cli.db.session() as session:
        glance = at_a_glance(session, today=today, checks=cli.rules.checks)
    if as_json:
        print_json(glance.to_json())
    else:
        console.print(status_table(glance))
        if glance.attention:
            console.print(Text.assemble(("Needs attention: ", "bold red"),
                                        "; ".join(glance.attention) + "."))
    if glance.attention:
        raise typer.Exit(EXIT_PARTIAL)


def _counts(values: dict[str, int]) -> str:
    return " · ".join(f"{name} {number:,}" for name, number in values.items())


_TONE_STYLE = {"bad": "bold red", "warn": "yellow"}


def allocation_text(allocation: AllocationStatus) -> Text:
    """Which plan the allocation comes from, then the dashboard's Allocation counts
    (:func:`~transition.allocation_status.status_lines`, the ones that are not zero) in its
    words, and any draft waiting for review."""
    text = Text(plan_sentences(allocation)[0])
    for line in status_lines(allocation):
        if line.value:
            text.append("\n")
            text.append(line.words, style=_TONE_STYLE.get(line.tone, ""))
    if allocation.draft is not None:
        text.append(f"\ndraft plan {allocation.draft.plan.plan_id} waits for review: "
                    "transition plan status")
    return text


def status_table(glance: AtAGlance) -> Table:
    """One row per part of the programme, in the order a manager reads the dashboard."""
    table = Table(box=None, show_header=False, padding=(0, 1), title=Text(glance.programme_name),
                  title_justify="left", title_style="bold")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    countdown = glance.countdown
    if countdown.transfer_date is None:
        table.add_row("Transfer", Text("not set: transition programme set --transfer-date DATE",
                                       style="yellow"))
    else:
        calendar = f" ({countdown.calendar_words})" if countdown.calendar_words else ""
        table.add_row("Transfer", f"{uk_date(countdown.transfer_date)}: {countdown.label}"
                                  f"{calendar}; today {uk_date(glance.today)}")
    if glance.next_steps:
        table.add_row("Next", Text("; then ".join(glance.next_steps), style="yellow"))
    caseload = glance.caseload
    table.add_row("Caseload", f"{caseload.people:,} people, {caseload.staff:,} staff; "
                              f"{caseload.missing_from_latest:,} not in the latest export, "
                              f"{caseload.no_coordinator:,} with no care coordinator in it"
                              + (f", {caseload.ended_coordinator:,} whose coordinator's "
                                 "allocation has ended" if caseload.ended_coordinator else ""))
    latest = caseload.latest_imports.get("caseload")
    if latest is not None:
        table.add_row("", Text(f"latest export {latest.file_name}, imported "
                               f"{uk_time(latest.started_at)}: {latest.rows:,} rows, "
                               f"{latest.rejected:,} rejected"
                               + (f", {len(latest.column_notes)} notes on its columns "
                                  "(transition import history)" if latest.column_notes else ""),
                               style="dim"))
    table.add_row("Pathways", _counts(glance.pathways)
                  + (f"; {glance.unassessed:,} not assessed" if glance.unassessed else ""))
    table.add_row("Risk", _counts(glance.bands))
    table.add_row("Allocation", allocation_text(glance.allocation))
    progress = glance.tasks
    if progress.total:
        table.add_row("Tasks", f"{progress.done:,} of {progress.total:,} done "
                               f"({progress.percent_words}); {progress.open_words}")
    elif progress.not_needed:
        table.add_row("Tasks", f"none to do ({progress.not_needed:,} not needed)")
    elif caseload.people:
        table.add_row("Tasks", Text("none yet: transition tasks generate", style="dim"))
    else:  # nothing to generate them for yet: the Next row says what comes first
        table.add_row("Tasks", Text("none yet", style="dim"))
    cover = glance.amhp
    if cover is not None:
        text = Text(f"council {cover.council_fte:g} FTE ({len(cover.council_on_day)}) on "
                    f"{uk_date(cover.day)}; on the rota today {cover.rota_fte:g} FTE "
                    f"({len(cover.rota_today)}"
                    + (f", {len(cover.others)} not council" if cover.others else "") + ")"
                    + (f"; the service needs {cover.needed_fte:g} FTE"
                       if cover.needed_fte is not None else ""))
        if cover.short_fte:
            text.append(f": {cover.short_fte:g} FTE short (transition check)", style="yellow")
        table.add_row("AMHP cover", text)
    run = glance.last_check
    if run is None:
        table.add_row("Last check", Text("none yet: transition check (nightly, from cron)",
                                         style="dim"))
    else:
        found = glance.check_severities
        table.add_row("Last check", f"run {run.id}, {uk_time(run.finished_at)}: "
                                    f"{found['critical']:,} critical, "
                                    f"{found['warning']:,} warning, {found['info']:,} info")
    return table
