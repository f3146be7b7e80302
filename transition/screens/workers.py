"""Caseloads per team and per worker: what they hold now, what the plan gives them, and their
capacity, as bars. Enter on a worker shows their people in the plan; m marks workers who might
go, and W works out what would happen without them (a what-if: nothing is stored).

"Proposed" is after the transfer: a worker who is not available on the transfer date (leaving,
long-term absence) brings no places to it, so their team's proposed bar is out of the places
its other workers bring."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from transition.errors import TransitionError
from transition.plan_review import NO_TEAM, Caseloads, WorkerCaseload, caseloads
from transition.screens.base import DataScreen, database_words
from transition.screens.whatif import WhatIfScreen
from transition.whatif import WhatIf, what_if
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.fitted_table import FitColumn, FittedTable
from transition.widgets.format import count, plural, uk_dates_in, worker_label

BAR_WIDTH = 20
WORKER_BAR = 10
NAME_WIDTH = 23  # a name is shortened to fit, never its staff id
MOVES_WIDTH = 8  # "−123 +45" (with 9, the tables were a cell too wide for 120 columns)

# On a narrow terminal (80 columns) the moves, then the team (and the teams' worker count),
# are left out, and the bars narrow (their numbers stay whole), so current, proposed and the
# note stay on screen; from 120 columns every column shows at its full width.
TEAM_COLUMNS = (
    FitColumn("team", "Team", 30, most=46, squeeze=16),
    FitColumn("workers", "Workers", 7, drop=2),
    FitColumn("current", "Current", BAR_WIDTH + 10, squeeze=16),
    FitColumn("proposed", "Proposed", BAR_WIDTH + 10, squeeze=16),
    FitColumn("moves", "Moves", MOVES_WIDTH, drop=1),
)
# At 120 columns the note ("leaving on 31 Mar 2027") fits whole; wider, the team name grows.
# The note grows only to its longest words ("not on the latest staff list", 28), so that at
# 160 columns a team such as "Tarrow Moor Mental Health Social Work Team" shows whole.
WORKER_COLUMNS = (
    FitColumn("name", "Worker", NAME_WIDTH), FitColumn("team", "Team", 18, most=46, drop=2),
    FitColumn("current", "Current", WORKER_BAR + 6, squeeze=10),
    FitColumn("proposed", "Proposed", WORKER_BAR + 6, squeeze=10),
    FitColumn("moves", "Moves", MOVES_WIDTH, drop=1), FitColumn("note", "", 22, most=30),
)


@dataclass(frozen=True)
class LoadBar:
    """'██████░░░░ 12/20': filled to the load, the rest of the capacity dim; yellow from 90%,
    red when over. In a column narrower than ``width`` the bar shortens, never the numbers.

    The numbers are right-aligned in ``figures`` cells (the widest of the table's, from
    :func:`figures_width`), so every bar in a column is as long and they compare by eye
    ("██░░░ 3/10" over "████░ 10/13", not a bar a cell shorter for each wider number)."""

    load: int
    capacity: int
    width: int = BAR_WIDTH
    figures: int = 0

    def text(self, width: int) -> Text:
        numbers = f" {load_figures(self.load, self.capacity):>{self.figures}}"
        cells = max(0, min(self.width, width - len(numbers)))
        filled = min(cells, round(cells * self.load / self.capacity))
        if self.load and not filled and cells:
            filled = 1
        over = self.load > self.capacity
        style = "red" if over else "yellow" if self.load >= self.capacity * 0.9 else "green"
        text = Text("█" * filled, style=style) + Text("░" * (cells - filled), style="dim")
        text.append(numbers if cells else numbers.lstrip(), style="bold red" if over else "")
        return text

    def __str__(self) -> str:
        numbers = load_figures(self.load, self.capacity)
        return self.text(self.width + 1 + max(self.figures, len(numbers))).plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        whole = len(str(self))
        return Measurement(min(whole, len(load_figures(self.load, self.capacity))), whole)


def load_figures(load: int, capacity: int) -> str:
    """'10/13'."""
    return f"{count(load)}/{count(capacity)}"


def figures_width(bars: Iterable[tuple[int | None, int]]) -> int:
    """The widest numbers of the bars ``(load, capacity)`` a table shows, for
    :class:`LoadBar`'s ``figures``."""
    return max((len(load_figures(load, capacity)) for load, capacity in bars
                if load is not None and capacity > 0), default=0)


