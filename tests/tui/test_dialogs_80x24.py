"""Every dialog at 80x24 (macOS's Terminal opens at that size) and at 120x40: what explains
it and its buttons show, read from what is drawn on the screen.

Found by a review at 80x24: the worker dialog's explanation (why no worker fits, and that
choosing one anyway records what it breaks) scrolled with the list and went off the top as
soon as the list had the focus; the pathway override's refusal was drawn over the reason box
(the scrolling part took the lines of the problem line under it); a refusal of four lines
pushed the handover date dialog's buttons off its bottom edge; and a long what-if report
scrolled its "Nothing was stored ... Escape closes." out of sight.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from textual.containers import ScrollableContainer
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from tests.tui.conftest import SIZE, drive, settle, text_of
from tests.tui.test_pathway_reasons_in_words import override
from tests.tui.test_pathway_screens import person_id
from transition.app import TransitionApp
from transition.db import Database
from transition.screens.confirm import ConfirmScreen
from transition.screens.handover_dialog import HandoverAnswer, HandoverDateScreen
from transition.screens.letters import FormatScreen
from transition.screens.pathway_override import PathwayOverrideScreen
from transition.screens.risk_band import RiskBandScreen
from transition.screens.task_dialogs import NoteScreen, StatusScreen
from transition.screens.whatif import WhatIfScreen
from transition.screens.worker_picker import RoleChoiceScreen, WorkerPickerScreen
from transition.tasks.listing import TaskRow
from transition.whatif import WhatIf
from transition.worker_overrides import WorkerOption

SHORT = (80, 24)
SIZES = [SHORT, SIZE]

WHY_NONE = "no trust key worker with skill forensic in North (needed: has a forensic history)"
ANYWAY_SAID = (
    "No worker meets every hard constraint with a place free: " + WHY_NONE + ". "
    "These workers fit the role but are ruled out, fewest problems first. Choosing "
    "one records it anyway, with what it breaks, in the audit trail."
)
FEASIBLE_SAID = (
    "Only workers who meet every hard constraint and have a place free are "
    "listed, best match first."
)


# -- reading what is drawn ---------------------------------------------------------------------


def drawn(app: TransitionApp) -> str:
    """The text drawn on the screen (a modal: the dialog alone), line after line, without the
    borders' and scrollbars' blocks, every run of spaces one space: a sentence wrapped over
    lines reads as it is written."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    return " ".join(re.sub(r"[\u2580-\u259f\u2500-\u257f]", " ", " ".join(lines)).split())


def whole(widget: Widget) -> bool:
    """All of ``widget`` is drawn: inside the screen and inside every container it is in (not
    cut off by a scrolling part or the dialog's edge)."""
    region = widget.region
    if not region or not widget.screen.region.contains_region(region):
        return False
    return all(
        ancestor.region.contains_region(region)
        for ancestor in widget.ancestors
        if isinstance(ancestor, Widget) and not isinstance(ancestor, Screen)
    )


def clear_of_the_foot(widget: Widget) -> bool:
    """``widget`` is not under the dialog's problem line and buttons (drawn over it)."""
    foot = widget.screen.query_one("#dialog-foot")
    return not widget.region.overlaps(foot.region)


# -- the worker dialog -------------------------------------------------------------------------


def ruled_out(count: int) -> list[WorkerOption]:
    return [
        WorkerOption(
            f"KW{number}",
            f"Jo Worker{number}",
            "North CMHT",
            "North",
            20,
            number,
            None,
            [],
            feasible=False,
            why_not=["lacks forensic"],
        )
        for number in range(10, 10 + count)
    ]


def feasible(count: int) -> list[WorkerOption]:
    return [
        WorkerOption(
            f"SW{number}",
            f"Jo Worker{number}",
            "North Council",
            "North",
            20,
            number,
            None,
            ["new worker", "same locality (North)"],
            feasible=True,
        )
        for number in range(10, 10 + count)
    ]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("anyway", [True, False], ids=["anyway", "feasible"])
