"""`transition assess`, `transition at-risk` and `transition pathway set|clear|show`."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from transition import nhs
from transition.allocation_status import handover_ahead
from transition.assessment import (
    PATHWAYS,
    RANKING,
    AtRisk,
    assessment_detail,
    at_risk,
    clear_pathway_override,
    refresh_assessments,
    scores_as_of,
    set_pathway_override,
)
from transition.commands.common import (
    as_of_option,
    console,
    context,
    err_console,
    json_option,
    one_of,
    parse_date,
    place_option,
    print_json,
)
from transition.errors import EXIT_PARTIAL, TransitionError
from transition.handover_status import HandoverStatus, handover_statuses
from transition.models import RiskBand
from transition.people import require_person
from transition.programme import transfer_date
from transition.risk import BAND_MEANING, RiskBands
from transition.widgets.pathway import handover_text

BAND_STYLE = {"red": "bold red", "amber": "yellow", "green": "green"}


def assess(
    ctx: typer.Context,
    as_of: str | None = as_of_option("Measure dates from this day (default today)."),
    only_changed: bool = typer.Option(
        False, "--only-changed",
        help="Write only people whose data, worker, override, rules or date windows changed.",
    ),
    as_json: bool = json_option(),
) -> None:
    """Decide every person's pathway and handover risk, and show counts by pathway and band."""
    cli = context(ctx)
    rules = cli.rules  # a bad rules file stops here, before the database is touched
    day = cli.today(parse_date(as_of, option="--as-of"))
    show_progress = not as_json and err_console.is_terminal
    with Progress(
        TextColumn("Assessing"), BarColumn(), MofNCompleteColumn(),
        console=err_console, transient=True, disable=not show_progress,
    ) as bar:
        task = bar.add_task("assess", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        with cli.db.transaction() as session:
            summary = refresh_assessments(
                session, rules, as_of=day, actor=cli.actor, only_changed=only_changed,
                progress=progress,
            )
    if as_json:
        print_json(summary.as_dict())
    else:
        _print_summary(summary.as_dict())
    if summary.overrides_against_statutory_duty:
        err_console.print(
            f"Attention: {summary.overrides_against_statutory_duty:,} manager override(s) set "
            "signpost or trust for someone who now has section 117 aftercare or a CTO. "
            "Review them with: transition pathway show NHS",
            markup=False,
        )
        raise typer.Exit(EXIT_PARTIAL)


PATHWAY_MEANING = {
    "council": "council social worker",
    "trust": "trust key worker",
    "joint": "both",
    "assess": "Care Act assessment first",
    "signpost": "advice and information, with a letter",
}


def _print_summary(summary: dict[str, Any]) -> None:
    console.print(
        f"Pathways and handover risk as of {summary['as_of']:%-d %B %Y} "
        f"(rules {summary['rules_version']})",
        markup=False,
    )
    pathways = Table()
    pathways.add_column("Pathway")
    pathways.add_column("People", justify="right")
    pathways.add_column("Means")
    for pathway in PATHWAYS:
        pathways.add_row(pathway, f"{summary['pathways'][pathway]:,}", PATHWAY_MEANING[pathway])
    bands = Table()
    bands.add_column("Handover risk")
    bands.add_column("People", justify="right")
    bands.add_column("Means")
    for band, count in summary["bands"].items():
        bands.add_row(f"[{BAND_STYLE[band]}]{band}[/]", f"{count:,}", BAND_MEANING[RiskBand(band)])
    console.print(pathways)
    console.print(bands)
    written = "everyone written" if summary["unchanged"] == 0 else (
        f"{summary['evaluated']:,} written, {summary['unchanged']:,} unchanged"
    )
    console.print(
        f"{summary['people']:,} people assessed ({written}); {summary['changed_pathways']:,} "
        f"pathway(s) changed; {summary['overrides']:,} manager override(s)"
        + (f"; {summary['risk_band_overrides']:,} manager's risk band(s) kept"
           if summary["risk_band_overrides"] else "") + ".",
        markup=False,
    )
    missing = summary["missing_from_export"]
    if missing:
        console.print(
            f"{missing:,} {'person' if missing == 1 else 'people'} not in the latest export, "
            "counted in no pathway or band (the nightly check names them: "
            "missing_from_export).",
            markup=False,
        )


def at_risk_command(
    ctx: typer.Context,
    top: int = typer.Option(20, "--top", "--limit", min=0,
                            help="How many people to list (0 = all, as --all)."),
    everyone: bool = typer.Option(False, "--all", help="List every assessed person."),
    band: str | None = typer.Option(None, "--band", help="Only this band: red, amber or green."),
    team: str | None = typer.Option(None, "--team", help="Only people in this team."),
    changing: bool = typer.Option(
        False, "--changing", help="Only people with a handover ahead: a new worker takes a "
        "role, or a role their pathway needs has no one (not those who keep their worker)."),
    as_json: bool = json_option(),
) -> None:
    """The people who need the most careful handover, red band first, then highest score,
    with the reasons."""
    cli = context(ctx)
    band = one_of(band, BAND_STYLE, "--band")
    today = cli.today()
    with cli.db.session() as session:
        teams = place_option(session, "team", team) if team is not None else None
        rows = at_risk(session, None if everyone or not top else top, band=band, team=teams,
                       only=(handover_ahead(today, transfer_date(session))
                             if changing else None))
        handovers = handover_statuses(session, [row.person_id for row in rows],
                                      visit_task=cli.rules.checks.handover_visit_task,
                                      as_of=today)
        measured = scores_as_of(session)
    stale = _stale_scores(measured, today) if rows else None
    if as_json:
        print_json([{**row.as_json(), "handover": handovers[row.person_id].as_json()}
                    for row in rows])
    elif not rows and (changing or band or team):
        console.print("Nobody matches.")
    elif not rows:
        console.print("Nobody has a handover-risk score yet. Run: transition assess")
    else:
        console.print(at_risk_table(rows, console.width, handovers, measured=measured))
    if stale:
        err_console.print(stale, markup=False)


def _as_of_words(measured: tuple[date, date]) -> str:
    earliest, latest = measured
    if earliest == latest:
        return f"{latest:%-d %B %Y}"
    return f"{earliest:%-d %B %Y} to {latest:%-d %B %Y}"


def _stale_scores(measured: tuple[date, date] | None, today: date) -> str | None:
    """A note when the stored scores were measured at another day than ``today``: dates may
    have crossed a window since (a discharge passing 14 days, a contact becoming stale)."""
    if measured is None or measured == (today, today):
        return None
    return (f"Note: these scores were measured as of {_as_of_words(measured)}, not today "
            f"({today:%-d %B %Y}): a discharge or a last contact may have crossed a window "
            "since. Run transition assess (or assess --only-changed) to measure them today.")


TOP_FACTORS = 3  # the human table shows these; --json and `transition person` show them all
PERSON_WIDTH = 24  # name, NHS number, team and pathway: cut to this with an ellipsis


def at_risk_table(rows: list[AtRisk], width: int,
                  handovers: dict[int, HandoverStatus] | None = None, *,
                  measured: tuple[date, date] | None = None) -> Table:
    """Four lines a person at any terminal width: name, NHS number, team and pathway, and
    where the handover stands (new worker? visit done?) in one cell; the score over its band;
    the top factors one per line, points first, cut to fit; then "and N more". Everything
    else is one `transition person NHS` (or --json) away."""
    table = Table(
        title="Who needs the most careful handover",
        caption=((f"Scores as of {_as_of_words(measured)}. " if measured else "")
                 + f"Ranked by {RANKING}. The score ranks handovers; it does not predict suicide. "
                 "Under each person: a new worker (or \"back\": their coordinator returning) "
                 "and whether the joint visit is done, or "
                 "that they keep their worker. "
                 f"Top {TOP_FACTORS} factors shown; all of them: transition person NHS, or "
                 "--json."
                 + (" ✎: a manager's band (transition risk)."
                    if any(row.band_overridden for row in rows) else "")),
    )
    people, whys = [], []
    for row in rows:
        person = Text(f"{row.family_name}, {row.given_name}\n{nhs.format_334(row.nhs_number)}")
        person.append(f"\n{row.team or 'no team'}, {row.pathway or 'no pathway'}", style="dim")
        handover = (handovers or {}).get(row.person_id)
        if handover is not None:
            person.append("\n")
            person.append(handover_text(handover, row.risk_band))
        factors = row.risk_factors
        why = Text("\n".join(f"+{factor['points']} {factor.get('label') or factor['factor']}"
                              for factor in factors[:TOP_FACTORS]))
        if len(factors) > TOP_FACTORS:
            why.append(f"\nand {len(factors) - TOP_FACTORS} more", style="dim")
        people.append(person)
        whys.append(why)
    rank_width = len(str(len(rows)))
    person_width = min(PERSON_WIDTH, max(cell.cell_len for text in people
                                         for cell in text.split()))
    # Borders and padding of four columns take 13 characters; the score takes 5.
    why_width = max(20, width - 13 - rank_width - person_width - 5)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Person", no_wrap=True, overflow="ellipsis", max_width=person_width)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Why (points)", no_wrap=True, overflow="ellipsis", max_width=why_width)
    for rank, (row, person, why) in enumerate(zip(rows, people, whys, strict=True), start=1):
        score = Text(f"{row.risk_score}\n")
        score.append(row.risk_band or "", style=BAND_STYLE.get(row.risk_band or "", ""))
        if row.band_overridden:  # a manager's band: the score stays the rules'
            score.append(" ✎", style="bold")
        table.add_row(str(rank), person, score, why)
    return table


