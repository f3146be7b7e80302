"""`transition plan show` marks a planned worker who leaves, or whose long planned absence
starts, soon after the person's handover (what the check's ``away_after_handover`` says once
the plan is accepted): in the new workers' table, in an outgoing worker's handover list, and
as ``soon_after_handover`` in every ``--json`` assignment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import ACTOR, TODAY, RunCli
from tests.factories import make_person, make_staff
from transition.commands import common
from transition.config import Settings
from transition.db import Database
from transition.planning import propose_plan
from transition.programme import set_transfer_date
from transition.ruleset import load_rules


def _planned(settings: Settings) -> str:
    """Two people moving from a trust nurse to the only two council social workers, one
    leaving 10 working days after the transfer date, one away from the 20th; a third (trust
    pathway) staying with the nurse. A draft plan of them; the third's NHS number."""
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            set_transfer_date(session, date(2027, 4, 1), actor=ACTOR)
            make_staff(session, "KW1", employer="trust", role="nurse", capacity=4)
            make_staff(session, "SW1", capacity=1, leaving_date=date(2027, 4, 15))
            make_staff(session, "SW2", capacity=1, absent_from=date(2027, 4, 29),
                       absent_until=date(2027, 11, 30))
            for _council in range(2):
                make_person(session, pathway="council", risk_band="green",
                            care_coordinator_id="KW1")
            staying = make_person(session, pathway="trust", risk_band="green",
                                  care_coordinator_id="KW1").nhs_number
            propose_plan(session, load_rules(None), as_of=TODAY, actor=ACTOR, refresh=False)
        return staying
    finally:
        database.dispose()


def _last_column(text: str) -> str:
    """The words of each table's last column, read down (a cell wraps over lines)."""
    cells = (line.split("│")[-2] for line in text.splitlines() if line.count("│") >= 2)
    return " ".join(" ".join(cells).split())


def test_plan_show_marks_a_worker_leaving_or_away_soon_after_the_handover(
    run_cli: RunCli, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    trust_person = _planned(settings)
    monkeypatch.setattr(common.console, "width", 80)  # read from COLUMNS once, at import
    leaves = ("Leaves soon: leaves on 2027-04-15, 10 working days after the handover on "
              "2027-04-01: another change of worker soon after the handover")
    away = ("Away soon: absent from 2027-04-29 to 2027-11-30, 20 working days after the "
            "handover on 2027-04-01: another change of worker soon after the handover")
    shown = run_cli("plan", "show")
    assert shown.exit_code == 0, shown.output
    why = _last_column(shown.stdout)
    assert leaves in why and away in why
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80

    handing = run_cli("plan", "show", "--from", "KW1")  # the nurse's handover list
    assert handing.exit_code == 0, handing.output
    why = _last_column(handing.stdout)
    assert leaves in why and away in why and why.count("soon after the handover") == 2
    assert max(len(line) for line in handing.stdout.splitlines()) <= 80

    data = run_cli("plan", "show", "--json").json()
    soon = {item["staff_id"]: item["soon_after_handover"] for item in data["assignments"]}
    assert soon == {
        "SW1": "leaves on 2027-04-15, 10 working days after the handover on 2027-04-01",
        "SW2": "absent from 2027-04-29 to 2027-11-30, 20 working days after the handover on "
        "2027-04-01",
        "KW1": None,  # the coordinator carrying on: no change of worker
    }
    stays = next(item for item in data["assignments"] if item["staff_id"] == "KW1")
    assert stays["nhs_number"] == trust_person

    # A rules file that cannot be read: the plan is still shown, unmarked, and stderr says why.
    bad = tmp_path / "rules.toml"
    bad.write_text("[checks]\naway_after_handover_working_days = 5000000\n", "utf-8")
    monkeypatch.setenv("TRANSITION_RULES_FILE", str(bad))
    unmarked = run_cli("plan", "show", "--json")
    assert unmarked.exit_code == 0, unmarked.output
    assert {item["soon_after_handover"] for item in unmarked.json()["assignments"]} == {None}
    said = " ".join(unmarked.stderr.split())
    assert "soon after a handover are not marked" in said and "line 2" in said
