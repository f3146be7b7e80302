"""`transition check` writes a finding's commands for its own person (helper 126): the advice
says `transition plan candidates 9990001234 ...` where NHS numbers are shown in full (a
terminal, --full-numbers, the Markdown report), and keeps the placeholder NHS_NUMBER where they
are masked (from cron): a command holding a masked number would look runnable and is not."""

from __future__ import annotations

from pathlib import Path

from tests.check_world import RULES, person, with_transfer
from tests.conftest import ACTOR, TODAY, RunCli
from tests.factories import make_staff
from transition.checks import NHS_NUMBER_IN_ADVICE, advice_for
from transition.db import Database
from transition.plan_review import accept_plan
from transition.planning import propose_plan


def _unplaceable(database: Database) -> str:
    """A person the accepted plan could not place (no worker has the skill they need)."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=1)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=1)
        not_placed = person(session, coordinator="KW1", cto=True,
                            extra={"forensic_history": "Y"})
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, actor=ACTOR)
        return not_placed.nhs_number


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_advice_for_puts_in_the_number_and_leaves_a_worker_finding_as_it_is() -> None:
    advice = "See `transition plan candidates NHS_NUMBER --role key_worker --all`."
    assert advice_for(advice, "9990000018") == (
        "See `transition plan candidates 9990000018 --role key_worker --all`.")
    assert advice_for(advice, None) == advice  # about a worker and many people
    assert advice_for("No command here.", "9990000018") == "No command here."


def test_the_check_names_the_person_in_its_commands_only_where_numbers_show_in_full(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    number = _unplaceable(database)
    command = f"`transition plan candidates {number} --role social_worker --all`"

    full = run_cli("check", "--full-numbers", "--report", tmp_path / "report.md")
    said = _flat(full.stdout)
    assert command in said, said
    assert NHS_NUMBER_IN_ADVICE not in said
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert command in report and NHS_NUMBER_IN_ADVICE not in report

    masked = run_cli("check")  # not a terminal: cron mails it
    said = _flat(masked.stdout)
    assert "`transition plan candidates NHS_NUMBER --role social_worker --all`" in said
    assert number not in said
    assert (f"A command in the advice says {NHS_NUMBER_IN_ADVICE} for the finding's own NHS "
            "number.") in said

    # The stored finding and --json keep the message as it is, the number in its own field.
    data = run_cli("check", "--json").json()
    [unassigned] = [item for item in data["findings"] if item["code"] == "unassigned"]
    assert unassigned["nhs_number"] == number
    assert NHS_NUMBER_IN_ADVICE in unassigned["message"] and number not in unassigned["message"]
