"""`transition export --force` that fails keeps the export it was to replace (status review).

The new files were renamed over the old ones before the audit record was committed; when the
commit failed, the command removed the new files, and the old export (perhaps the one already
shared with a partner) was gone as well: the folder held nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tests.conftest import RunCli
from tests.factories import make_person, nhs_number
from transition.db import Database

EXPORTED = ["caseload.csv", "export.json", "plan.csv"]


def _first_export(run_cli: RunCli, database: Database, out: Path) -> dict[str, bytes]:
    with database.transaction() as session:
        for index in (1, 2):
            make_person(session, nhs_number=nhs_number(index))
    first = run_cli("export", "--pseudonymise", "--out", out)
    assert first.exit_code == 0, first.output
    return {name: (out / name).read_bytes() for name in EXPORTED}


def _folder(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in out.iterdir()}


def _exports_audited(run_cli: RunCli) -> int:
    return len(run_cli("audit", "--action", "export", "--json").json())


def test_a_failed_commit_keeps_the_export_it_was_replacing(
        run_cli: RunCli, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "share"
    before = _first_export(run_cli, database, out)
    real_commit = Session.commit

    def failing_commit(self: Session, *args: Any, **kwargs: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    forced = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01",
                     "--force")
    monkeypatch.setattr(Session, "commit", real_commit)
    assert forced.exit_code == 2, forced.output
    assert "Traceback" not in forced.output
    assert _folder(out) == before  # the old export, byte for byte; no new file, no leftover
    assert _exports_audited(run_cli) == 1


def test_a_failure_placing_the_new_files_keeps_the_old_ones(
        run_cli: RunCli, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills as the last new file goes in: the two already renamed over their old
    ones were removed, and the old ones with them."""
    out = tmp_path / "share"
    before = _first_export(run_cli, database, out)
    real_replace = os.replace

    def full_disk(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "export.json" and Path(source).name.endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk)
    forced = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01",
                     "--force")
    monkeypatch.setattr(os, "replace", real_replace)
    assert forced.exit_code == 2, forced.output
    assert _folder(out) == before
    assert _exports_audited(run_cli) == 1


def test_an_audit_record_that_fails_keeps_the_old_export_and_writes_nothing_new(
        run_cli: RunCli, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit row itself cannot be written (after the files are in place): the new files
    were left in the folder, unaudited."""
    out = tmp_path / "share"
    before = _first_export(run_cli, database, out)

    def no_audit(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO audit_event", {}, Exception("disk I/O error"))

    monkeypatch.setattr("transition.export.record", no_audit)
    forced = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01",
                     "--force")
    assert forced.exit_code == 2, forced.output
    assert _folder(out) == before
    fresh = tmp_path / "fresh"
    assert run_cli("export", "--pseudonymise", "--out", fresh).exit_code == 2
    assert not fresh.exists() or list(fresh.iterdir()) == []


def test_a_successful_force_leaves_only_the_new_export(run_cli: RunCli, database: Database,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "share"
    before = _first_export(run_cli, database, out)
    forced = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01",
                     "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(_folder(out)) == EXPORTED  # no backups left behind
    assert _folder(out)["export.json"] != before["export.json"]
    assert all(oct(path.stat().st_mode & 0o777) == "0o600" for path in out.iterdir())
