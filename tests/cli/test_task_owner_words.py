"""`tasks list`, `person` and `tasks templates` say a task's owner in a manager's words: a
worker who keeps the person is the "current worker, stays", never "outgoing" on some tasks
and "incoming" on others."""

from __future__ import annotations

import pytest

from tests import task_world
from tests.conftest import RunCli
from transition.commands import common
from transition.db import Database
from transition.models import Person


def world(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        ids = task_world.build(session)
        return {
            name: session.get(Person, pid).nhs_number  # type: ignore[union-attr]
            for name, pid in ids.items()
        }


def flat(text: str) -> str:
    """The output with each table cell's wrapping undone (words joined by single spaces)."""
    return " ".join(text.replace("│", " ").split())


def test_tasks_list_names_the_kept_worker_as_staying(run_cli: RunCli, database: Database) -> None:
    numbers = world(database)
    assert run_cli("tasks", "generate").exit_code == 0
    shown = run_cli("tasks", "list", "--nhs", numbers["joint_kw"])
    assert shown.exit_code == 0, shown.output
    text = flat(shown.stdout)
    assert "(outgoing)" not in text and "(incoming)" not in text
    assert "(current worker, stays)" in text  # OUT1 keeps the social worker's role
    assert "(new worker)" in text  # KW1, the new key worker

    council = flat(run_cli("tasks", "list", "--nhs", numbers["council"]).stdout)
    assert "(current worker)" in council and "stays" not in council
    unknown = flat(run_cli("tasks", "list", "--nhs", numbers["unknown_out"]).stdout)
    assert "Team manager (in place of the current worker)" in unknown

    data = run_cli("tasks", "list", "--nhs", numbers["joint_kw"], "--json").json()
    by_key = {task["key"]: task for task in data}
    assert (by_key["letter_person"]["owner"], by_key["letter_person"]["owner_stays"]) == (
        "outgoing",
        True,
    )
    assert (by_key["first_contact"]["owner"], by_key["first_contact"]["owner_stays"]) == (
        "incoming",
        False,
    )
    everyone = run_cli("tasks", "list", "--json").json()
    assert {
        task["owner_stays"] for task in everyone if task["nhs_number"] == numbers["council"]
    } == {False}


def test_person_and_templates_use_the_same_words(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = world(database)
    run_cli("tasks", "generate")
    detail = run_cli("person", numbers["assess"], "--json").json()
    assert [(task["owner"], task["owner_stays"]) for task in detail["tasks"]] == [
        ("incoming", True)
    ]
    shown = flat(run_cli("person", numbers["assess"]).stdout)
    assert "current worker, stays" in shown and "new worker" not in shown
    monkeypatch.setattr(common.console, "width", 400)  # each template on one line
    templates = flat(run_cli("tasks", "templates").stdout)
    assert "current worker (outgoing)" in templates and "new worker (incoming)" in templates