pathway_app = typer.Typer(
    help="A manager's pathway for one person: set (with a reason), clear, show.",
    no_args_is_help=True,
)


@pathway_app.command("set")
def pathway_set(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    pathway: str = typer.Argument(..., metavar="PATHWAY", help=", ".join(PATHWAYS)),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit trail)."),
    expected_version: int | None = typer.Option(
        None, "--expected-version",
        help="Refuse if the record is no longer at this version (someone else changed it).",
    ),
    as_json: bool = json_option(),
) -> None:
    """Override the rules' pathway for one person, with a written reason (audited)."""
    cli = context(ctx)
    with cli.db.transaction() as session:
        person = require_person(session, nhs_number)
        updated = set_pathway_override(
            session, person, pathway, reason=reason, actor=cli.actor,
            expected_version=expected_version,
        )
        detail = assessment_detail(updated)
    if as_json:
        print_json({"nhs_number": updated.nhs_number, **detail})
        return
    console.print(
        f"Pathway for {nhs.mask(updated.nhs_number)} set to {updated.pathway} by {cli.actor}. "
        f"The rules would decide {detail['pathway_rules_decision'] or 'nothing yet'}. "
        "The override stays until: transition pathway clear NHS",
        markup=False,
    )


@pathway_app.command("clear")
def pathway_clear(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    expected_version: int | None = typer.Option(
        None, "--expected-version",
        help="Refuse if the record is no longer at this version (someone else changed it).",
    ),
    as_json: bool = json_option(),
) -> None:
    """Remove a manager's override: the rules' pathway applies again (audited)."""
    cli = context(ctx)
    with cli.db.transaction() as session:
        person = require_person(session, nhs_number)
        updated = clear_pathway_override(
            session, person, actor=cli.actor, reason=reason, expected_version=expected_version
        )
        detail = assessment_detail(updated)
    if as_json:
        print_json({"nhs_number": updated.nhs_number, **detail})
        return
    now = updated.pathway or "not decided until the next: transition assess"
    console.print(
        f"Override cleared for {nhs.mask(updated.nhs_number)}; the pathway is now {now}.",
        markup=False,
    )


