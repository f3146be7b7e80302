"""A letter that prints a council detail since corrected (the crisis line, a phone number) is out
of date, with why, until it is written again (found in review, wave 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import make_person
from tests.letter_setup import TEST_COUNCIL, TODAY, handover_person, with_transfer_date
from transition import letter_council
from transition.db import Database
from transition.letter_records import letter_history
from transition.letter_templates import LetterTemplates
from transition.letters import generate_letters, letters_needed, out_of_date_letters
from transition.models import AuditEvent, Letter

NEW_CRISIS_LINE = "0808 157 0999 (24 hours a day) or NHS 111, option 2"
CRISIS_LINE_CHANGED = ("the council's details it prints have changed since it was written: the "
                       "crisis line (set in the settings' [council])")


def generate(session, out: Path, council=TEST_COUNCIL, **options):  # type: ignore[no-untyped-def]
    options.setdefault("fmt", "md")
    return generate_letters(session, council=council, out_dir=out, as_of=TODAY, actor="tester",
                            **options)


def people_with_letters(database: Database, out: Path) -> tuple[int, int]:
    """A person with a new worker and a carer (person, GP and carer letters), and a signposted
    person (signpost and GP letters), all written with the test council's details."""
    with database.transaction() as session:
        with_transfer_date(session)
        handed_over = handover_person(session, carer=True, carer_name="Rita Carer",
                                      carer_address="5 Carer Row, Westhaven", carer_consent=True)
        signposted = make_person(session, pathway="signpost")
        result = generate(session, out)
        assert len(result.written) == 5 and not result.skipped
        assert handed_over.id is not None and signposted.id is not None
        return handed_over.id, signposted.id


def test_correcting_the_crisis_line_flags_every_letter_that_printed_it(
    database: Database, tmp_path: Path
) -> None:
    people_with_letters(database, tmp_path / "out")
    corrected = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE})
    with database.session() as session:
        stale = out_of_date_letters(session, council=corrected)
        needs = letters_needed(session, default_format="md", council=corrected)
        unchanged = out_of_date_letters(session, council=TEST_COUNCIL)
        without_council = out_of_date_letters(session)
    assert sorted(letter.kind for letter in stale) == ["carer", "gp", "gp", "person", "signpost"]
    assert {letter.reason for letter in stale} == {CRISIS_LINE_CHANGED}
    assert {(need.status, need.reason) for need in needs} == {("out_of_date", CRISIS_LINE_CHANGED)}
    assert unchanged == [] and without_council == []


def test_a_detail_a_letter_does_not_print_does_not_flag_it(
    database: Database, tmp_path: Path
) -> None:
    """Only the signposting letter gives the council's web address (local groups)."""
    people_with_letters(database, tmp_path / "out")
    moved = TEST_COUNCIL.model_copy(update={"website": "www.testvale.example/support"})
    with database.session() as session:
        stale = out_of_date_letters(session, council=moved)
    assert [(letter.kind, letter.reason) for letter in stale] == [
        ("signpost", ("the council's details it prints have changed since it was written: the "
                      "council's web address (set in the settings' [council])"))]


def test_writing_them_again_prints_the_new_details_and_the_flags_clear(
    database: Database, tmp_path: Path
) -> None:
    handed_over, _ = people_with_letters(database, tmp_path / "out")
    corrected = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE,
                                                "out_of_hours": "01632 960888"})
    with database.session() as session:
        reasons = {letter.kind: letter.reason
                   for letter in out_of_date_letters(session, [handed_over], council=corrected)}
        history = letter_history(session, handed_over, council=corrected)
    assert reasons["person"] == (
        "the council's details it prints have changed since it was written: the crisis line and "
        "the out-of-hours number (set in the settings' [council])")
    assert reasons["carer"] == CRISIS_LINE_CHANGED  # the carer's letter gives no out-of-hours
    assert {record.status for record in history} == {"out_of_date"}
    with database.transaction() as session:
        result = generate(session, tmp_path / "out", council=corrected)
    assert len(result.written) == 5 and result.superseded == 5
    assert all(outcome.reworded for outcome in result.written)
    person_letter = next(o for o in result.written if o.kind == "person")
    assert NEW_CRISIS_LINE in Path(person_letter.path or "").read_text(encoding="utf-8")
    with database.session() as session:
        assert out_of_date_letters(session, council=corrected) == []
        assert {need.status for need in letters_needed(session, default_format="md",
                                                       council=corrected)} == {"written"}


def test_a_copy_in_another_format_with_the_old_details_is_superseded_too(
    database: Database, tmp_path: Path
) -> None:
    people_with_letters(database, tmp_path / "out")
    corrected = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE})
    with database.transaction() as session:
        result = generate(session, tmp_path / "out", council=corrected, fmt="html")
    assert len(result.written) == 5 and result.superseded == 5
    with database.session() as session:
        assert out_of_date_letters(session, council=corrected) == []


@pytest.fixture
def letters_written_before_details_were_kept(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, int]:
    """Letters written by a version that kept no council details with them."""
    with monkeypatch.context() as patched:
        patched.setattr("transition.letters.council_after", lambda council, printed: {})
        return people_with_letters(database, tmp_path / "out")


def test_a_letter_written_before_its_details_were_kept_is_checked_by_rendering_it_again(
    database: Database, tmp_path: Path, letters_written_before_details_were_kept: tuple[int, int]
) -> None:
    corrected = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE})
    with database.session() as session:
        assert letter_council.recorded_details(
            session, session.scalars(select(Letter)).all()) == {}
        stale = out_of_date_letters(session, council=corrected, templates=LetterTemplates())
        same = out_of_date_letters(session, council=TEST_COUNCIL, templates=LetterTemplates())
    assert len(stale) == 5 and same == []
    assert {letter.reason for letter in stale} == {letter_council.UNKNOWN_DETAILS_CHANGED}


def test_a_run_that_finds_such_a_letter_unchanged_records_the_details_it_prints(
    database: Database, tmp_path: Path, letters_written_before_details_were_kept: tuple[int, int]
) -> None:
    with database.transaction() as session:
        result = generate(session, tmp_path / "out")
    assert len(result.unchanged) == 5 and not result.written
    corrected = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE})
    with database.session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == letter_council.COUNCIL_AUDIT_ACTION)).all()
        # Named now, without rendering anything again.
        stale = out_of_date_letters(session, council=corrected)
    assert len(events) == 5
    assert "crisis_line" in events[0].after["council"]
    assert {letter.reason for letter in stale} == {CRISIS_LINE_CHANGED}
    with database.transaction() as session:
        assert not generate(session, tmp_path / "out").written
    with database.session() as session:  # recorded once, not on every run
        assert len(session.scalars(select(AuditEvent).where(
            AuditEvent.action == letter_council.COUNCIL_AUDIT_ACTION)).all()) == 5
