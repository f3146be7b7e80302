"""Handover letters: who gets which, what each says, idempotence, out-of-date letters, tasks."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests import task_world
from tests.factories import make_person
from tests.letter_setup import (
    TODAY,
    TRANSFER,
    add_task,
    council_worker,
    handover_person,
    jargon_in,
    trust_worker,
    with_transfer_date,
)
from transition.allocation import NewAssignment, set_assignments
from transition.audit import events
from transition.config import CouncilDetails
from transition.db import Database
from transition.letter_context import facts_context
from transition.letter_facts import PersonFacts, WorkerFacts, load_facts
from transition.letter_records import facts_changed, facts_hash
from transition.letters import (
    TASK_FOR_KIND,
    generate_letters,
    letter_history,
    letters_needed,
    out_of_date_letters,
    preview_letter,
)
from transition.models import Letter, Person, Staff, Task
from transition.people import person_detail
from transition.ruleset import load_rules
from transition.tasks import generate_tasks, set_task_status

COUNCIL = CouncilDetails()


def generate(session, out: Path, **options):  # type: ignore[no-untyped-def]
    options.setdefault("fmt", "md")
    return generate_letters(session, council=COUNCIL, out_dir=out, as_of=TODAY, actor="tester",
                            **options)


def text_of(session, person: Person, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert person.id is not None
    preview = preview_letter(session, person.id, kind, council=COUNCIL, as_of=TODAY)
    assert preview.text is not None, preview.skip_reason
    return preview.text


# ---------------------------------------------------------------------------------------------
# Content, per kind
# ---------------------------------------------------------------------------------------------


def test_the_letter_to_the_person_says_everything_it_must_in_plain_words(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, given_name="Zoë", family_name="Siân", s117=True,
                                 cto=True, personal_budget=True)
        text = text_of(session, person, "person")
    for required in (
        "Dear Zoë Siân",
        "Jo Łukasz will be your social worker",  # new worker and role
        "North Community Mental Health Team",  # team, abbreviation spelled out
        "01234 567890", "sw1@westshire.example",  # contact details
        "1 April 2027",  # date of the change, in words
        "15 January 2027",  # the letter's own date
        "Pat Oldworker will stop being your worker",
        "Your care and support plan stays the same",
        "aftercare under section 117 of the Mental Health Act continues",
        "community treatment order. Its conditions stay the same",
        "personal budget carries on",
        "keep taking it as you do now",  # medication
        COUNCIL.crisis_line, "call 999",  # crisis
        COUNCIL.complaints, "Ombudsman",  # concerns and complaints
        "large print, easy read, braille, audio, British Sign Language",  # other formats
        COUNCIL.signatory,
    ):
        assert required in text, required
    assert jargon_in(text) == []


@pytest.mark.parametrize(("until", "person_says", "gp_says"), [
    # TODAY (the letter's date) is 15 January 2027 and the change is on 1 April 2027.
    (date(2026, 12, 1), "Pat Oldworker stopped being your worker on 1 December 2026",
     "Pat Oldworker (their allocation ended on 1 December 2026)"),
    (date(2027, 2, 26), "Pat Oldworker stops being your worker on 26 February 2027",
     "Pat Oldworker (their allocation ends on 26 February 2027)"),
])
def test_an_outgoing_worker_whose_allocation_ends_before_the_change_is_said_so(
    database: Database, until: date, person_says: str, gp_says: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, coordinator_until=until)
        plain = handover_person(session, new_staff_id="SW1", old_staff_id="OLD1")
        text, gp = text_of(session, person, "person"), text_of(session, person, "gp")
        plain_text = text_of(session, plain, "person")
        facts = load_facts(session, [person.id, plain.id])
        easy = text_of(session, handover_person(session, coordinator_until=until,
                                                accessible_format="easy_read"), "person")
        signposted = text_of(session, make_person(
            session, pathway="signpost", care_coordinator_id="OLD1", coordinator_until=until),
            "signpost")
    for said in (text, easy, signposted):
        assert person_says in " ".join(said.split()), said
    assert "will stop being your worker" not in text
    assert gp_says in " ".join(gp.split())
    assert "Pat Oldworker will stop being your worker on that day" in plain_text
    # Nothing is added to the facts of a letter without an ended allocation, so the letters
    # already written for everyone else are not taken to be out of date.
    assert "outgoing_ended" not in facts_context(facts[plain.id], "person")["change"]



def test_only_what_applies_is_listed_as_staying_the_same(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, s117=False, cto=None, personal_budget=False)
        text = text_of(session, person, "person")
    assert "Your care and support plan stays the same" in text
    for absent in ("section 117", "community treatment order", "personal budget"):
        assert absent not in text


def test_the_gp_copy_shows_the_nhs_number_3_3_4_date_of_birth_and_a_clinical_summary(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, given_name="Sam", family_name="Jones",
                                 date_of_birth=date(1979, 3, 9), s117=True, cto=True,
                                 accessible_format="large_print", interpreter_language="Polish")
        nhs_number = person.nhs_number
        text = text_of(session, person, "gp")
    spaced = f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
    for required in (
        f"**NHS number:** {spaced}", "**Date of birth:** 9 March 1979", "Example Surgery",
        "Jo Łukasz, social worker", "Social worker (new)", "Previous care coordinator:",
        "Care Act 2014", "Section 117 aftercare (Mental Health Act 1983) continues",
        "Community Treatment Order in force", "large print", "interpreter: Polish",
        "1 April 2027", "Dear Doctor",
    ):
        assert required in text, required
    assert "{{" not in text and "{%" not in text


def test_the_carer_letter_goes_to_the_carer_and_holds_only_what_a_carer_needs(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, given_name="Ali", family_name="Khan", s117=True, cto=True,
                                 carer=True, carer_name="Rita Khan",
                                 carer_address="5 Carer Row, Westhaven WX2 2BB")
        text = text_of(session, person, "carer")
    for required in ("Rita Khan\n", "5 Carer Row", "WX2 2BB", "Dear Rita Khan",
                     "named as Ali Khan's carer", "Jo Łukasz will be Ali's social worker",
                     "01234 567890", "carer's assessment", COUNCIL.crisis_line, "1 April 2027"):
        assert required.strip() in text, required
    # Minimum necessary: the person's legal status is theirs to share, not ours.
    assert "section 117" not in text and "community treatment order" not in text.lower()
    assert jargon_in(text) == []


def test_a_signposted_person_hears_what_support_there_is_and_how_to_ask_again(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = make_person(session, pathway="signpost", care_coordinator_id=None)
        text = text_of(session, person, "signpost")
        gp_text = text_of(session, person, "gp")
    for required in ("you do not need ongoing support from our mental health social work team",
                     "Samaritans", "NHS Talking Therapies", "Your GP",
                     "ask us to look at your needs again at any time", COUNCIL.phone,
                     "1 April 2027", COUNCIL.crisis_line, "Ombudsman", "other formats"):
        assert required in text, required
    assert jargon_in(text) == []
    assert "mental health social work support ending on 1 April 2027" in gp_text
    assert "eligibility" in gp_text  # a GP may read the professional terms


def test_who_gets_which_letters(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        changed = handover_person(session, carer=True, carer_name="C", carer_address="1 Road, Town",
                                  carer_consent=True)
        signposted = make_person(session, pathway="signpost")
        kept_sw = council_worker(session, "KEEP")
        kept = make_person(session, care_coordinator_id="KEEP", pathway="council")
        assert kept.id is not None and kept_sw is not None
        set_assignments(session, [NewAssignment(kept.id, "social_worker", "KEEP", TODAY)], actor="x")
        make_person(session, pathway="council")  # no accepted worker: not due letters by default
        result = generate(session, tmp_path / "out")
    got = sorted((o.nhs_number, o.kind, o.status) for o in result.outcomes)
    assert got == sorted([
        (changed.nhs_number, "person", "written"), (changed.nhs_number, "gp", "written"),
        (changed.nhs_number, "carer", "written"),
        (signposted.nhs_number, "signpost", "written"), (signposted.nhs_number, "gp", "written"),
    ])


# ---------------------------------------------------------------------------------------------
# Skipped letters, each with a reason
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("need, word", [("braille", "braille"), ("bsl", "BSL")])
def test_braille_and_bsl_get_no_printed_letter_but_the_gp_is_still_told(
    database: Database, tmp_path: Path, need: str, word: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, accessible_format=need)
        result = generate(session, tmp_path / "out")
    [skipped] = result.skipped
    assert skipped.kind == "person"
    assert skipped.reason == f"needs {word}: the team arranges it (task accessible_communication)"
    assert [o.kind for o in result.written] == ["gp"]


def test_people_who_cannot_have_a_letter_are_skipped_with_a_clear_reason(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        no_address = handover_person(session, address=None, postcode=None, gp_address=None)
        no_worker = make_person(session, pathway="council")
        council_worker(session, "SAME")
        unchanged = make_person(session, care_coordinator_id="SAME", pathway="council")
        assert unchanged.id is not None
        set_assignments(session, [NewAssignment(unchanged.id, "social_worker", "SAME", TODAY)],
                        actor="x")
        signpost_s117 = make_person(session, pathway="signpost", s117=True)
        carer_no_address = handover_person(session, carer=True, carer_name="C", carer_consent=True)
        no_fixed_abode = handover_person(session, address="c/o St Anne's day centre",
                                         postcode="ZZ99 3VZ")
        sofa_surfing = handover_person(session, accommodation_type="HM04")
        ids = [p.id for p in (no_address, no_worker, unchanged, signpost_s117, carer_no_address,
                              no_fixed_abode, sofa_surfing)]
        result = generate(session, tmp_path / "out", person_ids=ids)
    reasons = {(o.nhs_number, o.kind): o.reason for o in result.skipped}
    assert reasons[(no_address.nhs_number, "person")] == "no address recorded for the person"
    assert reasons[(no_address.nhs_number, "gp")] == "no GP practice address recorded"
    assert reasons[(no_worker.nhs_number, "person")].startswith("no accepted worker yet")
    assert reasons[(unchanged.nhs_number, "person")] == (
        "their worker does not change, so no handover letter is needed")
    assert "section 117" in reasons[(signpost_s117.nhs_number, "signpost")]
    assert reasons[(carer_no_address.nhs_number, "carer")] == "no carer address recorded"
    assert {o.kind for o in result.written if o.nhs_number == carer_no_address.nhs_number} == {
        "person", "gp"}
    # An NHS pseudo-postcode is no address to post to: the letter is written to be given by
    # hand, and its address says what the code means.
    written = {o.kind: o for o in result.written if o.nhs_number == no_fixed_abode.nhs_number}
    assert set(written) == {"person", "gp"}
    assert written["person"].note == ("no postal address (ZZ99 3VZ: no fixed abode): give it to "
                                      "them by hand, at the handover visit or where the team "
                                      "sees them")
    assert written["gp"].note is None
    letter = Path(written["person"].path or "").read_text()
    assert "No fixed abode (ZZ99 3VZ)" in letter and "ZZ99 3VZ<" not in letter
    # An address, but no settled home (MHSDS accommodation status): posted after a check.
    written = {o.kind: o for o in result.written if o.nhs_number == sofa_surfing.nhs_number}
    assert written["person"].note == ("not in settled accommodation: check the address still "
                                      "reaches them before posting it, or give it to them by hand")
    assert written["gp"].note is None


def test_a_preferred_language_other_than_english_is_a_note_for_the_team(
    database: Database, tmp_path: Path
) -> None:
    """MHSDS LanguageCodePreferred: the letter is written in English (offering a translation),
    and the team is told to offer one; an interpreter's language says more, and English,
    braille and BSL (accessible formats) say nothing here."""
    with database.transaction() as session:
        with_transfer_date(session)
        people = {language: handover_person(session, preferred_language=language)
                  for language in ("polish", "english", "british sign language")}
        # BSL recorded as an accessible format too: the need is met there, and no note here.
        people["british sign language"].accessible_format = "large_print"
        both = handover_person(session, preferred_language="polish",
                               interpreter_language="polish")
        hash_before = {kind: facts_hash(load_facts(session, [people["english"].id])[
            people["english"].id], kind) for kind in ("person", "gp")}
        ids = [made.id for made in (*people.values(), both)]
        result = generate(session, tmp_path / "out", person_ids=ids)
    notes = {(o.nhs_number, o.kind): o.note for o in result.written}
    assert notes[people["polish"].nhs_number, "person"] == (
        "prefers Polish (no interpreter recorded): offer a translation in Polish too")
    assert notes[people["polish"].nhs_number, "gp"] is None
    assert notes[people["english"].nhs_number, "person"] is None
    assert notes[people["british sign language"].nhs_number, "person"] is None
    assert notes[both.nhs_number, "person"].startswith("needs Polish: arrange a translation")
    # The person's letter offers itself in Polish (so a change of language makes it out of
    # date); the GP's letter does not state a preferred language, so its facts_hash does not
    # read it (an interpreter need it does state).
    with database.session() as session:
        facts = load_facts(session, [people["english"].id])[people["english"].id]
        polish = replace(facts, preferred_language="polish")
        assert facts_hash(polish, "gp") == hash_before["gp"]
        assert facts_hash(polish, "person") != hash_before["person"]


def test_without_a_date_for_the_change_no_letter_is_written(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        handover_person(session)  # no programme transfer date, no handover date
        result = generate(session, tmp_path / "out")
    assert not result.written
    assert all("no date for the change" in (o.reason or "") for o in result.skipped)


def test_a_persons_own_handover_date_wins(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, handover_date=date(2027, 5, 3))
        text = text_of(session, person, "person")
    assert "From 3 May 2027" in text and "1 April 2027" not in text


# ---------------------------------------------------------------------------------------------
# Accessible formats
# ---------------------------------------------------------------------------------------------


def test_easy_read_uses_the_easy_read_template_with_short_lines(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, accessible_format="easy_read", s117=True)
        result = generate(session, tmp_path / "out", kinds=["person"])
        text = text_of(session, person, "person")
        row = session.scalars(select(Letter)).one()
    assert row.template == "easy_read/person.html.j2"
    assert result.written[0].template == "easy_read/person.html.j2"
    body = text.split("# Your new worker", 1)[1]
    # The template's own lines (the council's complaints address and crisis line are its own text).
    lines = [line for line in body.splitlines() if line.strip() and not line.startswith("#")
             and COUNCIL.complaints not in line and COUNCIL.crisis_line not in line]
    assert max(len(line.split()) for line in lines) <= 12, "easy read: one short idea per line"
    assert "Your new social worker is called Jo Łukasz." in text
    assert "It is called section 117 aftercare." in text
    assert jargon_in(text) == []


def test_email_and_audio_needs_choose_html_and_plain_text(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, accessible_format="email")
        handover_person(session, accessible_format="audio")
        result = generate(session, tmp_path / "out", kinds=["person"], fmt=None)
    by_format = {o.format: o for o in result.written}
    assert set(by_format) == {"html", "md"}
    assert "by email" in (by_format["html"].note or "")
    assert "audio" in (by_format["md"].note or "")
    assert Path(by_format["html"].path or "").read_text().startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------------------------------------
# Files: names, folders, permissions
# ---------------------------------------------------------------------------------------------


def test_file_names_carry_no_personal_names_and_files_are_owner_only(
    database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "letters"
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, local_id="RX-1234", given_name="Zoë", family_name="Siân")
        result = generate(session, out)
    names = sorted(Path(o.path or "").name for o in result.written)
    assert names == ["RX-1234-gp.md", "RX-1234-person.md"]
    for outcome in result.written:
        path = Path(outcome.path or "")
        assert path.parent == out.resolve()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(out.parent).st_mode) == 0o700


@pytest.mark.parametrize("local_id", ["../../etc/x", "/etc/passwd", "..", "a/../../b", "C:\\x\\..\\y"])
def test_a_hostile_local_id_cannot_write_outside_the_output_folder(
    database: Database, tmp_path: Path, local_id: str
) -> None:
    out = tmp_path / "deep" / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, local_id=local_id)
        result = generate(session, out)
    assert len(result.written) == 2
    for outcome in result.written:
        path = Path(outcome.path or "").resolve()
        assert path.parent == out.resolve()
        assert ".." not in path.name and "/" not in path.name
    everything = {p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".md"}
    assert everything == {Path(o.path or "") for o in result.written}


@pytest.mark.parametrize("failure", [RuntimeError("the database went away"), KeyboardInterrupt()])
def test_a_failure_while_recording_leaves_no_unrecorded_letter_on_disk(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """Files written but never recorded (the run stopped after writing them) are removed: no
    letter with a person's details is left behind that no record knows of."""
    out = tmp_path / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise failure

    monkeypatch.setattr("transition.letters.mark_tasks_done", fail)
    with pytest.raises(type(failure)), database.transaction() as session:
        generate(session, out)
    assert list(out.iterdir()) == []
    with database.session() as session:
        assert session.scalars(select(Letter)).all() == []


