"""Recording a check removes the findings of runs older than the latest keep_findings_runs
(only the latest run's are ever shown; a run near the transfer can hold 200,000), keeping
every run and its counts for `transition check history`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.check_world import RULES
from tests.conftest import ACTOR, TODAY
from transition.checks import CheckReport, Finding, check_history, record_check
from transition.db import Database
from transition.errors import TransitionError
from transition.models import CheckFinding
from transition.ruleset import load_rules


def _record(database: Database, rules: object, findings: int) -> CheckReport:
    report = CheckReport(as_of=TODAY, findings=[
        Finding("stale_import", "warning", f"old export {index}") for index in range(findings)])
    with database.transaction() as session:
        record_check(session, rules, report, actor=ACTOR)
    return report


def _findings_by_run(database: Database) -> dict[int, int]:
    with database.session() as session:
        return dict(session.execute(select(CheckFinding.run_id, func.count())
                                    .group_by(CheckFinding.run_id)).all())


def rules_with(tmp_path: Path, setting: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.toml"
    path.write_text(f"[checks]\n{setting}\n")
    return load_rules(path)


def test_only_the_latest_runs_keep_their_findings(database: Database, tmp_path: Path) -> None:
    rules = rules_with(tmp_path, "keep_findings_runs = 2")
    reports = [_record(database, rules, findings) for findings in (3, 4, 5)]
    assert "Removed" not in " ".join(reports[1].notes)  # two runs: nothing to remove yet
    assert reports[2].notes[-1] == (
        "Removed the 3 findings of runs older than the latest 2 ([checks] keep_findings_runs); "
        "their counts stay in transition check history.")
    first, second, third = (report.run_id for report in reports)
    assert _findings_by_run(database) == {second: 4, third: 5}
    with database.session() as session:
        history = check_history(session, limit=None)
    assert [run.id for run in history] == [third, second, first]
    assert history[-1].counts == reports[0].counts  # the oldest run's counts are whole


def test_the_default_keeps_thirty_runs(database: Database) -> None:
    assert RULES.checks.keep_findings_runs == 30
    for _ in range(31):
        _record(database, RULES, 1)
    assert len(_findings_by_run(database)) == 30


def test_a_nonsense_setting_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(TransitionError) as refused:
        rules_with(tmp_path, "keep_findings_runs = 0")
    assert "keep_findings_runs" in str(refused.value.message) + str(refused.value.hint or "")
