"""The override dialog's last choice under an override: the rules' pathway back, saved with
the manager's reason through the same clearing as ``u`` (audited, version-checked); and the
hint when the rules' own pathway is chosen as an override again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.conftest import ACTOR
from tests.factories import make_person
from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.test_pathway_reasons_in_words import override
from tests.tui.test_pathway_screens import person, person_id
from tests.tui.test_short_terminal import SHORT, on_screen
from transition import audit
from transition.db import Database
from transition.errors import TransitionError
from transition.models import AuditEvent
from transition.overrides import clear_pathway_override, set_pathway_override
from transition.screens.pathway_override import (
    CLEAR,
    STILL_AN_OVERRIDE,
    PathwayOverrideScreen,
)
from transition.screens.person import PersonScreen


def choice_ids(dialog: PathwayOverrideScreen) -> list[str | None]:
    options = dialog.query_one("#pathways", OptionList)
    return [options.get_option_at_index(index).id for index in range(options.option_count)]


def test_a_manager_gives_the_pathway_back_to_the_rules_from_the_dialog(plan_world,
                                                                        app_on) -> None:
    """At 80x24: an override in place, the list ends with the rules' pathway back; choosing the
    rules' own pathway says it stays an override; the give-back, with a reason, clears it
    (audited with that reason) and the screen shows the rules' decision; reopened, the dialog
    has no give-back."""
    override(plan_world, "Baines", "joint", reason="Agreed at panel")  # the rules: council
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Baines"))
        await settle(pilot)
        assert "joint ✎" in text_of(app.screen.query_one("#pathway"))
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        assert choice_ids(dialog)[-1] == CLEAR
        give_back = str(dialog.query_one("#pathways", OptionList).get_option(CLEAR).prompt)
        assert give_back == "↺ the rules' pathway: clear the manager's override (council)"
        problem = dialog.query_one("#problem", Static)
        await pilot.press("home")  # council, the rules' own: saved, it would stay an override
        await settle(pilot)
        assert text_of(problem).strip() == STILL_AN_OVERRIDE and on_screen(problem)
        await pilot.press("end")  # the rules' pathway back: no hint, and it shows
        await settle(pilot)
        assert not text_of(problem).strip()
        assert dialog.query_one("#pathways", OptionList).max_scroll_y == 0  # all six show
        for selector in ("#pathways", "#reason", "#save", "#cancel", "#problem"):
            assert on_screen(dialog.query_one(selector)), f"{selector} hidden at 80x24"
        # The buttons and the problem line are docked over the body: the reason box must end
        # above them, not under them.
        assert dialog.query_one("#reason").region.bottom <= \
            dialog.query_one("#dialog-foot").region.y
        await pilot.press("enter", *"Reviewed at panel", "ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, PersonScreen)
        cleared = person(plan_world, "Baines")
        assert (cleared.pathway, cleared.pathway_override) == ("council", None)
        with plan_world.session() as session:
            last = session.scalars(select(AuditEvent).where(
                AuditEvent.person_id == cleared.id).order_by(AuditEvent.id.desc())).first()
        assert last is not None
        assert (last.action, last.reason, last.actor) == (
            "pathway.override_cleared", "Reviewed at panel", ACTOR)
        assert last.after == {"pathway": "council", "override": None}
        assert "Override cleared: the rules decide again." in notifications(app)
        shown = text_of(app.screen.query_one("#pathway"))
        assert "council" in shown and "✎" not in shown

        await pilot.press("o")  # no override now: no give-back, and no hint on the rules' own
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        assert choice_ids(dialog) == ["council", "trust", "joint", "assess", "signpost"]
        assert not text_of(dialog.query_one("#problem")).strip()

    drive(app, scenario, size=SHORT)


def test_clearing_an_override_keeps_the_reason_given_and_refuses_one_too_long(
        database: Database) -> None:
    """The reason is optional (``u`` and ``transition pathway clear`` give none); one longer
    than the audit trail keeps is refused before anything changes."""
    with database.transaction() as session:
        someone = make_person(session, s117=True)
        set_pathway_override(session, someone, "assess", reason="Needs a review", actor=ACTOR)
        with pytest.raises(TransitionError, match="at most"):
            clear_pathway_override(session, someone, actor=ACTOR,
                                   reason="x" * (audit.REASON_LIMIT + 1))
        assert someone.pathway_override == "assess"
        cleared = clear_pathway_override(session, someone, actor=ACTOR, reason="  Seen again  ")
        assert cleared.pathway_override is None
    with database.session() as session:
        events = audit.events(session, actions=["pathway.override_cleared"])
    assert [event.reason for event in events] == ["Seen again"]
