"""The equality report: each group's people and measures, small counts kept back, and which
groups' shares are higher than everyone's, and whether clearly so."""

from __future__ import annotations

from datetime import date

import pytest

from tests.check_world import TRANSFER, assign, caseload_import, with_transfer
from tests.conftest import TODAY
from tests.factories import make_person, make_staff
from transition.db import Database
from transition.equality import equality_report, shown, wilson

BORN_30 = date(TODAY.year - 30, 1, 1)
BORN_80 = date(TODAY.year - 80, 1, 1)


def people(session, count: int, **fields) -> list:  # type: ignore[no-untyped-def]
    values = {"pathway": "council", "risk_band": "green", "gender": "female",
              "date_of_birth": BORN_30, "care_coordinator_id": "SW1"}
    values.update(fields)
    return [make_person(session, **values) for _ in range(count)]


def test_each_group_is_counted_and_a_clearly_higher_share_is_named(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=500)
        make_staff(session, "SW2", capacity=5)
        # White British: 200, 10 signposted (5%). Indian: 40, 20 signposted (50%): clearly more.
        people(session, 190, ethnic_category="A")
        people(session, 10, ethnic_category="A", pathway="signpost")
        people(session, 20, ethnic_category="H", gender="male", date_of_birth=BORN_80)
        people(session, 20, ethnic_category="H", pathway="signpost", gender="male")
        # Caribbean: 3 people, one red: kept back as <5.
        people(session, 2, ethnic_category="M")
        red = people(session, 1, ethnic_category="M", risk_band="red")
        assign(session, red[0], "social_worker", "SW2")  # a new worker: a handover ahead
        people(session, 6, ethnic_category=None)  # not known
        gone = people(session, 1, ethnic_category="A")[0]
        # Not in the latest export: not counted.
        gone.missing_since_batch_id = caseload_import(session, TODAY).id
        session.add(gone)
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.everyone.people == 249
    groups = {row.group: row for row in report.by_dimension("ethnic group")}
    assert list(groups) == ["White", "Asian or Asian British", "Black or Black British",
                            "Not known"]
    assert (groups["White"].people, groups["White"].counts["signposted"]) == (200, 10)
    assert groups["Black or Black British"].counts == {
        "signposted": 0, "to_assess": 0, "changing": 1, "red": 1}
    ages = {row.group: row.people for row in report.by_dimension("age band")}
    assert ages == {"25-34": 229, "75+": 20}
    assert {row.group: row.people for row in report.by_dimension("gender")} == {
        "Male": 40, "Female": 209}

    [signposted] = [item for item in report.notable
                    if item.group == "Asian or Asian British" and item.measure == "signposted"]
    assert signposted.clear and signposted.share == 0.5
    assert signposted.sentence() == (
        "Signposted: 50% of the Asian or Asian British group (ethnic group) against 12% of "
        "everyone (4.2x; 95% interval 35% to 65%: clearly higher).")
    # Groups under 20 people, and the not-known group, are listed but never judged.
    assert not any(item.group in ("Black or Black British", "Not known")
                   for item in report.notable)

    data = report.to_json()
    black = next(row for row in data["ethnic group"] if row["group"] == "Black or Black British")
    assert black["people"] == "<5" and black["red"] == {"count": "<5", "share": None}
    assert black["signposted"] == {"count": 0, "share": None}
    exact = report.to_json(exact=True)
    black = next(row for row in exact["ethnic group"] if row["group"] == "Black or Black British")
    assert black["people"] == 3 and black["red"] == {"count": 1, "share": 0.3333}
    assert data["notable"][0]["clear"] is True and data["as_of"] == TODAY.isoformat()


def test_an_empty_caseload_gives_an_empty_report(database: Database) -> None:
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.everyone.people == 0 and report.rows == [] and report.notable == []
    assert TRANSFER > TODAY


@pytest.mark.parametrize(("count", "total", "low", "high"), [
    (9, 45, 0.1090, 0.3382), (0, 10, 0.0, 0.2775), (50, 100, 0.4038, 0.5962)])
def test_the_wilson_interval(count: int, total: int, low: float, high: float) -> None:
    found = wilson(count, total)
    assert found == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_small_counts_are_kept_back_unless_asked_for_exactly() -> None:
    assert [shown(n, False) for n in (0, 1, 4, 5, 120)] == [0, "<5", "<5", 5, 120]
    assert shown(3, True) == 3
