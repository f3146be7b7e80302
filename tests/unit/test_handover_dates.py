"""A person's own handover date (a phased move) is honoured wherever a handover date is read:
here, the nightly check's ``worker_unavailable``."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from tests.check_world import assign, check, of, person, with_transfer
from tests.factories import make_staff
from transition.db import Database
from transition.export import pseudonymised_export


def test_worker_leaving_before_a_persons_own_later_handover_is_unavailable(
    database: Database,
) -> None:
    """The programme moves everyone on 1 April 2027; a phased move gives one person 1 June.
    A worker leaving on 14 May is there for the programme's date but gone before that person
    is handed to them (or, as their coordinator, hands them over): the check must say so, as
    it does for a worker leaving before the transfer date."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "INCOMING", leaving_date=date(2027, 5, 14))
        make_staff(session, "KEEPER", leaving_date=date(2027, 5, 14))
        make_staff(session, "FINE", leaving_date=date(2027, 5, 14))
        make_staff(session, "LATER", leaving_date=date(2027, 9, 1))
        phased = person(session, coordinator="OUT", handover_date=date(2027, 6, 1))
        assign(session, phased, "social_worker", "INCOMING")
        # Before a plan, their coordinator holds them through their own date.
        person(session, coordinator="KEEPER", handover_date=date(2027, 6, 1))
        # Held by a worker who leaves after the person's own (earlier) date: theirs to do.
        early = person(session, coordinator="OUT", handover_date=date(2027, 5, 4))
        assign(session, early, "social_worker", "FINE")
        # Leaving after everyone's handover: no finding (as before).
        later = person(session, coordinator="OUT", handover_date=date(2027, 6, 1))
        assign(session, later, "social_worker", "LATER")
    found = {finding.staff_id: finding.message
             for finding in of(check(database), "worker_unavailable")}
    assert set(found) == {"INCOMING", "KEEPER"}
    assert ("leaves on 2027-05-14, on or before the handover date of someone they hold "
            "(2027-06-01)") in found["INCOMING"]
    assert "still holds 1 person" in found["INCOMING"]
    assert "`transition check --apply` proposes new workers" in found["INCOMING"]
    assert "on or before the handover date of someone they hold" in found["KEEPER"]


def test_the_partner_export_gives_everyone_their_handover_date(
    database: Database, tmp_path: Path
) -> None:
    """caseload.csv's handover_date is the day each person moves: their own date, else the
    programme's. Left blank for everyone moving on the transfer date (the export does not
    carry that date anywhere else), a partner could not tell when most people move."""
    with database.transaction() as session:
        with_transfer(session)
        person(session, coordinator="OUT")
        person(session, coordinator="OUT", handover_date=date(2027, 5, 4))
        pseudonymised_export(session, out_dir=tmp_path / "out", key=b"k" * 32,
                             as_of=date(2027, 1, 15), actor="test")
    with (tmp_path / "out" / "caseload.csv").open(newline="") as handle:
        dates = sorted(row["handover_date"] for row in csv.DictReader(handle))
    assert dates == ["2027-04-01", "2027-05-04"]


def test_an_absent_worker_back_for_the_transfer_but_not_for_an_own_earlier_date(
    database: Database,
) -> None:
    """A worker away until 1 March is back for the programme's date (1 April): plans keep
    their people. But a person they hold with their own handover date of 15 February (a phased
    move) is handed over while they are away: a plan moves that person, so the check must not
    say plans keep everyone, and must point at --apply for them."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "AWAY", absent_until=date(2027, 3, 1))
        make_staff(session, "AWAY_LATE", absent_until=date(2027, 3, 1))
        make_staff(session, "COORD", absent_until=date(2027, 3, 1))
        early = person(session, coordinator="OUT", handover_date=date(2027, 2, 15))
        assign(session, early, "social_worker", "AWAY")
        assign(session, person(session, coordinator="OUT"), "social_worker", "AWAY")
        # An own date after they are back: plans keep this one too.
        later = person(session, coordinator="OUT", handover_date=date(2027, 3, 20))
        assign(session, later, "social_worker", "AWAY_LATE")
        # Before a plan, their coordinator holds them through their own date.
        person(session, coordinator="COORD", handover_date=date(2027, 2, 1))
        person(session, coordinator="COORD", handover_date=date(2027, 2, 22))
    found = {finding.staff_id: " ".join(finding.message.split())
             for finding in of(check(database), "worker_unavailable")}
    assert set(found) == {"AWAY", "AWAY_LATE", "COORD"}
    assert "is absent until 2027-03-01" in found["AWAY"]
    assert "so plans keep their people with them" not in found["AWAY"]
    assert ("They are back before the transfer date (2027-04-01) but not before the own "
            "handover date of 1 person they hold (the first on 2027-02-15): `transition check "
            "--apply` proposes new workers for that person") in found["AWAY"]
    assert "so plans keep their people with them" in found["AWAY_LATE"]
    assert "`transition check --apply`" not in found["AWAY_LATE"]
    assert "of 2 people they hold (the first on 2027-02-01)" in found["COORD"]
