"""`transition plan`, `plan show`, `plan status`, `plan accept`, `plan workers`,
`plan candidates`, `transition assign` and `transition unlock`: who becomes each person's
worker."""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from transition import nhs
from transition.absence import LEAVES_ON, soon_after_handover
from transition.allocation_status import allocation_status, plan_sentences, status_lines
from transition.assessment import BANDS
from transition.choices_file import ChoicesResult, apply_choices
from transition.commands.common import (
    WIDE_TABLE,
    CliContext,
    as_of_option,
    console,
    context,
    err_console,
    existing_file,
    fail,
    group_alone,
    json_option,
    one_of,
    parse_date,
    place_option,
    print_json,
    report_option,
    stacked_table,
)
from transition.errors import EXIT_PARTIAL, NotFoundError, RulesError
from transition.overview import staff_names
from transition.people import require_person
from transition.plan_report import write_plan_report
from transition.plan_review import (
    PLAN_SORTS,
    PlanQuery,
    accept_plan,
    caseloads,
    changed_since,
    coordinated_count,
    load_plan,
    unassigned_holders,
    unassigned_staying_note,
)
from transition.plan_rows import PlanRow
from transition.planning import PlanResult, propose_plan
from transition.staff_ids import find_coordinator_id, find_staff_id, require_staff_id
from transition.whatif import WhatIf, what_if
from transition.whatif_view import what_if_report
from transition.widgets.format import plural
from transition.worker_overrides import WorkerOption, assign_worker, feasible_workers, unlock

app = typer.Typer(
    help="Propose who becomes each person's worker, show the plan, accept it.\n\n"
    "On its own, transition plan brings pathways up to date, proposes a plan for everyone who "
    "needs a worker and stores it as a DRAFT, replacing any older draft (nothing changes who "
    "holds a case until transition plan accept). Exit status 1 when some roles could not be "
    "filled (the reasons are listed), 2 when nothing could be done. With --withdraw or "
    "--capacity-scale it is a what-if instead and stores nothing.\n\n"
    "The options below are for plan on its own; a subcommand takes its own after its name "
    "(transition plan show --json).",
    invoke_without_command=True,
    no_args_is_help=False,
)

SHOWN = 20  # rows listed in the human-readable summary
WITHDRAW_HINT = ("Check the id: transition plan workers --json and transition plan candidates "
                 "NHS_NUMBER list workers with their ids.")
WORKER_HINT = ("Check the id (transition plan candidates NHS_NUMBER lists workers with their "
               "ids), or import the staff list again.")
MAX_CAPACITY_SCALE = 10.0  # beyond this the network outgrows memory (1e4 took 1.5 GB)


@app.callback()
def plan(
    ctx: typer.Context,
    as_json: bool = json_option(),
    as_of: str | None = as_of_option(),
    withdraw: list[str] = typer.Option(
        [], "--withdraw", metavar="STAFF_ID", show_default=False,
        help="What-if: treat this worker as gone (repeat for more). Nothing is stored."),
    capacity_scale: float | None = typer.Option(
        None, "--capacity-scale", metavar="FACTOR", show_default=False,
        help="What-if: scale every worker's capacity (0.9 keeps nine tenths; above 0, at most "
        "10). Nothing is stored."),
) -> None:
    """Propose a plan for everyone who needs a worker and store it as a draft.

    Exit status 1 when some roles could not be filled (see the reasons)."""
    if not group_alone(ctx):
        return
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    if capacity_scale is not None and not (
            math.isfinite(capacity_scale) and 0 < capacity_scale <= MAX_CAPACITY_SCALE):
        fail(f"--capacity-scale must be a number above 0 and at most {MAX_CAPACITY_SCALE:g}: "
             "nothing was done.",
             hint="It multiplies every worker's capacity: 0.9 keeps nine tenths, 1.5 adds half "
             "again.")
    if withdraw or capacity_scale is not None:
        with cli.db.session() as session:
            # An id on no staff list is not found (exit 1), as everywhere a staff id is typed.
            withdraw = [require_staff_id(session, typed, hint=WITHDRAW_HINT)
                        for typed in withdraw]
            result = what_if(session, cli.rules, as_of=today, withdraw=withdraw,
                             capacity_scale=1.0 if capacity_scale is None else capacity_scale)
        if as_json:
            print_json(result.to_json())
        else:
            _print_what_if(result)
        return
    with cli.db.transaction() as session:
        outcome = propose_plan(session, cli.rules, as_of=today, actor=cli.actor)
        staying = _staying(session, outcome)
        outcome = replace(outcome, unassigned_staying=len(staying))
        names = {} if as_json else _new_worker_names(session, outcome, staying)
        soon = _soon_after_handover(cli, session, _shown(outcome, as_json=as_json))
    if as_json:
        print_json(_plan_json(outcome, soon))
    else:
        _print_plan(outcome, stored=True, names=names, soon=soon, staying=staying)
    if outcome.unassigned:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("show")
