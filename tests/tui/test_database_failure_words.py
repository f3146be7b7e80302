"""A database failure in the app is said in the words every command uses for a database it
cannot use (busy, a clash, or the driver's first line with what to do), never the statement,
its parameters or a person's data; a failure whose words those do not know shows only its type.

Faults are injected by replacing the domain call a screen makes with one that raises what
SQLAlchemy raises: the statement and parameters quote a person, and so, after the driver's
first line, does the driver's own text (libpq's DETAIL lines)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.test_import_screen import a_file, open_import, result_text  # noqa: F401
from transition.db import Database
from transition.models import CheckRun
from transition.screens import imports
from transition.screens.base import database_words
from transition.screens.caseload import CaseloadScreen
from transition.screens.dashboard import DashboardScreen
from transition.screens.workers import WorkersScreen

PERSON = "Alice Ashworth"
STATEMENT = "SELECT person.given_name FROM person WHERE person.family_name = ?"
PARAMETERS = {"family_name": "Ashworth", "nhs_number": "9990000018"}
# What must never reach the screen: the statement, its parameters, the driver's later lines.
HIDDEN = ("Ashworth", "9990000018", "SELECT", "given_name", "DETAIL")


def fault(error: type[DBAPIError], driver_says: str) -> DBAPIError:
    return error(STATEMENT, PARAMETERS, Exception(
        f"{driver_says}\nDETAIL:  Key (family_name)=(Ashworth) is {PERSON}."))


def raising(error: BaseException) -> Any:
    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise error
    return failing


def nothing_hidden(texts: list[str]) -> bool:
    return not any(words in text for text in texts for words in HIDDEN)


# -- the words, once: what each kind of failure says -------------------------------------------

KINDS = [
    pytest.param(OperationalError, "disk I/O error",
                 ["could not be used: disk I/O error.", "SQLite could not read or write"],
                 id="disk fault"),
    pytest.param(DatabaseError, "database disk image is malformed",
                 ["could not be used: database disk image is malformed.",
                  "The database file is damaged", "transition db check"],
                 id="damaged file (sqlite3.DatabaseError, not an OperationalError)"),
    pytest.param(OperationalError, "attempt to write a readonly database",
                 ["could not be used: attempt to write a readonly database.",
                  "is read-only to you"], id="read-only"),
    pytest.param(OperationalError, "database is locked",
                 ["The database is busy", "Try again in a minute"], id="busy"),
    pytest.param(OperationalError, "deadlock detected",
                 ["clashed with another user's work", "Try again"], id="clash"),
    pytest.param(OperationalError, "server closed the connection unexpectedly",
                 ["could not be used: server closed the connection unexpectedly.",
                  "The PostgreSQL server did not answer"], id="server gone"),
]
UNKNOWN = [
    pytest.param(OperationalError, "no such column: person.given_name = 'Sam'",
                 id="could quote the statement"),
    pytest.param(IntegrityError, "UNIQUE constraint failed: person.nhs_number",
                 id="a constraint"),
]


@pytest.mark.parametrize(("error", "driver_says", "shown"), KINDS)
def test_a_known_failure_is_said_in_the_commands_words(
    tui_database: Database, error: type[DBAPIError], driver_says: str, shown: list[str]
) -> None:
    said = database_words(tui_database, fault(error, driver_says))
    assert said is not None
    assert all(words in said for words in shown), said
    assert nothing_hidden([said])
    assert said == database_words(tui_database, fault(error, driver_says))  # its own words


@pytest.mark.parametrize(("error", "driver_says"), UNKNOWN)
def test_any_other_failure_has_no_words_so_only_its_type_is_shown(
    tui_database: Database, error: type[DBAPIError], driver_says: str
) -> None:
    assert database_words(tui_database, fault(error, driver_says)) is None
    assert database_words(tui_database, ValueError("disk I/O error")) is None  # not the driver
    assert database_words(tui_database, None) is None


# -- the check panel: k -------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "driver_says", "shown"), KINDS)
def test_k_says_why_the_check_failed_and_what_to_do(
    populated, app_on, monkeypatch, error: type[DBAPIError], driver_says: str,
    shown: list[str],
) -> None:
    monkeypatch.setattr("transition.screens.check_panel.run_check",
                        raising(fault(error, driver_says)))
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("k")
        await settle(pilot)
        said = [message for message in notifications(app) if "Checking" not in message]
        assert len(said) == 1 and app.is_running
        assert all(words in said[0] for words in shown), said
        assert "The check did not finish and its findings were not recorded." in said[0]
        assert "OperationalError" not in said[0] and nothing_hidden(said)

    drive(app, scenario)


@pytest.mark.parametrize(("error", "driver_says"), UNKNOWN)
def test_k_shows_only_the_type_of_a_failure_whose_words_could_quote_data(
    populated, app_on, monkeypatch, error: type[DBAPIError], driver_says: str
) -> None:
    monkeypatch.setattr("transition.screens.check_panel.run_check",
                        raising(fault(error, driver_says)))
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("k")
        await settle(pilot)
        said = notifications(app)
        assert f"{error.__name__} on the database. Nothing was recorded." in said, said
        assert nothing_hidden(said) and "Sam" not in " ".join(said)

    drive(app, scenario)


def test_a_read_failing_partway_through_the_check_is_said_and_recorded_as_failed(
    populated, app_on, monkeypatch
) -> None:
    """The real run_check: the findings' read fails (a disk fault); the run is in the history
    as failed, and the panel says why in the database's words."""
    monkeypatch.setattr("transition.check_runs.collect_findings",
                        raising(fault(OperationalError, "disk I/O error")))
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("K")
        await settle(pilot)
        said = " ".join(notifications(app))
        assert f"The database at {populated.describe()} could not be used: disk I/O " in said
        assert "SQLite could not read or write" in said and nothing_hidden([said])

    drive(app, scenario)
    with populated.session() as session:
        assert [run.status for run in session.scalars(select(CheckRun))] == ["failed"]


