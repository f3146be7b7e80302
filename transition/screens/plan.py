"""The plan: propose an allocation, read it with its reasons, filter it, change it, accept it.

Everything slow (proposing a plan, accepting one, listing the workers who could take a role)
runs in a thread worker, so the screen never freezes; proposing shows its progress. Rows are
read a page at a time (:func:`transition.plan_review.plan_rows`), so a plan of 100,000 roles
is as quick to page through as one of ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, ProgressBar, Select, Static
from textual.widgets.select import InvalidSelectValueError
from textual.worker import Worker, WorkerState

from transition import nhs
from transition.absence import LEAVES_ON, soon_after_handover
from transition.allocation import current_assignments
from transition.errors import ConflictError, NotFoundError, TransitionError
from transition.overview import counts_by_team, named, staff_names
from transition.people import person_names
from transition.plan_report import PlanReport, write_plan_report
from transition.plan_review import (
    PLAN_SORTS,
    AcceptResult,
    ManagerChanges,
    PlanQuery,
    accept_plan,
    allocation_changed_since,
    caseloads,
    load_plan,
    manager_changes,
    plan_out_of_date,
    plan_rows,
    unassigned_in_words,
    unassigned_staying_note,
)
from transition.planning import PlanResult, PlanRow, propose_plan
from transition.screens.base import DataScreen, database_words
from transition.screens.confirm import ConfirmScreen
from transition.screens.worker_picker import WorkerPick, ask_for_worker, holds_now_words
from transition.widgets.chrome import PAGES, AppFooter, NavBar
from transition.widgets.fitted_table import FILL, FitColumn, FittedTable
from transition.widgets.format import count, plural, uk_date, words
from transition.widgets.pathway import BANDS, band_text, next_choice, pathway_text
from transition.worker_overrides import (
    AssignResult,
    WorkerOption,
    assign_worker,
    unlock,
    worker_choices,
)

PAGE_SIZE = 200
# At 80 columns the NHS number and the pathway are left out (the box under the table names
# the person; the person screen has both) and the name, worker and reason narrow (the box has
# them whole), so the role, the change, the band and the reason stay on screen.
COLUMNS = (
    FitColumn("nhs", "NHS number", 12, drop=2), FitColumn("name", "Name", 18, most=26, squeeze=13),
    FitColumn("role", "Role", 13), FitColumn("worker", "Worker", 16, most=26, squeeze=12),
    FitColumn("status", "Change", 6), FitColumn("pathway", "Pathway", 8, drop=1),
    FitColumn("risk", "Risk", 7), FitColumn("why", "Main reason", 17, most=FILL, squeeze=12),
)
PLAN_AGAIN = "Press n for a new plan (locks and managers' choices are kept)."
# A draft of the nightly check's (--apply) re-plans only the people its findings concern: n
# would plan everyone, so the way to bring it up to date is the check's own, K on the dashboard.
CHECK_AGAIN = ("Run the check's fixes again (K on the dashboard, or transition check --apply): "
               "they replace this draft with one for who needs re-planning now.")


def plan_again(plan: PlanResult | None) -> str:
    """What to do about an out-of-date draft: plan again, or, for a check's draft, run the
    check's fixes again."""
    return CHECK_AGAIN if plan is not None and plan.kind == "check_apply" else PLAN_AGAIN


def plan_again_short(plan: PlanResult | None) -> str:
    """:func:`plan_again` in a few words, for a line of an 80x24 terminal."""
    if plan is not None and plan.kind == "check_apply":
        return "K on the dashboard: the check's fixes again"
    return "n: a new plan"


STEPS = {
    0: "Bringing pathway and risk decisions up to date…",
    1: "Reading the caseload, staff and current allocation…",
    2: "Finding the best allocation…",
    3: "Writing the draft plan…",
    4: "Done.",
}


@dataclass(frozen=True)
class PlanPage:
    """What the screen shows: the plan (counts, no rows), one page of rows, and names."""

    plan: PlanResult | None
    rows: list[PlanRow]
    total: int
    people: dict[int, str]
    staff: dict[str, str]
    holders: dict[tuple[int, str], dict[str, Any]]  # (person, role) -> who holds it now
    # (person, staff id) -> the worker leaving, or away long, soon after the handover, in words
    away_soon: dict[tuple[int, str], str] = field(default_factory=dict)
    # An accepted plan: the roles managers have changed since (the whole plan's count).
    changes: ManagerChanges = field(default_factory=ManagerChanges)

    def holder(self, row: PlanRow) -> dict[str, Any] | None:
        """Who holds the row's role now (None: nobody)."""
        return self.holders.get((row.person_id, row.role or ""))

    def stays_with(self, row: PlanRow) -> dict[str, Any] | None:
        """Who keeps a role the plan left unassigned: accepting never takes it from them, so
        it stays with them until a manager decides (None: the role is not unassigned, or
        nobody holds it)."""
        return self.holder(row) if row.staff_id is None and row.role else None

    def overridden(self, row: PlanRow) -> dict[str, Any] | None:
        """An accepted plan's role a manager has changed since (another worker, or the lock
        changed): who holds it now; None when it is as the plan left it."""
        plan = self.plan
        holder = self.holder(row)
        if (plan is None or plan.status != "accepted" or holder is None
                or holder.get("source") != "manager"):
            return None
        if holder["staff_id"] == row.staff_id and bool(holder.get("locked")) == row.locked:
            return None
        return holder


