"""The plan and workers screens: propose in a worker thread with progress, read the reasons,
filter, choose a worker from the feasible ones, lock and unlock, accept (and a stale accept)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, ProgressBar, Select, Static

from tests.conftest import TODAY
from tests.factories import make_staff
from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.test_person_screen import open_family
from transition.models import Assignment, AuditEvent, Person, Plan, Staff
from transition.plan_review import PlanQuery, accept_plan
from transition.planning import PlanRow, propose_plan, replan
from transition.programme import transfer_date
from transition.ruleset import load_rules
from transition.screens import plan as plan_screen
from transition.screens.confirm import ConfirmScreen
from transition.screens.person import PersonScreen
from transition.screens.plan import PlanScreen, main_reason
from transition.screens.whatif import WhatIfScreen
from transition.screens.worker_picker import RoleChoiceScreen, WorkerPickerScreen
from transition.screens.workers import WorkersScreen
from transition.tasks import generate_tasks
from transition.whatif import what_if
from transition.worker_overrides import assign_worker


async def proposed(pilot: Pilot[Any]) -> PlanScreen:
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    await pilot.press("n")
    await settle(pilot)
    return screen


async def override_baines_to_joint(pilot: Pilot[Any], plan_world: Any) -> None:
    """From the plan screen: a manager overrides Baines's pathway to joint on the person's
    screen, and comes back: a draft made before it is out of date."""
    await open_family(pilot.app, plan_world, "Baines")(pilot)
    await pilot.press("o")
    await settle(pilot)
    pilot.app.screen.query_one("#pathways").focus()
    await pilot.press("down", "down", "enter")  # joint
    await pilot.press(*"Agreed at panel", "enter")
    await settle(pilot)
    await pilot.press("escape")  # back to the plan
    await settle(pilot)


async def open_workers(pilot: Pilot[Any]) -> WorkersScreen:
    await pilot.press("w")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkersScreen)
    return screen


def shown(screen: PlanScreen) -> list[tuple[str, str | None, str | None]]:
    """(family name, role, worker) of each row on the page."""
    assert screen.page is not None
    return [(screen.page.people[row.person_id].split(",")[0], row.role, row.staff_id)
            for row in screen.page.rows]


def current(database, family_name: str) -> dict[str, tuple[str, bool]]:
    with database.session() as session:
        rows = session.execute(
            select(Assignment.role, Assignment.staff_id, Assignment.locked)
            .join(Person, Person.id == Assignment.person_id)
            .where(Person.family_name == family_name, Assignment.ended_at.is_(None)))
        return {role: (staff_id, locked) for role, staff_id, locked in rows}


def test_propose_runs_in_a_worker_with_progress_and_shows_reasons(
    plan_world, app_on, monkeypatch
) -> None:
    app = app_on(plan_world)
    release = threading.Event()

    def held_propose(*args: Any, **kwargs: Any) -> Any:
        kwargs["progress"](0, 4)
        assert release.wait(timeout=30), "the test never let the plan finish"
        return propose_plan(*args, **kwargs)

    monkeypatch.setattr(plan_screen, "propose_plan", held_propose)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        assert "No plan yet" in text_of(screen.query_one("#plan-summary"))
        seen: list[tuple[int, int]] = []
        original = screen._progress
        screen._progress = lambda done, total: (seen.append((done, total)), original(done, total))
        await pilot.press("n")
        await pilot.pause()
        # The plan is being made in a thread: the screen still answers keys meanwhile.
        assert screen.running == "propose" and screen.query_one("#plan-running").display
        assert "Bringing pathway and risk" in text_of(screen.query_one("#plan-step"))
        assert screen.check_action("propose", ()) is None  # greyed: one plan at a time
        await pilot.press("u")
        assert screen.query_.unassigned_only
        release.set()
        await settle(pilot)
        assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
        assert screen.query_one("#plan-progress", ProgressBar).progress == 4
        assert screen.running is None and not screen.query_one("#plan-running").display
        summary = text_of(screen.query_one("#plan-summary"))
        assert "Plan 1 draft" in summary and "8 roles filled" in summary
        assert "2 unassigned" in summary
        assert len(shown(screen)) == 2  # only unassigned, as asked while it ran
        await pilot.press("escape")
        await settle(pilot)
        assert len(shown(screen)) == 10
        assert ("Egbuna", "social_worker", "SW2") in shown(screen)
        await pilot.press(*["down"] * 5)  # Egbuna
        await settle(pilot)
        detail = text_of(screen.query_one("#plan-detail"))
        assert "speaks Polish" in detail and "Runners-up" in detail
        assert "Ana Okafor (SW1): costs 150 more: does not speak Polish" in detail
        assert any("Plan 1 proposed" in message for message in notifications(app))

    drive(app, scenario)


def test_filters_by_unassigned_band_team_and_worker(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert shown(screen) == [("Hollins", "key_worker", None),
                                 ("Hollins", "social_worker", None)]
        assert "only unassigned" in text_of(screen.query_one("#plan-status"))
        await pilot.press("escape")
        await settle(pilot)
        assert len(shown(screen)) == 10
        await pilot.press("s", "s")  # by name, then by risk: the red band first
        await settle(pilot)
        assert [name for name, _role, _staff in shown(screen)][:3] == [
            "Hollins", "Hollins", "Ashworth"]
        assert "sorted by risk (red first" in text_of(screen.query_one("#plan-status"))
        await pilot.press("s")  # by change: the unassigned roles first
        await settle(pilot)
        assert [staff for _name, _role, staff in shown(screen)][:2] == [None, None]
        await pilot.press("s", "s")  # by worker, then the export's order again
        await settle(pilot)
        assert screen.query_.sort == "person" and len(shown(screen)) == 10
        await pilot.press("b")  # red
        await settle(pilot)
        assert {name for name, _role, _staff in shown(screen)} == {"Ashworth", "Hollins"}
        assert screen.query_one("#band-filter", Select).value == "red"
        await pilot.press("escape")
        await settle(pilot)
        # The worker filter, with the keyboard: tab to it, open it, choose Chloe Evans.
        worker_filter = screen.query_one("#worker-filter", Select)
        worker_filter.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # blank, Ben, Ana, Chloe
        await settle(pilot)
        assert screen.query_ == PlanQuery(staff_id="SW2", limit=200)
        assert shown(screen) == [("Egbuna", "social_worker", "SW2"),
                                 ("Iqbal", "social_worker", "SW2")]
        assert "worker: Chloe Evans" in text_of(screen.query_one("#plan-status"))
        screen.query_one("#team-filter", Select).value = "North CMHT"
        await settle(pilot)
        assert screen.query_.team == "North CMHT" and len(shown(screen)) == 2
        await pilot.press("n")  # a new plan keeps the filters
        await settle(pilot)
        assert "Plan 2 draft" in text_of(screen.query_one("#plan-summary"))
        assert (screen.query_.team, screen.query_.staff_id) == ("North CMHT", "SW2")
        assert screen.query_one("#worker-filter", Select).value == "SW2"
        assert len(shown(screen)) == 2

    drive(app, scenario)


def test_shift_s_saves_the_filtered_list_as_a_spreadsheet(plan_world, app_on,
                                                          sqlite_settings) -> None:
    app = app_on(plan_world)
    said: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        await pilot.press("u")  # only the unassigned: the list saved is what is shown
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        said.extend(notifications(app))

    drive(app, scenario)
    path = sqlite_settings.resolved_output_dir.resolve() / f"plan-1-{TODAY.isoformat()}.xlsx"
    assert any(f"Saved 2 roles to {path}" in message for message in said), said
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [(row[2], row[10]) for row in rows[1:]] == [("Hollins", "no one yet")] * 2
    with plan_world.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.report")).one()
    assert event.after["filters"] == {"unassigned_only": True, "sort": "person"}


def test_accept_asks_first_then_makes_the_plan_the_allocation(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # not yet
        await settle(pilot)
        with plan_world.session() as session:
            assert session.scalars(select(Plan.status)).one() == "draft"
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        with plan_world.session() as session:
            assert session.scalars(select(Plan.status)).one() == "accepted"
        assert current(plan_world, "Egbuna") == {"social_worker": ("SW2", False)}
        summary = text_of(screen.query_one("#plan-summary"))
        assert summary.startswith("Plan 1 accepted")
        # The plan's own date is what it was made for ("as of"), not when it was made.
        assert f"as of {TODAY.day} {TODAY:%b %Y}" in summary and " made " not in summary
        # Every role recorded counts, a kept one too, so the notice does not say every one
        # changed worker: it says so as the CLI does, and how many were kept.
        assert screen.page is not None and screen.page.plan is not None
        kept = screen.page.plan.kept_with_current
        assert kept > 0
        accepted = next(message for message in notifications(app)
                        if message.startswith("Plan 1 accepted"))
        assert "roles recorded or changed (" in accepted and "changed worker" not in accepted
        assert f"{kept} kept with their current worker" in accepted
        assert screen.check_action("accept", ()) is False  # nothing left to accept

    drive(app, scenario)


def test_a_stale_accept_is_refused_with_what_changed(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        # Another manager gives someone a worker after the plan was made.
        with plan_world.transaction() as session:
            nhs_number = session.scalars(select(Person.nhs_number).where(
                Person.family_name == "Baines")).one()
            assign_worker(session, load_rules(None), nhs_number=nhs_number, staff_id="SW3",
                          role="social_worker", reason="Knows him", lock=False, force=False,
                          as_of=TODAY, actor="another-manager")
        await pilot.press("A")
        await settle(pilot)
        assert app.screen is screen  # said before asking, not after
        with plan_world.session() as session:
            assert session.scalars(select(Plan.status)).one() == "draft"
        message = " ".join(notifications(app))
        assert "out of date" in message and "who holds a case changed" in message
        assert screen.running is None

    drive(app, scenario)


def test_accepting_over_tasks_made_before_says_how_to_bring_them_up_to_date(
        plan_world, app_on) -> None:
    """Tasks were made from an earlier accepted plan: the notice after accepting a new one
    says to bring them up to date, with the app's own key (t, then G)."""
    rules = load_rules()
    with plan_world.transaction() as session:
        first = propose_plan(session, rules, as_of=TODAY, actor="t", refresh=False)
        accept_plan(session, rules, plan_id=first.plan_id, actor="t")
        generate_tasks(session, rules.tasks, as_of=TODAY, actor="t",
                       transfer_date=transfer_date(session))
        leaving = session.get(Staff, "SW2")  # the next plan moves their people
        assert leaving is not None
        leaving.leaving_date = TODAY
        session.add(leaving)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        accepted = " ".join(next(message for message in notifications(app)
                                 if message.startswith("Plan 2 accepted")).split())
        assert "bring them up to date on the tasks screen (t, then G)" in accepted

    drive(app, scenario)


