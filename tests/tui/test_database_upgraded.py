"""The app opened on a database an earlier transition used: it upgrades it (a copy taken
first, as every command does) and says so on screen, with where the copy is."""

from __future__ import annotations

from tests.cli.test_db_upgrade_copy import _behind, _copies, _said
from tests.conftest import sqlite_path
from tests.tui.conftest import drive
from transition.app import make_app
from transition.config import Settings
from transition.db import Database


def test_the_app_opened_on_a_database_behind_says_it_upgraded_it(
        sqlite_settings: Settings) -> None:
    database = Database.from_settings(sqlite_settings)
    behind = _behind(database)
    app = make_app(sqlite_settings)  # opens and upgrades it, as `transition` does
    path = sqlite_path(sqlite_settings.resolved_database_url)
    assert path is not None

    async def scenario(pilot: object) -> None:
        [notice] = [n for n in app._notifications if n.title == "Database upgraded"]
        said = _said(notice.message)
        assert f"from schema {behind}" in said
        [copy] = _copies(path.parent)
        assert f"A copy from before the upgrade is at {copy}" in said

    drive(app, scenario)
