"""What every screen shares: the database, the settings, and reloading when the data changed.

The app keeps a ``data_version`` that goes up whenever something (an import) changes the data.
A screen that is shown again after that reloads itself once; otherwise it keeps what it has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.exc import SQLAlchemyError
from textual.binding import Binding
from textual.screen import Screen

from transition.config import Settings
from transition.db import Database
from transition.errors import TransitionError

if TYPE_CHECKING:
    from transition.app import TransitionApp


class DataScreen(Screen[Any]):
    """A screen showing data from the database; ``reload()`` fills it."""

    _shown_version: int = -1

    @property
    def transition(self) -> TransitionApp:
        return cast("TransitionApp", self.app)

    @property
    def database(self) -> Database:
        return self.transition.database

    @property
    def settings(self) -> Settings:
        return self.transition.settings

    def today(self) -> date:
        return self.settings.today()

    def on_screen_resume(self) -> None:
        if self._shown_version != self.transition.data_version:
            self._shown_version = self.transition.data_version
            self.safely(self.reload)

    def safely(self, read: Callable[[], None], *, title: str = "Could not read the database",
               then: str = "Check the database is reachable, then come back to this screen.",
               ) -> bool:
        """Run ``read``; if the database fails, say so in a notification instead of crashing.

        For a write, give the notification's ``title`` ("Not saved") and what to do
        (``then``)."""
        try:
            read()
        except TransitionError as exc:
            self.notify(f"{exc.message} {exc.hint or ''}".strip(),
                        title=title, severity="error", timeout=15)
        except SQLAlchemyError as exc:
            # The driver's text may quote data (a person's name, the value that failed), so
            # only the kind of failure is shown.
            self.notify(f"{type(exc).__name__} on {self.database.describe()}. {then}",
                        title=title, severity="error", timeout=15)
        else:
            return True
        self._shown_version = -1  # try again next time the screen is shown
        return False

    def reload(self) -> None:
        """Read what the screen shows from the database (override)."""


class DetailScreen(DataScreen):
    """A screen pushed on top of a section (a person, an import); escape goes back."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def action_back(self) -> None:
        self.dismiss()
