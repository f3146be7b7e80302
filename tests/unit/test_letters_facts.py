"""What a letter may say, found in review: duties that forbid signposting, an interpreter with no
language, braille or BSL recorded only as the preferred language, an explicit "no carer", and a
worker whose team is not known."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_person, make_staff
from tests.letter_setup import TODAY, handover_person, with_transfer_date
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import generate_letters, letters_needed, out_of_date_letters, preview_letter
from transition.models import Person

COUNCIL = CouncilDetails()


def generate(session, out: Path, **options):  # type: ignore[no-untyped-def]
    return generate_letters(session, council=COUNCIL, out_dir=out, as_of=TODAY, actor="tester",
                            fmt="md", **options)


def text_of(session, person: Person, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert person.id is not None
    preview = preview_letter(session, person.id, kind, council=COUNCIL, as_of=TODAY)
    assert preview.text is not None, preview.skip_reason
    return " ".join(preview.text.split())


# -- duties that keep a named worker ----------------------------------------------------------


@pytest.mark.parametrize(("duties", "reason"), [
    ({"cto": True}, ("is on a community treatment order, so cannot be signposted: check the "
                     "pathway (a person on a community treatment order keeps a named worker)")),
    ({"s117": True}, ("has section 117 aftercare, so cannot be signposted: check the pathway "
                      "(section 117 needs are not tested against Care Act eligibility)")),
    ({"s117": True, "cto": True}, (
        "has section 117 aftercare and is on a community treatment order, so cannot be "
        "signposted: check the pathway (section 117 needs are not tested against Care Act "
        "eligibility; a person on a community treatment order keeps a named worker)")),
])
def test_no_one_with_section_117_or_a_cto_is_sent_a_signposting_letter(
    database: Database, tmp_path: Path, duties: dict[str, bool], reason: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        make_person(session, pathway="signpost", **duties)
        result = generate(session, tmp_path / "out")
    assert result.written == []
    assert {(o.kind, o.reason) for o in result.skipped} == {("signpost", reason), ("gp", reason)}


def test_a_signposting_letter_already_sent_is_flagged_once_a_cto_is_recorded(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = make_person(session, pathway="signpost")
        assert len(generate(session, tmp_path / "out").written) == 2
        person.cto = True
        session.add(person)
    with database.session() as session:
        stale = {s.kind: s.reason for s in out_of_date_letters(session)}
    assert stale == dict.fromkeys(("signpost", "gp"), (
        "should not stand: is on a community treatment order, so cannot be signposted: check "
        "the pathway (a person on a community treatment order keeps a named worker)"))


# -- an interpreter whose language is not recorded --------------------------------------------


def test_an_interpreter_need_without_a_language_offers_the_letter_in_their_language(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, interpreter_language="unspecified",
                                 preferred_language="polish")
        letter = text_of(session, person, "person")
        gp = text_of(session, person, "gp")
        note = generate(session, tmp_path / "out").written[0].note
    assert "unspecified" not in letter + gp + (note or "")
    assert ("If you would like this letter in your language, or an interpreter when you meet "
            "us, please tell us and we will arrange it.") in letter
    assert "Needs an interpreter: the language is not recorded; we are finding out which." in gp
    assert note == ("needs an interpreter but the language is not recorded: find out which "
                    "language (their preferred language is Polish), then arrange a translation "
                    "or an interpreter (task accessible_communication)")


@pytest.mark.parametrize("written", ["No", "none", "English"])
def test_an_interpreter_column_saying_none_is_no_interpreter(
    database: Database, written: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, interpreter_language=written)
        letter, gp = text_of(session, person, "person"), text_of(session, person, "gp")
    assert "If you would like this letter in" not in letter
    assert "interpreter" not in gp.lower()


# -- braille or BSL recorded only as the preferred language -----------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("braille", "braille"),
    ("british sign language", "British Sign Language"),
    ("american sign language", "American Sign Language"),
])
def test_braille_or_a_sign_language_as_the_preferred_language_gets_no_printed_letter(
    database: Database, tmp_path: Path, language: str, words: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, preferred_language=language)
        gp = text_of(session, person, "gp")
        result = generate(session, tmp_path / "out")
    [skipped] = result.skipped
    assert skipped.kind == "person"
    assert skipped.reason == (f"needs {words} (their preferred language; no accessible format "
                              "recorded): the team arranges it (task accessible_communication)")
    assert [(o.kind, o.note) for o in result.written] == [("gp", None)]
    assert f"Accessible information need recorded: {words}." in gp


@pytest.mark.parametrize("language", ["makaton", "q5", "Makaton"])
def test_makaton_as_the_preferred_language_gets_a_note(
    database: Database, tmp_path: Path, language: str
) -> None:
    """Makaton is neither a language to translate into nor braille or BSL: the letter is
    written, with a note to offer easy read and signing (it had neither note nor skip)."""
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, preferred_language=language)
        result = generate(session, tmp_path / "out")
    notes = {letter.kind: letter.note for letter in result.written}
    assert "Makaton" in (notes["person"] or "") and "easy-read" in (notes["person"] or "")
    assert notes["gp"] is None


def test_a_recorded_accessible_format_wins_over_the_preferred_language(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, preferred_language="braille", accessible_format="large_print")
        result = generate(session, tmp_path / "out")
    assert result.skipped == []
    assert [o.kind for o in result.written] == ["person", "gp"]


# -- an explicit "no carer" -------------------------------------------------------------------


def test_the_trust_saying_there_is_no_carer_wins_over_a_name_left_behind(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        said_no = handover_person(session, carer=False, carer_name="Rita",
                                  carer_address="5 Carer Row, Westhaven")
        unsaid = handover_person(session, carer=None, carer_name="Rita",
                                 carer_address="5 Carer Row, Westhaven")
        kinds = {(n.nhs_number, n.kind) for n in letters_needed(session)}
        gp = text_of(session, said_no, "gp")
    assert (said_no.nhs_number, "carer") not in kinds
    assert (unsaid.nhs_number, "carer") in kinds
    assert "writing to their carer too" not in gp


# -- a worker's team --------------------------------------------------------------------------


@pytest.mark.parametrize(("worker", "kind"), [
    ({"seconded": True, "team": "South CMHT", "council_team": None}, "person"),
    ({"seconded": True, "team": "South CMHT", "council_team": None}, "gp"),
    ({"seconded": True, "team": "South CMHT", "council_team": None}, "carer"),
    ({"team": None}, "person"),
    ({"team": None}, "gp"),
])
def test_a_team_that_is_not_known_is_to_be_confirmed_never_the_trust_team_being_left(
    database: Database, worker: dict[str, object], kind: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        make_staff(session, "SEC1", given_name="Jo", family_name="Seconded", **worker)
        person = handover_person(session, new_staff_id="SEC1", carer=True, carer_name="Rita",
                                 carer_address="5 Carer Row, Westhaven")
        text = text_of(session, person, kind)
    assert f"Team: to be confirmed, {COUNCIL.name}" in text
    assert "South" not in text and "Team: ," not in text


def test_a_seconded_worker_with_a_council_team_is_shown_in_it(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        make_staff(session, "SEC1", seconded=True, team="South CMHT", council_team="South MHSW")
        person = handover_person(session, new_staff_id="SEC1")
        text = text_of(session, person, "person")
    assert f"Team: South Mental Health Social Work, {COUNCIL.name}" in text


# -- whether the person agrees to their carer being told ------------------------------------


def test_a_carer_is_written_to_only_if_the_person_has_not_said_no(
    database: Database, tmp_path: Path
) -> None:
    """A carer letter says the person has a mental health team: with consent recorded as no
    there is none (skipped, saying why) and the GP is not told there is one; not recorded,
    none either until the person is asked; yes, it is written as it always was."""
    carer = {"carer": True, "carer_name": "Rita", "carer_address": "5 Carer Row, Westhaven"}
    with database.transaction() as session:
        with_transfer_date(session)
        said_no = handover_person(session, carer_consent=False, **carer)
        unknown = handover_person(session, carer_consent=None, **carer)
        agreed = handover_person(session, carer_consent=True, **carer)
        gp_said_no = text_of(session, said_no, "gp")
        gp_agreed = text_of(session, agreed, "gp")
        result = generate(session, tmp_path / "out")
    skipped = {(o.nhs_number, o.kind): o.reason for o in result.skipped}
    written = {(o.nhs_number, o.kind): o for o in result.written}
    assert skipped[(said_no.nhs_number, "carer")].startswith(
        "the person does not agree to their carer being told (carer consent: no)")
    assert (said_no.nhs_number, "person") in written and (said_no.nhs_number, "gp") in written
    assert "writing to their carer too" not in gp_said_no
    assert "writing to their carer too" in gp_agreed
    # Not recorded: no carer letter until the person is asked (tests/unit/test_carer_consent.py).
    assert skipped[(unknown.nhs_number, "carer")].startswith(
        "consent to tell the carer not recorded: ask the person first")
    assert written[(agreed.nhs_number, "carer")].note is None
