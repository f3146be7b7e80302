"""The equality screen says when it shows exact counts (status review).

After `x` the screen showed every small count with nothing on it to say so: a manager
sharing their screen, or copying the tables into a paper, could not tell them from the
report made to be shared (the saved file and `--exact` CSV said so; the screen did not)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.conftest import drive, settle, text_of
from transition.screens.equality import EqualityScreen

EXACT = "Exact counts, small ones included: for the council's own use, not for sharing."


def test_exact_counts_are_said_first_on_an_80_by_24_screen(populated, app_on) -> None:
    app = app_on(populated)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EqualityScreen)
        report = app.screen.query_one("#equality-report")
        shown.append(" ".join(text_of(report).split()))
        await pilot.press("x")
        await settle(pilot)
        shown.append(" ".join(text_of(report).split()))
        # First in the report, and the report starts at the top of the 80x24 screen.
        assert app.screen.query_one("#equality").scroll_y == 0
        await pilot.press("x")
        await settle(pilot)
        shown.append(" ".join(text_of(report).split()))

    drive(app, scenario, size=(80, 24))
    shared, exact, shared_again = shown
    assert EXACT not in shared and EXACT not in shared_again
    assert exact.startswith(EXACT), exact[:200]
