"""The CLI says what the plan screen says of a role a new plan leaves unassigned while someone
holds it: it stays with them until a manager decides (plan, plan show, plan status, plan
accept), and the holder keeps it after accepting."""

from __future__ import annotations

from tests.conftest import RunCli
from tests.factories import nhs_number
from tests.unit.test_unassigned_holders import accepted_then_sw1_leaving
from transition.db import Database

STAYS = "now until a manager decides"


def test_plan_show_status_and_accept_say_the_role_stays_with_its_holder(
        database: Database, run_cli: RunCli) -> None:
    plan_id = accepted_then_sw1_leaving(database)
    shown = run_cli("plan", "show")
    said = " ".join(shown.stdout.split())
    assert shown.exit_code == 0, shown.output
    assert f"Plan {plan_id} (draft, plan)" in said
    assert "Roles unassigned: " in said and f"stay with who holds them {STAYS})." in said
    assert "stays with Ana Okafor (SW1) until a manager decides:" in said
    assert "current worker SW1 not active on" in said  # why SW1 could not keep them
    data = run_cli("plan", "show", "--json").json()
    assert 0 < data["unassigned_staying"] <= data["unassigned"]

    status = " ".join(run_cli("plan", "status").stdout.split())
    assert (f"{data['unassigned']} unassigned ({data['unassigned_staying']} stay with who holds "
            f"them {STAYS})." in status)

    accepted = run_cli("plan", "accept")
    said = " ".join(accepted.stdout.split())
    assert accepted.exit_code == 0, accepted.output
    assert (f"{data['unassigned']} roles are still unassigned ({data['unassigned_staying']} stay "
            f"with who holds them {STAYS})" in said)
    person = run_cli("person", nhs_number(100), "--json").json()  # Ashworth: SW1 still
    assert [(item["role"], item["staff_id"]) for item in person["workers"]] == [
        ("social_worker", "SW1")]
