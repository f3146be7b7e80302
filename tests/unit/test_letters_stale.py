"""Out-of-date letters: each kind is out of date only when what it states changes, the reason
says what changed, and a letter that would be written again word for word is current again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.letter_setup import TODAY, handover_person, with_transfer_date
from transition.audit import events
from transition.config import CouncilDetails
from transition.db import Database
from transition.letter_context import facts_context
from transition.letter_facts import load_facts
from transition.letter_records import _legacy_facts_hash, facts_hash
from transition.letters import generate_letters, letters_needed, out_of_date_letters
from transition.models import Letter

COUNCIL = CouncilDetails()
CARER = {"carer": True, "carer_name": "Rita", "carer_address": "5 Carer Row, Westhaven"}


def generate(session, out: Path):  # type: ignore[no-untyped-def]
    return generate_letters(session, council=COUNCIL, out_dir=out, as_of=TODAY, actor="tester",
                            fmt="md")


@pytest.mark.parametrize("change", [
    {"s117": True}, {"cto": True}, {"personal_budget": True}, {"interpreter_language": "polish"},
])
def test_a_carer_letter_neither_states_nor_depends_on_the_persons_legal_status_or_needs(
    database: Database, change: dict[str, object]
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        assert person.id is not None
        facts = load_facts(session, [person.id])[person.id]
    seen = facts_context(facts, "carer")["person"]
    assert set(seen) == {"given_name", "family_name", "name", "reference"}  # Caldicott
    assert facts_hash(replace(facts, **change), "carer") == facts_hash(facts, "carer")
    assert facts_hash(replace(facts, **change), "gp") != facts_hash(facts, "gp")


def test_the_reason_names_what_changed(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        generate(session, tmp_path / "out")
        person.personal_budget = True
        session.add(person)
    with database.session() as session:
        stale = {s.kind: s.reason for s in out_of_date_letters(session)}
    assert stale == dict.fromkeys(("person", "gp"), "what the letter says has changed since it "
                                  "was written: the personal budget")


def test_a_letter_that_would_read_the_same_is_current_again_after_generating(
    database: Database, tmp_path: Path
) -> None:
    """An audio need changes the person's letter's facts but not, in Markdown, a word of it:
    generating finds it unchanged and records today's facts, so it is not flagged for ever.
    (The GP's letter names the need, so it is written again.)"""
    out = tmp_path / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        generate(session, out)
        person.accessible_format = "audio"
        session.add(person)
    with database.session() as session:
        assert {s.kind: s.reason for s in out_of_date_letters(session)} == dict.fromkeys(
            ("person", "gp"), "what the letter says has changed since it was written: "
            "communication needs (accessible format or interpreter)")
    with database.transaction() as session:
        again = generate(session, out)
    assert [o.kind for o in again.unchanged] == ["person"]
    assert ([o.kind for o in again.written], again.superseded) == (["gp"], 1)
    with database.session() as session:
        assert out_of_date_letters(session) == []
        assert {n.status for n in letters_needed(session)} == {"written"}
        [updated] = [e for e in events(session, person_id=person.id) if e.action == "letter.facts"]
        assert updated.field == "person" and updated.actor == "tester"
    assert len(list(out.iterdir())) == 3  # the GP's old letter stays on disk


def test_a_letter_written_before_each_kind_hashed_only_its_own_facts(
    database: Database, tmp_path: Path
) -> None:
    """The reviewer's case: a carer letter stored with the old hash (which read the personal
    budget) stays current while nothing changes, is flagged when the budget changes, and is
    current again once generating finds it would read the same."""
    out = tmp_path / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, carer_consent=True, **CARER)
        assert person.id is not None
        generate(session, out)
        facts = load_facts(session, [person.id])[person.id]
        session.execute(update(Letter).where(Letter.kind == "carer").values(
            facts_hash=_legacy_facts_hash(facts, "carer")))
    with database.session() as session:
        assert out_of_date_letters(session) == []
    with database.transaction() as session:
        person.personal_budget = True
        session.add(person)
    with database.session() as session:
        stale = {s.kind: s.reason for s in out_of_date_letters(session)}
    assert stale["carer"] == ("what the letter says has changed since it was written (one of: "
                              "a name or address, the date of the change, the workers' names, "
                              "teams or contact details or the pathway)")
    with database.transaction() as session:
        again = generate(session, out)
    assert sorted(o.kind for o in again.unchanged) == ["carer"]
    with database.session() as session:
        assert out_of_date_letters(session) == []
        carer = session.scalars(select(Letter).where(Letter.kind == "carer")).one()
        assert carer.facts_hash.startswith("v") and len(carer.facts_hash) <= 64


# (Consent not recorded writes no carer letter at all: tests/unit/test_carer_consent.py.)
@pytest.mark.parametrize("consent", [True])
def test_a_carer_letter_written_before_the_person_said_no_must_not_be_posted(
    database: Database, tmp_path: Path, consent: bool | None
) -> None:
    """A carer letter written while consent was yes (or not recorded), then a re-import
    saying no: the letter on file says the person has a mental health team, so the nightly
    check and letters status flag it (it must not be posted), not leave it current."""
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, carer_consent=consent, **CARER)
        generate(session, tmp_path / "out")
        person.carer_consent = False
        session.add(person)
    with database.session() as session:
        stale = {s.kind: s.reason for s in out_of_date_letters(session)}
    assert stale["carer"] == ("must not be posted: the person does not agree to their carer "
                              "being told (carer consent: no)")
    assert stale["gp"].endswith("whether they have a carer")  # no longer says one is told
