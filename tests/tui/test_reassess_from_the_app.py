"""A on the at-risk screen and the dashboard: everyone reassessed as transition assess does, in a
worker, when the scores are not of today (found in review: the screens said "run transition
assess" and nothing in the app could)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import ProgressBar
from textual.widgets._footer import FooterKey

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.test_pathway_screens import open_at_risk
from transition.assessment import refresh_assessments, scores_as_of
from transition.errors import TransitionError
from transition.ruleset import load_rules
from transition.screens import reassess
from transition.screens.confirm import ConfirmScreen
from transition.screens.reassess import ReassessProgress

EARLIER = TODAY - timedelta(days=10)


def measured_earlier(database: Any) -> None:
    with database.transaction() as session:
        refresh_assessments(session, load_rules(None), as_of=EARLIER, actor=ACTOR)


def measured(database: Any) -> tuple[Any, Any] | None:
    with database.session() as session:
        return scores_as_of(session)


def footer(pilot: Pilot[Any]) -> dict[str, str]:
    return {key.description: key.key_display or key.key
            for key in pilot.app.screen.query(FooterKey) if key.display}


def test_a_on_the_at_risk_screen_reassesses_everyone_as_of_today(plan_world, app_on) -> None:
    measured_earlier(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        status = " ".join(text_of(screen.query_one("#at-risk-status")).split())
        assert "scores as of 5 Jan 2027, not today: A reassesses" in status
        assert "run transition assess" not in status
        assert footer(pilot)["Reassess"] == "A"
        await pilot.press("A")
        await settle(pilot)
        assert measured(plan_world) == (TODAY, TODAY)
        assert any("reassessed as of 15 Jan 2027" in said for said in notifications(app))
        status = " ".join(text_of(screen.query_one("#at-risk-status")).split())
        assert "scores as of 15 Jan 2027" in status and "not today" not in status
        assert "Reassess" not in footer(pilot)  # current now: out of the footer...
        assert not screen.query_one(ReassessProgress).has_class("-running")
        app.clear_notifications()
        await pilot.press("A")  # ... but the key still works (after a rules change, say)
        await settle(pilot)
        assert any("reassessed" in said for said in notifications(app))

    drive(app, scenario, size=(80, 24))


def test_a_on_the_dashboard_reassesses_and_the_risk_box_names_the_key(plan_world,
                                                                       app_on) -> None:
    measured_earlier(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("d")
        await settle(pilot)
        risk = " ".join(text_of(pilot.app.screen.query_one("#risk-bars")).split())
        assert "Scores as of 5 Jan 2027, not today: A reassesses everyone." in risk
        assert footer(pilot)["Reassess"] == "A"
        await pilot.press("A")
        await settle(pilot)
        assert measured(plan_world) == (TODAY, TODAY)
        risk = " ".join(text_of(pilot.app.screen.query_one("#risk-bars")).split())
        assert "not today" not in risk
        assert "Reassess" not in footer(pilot)

    drive(app, scenario)


def test_a_large_caseload_is_asked_about_first(plan_world, app_on, monkeypatch) -> None:
    monkeypatch.setattr(reassess, "LONG_REASSESS_PEOPLE", 1)
    measured_earlier(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_at_risk(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert measured(plan_world) == (EARLIER, EARLIER)  # not now: nothing done
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert measured(plan_world) == (TODAY, TODAY)

    drive(app, scenario)


def test_the_progress_shows_while_it_runs_and_a_failure_is_said(plan_world, app_on,
                                                                monkeypatch) -> None:
    measured_earlier(plan_world)
    app = app_on(plan_world)
    seen: list[bool] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        progress = kwargs["progress"]
        progress(1, 4)
        seen.append(app.call_from_thread(
            lambda: app.screen.query_one(ReassessProgress).has_class("-running")
            and app.screen.query_one("#reassess-progress", ProgressBar).total == 4))
        raise TransitionError("The rules could not be used.", hint="Check the rules file.")

    monkeypatch.setattr(reassess, "refresh_assessments", failing)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert seen == [True]
        assert "The rules could not be used. Check the rules file." in notifications(app)
        assert not screen.query_one(ReassessProgress).has_class("-running")
        assert measured(plan_world) == (EARLIER, EARLIER)

    drive(app, scenario)
