"""The dashboard's *Allocation* box: where the allocation stands now (who holds each case,
after any manager's choices), who has no worker in a role they need, and a draft waiting for
review.

The same counts and words as ``transition plan status`` (:mod:`transition.allocation_status`).
On the dashboard, ``n`` lists on the caseload the people with no worker in a role they
need, and ``p`` opens the plan screen.
"""

from __future__ import annotations

from datetime import date

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Static

from transition.allocation_status import (
    AllocationStatus,
    allocation_status,
    plan_sentences,
    status_lines,
)
from transition.widgets.dashboard_panel import DashboardPanel
from transition.widgets.format import count

TONE_STYLE = {"bad": "bold red", "warn": "bold yellow", "": "bold"}
KEY_HINTS = {"needs_a_worker": " (n)"}  # the dashboard's key that lists them
LABEL_WIDTH = 60  # cells


def allocation_lines(status: AllocationStatus) -> RenderableType:
    """The counts on the left, which plan they come from (and any draft) on the right."""
    counts = Table.grid(padding=(0, 1))
    counts.add_column(justify="right", min_width=5)
    # Wide enough for the longest fixed words; who has no worker in a role they need, counted
    # by kind, wraps rather than pushing the plan's sentences under the counts.
    counts.add_column(max_width=LABEL_WIDTH)
    for line in status_lines(status):
        counts.add_row(
            Text(count(line.value), style=TONE_STYLE[line.tone] if line.value else "dim"),
            Text.assemble((line.label, "" if line.value else "dim"),
                          (KEY_HINTS.get(line.key, "") if line.value else "", "dim")))
    return _BesideOrUnder(counts, Text("\n".join(plan_sentences(status))))


class _BesideOrUnder:
    """The counts with the words beside them; under them when the box is too narrow to leave
    the words a readable column (at 80 columns they were a strip a word or two wide)."""

    WORDS_LEAST = 30  # cells

    def __init__(self, counts: Table, words: Text) -> None:
        self.counts = counts
        self.words = words

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        counts_width = Measurement.get(console, options, self.counts).maximum
        if options.max_width - counts_width - 3 < self.WORDS_LEAST:
            yield Group(self.counts, Text(), self.words)
            return
        layout = Table.grid(padding=(0, 3), expand=True)
        layout.add_column(no_wrap=True)
        layout.add_column(ratio=1)
        layout.add_row(self.counts, self.words)
        yield layout


class AllocationPanel(DashboardPanel):
    """Counts of who holds each case now, from the accepted plan and managers' choices."""

    DEFAULT_CSS = """
    AllocationPanel {
        column-span: 2;
    }
    """

    status: AllocationStatus | None = None

    def __init__(self) -> None:
        super().__init__(id="plan-status")
        self.border_title = "Allocation"
        self.border_subtitle = "p: the plan"

    def compose(self) -> ComposeResult:
        yield Static(id="allocation-body")

    def refresh_from(self, session: Session, today: date) -> None:
        self.status = status = allocation_status(session, today)
        self.query_one("#allocation-body", Static).update(allocation_lines(status))
        self.border_subtitle = ("p: review the draft on the plan screen" if status.draft
                                else "p: the plan")
