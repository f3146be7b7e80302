"""Pathway and risk in the app: caseload columns and filters, the person screen's reasons and
factors, a manager's override (and a conflicting one), the dashboard boxes, the at-risk list."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from tests.conftest import ACTOR
from tests.tui.conftest import drive, notifications, settle, text_of
from transition.models import AuditEvent, Person
from transition.overrides import set_pathway_override
from transition.screens.at_risk import AtRiskScreen
from transition.screens.confirm import ConfirmScreen
from transition.screens.pathway_override import PathwayOverrideScreen
from transition.screens.person import PersonScreen
from transition.widgets.caseload_table import CaseloadTable


def person_id(database, family_name: str) -> int:
    with database.session() as session:
        return session.scalars(select(Person.id).where(Person.family_name == family_name)).one()


def person(database, family_name: str) -> Person:
    with database.session() as session:
        return session.scalars(select(Person).where(Person.family_name == family_name)).one()


def test_caseload_shows_pathway_and_band_and_filters_by_them(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(CaseloadTable)
        ashworth = table.table.get_row_at(0)
        assert [str(cell) for cell in ashworth[-2:]] == ["council", "● red 19"]
        await pilot.press("f")  # council only
        await settle(pilot)
        assert {row.pathway for row in table.rows} == {"council"} and table.total == 4
        assert "pathway: council" in table.describe()
        await pilot.press("f")  # trust only
        await settle(pilot)
        assert [row.family_name for row in table.rows] == ["Chowdhury"]
        await pilot.press("b")  # and red: no one
        await settle(pilot)
        assert table.total == 0 and "No one matches" in table.describe()
        await pilot.press("escape")  # clears every filter
        await settle(pilot)
        assert table.total == 9 and table.query.pathway is None
        await pilot.press("b")
        await settle(pilot)
        assert [row.family_name for row in table.rows] == ["Ashworth", "Hollins"]
        assert "risk band: red" in table.describe()

    drive(app, scenario)


def test_person_screen_shows_reasons_with_basis_and_risk_factors(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Ashworth"))
        await settle(pilot)
        pathway = text_of(app.screen.query_one("#pathway"))
        assert "council  the council holds the case" in pathway
        assert "eligible_needs" in pathway and "Care Act 2014, s18" in pathway
        risk = text_of(app.screen.query_one("#risk"))
        assert "● red 19" in risk
        assert "+5  Discharged from hospital in the last 3 months" in risk
        assert "20 Dec 2026" in risk  # the discharge date, written the UK way
        # Seen last before that discharge: no follow-up within the 7 days (NICE NG53).
        assert "+3  No contact recorded in the 7 days after discharge" in risk

    drive(app, scenario, size=(120, 60))


def test_manager_overrides_the_pathway_with_a_reason_and_clears_it(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Baines"))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PathwayOverrideScreen)
        await pilot.press("enter")  # council, the current one: the reason box next, empty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a written reason" in text_of(app.screen.query_one("#problem"))
        app.screen.query_one("#pathways").focus()
        await pilot.press("down", "down", "enter")  # joint
        await pilot.press(*"Agreed at panel", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        saved = person(plan_world, "Baines")
        assert (saved.pathway, saved.pathway_override) == ("joint", "joint")
        assert saved.pathway_override_reason == "Agreed at panel"
        assert "joint ✎" in text_of(app.screen.query_one("#pathway"))
        assert f"Set by           {ACTOR} on " in text_of(app.screen.query_one("#pathway"))
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        cleared = person(plan_world, "Baines")
        assert (cleared.pathway, cleared.pathway_override) == ("council", None)
        with plan_world.session() as session:
            actions = list(session.scalars(select(AuditEvent.action).where(
                AuditEvent.person_id == cleared.id).order_by(AuditEvent.id)))
        assert actions[-2:] == ["pathway.override", "pathway.override_cleared"]
        assert "Override cleared" in " ".join(notifications(app))

    drive(app, scenario, size=(120, 60))


def test_an_override_refused_for_a_statutory_duty_changes_nothing(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Dalton"))  # section 117: joint
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        # The current pathway is highlighted: its name is in the text colour (blue "joint"
        # could not be read on the highlight's blue), its colour on a bullet, and "(now)".
        current = dialog.query_one("#pathways", OptionList).get_option("joint").prompt
        assert isinstance(current, Text) and current.plain.startswith("● joint")
        assert "(now)" in current.plain
        assert {str(span.style) for span in current.spans
                if current.plain[span.start:span.end] == "joint"} == {"bold"}
        await pilot.press("end", "enter")  # signpost
        await pilot.press(*"No needs", "enter")
        await settle(pilot)
        assert person(plan_world, "Dalton").pathway_override is None
        # Refused in the dialog, by the domain's own rule: it stays open, says why (the NHS
        # number masked) and keeps what was typed, so another pathway can be chosen.
        assert app.screen is dialog
        problem = text_of(dialog.query_one("#problem"))
        assert "section 117 aftercare" in problem and "cannot be signpost" in problem
        assert "******" in problem
        assert dialog.query_one("#reason", Input).value == "No needs"
        assert not notifications(app)
        dialog.query_one("#pathways").focus()
        await pilot.press("up", "enter", "enter")  # assess, with the same reason
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        saved = person(plan_world, "Dalton")
        assert (saved.pathway_override, saved.pathway_override_reason) == ("assess", "No needs")
        assert "Pathway set to assess." in notifications(app)

    drive(app, scenario, size=(120, 60))


def test_an_override_that_conflicts_reloads_and_says_what_changed(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Iqbal"))
        await settle(pilot)
        # Another manager overrides the same person while this one has the screen open.
        with plan_world.transaction() as session:
            other = session.scalars(select(Person).where(Person.family_name == "Iqbal")).one()
            set_pathway_override(session, other, "assess", reason="Needs a review",
                                 actor="another-manager")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "enter", *"My view", "enter")  # trust
        await settle(pilot)
        saved = person(plan_world, "Iqbal")
        assert (saved.pathway, saved.pathway_override_by) == ("assess", "another-manager")
        message = " ".join(notifications(app))
        assert "was changed by someone else (another-manager, at " in message
        assert "Nothing was changed" in message
        assert "What changed: pathway (council → assess)" in message
        assert "assess ✎" in text_of(app.screen.query_one("#pathway"))  # reloaded

    drive(app, scenario, size=(120, 60))


def test_dashboard_counts_pathways_and_charts_risk(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        pathways = text_of(app.screen.query_one("#pathway-bars"))
        lines = {line.split()[0]: line.split()[1] for line in pathways.splitlines() if line.strip()}
        assert {key: lines[key] for key in ("council", "trust", "joint", "assess", "signpost")} \
            == {"council": "4", "trust": "1", "joint": "2", "assess": "1", "signpost": "1"}
        assert "Everyone has been assessed." in pathways
        risk = text_of(app.screen.query_one("#risk-bars"))
        bands = {line.split()[0]: line.split()[1:] for line in risk.splitlines()[:3]}
        assert bands["red"][0] == "2" and bands["amber"][0] == "0" and bands["green"][0] == "7"
        assert bands["green"][-1] == "78%"
        assert "not today" not in risk

    drive(app, scenario, size=(120, 60))


def test_the_risk_chart_says_when_its_scores_are_not_todays(plan_world, app_on) -> None:
    """Scores measured some days ago: a discharge or a last contact may have crossed a window
    since, so the chart says so, as the at-risk screen does."""
    with plan_world.transaction() as session:
        session.execute(update(Person).where(Person.risk_score.is_not(None))
                        .values(risk_as_of=date(2027, 1, 4)))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        risk = " ".join(text_of(app.screen.query_one("#risk-bars")).split())
        assert "Scores as of 4 Jan 2027, not today: A reassesses everyone." in risk

    drive(app, scenario, size=(120, 60))


async def open_at_risk(pilot: Pilot[Any]) -> AtRiskScreen:
    await pilot.press("a")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AtRiskScreen)
    return screen


def test_at_risk_lists_the_highest_first_filters_by_band_and_opens_a_person(
    plan_world, app_on
) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        assert [p.family_name for p in screen.people][:3] == ["Hollins", "Ashworth", "Egbuna"]
        assert "Why: Hollins, Harry" in str(screen.query_one("#at-risk-factors").border_title)
        await pilot.press("down")
        await settle(pilot)
        assert "Ashworth" in str(screen.query_one("#at-risk-factors").border_title)
        await pilot.press("b")
        await settle(pilot)
        assert [p.risk_band for p in screen.people] == ["red", "red"]
        assert screen.query_one("#at-risk-table", DataTable).row_count == 2
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == person_id(plan_world, "Hollins")
        assert not app.screen.query(Input)  # the person screen has no text box

    drive(app, scenario)


def test_at_risk_says_where_each_handover_stands(plan_world, app_on) -> None:
    """After a plan is accepted: whether each person's worker changes, and the visit."""
    from tests.conftest import TODAY
    from transition.plan_review import accept_plan
    from transition.planning import propose_plan
    from transition.ruleset import load_rules

    rules = load_rules(None)
    with plan_world.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR)
        accept_plan(session, rules, actor=ACTOR)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        table = screen.query_one("#at-risk-table", DataTable)
        column = [str(cell) for cell in table.get_column("handover")]
        states = {p.family_name: screen.handovers[p.person_id].state for p in screen.people}
        # Hollins needs the forensic skill no one in reach has; Ashworth keeps Ana Okafor.
        assert states["Hollins"] == "no_worker" and column[0] == "needs a worker"
        assert states["Ashworth"] == "keeps" and column[1] == "keeps their worker"
        assert "changes" in states.values()  # tasks not generated: "new · no tasks yet"
        assert "new · no tasks yet" in column
        why = " ".join(text_of(screen.query_one("#at-risk-factors")).split())
        assert why.startswith("No one holds the social worker and key worker roles they need.")
        await pilot.press("down")
        await settle(pilot)
        why = " ".join(text_of(screen.query_one("#at-risk-factors")).split())
        assert why.startswith("No handover: Ana Okafor keeps them.")
        # m: only the people with a handover ahead (a new worker, or none for a role).
        await pilot.press("m")
        await settle(pilot)
        shown = {screen.handovers[p.person_id].state for p in screen.people}
        assert shown == {"changes", "no_worker"}
        assert len(screen.people) == sum(
            1 for state in states.values() if state in ("changes", "no_worker"))
        assert "Ashworth" not in [p.family_name for p in screen.people]
        assert "changing worker, or with none" in text_of(screen.query_one("#at-risk-status"))
        await pilot.press("m")
        await settle(pilot)
        assert len(screen.people) == len(states)

    drive(app, scenario)