@pathway_app.command("show")
def pathway_show(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    as_json: bool = json_option(),
) -> None:
    """Show one person's pathway and handover risk with every reason."""
    cli = context(ctx)
    try:  # a broken rules file: the stored decision is still shown
        bands: RiskBands | None = cli.rules.risk.bands
    except TransitionError:
        bands = None
    with cli.db.session() as session:
        person = require_person(session, nhs_number)
        detail = assessment_detail(person, bands)
    if as_json:
        print_json({"nhs_number": person.nhs_number, **detail})
        return
    if detail["pathway"] is None:
        console.print("No pathway decided yet. Run: transition assess", markup=False)
        return
    console.print(f"Pathway: {detail['pathway']}", markup=False)
    for item in detail["pathway_reasons"]:
        console.print(f"  - {item['reason']}\n    ({item['basis']})", markup=False)
    if detail["risk_score"] is not None:
        console.print(
            f"Handover risk: {detail['risk_score']} ({detail['risk_band']}: "
            f"{detail['risk_band_meaning']}), as of {detail['risk_as_of']}",
            markup=False,
        )
        if (band := detail["risk_band_override"]) is not None:
            console.print(
                f"  A manager's band ({band['by']}, {band['at']:%Y-%m-%d}): {band['reason'].rstrip('.')}. "
                f"The rules' score gives {band['rules_band'] or 'a band the rules decide'}.",
                markup=False,
            )
        for factor in detail["risk_factors"]:
            console.print(
                f"  +{factor['points']} {factor.get('label') or factor['factor']}: "
                f"{factor['value']}",
                markup=False,
            )
        for item in detail["risk_dates_not_counted"]:
            console.print(
                f"  Not counted: {item['label']} {item['value']} is after the day measured "
                f"({detail['risk_as_of']}); check the date with the trust.",
                markup=False,
            )
