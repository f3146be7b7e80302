"""The dashboard: the caseload at a glance, the transfer date, and the latest imports.

Later stages add their own boxes (counts by pathway, the risk chart, plan status, task
progress, the last check's findings) as :class:`DashboardPanel` subclasses listed in
:data:`STAGE_PANELS`: one line each. They appear in ``#stage-panels``, in the order listed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Static

from transition.amhp import AmhpCover, amhp_cover
from transition.errors import RulesError
from transition.overview import BatchSummary, GroupCount, Overview, overview
from transition.screens.assessment_panels import PathwayCounts, RiskChart
from transition.screens.base import DataScreen
from transition.screens.reassess import ReassessProgress, reassess_bindings, reassess_enabled
from transition.tasks.views import transfer_countdown
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.dashboard_panel import DashboardPanel
from transition.widgets.fitted_table import FitColumn, FittedTable
from transition.widgets.format import count, plural, uk_date, uk_time

NOT_RECORDED_KEY = "\x00not-recorded"
NARROW = 110  # columns: below this the latest imports card goes under the other two
# Below this the stage boxes go one under another: two side by side leave each too narrow for
# the burndown chart (52 cells), which then wrapped into a jumble of blocks.
PANELS_NARROW = 118


def _check_findings() -> DashboardPanel:
    from transition.screens.check_panel import CheckFindingsPanel  # it subclasses DashboardPanel

    return CheckFindingsPanel()


def _allocation() -> DashboardPanel:
    from transition.screens.allocation_panel import AllocationPanel  # it imports DashboardPanel

    return AllocationPanel()


def _task_progress() -> DashboardPanel:
    from transition.screens.task_panels import TaskProgressPanel  # it imports DashboardPanel

    return TaskProgressPanel()


def _task_burndown() -> DashboardPanel:
    from transition.screens.task_panels import TaskBurndownPanel

    return TaskBurndownPanel()


STAGE_PANELS: tuple[Callable[[], DashboardPanel], ...] = (
    # One line per stage's box. Give each an id (#pathway-counts, #risk-chart,
    # #task-progress) so styles and tests can find it.
    PathwayCounts,
    RiskChart,
    _task_progress,
    _task_burndown,
)

ALERT_PANELS: tuple[Callable[[], DashboardPanel], ...] = (
    # Under the cards, before the counts by place: what has gone wrong since the plan (the
    # latest check, #check-findings) and where the allocation stands (#plan-status: who
    # has no worker in a role they need), so the first screen a manager sees shows them.
    _check_findings,
    _allocation,
)


class DashboardScreen(DataScreen):
    """Counts by team and locality, missing people, the transfer date, the latest imports."""

    CSS_PATH = "dashboard.tcss"
    TITLE = "Dashboard"
    AUTO_FOCUS = None  # on_mount focuses the locality table

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "missing", "Not in export", id="dashboard.missing"),
        Binding("r", "rejects", "Rejected rows", id="dashboard.rejects"),
        Binding("k", "run_check", "Check now", id="dashboard.check"),
        Binding("K", "run_check(True)", "Check + fixes", id="dashboard.check_apply"),
        # Offered by the last-check box and the check's notification when a worker is over
        # capacity; not in the footer, which has no room for it at 80 columns.
        Binding("R", "run_check(True, True)", "Check + rebalance", show=False,
                id="dashboard.check_rebalance"),
        Binding("n", "needs_worker", "Unfilled", id="dashboard.needs_worker"),
        # Not in the footer (no room at 80 columns): the palette finds it too.
        Binding("e", "equality", "Equality", show=False, id="dashboard.equality"),
        # A: reassess everyone; in the footer only while the scores are not of today.
        *reassess_bindings("dashboard"),
    ]

    summary: Overview | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with VerticalScroll(id="dashboard"):
            with Horizontal(id="cards"):
                yield Static(id="caseload-card", classes="card")
                yield Static(id="programme-card", classes="card")
                yield Static(id="imports-card", classes="card")
            for make_panel in ALERT_PANELS:
                yield make_panel()
            with Vertical(id="groups"):
                yield self._group_table("by-locality", "By locality", "Locality")
                yield self._group_table("by-team", "By team", "Team")
            with Grid(id="stage-panels"):
                for make_panel in STAGE_PANELS:
                    yield make_panel()
        yield ReassessProgress()
        yield AppFooter()

    @staticmethod
    def _group_table(table_id: str, title: str, heading: str) -> FittedTable:
        # The name takes what the counts leave (long names end in …), so at 80 columns the
        # two columns that need attention stay on screen rather than off the right edge.
        table = FittedTable(
            (FitColumn("name", heading, 20, most=44),
             *(FitColumn(key, label, max(6, len(label)))
               for key, label in (("people", "People"), ("staff", "Staff"),
                                  ("missing", "Not in export"),
                                  ("no_coordinator", "No coordinator")))),
            id=table_id, cursor_type="row", zebra_stripes=True, classes="group",
        )
        table.border_title = title
        table.border_subtitle = "enter: show these people"
        return table

    def on_mount(self) -> None:
        self.query_one("#caseload-card").border_title = "Caseload"
        self.query_one("#programme-card").border_title = "Programme"
        self.query_one("#imports-card").border_title = "Latest imports"
        self.query_one("#stage-panels").display = bool(STAGE_PANELS)
        # Focus the locality table without scrolling to it: Textual scrolls a focused widget
        # that does not fit yet (it is empty) to the centre, which hid the cards at the top.
        self.query_one("#by-locality").focus(scroll_visible=False)

    def on_resize(self, event: events.Resize) -> None:
        # Three cards side by side need about 110 columns; narrower, the imports card (the
        # widest) goes on a row of its own instead of being squeezed to a few letters.
        self.query_one("#cards").set_class(event.size.width < NARROW, "-narrow")
        self.query_one("#stage-panels").set_class(event.size.width < PANELS_NARROW, "-narrow")

    def reload(self) -> None:
        with self.database.session() as session:
            self.summary = overview(session, today=self.today())
            for panel in self.query(DashboardPanel):
                panel.refresh_from(session, self.today())
            cover = self._amhp_cover(session, self.summary.transfer_date)
        summary = self.summary
        self.query_one("#caseload-card", Static).update(caseload_card(summary))
        self.query_one("#programme-card", Static).update(
            programme_card(summary, self.today(), cover))
        self.query_one("#imports-card", Static).update(imports_card(summary))
        self._fill("#by-team", summary.by_team)
        self._fill("#by-locality", summary.by_locality)
        self.refresh_bindings()

    def _amhp_cover(self, session: Session, transfer: date | None) -> AmhpCover | None:
        """The council's AMHP cover on the transfer date, as the nightly check reads it; None
        when the staff list names no AMHPs, or the rules file cannot be read (the screens
        that need the rules say why)."""
        try:
            checks = self.transition.rules.checks
        except RulesError:
            return None
        cover = amhp_cover(session, today=self.today(), transfer=transfer,
                           roles=checks.amhp_roles, needed_fte=checks.amhp_cover_fte)
        return cover if cover.listed else None

    def _fill(self, selector: str, groups: list[GroupCount]) -> None:
        table = self.query_one(selector, FittedTable)
        table.clear()
        for group in groups:
            table.add_row(
                group.name or Text("not recorded", style="italic"),
                Text(count(group.people), justify="right"),
                Text(count(group.staff), justify="right"),
                _highlight(group.missing, "yellow"),
                _highlight(group.no_coordinator, "red"),
                key=group.name or NOT_RECORDED_KEY,
            )

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "missing":
            return bool(self.summary and self.summary.missing_from_latest)
        if action == "rejects":
            return bool(self.summary and any(
                batch and batch.rejected for batch in self.summary.latest_imports.values()
            ))
        if action == "needs_worker":
            from transition.screens.allocation_panel import AllocationPanel

            status = self.query_one(AllocationPanel).status
            return bool(status and status.needs_a_worker)
        if action == "reassess":
            return reassess_enabled(parameters, self.query_one(RiskChart).stale)
        return True

    def action_missing(self) -> None:
        self.transition.show_caseload(missing_only=True)

    def action_needs_worker(self) -> None:
        self.transition.show_caseload(needs_worker=True)

    def action_rejects(self) -> None:
        self.transition.go("rejects")

    def action_reassess(self, quietly: int = 0) -> None:
        """A: everyone reassessed as of today, as ``transition assess`` does (in a worker)."""
        self.query_one(ReassessProgress).ask()

    def action_equality(self) -> None:
        self.transition.go("equality")

    def action_run_check(self, apply: bool = False, rebalance: bool = False) -> None:
        """``k``: the check now; ``K``: and its proposed fixes as a draft plan (``--apply``);
        ``R``: and the people of over-capacity workers re-planned too (``--rebalance``)."""
        from transition.screens.check_panel import CheckFindingsPanel

        self.query_one(CheckFindingsPanel).run_now(apply=apply, rebalance=rebalance)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open_group(event.data_table, event.cursor_row)

    def _open_group(self, table: DataTable[RenderableType], row: int) -> None:
        name = table.coordinate_to_cell_key((row, 0)).row_key.value
        if name is None or name == NOT_RECORDED_KEY:
            self.notify("These people have no team or locality recorded; search the caseload.")
            return
        if table.id == "by-team":
            self.transition.show_caseload(team=name)
        else:
            self.transition.show_caseload(locality=name)


def _highlight(value: int, style: str) -> RenderableType:
    if not value:
        return Text("0", style="dim", justify="right")
    return Text(count(value), style=f"bold {style}", justify="right")


def caseload_card(summary: Overview) -> RenderableType:
    lines = Table.grid(padding=(0, 1))
    lines.add_column(justify="right")
    lines.add_column()
    lines.add_row(Text(count(summary.people), style="bold"),
                  "person on the caseload" if summary.people == 1 else "people on the caseload")
    lines.add_row(_highlight(summary.missing_from_latest, "yellow"),
                  Text.assemble("not in latest export",
                                ("  (m)" if summary.missing_from_latest else "", "dim")))
    # The trust export's coordinator, not who holds them after a plan (the Allocation box).
    lines.add_row(_highlight(summary.no_coordinator, "red"), "no coordinator in export")
    lines.add_row(_highlight(summary.unknown_coordinator, "yellow"),
                  "coordinator not in staff list")
    if summary.ended_coordinator:  # only when the export gives allocations' end dates
        lines.add_row(_highlight(summary.ended_coordinator, "red"),
                      "coordinator allocation ended")
    lines.add_row(Text(count(summary.staff)), "staff in the staff list")
    return lines


def programme_card(summary: Overview, today: date,
                   cover: AmhpCover | None = None) -> RenderableType:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim")
    grid.add_column()
    if summary.transfer_date is None:
        grid.add_row("Transfer", Text("not set yet", style="bold yellow"))
        grid.add_row("Today", uk_date(today))
        return Group(grid, Text(), Text("Set it with:"),
                     Text("transition programme set --transfer-date DATE", style="bold"))
    days = summary.days_to_transfer or 0
    if days > 0:
        when = Text(f"{plural(days, 'day')} to go", style="bold")
    elif days == 0:
        when = Text("today", style="bold yellow")
    else:
        when = Text(f"{plural(-days, 'day')} ago", style="bold yellow")
    grid.add_row("Transfer", Text(uk_date(summary.transfer_date), style="bold"))
    grid.add_row("", when)
    grid.add_row("Working", working_days_left(summary.transfer_date, today))
    grid.add_row("Today", uk_date(today))
    if cover is not None:
        # The council's own AMHP FTE then, of today's rota (or of what the service needs).
        grid.add_row("AMHPs", Text(f"{cover.council_fte:g} of {cover.yardstick_fte:g} FTE",
                                   style="bold yellow" if cover.short_fte else ""))
    return grid


def working_days_left(transfer: date, today: date) -> Text:
    """The countdown in working days (weekends and bank holidays of England and Wales left out)."""
    days = transfer_countdown(transfer, as_of=today).working_days or 0
    if days > 0:
        return Text(f"{plural(days, 'day')} to go", style="bold")
    return Text("transfer day" if days == 0 else f"{plural(-days, 'day')} ago", style="yellow")


def batch_lines(batch: BatchSummary) -> Group:
    """One import run in four lines: file; when; what happened; what needs attention."""
    sheet = f" (sheet {batch.sheet})" if batch.sheet else ""
    attention = Text()
    attention.append(f"{count(batch.rejected)} rejected",
                     style="bold red" if batch.rejected else "dim")
    if batch.rejected:
        attention.append(" (r)", style="dim")
    for value, label in ((batch.duplicates, "duplicate"), (batch.warnings, "warning")):
        if value:
            attention.append(" · ")
            attention.append(plural(value, label), style="yellow")
    if batch.missing_from_file:
        attention.append(" · ")
        attention.append(f"{count(batch.missing_from_file)} missing from file", style="yellow")
    if batch.column_notes:  # headers not recognised, columns lacking: read them on Import
        attention.append(" · ")
        attention.append(f"{plural(len(batch.column_notes), 'note')} on its columns (i)",
                         style="yellow")
    done = Text(f"{plural(batch.rows, 'row')}: {count(batch.inserted)} new")
    for value, label in ((batch.updated, "updated"), (batch.unchanged, "unchanged")):
        if value:
            done.append(f" · {count(value)} {label}")
    return Group(
        Text.assemble((f"{batch.file_name}{sheet}", "bold")),
        Text(f"imported {uk_time(batch.started_at)}", style="dim"),
        done,
        attention,
    )


def imports_card(summary: Overview) -> RenderableType:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", width=8)
    grid.add_column()
    for kind, label in (("staff", "Staff"), ("caseload", "Caseload")):
        batch = summary.latest_imports.get(kind)
        if batch is None:
            grid.add_row(label, Text.assemble(("not imported yet", "italic yellow"),
                                              (" (i to import)", "dim")))
        else:
            grid.add_row(label, batch_lines(batch))
    return grid
