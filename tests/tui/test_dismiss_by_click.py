"""A notification clicked away takes the dismiss key from the footer at once: it used to stay
there until the clicked notification would have expired (an error: 15 seconds)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets._toast import Toast

from tests.tui.conftest import settle
from tests.tui.test_notification_times import SHORT, footer_keys
from transition.app import TransitionApp
from transition.db import Database


def drive_with_toasts(app: TransitionApp,
                      scenario: Callable[[Pilot[Any]], Awaitable[None]]) -> None:
    """As tests.tui.conftest.drive, with notifications shown as toasts (``run_test`` leaves
    them out unless asked), so that one can be clicked."""

    async def main() -> None:
        async with app.run_test(size=SHORT, notifications=True) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def _toasts(pilot: Pilot[Any]) -> list[Toast]:
    return list(pilot.app.screen.query(Toast))


async def _click_toast(pilot: Pilot[Any], title: str) -> None:
    [toast] = [toast for toast in _toasts(pilot) if toast._notification.title == title]
    await pilot.click(toast)
    await settle(pilot)


def test_clicking_the_last_notification_away_takes_dismiss_from_the_footer(
    tui_database: Database, app_on
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.clear_notifications()
        await settle(pilot)
        app.notify("The database is busy. Try again in a minute.", title="Not saved",
                   severity="error")  # 15 seconds: far longer than this test waits
        app.notify("Pathway set to assess.", title="Saved", severity="warning")
        await settle(pilot)
        assert "Dismiss" in footer_keys(app)
        await _click_toast(pilot, "Saved")
        assert [n.title for n in app._notifications] == ["Not saved"]
        assert "Dismiss" in footer_keys(app)  # one is still showing
        await _click_toast(pilot, "Not saved")
        assert len(app._notifications) == 0 and _toasts(pilot) == []
        assert "Dismiss" not in footer_keys(app)
        assert "Quit" in footer_keys(app)

    drive_with_toasts(app, scenario)

