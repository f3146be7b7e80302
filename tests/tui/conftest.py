"""Fixtures for the app's tests: a SQLite database, the fixed caseload, and a driver.

Pilot tests are plain functions that run an async scenario with ``drive(app, scenario)``, so
the suite needs no async plugin. Every scenario waits for the app's workers rather than
sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget

from tests.tui.data import populate
from transition.app import TransitionApp, make_app
from transition.config import Settings
from transition.db import Database

SIZE = (120, 40)


@pytest.fixture
def tui_database(sqlite_settings: Settings) -> Iterator[Database]:
    database = Database.from_settings(sqlite_settings)
    yield database
    database.dispose()


@pytest.fixture
def populated(tui_database: Database) -> Database:
    populate(tui_database)
    return tui_database


@pytest.fixture
def app_on(sqlite_settings: Settings) -> Callable[[Database], TransitionApp]:
    def build(database: Database) -> TransitionApp:
        return make_app(sqlite_settings, database=database)

    return build


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish and every message it posted be handled. A worker still
    pending counts as unfinished.

    Textual's pilot waits for idle in steps of 20 ms (``textual._wait.SLEEP_GRANULARITY``),
    which is long enough for a screen refresh and what waits for one to run. Shorter steps
    were tried (26 November: 4 ms for keys only saved 6% of the TUI tests' time) and let a
    test read a footer before it was composed, in a clean CI run: not worth a flaky suite."""
    await pilot.pause()
    while any(not worker.is_finished for worker in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def drive(
    app: TransitionApp,
    scenario: Callable[[Pilot[Any]], Awaitable[None]],
    size: tuple[int, int] = SIZE,
) -> None:
    record_notifications(app)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def text_of(widget: Widget) -> str:
    """What a Static shows, as plain text (wide enough not to wrap)."""
    console = Console(width=200, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(widget.content)  # type: ignore[attr-defined]
    return capture.get()


@pytest.fixture
def plan_world(tui_database: Database) -> Database:
    """Nine assessed people and four workers (tests/tui/plan_data.py)."""
    from tests.tui.plan_data import populate_plan_world

    populate_plan_world(tui_database)
    return tui_database


def record_notifications(app: TransitionApp) -> None:
    """Keep every notification the app posts until :meth:`App.clear_notifications`, for
    :func:`notifications`. What is showing is not enough: a notice expires after its
    timeout, which on a loaded machine (the suite on two cores beside other work) can pass
    between the key that posted it and the assertion that reads it."""
    posted: list[str] = []
    notify, clear = app.notify, app.clear_notifications

    def notify_and_keep(message: str, *args: Any, **kwargs: Any) -> None:
        posted.append(str(message))
        notify(message, *args, **kwargs)

    def clear_both() -> None:
        posted.clear()
        clear()

    app.notify = notify_and_keep  # type: ignore[method-assign]
    app.clear_notifications = clear_both  # type: ignore[method-assign]
    app._posted_for_tests = posted  # type: ignore[attr-defined]


def notifications(app: TransitionApp) -> list[str]:
    """The messages of the notifications the app posted since it started or last cleared
    them (:func:`record_notifications`, which :func:`drive` installs), shown or expired;
    for an app not driven by :func:`drive`, those it is showing."""
    posted = getattr(app, "_posted_for_tests", None)
    if posted is not None:
        return list(posted)
    return [notification.message for notification in app._notifications]


def _share_parsed_css() -> None:
    """Parse each piece of CSS once for the whole test process, not once per app.

    Textual parses the app's and every widget's CSS afresh for each App (its cache is the
    stylesheet's own), which was a quarter of a short pilot test's time. The parsed rules
    depend only on the CSS, where it came from and the theme's variables, so they are kept
    under all of those; each app gets its own list of them."""
    from textual.css.stylesheet import Stylesheet

    parse = Stylesheet._parse_rules
    parsed: dict[tuple[Any, ...], list[Any]] = {}

    def parse_once(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                   tie_breaker: int = 0, scope: str = "") -> list[Any]:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               tuple(sorted(self._variables.items())))
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return list(rules)

    Stylesheet._parse_rules = parse_once  # type: ignore[method-assign]


_share_parsed_css()