# -- other screens whose workers catch database errors -------------------------------------------


def test_a_screen_read_failing_says_so_in_the_databases_words(populated, app_on, monkeypatch):
    """DataScreen.safely, which every screen's reload goes through."""
    from transition.screens import dashboard

    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        monkeypatch.setattr(dashboard, "overview",
                            raising(fault(DatabaseError, "file is not a database")))
        app.data_changed()
        await pilot.press("c", "d")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen) and app.is_running
        said = notifications(app)
        assert any("could not be used: file is not a database." in message
                   and "is not a SQLite database" in message for message in said), said
        assert nothing_hidden(said)

    drive(app, scenario)


@pytest.mark.parametrize(("driver_says", "shown", "hidden"), [
    # A failure the commands have words for: those words.
    ("database is locked", "Could not load the caseload: The database is busy", None),
    # One they do not: only its type, since the driver's text may quote data.
    ("no such column: person.given_name = 'Sam'",
     "Could not load the caseload: the database query failed (OperationalError)", "Sam"),
])
def test_the_caseload_status_line_says_why_it_could_not_load(
    populated, app_on, monkeypatch, driver_says: str, shown: str, hidden: str | None
) -> None:
    monkeypatch.setattr("transition.screens.caseload.list_people",
                        raising(fault(OperationalError, driver_says)))
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        status = text_of(app.screen.query_one("#status"))
        assert status.startswith(shown), status
        assert hidden is None or hidden not in status
        assert nothing_hidden([status])

    drive(app, scenario)


def test_the_what_if_says_why_it_could_not_run(plan_world, app_on, monkeypatch):
    monkeypatch.setattr("transition.screens.workers.what_if",
                        raising(fault(OperationalError, "database or disk is full")))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n", "w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkersScreen)
        screen.query_one("#workers-table", DataTable).focus()
        await pilot.press("m", "W")
        await settle(pilot)
        said = notifications(app)
        assert any("could not be used: database or disk is full." in message
                   and "is full: free some space" in message for message in said), said
        assert nothing_hidden(said) and app.is_running

    drive(app, scenario)


def test_a_failed_import_says_why_in_the_databases_words(
    populated, app_on, a_file, monkeypatch  # noqa: F811
) -> None:
    monkeypatch.setattr(imports, "run_import",
                        raising(fault(DatabaseError, "database disk image is malformed")))
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = result_text(screen)
        assert text.startswith("Nothing was imported. The database at "), text
        assert "could not be used: database disk image is malformed." in text
        assert "stopped unexpectedly" not in text and nothing_hidden([text])
        assert app.is_running and app.data_version == 0

    drive(app, scenario)
