"""A manager's choice of worker refused on saving (the worker left, or filled up, since the
list was read): the dialog stays open with the choice and the reason typed, and says why, on
the plan screen and on the person screen alike."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_pathway_screens import person_id
from tests.tui.test_plan_screens import current, proposed
from transition.errors import TransitionError
from transition.screens import person as person_screen
from transition.screens import plan as plan_screen
from transition.screens.worker_picker import WorkerPickerScreen

REFUSAL = "SW1 now leaves before the handover date. Nothing was changed."


def refuse_once(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    """The module's assign_worker refuses the first save, then saves as usual."""
    real = module.assign_worker
    calls: list[int] = []

    def assign(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise TransitionError(REFUSAL, hint="Choose another worker.")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "assign_worker", assign)
    return calls


async def refused_then_saved(pilot: Pilot[Any], calls: list[int]) -> None:
    picker = pilot.app.screen
    assert isinstance(picker, WorkerPickerScreen)
    chosen = [option.staff_id for option in picker.options].index("SW1")
    picker.query_one(OptionList).highlighted = chosen
    picker.query_one(OptionList).focus()
    await pilot.press("enter", *"Worked with her before", "enter")
    await settle(pilot)
    assert pilot.app.screen is picker, "a refusal must not close the dialog"
    problem = text_of(picker.query_one("#problem"))
    assert REFUSAL in problem and "Choose another worker." in problem
    assert picker.query_one("#reason", Input).value == "Worked with her before"
    assert picker.query_one(OptionList).highlighted == chosen
    await pilot.press("ctrl+s")  # the same choice again: saved this time
    await settle(pilot)
    assert pilot.app.screen is not picker
    assert len(calls) == 2


def test_a_refused_choice_on_the_plan_screen_keeps_what_was_typed(
        plan_world, app_on, monkeypatch) -> None:
    app = app_on(plan_world)
    calls = refuse_once(monkeypatch, plan_screen)

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        await pilot.press(*["down"] * 5)  # Egbuna, social worker: SW2 planned
        await pilot.press("o")
        await settle(pilot)
        await refused_then_saved(pilot, calls)
        assert current(plan_world, "Egbuna") == {"social_worker": ("SW1", True)}

    drive(app, scenario)


def test_a_refused_choice_on_the_person_screen_keeps_what_was_typed(
        plan_world, app_on, monkeypatch) -> None:
    app = app_on(plan_world)
    calls = refuse_once(monkeypatch, person_screen)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Egbuna"))
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        await refused_then_saved(pilot, calls)
        assert current(plan_world, "Egbuna") == {"social_worker": ("SW1", True)}

    drive(app, scenario, size=(120, 60))
