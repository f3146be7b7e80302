"""`transition handover-date --team TEAM DATE` (or --locality): a phased move for everyone in a
team at once, all or nothing, with what it changes said as the one-person form says it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests import task_world
from tests.check_world import caseload_import
from tests.conftest import RunCli
from tests.factories import make_person
from tests.letter_setup import handover_person, use_test_council, with_transfer_date
from transition import handover
from transition.audit import events
from transition.db import Database
from transition.models import AuditEvent, Person, Staff


def _said(text: str) -> str:
    return " ".join(text.split())


def _world(database: Database) -> dict[str, Any]:
    """task_world's people (all in North CMHT, North), two in South CMHT, and one North CMHT
    person missing from the latest export."""
    with database.transaction() as session:
        ids = task_world.build(session)
        south = [make_person(session, team="South CMHT", locality="South").id for _ in range(2)]
        batch = caseload_import(session, date(2027, 1, 10))
        gone = make_person(session, missing_since_batch_id=batch.id).id
        return {"north": sorted(ids.values()), "south": south, "gone": gone, "ids": ids}


def _dates(database: Database) -> dict[int, date | None]:
    with database.session() as session:
        return dict(session.execute(select(Person.id, Person.handover_date)).all())  # type: ignore[arg-type]


def _audited(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_everyone_in_the_team_moves_audited_and_the_rest_do_not(run_cli: RunCli,
                                                                 database: Database) -> None:
    world = _world(database)
    result = run_cli("handover-date", "--team", "north cmht", "2027-03-01", "--reason",
                     "Phase 2", "--json")
    assert result.exit_code == 0, result.output
    data = result.json()
    assert data["teams"] == ["North CMHT"]  # as the export spells it
    assert (data["people_changed"], data["people_unchanged"],
            data["people_missing_from_export"]) == (len(world["north"]), 0, 1)
    assert data["changed"] is True and data["handover_date"] == "2027-03-01"
    assert data["programme_transfer_date"] == "2027-04-01"
    dates = _dates(database)
    assert {dates[pid] for pid in world["north"]} == {date(2027, 3, 1)}
    assert {dates[pid] for pid in world["south"]} == {None}
    assert dates[world["gone"]] is None  # not in the latest export: left as they are
    with database.session() as session:
        trail = events(session, actions=["person.handover_date"])
    assert sorted(event.person_id for event in trail) == world["north"]
    assert {(event.before, event.after, event.reason, event.actor) for event in trail} == {
        (None, "2027-03-01", "Phase 2", "test-manager")}
    # Again: nothing changes, nothing is audited, and the text says so.
    audited = _audited(database)
    again = run_cli("handover-date", "--team", "North CMHT", "2027-03-01")
    assert again.exit_code == 0, again.output
    assert "no change; all 8 people already move on Monday 1 March 2027" in _said(again.stdout)
    assert "1 person in it but missing from the latest trust export was left as they are" in (
        _said(again.stdout))
    assert _audited(database) == audited


def test_task_due_dates_follow_in_one_run_and_clear_goes_back(run_cli: RunCli,
                                                              database: Database) -> None:
    world = _world(database)
    assert run_cli("tasks", "generate").exit_code == 0
    before = {task["id"]: task["due"] for task in run_cli("tasks", "list", "--json").json()}
    moved = run_cli("handover-date", "--team", "North CMHT", "2027-03-04", "--json")
    assert moved.exit_code == 0, moved.output
    after = {task["id"]: task["due"] for task in run_cli("tasks", "list", "--json").json()}
    changed = sum(1 for key, due in before.items() if after[key] != due)
    assert changed and moved.json()["task_due_dates_moved"] == changed
    text = run_cli("handover-date", "--team", "North CMHT", "--clear", "--reason", "undo")
    assert text.exit_code == 0, text.output
    said = _said(text.stdout)
    assert ("North CMHT: 8 people now move on the programme's transfer date, Thursday 1 April "
            "2027.") in said
    assert f"{changed} task due dates moved." in said
    assert {task["id"]: task["due"] for task in run_cli("tasks", "list", "--json").json()} == (
        before)
    assert {_dates(database)[pid] for pid in world["north"]} == {None}


def test_workers_not_there_are_counted_per_worker(run_cli: RunCli, database: Database) -> None:
    """IN1 takes two North CMHT people (the council and the joint one) and leaves on 14 May:
    a team move to 1 June leaves both handed to no one; one line for IN1, not one a person."""
    _world(database)
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "IN1")
                        .values(leaving_date=date(2027, 5, 14)))
    result = run_cli("handover-date", "--team", "North CMHT", "2027-06-01", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["workers_not_there"] == [
        {"staff_id": "IN1", "roles": ["social_worker"], "why": "leaving on 2027-05-14",
         "people": 2}]
    said = _said(result.stderr)
    assert ("Tuesday 1 June 2027 is after the programme's transfer date (Thursday 1 April "
            "2027)") in said
    text = run_cli("handover-date", "--team", "North CMHT", "2027-06-02")
    said = _said(text.stderr)
    assert ("1 worker will not be there for the handover on Wednesday 2 June 2027 of people "
            "they hold here: IN1 (leaving on 14 May 2027): 2 people, as social worker") in said
    assert "transition check --apply" in said
    early = run_cli("handover-date", "--team", "North CMHT", "2027-05-04", "--json")
    assert early.json()["workers_not_there"] == []


def test_a_locality_and_notes_for_a_weekend_in_the_past(run_cli: RunCli,
                                                        database: Database) -> None:
    world = _world(database)
    result = run_cli("handover-date", "--locality", "SOUTH", "2027-01-09")  # a past Saturday
    assert result.exit_code == 0, result.output
    assert "South: 2 people now move on Saturday 9 January 2027." in _said(result.stdout)
    said = _said(result.stderr)
    assert "is in the past" in said and "is not a working day" in said
    assert {_dates(database)[pid] for pid in world["south"]} == {date(2027, 1, 9)}
    both = run_cli("handover-date", "--team", "North CMHT", "--locality", "South",
                   "2027-03-01")
    assert both.exit_code == 1 and "No one on the caseload is in the team" in _said(both.stderr)


def test_letters_written_with_the_old_date_are_counted(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_test_council(monkeypatch)
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
    assert run_cli("letters", "generate", "--format", "md").exit_code == 0
    moved = run_cli("handover-date", "--team", "North CMHT", "2027-03-10", "--json")
    assert moved.exit_code == 0, moved.output
    assert moved.json()["letters_out_of_date"] == 2  # the person's and the GP's
    said = _said(moved.stderr)
    assert "2 letters already written for these people are now out of date" in said
    assert "do not post them" in said


@pytest.mark.parametrize(("args", "code", "words"), [
    (("--team", "North CHMT", "2027-03-01"), 1,
     ("No one on the caseload is in the team 'North CHMT': nothing was changed. "
      "Did you mean 'North CMHT'")),
    (("--team", "Elsewhere", "2027-03-01"), 1,
     "The caseload's teams are 'North CMHT' and 'South CMHT'."),
    (("--locality", "Nort", "2027-03-01"), 1, "Did you mean 'North'?"),
    (("--team", "North CMHT", "{number}", "2027-03-01"), 2,
     "either an NHS number or --team/--locality, not both"),
    (("--team", "North CMHT", "{number}"), 2,
     "either an NHS number or --team/--locality, not both"),
    (("--team", "North CMHT"), 2, "either a DATE or --clear"),
    (("--team", "North CMHT", "2027-03-01", "--clear"), 2, "either a DATE or --clear"),
    (("--team", "North CMHT", "2027-02-30"), 2, "is not a date"),
    (("--team", " ", "2027-03-01"), 2, "--team needs a name"),
    (("2027-03-01",), 2, "Give the person's NHS number, or --team TEAM"),
    ((), 2, "Give the person's NHS number, or --team TEAM"),
])
def test_bad_input_is_refused_with_nothing_written(
    run_cli: RunCli, database: Database, args: tuple[str, ...], code: int, words: str
) -> None:
    world = _world(database)
    with database.session() as session:
        number = session.get(Person, world["ids"]["council"]).nhs_number  # type: ignore[union-attr]
    audited = _audited(database)
    result = run_cli("handover-date", *(arg.format(number=number) for arg in args))
    assert result.exit_code == code, result.output
    assert words in _said(result.stderr)
    assert number not in result.output
    assert "Traceback" not in result.output
    assert _audited(database) == audited
    assert set(_dates(database).values()) == {None}


def test_a_change_made_meanwhile_saves_no_one(run_cli: RunCli, database: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone changes one person of the team between the read and the write (their version
    moves on): the whole team's change is refused, naming that person by masked number."""
    world = _world(database)
    read_group = handover._read_group
    victim = world["north"][3]

    def read_then_changed(session: Any, *args: Any) -> Any:
        rows = read_group(session, *args)
        session.execute(update(Person).where(Person.id == victim)
                        .values(version=Person.version + 1))
        return rows

    monkeypatch.setattr(handover, "_read_group", read_then_changed)
    audited = _audited(database)
    result = run_cli("handover-date", "--team", "North CMHT", "2027-03-01")
    assert result.exit_code == 1, result.output
    with database.session() as session:
        number = session.get(Person, victim).nhs_number  # type: ignore[union-attr]
    said = _said(result.stderr)
    assert f"The record for ******{number[-4:]} was changed by" in said
    assert "no one's handover date was saved" in said
    assert number not in result.output
    assert set(_dates(database).values()) == {None}
    assert _audited(database) == audited
