"""The Textual app: sections (modes), detail screens, keys and the command palette.

``make_app(settings)`` builds it for the CLI and for the tests (which hand in a temporary
database and settings with a fixed ``as_of``).

Where everything goes is one table, :data:`DESTINATIONS`. A top-level section (dashboard,
caseload, and later plan, workers, tasks, letters, at-risk) is a *mode* with its own screen
stack; a detail screen (import, rejected rows) is *pushed* over the current section. Each
destination gets its key in the bar of sections under the header and an entry in the command palette (ctrl+p), so a
later stage adds its screen with one line here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import HelpPanel

from transition.config import Settings
from transition.db import Database
from transition.demo import use_demo_files
from transition.overview import database_is_empty
from transition.ruleset import Rules, load_rules
from transition.screens.at_risk import AtRiskScreen
from transition.screens.base import DISMISS_KEY, notice_seconds
from transition.screens.caseload import CaseloadScreen
from transition.screens.confirm import ConfirmScreen
from transition.screens.dashboard import DashboardScreen
from transition.screens.equality import EqualityScreen
from transition.screens.findings import FindingsScreen
from transition.screens.imports import ImportScreen
from transition.screens.letters import LettersScreen
from transition.screens.palette import PeopleProvider, ScreensProvider
from transition.screens.person import PersonScreen
from transition.screens.plan import PlanScreen
from transition.screens.rejects import RejectsScreen
from transition.screens.tasks import TasksScreen
from transition.screens.welcome import WelcomeScreen
from transition.screens.workers import WorkersScreen


@dataclass(frozen=True)
class Destination:
    """A place in the app, reachable by its key and by its title in the command palette."""

    name: str  # mode name and binding id; also matched in the palette
    title: str  # shown in the bar of sections (NavBar) and the palette
    description: str  # the palette's help line
    screen: Callable[[], Screen[Any]]
    key: str | None = None
    mode: bool = True  # True: a top-level section; False: pushed over the current section


DESTINATIONS: tuple[Destination, ...] = (
    Destination("dashboard", "Dashboard", "Counts by team and locality, the transfer date, "
                "the latest imports", DashboardScreen, key="d"),
    Destination("caseload", "Caseload", "Every person on the caseload: search, sort, open",
                CaseloadScreen, key="c"),
    Destination("import", "Import", "Import a trust caseload export or a staff list",
                ImportScreen, key="i", mode=False),
    Destination("rejects", "Rejected rows", "The rows the latest imports rejected, and why",
                RejectsScreen, mode=False),
    Destination("equality", "Equality", "Who the transition affects by ethnic group, age and "
                "gender, for the equality impact assessment", EqualityScreen, mode=False),
    Destination("findings", "Check findings", "What the last nightly check found, most urgent "
                "first", FindingsScreen, mode=False),
    Destination("tasks", "Tasks", "Handover tasks by due week, owner or person; overdue first",
                TasksScreen, key="t"),
    Destination("letters", "Letters", "Who needs which handover letters: preview and write them",
                LettersScreen, key="l"),
    Destination("welcome", "Welcome", "How to start: import the files or load the demo",
                WelcomeScreen),
    Destination("at-risk", "At risk", "The people most at risk at handover, highest first, "
                "with why", AtRiskScreen, key="a"),
    Destination("plan", "Plan", "Propose, review, override and accept the allocation",
                PlanScreen, key="p"),
    Destination("workers", "Workers", "Caseloads per worker and team: current, proposed, "
                "capacity", WorkersScreen, key="w"),
    # Later stages add one line each.
)


_SECTION_ACTIONS = frozenset({"go", "search"})


HELP_MARGIN = 3
"""Rows of the screen the keys panel leaves: the header and the bar of sections above it (its
top margin in app.tcss), the footer below."""

SHORT_TERMINAL = 30
"""Rows below which a screen is ``-short`` (Windows Terminal opens at 30, macOS's at 24)."""


class TransitionApp(App[None]):
    """The caseload transition, keyboard first."""

    TITLE = "transition"
    CSS_PATH = "app.tcss"
    # A screen shorter than SHORT_TERMINAL rows (a default 80x24 terminal) gets the class
    # "-short": screens with a table over a detail panel shrink the panel and their filters,
    # so the table keeps room for more than three rows.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-short"), (SHORT_TERMINAL, "-tall")]
    COMMANDS = App.COMMANDS | {ScreensProvider, PeopleProvider}
    MODES = {destination.name: destination.screen for destination in DESTINATIONS
             if destination.mode}
    BINDINGS = [
        # Shown in every screen's NavBar (widgets/chrome.py), so the footer keeps its room for
        # the screen's own keys.
        #
        # Priority bindings, so the app acts on a section key as it arrives, before routing
        # the next one: keys typed in a burst ("c/ash", or a script's send-keys) are each sent
        # to the widget focused when they arrive, so without this the keys after "c" or "/"
        # reached the widget that had focus before the screen changed, and were lost. A text
        # box still gets its characters (Textual leaves out bindings for keys the focused
        # widget takes), and a dialog keeps every key (check_action).
        *(Binding(destination.key, f"go('{destination.name}')", destination.title,
                  id=f"go.{destination.name}", show=False, priority=True)
          for destination in DESTINATIONS if destination.key),
        Binding("slash", "search", "Search", key_display="/", id="search", show=False,
                priority=True),
        Binding("q", "quit", "Quit", id="quit"),
        # After Quit, so at 80 columns it never pushes Quit out of the footer; shown only while
        # a notification is (check_action). Priority, so it works in a dialog too (a dialog
        # keeps every other key; no text box takes ctrl+n).
        Binding(DISMISS_KEY, "dismiss_notifications", "Dismiss", id="notifications.dismiss",
                priority=True),
        # The keys of the screen on show, every one (the footer has room for a few at 80
        # columns): "?" or F1 opens and closes the panel, escape closes it. Not priority, so a
        # text box still takes the "?" typed into it.
        Binding("question_mark", "toggle_help", "Help", key_display="?", id="help"),
        Binding("f1", "toggle_help", "Help", show=False, id="help.f1"),
        # Priority, and only while the panel shows (check_action): before the screen's own
        # escape (back, clear the search), which acts again once the panel is closed.
        Binding("escape", "hide_help_panel", "Close help", show=False, priority=True,
                id="help.close"),
    ]

    def __init__(self, settings: Settings, database: Database, *, owns_database: bool = False):
        super().__init__()
        self.settings = settings
        self.database = database
        self.owns_database = owns_database
        self.destinations = {destination.name: destination for destination in DESTINATIONS}
        self.data_version = 0
        """Goes up when something (an import) changed the data; screens reload when shown."""
        self.sub_title = settings.council.name
        self._rules: Rules | None = None

    @property
    def rules(self) -> Rules:
        """The council's rules (loaded once; a bad rules file raises RulesError, which screens
        report)."""
        if self._rules is None:
            self._rules = load_rules(self.settings.rules_file,
                                     given_by=self.settings.rules_file_given_by)
        return self._rules

    def on_mount(self) -> None:
        with self.database.session() as session:
            empty = database_is_empty(session)
            # On a demo database, letters and reports default to the demo's own folder.
            use_demo_files(self.settings, session)
        self.switch_mode("welcome" if empty else "dashboard")
        if self.database.last_upgrade is not None:
            self.notify(self.database.last_upgrade.describe(self.database.describe()),
                        title="Database upgraded")

    def on_unmount(self) -> None:
        if self.owns_database:
            self.database.dispose()

    def data_changed(self) -> None:
        self.data_version += 1

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing handled ends the app, as in Textual, but with the CLI's message
        (:func:`transition.cli.unexpected`): the type only. Textual's own report is a
        traceback with each frame's local variables, which on these screens are people's
        names, NHS numbers and notes; ``TRANSITION_DEBUG=1`` shows it, as the CLI does."""
        if os.environ.get("TRANSITION_DEBUG"):
            super()._handle_exception(error)
            return
        self._return_code = 1
        if self._exception is None:  # a test's pilot raises it again, as Textual does
            self._exception = error
            self._exception_event.set()
        self.panic(Text(
            f"transition stopped unexpectedly ({type(error).__name__}). Anything saved before "
            "it stopped is kept; a change in progress was rolled back. Run it again with "
            "TRANSITION_DEBUG=1 to see the details, and report it to the team that supports "
            "transition (the details may quote people's data: share them only as the "
            "council's data protection procedure allows)."))

    # -- going places ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_notifications":  # only while there is one to dismiss
            return len(self._notifications) > 0  # Textual's own list: it forgets expired ones
        if action == "hide_help_panel":  # escape closes the keys panel, and only that
            return self._help_showing()
        # A dialog (a confirmation, a choice, the palette) keeps its keys until it closes,
        # as it would for bindings that are not priority.
        if action in _SECTION_ACTIONS and self.screen.is_modal:
            return False
        # A text box takes the "/" typed into it (a path, a date): Textual leaves out a
        # binding for a key the focused widget takes, but does not know "slash" is "/".
        return not (action == "search" and self.focused is not None
                    and self.focused.check_consume_key("slash", "/"))

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A notification, staying as long as its severity and length call for
        (:func:`transition.screens.base.notice_seconds`: callers give no ``timeout``). Safe
        from a worker's thread, as Textual's is."""
        if timeout is None:
            timeout = notice_seconds(severity, message, title)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        self.call_later(self._notifications_changed, timeout)

    def _notifications_changed(self, timeout: float) -> None:
        """Show the dismiss key in the footer now, and take it away once this one expires."""
        self._refresh_dismiss_key()
        self.set_timer(timeout + 0.1, self._refresh_dismiss_key)

    def _refresh_dismiss_key(self) -> None:
        try:
            self.screen.refresh_bindings()
        except ScreenStackError:
            return  # no screen yet, or none any more (the app is closing): no footer to change

    def clear_notifications(self) -> None:
        super().clear_notifications()
        self._refresh_dismiss_key()  # the dismiss key goes from the footer with them

    def _unnotify(self, notification: Notification, refresh: bool = True) -> None:
        # Textual's Toast calls this when it is clicked away (and when it expires): without
        # it, the dismiss key stayed in the footer until a clicked notification would have
        # expired (its timer, in _notifications_changed).
        super()._unnotify(notification, refresh=refresh)
        self._refresh_dismiss_key()

    def action_dismiss_notifications(self) -> None:
        self.clear_notifications()

    # -- help ------------------------------------------------------------------------------

    def _help_showing(self) -> bool:
        try:
            return bool(self.screen.query("HelpPanel"))
        except ScreenStackError:
            return False

    def action_toggle_help(self) -> None:
        """``?`` or F1: Textual's keys panel (the palette's "Keys"), or away again."""
        if self._help_showing():
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        super().action_show_help_panel()
        self.call_after_refresh(self._fit_help)
        self.call_after_refresh(self._refresh_dismiss_key)  # escape now closes it

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_help)

    def _fit_help(self) -> None:
        """The keys panel between the bar of sections and the footer (app.tcss puts it there,
        over the screen's right side): as tall as the screen but for them. CSS cannot say
        that of a docked widget with margins: 1fr or 100% is the whole screen's height."""
        try:
            panels = self.screen.query(HelpPanel)
        except ScreenStackError:
            return
        for panel in panels:
            panel.styles.height = max(self.screen.size.height - HELP_MARGIN, 1)

    def action_hide_help_panel(self) -> None:
        super().action_hide_help_panel()
        self.call_after_refresh(self._refresh_dismiss_key)

    def go(self, name: str) -> AwaitMount | None:
        """Show a section (switching mode) or push a detail screen over the current one.
        Returns what to await for the screen to be mounted (None: already there)."""
        destination = self.destinations[name]
        if destination.mode:
            return self.switch_mode(name)
        screen = destination.screen()
        if type(self.screen) is type(screen):
            return None  # already there
        return self.push_screen(screen)

    async def action_go(self, name: str) -> None:
        """A section key: :meth:`go`, waiting until the screen is mounted (and has its focus)
        so the keys typed after this one reach it (see BINDINGS)."""
        mounted = self.go(name)
        if mounted is not None:
            await mounted

    def open_person(self, person_id: int) -> None:
        self.push_screen(PersonScreen(person_id))

    def show_caseload(self, **filters: object) -> None:
        """The caseload section, showing only people matching ``filters`` (team=, ...)."""
        self.switch_mode("caseload")
        self.call_after_refresh(self._filter_caseload, filters)

    def _filter_caseload(self, filters: dict[str, object]) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        base = self.screen_stack[0]
        if isinstance(base, CaseloadScreen):
            base.show(**filters)

    def show_plan(self, **filters: object) -> None:
        """The plan section, showing only rows matching ``filters`` (staff_id=, team=)."""
        self.switch_mode("plan")
        self.call_after_refresh(self._filter_plan, filters)

    def _filter_plan(self, filters: dict[str, object]) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        base = self.screen_stack[0]
        if isinstance(base, PlanScreen):
            base.show(**filters)

    def show_tasks(self, *, person_id: int | None = None, overdue_only: bool = False) -> None:
        """The tasks section, showing only one person's tasks and/or only overdue ones."""
        self.switch_mode("tasks")
        self.call_after_refresh(self._filter_tasks, person_id, overdue_only)

    def _filter_tasks(self, person_id: int | None, overdue_only: bool) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        base = self.screen_stack[0]
        if isinstance(base, TasksScreen):
            base.show(person_id=person_id, overdue_only=overdue_only)

    async def action_search(self) -> None:
        """The caseload, with the focus in its search box before the next key is routed."""
        await self.switch_mode("caseload")
        self._focus_search()

    def _focus_search(self) -> None:
        base = self.screen_stack[0]
        if isinstance(base, CaseloadScreen):
            while len(self.screen_stack) > 1:
                self.pop_screen()
            base.action_search()

    # -- leaving ---------------------------------------------------------------------------

    def _running_import(self) -> ImportScreen | None:
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, ImportScreen) and screen.running:
                    return screen
        return None

    def _writing_letters(self) -> LettersScreen | None:
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, LettersScreen) and screen.running:
                    return screen
        return None

    async def action_quit(self) -> None:
        writing = self._writing_letters()
        if writing is not None:
            def stop_writing(stop: bool | None) -> None:
                if stop:
                    writing.stop_writing()
                    self.exit()

            self.push_screen(
                ConfirmScreen("Letters are being written. Stop and quit?",
                              detail="None of the letters from this run will be kept.",
                              yes="Stop and quit", no="Keep going"),
                stop_writing,
            )
            return
        importing = self._running_import()
        if importing is None:
            self.exit()
            return

        def answered(stop: bool | None) -> None:
            if stop:
                importing.stop_import()
                self.exit()

        self.push_screen(
            ConfirmScreen("An import is running. Stop it and quit?",
                          detail="Nothing from this import will be saved.",
                          yes="Stop and quit", no="Keep going"),
            answered,
        )


def make_app(settings: Settings, *, database: Database | None = None) -> TransitionApp:
    """The app on ``database`` (or the one the settings name, created or upgraded)."""
    if database is not None:
        return TransitionApp(settings, database)
    return TransitionApp(settings, Database.from_settings(settings), owns_database=True)
