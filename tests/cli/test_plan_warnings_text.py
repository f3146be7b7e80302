"""A plan's notes are printed as written: one that names the rules file's table
"[matching.roles]" lost it to Rich's markup (`--json` had it whole)."""

from __future__ import annotations

from datetime import date

from tests.conftest import ACTOR, RunCli
from tests.factories import make_person, make_staff
from transition.config import Settings
from transition.db import Database
from transition.programme import set_transfer_date


def test_a_plans_notes_keep_the_rules_table_they_name(run_cli: RunCli,
                                                      settings: Settings) -> None:
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            set_transfer_date(session, date(2027, 4, 1), actor=ACTOR)
            make_staff(session, "SW1", capacity=5)
            make_staff(session, "SW2", role="social wroker", capacity=5)  # fits no role
            make_person(session, pathway="council", risk_band="green")
    finally:
        database.dispose()
    for command in (("plan",), ("plan", "show")):
        result = run_cli(*command)
        assert result.exit_code == 0, result.output
        said = " ".join(result.stderr.split())
        assert "fit no role" in said and "the rules' [matching.roles]" in said, command
