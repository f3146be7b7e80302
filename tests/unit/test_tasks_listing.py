"""A whole list of tasks (sorted in Python on SQLite) is in the same order as pages sorted in SQL.

``list_tasks`` without a limit reads the tasks alone on SQLite and sorts them by ranks in Python;
with a limit SQL sorts them. Random tasks with awkward values (names and keys that are prefixes of
one another, non-ASCII text, the same due date for many, every status, no owner) must come out
the same both ways, for every filter.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlmodel import Session

from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.models import Person, Task, TaskStatus
from transition.tasks import TaskQuery, list_tasks, listing

AS_OF = date(2027, 3, 22)
KEYS = ["a", "a_b", "ab", "letter_gp", "letter_person", "z", "records_transferred"]
NAMES = ["Ann", "Ánn", "Anna", "Zoë", "zoe", "Øyvind", "Ann Marie", "Ann-Marie"]


def random_tasks(session: Session, seed: int) -> None:
    rng = random.Random(seed)
    staff = []
    for index in range(4):
        staff_id = f"W{index}"
        make_staff(session, staff_id, given_name=rng.choice(NAMES))
        staff.append(staff_id)
    # NHS numbers in an order unrelated to the people's ids.
    numbers = [nhs_number(index) for index in range(200, 240)]
    rng.shuffle(numbers)
    people = [make_person(session, nhs_number=number, given_name=rng.choice(NAMES),
                          family_name=rng.choice(NAMES),
                          risk_band=rng.choice(["red", "amber", "green", None])).id
              for number in numbers]
    now = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    rows = []
    for person_id in people:
        for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
            status = rng.choice(list(TaskStatus)).value
            rows.append({
                "person_id": person_id, "key": key,
                "title": rng.choice([f"Do {key}", 'Say "hi"\\', "Tab\tnew\nline\x01", "Émile 🙂"]),
                "owner_kind": rng.choice(["outgoing", "incoming", "manager"]),
                "owner_staff_id": rng.choice([None, *staff]),
                "due": AS_OF + timedelta(days=rng.randint(-6, 6)),
                "offset_working_days": rng.randint(-10, 7),
                "handover_date": date(2027, 4, 1),
                "status": status,
                "blocked_reason": rng.choice([None, "waiting", "Ünïcode"]),
                "note": rng.choice([None, "note", "nöte"]),
                "depends_on": rng.sample(KEYS, rng.randint(0, 2)),
                "created_at": now,
                "updated_at": now + timedelta(minutes=rng.randint(0, 3)),
                "updated_by": rng.choice(["a", "b", 'o"neil', None]),
                "completed_at": now if status == TaskStatus.DONE else None,
                "version": rng.randint(1, 3),
            })
    rng.shuffle(rows)  # ids in no particular order of person, key or date
    session.execute(insert(Task), rows)


QUERIES = [
    TaskQuery(),
    TaskQuery(overdue_only=True),
    TaskQuery(open_only=True),
    TaskQuery(owner_staff_id="W1"),
    TaskQuery(unowned_only=True),
    TaskQuery(statuses=["done", "not_needed"]),
    TaskQuery(keys=["a", "ab"]),
    TaskQuery(risk_band="red"),
    TaskQuery(risk_band="red", overdue_only=True),
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("variant", ["", "every_name", "no_json"])
def test_a_whole_list_is_in_the_order_sql_gives_its_pages(
        database: Database, monkeypatch: pytest.MonkeyPatch, seed: int, variant: str) -> None:
    if variant == "every_name":  # as for a long list: every name read, not by id
        monkeypatch.setattr(listing, "_ALL_PEOPLE", 0)
    if variant == "no_json":  # an SQLite without its JSON functions: sorted in SQL
        monkeypatch.setattr(listing, "_json_functions", lambda driver: False)
    with database.transaction() as session:
        random_tasks(session, seed)
    with database.session() as session:
        for query in QUERIES:
            whole = list_tasks(session, query, as_of=AS_OF)
            paged = []
            for offset in range(0, whole.total + 1, 37):
                page = list_tasks(session, TaskQuery(**{**vars(query), "offset": offset,
                                                         "limit": 37}), as_of=AS_OF)
                assert (page.total, page.overdue_total) == (whole.total, whole.overdue_total)
                paged.extend(page.rows)
            assert whole.rows == paged, query
            assert whole.total == len(whole.rows)
        # The band filter keeps exactly the tasks of people in the band.
        everyone = list_tasks(session, TaskQuery(), as_of=AS_OF).rows
        bands = dict(session.execute(select(Person.id, Person.risk_band)).all())
        red = list_tasks(session, TaskQuery(risk_band="red"), as_of=AS_OF).rows
        assert red == [row for row in everyone if bands[row.person_id] == "red"]
        assert 0 < len(red) < len(everyone)


def test_times_are_given_in_utc_whatever_the_servers_time_zone(database: Database) -> None:
    """PostgreSQL's driver gives a timestamp in the server's zone: the list gives UTC, as every
    other time the tool writes to JSON (``tasks list --json``)."""
    with database.transaction() as session:
        random_tasks(session, seed=7)
    seen = Database(database.url.render_as_string(hide_password=False))
    if not seen.is_sqlite:
        @event.listens_for(seen.engine, "connect")
        def _in_india(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("SET timezone = 'Asia/Kolkata'")
            dbapi_connection.commit()
    try:
        with seen.session() as session:
            if not seen.is_sqlite:
                assert session.execute(text("SHOW timezone")).scalar() == "Asia/Kolkata"
            rows = [*list_tasks(session, as_of=AS_OF).rows,
                    *list_tasks(session, TaskQuery(limit=10), as_of=AS_OF).rows]
    finally:
        seen.dispose()
    done = [row for row in rows if row.completed_at is not None]
    assert rows and done
    for row in rows:
        assert row.updated_at is not None and row.updated_at.utcoffset() == timedelta(0)
        assert row.as_json()["updated_at"].endswith("+00:00")
    assert all(row.as_json()["completed_at"] == "2027-03-01T09:30:00+00:00" for row in done)
