"""AMHP cover: the council's own AMHPs on the transfer date against today's rota."""

from __future__ import annotations

from datetime import date

from tests.check_world import TRANSFER, check, days, of, with_transfer
from tests.conftest import TODAY
from tests.factories import make_staff
from transition.amhp import amhp_cover, describe_shortfall
from transition.checks import CheckRules
from transition.db import Database
from transition.ruleset import load_rules


def _rota(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "CA1", role="amhp", fte=1.0)
        make_staff(session, "CA2", role="AMHP", fte=0.5)  # roles compare as words
        make_staff(session, "CA3", role="amhp", fte=None)  # no FTE given: counted as 1.0
        make_staff(session, "CGONE", role="amhp", leaving_date=date(2027, 3, 1))
        make_staff(session, "CAWAY", role="amhp", absent_until=date(2027, 6, 1))
        make_staff(session, "CLATER", role="amhp", leaving_date=date(2027, 9, 1))
        make_staff(session, "TA1", role="amhp", employer="trust", team="North CMHT", fte=0.8)
        make_staff(session, "SW1")  # a social worker: not an AMHP


def test_the_council_alone_on_the_transfer_date_against_everyone_on_the_rota_today(
    database: Database,
) -> None:
    _rota(database)
    with database.session() as session:
        cover = amhp_cover(session, today=TODAY, transfer=TRANSFER, roles=["amhp"])
    # CAWAY is away today as well as then: on neither rota.
    assert [amhp.staff_id for amhp in cover.rota_today] == [
        "CA1", "CA2", "CA3", "CGONE", "CLATER", "TA1"]
    assert cover.rota_fte == 5.3
    assert [amhp.staff_id for amhp in cover.council_on_day] == ["CA1", "CA2", "CA3", "CLATER"]
    assert cover.council_fte == 3.5
    assert [(amhp.staff_id, why) for amhp, why in cover.council_away] == [
        ("CGONE", "leaves on 2027-03-01")]
    assert [amhp.staff_id for amhp in cover.others] == ["TA1"]
    assert (cover.others_fte, cover.short_fte) == (0.8, 1.8)
    message = describe_shortfall(cover)
    assert ("3.5 FTE (4 AMHPs), against 5.3 FTE on the rota today (6 AMHPs): 1.8 FTE short"
            in message)
    assert "1 AMHP the council does not employ (0.8 FTE)" in message
    assert "Council AMHPs gone by then: CGONE leaves on 2027-03-01." in message
    assert "WorkerCA1" not in message and "Jo " not in message  # ids, never names


def test_a_needed_fte_in_the_rules_is_the_yardstick(database: Database) -> None:
    _rota(database)
    with database.session() as session:
        enough = amhp_cover(session, today=TODAY, transfer=TRANSFER, roles=["amhp"],
                            needed_fte=3.5)
        short = amhp_cover(session, today=TODAY, transfer=TRANSFER, roles=["amhp"],
                           needed_fte=5)
    assert enough.short_fte == 0
    assert short.short_fte == 1.5
    assert "below the 5 FTE the rules file says the 24/7 AMHP service needs" in (
        describe_shortfall(short))


def test_the_check_raises_one_warning_when_the_council_falls_short(database: Database) -> None:
    _rota(database)
    [finding] = of(check(database), "amhp_cover")
    assert (finding.severity, finding.staff_id, finding.person_id) == ("warning", None, None)
    assert "On 2027-04-01 the council's own AMHPs come to 3.5 FTE" in finding.message


def test_no_finding_when_the_council_keeps_the_cover_or_lists_no_amhps(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
    assert of(check(database), "amhp_cover") == []  # no AMHPs listed: nothing to judge
    with database.transaction() as session:
        make_staff(session, "CA1", role="amhp")
        make_staff(session, "CA2", role="amhp", leaving_date=date(2027, 9, 1))
        make_staff(session, "BACK", role="amhp", absent_until=days(20))  # back well before
    assert of(check(database), "amhp_cover") == []


def test_after_the_transfer_date_today_is_the_day_counted(database: Database) -> None:
    _rota(database)
    # Past the transfer: CGONE has left, CAWAY is still away, CLATER is still there.
    report = check(database, as_of=date(2027, 4, 20))
    [finding] = of(report, "amhp_cover")
    assert "On 2027-04-20 the council's own AMHPs come to 3.5 FTE" in finding.message
    assert "against 4.3 FTE on the rota today (5 AMHPs)" in finding.message


def test_the_rules_name_the_amhp_roles_and_the_needed_fte() -> None:
    rules = load_rules(None).checks
    assert (rules.amhp_roles, rules.amhp_cover_fte) == (["amhp"], None)
    custom = CheckRules(amhp_roles=["amhp", "approved_mental_health_professional"],
                        amhp_cover_fte=4.5)
    assert custom.amhp_cover_fte == 4.5
