"""What a person is told about each worker, found in review: the easy-read letter names the new
worker's organisation and team and says what they do, and who stays; a seconded social worker
who stays with the person but moves to a council team is given with their new team and
contacts; and a community treatment order that ends before the change is not said to carry on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.factories import make_staff
from tests.letter_setup import (
    TODAY,
    flat,
    handover_person,
    jargon_in,
    letter_text,
    trust_worker,
    with_transfer_date,
)
from transition import letter_templates
from transition.allocation import NewAssignment, set_assignments
from transition.config import CouncilDetails
from transition.db import Database
from transition.letter_context import facts_context
from transition.letter_facts import load_facts
from transition.letter_records import _legacy_facts_hash, facts_changed, facts_hash
from transition.letter_templates import LetterTemplates
from transition.letters import generate_letters, out_of_date_letters, preview_letter
from transition.models import Person, Staff

COUNCIL = CouncilDetails()
COUNCIL_TEAM = "Westhaven MHSW Team"


def text_of(session, person: Person, kind: str) -> str:  # type: ignore[no-untyped-def]
    return letter_text(session, person, kind, COUNCIL, TODAY)


def seconded_worker_stays(session, **person_fields):  # type: ignore[no-untyped-def]
    """A joint-pathway person: their seconded council social worker (Callum Walker, in North
    CMHT until the change, then in a council team) stays; a trust key worker is new."""
    if session.get(Staff, "SW9") is None:
        make_staff(session, "SW9", given_name="Callum", family_name="Walker", seconded=True,
                   council_team=COUNCIL_TEAM, phone="01632 960707",
                   email="callum.walker@westshire.example")
        trust_worker(session, "KW1", given_name="Ffion", family_name="Kelly", team="South CMHT",
                     phone="01632 960630")
    person = handover_person(session, new_staff_id="KW1", old_staff_id="SW9", role="key_worker",
                             pathway="joint", **person_fields)
    assert person.id is not None
    set_assignments(session, [NewAssignment(person.id, "social_worker", "SW9", TODAY)],
                    actor="plan")
    return person


# -- the easy-read letter ---------------------------------------------------------------------


def test_the_easy_read_letter_names_each_workers_team_and_says_what_they_do(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="")
        social = handover_person(session, accessible_format="easy_read")
        key = handover_person(session, new_staff_id="KW2", role="key_worker", pathway="trust",
                              accessible_format="easy_read")
        social_text, key_text = text_of(session, social, "person"), text_of(session, key, "person")
    for line in ("Your new social worker is called Jo Łukasz.",
                 "A social worker helps you get the support you need.",
                 "Jo works for Westshire Council.",
                 "Jo's team is North Community Mental Health Team.",
                 "You can phone Jo on 01234 567890."):
        assert line in social_text.splitlines(), line
    for line in ("Your new key worker is called Morgan Stays.",
                 "A key worker plans your care with you.",
                 "They keep in touch with you.",
                 "Morgan works for the NHS mental health trust.",
                 "Morgan's team is North Community Mental Health Team.",
                 # An NHS worker with no phone on the staff list: the council's switchboard
                 # cannot put anyone through to them, so its number is not given as theirs.
                 "We do not have Morgan's phone number yet.",
                 f"To talk to Morgan before then, call us on {COUNCIL.phone}."):
        assert line in key_text.splitlines(), line
    for text in (social_text, key_text):
        assert jargon_in(text) == []
        body = text.split("## What is changing", 1)[1].split("## If you need help now", 1)[0]
        lines = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
        assert max(len(line.split()) for line in lines) <= 12, "easy read: one idea per line"


def test_the_easy_read_letter_says_which_worker_stays(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW1", given_name="Morgan", family_name="Stays")
        person = handover_person(session, old_staff_id="KW1", pathway="joint",
                                 accessible_format="easy_read")
        assert person.id is not None
        set_assignments(session, [NewAssignment(person.id, "key_worker", "KW1", TODAY)],
                        actor="plan")
        text = text_of(session, person, "person")
    lines = text.splitlines()
    assert "Your new social worker is called Jo Łukasz." in lines
    assert "Morgan Stays is still your key worker." in lines
    # A trust key worker who stays keeps their team: nothing about a new team for them.
    assert "Morgan works" not in text and "Morgan's team" not in text


# -- a seconded social worker who stays, in a council team from the change ---------------------


def test_a_seconded_social_worker_who_stays_is_given_with_their_council_team_and_contacts(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = seconded_worker_stays(session)
        easy_person = seconded_worker_stays(session, accessible_format="easy_read")
        assert person.id is not None
        facts = load_facts(session, [person.id])[person.id]
        text, gp = flat(text_of(session, person, "person")), flat(text_of(session, person, "gp"))
        easy = text_of(session, easy_person, "person")
    assert "Callum Walker stays your social worker." in text
    assert ("## How to contact your social worker from 1 April 2027 From 1 April 2027, Callum "
            "Walker works in a team at Westshire Council. **Callum Walker**, your social worker "
            "Team: Westhaven Mental Health Social Work Team, Westshire Council Phone: 01632 "
            "960707 Email: callum.walker@westshire.example") in text
    assert "North Community Mental Health Team" not in text  # the trust team they leave
    assert ("**Social worker (unchanged):** Callum Walker, social worker Team from 1 April 2027: "
            "Westhaven MHSW Team, Westshire Council Phone: 01632 960707") in gp
    for line in ("Callum Walker is still your social worker.",
                 "From 1 April 2027, Callum works in a team at Westshire Council.",
                 "Callum's team is Westhaven Mental Health Social Work Team.",
                 "You can phone Callum on 01632 960707.",
                 "You can email Callum at callum.walker@westshire.example."):
        assert line in easy.splitlines(), line
    assert [jargon_in(letter) for letter in (text, easy)] == [[], []]
    # Said from what the letters already state (the worker's employer and team): no new fact,
    # so the letters written for these people before stay current.
    change = facts_context(facts, "person")["change"]
    stays = next(worker for worker in change["workers"] if not worker["is_new"])
    assert set(stays) == set(change["new_workers"][0])


def test_the_carer_is_told_the_new_team_of_a_worker_who_stays(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = seconded_worker_stays(session, carer=True, carer_name="Rita",
                                       carer_address="5 Carer Row, Westhaven")
        carer = flat(text_of(session, person, "carer"))
    assert ("Callum Walker stays Sam's social worker. From 1 April 2027, Callum Walker works in "
            "a team at Westshire Council: **Callum Walker** Team: Westhaven Mental Health Social "
            "Work Team, Westshire Council Phone: 01632 960707 Email: "
            "callum.walker@westshire.example") in carer, carer
    assert "North Community Mental Health Team" not in carer  # the trust team they leave


def test_a_councils_own_change_words_from_before_still_renders(
    database: Database, tmp_path: Path
) -> None:
    """A council copy of _change_words.html.j2 made before `moving` was added: the letters are
    still written (without the lines about a new team), not stopped by a template error."""
    shipped = Path(letter_templates.__file__).parent / "templates" / "letters"
    lines = (shipped / "_change_words.html.j2").read_text(encoding="utf-8").splitlines()
    council = tmp_path / "council"
    council.mkdir()
    (council / "_change_words.html.j2").write_text(
        "\n".join(line for line in lines[: lines.index(next(
            line for line in lines if "Workers carrying on" in line))]) + "\n", encoding="utf-8")
    with database.transaction() as session:
        with_transfer_date(session)
        people = [seconded_worker_stays(session), seconded_worker_stays(
            session, accessible_format="easy_read")]
        texts = [preview_letter(session, person.id, kind, council=COUNCIL, as_of=TODAY,
                                templates=LetterTemplates(council)).text
                 for person in people for kind in ("person", "gp")]
    assert all(texts)
    assert "Callum Walker stays your social worker." in flat(texts[0] or "")
    assert not any("Team from" in (text or "") or "works in a team at" in (text or "")
                   for text in texts)


def test_a_trust_key_worker_who_stays_gets_no_new_team(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW1", given_name="Morgan", family_name="Stays")
        person = handover_person(session, old_staff_id="KW1", pathway="joint")
        assert person.id is not None
        set_assignments(session, [NewAssignment(person.id, "key_worker", "KW1", TODAY)],
                        actor="plan")
        text, gp = text_of(session, person, "person"), flat(text_of(session, person, "gp"))
    assert "How to contact your key worker from" not in text
    assert "Team from" not in gp


# -- a community treatment order that ends before the change ----------------------------------


@pytest.mark.parametrize(("expiry", "carries_on"), [
    (date(2027, 2, 23), False),  # before the change on 1 April 2027
    (date(2027, 3, 31), False),
    (date(2027, 4, 1), True),  # its last day is the day of the change
    (date(2027, 9, 30), True),
    (None, True),
])
def test_a_cto_ending_before_the_change_is_not_said_to_carry_on(
    database: Database, expiry: date | None, carries_on: bool
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        # On a CTO, so on s117 aftercare (a CTO with s117 no is held back: tests/unit/test_cto_without_s117.py).
        person = handover_person(session, cto=True, s117=True, cto_expiry=expiry)
        easy_person = handover_person(session, cto=True, s117=True, cto_expiry=expiry,
                                      accessible_format="easy_read")
        text, gp = flat(text_of(session, person, "person")), flat(text_of(session, person, "gp"))
        easy = flat(text_of(session, easy_person, "person"))
    promised = ("You are on a community treatment order. Its conditions stay the same." in text,
                "Your community treatment order stays the same." in easy,
                "Community Treatment Order in force: its conditions are unchanged" in gp)
    assert promised == (carries_on,) * 3
    expiring = ("Community Treatment Order: recorded as expiring on 23 February 2027, before "
                "this change, unless renewed. We have not told your patient that its conditions "
                "continue; the care coordinator named above can confirm whether it was renewed.")
    assert (expiring in gp) is (expiry == date(2027, 2, 23))
    if not carries_on:
        assert "community treatment order" not in (text + easy).lower()
    assert [jargon_in(letter) for letter in (text, easy)] == [[], []]


def test_letters_promising_a_cto_carries_on_are_out_of_date_once_it_ends_before_the_change(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, cto=True, s117=True, carer=True, carer_name="Rita",
                                 carer_address="5 Carer Row, Westhaven", carer_consent=True)
        written = generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out",
                                   as_of=TODAY, actor="tester", fmt="md")
        assert {letter.kind for letter in written.written} == {"person", "gp", "carer"}
        person.cto_expiry = date(2027, 2, 23)
        session.add(person)
    with database.session() as session:
        stale = {letter.kind: letter.reason for letter in out_of_date_letters(session)}
    # The carer's letter says nothing of the order, so it still stands.
    assert stale == dict.fromkeys(("person", "gp"), (
        "what the letter says has changed since it was written: the community treatment order"))


def test_a_cto_ending_before_the_change_changes_only_the_letters_that_state_it() -> None:
    from tests.unit.test_letters import ordinary_facts

    facts = replace(ordinary_facts(), cto=True)
    ending = replace(facts, cto_expiry=date(2027, 2, 23))
    renewed = replace(facts, cto_expiry=date(2027, 9, 30))
    for kind in ("person", "gp", "carer"):
        # An expiry after the change states nothing new: the same hash as before expiry dates
        # were read (every letter already written stays current).
        assert facts_hash(renewed, kind) == facts_hash(facts, kind)
        assert facts_changed(facts_hash(facts, kind), ending, kind) == (
            None if kind == "carer" else ["cto"])
        # A letter written before each kind hashed only its own facts said the same.
        assert facts_changed(_legacy_facts_hash(facts, kind), ending, kind) == (
            None if kind == "carer" else [])
    assert facts_context(ending, "person")["person"]["cto"] is False
    assert "cto_expires" not in facts_context(ending, "person")["person"]
    assert facts_context(ending, "gp")["person"]["cto_expires"] == "23 February 2027"


def test_a_gp_letter_naming_two_workers_says_which_one_to_contact(database: Database) -> None:
    """A joint pathway names two workers: the GP letter does not point to "the care
    coordinator named above" as if there were one."""
    with database.transaction() as session:
        with_transfer_date(session)
        person = seconded_worker_stays(session, cto=True, s117=True)
        gp = flat(text_of(session, person, "gp"))
    assert "Callum Walker" in gp and "Ffion Kelly" in gp
    assert "the care coordinator named above" not in gp and "the worker named above" not in gp
    assert ("its conditions are unchanged; the responsible clinician and the workers named "
            "above monitor them, as before.") in gp
    assert "please contact either worker named above or call us on" in gp
