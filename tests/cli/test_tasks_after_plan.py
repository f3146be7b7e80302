"""End to end: plan, accept, generate tasks, re-assign, generate again (both databases)."""

from __future__ import annotations

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.config import Settings


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands are built directly (tests/caseloads.py): plan must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


numbers = caseload_numbers


def test_tasks_follow_the_accepted_plan(run_cli: RunCli, settings: Settings) -> None:
    people = numbers(settings)
    run_cli("plan")
    assert run_cli("plan", "accept").exit_code == 0
    generated = run_cli("tasks", "generate", "--json")
    assert generated.exit_code == 0, generated.output
    assert generated.json()["created"] > 0

    kinds: list[str] = []
    for label, number in people.items():
        detail = run_cli("person", number, "--json").json()
        workers = {item["role"]: item["staff_id"] for item in detail["workers"]}
        coordinator = detail["care_coordinator_id"]
        tasks = {task["key"]: task for task in detail["tasks"]}
        changes = any(staff != coordinator for staff in workers.values())
        if label == "signpost":
            kinds.append("manager")
            assert tasks and {task["owner"] for task in tasks.values()} == {"manager"}
        elif changes or (detail["pathway"] == "assess" and "social_worker" in workers):
            kinds.append("handover")
            assert "first_contact" in tasks, label
            assert tasks["first_contact"]["owner_staff_id"] in workers.values(), label
            # KW2 leaves the day before the transfer: the team manager holds their outgoing
            # tasks, as for a coordinator not on the staff list.
            assert tasks["letter_gp"]["owner_staff_id"] == (
                coordinator if coordinator in {"SW1", "SW2", "SW3", "SW4", "KW1"}
                else None), label
        else:
            kinds.append("none")
            assert tasks == {}, label
    assert kinds.count("handover") >= 3 and "none" in kinds and "manager" in kinds, kinds

    # The manager gives the Polish speaker to SW2: the incoming tasks move with the role at
    # once (tasks have been generated), so the next generation has nothing left to do.
    polish = run_cli("person", people["polish"], "--json").json()
    before = {task["key"]: task for task in polish["tasks"]}
    target = "SW4" if before["first_contact"]["owner_staff_id"] == "SW2" else "SW2"
    moved = run_cli("assign", people["polish"], target, "--role", "social_worker",
                    "--reason", "Speaks Polish", "--force", "--json")
    assert moved.exit_code == 0, moved.output
    assert moved.json()["tasks"]["owner_moved"] >= 1 and moved.json()["tasks"]["created"] == 0
    after = {t["key"]: t for t in run_cli("person", people["polish"], "--json").json()["tasks"]}
    assert after["first_contact"]["owner_staff_id"] == target
    assert after["first_contact"]["id"] == before["first_contact"]["id"]
    again = run_cli("tasks", "generate", "--json").json()
    assert (again["created"], again["owner_moved"], again["not_needed"]) == (0, 0, 0)

    # Someone who kept their worker (no handover, no tasks) is given a new one: their
    # handover's tasks are made there and then, and the CLI says so.
    kept = next(number for label, number in people.items()
                if kinds[list(people).index(label)] == "none")
    detail = run_cli("person", kept, "--json").json()
    [(role, holder)] = [(item["role"], item["staff_id"]) for item in detail["workers"]][:1]
    other = next(staff for staff in (("SW1", "SW2", "SW3", "SW4") if role == "social_worker"
                                     else ("KW1", "KW2")) if staff != holder)
    given = run_cli("assign", kept, other, "--role", role, "--reason", "Cover", "--force")
    assert given.exit_code == 0, given.output
    assert "Their handover tasks: " in given.stdout and " added" in given.stdout
    made = run_cli("person", kept, "--json").json()["tasks"]
    assert any(task["key"] == "first_contact" and task["owner_staff_id"] == other
               for task in made)
