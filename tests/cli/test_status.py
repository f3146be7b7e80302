"""`transition status`: the dashboard without the app. Each part must agree with the command
that shows it in full (plan status, tasks progress, check history)."""

from __future__ import annotations

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.config import Settings


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caseload's pathways and bands are set directly; planning must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_an_empty_database_needs_a_transfer_date(run_cli: RunCli) -> None:
    result = run_cli("status")
    assert result.exit_code == 1
    said = " ".join(result.stdout.split())
    assert "Transfer not set: transition programme set --transfer-date DATE" in said
    assert "No one is on the caseload yet" in said
    assert "Needs attention: no transfer date is set." in said


def test_status_agrees_with_each_part_shown_in_full(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    run_cli("plan", "accept")
    run_cli("tasks", "generate")
    run_cli("check")

    result = run_cli("status", "--json")
    assert result.exit_code == 1, result.output  # one person needs a worker and has none
    data = result.json()
    assert data["allocation"] == run_cli("plan", "status", "--json").json()
    progress = run_cli("tasks", "progress", "--json").json()
    assert data["tasks"] == progress["progress"]
    assert data["programme"]["transfer_date"] == "2027-04-01"
    assert data["programme"]["working_days"] == progress["countdown"]["working_days"]
    assert data["caseload"]["people"] == 10 and data["allocation"]["not_assessed"] == 1
    assert sum(data["pathways"].values()) == 9
    history = run_cli("check", "history", "--json").json()
    assert data["last_check"]["run_id"] == history[0]["run_id"]
    assert data["last_check"]["findings"]["critical"] >= 1
    assert data["attention"][0] == (
        "1 person needs a worker and has none (transition people --needs-worker)")

    text = run_cli("status")
    said = " ".join(text.stdout.split())
    assert f"Allocation Allocation from plan {data['allocation']['accepted']['plan_id']}" in said
    assert (f"{data['allocation']['roles_held']} of {data['allocation']['roles_needed']} roles "
            "held") in said
    assert f"Last check run {data['last_check']['run_id']}" in said
    assert "Needs attention: 1 person needs a worker and has none" in said
