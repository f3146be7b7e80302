"""No carer letter without the person's recorded yes (helper 115): consent not recorded means
ask the person first. The letter is skipped saying so, the carer task stays open, the GP is not
told the carer is written to, and a carer letter already written is out of date, not to post."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.letter_setup import TODAY, TRANSFER, handover_person, with_transfer_date
from transition.config import CouncilDetails
from transition.db import Database
from transition.letter_facts import load_facts
from transition.letter_records import CARER_NOT_ASKED, CARER_SAID_NO, facts_hash, staleness
from transition.letters import generate_letters, preview_letter
from transition.models import Letter, Task
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

COUNCIL = CouncilDetails()
CARER = {"carer": True, "carer_name": "Rita", "carer_address": "5 Carer Row, Westhaven"}


def _gp_text(session, person_id: int) -> str:  # type: ignore[no-untyped-def]
    preview = preview_letter(session, person_id, "gp", council=COUNCIL, as_of=TODAY)
    assert preview.text is not None, preview.skip_reason
    return " ".join(preview.text.split())


def test_consent_not_recorded_writes_no_carer_letter_and_leaves_the_task_open(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        unknown = handover_person(session, carer_consent=None, **CARER)
        agreed = handover_person(session, carer_consent=True, **CARER)
        assert unknown.id is not None and agreed.id is not None
        generate_tasks(session, load_rules(), as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        gp_unknown = _gp_text(session, unknown.id)
        gp_agreed = _gp_text(session, agreed.id)
        result = generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out",
                                  as_of=TODAY, actor="tester", fmt="md")
        carer_tasks = {task.person_id: task.status for task in session.scalars(
            select(Task).where(Task.key == "letter_carer"))}
        written = {(o.person_id, o.kind) for o in result.written}
        skipped = {(o.person_id, o.kind): o.reason for o in result.skipped}
    assert (unknown.id, "carer") not in written
    assert skipped[(unknown.id, "carer")].startswith(
        "consent to tell the carer not recorded: ask the person first")
    assert (agreed.id, "carer") in written
    assert carer_tasks == {unknown.id: "todo", agreed.id: "done"}
    assert "writing to their carer too" not in gp_unknown
    assert "writing to their carer too" in gp_agreed
    assert not list((tmp_path / "out").glob("*carer*2*"))
    assert len(list((tmp_path / "out").glob("*-carer.md"))) == 1


def test_a_carer_letter_written_before_consent_was_asked_must_not_be_posted(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        unknown = handover_person(session, carer_consent=None, **CARER)
        refused = handover_person(session, carer_consent=False, **CARER)
        facts = load_facts(session, [unknown.id, refused.id], as_of=TODAY)  # type: ignore[list-item]
    reasons = []
    for person in (unknown, refused):
        assert person.id is not None
        person_facts = facts[person.id]
        letter = Letter(person_id=person.id, kind="carer", template="carer", format="md",
                        path="x.md", sha256="0", facts_hash=facts_hash(person_facts, "carer"),
                        staff_ids=person_facts.staff_ids, generated_by="old run")
        reasons.append(staleness(letter, person_facts))
    assert reasons == [CARER_NOT_ASKED, CARER_SAID_NO]