# ---------------------------------------------------------------------------------------------
# Idempotence, out-of-date letters, superseding
# ---------------------------------------------------------------------------------------------


def test_running_again_writes_nothing_even_on_another_day(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        first = generate(session, out)
    with database.transaction() as session:
        second = generate_letters(session, council=COUNCIL, out_dir=out, as_of=date(2027, 1, 20),
                                  actor="tester", fmt="md")
    assert len(first.written) == 2
    assert (len(second.written), len(second.unchanged), second.superseded) == (0, 2, 0)
    with database.session() as session:
        assert len(session.scalars(select(Letter)).all()) == 2
    assert len(list(out.iterdir())) == 2


def test_a_changed_worker_flags_the_letter_then_regenerating_supersedes_it(
    database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        pid = person.id
        assert pid is not None
        first = generate(session, out)
    with database.session() as session:
        assert out_of_date_letters(session) == []
        assert {n.status for n in letters_needed(session)} == {"written"}
    with database.transaction() as session:
        council_worker(session, "SW2", given_name="Kim", family_name="Newer")
        set_assignments(session, [NewAssignment(pid, "social_worker", "SW2", date(2027, 4, 1),
                                                source="manager")], actor="manager")
    with database.session() as session:
        stale = out_of_date_letters(session)
        assert sorted(s.kind for s in stale) == ["gp", "person"]
        assert all(s.reason == "the worker has changed since the letter was written" for s in stale)
        assert {n.status for n in letters_needed(session)} == {"out_of_date"}
        assert [r.status for r in letter_history(session, pid)] == ["out_of_date", "out_of_date"]
    with database.transaction() as session:
        second = generate(session, out)
    assert (len(second.written), second.superseded) == (2, 2)
    assert second.reworded == [] and second.as_json()["reworded"] == 0  # a new worker: news
    old_paths = {o.path for o in first.written}
    new_paths = {o.path for o in second.written}
    assert not old_paths & new_paths, "the old letter is kept, the new one has its own file"
    assert all(Path(p or "").exists() for p in old_paths | new_paths)
    assert "Kim Newer will be your social worker" in Path(
        next(o.path for o in second.written if o.kind == "person") or "").read_text()
    with database.session() as session:
        assert out_of_date_letters(session) == []
        history = letter_history(session, pid)
        assert [r.status for r in history] == ["current", "current", "superseded", "superseded"]
        actions = [e.action for e in events(session, person_id=pid, entity="letter")]
        assert actions.count("letter.generate") == 4 and actions.count("letter.supersede") == 2


def test_a_new_address_makes_the_letter_out_of_date_with_its_reason(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        generate(session, tmp_path / "out")
        person.address = "99 New Road, Westhaven"
        session.add(person)
    with database.session() as session:
        [stale] = [s for s in out_of_date_letters(session) if s.kind == "person"]
    assert stale.reason == "what the letter says has changed since it was written: a name or address"


def test_a_worker_change_undone_leaves_the_letter_flagged_as_no_longer_applying(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        assert person.id is not None
        generate(session, tmp_path / "out")
        set_assignments(session, [NewAssignment(person.id, "social_worker", "OLD1", TODAY)], actor="m")
    with database.session() as session:
        reasons = {s.reason for s in out_of_date_letters(session)}
    assert reasons == {"no longer applies: the person's worker no longer changes"}


def test_a_changed_council_template_rewrites_the_letter_even_though_the_facts_are_the_same(
    database: Database, tmp_path: Path
) -> None:
    council = tmp_path / "templates"
    council.mkdir()
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        generate(session, tmp_path / "out", kinds=["person"])
    (council / "_crisis.html.j2").write_text("<h2>Crisis</h2><p>Call Westshire Crisis Team.</p>")
    with database.transaction() as session:
        again = generate(session, tmp_path / "out", kinds=["person"], templates_dir=council)
    assert (len(again.written), again.superseded) == (1, 1)
    assert "Westshire Crisis Team" in Path(again.written[0].path or "").read_text()
    # Nothing about the person changed: said, so a team that posted the first can decide.
    assert again.reworded == again.written
    assert again.as_json()["reworded"] == 1 and again.as_json()["letters"][0]["reworded"]


def test_another_format_is_a_separate_current_letter(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        generate(session, tmp_path / "out", kinds=["person"], fmt="md")
        result = generate(session, tmp_path / "out", kinds=["person"], fmt="html")
        assert person.id is not None
        history = letter_history(session, person.id)
    assert (len(result.written), result.superseded) == (1, 0)
    assert result.reworded == []  # a letter in a new format is a first letter in it
    assert sorted((r.format, r.status) for r in history) == [("html", "current"), ("md", "current")]


# ---------------------------------------------------------------------------------------------
# Records, audit, tasks, preview, person detail
# ---------------------------------------------------------------------------------------------


def test_each_letter_is_recorded_audited_and_its_task_marked_done(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        add_task(session, person, "letter_person")
        add_task(session, person, "letter_gp")
        add_task(session, person, "first_contact")
        result = generate(session, tmp_path / "out")
        pid = person.id
    assert result.tasks_done == 2
    with database.session() as session:
        rows = session.scalars(select(Letter).order_by(Letter.id)).all()
        assert [(r.kind, r.format, r.template, r.generated_by, r.dated) for r in rows] == [
            ("person", "md", "person.html.j2", "tester", TODAY),
            ("gp", "md", "gp.html.j2", "tester", TODAY),
        ]
        for row, outcome in zip(rows, result.written, strict=True):
            assert row.path == outcome.path and row.sha256 == outcome.sha256
            assert row.staff_ids == ["SW1"] and len(row.facts_hash) <= 64  # Letter.facts_hash
            import hashlib
            assert hashlib.sha256(Path(row.path).read_bytes()).hexdigest() == row.sha256
        tasks = {t.key: t for t in session.scalars(select(Task).where(Task.person_id == pid))}
        assert tasks["letter_person"].status == "done" and tasks["letter_person"].version == 2
        assert tasks["letter_gp"].completed_at is not None
        assert tasks["first_contact"].status == "todo"
        trail = events(session, person_id=pid)
        generated = [e for e in trail if e.action == "letter.generate"]
        assert len(generated) == 2 and generated[0].actor == "tester"
        assert {e.entity_key for e in trail if e.action == "task.status"} == {
            str(tasks["letter_person"].id), str(tasks["letter_gp"].id)}
        assert {e.reason for e in trail if e.action == "task.status"} == {"letter generated"}
    with database.transaction() as session:
        assert generate(session, tmp_path / "out").tasks_done == 0  # already done: left alone


def test_a_blocked_letter_task_stays_blocked_and_is_reported(
    database: Database, tmp_path: Path
) -> None:
    """A manager's block is not overridden: the letter is written (writing is not sending; it
    is ready when the block clears), but its task stays blocked with its reason, and the
    result says which. Once the block is cleared, the next run marks the task done."""
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        add_task(session, person, "letter_person")
        gp = add_task(session, person, "letter_gp")
        gp_id = gp.id
        assert gp_id is not None
        set_task_status(session, gp_id, "blocked", actor="manager-a",
                        reason="Waiting for the GP practice's new address")
        result = generate(session, tmp_path / "out")
    assert sorted(o.kind for o in result.written) == ["gp", "person"]
    assert result.tasks_done == 1
    assert [(o.nhs_number, o.kind) for o in result.tasks_blocked] == [(person.nhs_number, "gp")]
    data = result.as_json()
    assert data["tasks_blocked"] == 1
    assert data["blocked"] == [{"nhs_number": person.nhs_number, "kind": "gp",
                                "task": "letter_gp"}]
    with database.session() as session:
        task = session.get(Task, gp_id)
        assert task is not None and (task.status, task.blocked_reason) == (
            "blocked", "Waiting for the GP practice's new address")
        assert [e.after for e in events(session, actions=["task.status"])
                if e.entity_key == str(gp_id)] == ["blocked"]
    with database.transaction() as session:
        set_task_status(session, gp_id, "todo", actor="manager-a")
        again = generate(session, tmp_path / "out")
    assert again.tasks_done == 1 and again.tasks_blocked == []
    with database.session() as session:
        assert session.get(Task, gp_id).status == "done"  # type: ignore[union-attr]


def test_every_letter_task_the_rules_make_is_closed_by_writing_the_letters(
    database: Database, tmp_path: Path
) -> None:
    """Tasks and letters agree: once everyone's tasks are generated and every letter is
    written, the only letter tasks left open are those whose letter could not be written (and
    said why). An assessed person who keeps their worker gets no letter and no letter task."""
    with database.transaction() as session:
        ids = task_world.build(session)
        generate_tasks(session, load_rules(), as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        result = generate(session, tmp_path / "out")
        could_not = {(o.person_id, TASK_FOR_KIND[o.kind]) for o in result.skipped}
        still_open = {(task.person_id, task.key) for task in session.scalars(
            select(Task).where(Task.key.in_(set(TASK_FOR_KIND.values())),  # type: ignore[attr-defined]
                               Task.status != "done"))}
        assess_tasks = {task.key for task in session.scalars(
            select(Task).where(Task.person_id == ids["assess"]))}
    assert result.tasks_done > 0
    assert still_open <= could_not
    assert ids["assess"] not in {o.person_id for o in result.outcomes}
    assert assess_tasks == {"assessment_booked"}


def test_preview_writes_nothing(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, accessible_format="braille")
        assert person.id is not None
        preview = preview_letter(session, person.id, "person", council=COUNCIL, as_of=TODAY)
        assert session.scalars(select(Letter)).all() == []
    assert preview.skip_reason and "braille" in preview.skip_reason
    assert preview.text and "Jo Łukasz will be your social worker" in preview.text
    assert not (tmp_path / "output").exists()


def test_the_person_detail_lists_their_letters(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)
        generate(session, tmp_path / "out")
        detail = person_detail(session, person)
    assert [(entry["kind"], entry["status"]) for entry in detail["letters"]] == [
        ("gp", "current"), ("person", "current")]


def test_a_joint_person_hears_who_stays_and_who_is_new(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW1", given_name="Morgan", family_name="Stays")
        person = handover_person(session, old_staff_id="KW1", pathway="joint")
        assert person.id is not None
        set_assignments(session, [NewAssignment(person.id, "key_worker", "KW1", TODAY)], actor="p")
        text = text_of(session, person, "person")
        gp = text_of(session, person, "gp")
    assert "Jo Łukasz will be your social worker" in text
    assert "Morgan Stays stays your key worker" in text
    assert "will stop being your worker" not in text
    assert "Key worker (unchanged):** Morgan Stays, mental health nurse" in gp


def test_progress_is_reported(database: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        handover_person(session)
        generate(session, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_letters_for_a_signposted_person_and_their_carer_stay_current(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        make_person(session, pathway="signpost", carer=True, carer_name="Rita",
                    carer_address="5 Carer Row, Westhaven", carer_consent=True)
        result = generate(session, tmp_path / "out")
    assert sorted(o.kind for o in result.written) == ["carer", "gp", "signpost"]
    carer_text = Path(next(o.path for o in result.written if o.kind == "carer") or "").read_text()
    assert "will not have a worker from our mental health social work team" in carer_text
    with database.session() as session:
        assert out_of_date_letters(session) == []


def test_someone_being_assessed_hears_that_their_worker_will_assess_them(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, pathway="assess")
        text = text_of(session, person, "person")
    assert "Jo will meet you to look at the support you need" in text


# ---------------------------------------------------------------------------------------------
# A coordinator returning after their allocation ended
# ---------------------------------------------------------------------------------------------


def returning_coordinator(session, **person_fields):  # type: ignore[no-untyped-def]
    """A person whose trust key worker's allocation ended on 30 November 2026, given them again.

    (Not October: the jargon check would find "cto" in it.)"""
    if session.get(Staff, "KW7") is None:
        trust_worker(session, "KW7", given_name="Charlotte", family_name="Martin")
    values = {"pathway": "trust", "coordinator_until": date(2026, 11, 30)}
    values.update(person_fields)
    return handover_person(session, new_staff_id="KW7", old_staff_id="KW7", role="key_worker",
                           **values)


def test_a_coordinator_given_the_role_again_after_their_allocation_ended_is_returning(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = returning_coordinator(session, carer=True, carer_name="Rita",
                                       carer_address="5 Carer Row, Westhaven", carer_consent=True)
        easy_person = returning_coordinator(session, accessible_format="easy_read",
                                            coordinator_until=date(2027, 2, 26))
        assert person.id is not None
        worker = load_facts(session, [person.id])[person.id].workers[0]
        letters = {kind: text_of(session, person, kind) for kind in ("person", "carer", "gp")}
        easy = text_of(session, easy_person, "person")
        result = generate(session, tmp_path / "out")
    assert (worker.is_new, worker.returning_after) == (True, date(2026, 11, 30))
    # Letters are due for them by default, as for anyone whose worker changes.
    assert sorted(o.kind for o in result.written if o.nhs_number == person.nhs_number) == [
        "carer", "gp", "person"]
    said = {kind: " ".join(text.split()) for kind, text in letters.items()}
    for required in (
        "# Your key worker from 1 April 2027",
        "From 1 April 2027, Charlotte Martin will be your key worker again.",
        ("Charlotte Martin stopped being your worker on 30 November 2026. "
         "Their team has now asked Charlotte to work with you again."),
        "## How to contact your key worker",
        "Your worker will get in touch with you to arrange to meet.",
        "Your worker will go through it with you.",
    ):
        assert required in said["person"], required
    assert "Charlotte Martin will be Sam's key worker again." in said["carer"]
    assert "Their worker will go through it with them." in said["carer"]
    assert ("Key worker (returning: their allocation ended on 30 November 2026):** "
            "Charlotte Martin") in said["gp"]
    for line in ("# Your worker\n", "You will have a worker again.",
                 "Charlotte Martin will be your key worker again.",
                 "Charlotte stops being your worker on 26 February 2027.",
                 "Now Charlotte will work with you again.",
                 "Your worker will get in touch with you."):
        assert line in easy, line
    for text in (*letters.values(), easy):
        assert re.search(r"\bnew\b", text, re.IGNORECASE) is None, text
    assert [jargon_in(text) for text in (letters["person"], letters["carer"], easy)] == [[], [], []]


@pytest.mark.parametrize(("until", "stays"), [
    (date(2027, 5, 3), True),  # the last day of the allocation is the change date: continues
    (date(2027, 6, 30), True),
    (date(2027, 5, 2), False),  # ends the day before: returning
])
def test_whether_the_coordinator_stays_is_read_against_the_persons_own_change_date(
    database: Database, until: date, stays: bool
) -> None:
    # The programme's transfer date is 1 April 2027, but this person's handover is 3 May 2027.
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW1", given_name="Morgan", family_name="Stays")
        person = handover_person(session, old_staff_id="KW1", pathway="joint",
                                 handover_date=date(2027, 5, 3), coordinator_until=until)
        assert person.id is not None
        set_assignments(session, [NewAssignment(person.id, "key_worker", "KW1", TODAY)], actor="p")
        key_worker = next(worker for worker in load_facts(session, [person.id])[person.id].workers
                          if worker.staff_id == "KW1")
        text = " ".join(text_of(session, person, "person").split())
        gp = " ".join(text_of(session, person, "gp").split())
    assert key_worker.is_new is not stays
    if stays:
        assert "# Your new social worker from 3 May 2027" in text
        assert "Morgan Stays stays your key worker." in text
        assert "Key worker (unchanged):** Morgan Stays" in gp
        assert "again" not in text
    else:
        # Jo Łukasz is new; Morgan Stays is not: each is called what they are.
        assert "# Your new social worker and your key worker from 3 May 2027" in text
        assert ("From 3 May 2027, Morgan Stays will be your key worker again and Jo Łukasz will "
                "be your new social worker.") in text
        assert "Morgan Stays stops being your worker on 2 May 2027." in text
        assert "stays your key worker" not in text
        assert "Key worker (returning: their allocation ended on 2 May 2027)" not in gp
        assert "Key worker (returning: their allocation ends on 2 May 2027):** Morgan Stays" in gp


# What the templates of a letter written before returning coordinators were known saw of each
# worker: the facts hash of every such letter must stay the same, or all of them would read as
# out of date.
WORKER_KEYS = {"staff_id", "name", "given_name", "family_name", "role_key", "role", "job", "team",
               "team_plain", "employer", "phone", "email", "phone_is_main_number", "is_new"}


def ordinary_facts(**worker_fields: Any) -> PersonFacts:
    worker = WorkerFacts(
        staff_id="SW1", name="Jo Łukasz", given_name="Jo", family_name="Łukasz",
        role_key="social_worker", role="social worker", job="social worker", team="North CMHT",
        team_plain="North Community Mental Health Team", employer="council",
        phone="01234 567890", email="sw1@westshire.example", phone_is_main_number=False,
        is_new=True, **worker_fields)
    return PersonFacts(
        person_id=1, nhs_number="9990000018", local_id="P000001", given_name="Sam",
        family_name="Jones", date_of_birth=date(1980, 1, 1),
        address_lines=("1 Example Street", "Westhaven", "WX1 2AB"), postcode="WX1 2AB",
        pathway="council", s117=True, cto=False, personal_budget=False, accessible_format=None,
        interpreter_language="", has_carer=True, carer_name="Rita", carer_address_lines=("5 Row",),
        carer_consent=True,
        gp_practice_code="Y00001", gp_practice_name="Example Surgery",
        gp_address_lines=("2 Surgery Lane",), change_date=date(2027, 4, 1), workers=(worker,),
        outgoing_name="Pat Oldworker")


def test_an_ordinary_letters_facts_hash_is_what_it_was_before_returning_coordinators() -> None:
    facts = ordinary_facts()
    for kind in ("person", "gp", "carer"):
        change = facts_context(facts, kind)["change"]
        assert [set(worker) for worker in change["workers"] + change["new_workers"]] == [
            WORKER_KEYS, WORKER_KEYS]
    # Computed with the code before returning coordinators were told apart, and stored with
    # every letter written before each kind's hash covered only the facts it states: such a
    # letter is still current while those facts are the same.
    stored_before = {
        "person": "941fe0dee8ad0b80cbb9638fbf6580b69906f2a7cd355a6aaedf421ea72ef38c",
        "gp": "31cdcb9b1e16278ec5cb319418e32d2583ebefb32fca88b2c9aca04df7ef9336",
        "carer": "1c6307eff97eb0dc20e4a4477de75aadf627d6d5b3b7aca7cf83642f116603e4",
    }
    assert {kind: facts_changed(stored, facts, kind)
            for kind, stored in stored_before.items()} == dict.fromkeys(stored_before)
    assert facts_changed(stored_before["carer"], replace(facts, personal_budget=True),
                         "carer") == []  # changed, though an old hash cannot say what
    # Written since: a version, a digest of everything the letter states, and one of each
    # group of facts (to say which changed), in Letter.facts_hash's 64 characters.
    assert {kind: facts_hash(facts, kind) for kind in ("person", "gp", "carer")} == {
        "person": "vODisCuw33TJ4BCYhvlfarw2KqcBmCiAZhfep2VsiYm5aTt-gRj2l-FRBNvRBNv",
        "gp": "v5mUrUPPrCUSfobYhsocoYQV2wZBmCiAZhfXSNksiYm5aTt-gRj_ARue9EwRBNv",
        "carer": "vdijptPrfJYgDQnoTdY9d4gDClGBmCiAZhfep2VRBNvRBNvRBNvRBNvRBNvRBNv",
    }
    returning = facts_context(ordinary_facts(returning_after=date(2026, 10, 30)), "person")
    assert returning["change"]["workers"][0]["again"] is True
    assert set(returning["change"]["workers"][0]) - WORKER_KEYS == {"again", "ended", "ended_iso"}


def test_a_new_worker_and_a_returning_one_are_each_called_what_they_are(
    database: Database,
) -> None:
    # A joint-pathway person: a new council social worker, and their trust key worker given the
    # role again after the allocation ended. Only the social worker is new to them.
    with database.transaction() as session:
        with_transfer_date(session)
        council_worker(session, "SW1")
        # On a CTO, so on s117 aftercare too (a CTO with s117 no is held back: tests/unit/test_cto_without_s117.py).
        person = returning_coordinator(session, pathway="joint", cto=True, s117=True,
                                       carer=True, carer_name="Rita",
                                       carer_address="5 Carer Row, Westhaven")
        easy_person = returning_coordinator(session, pathway="joint", cto=True, s117=True,
                                            accessible_format="easy_read")
        assert person.id is not None and easy_person.id is not None
        set_assignments(session, [NewAssignment(someone, "social_worker", "SW1", TRANSFER)
                                  for someone in (person.id, easy_person.id)], actor="plan")
        letters = {kind: text_of(session, person, kind) for kind in ("person", "carer", "gp")}
        easy = text_of(session, easy_person, "person")
    said = {kind: " ".join(text.split()) for kind, text in letters.items()}
    for required in (
        "# Your new social worker and your key worker from 1 April 2027",
        ("From 1 April 2027, Charlotte Martin will be your key worker again and Jo Łukasz will "
         "be your new social worker."),
        "Their team has now asked Charlotte to work with you again.",
        "## How to contact your new social worker and your key worker",
        "Your workers will get in touch with you to arrange to meet.",
        "Your workers will go through it with you.",
        "Your workers will talk with you about them.",
    ):
        assert required in said["person"], required
    for required in (
        ("From 1 April 2027, Charlotte Martin will be Sam's key worker again and Jo Łukasz will "
         "be Sam's new social worker."),
        "Their workers will go through it with them.",
    ):
        assert required in said["carer"], required
    assert "Key worker (returning: their allocation ended on 30 November 2026):** " in said["gp"]
    assert "Social worker (new):** Jo Łukasz" in said["gp"]
    for line in ("# Your workers\n", "You will have a new worker.",
                 "You will also have a worker again.",
                 "Charlotte Martin will be your key worker again.",
                 "Your new social worker is called Jo Łukasz.",
                 "Your workers will get in touch with you."):
        assert line in easy, line
    # "new" is only ever said of the social worker (and, in easy read, "a new worker").
    for kind in ("person", "carer"):
        assert set(re.findall(r"\bnew \w+ \w+", said[kind], re.IGNORECASE)) == {
            "new social worker"}, kind
    assert set(re.findall(r"\bnew \w+", easy, re.IGNORECASE)) == {"new worker", "new social"}
    assert [jargon_in(text) for text in (letters["person"], letters["carer"], easy)] == [[], [], []]


# An ordinary letter (no worker returning) as the shipped templates render it. A letter whose
# rendering changes is written again on the next run, so wording for returning workers must
# leave every other letter byte for byte as it was.
# The easy-read pins changed on purpose: the easy-read letter now gives each worker's organisation
# and team, says what a key worker or social worker does, names a worker who stays, and says
# "Ask for ..." with the council's number (as the standard letter does).
# The "both new" pins changed on purpose too: two new workers are "your new workers" (person,
# carer, easy read), where the letters had said "your new worker" of two people
# (tests/unit/test_letters_review_wording.py); nothing else in those letters changed.
ORDINARY_KEY_WORKER = WorkerFacts(
    staff_id="KW1", name="Morgan Stays", given_name="Morgan", family_name="Stays",
    role_key="key_worker", role="key worker", job="mental health nurse", team="North CMHT",
    team_plain="North Community Mental Health Team", employer="trust", phone="", email="",
    phone_is_main_number=True, is_new=True)


@pytest.mark.parametrize(("case", "template", "kind", "expected"), [
    ("one new", "person.html.j2", "person",
     "6db6297fa6013ffa29e2ca4c6d43aa49196c276631571c4fadba671f82c9c802"),
    ("one new", "easy_read/person.html.j2", "person",
     "75dd102fb62e9ab7ee08a1e831e8321b42c7c06faccf7030d9471bc8ad7bbc26"),
    ("one new", "carer.html.j2", "carer",
     "c353119ec3a4fe3fc38fda3aa51ecd199baeebe4f868eea3afbf9dfcbea9e724"),
    ("one new", "gp.html.j2", "gp",
     "4b6371997523a0c58cce26c7b32c5022c361f8f6c2592482fe3de5e941674242"),
    ("both new", "person.html.j2", "person",
     "cf4a252c323f8ca5523ff939283630eebd3d0bcc57600ed1613ec307d95167b3"),
    ("both new", "easy_read/person.html.j2", "person",
     "08bc792e03c0c5570803bf0d27e6d361c4dab34d860367ced45a1c6a9fed649a"),
    ("both new", "carer.html.j2", "carer",
     "eb03da7be9470d7dabae03c67ba0ad3db9f0b4d0418f7862dc927150b493988f"),
    ("key worker stays", "person.html.j2", "person",
     "a048ecce2eab19b51dbe6275d0f942dd910d8a15b8ef90a820182f4bd7f83f10"),
    ("key worker stays", "carer.html.j2", "carer",
     "c353119ec3a4fe3fc38fda3aa51ecd199baeebe4f868eea3afbf9dfcbea9e724"),
])
def test_an_ordinary_letter_renders_as_it_did_before_returning_workers_were_worded(
    case: str, template: str, kind: str, expected: str
) -> None:
    import hashlib

    from transition.letter_context import template_context
    from transition.letter_templates import LetterTemplates, TemplateChoice

    facts = ordinary_facts()
    social_worker = facts.workers[0]
    workers = {
        "one new": (social_worker,),
        "both new": (ORDINARY_KEY_WORKER, social_worker),
        "key worker stays": (replace(ORDINARY_KEY_WORKER, is_new=False), social_worker),
    }[case]
    facts = replace(facts, pathway="council" if case == "one new" else "joint", cto=True,
                    personal_budget=True, workers=workers)
    letter = {"kind": kind, "date": "15 January 2027", "date_iso": "2027-01-15",
              "reference": facts.local_id, "format": "md", "style": "standard",
              "font_size_pt": 12}
    html = LetterTemplates().render(TemplateChoice(template, "shipped"),
                                    template_context(facts, kind, council=COUNCIL, letter=letter))
    assert hashlib.sha256(html.encode()).hexdigest() == expected
