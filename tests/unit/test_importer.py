"""The import itself, on every database: upsert, audit, missing records, duplicates, rejects."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, nhs_number
from tests.importing import DATA, csv_bytes, person_row, staff_row, write_csv
from transition import audit, validation
from transition.db import Database
from transition.errors import InputFileError
from transition.importer import ImportOptions, ImportResult, import_file
from transition.models import (
    AuditEvent,
    ImportBatch,
    ImportWarning,
    Locality,
    Person,
    RejectedRow,
    Staff,
    Team,
)
from transition.people import find_person
from transition.ruleset import load_rules


def run(database: Database, path: Path, kind: str = "caseload", today: date = TODAY,
        **options: Any) -> ImportResult:
    with database.transaction() as session:
        return import_file(session, path, kind, ImportOptions(**options), actor=ACTOR, today=today)


def counts(result: ImportResult) -> tuple[int, ...]:
    return (result.inserted, result.updated, result.unchanged, result.rejected, result.duplicates)


def assert_every_row_counted(result: ImportResult) -> None:
    assert result.rows == sum(counts(result))


def count(database: Database, model: Any) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def person(database: Database, i: int) -> Person:
    with database.session() as session:
        found = find_person(session, nhs_number(i))
        assert found is not None
        return found


def caseload(tmp_path: Path, rows: list[dict[str, Any]], name: str = "caseload.csv",
             **options: Any) -> Path:
    return write_csv(tmp_path / name, rows, **options)


# ---------------------------------------------------------------------------------------------
# First import and re-import
# ---------------------------------------------------------------------------------------------


def test_first_import_inserts_everyone_with_teams_and_audit(database: Database, tmp_path: Path) -> None:
    rows = [person_row(i) for i in range(5)] + [person_row(5, team="South CMHT", locality="South")]
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (6, 0, 0, 0, 0)
    assert (result.status, result.exit_code, result.missing_from_file) == ("complete", 0, 0)
    assert_every_row_counted(result)
    stored = person(database, 0)
    assert stored.date_of_birth == date(1980, 4, 3)
    assert stored.gender == "female" and stored.cpa is True and stored.s117 is False
    assert stored.care_act_outcomes == ["nutrition", "hygiene"] and stored.cluster == 11
    assert stored.first_batch_id == stored.last_batch_id == result.batch_id
    assert stored.source_row == 2
    with database.session() as session:
        assert set(session.scalars(select(Team.name))) == {"North CMHT", "South CMHT"}
        assert session.get(Team, "South CMHT").locality == "South"  # type: ignore[union-attr]
        assert set(session.scalars(select(Locality.name))) == {"North", "South"}
        inserts = audit.events(session, actions=["person.insert"])
        batch = session.get(ImportBatch, result.batch_id)
    assert len(inserts) == 6 and {e.person_id for e in inserts} >= {stored.id}
    assert batch is not None and batch.status == "complete" and batch.inserted == 6
    assert batch.header_map and batch.header_map["nhs_number"] == "nhs_number"


def test_reimporting_the_same_file_changes_nothing(database: Database, tmp_path: Path) -> None:
    path = caseload(tmp_path, [person_row(i) for i in range(4)])
    run(database, path)
    events_before = count(database, AuditEvent)
    again = run(database, path)
    assert counts(again) == (0, 0, 4, 0, 0)
    assert count(database, Person) == 4
    # Only the batch itself is audited the second time.
    assert count(database, AuditEvent) == events_before + 1
    assert person(database, 0).last_batch_id == again.batch_id
    assert person(database, 0).version == 1


def test_a_changed_field_is_an_audited_update(database: Database, tmp_path: Path) -> None:
    run(database, caseload(tmp_path, [person_row(i) for i in range(3)]))
    before = person(database, 1)
    changed = [person_row(0), person_row(1, team="South CMHT", locality="South", s117="Y"),
               person_row(2)]
    result = run(database, caseload(tmp_path, changed, "second.csv"))
    assert counts(result) == (0, 1, 2, 0, 0)
    after = person(database, 1)
    assert (after.team, after.s117, after.version) == ("South CMHT", True, before.version + 1)
    with database.session() as session:
        updates = audit.events(session, person_id=after.id, actions=["person.update"])
    changes = {event.field: (event.before, event.after) for event in updates}
    assert changes == {"team": ("North CMHT", "South CMHT"), "locality": ("North", "South"),
                       "s117": (False, True)}
    assert all(event.batch_id == result.batch_id and event.actor == ACTOR for event in updates)
    assert updates[0].reason == "second.csv row 3"


def test_missing_people_are_flagged_never_deleted_and_unflagged_when_back(
    database: Database, tmp_path: Path
) -> None:
    everyone = [person_row(i) for i in range(4)]
    first = run(database, caseload(tmp_path, everyone))
    second = run(database, caseload(tmp_path, everyone[:2], "fewer.csv"))
    assert second.missing_from_file == 2 and second.newly_missing == 2
    assert count(database, Person) == 4
    assert person(database, 3).missing_since_batch_id == second.batch_id
    assert person(database, 3).last_batch_id == first.batch_id
    assert not any("lists fewer people" in notice for notice in second.notices)  # 2 in, 2 out
    third = run(database, caseload(tmp_path, everyone[:1], "part.csv"))
    assert third.newly_missing == 1  # still flagged (a plain file), with a word of caution
    assert any("This file lists fewer people (1) than it leaves out" in notice
               for notice in third.notices)
    third = run(database, caseload(tmp_path, everyone[:2], "fewer-again.csv"))
    assert (third.missing_from_file, third.newly_missing) == (2, 0)
    assert person(database, 3).missing_since_batch_id == second.batch_id  # since, not latest
    back = run(database, caseload(tmp_path, everyone, "all.csv"))
    assert (back.missing_from_file, back.returned, back.unchanged) == (0, 2, 4)
    assert person(database, 3).missing_since_batch_id is None
    with database.session() as session:
        actions = [e.action for e in audit.events(session, person_id=person(database, 3).id)]
    assert actions.count("person.missing") == 1 and actions.count("person.returned") == 1


def test_a_column_left_out_of_a_later_export_keeps_its_values(database: Database, tmp_path: Path) -> None:
    run(database, caseload(tmp_path, [person_row(i, carer="Y", carer_name="Ash Lee") for i in range(2)]))
    slim = [{k: v for k, v in person_row(i).items() if not k.startswith("carer")} for i in range(2)]
    result = run(database, caseload(tmp_path, slim, "slim.csv"))
    assert counts(result) == (0, 0, 2, 0, 0)
    assert person(database, 0).carer_name == "Ash Lee"


def test_unknown_columns_are_kept_as_extra_and_merged(database: Database, tmp_path: Path) -> None:
    rows = [dict(person_row(0), Religion="A", Notes="=HYPERLINK(\"x\")")]
    run(database, caseload(tmp_path, rows))
    assert person(database, 0).extra == {"Religion": "A", "Notes": "=HYPERLINK(\"x\")"}
    result = run(database, caseload(tmp_path, [dict(person_row(0), Religion="B")], "b.csv"))
    assert result.updated == 1
    assert person(database, 0).extra == {"Religion": "B", "Notes": "=HYPERLINK(\"x\")"}


def test_a_person_made_elsewhere_is_matched_by_nhs_number(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(0), given_name="Robin0", family_name="Old")
    result = run(database, caseload(tmp_path, [person_row(0)]))
    assert counts(result) == (0, 1, 0, 0, 0)
    assert person(database, 0).family_name == "Ashdown"


# ---------------------------------------------------------------------------------------------
# Rejects, warnings and duplicates
# ---------------------------------------------------------------------------------------------

REJECTIONS = [
    ({"nhs_number": ""}, "nhs_number", "NHS number is missing"),
    ({"nhs_number": "9990000019"}, "nhs_number", "Modulus 11"),
    ({"nhs_number": "99900000"}, "nhs_number", "must have 10 digits"),
    ({"nhs_number": "0000000000"}, "nhs_number", "one digit repeated"),  # passes Modulus 11
    ({"nhs_number": "999000001X"}, "nhs_number", "only digits"),
    ({"nhs_number": "999000001²"}, "nhs_number", "only digits"),  # a digit to str, not to int
    ({"nhs_number": "９９９０００００１８"}, "nhs_number", "only digits"),  # full-width digits
    ({"given_name": ""}, "given_name", "given name is missing"),
    ({"family_name": "  "}, "family_name", "family name is missing"),
    ({"date_of_birth": ""}, "date_of_birth", "date of birth is missing"),
    ({"date_of_birth": "31/02/1980"}, "date_of_birth", "not a real date"),
    ({"date_of_birth": "01/06/2027"}, "date_of_birth", "in the future"),
    ({"date_of_birth": "soon"}, "date_of_birth", "not a date"),
    ({"last_contact": "32/01/2026"}, "last_contact", "not a real date"),
    ({"admissions_12m": "-2"}, "admissions_12m", "negative"),
    ({"missed_appointments_6m": "a few"}, "missed_appointments_6m", "not a number"),
    ({"postcode": "WX1 2AB WX1 2AB"}, "postcode", "longer than 10 characters"),
    ({"s117": "Maybe"}, "s117", "not yes or no"),  # a legal status: never guessed
    ({"cto": "unsure"}, "cto", "not yes or no"),
]


def test_every_rejection_reason(database: Database, tmp_path: Path) -> None:
    # One file holding one bad row per reason, each between good rows: rows 2, 4, 6, ... are
    # good, rows 3, 5, 7, ... bad.
    rows = []
    for number, (fields, _column, _message) in enumerate(REJECTIONS):
        rows += [person_row(100 + number), person_row(200 + number, **fields)]
    result = run(database, caseload(tmp_path, rows), rejects_dir=tmp_path / "rejects")
    assert counts(result) == (len(REJECTIONS), 0, 0, len(REJECTIONS), 0)
    assert (result.status, result.exit_code) == ("partial", 1)
    assert [reject.row for reject in result.rejects] == [3 + 2 * n for n in range(len(REJECTIONS))]
    with database.session() as session:
        stored = {row.row_number: row for row in session.scalars(select(RejectedRow))}
    for reject, (fields, column, message) in zip(result.rejects, REJECTIONS, strict=True):
        assert any(col == column and message in text for col, text in reject.errors), (
            fields, reject.errors)
        kept = stored[reject.row]
        assert kept.raw is not None and kept.errors is not None
        assert kept.raw["nhs_number"] == rows[reject.row - 2]["nhs_number"]
        assert {"column": column, "message": reject.errors[0][1]} in kept.errors


def test_warnings_import_the_row_and_are_kept(database: Database, tmp_path: Path) -> None:
    run(database, write_csv(tmp_path / "staff.csv", [staff_row(1)]), "staff")
    rows = [
        person_row(0, care_coordinator_id="S999"),  # not in the staff list
        person_row(1, accessible_format="carrier pigeon", gender="Q", cluster="99"),
        person_row(2, lives_alone="maybe", care_act_outcomes="nutrition;flying"),
        person_row(3, care_coordinator_id="Unallocated", interpreter_language="N/A"),
    ]
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (4, 0, 0, 0, 0) and result.status == "complete"
    columns = sorted(w.column for w in result.warning_list)
    assert columns == ["accessible_format", "care_act_outcomes", "care_coordinator_id",
                       "cluster", "gender", "lives_alone"]
    assert result.warnings == 6 == count(database, ImportWarning)
    assert person(database, 2).lives_alone is None
    assert person(database, 2).care_act_outcomes == ["nutrition", "flying"]  # not counted
    assert person(database, 3).care_coordinator_id is None
    with database.session() as session:
        stored = session.scalars(select(ImportWarning).where(
            ImportWarning.person_id == person(database, 0).id)).one()
    assert stored.row_number == 2 and "'S999' is not in the staff list" in stored.message
    assert not result.notices


def test_outcomes_of_only_separators_are_left_not_assessed_with_a_warning(
    database: Database, tmp_path: Path
) -> None:
    # ';' was stored as [] ("assessed, none unmet") with no warning, and the person signposted;
    # '-' already gave [''] with a warning. 'NONE;' is none: the stray separator is ignored.
    given = [";", " ;; ", "NONE;", "-", "nutrition;hygiene;"]
    result, stored = import_one_column(database, tmp_path, "care_act_outcomes",
                                       "Care Act Outcomes", given)
    assert stored == [None, None, [], [""], ["nutrition", "hygiene"]]
    warned = [(w.row, w.column) for w in result.warning_list]
    assert warned == [(2, "care_act_outcomes"), (3, "care_act_outcomes"), (5, "care_act_outcomes")]
    assert "no outcome" in result.warning_list[0].message
    with database.session() as session:
        kept = session.execute(
            select(ImportWarning.row_number, ImportWarning.column, ImportWarning.message,
                   ImportBatch.file_name)
            .join(ImportBatch, ImportBatch.id == ImportWarning.batch_id)
            .order_by(ImportWarning.row_number)).all()
    assert [(row, column, file) for row, column, _message, file in kept] == [
        (2, "care_act_outcomes", "caseload.csv"), (3, "care_act_outcomes", "caseload.csv"),
        (5, "care_act_outcomes", "caseload.csv")]
    assert kept[0].message.startswith("';' ") and "'assess'" in kept[0].message


def import_one_column(database: Database, tmp_path: Path, column: str, header: str,
                      given: list[str]) -> tuple[ImportResult, list[Any]]:
    """Import one person per value of ``column``, under the export's ``header``; the result
    and the values stored, in order."""
    rows = [person_row(i, **{column: value}) for i, value in enumerate(given)]
    result = run(database, caseload(tmp_path, rows,
                                    header=[header if key == column else key for key in rows[0]]))
    assert counts(result) == (len(given), 0, 0, 0, 0)
    return result, [getattr(person(database, i), column) for i in range(len(given))]


def test_the_mhsds_preferred_language_code_is_stored_as_the_languages_name(
    database: Database, tmp_path: Path
) -> None:
    """LanguageCodePreferred: ISO 639-1 codes and the Data Dictionary's q-codes become names;
    a name is kept; "not known" is blank; "no" is Norwegian, not "none"; a code that is no
    language is kept with a warning naming the row and column."""
    result, stored = import_one_column(
        database, tmp_path, "preferred_language", "LanguageCodePreferred",
        ["PL", "no", "zz", "qq", "Sylheti", "q4", "Not known", "bn"])
    assert stored == ["polish", "norwegian", None, "qq", "sylheti", "british sign language",
                      None, "bengali"]
    [warning] = result.warning_list
    assert (warning.column, warning.row) == ("preferred_language", 5)
    assert warning.message.startswith("not an ISO 639-1 language code")  # shown: no value
    with database.session() as session:
        kept = session.scalars(select(ImportWarning.message)).one()
    assert "'qq' is not an ISO 639-1 language code" in kept  # the person's own: with it


def test_the_mhsds_ethnic_category_is_stored_as_its_code(
    database: Database, tmp_path: Path
) -> None:
    """EthnicCategory: the code (any case) or the category's name; Z is not stated (kept); 99
    is not known (blank); a code the Data Dictionary does not have is a warning, left blank."""
    result, stored = import_one_column(
        database, tmp_path, "ethnic_category", "EthnicCategory",
        ["A", "h", "White - Irish", "Pakistani", "Z", "99", "I", "Any other mixed"])
    assert stored == ["A", "H", "B", "J", "Z", None, None, None]
    warned = sorted((warning.row, warning.column) for warning in result.warning_list)
    assert warned == [(8, "ethnic_category"), (9, "ethnic_category")]


def test_the_mhsds_employment_status_is_stored_as_its_code(
    database: Database, tmp_path: Path
) -> None:
    """EmployStatus: codes with or without the leading zero and the words read as the code; ZZ
    (not stated) and UU (not known) are blank; anything else is a warning, left blank."""
    result, stored = import_one_column(
        database, tmp_path, "employment_status", "EmployStatus",
        ["02", "2", "Unemployed", "Retired", "ZZ", "UU", "99", "01"])
    assert stored == ["02", "02", "02", "08", None, None, None, "01"]
    [warning] = result.warning_list
    assert (warning.column, warning.row) == ("employment_status", 8)
    assert warning.message.startswith("not one of 01, 02")


def test_without_a_staff_list_coordinators_are_not_checked_and_it_says_so_once(
    database: Database, tmp_path: Path
) -> None:
    result = run(database, caseload(tmp_path, [person_row(i, care_coordinator_id=f"X{i}")
                                                for i in range(30)]))
    assert result.warnings == 0
    assert len(result.notices) == 1 and "No staff list has been imported yet" in result.notices[0]


def test_conflicting_duplicates_are_all_rejected_and_exact_repeats_imported_once(
    database: Database, tmp_path: Path
) -> None:
    rows = [
        person_row(0),                        # row 2
        person_row(1),                        # row 3
        person_row(1, given_name="Robyn"),    # row 4: same NHS number, different details
        person_row(0),                        # row 5: exact repeat of row 2
        person_row(2),                        # row 6
        person_row(1),                        # row 7: repeat of row 3 (itself in conflict)
    ]
    result = run(database, caseload(tmp_path, rows))
    # Row 7 is rejected with rows 3 and 4, not counted as "imported once": nothing was.
    assert counts(result) == (2, 0, 0, 3, 1)
    assert_every_row_counted(result)
    assert {reject.row: reject.errors[0][1] for reject in result.rejects} == {
        3: "the same NHS number is also on row 4 with different details (differs in: "
           "given_name; row 7 is the same as this one); keep one correct row",
        4: "the same NHS number is also on rows 3, 7 with different details (differs in: "
           "given_name); keep one correct row",
        7: "the same NHS number is also on row 4 with different details (differs in: "
           "given_name; row 3 is the same as this one); keep one correct row",
    }
    assert result.repeats == [(5, 2)]
    with database.session() as session:
        assert find_person(session, nhs_number(1)) is None


def test_repeated_rows_are_compared_on_their_values_not_how_they_are_written(
    database: Database, tmp_path: Path
) -> None:
    spaced = nhs_number(0)[:3] + " " + nhs_number(0)[3:6] + " " + nhs_number(0)[6:]
    rows = [person_row(0), person_row(0, nhs_number=spaced, date_of_birth="1980-04-03",
                                       s117="No", team="north  cmht")]
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (1, 0, 0, 0, 1) and result.repeats == [(3, 2)]
    # A real difference (even one only a warning shows) still rejects both.
    rows = [person_row(1), person_row(1, lives_alone="maybe")]
    again = run(database, caseload(tmp_path, rows, "differ.csv"))
    assert counts(again) == (0, 0, 0, 2, 0)


@pytest.mark.parametrize(("column", "cell", "version", "read_then", "read_now"), [
    # Before HASH_VERSION 2, 1980/04/03 was read as 4 March.
    ("date_of_birth", "1980/04/03", 1, date(1980, 3, 4), date(1980, 4, 3)),
    # Before HASH_VERSION 3, ';' was stored as [] ("assessed, none unmet": signposted).
    ("care_act_outcomes", ";", 2, [], None),
])
def test_a_value_an_earlier_version_read_wrongly_is_put_right_by_importing_again(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    column: str, cell: str, version: int, read_then: Any, read_now: Any,
) -> None:
    # The row's hash is of its cells, so without a new version the same file again would
    # leave the stored value alone.
    path = caseload(tmp_path, [person_row(0, **{column: cell})])
    with monkeypatch.context() as patch:
        patch.setattr(validation, "HASH_VERSION", version)
        run(database, path)
    with database.transaction() as session:
        stored = find_person(session, nhs_number(0))
        assert stored is not None
        setattr(stored, column, read_then)  # as the old reading stored it
    again = run(database, path)
    assert again.updated == 1 and getattr(person(database, 0), column) == read_now


def test_the_repeat_of_a_rejected_row_is_rejected_too(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0, date_of_birth="31/02/1980"), person_row(0, date_of_birth="31/02/1980")]
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (0, 0, 0, 2, 0) and result.repeats == []
    assert result.status == "rejected"


def test_a_bad_row_sharing_a_number_with_a_good_one_rejects_both(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0), person_row(0, date_of_birth="31/02/1980")]
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (0, 0, 0, 2, 0)
    assert (result.status, result.exit_code) == ("rejected", 2)


def test_a_rejected_person_already_on_the_database_is_not_flagged_missing(
    database: Database, tmp_path: Path
) -> None:
    run(database, caseload(tmp_path, [person_row(0), person_row(1)]))
    result = run(database, caseload(tmp_path, [person_row(0), person_row(1, date_of_birth="x")],
                                    "bad.csv"))
    assert (result.rejected, result.missing_from_file) == (1, 0)
    assert person(database, 1).missing_since_batch_id is None
    assert person(database, 1).date_of_birth == date(1980, 4, 3)


def test_every_row_is_counted_exactly_once(database: Database, tmp_path: Path) -> None:
    import random

    for seed in range(6):
        rng = random.Random(seed)
        rows: list[dict[str, Any]] = []
        for _ in range(40):
            i = rng.randrange(15)
            choice = rng.random()
            if choice < 0.15:
                rows.append(person_row(i, date_of_birth="30/02/1990"))
            elif choice < 0.3:
                rows.append(person_row(i, team=rng.choice(["North CMHT", "East CMHT"])))
            elif choice < 0.4 and rows:
                rows.append(dict(rng.choice(rows)))
            else:
                rows.append(person_row(i))
        result = run(database, caseload(tmp_path, rows, f"run{seed}.csv"))
        assert result.rows == 40
        assert_every_row_counted(result)
        with database.session() as session:
            batch = session.get(ImportBatch, result.batch_id)
        assert batch is not None
        assert batch.rows == (batch.inserted + batch.updated + batch.unchanged + batch.rejected
                              + batch.duplicates)


# ---------------------------------------------------------------------------------------------
# --strict, the rejects file, unusable files
# ---------------------------------------------------------------------------------------------


def test_strict_imports_nothing_but_records_the_rejects(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0), person_row(1, nhs_number="123"), person_row(2)]
    result = run(database, caseload(tmp_path, rows), strict=True, rejects_dir=tmp_path / "r")
    assert (result.status, result.exit_code) == ("refused", 2)
    assert counts(result) == (2, 0, 0, 1, 0)  # what the import would have done
    assert count(database, Person) == 0 and count(database, Team) == 0
    assert count(database, RejectedRow) == 1
    assert result.rejects_path is not None and result.rejects_path.exists()
    with database.session() as session:
        assert session.scalars(select(ImportBatch.status)).one() == "refused"
    clean = run(database, caseload(tmp_path, [person_row(0)], "clean.csv"), strict=True)
    assert (clean.status, clean.inserted) == ("complete", 1)


def test_rejects_file_is_private_neutralised_and_imports_again(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0), person_row(1, date_of_birth="31/02/1980", address="=cmd|' /C calc'!A0",
                                       carer_name="+44 7700 900000")]
    result = run(database, caseload(tmp_path, rows), rejects_dir=tmp_path / "out" / "rejects")
    path = result.rejects_path
    assert path is not None and path.name == f"caseload-rejects-batch{result.batch_id}.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8-sig")
    [header, line] = list(csv.reader(io.StringIO(text)))
    assert header[-2:] == ["Rejected row", "Why rejected"]
    record = dict(zip(header, line, strict=True))
    assert record["address"] == "'=cmd|' /C calc'!A0"
    assert record["carer_name"] == "'+44 7700 900000"
    assert record["Rejected row"] == "3"
    assert "date_of_birth: '31/02/1980' is not a real date" in record["Why rejected"]
    # Fix the date in the rejects file and import it: the extra columns are ignored.
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text.replace("31/02/1980", "28/02/1980"), encoding="utf-8-sig")
    again = run(database, fixed)
    assert counts(again) == (1, 0, 0, 0, 0)
    # It tops the caseload up: person 0, not in it, is not missing from the trust's export.
    assert (again.missing_from_file, again.newly_missing) == (0, 0)
    assert person(database, 0).missing_since_batch_id is None
    assert person(database, 0).last_batch_id == result.batch_id  # still the export listing them
    assert any("This is a rejects file" in notice for notice in again.notices)
    back = person(database, 1)
    assert back.date_of_birth == date(1980, 2, 28) and back.address == "=cmd|' /C calc'!A0"
    assert back.extra is None


def test_extra_columns_come_back_from_a_rejects_file_as_they_were(database: Database,
                                                                  tmp_path: Path) -> None:
    rows = [person_row(0, date_of_birth="31/02/1980") | {"notes": "-2 doses missed",
                                                         "plan": "=see GP", "other": "'quoted"}]
    result = run(database, caseload(tmp_path, rows), rejects_dir=tmp_path / "rejects")
    assert result.rejects_path is not None
    text = result.rejects_path.read_text(encoding="utf-8-sig")
    assert "'-2 doses missed" in text  # neutralised for Excel
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text.replace("31/02/1980", "28/02/1980"), encoding="utf-8-sig")
    assert run(database, fixed).inserted == 1
    assert person(database, 0).extra == {"notes": "-2 doses missed", "plan": "=see GP",
                                         "other": "'quoted"}


def test_an_explicit_rejects_path(database: Database, tmp_path: Path) -> None:
    target = tmp_path / "mine" / "bad-rows.csv"
    result = run(database, caseload(tmp_path, [person_row(0, nhs_number="1")]), rejects_path=target)
    assert result.rejects_path == target and target.exists()


def test_no_rejects_file_is_left_when_the_transaction_fails(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "rejects"
    path = caseload(tmp_path, [person_row(0), person_row(1, nhs_number="1")])
    with pytest.raises(RuntimeError), database.transaction() as session:
        result = import_file(session, path, "caseload", ImportOptions(rejects_dir=folder),
                             actor=ACTOR, today=TODAY)
        assert result.rejects_path is not None
        raise RuntimeError("the caller failed after the import")
    assert list(folder.iterdir()) == []
    assert count(database, ImportBatch) == 0 and count(database, Person) == 0


def test_an_unusable_file_writes_nothing(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    for content in (b"", b"\x00\x01\x02\x03" * 100, b"nhs_number,given_name\r\n9990000018,Robin\r\n",
                    b"PK\x03\x04not a zip"):
        path.write_bytes(content)
        with pytest.raises(InputFileError):
            run(database, path, rejects_dir=tmp_path / "rejects")
    assert count(database, ImportBatch) == 0 and count(database, AuditEvent) == 0
    assert not (tmp_path / "rejects").exists()


# ---------------------------------------------------------------------------------------------
# Shapes of file
# ---------------------------------------------------------------------------------------------


def test_spreadsheet_exports_import(database: Database) -> None:
    files = [("caseload_bom_semicolon.csv", "Renée"), ("caseload_cp1252.csv", "Aoife"),
             ("caseload_unicode_text.txt", "Robin20"), ("caseload_titles.csv", "Robin30"),
             ("caseload_mhsds.csv", "Robin40")]
    for name, given in files:
        result = run(database, DATA / name)
        assert result.inserted == 3 and result.rejected == 0, (name, result.rejects)
        with database.session() as session:
            assert given in set(session.scalars(select(Person.given_name)))


def test_title_lines_give_real_row_numbers(database: Database, tmp_path: Path) -> None:
    result = run(database, DATA / "caseload_titles.csv")
    assert result.header_row == 3
    assert [row for row, in [(p.source_row,) for p in [person(database, 30), person(database, 31)]]] == [4, 6]


def test_mhsds_codes(database: Database) -> None:
    result = run(database, DATA / "caseload_mhsds.csv")
    stored = person(database, 40)
    assert (stored.gender, stored.gp_practice, stored.cluster) == ("male", "Y00001", 11)
    assert stored.coordinator_since == date(2024, 5, 1) and stored.local_id == "RIO00040"
    # MHS701 CPA episodes (no CPA column): open, ended, none (the export lists every
    # episode: no episode is not on CPA); MHS006's end of an allocation.
    assert [person(database, i).cpa for i in (40, 41, 42)] == [True, False, False]
    assert person(database, 42).coordinator_until == date(2026, 12, 1)
    assert [(w.row, w.column) for w in result.warning_list] == [(4, "coordinator_until")]
    assert not {"cpa", "cpa_start", "cpa_end", "coordinator_until"} & set(result.missing_columns)


def test_cp1252_names(database: Database) -> None:
    run(database, DATA / "caseload_cp1252.csv")
    assert person(database, 10).family_name == "O’Neill"


def test_mapping_file(database: Database) -> None:
    result = run(database, DATA / "caseload_odd_headers.csv", mapping_file=DATA / "mapping.toml")
    assert counts(result) == (2, 0, 0, 0, 0)
    stored = person(database, 50)
    assert (stored.given_name, stored.date_of_birth, stored.care_coordinator_id) == (
        "Sam0", date(1990, 12, 12), "S001")
    assert result.columns["Patient NHS Ref"] == "nhs_number"


def test_xlsx_with_date_cells_and_numeric_nhs_numbers(database: Database, tmp_path: Path) -> None:
    from tests.importing import CASELOAD_HEADER, write_xlsx, xlsx_person

    path = write_xlsx(tmp_path / "export.xlsx",
                      [xlsx_person(i) for i in range(3)] + [xlsx_person(3, date_of_birth="31/02/1980")],
                      CASELOAD_HEADER, title_lines=["Westshire NHS Trust"], other_sheets=["Notes"])
    result = run(database, path, rejects_dir=tmp_path / "rejects")
    assert counts(result) == (3, 0, 0, 1, 0)
    assert (result.sheet, result.header_row, result.rejects[0].row) == ("Caseload", 2, 6)
    stored = person(database, 0)
    assert stored.date_of_birth == date(1980, 4, 3) and stored.nhs_number == nhs_number(0)
    assert stored.admissions_12m == 0 and stored.cluster == 11
    # The same people from a CSV are unchanged: a date cell and "03/04/1980" are one value.
    again = run(database, caseload(tmp_path, [person_row(i) for i in range(3)]))
    assert counts(again) == (0, 0, 3, 0, 0)


# ---------------------------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------------------------


def test_staff_import(database: Database) -> None:
    result = run(database, DATA / "staff.csv", "staff")
    assert counts(result) == (3, 0, 0, 0, 0) and result.key_name == "staff_id"
    with database.session() as session:
        nurse = session.get(Staff, "S002")
        worker = session.get(Staff, "S003")
        council = session.get(Team, "Westhaven Adult Social Care")
    assert nurse is not None and worker is not None and council is not None
    assert (nurse.employer, nurse.role, nurse.seconded, nurse.council_team) == (
        "trust", "nurse", False, None)
    assert nurse.skills == ["older_adults"]
    assert (worker.role, worker.languages, worker.capacity, worker.fte) == (
        "social_worker", ["english", "polish"], 25, 1.0)
    assert council.employer == "council"
    again = run(database, DATA / "staff.csv", "staff")
    assert counts(again) == (0, 0, 3, 0, 0)


def test_staff_rows_that_are_rejected(database: Database, tmp_path: Path) -> None:
    rows = [staff_row(1), staff_row(2, employer="charity"), staff_row(3, seconded="perhaps"),
            staff_row(4, capacity="-3"), staff_row(1, family_name="Other")]
    result = run(database, write_csv(tmp_path / "staff.csv", rows), "staff")
    assert {reject.row: reject.errors[0][0] for reject in result.rejects} == {
        2: "staff_id", 3: "employer", 4: "seconded", 5: "capacity", 6: "staff_id"}
    assert result.rejects[0].record_key == "S001"
    assert result.to_json()["rejects"][0]["staff_id"] == "S001"


def test_staff_missing_from_a_newer_list_are_flagged(database: Database, tmp_path: Path) -> None:
    run(database, write_csv(tmp_path / "a.csv", [staff_row(1), staff_row(2)]), "staff")
    result = run(database, write_csv(tmp_path / "b.csv", [staff_row(1)]), "staff")
    assert result.missing_from_file == 1
    with database.session() as session:
        gone = session.get(Staff, "S002")
    assert gone is not None and gone.missing_since_batch_id == result.batch_id


def test_a_staff_list_says_whose_role_fits_nothing_and_which_ids_changed_case(
        database: Database, tmp_path: Path) -> None:
    """Two things a plan would find out too late: a 'Social Wroker' (never given anyone) and
    an id now written in another case (a new worker; the one held is marked missing)."""
    fits = load_rules(None).matching.fitting_no_role
    run(database, write_csv(tmp_path / "a.csv", [staff_row(1), staff_row(2)]), "staff")
    rows = [staff_row(1, staff_id="s001"), staff_row(2),
            staff_row(3, role="Social Wroker"), staff_row(4, employer="NHS", role="Psychiatrist"),
            staff_row(5, role="AMHP")]
    result = run(database, write_csv(tmp_path / "b.csv", rows), "staff", fitting_no_role=fits)
    [roles] = [notice for notice in result.notices if "fit no role" in notice]
    assert "3 (council amhp (1), council social_wroker (1), trust psychiatrist (1))" in roles
    [ids] = [notice for notice in result.notices if "only in case" in notice]
    assert ids.startswith("1 staff id in this file differs only in case")
    assert "'s001' for 'S001'" in ids and result.missing_from_file == 1
    # Without the rules (as a caller that has none), no word on roles; nothing else changes.
    quiet = run(database, write_csv(tmp_path / "c.csv", rows), "staff")
    assert not [notice for notice in quiet.notices if "fit no role" in notice]


def test_json_shape(database: Database, tmp_path: Path) -> None:
    result = run(database, caseload(tmp_path, [person_row(0), person_row(1, nhs_number="12")]))
    data = result.to_json()
    for key in ("batch_id", "file", "sha256", "rows", "inserted", "updated", "unchanged",
                "rejected", "duplicates", "missing_from_file", "warnings", "rejects", "status"):
        assert key in data
    assert data["file"] == "caseload.csv" and len(data["sha256"]) == 64
    assert data["rejects"] == [{"row": 3, "nhs_number": "12", "errors": [
        {"column": "nhs_number", "message": "NHS number must have 10 digits, not 2"}]}]
    assert isinstance(data["warnings"], int)


def test_progress_is_reported(database: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = caseload(tmp_path, [person_row(i) for i in range(6)])
    with database.transaction() as session:
        import_file(session, path, "caseload", actor=ACTOR, today=TODAY,
                    progress=lambda done, total: seen.append((done, total)))
    assert {total for _, total in seen} == {12}  # each row is checked, then written
    assert seen[-1] == (12, 12) and any(done < 6 for done, _ in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_csv_bytes_helper_round_trips() -> None:
    text = csv_bytes([person_row(0)]).decode()
    assert text.splitlines()[0].startswith("nhs_number,local_id,given_name")


# ---------------------------------------------------------------------------------------------
# The shipped sample data (sample_data/README.md says what an import must report)
# ---------------------------------------------------------------------------------------------

SAMPLE = Path(__file__).parents[2] / "sample_data"


@pytest.mark.parametrize("name", ["trust_caseload.csv", "trust_caseload.xlsx"])
def test_the_sample_caseload(database: Database, name: str) -> None:
    staff = run(database, SAMPLE / "staff.csv", "staff", today=date(2026, 11, 20))
    assert counts(staff) == (111, 0, 0, 0, 0)
    result = run(database, SAMPLE / name, today=date(2026, 11, 20))
    assert counts(result) == (784, 0, 0, 7, 1) and result.rows == 792
    assert result.warnings == 6
    offset = 2 if name.endswith(".xlsx") else 0
    assert [reject.row - offset for reject in result.rejects] == [72, 144, 239, 334, 429, 619, 667]
    assert result.repeats == [(524 + offset, 160 + offset)]
    # 351 and 641: on a CTO with s117 no, the generator's rare contradictory records.
    assert sorted(w.row - offset for w in result.warning_list) == [192, 351, 382, 572, 641, 644]


def test_a_rejects_file_that_cannot_be_written_stops_the_import(database: Database,
                                                                tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    path = caseload(tmp_path, [person_row(0), person_row(1, nhs_number="1")])
    with pytest.raises(InputFileError, match="could not be written"):
        run(database, path, rejects_path=blocker / "rejects.csv")
    assert count(database, Person) == 0 and count(database, ImportBatch) == 0


def test_a_file_where_every_row_is_rejected_flags_nobody_missing(database: Database,
                                                                   tmp_path: Path) -> None:
    run(database, caseload(tmp_path, [person_row(i) for i in range(3)]))
    garbage = [person_row(i, nhs_number=f"RIO{i}") for i in range(3)]  # the wrong column
    result = run(database, caseload(tmp_path, garbage, "wrong.csv"))
    assert (result.status, result.exit_code, result.rejected) == ("rejected", 2, 3)
    assert result.newly_missing == 0 and "nobody was marked as missing" in result.notices[-1]
    assert person(database, 0).missing_since_batch_id is None
    # The counts (and the batch's record of them) agree: none flagged missing.
    assert result.missing_from_file == 0 and result.to_json()["missing_from_file"] == 0
    with database.session() as session:
        batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert batch is not None and batch.missing_from_file == 0


def test_strict_reports_the_warnings_it_would_have_kept(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0, gender="Q"), person_row(1, nhs_number="1")]
    result = run(database, caseload(tmp_path, rows), strict=True)
    assert result.status == "refused" and result.warnings == 1
    assert count(database, ImportWarning) == 0


def test_the_mhsds_accommodation_status_is_read_under_its_own_names(
    database: Database, tmp_path: Path
) -> None:
    rows = []
    for i, (kind, settled) in enumerate([("12", "N"), ("HM04", "Z"), ("01", "Y"), ("", "maybe")]):
        row = person_row(i)
        del row["accommodation_type"], row["settled_accommodation"]
        rows.append({**row, "AccommodationType": kind, "SettledAccommodationInd": settled})
    result = run(database, caseload(tmp_path, rows))
    assert counts(result) == (4, 0, 0, 0, 0)
    assert [(person(database, i).accommodation_type, person(database, i).settled_accommodation)
            for i in range(4)] == [("12", False), ("HM04", None), ("01", True), (None, None)]
    # Z is MHSDS's "not stated": blank, and no warning; anything else is named.
    assert [(w.row, w.column) for w in result.warning_list] == [
        (5, "settled_accommodation")]
    assert "Z for not stated" in result.warning_list[0].message
    assert not any("accommodation" in notice for notice in result.notices)
    with database.session() as session:
        assert not (session.get(Person, person(database, 0).id).extra or {})


def test_a_cto_is_worked_out_from_its_expiry_when_the_export_gives_no_yes_or_no(
    database: Database, tmp_path: Path
) -> None:
    # TODAY is 15 January 2027. An MHSDS-shaped export: CTO expiry dates, no CTO column.
    rows = []
    for i, expiry in enumerate(["01/03/2027", "15/01/2027", "02/01/2027", ""]):
        row = person_row(i, s117="Y")  # on a CTO, so on s117 aftercare (else a warning)
        del row["cto"], row["cto_expiry"]
        rows.append({**row, "ExpiryDateCommTreatOrd": expiry})
    path = caseload(tmp_path, rows)
    result = run(database, path)
    assert [(person(database, i).cto, person(database, i).cto_expiry) for i in range(4)] == [
        (True, date(2027, 3, 1)), (True, date(2027, 1, 15)), (False, date(2027, 1, 2)),
        (None, None)]
    assert [(w.row, w.column) for w in result.warning_list] == [(4, "cto")]
    assert "expiry (2027-01-02) has passed" in result.warning_list[0].message
    assert any("worked out from the date" in notice for notice in result.notices)
    assert "cto" not in result.missing_columns
    # The same file after the first order's expiry: the derived status follows the date.
    again = run(database, path, today=date(2027, 3, 2))
    assert (again.updated, again.unchanged) == (2, 2)  # the first (expired) and the second
    assert person(database, 0).cto is False


def test_a_cto_is_worked_out_from_its_start_too(database: Database, tmp_path: Path) -> None:
    # TODAY is 15 January 2027. MHS404 gives the order's start as well as its expiry.
    orders = [
        ("01/09/2026", ""),            # begun, no expiry given: yes
        ("01/09/2026", "01/03/2027"),  # begun, in force: yes
        ("01/02/2027", ""),            # starts after today: no for now, with a warning
        ("01/09/2026", "01/08/2026"),  # expires before it starts: unknown, with a warning
        ("01/09/2026", "02/01/2027"),  # expired: no, with a warning
    ]
    rows = []
    for i, (start, expiry) in enumerate(orders):
        row = person_row(i, s117="Y")  # on a CTO, so on s117 aftercare (else a warning)
        del row["cto"], row["cto_start"], row["cto_expiry"]
        rows.append({**row, "StartDateCommTreatOrd": start, "ExpiryDateCommTreatOrd": expiry})
    result = run(database, caseload(tmp_path, rows))
    assert [person(database, i).cto for i in range(len(orders))] == [
        True, True, False, None, False]
    assert person(database, 0).cto_start == date(2026, 9, 1)
    warned = {w.row: w.message for w in result.warning_list}
    assert sorted(warned) == [4, 5, 6]
    assert "starts on 2027-02-01, after today" in warned[4]
    assert "expires (2026-08-01) before it starts (2026-09-01)" in warned[5]
    assert "expiry (2027-01-02) has passed" in warned[6]
    assert any("worked out from the dates" in notice for notice in result.notices)


@pytest.mark.parametrize(("column", "dates"), [
    # A passed expiry with a yes is for the nightly check (cto_expiring) to ask about.
    ("cto", [{"cto_expiry": "02/01/2027"}, {"cto_expiry": "01/03/2027"}, {"cto_expiry": ""}]),
    # An ended episode with a yes: the trust's yes stands.
    ("cpa", [{"cpa_start": "01/06/2024", "cpa_end": "31/12/2026"}, {"cpa_start": "01/06/2024"},
             {"cpa_start": "01/06/2024"}]),
])
def test_a_yes_or_no_in_the_file_wins_over_the_dates_it_could_be_worked_out_from(
    database: Database, tmp_path: Path, column: str, dates: list[dict[str, str]]
) -> None:
    # Yes; blank (worked out from the dates: yes); no.
    # s117 yes: a CTO with s117 no is warned about (test_cto_without_s117).
    rows = [person_row(i, **{column: answer}, s117="Y", **dates[i])
            for i, answer in enumerate(["Y", "", "N"])]
    result = run(database, caseload(tmp_path, rows))
    assert [getattr(person(database, i), column) for i in range(3)] == [True, True, False]
    assert not result.warning_list
    assert not any("worked out from the date" in notice for notice in result.notices)


def test_cpa_is_worked_out_from_its_episode_when_the_export_gives_no_yes_or_no(
    database: Database, tmp_path: Path
) -> None:
    # TODAY is 15 January 2027. An MHSDS-shaped export: CPA episode dates, no CPA column.
    episodes = [
        ("01/06/2024", ""),            # open: yes
        ("01/06/2024", "15/01/2027"),  # ends today: still yes
        ("01/06/2024", "31/12/2026"),  # ended: stepped down, no (no warning)
        ("", "30/06/2027"),            # no start, a planned end ahead: yes
        ("01/02/2027", ""),            # starts after today: no for now, with a warning
        ("01/06/2024", "01/05/2024"),  # ends before it starts: unknown, with a warning
        ("", ""),                      # no episode in an export that lists them: no
    ]
    rows = []
    for i, (start, end) in enumerate(episodes):
        row = person_row(i)
        del row["cpa"], row["cpa_start"], row["cpa_end"]
        rows.append({**row, "StartDateCPA": start, "EndDateCPA": end})
    path = caseload(tmp_path, rows)
    result = run(database, path)
    assert (result.inserted, result.rejected) == (len(episodes), 0)
    assert [person(database, i).cpa for i in range(len(episodes))] == [
        True, True, False, True, False, None, False]
    assert (person(database, 2).cpa_start, person(database, 2).cpa_end) == (
        date(2024, 6, 1), date(2026, 12, 31))
    assert [(w.row, w.column) for w in result.warning_list] == [(6, "cpa"), (7, "cpa")]
    assert "starts on 2027-02-01, after today" in result.warning_list[0].message
    assert "ends (2024-05-01) before it starts (2024-06-01)" in result.warning_list[1].message
    assert any("worked out from the dates" in notice for notice in result.notices)
    assert not {"cpa", "cpa_start", "cpa_end"} & set(result.missing_columns)
    # The same file after the second episode's end: the derived answer follows the date.
    again = run(database, path, today=date(2027, 1, 16))
    assert again.updated == 1
    assert person(database, 1).cpa is False


def test_a_care_coordinator_allocation_that_has_ended_is_warned_about(
    database: Database, tmp_path: Path
) -> None:
    # TODAY is 15 January 2027; coordinator_since is 2024-05-01 in every row.
    rows = [person_row(0, coordinator_until="31/12/2026"),   # ended: warned
            person_row(1, coordinator_until="15/01/2027"),   # ends today: still theirs
            person_row(2, coordinator_until="30/06/2027"),   # a planned end
            person_row(3, coordinator_until="01/01/2024"),   # ends before it starts
            person_row(4, coordinator_until="31/12/2026", care_coordinator_id=""),  # no one
            person_row(5)]
    result = run(database, caseload(tmp_path, rows))
    assert (result.inserted, result.rejected) == (6, 0)
    ended = [w for w in result.warning_list if w.column == "coordinator_until"]
    assert [w.row for w in ended] == [2, 5]
    assert "allocation ended on 2026-12-31" in ended[0].message
    assert "reports them as unassigned" in ended[0].message
    assert "ends (2024-01-01) before it starts (2024-05-01)" in ended[1].message
    assert person(database, 0).coordinator_until == date(2026, 12, 31)
    assert person(database, 0).care_coordinator_id == "S001"  # kept: someone they know


def test_only_a_cpa_start_column_is_enough_to_work_cpa_out(
    database: Database, tmp_path: Path
) -> None:
    rows = []
    for i, start in enumerate(["01/06/2024", ""]):
        row = person_row(i)
        del row["cpa"], row["cpa_start"], row["cpa_end"]
        rows.append({**row, "CPA Start Date": start})
    result = run(database, caseload(tmp_path, rows))
    assert [person(database, i).cpa for i in range(2)] == [True, False]
    assert "cpa" not in result.missing_columns and "cpa_end" in result.missing_columns


# ---------------------------------------------------------------------------------------------
# Lines whose values are in the wrong columns
# ---------------------------------------------------------------------------------------------


def _broken_lines(tmp_path: Path, rows: list[dict[str, Any]], name: str = "broken.csv") -> Path:
    """A CSV whose second row's address holds an unquoted comma, and whose third row's address
    holds an unquoted line break (as a hand-made or badly written export has them)."""
    text = csv_bytes(rows).decode()
    lines = text.split("\r\n")
    lines[2] = lines[2].replace('"1 Mill Lane, Westhaven"', "1 Mill Lane, Westhaven")
    lines[3] = lines[3].replace('"2 Mill Lane, Westhaven"', "2 Mill Lane\r\nWesthaven")
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode())
    return path


def test_a_line_pushed_out_of_place_or_cut_short_is_rejected_not_imported_wrongly(
    database: Database, tmp_path: Path
) -> None:
    # The last column has a value, so the shifted line's extra field is not empty.
    rows = [person_row(i, coordinator_until="30/06/2027") for i in range(12)]
    result = run(database, _broken_lines(tmp_path, rows), rejects_dir=tmp_path / "rejects")
    # Row 3 (shifted), row 4 (cut short) and row 5 (the rest of row 4) are rejected.
    assert [reject.row for reject in result.rejects] == [3, 4, 5]
    assert counts(result) == (10, 0, 0, 3, 0)
    shifted, cut, rest = result.rejects
    assert shifted.errors[0][0] == "row"
    assert "comma inside a cell without quotes" in shifted.errors[0][1]
    assert cut.errors == [("row", cut.errors[0][1])]  # nothing about columns it never reached
    assert "cut it short after column G (address), and the rest is row 5" in cut.errors[0][1]
    assert rest.errors == [("row", rest.errors[0][1])]
    assert "the rest of row 4" in rest.errors[0][1]
    # The shifted line's stray field is not a column of the file.
    assert result.extra_columns == []
    assert all(person(database, i).extra is None for i in (0, 4))
    # Nothing of the broken rows' people was stored.
    with database.session() as session:
        assert find_person(session, nhs_number(1)) is None
        assert find_person(session, nhs_number(2)) is None


def test_a_line_longer_only_by_an_empty_field_is_read_but_its_shape_explains_a_rejection(
    database: Database, tmp_path: Path
) -> None:
    # The last column (coordinator_until) is empty: the comma in row 3's address pushes an
    # empty field off the end, just as a stray comma at a line's end would.
    rows = [person_row(i) for i in range(12)]
    text = csv_bytes(rows).decode()
    lines = text.split("\r\n")
    lines[2] = lines[2].replace('"1 Mill Lane, Westhaven"', "1 Mill Lane, Westhaven")
    lines[5] += ","  # row 6: a stray comma at the end, and nothing moved
    path = tmp_path / "padded.csv"
    path.write_bytes("\r\n".join(lines).encode())
    result = run(database, path, rejects_dir=tmp_path / "rejects")
    [shifted] = result.rejects
    assert shifted.row == 3
    column, reason = shifted.errors[0]
    assert column == "row" and "the extra ones empty" in reason
    assert "may have moved the values after it into the wrong columns" in reason
    assert len(shifted.errors) > 1  # the values it found in the wrong columns follow
    assert result.inserted == 11 and person(database, 4).address == "4 Mill Lane, Westhaven"
    # The rejects file keeps the empty field, so joining the address back lines it all up.
    assert result.rejects_path is not None
    with result.rejects_path.open(newline="", encoding="utf-8") as handle:
        header, written = list(csv.reader(handle))
    assert len(written) == len(header) and written[-2] == "3"


def test_a_line_cut_short_never_blanks_what_is_stored(database: Database, tmp_path: Path) -> None:
    rows = [person_row(i, s117="Y", cto="Y") for i in range(12)]
    run(database, caseload(tmp_path, rows))
    assert person(database, 2).s117 is True
    result = run(database, _broken_lines(tmp_path, rows, "again.csv"))
    assert result.rejected == 3 and result.updated == 0
    stored = person(database, 2)
    assert (stored.s117, stored.cto, stored.address) == (True, True, "2 Mill Lane, Westhaven")


def test_the_rejects_file_of_a_broken_line_imports_again_once_mended(
    database: Database, tmp_path: Path
) -> None:
    rows = [person_row(i) for i in range(12)]
    result = run(database, _broken_lines(tmp_path, rows), rejects_dir=tmp_path / "rejects")
    assert result.rejects_path is not None
    with result.rejects_path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    header, shifted = lines[0], lines[1]
    address = header.index("address")
    # Mend the shifted line as a manager would in Excel: join the split address back.
    mended = [*shifted[:address], f"{shifted[address]},{shifted[address + 1]}",
              *shifted[address + 2:]]
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, mended + [""]])
    again = run(database, fixed)
    assert counts(again) == (1, 0, 0, 0, 0)
    assert person(database, 1).address == "1 Mill Lane, Westhaven"


def test_a_file_whose_lines_never_agree_is_read_with_a_note(database: Database,
                                                           tmp_path: Path) -> None:
    # A writer that leaves empty fields off a line's end: every line a different length.
    header = ["nhs_number", "given_name", "family_name", "date_of_birth", "carer_name", "lives_alone"]
    lines = [",".join(header)]
    for i in range(6):
        line = [nhs_number(i), f"Robin{i}", "Ashdown", "03/04/1980", "", ""][: 4 + i % 3]
        lines.append(",".join(line))
    path = tmp_path / "trimmed.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run(database, path)
    assert counts(result) == (6, 0, 0, 0, 0)
    assert any("differing numbers of fields" in notice for notice in result.notices)


def test_every_derived_column_has_a_derivation_and_a_note() -> None:
    from transition.columns import DERIVED_COLUMNS
    from transition.importer import _WORKED_OUT_NOTES
    from transition.validation import _DERIVATIONS

    assert set(_WORKED_OUT_NOTES) == set(_DERIVATIONS) == set(DERIVED_COLUMNS)


def test_consent_to_tell_the_carer_is_read_yes_no_or_not_recorded(
    database: Database, tmp_path: Path
) -> None:
    result, stored = import_one_column(
        database, tmp_path, "carer_consent", "Consent to Share with Carer",
        ["Y", "No", "", "yes", "N"])
    assert stored == [True, False, None, True, False]
    assert result.warning_list == []
