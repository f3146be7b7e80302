"""The handover date dialogs' labels are whole at 80 columns (found in review: "New date
(blank: the programme's transfer date, 1 Apr 2027" without its closing bracket)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Label

from tests.tui.conftest import drive, settle
from tests.tui.test_person_screen import open_family
from transition.screens.handover_dialog import HandoverDateScreen
from transition.screens.team_handover import TeamHandoverScreen

SHORT = (80, 24)


def labels_whole(screen: Any) -> list[str]:
    said = []
    for label in screen.query(Label):
        text = str(label.render())
        # Wide enough for its text on one line, or wrapped over more (width: 100%).
        assert label.size.width >= len(text) or label.size.height > 1, (text, label.size)
        assert label.region.right <= SHORT[0]
        said.append(text)
    return said


def test_the_persons_handover_date_label_is_whole(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HandoverDateScreen)
        said = labels_whole(app.screen)
        assert any(text.startswith("New date (blank: the transfer date, ") and
                   text.endswith("):") for text in said), said

    drive(app, scenario, size=SHORT)


def test_the_team_handover_date_label_is_whole(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, TeamHandoverScreen)
        said = labels_whole(app.screen)
        assert any(text.startswith("New date (blank: the transfer date, ") for text in said)

    drive(app, scenario, size=SHORT)
