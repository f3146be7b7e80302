"""`transition assign ... --lock` of the worker the draft proposes: the draft stays ready to
accept, and the command says so; another worker, or an unlock, still puts it out of date. On
both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import CliResult, RunCli
from transition.config import Settings


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands are built directly (tests/caseloads.py): `plan` must not re-decide
    them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def said(result: CliResult) -> str:
    return " ".join(result.stdout.split())  # Rich wraps long lines


def test_a_lock_of_the_planned_worker_keeps_the_draft_ready(run_cli: RunCli,
                                                            settings: Settings) -> None:
    people = caseload_numbers(settings)
    draft = run_cli("plan", "--json").json()
    row = next(item for item in draft["assignments"] if item["nhs_number"] == people["polish"])
    assert (row["staff_id"], row["locked"]) == ("SW2", False)

    done = run_cli("assign", people["polish"], "SW2", "--role", "social_worker", "--reason",
                   "Speaks Polish", "--lock")
    assert done.exit_code == 0, done.output
    assert "SW2 is now the social worker" in said(done)
    assert (f"Draft plan {draft['plan_id']} already proposed this worker, so it stays ready "
            "to accept (transition plan accept).") in said(done)
    assert "Make the draft again" not in said(run_cli("plan", "status"))
    shown = run_cli("plan", "show", "--json").json()
    row = next(item for item in shown["assignments"] if item["nhs_number"] == people["polish"])
    assert (row["staff_id"], row["locked"]) == ("SW2", True)
    assert shown["locked"] == draft["locked"] + 1

    accepted = run_cli("plan", "accept", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.json()["plan_id"] == draft["plan_id"]
    person = run_cli("person", people["polish"], "--json").json()
    [worker] = person["workers"]
    assert (worker["staff_id"], worker["locked"]) == ("SW2", True)
    audit = run_cli("audit", "--action", "assignment.manager", "--json").json()
    assert [item["after"]["locked"] for item in audit] == [True]  # the lock, audited


def test_json_names_the_draft_and_what_else_changed(run_cli: RunCli,
                                                    settings: Settings) -> None:
    people = caseload_numbers(settings)
    plan_id = run_cli("plan", "--json").json()["plan_id"]
    other = run_cli("assign", people["keeps"], "SW2", "--role", "social_worker", "--reason",
                    "Covering", "--lock")  # not the draft's SW1: out of date
    assert other.exit_code == 0 and "already proposed" not in said(other)
    done = run_cli("assign", people["polish"], "SW2", "--role", "social_worker", "--reason",
                   "Speaks Polish", "--lock", "--json")
    assert done.exit_code == 0, done.output
    assert done.json()["confirms_draft"] == {"plan_id": plan_id,
                                             "changed_since": ["who holds a case"]}
    refused = run_cli("plan", "accept")
    assert refused.exit_code != 0
    assert "who holds a case changed" in " ".join(refused.stderr.split())


def test_an_unlock_after_the_lock_puts_the_draft_out_of_date(run_cli: RunCli,
                                                             settings: Settings) -> None:
    people = caseload_numbers(settings)
    run_cli("plan")
    locked = run_cli("assign", people["polish"], "SW2", "--role", "social_worker", "--reason",
                     "Speaks Polish", "--lock")
    assert "stays ready to accept" in said(locked)
    unlocked = run_cli("unlock", people["polish"])
    assert unlocked.exit_code == 0, unlocked.output
    assert "Make the draft again before accepting it" in said(run_cli("plan", "status"))
    refused = run_cli("plan", "accept")
    assert refused.exit_code != 0
    assert "who holds a case changed" in " ".join(refused.stderr.split())


def test_a_choices_file_locking_the_planned_worker_keeps_the_draft_and_a_dry_run_nothing(
    run_cli: RunCli, settings: Settings, tmp_path: Path
) -> None:
    people = caseload_numbers(settings)
    plan_id = run_cli("plan", "--json").json()["plan_id"]
    choices = tmp_path / "meeting.csv"
    choices.write_text("NHS number,Staff ID,Role,Reason,Lock\n"
                       f"{people['polish']},SW2,social_worker,Speaks Polish,yes\n",
                       encoding="utf-8")
    tried = run_cli("assign", "--file", str(choices), "--dry-run")
    assert tried.exit_code == 0, tried.output
    shown = run_cli("plan", "show", "--json").json()
    row = next(item for item in shown["assignments"] if item["nhs_number"] == people["polish"])
    assert row["locked"] is False and shown["locked"] == 0  # the dry run left the draft alone

    done = run_cli("assign", "--file", str(choices))
    assert done.exit_code == 0, done.output
    shown = run_cli("plan", "show", "--json").json()
    row = next(item for item in shown["assignments"] if item["nhs_number"] == people["polish"])
    assert row["locked"] is True and shown["locked"] == 1
    accepted = run_cli("plan", "accept", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.json()["plan_id"] == plan_id
