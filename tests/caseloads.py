"""A small caseload with every kind of case, for planning tests (unit and CLI)."""

from __future__ import annotations

from datetime import date

from tests.conftest import ACTOR
from tests.factories import make_person, make_staff
from transition.config import Settings
from transition.db import Database
from transition.models import Person
from transition.programme import set_transfer_date
from transition.ruleset import Rules, load_rules

TRANSFER = date(2027, 4, 1)


def build_caseload(database: Database) -> dict[str, int]:
    """A small caseload with every kind of case; returns person ids by label."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", seconded=True, team="North CMHT", council_team="North Council",
                   capacity=4)
        make_staff(session, "SW2", team="North Council", capacity=3, gender="male",
                   languages=["english", "polish"])
        make_staff(session, "SW3", seconded=True, team="North CMHT", council_team=None, capacity=5)
        make_staff(session, "SW4", team="South Council", locality="South", capacity=5,
                   skills=["forensic"])
        make_staff(session, "KW1", employer="trust", role="nurse", team="North CMHT", capacity=4)
        make_staff(session, "KW2", employer="trust", role="nurse", team="North CMHT", capacity=4,
                   leaving_date=date(2027, 3, 31))
        people = {
            "keeps": make_person(session, pathway="council", risk_band="green",
                                 care_coordinator_id="SW1", coordinator_since=date(2025, 6, 1)),
            "keeps_red": make_person(session, pathway="council", risk_band="red",
                                     care_coordinator_id="SW1"),
            "trust": make_person(session, pathway="trust", risk_band="amber",
                                 care_coordinator_id="SW1"),
            "joint": make_person(session, pathway="joint", risk_band="green",
                                 care_coordinator_id="KW1"),
            "undecided_team": make_person(session, pathway="council", risk_band="green",
                                          care_coordinator_id="SW3"),
            "polish": make_person(session, pathway="council", risk_band="green",
                                  interpreter_language="Polish"),
            "signpost": make_person(session, pathway="signpost", risk_band="green"),
            "no_pathway": make_person(session, pathway=None, risk_band=None),
            "forensic": make_person(session, pathway="council", risk_band="amber", cto=True,
                                    extra={"forensic_history": "Y"}),
            "assess": make_person(session, pathway="assess", risk_band="green",
                                  care_coordinator_id="KW2"),
        }
        return {label: person.id for label, person in people.items() if person.id is not None}


def caseload_numbers(settings: Settings) -> dict[str, str]:
    """:func:`build_caseload` in the database ``settings`` name; NHS numbers by label."""
    database = Database.from_settings(settings)
    try:
        ids = build_caseload(database)
        with database.session() as session:
            return {label: session.get(Person, person_id).nhs_number  # type: ignore[union-attr]
                    for label, person_id in ids.items()}
    finally:
        database.dispose()


def rules_with_red_cap(cap: int) -> Rules:
    """The shipped rules with at most ``cap`` red-band handovers a worker."""
    rules = load_rules()
    return rules.model_copy(update={"matching": rules.matching.model_copy(
        update={"max_red_handovers_per_worker": cap})})
