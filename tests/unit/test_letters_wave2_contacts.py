"""How a person is told to reach a new NHS worker with no phone number recorded, and the easy-read
letter offering the person's own language (found in review, wave 2)."""

from __future__ import annotations

import pytest

from tests.letter_setup import (
    TEST_COUNCIL,
    TODAY,
    council_worker,
    flat,
    handover_person,
    jargon_in,
    letter_text,
    trust_worker,
    with_transfer_date,
)
from transition.db import Database
from transition.letter_context import facts_context
from transition.letter_facts import load_facts
from transition.letter_records import facts_hash
from transition.models import Person

COUNCIL = TEST_COUNCIL


def said(session, person: Person, kind: str) -> str:  # type: ignore[no-untyped-def]
    return letter_text(session, person, kind, COUNCIL, TODAY)


def trust_key_worker_person(session, **fields):  # type: ignore[no-untyped-def]
    """A trust-pathway person whose new key worker (Morgan Stays, NHS) has no phone recorded."""
    return handover_person(session, new_staff_id="KW2", role="key_worker", pathway="trust",
                           carer=True, carer_name="Rita Carer", carer_address="5 Carer Row",
                           carer_consent=True, **fields)


# -- 1. an NHS worker with no phone number -----------------------------------------------------


def test_an_nhs_worker_with_no_phone_is_never_given_the_councils_number_as_theirs(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="",
                     email="")
        person = trust_key_worker_person(session)
        easy = trust_key_worker_person(session, accessible_format="easy_read")
        letters = {kind: said(session, person, kind) for kind in ("person", "carer", "gp")}
        easy_text = said(session, easy, "person")
        facts = load_facts(session, [person.id])[person.id]
    # The council's switchboard cannot put a caller through to an NHS worker: its number is
    # never printed as theirs ("Phone: <council> (ask for Morgan Stays)").
    for kind, text in letters.items():
        assert f"{COUNCIL.phone} (ask for Morgan Stays)" not in text, kind
    assert f"You can phone Morgan on {COUNCIL.phone}." not in easy_text
    assert "Ask for Morgan Stays." not in easy_text
    assert facts.workers[0].phone_is_main_number is False
    # What they are told instead: the number will come from the worker; until then the
    # council (named as itself) helps them reach the worker.
    assert ("Phone: we do not have Morgan's number yet. Morgan will give it to you when they "
            "get in touch. Until then, call us on 01632 960000 and we will help you reach "
            "them.") in flat(letters["person"])
    assert ("Phone: we do not have Morgan's number yet. Until Morgan gets in touch with Sam, "
            "call us on 01632 960000 and we will help you reach them.") in flat(letters["carer"])
    assert ("Phone: not recorded yet (NHS trust team); call us on 01632 960000 and we will put "
            "you in touch.") in flat(letters["gp"])
    for line in ("We do not have Morgan's phone number yet.",
                 "Morgan will give it to you.",
                 "To talk to Morgan before then, call us on 01632 960000.",
                 "We will help you reach Morgan."):
        assert line in easy_text.splitlines(), line
    assert [jargon_in(text) for text in (letters["person"], letters["carer"], easy_text)] == [
        [], [], []]


def test_an_nhs_worker_with_no_phone_is_given_their_teams_number_when_the_staff_list_has_it(
    database: Database,
) -> None:
    """A staff list's extra column "Team Phone" (kept in Staff.extra) is the team's number."""
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone=None,
                     email="", extra={"Team Phone": "01632 960555"})
        person = trust_key_worker_person(session)
        easy = trust_key_worker_person(session, accessible_format="easy_read")
        letters = {kind: flat(said(session, person, kind)) for kind in ("person", "carer", "gp")}
        easy_text = said(session, easy, "person")
        facts = load_facts(session, [person.id])[person.id]
    assert "Phone: 01632 960555 (their team: ask for Morgan Stays)" in letters["person"]
    assert "Phone: 01632 960555 (their team: ask for Morgan Stays)" in letters["carer"]
    assert "Phone: 01632 960555 (team: ask for Morgan Stays)" in letters["gp"]
    assert "You can phone Morgan's team on 01632 960555." in easy_text.splitlines()
    assert "Ask for Morgan Stays." in easy_text.splitlines()
    assert all(COUNCIL.phone + " (ask for" not in text for text in letters.values())
    # Stated, so part of what the letter says (a changed team number makes it out of date).
    worker = facts_context(facts, "person")["change"]["workers"][0]
    assert worker["team_phone"] == "01632 960555"


