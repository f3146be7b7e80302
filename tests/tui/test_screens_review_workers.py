"""The workers screen as a team manager reads it: the bars fit an 80-column terminal, a worker
who leaves before the transfer date adds no places after it, a worker over capacity says by
how much, the list sorts, and an empty database says what to do."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import drive, settle, text_of
from tests.tui.plan_data import TRANSFER
from tests.tui.test_plan_screens import open_workers, proposed
from tests.tui.test_short_terminal import SHORT, more_teams
from transition.models import Staff
from transition.screens.workers import WorkersScreen


def cells(table: DataTable[Any], key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


def fits(table: DataTable[Any]) -> bool:
    return table.virtual_size.width <= table.scrollable_content_region.width


def test_the_bars_fit_an_80_column_terminal(plan_world, app_on) -> None:
    more_teams(plan_world)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        screen = await open_workers(pilot)
        for name in ("#teams-table", "#workers-table"):
            table = screen.query_one(name, DataTable)
            seen[name] = (fits(table), table.shown_keys)  # type: ignore[attr-defined]

    drive(app_on(plan_world), scenario, size=SHORT)
    for name, (fitted, keys) in seen.items():
        assert fitted, f"{name}: columns go off the right edge at 80 columns: {keys}"
        assert {"current", "proposed"} <= set(keys), keys
    assert "note" in seen["#workers-table"][1]  # why a worker is not available, or their room


def test_a_worker_leaving_before_the_transfer_adds_no_places_after_it(plan_world,
                                                                      app_on) -> None:
    """Sam Reid (capacity 2) leaves before the transfer date: North Council's proposed bar is
    out of the 7 places left (4 + 3), not 9, and Sam's own proposed cell says he is leaving
    rather than showing 2 free places."""
    leaving = date(TRANSFER.year, TRANSFER.month - 1, 15)
    with plan_world.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "SW3")
                        .values(leaving_date=leaving))
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        screen = await open_workers(pilot)
        teams = screen.query_one("#teams-table", DataTable)
        workers = screen.query_one("#workers-table", DataTable)
        seen["team"] = cells(teams, "North Council")
        seen["sam"] = cells(workers, "SW3")
        seen["summary"] = " ".join(text_of(screen.query_one("#workers-summary")).split())

    drive(app_on(plan_world), scenario)
    team, sam = seen["team"], seen["sam"]
    assert team[2].endswith("/9"), team  # now: Sam is still here
    assert team[3].endswith("/7"), team  # after the transfer: he is not
    assert sam[2].endswith(" 0/2"), sam
    assert "/2" not in sam[3] and "leaving" in sam[3], sam
    assert "leaving on" in sam[5], sam
    # 4 + 3 + 2 + Ben Carter's 4 now; 2 fewer after the transfer.
    assert "capacity 13 now, 11 after the transfer" in seen["summary"], seen["summary"]


def test_a_worker_over_capacity_says_by_how_much(plan_world, app_on) -> None:
    """Ana Okafor coordinates three people; with a capacity of 2 she is one over, not '-1
    free'."""
    with plan_world.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "SW1").values(capacity=2))
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_workers(pilot)
        workers = screen.query_one("#workers-table", DataTable)
        seen["ana"] = cells(workers, "SW1")
        seen["summary"] = " ".join(text_of(screen.query_one("#workers-summary")).split())

    drive(app_on(plan_world), scenario)
    assert seen["ana"][2].endswith(" 3/2"), seen["ana"]
    assert seen["ana"][5] == "1 over capacity", seen["ana"]
    assert "1 over capacity" in seen["summary"]


def test_s_sorts_the_workers_by_name_then_fullest_first(plan_world, app_on) -> None:
    seen: dict[str, list[str]] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_workers(pilot)
        workers = screen.query_one("#workers-table", DataTable)
        workers.focus()

        def order() -> list[str]:
            return [str(key.value) for key in workers.rows]

        seen["first"] = order()
        for name in ("name", "fullest", "back"):
            await pilot.press("s")
            await settle(pilot)
            seen[name] = order()
            seen[f"{name} summary"] = [text_of(screen.query_one("#workers-summary"))]

    drive(app_on(plan_world), scenario)
    assert seen["first"] == ["KW1", "SW1", "SW2", "SW3"]  # by staff id
    # Ana Okafor, Ben Carter, Chloe Evans, Sam Reid
    assert seen["name"] == ["SW1", "KW1", "SW2", "SW3"]
    assert "sorted by name" in seen["name summary"][0]
    # Ana 3/4 (75%), Chloe 2/3 (67%), Ben 2/4 (50%), Sam 0/2
    assert seen["fullest"] == ["SW1", "SW2", "KW1", "SW3"]
    assert "fullest first" in seen["fullest summary"][0]
    assert seen["back"] == seen["first"]


def test_no_staff_list_yet_says_what_to_do(tui_database, app_on) -> None:
    seen: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("w")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, WorkersScreen)
        seen.append(" ".join(text_of(screen.query_one("#workers-summary")).split()))

    drive(app_on(tui_database), scenario)
    assert "No staff list has been imported yet" in seen[0] and "press i" in seen[0], seen[0]