def test_the_worker_dialog_keeps_its_explanation_in_view(
    tui_database: Database, app_on, size: tuple[int, int], anyway: bool
) -> None:
    """Six workers to choose from (a real team's list is longer than 80x24 has room for): the
    explanation shows whole above the list when the dialog opens, while the reason and Lock
    are reached with tab, and beside a refusal; so do the buttons."""
    said = ANYWAY_SAID if anyway else FEASIBLE_SAID
    options = ruled_out(6) if anyway else feasible(6)
    app = app_on(tui_database)

    def explained(picker: WorkerPickerScreen, when: str) -> None:
        assert said in drawn(app), f"explanation not shown {when} at {size}: {drawn(app)}"
        for selector in ("#save", "#cancel", "#problem"):
            assert whole(picker.query_one(selector)), f"{selector} hidden {when} at {size}"

    async def scenario(pilot: Pilot[Any]) -> None:
        picker = WorkerPickerScreen(
            "Choose the key worker for Hollins, Harry (999 000 1189)",
            options,
            planned=None,
            anyway=WHY_NONE if anyway else None,
        )
        app.push_screen(picker)
        await settle(pilot)
        explained(picker, "on opening")
        assert "Jo Worker10" in drawn(app)  # and the list's first choice
        await pilot.press("tab")
        await settle(pilot)
        assert picker.focused is picker.query_one("#reason", Input)
        explained(picker, "with the reason focused")
        await pilot.press("tab")
        await settle(pilot)
        assert whole(picker.query_one("#lock"))
        explained(picker, "with Lock focused")
        await pilot.press("ctrl+s")  # no reason: refused on the problem line
        await settle(pilot)
        assert "Say why" in drawn(app)
        explained(picker, "beside a refusal")
        assert str(picker.query_one("#save", Button).label) == (
            "Assign anyway (ctrl+s)" if anyway else "Assign (ctrl+s)"
        )

    drive(app, scenario, size=size)


def test_a_long_why_none_scrolls_in_its_own_box_at_80x24(tui_database: Database, app_on) -> None:
    """Many reasons why no worker fits: the explanation keeps to its few lines (the list still
    shows under it) and tab reaches it to scroll the rest into view."""
    why = "; ".join(
        f"no trust key worker with skill {skill} in North"
        for skill in (
            "forensic",
            "autism",
            "eating disorders",
            "perinatal",
            "dual diagnosis",
            "learning disability",
            "older adults",
            "psychosis",
            "personality",
        )
    )
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        picker = WorkerPickerScreen(
            "Choose the key worker for Hollins, Harry (999 000 1189)",
            ruled_out(6),
            planned=None,
            anyway=why,
        )
        app.push_screen(picker)
        await settle(pilot)
        box = picker.query_one("#explanation")
        assert whole(box) and box.max_scroll_y > 0
        assert whole(picker.query_one("#workers")) or "Jo Worker10" in drawn(app)
        await pilot.press("shift+tab")  # from the list, back to the explanation
        await settle(pilot)
        assert picker.focused is box
        await pilot.press("end")
        await settle(pilot)
        assert "in the audit trail." in drawn(app)
        assert whole(picker.query_one("#save")) and whole(picker.query_one("#cancel"))

    drive(app, scenario, size=SHORT)


# -- the pathway override's refusal ------------------------------------------------------------