def load_bar(load: int | None, capacity: int, *, width: int = BAR_WIDTH,
             figures: int = 0) -> RenderableType:
    """A :class:`LoadBar`; "no plan" without a load, and the load alone with no capacity."""
    if load is None:
        return Text("no plan", style="dim italic")
    if capacity <= 0:
        return Text(f"{count(load)} (no capacity)", style="bold red" if load else "dim")
    return LoadBar(load, capacity, width, figures)


def load_and_room(worker: WorkerCaseload) -> tuple[int, int]:
    """What a worker holds and the places they have for it: proposed against their capacity
    after the transfer with a plan, else current against their capacity now."""
    if worker.proposed is None:
        return worker.current, worker.capacity
    return worker.proposed, worker.capacity_after


def proposed_cell(worker: WorkerCaseload, *, figures: int = 0) -> RenderableType:
    """The proposed bar; for a worker not available on the transfer date, what the plan gives
    them and why they have no places (their note says when)."""
    if worker.proposed is None or not worker.unavailable:
        return load_bar(worker.proposed, worker.capacity, width=WORKER_BAR, figures=figures)
    why = next((word for word in ("leaving", "absent") if worker.unavailable.startswith(word)),
               "not available")
    return Text(f"{count(worker.proposed)} · {why}",
                style="bold red" if worker.proposed else "yellow")


def note(worker: WorkerCaseload) -> Text:
    """Why a worker is not available on the transfer date, or how much room they have."""
    if worker.unavailable:
        return Text(uk_dates_in(worker.unavailable), style="yellow")
    load, room = load_and_room(worker)
    if load > room:
        return Text(f"{count(load - room)} over capacity", style="bold red")
    return Text(f"{count(room - load)} free", style="dim")


def nearly_full(worker: WorkerCaseload) -> bool:
    """At 90% of their places or more (a worker with no places counts once they hold anyone)."""
    load, room = load_and_room(worker)
    return load >= room * 0.9 and (room > 0 or load > 0)


def fullness(worker: WorkerCaseload) -> float:
    load, room = load_and_room(worker)
    return load / room if room else float("inf") if load else 0.0


# s steps through these: the staff list's order (by staff id), by name, fullest first.
SORTS: dict[str, Callable[[WorkerCaseload], object]] = {
    "staff id": lambda worker: worker.staff_id,
    "name": lambda worker: (worker.name.casefold(), worker.staff_id),
    "fullest first": lambda worker: (-fullness(worker), worker.name.casefold()),
}


def moves(leaving: int | None, joining: int | None) -> RenderableType:
    """'−6 +49': roles the plan takes from them (moved, signposted, ended or not placed) and
    roles it gives them; blank with no plan, a dim dash when nothing changes."""
    if leaving is None or joining is None:
        return Text("")
    if not leaving and not joining:
        return Text("–", style="dim")
    return Text.assemble((f"−{count(leaving)}", "yellow" if leaving else "dim"), " ",
                         (f"+{count(joining)}", "green" if joining else "dim"))