def test_a_pathway_override_makes_the_draft_out_of_date_before_accepting(plan_world,
                                                                         app_on) -> None:
    """A pathway changed after the draft was made (not who holds a case): accept would refuse
    it, so the summary says so, and A says so before asking, in the app's words (n)."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await override_baines_to_joint(pilot, plan_world)
        assert app.screen is screen
        summary = text_of(screen.query_one("#plan-summary"))
        assert "Out of date: people's details, pathways or risk bands changed" in summary
        assert "Press n for a new plan" in summary
        app.clear_notifications()
        await pilot.press("A")
        await settle(pilot)
        assert app.screen is screen  # no question: it could not be accepted
        said = list(app._notifications)
        assert [notification.title for notification in said] == ["Plan out of date"]
        assert "Press n for a new plan" in said[0].message
        assert "transition plan" not in said[0].message
        assert "someone else" not in said[0].message
        with plan_world.session() as session:
            assert session.scalars(select(Plan.status)).one() == "draft"
        await pilot.press("n")  # a new draft: up to date, and A asks
        await settle(pilot)
        assert "Out of date" not in text_of(screen.query_one("#plan-summary"))
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)

    drive(app, scenario)


def test_an_out_of_date_check_draft_says_to_run_the_checks_fixes_not_n(plan_world,
                                                                       app_on) -> None:
    """A draft of the nightly check's (--apply) re-plans only some people; n would plan
    everyone. When it is out of date, the summary and A say to run the check's fixes again."""
    with plan_world.transaction() as session:
        some = session.scalars(select(Person.id).order_by(Person.id).limit(2)).all()
        replan(session, load_rules(), person_ids=list(some), as_of=TODAY, actor="check",
               kind="check_apply", refresh=False)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        await override_baines_to_joint(pilot, plan_world)
        assert app.screen is screen
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert "Out of date:" in summary and "K on the dashboard" in summary
        assert "Press n" not in summary
        app.clear_notifications()
        await pilot.press("A")
        await settle(pilot)
        [said] = list(app._notifications)
        assert said.title == "Plan out of date"
        assert "K on the dashboard" in " ".join(said.message.split())

    drive(app, scenario)


