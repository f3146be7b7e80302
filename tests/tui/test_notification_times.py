"""How long a notification stays, and how to take it away.

A review at 80 columns found notifications staying 12 to 30 seconds, each call site with its
own number, over part of the screen (a toast is up to half the width at 80 columns). Now the
app decides from one place (``transition.screens.base.notice_seconds``): a notice ~6 seconds,
a warning longer, an error longer still, a long one long enough to read; and ``ctrl+n``
takes them all away, named in the footer (after Quit) while one shows.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey

import transition
from tests.tui.conftest import drive, settle
from transition.app import TransitionApp
from transition.db import Database
from transition.screens.base import (
    DISMISS_KEY,
    LONGEST_NOTICE_SECONDS,
    NOTICE_SECONDS,
    notice_seconds,
)
from transition.screens.handover_dialog import HandoverDateScreen

SHORT = (80, 24)


def test_a_notice_is_short_a_warning_longer_an_error_longest() -> None:
    said = "Pathway set to assess."
    notice, warning, error = (
        notice_seconds(severity, said) for severity in ("information", "warning", "error")
    )
    assert 5 <= notice <= 6
    assert notice < warning < error <= LONGEST_NOTICE_SECONDS
    assert (notice, warning, error) == (
        NOTICE_SECONDS["information"],
        NOTICE_SECONDS["warning"],
        NOTICE_SECONDS["error"],
    )


def test_a_long_notification_stays_long_enough_to_read_but_not_for_ever() -> None:
    summary = " ".join(["word"] * 48)  # a summary of what was done: 12 s at 4 words a second
    assert notice_seconds("information", summary) == pytest.approx(12)
    assert notice_seconds("error", summary) == NOTICE_SECONDS["error"]  # already longer
    essay = " ".join(["word"] * 400)
    for severity in ("information", "warning", "error"):
        assert notice_seconds(severity, essay) == LONGEST_NOTICE_SECONDS
    assert notice_seconds("information", "Saved.", title=" ".join(["word"] * 48)) > 6


def notify_calls_with_a_timeout() -> list[str]:
    """Every ``.notify(..., timeout=...)`` in the app's code, as file:line."""
    root = Path(transition.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "notify"
                and not (
                    isinstance(node.func.value, ast.Call)  # the app's own, to Textual
                    and isinstance(node.func.value.func, ast.Name)
                    and node.func.value.func.id == "super"
                )
                and any(keyword.arg == "timeout" for keyword in node.keywords)
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_caller_chooses_its_own_time() -> None:
    """The times live in one place: a call site with its own number (there were 36, of 12 to
    30 seconds) would not follow the policy."""
    assert notify_calls_with_a_timeout() == []


def shown_for(app: TransitionApp) -> dict[str, float]:
    """The notifications showing: their titles and how long each was given."""
    return {notification.title: notification.timeout for notification in app._notifications}


def test_the_app_times_each_notification_by_its_severity(tui_database: Database, app_on) -> None:
    app = app_on(tui_database)
    seen: dict[str, float] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        app.clear_notifications()
        app.notify("Pathway set to assess.", title="Saved")
        app.notify(
            "Check the new date: it is not a working day.", title="Check it", severity="warning"
        )
        app.notify(
            "The database is busy. Try again in a minute.", title="Not saved", severity="error"
        )
        await settle(pilot)
        seen.update(shown_for(app))

    drive(app, scenario)
    assert seen == {
        "Saved": NOTICE_SECONDS["information"],
        "Check it": NOTICE_SECONDS["warning"],
        "Not saved": NOTICE_SECONDS["error"],
    }


def footer_keys(app: TransitionApp) -> dict[str, FooterKey]:
    return {key.description: key for key in app.screen.query(FooterKey) if key.display}


@pytest.mark.parametrize("section", ["d", "p"], ids=["dashboard", "plan"])
def test_ctrl_n_dismisses_and_the_footer_names_it_only_while_one_shows(
    plan_world, app_on, section: str
) -> None:
    """At 80 columns: the plan screen's footer is full (page keys, filters), so Dismiss comes
    after Quit and never pushes it off; the dashboard's has room for it."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n")  # a draft: the plan screen has its page keys and filters
        await settle(pilot)
        await pilot.press(section)
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)
        assert "Dismiss" not in footer_keys(app)
        app.notify(
            "The database is busy. Try again in a minute.", title="Not saved", severity="error"
        )
        await settle(pilot)
        keys = footer_keys(app)
        assert "Dismiss" in keys and keys["Dismiss"].key == DISMISS_KEY
        assert keys["Quit"].region.right <= SHORT[0]  # Quit stays on screen
        if section == "d":
            assert keys["Dismiss"].region.right <= SHORT[0]
        await pilot.press(DISMISS_KEY)
        await settle(pilot)
        assert len(app._notifications) == 0
        assert "Dismiss" not in footer_keys(app)
        assert "Quit" in footer_keys(app)

    drive(app, scenario, size=SHORT)


def test_the_dismiss_key_leaves_the_footer_when_the_last_notification_expires(
    tui_database: Database, app_on
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.clear_notifications()
        app.notify("Letters will be written as PDF.", title="Letters", timeout=0.3)
        await settle(pilot)
        assert "Dismiss" in footer_keys(app)
        await pilot.pause(0.6)
        await settle(pilot)
        assert len(app._notifications) == 0
        assert "Dismiss" not in footer_keys(app)

    drive(app, scenario, size=SHORT)


def test_ctrl_n_works_in_a_dialog_with_the_focus_in_a_text_box(
    tui_database: Database, app_on
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = HandoverDateScreen("Bilal Baines (999 000 1111)", None, None)
        app.push_screen(dialog)
        await settle(pilot)
        box = dialog.query_one("#date", Input)
        assert app.focused is box
        await pilot.press(*"1 June")
        app.notify(
            "The database is busy. Try again in a minute.", title="Not saved", severity="error"
        )
        await settle(pilot)
        assert len(app._notifications) == 1
        await pilot.press(DISMISS_KEY)
        await settle(pilot)
        assert len(app._notifications) == 0
        assert app.screen is dialog and box.value == "1 June"  # the dialog and its text stay

    drive(app, scenario, size=SHORT)
