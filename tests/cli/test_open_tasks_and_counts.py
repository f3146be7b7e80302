""""Open" tasks are one number everywhere (overdue ones included), status with no tasks has
no percentage, and the check's counts use thousands separators like its table."""

from __future__ import annotations

from datetime import date

import pytest
from rich.console import Console

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.check_report import markdown_report
from transition.checks import CheckReport, Finding
from transition.commands.check import print_report
from transition.config import Settings

LATE = "2027-03-29"  # some tasks overdue, some not yet due


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caseload's pathways and bands are set directly; planning must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_status_progress_and_generate_count_the_same_open_tasks(
    run_cli: RunCli, settings: Settings,
) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    run_cli("plan", "accept")
    assert run_cli("status", "--json").json()["tasks"]["percent_done"] is None  # none yet
    run_cli("tasks", "generate")

    progress = run_cli("tasks", "progress", "--json", "--as-of", LATE).json()["progress"]
    made = run_cli("tasks", "generate", "--json", "--as-of", LATE).json()
    assert progress["open"] == progress["due"] + progress["overdue"] == made["open"]
    assert progress["overdue"] == made["overdue"] and 0 < progress["overdue"] < made["open"]
    said = f"{progress['open']:,} open, {progress['overdue']:,} of them overdue"
    assert said in " ".join(run_cli("status", "--as-of", LATE).stdout.split())
    assert said in " ".join(run_cli("tasks", "progress", "--as-of", LATE).stdout.split())
    generated = " ".join(run_cli("tasks", "generate", "--as-of", LATE).stdout.split())
    assert f"Open tasks: {made['open']:,} ({made['overdue']:,} of them overdue" in generated


def test_the_checks_counts_have_thousands_separators() -> None:
    findings = ([Finding("unassigned", "critical", "Needs a key worker.")]
                + [Finding("overdue_task", "warning", "Task past its due date.")] * 1315)
    report = CheckReport(as_of=date(2027, 3, 17), findings=findings, run_id=7)
    out = Console(record=True, width=120)
    print_report(out, report)
    said = out.export_text()
    assert "1 critical, 1,315 warning, 0 info" in said
    assert "... and 1,300 more (at most" in said
    markdown = markdown_report(report)
    assert "- warning: 1,315" in markdown
    assert "| `overdue_task` | Task past its due date | 1,315 |" in markdown
