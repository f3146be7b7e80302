"""A letter the person needs in another language or as audio (helper 115): they get the
accessible_communication task, and writing the English letter does not mark their letter task
done (it stays open, saying why), while braille and BSL are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.letter_setup import TODAY, TRANSFER, handover_person, with_transfer_date
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import generate_letters
from transition.models import Task
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

COUNCIL = CouncilDetails()


@pytest.mark.parametrize(("fields", "why"), [
    ({"interpreter_language": "Urdu"}, "needs Urdu: send the translated letter"),
    ({"interpreter_language": "unspecified"}, "needs an interpreter, language not recorded"),
    ({"accessible_format": "audio"}, "needs audio: send the recording"),
])
def test_a_letter_needed_in_another_language_or_as_audio_keeps_its_task_open(
    database: Database, tmp_path: Path, fields: dict[str, str], why: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        needs = handover_person(session, **fields)
        plain = handover_person(session, interpreter_language="none")
        generate_tasks(session, load_rules(), as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        result = generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out",
                                  as_of=TODAY, actor="tester", fmt="md")
        tasks = {(task.person_id, task.key): task.status for task in session.scalars(
            select(Task).where(Task.key.in_(  # type: ignore[attr-defined]
                ("letter_person", "letter_gp", "accessible_communication"))))}
    assert (needs.id, "person") in {(o.person_id, o.kind) for o in result.written}
    assert tasks[(needs.id, "letter_person")] == "todo"
    assert tasks[(needs.id, "letter_gp")] == "done"
    assert tasks[(needs.id, "accessible_communication")] == "todo"
    assert tasks[(plain.id, "letter_person")] == "done"
    assert (plain.id, "accessible_communication") not in tasks
    [left_open] = result.tasks_left_open
    assert left_open.person_id == needs.id and (left_open.task_open or "").startswith(why)
    assert result.as_json()["tasks_left_open"][0]["task"] == "letter_person"


@pytest.mark.parametrize("fields", [{"accessible_format": "braille"},
                                    {"preferred_language": "British Sign Language"}])
def test_braille_and_bsl_still_get_the_task_and_no_letter_task(
    database: Database, fields: dict[str, str]
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **fields)
        generate_tasks(session, load_rules(), as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        keys = set(session.scalars(select(Task.key).where(Task.person_id == person.id)))
    assert "accessible_communication" in keys and "letter_person" not in keys
