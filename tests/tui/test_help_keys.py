"""? and F1 open the keys panel, escape closes it, and at 80 columns the footer says so (found
in review: nothing on screen at 80 columns pointed to help, ? did nothing, escape left the
panel open, and with it open the bar of sections wrapped and the footer was cut)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import HelpPanel, Input
from textual.widgets._footer import FooterKey

from tests.tui.conftest import drive, settle
from tests.tui.test_pathway_screens import open_at_risk
from tests.tui.test_person_screen import open_family
from transition.screens.person import PersonScreen
from transition.widgets.chrome import NavBar

SHORT = (80, 24)


def shown_keys(pilot: Pilot[Any]) -> list[FooterKey]:
    return [key for key in pilot.app.screen.query(FooterKey) if key.display]


def panel_open(pilot: Pilot[Any]) -> bool:
    return bool(pilot.app.screen.query(HelpPanel))


def test_question_mark_and_f1_open_the_keys_and_escape_closes_them(plan_world,
                                                                   app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_at_risk(pilot)
        keys = shown_keys(pilot)
        assert [key.key_display for key in keys if key.description == "Help"] == ["?"]
        assert all(key.region.right <= SHORT[0] for key in keys)
        await pilot.press("question_mark")
        await settle(pilot)
        assert panel_open(pilot)
        # Over the screen, between the bar of sections and the footer: neither wraps nor is cut.
        panel = pilot.app.screen.query_one(HelpPanel)
        assert panel.region.y == 2 and panel.region.bottom == SHORT[1] - 1
        assert pilot.app.screen.query_one(NavBar).size.height == 1
        assert pilot.app.screen.query_one(NavBar).size.width == SHORT[0]
        assert any(key.description == "Quit" for key in shown_keys(pilot))
        await pilot.press("escape")
        await settle(pilot)
        assert not panel_open(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert panel_open(pilot)
        await pilot.press("question_mark")  # ? again: away
        await settle(pilot)
        assert not panel_open(pilot)

    drive(app, scenario, size=SHORT)


def test_escape_closes_the_keys_before_it_goes_back(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert panel_open(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and isinstance(screen, PersonScreen)
        assert not panel_open(pilot)
        await pilot.press("escape")  # now back, as before
        await settle(pilot)
        assert not isinstance(app.screen, PersonScreen)

    drive(app, scenario, size=SHORT)


def test_a_question_mark_typed_in_a_text_box_is_typed(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await settle(pilot)
        box = app.focused
        assert isinstance(box, Input)
        await pilot.press("a", "question_mark")
        await settle(pilot)
        assert box.value == "a?"
        assert not panel_open(pilot)

    drive(app, scenario, size=SHORT)


def test_no_footer_key_is_cut_at_80_columns(plan_world, app_on) -> None:
    """A key that does not fit is left out whole, not cut to "? He" (at 80 columns the tasks
    screen's keys, with tasks to page through, leave no room for ? Help)."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        for section in "dctlapw":
            await pilot.press(section)
            await settle(pilot)
            pilot.app.clear_notifications()
            await settle(pilot)
            keys = shown_keys(pilot)
            assert keys, section
            assert all(key.region.right <= SHORT[0] for key in keys), (
                section, [(key.description, key.region.right) for key in keys])
            assert any(key.description == "Quit" for key in keys), section
        # Narrower, ? Help is left out whole; wider again, it is back.
        await pilot.press("a")
        await settle(pilot)
        await pilot.resize_terminal(50, 24)
        await settle(pilot)
        keys = shown_keys(pilot)
        assert "Help" not in [key.description for key in keys]
        assert all(key.region.right <= 50 for key in keys)
        await pilot.resize_terminal(*SHORT)
        await settle(pilot)
        assert "Help" in [key.description for key in shown_keys(pilot)]

    drive(app, scenario, size=SHORT)