class WorkersScreen(DataScreen):
    """Bars per team and per worker: current caseload, proposed by the plan, capacity."""

    TITLE = "Workers"
    AUTO_FOCUS = "#workers-table"
    DEFAULT_CSS = """
    WorkersScreen #workers { padding: 0 1; }
    WorkersScreen #workers-summary { height: auto; padding: 0 1; background: $boost; }
    WorkersScreen DataTable {
        border: round $primary; border-title-color: $text-primary; border-title-style: bold;
    }
    WorkersScreen DataTable:focus { border: round $accent; }
    WorkersScreen #teams-table { height: auto; max-height: 12; }
    /* Under 30 rows (app.SHORT_TERMINAL): the teams in 7 lines, the workers in the rest. */
    WorkersScreen.-short #teams-table { max-height: 7; }
    WorkersScreen #workers-table { height: 1fr; }
    """

    BINDINGS = [
        Binding("f", "full_only", "Nearly full", id="workers.full"),
        Binding("h", "handing_over", "Their people now", id="workers.handing_over"),
        Binding("m", "mark_withdrawn", "Mark to go", id="workers.withdraw"),
        Binding("W", "what_if", "What if", id="workers.what_if"),
        Binding("s", "next_sort", "Sort", id="workers.sort"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loads: Caseloads | None = None
        self.full_only = False
        self.team_only: str | None = None  # enter on a team: only its workers
        self.withdrawing: list[str] = []  # staff ids marked with w, in the order marked
        self.sort = "staff id"  # a key of SORTS

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="workers"):
            yield Static(id="workers-summary")
            teams = FittedTable(TEAM_COLUMNS, id="teams-table", cursor_type="row",
                                zebra_stripes=True)
            teams.border_title = "By team (after the transfer)"
            teams.border_subtitle = "enter: only this team's workers"
            yield teams
            workers = FittedTable(WORKER_COLUMNS, id="workers-table", cursor_type="row",
                                  zebra_stripes=True)
            workers.border_title = "By worker"
            workers.border_subtitle = ("enter: the people the plan gives them · h: the people "
                                       "they hold now, and where each goes")
            yield workers
        yield AppFooter()

    def reload(self) -> None:
        with self.database.session() as session:
            self.loads = caseloads(session, self.transition.rules, as_of=self.today())
        self._show()

    def _show(self, *, filtering: bool = False) -> None:
        """Fill the screen from ``self.loads``; ``filtering``: only the worker list changes
        (the team table keeps its cursor)."""
        loads = self.loads
        assert loads is not None
        if not filtering:
            self._show_teams(loads)
        workers = self.query_one("#workers-table", FittedTable)
        workers.border_title = ("By worker" if self.team_only is None
                                else f"By worker: {self.team_only}")
        workers.clear()
        # Every worker's, not only those listed: a filter does not change the bars' length.
        wide = figures_width(pair for worker in loads.workers for pair in (
            (worker.current, worker.capacity), (worker.proposed, worker.capacity)))
        for worker in sorted(loads.workers, key=SORTS[self.sort]):
            if self.full_only and not nearly_full(worker):
                continue
            if self.team_only is not None and (worker.team or NO_TEAM) != self.team_only:
                continue
            marked = worker.staff_id in self.withdrawing
            workers.add_row(worker_label(worker.name, worker.staff_id, NAME_WIDTH),
                            worker.team or Text("no team yet", style="italic yellow"),
                            load_bar(worker.current, worker.capacity, width=WORKER_BAR,
                                     figures=wide),
                            proposed_cell(worker, figures=wide), moves(worker.leaving, worker.joining),
                            Text("marked to go (what-if)", style="bold magenta") if marked
                            else note(worker), key=worker.staff_id)
        self.query_one("#workers-summary", Static).update(
            self._summary(loads, listed=workers.row_count))

    def _summary(self, loads: Caseloads, *, listed: int) -> Text:
        if not loads.workers:
            return Text.assemble(
                ("No staff list has been imported yet", "bold"),
                ": press i to import one (then the caseload); the workers and their "
                "caseloads show here.")
        if loads.plan_id is None:
            plan = "no plan yet (p, then n to propose one)"
        else:
            leaving = sum(worker.leaving or 0 for worker in loads.workers)
            joining = sum(worker.joining or 0 for worker in loads.workers)
            plan = (f"proposed: plan {loads.plan_id} ({plural(leaving, 'role')} leaving a "
                    f"worker, {count(joining)} joining a new one)")
        now = sum(worker.capacity for worker in loads.workers)
        after = sum(worker.capacity_after for worker in loads.workers)
        capacity = (f"capacity {count(now)}" if after == now
                    else f"capacity {count(now)} now, {count(after)} after the transfer")
        over = [worker for worker in loads.workers if load_and_room(worker)[0]
                > load_and_room(worker)[1]]
        summary = Text.assemble(
            (f"{count(len(loads.workers))} workers", "bold"),
            f" · {capacity} · holding now {count(sum(w.current for w in loads.workers))}"
            f" · {plan}",
        )
        if over:
            summary.append(f" · {len(over)} over capacity", style="bold red")
        if self.team_only is not None:
            summary.append(f" · only {self.team_only} (enter on it again for everyone)",
                           style="bold")
        if self.full_only:
            summary.append(" · only workers at 90% or more"
                           + ("" if listed else ": none (f again for everyone)"), style="bold")
        if self.sort != "staff id":
            summary.append(f" · sorted {'by ' if self.sort == 'name' else ''}{self.sort}")
        if self.withdrawing:
            summary.append(f" · what-if: {plural(len(self.withdrawing), 'worker')} marked to go "
                           "(W: what would happen; m again unmarks)", style="bold magenta")
        return summary

    def _show_teams(self, loads: Caseloads) -> None:
        """Each team's bars: now out of its workers' places now; proposed out of the places
        those available on the transfer date bring."""
        teams = self.query_one("#teams-table", FittedTable)
        teams.clear()
        wide = figures_width(pair for team in loads.teams for pair in (
            (team.current, team.capacity), (team.proposed, team.capacity_after)))
        for team in loads.teams:
            teams.add_row(team.team, count(team.workers),
                          load_bar(team.current, team.capacity, figures=wide),
                          load_bar(team.proposed, team.capacity_after, figures=wide),
                          moves(team.leaving, team.joining), key=team.team)

    def action_next_sort(self) -> None:
        """Sort the workers by the next order in SORTS (the cursor stays on its worker)."""
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        if self.loads is None:
            return
        workers = self.query_one("#workers-table", FittedTable)
        key = (workers.coordinate_to_cell_key(workers.cursor_coordinate).row_key
               if workers.row_count else None)
        self._show(filtering=True)
        if key is not None and key in workers.rows:
            workers.move_cursor(row=workers.get_row_index(key), animate=False)

    def action_full_only(self) -> None:
        self.full_only = not self.full_only
        if self.loads is not None:
            self._show(filtering=True)

    @on(DataTable.RowSelected, "#teams-table")
    def _team_selected(self, event: DataTable.RowSelected) -> None:
        team = event.row_key.value
        self.team_only = None if team == self.team_only else team
        if self.loads is not None:
            self._show(filtering=True)

    def action_handing_over(self) -> None:
        """The plan's rows for the people the highlighted worker coordinates now: who keeps
        them and who takes each one on (their handover list)."""
        workers = self.query_one("#workers-table", FittedTable)
        if not workers.row_count:
            return
        staff_id = workers.coordinate_to_cell_key(workers.cursor_coordinate).row_key.value
        if staff_id is not None:
            self.transition.show_plan(coordinator=staff_id)

    def action_mark_withdrawn(self) -> None:
        """Mark the highlighted worker as one who might go (or unmark them), for W; the cursor
        moves on, so several can be marked in a row."""
        workers = self.query_one("#workers-table", FittedTable)
        if not workers.row_count or self.loads is None:
            return
        staff_id = workers.coordinate_to_cell_key(workers.cursor_coordinate).row_key.value
        if staff_id is None:
            return
        if staff_id in self.withdrawing:
            self.withdrawing.remove(staff_id)
        else:
            self.withdrawing.append(staff_id)
        row = workers.cursor_row
        self._show(filtering=True)
        workers.move_cursor(row=min(row + 1, workers.row_count - 1))

    def action_what_if(self) -> None:
        """What would happen without the marked workers: worked out in a thread (two plans'
        worth of solving on a large caseload), then shown over this screen."""
        if not self.withdrawing:
            self.notify("Mark the workers who might go with m first (on the worker list), "
                        "then press W.", title="No one marked")
            return
        self.notify(f"Working out the plan without {plural(len(self.withdrawing), 'worker')}; "
                    "this takes a few seconds on a large caseload. Nothing is stored.",
                    title="What-if started")
        self._work_out(list(self.withdrawing))

    @work(thread=True, exclusive=True, group="workers-what-if", exit_on_error=False)
    def _work_out(self, withdraw: list[str]) -> None:
        try:
            with self.database.session() as session:
                result = what_if(session, self.transition.rules, as_of=self.today(),
                                 withdraw=withdraw)
        except TransitionError as exc:
            self.app.call_from_thread(self._what_if_failed,
                                      f"{exc.message} {exc.hint or ''}".strip())
        except SQLAlchemyError as exc:
            # The driver's text may quote data: only the kind of failure is shown, unless it
            # is one the database's words know.
            self.app.call_from_thread(self._what_if_failed,
                                      database_words(self.database, exc)
                                      or f"{type(exc).__name__} on {self.database.describe()}.")
        else:
            self.app.call_from_thread(self._what_if_done, result)

    def _what_if_failed(self, message: str) -> None:
        self.notify(message, title="The what-if could not run", severity="error")

    def _what_if_done(self, result: WhatIf) -> None:
        self.app.push_screen(WhatIfScreen(result))

    @on(DataTable.RowSelected, "#workers-table")
    def _worker_selected(self, event: DataTable.RowSelected) -> None:
        staff_id = event.row_key.value
        if staff_id is not None:
            self.transition.show_plan(staff_id=staff_id)
