from datetime import date

import pytest

from tests.factories import make_person, nhs_number
from transition.db import Database
from transition.errors import NotFoundError
from transition.people import (
    PeopleQuery,
    PersonRow,
    canonical_record,
    list_people,
    person_detail,
    require_person,
)


def test_paging_is_stable_and_counts_all_matches(database: Database) -> None:
    with database.transaction() as session:
        for i in range(25):
            make_person(session, family_name="Same", given_name=f"N{i:02d}")
    with database.session() as session:
        first = list_people(session, PeopleQuery(limit=10))
        second = list_people(session, PeopleQuery(limit=10, offset=10))
        third = list_people(session, PeopleQuery(limit=10, offset=20))
    assert first.total == 25
    ids = [row.id for page in (first, second, third) for row in page.rows]
    assert len(ids) == len(set(ids)) == 25


def test_search_by_name_nhs_number_and_filters(database: Database) -> None:
    with database.transaction() as session:
        make_person(session, family_name="Oakley", given_name="Rin", nhs_number=nhs_number(500))
        make_person(session, family_name="Birch", given_name="Ada", team="South CMHT", locality="South")
    with database.session() as session:
        assert [r.family_name for r in list_people(session, PeopleQuery(search="oakl")).rows] == ["Oakley"]
        assert [r.family_name for r in list_people(session, PeopleQuery(search="rin oak")).rows] == ["Oakley"]
        # As the screens list people ("Oakley, Rin"), with or without the space.
        for typed in ("Oakley, Rin", "oakley,rin", "  Oakley ,  Rin "):
            assert [r.family_name for r in list_people(session, PeopleQuery(search=typed)).rows] \
                == ["Oakley"], typed
        digits = nhs_number(500)[:6]
        assert "Oakley" in [r.family_name for r in list_people(session, PeopleQuery(search=digits)).rows]
        assert [r.family_name for r in list_people(session, PeopleQuery(team="South CMHT")).rows] == ["Birch"]


def test_a_name_in_any_alphabet_is_found_in_any_case_and_wildcards_are_text(
        database: Database) -> None:
    """SQLite's lower() folds ASCII only: 'Ó Briain', typed exactly as stored, found no one
    there and was found on PostgreSQL. A % or _ typed is a character, not a wildcard."""
    with database.transaction() as session:
        make_person(session, family_name="Ó Briain", given_name="Derek")
        make_person(session, family_name="Popescu", given_name="Ștefania")
        make_person(session, family_name="Oakley", given_name="Rin")

    def found(text: str) -> list[str]:
        with database.session() as session:
            return sorted(r.family_name for r in list_people(session, PeopleQuery(search=text)).rows)

    assert found("Ó Briain") == found("ó briain") == found("derek Ó") == ["Ó Briain"]
    assert found("ȘTEFANIA") == found("ștef") == ["Popescu"]
    assert found("%") == found("_") == []  # wildcards matched everyone


def test_canonical_record_uses_iso_dates_and_bools(database: Database) -> None:
    with database.transaction() as session:
        person = make_person(session, s117=True, care_act_outcomes=["nutrition", "hygiene"],
                             date_of_birth=date(1970, 3, 4))
        record = canonical_record(person)
        detail = person_detail(session, person)
    assert record["date_of_birth"] == "1970-03-04"
    assert record["s117"] is True
    assert record["care_act_outcomes"] == ["nutrition", "hygiene"]
    assert detail["warnings"] == []


def test_an_unknown_nhs_number_is_not_echoed_in_full(database: Database) -> None:
    with database.session() as session, pytest.raises(NotFoundError) as caught:
        require_person(session, "9990000018")
    assert "9990000018" not in caught.value.message
    assert "0018" in caught.value.message


