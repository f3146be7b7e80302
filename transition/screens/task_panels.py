"""The dashboard's task boxes: progress (done, due, overdue) and the burndown to the transfer.

Both read ``transition.tasks`` views; they are listed in the dashboard's ``STAGE_PANELS``.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Static

from transition.programme import transfer_date
from transition.screens.dashboard import DashboardPanel
from transition.tasks import Burndown, TaskProgress, burndown, task_progress, transfer_countdown
from transition.widgets.burndown import bar_chart
from transition.widgets.format import count, plural, uk_date

NO_TASKS = Text.assemble(
    ("No tasks yet. ", "bold"),
    "They are made from the accepted plan: accept it on the plan screen (",
    ("p", "bold"), ", then ", ("A", "bold"), "), then make the tasks on the tasks screen (",
    ("t", "bold"), ", then ", ("G", "bold"), ") or with the command ",
    ("transition tasks generate", "bold"), ".",
)
# The burndown box beside it: the progress box says what to do.
NO_TASKS_CHART = Text("No tasks yet: nothing to chart.", style="dim")
CHART_HEIGHT = 6
CHART_WIDTH = 52
BAR_WIDTH = 40


def progress_lines(progress: TaskProgress) -> RenderableType:
    if not progress.total and not progress.not_needed:
        return NO_TASKS
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right")
    grid.add_column()
    grid.add_row(Text(count(progress.done), style="bold green"),
                 f"done of {plural(progress.total, 'task')} ({progress.percent_words})")
    grid.add_row(Text(count(progress.due), style="bold"), "open, not yet overdue")
    grid.add_row(Text(count(progress.overdue), style="bold red" if progress.overdue else "dim"),
                 Text.assemble("overdue", (" (t, then o)" if progress.overdue else "", "dim")))
    if progress.blocked:
        grid.add_row(Text(count(progress.blocked), style="bold magenta"),
                     "blocked (counted above)")
    if progress.not_needed:
        grid.add_row(Text(count(progress.not_needed), style="dim"), "not needed")
    filled = round(BAR_WIDTH * progress.done / progress.total) if progress.total else 0
    bar = Text.assemble(("█" * filled, "green"), ("░" * (BAR_WIDTH - filled), "dim"))
    return Group(grid, Text(), bar)


def burndown_lines(chart: Burndown, holidays: dict[date, str], *, any_tasks: bool) -> RenderableType:
    if not any_tasks:
        return NO_TASKS_CHART
    if not chart.open_now:
        return Text("No open tasks: every task is done or not needed.", style="green")
    if not chart.points:
        if chart.end >= chart.as_of:  # a weekend or bank holiday transfer date, seen up close
            return Text(f"{plural(chart.open_now, 'open task')}; no working day is left before "
                        f"the transfer date ({uk_date(chart.end)}).")
        return Text(f"{plural(chart.open_now, 'open task')}; the transfer date has passed.")
    summary = Text.assemble(
        (plural(chart.open_now, "open task"), "bold"),
        (f", {count(chart.overdue_now)} overdue" if chart.overdue_now else "", "bold red"),
    )
    explained = Text("Each bar: tasks still open that working day if each is done by its due "
                     "date", style="dim")
    if chart.after_end:
        explained.append(f"; {count(chart.after_end)} fall due after the transfer (first "
                         "contacts, reviews)")
    explained.append(".")
    lines: list[RenderableType] = [
        bar_chart([point.open + point.due if index == 0 else point.open
                   for index, point in enumerate(chart.points)],
                  height=CHART_HEIGHT, width=CHART_WIDTH,
                  first=uk_date(chart.points[0].day), last=uk_date(chart.points[-1].day)),
        summary,
        explained,
    ]
    if holidays:
        # Only the ones on a weekday: a holiday on a Saturday (Boxing Day 2026) changes nothing.
        names = ", ".join(f"{name} {day.day} {day:%b}" for day, name in holidays.items()
                          if day.weekday() < 5)
        if names:
            lines.append(Text(f"Working days only; not {names}.", style="dim"))
    return Group(*lines)


class TaskProgressPanel(DashboardPanel):
    """Done, due and overdue tasks."""

    def __init__(self) -> None:
        super().__init__(id="task-progress")
        self.border_title = "Tasks"

    def compose(self) -> ComposeResult:
        yield Static(id="task-progress-body")

    def refresh_from(self, session: Session, today: date) -> None:
        self.progress = task_progress(session, as_of=today)
        self.query_one("#task-progress-body", Static).update(progress_lines(self.progress))


class TaskBurndownPanel(DashboardPanel):
    """Open tasks per working day from today to the transfer date."""

    def __init__(self) -> None:
        super().__init__(id="task-burndown")
        self.border_title = "Open tasks to the transfer date"

    def compose(self) -> ComposeResult:
        yield Static(id="task-burndown-body")

    def refresh_from(self, session: Session, today: date) -> None:
        transfer = transfer_date(session)
        self.burndown = burndown(session, as_of=today, transfer_date=transfer)
        holidays = transfer_countdown(transfer, as_of=today).bank_holidays
        progress = task_progress(session, as_of=today)
        self.query_one("#task-burndown-body", Static).update(burndown_lines(
            self.burndown, holidays, any_tasks=bool(progress.total or progress.not_needed)))
