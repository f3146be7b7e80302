"""The CLI as a whole: the same mistake gets the same exit status in every command, --json
always prints exactly one JSON document, a group's options are never silently dropped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from tests.factories import make_person, nhs_number
from transition import nhs
from transition.config import Settings
from transition.db import Database


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands as tests/caseloads.py built them (see tests/cli/test_plan.py)."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.stderr.split())  # Rich wraps long lines


# A number that passes Modulus 11 and is on no caseload; one that fails it; one too short.
UNKNOWN = nhs.complete("943476591") or ""
MISTYPED = UNKNOWN[:-1] + str((int(UNKNOWN[-1]) + 1) % 10)
SHORT = "123"


# -- D1: a group's own options before a subcommand -------------------------------------------


@pytest.mark.parametrize("args", [
    ("plan", "--json", "show"),
    ("plan", "--withdraw", "SW1", "show"),
    ("plan", "--as-of", "2027-01-15", "status"),
    ("plan", "--capacity-scale", "0.9", "workers"),
    ("check", "--json", "history"),
    ("check", "--apply", "history"),
])
def test_group_options_before_a_subcommand_are_refused(
    run_cli: RunCli, settings: Settings, args: tuple[str, ...]
) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert f"{args[1]} is an option of transition {args[0]} run on its own, not of " \
           f"transition {args[0]} {args[-1]}" in said
    if args[1] == "--json":  # still one JSON document on stdout: the failure
        assert result.json()["status"] == "failed"
        assert f"transition {args[0]} {args[-1]} --json" in said
    else:
        assert not result.stdout


# -- D2: plan --help says what plain plan does --------------------------------------------------


def test_plan_help_says_it_stores_a_draft_and_exits_1(run_cli: RunCli) -> None:
    result = run_cli("plan", "--help")
    assert result.exit_code == 0
    said = " ".join(result.stdout.split())
    assert "stores it as a DRAFT, replacing any older draft" in said
    assert "Exit status 1 when some roles could not be filled" in said
    assert "what-if instead and stores nothing" in said


# -- D3: --capacity-scale is bounded ------------------------------------------------------------


@pytest.mark.parametrize("factor", ["nan", "inf", "-inf", "1000", "10.5", "0", "-1"])
def test_capacity_scale_out_of_range_is_refused(
    run_cli: RunCli, settings: Settings, factor: str
) -> None:
    caseload_numbers(settings)
    result = run_cli("plan", "--capacity-scale", factor, "--json")
    assert result.exit_code == 2, result.output
    assert "--capacity-scale must be a number above 0 and at most 10" in _said(result)
    assert "stopped unexpectedly" not in result.output
    assert result.json()["exit_code"] == 2


def test_capacity_scale_within_range_runs(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    result = run_cli("plan", "--capacity-scale", "10", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["stored"] is False


# -- D4: --json failures print one JSON document ----------------------------------------------


@pytest.mark.parametrize(("args", "code"), [
    (("person", UNKNOWN, "--json"), 1),
    (("person", SHORT, "--json"), 2),
    (("at-risk", "--band", "purple", "--json"), 2),
    (("tasks", "set", "999999", "done", "--json"), 1),
    (("plan", "accept", "--plan", "99999", "--json"), 1),
    (("letters", "generate", "--kind", "bogus", "--json"), 2),
    (("people", "--limit", "many", "--json"), 2),  # a usage error (Click's)
])
def test_a_json_failure_prints_one_failure_document(
    run_cli: RunCli, settings: Settings, args: tuple[str, ...], code: int
) -> None:
    caseload_numbers(settings)
    result = run_cli(*args)
    assert result.exit_code == code, result.output
    document = result.json()  # exactly one document: json.loads refuses trailing text
    assert document["status"] == "failed" and document["exit_code"] == code
    assert document["error"] and "Traceback" not in result.output
    assert UNKNOWN not in result.stdout  # error text never carries a whole NHS number


def test_a_json_document_printed_before_a_failure_is_not_followed_by_another(
    run_cli: RunCli, settings: Settings, tmp_path: Path
) -> None:
    caseload_numbers(settings)
    (tmp_path / "a-file").write_text("not a folder")
    result = run_cli("check", "--json", "--report", tmp_path / "a-file" / "r.md")
    assert result.exit_code == 2, result.output
    assert "findings" in json.loads(result.stdout)  # the check's own document, alone
    assert "could not be written" in _said(result)


def test_an_import_failure_keeps_its_own_document(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("import", "caseload", tmp_path / "missing.csv", "--json")
    assert result.exit_code == 2
    assert result.json() | {"error": ""} == {"status": "failed", "kind": "caseload",
                                             "file": "missing.csv", "error": "",
                                             "hint": result.json()["hint"], "exit_code": 2}


def test_without_json_a_failure_leaves_stdout_empty(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    result = run_cli("person", UNKNOWN)
    assert result.exit_code == 1 and result.stdout == ""


# -- D5: the same mistake, the same exit status ------------------------------------------------


@pytest.mark.parametrize("command", [
    ("person", "{n}"),
    ("tasks", "list", "--nhs", "{n}"),
    ("audit", "--nhs", "{n}"),
    ("pathway", "show", "{n}"),
    ("plan", "candidates", "{n}", "--role", "social_worker"),
    ("handover-date", "{n}", "2027-05-04"),
    ("unlock", "{n}"),
    ("assign", "{n}", "SW1", "--role", "social_worker", "--reason", "x"),
    ("letters", "preview", "{n}"),
])
def test_a_malformed_nhs_number_is_bad_input_and_an_unknown_one_not_found(
    run_cli: RunCli, settings: Settings, command: tuple[str, ...]
) -> None:
    caseload_numbers(settings)
    for number, code in ((SHORT, 2), (MISTYPED, 2), (UNKNOWN, 1)):
        result = run_cli(*(part.replace("{n}", number) for part in command))
        assert result.exit_code == code, (number, result.output)
        assert number not in result.output or number == SHORT
        if code == 2:
            assert "not an NHS number" in _said(result) or "--nhs" in _said(result)
        else:
            assert "No person with NHS number" in _said(result)


@pytest.mark.parametrize("command", [
    ("plan", "--withdraw", "NOBODY"),
    ("plan", "show", "--worker", "NOBODY"),
    ("plan", "show", "--from", "NOBODY"),
    ("tasks", "list", "--owner", "NOBODY"),
    ("tasks", "progress", "--owner", "NOBODY"),
    ("assign", "{keeps}", "NOBODY", "--role", "social_worker", "--reason", "x"),
])
def test_an_unknown_staff_id_is_not_found_everywhere(
    run_cli: RunCli, settings: Settings, command: tuple[str, ...]
) -> None:
    people = caseload_numbers(settings)
    run_cli("plan")
    result = run_cli(*(part.replace("{keeps}", people["keeps"]) for part in command))
    assert result.exit_code == 1, result.output
    assert "'NOBODY'" in _said(result)


def test_a_coordinator_on_no_staff_list_is_found_across_case(
    run_cli: RunCli, settings: Settings, database: Database
) -> None:
    """`plan show --from` takes a care coordinator the export names but no staff list has
    (left, or another team's) as typed in any case, as it does a staff-list id."""
    caseload_numbers(settings)
    with database.transaction() as session:
        make_person(session, pathway="council", risk_band="green", care_coordinator_id="WP417")
    run_cli("plan")
    upper = run_cli("plan", "show", "--from", "WP417", "--json")
    lower = run_cli("plan", "show", "--from", "wp417", "--json")
    assert upper.exit_code == lower.exit_code == 0, lower.output
    assert lower.json()["assignments"] == upper.json()["assignments"] != []


def test_a_worker_known_to_the_staff_list_still_filters_a_plan(
    run_cli: RunCli, settings: Settings
) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    shown = run_cli("plan", "show", "--worker", "sw1", "--json")
    assert shown.exit_code == 0, shown.output
    assert {row["staff_id"] for row in shown.json()["assignments"]} == {"SW1"}


# -- D6: plan show --band -------------------------------------------------------------------


def test_plan_show_band_is_checked_and_case_folded(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    wrong = run_cli("plan", "show", "--band", "purple")
    assert wrong.exit_code == 2, wrong.output
    assert "--band 'purple' is not one we know" in wrong.stderr
    assert "red, amber, green" in wrong.stderr
    upper = run_cli("plan", "show", "--band", "RED", "--json")
    lower = run_cli("plan", "show", "--band", "red", "--json")
    assert upper.exit_code == lower.exit_code == 0
    assert upper.json() == lower.json() and lower.json()["assignments"]
    assert run_cli("at-risk", "--band", "RED").exit_code == 0
    assert run_cli("tasks", "list", "--band", "Red").exit_code == 0


# -- D7: people --json gives everyone ----------------------------------------------------------


def test_people_json_lists_everyone_unless_limited(run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        for index in range(105):
            make_person(session, nhs_number=nhs_number(index))
    everyone = run_cli("people", "--json")
    assert everyone.exit_code == 0 and len(everyone.json()) == 105
    assert "Showing" not in everyone.stderr
    limited = run_cli("people", "--json", "--limit", "7")
    assert len(limited.json()) == 7 and "Showing 7 of 105" in limited.stderr
    assert len(run_cli("people", "--json", "--limit", "0").json()) == 105
    table = run_cli("people")
    assert "Showing 100 of 105 (use --limit 0 for all)." in " ".join(table.stdout.split())


def test_the_audit_trail_and_histories_give_everything_with_json(
        run_cli: RunCli, database: Database) -> None:
    """audit (50), import history and check history (20) cut --json silently, unlike people
    and tasks list: every list gives all with --json and a page in a table."""
    from transition.audit import Change, record_many

    with database.transaction() as session:
        record_many(session, [Change(action=f"test.{i}", entity="test") for i in range(60)],
                    actor="ana")
    assert len(run_cli("audit", "--json").json()) == 60
    assert len(run_cli("audit", "--json", "--limit", "5").json()) == 5
    assert "Showing the newest 50; use --limit 0 for all." in run_cli("audit").stdout
    for _ in range(22):
        assert run_cli("check").exit_code in (0, 1)
    assert len(run_cli("check", "history", "--json").json()) == 22
    assert len(run_cli("check", "history", "--json", "--limit", "0").json()) == 22
    assert run_cli("check", "history").stdout.count("complete") == 20


# -- D8: at-risk takes --limit, as every other list does ------------------------------------


def test_at_risk_takes_limit_as_top(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    assert run_cli("assess").exit_code == 0
    top = run_cli("at-risk", "--top", "1", "--json").json()
    assert run_cli("at-risk", "--limit", "1", "--json").json() == top and len(top) == 1
    everyone = run_cli("at-risk", "--all", "--json").json()
    assert run_cli("at-risk", "--limit", "0", "--json").json() == everyone and len(everyone) > 1


# -- D9: every command takes --json ---------------------------------------------------------


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def test_every_command_but_the_app_takes_json() -> None:
    """A script can drive any step and read one JSON document back; only opening the app
    itself has nothing to print."""
    from transition.cli import app

    without = [name for name, command in _commands(typer.main.get_command(app))
               if not any("--json" in getattr(param, "opts", ()) for param in command.params)]
    assert without == ["tui"]


@pytest.mark.parametrize("args", [
    ("people",), ("audit",), ("check", "history"), ("import", "history"), ("tasks", "list"),
])
def test_a_limit_too_big_for_the_database_is_refused(run_cli: RunCli, args: tuple[str, ...]
                                                     ) -> None:
    """Twenty digits once reached SQLite's driver and stopped the command (OverflowError)."""
    result = run_cli(*args, "--limit", "99999999999999999999")
    assert result.exit_code == 2, result.stderr
    assert "must be at most 100000000" in _said(result)
    assert "Traceback" not in result.stderr and "unexpectedly" not in result.stderr


@pytest.mark.parametrize("args", [
    ("tasks", "list", "--as-of", ""), ("status", "--as-of", " "), ("audit", "--since", ""),
    ("programme", "set", "--transfer-date", ""), ("handover-date", UNKNOWN, ""),
])
def test_an_empty_date_is_refused_not_read_as_no_date(run_cli: RunCli,
                                                      args: tuple[str, ...]) -> None:
    """A script's unset variable ("$DAY") once meant today for --as-of, and cleared a person's
    own handover date."""
    result = run_cli(*args)
    assert result.exit_code == 2, result.stderr
    assert "is empty: nothing was done" in _said(result)
