"""`transition export` writes all of its files or none, and never replaces an export by
accident (export review)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.factories import make_person, nhs_number
from transition.db import Database

EXPORTED = ["caseload.csv", "export.json", "plan.csv"]


def _people(database: Database, count: int = 2) -> None:
    with database.transaction() as session:
        for index in range(1, count + 1):
            make_person(session, nhs_number=nhs_number(index))


def _exports_audited(run_cli: RunCli) -> int:
    return len(run_cli("audit", "--action", "export", "--json").json())


def test_a_failure_part_way_leaves_no_files_and_no_audit(
        run_cli: RunCli, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills as the last file goes into place: caseload.csv and plan.csv were left
    in the folder, written but not audited (the transaction rolled back)."""
    _people(database)
    real_replace = os.replace

    def full_disk(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "export.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk)
    out = tmp_path / "share"
    result = run_cli("export", "--pseudonymise", "--out", out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []  # no export files, no temporaries
    assert _exports_audited(run_cli) == 0


def test_an_export_is_not_replaced_without_force(run_cli: RunCli, database: Database,
                                                 tmp_path: Path) -> None:
    _people(database)
    out = tmp_path / "share"
    first = run_cli("export", "--pseudonymise", "--out", out)
    assert first.exit_code == 0, first.output
    before = {name: (out / name).read_bytes() for name in EXPORTED}

    again = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01")
    said = " ".join(again.stderr.split())
    assert again.exit_code == 2, again.output
    assert "already holds an export" in said and "--force" in said
    assert {name: (out / name).read_bytes() for name in EXPORTED} == before
    assert _exports_audited(run_cli) == 1

    forced = run_cli("export", "--pseudonymise", "--out", out, "--as-of", "2027-06-01",
                     "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(path.name for path in out.iterdir()) == EXPORTED
    assert (out / "export.json").read_bytes() != before["export.json"]
    assert _exports_audited(run_cli) == 2


def test_a_folder_in_the_place_of_a_file_is_refused_before_anything_is_written(
        run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    _people(database)
    out = tmp_path / "share"
    (out / "export.json").mkdir(parents=True)
    for extra in ((), ("--force",)):
        result = run_cli("export", "--pseudonymise", "--out", out, *extra)
        assert result.exit_code == 2, result.output
        assert "unexpectedly" not in result.output
        assert sorted(path.name for path in out.iterdir()) == ["export.json"]
    assert _exports_audited(run_cli) == 0
