"""`transition tasks`: input a script or a tired manager gets wrong is refused, never widened
or crashed on."""

from __future__ import annotations

from sqlalchemy import select

from tests import task_world
from tests.conftest import RunCli
from transition.db import Database
from transition.models import Task


def generated(run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        task_world.build(session)
    assert run_cli("tasks", "generate").exit_code == 0


def test_an_empty_filter_is_refused_not_dropped(run_cli: RunCli, database: Database) -> None:
    """``--owner "$STAFF"`` with the variable unset listed everyone's tasks as if they were
    that worker's; ``--nhs ''`` listed everyone's as if they were that person's."""
    generated(run_cli, database)
    everyone = run_cli("tasks", "list", "--json").json()
    assert len(everyone) > 10
    for args in (("list", "--owner", ""), ("list", "--owner", "  "),
                 ("progress", "--owner", "")):
        result = run_cli("tasks", *args, "--json")
        assert result.exit_code == 2, (args, result.output)
        assert "--owner is empty" in result.stderr and "staff id" in result.stderr
        assert result.stdout.strip() in ("", "null") or '"error"' in result.stdout
    empty_nhs = run_cli("tasks", "list", "--nhs", "", "--json")
    assert empty_nhs.exit_code == 2, empty_nhs.output
    assert "not an NHS number" in empty_nhs.stderr


def test_a_task_id_or_limit_too_big_for_the_database_is_a_clear_refusal(
    run_cli: RunCli, database: Database
) -> None:
    """A mistyped task id of 20 digits stopped the command "unexpectedly" (OverflowError on
    SQLite), as did a 20-digit --limit."""
    generated(run_cli, database)
    with database.session() as session:
        before = {task.id: task.version for task in session.scalars(select(Task))}
    huge = "99999999999999999999"
    result = run_cli("tasks", "set", huge, "done")
    assert result.exit_code == 1, result.output
    assert f"There is no task {huge}" in result.stderr
    assert "unexpectedly" not in result.stderr
    limit = run_cli("tasks", "list", "--limit", huge)
    assert limit.exit_code == 2, limit.output
    assert "--limit" in limit.stderr and "unexpectedly" not in limit.stderr
    assert "100000000" in limit.stderr  # the largest, said in full (not masked as NHS-like)
    with database.session() as session:
        assert {task.id: task.version for task in session.scalars(select(Task))} == before


def test_a_mistyped_task_key_is_refused_not_an_empty_list(run_cli: RunCli,
                                                          database: Database) -> None:
    """``--key letter_gps`` said "No tasks match." (exit 0): a manager checking what is left
    would read it as nothing left to do."""
    generated(run_cli, database)
    typo = run_cli("tasks", "list", "--key", "letter_gp", "--key", "letter_gps")
    assert typo.exit_code == 2, typo.output
    assert "--key 'letter_gps' is not a task key" in typo.stderr
    assert "letter_gp" in typo.stderr.split("Use one of:")[1]
    # Keys of the rules in use, in any case, and keys of tasks made from an earlier rules file
    # (still in the database) are fine.
    assert run_cli("tasks", "list", "--key", "LETTER_GP", "--json").exit_code == 0
    assert len(run_cli("tasks", "list", "--key", "Letter_GP", "--json").json()) > 0
    with database.transaction() as session:
        task = session.scalars(select(Task).where(Task.key == "letter_gp")).first()
        assert task is not None
        task.key = "old_council_task"
        session.add(task)
    kept = run_cli("tasks", "list", "--key", "old_council_task", "--json")
    assert kept.exit_code == 0, kept.output
    assert [row["key"] for row in kept.json()] == ["old_council_task"]
    # A key of the rules that no one has a task for yet is no error: nothing matches.
    none_yet = run_cli("tasks", "list", "--key", "cluster_review")
    assert none_yet.exit_code == 0 and "No tasks match." in none_yet.stdout
