from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import task_world
from tests.conftest import TODAY, RunCli
from tests.tables import read_down
from transition.audit import events
from transition.db import Database
from transition.models import Person, Programme, Task


def world(database: Database) -> dict[str, str]:
    """Build the task world; returns NHS numbers by short name."""
    with database.transaction() as session:
        ids = task_world.build(session)
        return {name: session.get(Person, pid).nhs_number for name, pid in ids.items()}  # type: ignore[union-attr]


def test_generate_then_list_as_json(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    result = run_cli("tasks", "generate", "--json")
    assert result.exit_code == 0, result.output
    summary = result.json()
    assert summary["people"] == 7 and summary["created"] > 0
    assert summary["transfer_date"] == "2027-04-01"
    assert summary["rules_version"].startswith("2026.1#")

    listed = run_cli("tasks", "list", "--json", "--as-of", "2027-03-22")
    assert listed.exit_code == 0, listed.output
    tasks = listed.json()
    assert isinstance(tasks, list) and len(tasks) == summary["created"]
    first = tasks[0]
    for field in ("id", "nhs_number", "key", "title", "owner_staff_id", "due",
                  "offset_working_days", "handover_date", "status", "overdue"):
        assert field in first
    assert first["overdue"] is True  # overdue first
    red = [task for task in tasks if task["nhs_number"] == numbers["red"]]
    visit = next(task for task in red if task["key"] == "joint_visit")
    assert (visit["due"], visit["offset_working_days"], visit["owner_staff_id"]) == (
        "2027-03-25", -3, "OUT1")


def test_list_filters(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    # Today is 15 January 2027 in the tests: nothing is overdue yet...
    assert run_cli("tasks", "list", "--overdue", "--json").json() == []
    # ...but on 17 March 2027 every letter is.
    late = run_cli("tasks", "list", "--overdue", "--as-of", "17/03/2027", "--json").json()
    assert late and {task["due"] for task in late} == {"2027-03-16"}
    kw1 = run_cli("tasks", "list", "--owner", "KW1", "--json").json()
    assert kw1 and {task["owner_staff_id"] for task in kw1} == {"KW1"}
    assert run_cli("tasks", "list", "--owner", "kw1", "--json").json() == kw1
    mine = run_cli("tasks", "list", "--nhs", numbers["assess"], "--json").json()
    assert "assessment_booked" in {task["key"] for task in mine}
    assert {task["nhs_number"] for task in mine} == {numbers["assess"]}
    limited = run_cli("tasks", "list", "--status", "todo", "--limit", "2", "--json").json()
    assert len(limited) == 2
    # 0 is all, as every other --limit takes it (it was refused here alone).
    todo = run_cli("tasks", "list", "--status", "todo", "--json").json()
    assert len(todo) > 2
    assert run_cli("tasks", "list", "--status", "todo", "--limit", "0", "--json").json() == todo
    every = run_cli("tasks", "list", "--status", "todo", "--limit", "0").stdout
    assert f"Showing {len(todo)} of {len(todo)} tasks" in every
    assert run_cli("tasks", "list", "--limit", "-1").exit_code == 2
    table = run_cli("tasks", "list", "--as-of", "2027-03-17", "--limit", "5")
    assert table.exit_code == 0
    assert "OVERDUE" in table.stdout and "Showing 5 of" in table.stdout
    # 80 columns (a file, a small terminal): two lines a task, every title and name whole.
    from transition.commands.common import console

    shown = run_cli("tasks", "list", "--status", "todo", "--limit", "5", "--json").json()
    for width in (80, 200):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(console, "width", width)
            text = run_cli("tasks", "list", "--status", "todo", "--limit", "5").stdout
        lines = text.splitlines()
        assert "…" not in text and max(map(len, lines)) <= width
        if width == 200:  # one line a task
            assert "Working days" in lines[1]
            assert all(any(task["title"] in line and task["person_name"] in line
                           for line in lines) for task in shown)
            continue
        # Two lines a task: each column, read down, holds every title and name whole.
        titles, names = read_down(text, "Task", "Due"), read_down(text, "Person", "Task")
        assert all(task["title"] in titles and task["person_name"] in names for task in shown)
    red = run_cli("tasks", "list", "--band", "red", "--json").json()
    everyone = run_cli("tasks", "list", "--json").json()
    assert red and {task["nhs_number"] for task in red} == {numbers["red"]}
    assert red == [task for task in everyone if task["nhs_number"] == numbers["red"]]


def test_list_errors_are_clear(run_cli: RunCli, database: Database) -> None:
    world(database)
    unknown = run_cli("tasks", "list", "--owner", "NOBODY")
    assert unknown.exit_code == 1 and "No worker with staff id 'NOBODY'" in unknown.stderr
    # Progress for a worker not on the staff list was all zeros, as if they had no tasks.
    nobody = run_cli("tasks", "progress", "--owner", "NOBODY")
    assert nobody.exit_code == 1 and "No worker with staff id 'NOBODY'" in nobody.stderr
    no_person = run_cli("tasks", "list", "--nhs", "9990000026")
    assert no_person.exit_code == 1 and "0026" in no_person.stderr
    assert "9990000026" not in no_person.stderr
    bad_status = run_cli("tasks", "list", "--status", "finished")
    assert bad_status.exit_code == 2 and "not a task status" in bad_status.stderr
    bad_band = run_cli("tasks", "list", "--band", "purple")
    assert bad_band.exit_code == 2 and "Use one of: red, amber, green" in bad_band.stderr


def test_set_status_with_dependencies_and_versions(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    mine = run_cli("tasks", "list", "--nhs", numbers["council"], "--json").json()
    by_key = {task["key"]: task for task in mine}
    first, records = by_key["first_contact"], by_key["records_transferred"]

    refused = run_cli("tasks", "set", str(first["id"]), "done")
    assert refused.exit_code == 1
    assert ("cannot be done before Records and risk assessment transferred to the new worker "
            f"(task {records['id']}, due ") in " ".join(refused.stderr.split())

    blocked = run_cli("tasks", "set", str(records["id"]), "blocked")
    assert blocked.exit_code == 2 and "without a reason" in blocked.stderr

    ok = run_cli("tasks", "set", str(records["id"]), "done", "--note", "Sent by secure email")
    assert ok.exit_code == 0, ok.output
    assert "todo -> done" in ok.stdout
    stale = run_cli("tasks", "set", str(records["id"]), "todo", "--expected-version", "1")
    assert stale.exit_code == 1 and "changed by someone else" in stale.stderr

    result = run_cli("tasks", "set", str(first["id"]), "done", "--json")
    assert result.json() == {"id": first["id"], "key": "first_contact", "before": "todo",
                             "status": "done", "version": 2}
    assert run_cli("tasks", "set", "99999", "done").exit_code == 1


def test_set_refuses_a_reason_longer_than_the_record_keeps(run_cli: RunCli,
                                                           database: Database) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    mine = run_cli("tasks", "list", "--nhs", numbers["council"], "--json").json()
    letter = next(task for task in mine if task["key"] == "letter_gp")
    for status in ("blocked", "not_needed"):
        refused = run_cli("tasks", "set", str(letter["id"]), status, "--reason", "w" * 2000)
        assert refused.exit_code == 2, refused.output
        said = " ".join(refused.stderr.split())  # Rich wraps long lines
        assert "2,000 characters long; a reason can be at most 1,000" in said
    after = run_cli("tasks", "list", "--nhs", numbers["council"], "--json").json()
    assert next(task for task in after if task["id"] == letter["id"])["status"] == "todo"


def test_generate_without_a_transfer_date_says_what_to_do(run_cli: RunCli,
                                                          database: Database) -> None:
    with database.transaction() as session:
        task_world.build(session)
        programme = session.get(Programme, 1)
        assert programme is not None
        programme.transfer_date = None
        session.add(programme)
    result = run_cli("tasks", "generate")
    assert result.exit_code == 1
    assert "7 people need a handover but have no handover date" in result.stderr
    assert "transition programme set --transfer-date" in result.stderr


def test_handover_date_moves_that_persons_tasks(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    result = run_cli("handover-date", numbers["council"], "04/05/2027", "--reason", "Phase 2")
    assert result.exit_code == 0, result.output
    assert "Tuesday 4 May 2027" in result.stdout and "6 task due dates moved" in result.stdout
    assert numbers["council"] not in result.output  # masked
    tasks = run_cli("tasks", "list", "--nhs", numbers["council"], "--json").json()
    assert {task["handover_date"] for task in tasks} == {"2027-05-04"}
    letter = next(task for task in tasks if task["key"] == "letter_person")
    assert letter["due"] == "2027-04-19"

    weekend = run_cli("handover-date", numbers["red"], "2027-05-08", "--json")
    assert weekend.json()["effective_handover_date"] == "2027-05-08"
    assert "not a working day" in weekend.stderr and "Monday 10 May 2027" in weekend.stderr
    assert "arrange cover" in " ".join(weekend.stderr.split())
    assert "in the past" not in weekend.stderr

    past = run_cli("handover-date", numbers["red"], (TODAY - timedelta(days=7)).isoformat())
    assert past.exit_code == 0, past.output
    said = " ".join(past.stderr.split())
    assert "is in the past (today is" in said and "already overdue" in said

    cleared = run_cli("handover-date", numbers["council"], "--clear", "--json")
    assert cleared.json()["effective_handover_date"] == "2027-04-01"
    with database.session() as session:
        person = session.scalars(
            select(Person).where(Person.nhs_number == numbers["council"])
        ).one()
        trail = events(session, person_id=person.id, actions=["person.handover_date"])
        assert [(e.before, e.after) for e in trail] == [("2027-05-04", None), (None, "2027-05-04")]
        assert session.scalars(select(Task.handover_date).where(Task.person_id == person.id)).all()


def test_handover_date_needs_a_date_or_clear(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    both = run_cli("handover-date", numbers["council"], "2027-05-04", "--clear")
    assert both.exit_code == 2 and "either a DATE or --clear" in both.stderr
    assert run_cli("handover-date", numbers["council"]).exit_code == 2
    bad = run_cli("handover-date", numbers["council"], "31/02/2027")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr
    # A reason longer than the audit trail keeps: refused whole (PostgreSQL crashed on it).
    long = run_cli("handover-date", numbers["council"], "2027-05-04", "--reason", "x" * 1001)
    assert long.exit_code == 2 and "at most 1,000" in long.stderr
    assert run_cli("person", numbers["council"], "--json").json()["handover_date"] != "2027-05-04"


def test_progress_and_templates(run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    world(database)
    run_cli("tasks", "generate")
    data = run_cli("tasks", "progress", "--as-of", "2027-03-22", "--json").json()
    assert data["countdown"]["working_days"] == 6
    assert data["progress"]["overdue"] == 13
    assert data["burndown"]["points"][-1]["day"] == "2027-04-01"
    text = run_cli("tasks", "progress", "--as-of", "2027-03-22")
    assert "6 working days to go" in text.stdout
    # By risk band: the bands add up to the whole, and --band shows one of them.
    by_band = data["by_band"]
    assert list(by_band) == ["red", "amber", "green"]
    for count in ("done", "due", "overdue", "total"):
        assert sum(item[count] for item in by_band.values()) == data["progress"][count]
    assert by_band["red"]["total"] > 0
    red = run_cli("tasks", "progress", "--as-of", "2027-03-22", "--band", "red", "--json").json()
    assert red["progress"] == by_band["red"] and red["by_band"] == {}
    assert "Risk band" in text.stdout and "Tasks (red band):" in run_cli(
        "tasks", "progress", "--band", "red").stdout
    wrong = run_cli("tasks", "progress", "--band", "purple")
    assert wrong.exit_code == 2 and "--band 'purple' is not one we know" in wrong.stderr
    assert "Tasks (red band):" in run_cli("tasks", "progress", "--band", "RED").stdout
    templates = run_cli("tasks", "templates", "--json").json()
    assert next(item["key"] for item in templates) == "assessment_booked"
    shown = run_cli("tasks", "templates")
    assert shown.exit_code == 0 and "first_contact" in shown.stdout


def test_person_shows_the_handover_date_and_tasks(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    detail = run_cli("person", numbers["red"], "--json").json()
    assert detail["handover_date"] == "2027-04-01" and detail["handover_date_is_own"] is False
    visit = next(task for task in detail["tasks"] if task["key"] == "joint_visit")
    assert (visit["due"], visit["overdue"]) == ("2027-03-25", False)  # today is 15 Jan 2027
    shown = run_cli("person", numbers["red"])
    assert shown.exit_code == 0 and "Handover tasks" in shown.stdout
    assert "Joint handover visit" in shown.stdout


def test_moving_the_transfer_date_says_the_tasks_follow_at_the_next_generate(
    run_cli: RunCli, database: Database
) -> None:
    world(database)
    same = run_cli("programme", "set", "--transfer-date", "2027-04-01")  # before any tasks
    assert "tasks generate" not in same.stderr
    run_cli("tasks", "generate")
    moved = run_cli("programme", "set", "--transfer-date", "2027-05-04")
    assert moved.exit_code == 0, moved.output
    assert "run `transition tasks generate` to move them" in " ".join(moved.stderr.split())
    again = run_cli("programme", "set", "--transfer-date", "2027-05-04")  # no change
    assert "tasks generate" not in again.stderr
