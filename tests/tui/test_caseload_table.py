"""The caseload table: search as you type (debounced), sort by column, page in SQL."""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import insert
from textual.pilot import Pilot

from tests.factories import ensure_place, nhs_numbers
from tests.tui.conftest import drive, settle
from transition.db import Database
from transition.models import Person
from transition.widgets.caseload_table import CaseloadTable


async def open_caseload(pilot: Pilot[Any]) -> CaseloadTable:
    await pilot.press("c")
    await settle(pilot)
    return pilot.app.screen.query_one(CaseloadTable)


def names(table: CaseloadTable) -> list[str]:
    return [row.family_name for row in table.rows]


def test_search_filters_as_you_type_after_a_pause(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        assert table.total == 24 and table.table.row_count == 24
        table.search_delay = 3600  # typing alone must not query until the pause is over
        await pilot.press("slash", *"ash")
        await settle(pilot)
        assert table.query.search is None and table.total == 24
        table.apply_search()  # as when the pause ends
        await settle(pilot)
        assert table.query.search == "ash"
        assert names(table) == ["Ashworth", "Rashid"]
        assert table.table.row_count == 2
        assert 'Showing 1-2 of 2 people' in table.describe()
        assert 'search "ash"' in table.describe()

    drive(app, scenario)


def test_search_with_no_delay_and_by_nhs_number(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        table.search_delay = 0
        await pilot.press("slash", *"999 000 0026")
        await settle(pilot)
        assert names(table) == ["Baines"]
        await pilot.press(*"x")
        await settle(pilot)
        assert table.total == 0 and table.table.row_count == 0
        assert table.describe().startswith("No one matches")
        await pilot.press("enter", "escape")  # enter moves to the table; escape clears
        await settle(pilot)
        assert table.query.search is None and table.total == 24
        assert table.query_one("#search").value == ""  # type: ignore[attr-defined]

    drive(app, scenario)


def test_sort_cycles_columns_and_reverses(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        assert table.query.sort == "family_name" and names(table)[0] == "Ashworth"
        assert str(table.table.columns["name"].label) == "Name ▲"
        await pilot.press("r")
        await settle(pilot)
        assert table.query.descending and names(table)[0] == "Yates"
        assert str(table.table.columns["name"].label) == "Name ▼"
        await pilot.press("s")  # next sortable column: date of birth, ascending
        await settle(pilot)
        assert table.query.sort == "date_of_birth" and not table.query.descending
        births = [row.date_of_birth for row in table.rows]
        assert births == sorted(births)
        assert "sorted by date of birth" in table.describe()
        table.sort_by("team")  # as a click on the Team heading
        await settle(pilot)
        teams = [row.team for row in table.rows]
        assert teams == sorted(teams)
        table.sort_by("team")  # the same heading again reverses
        await settle(pilot)
        assert [row.team for row in table.rows] == sorted(teams, reverse=True)

    drive(app, scenario)


def test_clicking_a_heading_sorts(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        await pilot.click("#people", offset=(3, 0))  # the NHS number heading
        await settle(pilot)
        assert table.query.sort == "nhs_number"
        numbers = [row.nhs_number for row in table.rows]
        assert numbers == sorted(numbers)

    drive(app, scenario)


def add_people(database: Database, how_many: int) -> None:
    """Many people at once (Core insert, as the importer writes them)."""
    with database.transaction() as session:
        ensure_place(session, "North CMHT", "North", "trust")
        rows = [
            {
                "nhs_number": number, "given_name": "Pat", "family_name": f"Person{index:05d}",
                "date_of_birth": date(1960, 1, 1), "team": "North CMHT", "locality": "North",
                "content_hash": "x",
            }
            for index, number in enumerate(islice(nhs_numbers(), how_many))
        ]
        session.execute(insert(Person), rows)


def test_5000_people_render_only_a_window_and_page(tui_database, app_on) -> None:
    add_people(tui_database, 5_000)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        assert table.total == 5_000
        assert table.table.row_count == 200  # only the window is in the widget
        assert table.describe().startswith("Showing 1-200 of 5,000 people")
        assert names(table)[0] == "Person00000"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table.describe().startswith("Showing 201-400 of 5,000 people")
        assert names(table)[0] == "Person00200" and table.table.row_count == 200
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table.query.offset == 0
        await pilot.press("left_square_bracket")  # nothing before the first page
        await settle(pilot)
        assert table.query.offset == 0
        await pilot.press("right_curly_bracket")
        await settle(pilot)
        assert table.describe().startswith("Showing 4,801-5,000 of 5,000 people")
        assert names(table)[-1] == "Person04999"
        await pilot.press("right_square_bracket")  # nothing after the last page
        await settle(pilot)
        assert table.query.offset == 4_800
        await pilot.press("left_curly_bracket")
        await settle(pilot)
        assert table.query.offset == 0
        table.search_delay = 0
        await pilot.press("slash", *"person0499")  # a search starts again at the first page
        await settle(pilot)
        assert table.total == 10 and table.query.offset == 0

    drive(app, scenario)


def test_typing_during_a_slow_query_runs_only_the_newest_search(populated, app_on) -> None:
    """Queries cannot be stopped half-way: later requests wait, and only the newest runs."""
    import threading

    app = app_on(populated)
    gate = threading.Event()
    asked: list[str | None] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        fetch = table.fetch

        def slow_fetch(query):
            asked.append(query.search)
            gate.wait(5)
            return fetch(query)

        table.fetch = slow_fetch
        table.search_delay = 0
        await pilot.press("slash", "a")  # starts a query that is held at the gate
        for _ in range(200):  # until the worker thread has picked it up
            if asked:
                break
            await pilot.pause()
        await pilot.press(*"sh")  # two more searches asked for while it runs
        assert asked == ["a"]
        gate.set()
        await settle(pilot)
        assert asked == ["a", "ash"]  # "as" was overtaken before it ever ran
        assert names(table) == ["Ashworth", "Rashid"]

    drive(app, scenario)
