"""Letters and a worker the staff list says has left or is leaving.

A letter never names a worker who has left (by the letter's day), who leaves on or before the
change date, or whom the latest staff list no longer names, as the person's worker: it is
refused with a reason (re-plan first), and one written before is out of date in the nightly
check. A letter whose outgoing worker leaves before the change date says when they stopped,
not that they stop on the day of the change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import update

from tests.check_world import RULES, of
from tests.letter_setup import TRANSFER, flat, handover_person, with_transfer_date
from transition.checks import collect_findings
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import (
    generate_letters,
    letter_history,
    letters_needed,
    preview_letter,
)
from transition.models import Staff

COUNCIL = CouncilDetails()
PASSED = date(2027, 1, 4)  # the person's own handover date, already gone by
LEFT = date(2027, 3, 12)
MARCH_15 = date(2027, 3, 15)


def _leaves(database: Database, staff_id: str, day: date | None) -> None:
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == staff_id).values(leaving_date=day))


def test_a_letter_naming_a_new_worker_who_has_left_is_refused(
    database: Database,
    tmp_path: Path,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, handover_date=PASSED)
        person_id = person.id
        assert person_id is not None
    _leaves(database, "SW1", LEFT)
    with database.transaction() as session:
        preview = preview_letter(session, person_id, "person", council=COUNCIL, as_of=MARCH_15)
        assert preview.text is None
        assert preview.skip_reason is not None
        assert "the worker named has left" in preview.skip_reason
        assert "left on 12 March 2027" in preview.skip_reason
        assert "transition check --apply" in preview.skip_reason
        result = generate_letters(
            session,
            council=COUNCIL,
            out_dir=tmp_path,
            as_of=MARCH_15,
            actor="tester",
            fmt="md",
            person_ids=[person_id],
        )
        assert {outcome.status for outcome in result.outcomes} == {"skipped"}
        assert all(
            "the worker named has left" in (outcome.reason or "") for outcome in result.outcomes
        )
        needs = letters_needed(session, person_ids=[person_id], as_of=MARCH_15)
        assert {need.status for need in needs} == {"skipped"}
    assert not list(tmp_path.rglob("*.md"))


def test_a_new_worker_leaving_by_the_change_date_is_refused_and_one_leaving_later_is_not(
    database: Database,
) -> None:
    today = date(2027, 1, 15)
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)  # moves on the transfer date, 1 April 2027
        person_id = person.id
        assert person_id is not None
    _leaves(database, "SW1", TRANSFER)
    with database.session() as session:
        refused = preview_letter(session, person_id, "gp", council=COUNCIL, as_of=today)
    assert refused.skip_reason is not None and "leaves on 1 April 2027" in refused.skip_reason
    _leaves(database, "SW1", date(2027, 6, 30))  # after everything the letter speaks of
    with database.session() as session:
        written = preview_letter(session, person_id, "person", council=COUNCIL, as_of=today)
    assert written.skip_reason is None and written.text is not None
    assert "From 1 April 2027" in flat(written.text)


def test_the_check_says_a_letter_written_before_the_worker_left_must_not_be_posted(
    database: Database,
    tmp_path: Path,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, handover_date=PASSED)
        generate_letters(
            session,
            council=COUNCIL,
            out_dir=tmp_path,
            as_of=date(2026, 12, 1),
            actor="tester",
            fmt="md",
            person_ids=[person.id],
        )
    with database.session() as session:
        before = collect_findings(session, RULES, as_of=date(2026, 12, 2))
    assert not [
        finding
        for finding in of(before, "letter_out_of_date")
        if finding.nhs_number == person.nhs_number
    ]
    _leaves(database, "SW1", LEFT)
    with database.session() as session:
        after = collect_findings(session, RULES, as_of=MARCH_15)
    stale = [
        finding
        for finding in of(after, "letter_out_of_date")
        if finding.nhs_number == person.nhs_number
    ]
    assert {finding.message.split(" letter ")[0] for finding in stale} == {"The person", "The gp"}
    for finding in stale:
        assert "the worker named has left" in finding.message
        assert "Do not post it" in finding.message
        assert "Write it again" not in finding.message
    with database.session() as session:
        history = letter_history(session, person.id, as_of=MARCH_15)
    assert {(record.kind, record.status) for record in history} == {
        ("person", "out_of_date"),
        ("gp", "out_of_date"),
    }
    assert all("should not stand" in (record.reason or "") for record in history)


def test_an_outgoing_worker_who_leaves_before_the_change_is_said_to_have_stopped(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session)  # from OLD1 (Pat Oldworker) on 1 April 2027
        person_id = person.id
        assert person_id is not None
    _leaves(database, "OLD1", LEFT)
    with database.session() as session:
        text = flat(
            preview_letter(session, person_id, "person", council=COUNCIL, as_of=MARCH_15).text or ""
        )
        gp = flat(
            preview_letter(session, person_id, "gp", council=COUNCIL, as_of=MARCH_15).text or ""
        )
        earlier = flat(
            preview_letter(
                session, person_id, "person", council=COUNCIL, as_of=date(2027, 3, 1)
            ).text
            or ""
        )
    assert "Pat Oldworker stopped being your worker on 12 March 2027" in text
    assert "will stop being your worker on that day" not in text
    assert "Pat Oldworker stops being your worker on 12 March 2027" in earlier
    assert "(their allocation ended on 12 March 2027)" in gp
    # Leaving on the day of the change (or after it): they stop on that day, as before.
    _leaves(database, "OLD1", TRANSFER)
    with database.session() as session:
        same_day = flat(
            preview_letter(session, person_id, "person", council=COUNCIL, as_of=MARCH_15).text or ""
        )
    assert "Pat Oldworker will stop being your worker on that day" in same_day
