"""The bulk helpers: pausing the cyclic garbage collector; COPY on PostgreSQL."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_person
from transition.bulk import collector_paused, copy_rows
from transition.db import Database
from transition.models import AuditEvent, PlanAssignment


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_objects_made_while_paused_go_to_the_oldest_generation_unscanned() -> None:
    gc.collect()  # every generation's count at zero: what follows is a young collection at most
    with collector_paused():
        assert not gc.isenabled()
        kept = [[index] for index in range(10_000)]
    assert gc.isenabled()
    # Re-enabled with 10,000 young objects, the collector would scan them at the next
    # allocation and move them to the middle generation; handed over, they are already oldest.
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(kept[0]) in oldest and id(kept[-1]) in oldest


def test_cycles_made_while_paused_are_still_collected() -> None:
    with collector_paused():
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        alive = weakref.ref(first)
        del first, second
    assert alive() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert alive() is None


def test_a_nested_pause_leaves_the_collector_paused() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_copy_gives_the_rows_an_insert_gives(database: Database) -> None:
    at = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    columns = ("at", "actor", "action", "entity", "entity_key", "person_id", "field", "before",
               "after", "reason")
    awkward = "tab\there, newline\nthere, back\\slash, quote \" and Łódź"
    values = [
        (at, "manager", "plan.accept", "plan", None, 7, "workers", None, '["SW1",{"n":1.5}]',
         awkward),
        (at, awkward, "x", "y", "k", None, None, '"text"', "null", None),
    ]
    with database.transaction() as session:
        copied = copy_rows(session.connection(), "audit_event", columns, values)
    if database.engine.dialect.name != "postgresql":
        assert copied is False
        with database.session() as session:
            assert session.scalar(select(AuditEvent.id)) is None  # nothing inserted
        return
    assert copied is True
    with database.transaction() as session:  # the same rows through an INSERT
        session.execute(insert(AuditEvent), [
            {**dict(zip(columns, row, strict=True)),
             "before": None if row[7] is None else json.loads(row[7]),
             "after": json.loads(row[8])} for row in values])
    with database.session() as session:
        stored = session.execute(select(*(getattr(AuditEvent, name) for name in columns))
                                 .order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in stored[:2]] == [tuple(row) for row in stored[2:]]
    assert stored[0].after == ["SW1", {"n": 1.5}] and stored[0].reason == awkward


def test_a_failed_copy_is_sqlalchemys_error_and_writes_nothing(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with database.transaction() as session:
        person = make_person(session, pathway="council", risk_band="green")
    columns = ("plan_id", "person_id", "role", "kept", "locked")
    with pytest.raises(IntegrityError, match="plan_id"), database.transaction() as session:
        copy_rows(session.connection(), "plan_assignment", columns,
                  [(999, person.id, "social_worker", False, False)])  # no plan 999
    with database.session() as session:
        assert session.scalar(select(PlanAssignment.id)) is None
