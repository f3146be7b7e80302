"""``Person.allocated_plan_id``: accepting a plan records itself on each person whose roles it
is the first to decide, so that afterwards only their current assignments hold them (the
nightly check's ``unassigned`` and ``over_capacity``, the workers screen's caseloads).
Migration 0005 fills it in from plans accepted before it existed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from tests.check_world import RULES, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition import db as dbmod
from transition.db import Database
from transition.models import Person
from transition.plan_review import accept_plan
from transition.planning import propose_plan, replan

BEFORE = "0004_plan_assignment_index"  # the revision before the column


def marks(session: Session) -> dict[int, int | None]:
    """Each person's allocated plan (None: no plan accepted for them)."""
    return dict(session.execute(select(Person.id, Person.allocated_plan_id)).all())


def four_people(session: Session) -> tuple[Person, Person, Person, Person]:
    """One council social worker; someone they can take, someone no one can (needs the
    forensic skill), someone signposted and someone with no pathway yet."""
    with_transfer(session)
    make_staff(session, "SW1")
    return (person(session, coordinator="SW1"),
            person(session, cto=True, extra={"forensic_history": "Y"}),
            person(session, pathway="signpost", coordinator="SW1"),
            person(session, pathway=None, coordinator="SW1"))


def test_accepting_marks_the_people_whose_roles_the_plan_decided(database: Database) -> None:
    with database.transaction() as session:
        placed, unplaceable, signposted, undecided = four_people(session)
        draft = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        assert set(marks(session).values()) == {None}, "a draft decides nothing"
        accept_plan(session, RULES, actor=ACTOR)
        later = person(session, coordinator="SW1")  # imported after the plan was accepted
        assert draft.plan_id is not None
        assert marks(session) == {placed.id: draft.plan_id, unplaceable.id: draft.plan_id,
                                  signposted.id: draft.plan_id, undecided.id: None,
                                  later.id: None}

    # A re-plan of some people, accepted, marks only them.
    with database.transaction() as session:
        again = replan(session, RULES, person_ids=[later.id], as_of=TODAY, actor=ACTOR,
                       refresh=False)
        accept_plan(session, RULES, plan_id=again.plan_id, actor=ACTOR)
        after = marks(session)
    assert after[later.id] == again.plan_id and after[placed.id] == draft.plan_id

    # A later plan of everyone, accepted, leaves the marks as they are: the first plan to
    # decide someone's roles is what is recorded (so accepting again rewrites no person).
    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)
        assert marks(session) == after


def test_the_migration_fills_it_in_from_plans_already_accepted(database: Database) -> None:
    with database.transaction() as session:
        placed, unplaceable, _signposted, _undecided = four_people(session)
        plan = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)  # a later one: the first is recorded
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)  # a draft only

    dbmod.downgrade(database.engine, BEFORE)
    with database.engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("person")}
    assert "allocated_plan_id" not in columns

    database.migrate()
    assert dbmod.schema_status(database.engine)[0] == dbmod.head_revision()
    # Each person with a role in an accepted plan; a signposted person has none in it, and a
    # person with no pathway was not decided (documented in the migration).
    with database.session() as session:
        marked = {key: value for key, value in marks(session).items() if value is not None}
    assert marked == {placed.id: plan.plan_id, unplaceable.id: plan.plan_id}
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
