"""The equality report in the app: who the transition affects, group by group."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from transition.equality import equality_report
from transition.screens.base import DetailScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.equality_tables import report_renderable


class EqualityScreen(DetailScreen):
    """By ethnic group, age band and gender: signposted, to be assessed, changing worker, red
    band; small counts kept back unless ``x`` shows them exactly."""

    TITLE = "Equality"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "toggle_exact", "Exact counts", id="equality.exact")]
    DEFAULT_CSS = """
    #equality { padding: 0 1; }
    #equality-report { height: auto; }
    """

    exact = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with VerticalScroll(id="equality"):
            yield Static(id="equality-report")
        yield AppFooter()

    def reload(self) -> None:
        with self.database.session() as session:
            report = equality_report(session, as_of=self.today())
        self.query_one("#equality-report", Static).update(
            report_renderable(report, exact=self.exact))

    def action_toggle_exact(self) -> None:
        self.exact = not self.exact
        self.safely(self.reload)
