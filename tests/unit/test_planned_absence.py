"""A planned absence (``absent_from`` to ``absent_until``): the worker is at work until it
starts, so plans, tasks, the AMHP cover, the risk score and the nightly check read them as
away only on the days it covers; an ``absent_from`` alone is away from that day, no return."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from tests.check_world import RULES, TRANSFER, assign, check, of, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from tests.unit.test_risk import factors, known
from transition import db as dbmod
from transition.absence import absence_words, away_on
from transition.amhp import amhp_cover
from transition.db import Database
from transition.matching import MatchingRules, Worker
from transition.planning import propose_plan
from transition.risk import CoordinatorFacts
from transition.tasks.generate import OutgoingOwners

MAY, SEPTEMBER = date(2027, 5, 1), date(2027, 9, 30)
INSIDE = date(2027, 6, 1)


@pytest.mark.parametrize(
    ("day", "absent_from", "absent_until", "away"),
    [
        (date(2027, 4, 30), MAY, SEPTEMBER, False),  # the day before it starts
        (MAY, MAY, SEPTEMBER, True),
        (SEPTEMBER, MAY, SEPTEMBER, True),
        (date(2027, 10, 1), MAY, SEPTEMBER, False),
        (TODAY, None, SEPTEMBER, True),  # no first day: begun already, as before
        (date(2027, 4, 30), MAY, None, False),
        (date(2030, 1, 1), MAY, None, True),  # no last day: no known return
        (TODAY, None, None, False),
    ],
)
def test_away_on_a_day(day: date, absent_from: date | None, absent_until: date | None,
                       away: bool) -> None:
    assert away_on(day, absent_from, absent_until) is away


def test_the_planners_test_and_its_words_say_the_dates() -> None:
    rules = MatchingRules()
    planned = Worker("A", "council", "social_worker", None, None, 10, absent_from=MAY,
                     absent_until=SEPTEMBER)
    assert planned.unavailable(TRANSFER, rules) is None
    assert planned.unavailable(INSIDE, rules) == "absent from 2027-05-01 to 2027-09-30"
    # back_within_days still counts someone back soon as there, not someone about to go.
    assert planned.unavailable(date(2027, 9, 28), MatchingRules(back_within_days=3)) is None
    assert planned.unavailable(date(2027, 4, 30), MatchingRules(back_within_days=3)) is None
    open_ended = Worker("B", "council", "social_worker", None, None, 10, absent_from=MAY)
    assert open_ended.unavailable(date(2031, 1, 1), MatchingRules(back_within_days=30)) == (
        "absent from 2027-05-01, no return date")
    assert absence_words(MAY, SEPTEMBER, lambda day: day.strftime("%-d %b %Y")) == (
        "absent from 1 May 2027 to 30 Sep 2027")


def test_a_plan_gives_a_planned_absentee_people_handed_over_before_it_only(
    database: Database,
) -> None:
    """The only worker is on maternity leave from 1 May: the person moving on the transfer
    date (1 April) is theirs; the person whose own handover is 1 June, inside it, is not."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "PLANNED", absent_from=MAY, absent_until=SEPTEMBER)
        before = person(session, coordinator="OUT")
        inside = person(session, coordinator="OUT", handover_date=INSIDE)
        result = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
    placed = {row.person_id: row.staff_id for row in result.rows}
    assert placed[before.id] == "PLANNED"
    assert placed[inside.id] is None


