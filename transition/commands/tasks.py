"""`transition tasks`: make, list and update the handover tasks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import select

from transition import nhs
from transition.bulk import collector_paused
from transition.commands.common import (
    LIMIT_MAX,
    WIDE_TABLE,
    as_of_option,
    console,
    context,
    err_console,
    fail,
    json_option,
    one_of,
    page_size,
    parse_date,
    print_json,
    stacked_table,
)
from transition.errors import EXIT_PARTIAL
from transition.models import Task
from transition.people import require_person
from transition.programme import transfer_date as programme_transfer_date
from transition.staff_ids import require_staff_id
from transition.tasks import (
    STATUS_CHOICES,
    TaskQuery,
    TaskRow,
    burndown,
    generate_tasks,
    list_tasks,
    set_task_status,
    task_progress,
    transfer_countdown,
)
from transition.tasks.owners import (
    OWNER_WORDS,
    owner_gone,
    owner_label,
    owners_leaving,
    staying_workers,
)
from transition.tasks.rules import Deadline
from transition.widgets.pathway import BANDS

app = typer.Typer(help="Handover tasks with deadlines counted from each handover date "
                  "(working days, or calendar days for calendar intervals).",
                  no_args_is_help=True)

TABLE_LIMIT = 200
OWNER_HINT = "Check the id, e.g. with: transition tasks list --json"


def _owner(session: Any, typed: str | None) -> str | None:
    """The staff id ``--owner`` names, or None when the option is not given. Given empty (a
    script's unset variable), it is refused: dropping it would list everyone's tasks as if
    they were that worker's."""
    if typed is None:
        return None
    if not typed.strip():
        fail("--owner is empty: nothing was listed.",
             hint="Give the worker's staff id (--owner SW0042), or leave --owner out for "
             "everyone's tasks.")
    return require_staff_id(session, typed, hint=OWNER_HINT)


def _task_keys(session: Any, typed: list[str], templates: Iterable[str]) -> tuple[str, ...]:
    """``--key`` values as the rules and the database spell them (in any case). A key that
    is neither a template in the rules in use nor any task's key is refused: a typo would
    otherwise list nothing, which reads as nothing left to do."""
    if not typed:
        return ()
    known = {*templates, *session.scalars(select(Task.key).distinct())}
    by_case = {key.casefold(): key for key in sorted(known)}
    keys = []
    for value in typed:
        key = by_case.get(value.strip().casefold())
        if key is None:
            fail(f"--key {value!r} is not a task key: nothing was listed.",
                 hint=f"Use one of: {', '.join(sorted(known))} (transition tasks templates "
                 "describes them).")
        keys.append(key)
    return tuple(keys)


@app.command("generate")
def tasks_generate(
    ctx: typer.Context, as_of: str | None = as_of_option(), as_json: bool = json_option()
) -> None:
    """Make or bring up to date every handover's tasks from the accepted allocation (audited).

    Safe to run again after any change: new tasks are added, tasks that no longer apply are
    marked not_needed, owners and due dates move; done work is never touched.
    """
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    out = err_console if as_json else console
    with cli.db.transaction() as session:
        programme_date = programme_transfer_date(session)
        summary = generate_tasks(
            session, cli.rules.tasks, as_of=today, actor=cli.actor, transfer_date=programme_date
        )
    if as_json:
        print_json({
            **summary.as_dict(), "as_of": today, "transfer_date": programme_date,
            "rules_version": cli.rules.version_label,
        })
    else:
        out.print(summary.describe(today), markup=False)
    if summary.without_handover_date:
        err_console.print(
            f"{summary.without_handover_date:,} people need a handover but have no handover "
            "date, so they have no tasks yet. Set the programme's date with:\n"
            "  transition programme set --transfer-date DATE",
            markup=False,
        )
        raise typer.Exit(EXIT_PARTIAL)


@app.command("list")
def tasks_list(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only overdue tasks."),
    open_only: bool = typer.Option(False, "--open", help="Only tasks not done or not needed."),
    owner: str | None = typer.Option(None, "--owner", help="Only this worker's tasks (staff id)."),
    unowned: bool = typer.Option(
        False, "--unowned", help="Only tasks with no named worker (the team manager's)."
    ),
    nhs_number: str | None = typer.Option(None, "--nhs", help="Only this person's tasks."),
    status: list[str] = typer.Option(
        [], "--status", help=f"Only this status ({STATUS_CHOICES}); repeat for several."
    ),
    key: list[str] = typer.Option([], "--key", help="Only this task key; repeat for several."),
    band: str | None = typer.Option(
        None, "--band", help="Only the tasks of people in this handover-risk band (red, "
        "amber, green): red first."),
    limit: int | None = typer.Option(
        None, "--limit", min=0, max=LIMIT_MAX,
        help=f"Show at most N tasks, 0 = all (default: all with --json, {TABLE_LIMIT} "
        "otherwise).",
    ),
    as_of: str | None = as_of_option("Overdue means due before this date (default today)."),
    as_json: bool = json_option(),
) -> None:
    """List tasks, overdue first, then by due date.

    Each owner is named with their part in the handover: current worker (with "stays" when
    they keep the person), new worker, or team manager (also "in place of" a worker no one is
    named for), and "left 12 Mar 2027" (or "leaves ...") when the staff list says they have
    gone or go before the task is due. --json gives the stored kind as "owner",
    "owner_stays" and "owner_gone"."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    band = one_of(band, BANDS, "--band")
    with cli.db.session() as session:
        person_id = require_person(session, nhs_number).id if nhs_number is not None else None
        owner = _owner(session, owner)
        keys = _task_keys(session, key, cli.rules.tasks.templates)
        query = TaskQuery(
            overdue_only=overdue, open_only=open_only, owner_staff_id=owner,
            unowned_only=unowned, person_id=person_id, statuses=tuple(status), keys=keys,
            risk_band=band, limit=page_size(limit, as_json, TABLE_LIMIT),
        )
        page = list_tasks(session, query, as_of=today)
        staying = staying_workers(session, {row.person_id for row in page.rows})
        leaving = owners_leaving(session, (row.owner_staff_id for row in page.rows))
    if as_json:
        with collector_paused():  # 465,000 rows' dicts in a large programme: see bulk.py
            print_json([{**row.as_json(staying), "owner_gone": owner_gone(
                leaving, row.owner_staff_id, due=row.due, today=today, is_open=row.is_open)}
                for row in page.rows])
        return
    if not page.rows:
        console.print("No tasks match." if page.total == 0 else "No tasks on this page.")
        return
    console.print(_table(page.rows, today, console.width, staying, leaving))
    shown = f"Showing {len(page.rows):,} of {page.total:,} tasks"
    console.print(f"{shown}; {page.overdue_total:,} overdue on {today:%-d %b %Y}.")
    if len(page.rows) < page.total:
        console.print("Narrow the list (--overdue, --owner, --nhs, --status, --band) or use "
                      "--limit.")


def _table(rows: list[TaskRow], today: date, width: int,
           staying: frozenset[tuple[int, str]],
           leaving: dict[str, date | None] | None = None) -> Table:
    """One line per task when there is room (``WIDE_TABLE`` columns); else two, so that no
    title or name is cut to "…" in a small terminal or a file (80 columns). The owner is said
    with their part (``owner_label``: "Jo Worker (new worker)"), and whether they have left
    or leave before the task is due (``leaving``: :func:`owners_leaving`)."""
    wide = width >= WIDE_TABLE
    if wide:
        table = Table(show_lines=False)
        for header in ("Id", "NHS number", "Person", "Task", "Owner", "Due", "Working days",
                       "Status"):
            table.add_column(header, no_wrap=header in ("Id", "NHS number", "Due"),
                             overflow="ellipsis")
    else:
        table = stacked_table("Id", "Person\nNHS number", "Task\nowner",
                              "Due (working days)\nstatus", whole=["Id"])
    for row in rows:
        owner = owner_label(row.owner_name, row.owner_kind, row.owner_staff_id,
                            stays=(row.person_id, row.owner_staff_id) in staying,
                            gone=owner_gone(leaving or {}, row.owner_staff_id, due=row.due,
                                            today=today, is_open=row.is_open))
        status = ("OVERDUE " if row.overdue else "") + row.status + (
            f": {row.blocked_reason}" if row.blocked_reason else "")
        due, offset = f"{row.due:%a %-d %b %Y}", f"{row.offset_working_days:+d}"
        style = "red" if row.overdue else None
        if wide:
            table.add_row(str(row.id), nhs.format_334(row.nhs_number), row.person_name,
                          row.title, owner, due, offset, status, style=style)
        else:
            table.add_row(str(row.id), f"{row.person_name}\n{nhs.format_334(row.nhs_number)}",
                          f"{row.title}\n{owner}", f"{due} ({offset})\n{status}", style=style)
    return table


@app.command("set")
def tasks_set(
    ctx: typer.Context,
    task_id: int = typer.Argument(..., help="The task's id (first column of tasks list)."),
    status: str = typer.Argument(..., help=f"The new status: {STATUS_CHOICES}."),
    note: str | None = typer.Option(None, "--note", help="A note (replaces the task's note)."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why (required for blocked and not_needed)."
    ),
    version: int | None = typer.Option(
        None, "--expected-version",
        help="Refuse the change if the task's version is not this (it changed since you read it).",
    ),
    as_json: bool = json_option(),
) -> None:
    """Change a task's status (audited). A task cannot be done before the tasks it depends on."""
    cli = context(ctx)
    with cli.db.transaction() as session:
        change = set_task_status(
            session, task_id, status, actor=cli.actor, note=note, reason=reason,
            expected_version=version,
        )
    if as_json:
        print_json({"id": change.task_id, "key": change.key, "before": change.before,
                    "status": change.after, "version": change.version})
        return
    if change.before == change.after:
        console.print(f"Task {change.task_id} ({change.key}) is {change.after}.")
    else:
        console.print(f"Task {change.task_id} ({change.key}): {change.before} -> {change.after}.")


@app.command("progress")
def tasks_progress(
    ctx: typer.Context,
    owner: str | None = typer.Option(None, "--owner", help="Only this worker's tasks."),
    band: str | None = typer.Option(
        None, "--band", help="Only the tasks of people in this handover-risk band (red, "
        "amber, green)."),
    as_of: str | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """Done / due / overdue counts (and by risk band), the countdown to the transfer date and
    the burndown."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    band = one_of(band, BANDS, "--band")
    with cli.db.session() as session:
        owner = _owner(session, owner)
        query = TaskQuery(owner_staff_id=owner, risk_band=band)
        programme_date = programme_transfer_date(session)
        progress = task_progress(session, as_of=today, query=query)
        line = burndown(session, as_of=today, transfer_date=programme_date, query=query)
        by_band = {} if band else {
            name: task_progress(session, as_of=today,
                                query=TaskQuery(owner_staff_id=owner, risk_band=name))
            for name in BANDS}
    countdown = transfer_countdown(programme_date, as_of=today)
    if as_json:
        print_json({"progress": progress.as_dict(), "countdown": countdown.as_dict(),
                    "burndown": line.as_dict(),
                    "by_band": {name: item.as_dict() for name, item in by_band.items()}})
        return
    when = f" ({programme_date:%A %-d %B %Y})" if programme_date else ""
    console.print(f"Transfer date: {countdown.label}{when}.")
    share = ("none to do" if progress.percent_done is None
             else f"{progress.percent_words} done")
    console.print(
        f"Tasks{f' ({band} band)' if band else ''}: {progress.done:,} done, "
        f"{progress.open_words} ({share}; {progress.blocked:,} blocked, "
        f"{progress.not_needed:,} not needed)."
    )
    if any(item.total for item in by_band.values()):
        # Open counts the overdue and blocked tasks too, as every "open" does.
        table = Table(box=None, header_style="bold", padding=(0, 2))
        for heading in ("Risk band", "Done", "Open", "Overdue", "Blocked", "Done %"):
            table.add_column(heading, justify="left" if heading == "Risk band" else "right")
        for name, item in by_band.items():
            table.add_row(name, f"{item.done:,}", f"{item.open:,}", f"{item.overdue:,}",
                          f"{item.blocked:,}",
                          "-" if item.percent_done is None else item.percent_words,
                          style="bold red" if name == "red" and item.overdue else None)
        console.print(table)
    if line.points:
        last = line.points[-1]
        console.print(
            f"If every task is done on time, {last.open:,} open tasks remain after "
            f"{last.day:%-d %b %Y} (they fall due after the transfer date)."
        )


@app.command("templates")
def tasks_templates(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Show the task templates in the rules in use."""
    cli = context(ctx)
    templates = cli.rules.tasks.describe()
    if as_json:
        print_json(templates)
        return
    table = Table()
    for header in ("Key", "Title", "Owner", "Deadline", "Applies to", "After"):
        table.add_column(header)
    for item in templates:
        applies = _conditions_text(item) or "everyone"
        if item["unless"]:
            applies += f"; not if {_conditions_text(item['unless'])}"
        if item["also_when_worker_stays"]:
            applies += "; also when the worker stays (assess)"
        deadline = _deadline_text(item)
        for variant in item["deadlines"]:
            why = variant["reason"] or _conditions_text(variant)
            deadline += f"; {_deadline_text(variant)} if: {why}"
        table.add_row(
            # In the words lists use, with the rules file's value: "current worker (outgoing)".
            item["key"] + ("" if item["enabled"] else " (off)"), item["title"],
            f"{OWNER_WORDS.get(item['owner'], item['owner'])} ({item['owner']})",
            deadline, applies, ", ".join(item["after"]),
        )
    console.print(table)


def _conditions_text(conditions: dict[str, Any]) -> str:
    parts = [
        f"{name}: {', '.join(map(str, conditions[name]))}"
        for name in ("pathways", "risk_bands", "flags", "accessible_formats", "clusters")
        if conditions[name]
    ]
    if conditions["discharged_within_days"] is not None:
        parts.append(f"discharged within {conditions['discharged_within_days']} days")
    return "; ".join(parts)


def _deadline_text(item: dict[str, Any]) -> str:
    """A template's (or a ``deadlines`` entry's) deadline, in working or calendar days."""
    if item["offset_calendar_days"] is not None:
        return Deadline(item["offset_calendar_days"], calendar=True).describe()
    return Deadline(item["offset_working_days"]).describe()
