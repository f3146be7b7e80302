"""`transition audit`: read the audit trail (who changed what, when, and why)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from transition import nhs
from transition.audit import events
from transition.commands.common import (
    LIMIT_MAX,
    console,
    context,
    fail,
    json_option,
    page_size,
    parse_date,
    print_json,
)
from transition.models import AuditEvent, Person
from transition.people import require_person
from transition.widgets.format import UK, recorded_value, uk_time

SHOWN_VALUE = 60  # characters of a before/after value shown in the table
SHOWN_ROWS = 50  # changes listed in the table unless --limit says otherwise


def audit_command(
    ctx: typer.Context,
    nhs_number: str | None = typer.Option(None, "--nhs", help="Only changes to this person."),
    action: str | None = typer.Option(
        None, "--action", show_default=False,
        help="Only this action (e.g. task.status) or family of actions (e.g. task, assignment)."),
    since: str | None = typer.Option(
        None, "--since", show_default=False,
        help="Only changes on or after this day (YYYY-MM-DD or DD/MM/YYYY, UK time)."),
    until: str | None = typer.Option(
        None, "--until", show_default=False,
        help="Only changes on or before this day (UK time)."),
    by: str | None = typer.Option(
        None, "--by", show_default=False,
        help="Only changes made by this person (their name as the Who column shows it)."),
    limit: int | None = typer.Option(
        None, "--limit", min=0, max=LIMIT_MAX, show_default=False,
        help=f"Show at most N, 0 = all (default: all with --json, the newest {SHOWN_ROWS} "
        "otherwise)."),
    as_json: bool = json_option(),
) -> None:
    """Show the audit trail, newest first: every change to who holds a case, a pathway, a task,
    a letter or an imported record, with who made it and when. The trail is append-only.

    Days are UK days (midnight to midnight, Europe/London, as every screen shows times); the
    table shows UK times and --json the stored UTC ones."""
    cli = context(ctx)
    for option, value in (("--action", action), ("--by", by)):
        if value is not None and not value.strip():
            # A script's unset variable: --action "" listed every change, --by "" none.
            fail(f"{option} is empty: nothing was shown.",
                 hint=f"Give {option} a value, or leave it out.")
    first = parse_date(since, option="--since")
    last = parse_date(until, option="--until")
    if first and last and last < first:
        fail(f"--until {until} is before --since {since}.", hint="Swap them round.")
    if nhs_number is not None and (problem := nhs.problem(nhs_number)):
        fail(f"--nhs {nhs.mask(nhs_number)}: {problem}.",
             hint="Give the person's 10-digit NHS number.")
    with cli.db.session() as session:
        person_id = None
        if nhs_number is not None:
            person_id = require_person(session, nhs_number).id
        rows = events(session, person_id=person_id, action_prefix=action,
                      since=_uk_midnight(first), before=_uk_midnight(last, after=True),
                      actor=by, limit=(shown := page_size(limit, as_json, SHOWN_ROWS)))
        numbers = _nhs_numbers(session, rows)
    items = [_as_json(row, numbers.get(row.person_id)) for row in rows]
    if as_json:
        print_json(items)
        return
    if not items:
        console.print("No audit entries match.")
        return
    # Five columns, so it reads at 80 columns: the action over its field; the change as
    # "before -> after" in words, over the reason.
    table = Table(box=None, header_style="bold", padding=(0, 1))
    for heading in ("When (UK)", "Who", "What", "NHS number"):
        table.add_column(heading, no_wrap=True)
    table.add_column("Change, and why", overflow="fold", ratio=1)
    for item in items:
        what = Text(item["action"])
        if item["field"]:
            what.append(f"\n{item['field'].replace('_', ' ')}", style="dim")
        change = Text(_short(item["after"]))
        if item["before"] is not None:
            change = Text.assemble(_short(item["before"]), " → ", change)
        if item["reason"]:
            change.append(f"\n{item['reason']}", style="italic")
        # The actor as recorded, as text: a name such as "ana [locum]" read as Rich markup
        # showed as "ana" (the trail misreporting who made a change), and "[/x]" stopped it.
        table.add_row(uk_time(datetime.fromisoformat(item["at"])), Text(item["actor"]), what,
                      nhs.format_334(item["nhs_number"]) if item["nhs_number"] else "",
                      change)
    console.print(table)
    if shown and len(items) == shown:
        console.print(f"Showing the newest {shown}; use --limit 0 for all.")


def _uk_midnight(day: date | None, *, after: bool = False) -> datetime | None:
    """The UTC moment a UK day begins (or, ``after``, the next day begins): in summer
    00:30 on 1 June is that day's, though it is 23:30 on 31 May in UTC."""
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1) if after else day, time.min, tzinfo=UK)
    return start.astimezone(UTC)


def _nhs_numbers(session: Any, rows: list[AuditEvent]) -> dict[int, str]:
    ids = sorted({row.person_id for row in rows if row.person_id is not None})
    numbers: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        batch = ids[start:start + 5000]
        statement = select(Person.id, Person.nhs_number).where(Person.id.in_(batch))  # type: ignore[union-attr]
        numbers.update({person_id: number for person_id, number in session.execute(statement)})
    return numbers


def _as_json(row: AuditEvent, number: str | None) -> dict[str, Any]:
    return {
        "id": row.id, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
        "entity": row.entity, "entity_key": row.entity_key, "person_id": row.person_id,
        "nhs_number": number, "field": row.field, "before": row.before, "after": row.after,
        "reason": row.reason, "batch_id": row.batch_id,
    }


def _short(value: Any) -> str:
    """A recorded value in words, cut to SHOWN_VALUE characters (--json has it whole)."""
    text = recorded_value(value)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE - 1] + "…"