@pytest.mark.parametrize("overridden", [False, True], ids=["rules", "overridden"])
def test_the_pathway_refusal_and_the_reason_typed_both_show_at_80x24(
    plan_world, app_on, overridden: bool
) -> None:
    """Signpost for someone with section 117 aftercare is refused in the dialog: the refusal
    (three lines at 80 columns), the reason typed above it, what the rules decided and the
    buttons all show; the refusal no longer covers the reason box."""
    if overridden:
        override(plan_world, "Dalton", "assess")
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Dalton"))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        # signpost: the last choice, or the one before "the rules' pathway" under an override
        await pilot.press("end", *(["up"] if overridden else []), "enter")
        await pilot.press(*"No needs", "enter")
        await settle(pilot)
        assert app.screen is dialog
        refusal = " ".join(text_of(dialog.query_one("#problem")).split())
        assert "cannot be signpost" in refusal
        shown = drawn(app)
        assert refusal in shown, shown
        reason = dialog.query_one("#reason", Input)
        assert dialog.focused is reason and reason.value == "No needs"
        assert whole(reason) and clear_of_the_foot(reason), (reason.region, shown)
        assert clear_of_the_foot(dialog.query_one("#body"))
        assert "No needs" in shown
        assert "The rules decided joint" in shown
        for selector in ("#rules-decision", "#save", "#cancel", "#problem"):
            assert whole(dialog.query_one(selector)), f"{selector} hidden at 80x24"

    drive(app, scenario, size=SHORT)


# -- the handover date dialog's refusal --------------------------------------------------------

LONG_REFUSAL = (
    "Person ******1111 was changed by another-manager since you opened the record "
    "(version 3 expected): their handover date, their pathway and their worker. "
    "Nothing was changed. Reload the person, check what changed and try again: the new "
    "date may no longer be needed, or another manager may have set it already."
)


def test_a_long_handover_date_refusal_leaves_the_buttons_on_screen_at_80x24(
    tui_database: Database, app_on
) -> None:
    app = app_on(tui_database)
    answers: list[HandoverAnswer] = []

    def refuse(answer: HandoverAnswer) -> str:
        answers.append(answer)
        return LONG_REFUSAL

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = HandoverDateScreen(
            "Bilal Baines (999 000 1111)", date(2027, 2, 1), date(2027, 1, 11), save=refuse
        )
        app.push_screen(dialog)
        await settle(pilot)
        dialog.query_one("#reason", Input).value = "Phase 2 of the move"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert answers and app.screen is dialog
        problem = dialog.query_one("#problem", Static)
        assert problem.size.height >= 4  # four lines at 80 columns
        assert LONG_REFUSAL in drawn(app)
        for selector in ("#save", "#cancel", "#problem", "#date", "#reason"):
            assert whole(dialog.query_one(selector)), f"{selector} cut off at 80x24"

    drive(app, scenario, size=SHORT)


# -- the what-if's closing line ----------------------------------------------------------------


