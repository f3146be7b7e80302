"""Pathway reasons stored once per distinct list (migration 0003), read back unchanged."""

from itertools import product
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from tests.task_world import assign
from transition import db as dbmod
from transition.assessment import (
    _ListWriter,
    at_risk,
    clear_pathway_override,
    refresh_assessments,
    set_pathway_override,
)
from transition.db import Database, json_dumps
from transition.eligibility import PathwayFacts, decide_pathway
from transition.errors import DatabaseError
from transition.models import PathwayReasons, Person, Role
from transition.people import person_detail
from transition.ruleset import load_rules
from transition.stored_reasons import reasons_hash

RULES = load_rules()
BEFORE = "0002_letters"  # the revision that kept the reasons in each person row


def seed_and_assess(database: Database) -> None:
    """Twelve people (several sharing a decision), one overridden, one cleared, one new."""
    with database.transaction() as session:
        make_staff(session, "S1")
        for index in range(12):
            make_person(
                session,
                nhs_number=nhs_number(index),
                care_coordinator_id="S1",
                s117=index % 4 == 0,
                cpa=index % 3 == 0,
                cluster=index if index % 2 else None,
                care_act_outcomes=["nutrition", "hygiene"][: index % 3],
                significant_impact=index % 5 != 0,
                lives_alone=index % 2 == 0,
            )
    with database.transaction() as session:
        refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR)
    with database.transaction() as session:
        first, second = (
            session.scalars(select(Person).where(Person.nhs_number == nhs_number(i))).one()
            for i in (1, 2)
        )
        set_pathway_override(session, first, "council", reason="Agreed at panel.", actor=ACTOR)
        set_pathway_override(session, second, "council", reason="For now.", actor=ACTOR)
    with database.transaction() as session:
        second = session.scalars(select(Person).where(Person.nhs_number == nhs_number(2))).one()
        clear_pathway_override(session, second, actor=ACTOR)
    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(12))  # not assessed: no reasons


def what_readers_see(database: Database) -> dict[str, Any]:
    """`transition person --json` for everyone, and the at-risk list."""
    with database.session() as session:
        people = session.scalars(select(Person).order_by(Person.id)).all()
        details = {
            person.nhs_number: person_detail(session, person, as_of=TODAY) for person in people
        }
        ranked = [row.as_json() for row in at_risk(session)]
    return {"people": details, "at_risk": ranked}


def test_people_sharing_a_decision_share_one_stored_list(database: Database) -> None:
    seed_and_assess(database)
    with database.session() as session:
        people = session.execute(
            select(Person.pathway_reasons, Person.pathway_reasons_hash)
            .where(Person.pathway_reasons_hash.is_not(None))  # type: ignore[union-attr]
        ).all()
        stored = session.scalar(select(func.count()).select_from(PathwayReasons))
        unassessed = session.scalars(
            select(Person.pathway_reasons).where(Person.nhs_number == nhs_number(12))
        ).one()
    assert len(people) == 12 and unassessed is None
    # Each key is the hash of its list's JSON text; people with the same list share one row.
    assert all(key == reasons_hash(json_dumps(reasons)) for reasons, key in people)
    distinct = {key for _, key in people}
    assert len(distinct) < len(people)
    # The lists of the override set then cleared stay (rows are only added), nothing else.
    assert stored == len(distinct) + 1


def test_an_override_heads_the_stored_reasons_and_clearing_restores_the_rules(
    database: Database,
) -> None:
    seed_and_assess(database)
    seen = what_readers_see(database)["people"]
    overridden, cleared, alike = seen[nhs_number(1)], seen[nhs_number(2)], seen[nhs_number(5)]
    assert overridden["pathway_reasons"][0]["rule"] == "manager_override"
    assert overridden["pathway_reasons"][1:] and overridden["pathway"] == "council"
    assert cleared["pathway_reasons"][0]["rule"] != "manager_override"
    assert cleared["pathway_override"] is None and alike["pathway_reasons"]


