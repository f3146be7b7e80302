"""A checkbox unticked looks unticked without colour (widgets/tickbox.py): Textual's drew
"▐X▌" either way, so on a monochrome terminal the import's Strict, unticked, looked ticked;
its radio buttons drew "▐●▌" on every kind of file, chosen or not."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Checkbox, RadioButton

from tests.tui.conftest import drive, settle
from tests.tui.test_dialogs_80x24 import feasible
from tests.tui.test_import_screen import open_import
from transition.screens.worker_picker import WorkerPickerScreen
from transition.widgets.tickbox import RadioChoice, TickBox


def box(checkbox: Checkbox) -> str:
    """The box as drawn, without its label or any colour."""
    return checkbox.render().plain[:3]


def test_the_imports_strict_box_is_empty_until_ticked(populated, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        await settle(pilot)
        strict = screen.query_one("#strict", Checkbox)
        assert isinstance(strict, TickBox) and not strict.value
        assert box(strict) == "▐ ▌"
        strict.focus()
        await pilot.press("space")
        await settle(pilot)
        assert strict.value and box(strict) == "▐X▌"
        assert strict.has_class("-on")  # Textual's styling of a ticked box still applies
        await pilot.press("space")
        await settle(pilot)
        assert box(strict) == "▐ ▌"

    drive(app_on(populated), scenario, size=(80, 24))


def test_only_the_chosen_kind_of_file_shows_its_dot(populated, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        await settle(pilot)
        buttons = list(screen.query(RadioButton))
        assert len(buttons) == 3 and all(isinstance(b, RadioChoice) for b in buttons)
        assert sorted(box(button) for button in buttons) == ["▐ ▌", "▐ ▌", "▐●▌"]
        [chosen] = [button for button in buttons if button.value]
        assert box(chosen) == "▐●▌"
        other = next(button for button in buttons if not button.value)
        other.value = True  # the set moves the choice
        await settle(pilot)
        assert box(other) == "▐●▌" and box(chosen) == "▐ ▌"

    drive(app_on(populated), scenario, size=(80, 24))


def test_the_worker_pickers_lock_starts_ticked(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        picker = WorkerPickerScreen("Choose the social worker", feasible(2), planned=None)
        app.push_screen(picker)
        await settle(pilot)
        lock = picker.query_one("#lock", Checkbox)
        assert lock.value and box(lock) == "▐X▌"

    drive(app, scenario, size=(80, 24))