def long_what_if() -> WhatIf:
    """A what-if on a large caseload: a capacity gap in fifteen teams."""
    return WhatIf(
        withdraw=["SW1", "SW2"],
        capacity_scale=1.0,
        baseline_assigned=80,
        baseline_unassigned=2,
        assigned=60,
        unassigned=22,
        losing_current_worker=30,
        changed_from_baseline=35,
        gap_by_team={f"Team {number:02d}": number for number in range(1, 16)},
        gap_by_skill={"forensic": 2},
        spare_by_team={},
        unassigned_people=[],
        optimal=True,
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_long_what_if_keeps_what_it_is_and_how_to_close_it_in_view(
    tui_database: Database, app_on, size: tuple[int, int]
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = WhatIfScreen(long_what_if())
        app.push_screen(dialog)
        await settle(pilot)
        body = dialog.query_one("#what-if-body")
        if size == SHORT:
            assert body.max_scroll_y > 0  # the report scrolls ...
        assert whole(dialog.query_one("#what-if-close"))  # ... and this stays under it
        assert "Nothing was stored." in drawn(app) and "Escape closes." in drawn(app)
        assert "What-if (nothing stored): withdraw SW1, SW2" in drawn(app)

    drive(app, scenario, size=size)


# -- every dialog ------------------------------------------------------------------------------


def a_task() -> TaskRow:
    return TaskRow(
        1,
        1,
        "9990001111",
        "Baines, Bilal",
        "joint_visit",
        "Joint visit with the new worker and the current care coordinator",
        "staff",
        "SW1",
        "Ana Okafor",
        date(2027, 1, 4),
        -5,
        date(2027, 1, 11),
        "blocked",
        "Waiting for the family to agree a date",
        None,
        [],
        False,
        1,
        None,
        None,
        None,
    )


REASONS = [
    {
        "rule": f"rule_{number}",
        "reason": "Entitled to section 117 aftercare: a joint "
        "duty of the NHS and the council that does not depend on Care Act eligibility.",
    }
    for number in range(4)
]
OVERRIDE = {
    "pathway": "assess",
    "by": "another-manager",
    "at": datetime(2027, 1, 5, 10, 15),
    "reason": "Needs a review of Care Act eligibility, agreed at the panel",
}

DIALOGS: dict[str, Callable[[], Screen[Any]]] = {
    "confirm": lambda: ConfirmScreen(
        "Make the handover tasks from the accepted plan?",
        detail="As transition tasks generate does: tasks now needed are added, tasks that no "
        "longer apply are marked not needed, owners and due dates move with the plan; "
        "done work is never touched. Every change is audited as a.manager.",
        yes="Make tasks",
        no="Not now",
    ),
    "format": lambda: FormatScreen(None, "pdf"),
    "task status": lambda: StatusScreen(a_task()),
    "task note": lambda: NoteScreen(a_task()),
    "handover date": lambda: HandoverDateScreen(
        "Bilal Baines (999 000 1111)", date(2027, 2, 1), date(2027, 1, 11)
    ),
    "role": lambda: RoleChoiceScreen(
        "Which role for Baines, Bilal?",
        [("social_worker", "social worker: SW1 planned"), ("key_worker", "key worker: none yet")],
    ),
    "risk band": lambda: RiskBandScreen(
        "Bilal Baines (999 000 1111)", "red", "green", overridden=True
    ),
    "pathway": lambda: PathwayOverrideScreen(
        "Dominic Dalton (999 000 1146)",
        "assess",
        rules_decision="joint",
        reasons=REASONS,
        override=OVERRIDE,
    ),
    "worker anyway": lambda: WorkerPickerScreen(
        "Choose the key worker for Hollins, Harry", ruled_out(6), planned=None, anyway=WHY_NONE
    ),
    "worker": lambda: WorkerPickerScreen(
        "Choose the social worker for Egbuna, Eve", feasible(6), planned="SW10"
    ),
    "what-if": lambda: WhatIfScreen(long_what_if()),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(DIALOGS))
def test_every_dialog_shows_its_words_and_buttons(
    tui_database: Database, app_on, name: str, size: tuple[int, int]
) -> None:
    """Each dialog as it opens: its buttons, and every line of text outside its scrolling part
    (the question, what explains it, the hint under it), whole."""
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = DIALOGS[name]()
        app.push_screen(dialog)
        await settle(pilot)
        if isinstance(dialog, StatusScreen):
            await pilot.press("b")  # blocked: the reason box and its hint too
            await settle(pilot)
        # What scrolls shows whole as a box (a box of reasons, the list and the reason box
        # under it); the rest shows whole line by line.
        boxes = [
            widget
            for widget in dialog.query(ScrollableContainer)
            if not any(isinstance(ancestor, ScrollableContainer) for ancestor in widget.ancestors)
        ]
        words = [
            widget
            for widget in dialog.query(Static)
            if widget.display
            and not isinstance(widget, Button)
            and not any(isinstance(ancestor, ScrollableContainer) for ancestor in widget.ancestors)
        ]
        assert words
        for widget in [*dialog.query(Button), *words, *boxes]:
            assert whole(widget), f"{name}: {widget!r} cut off at {size}: {drawn(app)}"

    drive(app, scenario, size=size)