def test_migrating_down_and_up_keeps_every_persons_reasons(database: Database) -> None:
    seed_and_assess(database)
    before = what_readers_see(database)
    assert sum(1 for detail in before["people"].values() if detail["pathway_reasons"]) == 12

    dbmod.downgrade(database.engine, BEFORE)
    # At 0002 each person row holds its own list again, the same list readers saw.
    person = sa.table("person", sa.column("nhs_number", sa.String()),
                      sa.column("pathway_reasons", sa.JSON()))
    with database.engine.connect() as connection:
        statement = select(person.c.nhs_number, person.c.pathway_reasons)
        inline = dict(connection.execute(statement).all())
        tables = sa.inspect(connection).get_table_names()
    assert "pathway_reasons" not in tables
    assert inline == {number: detail["pathway_reasons"] or None
                      for number, detail in before["people"].items()}

    database.migrate()
    assert dbmod.schema_status(database.engine)[0] == dbmod.head_revision()
    assert what_readers_see(database) == before
    with database.transaction() as session:  # and the next assessment writes the same
        refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR)
    after = what_readers_see(database)
    for number, detail in before["people"].items():
        if number != nhs_number(12):  # the one not assessed before is now
            assert after["people"][number]["pathway_reasons"] == detail["pathway_reasons"]


def test_the_bulk_reasons_text_is_exactly_what_json_dumps_gives() -> None:
    """The refresh serialises each distinct reason once and joins them (a fast path): the text,
    and so the key, must be json_dumps' own, or the lists migration 0003 stored would not be
    shared with the ones later assessments write."""
    write = _ListWriter(", ")
    outcomes = [None, [], ["nutrition"], ["nutrition", "hygiene"], ["toilet", "Made Up"],
                ["nutrition", "hygiene", "clothing", "home", "relationships"]]
    decisions = [
        decide_pathway(
            PathwayFacts.of(care_act_outcomes=listed, significant_impact=impact, s117=s117,
                            cto=cto, cpa=cpa, cluster=cluster),
            RULES.eligibility,
        )
        for listed, impact, s117, cto, cpa, cluster in product(
            outcomes, (None, True, False), (False, True), (False, True), (False, True),
            (None, 3, 17),
        )
    ]
    assert len(decisions) == 432
    for decision in decisions:
        assert write(decision.reasons) == json_dumps(decision.reasons_as_dicts())
    assert write([]) == json_dumps([])


def test_migrating_a_database_whose_people_have_assignments_keeps_them(
    database: Database,
) -> None:
    """Rows referring to people (here assignments) do not stop SQLite rebuilding the person
    table, and survive it: the migration runs with foreign keys off and checks them after."""
    seed_and_assess(database)
    with database.transaction() as session:
        people = session.scalars(select(Person.id).order_by(Person.id)).all()
        for person_id in people[:5]:
            assign(session, person_id, Role.SOCIAL_WORKER, "S1")

    def assignments() -> list[tuple[Any, ...]]:
        with database.engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(
                "SELECT person_id, role, staff_id FROM assignment ORDER BY id")]

    held = assignments()
    assert len(held) == 5
    dbmod.downgrade(database.engine, BEFORE)
    assert assignments() == held
    database.migrate()
    assert assignments() == held
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # on again for everything after the migration
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_a_migration_that_would_leave_broken_references_changes_nothing(
    database: Database,
) -> None:
    if database.engine.dialect.name != "sqlite":
        return  # PostgreSQL checks every reference as it goes
    seed_and_assess(database)
    dbmod.downgrade(database.engine, BEFORE)
    with database.engine.connect() as connection:  # a reference already broken, by hand
        driver = connection.connection.driver_connection
        driver.execute("PRAGMA foreign_keys = OFF")
        driver.execute(
            "INSERT INTO assignment (person_id, role, staff_id, since, locked, source, "
            "created_at, created_by) VALUES (999999, 'social_worker', 'S1', '2027-04-01', 0, "
            "'plan', '2027-04-01', 'someone')"
        )
        driver.commit()
        driver.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(DatabaseError, match="broken references in assignment"):
        database.migrate()
    assert dbmod.schema_status(database.engine)[0] == BEFORE
