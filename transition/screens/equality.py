"""The equality report in the app: who the transition affects, group by group."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from transition.equality import equality_report
from transition.equality_files import write_report
from transition.screens.base import DetailScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.equality_tables import report_renderable


class EqualityScreen(DetailScreen):
    """By ethnic group, age band and gender: signposted, to be assessed, changing worker, red
    band; small counts withheld unless ``x`` shows them exactly; ``s`` saves it as Markdown."""

    TITLE = "Equality"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "toggle_exact", "Exact counts", id="equality.exact"),
        Binding("s", "save", "Save report", id="equality.save")]
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
        notes = report.notes(exact=self.exact)
        shown = report_renderable(  # the notes first: they change how columns read
            report, exact=self.exact,
            lead=Text("\n\n".join(notes), style="bold yellow") if notes else None)
        self.query_one("#equality-report", Static).update(shown)

    def action_toggle_exact(self) -> None:
        self.exact = not self.exact
        self.safely(self.reload)

    def report_path(self) -> Path:
        """Where ``s`` saves the report: the output folder, named by the day (and exactness)."""
        name = f"equality-{self.today().isoformat()}{'-exact' if self.exact else ''}.md"
        return (self.settings.resolved_output_dir / name).expanduser().resolve()

    def action_save(self) -> None:
        """Save the report as shown (counts withheld, or exact) as Markdown, for the equality
        impact assessment."""
        path = self.report_path()

        def save() -> None:
            with self.database.session() as session:
                report = equality_report(session, as_of=self.today())
            try:
                write_report(report, path, exact=self.exact)
            except OSError as exc:
                self.notify(f"The report could not be saved in {path.parent} ({exc.strerror}). "
                            "Check the output folder setting.", title="Not saved",
                            severity="error")
                return
            self.notify(f"Saved to {path}" + (" (exact counts: for the council's own use)"
                                               if self.exact else ""),
                        title="Equality report")

        self.safely(save)
