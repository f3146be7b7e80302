"""The dashboard's numbers, the latest imports, rejected rows and a person's import history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from sqlalchemy import select

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff
from transition import overview
from transition.allocation_status import coordinator_holds
from transition.audit import Change, record
from transition.db import Database
from transition.models import ImportBatch, Person, RejectedRow
from transition.programme import set_transfer_date
from transition.screens.dashboard import caseload_card


def add_batch(session, kind: str, **counts) -> ImportBatch:
    batch = ImportBatch(
        kind=kind, file_name=f"{kind}.csv", file_sha256="0" * 64, actor=ACTOR,
        started_at=datetime(2027, 1, 10, 9, 0, tzinfo=UTC), **counts,
    )
    session.add(batch)
    session.flush()
    return batch


def test_empty_database_is_empty(database: Database) -> None:
    with database.session() as session:
        summary = overview.overview(session, today=TODAY)
    assert summary.is_empty
    assert summary.people == 0 and summary.by_team == [] and summary.transfer_date is None
    assert summary.latest_imports == {"caseload": None, "staff": None}


def test_counts_by_team_and_locality(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1", team="North CMHT", locality="North")
        make_staff(session, "S2", team="Council North", locality="North")
        make_person(session, team="North CMHT", locality="North", care_coordinator_id="S1")
        make_person(session, team="North CMHT", locality="North", care_coordinator_id="GONE")
        make_person(session, team="South CMHT", locality="South", care_coordinator_id=None)
        batch = add_batch(session, "caseload", rows=3, inserted=3)
        make_person(session, team="South CMHT", locality="South", care_coordinator_id="S1",
                    missing_since_batch_id=batch.id)
        make_person(session, team=None, locality=None, care_coordinator_id="S1")
        set_transfer_date(session, date(2027, 4, 1), actor=ACTOR)

    with database.session() as session:
        summary = overview.overview(session, today=TODAY)

    assert not summary.is_empty
    assert (summary.people, summary.staff) == (5, 2)
    assert summary.missing_from_latest == 1
    assert summary.no_coordinator == 1
    assert summary.unknown_coordinator == 1  # "GONE" is not in the staff list
    assert summary.transfer_date == date(2027, 4, 1)
    assert summary.days_to_transfer == 76
    teams = {row.name: row for row in summary.by_team}
    assert teams["North CMHT"] == overview.GroupCount("North CMHT", 2, 0, 0, 1)
    assert teams["South CMHT"] == overview.GroupCount("South CMHT", 2, 1, 1, 0)
    assert teams["Council North"].people == 0 and teams["Council North"].staff == 1
    assert summary.by_team[-1].name is None  # "not recorded" sorts last
    localities = {row.name: row.people for row in summary.by_locality}
    assert localities == {"North": 2, "South": 2, None: 1}
    assert summary.latest_imports["caseload"] is not None
    assert summary.latest_imports["caseload"].id == batch.id
    assert summary.latest_imports["staff"] is None


def test_coordinators_whose_allocation_ended_are_counted_apart(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1")
        ended = TODAY - timedelta(days=1)
        make_person(session, care_coordinator_id="S1", coordinator_until=ended)
        make_person(session, care_coordinator_id="S1", coordinator_until=TODAY)  # still theirs
        make_person(session, care_coordinator_id=None, coordinator_until=ended)  # no one anyway
        batch = add_batch(session, "caseload", rows=3, inserted=3)
        make_person(session, care_coordinator_id="S1", coordinator_until=ended,
                    missing_since_batch_id=batch.id)  # not in the latest export
    with database.session() as session:
        summary = overview.overview(session, today=TODAY)
    assert (summary.ended_coordinator, summary.no_coordinator) == (1, 1)
    card = _plain(caseload_card(summary))
    assert "1 coordinator allocation ended" in card
    assert "allocation ended" not in _plain(caseload_card(replace(summary, ended_coordinator=0)))


def test_latest_import_is_the_newest_of_its_kind(database: Database) -> None:
    with database.transaction() as session:
        add_batch(session, "caseload", rows=10)
        newer = add_batch(session, "caseload", rows=12, rejected=2)
        staff = add_batch(session, "staff", rows=5)
    with database.session() as session:
        latest = overview.latest_import(session, "caseload")
        assert latest is not None and (latest.id, latest.rows, latest.rejected) == (newer.id, 12, 2)
        assert overview.latest_import(session, "staff").id == staff.id
        assert [batch.id for batch in overview.recent_imports(session)] == [
            staff.id, newer.id, newer.id - 1
        ]
        assert overview.import_batch(session, 999) is None


def test_batch_rejects_in_row_order_with_every_reason(database: Database) -> None:
    with database.transaction() as session:
        batch = add_batch(session, "caseload", rows=9, rejected=2)
        session.add(RejectedRow(batch_id=batch.id, row_number=7, record_key="9990000026",
                                errors=[{"column": "date_of_birth", "message": "in the future"}]))
        session.add(RejectedRow(batch_id=batch.id, row_number=3, record_key=None, errors=[
            {"column": "nhs_number", "message": "NHS number is missing"},
            {"column": "family_name", "message": "required"},
        ]))
    with database.session() as session:
        rejects = overview.batch_rejects(session, batch.id)
    assert [reject.row for reject in rejects] == [3, 7]
    assert rejects[0].errors == [
        ("nhs_number", "NHS number is missing"), ("family_name", "required")
    ]
    assert rejects[1].record_key == "9990000026"


def test_staff_names_only_for_known_ids(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1", given_name="Ana", family_name="Okafor")
    with database.session() as session:
        assert overview.staff_names(session, ["S1", "NOPE", None]) == {"S1": "Ana Okafor"}
        assert overview.staff_names(session, []) == {}


def test_person_imports_say_what_each_run_did(database: Database) -> None:
    with database.transaction() as session:
        first = add_batch(session, "caseload")
        second = add_batch(session, "caseload")
        third = add_batch(session, "caseload")
        fourth = add_batch(session, "caseload")
        person = make_person(session, first_batch_id=first.id, last_batch_id=third.id,
                             missing_since_batch_id=fourth.id)
        record(session, Change(action="person.insert", entity="person", person_id=person.id,
                               batch_id=first.id), actor=ACTOR)
        for field_name in ("postcode", "team"):
            record(session, Change(action="person.update", entity="person", person_id=person.id,
                                   field=field_name, before="a", after="b", batch_id=second.id),
                   actor=ACTOR)
    with database.session() as session:
        history = overview.person_imports(session, person)
    assert [(item.batch_id, item.what) for item in history] == [
        (first.id, "first imported"),
        (second.id, "changed: postcode, team"),
        (third.id, "present, unchanged"),
        (fourth.id, "not in this export"),
    ]


def test_person_never_imported_has_no_history(database: Database) -> None:
    with database.transaction() as session:
        person = make_person(session)
    with database.session() as session:
        assert overview.person_imports(session, person) == []


def _plain(renderable: object) -> str:
    console = Console(width=80, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return " ".join(capture.get().split())


def test_people_and_staff_gone_from_the_latest_lists_are_not_counted_as_on_them(
    database: Database,
) -> None:
    """"No coordinator in export" counts the people in the latest export, as "coordinator
    allocation ended" does; a worker the latest staff list dropped is not on the staff list,
    so the staff count leaves them out and their people's coordinator is "not in staff list",
    as the Allocation box (``coordinator_holds``) already says no one holds them."""
    with database.transaction() as session:
        make_staff(session, "S1", team="North CMHT", locality="North")
        staff_batch = add_batch(session, "staff", rows=1, inserted=1, missing_from_file=1)
        make_staff(session, "LEFT", team="North CMHT", locality="North",
                   missing_since_batch_id=staff_batch.id)
        batch = add_batch(session, "caseload", rows=3, inserted=3, missing_from_file=3)
        make_person(session, team="North CMHT", locality="North", care_coordinator_id="S1")
        held_by_leaver = make_person(session, team="North CMHT", locality="North",
                                     care_coordinator_id="LEFT")
        make_person(session, team="North CMHT", locality="North", care_coordinator_id="GONE")
        # Not in the latest export: counted as such, and in nothing else.
        make_person(session, team="North CMHT", locality="North", care_coordinator_id=None,
                    missing_since_batch_id=batch.id)
        for coordinator in ("GONE", "GONE"):
            make_person(session, team="North CMHT", locality="North",
                        care_coordinator_id=coordinator, missing_since_batch_id=batch.id)
    with database.session() as session:
        summary = overview.overview(session, today=TODAY)
        held = set(session.scalars(select(Person.id).where(
            Person.missing_since_batch_id.is_(None),
            Person.care_coordinator_id.is_not(None),
            ~coordinator_holds(TODAY))))
    assert (summary.people, summary.missing_from_latest) == (6, 3)
    assert (summary.no_coordinator, summary.unknown_coordinator, summary.staff) == (0, 2, 1)
    assert held_by_leaver.id in held and len(held) == summary.unknown_coordinator
    [team] = summary.by_team
    assert team == overview.GroupCount("North CMHT", 6, 3, 0, 1)
    [locality] = summary.by_locality
    assert locality == overview.GroupCount("North", 6, 3, 0, 1)
    card = _plain(caseload_card(summary))
    assert "0 no coordinator in export" in card and "2 coordinator not in staff list" in card
    assert "1 staff in the staff list" in card