def test_a_council_worker_with_no_direct_line_is_still_reached_through_the_council(
    database: Database,
) -> None:
    """The council's own switchboard can put a caller through to its own worker."""
    with database.transaction() as session:
        with_transfer_date(session)
        council_worker(session, "SW7", given_name="Jo", family_name="Direct", phone="")
        person = handover_person(session, new_staff_id="SW7")
        text = flat(said(session, person, "person"))
        facts = load_facts(session, [person.id])[person.id]
    assert f"Phone: {COUNCIL.phone} (ask for Jo Direct)" in text
    assert facts.workers[0].phone_is_main_number is True
    assert "team_phone" not in facts_context(facts, "person")["change"]["workers"][0]


def test_a_letter_that_gave_the_councils_number_as_an_nhs_workers_is_out_of_date(
    database: Database,
) -> None:
    """What the letter states about reaching them changed, so the letter is flagged."""
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="")
        person = trust_key_worker_person(session)
        facts = load_facts(session, [person.id])[person.id]
    from dataclasses import replace
    as_before = replace(facts, workers=(replace(facts.workers[0], phone_is_main_number=True),))
    assert facts_hash(as_before, "person") != facts_hash(facts, "person")


# -- 4. the easy-read letter offers the person's own language ---------------------------------


@pytest.mark.parametrize(("fields", "lines"), [
    ({"interpreter_language": "urdu"},
     ["You can have this letter in Urdu.", "We can bring someone who speaks Urdu when we meet."]),
    ({"interpreter_language": "unspecified", "preferred_language": "urdu"},
     ["You can have this letter in your language.",
      "We can bring someone who speaks your language when we meet."]),
    ({"preferred_language": "urdu"}, ["You can have this letter in Urdu."]),
], ids=["interpreter", "interpreter-language-unknown", "preferred-language-only"])
@pytest.mark.parametrize("kind", ["person", "signpost"])
def test_the_easy_read_letter_offers_the_persons_own_language(
    database: Database, fields: dict[str, str], lines: list[str], kind: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        if kind == "signpost":
            from tests.factories import make_person
            person = make_person(session, pathway="signpost", accessible_format="easy_read",
                                 **fields)
        else:
            person = handover_person(session, accessible_format="easy_read", **fields)
        text = said(session, person, kind)
    shown = text.splitlines()
    for line in lines:
        assert line in shown, line
    assert "Call 01632 960000." in shown[shown.index(lines[0]):]  # how to ask, after it
    help_part = text.split("## Other ways to get this letter", 1)[1]
    assert max(len(line.split()) for line in help_part.splitlines() if line.strip()) <= 12


@pytest.mark.parametrize("fields", [
    {"preferred_language": "english"}, {"preferred_language": "british sign language"},
    {"preferred_language": "q5"}, {},
], ids=["english", "bsl", "makaton", "none"])
def test_no_language_is_offered_when_none_other_than_english_is_recorded(
    database: Database, fields: dict[str, str]
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        fields = {"accessible_format": "easy_read", **fields}
        person = handover_person(session, **fields)
        text = said(session, person, "person")
    assert "You can have this letter in" not in text


def test_only_the_persons_own_letters_state_a_preferred_language(database: Database) -> None:
    """The person's letter, standard or easy read, offers itself in their preferred language;
    the GP's and carer's letters do not state it, so their facts hashes do not move."""
    with database.transaction() as session:
        with_transfer_date(session)
        standard = handover_person(session, preferred_language="urdu")
        easy = handover_person(session, preferred_language="urdu", accessible_format="easy_read")
        facts = load_facts(session, [standard.id, easy.id])
    assert facts_context(facts[standard.id], "person")["person"]["preferred_language"] == "urdu"
    assert facts_context(facts[easy.id], "person")["person"]["preferred_language"] == "urdu"
    for kind in ("gp", "carer"):
        assert "preferred_language" not in facts_context(facts[easy.id], kind)["person"]
        assert "preferred_language" not in facts_context(facts[standard.id], kind)["person"]
