"""A small, fixed world for the pathway, risk, plan and workers screens: every value fixed,
pathways and risk decided by the shipped rules (so proposing a plan, which first brings the
decisions up to date, changes nothing), and a transfer date.

``python -m tests.tui.plan_data FILE`` writes it into a SQLite file, to look at it by hand.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.assessment import refresh_assessments
from transition.db import Database
from transition.programme import set_transfer_date
from transition.ruleset import load_rules

TRANSFER = date(2027, 4, 1)
COUNCIL = dict(care_act_outcomes=["nutrition", "hygiene"], significant_impact=True, cpa=False)
TRUST = dict(care_act_outcomes=[], cpa=True)
SIGNPOST = dict(care_act_outcomes=[], cpa=False)
RED = dict(safeguarding_open=True, last_discharge=date(2026, 12, 20), self_harm_history=True,
           missed_appointments_6m=3, lives_alone=True, admissions_12m=2)

# (family name, given name, care coordinator, fields)
PEOPLE: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("Ashworth", "Alice", "SW1", {**COUNCIL, **RED, "coordinator_since": date(2024, 6, 3)}),
    ("Baines", "Bilal", "SW1", COUNCIL),
    ("Chowdhury", "Carys", "SW1", TRUST),
    ("Dalton", "Dominic", "KW1", {**COUNCIL, "s117": True}),
    ("Egbuna", "Eve", None, {**COUNCIL, "interpreter_language": "Polish"}),
    ("Fairclough", "Farid", "KW1", {"care_act_outcomes": None}),
    ("Garside", "Grace", None, SIGNPOST),
    ("Hollins", "Harry", "SW2", {**COUNCIL, **RED, "cto": True,
                                "extra": {"forensic_history": "Y"}}),
    ("Iqbal", "Imogen", "SW2", COUNCIL),
]


def populate_plan_world(database: Database) -> None:
    """Four workers and nine people in one locality, assessed by the shipped rules."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor", team="North Council",
                   capacity=4)
        make_staff(session, "SW2", given_name="Chloe", family_name="Evans", team="North Council",
                   capacity=3, languages=["english", "polish"])
        make_staff(session, "SW3", given_name="Sam", family_name="Reid", team="North Council",
                   capacity=2)
        make_staff(session, "KW1", given_name="Ben", family_name="Carter", employer="trust",
                   role="nurse", team="North CMHT", capacity=4)
        for index, (family, given, coordinator, fields) in enumerate(PEOPLE):
            make_person(session, nhs_number=nhs_number(100 + index),
                        local_id=f"RIO{2000 + index}", family_name=family, given_name=given,
                        date_of_birth=date(1980, 1 + index, 1),
                        care_coordinator_id=coordinator, **fields)
        refresh_assessments(session, load_rules(None), as_of=TODAY, actor=ACTOR)


if __name__ == "__main__":
    target = Database(f"sqlite:///{sys.argv[1]}")
    target.migrate()
    populate_plan_world(target)
    print(f"wrote {sys.argv[1]}")