def show(
    ctx: typer.Context,
    as_json: bool = json_option(),
    plan_id: int | None = typer.Option(None, "--plan", help="A plan id (default: the newest)."),
    team: str | None = typer.Option(None, "--team", help="Only people in this team."),
    worker: str | None = typer.Option(None, "--worker", help="Only roles given to this staff id."),
    from_worker: str | None = typer.Option(
        None, "--from", help="Only the people this staff id coordinates now (the trust's "
        "export), kept or moving: their handover list."),
    band: str | None = typer.Option(None, "--band", help="Only this risk band (red, amber, green)."),
    unassigned: bool = typer.Option(False, "--unassigned", help="Only roles left unassigned."),
    changed: bool = typer.Option(False, "--changed", help="Only roles given to a new worker."),
    sort: str = typer.Option(
        "person", "--sort", help="Order the rows by: " + "; ".join(
            f"{key} ({words})" for key, words in PLAN_SORTS.items()) + "."),
    report_file: str | None = report_option(
        "Also write every row shown (all of them, with names, teams and reasons) to FILE, "
        "CSV or Excel by its ending (.csv, .xlsx): owner-only, and audited, as it holds "
        "personal data."),
) -> None:
    """Show a plan: the newest draft or accepted plan, or --plan ID."""
    cli = context(ctx)
    sort = one_of(sort, PLAN_SORTS, "--sort") or PlanQuery.sort
    band = one_of(band, BANDS, "--band")
    report_path = (None if report_file is None
                   else cli.output_file(report_file, option="--report"))
    with cli.db.session() as session:
        # 'sw0042' finds the staff list's 'SW0042'; an id on no staff list stays as typed (a
        # trust export's coordinator may be on none).
        worker = worker and (find_staff_id(session, worker) or worker)
        from_worker = from_worker and (find_coordinator_id(session, from_worker) or from_worker)
        # A team in any case and spacing; one no one is in is not found (exit 1), as in
        # people and at-risk, rather than "No roles match", which reads as a team with none.
        teams = place_option(session, "team", team) if team is not None else None
        query = PlanQuery(team=teams, staff_id=worker, coordinator=from_worker, risk_band=band,
                          unassigned_only=unassigned, changed_only=changed, sort=sort)
        result = load_plan(session, plan_id, query)
        staying = _staying(session, result)
        stale = (changed_since(session, result.plan_id)
                 if result.status == "draft" and result.plan_id is not None else [])
        if worker and not result.rows and find_staff_id(session, worker) is None:
            # Checked only when nothing matched: a plan may name a worker since gone from it.
            require_staff_id(session, worker, hint=WORKER_HINT)
        if from_worker and not result.rows and not coordinated_count(session, from_worker):
            raise NotFoundError(
                f"No one on the caseload has {from_worker!r} as their care coordinator.",
                hint="Check the staff id: the caseload's Coordinator column "
                     "(transition people) shows them.")
        if as_json:
            names: dict[str, str] = {}
        elif from_worker:
            names = staff_names(session, [from_worker, *(row.staff_id for row in result.rows)])
        else:
            names = _new_worker_names(session, result, staying)
        soon = _soon_after_handover(cli, session, result.rows[:SHOWN] if from_worker
                                    and not as_json else _shown(result, as_json=as_json))
    if report_path is not None:
        with cli.db.transaction() as session:
            report = write_plan_report(session, result, report_path, actor=cli.actor,
                                       filters=asdict(query))
        err_console.print(f"Report written to {report.path}: {report.rows:,} role"
                          f"{'s' if report.rows != 1 else ''} (personal data: owner-only, "
                          "audited).", markup=False)
    if as_json:
        print_json(_plan_json(result, soon))
        return
    if from_worker:
        _print_handover_list(result, from_worker, names, soon)
    else:
        _print_plan(result, stored=False, names=names, soon=soon, staying=staying)
    if stale:
        again = ("run transition check --apply again first (it replaces this draft)"
                 if result.kind == "check_apply" else "run transition plan again first")
        console.print(f"[yellow]Since plan {result.plan_id} was made, {', '.join(stale)} "
                      "changed, so it may be out of date (accept refuses a plan whose inputs "
                      f"changed): {again} (locks and accepted choices are kept).[/]")