def _who(staff: dict[str, str], staff_id: str | None) -> str:
    """'Sarah Brown (WC25984)', or the id alone for someone not in the staff list."""
    name = staff.get(staff_id or "")
    return f"{name} ({staff_id})" if name else str(staff_id)


def _status(row: PlanRow, *, short: bool = False, stays: bool = False) -> Text:
    """kept, new worker, locked or unassigned; ``short``, the table's one word each (new,
    none), so the column fits at 80 columns. ``stays``: unassigned, but someone holds the
    role and keeps it until a manager decides ("stays", not "none")."""
    if row.staff_id is None and stays:
        return Text("stays" if short else "unassigned", style="bold yellow")
    if row.staff_id is None:
        return Text("none" if short else "unassigned", style="bold red")
    if row.locked:
        return Text("locked", style="bold cyan")
    if row.kept:
        return Text("kept", style="green")
    return Text("new" if short else "new worker", style="bold yellow")


# Marks, in the Worker column, an accepted plan's role a manager has changed since.
CHANGED_MARK = "*"


def _overridden_status(holder: dict[str, Any]) -> Text:
    """The table's change for an accepted plan's role a manager changed since: 'chosen'
    (another worker, or the plan's own unlocked) or 'locked' (6 wide, as the column)."""
    return Text("locked" if holder.get("locked") else "chosen", style="bold magenta")


NEW_WORKER = "new worker ("


def main_reason(row: PlanRow) -> str:
    """The table's first reason: for a new worker, why not the current one ("current worker
    WP6 is a trust nurse; ..."), not "new worker (...)", which the column before it already
    says. The detail below the table has every reason in full."""
    if not row.reasons:
        return ""
    first = row.reasons[0]
    if first.startswith(NEW_WORKER) and first.endswith(")"):
        return first[len(NEW_WORKER):-1]
    return first


