import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.conftest import RunCli
from transition.db import Database
from transition.people import count_people


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
    # Rebuilding starts again from scratch: still 784, not 1,568; --json gives the summary.
    again = run_cli("demo", "--no-tui", "--path", target, "--json")
    assert again.exit_code == 0, again.output
    summary = again.json()
    assert summary["database"] == str(target.resolve()) and summary["people"] == 784
    assert sum(summary["pathways"].values()) == 784 and summary["accepted"] is False
    assert [item["kind"] for item in summary["imports"]] == ["staff", "caseload"]
    assert summary["plan"]["assigned"] > 0 and summary["tasks"] is None
    database = Database(f"sqlite:///{target}")
    with database.session() as session:
        assert count_people(session) == 784
    database.dispose()


def test_demo_json_needs_no_tui(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("demo", "--path", tmp_path / "demo.db", "--json")
    assert result.exit_code == 2
    assert result.json()["status"] == "failed" and "--json needs --no-tui" in result.stderr
    assert not (tmp_path / "demo.db").exists()


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


def _marked_demo(template: Path, path: Path) -> Path:
    """A small database marked as a demo (its ``demo.build`` audit event), quick to make."""
    from transition.audit import Change, record
    from transition.demo import DEMO_BUILT

    shutil.copyfile(template, path)
    database = Database(f"sqlite:///{path}")
    with database.transaction() as session:
        record(session, Change(action=DEMO_BUILT, entity="database"), actor="tester")
    database.dispose()
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", ["text", "database"])
def test_demo_refuses_a_file_that_is_not_a_demo_database(
    run_cli: RunCli, tmp_path: Path, sqlite_template: Path, kind: str
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    target = folder / ("notes.txt" if kind == "text" else "other.db")
    if kind == "text":
        target.write_text("a council's own notes\n")
    else:  # a transition database that was never a demo: someone's real one
        shutil.copyfile(sqlite_template, target)
    before = _files(folder)
    result = run_cli("demo", "--no-tui", "--path", target)
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "is not a demo database" in said and "Nothing was changed" in said
    assert "Traceback" not in result.output
    assert _files(folder) == before  # not even a -wal or -shm file beside it


def test_demo_refuses_a_folder(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("demo", "--no-tui", "--path", tmp_path)
    assert result.exit_code == 2 and "is a folder" in " ".join(result.stderr.split())


def test_demo_refuses_the_real_database_however_its_url_is_written(
    run_cli: RunCli, tmp_path: Path, sqlite_template: Path
) -> None:
    # Even a demo database is not rebuilt while it is the database in use, named by any driver.
    real = _marked_demo(sqlite_template, tmp_path / "real.db")
    before = real.read_bytes()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    for url, path in ((f"sqlite+pysqlite:///{real}", real), (f"sqlite:///{real}", link),
                      (str(link), real)):
        result = run_cli("--db", url, "demo", "--no-tui", "--path", path)
        assert result.exit_code == 2, result.output
        assert "would overwrite your real database" in " ".join(result.stderr.split())
    assert real.read_bytes() == before


def test_only_a_demo_database_or_nothing_may_be_replaced(
    settings, tmp_path: Path, sqlite_template: Path
) -> None:
    from transition.demo import check_demo_target
    from transition.errors import TransitionError

    check_demo_target(tmp_path / "new.db", settings)  # nothing there
    (tmp_path / "empty.db").touch()
    check_demo_target(tmp_path / "empty.db", settings)  # an empty file holds nothing to lose
    check_demo_target(_marked_demo(sqlite_template, tmp_path / "demo.db"), settings)
    shutil.copyfile(sqlite_template, tmp_path / "plain.db")
    with pytest.raises(TransitionError, match="not a demo database"):
        check_demo_target(tmp_path / "plain.db", settings)
    (tmp_path / "walonly.db").touch()  # an empty file whose data is all in its write-ahead log
    (tmp_path / "walonly.db-wal").write_bytes(b"x" * 100)
    with pytest.raises(TransitionError, match="not a demo database"):
        check_demo_target(tmp_path / "walonly.db", settings)


def test_the_default_demo_file_from_before_demos_were_marked_is_rebuilt(
    settings, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` after an upgrade: the demo.db in the data folder was built before demos
    carried their demo.build mark, and is the tool's own file; any other unmarked file is
    still refused."""
    from transition import demo
    from transition.errors import TransitionError

    old = tmp_path / "data" / "demo.db"
    old.parent.mkdir()
    shutil.copyfile(sqlite_template, old)
    monkeypatch.setattr(demo, "default_demo_path", lambda: old)
    demo.check_demo_target(old, settings)
    shutil.copyfile(sqlite_template, tmp_path / "other.db")
    with pytest.raises(TransitionError, match="not a demo database"):
        demo.check_demo_target(tmp_path / "other.db", settings)
