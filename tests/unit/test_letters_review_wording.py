"""What the letters say, read as the person, carer and GP read them (found in review):
two new workers are "your new workers", not "your new worker"; a GP told about a patient the
council's team no longer supports is not sent to a "worker named above" who is not there."""

from __future__ import annotations

import re

from tests.factories import make_person, make_staff
from tests.letter_setup import (
    TODAY,
    handover_person,
    jargon_in,
    trust_worker,
    with_transfer_date,
)
from transition.allocation import NewAssignment, set_assignments
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import preview_letter
from transition.models import Person, Staff

COUNCIL = CouncilDetails()


def text_of(session, person: Person, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert person.id is not None
    preview = preview_letter(session, person.id, kind, council=COUNCIL, as_of=TODAY)
    assert preview.text is not None, preview.skip_reason
    return " ".join(preview.text.split())


def both_workers_new(session, **person_fields):  # type: ignore[no-untyped-def]
    """A joint-pathway person given a new key worker and a new social worker; the seconded
    social worker who coordinated their care leaves (neither new worker is returning)."""
    if session.get(Staff, "KW7") is None:
        trust_worker(session, "KW7", given_name="Ben", family_name="Parker", team="South CMHT",
                     phone="01632 960631")
    person = handover_person(session, new_staff_id="SW1", pathway="joint", carer=True,
                             carer_name="Rita Carer", carer_address="5 Carer Row, Westhaven",
                             **person_fields)
    assert person.id is not None
    set_assignments(session, [NewAssignment(person.id, "key_worker", "KW7", TODAY)],
                    actor="plan")
    return person


def test_two_new_workers_are_your_new_workers_in_every_letter_to_the_person_and_carer(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = both_workers_new(session, cto=True, s117=True)  # a CTO brings s117
        easy = both_workers_new(session, accessible_format="easy_read")
        said = {kind: text_of(session, person, kind) for kind in ("person", "carer")}
        easy_read = text_of(session, easy, "person")

    assert ("From 1 April 2027, Ben Parker will be your key worker and Jo Łukasz will be your "
            "social worker.") in said["person"]
    for line in ("Your new workers will get in touch with you to arrange to meet.",
                 ("Your care and support plan stays the same. Your new workers will go through "
                  "it with you."),
                 "Its conditions stay the same. Your new workers will talk with you about them."):
        assert line in said["person"], line
    assert "The new workers will go through it with them." in said["carer"]
    for line in ("# Your new workers", "You will have new workers.",
                 "Your new key worker is called Ben Parker.",
                 "Your new social worker is called Jo Łukasz.",
                 "Your new workers will get in touch with you."):
        assert line in easy_read, line
    # Never one "new worker" when two are new.
    for text in (said["person"], said["carer"], easy_read):
        assert not re.search(r"\bnew worker\b", text), text
    assert [jargon_in(text) for text in (*said.values(), easy_read)] == [[], [], []]


def test_one_new_worker_is_still_your_new_worker(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, carer=True, carer_name="Rita Carer",
                                 carer_address="5 Carer Row, Westhaven")
        easy = handover_person(session, accessible_format="easy_read")
        said = {kind: text_of(session, person, kind) for kind in ("person", "carer")}
        easy_read = text_of(session, easy, "person")
    assert "Your new worker will get in touch with you to arrange to meet." in said["person"]
    assert "The new worker will go through it with them." in said["carer"]
    assert "# Your new worker " in easy_read and "You will have a new worker." in easy_read


def test_the_gp_of_a_signposted_patient_is_not_sent_to_a_worker_who_is_not_there(
    database: Database,
) -> None:
    """No worker is named for someone the council's team stops supporting (at most the previous
    care coordinator, who is leaving): the GP is given the council's number and told a new
    assessment can be asked for, and is not told the care plan is unchanged."""
    with database.transaction() as session:
        with_transfer_date(session)
        make_staff(session, "OLD9", given_name="Hannah", family_name="Griffiths", seconded=True)
        signposted = make_person(session, pathway="signpost", care_coordinator_id="OLD9")
        gp = text_of(session, signposted, "gp")
        changed = text_of(session, handover_person(session), "gp")

    assert "Previous care coordinator:** Hannah Griffiths" in gp
    assert "worker named above" not in gp and "Care plan unchanged" not in gp
    assert ("If you are worried about your patient's mental health, or their needs change, "
            "please call us on 0300 123 0000: you or they can ask us for a new assessment at "
            "any time. In a crisis: 0800 000 1234") in gp
    assert "No change to medication is being made because of this change." in gp
    # A patient with a worker: as before.
    assert ("Care plan unchanged. No change to medication is being made because of this "
            "handover.") in changed
    assert ("please contact the worker named above or call us on 0300 123 0000. In a crisis: "
            "0800 000 1234") in changed


def test_a_language_is_written_as_english_writes_it(database: Database) -> None:
    """The export's "urdu" (or a code stored as "british sign language") was printed as
    stored: "this letter in urdu", "Needs an interpreter: urdu"."""
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, interpreter_language="urdu")
        said = {kind: text_of(session, person, kind) for kind in ("person", "gp")}
    assert "If you would like this letter in Urdu, or an interpreter" in said["person"]
    assert "Needs an interpreter: Urdu." in said["gp"]
    assert "urdu" not in said["person"] + said["gp"]


def test_language_name() -> None:
    from transition.languages import language_name

    assert language_name("urdu") == "Urdu"
    assert language_name(" british  sign language ") == "British Sign Language"
    assert language_name("BSL") == "BSL"  # written with capitals: as written
    assert language_name("Sylheti") == "Sylheti"
    assert language_name("") == ""