@app.command("status")
def status(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Where the allocation stands now: who holds each case (after any manager's choices),
    who has no worker in a role they need, and any draft waiting for review.

    Exit status 1 when someone has no worker in a role they need."""
    cli = context(ctx)
    with cli.db.session() as session:
        result = allocation_status(session, cli.today())
    if as_json:
        print_json(result.to_json())
    else:
        for sentence in plan_sentences(result):
            console.print(sentence)
        if not result.people:
            return
        table = Table(box=None, show_header=False, padding=(0, 1))
        table.add_column(justify="right")
        table.add_column()
        for line in status_lines(result):
            style = {"bad": "bold red", "warn": "yellow"}.get(line.tone, "") if line.value else ""
            table.add_row(Text(f"{line.value:,}", style=style), line.label)
        console.print(table)
        if result.needs_a_worker:
            then = ("propose one with transition check --apply" if result.accepted
                    else "accept a plan that places them")
            console.print("See who: transition people --needs-worker (and why: transition "
                          f"person NHS_NUMBER); choose a worker with transition assign, or "
                          f"{then}.")
        draft = result.draft
        if draft is not None and draft.stale:  # accept would refuse it: one next step
            again = ("transition check --apply (it replaces this draft)"
                     if draft.plan.kind == "check_apply" else "transition plan")
            console.print(f"Make the draft again before accepting it: {again}.")
        elif draft is not None:
            console.print("Review the draft: transition plan show; accept it: transition plan "
                          "accept.")
    if result.needs_a_worker:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("accept")
def accept(
    ctx: typer.Context,
    as_json: bool = json_option(),
    plan_id: int | None = typer.Option(None, "--plan", help="A draft's id (default: the newest)."),
) -> None:
    """Make the newest draft (or --plan ID) the current allocation (audited)."""
    cli = context(ctx)
    with cli.db.transaction() as session:
        result = accept_plan(session, cli.rules, plan_id=plan_id, actor=cli.actor,
                             today=cli.today())
    if as_json:
        print_json(result.to_json())
        return
    console.print(f"Plan {result.plan_id} accepted: {result.changed:,} roles recorded or changed, "
                  f"{result.ended:,} ended.")
    if result.unassigned:
        staying = unassigned_staying_note(result.unassigned, result.unassigned_staying)
        console.print(f"{result.unassigned:,} roles are still unassigned{staying}: see "
                      "transition plan show --unassigned")
    if late := result.late_starts_in_words():
        console.print(late)
    if result.tasks_out_of_date:
        console.print("Handover tasks were made before this plan: run transition tasks "
                      "generate to bring them up to date with it.")


@app.command("workers")
def workers(
    ctx: typer.Context,
    as_json: bool = json_option(),
    plan_id: int | None = typer.Option(None, "--plan", help="A plan id (default: the newest)."),
) -> None:
    """Caseloads per worker and per team: capacity, now, and in the plan."""
    cli = context(ctx)
    with cli.db.session() as session:
        result = caseloads(session, cli.rules, as_of=cli.today(), plan_id=plan_id)
    if as_json:
        print_json(result.to_json())
        return
    table = Table(title="Caseloads by team", box=box.SIMPLE_HEAD, padding=(0, 1),
                  caption="Places: the capacity of the team's workers now, and of those "
                          "available on the transfer date (not leaving, absent or off the "
                          "latest staff list). Leaving: roles held now that the plan moves to "
                          "another worker, signposts, ends or cannot place. Joining: roles it "
                          "gives to a worker who does not hold them now.",
                  caption_justify="left")
    table.add_column("Team", overflow="fold", ratio=1)
    for heading in ("Workers", "Places\nnow → day", "Holding\nnow",
                    "Leaving\n/ joining", "Planned"):
        table.add_column(heading, justify="right", no_wrap=True)

    def number(value: int | None) -> str:
        return "-" if value is None else str(value)

    for team in result.teams:
        over = team.proposed is not None and team.proposed > team.capacity_after
        places = (str(team.capacity) if team.capacity_after == team.capacity
                  else f"{team.capacity} → {team.capacity_after}")
        table.add_row(team.team, str(team.workers), places, str(team.current),
                      f"{number(team.leaving)} / {number(team.joining)}",
                      Text(number(team.proposed), style="bold red" if over else ""))
    if len(result.teams) > 1:
        def total(values: list[int | None]) -> str:
            return "-" if result.plan_id is None else str(sum(value or 0 for value in values))

        teams = result.teams
        now, after = sum(t.capacity for t in teams), sum(t.capacity_after for t in teams)
        table.rows[-1].end_section = True
        table.add_row("All teams", str(sum(t.workers for t in teams)),
                      str(now) if now == after else f"{now} → {after}",
                      str(sum(t.current for t in teams)),
                      f"{total([t.leaving for t in teams])} / "
                      f"{total([t.joining for t in teams])}",
                      total([t.proposed for t in teams]), style="bold")
    console.print(table)
    over = [worker for worker in result.workers
            if worker.proposed is not None and worker.spare < 0]
    if over:
        console.print(f"{plural(len(over), 'worker')} would hold more than their places on the "
                      "day (" + ", ".join(worker.staff_id for worker in over[:10])
                      + (", ..." if len(over) > 10 else "") + "): see `transition plan workers "
                      "--json` or the workers screen.")


@app.command("candidates")
def candidates(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    role: str = typer.Option(..., "--role", help="social_worker or key_worker."),
    show_all: bool = typer.Option(False, "--all", help="Also workers ruled out, with why."),
    as_json: bool = json_option(),
    as_of: str | None = as_of_option(),
) -> None:
    """Workers who could hold a person's role, best first, with their spare capacity."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    with cli.db.session() as session:
        person = require_person(session, nhs_number)
        assert person.id is not None
        options = feasible_workers(session, cli.rules, person_id=person.id, role=role,
                                   as_of=today, include_infeasible=show_all)
    if as_json:
        print_json([option.to_json() for option in options])
        return
    if not options:
        console.print(
            f"No worker meets every hard constraint for the {role.replace('_', ' ')} of person "
            f"{nhs.mask(person.nhs_number)}"
            + ("." if show_all else ". See who is ruled out, and why: add --all."))
        return
    console.print(_candidates_table(options, console.width))


def _candidates_table(options: list[WorkerOption], width: int) -> Table:
    """One line per worker when there is room (``WIDE_TABLE``); else name over team and load
    over cost, so the reasons get half of an 80-column terminal rather than 14 characters."""
    def cost(option: WorkerOption) -> str:
        return "" if option.cost is None else str(option.cost)

    def why(option: WorkerOption) -> str:
        return "; ".join(option.why_not or option.reasons)

    if width < WIDE_TABLE:
        table = stacked_table("Staff id", "Name\nteam", "Load\ncost", "Why / why not",
                              whole=["Staff id", "Load\ncost"])
        for option in options:
            table.add_row(option.staff_id, f"{option.name}\n{option.team or ''}",
                          f"{option.load}/{option.capacity}\n{cost(option)}", why(option))
        return table
    table = Table("Staff id", "Name", "Team", "Load", "Cost", "Why / why not")
    for option in options:
        table.add_row(option.staff_id, option.name, option.team or "",
                      f"{option.load}/{option.capacity}", cost(option), why(option))
    return table


def assign(
    ctx: typer.Context,
    nhs_number: str | None = typer.Argument(None, metavar="NHS_NUMBER",
                                            help="The person's NHS number."),
    staff_id: str | None = typer.Argument(None, metavar="STAFF_ID",
                                          help="The worker's staff id."),
    role: str | None = typer.Option(None, "--role", help="social_worker or key_worker."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why (goes into the audit trail). With --file: for rows with no "
        "reason of their own."),
    lock: bool = typer.Option(False, "--lock", help="Keep this choice in every later plan "
                              "(with --file: rows that do not say). Locking the worker the "
                              "newest draft proposes keeps that draft ready to accept."),
    force: bool = typer.Option(False, "--force",
                               help="Record it even if it breaks a hard constraint."),
    choices: Path | None = typer.Option(
        None, "--file", metavar="FILE", show_default=False,
        help="A spreadsheet (CSV or XLSX) of choices, one per row: NHS number, staff id, and "
        "role, reason, lock where needed."),
    sheet: str | None = typer.Option(None, "--sheet", help="With --file: the XLSX sheet."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="With --file: check every row, record nothing."),
    strict: bool = typer.Option(False, "--strict",
                                help="With --file: record nothing if any row is rejected."),
    as_json: bool = json_option(),
    as_of: str | None = as_of_option(),
) -> None:
    """A manager's choice of worker for one person's role (audited), or a file of them.

    Exit status 1 when some rows of --file were rejected (the rest are recorded, unless
    --strict); 2 when nothing could be done."""
    cli = context(ctx)
    today = cli.today(parse_date(as_of, option="--as-of"))
    if choices is not None:
        if nhs_number is not None or staff_id is not None or role is not None:
            fail("Give either --file or one person's NHS_NUMBER STAFF_ID --role, not both.")
        _assign_file(cli, existing_file(choices, what="choices file"), sheet=sheet,
                     reason=reason, lock=lock, force=force, dry_run=dry_run, strict=strict,
                     as_json=as_json, today=today)
        return
    if nhs_number is None or staff_id is None:
        fail("Say who and which worker: transition assign NHS_NUMBER STAFF_ID --role ROLE "
             "--reason TEXT (or --file FILE for a spreadsheet of choices).")
    if role is None:
        fail("Say which role with --role: social_worker or key_worker.")
    with cli.db.transaction() as session:
        result = assign_worker(session, cli.rules, nhs_number=nhs_number, staff_id=staff_id,
                               role=role, reason=reason or "", lock=lock, force=force,
                               as_of=today, actor=cli.actor)
    if as_json:
        print_json(result.to_json())
        return
    who = nhs.mask(nhs_number)
    if not result.changed:
        console.print(f"{result.staff_id} already holds that role for {who}; nothing changed.")
    else:
        locked = " and locked" if lock else ""
        console.print(f"{result.staff_id} is now the {result.role.replace('_', ' ')} for "
                      f"{who}{locked}.")
    if (draft := result.draft_in_words("transition plan accept")) is not None:
        console.print(draft, markup=False)
    if (late := result.late_start_in_words()) is not None:
        console.print(late)
    if result.tasks_in_words():
        console.print(result.tasks_in_words())
    for problem in result.broken:
        err_console.print(f"Forced past: {problem}", markup=False)
    if result.reason_cut:
        err_console.print(f"Note: the reason was cut by {result.reason_cut:,} characters so that "
                          "what this choice breaks is recorded whole beside it (the audit trail "
                          "keeps 1,000).", markup=False)
    for warning in result.warnings:
        err_console.print(f"Note: {warning}", markup=False)  # it may quote [matching.roles]


def _assign_file(cli: CliContext, path: Path, *, sheet: str | None, reason: str | None, lock: bool,
                 force: bool, dry_run: bool, strict: bool, as_json: bool, today: date) -> None:
    with cli.db.transaction() as session:
        result = apply_choices(session, cli.rules, path, sheet=sheet, reason=reason, lock=lock,
                               force=force, dry_run=dry_run, strict=strict, as_of=today,
                               actor=cli.actor)
    if as_json:
        print_json(result.to_json())
    else:
        _print_choices(result)
    if result.rejected:
        raise typer.Exit(EXIT_PARTIAL)


def _print_choices(result: ChoicesResult) -> None:
    console.print(result.summary(), markup=False)
    if result.dry_run:
        console.print("Dry run: nothing was recorded (run again without --dry-run).")
    elif result.strict_refused:
        console.print("--strict: a row was rejected, so nothing was recorded.")
    forced = [row for row in result.rows if row.forced_past]
    for row in forced:
        err_console.print(f"Row {row.row}: forced past: {'; '.join(row.forced_past)}",
                          markup=False)
    for row in result.rows:  # as one assign notes them: out of reach, a reason cut short
        if row.outcome != "rejected" and row.message:
            err_console.print(f"Row {row.row}: note: {row.message}", markup=False)
    if (unread := result.unread_note()) is not None:
        err_console.print(f"Note: {unread}", markup=False)
    rejected = [row for row in result.rows if row.outcome == "rejected"]
    if rejected:
        table = Table("Row", "NHS number", "Column", "Why rejected", title="Rejected rows",
                      title_justify="left")
        for row in rejected:
            # A cell that is no number may hold anything (a name): not even part of it is shown.
            shown = nhs.mask_cell(row.nhs_number)
            table.add_row(str(row.row), shown, row.column or "", Text(row.message))
        console.print(table)
        console.print("Correct those rows and run the file again: rows already recorded "
                      "come back as 'already so'.")


def unlock_command(
    ctx: typer.Context,
    nhs_number: str = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number."),
    role: str | None = typer.Option(None, "--role", help="Only this role (default: all)."),
    as_json: bool = json_option(),
) -> None:
    """Unlock a person's locked roles so the next plan may change them (audited)."""
    cli = context(ctx)
    with cli.db.transaction() as session:
        roles = unlock(session, nhs_number=nhs_number, role=role, actor=cli.actor)
    if as_json:
        print_json({"unlocked": roles})
        return
    console.print(f"Unlocked {', '.join(item.replace('_', ' ') for item in roles)} for "
                  f"{nhs.mask(nhs_number)}.")


# ---------------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------------


def _changed(result: PlanResult) -> list[PlanRow]:
    """The rows giving a role to a new worker (not kept, not a manager's lock)."""
    return [row for row in result.rows if row.staff_id and not row.kept and not row.locked]


def _new_worker_names(session: Session, result: PlanResult,
                      staying: dict[tuple[int, str], str] | None = None) -> dict[str, str]:
    """The names of the new workers the table shows (its first rows only), and of those who
    keep a role the plan left unassigned (``staying``)."""
    return staff_names(session, [row.staff_id for row in _changed(result)[:SHOWN]]
                       + list((staying or {}).values()))


def _staying(session: Session, result: PlanResult) -> dict[tuple[int, str], str]:
    """The plan's unassigned roles someone holds now (they stay with them until a manager
    decides): (person id, role) -> staff id."""
    return {} if result.plan_id is None else unassigned_holders(session, result.plan_id)


def _shown(result: PlanResult, *, as_json: bool) -> list[PlanRow]:
    """The filled roles a plan's output shows: all of them in JSON, else the first rows of
    the new workers' table."""
    return ([row for row in result.rows if row.staff_id is not None] if as_json
            else _changed(result)[:SHOWN])


def _plan_json(result: PlanResult, soon: dict[tuple[int, str], str]) -> dict[str, Any]:
    """The plan as JSON, each filled role with ``soon_after_handover``: the worker leaving or
    away soon after the handover, in words, or null."""
    data = result.to_json()
    # The same rows, in the same order, as to_json lists them.
    for row, item in zip((row for row in result.rows if row.staff_id is not None),
                         data["assignments"], strict=True):
        item["soon_after_handover"] = soon.get((row.person_id, row.staff_id or ""))
    return data


def _soon_after_handover(cli: CliContext, session: Session,
                         rows: list[PlanRow]) -> dict[tuple[int, str], str]:
    """(person id, staff id) -> the planned worker leaving, or away long, soon after the
    person's handover, in words (what the check's ``away_after_handover`` says once the plan
    is accepted, as the plan screen's note). Nothing, with a note why, when the rules file
    cannot be read: the plan itself does not need it."""
    try:
        checks = cli.rules.checks
    except RulesError as error:
        err_console.print(f"Note: workers leaving or away soon after a handover are not "
                          f"marked, as the rules file cannot be read: {error.message}",
                          markup=False)
        return {}
    return soon_after_handover(
        session, [(row.person_id, row.staff_id) for row in rows if row.staff_id],
        long_term_days=checks.long_term_absence_days,
        window=checks.away_after_handover_working_days)


def _why(reasons: list[str], soon: str | None) -> Text | str:
    """A table's Why cell: the reasons, and under them, in yellow, the worker leaving or away
    soon after the handover."""
    if soon is None:
        return "; ".join(reasons)
    label = "Leaves soon" if soon.startswith(LEAVES_ON) else "Away soon"
    return Text.assemble("; ".join(reasons), "\n" if reasons else "",
                         (f"{label}: {soon}: another change of worker soon after the handover",
                          "yellow"))


def _print_plan(result: PlanResult, *, stored: bool,
                names: dict[str, str] | None = None,
                soon: dict[tuple[int, str], str] | None = None,
                staying: dict[tuple[int, str], str] | None = None) -> None:
    """The plan in words and tables; ``names`` (staff id -> name) names the new workers;
    ``soon`` (person id, staff id -> words) marks those leaving or away soon after;
    ``staying`` (person id, role -> staff id): who keeps a role the plan left unassigned."""
    names = names or {}
    soon = soon or {}
    staying = staying or {}
    state = "optimal" if result.optimal else f"not optimal ({result.solver_status})"
    heading = f"Plan {result.plan_id} ({result.status}, {result.kind})"
    console.print(f"{heading}: {state}, cost {result.objective:,}.")
    console.print(
        f"People planned: {result.people:,}. Roles filled: {result.assigned:,} "
        f"({result.kept_with_current:,} kept with their current worker, {result.changed:,} with a "
        f"new worker, {result.locked:,} locked). Roles unassigned: {result.unassigned:,}"
        f"{unassigned_staying_note(result.unassigned, result.unassigned_staying)}."
    )
    for key, count in result.not_planned.items():
        if count:
            console.print(f"Not planned ({key.replace('_', ' ')}): {count:,}.")
    if result.ending:
        console.print(f"Roles ending when the plan is accepted (the pathway no longer needs "
                      f"them): {len(result.ending):,}.")
    for warning in result.warnings:
        err_console.print(f"Note: {warning}", markup=False)  # it may quote [matching.roles]
    if result.filtered and not result.rows:
        console.print("No roles in this plan match the filters (--team, --worker, --band, "
                      "--unassigned, --changed).")
        return
    unassigned = [row for row in result.rows if row.staff_id is None]
    if unassigned:
        table = Table("NHS number", "Role", "Band", "Why unassigned",
                      title=f"Unassigned ({len(unassigned):,})")
        for row in unassigned[:SHOWN]:
            why = "; ".join(row.reasons)
            if (holder := staying.get((row.person_id, row.role or ""))) is not None:
                name = names.get(holder)
                why = (f"stays with {f'{name} ({holder})' if name else holder} until a "
                       f"manager decides: {why}")
            table.add_row(nhs.format_334(row.nhs_number), _role(row.role), row.risk_band or "",
                          why)
        console.print(table)
    changed = _changed(result)
    if changed:
        table = Table("NHS number", "Role", "Band", "New worker", "Why",
                      title=f"New workers ({len(changed):,})")
        for row in changed[:SHOWN]:
            name = names.get(row.staff_id or "")
            table.add_row(nhs.format_334(row.nhs_number), _role(row.role), row.risk_band or "",
                          f"{name} ({row.staff_id})" if name else row.staff_id or "",
                          _why(row.reasons[:3], soon.get((row.person_id, row.staff_id or ""))))
        console.print(table)
    if len(changed) > SHOWN or len(unassigned) > SHOWN:
        console.print("Showing the first rows only; see all with --json, or filter with "
                      "transition plan show --team/--worker/--band/--unassigned/--changed.")
    if stored and result.plan_id is not None:
        console.print("Stored as a draft. Accept it with: transition plan accept")


def _print_handover_list(result: PlanResult, coordinator: str, names: dict[str, str],
                         soon: dict[tuple[int, str], str]) -> None:
    """``plan show --from``: every role of the people a worker coordinates now, and where each
    goes: staying with them, to a new worker (named), or to no one yet (and why); ``soon``
    marks a worker leaving or away soon after the handover."""
    name = names.get(coordinator)
    who = f"{name} ({coordinator})" if name else coordinator
    people = len({row.person_id for row in result.rows})
    # Back to them after the export says their allocation ended is not staying: not kept.
    kept = sum(1 for row in result.rows if row.staff_id == coordinator and row.kept)
    unassigned = sum(1 for row in result.rows if row.staff_id is None)
    console.print(
        f"Plan {result.plan_id} ({result.status}): the people {who} coordinates now: "
        f"{people:,}. Roles staying with them: {kept:,}; moving to a new worker: "
        f"{len(result.rows) - kept - unassigned:,}; no one yet: {unassigned:,}.")
    table = Table("NHS number", "Role", "Band", "Goes to", "Why")
    for row in result.rows[:SHOWN]:
        if row.staff_id is None:
            goes: Text | str = Text("no one yet", style="bold red")
        elif row.staff_id == coordinator:
            goes = "stays with them" if row.kept else "back to them (their allocation ended)"
        else:
            goes = f"{names.get(row.staff_id, row.staff_id)} ({row.staff_id})"
        table.add_row(nhs.format_334(row.nhs_number), _role(row.role), row.risk_band or "",
                      goes, _why(row.reasons[:2], soon.get((row.person_id, row.staff_id or ""))))
    console.print(table)
    if len(result.rows) > SHOWN:
        console.print(f"Showing the first {SHOWN:,} roles; see all with --json.")


def _role(role: str | None) -> str:
    """A role as a table shows it: 'key worker' ('-' for a person with no pathway yet)."""
    return role.replace("_", " ") if role else "-"


def _print_what_if(result: WhatIf) -> None:
    for part in what_if_report(result, in_json=True):
        console.print(part)
