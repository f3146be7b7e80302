"""`transition check` from the command line: an earlier `--apply` draft a later check discards
(and what `plan show`, `plan status` and `plan accept` then say), and a database with no staff
list."""

from __future__ import annotations

import json

from tests.check_world import assign, caseload_import, days, person, with_transfer
from tests.conftest import TODAY, RunCli
from tests.factories import make_staff
from transition.db import Database
from transition.models import Person


def _leaver_world(database: Database, held: int = 1) -> list[Person]:
    """GONE leaves in a week holding ``held`` people; SW1 and SW2 have room."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", capacity=5)
        make_staff(session, "GONE", leaving_date=days(7))
        people = [person(session, coordinator="X") for _ in range(held)]
        for made in people:
            assign(session, made, "social_worker", "GONE")
    return people


def _draft_id(run_cli: RunCli) -> int:
    result = run_cli("check", "--apply", "--json")
    assert result.exit_code == 1, result.output
    [plan_id] = {move["plan_id"] for move in result.json()["proposed_moves"]}
    return int(plan_id)


def test_chk5_a_check_that_finds_no_one_to_replan_discards_the_earlier_draft(
    database: Database, run_cli: RunCli, tmp_path,
) -> None:
    [held] = _leaver_world(database)
    draft = _draft_id(run_cli)
    moved = run_cli("assign", held.nhs_number, "SW2", "--role", "social_worker",
                    "--reason", "agreed at the allocation meeting")
    assert moved.exit_code == 0, moved.output
    report = tmp_path / "check.json"
    result = run_cli("check", "--apply", "--json", "--report", report)
    assert result.exit_code == 0, result.output
    # The document keeps its keys; the note goes to stderr and the report file's notes.
    assert list(result.json()) == ["as_of", "findings", "counts", "proposed_moves"]
    said = (f"Draft plan {draft} (from `transition check --apply` as of {TODAY.isoformat()}) "
            "was discarded: this check finds no one to re-plan")
    assert said in " ".join(result.stderr.split())
    assert any(note.startswith(said) for note in json.loads(report.read_text())["notes"])
    # Nothing waits for review any more, and the old id is refused with what to do.
    status = run_cli("plan", "status")
    assert "waits for review" not in status.stdout and f"Draft plan {draft}" not in status.stdout
    nothing = run_cli("plan", "accept")
    assert nothing.exit_code == 1 and "There is no draft plan to accept" in nothing.stderr
    refused = run_cli("plan", "accept", "--plan", str(draft))
    assert refused.exit_code == 2
    words = " ".join(refused.stderr.split())
    assert f"Plan {draft}, from `transition check --apply`, was discarded by a later check" in words
    assert "run `transition check --apply` for a draft of what needs re-planning now" in words


def test_chk5_a_plain_check_prints_why_it_discarded_the_draft(
    database: Database, run_cli: RunCli,
) -> None:
    [held] = _leaver_world(database)
    draft = _draft_id(run_cli)
    run_cli("assign", held.nhs_number, "SW2", "--role", "social_worker", "--reason", "by hand")
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert f"Draft plan {draft} (from `transition check --apply` as of" in " ".join(
        result.stdout.split())


def test_chk5_an_out_of_date_check_draft_points_back_at_the_check(
    database: Database, run_cli: RunCli,
) -> None:
    """GONE still holds someone, so the draft stays; but who holds a case changed since it
    was made: `plan show` warns and `plan accept` refuses, both saying to run the check's
    `--apply` again (not `transition plan`, which would plan everyone)."""
    first, _second = _leaver_world(database, held=2)
    draft = _draft_id(run_cli)
    run_cli("assign", first.nhs_number, "SW2", "--role", "social_worker", "--reason", "by hand")
    assert run_cli("check").exit_code == 1  # GONE still leaves with someone: kept
    show = run_cli("plan", "show")
    assert show.exit_code == 0 and f"Plan {draft} (draft, check_apply)" in show.stdout
    assert "run transition check --apply again first" in " ".join(show.stdout.split())
    refused = run_cli("plan", "accept")
    assert refused.exit_code == 1
    words = " ".join(refused.stderr.split())
    assert f"Plan {draft} is out of date: who holds a case changed" in words
    assert "Run `transition check --apply` again: it replaces this draft" in words
    again = run_cli("check", "--apply", "--json")
    assert again.exit_code == 1
    assert f"replaces the earlier draft {draft}" in " ".join(again.stderr.split())
    assert run_cli("plan", "accept").exit_code == 0


def test_chk5_no_staff_list_is_one_finding_and_says_the_command(
    database: Database, run_cli: RunCli,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        for index in range(40):
            person(session, coordinator=f"C{index}")
    result = run_cli("check", "--json")
    assert result.exit_code == 1
    document = result.json()
    assert document["counts"]["no_staff_list"] == 1 and document["counts"]["unassigned"] == 0
    [finding] = document["findings"]
    assert finding["code"] == "no_staff_list" and finding["severity"] == "critical"
    assert "names a care coordinator for 40 people" in finding["message"]
    assert "`transition import staff FILE`" in finding["message"]
    text = run_cli("check")
    assert "`transition import staff FILE`" in " ".join(text.stdout.split())
    assert "... and" not in text.stdout  # no page of per-person findings cut short
