import os
import stat
from pathlib import Path

import pytest

from transition.db import Database
from transition.people import count_people
from tests.conftest import RunCli


@pytest.mark.slow
def test_demo_builds_784_people_in_its_own_owner_only_file(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "demo" / "demo.db"
    result = run_cli("demo", "--no-tui", "--path", target)
    assert result.exit_code == 0, result.output
    assert "784 people" in result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    database = Database(f"sqlite:///{target}")
    with database.session() as session:
        assert count_people(session) == 784
    database.dispose()
    # Rebuilding starts again from scratch: still 784, not 1,568.
    assert run_cli("demo", "--no-tui", "--path", target).exit_code == 0
    database = Database(f"sqlite:///{target}")
    with database.session() as session:
        assert count_people(session) == 784
    database.dispose()


def test_demo_refuses_to_overwrite_the_real_database(run_cli: RunCli, settings) -> None:
    if not settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("the real database is a server here")
    real = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    result = run_cli("demo", "--no-tui", "--path", real)
    assert result.exit_code == 2
    assert "would overwrite your real database" in result.stderr


@pytest.mark.slow
def test_demo_accept_starts_the_programme_with_tasks(run_cli: RunCli, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from transition.models import Plan, Task

    target = tmp_path / "demo.db"
    result = run_cli("demo", "--no-tui", "--accept", "--path", target)
    assert result.exit_code == 0, result.output
    assert "Plan accepted" in result.stderr
    database = Database(f"sqlite:///{target}")
    with database.session() as session:
        assert session.scalar(select(Plan.status)) == "accepted"
        tasks = session.scalar(select(func.count()).select_from(Task))
    database.dispose()
    assert tasks and f"Handover tasks: {tasks:,} for" in result.stderr
    # Marked as the demo: its letters may carry the example council details (nowhere else).
    letters = run_cli("--db", target, "letters", "generate", "--kind", "gp", "--format", "md",
                      "--out", tmp_path / "letters", "--json")
    assert letters.exit_code in (0, 1), letters.output
    assert letters.json()["written"] > 0
