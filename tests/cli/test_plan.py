"""`transition plan`, `plan show`, `plan accept`, `plan workers`, `plan candidates`, `assign`
and `unlock`, end to end through the CLI on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from tests.factories import make_person, make_staff
from tests.tables import read_down
from transition.config import Settings
from transition.db import Database
from transition.models import Staff
from transition.programme import set_transfer_date


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests build pathways and bands directly (tests/caseloads.py), so `plan` must not
    re-decide them from the data; tests/unit/test_planning.py checks that it does by default."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


numbers = caseload_numbers


def test_plan_json_show_and_accept(run_cli: RunCli, settings: Settings) -> None:
    people = numbers(settings)
    result = run_cli("plan", "--json")
    assert result.exit_code == 1, result.output  # two roles could not be filled
    data = result.json()
    assert data["optimal"] is True and data["status"] == "draft"
    assert (data["assigned"], data["unassigned"], data["kept_with_current"]) == (8, 2, 4)
    kept = next(item for item in data["assignments"] if item["nhs_number"] == people["keeps"])
    assert kept == {**kept, "role": "social_worker", "staff_id": "SW1", "kept": True,
                    "locked": False}
    assert "keeps current worker" in kept["reasons"]
    pending = next(item for item in data["unassigned_people"]
                   if item["nhs_number"] == people["no_pathway"])
    assert pending["role"] is None
    assert pending["reasons"] == ["no pathway decided yet: run transition assess"]

    shown = run_cli("plan", "show", "--json", "--unassigned")
    assert shown.exit_code == 0 and shown.json()["plan_id"] == data["plan_id"]
    assert shown.json()["assignments"] == [] and len(shown.json()["unassigned_people"]) == 2
    assert shown.json()["assigned"] == 8 and shown.json()["filtered"] is True  # whole-plan counts

    by_risk = run_cli("plan", "show", "--json", "--sort", "Risk").json()
    assert by_risk["filtered"] is False
    assert by_risk["assignments"][0]["nhs_number"] == people["keeps_red"]
    assert sorted(by_risk["assignments"], key=lambda item: (item["nhs_number"], item["role"])
                  ) == sorted(data["assignments"], key=lambda item: (item["nhs_number"],
                                                                     item["role"]))
    handing = run_cli("plan", "show", "--from", "SW1", "--json").json()
    assert {(item["nhs_number"], item["staff_id"]) for item in handing["assignments"]} == {
        (people["keeps"], "SW1"), (people["keeps_red"], "SW1"), (people["trust"], "KW1")}
    listed = " ".join(run_cli("plan", "show", "--from", "SW1").stdout.split())
    assert "coordinates now: 3. Roles staying with them: 2; moving to a new worker: 1" in listed
    assert "stays with them" in listed and "(KW1)" in listed
    nobody = run_cli("plan", "show", "--from", "XX1")
    assert nobody.exit_code == 1
    assert "No one on the caseload has 'XX1' as their care coordinator" in nobody.stderr
    no_team = run_cli("plan", "show", "--team", "Nowhere CMHT")  # not found, as in people
    assert no_team.exit_code == 1 and "no one on the caseload is in that team" in no_team.stderr
    wrong = run_cli("plan", "show", "--sort", "age")
    assert wrong.exit_code == 2 and "person, name, risk, change, worker" in wrong.stderr

    human = run_cli("plan", "show")
    assert human.exit_code == 0 and f"Plan {data['plan_id']} (draft, plan)" in human.stdout
    assert "no council social worker with skill forensic in North" in human.stdout
    assert "social worker" in human.stdout and "social_worker" not in human.stdout  # in words
    assert "Jo WorkerSW2 (SW2)" in human.stdout  # a new worker is named, not only numbered

    accepted = run_cli("plan", "accept", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.json() == {"plan_id": data["plan_id"], "status": "accepted", "changed": 8,
                               "ended": 0, "unassigned": 2, "superseded": [],
                               "tasks_out_of_date": False,  # no tasks made yet
                               "late_starts": 0, "letters_out_of_date": 0,
                               "unassigned_staying": 0}  # nobody held the 2 unassigned
    assert run_cli("plan", "show", "--json").json()["status"] == "accepted"
    detail = run_cli("person", people["joint"], "--json").json()
    assert [(item["role"], item["staff_id"]) for item in detail["workers"]] == [
        ("key_worker", "KW1"), ("social_worker", "SW1")]
    assert detail["workers"][0] == {**detail["workers"][0], "name": "Jo WorkerKW1",
                                    "since": "2027-04-01", "locked": False}
    shown = run_cli("person", people["joint"])
    assert "key worker: Jo WorkerKW1 (KW1) (from 1 Apr 2027)" in shown.stdout
    # Where the handover stands, as the at-risk list says it.
    assert detail["handover"]["state"] == "changes"
    assert [(item["role"], item["staff_id"]) for item in detail["handover"]["incoming"]] == [
        ("social_worker", "SW1")]
    assert detail["handover"]["kept_roles"] == ["key_worker"]  # KW1 was their coordinator
    assert detail["handover"]["sentence"] in " ".join(shown.stdout.split())
    assert "No handover tasks yet: make them with transition tasks generate" in (
        detail["handover"]["sentence"])
    assert detail["roles"][1] == {**detail["roles"][1], "role": "key_worker", "state": "held",
                                  "needed": True}
    # A role the accepted plan could not fill says why, rather than being left out.
    unfilled = run_cli("person", people["forensic"])
    assert "social worker: none (the accepted plan could not fill it: no council social " \
        "worker with skill forensic" in " ".join(unfilled.stdout.split())
    again = run_cli("plan", "accept")
    assert again.exit_code == 1 and "There is no draft plan to accept" in again.stderr

    workers = run_cli("plan", "workers", "--json").json()
    sw1 = next(item for item in workers["workers"] if item["staff_id"] == "SW1")
    assert (sw1["current"], sw1["proposed"], sw1["capacity"]) == (4, 4, 4)
    assert (sw1["leaving"], sw1["joining"]) == (0, 0)  # accepted: the plan is what they hold
    table = run_cli("plan", "workers")
    assert table.exit_code == 0 and "Leaving" in table.stdout and "Joining" in table.stdout
    # A draft made before a manager's choice says it may be out of date.
    run_cli("plan")
    assert "may be out of date" not in run_cli("plan", "show").stdout
    moved = run_cli("assign", people["keeps"], "SW2", "--role", "social_worker", "--reason",
                    "Knows the family", "--force")
    assert moved.exit_code == 0, moved.output
    assert "may be out of date" in " ".join(run_cli("plan", "show").stdout.split())


def test_a_plan_that_places_everyone_exits_0(run_cli: RunCli, settings: Settings) -> None:
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            set_transfer_date(session, date(2027, 4, 1), actor="t")
            make_staff(session, "SW1")
            make_person(session, pathway="council", risk_band="red")
    finally:
        database.dispose()
    result = run_cli("plan")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "People planned: 1. Roles filled: 1 (0 kept with their current worker, 1 with a new" in said
    assert "Stored as a draft" in result.stdout


def test_plan_workers_counts_places_on_the_transfer_date(run_cli: RunCli,
                                                        settings: Settings) -> None:
    """A locked choice of a worker who then turns out to be leaving before the transfer: the
    team has none of their places on the day, and the table says who would be over."""
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            set_transfer_date(session, date(2027, 4, 1), actor="t")
            make_staff(session, "SW1", capacity=4)
            make_staff(session, "SW2", capacity=6)
            person = make_person(session, pathway="council", risk_band="green")
    finally:
        database.dispose()
    locked = run_cli("assign", person.nhs_number, "SW1", "--role", "social_worker",
                     "--reason", "Knows the family", "--lock")
    assert locked.exit_code == 0, locked.output
    database = Database.from_settings(settings)
    try:
        with database.transaction() as session:
            worker = session.get(Staff, "SW1")
            assert worker is not None
            worker.leaving_date = date(2027, 3, 1)
            session.add(worker)
    finally:
        database.dispose()
    run_cli("plan")
    data = run_cli("plan", "workers", "--json").json()
    assert data["teams"][0] == {**data["teams"][0], "capacity": 10, "capacity_after": 6,
                                "proposed": 1}
    sw1 = next(worker for worker in data["workers"] if worker["staff_id"] == "SW1")
    assert (sw1["proposed"], sw1["capacity_after"], sw1["spare"]) == (1, 0, -1)
    table = run_cli("plan", "workers")
    said = " ".join(table.stdout.split())
    assert "10 → 6" in said and "available on the transfer date" in said  # places now → then
    assert "1 worker would hold more than their places on the day (SW1)" in said


def test_assign_lock_unlock_and_refusals(run_cli: RunCli, settings: Settings) -> None:
    people = numbers(settings)
    refused = run_cli("assign", people["keeps"], "KW1", "--role", "social_worker",
                      "--reason", "try")
    assert refused.exit_code == 2
    said = " ".join(refused.stderr.split())  # Rich wraps long lines
    assert "wrong employer or role (trust nurse; needs a council social worker" in said
    assert "transition plan candidates NHS_NUMBER --role social_worker lists those" in said
    assert people["keeps"] not in refused.output and "Traceback" not in refused.output
    no_reason = run_cli("assign", people["keeps"], "SW2", "--role", "social_worker",
                        "--reason", " ")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    bad_role = run_cli("assign", people["keeps"], "SW2", "--role", "nurse", "--reason", "x")
    assert bad_role.exit_code == 2 and "is not a role" in bad_role.stderr
    missing = run_cli("assign", people["keeps"], "NOPE", "--role", "social_worker",
                      "--reason", "x")
    assert missing.exit_code == 1 and "No worker with staff id 'NOPE'" in missing.stderr

    # Typed in another case than the staff list's: that worker, named as the list names them.
    done = run_cli("assign", people["polish"], "sw2", "--role", "social_worker", "--reason",
                   "Speaks Polish", "--lock", "--json")
    assert done.exit_code == 0, done.output
    assert done.json() == {"role": "social_worker", "staff_id": "SW2", "locked": True,
                           "changed": True, "forced_past": [], "warnings": [],
                           "tasks": None,  # none generated yet: nothing to bring up to date
                           "reason_cut": 0, "confirms_draft": None,  # no draft to confirm
                           "late_start": None}  # their handover date is still ahead
    planned = run_cli("plan", "--json").json()
    row = next(item for item in planned["assignments"] if item["nhs_number"] == people["polish"])
    assert row["locked"] is True and row["staff_id"] == "SW2"

    # Forced past a hard constraint with a reason near the limit: what it breaks is kept
    # whole in the record, the manager's words cut, and the command says so.
    forced = run_cli("assign", people["keeps"], "KW1", "--role", "social_worker", "--force",
                     "--reason", "r" * 990)
    assert forced.exit_code == 0, forced.output
    assert "the reason was cut by" in " ".join(forced.stderr.split())
    audit = run_cli("audit", "--action", "assignment", "--limit", "1", "--json").json()
    assert audit[0]["reason"].endswith("]") and "forced past" in audit[0]["reason"]
    unlocked = run_cli("unlock", people["polish"])
    assert unlocked.exit_code == 0 and "Unlocked social worker" in unlocked.stdout
    nothing = run_cli("unlock", people["polish"], "--role", "social_worker")
    assert nothing.exit_code == 1 and "has no locked social worker role" in nothing.stderr


def test_what_if_stores_nothing(run_cli: RunCli, settings: Settings) -> None:
    numbers(settings)
    result = run_cli("plan", "--withdraw", "SW1", "--capacity-scale", "0.9", "--json")
    assert result.exit_code == 0, result.output
    data = result.json()
    assert data["stored"] is False and data["what_if"]["withdraw"] == ["SW1"]
    assert data["losing_current_worker"] == 2
    assert data["unassigned"] > data["baseline"]["unassigned"]
    human = run_cli("plan", "--withdraw", "sw1")  # the staff list's SW1, typed in lower case
    assert "What-if (nothing stored): withdraw SW1" in human.stdout
    assert "Capacity gap by team" in human.stdout
    assert run_cli("plan", "show").exit_code == 1  # still no plan


def test_candidates_lists_feasible_workers(run_cli: RunCli, settings: Settings) -> None:
    people = numbers(settings)
    result = run_cli("plan", "candidates", people["polish"], "--role", "social_worker", "--json")
    assert result.exit_code == 0, result.output
    options = result.json()
    assert [option["staff_id"] for option in options] == ["SW2", "SW1"]
    assert options[0]["reasons"][-1] == "speaks Polish" and options[0]["spare"] == 3
    everyone = run_cli("plan", "candidates", people["polish"], "--role", "social_worker", "--all")
    assert "out of reach (South)" in everyone.stdout
    # No one fits (only SW4 has the forensic skill, and South is out of reach): said, not an
    # empty table.
    nobody = run_cli("plan", "candidates", people["forensic"], "--role", "social_worker")
    assert nobody.exit_code == 0, nobody.output
    said = " ".join(nobody.stdout.split())
    assert "No worker meets every hard constraint for the social worker of person" in said
    assert "add --all" in said and people["forensic"] not in said


def test_candidates_keep_their_reasons_whole_at_80_columns(
        run_cli: RunCli, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from transition.commands.common import console

    people = numbers(settings)
    asked = ("plan", "candidates", people["polish"], "--role", "social_worker", "--all")
    options = run_cli(*asked, "--json").json()
    monkeypatch.setattr(console, "width", 80)  # a small terminal, or a file
    narrow = run_cli(*asked).stdout
    assert max(map(len, narrow.splitlines())) <= 80 and "…" not in narrow
    # Name over team, load over cost: the reasons, read down, are every worker's in full.
    why = read_down(narrow, "Why / why not")
    names = read_down(narrow, "Name", "Load")
    for option in options:
        assert "; ".join(option["why_not"] or option["reasons"]) in why
        assert option["name"] in names
    monkeypatch.setattr(console, "width", 200)
    wide = run_cli(*asked).stdout
    for option in options:  # one line each
        [line] = [line for line in wide.splitlines() if option["staff_id"] in line]
        assert option["name"] in line and "; ".join(option["why_not"] or option["reasons"]) in line


def test_planning_without_a_transfer_date_says_what_to_do(run_cli: RunCli) -> None:
    result = run_cli("plan")
    assert result.exit_code == 2
    assert "transition programme set --transfer-date" in result.stderr


def test_large_counts_are_printed_with_thousands_separators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # At a council's scale the counts run to six figures: 104,566 reads at a glance, 104566
    # does not.
    from transition.commands.plan import _print_plan, _print_what_if
    from transition.planning import PlanResult
    from transition.whatif import WhatIf

    plan = PlanResult(plan_id=7, kind="plan", status="draft", optimal=True,
                      solver_status="OPTIMAL", objective=60_191_972, rows=[],
                      not_planned={"signpost": 4_870},
                      totals={"people": 100_000, "assigned": 104_566, "unassigned": 1_408,
                              "kept_with_current": 48_513, "changed": 56_053, "locked": 0})
    _print_plan(plan, stored=False)
    printed = " ".join(capsys.readouterr().out.split())
    assert ("People planned: 100,000. Roles filled: 104,566 (48,513 kept with their current "
            "worker, 56,053 with a new worker, 0 locked). Roles unassigned: 1,408.") in printed
    assert "Not planned (signpost): 4,870." in printed

    what_if = WhatIf(withdraw=[], capacity_scale=0.9, baseline_assigned=104_566,
                     baseline_unassigned=1_408, assigned=100_506, unassigned=4_468,
                     losing_current_worker=0, changed_from_baseline=12_345,
                     gap_by_team={"North CMHT": 1_024}, gap_by_skill={}, spare_by_team={},
                     unassigned_people=[], optimal=True)
    _print_what_if(what_if)
    printed = " ".join(capsys.readouterr().out.split())
    assert "Roles filled: 100,506 (as things stand: 104,566)" in printed
    assert "changed from the plan as things stand: 12,345." in printed
    assert "1,024" in printed


def test_plan_status_before_and_after_accept(run_cli: RunCli, settings: Settings) -> None:
    empty = run_cli("plan", "status")
    assert empty.exit_code == 0
    assert " ".join(empty.stdout.split()) == (
        "No one is on the caseload yet: import the trust's export with `transition import "
        "caseload FILE`.")
    people = numbers(settings)
    before = run_cli("plan", "status")
    # No plan accepted: the trust's coordinators hold their people, but two people's export
    # names no coordinator (polish, forensic): they have no worker in a role they need: exit 1.
    assert before.exit_code == 1, before.output
    said = " ".join(before.stdout.split())
    assert "No plan has been accepted yet" in said
    assert "No draft either: make one with `transition plan`." in said
    assert ("2 of them, no worker in a role they need (2 with no worker at all)"
            in said)
    assert "accept a plan that places them" in said
    listed = run_cli("people", "--needs-worker", "--json")
    assert listed.exit_code == 0
    assert {row["nhs_number"] for row in listed.json()} == {people["polish"], people["forensic"]}

    run_cli("plan")
    waiting = run_cli("plan", "status", "--json").json()
    assert waiting["accepted"] is None
    assert waiting["draft"] == {**waiting["draft"], "assigned": 8, "unassigned": 2,
                                "stale": False}
    assert "Review the draft: transition plan show" in run_cli("plan", "status").stdout
    # Its inputs changed: one next step, not "accept it" beside "plan again".
    assert run_cli("programme", "set", "--transfer-date", "2027-04-02").exit_code == 0
    stale = " ".join(run_cli("plan", "status").stdout.split())
    assert "Make the draft again before accepting it: transition plan." in stale
    assert "accept it:" not in stale
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0

    run_cli("plan", "accept")
    after = run_cli("plan", "status", "--json")
    assert after.exit_code == 1  # the forensic person's role: no one in reach has the skill
    data = after.json()
    assert data["draft"] is None and data["accepted"]["plan_id"] is not None
    assert (data["need_worker"], data["allocated"], data["waiting"]) == (8, 8, 0)
    assert (data["fully_allocated"], data["no_worker_at_all"]) == (7, 1)
    assert (data["roles_needed"], data["roles_held"], data["kept"], data["moved"]) == (
        9, 8, 4, 4)
    assert (data["roles_unfilled"], data["needs_a_worker"]) == (1, 1)
    assert (data["signposted"], data["not_assessed"]) == (1, 1)
    text = " ".join(run_cli("plan", "status").stdout.split())
    assert "4 roles kept with the current worker" in text
    assert "1 role the allocation leaves unfilled" in text and "propose one with transition check --apply" in text
    assert [row["nhs_number"] for row in run_cli("people", "--needs-worker", "--json").json()
            ] == [people["forensic"]]
    # Who holds each person after the transfer, as `people` lists them.
    rows = {row["nhs_number"]: row for row in run_cli("people", "--json").json()}
    assert rows[people["keeps"]]["workers"] == {"social_worker": "SW1"}
    assert rows[people["polish"]]["workers"] == {"social_worker": "SW2"}
    assert rows[people["forensic"]]["workers"] == {} and rows[people["forensic"]]["allocated"]
    assert rows[people["signpost"]]["workers"] == {}
    listing = run_cli("people", "--needs-worker")
    assert listing.exit_code == 0
    assert "after transfer" in listing.stdout and "no social worker" in listing.stdout


def test_people_filters_by_pathway_and_band_and_refuses_unknown_values(
    run_cli: RunCli, settings: Settings,
) -> None:
    people = numbers(settings)
    council_red = run_cli("people", "--pathway", "Council", "--band", "red", "--json")
    assert council_red.exit_code == 0
    assert [row["nhs_number"] for row in council_red.json()] == [people["keeps_red"]]
    wrong = run_cli("people", "--band", "purple")
    assert wrong.exit_code == 2
    assert "--band 'purple' is not one we know" in wrong.stderr
    assert "red, amber, green" in wrong.stderr
    nobody = run_cli("people", "--pathway", "joint", "--band", "red")
    assert nobody.exit_code == 0 and "Nobody matches." in nobody.stdout


def test_the_plan_summary_adds_up_with_a_lock(run_cli: RunCli, settings: Settings) -> None:
    """A role locked with the worker who holds it now counts as locked, not kept as well."""
    people = numbers(settings)
    locked = run_cli("assign", people["keeps"], "SW1", "--role", "social_worker", "--reason",
                     "stays with them", "--lock")
    assert locked.exit_code == 0, locked.output
    said = " ".join(run_cli("plan").stdout.split())
    assert ("Roles filled: 8 (3 kept with their current worker, 4 with a new worker, 1 "
            "locked). Roles unassigned: 2.") in said


def test_what_if_plans_a_lock_on_a_withdrawn_worker_and_lists_every_unassigned_role(
    run_cli: RunCli, settings: Settings,
) -> None:
    people = numbers(settings)
    run_cli("assign", people["polish"], "SW2", "--role", "social_worker", "--reason",
            "Speaks Polish", "--lock")
    data = run_cli("plan", "--withdraw", "SW2", "--json").json()
    [moved] = data["locks_on_withdrawn"]
    assert moved == {**moved, "nhs_number": people["polish"], "role": "social_worker",
                     "locked_to": "SW2"}
    assert len(data["unassigned_people"]) == data["unassigned"]
    assert data["assigned"] + data["unassigned"] == sum(data["baseline"].values())
    assert {item["nhs_number"] for item in data["unassigned_people"]} >= {
        people["no_pathway"], people["forensic"]}
    said = " ".join(run_cli("plan", "--withdraw", "SW2").stdout.split())
    assert "Roles locked to a withdrawn worker: 1. A lock cannot hold a worker who is gone" in said


def test_what_if_gap_tables_show_the_gap_as_things_stand_beside_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A manager must tell a gap the what-if made from one there already: a team with no
    gap left (more capacity) is still shown, with 0."""
    from transition.commands.plan import _print_what_if
    from transition.whatif import WhatIf

    _print_what_if(WhatIf(
        withdraw=["SW1"], capacity_scale=1.0, baseline_assigned=8, baseline_unassigned=2,
        assigned=6, unassigned=4, losing_current_worker=2, changed_from_baseline=2,
        gap_by_team={"North CMHT": 3}, gap_by_skill={"forensic": 2}, spare_by_team={},
        unassigned_people=[], optimal=True, baseline_gap_by_team={"North CMHT": 1,
                                                                   "South CMHT": 1},
        baseline_gap_by_skill={"forensic": 2}))
    rows = [" ".join(line.replace("│", " ").replace("┃", " ").split()) for line in
            capsys.readouterr().out.splitlines()]
    assert "Team Cannot be placed As things stand" in rows
    assert {"North CMHT 3 1", "South CMHT 0 1", "forensic 2 2"} <= set(rows)
