"""`transition people` and `transition person NHS_NUMBER`: who is on the caseload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

import typer
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
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
    one_of,
    page_size,
    place_option,
    print_json,
    stacked_table,
)
from transition.errors import TransitionError
from transition.matching import ROLE_WORDS
from transition.overview import named, staff_names
from transition.people import PeopleQuery, PersonRow, list_people, require_person
from transition.plan_review import describe_role
from transition.ruleset import Rules
from transition.widgets.pathway import (
    BANDS,
    PATHWAYS,
    handover_text,
    pathway_section,
    risk_section,
)
from transition.widgets.person_record import (
    FIELD_SECTIONS,
    RECORD_HISTORY,
    PersonView,
    banner,
    import_history,
    letters,
    no_roles,
    read_person,
    task_summary,
    task_table,
)

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
        # Names with the ids, as the app's caseload names them ("Brenda Butler (WP60723)").
        names = staff_names(session, [staff_id for row in page.rows for staff_id in (
            row.care_coordinator_id, *(held for _, held in row.workers))])
    shown = len(page.rows)
    more = (f"Showing {shown:,} of {page.total:,} (use --limit 0 for all)."
            if shown < page.total else f"{page.total:,} {'person' if page.total == 1 else 'people'}.")
    if as_json:
        print_json([_row_json(asdict(row), names) for row in page.rows])
        if shown < page.total:
            err_console.print(more)
        return
    if not page.rows:
        console.print("Nobody matches." if page.total == 0 and _filtered(query)
                      else "No people yet. Import the caseload: transition import caseload FILE")
        return
    console.print(people_table(page.rows, today, console.width, names))
    console.print(more)


def people_table(rows: list[PersonRow], today: date, width: int,
                 names: dict[str, str] | None = None) -> Table:
    """The people, one line each when there is room, else two (name over birth date, team over
    locality, coordinator over who holds them after the transfer, pathway over risk band).
    A worker in ``names`` (staff id -> name) is named with their id."""
    names = names or {}
    if width >= WIDE_TABLE:
        table = Table(box=None, header_style="bold", padding=(0, 1))
        for heading in ("NHS number", "Family name", "Given name", "Born", "Team", "Locality",
                        "Coordinator", "After transfer", "Pathway", "Risk", ""):
            table.add_column(heading, no_wrap=heading in ("NHS number", "Born"))
        for row in rows:
            table.add_row(*(Text(cell) for cell in (
                nhs.format_334(row.nhs_number), row.family_name, row.given_name,
                row.date_of_birth.isoformat(), row.team or "", row.locality or "",
                coordinator(row, today, names), after_transfer(row, names), row.pathway or "",
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
                      Text(f"{coordinator(row, today, names) or '-'}\n"
                           f"{after_transfer(row, names)}"),
                      Text(f"{row.pathway or ''}\n{row.risk_band or ''}"))
    return table


def _filtered(query: PeopleQuery) -> bool:
    return query != PeopleQuery(limit=query.limit)


def coordinator(row: PersonRow, today: date, names: dict[str, str] | None = None) -> str:
    """The trust's care coordinator ('Brenda Butler (WP60723)' when ``names`` has them, else
    the staff id), and when their allocation ended if it has."""
    if row.care_coordinator_id is None:
        return ""
    who = named(names or {}, row.care_coordinator_id)
    ended = row.coordinator_ended(today)
    return who if ended is None else f"{who} (ended {ended.isoformat()})"


def after_transfer(row: PersonRow, names: dict[str, str] | None = None) -> str:
    """'Ann Lee (WC123) + WP456', 'no key worker', or 'no plan yet' (see
    PersonRow.after_transfer); a worker in ``names`` is named with their id."""
    state, roles = row.after_transfer()
    if not roles:
        return state
    return " + ".join(named(names or {}, staff_id) if staff_id
                      else f"no {ROLE_WORDS.get(role, role)}" for role, staff_id in roles)


def _row_json(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    row.pop("id", None)
    row["workers"] = dict(row["workers"])  # role -> staff id, the roles someone holds now
    # Their names beside the ids (null for an id not on the staff list).
    row["care_coordinator_name"] = names.get(row["care_coordinator_id"] or "")
    row["worker_names"] = {role: names.get(staff_id) for role, staff_id in row["workers"].items()}
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
    with cli.db.session() as session:
        found = require_person(session, nhs_number)
        view = read_person(session, found, cli.today(),
                           visit_task=rules.checks.handover_visit_task if rules else None,
                           bands=rules.risk.bands if rules else None,
                           council=cli.settings.council)
    if as_json:
        handover = view.handover
        print_json(view.detail | {"handover": None if handover is None else
                                  handover.as_json() | {"sentence": handover.sentence()}})
        return
    console.print(_Trimmed(person_record(view)))


def person_record(view: PersonView) -> Group:
    """The person's record, a section under another with labels in words, as the person
    screen groups it: who they are, their care, the pathway and its reasons, the handover
    risk and its factors, their needs, workers and tasks, and where the record came from.
    Every value wraps within the width; none is cut."""
    shown: list[RenderableType] = [banner(view)]
    for title, render in RECORD_SECTIONS:
        section = render(view)
        if section is not None:
            shown += [Text(), Text(title, style="bold"), Padding(section, (0, 0, 0, 2))]
    return Group(*shown)


class _Trimmed:
    """A renderable printed without the spaces that pad its lines to the width: a mail or a
    file gets the words, and a line is no longer than they are."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in console.render_lines(self.renderable, options, pad=False):
            while line and not line[-1].control and not line[-1].text.rstrip(" "):
                line.pop()
            if line and not line[-1].control:
                last = line.pop()
                line.append(Segment(last.text.rstrip(" "), last.style))
            yield from line
            yield Segment.line()