def test_override_offers_only_feasible_workers_with_spare_places(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press(*["down"] * 5)  # Egbuna, social worker: SW2 planned
        await pilot.press("o")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen)
        assert [(o.staff_id, o.load, o.capacity) for o in picker.options] == [
            ("SW2", 1, 3), ("SW1", 3, 4), ("SW3", 1, 2)]  # KW1 is a trust nurse: not offered
        assert all(option.spare > 0 and option.feasible for option in picker.options)
        await pilot.press("down", "enter")  # Ana Okafor (SW1), 1 free
        await pilot.press(*"Worked with her before", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert current(plan_world, "Egbuna") == {"social_worker": ("SW1", True)}
        assert "Press n for a new plan" in text_of(screen.query_one("#plan-summary"))
        await pilot.press("n")  # re-plan: the lock is kept
        await settle(pilot)
        assert ("Egbuna", "social_worker", "SW1") in shown(screen)
        assert screen.page is not None
        egbuna = next(row for row in screen.page.rows if row.staff_id == "SW1"
                      and screen.page.people[row.person_id].startswith("Egbuna"))
        assert egbuna.locked

    drive(app, scenario)


def test_lock_and_unlock_the_planned_worker(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press("k")  # Ashworth: keeps SW1
        await settle(pilot)
        assert current(plan_world, "Ashworth") == {"social_worker": ("SW1", True)}
        assert "(locked)" in text_of(screen.query_one("#plan-detail"))
        await pilot.press("k")
        await settle(pilot)
        assert current(plan_world, "Ashworth") == {"social_worker": ("SW1", False)}
        assert any("Unlocked" in message for message in notifications(app))
        await pilot.press("u")  # unassigned rows: no worker to lock
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert current(plan_world, "Hollins") == {}
        assert any("press o to choose one" in message for message in notifications(app))

    drive(app, scenario)


def test_a_lock_from_a_stale_plan_screen_is_refused_not_written_over(plan_world,
                                                                     app_on) -> None:
    """The plan screen read who holds Ashworth's role; another manager then chose SW3 for it.
    Locking the plan's worker (or unlocking) from the screen must not overwrite that choice
    unseen: it is refused, the screen reloads, and the other manager's choice stands."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        with plan_world.transaction() as session:  # another manager, meanwhile
            number = session.scalars(select(Person.nhs_number)
                                     .where(Person.family_name == "Ashworth")).one()
            assign_worker(session, load_rules(None), nhs_number=number, staff_id="SW3",
                          role="social_worker", reason="their choice", lock=True, force=True,
                          as_of=TODAY, actor="other")
        await pilot.press("k")  # Ashworth: lock the plan's SW1
        await settle(pilot)
        assert current(plan_world, "Ashworth") == {"social_worker": ("SW3", True)}
        assert any("it is now SW3 (locked). Nothing was saved" in message
                   for message in notifications(app)), notifications(app)

    drive(app, scenario)


def test_enter_on_a_plan_row_opens_the_person(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await proposed(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)

    drive(app, scenario)


def test_workers_screen_bars_per_worker_and_team_and_opens_the_plan(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_workers(pilot)
        workers = screen.query_one("#workers-table", DataTable)
        ana = [str(cell) for cell in workers.get_row("SW1")]
        assert ana[0] == "Ana Okafor (SW1)" and ana[2].endswith(" 3/4") and ana[3] == "no plan"
        await proposed(pilot)
        await pilot.press("w")
        await settle(pilot)
        teams = screen.query_one("#teams-table", DataTable)
        council = [str(cell) for cell in teams.get_row("North Council")]
        assert council[1] == "3" and council[2].endswith(" 5/9") and council[3].endswith(" 6/9")
        sam = [str(cell) for cell in workers.get_row("SW3")]
        assert sam[2].endswith(" 0/2") and sam[3].endswith(" 1/2")
        await pilot.press("f")  # only workers at 90% or more: no one
        await settle(pilot)
        assert workers.row_count == 0
        await pilot.press("f")
        await settle(pilot)
        everyone = workers.row_count
        teams.focus()
        teams.move_cursor(row=teams.get_row_index("North Council"))
        await pilot.press("enter")  # only that team's workers
        await settle(pilot)
        assert {key.value for key in workers.rows} == {"SW1", "SW2", "SW3"} != {
            worker.staff_id for worker in screen.loads.workers}
        assert "only North Council" in text_of(screen.query_one("#workers-summary"))
        await pilot.press("enter")  # again: everyone
        await settle(pilot)
        assert workers.row_count == everyone
        workers.focus()
        workers.move_cursor(row=workers.get_row_index("SW2"))
        await pilot.press("enter")
        await settle(pilot)
        plan = app.screen
        assert isinstance(plan, PlanScreen) and plan.query_.staff_id == "SW2"
        assert {staff for _name, _role, staff in shown(plan)} == {"SW2"}
        # h: the people a worker holds now (the trust's export), and where each one goes.
        await pilot.press("w")
        await settle(pilot)
        workers.focus()
        workers.move_cursor(row=workers.get_row_index("SW1"))
        await pilot.press("h")
        await settle(pilot)
        assert plan.query_.coordinator == "SW1" and plan.query_.staff_id is None
        assert {(name, role) for name, role, _staff in shown(plan)} == {
            ("Ashworth", "social_worker"), ("Baines", "social_worker"),
            ("Chowdhury", "key_worker")}
        assert "the people Ana Okafor coordinates now" in text_of(
            plan.query_one("#plan-status"))
        await pilot.press("escape")
        await settle(pilot)
        assert plan.query_.coordinator is None and len(shown(plan)) == 10

    drive(app, scenario)


def test_workers_marked_to_go_show_what_would_happen_without_them(plan_world, app_on) -> None:
    """m marks the highlighted worker as one who might go (and moves on); W works out the
    plan without the marked workers in a thread and shows it over the screen, storing nothing:
    the same numbers as transition plan --withdraw."""
    with plan_world.session() as session:
        expected = what_if(session, load_rules(), as_of=TODAY, withdraw=["SW1"])
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_workers(pilot)
        await pilot.press("W")  # no one marked yet: says how
        await settle(pilot)
        assert any("with m first" in message for message in notifications(app))
        assert screen.is_current
        workers = screen.query_one("#workers-table", DataTable)
        workers.focus()
        for _ in range(2):  # marked, then unmarked
            workers.move_cursor(row=workers.get_row_index("SW1"))
            await pilot.press("m")
            await settle(pilot)
        assert "marked to go" not in str(workers.get_row("SW1")[5])
        workers.move_cursor(row=workers.get_row_index("SW1"))
        await pilot.press("m")
        await settle(pilot)
        assert str(workers.get_row("SW1")[5]) == "marked to go (what-if)"
        assert workers.cursor_row == workers.get_row_index("SW1") + 1  # on to the next
        assert "1 worker marked to go" in text_of(screen.query_one("#workers-summary"))
        await pilot.press("W")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, WhatIfScreen)
        report = text_of(dialog.query_one("#what-if-report"))
        assert "What-if (nothing stored): withdraw SW1" in report
        assert (f"People losing their current worker: {expected.losing_current_worker}."
                in report) and expected.losing_current_worker > 0
        assert f"unassigned: {expected.unassigned} " in report
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.withdrawing == ["SW1"]

    drive(app, scenario)
    with plan_world.session() as session:  # nothing stored
        assert session.scalars(select(Plan)).all() == []


def test_a_role_no_one_fits_can_be_given_anyway_with_what_it_breaks(plan_world,
                                                                    app_on) -> None:
    with plan_world.transaction() as session:  # has the skill, but leaves before the transfer
        make_staff(session, "SW9", team="North Council", skills=["forensic"],
                   leaving_date=date(2027, 3, 1))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press("u")  # Hollins: needs the forensic skill, and no one has it
        await settle(pilot)
        rows = shown(screen)
        await pilot.press(*["down"] * rows.index(("Hollins", "social_worker", None)))
        await pilot.press("o")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen) and picker.anyway is not None
        assert "skill forensic" in picker.anyway
        # The council social workers, each ruled out with why; not the trust nurse (wrong job)
        # nor the leaver (gone by the handover).
        assert {option.staff_id for option in picker.options} == {"SW1", "SW2", "SW3"}
        assert all("lacks forensic" in option.why_not for option in picker.options)
        said = " ".join(text_of(widget) for widget in picker.query(Static))
        assert "Choosing one records it anyway" in said
        assert "Assign anyway" in str(picker.query_one("#save", Button).label)
        await pilot.press("enter")  # the first, fewest problems
        await pilot.press(*"Forensic supervision agreed", "enter")
        await settle(pilot)
        assert app.screen is screen
        chosen = picker.options[0].staff_id
        assert current(plan_world, "Hollins") == {"social_worker": (chosen, True)}
        assert any("recorded with what it breaks" in message for message in notifications(app))
        with plan_world.session() as session:
            reason = session.scalar(select(Assignment.reason).join(
                Person, Person.id == Assignment.person_id).where(
                Person.family_name == "Hollins", Assignment.ended_at.is_(None)))
        assert reason is not None and "[forced past: lacks forensic" in reason

    drive(app, scenario)


def test_the_person_screen_shows_each_role_and_a_worker_can_be_chosen_there(
    plan_world, app_on
) -> None:
    """From a check's finding a manager lands on the person: the Workers panel says who holds
    each role or why no one does, and A chooses one (which role first, for two)."""
    rules = load_rules(None)
    with plan_world.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor="test")
        accept_plan(session, rules, actor="test")
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Hollins")(pilot)
        panel = text_of(screen.query_one("#workers"))
        assert "social worker" in panel and "key worker" in panel
        assert "the accepted plan could not fill it" in panel and "skill forensic" in panel
        await pilot.press("A")  # joint: which role?
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, RoleChoiceScreen)
        assert [role for role, _label in chooser.roles] == ["social_worker", "key_worker"]
        await pilot.press("enter")  # the social worker
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen) and picker.anyway is not None
        assert "skill forensic" in picker.anyway
        assert {option.staff_id for option in picker.options} == {"SW1", "SW2", "SW3"}
        await pilot.press("enter")
        await pilot.press(*"Forensic supervision agreed", "enter")
        await settle(pilot)
        assert app.screen is screen
        chosen = picker.options[0].staff_id
        assert current(plan_world, "Hollins") == {"social_worker": (chosen, True)}
        panel = text_of(screen.query_one("#workers"))
        assert f"({chosen})" in panel and "a manager's choice; locked" in panel
        assert "Worker chosen" in text_of(screen.query_one("#audit"))  # assignment.manager
        named = [said for said in notifications(app) if "is now the social worker" in said]
        assert named and named[0].startswith(f"{picker.options[0].name} ({chosen}) is now")
        await pilot.press("escape")
        await settle(pilot)

    drive(app, scenario)


def test_choosing_on_the_person_screen_is_refused_if_someone_else_chose_first(
    plan_world, app_on
) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Baines")(pilot)
        # Before any plan: the trust's coordinator holds them; one role, so no question.
        assert "the trust's care coordinator, until a plan is accepted" in text_of(
            screen.query_one("#workers"))
        await pilot.press("A")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen) and picker.anyway is None
        assert picker.marker == "holds it now" and picker.planned == "SW1"
        with plan_world.transaction() as session:  # another manager, meanwhile
            assign_worker(session, load_rules(None), nhs_number=session.get(
                Person, screen.person_id).nhs_number, staff_id="SW3", role="social_worker",
                reason="their choice", lock=False, force=False, as_of=TODAY, actor="other")
        await pilot.press("enter")
        await pilot.press(*"Mine", "enter")
        await settle(pilot)
        assert current(plan_world, "Baines") == {"social_worker": ("SW3", False)}
        assert any("What changed" in message for message in notifications(app))
        assert "Sam Reid (SW3)" in text_of(screen.query_one("#workers"))

    drive(app, scenario)


def test_a_choice_on_the_person_screen_marks_the_draft_out_of_date(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        summary = text_of(screen.query_one("#plan-summary"))
        assert "A draft: nothing changes until you accept it" in summary
        await open_family(app, plan_world, "Baines")(pilot)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.press(*"Knows him", "enter")
        await settle(pilot)
        await pilot.press("escape")  # back to the plan, opened over it
        await settle(pilot)
        assert app.screen is screen
        summary = text_of(screen.query_one("#plan-summary"))
        assert "since this draft was made" in summary and "Press n for a new plan" in summary
        await pilot.press("n")  # a new draft, made after the choice: no longer out of date
        await settle(pilot)
        summary = text_of(screen.query_one("#plan-summary"))
        assert "since this draft was made" not in summary

    drive(app, scenario)


def test_the_main_reason_column_says_why_not_the_current_worker_not_new_worker_again() -> None:
    def row(*reasons: str, kept: bool = False) -> PlanRow:
        return PlanRow(person_id=1, nhs_number="9990000018", role="social_worker",
                       staff_id="SW2", kept=kept, locked=False, cost=10,
                       reasons=list(reasons), alternatives=[], pathway="council",
                       risk_band="green")

    assert main_reason(row("new worker (current worker WP6 is a trust nurse; this role needs "
                           "a council social worker)", "same team (North)")) == (
        "current worker WP6 is a trust nurse; this role needs a council social worker")
    assert main_reason(row("keeps current worker", "same team (North)", kept=True)) == (
        "keeps current worker")
    assert main_reason(row("new worker", "same team (North)")) == "new worker"
    assert main_reason(row()) == ""