def _row(**changes: object) -> PersonRow:
    base = {"id": 1, "nhs_number": nhs_number(1), "family_name": "F", "given_name": "G",
            "date_of_birth": date(1980, 1, 1), "team": None, "locality": None,
            "care_coordinator_id": "SW1", "pathway": "joint", "risk_band": "green",
            "risk_score": 0, "missing": False}
    return PersonRow(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "state", "roles", "cli"),
    [
        ({}, "no plan yet", [], "no plan yet"),  # the coordinator holds them until then
        ({"pathway": "signpost"}, "none needed", [], "none needed"),
        ({"pathway": None}, "not assessed", [], "not assessed"),
        ({"allocated": True, "workers": (("key_worker", "KW1"), ("social_worker", "SW2"))},
         "held", [("social_worker", "SW2"), ("key_worker", "KW1")], "SW2 + KW1"),
        ({"allocated": True, "workers": (("social_worker", "SW2"),)},
         "held", [("social_worker", "SW2"), ("key_worker", None)], "SW2 + no key worker"),
        # A role held that the pathway no longer needs is still shown: someone holds it.
        ({"allocated": True, "pathway": "council",
          "workers": (("social_worker", "SW2"), ("key_worker", "KW1"))},
         "held", [("social_worker", "SW2"), ("key_worker", "KW1")], "SW2 + KW1"),
        ({"allocated": True, "pathway": "signpost"}, "none needed", [], "none needed"),
    ],
)
def test_after_transfer_says_who_holds_each_role(
    changes: dict[str, object], state: str, roles: list[tuple[str, str | None]], cli: str,
) -> None:
    from transition.commands.people import after_transfer

    row = _row(**changes)
    assert row.after_transfer() == (state, roles)
    assert after_transfer(row) == cli


@pytest.mark.parametrize(
    ("until", "ended", "cli"),
    [
        (None, None, "SW1"),
        (date(2026, 11, 19), date(2026, 11, 19), "SW1 (ended 2026-11-19)"),
        (date(2026, 11, 20), None, "SW1"),  # their last day is today: still theirs
    ],
)
def test_a_coordinators_allocation_has_ended_once_its_last_day_is_past(
    until: date | None, ended: date | None, cli: str,
) -> None:
    from transition.commands.people import coordinator

    today = date(2026, 11, 20)
    row = _row(coordinator_until=until)
    assert row.coordinator_ended(today) == ended
    assert coordinator(row, today) == cli
    assert coordinator(_row(care_coordinator_id=None, coordinator_until=until), today) == ""


def test_the_listing_reads_who_holds_each_role_now(database: Database) -> None:
    from tests.factories import make_staff
    from transition.allocation import NewAssignment, set_assignments

    with database.transaction() as session:
        make_staff(session, "SW9")
        make_staff(session, "KW9", employer="trust", role="nurse")
        person = make_person(session, pathway="joint", care_coordinator_id="SW9")
        other = make_person(session, pathway="council", care_coordinator_id="SW9")
        assert person.id is not None
        set_assignments(session, [
            NewAssignment(person.id, "key_worker", "KW9", date(2027, 4, 1)),
            NewAssignment(person.id, "social_worker", "SW9", date(2027, 4, 1)),
        ], actor="test")
    with database.session() as session:
        rows = {row.id: row for row in list_people(session).rows}
    assert rows[person.id].workers == (("social_worker", "SW9"), ("key_worker", "KW9"))
    assert rows[person.id].allocated
    assert rows[other.id].workers == () and not rows[other.id].allocated


def test_listing_everyone_at_scale_reads_their_workers_in_chunks(database: Database) -> None:
    # More people than SQLite allows parameters in one statement (32,766): the roles they hold
    # are read in batches, so `transition people --limit 0` works on a large caseload.
    import sqlite3

    from sqlalchemy import insert

    from transition.models import Person

    people = 33_000
    with database.transaction() as session:
        session.execute(insert(Person), [
            {"nhs_number": f"{9_990_000_000 + i}", "given_name": "A", "family_name": "B",
             "date_of_birth": date(1980, 1, 1), "content_hash": "-"} for i in range(people)])
    with database.session() as session:
        raw = session.connection().connection.driver_connection
        if isinstance(raw, sqlite3.Connection):  # this build allows 250,000; the default is lower
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
        page = list_people(session, PeopleQuery(limit=None))
    assert page.total == len(page.rows) == people
    assert not any(row.workers for row in page.rows)
