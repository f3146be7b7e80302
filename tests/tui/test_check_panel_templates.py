"""The dashboard's `k` runs the check with the settings' letter templates folder, as `transition
check` does: a council template that stops `letters generate` is in the Last check box."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import drive, settle
from transition.app import make_app
from transition.config import Settings
from transition.db import Database
from transition.models import CheckFinding, CheckRun
from transition.screens.check_panel import CheckFindingsPanel


def _recorded(database: Database) -> list[str]:
    with database.session() as session:
        [run_id] = session.scalars(select(CheckRun.id)).all()
        return list(session.scalars(select(CheckFinding.message).where(
            CheckFinding.run_id == run_id, CheckFinding.code == "bad_letter_templates")))


def test_chk7_k_checks_the_settings_templates_folder(
    populated: Database, sqlite_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "gp.html.j2").write_text("<p>{{ gp.practice_name }</p>\n", encoding="utf-8")
    app = make_app(sqlite_settings.model_copy(update={"letter_templates_dir": folder}),
                   database=populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("k")
        await settle(pilot)
        [message] = _recorded(populated)
        assert "gp.html.j2" in message and "line 1 has a syntax error" in message
        table = app.screen.query_one(CheckFindingsPanel).query_one("#check-codes", DataTable)
        assert "bad_letter_templates" in [str(key.value) for key in table.rows]

    drive(app, scenario)


def test_chk7_k_without_a_folder_checks_no_templates(
    populated: Database, sqlite_settings: Settings
) -> None:
    app = make_app(sqlite_settings, database=populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("k")
        await settle(pilot)
        assert _recorded(populated) == []

    drive(app, scenario)
