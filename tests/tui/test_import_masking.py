"""The import screen shows a rejected row's NHS number as the CLI's summary does: masked to its
last four digits, or "(not a number)" for a cell that may hold anything (a name shifted into
the column). All data is synthetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import drive
from tests.tui.test_import_real import run_import


def shown(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def test_rejected_and_warned_rows_show_nhs_numbers_masked(tui_database, app_on,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "caseload.csv"
    path.write_text(
        "NHS Number,Forename,Surname,DOB,Gender\n"
        "999 100 0046,Di,Dale,31/02/1983,F\n"  # a date that does not exist: rejected
        "Ashdown,Robin,01/02/1980,,F\n"  # every value one column to the left: rejected
        "9991000003,Ann,Able,01/02/1980,Q\n"  # imported, with a warning about the gender
    )
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await run_import(pilot, "caseload", path)
        rejects = shown(screen.query_one("#import-rejects", DataTable))
        keys = [row[1] for row in rejects if row[0]]
        assert keys == ["******0046", "(not a number)"]
        warnings = shown(screen.query_one("#import-warnings", DataTable))
        assert [row[1] for row in warnings if row[0]] == ["******0003"]
        every_cell = " ".join(" ".join(row) for row in rejects + warnings)
        for raw in ("999 100 0046", "9991000046", "Ashdown", "999 100 0003"):
            assert raw not in every_cell

    drive(app, scenario)
