"""Fixtures for the app's tests: a SQLite database, the fixed caseload, and a driver.

Pilot tests are plain functions that run an async scenario with ``drive(app, scenario)``, so
the suite needs no async plugin. Every scenario waits for the app's workers rather than
sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
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
    """Let every worker finish and every message it posted be handled.

    Waits for idle in Textual's own steps of 20 ms (keys are pressed with shorter ones:
    :func:`_quicker_idle_check`): a step spans a screen refresh, so what a key set off
    after one (``call_after_refresh``) has started before the workers are looked at. A
    worker still pending counts as unfinished."""
    with _idle_steps(_TEXTUAL_IDLE_STEP):
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


_TEXTUAL_IDLE_STEP = 1 / 50  # textual._wait.SLEEP_GRANULARITY as Textual ships it
_QUICK_IDLE_STEP = 1 / 250


@contextmanager
def _idle_steps(step: float) -> Iterator[None]:
    """Textual's idle check in steps of ``step`` seconds for the length of the block."""
    from textual import _wait

    before = _wait.SLEEP_GRANULARITY
    _set_idle_step(step)
    try:
        yield
    finally:
        _set_idle_step(before)


def _set_idle_step(step: float) -> None:
    from textual import _wait

    _wait.SLEEP_GRANULARITY = step
    _wait.SLEEP_IDLE = step / 20.0  # "idle": under a twentieth of the step on the CPU


def _quicker_idle_check() -> None:
    """Look for the app going idle every 4 ms, not every 20 ms, between the keys a test
    presses.

    Textual's pilot waits for idle twice after every key it presses by sleeping in steps of
    ``SLEEP_GRANULARITY`` until a step passes with the process all but idle, so each key
    (each letter typed) cost at least 40 ms of a core doing nothing. :func:`settle`, which a
    test calls before it looks at what its keys did, still waits in Textual's own 20 ms
    steps: with 4 ms there too, a test could look before a refresh had run what waited for
    it (tried: the footer's keys and a filtered caseload were read too early)."""
    _set_idle_step(_QUICK_IDLE_STEP)


_quicker_idle_check()
