"""The equality screen: `e` on the dashboard opens it; `x` shows small counts exactly."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from sqlalchemy import update
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle, text_of
from transition.models import Person
from transition.screens.equality import EqualityScreen


async def open_report(pilot: Pilot[Any]) -> Any:
    """Press e (from the dashboard): the equality screen's report widget."""
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EqualityScreen)
    return pilot.app.screen.query_one("#equality-report")


def test_e_opens_the_report_and_x_shows_small_counts_exactly(populated, app_on) -> None:
    with populated.transaction() as session:
        session.execute(update(Person).values(ethnic_category="A"))
        session.execute(update(Person).where(Person.id == 1).values(ethnic_category="R"))
    app = app_on(populated)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        report = await open_report(pilot)
        shown.append(" ".join(text_of(report).split()))
        await pilot.press("x")
        await settle(pilot)
        shown.append(" ".join(text_of(report).split()))
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EqualityScreen)

    drive(app, scenario)
    kept_back, exact = shown
    for title in ("By ethnic group", "By age band", "By gender"):
        assert title in kept_back
    assert "Other ethnic group │ * │" in kept_back and "White │ * │" in kept_back
    assert "* withheld: counts from 1 to 4" in kept_back
    # A group whose people are withheld has its zeros withheld too (here every count is 0), so
    # no count is shown without its share, and the note does not explain one.
    assert "Other ethnic group │ * │ * │ * │ * │ * │" in kept_back
    assert "A count with no share beside it" not in kept_back
    assert "Other ethnic group │ 1 │" in exact and "withheld" not in exact


def test_s_saves_the_report_as_shown_in_the_output_folder(populated, app_on,
                                                          sqlite_settings) -> None:
    app = app_on(populated)
    saved: list[Path] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EqualityScreen)
        await pilot.press("s")
        await settle(pilot)
        saved.append(screen.report_path())
        await pilot.press("x", "s")
        await settle(pilot)
        saved.append(screen.report_path())

    drive(app, scenario)
    shared, exact = saved
    assert shared.parent == sqlite_settings.resolved_output_dir.resolve()
    assert shared.name == f"equality-{sqlite_settings.today().isoformat()}.md"
    assert exact.name.endswith("-exact.md")
    assert "# Who the transition affects" in shared.read_text()
    assert "not for sharing" in exact.read_text() and "not for sharing" not in shared.read_text()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o600


def test_the_screen_says_how_many_people_have_no_pathway_yet(populated, app_on) -> None:
    with populated.transaction() as session:
        session.execute(update(Person).values(pathway="council"))
        session.execute(update(Person).where(Person.id <= 6).values(pathway=None))
    app = app_on(populated)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        shown.append(" ".join(text_of(await open_report(pilot)).split()))

    drive(app, scenario)
    [text] = shown
    assert "have no pathway yet" in text and "Run transition assess" in text
    assert text.index("no pathway yet") < text.index("By ethnic group")
