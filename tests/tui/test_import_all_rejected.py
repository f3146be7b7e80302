"""An import whose every row is rejected imports nothing (`transition import` exits 2 for it):
the Import screen shows it as an error and says so first, not as an import that went ahead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.conftest import drive, notifications, text_of
from tests.tui.test_import_messy import HEADER, import_file, people_and_imports
from transition.db import Database

# NHS numbers whose check digit is wrong: every row is rejected.
BAD_ROWS = "9990000019,Ann,Ashdown,03/04/1980\n9990000027,Bob,Birch,04/05/1981\n"


def imported(app: Any, path: Path) -> dict[str, Any]:
    """Import ``path`` as a caseload on the screen: whether the result is styled as an error,
    its lines, and the notifications."""
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, "caseload", path)
        result = screen.query_one("#result", Static)
        seen["error"] = result.has_class("-error")
        seen["lines"] = text_of(result).splitlines()
        seen["notes"] = notifications(app)

    drive(app, scenario)
    return seen


def test_every_row_rejected_is_shown_as_an_error_that_says_nothing_was_imported(
        tui_database: Database, app_on, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text(HEADER + BAD_ROWS, encoding="utf-8")
    seen = imported(app_on(tui_database), path)
    assert seen["error"], "every row rejected is styled as an error"
    first = seen["lines"][0]
    assert first.startswith("Nothing was imported: every row was rejected"), first
    assert "wrong.csv: 2 rows: 0 new" in " ".join(seen["lines"])
    assert any("nothing imported" in note for note in seen["notes"]), seen["notes"]
    assert people_and_imports(tui_database)[0] == 0


def test_some_rows_rejected_is_not_an_error(tui_database: Database, app_on,
                                            tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + BAD_ROWS + "9990000018,Cy,Cedar,05/06/1982\n", encoding="utf-8")
    seen = imported(app_on(tui_database), path)
    assert not seen["error"]
    assert "\n".join(seen["lines"]).startswith("mixed.csv: 3 rows: 1 new")
    assert "Nothing was imported" not in "\n".join(seen["lines"])
