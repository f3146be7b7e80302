"""The welcome: what to do first when the database has no one on it yet."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, VerticalScroll
from textual.widgets import Button, Header, Static

from transition.overview import database_is_empty
from transition.screens.base import DataScreen
from transition.widgets.chrome import AppFooter, NavBar


class WelcomeScreen(DataScreen):
    """How to import the staff list and the caseload, or load the demo."""

    CSS_PATH = "welcome.tcss"
    TITLE = "Welcome"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with VerticalScroll(id="welcome"):
            with Center():
                yield Static(self.instructions(), id="instructions")
            with Center(), Horizontal(id="welcome-buttons"):
                yield Button("Import a file  (i)", id="import", variant="primary")
                yield Button("Dashboard  (d)", id="dashboard")
        yield AppFooter()

    def instructions(self) -> RenderableType:
        steps = Table.grid(padding=(0, 2))
        steps.add_column(style="bold", justify="right")
        steps.add_column()
        steps.add_column(style="bold cyan")
        steps.add_row("1.", "Import the staff list", "transition import staff FILE")
        steps.add_row("2.", "Import the trust's caseload export", "transition import caseload FILE")
        steps.add_row("", Text("or press i to import either one here", style="italic"), "")
        steps.add_row("", "", "")
        steps.add_row("", "Or try it first on invented data", "make demo")
        steps.add_row("", Text("(a demo database of its own, never this one)", style="italic"),
                      "transition demo")
        return Group(
            Text("Welcome to transition", style="bold"),
            Text(),
            Text("This database has no one on it yet. To start:"),
            Text(),
            steps,
            Text(),
            Text.assemble(("Database  ", "dim"), self.database.describe()),
            Text.assemble(("Keys      ", "dim"),
                          "ctrl+p finds any screen by name · d dashboard · c caseload · q quit"),
        )

    _was_empty: bool | None = None

    def reload(self) -> None:
        # Once an import has filled an empty database, the dashboard is the place to be; a
        # manager who opens the welcome on purpose (ctrl+p) stays on it.
        with self.database.session() as session:
            empty = database_is_empty(session)
        if self._was_empty and not empty:
            self.transition.go("dashboard")
        self._was_empty = empty

    @on(Button.Pressed, "#import")
    def _import(self) -> None:
        self.transition.go("import")

    @on(Button.Pressed, "#dashboard")
    def _dashboard(self) -> None:
        self.transition.go("dashboard")