class PlanScreen(DataScreen):
    """The newest draft (or accepted) plan, a page of its rows at a time."""

    TITLE = "Plan"
    AUTO_FOCUS = "#plan-rows"
    DEFAULT_CSS = """
    PlanScreen #plan { padding: 0 1; }
    PlanScreen #plan-summary { height: auto; padding: 0 1; background: $boost; }
    PlanScreen #plan-running { height: auto; padding: 0 1; }
    PlanScreen #plan-running ProgressBar { width: 50; }
    PlanScreen #plan-filters { height: auto; }
    PlanScreen #plan-filters Select { width: 1fr; }
    PlanScreen #plan-rows { height: 1fr; min-height: 5; }
    PlanScreen #plan-status { height: auto; max-height: 3; background: $panel; color: $text-muted; padding: 0 1; }
    PlanScreen #plan-detail {
        height: auto; max-height: 33%; border: round $primary; padding: 0 1;
        border-title-color: $text-primary; border-title-style: bold;
    }
    /* Under 30 rows (app.SHORT_TERMINAL): the filters lose their borders and the reasons
       panel its last lines (it scrolls), so the rows keep their room; the summary and its
       warnings stay whole. */
    PlanScreen.-short #plan-filters SelectCurrent { border: none; padding: 0 1 0 0; }
    PlanScreen.-short #plan-detail { max-height: 25%; }
    """

    BINDINGS = [
        Binding("n", "propose", "New plan", id="plan.propose"),
        Binding("A", "accept", "Accept", key_display="A", id="plan.accept"),
        Binding("o", "override", "Choose worker", id="plan.override"),
        Binding("k", "lock", "Lock", id="plan.lock",
                tooltip="Lock whoever holds the role now (the planned worker if nobody "
                "does) into every later plan, or unlock a lock"),
        Binding("u", "unassigned", "Unassigned", id="plan.unassigned"),
        Binding("b", "cycle_band", "Band", id="plan.band", show=False),
        Binding("s", "next_sort", "Sort", id="plan.sort"),
        # Not in the footer, which has no room for it at 80 columns beside the page keys and
        # q Quit: the help panel (the palette's "Keys") lists it.
        Binding("S", "save_list", "Export", key_display="S", id="plan.save", show=False,
                tooltip="Save the roles shown (every page) as a spreadsheet with names"),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]",
                id="plan.next_page", group=PAGES),
        Binding("left_square_bracket", "page(-1)", "Prev page", key_display="[",
                id="plan.previous_page", group=PAGES),
        Binding("escape", "clear_filters", "Clear filters", id="plan.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_ = PlanQuery(limit=PAGE_SIZE)
        self.page: PlanPage | None = None
        self.running: str | None = None  # "propose", "accept" or "options" while one runs
        self.stale = False  # who holds a case changed since this draft was made (reload)
        # What changed since the draft was made, by accept's own test (plan_out_of_date, in a
        # worker); None until known for (plan, data version) ``_stale_for``.
        self.out_of_date: list[str] | None = None
        self._stale_for: tuple[int, int] | None = None
        self._options_version = -1  # the data version the filter boxes' choices are from
        self._option_lists: dict[str, list[tuple[str, str]]] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="plan"):
            yield Static(id="plan-summary")
            with Horizontal(id="plan-running"):
                yield ProgressBar(total=4, show_eta=False, id="plan-progress")
                yield Static(id="plan-step")
            with Horizontal(id="plan-filters"):
                yield Select[str]([], prompt="Any team (person's)", id="team-filter")
                yield Select[str]([], prompt="Any worker", id="worker-filter")
                yield Select[str]([(band, band) for band in BANDS], prompt="Any risk band",
                                  id="band-filter")
            table = FittedTable(COLUMNS, id="plan-rows", cursor_type="row",
                                zebra_stripes=True)
            yield table
            yield Static(id="plan-status")
            yield Static(id="plan-detail")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#plan-running").display = False
        self.query_one("#plan-detail", Static).border_title = "Why"

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        with self.database.session() as session:
            try:
                plan = load_plan(session, None, PlanQuery(limit=0))
            except NotFoundError:
                plan = None
            rows: list[PlanRow] = []
            total = 0
            if plan is not None and plan.plan_id is not None:
                rows, total = plan_rows(session, plan.plan_id, self.query_)
                self.stale = plan.status == "draft" and allocation_changed_since(
                    session, plan.plan_id)
                self._check_out_of_date(plan)
            person_ids = sorted({row.person_id for row in rows})
            people = person_names(session, person_ids)
            held = current_assignments(session, person_ids)
            staff = staff_names(session, [row.staff_id for row in rows] + [
                item.staff_id for roles in held.values() for item in roles.values()] + [
                item.get("staff_id") for row in rows for item in row.alternatives[:3]] + [
                self.query_.coordinator])
            holders = {
                (person_id, role): {"role": role, "staff_id": item.staff_id,
                                    "name": staff.get(item.staff_id, item.staff_id),
                                    "locked": item.locked, "source": item.source,
                                    "plan_id": item.plan_id, "assignment_id": item.id}
                for person_id, roles in held.items() for role, item in roles.items()
            }
            away_soon = self._away_soon(session, rows)
            changes = (manager_changes(session, plan.plan_id)
                       if plan is not None and plan.plan_id is not None
                       and plan.status == "accepted" else ManagerChanges())
            if self._options_version != self.transition.data_version:
                self._fill_options(session)
        self.page = PlanPage(plan, rows, total, people, staff, holders, away_soon, changes)
        self._show()

    def _away_soon(self, session: Any, rows: list[PlanRow]) -> dict[tuple[int, str], str]:
        """The planned workers who leave, or whose long absence starts, soon after the
        handover: the plan gives them the person (they are there on the day), and the nightly
        check flags it (``away_after_handover``) once the plan is accepted. Nothing when the
        rules file is bad: proposing says so."""
        try:
            checks = self.transition.rules.checks
        except TransitionError:
            return {}
        return soon_after_handover(
            session, [(row.person_id, row.staff_id) for row in rows if row.staff_id],
            long_term_days=checks.long_term_absence_days,
            window=checks.away_after_handover_working_days, show=uk_date)

    def _check_out_of_date(self, plan: PlanResult) -> None:
        """Start the full out-of-date test of a draft (pathways, risk, imports, staff, rules:
        what accept checks) once per draft and data version; it reads as much as a plan does,
        so it runs in a worker and the summary follows when it is done."""
        assert plan.plan_id is not None
        key = (plan.plan_id, self.transition.data_version)
        if plan.status != "draft" or key == self._stale_for:
            return
        self._stale_for = key
        self.out_of_date = None
        self._out_of_date(plan.plan_id)

    @work(thread=True, exclusive=True, group="plan-stale", exit_on_error=False)
    def _out_of_date(self, plan_id: int) -> tuple[int, list[str]]:
        with self.database.session() as session:
            return plan_id, plan_out_of_date(session, self.transition.rules, plan_id)

    def _fill_options(self, session: Any) -> None:
        """The team and worker boxes' choices (only redrawn when they changed)."""
        teams = [(team, team) for team in
                 (group.name for group in counts_by_team(session) if group.people) if team]
        workers = [(f"{worker.name} ({worker.staff_id})", worker.staff_id)
                   for worker in caseloads(session, self.transition.rules, as_of=self.today()).workers]
        changed = False
        for selector, options in (("#team-filter", teams), ("#worker-filter", workers)):
            if self._option_lists.get(selector) != options:
                self._option_lists[selector] = options
                self.query_one(selector, Select).set_options(options)
                changed = True
        self._options_version = self.transition.data_version
        if changed:
            self._sync_selects()  # new options clear the boxes: show the filters again

    def _show(self) -> None:
        page = self.page
        assert page is not None
        self.query_one("#plan-summary", Static).update(self._summary(page.plan))
        table = self.query_one("#plan-rows", FittedTable)
        keep = table.cursor_row
        table.clear()
        for position, row in enumerate(page.rows):
            worker: RenderableType = (
                page.staff.get(row.staff_id, row.staff_id) if row.staff_id
                else Text("—", style="dim"))
            change = _status(row, short=True)
            # Who holds the role now, when it is not the plan's worker: a role left unassigned
            # stays with them; an accepted plan's role a manager changed since is theirs.
            if (stays := page.stays_with(row)) is not None:
                worker = Text(stays["name"], style="italic")
                change = _status(row, short=True, stays=True)
            elif (holder := page.overridden(row)) is not None:
                worker = Text(CHANGED_MARK + holder["name"], style="magenta")
                change = _overridden_status(holder)
            table.add_row(
                nhs.format_334(row.nhs_number),
                page.people.get(row.person_id, ""),
                words(row.role) if row.role else Text("none", style="dim"),
                worker, change, pathway_text(row.pathway),
                band_text(row.risk_band), main_reason(row),
                key=str(position),
            )
        if page.rows:
            table.move_cursor(row=min(keep, len(page.rows) - 1), animate=False)
        self.query_one("#plan-status", Static).update(self._describe())
        self._show_detail(table.cursor_row if page.rows else None)
        self.refresh_bindings()

    def _summary(self, plan: PlanResult | None) -> RenderableType:
        if plan is None:
            return Text.assemble(("No plan yet. ", "bold"),
                                 "Press n to propose one: everyone who needs a worker, matched "
                                 "to the best worker who can take them.")
        # The date the plan was made for (its "today"), not when it was made.
        made = (f"by {plan.created_by}, " if plan.created_by else "") + \
            f"as of {uk_date(plan.as_of)}"
        status_style = {"draft": "bold yellow", "accepted": "bold green"}.get(plan.status, "")
        line = Text.assemble(
            (f"Plan {plan.plan_id} ", "bold"), (plan.status, status_style), f" · {made} · ",
            f"{plural(plan.people, 'person', 'people')}: ",
            (f"{count(plan.assigned)} roles filled", "bold"),
            f" ({count(plan.kept_with_current)} kept, {count(plan.changed)} new worker, "
            f"{count(plan.locked)} locked), ",
            (unassigned_in_words(plan.unassigned, plan.unassigned_staying),
             "bold red" if plan.unassigned else "dim"),
            f" · {'optimal' if plan.optimal else plan.solver_status}",
        )
        lines: list[RenderableType] = [line]
        # Under 30 rows (app.SHORT_TERMINAL) each warning keeps to one line (cut with "…";
        # `transition plan show` has them whole), so the table keeps room for its rows.
        short = self.has_class("-short")
        # The plan's counts are what it decided; what managers changed since is said apart
        # (the table marks those rows, CHANGED_MARK).
        changes = self.page.changes if self.page is not None else ManagerChanges()
        if plan.status == "accepted" and (since := changes.in_words()):
            lines.append(Text(f"{since[0].upper()}{since[1:]}: marked {CHANGED_MARK} in the "
                              "Worker column, with who holds each now.", style="magenta",
                              no_wrap=short, overflow="ellipsis" if short else None))
        if plan.transfer_date:
            when = Text(f"Transfer date {uk_date(plan.transfer_date)}", style="dim")
            if short:
                line.append_text(Text.assemble(" · ", when))
            else:
                lines.append(when)
        lines += [Text(f"⚠ {warning}", style="yellow", no_wrap=short,
                       overflow="ellipsis" if short else None)
                  for warning in plan.warnings]
        if self.out_of_date and plan.status == "draft" and short:
            # Two lines, what to do first; A says what changed in full (a notice, nothing
            # accepted), as does a taller terminal and `transition plan show`.
            lines += [Text(f"Out of date, so it cannot be accepted ({plan_again_short(plan)}; "
                           "A: what changed).", style="bold yellow", no_wrap=True,
                           overflow="ellipsis"),
                      Text(f"Changed since it was made: {'; '.join(self.out_of_date)}",
                           style="yellow", no_wrap=True, overflow="ellipsis")]
        elif self.out_of_date and plan.status == "draft":
            lines.append(Text(f"Out of date: {'; '.join(self.out_of_date)} since this draft "
                              "was made (here, on another screen, or by another manager), so "
                              f"it cannot be accepted. {plan_again(plan)}",
                              style="bold yellow"))
        elif self.stale and plan.status == "draft" and short:
            lines.append(Text(f"Who holds a case changed since this draft was made: it may be "
                              f"out of date ({plan_again_short(plan)}).", style="bold yellow",
                              no_wrap=True, overflow="ellipsis"))
        elif self.stale and plan.status == "draft":
            lines.append(Text("Who holds a case changed since this draft was made (here, on a "
                              "person's screen, or by another manager), so it may be out of "
                              f"date. {plan_again(plan)}", style="bold yellow"))
        elif plan.status == "draft":
            lines.append(Text("A draft: nothing changes until you accept it (A).", style="dim"))
        return Group(*lines)

    def on_resize(self) -> None:
        # Across SHORT_TERMINAL the summary's warnings change between whole and one line each.
        self.call_after_refresh(self._resummarise)

    def _resummarise(self) -> None:
        if self.page is not None:
            self.query_one("#plan-summary", Static).update(self._summary(self.page.plan))

    def _describe(self) -> str:
        page = self.page
        if page is None or page.plan is None:
            return ""
        q = self.query_
        if not page.total:
            shown = "No roles match"
        else:
            shown = (f"Showing {count(q.offset + 1)}-{count(q.offset + len(page.rows))} of "
                     f"{plural(page.total, 'role')}")
        parts = [shown]
        if q.team:
            parts.append(f"team: {q.team}")
        if q.staff_id:
            parts.append(f"worker: {page.staff.get(q.staff_id, q.staff_id)}")
        if q.coordinator:
            parts.append(f"the people {page.staff.get(q.coordinator, q.coordinator)} "
                         "coordinates now (escape for everyone)")
        if q.risk_band:
            parts.append(f"band: {q.risk_band}")
        if q.unassigned_only:
            parts.append("only unassigned")
        if q.changed_only:
            parts.append("only new workers")
        parts.append(f"sorted by {PLAN_SORTS[q.sort]}")
        return " · ".join(parts)

    def _row(self, position: int | None) -> PlanRow | None:
        if self.page is None or position is None or not 0 <= position < len(self.page.rows):
            return None
        return self.page.rows[position]

    @property
    def current_row(self) -> PlanRow | None:
        table = self.query_one("#plan-rows", FittedTable)
        return self._row(table.cursor_row if table.row_count else None)

    def _show_detail(self, position: int | None) -> None:
        box = self.query_one("#plan-detail", Static)
        row = self._row(position)
        if row is None or self.page is None:
            box.display = False
            return
        box.display = True
        name = self.page.people.get(row.person_id, nhs.format_334(row.nhs_number))
        box.border_title = f"Why: {name}, {words(row.role) if row.role else 'no role'}"
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        stays = self.page.stays_with(row)
        if row.staff_id:
            worker = _who(self.page.staff, row.staff_id)
        elif stays is not None:
            worker = (f"stays with {stays['name']} ({stays['staff_id']}), who holds it now, "
                      "until a manager decides (o: choose a worker; k: lock them)")
        else:
            worker = "no one: this role needs a manager's decision"
        grid.add_row("Planned", Text.assemble(_status(row, stays=stays is not None),
                                              f"  {worker}"))
        away = self.page.away_soon.get((row.person_id, row.staff_id or ""))
        if away is not None:
            grid.add_row("Leaves soon" if away.startswith(LEAVES_ON) else "Away soon",
                         Text(f"{away}: another change of worker soon after the handover "
                              "(o: choose someone else)", style="yellow"))
        holder = self.page.holder(row)
        if holder is not None:
            lock = " (locked)" if holder.get("locked") else ""
            source = {"manager": "a manager's choice",
                      "plan": "from the accepted plan"}.get(holder.get("source") or "",
                                                            holder.get("source") or "")
            if self.page.overridden(row) is not None:
                source += (f", since plan {self.page.plan.plan_id if self.page.plan else ''} "
                           "was accepted")
            grid.add_row("Holds it now", Text.assemble(
                f"{holder['name']} ({holder['staff_id']}){lock}, ",
                (source, "magenta" if self.page.overridden(row) is not None else "")))
        grid.add_row("Reasons", "\n".join(f"• {reason}" for reason in row.reasons) or "—")
        if row.alternatives:
            grid.add_row("Runners-up", "\n".join(
                f"• {_who(self.page.staff, item.get('staff_id'))}: "
                f"{'; '.join(item.get('why_not') or [])}"
                for item in row.alternatives[:3]))
        box.update(grid)

    @on(DataTable.RowHighlighted, "#plan-rows")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    @on(DataTable.RowSelected, "#plan-rows")
    def _selected(self, event: DataTable.RowSelected) -> None:
        row = self._row(event.cursor_row)
        if row is not None:
            self.transition.open_person(row.person_id)

    # -- filters and pages -----------------------------------------------------------------

    def show(self, **filters: Any) -> None:
        """Show only rows matching ``filters`` (``staff_id=``, ``team=``; from the workers
        screen)."""
        self.query_ = replace(PlanQuery(limit=PAGE_SIZE), **filters)
        self._sync_selects()
        self.safely(self.reload)

    def _filter(self, **changes: Any) -> None:
        self.query_ = replace(self.query_, offset=0, **changes)
        self.safely(self.reload)

    def _sync_selects(self) -> None:
        for selector, value in (("#team-filter", self.query_.team),
                                ("#worker-filter", self.query_.staff_id),
                                ("#band-filter", self.query_.risk_band)):
            select = self.query_one(selector, Select)
            wanted = Select.NULL if value is None else value
            if select.value != wanted:
                try:
                    select.value = wanted
                except InvalidSelectValueError:
                    select.clear()  # not an option (yet): the filter still applies

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else str(event.value)
        field = {"team-filter": "team", "worker-filter": "staff_id",
                 "band-filter": "risk_band"}.get(event.select.id or "")
        if field is not None and getattr(self.query_, field) != value:
            self._filter(**{field: value})

    def action_unassigned(self) -> None:
        self._filter(unassigned_only=not self.query_.unassigned_only)

    def action_cycle_band(self) -> None:
        self.query_ = replace(self.query_, offset=0,
                              risk_band=next_choice(BANDS, self.query_.risk_band))
        self._sync_selects()
        self.safely(self.reload)

    def action_next_sort(self) -> None:
        """The export's order, then by name, risk, change and worker, then round again."""
        self._filter(sort=next_choice(tuple(PLAN_SORTS), self.query_.sort) or "person")

    def action_clear_filters(self) -> None:
        self.query_ = PlanQuery(limit=PAGE_SIZE, sort=self.query_.sort)
        self._sync_selects()
        self.safely(self.reload)

    def action_page(self, step: int) -> None:
        total = self.page.total if self.page else 0
        offset = self.query_.offset + step * PAGE_SIZE
        if 0 <= offset < total:
            self.query_ = replace(self.query_, offset=offset)
            self.safely(self.reload)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        plan = self.page.plan if self.page else None
        if action in ("propose", "accept", "override", "lock") and self.running:
            return None  # greyed while planning or accepting
        if action == "accept":
            return plan is not None and plan.status == "draft"
        if action == "save_list":
            return plan is not None and plan.plan_id is not None
        if action in ("override", "lock"):
            row = self.current_row
            return None if row is None or row.role is None else True
        if action == "page":
            total = self.page.total if self.page else 0
            if total <= PAGE_SIZE:
                return False
            offset = self.query_.offset + int(parameters[0]) * PAGE_SIZE  # type: ignore[call-overload]
            return True if 0 <= offset < total else None
        if action == "clear_filters":
            return self.query_ != PlanQuery(limit=PAGE_SIZE, sort=self.query_.sort) or None
        return True

    # -- proposing and accepting (thread workers) ------------------------------------------

    def action_propose(self) -> None:
        if self.running:
            return
        if not self._rules_ready():
            return
        self._start("propose")
        self._propose()

    def _rules_ready(self) -> bool:
        """Load the council's rules now (a bad rules file is reported, not a crash)."""

        def load() -> None:
            self.transition.rules  # noqa: B018 (loads and caches them)

        return self.safely(load)

    def _start(self, what: str) -> None:
        self.running = what
        self.query_one("#plan-running").display = True
        self.query_one("#plan-progress", ProgressBar).update(progress=0)
        self.query_one("#plan-step", Static).update(
            STEPS[0] if what == "propose" else "Accepting the plan…")
        self.refresh_bindings()

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#plan-progress", ProgressBar).update(total=total, progress=done)
        self.query_one("#plan-step", Static).update(STEPS.get(done, ""))

    @work(thread=True, exclusive=True, group="plan-run", name="propose", exit_on_error=False)
    def _propose(self) -> PlanResult:
        rules = self.transition.rules
        with self.database.transaction() as session:
            return propose_plan(
                session, rules, as_of=self.today(), actor=self.settings.actor,
                progress=lambda done, total: self.app.call_from_thread(self._progress, done, total),
            )

    def action_accept(self) -> None:
        """First the test accept makes (in a worker), so an out-of-date draft is said to be
        before the question, not after it; then ask."""
        plan = self.page.plan if self.page else None
        if plan is None or plan.status != "draft" or self.running:
            return
        if not self._rules_ready():
            return
        self._start("check")
        self._check_before_accept(plan.plan_id)

    @work(thread=True, exclusive=True, group="plan-run", name="check", exit_on_error=False)
    def _check_before_accept(self, plan_id: int) -> tuple[int, list[str]]:
        with self.database.session() as session:
            return plan_id, plan_out_of_date(session, self.transition.rules, plan_id)

    def _checked(self, plan_id: int, changed: list[str]) -> None:
        """The draft's out-of-date test before accepting: say what changed, or ask."""
        plan = self.page.plan if self.page else None
        if plan is None or plan.plan_id != plan_id:
            return
        self.out_of_date = changed
        self._stale_for = (plan_id, self.transition.data_version)
        self.query_one("#plan-summary", Static).update(self._summary(plan))
        if changed:
            self.notify(f"Plan {plan_id} is out of date: {'; '.join(changed)} since it was "
                        f"made. Nothing was accepted. {plan_again(plan)}",
                        title="Plan out of date",
                        severity="warning")
            return
        self._confirm_accept(plan)

    def _confirm_accept(self, plan: PlanResult) -> None:
        # Every role of the plan, counted as the summary counts them (kept, new worker,
        # locked, unassigned), so the four add up to the roles the screen lists.
        detail = (f"{count(plan.kept_with_current)} kept with their current worker, "
                  f"{count(plan.changed)} new worker, {count(plan.locked)} locked by a "
                  f"manager, {count(plan.unassigned)} unassigned for a decision"
                  f"{unassigned_staying_note(plan.unassigned, plan.unassigned_staying)}; "
                  f"{plural(plan.assigned + plan.unassigned, 'role')} in all. This becomes "
                  "who holds each case (audited).")

        def answered(yes: bool | None) -> None:
            if yes:
                self._start("accept")
                self._accept(plan.plan_id)

        self.app.push_screen(ConfirmScreen(f"Accept plan {plan.plan_id}?", detail=detail,
                                           yes="Accept", no="Not yet"), answered)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="plan-run", name="accept", exit_on_error=False)
    def _accept(self, plan_id: int | None) -> AcceptResult:
        rules = self.transition.rules
        with self.database.transaction() as session:
            return accept_plan(session, rules, plan_id=plan_id, actor=self.settings.actor,
                               today=self.today())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "plan-stale":
            if event.state == WorkerState.SUCCESS:
                plan_id, changed = event.worker.result  # type: ignore[misc]
                plan = self.page.plan if self.page else None
                if plan is not None and plan.plan_id == plan_id:
                    self.out_of_date = changed
                    self.query_one("#plan-summary", Static).update(self._summary(plan))
            # A failure (the database, a bad rules file) is left to accept, which says why.
            return
        if event.worker.group not in ("plan-run", "plan-options"):
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        what = self.running
        self.running = None
        self.query_one("#plan-running").display = False
        if event.state == WorkerState.ERROR:
            self._failed(event.worker.error, what)
        elif event.state == WorkerState.SUCCESS and event.worker.group == "plan-options":
            row, options = event.worker.result  # type: ignore[misc]
            self._pick(row, options)
        elif event.state == WorkerState.SUCCESS and what == "check":
            plan_id, changed = event.worker.result  # type: ignore[misc]
            self._checked(plan_id, changed)
        elif event.state == WorkerState.SUCCESS:
            result = event.worker.result
            self.transition.data_changed()
            self._shown_version = self.transition.data_version
            reloaded = False
            if isinstance(result, PlanResult):
                # Read back, it says how many unassigned roles stay with who holds them.
                self.safely(self.reload)
                reloaded = True
                shown = self.page.plan if self.page else None
                staying = (shown.unassigned_staying
                           if shown is not None and shown.plan_id == result.plan_id else 0)
                self.notify(f"Plan {result.plan_id} proposed: {count(result.assigned)} roles "
                            f"filled, {unassigned_in_words(result.unassigned, staying)}. Review "
                            "it, then press A to accept.", title="Draft ready")
            elif isinstance(result, AcceptResult):
                tasks = (" Handover tasks were made before it: bring them up to date on the "
                         "tasks screen (t, then G) or with transition tasks generate."
                         if result.tasks_out_of_date else "")
                plan = self.page.plan if self.page else None
                # As the CLI says it: a role recorded for the first time, with the worker who
                # holds it now, counts as well as one given to a new worker.
                split = (f" ({count(plan.changed)} to a new worker, "
                         f"{count(plan.kept_with_current)} kept with their current worker)"
                         if plan is not None and plan.plan_id == result.plan_id else "")
                self.notify(f"Plan {result.plan_id} accepted: "
                            f"{plural(result.changed, 'role')} recorded or changed{split}, "
                            f"{count(result.ended)} ended, "
                            f"{count(result.unassigned)} still unassigned"
                            f"{unassigned_staying_note(result.unassigned, result.unassigned_staying)}."
                            f"{' ' + late if (late := result.late_starts_in_words()) else ''}"
                            f"{tasks}",
                            title="Accepted")
            if not reloaded:
                self.safely(self.reload)
        self.refresh_bindings()

    def _failed(self, error: BaseException | None, what: str | None) -> None:
        if isinstance(error, ConflictError) and what == "accept":
            # The draft went out of date after the check before the question (another manager,
            # an import): the domain's hint names the CLI; here it is n.
            plan = self.page.plan if self.page else None
            self.notify(f"{error.message} {plan_again(plan)}", title="Plan out of date",
                        severity="warning")
            self.transition.data_changed()
            self.safely(self.reload)
        elif isinstance(error, ConflictError):
            # Someone changed the data the plan was made from: show the plan as it is now.
            self.notify(f"{error.message} {error.hint or ''}".strip(),
                        title="Changed by someone else", severity="warning")
            self.transition.data_changed()
            self.safely(self.reload)
        elif isinstance(error, TransitionError):
            self.notify(f"{error.message} {error.hint or ''}".strip(),
                        title="Nothing was changed", severity="error")
        else:
            # The driver's text may quote data, so only the kind of failure is shown, unless
            # it is one the database's words know.
            self.notify(database_words(self.database, error)
                        or f"{type(error).__name__} while {what or 'working'}: nothing was "
                        f"changed. Check {self.database.describe()} is reachable and try again.",
                        title="Nothing was changed", severity="error")

    # -- a manager's choice of worker, and locks -------------------------------------------

    def action_override(self) -> None:
        row = self.current_row
        if row is None or row.role is None or self.running:
            return
        if not self._rules_ready():
            return
        self.running = "options"
        self.refresh_bindings()
        self._load_options(row)

    @work(thread=True, exclusive=True, group="plan-options", exit_on_error=False)
    def _load_options(self, row: PlanRow) -> tuple[PlanRow, list[WorkerOption]]:
        """The workers who fit every hard constraint; when there are none, every worker of
        the right employer and job who works on the handover date, each with why not (fewest
        problems first), for a choice made anyway."""
        assert row.role is not None
        with self.database.session() as session:
            return row, worker_choices(session, self.transition.rules, person_id=row.person_id,
                                       role=row.role, as_of=self.today())

    def _pick(self, row: PlanRow, options: list[WorkerOption]) -> None:
        assert row.role is not None and self.page is not None
        holder = self.page.holder(row)
        ask_for_worker(self, name=self.page.people.get(row.person_id, "this person"),
                       nhs_number=row.nhs_number, role=row.role, options=options,
                       planned=row.staff_id, why_none=row.reasons if row.staff_id is None else (),
                       chosen=lambda pick, force: self._save(row, pick, force=force),
                       holds_now=None if holder is None else (holder["staff_id"], holds_now_words(
                           holder.get("source"), holder.get("plan_id"))))

    def _seen(self, row: PlanRow, role: str) -> int | None:
        """The assignment holding ``role`` when the screen read it (None: nobody): a choice,
        lock or unlock saved from this screen is refused if someone changed it since."""
        assert self.page is not None
        holder = self.page.holders.get((row.person_id, role))
        return None if holder is None else holder["assignment_id"]

    def _save(self, row: PlanRow, pick: WorkerPick, *, force: bool = False) -> str | None:
        """Saved from the worker dialog: a refusal is returned for the dialog to show, with
        the choice and the reason typed kept."""
        assert row.role is not None
        role = row.role
        seen = self._seen(row, role)

        done: list[AssignResult] = []

        def write() -> None:
            with self.database.transaction() as session:
                done.append(assign_worker(
                    session, self.transition.rules, nhs_number=row.nhs_number,
                    staff_id=pick.staff_id, role=role, reason=pick.reason, lock=pick.lock,
                    force=force, as_of=self.today(), actor=self.settings.actor,
                    expected_assignment_id=seen))
                names.update(staff_names(session, [pick.staff_id]))

        names: dict[str, str] = {}
        locked = " and locked" if pick.lock else ""
        broke = " (recorded with what it breaks)" if force else ""
        refusals: list[str] = []
        self._write(write, lambda: " ".join(filter(None, (
            f"{named(names, pick.staff_id)} is now the {words(role).lower()}{locked}{broke}.",
            done[0].draft_in_words("press A") or "Press n to plan again around it.",
            done[0].late_start_in_words(), done[0].tasks_in_words()))),
            refused=refusals.append)
        return refusals[0] if refusals else None

    def action_lock(self) -> None:
        row = self.current_row
        if row is None or row.role is None or self.page is None or self.running:
            return
        role = row.role
        holder = self.page.holders.get((row.person_id, role))
        seen = self._seen(row, role)
        if holder is not None and holder.get("locked"):
            def release() -> None:
                with self.database.transaction() as session:
                    unlock(session, nhs_number=row.nhs_number, role=role,
                           actor=self.settings.actor, reason="unlocked from the plan screen",
                           expected_assignment_id=seen)

            self._write(release, f"Unlocked: {holder['name']} ({holder['staff_id']}) still "
                        f"holds the {words(role).lower()}; the next plan may change them.")
            return
        plan_id = self.page.plan.plan_id if self.page.plan else None
        # k locks whoever holds the role now, never replacing them: a manager's choice made
        # since the plan stays. Only when nobody holds it is the plan's worker locked (a
        # draft's own proposal, which keeps the draft ready to accept).
        if holder is not None:
            staff_id = holder["staff_id"]
            why = "locked from the plan screen: the worker who holds the role now"
            other = (f" The plan proposed {_who(self.page.staff, row.staff_id)}: press o to "
                     "choose them instead." if row.staff_id and row.staff_id != staff_id
                     else "")
        elif row.staff_id is None:
            self.notify("No worker is planned for this role: press o to choose one.",
                        severity="warning")
            return
        else:
            staff_id = row.staff_id
            why = f"locked from the plan screen: plan {plan_id}'s choice"
            other = ""
        who = _who(self.page.staff, staff_id)

        done: list[AssignResult] = []

        def lock() -> None:
            with self.database.transaction() as session:
                done.append(assign_worker(
                    session, self.transition.rules, nhs_number=row.nhs_number,
                    staff_id=staff_id, role=role, reason=why, lock=True,
                    force=False, as_of=self.today(), actor=self.settings.actor,
                    expected_assignment_id=seen))

        self._write(lock, lambda: " ".join(filter(None, (
            f"Locked: {who} keeps the {words(role).lower()} in every later plan.{other}",
            done[0].draft_in_words("press A")))))

    def action_save_list(self) -> None:
        """Save every role the filters show (all pages) as a spreadsheet in the output folder,
        with names, teams and reasons, as ``plan show --report`` does: owner-only, audited."""
        plan = self.page.plan if self.page is not None else None
        if plan is None or plan.plan_id is None:
            self.notify("There is no plan to save yet: press n to make one.", severity="warning")
            return
        plan_id = plan.plan_id
        name = f"plan-{plan_id}-{self.today().isoformat()}.xlsx"
        path = (self.settings.resolved_output_dir / name).expanduser().resolve()
        query = replace(self.query_, offset=0, limit=None)
        saved: list[PlanReport] = []

        def save() -> None:
            with self.database.transaction() as session:
                result = load_plan(session, plan_id, query)
                try:
                    saved.append(write_plan_report(session, result, path,
                                                   actor=self.settings.actor,
                                                   filters=asdict(query)))
                except OSError as exc:
                    raise TransitionError(
                        f"The list could not be saved in {path.parent} ({exc.strerror}).",
                        hint="Check the output folder setting.") from None

        if self.safely(save, title="Not saved", then="Check the database is reachable, then "
                       "press S again."):
            rows = saved[0].rows
            self.notify(f"Saved {rows:,} role{'s' if rows != 1 else ''} to {path} (personal "
                        "data: keep it safe).", title="Plan list")

    def _write(self, save: Any, done: str | Callable[[], str], *,
               refused: Callable[[str], None] | None = None) -> None:
        """Save; a conflict reloads the screen and says so; a refusal (TransitionError) goes
        to ``refused`` when given (a dialog's problem line), else to a notification."""
        if not self._rules_ready():
            return
        try:
            save()
        except ConflictError as exc:
            self.notify(f"{exc.message} {exc.hint or ''}".strip(),
                        title="Changed by someone else", severity="warning")
            self.transition.data_changed()
            self.safely(self.reload)
            return
        except TransitionError as exc:
            said = f"{exc.message} {exc.hint or ''}".strip()
            if refused is not None:
                refused(said)
            else:
                self.notify(said, title="Nothing was changed", severity="error")
            return
        self.transition.data_changed()
        self._shown_version = self.transition.data_version
        self.safely(self.reload)
        self.notify(done() if callable(done) else done)
