"""The caseload: every person, searchable and sortable, paged in SQL; enter opens a person."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from transition.errors import ConflictError, TransitionError
from transition.handover import places
from transition.handover_change import GroupOutcome
from transition.overview import staff_names
from transition.people import PeopleQuery, list_people
from transition.programme import transfer_date
from transition.screens.base import DataScreen, database_words
from transition.screens.team_handover import (
    TeamHandoverAnswer,
    TeamHandoverScreen,
    save_team_handover_date,
)
from transition.widgets.caseload_table import DEFAULT_COLUMNS, CaseloadTable, Window
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.pathway import BANDS, PATHWAYS, next_choice


class CaseloadScreen(DataScreen):
    """The whole caseload in one table; the search box filters as you type."""

    CSS_PATH = "caseload.tcss"
    TITLE = "Caseload"
    AUTO_FOCUS = "#people"

    BINDINGS = [
        # Priority like the app's own "/" (which acts first). Not in the footer: the search
        # box says "/ to jump here", and at 80 columns the footer needs the room for q Quit.
        Binding("slash", "search", "Search", key_display="/", id="caseload.search",
                priority=True, show=False),
        Binding("m", "missing", "Not in export", id="caseload.missing"),
        Binding("n", "needs_worker", "Unfilled", id="caseload.needs_worker"),
        Binding("f", "cycle_pathway", "Pathway", id="caseload.pathway"),
        Binding("b", "cycle_band", "Band", id="caseload.band"),
        # Not in the footer (it has no room left at 80 columns): the line under the table
        # names it when a team or locality is shown, and the help lists it.
        Binding("H", "team_handover_date", "Team handover date", key_display="H", show=False,
                id="caseload.team_handover_date"),
        Binding("escape", "clear", "Clear", id="caseload.clear"),  # the search and filters
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
        """One window of people (runs in the table's worker thread: its own session). A failure
        the database's words know is raised in them, for the table's status line; any other
        shows only its type there (its text may quote data)."""
        try:
            with self.database.session() as session:
                page = list_people(session, query, as_of=self.today())
                names = staff_names(session, [
                    *(row.care_coordinator_id for row in page.rows),
                    *(staff_id for row in page.rows for _role, staff_id in row.workers)])
        except SQLAlchemyError as exc:
            known = self.database.known_failure(exc)
            if known is None:
                raise
            raise known from None
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

    # -- everyone in a team or locality moving on their own date (a phased move) -------------

    def action_team_handover_date(self) -> None:
        """Give everyone in a team or locality their own handover date, or the programme's back
        (as transition handover-date --team does): the team filtered to, or else the team of
        the person under the cursor, is chosen first."""
        chosen: dict[str, object] = {}

        def read() -> None:
            with self.database.session() as session:
                chosen.update(teams=places(session, "team"),
                              localities=places(session, "locality"),
                              programme=transfer_date(session))

        if not self.safely(read):
            return
        if not chosen["teams"] and not chosen["localities"]:
            self.notify("No one on the caseload is in the latest trust export: import it "
                        "first (i).", title="No teams yet", severity="warning")
            return
        query = self.caseload.query
        row = self.caseload.highlighted_row
        team = query.team or (row.team if row is not None and not query.locality else None)
        today = self.today()

        def save(answer: TeamHandoverAnswer) -> str | None:
            try:
                outcome = save_team_handover_date(
                    self.database, self.transition.rules, answer, actor=self.settings.actor,
                    today=today)
            except ConflictError as exc:
                return (f"{exc.message} Nothing was changed: press ctrl+s to try again with "
                        "everyone as they are now.")
            except TransitionError as exc:
                return f"{exc.message} {exc.hint or ''}".strip()
            except SQLAlchemyError as exc:
                # The driver's text may quote data, so only the kind of failure is shown,
                # unless it is one the database's words know.
                return (database_words(self.database, exc)
                        or f"{type(exc).__name__} on {self.database.describe()}: nothing was "
                        "saved. Check the database is reachable and try again.")
            self._saved(outcome, today)
            return None

        self.app.push_screen(TeamHandoverScreen(
            chosen["teams"], chosen["localities"], chosen["programme"],  # type: ignore[arg-type]
            team=team, locality=query.locality, save=save))

    def _saved(self, outcome: GroupOutcome, today: date) -> None:
        self.transition.data_changed()
        self.safely(self.reload)
        self.notify(" ".join(outcome.said()), title="Handover date saved")
        if notes := outcome.notes(today):
            self.notify("\n".join(notes), title="Check the new date", severity="warning")
