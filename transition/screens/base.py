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


# -- how long a notification stays ------------------------------------------------------------
# Every notification's time comes from here (TransitionApp.notify), never from its caller: a
# notice is read in passing, a warning asks for a check, an error says what failed and what to
# do. A notification covers part of the screen (at 80 columns, up to half its width), so none
# stays long; DISMISS_KEY (or a click) takes them all away at once.

NOTICE_SECONDS: dict[str, float] = {"information": 6.0, "warning": 10.0, "error": 15.0}
"""How long a notification of each severity stays, at least."""

READING_WORDS_PER_SECOND = 4.0
"""A longer notification (a summary of what was done) stays long enough to be read at this
pace, about 240 words a minute ..."""

LONGEST_NOTICE_SECONDS = 20.0
"""... up to this, whatever its severity and length."""

DISMISS_KEY = "ctrl+n"
"""Takes every notification showing away (the footer shows it while one is showing)."""


def notice_seconds(severity: str, message: str, title: str = "") -> float:
    """How long a notification stays: its severity's :data:`NOTICE_SECONDS`, or the time to
    read its title and message when that is longer, up to :data:`LONGEST_NOTICE_SECONDS`."""
    least = NOTICE_SECONDS.get(severity, NOTICE_SECONDS["information"])
    reading = len(f"{title} {message}".split()) / READING_WORDS_PER_SECOND
    return max(least, min(reading, LONGEST_NOTICE_SECONDS))


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
                        title=title, severity="error")
        except SQLAlchemyError as exc:
            # The driver's text may quote data (a person's name, the value that failed), so
            # only the kind of failure is shown, unless it is one the database's words know.
            self.notify(database_words(self.database, exc)
                        or f"{type(exc).__name__} on {self.database.describe()}. {then}",
                        title=title, severity="error")
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
