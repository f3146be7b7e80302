"""The caseload: every person, searchable and sortable, paged in SQL; enter opens a person."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from transition.overview import staff_names
from transition.people import PeopleQuery, list_people
from transition.screens.base import DataScreen
from transition.widgets.caseload_table import DEFAULT_COLUMNS, CaseloadTable, Window
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.pathway import BANDS, PATHWAYS, next_choice


class CaseloadScreen(DataScreen):
    """The whole caseload in one table; the search box filters as you type."""

    CSS_PATH = "caseload.tcss"
    TITLE = "Caseload"
    AUTO_FOCUS = "#people"

    BINDINGS = [
        # Priority like the app's own "/" (which acts first), so the footer shows this one.
        Binding("slash", "search", "Search", key_display="/", id="caseload.search",
                priority=True),
        Binding("m", "missing", "Not in export", id="caseload.missing"),
        Binding("n", "needs_worker", "No worker", id="caseload.needs_worker"),
        Binding("f", "cycle_pathway", "Pathway", id="caseload.pathway"),
        Binding("b", "cycle_band", "Band", id="caseload.band"),
        Binding("escape", "clear", "Clear search", id="caseload.clear"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        yield CaseloadTable(self.fetch, columns=DEFAULT_COLUMNS, id="caseload")
        yield AppFooter()

    @property
    def caseload(self) -> CaseloadTable:
        return self.query_one(CaseloadTable)

    def fetch(self, query: PeopleQuery) -> Window:
        """One window of people (runs in the table's worker thread: its own session)."""
        with self.database.session() as session:
            page = list_people(session, query, as_of=self.today())
            names = staff_names(session, [
                *(row.care_coordinator_id for row in page.rows),
                *(staff_id for row in page.rows for _role, staff_id in row.workers)])
        return Window(page=page, staff_names=names, today=self.today())

    def on_mount(self) -> None:
        # The table loads itself when it mounts; later changes reload it on resume.
        self._shown_version = self.transition.data_version

    def reload(self) -> None:
        self.caseload.reload(keep_cursor=True)

    def show(self, **filters: object) -> None:
        """Show people matching these filters (from the dashboard); the search is cleared."""
        self.caseload.clear(**filters)
        self.caseload.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear":
            return self.caseload.filtered
        return True

    def action_search(self) -> None:
        self.caseload.focus_search()

    def action_missing(self) -> None:
        self.caseload.set_query(missing_only=not self.caseload.query.missing_only)

    def action_needs_worker(self) -> None:
        """Only people whose pathway needs a worker and who have none for a role."""
        self.caseload.set_query(needs_worker=not self.caseload.query.needs_worker)

    def action_cycle_pathway(self) -> None:
        """Only one pathway: council, trust, joint, assess, signpost, then everyone."""
        self.caseload.set_query(pathway=next_choice(PATHWAYS, self.caseload.query.pathway))

    def action_cycle_band(self) -> None:
        """Only one risk band: red, amber, green, then everyone."""
        self.caseload.set_query(risk_band=next_choice(BANDS, self.caseload.query.risk_band))

    def action_clear(self) -> None:
        self.caseload.clear()
        self.caseload.table.focus()

    @on(CaseloadTable.PersonSelected)
    def _open_person(self, event: CaseloadTable.PersonSelected) -> None:
        self.transition.open_person(event.person_id)
