"""A Community Treatment Order with section 117 aftercare recorded as no: a CTO is made only
after a detention that brings s117 aftercare, so the record is wrong one way or the other.
The import warns about the row, the nightly check reports the person (``cto_without_s117``),
their letters are held back (and any written before are out of date), and their record says
so."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from tests.check_world import caseload_import, check, of, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.importing import person_row, write_csv
from tests.letter_setup import TEST_COUNCIL, handover_person, with_transfer_date
from transition.checks import CODES
from transition.db import Database
from transition.importer import ImportOptions, import_file
from transition.letter_plan import letters_needed, plan_letters
from transition.letter_records import out_of_date_letters
from transition.letters import generate_letters
from transition.models import ImportWarning, Person
from transition.people import find_person, person_detail
from transition.widgets.person_record import s117_text


def test_the_import_warns_about_a_row_on_a_cto_with_s117_no(
    database: Database, tmp_path: Path
) -> None:
    rows = [
        person_row(0, cto="Y", s117="N"),  # the contradiction
        person_row(1, cto="Y", s117="Y"),
        person_row(2, cto="N", s117="N"),
        person_row(3, cto="Y", s117=""),  # s117 not stated: nothing to contradict
        person_row(4, cto="", s117="N", cto_start="01/09/2026",
                   cto_expiry="01/03/2027"),  # a CTO worked out from its dates
    ]
    path = write_csv(tmp_path / "caseload.csv", rows)
    with database.transaction() as session:
        result = import_file(session, path, "caseload", ImportOptions(), actor=ACTOR,
                             today=TODAY)
    warned = [(warning.row, warning.column) for warning in result.warning_list]
    assert warned == [(2, "cto"), (6, "cto")]  # rows count the header as row 1
    message = result.warning_list[0].message
    for said in ("cto: yes", "s117: no", "Ask the trust", "held back", "cto_without_s117"):
        assert said in message, said
    # Kept with the person, so their record shows it.
    with database.session() as session:
        stored = find_person(session, rows[0]["nhs_number"])
        assert stored is not None
        detail = person_detail(session, stored, as_of=TODAY)
        assert [(w["row"], w["column"]) for w in detail["warnings"]] == [(2, "cto")]
        assert session.query(ImportWarning).count() == 2


def test_the_check_reports_a_cto_with_s117_no_as_critical(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        wrong = person(session, cto=True, s117=False)
        person(session, cto=True, s117=True)
        person(session, cto=True, s117=None)
        person(session, cto=False, s117=False)
        gone = person(session, cto=True, s117=False)
        gone.missing_since_batch_id = caseload_import(session, TODAY).id
        session.add(gone)
    [finding] = of(check(database), "cto_without_s117")
    assert finding.nhs_number == wrong.nhs_number and finding.severity == "critical"
    for said in ("section 117 aftercare is recorded as no",
                 "may state their legal status wrongly: do not post it", "held back",
                 "ask the trust"):
        assert said in finding.message, said
    assert "cto_without_s117" in CODES
    assert list(CODES).index("cto_without_s117") < list(CODES).index("cto_expiring")


def test_letters_are_held_back_and_one_written_before_is_out_of_date(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        held = handover_person(session, pathway="joint", cto=True, s117=False)
        fine = handover_person(session, pathway="joint", cto=True, s117=True)
        assert held.id is not None and fine.id is not None
        held_id, fine_id = held.id, fine.id
        planned = {(item.person_id, item.kind): item
                   for item in plan_letters(session, person_ids=[held_id, fine_id])}
        needs = {(need.person_id, need.kind): need
                 for need in letters_needed(session, person_ids=[held_id, fine_id])}
    for kind in ("person", "gp"):
        reason = planned[(held_id, kind)].skip_reason
        assert reason is not None and reason.startswith("held back: ")
        assert "community treatment order" in reason and "s117: no" in reason
        assert not planned[(held_id, kind)].settled  # someone must act: exit status 1
        assert needs[(held_id, kind)].status == "skipped"
        assert planned[(fine_id, kind)].skip_reason is None

    # Written while the record said s117 yes; then an export says no: do not post it.
    with database.transaction() as session:
        generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path / "letters",
                         as_of=TODAY, actor=ACTOR, person_ids=[fine_id])
        changed = session.get(Person, fine_id)
        assert changed is not None
        changed.s117 = False
        session.add(changed)
    with database.session() as session:
        stale = out_of_date_letters(session, [fine_id], as_of=TODAY)
    assert {letter.kind for letter in stale} == {"person", "gp"}
    assert all(letter.reason.startswith("should not stand: the trust's record says")
               for letter in stale)
    found = [f for f in of(check(database), "letter_out_of_date") if f.person_id == fine_id]
    assert found and all(f.message.endswith("Do not post it.") for f in found)


def test_the_person_record_says_the_s117_no_is_wrong_for_someone_on_a_cto() -> None:
    def shown(s117: bool | None, cto: bool | None) -> str:
        console = Console(width=300)
        with console.capture() as captured:
            console.print(s117_text(s117, cto))
        return captured.get().strip()

    assert shown(False, True).startswith("No, but on a CTO")
    assert "one of the two is wrong, ask the trust" in shown(False, True)
    assert "Letters are held back" in shown(False, True)
    assert shown(False, False) == "No"
    assert shown(True, True) == "Yes"
    assert "CTO" not in shown(None, True)
