"""Generation's fast paths write what the plain ones write.

On SQLite the tasks of people who have none yet are built by SQLite from one row per person and
their set of facts' rows (``task_sets``) instead of one inserted row per task. Over a random
caseload, a first run and a later one (some people re-planned, one's pathway changed, new people
whose first tasks are made among others' updates) must leave every task and audit row the same
either way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlmodel import Session

from tests import task_world
from tests.factories import make_staff
from tests.task_world import ACTOR, TRANSFER, assign
from transition.config import Settings
from transition.db import Database
from transition.models import AuditEvent, Person, Role, Task
from transition.ruleset import load_rules
from transition.tasks import generate, generate_tasks
from transition.tasks.listing import TaskQuery, list_tasks
from transition.tasks.stored import DirectInsert

RULES = load_rules()
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(sqlite_settings: Settings) -> Iterator[Database]:
    """SQLite only: the fast paths are SQLite's (elsewhere both ways run the same code), and
    the comparison rolls back and runs again, which on PostgreSQL would not give back ids."""
    db = Database.from_settings(sqlite_settings)
    yield db
    db.dispose()


class _Undo(Exception):
    """Raised to roll a transaction back once its results are read."""


def random_people(session: Session, rng: random.Random, count: int, staff: list[str]) -> None:
    for _ in range(count):
        pathway = rng.choice(["council", "trust", "joint", "assess", "signpost", None])
        person_id = task_world.person(
            session, pathway=pathway, band=rng.choice(["red", "amber", "green", None]),
            coordinator=rng.choice([*staff, "GONE9", None]),
            carer=rng.random() < 0.4, s117=rng.random() < 0.3, cto=rng.random() < 0.2,
            personal_budget=rng.random() < 0.3,
            accessible_format=rng.choice([None, None, "bsl", "braille", "large_print"]),
            interpreter_language=rng.choice([None, None, "Polish", "Urdu"]),
            last_discharge=rng.choice([None, TRANSFER - timedelta(days=rng.randint(1, 120))]),
            handover_date=rng.choice([None, None, TRANSFER + timedelta(days=14)]),
        )
        roles = {"council": [Role.SOCIAL_WORKER], "assess": [Role.SOCIAL_WORKER],
                 "trust": [Role.KEY_WORKER], "joint": [Role.SOCIAL_WORKER, Role.KEY_WORKER]}
        for role in roles.get(pathway or "", []):
            if rng.random() < 0.9:
                assign(session, person_id, role, rng.choice(staff))


def rows(session: Session, table: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def audit_rows(session: Session) -> list[tuple[Any, ...]]:
    """Every audit row; the time only of generation's own (the others' is the clock's)."""
    return [row if row[3].startswith("task.") else (row[0], *row[2:])
            for row in rows(session, "audit_event")]