def test_the_check_counts_only_the_handovers_inside_a_planned_absence(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "PLANNED", absent_from=MAY, absent_until=SEPTEMBER)
        make_staff(session, "LATER", absent_from=date(2027, 7, 1), absent_until=SEPTEMBER)
        make_staff(session, "GOING", absent_from=MAY)
        assign(session, person(session, coordinator="OUT"), "social_worker", "PLANNED")
        inside = person(session, coordinator="OUT", handover_date=INSIDE, band="red")
        assign(session, inside, "social_worker", "PLANNED")
        # Handed over before LATER's absence starts: nothing to say.
        assign(session, person(session, coordinator="OUT", handover_date=INSIDE),
               "social_worker", "LATER")
        assign(session, person(session, coordinator="OUT", handover_date=INSIDE),
               "social_worker", "GOING")
    report = check(database)
    # At work now, so not an absence that strands the people they hold.
    assert of(report, "worker_unavailable") == []
    found = {finding.staff_id: " ".join(finding.message.split())
             for finding in of(report, "absent_at_handover")}
    assert set(found) == {"PLANNED", "GOING"}
    assert found["PLANNED"].startswith(
        "Worker is absent from 2027-05-01 to 2027-09-30 (back 2027-10-01), so is away when 1 "
        "person moves to them: their handover is on 2027-06-01")
    assert "1 of them is red handover risk" in found["PLANNED"]
    assert "before the absence starts or past the return" in found["PLANNED"]
    assert found["GOING"].startswith(
        "Worker is absent from 2027-05-01, no return date, so is away when 1 person moves to "
        "them: their handover is on 2027-06-01")
    assert "and they are away from it on." in found["GOING"]
    assert "before the absence starts (`transition handover-date" in found["GOING"]


def test_a_planned_absence_under_way_is_a_long_term_absence(database: Database) -> None:
    """Begun by the day of the check (and long), it is ``worker_unavailable``, as before."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "AWAY", absent_from=date(2027, 1, 1), absent_until=SEPTEMBER)
        make_staff(session, "GONE", absent_from=date(2027, 1, 1))
        assign(session, person(session, coordinator="OUT"), "social_worker", "AWAY")
        assign(session, person(session, coordinator="OUT"), "social_worker", "GONE")
    found = {finding.staff_id: finding.message
             for finding in of(check(database), "worker_unavailable")}
    assert "is absent from 2027-01-01 to 2027-09-30 (long-term absence)" in found["AWAY"]
    assert "is absent from 2027-01-01, no return date (long-term absence)" in found["GONE"]


def test_outgoing_tasks_and_amhp_cover_read_the_first_day(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "COORD", employer="trust", role="nurse", absent_from=MAY,
                   absent_until=SEPTEMBER)
        make_staff(session, "AMHP", role="amhp", absent_from=MAY, absent_until=SEPTEMBER)
        owners = OutgoingOwners(session)
        assert owners.works_on("COORD", TRANSFER) and not owners.works_on("COORD", INSIDE)
        before = amhp_cover(session, today=TODAY, transfer=TRANSFER, roles=["amhp"])
        during = amhp_cover(session, today=TODAY, transfer=INSIDE, roles=["amhp"])
    assert [amhp.staff_id for amhp in before.council_on_day] == ["AMHP"]
    assert during.council_on_day == ()
    assert [why for _amhp, why in during.council_away] == ["absent from 2027-05-01 to 2027-09-30"]


@pytest.mark.parametrize(
    ("staff", "value"),
    [
        # Starting within the horizon the leaving date has (90 days from 15 January).
        (CoordinatorFacts("S1", absent_from=date(2027, 4, 15), absent_until=SEPTEMBER),
         "S1: absent from 2027-04-15 to 2027-09-30"),
        (CoordinatorFacts("S1", absent_from=date(2027, 4, 16), absent_until=SEPTEMBER), None),
        (CoordinatorFacts("S1", absent_from=date(2027, 2, 1)),
         "S1: absent from 2027-02-01, no return date"),
        (CoordinatorFacts("S1", absent_from=date(2026, 12, 1), absent_until=date(2027, 1, 14)),
         None),  # over
    ],
)
def test_the_risk_score_notes_a_planned_absence_within_the_leaving_horizon(
    staff: CoordinatorFacts, value: str | None,
) -> None:
    assert factors(known(coordinator=staff)).get("coordinator_leaving") == value


def test_the_migration_adds_the_column_and_takes_it_away(database: Database) -> None:
    dbmod.downgrade(database.engine, "0016_person_risk_band_override")
    columns = {column["name"] for column in inspect(database.engine).get_columns("staff")}
    assert "absent_from" not in columns and "absent_until" in columns
    database.migrate()
    columns = {column["name"] for column in inspect(database.engine).get_columns("staff")}
    assert "absent_from" in columns
    with database.transaction() as session:
        make_staff(session, "PLANNED", absent_from=MAY, absent_until=SEPTEMBER)
    assert CoordinatorFacts("PLANNED", absent_from=MAY).absent_from == MAY
