"""`transition letters generate` and `status` keep a manager's "not needed" on a letter task
(helper 126): the letter is not written, listed as a settled skip (exit 0), and the task stays
not needed; set back to to do, the letter is due again. The task generator's own not needed (a
task the rules no longer give) is no manager's decision and does not stop a letter."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.conftest import RunCli
from tests.letter_setup import add_task, handover_person, use_test_council, with_transfer_date
from transition.db import Database
from transition.letter_plan import TASK_FOR_KIND, set_aside_reason
from transition.models import Letter, Task
from transition.tasks import set_task_status
from transition.tasks.status import NO_LONGER_APPLIES

CARER = {"carer": True, "carer_name": "Rita", "carer_address": "5 Carer Row, Westhaven",
         "carer_consent": True}


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _person_with_tasks(database: Database) -> tuple[str, int, dict[str, int]]:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        assert person.id is not None
        ids = {}
        for key in ("letter_person", "letter_gp", "letter_carer"):
            task_id = add_task(session, person, key).id
            assert task_id is not None
            ids[key] = task_id
        return person.nhs_number, person.id, ids


def _status(database: Database, task_id: int) -> str:
    with database.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.status


def _kinds_written(database: Database, person_id: int) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(Letter.kind).where(Letter.person_id == person_id)))


def test_every_letter_kind_names_a_task_in_the_rules() -> None:
    from transition.ruleset import load_rules

    templates = load_rules().tasks.templates
    assert set(TASK_FOR_KIND.values()) <= set(templates)


def test_generate_skips_a_letter_whose_task_a_manager_marked_not_needed(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    number, person_id, tasks = _person_with_tasks(database)
    with database.transaction() as session:
        set_task_status(session, tasks["letter_carer"], "not_needed", actor="manager-a",
                        reason="The carer was told at the review meeting")
    status = run_cli("letters", "status", "--json").json()
    by_kind = {need["kind"]: need for need in status["needs"]}
    assert by_kind["carer"]["status"] == "skipped"
    assert by_kind["carer"]["reason"] == set_aside_reason("letter_carer")
    assert by_kind["person"]["status"] == by_kind["gp"]["status"] == "due"

    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                     "--json")
    data = result.json()
    assert result.exit_code == 0, result.output  # a settled skip: nothing to act on
    assert data["skipped"] == [{"nhs_number": number, "kind": "carer",
                                "reason": set_aside_reason("letter_carer")}]
    assert data["skipped_needing_action"] == 0
    assert _kinds_written(database, person_id) == ["gp", "person"]
    assert _status(database, tasks["letter_carer"]) == "not_needed"
    assert _status(database, tasks["letter_person"]) == "done"

    said = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out")
    assert said.exit_code == 0
    flat = " ".join(said.stdout.split())
    assert "1 settled" in flat and "task marked not needed (letter_carer)" in flat

    # Set back to do: the letter is due again, and written.
    with database.transaction() as session:
        set_task_status(session, tasks["letter_carer"], "todo", actor="manager-a")
    again = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                    "--json").json()
    assert [item["kind"] for item in again["letters"]] == ["carer"]
    assert _kinds_written(database, person_id) == ["carer", "gp", "person"]
    assert _status(database, tasks["letter_carer"]) == "done"


def test_the_task_generators_own_not_needed_does_not_stop_a_letter(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    number, person_id, tasks = _person_with_tasks(database)
    with database.transaction() as session:
        session.execute(update(Task).where(Task.id == tasks["letter_gp"]).values(  # type: ignore[arg-type]
            status="not_needed", blocked_reason=NO_LONGER_APPLIES + "the rules changed"))
    data = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                   "--json").json()
    assert data["skipped"] == []
    assert _kinds_written(database, person_id) == ["carer", "gp", "person"]
    assert number
