"""A new worker starts on the person's handover date, and moves with it (both databases).

`transition handover-date` (one person or a team) and `transition programme set` move the
``since`` of the new workers whose start is still ahead; a coordinator carrying on keeps the
date the export gives, and a worker who has already started keeps theirs.
"""

from __future__ import annotations

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.config import Settings


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands are built directly (tests/caseloads.py): plan must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_new_workers_start_on_the_handover_date_as_it_moves(run_cli: RunCli,
                                                            settings: Settings) -> None:
    people = caseload_numbers(settings)

    def since(label: str) -> dict[str, str]:
        detail = run_cli("person", people[label], "--json").json()
        return {item["role"]: item["since"] for item in detail["workers"]}

    run_cli("plan")
    assert run_cli("plan", "accept").exit_code == 0
    # SW1 carries on for "keeps" (the export's date); KW1, the trust's coordinator, carries
    # on as the joint person's key worker (no date in the export: accept gives the transfer
    # date); the others' workers are new and start on the transfer date.
    assert since("keeps") == {"social_worker": "2025-06-01"}
    assert since("joint")["key_worker"] == "2027-04-01"
    assert since("polish") == {"social_worker": "2027-04-01"}
    assert since("trust") == {"key_worker": "2027-04-01"}

    moved = run_cli("handover-date", people["polish"], "2027-03-15", "--reason", "Phase 1")
    assert moved.exit_code == 0, moved.output
    assert "Their new worker now starts that day too." in moved.stdout
    assert since("polish") == {"social_worker": "2027-03-15"}
    trail = run_cli("audit", "--nhs", people["polish"], "--action", "assignment.since",
                    "--json").json()
    assert [(event["before"]["since"], event["after"]["since"], event["reason"])
            for event in trail] == [("2027-04-01", "2027-03-15", "Phase 1")]

    kept = run_cli("handover-date", people["keeps"], "2027-03-15", "--json")
    assert kept.json()["worker_starts_moved"] == 0
    assert since("keeps") == {"social_worker": "2025-06-01"}

    # A handover already past (today is 15 January 2027): the new worker started then...
    run_cli("handover-date", people["trust"], "2027-01-04")
    assert since("trust") == {"key_worker": "2027-01-04"}

    # ...so a later change of the team's date leaves them; everyone else's new workers follow.
    team = run_cli("handover-date", "--team", "north cmht", "2027-03-22", "--json")
    assert team.exit_code == 0, team.output
    assert team.json()["worker_starts_moved"] >= 2
    assert since("polish") == {"social_worker": "2027-03-22"}
    assert since("trust") == {"key_worker": "2027-01-04"}
    assert since("keeps") == {"social_worker": "2025-06-01"}
    assert since("joint")["key_worker"] == "2027-04-01"

    # Back to the programme's date, and then the programme's date moves.
    run_cli("handover-date", "--team", "North CMHT", "--clear")
    assert since("polish") == {"social_worker": "2027-04-01"}
    programme = run_cli("programme", "set", "--transfer-date", "2027-04-06", "--json")
    assert programme.json()["worker_starts_moved"] >= 1
    assert since("polish") == {"social_worker": "2027-04-06"}
    assert since("keeps") == {"social_worker": "2025-06-01"}

    # A manager's choice after that starts on the person's own date.
    run_cli("handover-date", people["forensic"], "2027-03-29")
    given = run_cli("assign", people["forensic"], "SW4", "--role", "social_worker",
                    "--reason", "Forensic skills", "--force")
    assert given.exit_code == 0, given.output
    assert since("forensic") == {"social_worker": "2027-03-29"}
