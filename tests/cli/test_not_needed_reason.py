"""`transition tasks set ID not_needed` needs --reason, as the tasks screen does (helper 126):
a handover task set aside with no reason would leave a gap in the record."""

from __future__ import annotations

import pytest

from tests import task_world
from tests.conftest import RunCli
from transition.db import Database
from transition.errors import TransitionError
from transition.models import Person
from transition.tasks import set_task_status


def _letter_gp(run_cli: RunCli, database: Database) -> int:
    with database.transaction() as session:
        ids = task_world.build(session)
        number = session.get(Person, ids["council"]).nhs_number  # type: ignore[union-attr]
    run_cli("tasks", "generate")
    mine = run_cli("tasks", "list", "--nhs", number, "--json").json()
    return next(task["id"] for task in mine if task["key"] == "letter_gp")


def _status(run_cli: RunCli, task_id: int) -> tuple[str, str | None]:
    listed = run_cli("tasks", "list", "--json").json()
    task = next(task for task in listed if task["id"] == task_id)
    return task["status"], task.get("reason")


def test_not_needed_without_a_reason_is_refused(run_cli: RunCli, database: Database) -> None:
    task_id = _letter_gp(run_cli, database)
    for reason in ((), ("--reason", "   ")):
        refused = run_cli("tasks", "set", str(task_id), "not_needed", *reason)
        assert refused.exit_code == 2, refused.output
        said = " ".join(refused.stderr.split())
        assert f"Task {task_id} cannot be marked not needed without a reason." in said
        assert "--reason" in said
        assert _status(run_cli, task_id)[0] == "todo"
    done = run_cli("tasks", "set", str(task_id), "not_needed", "--reason", "GP told at review")
    assert done.exit_code == 0, done.output
    assert _status(run_cli, task_id) == ("not_needed", "GP told at review")


def test_the_domain_refuses_it_too(run_cli: RunCli, database: Database) -> None:
    task_id = _letter_gp(run_cli, database)
    with database.transaction() as session, pytest.raises(TransitionError,
                                                         match="without a reason"):
        set_task_status(session, task_id, "not_needed", actor="manager-a")
