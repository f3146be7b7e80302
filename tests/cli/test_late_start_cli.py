"""`plan accept` after a person's handover date has passed: a new worker starts on a fresh
date (10 working days after today, 15 January 2027: Friday 29 January), the person's handover
date moves to it, and accept says how many; a coordinator carrying on and a handover still
ahead are left as they were (both databases)."""

from __future__ import annotations

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.config import Settings

START = "2027-01-29"


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands are built directly (tests/caseloads.py): plan must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_accept_starts_new_workers_later_when_the_handover_has_passed(
    run_cli: RunCli, settings: Settings
) -> None:
    people = caseload_numbers(settings)

    def detail(label: str) -> dict[str, object]:
        found = run_cli("person", people[label], "--json")
        assert found.exit_code == 0, found.output
        return found.json()  # type: ignore[no-any-return]

    def since(label: str) -> dict[str, str]:
        return {item["role"]: item["since"]  # type: ignore[index]
                for item in detail(label)["workers"]}  # type: ignore[union-attr]

    # Their own handover dates passed on 4 January (today is 15 January 2027).
    for label in ("polish", "keeps"):
        assert run_cli("handover-date", people[label], "2027-01-04").exit_code == 0
    run_cli("plan")  # exit 1: one role it cannot fill
    accepted = run_cli("plan", "accept", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.json()["late_starts"] == 1
    assert accepted.json()["letters_out_of_date"] == 0

    # A new worker: a fresh start, and the handover date with it.
    assert since("polish") == {"social_worker": START}
    assert detail("polish")["handover_date"] == START
    # SW1 carries on for "keeps": the export's date, and their handover date stays.
    assert since("keeps") == {"social_worker": "2025-06-01"}
    assert detail("keeps")["handover_date"] == "2027-01-04"
    # A handover still ahead: the transfer date, as before.
    assert since("trust") == {"key_worker": "2027-04-01"}

    trail = run_cli("audit", "--nhs", people["polish"], "--action", "person.handover_date",
                    "--json").json()
    moved = [event for event in trail if event["after"] == START]
    assert [event["before"] for event in moved] == ["2027-01-04"]
    assert "a new worker after the handover date had passed" in moved[0]["reason"]


def test_accept_says_how_many_new_workers_start_later(run_cli: RunCli,
                                                      settings: Settings) -> None:
    people = caseload_numbers(settings)
    for label in ("polish", "trust"):
        assert run_cli("handover-date", people[label], "2027-01-04").exit_code == 0
    run_cli("plan")  # exit 1: one role it cannot fill
    accepted = run_cli("plan", "accept")
    assert accepted.exit_code == 0, accepted.output
    assert ("2 people's handover dates had already passed: their new workers start later, "
            "and each one's handover date moved to that day") in " ".join(accepted.stdout.split())
