"""`transition people` and `transition person NHS_NUMBER`: who is on the caseload."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from transition import nhs
from transition.columns import employment_words, ethnic_category_words
from transition.commands.common import (
    LIMIT_MAX,
    WIDE_TABLE,
    console,
    context,
    err_console,
    json_option,
    one_of,
    page_size,
    place_option,
    print_json,
    stacked_table,
)
from transition.errors import TransitionError
from transition.handover_status import handover_statuses
from transition.matching import ROLE_WORDS
from transition.people import PeopleQuery, PersonRow, list_people, person_detail, require_person
from transition.plan_review import describe_role
from transition.ruleset import Rules
from transition.widgets.pathway import BANDS, PATHWAYS

DEFAULT_LIMIT = 100


def people(
    ctx: typer.Context,
    search: str | None = typer.Option(
        None, "--search", help="Part of a name, NHS number, local id or postcode."
    ),
    team: str | None = typer.Option(None, "--team", help="Only people in this team."),
    locality: str | None = typer.Option(None, "--locality", help="Only people in this locality."),
    missing: bool = typer.Option(
        False, "--missing", help="Only people missing from the latest caseload export."
    ),
    pathway: str | None = typer.Option(
        None, "--pathway", help="Only this pathway (council, trust, joint, assess, signpost)."),
    band: str | None = typer.Option(
        None, "--band", help="Only this handover risk band (red, amber, green)."),
    needs_worker: bool = typer.Option(
        False, "--needs-worker",
        help="Only people whose pathway needs a worker and who have none for a role (the "
        "nightly check's 'unassigned' finding)."),
    limit: int | None = typer.Option(
        None, "--limit", min=0, max=LIMIT_MAX, show_default=False,
        help=f"Show at most N people, 0 = all (default: all with --json, {DEFAULT_LIMIT} "
        "otherwise)."),
    as_json: bool = json_option(),
) -> None:
    """List people on the caseload (sorted by family name)."""
    cli = context(ctx)
    pathway = one_of(pathway, PATHWAYS, "--pathway")
    band = one_of(band, BANDS, "--band")
    today = cli.today()
    with cli.db.session() as session:
        # A team or locality in any case and spacing; one no one is in is refused with the
        # close ones, not answered "Nobody matches" (which reads as an empty team).
        places = {kind: place_option(session, kind, typed)
                  for kind, typed in (("team", team), ("locality", locality)) if typed is not None}
        query = PeopleQuery(search=search, team=places.get("team"),
                            locality=places.get("locality"), missing_only=missing,
                            pathway=pathway, risk_band=band, needs_worker=needs_worker,
                            limit=page_size(limit, as_json, DEFAULT_LIMIT))
        page = list_people(session, query, as_of=today)
    shown = len(page.rows)
    more = (f"Showing {shown:,} of {page.total:,} (use --limit 0 for all)."
            if shown < page.total else f"{page.total:,} {'person' if page.total == 1 else 'people'}.")
    if as_json:
        print_json([_row_json(asdict(row)) for row in page.rows])
        if shown < page.total:
            err_console.print(more)
        return
    if not page.rows:
        console.print("Nobody matches." if page.total == 0 and _filtered(query)
                      else "No people yet. Import the caseload: transition import caseload FILE")
        return
    console.print(people_table(page.rows, today, console.width))
    console.print(more)


def people_table(rows: list[PersonRow], today: date, width: int) -> Table:
    """The people, one line each when there is room, else two (name over birth date, team over
    locality, coordinator over who holds them after the transfer, pathway over risk band)."""
    if width >= WIDE_TABLE:
        table = Table(box=None, header_style="bold", padding=(0, 1))
        for heading in ("NHS number", "Family name", "Given name", "Born", "Team", "Locality",
                        "Coordinator", "After transfer", "Pathway", "Risk", ""):
            table.add_column(heading, no_wrap=heading in ("NHS number", "Born", "Coordinator"))
        for row in rows:
            table.add_row(*(Text(cell) for cell in (
                nhs.format_334(row.nhs_number), row.family_name, row.given_name,
                row.date_of_birth.isoformat(), row.team or "", row.locality or "",
                coordinator(row, today), after_transfer(row), row.pathway or "",
                row.risk_band or "", "missing from export" if row.missing else "",
            )))
        return table
    table = stacked_table("NHS number", "Name\nborn", "Team\nlocality",
                          "Coordinator\nafter transfer", "Pathway\nrisk", whole=["NHS number"])
    for row in rows:
        name = Text(f"{row.family_name}, {row.given_name}\n{row.date_of_birth.isoformat()}")
        if row.missing:
            name.append("\nmissing from export", style="yellow")
        table.add_row(Text(nhs.format_334(row.nhs_number)), name,
                      Text(f"{row.team or ''}\n{row.locality or ''}"),
                      Text(f"{coordinator(row, today) or '-'}\n{after_transfer(row)}"),
                      Text(f"{row.pathway or ''}\n{row.risk_band or ''}"))
    return table


def _filtered(query: PeopleQuery) -> bool:
    return query != PeopleQuery(limit=query.limit)


def coordinator(row: PersonRow, today: date) -> str:
    """The trust's care coordinator's staff id, and when their allocation ended if it has."""
    ended = row.coordinator_ended(today)
    if row.care_coordinator_id is None or ended is None:
        return row.care_coordinator_id or ""
    return f"{row.care_coordinator_id} (ended {ended.isoformat()})"


def after_transfer(row: PersonRow) -> str:
    """'WC123 + WP456', 'no key worker', or 'no plan yet' (see PersonRow.after_transfer)."""
    state, roles = row.after_transfer()
    if not roles:
        return state
    return " + ".join(staff_id or f"no {ROLE_WORDS.get(role, role)}" for role, staff_id in roles)


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    row.pop("id", None)
    row["workers"] = dict(row["workers"])  # role -> staff id, the roles someone holds now
    return row


def person(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number (spaces allowed)."),
    as_json: bool = json_option(),
) -> None:
    """Show everything known about one person."""
    cli = context(ctx)
    try:  # a broken rules file: everything else about the person is still shown
        rules: Rules | None = cli.rules
    except TransitionError:
        rules = None
    visit_task = rules.checks.handover_visit_task if rules else None
    with cli.db.session() as session:
        found = require_person(session, nhs_number)
        detail = person_detail(session, found, as_of=cli.today(),
                               bands=rules.risk.bands if rules else None,
                               council=cli.settings.council)
        assert found.id is not None
        handover = None if visit_task is None else handover_statuses(
            session, [found.id], visit_task=visit_task, as_of=cli.today())[found.id]
    detail["handover"] = (None if handover is None
                          else handover.as_json() | {"sentence": handover.sentence()})
    if as_json:
        print_json(detail)
        return
    console.print(Text(f"{detail['given_name']} {detail['family_name']}", style="bold"),
                  Text(f" NHS {nhs.format_334(detail['nhs_number'])}"))
    if detail.get("missing_from_latest_export"):
        console.print("[yellow]Not in the latest caseload export (flagged, not deleted).[/]")
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in detail.items():
        if isinstance(value, dict | list) and name != "care_act_outcomes":
            continue
        words = CODE_WORDS.get(name)
        table.add_row(name, Text(words(value) if words else _shown(value)))
    console.print(table)
    for what, override, rules_say in (
            ("Pathway", detail.get("pathway_override"), detail.get("pathway_rules_decision")),
            ("Handover risk band", detail.get("risk_band_override"),
             (detail.get("risk_band_override") or {}).get("rules_band"))):
        if override:
            chosen = override.get("pathway") or override.get("band")
            console.print(Text(
                f"{what} set to {chosen} by {override.get('by') or 'a manager'} on "
                f"{_shown(override.get('at'))}: {override.get('reason') or ''} (the rules "
                f"would say {rules_say or 'nothing yet'})."))
    if detail.get("extra"):
        console.print("\n[bold]Other columns from the export[/]")
        for name, value in detail["extra"].items():
            console.print(f"  {name}: {value}", markup=False, highlight=False)
    history = detail.get("import") or {}
    if history.get("latest"):
        latest = history["latest"]
        console.print(Text(f"\nIn {latest['file']} (import {latest['batch_id']}, "
                           f"{latest['imported_at'][:16].replace('T', ' ')} UTC), row {history['row']}."))
    if detail.get("tasks"):
        console.print(f"\n[bold]Handover tasks[/] (handover date {detail['handover_date']})")
        for task in detail["tasks"]:
            late = "  OVERDUE" if task["overdue"] else ""
            console.print(f"  {task['id']:>6}  {task['due']}  {task['status']:<11}  "
                          f"{task['title']}{late}", markup=False, highlight=False)
    if detail.get("warnings"):
        console.print("\n[bold]Import warnings[/]")
        for warning in detail["warnings"]:
            console.print(f"  {warning['file']} row {warning['row']}: {warning['column']}: "
                          f"{warning['message']}", markup=False, highlight=False)
    if detail.get("roles"):
        console.print("\n[bold]Workers[/]")
        if handover is not None:
            console.print(f"  {handover.sentence()}", markup=False, highlight=False)
        for entry in detail["roles"]:
            who, notes = describe_role(entry, cli.today())
            console.print(f"  {ROLE_WORDS.get(entry['role'], entry['role'])}: {who} ({notes})",
                          markup=False, highlight=False)


CODE_WORDS = {"ethnic_category": ethnic_category_words, "employment_status": employment_words}
"""Fields stored as MHSDS codes, shown in words (``--json`` keeps the codes)."""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else "none unmet"
    if isinstance(value, datetime):  # stored in UTC: to the minute, as the audit shows times
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    return str(value)
