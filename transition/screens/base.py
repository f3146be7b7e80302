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


def database_words(database: Database, error: BaseException | None) -> str | None:
    """What went wrong with the database and what to do, in the words every command uses for a
    database it cannot use (:meth:`Database.known_failure`: busy, a clash, or the driver's
    first line for a failure of a kind those words know). None for any other error: its text
    (even the driver's first line) may quote the statement or a person's data, so the caller
    shows only the error's type."""
    known = None if error is None else database.known_failure(error)
    return None if known is None else f"{known.message} {known.hint or ''}".strip()


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
            # only the kind of failure is shown, unless it is one the database's words know.
            self.notify(database_words(self.database, exc)
                        or f"{type(exc).__name__} on {self.database.describe()}. {then}",
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
