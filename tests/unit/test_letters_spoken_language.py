"""A person whose preferred spoken language is not English (MHSDS LanguageCodePreferred, no
interpreter recorded) is offered their letter in that language, or an interpreter, in the
standard letter as the easy-read one already did (Accessible Information Standard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from tests.factories import make_person
from tests.letter_setup import (
    TEST_COUNCIL,
    TODAY,
    flat,
    handover_person,
    letter_text,
    with_transfer_date,
)
from transition.db import Database
from transition.letters import generate_letters, out_of_date_letters
from transition.models import Person

OFFER = ("If you would like this letter in {}, or an interpreter when you meet us, please tell "
         "us and we will arrange it.")
ANY_OFFER = "If you would like this letter in"
EASY_READ_OFFER = "You can have this letter in {}."


def _person(session, kind: str, **fields) -> Person:  # type: ignore[no-untyped-def]
    if kind == "signpost":
        return make_person(session, pathway="signpost", **fields)
    return handover_person(session, **fields)


@pytest.mark.parametrize("kind", ["person", "signpost"])
@pytest.mark.parametrize("need", [None, "large_print", "email", "audio"])
def test_let5_the_standard_letter_offers_the_preferred_spoken_language(
    database: Database, kind: str, need: str | None
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = _person(session, kind, preferred_language="polish", accessible_format=need)
        text = flat(letter_text(session, person, kind, TEST_COUNCIL, TODAY))
    assert text.count(OFFER.format("Polish")) == 1
    # After the ways to ask for the letter in another format (the council's phone and email).
    formats = text.index("This letter in other formats")
    assert text.index(f"Call us on {TEST_COUNCIL.phone}", formats) < text.index(ANY_OFFER)
    assert text.count(ANY_OFFER) == 1


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_let5_every_format_of_the_standard_letter_carries_the_offer(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        standard = handover_person(session, preferred_language="urdu")
        large = handover_person(session, preferred_language="urdu", accessible_format="large_print")
        result = generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path, as_of=TODAY,
                                  actor="tester", person_ids=[standard.id, large.id],
                                  kinds=["person"], fmt=fmt)
    assert len(result.written) == 2
    for outcome in result.written:
        assert outcome.path is not None
        path = Path(outcome.path)
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        elif fmt == "pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
            text = text.replace("\xa0", " ")
        else:
            text = path.read_text(encoding="utf-8")
        assert flat(text).count(OFFER.format("Urdu")) == 1, (fmt, outcome.nhs_number)


@pytest.mark.parametrize("fields", [
    {"preferred_language": "english"}, {"preferred_language": "English"},
    {"preferred_language": "british sign language", "accessible_format": "large_print"},
    {"preferred_language": "q5"}, {"preferred_language": ""}, {},
], ids=["english", "English", "bsl", "makaton", "blank", "none"])
@pytest.mark.parametrize("kind", ["person", "signpost"])
def test_let5_no_language_is_offered_to_an_english_speaker(
    database: Database, fields: dict[str, str], kind: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = _person(session, kind, **fields)
        text = flat(letter_text(session, person, kind, TEST_COUNCIL, TODAY))
    assert ANY_OFFER not in text


@pytest.mark.parametrize("kind", ["person", "signpost"])
def test_let5_an_interpreter_need_is_offered_once_not_twice(database: Database, kind: str) -> None:
    """The interpreter's language wins over the preferred one: one offer, in that language."""
    with database.transaction() as session:
        with_transfer_date(session)
        both = _person(session, kind, preferred_language="polish", interpreter_language="urdu")
        unknown = _person(session, kind, preferred_language="polish",
                          interpreter_language="unspecified")
        both_text = flat(letter_text(session, both, kind, TEST_COUNCIL, TODAY))
        unknown_text = flat(letter_text(session, unknown, kind, TEST_COUNCIL, TODAY))
    assert both_text.count(ANY_OFFER) == 1 and OFFER.format("Urdu") in both_text
    assert unknown_text.count(ANY_OFFER) == 1 and OFFER.format("your language") in unknown_text


@pytest.mark.parametrize("kind", ["person", "signpost"])
def test_let5_the_easy_read_letter_keeps_its_own_offer_only(database: Database, kind: str) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = _person(session, kind, preferred_language="polish", accessible_format="easy_read")
        text = letter_text(session, person, kind, TEST_COUNCIL, TODAY)
    assert text.splitlines().count(EASY_READ_OFFER.format("Polish")) == 1
    assert ANY_OFFER not in flat(text)


def test_let5_gp_and_carer_letters_do_not_offer_the_persons_language(database: Database) -> None:
    """The offer is to the person. The GP is told of an interpreter need (a recorded need, which
    the GP would want to know); a preference with no interpreter recorded is not stated as one;
    the carer's letter states no communication needs at all (Caldicott: minimum necessary)."""
    with database.transaction() as session:
        with_transfer_date(session)
        carer = {"carer": True, "carer_name": "Rita Carer", "carer_address": "5 Carer Row",
                 "carer_consent": True}
        prefers = handover_person(session, preferred_language="polish", **carer)
        needs = handover_person(session, preferred_language="polish",
                                interpreter_language="polish", **carer)
        letters = {(who, kind): flat(letter_text(session, person, kind, TEST_COUNCIL, TODAY))
                   for who, person in (("prefers", prefers), ("needs", needs))
                   for kind in ("gp", "carer")}
    for text in letters.values():
        assert ANY_OFFER not in text
    assert "Needs an interpreter: Polish." in letters["needs", "gp"]
    assert "interpreter" not in letters["prefers", "gp"].lower()
    assert "Polish" not in letters["prefers", "carer"] + letters["needs", "carer"]


def test_let5_a_change_of_preferred_language_makes_the_persons_letter_out_of_date(
    database: Database, tmp_path: Path
) -> None:
    """The letter names the language, so it is out of date when the language changes (and not
    the GP's letter, which does not name it); generating again offers the new one."""
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, preferred_language="polish")
        generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path, as_of=TODAY,
                         actor="tester", person_ids=[person.id], fmt="md")
    with database.transaction() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        stored.preferred_language = "urdu"
    with database.transaction() as session:
        stale = out_of_date_letters(session, [person.id])
        assert [(letter.kind, letter.reason) for letter in stale] == [
            ("person", ("what the letter says has changed since it was written: "
                        "communication needs (accessible format or interpreter)"))]
        again = generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path, as_of=TODAY,
                                 actor="tester", person_ids=[person.id], fmt="md")
    [written] = again.written
    assert written.kind == "person" and not written.reworded
    assert written.path is not None
    assert OFFER.format("Urdu") in flat(Path(written.path).read_text(encoding="utf-8"))