def _workers(view: PersonView) -> RenderableType:
    """Where the handover stands, then each role: 'key worker: Jo Bloggs (KW1) (from 1 Apr
    2027)', a line wrapping under its own start."""
    roles = view.detail.get("roles") or []
    if not roles:
        return no_roles(view.detail.get("pathway"))
    lines = Table.grid(padding=(0, 1, 0, 0))
    lines.add_column(no_wrap=True)
    lines.add_column(overflow="fold")
    for entry in roles:
        who, notes = describe_role(entry, view.today)
        lines.add_row("•", Text(f"{ROLE_WORDS.get(entry['role'], entry['role'])}: {who} ({notes})"))
    if view.handover is None:
        return lines
    return Group(handover_text(view.handover, view.person.risk_band, view.handover.sentence()),
                 lines)


def _tasks(view: PersonView) -> RenderableType | None:
    rows = view.detail.get("tasks") or []
    if not rows:
        return None
    return Group(task_table(rows, ids=True), task_summary(rows))


def _source(view: PersonView) -> RenderableType:
    """The imports that listed them, and the row of the latest one they came from."""
    latest = (view.detail.get("import") or {}).get("latest")
    row = (view.detail.get("import") or {}).get("row")
    history = import_history(view)
    if latest is None or row is None:
        return history
    return Group(history, Text(f"From row {row} of {latest['file']} (import #{latest['batch_id']})."))


_FIELDS = {section.id: section for section in FIELD_SECTIONS}
_HISTORY = {section.id: section for section in RECORD_HISTORY}

RECORD_SECTIONS: tuple[tuple[str, Callable[[PersonView], RenderableType | None]], ...] = (
    *((_FIELDS[key].title, _FIELDS[key].render)
      for key in ("identity", "care-team", "address-gp", "care-legal", "risk-facts")),
    ("Pathway and reasons", lambda view: pathway_section(view.detail)),
    ("Handover risk", lambda view: risk_section(view.detail)),
    *((_FIELDS[key].title, _FIELDS[key].render)
      for key in ("communication", "carer", "care-act")),
    ("Workers", _workers),
    ("Handover tasks", _tasks),
    ("Letters", letters),
    (_HISTORY["extra"].title, _HISTORY["extra"].render),
    (_HISTORY["imports"].title, _source),
    (_HISTORY["warnings"].title, _HISTORY["warnings"].render),
)
"""``transition person``'s sections in order: the person screen's, its fields first."""