def two_runs(database: Database, monkeypatch: pytest.MonkeyPatch, seed: int,
             sets_in_sql: bool) -> tuple[list[Any], list[Any]]:
    """Tasks and audit rows after a first run and a later one (rolled back afterwards)."""
    monkeypatch.setattr(generate._Reconciler, "sets_in_sql", sets_in_sql)
    monkeypatch.setattr(generate, "utcnow", lambda: NOW)
    rng = random.Random(seed)
    staff = ["OUT1", "IN1", "IN2", "KW1"]
    found: tuple[list[Any], list[Any]] = ([], [])
    try:
        with database.transaction() as session:
            generate_tasks(session, RULES, as_of=date(2027, 3, 1), actor=ACTOR,
                           transfer_date=TRANSFER)
            people = session.scalars(select(Person.id).order_by(Person.id)).all()
            for person_id in rng.sample(list(people), len(people) // 4):
                assign(session, person_id, rng.choice([Role.SOCIAL_WORKER, Role.KEY_WORKER]),
                       rng.choice(staff))
            session.execute(update(Person).where(Person.id == people[0]).values(
                pathway="signpost"))
            random_people(session, rng, 15, staff)
            generate_tasks(session, RULES, as_of=date(2027, 3, 20), actor=ACTOR,
                           transfer_date=TRANSFER)
            found = (rows(session, "task"), audit_rows(session))
            raise _Undo
    except _Undo:
        pass
    return found


@pytest.mark.parametrize("seed", range(3))
def test_tasks_built_by_sets_of_facts_are_the_rows_inserted_one_by_one(
        database: Database, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    with database.transaction() as session:
        task_world.build(session)
        make_staff(session, "KW2", employer="trust", role="key_worker")
        random_people(session, random.Random(seed), 60, ["OUT1", "IN1", "IN2", "KW1", "KW2"])
    one_by_one = two_runs(database, monkeypatch, seed, sets_in_sql=False)
    by_sets = two_runs(database, monkeypatch, seed, sets_in_sql=True)
    assert len(one_by_one[0]) > 200 and len(one_by_one[1]) > 60
    assert by_sets == one_by_one


def test_rows_with_constants_bound_once_are_the_rows_inserted_whole(database: Database) -> None:
    """``DirectInsert.execute`` with constants (a temporary table on SQLite) keeps every value
    and the order of the rows, so the ids the database gives them."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    varying = [(person_id, None if person_id % 3 == 0 else f'{{"n": {person_id}}}', reason)
               for person_id, reason in zip([5, 3, 9, 1, 7, 2], ["a", None, "é", "", None, "b"],
                                            strict=True)]
    constants = {"at": NOW, "actor": ACTOR, "action": "task.create", "entity": "task",
                 "entity_key": None, "field": "tasks", "before": None, "batch_id": None}
    written = []
    for bound_once in (False, True):
        try:
            with database.transaction() as session:
                columns = ("person_id", "after", "reason")
                if bound_once:
                    DirectInsert(session, table, columns).execute(session, varying, constants)
                else:
                    whole = DirectInsert(session, table, (*columns, *constants))
                    fixed = tuple(whole.time(name, value) if name == "at" else value
                                  for name, value in constants.items())
                    whole.execute(session, [row + fixed for row in varying])
                written.append(rows(session, "audit_event"))
                raise _Undo
        except _Undo:
            pass
    assert len(written[0]) == len(varying)
    assert written[1] == written[0]


@pytest.mark.parametrize("keys", [(), ("letter_gp",), tuple(RULES.tasks.enabled),
                                  ('say "hi"', "100%", "naïve", "back\\slash")])
def test_a_creation_events_json_is_the_columns_own(database: Database,
                                                   keys: tuple[str, ...]) -> None:
    """The task.create JSON filled in per person is what the audit column would encode."""
    with database.session() as session:
        processor = DirectInsert(session, AuditEvent.__table__, ("after",)).processor("after")  # type: ignore[attr-defined]
    assert processor is not None
    rows = generate._FactsRows(None, (), keys, (), 0, generate._created_json(keys))  # type: ignore[arg-type]
    for first in (1, 9, 462_704):
        ids = generate._NewIds(first, rows)
        assert ids.json() == processor(ids.as_dict())
        assert list(ids.as_dict().values()) == list(range(first, first + len(keys)))


def test_rules_that_give_nobody_a_task_create_none(database: Database, tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "none"\n' + "".join(
        f"[tasks.templates.{key}]\nenabled = false\n" for key in RULES.tasks.templates))
    with database.transaction() as session:
        task_world.build(session)
        summary = generate_tasks(session, load_rules(council), as_of=date(2027, 3, 1),
                                 actor=ACTOR, transfer_date=TRANSFER)
        assert session.scalar(text("SELECT count(*) FROM task")) == 0
    assert summary.people == 7 and summary.created == 0


def test_a_json_null_dependency_list_edited_in_by_hand_lists_as_none(database: Database) -> None:
    """A row edited outside the app with depends_on = JSON null must not stop the lists."""
    with database.transaction() as session:
        make_staff(session, staff_id="OUT1")
        random_people(session, random.Random(5), 6, ["OUT1"])
        generate_tasks(session, RULES, as_of=date(2027, 3, 1), actor=ACTOR,
                       transfer_date=TRANSFER)
        first = session.scalar(select(Task.id).order_by(Task.id))
        session.execute(text("UPDATE task SET depends_on = 'null' WHERE id = :id"), {"id": first})
    with database.session() as session:
        whole = list_tasks(session, TaskQuery(), as_of=date(2027, 3, 1))
        page = list_tasks(session, TaskQuery(limit=500), as_of=date(2027, 3, 1))
    for listed in (whole, page):
        assert [row.depends_on for row in listed.rows if row.id == first] == [[]]
